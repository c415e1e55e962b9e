"""NPBench syrk (PolyBench syrk): C = alpha A A^T + beta C on C's lower triangle (j <= i);
the strict upper triangle keeps its values. A N x M, C N x N (float64).

Design (bench/suite/kernels/syrk.py, measured on an H100): every C[i, j] with j <= i is
its own iteration of a collapsed prange over (i, j), a sequential dot product of rows i and
j of A; with clang on the GPU the nest runs in tiles (rows of A through panels in shared
memory, blocks above the diagonal idle)."""
import numpy as np
import appy


# appy: export syrk_lower(float64, float64, float64[:, :], float64[:, :])
@appy.jit
def syrk_lower(alpha, beta, C, A):
    n, m = A.shape[0], A.shape[1]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j <= i:
                s = 0.0
                for k in range(m):
                    s += A[i, k] * A[j, k]
                C[i, j] = beta * C[i, j] + alpha * s


def kernel(alpha, beta, C, A):
    syrk_lower(alpha, beta, C, A)
