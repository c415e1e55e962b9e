"""Host code around parallel loops: time loops, and host decisions on device results."""
import numpy as np
import appy


# appy: export jacobi1d(float64[:], float64[:], int64)
# appy: export jacobi1d(float32[:], float32[:], int64)
@appy.jit
def jacobi1d(a, b, steps):
    """Two half-steps per time step; the ends stay fixed."""
    n = a.shape[0]
    for t in range(steps):
        #pragma parallel for
        for i in range(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        #pragma parallel for
        for i in range(1, n - 1):
            a[i] = (b[i - 1] + b[i] + b[i + 1]) / 3.0


# appy: export relax(float64[:], float64[:], float64, int64)
# appy: export relax(float32[:], float32[:], float64, int64)
@appy.jit
def relax(a, b, tol, max_iters):
    """Iterates until the largest change is at most tol; returns the iteration count."""
    n = a.shape[0]
    it = 0
    diff = tol + 1.0
    while diff > tol and it < max_iters:
        diff = 0.0
        #pragma parallel for
        for i in range(1, n - 1):
            b[i] = 0.5 * (a[i - 1] + a[i + 1])
            diff = max(diff, abs(b[i] - a[i]))
        #pragma parallel for
        for i in range(1, n - 1):
            a[i] = b[i]
        it += 1
    return it


# appy: export host_touch(int64[:], int64)
# appy: export host_touch(int32[:], int64)
@appy.jit
def host_touch(a, rounds):
    """Host code reads and writes elements between parallel loops; a has 2+ elements."""
    for r in range(rounds):
        #pragma parallel for
        for i in range(a.shape[0]):
            a[i] = a[i] + i
        a[0] = a[-1] - a[1]
        if a[0] % 2 == 0:
            a[1] += 1
    return a[0] + a[1]
