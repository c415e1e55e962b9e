"""Allocation in host code and returning arrays, tuples and scalars."""
import numpy as np
import appy


# appy: export make(int64, float64)
@appy.jit
def make(n, v):
    a = np.empty(n)
    b = np.zeros(n, dtype=np.float32)
    c = np.ones((n, 3), dtype=np.int32)
    d = np.full(n, v)
    e = np.full((2, n), 7, dtype=np.int64)
    f = np.zeros((n, 2), dtype=np.float64)
    #pragma parallel for
    for i in range(n):
        a[i] = i * v
        b[i] += i
        c[i, 1] = -i
        e[1, i] = i * 2
        f[i, 0] = v
    return a, b, c, d, e, f


# appy: export likes(float64[:, :])
# appy: export likes(float32[:, :])
# appy: export likes(int64[:, :])
# appy: export likes(int32[:, :])
@appy.jit
def likes(A):
    B = np.empty_like(A)
    C = np.zeros_like(A)
    D = np.ones_like(A)
    E = np.full_like(A, 3)
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] * 2
            C[i, j] += A[i, j]
            D[i, j] -= A[i, j]
    return B, C, D, E


# appy: export shaped(float32[:, :])
@appy.jit
def shaped(A):
    """An allocation with another array's shape."""
    B = np.zeros(A.shape, dtype=np.float32)
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] + 1
    return B


# appy: export one_array(int64)
@appy.jit
def one_array(n):
    a = np.empty(n, dtype=np.int64)
    #pragma parallel for
    for i in range(n):
        a[i] = i * i - 3
    return a


# appy: export mixed(float64[:], int64)
@appy.jit
def mixed(x, k):
    """A tuple of an array, an int, a float and a bool."""
    y = np.empty_like(x)
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = x[i] * k
    return y, x.shape[0] * k, 2.5 * k, k > 2


# appy: export int_result(int64, int64)
@appy.jit
def int_result(a, b):
    return a * b - 1


# appy: export float_result(float64[:])
@appy.jit
def float_result(x):
    return x[0] * 0.5


# appy: export bool_result(int64)
@appy.jit
def bool_result(a):
    return a % 2 == 0
