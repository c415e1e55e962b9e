"""Inner loops in a parallel loop: #pragma simd (group mode) and plain sequential ones."""
import numpy as np
import appy


# appy: export rowsum(float64[:, :], float64[:])
# appy: export rowsum(float32[:, :], float32[:])
@appy.jit
def rowsum(A, out):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j]
        out[i] = s


# appy: export irowsum(int64[:, :], int64[:])
# appy: export irowsum(int32[:, :], int32[:])
@appy.jit
def irowsum(A, out):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * (j % 3 - 1)
        out[i] = s


# appy: export matvec(float64[:, :], float64[:], float64[:])
# appy: export matvec(float32[:, :], float32[:], float32[:])
@appy.jit
def matvec(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


# appy: export scale_rows(float64[:, :], float64[:])
# appy: export scale_rows(float32[:, :], float32[:])
# appy: export scale_rows(int64[:, :], int64[:])
# appy: export scale_rows(int32[:, :], int32[:])
@appy.jit
def scale_rows(A, f):
    """An inner simd loop that writes elements."""
    #pragma parallel for
    for i in range(A.shape[0]):
        c = f[i] * 2
        #pragma simd
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] * c + j


# appy: export rowmax(float64[:, :], float64[:])
# appy: export rowmax(int32[:, :], int32[:])
@appy.jit
def rowmax(A, out):
    """A max reduction in an inner sequential loop (no pragma)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = A[i, 0]
        for j in range(1, A.shape[1]):
            m = max(m, A[i, j])
        out[i] = m


# appy: export prefix_rows(float64[:, :])
# appy: export prefix_rows(int64[:, :])
@appy.jit
def prefix_rows(A):
    """A sequential inner loop carrying a dependence along the row."""
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(1, A.shape[1]):
            A[i, j] += A[i, j - 1]
