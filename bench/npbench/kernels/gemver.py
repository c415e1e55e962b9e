"""PolyBench gemver (NPBench): A += u1 v1^T + u2 v2^T; x += beta A^T y + z; w += alpha A x (in place).

The suite's gemver design (tuned on an H100): three group-mode loops, one group per row
(A update, A x) or per column (A^T y), each a `#pragma simd` loop."""
import numpy as np
import appy


# appy: export gemver_kernel(float64, float64, float64[:, :], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:])
@appy.jit
def gemver_kernel(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    n = A.shape[0]
    for i in appy.prange(n):
        #pragma simd
        for j in range(n):
            A[i, j] += u1[i] * v1[j] + u2[i] * v2[j]
    for i in appy.prange(n):
        s = 0.0
        #pragma simd
        for j in range(n):
            s += A[j, i] * y[j]
        x[i] += beta * s + z[i]
    for i in appy.prange(n):
        s = 0.0
        #pragma simd
        for j in range(n):
            s += A[i, j] * x[j]
        w[i] += alpha * s


def kernel(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    gemver_kernel(alpha, beta, A, u1, v1, u2, v2, w, x, y, z)
