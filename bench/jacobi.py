"""2-D Jacobi (5-point average, fixed boundary), float64: the time loop in host code
(`jacobi2d`, one call for all steps) and one step per call (`jacobi2d_step`, the time loop
in Python). Run by bench/run_jacobi.py."""
import numpy as np
import appy


# appy: export jacobi2d(float64[:, :], float64[:, :], int64)
@appy.jit
def jacobi2d(A, B, steps):
    n, m = A.shape
    for t in range(steps):
        #pragma parallel for
        for i in range(1, n - 1):
            #pragma parallel for
            for j in range(1, m - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i - 1, j] + A[i + 1, j] + A[i, j - 1] + A[i, j + 1])
        #pragma parallel for
        for i in range(1, n - 1):
            #pragma parallel for
            for j in range(1, m - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i - 1, j] + B[i + 1, j] + B[i, j - 1] + B[i, j + 1])


# appy: export jacobi2d_step(float64[:, :], float64[:, :])
@appy.jit
def jacobi2d_step(A, B):
    n, m = A.shape
    #pragma parallel for
    for i in range(1, n - 1):
        #pragma parallel for
        for j in range(1, m - 1):
            B[i, j] = 0.2 * (A[i, j] + A[i - 1, j] + A[i + 1, j] + A[i, j - 1] + A[i, j + 1])
    #pragma parallel for
    for i in range(1, n - 1):
        #pragma parallel for
        for j in range(1, m - 1):
            A[i, j] = 0.2 * (B[i, j] + B[i - 1, j] + B[i + 1, j] + B[i, j - 1] + B[i, j + 1])
