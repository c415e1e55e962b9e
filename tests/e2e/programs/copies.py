"""Kernels for the copy paths between NumPy memory and the GPU (tests/e2e/test_copies.py):
arrays of several dtypes and ranks, copied in, out and both ways."""
import appy
import numpy as np


# appy: export vadd(float64[:], float64[:], float64[:])
@appy.jit
def vadd(a, b, c):
    for i in appy.prange(a.shape[0]):
        c[i] = a[i] + b[i]


# appy: export mixed(float32[:], int64[:], float64[:,:], float64[:])
@appy.jit
def mixed(x, k, m, out):
    """x both ways, k and m in, out out; rows of m summed."""
    for i in appy.prange(x.shape[0]):
        x[i] = x[i] * 2.0 + 1.0
    #pragma parallel for
    for r in range(m.shape[0]):
        s = 0.0
        for j in range(m.shape[1]):
            s += m[r, j] * k[j % k.shape[0]]
        out[r] = s

