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


# appy: export swap_steps(float64[:], float64[:], int64)
@appy.jit
def swap_steps(a, b, steps):
    """Ping-pong between two arrays by swapping their names; the ends are copied."""
    n = a.shape[0]
    for t in range(steps):
        #pragma parallel for
        for i in range(n):
            if i == 0 or i == n - 1:
                b[i] = a[i]
            else:
                b[i] = 0.25 * a[i - 1] + 0.5 * a[i] + 0.25 * a[i + 1]
        a, b = b, a


# appy: export local_sum(float64[:])
@appy.jit
def local_sum(a):
    """A new array filled on the device, summed by a host loop, and returned."""
    t = np.empty_like(a)
    #pragma parallel for
    for i in range(a.shape[0]):
        t[i] = 2.0 * a[i] + 1.0
    s = 0.0
    for i in range(t.shape[0]):
        s += t[i]
    return s, t


# appy: export grow_until(int64[:], int64)
@appy.jit
def grow_until(a, limit):
    """The loop condition reads an element a parallel loop keeps changing."""
    count = 0
    while a[0] < limit:
        #pragma parallel for
        for i in range(a.shape[0]):
            a[i] += i + 1
        count += 1
    return count


# appy: export host_then_device(float64[:], float64[:], int64)
@appy.jit
def host_then_device(a, out, rounds):
    """Host code writes elements (one, then a whole host loop of them) that the next
    parallel loop reads; a has 2+ elements."""
    n = a.shape[0]
    for r in range(rounds):
        a[0] = a[n - 1] + r
        for k in range(1, n, 3):
            a[k] = a[k] * 0.5
        #pragma parallel for
        for i in range(n):
            out[i] = a[i] + a[0]
        #pragma parallel for
        for i in range(n):
            a[i] = out[i] - a[i]


# appy: export alias_write(float64[:], int64)
@appy.jit
def alias_write(a, steps):
    """A second name for the argument: a parallel loop writes through it, the host reads
    through the first name."""
    b = a
    total = 0.0
    for t in range(steps):
        #pragma parallel for
        for i in range(b.shape[0]):
            b[i] = b[i] * 0.5 + t
        total += a[0]
    return total


# appy: export fresh_result(float64[:], int64)
@appy.jit
def fresh_result(a, steps):
    """An array made in the function, updated on the device in a time loop, returned."""
    c = np.zeros_like(a)
    for t in range(steps):
        #pragma parallel for
        for i in range(a.shape[0]):
            c[i] = c[i] + a[i] * (t + 1)
    return c
