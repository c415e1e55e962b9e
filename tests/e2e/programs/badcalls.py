"""Calls with arguments that disagree: shapes the loops tie together, overlapping memory,
bools holding bytes other than 0 and 1, misaligned buffers."""
import numpy as np
import appy


# appy: export vadd(float64[:], float64[:], float64[:])
@appy.jit
def vadd(a, b, c):
    #pragma parallel for
    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]


# appy: export diff(float64[:], float64[:])
@appy.jit
def diff(a, d):
    """a needs one element more than d."""
    #pragma parallel for
    for i in range(d.shape[0]):
        d[i] = a[i + 1] - a[i]


# appy: export matvec(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


# appy: export stride2(float64[:], float64[:], int64)
@appy.jit
def stride2(a, out, k):
    """out[i] = a[2 i + k] + a[-1]: an affine index with a run-time offset, a constant
    negative index."""
    #pragma parallel for
    for i in range(out.shape[0]):
        out[i] = a[2 * i + k] + a[-1]


# appy: export guarded(float64[:], float64[:], float64[:])
@appy.jit
def guarded(a, b, c):
    """b is read only where it is long enough: any b is fine."""
    #pragma parallel for
    for i in range(a.shape[0]):
        if i < b.shape[0]:
            c[i] = a[i] + b[i]
        else:
            c[i] = a[i]


# appy: export early(float64[:], float64[:], int64)
@appy.jit
def early(a, c, n):
    """Returns before the loop when n is 0: then any c is fine."""
    if n == 0:
        return 0.0
    #pragma parallel for
    for i in range(a.shape[0]):
        c[i] = a[i] * n
    return 1.0


# appy: export count(bool[:])
@appy.jit
def count(m):
    c = 0
    #pragma parallel for
    for i in range(m.shape[0]):
        if m[i]:
            c += 1
    return c


# appy: export bsum(bool[:], int64[:])
@appy.jit
def bsum(m, out):
    """Bools as numbers, and copied."""
    s = 0
    #pragma parallel for
    for i in range(m.shape[0]):
        s += m[i]
        out[i] = m[i] + 0
    return s


# appy: export flip(bool[:])
@appy.jit
def flip(m):
    #pragma parallel for
    for i in range(m.shape[0]):
        m[i] = not m[i]


# appy: export scale32(int32[:], float32[:], float32[:])
@appy.jit
def scale32(k, x, y):
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = x[i] * k[i]


@appy.jit
def vadd_py(a, b, c):
    """Host code that stays Python around the same loop."""
    seen = {"calls": 1}
    #pragma parallel for
    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]
    return seen["calls"]


# appy: export split(float64[:], float64[:], float64[:])
@appy.jit
def split(a, lo, hi):
    """Two written arguments."""
    #pragma parallel for
    for i in range(a.shape[0]):
        lo[i] = a[i] - 1.0
        hi[i] = a[i] + 1.0
