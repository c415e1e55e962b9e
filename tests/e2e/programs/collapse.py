"""Directly nested parallel loops collapse."""
import numpy as np
import appy


# appy: export add2(float64[:, :], float64[:, :], float64[:, :])
# appy: export add2(float32[:, :], float32[:, :], float32[:, :])
# appy: export add2(int64[:, :], int64[:, :], int64[:, :])
# appy: export add2(int32[:, :], int32[:, :], int32[:, :])
@appy.jit
def add2(A, B, C):
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma parallel for
        for j in range(A.shape[1]):
            C[i, j] = A[i, j] + B[i, j] * (i - j)


# appy: export add3(float64[:, :, :], float64[:, :, :])
# appy: export add3(int32[:, :, :], int32[:, :, :])
@appy.jit
def add3(A, B):
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma parallel for
        for j in range(A.shape[1]):
            #pragma parallel for
            for k in range(A.shape[2]):
                B[i, j, k] = A[i, j, k] * 2 - i + j * k


# appy: export interior(float64[:, :], float64[:, :])
# appy: export interior(float32[:, :], float32[:, :])
@appy.jit
def interior(A, B):
    """Loops that start past 0 and stop short of the end."""
    #pragma parallel for
    for i in range(1, A.shape[0] - 1):
        #pragma parallel for
        for j in range(2, A.shape[1]):
            B[i, j] = A[i - 1, j] + A[i + 1, j - 2]


# appy: export sum2(float64[:, :])
# appy: export sum2(float32[:, :])
@appy.jit
def sum2(A):
    """A reduction over a collapsed nest."""
    s = 0.0
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma parallel for
        for j in range(A.shape[1]):
            s += A[i, j] * (j + 1)
    return s


# appy: export prange2(float64[:, :], float64[:, :])
# appy: export prange2(int32[:, :], int32[:, :])
@appy.jit
def prange2(A, B):
    for i in appy.prange(A.shape[0]):
        for j in appy.prange(A.shape[1]):
            B[i, j] = A[i, j] - A[i, 0]


# appy: export strided3(float64[:, :, :], float64[:, :, :], int64)
# appy: export strided3(int32[:, :, :], int32[:, :, :], int64)
@appy.jit
def strided3(A, B, s):
    """Collapsed loops with constant steps, one of them negative, and a start from a scalar:
    on the GPU (clang) one flat index split back into i, j, k."""
    #pragma parallel for
    for i in range(A.shape[0] - 1, -1, -2):
        #pragma parallel for
        for j in range(s, A.shape[1], 3):
            #pragma parallel for
            for k in range(A.shape[2]):
                B[i, j, k] = A[i, j, k] * (i + 1) - j + k * s


# appy: export reused(float64[:, :, :])
@appy.jit
def reused(A):
    """j is a scalar of the first loop and the middle loop variable of a collapsed nest:
    gcc once got j's iterations counted apart, which broke the nest (not enough perfectly
    nested loops)."""
    for p in appy.prange(min(4, A.shape[1])):
        j = p
        A[0, j, 0] = 1.0 + j
    for i in appy.prange(A.shape[0]):
        for j in appy.prange(A.shape[1]):
            for k in appy.prange(A.shape[2]):
                A[i, j, k] += 2.0 * i - j + k
