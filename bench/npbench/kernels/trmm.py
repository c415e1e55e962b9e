"""NPBench trmm (PolyBench trmm): B = alpha (B + tril(A, -1)^T B) in place, A M x M (only
its strict lower triangle read), B M x N (float64).

Design (bench/suite/kernels/trmm.py, measured on an H100): NPBench's row i reads only rows
below it, not yet updated, so against a copy B0 of the old B every B[i, j] is independent:
a collapsed prange copies B, a second collapsed prange over (i, j) runs the dot product
B0[i, j] + sum_{k > i} A[k, i] B0[k, j]; with clang on the GPU that nest runs in tiles
(A and B0 through panels in shared memory)."""
import numpy as np
import appy


# appy: export trmm_upper(float64, float64[:, :], float64[:, :])
@appy.jit
def trmm_upper(alpha, A, B):
    m, n = B.shape[0], B.shape[1]
    B0 = np.empty((m, n))
    for i in appy.prange(m):
        for j in appy.prange(n):
            B0[i, j] = B[i, j]
    for i in appy.prange(m):
        for j in appy.prange(n):
            s = B0[i, j]
            for k in range(i + 1, m):
                s += A[k, i] * B0[k, j]
            B[i, j] = alpha * s


def kernel(alpha, A, B):
    trmm_upper(alpha, A, B)
