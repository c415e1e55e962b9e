"""NPBench jacobi_2d (PolyBench jacobi-2d): TSTEPS - 1 time steps, each B = the 5-point
average (0.2 x sum) of A on the interior, then A likewise from B (float64, N x N). The
boundary rows and columns keep their values.

Design: one compiled call holds the whole time loop. Grids of more than TEAM_MAX interior
points take one launch per sweep, a collapsed prange over rows and columns, one point per
GPU thread (bench/suite/kernels/jacobi2d.py, measured on an H100). Smaller grids (NPBench's
S: 148^2 points, 2 x 49 sweeps), where a launch (about 11 us) would cost more than its
sweep, run the whole time loop in one group of GPU threads (`prange(1)`, group mode: one
block of up to 1024 threads, each sweep a `#pragma simd` loop over the flattened interior,
a barrier after each). TEAM_MAX is an estimate, not yet measured on a GPU; 0 gives the
launch-per-sweep form."""
import numpy as np
import appy

TEAM_MAX = 1 << 15


# appy: export jacobi_2d_steps(int64, float64[:, :], float64[:, :], int64)
@appy.jit
def jacobi_2d_steps(TSTEPS, A, B, team_max):
    nx, ny = A.shape[0], A.shape[1]
    mi, mj = nx - 2, ny - 2
    if mi * mj <= team_max:
        for g in appy.prange(1):
            for t in range(1, TSTEPS):
                #pragma simd
                for p in range(mi * mj):
                    ii = 1 + p // mj
                    jj = 1 + p % mj
                    B[ii, jj] = 0.2 * (A[ii, jj] + A[ii, jj - 1] + A[ii, jj + 1] + A[ii + 1, jj] + A[ii - 1, jj])
                #pragma simd
                for p in range(mi * mj):
                    ii = 1 + p // mj
                    jj = 1 + p % mj
                    A[ii, jj] = 0.2 * (B[ii, jj] + B[ii, jj - 1] + B[ii, jj + 1] + B[ii + 1, jj] + B[ii - 1, jj])
    else:
        for t in range(1, TSTEPS):
            for i in appy.prange(1, nx - 1):
                for j in appy.prange(1, ny - 1):
                    B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
            for i in appy.prange(1, nx - 1):
                for j in appy.prange(1, ny - 1):
                    A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


def kernel(TSTEPS, A, B):
    jacobi_2d_steps(TSTEPS, A, B, TEAM_MAX)
