"""Array expressions in host code (outside parallel loops): each statement on arrays is a
parallel loop of its own on the device; a name assigned an array expression is a new
array; reductions (np.sum & co) are parallel reductions. Shapes must agree (scalars and
lower-rank arrays broadcast against trailing dimensions, no size-1 stretching), else
ValueError. The group-mode forms are in arrays.py (two modules: each builds faster).
"""
import numpy as np
import appy

# ---------------------------------------------------------------- host code

# appy: export axpy(float64, float64[:], float64[:])
# appy: export axpy(float32, float32[:], float32[:])
# appy: export axpy(int64, int64[:], int64[:])
# appy: export axpy(int32, int32[:], int32[:])
@appy.jit
def axpy(a, x, y):
    """y[:] = a * x + y."""
    y[:] = a * x + y


# appy: export arith(float64[:], float64[:], float64[:, :])
# appy: export arith(float32[:], float32[:], float32[:, :])
# appy: export arith(int64[:], int64[:], int64[:, :])
# appy: export arith(int32[:], int32[:], int32[:, :])
@appy.jit
def arith(a, b, out):
    """Host statements into rows of out (8, n); b has no zeros."""
    out[0] = a + b
    out[1] = a - b
    out[2, :] = a * b
    out[3] = a // b
    out[4] = a % b
    out[5] = -a + a ** 2
    out[6] = np.abs(a) - np.maximum(a, b) + np.minimum(a, 3)
    out[7] = a % -3 + a // 4


# appy: export host_slices(float64[:], float64[:, :])
# appy: export host_slices(int32[:], int32[:, :])
@appy.jit
def host_slices(x, out):
    """Constant slices in host code, pairs of equal length for any n; out is (8, n)."""
    out[0] = x[::-1]
    out[1, ::2] = x[::2] + x[::-2]
    out[2, 1:] = x[:-1] * x[1:]
    out[3, :3] = x[-3:]
    out[4, 1::2] = x[-2::-2]
    out[5, 2:-2] = x[4:] - x[:-4]
    out[6] = 3
    out[6, 1:-1:2] = x[1:-1:2]
    out[7, :7:3] = x[:7:3] + 1


# appy: export host_window(float64[:], float64[:, :], int64, int64, int64)
# appy: export host_window(int32[:], int32[:, :], int64, int64, int64)
@appy.jit
def host_window(x, out, lo, hi, step):
    """Run-time slices with parts omitted; out is (4, n). Returns sums over the slice and
    over the reversed slice (0 when empty)."""
    out[0, lo:hi:step] = x[lo:hi:step] + 1
    out[1, lo:] = x[lo:] * 2
    out[2, :hi] = -x[:hi]
    out[3, ::step] = x[::step]
    return np.sum(x[lo:hi:step]), np.sum(x[hi:lo:-step])


# appy: export update(float64[:, :], float64[:, :], float64)
# appy: export update(float32[:, :], float32[:, :], float32)
# appy: export update(int32[:, :], int32[:, :], int32)
@appy.jit
def update(C, D, beta):
    """Whole-array augmented assignment (C *= beta), shifted and strided 2-D views."""
    C *= beta
    C += D
    C[1:, :] -= D[:-1, :]
    C[:, ::2] = C[:, ::2] * 2 - D[:, ::-2]


# appy: export fills(float64[:, :], float64[:], float64)
# appy: export fills(int32[:, :], int32[:], int32)
@appy.jit
def fills(A, x, v):
    """view = scalar in host code, on 1-D and 2-D views."""
    x[:] = v
    A[1:-1, 1:-1] = 0
    A[:1] = v
    A[:, -1:] = 2 * v


# appy: export jacobi2d(float64[:, :], float64[:, :], int64)
# appy: export jacobi2d(float32[:, :], float32[:, :], int64)
@appy.jit
def jacobi2d(A, B, steps):
    """Jacobi 2-D as whole-array statements in a time loop; the border stays."""
    for t in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[:-2, 1:-1] + A[2:, 1:-1] + A[1:-1, :-2]
                               + A[1:-1, 2:])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[:-2, 1:-1] + B[2:, 1:-1] + B[1:-1, :-2]
                               + B[1:-1, 2:])


# appy: export broadcast2d(float64[:, :], float64[:], float64[:, :])
# appy: export broadcast2d(float32[:, :], float32[:], float32[:, :])
# appy: export broadcast2d(int32[:, :], int32[:], int32[:, :])
@appy.jit
def broadcast2d(A, x, B):
    """A 1-D array against the rows of 2-D arrays and views; a new 2-D array."""
    B += A * x
    B[:, 1:] -= x[:-1]
    C = A - x + 1
    return C


# appy: export affine(float64[:])
# appy: export affine(float32[:])
# appy: export affine(int64[:])
# appy: export affine(int32[:])
@appy.jit
def affine(x):
    """New arrays of x's dtype from Python ints, one built from the other."""
    y = 2 * x + 1
    z = x * y - 3
    return y, z


# appy: export affine_float(float64[:], float64[:])
# appy: export affine_float(float32[:], float32[:])
# appy: export affine_float(int32[:], float64[:])
@appy.jit
def affine_float(x, out):
    """y = 2.0 * x + 1.0 (float64 for int32 x), then read by a parallel loop."""
    y = 2.0 * x + 1.0
    #pragma parallel for
    for i in range(x.shape[0]):
        out[i] = y[i] * x[i]
    return y


# appy: export host_reduce(float64[:], float64[:])
# appy: export host_reduce(float32[:], float32[:])
# appy: export host_reduce(int64[:], int64[:])
# appy: export host_reduce(int32[:], int32[:])
@appy.jit
def host_reduce(x, y):
    """Reductions in host code, on names, views and expressions; x is not empty."""
    s = np.sum(x)
    hi = np.max(x)
    lo = np.min(x[::-1])
    mu = np.mean(x)
    d = np.dot(x, y)
    e = x[1:] @ y[:-1]
    t = np.sum(x * y - 1)
    return s, hi, lo, mu, d, e, t


# appy: export host_sum(float64[:])
# appy: export host_sum(float32[:])
# appy: export host_sum(int64[:])
# appy: export host_sum(int32[:])
@appy.jit
def host_sum(x):
    """np.sum of any length, 0 included; int32 sums are int64 and must not wrap."""
    return np.sum(x), np.sum(x[::-2])


# appy: export max_diff(float64[:, :], float64[:, :])
# appy: export max_diff(float32[:, :], float32[:, :])
# appy: export max_diff(int64[:, :], int64[:, :])
# appy: export max_diff(int32[:, :], int32[:, :])
@appy.jit
def max_diff(A, B):
    """Reductions of 2-D expressions returned directly; A is not empty."""
    return np.max(np.abs(A - B)), np.min(A + B), np.sum(A * B)


# appy: export center(float64[:])
# appy: export center(float32[:])
# appy: export center(int32[:])
@appy.jit
def center(x):
    """A reduction's result used in a new array (float64 for int32: the mean is float64);
    x is not empty."""
    m = np.mean(x)
    d = x - m
    return d, np.sum(d * d)


# appy: export normalize(float64[:])
# appy: export normalize(float32[:])
@appy.jit
def normalize(x):
    """x / (a reduction of x) as a new array, and /= in place; x is not empty."""
    s = np.sum(np.abs(x))
    y = x / s
    x /= np.max(np.abs(x))
    return y


# ---------------------------------------------------------------- shapes that must agree

# appy: export vec_add(float64[:], float64[:], float64[:])
# appy: export vec_add(int32[:], int32[:], int32[:])
@appy.jit
def vec_add(a, b, out):
    """Host code: a, b and out must have one length."""
    out[:] = a + b
