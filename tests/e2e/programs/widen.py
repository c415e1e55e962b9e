"""A scalar first assigned an int and later a float holds a float, as in Python."""
import numpy as np
import appy


# appy: export widen_sum(float64[:])
@appy.jit
def widen_sum(a):
    s = 0
    #pragma parallel for
    for i in range(a.shape[0]):
        s += a[i]
    return s


# appy: export widen_local(float64[:], float64[:])
@appy.jit
def widen_local(a, out):
    #pragma parallel for
    for i in range(a.shape[0]):
        t = 1
        t *= a[i]
        out[i] = t
