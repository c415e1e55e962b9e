"""NPBench jacobi_1d (PolyBench jacobi-1d): TSTEPS - 1 time steps, each
B[1:-1] = 0.33333 (A[:-2] + A[1:-1] + A[2:]), then A[1:-1] likewise from B (float64, N).
The end points keep their values.

Design: one compiled call holds the whole time loop. NPBench's grids are small (N 3200 to
34000) and its sweeps many (up to 2 x 8500), so one launch per sweep, as in
bench/suite/kernels/jacobi1d.py (measured for N = 2^23), would cost mostly launches (about
11 us each on an H100). Up to TEAM_MAX points the whole time loop therefore runs in one
group of GPU threads (`prange(1)`, group mode: one block of up to 1024 threads, each sweep
a `#pragma simd` loop shared by its lanes, a barrier after each sweep; the grid stays in
L1/L2). Larger grids take one bare-kernel launch per sweep, one point per thread.
TEAM_MAX is an estimate, not yet measured on a GPU; 0 gives the launch-per-sweep form."""
import numpy as np
import appy

TEAM_MAX = 1 << 16


# appy: export jacobi_1d_steps(int64, float64[:], float64[:], int64)
@appy.jit
def jacobi_1d_steps(TSTEPS, A, B, team_max):
    n = A.shape[0]
    if n <= team_max:
        for g in appy.prange(1):
            for t in range(1, TSTEPS):
                #pragma simd
                for i in range(1, n - 1):
                    B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
                #pragma simd
                for i in range(1, n - 1):
                    A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])
    else:
        for t in range(1, TSTEPS):
            for i in appy.prange(1, n - 1):
                B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
            for i in appy.prange(1, n - 1):
                A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])


def kernel(TSTEPS, A, B):
    jacobi_1d_steps(TSTEPS, A, B, TEAM_MAX)
