"""No export lines: float64 arrays of the rank their subscripts show, int64 for bounds and
indices, float64 for other scalars."""
import numpy as np
import appy


@appy.jit
def vadd(a, b, c):
    for i in appy.prange(a.shape[0]):
        c[i] = a[i] + b[i]


@appy.jit
def axpy_n(alpha, x, y, n):
    #pragma parallel for
    for i in range(n):
        y[i] = alpha * x[i] + y[i]


@appy.jit
def gather(A, row, out):
    """row is an index, so an int64; A is 2-D."""
    #pragma parallel for
    for j in range(A.shape[1]):
        out[j] = A[row, j] * 2


@appy.jit
def total(a, scale):
    s = 0.0
    #pragma parallel for
    for i in range(a.shape[0]):
        s += a[i] * scale
    return s
