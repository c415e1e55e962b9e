"""NPBench syr2k (PolyBench syr2k): C = alpha (A B^T + B A^T) + beta C on C's lower
triangle (j <= i); the strict upper triangle keeps its values. A and B N x M, C N x N
(float64).

Design (bench/suite/kernels/syr2k.py, measured on an H100): every C[i, j] with j <= i is
its own iteration of a collapsed prange over (i, j), one sequential loop over k reading
rows i and j of A and B; with clang on the GPU the nest runs in tiles (four panels in
shared memory). Two separate k loops were slower there."""
import numpy as np
import appy


# appy: export syr2k_lower(float64, float64, float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def syr2k_lower(alpha, beta, C, A, B):
    n, m = A.shape[0], A.shape[1]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j <= i:
                s = 0.0
                for k in range(m):
                    s += A[j, k] * B[i, k] + B[j, k] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * s


def kernel(alpha, beta, C, A, B):
    syr2k_lower(alpha, beta, C, A, B)
