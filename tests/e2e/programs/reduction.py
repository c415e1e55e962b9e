"""Scalar reductions in parallel loops: detected, or named in a reduction clause."""
import numpy as np
import appy


# appy: export fsum(float64[:])
# appy: export fsum(float32[:])
@appy.jit
def fsum(a):
    s = 0.0
    #pragma parallel for
    for i in range(a.shape[0]):
        s += a[i]
    return s


# appy: export isum(int64[:])
# appy: export isum(int32[:])
@appy.jit
def isum(a):
    """The initial value counts; -= too."""
    s = 10
    t = 0
    #pragma parallel for
    for i in range(a.shape[0]):
        s += a[i]
        t -= 2 * a[i]
    return s, t


# appy: export fprod(float64[:])
# appy: export fprod(float32[:])
@appy.jit
def fprod(a):
    p = 1.0
    #pragma parallel for
    for i in range(a.shape[0]):
        p *= a[i]
    return p


# appy: export iprod(int64[:])
# appy: export iprod(int32[:])
@appy.jit
def iprod(a):
    p = 1
    #pragma parallel for
    for i in range(a.shape[0]):
        p *= a[i]
    return p


# appy: export fminmax(float64[:])
# appy: export fminmax(float32[:])
@appy.jit
def fminmax(a):
    lo = 1e30
    hi = -1e30
    #pragma parallel for
    for i in range(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(hi, a[i] * 2)
    return lo, hi


# appy: export iminmax(int64[:])
# appy: export iminmax(int32[:])
@appy.jit
def iminmax(a):
    lo = 1000000
    hi = -1000000
    #pragma parallel for
    for i in range(a.shape[0]):
        lo = min(a[i], lo)
        hi = max(a[i] - 1, hi)
    return lo, hi


# appy: export dot(float64[:], float64[:])
# appy: export dot(float32[:], float32[:])
@appy.jit
def dot(x, y):
    """An explicit reduction clause, and a use of the result in host code."""
    s = 0.0
    #pragma parallel for reduction(+:s)
    for i in range(x.shape[0]):
        s += x[i] * y[i]
    return s * 2


# appy: export sum_prange(float64[:])
# appy: export sum_prange(float32[:])
@appy.jit
def sum_prange(a):
    s = 0.0
    for i in appy.prange(a.shape[0]):
        s += a[i]
    return s


# appy: export sum_range_parallel(int64[:])
# appy: export sum_range_parallel(int32[:])
@appy.jit
def sum_range_parallel(a):
    s = 0
    for i in appy.range(a.shape[0], parallel=True):
        s += a[i]
    return s


# appy: export several(float64[:], float64[:])
# appy: export several(float32[:], float32[:])
@appy.jit
def several(a, out):
    """Several reductions in one loop that also writes an array; a has 1+ elements."""
    s = 0.0
    sq = 0.0
    hi = -1e30
    #pragma parallel for
    for i in range(a.shape[0]):
        v = a[i] * 0.5
        out[i] = v
        s += v
        sq += v * v
        hi = max(hi, v)
    out[0] = s
    return s, sq, hi


# appy: export count_positive(float64[:])
# appy: export count_positive(int32[:])
@appy.jit
def count_positive(a):
    """An int reduction over a float array, under a condition."""
    n = 0
    #pragma parallel for
    for i in range(a.shape[0]):
        if a[i] > 0:
            n += 1
    return n


# appy: export strided_sum(float64[:], int64, int64)
# appy: export strided_sum(int64[:], int64, int64)
@appy.jit
def strided_sum(a, start, step):
    """A reduction over range(start, n, step): the loop variable from the iteration count."""
    s = a[0] * 0
    m = a[0]
    for i in appy.prange(start, a.shape[0], step):
        s += a[i] * (i % 7)
        m = max(m, a[i])
    return s, m
