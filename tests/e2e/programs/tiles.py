"""Collapsed (i, j) nests with sequential k loops over arrays read at [i, k], [k, i], [j, k]
and [k, j]: on the GPU (clang) these run in tiles, the k loops of a thread's iterations
together, through panels in shared memory."""
import numpy as np
import appy


# appy: export matmul(float64[:, :], float64[:, :], float64[:, :])
# appy: export matmul(float32[:, :], float32[:, :], float32[:, :])
# appy: export matmul(int64[:, :], int64[:, :], int64[:, :])
# appy: export matmul(int32[:, :], int32[:, :], int32[:, :])
@appy.jit
def matmul(A, B, C):
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            s = C[i, j]
            for k in range(A.shape[1]):
                s += A[i, k] * B[k, j]
            C[i, j] = s


# appy: export lower(float64, float64[:, :], float64[:, :])
# appy: export lower(float32, float32[:, :], float32[:, :])
@appy.jit
def lower(beta, C, A):
    """C's lower triangle += A A^T (a guard around the whole iteration; A read by rows at
    both i and j)."""
    n = C.shape[0]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j <= i:
                s = 0.0
                for k in range(A.shape[1]):
                    s += A[i, k] * A[j, k]
                C[i, j] = beta * C[i, j] + s


# appy: export triangular(float64[:, :], float64[:, :], float64[:, :])
# appy: export triangular(int64[:, :], int64[:, :], int64[:, :])
@appy.jit
def triangular(A, B, out):
    """Bounds that depend on i: each iteration its own range of k, A read down columns."""
    m = B.shape[0]
    for i in appy.prange(m):
        for j in appy.prange(B.shape[1]):
            s = B[i, j]
            for k in range(i + 1, m):
                s += A[k, i] * B[k, j]
            out[i, j] = s


# appy: export two_loops(float64, float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def two_loops(alpha, C, A, B):
    """Two k loops per iteration (symm), statements before, between and after them."""
    m = C.shape[0]
    for i in appy.prange(m):
        for j in appy.prange(C.shape[1]):
            t = 0.0
            for k in range(i):
                t += A[i, k] * B[k, j]
            t = t * 0.5
            for k in range(i + 1, m):
                t += A[k, i] * B[k, j]
            C[i, j] = alpha * A[i, i] * B[i, j] + t


# appy: export mixed(float64[:, :], float64[:, :], float64[:], float64[:, :], int64)
@appy.jit
def mixed(A, B, w, C, lo):
    """Steps and offsets in the nest's ranges, a k range starting at a scalar, reads that
    have no panel (w[k], C[i, j]), a temporary in the k loop, an element accumulated in
    place, and an inner loop that is not jammed (step 2)."""
    for i in appy.prange(1, C.shape[0], 2):
        for j in appy.prange(C.shape[1] - 1, -1, -1):
            for k in range(lo, A.shape[1]):
                t = A[i, k] * w[k]
                C[i, j] += t * B[k, j] - C[i, j] * 0.125
            u = 0.0
            for k in range(0, A.shape[1], 2):
                u += A[i, k]
            C[i, j] = C[i, j] + u


# appy: export sparse_guard(float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def sparse_guard(A, B, C):
    """A guard that holds for a third of the iterations, scattered over every tile."""
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            if (i + 2 * j) % 3 == 0:
                s = C[i, j]
                for k in range(A.shape[1]):
                    s += A[i, k] * B[k, j]
                C[i, j] = s


# appy: export branchy(float64[:, :], float64[:, :], float64[:, :])
# appy: export branchy(float32[:, :], float32[:, :], float32[:, :])
@appy.jit
def branchy(A, B, C):
    """Branches inside the k loop, a maximum kept beside the sum, bounds that depend on j."""
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            s = 0.0
            top = -1.0
            for k in range(j % 5, A.shape[1]):
                if A[i, k] > 0:
                    s += A[i, k] * B[k, j]
                else:
                    s -= B[k, j]
                top = max(top, B[k, j])
            C[i, j] = s + top


# appy: export many(float64[:, :], float64[:, :], float64[:, :], float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def many(A, B, D, E, F, C):
    """Six panels in one k loop (A square: read at [i, k] and at [k, i]): 4 steps of k per
    chunk, so that they fit in shared memory and their next steps in registers."""
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            s = 0.0
            for k in range(A.shape[1]):
                s += A[i, k] * B[k, j] + D[i, k] * E[k, j] - F[i, k] * B[k, j] + A[k, i]
            C[i, j] = s


# appy: export signed(float64[:, :], float64[:, :], float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def signed(A, B, D, E, C):
    """Sums of products on the tensor cores: subtracted, negated, factors either way round,
    D read down its columns, an accumulator that starts from C."""
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            s = C[i, j]
            for k in range(A.shape[1]):
                s -= B[k, j] * A[i, k] - D[k, i] * E[j, k]
            t = 0.0
            for k in range(A.shape[1]):
                t += -(A[i, k] * E[j, k])
            C[i, j] = s + 2.0 * t
