"""Scalars assigned in a parallel loop are private to the iteration; shared(...) shares."""
import numpy as np
import appy


# appy: export temps(float64[:], float64[:], float64)
# appy: export temps(float32[:], float32[:], float32)
# appy: export temps(int64[:], int64[:], int64)
# appy: export temps(int32[:], int32[:], int32)
@appy.jit
def temps(a, out, c):
    """t, u, v, w live for one iteration only; c is read by all."""
    #pragma parallel for
    for i in range(a.shape[0]):
        t = a[i] * 2
        u = t + c
        if t > 0:
            v = t
        else:
            v = -t
        w = u
        for k in range(3):
            w += u * k
        out[i] = u * v - w


# appy: export found_negative(float64[:])
# appy: export found_negative(int32[:])
@appy.jit
def found_negative(a):
    """A flag every writer sets to the same value, named in shared(...)."""
    found = 0
    #pragma parallel for shared(found)
    for i in range(a.shape[0]):
        if a[i] < 0:
            found = 1
    return found


# appy: export chain(float64[:], float64[:])
# appy: export chain(float32[:], float32[:])
@appy.jit
def chain(a, out):
    """A private scalar reused in the next iteration's body must not leak between iterations."""
    #pragma parallel for
    for i in range(a.shape[0]):
        x = a[i]
        for k in range(5):
            x = x * 0.5 + 1
        out[i] = x
