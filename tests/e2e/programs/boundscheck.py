"""Built with appy-translate --boundscheck (conftest.py, tests/gpu/build.sh): every
subscript is checked, one out of range raises IndexError as NumPy words it, with the array
and the line. Each function computes CPython's answer for indices in range."""
import numpy as np
import appy


# appy: export gather(float64[:], int64[:], float64[:])
@appy.jit
def gather(a, idx, out):
    """A parallel loop whose index is data: no check at the call can see it."""
    #pragma parallel for
    for i in range(idx.shape[0]):
        out[i] = a[idx[i]]


# appy: export guarded_shift(float64[:], float64[:], int64)
@appy.jit
def guarded_shift(a, b, n):
    """Off by one under an `if`: the call cannot tell whether it runs."""
    #pragma parallel for
    for i in range(b.shape[0]):
        if i < n:
            b[i] = a[i + 1]


# appy: export rowsums(float64[:, :], int64[:], float64[:])
@appy.jit
def rowsums(A, lens, out):
    """Axis 1 of a 2-D array, the inner loop's bound read from an array."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        for j in range(lens[i]):
            s += A[i, j]  # rowsums
        out[i] = s


# appy: export rows_at(float64[:, :], int64[:], float64[:])
@appy.jit
def rows_at(A, rows, out):
    """Axis 0 of a 2-D array, from an index array."""
    #pragma parallel for
    for i in range(rows.shape[0]):
        out[i] = A[rows[i], 1]


# appy: export total(float64[:, :], int64[:])
@appy.jit
def total(A, lens):
    """A reduction into a scalar whose terms are read out of range."""
    s = 0.0
    #pragma parallel for reduction(+:s)
    for i in range(A.shape[0]):
        for j in range(lens[i]):
            s += A[i, j]  # total
    return s


# appy: export matvec(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec(A, x, y):
    """Group mode (np.sum of a row): checked the same."""
    #pragma parallel for
    for i in range(A.shape[0]):
        y[i] = np.sum(A[i, :] * x)


# appy: export pick(float64[:], int64, bool)
@appy.jit
def pick(a, k, flag):
    """Host code: read under an `if`, and returned."""
    s = -1.0
    if flag:
        s = a[k]
    return s


# appy: export last(float64[:], bool)
@appy.jit
def last(a, flag):
    """A constant negative index: wrapped from the end, out of range below -size."""
    s = 0.0
    if flag:
        s = a[-3]
    return s


# appy: export between(float64[:], int64, float64[:])
@appy.jit
def between(a, k, b):
    """Host code between parallel loops writes out of range: nothing runs after it."""
    #pragma parallel for
    for i in range(a.shape[0]):
        a[i] = 2.0 * a[i]
    if k >= 0:
        a[k] = 0.0
    #pragma parallel for
    for i in range(b.shape[0]):
        b[i] = b[i] + 1.0


# appy: export find(float64[:], float64)
@appy.jit
def find(a, x):
    """A while loop whose condition reads past the end: it stops, and raises."""
    k = 0
    while a[k] != x:
        k += 1
    return k
