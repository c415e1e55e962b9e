"""PolyBench gesummv (NPBench): returns alpha A x + beta B x.

The suite's design: group mode, one group per row, both dot products in one `#pragma simd`
loop."""
import numpy as np
import appy


# appy: export gesummv_kernel(float64, float64, float64[:, :], float64[:, :], float64[:], float64[:])
@appy.jit
def gesummv_kernel(alpha, beta, A, B, x, y):
    for i in appy.prange(A.shape[0]):
        sa = 0.0
        sb = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            sa += A[i, j] * x[j]
            sb += B[i, j] * x[j]
        y[i] = alpha * sa + beta * sb


def kernel(alpha, beta, A, B, x):
    y = type(x)((A.shape[0],), dtype=np.float64)
    gesummv_kernel(alpha, beta, A, B, x, y)
    return y
