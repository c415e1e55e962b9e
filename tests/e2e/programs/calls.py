"""Kernels the runtime-error and layout tests call in wrong and unusual ways."""
import numpy as np
import appy


# appy: export saxpy(float32, float32[:], float32[:])
@appy.jit
def saxpy(alpha, x, y):
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = alpha * x[i] + y[i]


# appy: export add(float64[:], float64[:], float64[:])
# appy: export add(int32[:], int32[:], int32[:])
@appy.jit
def add(a, b, c):
    #pragma parallel for
    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]


# appy: export mix2(float64[:, :], float64[:, :], int64)
@appy.jit
def mix2(A, B, k):
    """B[i, j] = 2 A[i, j] + k i - j: shows any mix-up of rows, columns and strides."""
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma parallel for
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] * 2 + k * i - j


# appy: export total(float64[:, :])
@appy.jit
def total(A):
    s = 0.0
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s += A[i, j] * (i + 1) - j
    return s


# appy: export flagged(bool[:], int64, float64)
@appy.jit
def flagged(mask, n, x):
    """Reads its arguments only: scalars of each kind and a read-only-safe array."""
    c = 0
    #pragma parallel for
    for i in range(mask.shape[0]):
        if mask[i]:
            c += 1
    return c * n + x
