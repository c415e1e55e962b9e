"""PolyBench fdtd-2d (NPBench): TMAX steps of the 2-D Yee scheme updating ey, ex, then hz in place.

The suite's fdtd2d design: the time loop runs in the compiled function (one call), each
sweep a collapsed parallel loop nest launched from it."""
import numpy as np
import appy


# appy: export fdtd_2d_kernel(int64, float64[:, :], float64[:, :], float64[:, :], float64[:])
@appy.jit
def fdtd_2d_kernel(TMAX, ex, ey, hz, fict):
    nx, ny = ex.shape[0], ex.shape[1]
    for t in range(TMAX):
        for j in appy.prange(ny):
            ey[0, j] = fict[t]
        for i in appy.prange(1, nx):
            for j in appy.prange(ny):
                ey[i, j] -= 0.5 * (hz[i, j] - hz[i - 1, j])
        for i in appy.prange(nx):
            for j in appy.prange(1, ny):
                ex[i, j] -= 0.5 * (hz[i, j] - hz[i, j - 1])
        for i in appy.prange(nx - 1):
            for j in appy.prange(ny - 1):
                hz[i, j] -= 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


def kernel(TMAX, ex, ey, hz, _fict_):
    fdtd_2d_kernel(TMAX, ex, ey, hz, _fict_)
