"""n, m = A.shape: unpacking a shape tuple."""
import numpy as np
import appy


# appy: export scale2(float64[:, :], float64)
# appy: export scale2(int32[:, :], int32)
@appy.jit
def scale2(A, f):
    n, m = A.shape
    #pragma parallel for
    for i in range(n):
        #pragma parallel for
        for j in range(m):
            A[i, j] = A[i, j] * f + i - j
