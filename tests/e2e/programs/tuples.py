"""Tuple assignment: swaps, several targets at once, in device and host code."""
import numpy as np
import appy


# appy: export swap(float64[:], float64[:])
# appy: export swap(float32[:], float32[:])
# appy: export swap(int64[:], int64[:])
# appy: export swap(int32[:], int32[:])
@appy.jit
def swap(a, b):
    #pragma parallel for
    for i in range(a.shape[0]):
        a[i], b[i] = b[i], a[i]


# appy: export divmod_minmax(int64[:], int64[:], int64[:, :])
# appy: export divmod_minmax(int32[:], int32[:], int32[:, :])
@appy.jit
def divmod_minmax(a, b, out):
    """b has no zeros."""
    #pragma parallel for
    for i in range(a.shape[0]):
        q, r = a[i] // b[i], a[i] % b[i]
        lo, hi = a[i], b[i]
        if lo > hi:
            lo, hi = hi, lo
        out[0, i], out[1, i] = q, r
        out[2, i] = lo
        out[3, i] = hi


# appy: export fib(int64[:], int64[:])
@appy.jit
def fib(n, out):
    """a, b = b, a + b in a sequential loop; 0 <= n[i] <= 90."""
    #pragma parallel for
    for i in range(n.shape[0]):
        x, y = 0, 1
        for k in range(n[i]):
            x, y = y, x + y
        out[i] = x


# appy: export rotate(float64, float64, float64)
@appy.jit
def rotate(x, y, z):
    """Host code: a three-way rotation, then a tuple returned."""
    x, y, z = y, z, x
    return x, y, z
