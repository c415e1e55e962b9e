"""NPBench heat_3d (PolyBench heat-3d): TSTEPS - 1 time steps, each B = A + 0.125 x the
7-point Laplacian of A on the interior, then A likewise from B (float64, N x N x N). The
faces keep their values.

Design: one compiled call holds the whole time loop. Grids of more than TEAM_MAX interior
points take one launch per sweep, a collapsed 3-deep prange, one point per GPU thread
(bench/suite/kernels/heat3d.py, measured on an H100). Smaller grids (NPBench's S: 23^3
points, 2 x 24 sweeps), where a launch (about 11 us) would cost more than its sweep, run the
whole time loop in one group of GPU threads (`prange(1)`, group mode: one block of up to
1024 threads, each sweep a `#pragma simd` loop over the flattened interior, a barrier after
each). TEAM_MAX is an estimate, not yet measured on a GPU; 0 gives the launch-per-sweep
form."""
import numpy as np
import appy

TEAM_MAX = 1 << 15


# appy: export heat_3d_steps(int64, float64[:, :, :], float64[:, :, :], int64)
@appy.jit
def heat_3d_steps(TSTEPS, A, B, team_max):
    nx, ny, nz = A.shape[0], A.shape[1], A.shape[2]
    mi, mj, mk = nx - 2, ny - 2, nz - 2
    if mi * mj * mk <= team_max:
        for g in appy.prange(1):
            for t in range(1, TSTEPS):
                #pragma simd
                for p in range(mi * mj * mk):
                    ii = 1 + p // (mj * mk)
                    jj = 1 + (p // mk) % mj
                    kk = 1 + p % mk
                    B[ii, jj, kk] = (0.125 * (A[ii + 1, jj, kk] - 2.0 * A[ii, jj, kk] + A[ii - 1, jj, kk])
                                     + 0.125 * (A[ii, jj + 1, kk] - 2.0 * A[ii, jj, kk] + A[ii, jj - 1, kk])
                                     + 0.125 * (A[ii, jj, kk + 1] - 2.0 * A[ii, jj, kk] + A[ii, jj, kk - 1])
                                     + A[ii, jj, kk])
                #pragma simd
                for p in range(mi * mj * mk):
                    ii = 1 + p // (mj * mk)
                    jj = 1 + (p // mk) % mj
                    kk = 1 + p % mk
                    A[ii, jj, kk] = (0.125 * (B[ii + 1, jj, kk] - 2.0 * B[ii, jj, kk] + B[ii - 1, jj, kk])
                                     + 0.125 * (B[ii, jj + 1, kk] - 2.0 * B[ii, jj, kk] + B[ii, jj - 1, kk])
                                     + 0.125 * (B[ii, jj, kk + 1] - 2.0 * B[ii, jj, kk] + B[ii, jj, kk - 1])
                                     + B[ii, jj, kk])
    else:
        for t in range(1, TSTEPS):
            for i in appy.prange(1, nx - 1):
                for j in appy.prange(1, ny - 1):
                    for k in appy.prange(1, nz - 1):
                        B[i, j, k] = (0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k])
                                      + 0.125 * (A[i, j + 1, k] - 2.0 * A[i, j, k] + A[i, j - 1, k])
                                      + 0.125 * (A[i, j, k + 1] - 2.0 * A[i, j, k] + A[i, j, k - 1])
                                      + A[i, j, k])
            for i in appy.prange(1, nx - 1):
                for j in appy.prange(1, ny - 1):
                    for k in appy.prange(1, nz - 1):
                        A[i, j, k] = (0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k])
                                      + 0.125 * (B[i, j + 1, k] - 2.0 * B[i, j, k] + B[i, j - 1, k])
                                      + 0.125 * (B[i, j, k + 1] - 2.0 * B[i, j, k] + B[i, j, k - 1])
                                      + B[i, j, k])


def kernel(TSTEPS, A, B):
    heat_3d_steps(TSTEPS, A, B, TEAM_MAX)
