"""Group mode: inner loops marked #pragma simd or #pragma workshare in a parallel loop.

One team per outer iteration; each marked loop is shared by the team's threads. Scalars of
the outer body belong to the outer iteration, reductions in a marked loop are over the
team, code between marked loops runs once per outer iteration.
"""
import math

import numpy as np
import appy


# appy: export softmax(float64[:, :], float64[:, :])
# appy: export softmax(float32[:, :], float32[:, :])
@appy.jit
def softmax(A, out):
    """Three marked loops in a row: max, sum of exp, normalise; A has 1+ columns."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = A[i, 0]
        #pragma simd
        for j in range(A.shape[1]):
            m = max(m, A[i, j])
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            e = np.exp(A[i, j] - m)
            out[i, j] = e
            s += e
        r = 1.0 / s
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] *= r


# appy: export softmax_math(float64[:, :], float64[:, :])
# appy: export softmax_math(float32[:, :], float32[:, :])
@appy.jit
def softmax_math(A, out):
    """The same with math.exp (a Python float) and a division in the last loop."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = -1e30
        #pragma simd
        for j in range(A.shape[1]):
            m = max(A[i, j], m)
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += math.exp(A[i, j] - m)
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] = math.exp(A[i, j] - m) / s


# appy: export matvec(float64[:, :], float64[:], float64[:])
# appy: export matvec(float32[:, :], float32[:], float32[:])
# appy: export matvec(int64[:, :], int64[:], int64[:])
# appy: export matvec(int32[:, :], int32[:], int32[:])
@appy.jit
def matvec(A, x, y):
    """A team reduction into a scalar of the outer body."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


# appy: export matvec_acc(float64[:, :], float64[:], float64[:])
# appy: export matvec_acc(float32[:, :], float32[:], float32[:])
# appy: export matvec_acc(int64[:, :], int64[:], int64[:])
# appy: export matvec_acc(int32[:, :], int32[:], int32[:])
@appy.jit
def matvec_acc(A, x, y):
    """Every thread of the team updates y[i]."""
    #pragma parallel for
    for i in range(A.shape[0]):
        y[i] = 0
        #pragma simd
        for j in range(A.shape[1]):
            y[i] += A[i, j] * x[j]


# appy: export spmv(int64[:], int64[:], float64[:], float64[:], float64[:])
# appy: export spmv(int64[:], int64[:], float32[:], float32[:], float32[:])
# appy: export spmv(int32[:], int32[:], float64[:], float64[:], float64[:])
# appy: export spmv(int32[:], int32[:], float32[:], float32[:], float32[:])
@appy.jit
def spmv(indptr, indices, data, x, y):
    """CSR: the marked loop's bounds come from arrays and differ per row (some rows empty)."""
    #pragma parallel for
    for i in range(y.shape[0]):
        s = 0.0
        #pragma simd
        for jj in range(indptr[i], indptr[i + 1]):
            s += data[jj] * x[indices[jj]]
        y[i] = s


# appy: export tri_scale(float64[:, :], float64)
# appy: export tri_scale(float32[:, :], float32)
# appy: export tri_scale(int64[:, :], int64)
# appy: export tri_scale(int32[:, :], int32)
@appy.jit
def tri_scale(C, beta):
    """Lower triangle (diagonal included) scaled: the marked loop's length depends on i."""
    #pragma parallel for
    for i in range(C.shape[0]):
        #pragma workshare
        for j in range(min(i + 1, C.shape[1])):
            C[i, j] *= beta


# appy: export upper_add(float64[:, :], float64[:, :])
# appy: export upper_add(int32[:, :], int32[:, :])
@appy.jit
def upper_add(C, A):
    """Upper triangle: range(i, n), empty for the rows past the last column."""
    #pragma parallel for
    for i in range(C.shape[0]):
        #pragma simd
        for j in range(i, C.shape[1]):
            C[i, j] += A[i, j] * (j - i + 1)


# appy: export lower_rowsum(float64[:, :], float64[:])
# appy: export lower_rowsum(float32[:, :], float32[:])
# appy: export lower_rowsum(int64[:, :], int64[:])
# appy: export lower_rowsum(int32[:, :], int32[:])
@appy.jit
def lower_rowsum(A, out):
    """A team reduction over a triangular range."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(min(i + 1, A.shape[1])):
            s += A[i, j]
        out[i] = s


# appy: export row_max_min(float64[:, :], float64[:], float64[:])
# appy: export row_max_min(float32[:, :], float32[:], float32[:])
# appy: export row_max_min(int64[:, :], int64[:], int64[:])
# appy: export row_max_min(int32[:, :], int32[:], int32[:])
@appy.jit
def row_max_min(A, hi, lo):
    """max and min team reductions, started from the row's first element; 1+ columns."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = A[i, 0]
        k = A[i, 0]
        #pragma simd
        for j in range(A.shape[1]):
            m = max(m, A[i, j])
            k = min(A[i, j], k)
        hi[i] = m
        lo[i] = k


# appy: export private_temp(float64[:, :], float64[:], float64[:])
# appy: export private_temp(float32[:, :], float32[:], float32[:])
# appy: export private_temp(int64[:, :], int64[:], int64[:])
# appy: export private_temp(int32[:, :], int32[:], int32[:])
@appy.jit
def private_temp(A, x, out):
    """t and u are private to each inner iteration, s is the team's reduction."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(A.shape[1]):
            t = A[i, j] * 2
            if t < 0:
                u = -t
            else:
                u = t + x[j]
            s += t * u
        out[i] = s


# appy: export center_rows(float64[:, :], float64[:, :], float64[:])
# appy: export center_rows(float32[:, :], float32[:, :], float32[:])
@appy.jit
def center_rows(A, out, var):
    """Sequential code between marked loops uses the first loop's result."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j]
        n = max(A.shape[1], 1)
        mean = s / n
        sq = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            d = A[i, j] - mean
            out[i, j] = d
            sq += d * d
        var[i] = sq / n


# appy: export reverse_mix(float64[:, :], float64[:, :], float64[:, :])
# appy: export reverse_mix(int64[:, :], int64[:, :], int64[:, :])
# appy: export reverse_mix(int32[:, :], int32[:, :], int32[:, :])
@appy.jit
def reverse_mix(A, tmp, out):
    """The second loop reads what other threads wrote in the first (a barrier between)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        n = A.shape[1]
        #pragma simd
        for j in range(n):
            tmp[i, j] = A[i, j] * 3 + j
        #pragma simd
        for j in range(n):
            out[i, j] = tmp[i, n - 1 - j] - tmp[i, j]


# appy: export total_sq(float64[:, :], float64[:])
# appy: export total_sq(float32[:, :], float32[:])
@appy.jit
def total_sq(A, rows):
    """A team reduction per row, then reductions across rows in the outer body."""
    total = 0.0
    big = 0.0
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * A[i, j]
        rows[i] = s
        total += s
        big = max(big, s)
    return total, big


# appy: export itotal_sq(int64[:, :], int64[:])
# appy: export itotal_sq(int32[:, :], int32[:])
@appy.jit
def itotal_sq(A, rows):
    """The same with ints."""
    total = 0
    big = 0
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * A[i, j]
        rows[i] = s
        total += s
        big = max(big, s)
    return total, big


# appy: export ws_matvec(float64[:, :], float64[:], float64[:])
# appy: export ws_matvec(float32[:, :], float32[:], float32[:])
# appy: export ws_matvec(int64[:, :], int64[:], int64[:])
@appy.jit
def ws_matvec(A, x, y):
    """#pragma workshare: a reduction and a write in two marked loops."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma workshare
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        #pragma workshare
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] - s
        y[i] = s


# appy: export matmul_bt(float64[:, :], float64[:, :], float64[:, :])
# appy: export matmul_bt(float32[:, :], float32[:, :], float32[:, :])
# appy: export matmul_bt(int64[:, :], int64[:, :], int64[:, :])
@appy.jit
def matmul_bt(A, B, C):
    """C = A @ B.T: the marked loop is inside a sequential loop of the outer body."""
    #pragma parallel for
    for i in range(A.shape[0]):
        for k in range(B.shape[0]):
            s = 0
            #pragma simd
            for j in range(A.shape[1]):
                s += A[i, j] * B[k, j]
            C[i, k] = s


# appy: export smooth_rows(float64[:, :], float64[:, :], int64)
# appy: export smooth_rows(float32[:, :], float32[:, :], int64)
@appy.jit
def smooth_rows(A, tmp, steps):
    """A time loop in the outer body, two marked loops per step, each reading neighbours."""
    #pragma parallel for
    for i in range(A.shape[0]):
        for t in range(steps):
            #pragma simd
            for j in range(1, A.shape[1] - 1):
                tmp[i, j] = (A[i, j - 1] + A[i, j] + A[i, j + 1]) * 0.25
            #pragma workshare
            for j in range(1, A.shape[1] - 1):
                A[i, j] = tmp[i, j] + A[i, j] * 0.25
