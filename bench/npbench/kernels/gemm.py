"""PolyBench gemm (NPBench): C = alpha A B + beta C in place (A NI x NK, B NK x NJ).

Every C[i, j] is its own iteration of a collapsed prange over (i, j), a sequential dot
product over k of A[i, k] B[k, j]: the dense-nest form that clang runs in tiles on the FP64
tensor cores (the suite's symm/trmm design)."""
import numpy as np
import appy


# appy: export gemm_kernel(float64, float64, float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def gemm_kernel(alpha, beta, C, A, B):
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            s = 0.0
            for k in range(A.shape[1]):
                s += A[i, k] * B[k, j]
            C[i, j] = alpha * s + beta * C[i, j]


def kernel(alpha, beta, C, A, B):
    gemm_kernel(alpha, beta, C, A, B)
