"""Subscripts: 2-D and 3-D, A[i][j], constant negative indices, shape, len, size."""
import numpy as np
import appy


# appy: export transpose(float64[:, :], float64[:, :])
# appy: export transpose(float32[:, :], float32[:, :])
# appy: export transpose(int64[:, :], int64[:, :])
# appy: export transpose(int32[:, :], int32[:, :])
@appy.jit
def transpose(A, B):
    """B (m x n) = A (n x m) transposed, with both subscript spellings."""
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            B[j, i] = A[i][j]
            B[j][i] += A[i, j]


# appy: export sum_last(float64[:, :, :], float64[:, :])
# appy: export sum_last(float32[:, :, :], float32[:, :])
# appy: export sum_last(int64[:, :, :], int64[:, :])
# appy: export sum_last(int32[:, :, :], int32[:, :])
@appy.jit
def sum_last(A, out):
    """out[i, j] = A[i, j, 0] - A[i, j, 1] + A[i, j, 2] - ..."""
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[i, j] = 0
            for k in range(A.shape[2]):
                if k % 2 == 0:
                    out[i, j] += A[i][j][k]
                else:
                    out[i, j] -= A[i, j, k]


# appy: export ends(float64[:], float64[:, :], float64[:])
# appy: export ends(int32[:], int32[:, :], int32[:])
@appy.jit
def ends(a, A, out):
    """Constant negative indices on the device; A has a.shape[0] + 2 rows."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = a[i] - a[-1] + A[i, -1] * 2 - A[-1, 0] + A[-2][-1]


# appy: export dims(float64[:, :, :], int64[:])
# appy: export dims(int32[:, :, :], int64[:])
@appy.jit
def dims(A, out):
    """shape, len and size, in host code and on the device."""
    out[0] = A.shape[0]
    out[1] = A.shape[1]
    out[2] = A.shape[2]
    out[3] = len(A)
    out[4] = A.size
    #pragma parallel for
    for i in range(5, out.shape[0]):
        out[i] = A.shape[2] * 1000 + len(A) * 100 + A.size + i


# appy: export last_of(float64[:], int64[:, :])
@appy.jit
def last_of(a, B):
    """Constant negative indices in host code; returns a scalar."""
    return a[-1] * 2 + B[-1, -2] - B[0][-1]
