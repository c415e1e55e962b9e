"""Array expressions: views (slices, rows, columns, whole arrays), elementwise arithmetic
and math on them, assignment and augmented assignment to views, reductions over them.

Inside a `#pragma parallel for` loop each array statement is a worksharing loop of the
iteration's team (group mode); in host code each is a parallel loop of its own, and a name
assigned an array expression is a new array. Shapes must agree (scalars and lower-rank
arrays broadcast against trailing dimensions, no size-1 stretching), else ValueError.
"""
import numpy as np
import appy


# ---------------------------------------------------------------- group mode: elementwise

# appy: export row_axpy(float64[:, :], float64[:], float64[:, :], float64)
# appy: export row_axpy(float32[:, :], float32[:], float32[:, :], float32)
# appy: export row_axpy(int64[:, :], int64[:], int64[:, :], int64)
# appy: export row_axpy(int32[:, :], int32[:], int32[:, :], int32)
@appy.jit
def row_axpy(A, x, out, alpha):
    """A row view, a whole 1-D array and a scalar; x has A's row length."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[i, :] = alpha * A[i, :] + x


# appy: export row_arith(float64[:, :], float64[:, :], float64[:, :, :])
# appy: export row_arith(float32[:, :], float32[:, :], float32[:, :, :])
# appy: export row_arith(int64[:, :], int64[:, :], int64[:, :, :])
# appy: export row_arith(int32[:, :], int32[:, :], int32[:, :, :])
@appy.jit
def row_arith(A, B, out):
    """Operators valid for ints and floats, on row views; B has no zeros, out is (8, m, n)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[0, i, :] = A[i, :] + B[i, :]
        out[1, i, :] = A[i] - B[i] * 3
        out[2, i, :] = A[i, :] * B[i, :] - 1
        out[3, i, :] = A[i, :] // B[i, :]
        out[4, i, :] = A[i, :] % B[i, :] + A[i, :] % -3
        out[5, i, :] = -A[i, :] + A[i, :] ** 2
        out[6, i, :] = np.abs(A[i, :]) - np.maximum(A[i, :], B[i, :])
        out[7, i, :] = np.minimum(A[i, :], 3) + np.maximum(-B[i, :], A[i, :] // 4)


# appy: export row_fmath(float64[:, :], float64[:, :], float64[:, :, :])
# appy: export row_fmath(float32[:, :], float32[:, :], float32[:, :, :])
@appy.jit
def row_fmath(A, B, out):
    """Float-only: /, ** with float exponents, exp, sqrt, sin; B has no zeros, out is
    (5, m, n)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[0, i, :] = (A[i, :] - 0.5) / B[i, :]
        out[1, i, :] = np.exp(A[i, :]) * 0.5
        out[2, i, :] = np.sqrt(np.abs(A[i, :])) - np.sin(B[i, :] * A[i, :])
        out[3, i, :] = (np.abs(B[i, :]) + 1.0) ** A[i, :] + np.abs(A[i, :]) ** 0.5
        out[4, i, :] = np.maximum(np.exp(-A[i, :]), 1.5) / np.minimum(np.abs(B[i]) + 2.0, 3.0)


# appy: export row_slices(float64[:, :], float64[:, :, :])
# appy: export row_slices(int32[:, :], int32[:, :, :])
@appy.jit
def row_slices(A, out):
    """Constant slices of a row: reversed, shifted, strided both ways, clipped; each pair has
    the same length for any row length. out is (7, m, n); what is not written stays."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[0, i, :] = A[i, ::-1]
        out[1, i, 1:-1] = A[i, :-2] + A[i, 2:]
        out[2, i, ::2] = A[i, ::-2]
        out[3, i, 1::2] = A[i, -2::-2] * 2
        out[4, i, -3:] = A[i, :3]
        out[5, i, 1:] = A[i, :-1] - A[i, 1:]
        out[6, i, 2:-2:3] = A[i, 2:-2:3] + A[i, -3:1:-3]


# appy: export row_window(float64[:, :], float64[:, :], float64[:], int64, int64, int64)
# appy: export row_window(int32[:, :], int32[:, :], int64[:], int64, int64, int64)
@appy.jit
def row_window(A, out, s, lo, hi, step):
    """Run-time bounds and step (either sign, out of range, crossing): Python's slices."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[i, lo:hi:step] += 2 * A[i, lo:hi:step]
        s[i] = np.sum(A[i, hi:lo:-step])


# appy: export row_fill(float32[:, :], float32)
# appy: export row_fill(int32[:, :], int32)
@appy.jit
def row_fill(A, v):
    """view = scalar, on strided and triangular views."""
    #pragma parallel for
    for i in range(A.shape[0]):
        A[i, ::3] = v
        A[i, 1::3] = -v
        A[i, i + 1:] = 0


# appy: export col_ops(float64[:, :], float64[:], float64[:])
# appy: export col_ops(int32[:, :], int32[:], int64[:])
@appy.jit
def col_ops(A, d, s):
    """Column views A[:, j] (strided) in a parallel loop over the columns."""
    #pragma parallel for
    for j in range(A.shape[1]):
        A[:, j] *= d[j]
        A[1:, j] -= d[j]
        s[j] = np.sum(A[:, j])


# appy: export planes(float64[:, :, :], float64[:], float64[:, :, :])
# appy: export planes(int32[:, :, :], int32[:], int32[:, :, :])
@appy.jit
def planes(T, w, out):
    """2-D views in group mode: a plane, a 1-D array broadcast along its rows, a shifted
    2-D update."""
    #pragma parallel for
    for k in range(T.shape[0]):
        out[k] = T[k] * w + 1
        out[k, 1:, :] += T[k, :-1, :]


# ---------------------------------------------------------------- group mode: reductions

# appy: export row_dots(float64[:, :], float64[:], float64[:], float64[:], float64[:])
# appy: export row_dots(float32[:, :], float32[:], float32[:], float32[:], float32[:])
# appy: export row_dots(int64[:, :], int64[:], int64[:], int64[:], int64[:])
# appy: export row_dots(int32[:, :], int32[:], int32[:], int32[:], int32[:])
@appy.jit
def row_dots(A, x, y, z, w):
    """np.sum of a product, np.dot and @ per row."""
    #pragma parallel for
    for i in range(A.shape[0]):
        y[i] = np.sum(A[i, :] * x)
        z[i] = np.dot(A[i, :], x)
        w[i] = A[i] @ x


# appy: export row_total(float64[:, :], float64[:], float64[:], float64[:])
# appy: export row_total(float32[:, :], float32[:], float32[:], float32[:])
# appy: export row_total(int64[:, :], int64[:], int64[:], int64[:])
# appy: export row_total(int32[:, :], int64[:], int64[:], int64[:])
@appy.jit
def row_total(A, s, t, u):
    """np.sum of a row, of its lower part and of its upper part (empty past the last
    column); int32 sums are int64 and must not wrap."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s[i] = np.sum(A[i, :])
        t[i] = np.sum(A[i, :i + 1])
        u[i] = np.sum(A[i, i + 1:])


# appy: export row_stats(float64[:, :], float64[:], float64[:], float64[:], float64[:])
# appy: export row_stats(float32[:, :], float32[:], float32[:], float32[:], float32[:])
# appy: export row_stats(int64[:, :], int64[:], int64[:], float64[:], float64[:])
# appy: export row_stats(int32[:, :], int32[:], int32[:], float64[:], float64[:])
@appy.jit
def row_stats(A, hi, lo, mu, dev):
    """np.max, np.min, np.mean (float64 for ints) and a max over an expression that uses
    the mean; rows are not empty."""
    #pragma parallel for
    for i in range(A.shape[0]):
        hi[i] = np.max(A[i, :])
        lo[i] = np.min(A[i, ::-1])
        m = np.mean(A[i])
        mu[i] = m
        dev[i] = np.max(np.abs(A[i, :] - m))


# appy: export row_softmax(float64[:, :], float64[:, :])
# appy: export row_softmax(float32[:, :], float32[:, :])
@appy.jit
def row_softmax(A, out):
    """max, exp into the output row, sum of it, divide in place; rows are not empty."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = np.max(A[i, :])
        out[i, :] = np.exp(A[i, :] - m)
        s = np.sum(out[i, :])
        out[i, :] /= s


# appy: export center_rows(float64[:, :], float64[:, :], float64[:])
# appy: export center_rows(float32[:, :], float32[:, :], float32[:])
# appy: export center_rows(int32[:, :], float64[:, :], float64[:])
@appy.jit
def center_rows(A, out, var):
    """The mean subtracted from the row, then the mean of the squares of what was written;
    rows are not empty."""
    #pragma parallel for
    for i in range(A.shape[0]):
        mu = np.mean(A[i, :])
        out[i, :] = A[i, :] - mu
        var[i] = np.mean(out[i, :] ** 2)


# ---------------------------------------------------------------- group mode: triangles

# appy: export syrk_scale(float64[:, :], float64)
# appy: export syrk_scale(float32[:, :], float32)
# appy: export syrk_scale(int64[:, :], int64)
# appy: export syrk_scale(int32[:, :], int32)
@appy.jit
def syrk_scale(C, beta):
    """The lower triangle, diagonal included, scaled (clipped where i + 1 > columns)."""
    #pragma parallel for
    for i in range(C.shape[0]):
        C[i, :i + 1] *= beta


# appy: export tri_update(float32[:, :], float32[:, :], float32)
# appy: export tri_update(int32[:, :], int32[:, :], int32)
@appy.jit
def tri_update(C, A, alpha):
    """Lower and upper parts (empty for some rows), then a statement that reads the lower
    part just written."""
    #pragma parallel for
    for i in range(C.shape[0]):
        C[i, :i + 1] += alpha * A[i, :i + 1]
        C[i, i + 1:] -= 2 * A[i, i + 1:]
        A[i, :i] += C[i, :i]


# ---------------------------------------------------------------- shapes that must agree

# appy: export rows_add(float64[:, :], float64[:], float64[:, :])
# appy: export rows_add(int32[:, :], int32[:], int32[:, :])
@appy.jit
def rows_add(A, x, out):
    """Group mode: x and out's rows must have A's row length."""
    #pragma parallel for
    for i in range(A.shape[0]):
        out[i, :] = A[i, :] + x
