"""NPBench symm (PolyBench symm): C = beta C + alpha S B, S the symmetric matrix whose lower
triangle is A's (A's upper triangle, -999 in NPBench's data, is never read); A M x M,
B and C M x N (float64).

Design (bench/suite/kernels/symm.py, measured on an H100): NPBench's loop order scatters
the mirrored products into earlier rows of C, leaving little parallelism. Here S is first
written out in full from A's lower triangle (a collapsed prange), then every C[i, j] is
its own iteration of a collapsed prange over rows and columns, a sequential dot product of
row i of S with column j of B; with clang on the GPU that nest runs in tiles (panels of S
and B in shared memory, the k loop on the FP64 tensor cores)."""
import numpy as np
import appy


# appy: export symm_full(float64, float64, float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def symm_full(alpha, beta, C, A, B):
    m, n = C.shape[0], C.shape[1]
    S = np.empty((m, m))
    for i in appy.prange(m):
        for k in appy.prange(m):
            S[i, k] = A[i, k] if k <= i else A[k, i]
    for i in appy.prange(m):
        for j in appy.prange(n):
            s = 0.0
            for k in range(m):
                s += S[i, k] * B[k, j]
            C[i, j] = beta * C[i, j] + alpha * s


def kernel(alpha, beta, C, A, B):
    symm_full(alpha, beta, C, A, B)
