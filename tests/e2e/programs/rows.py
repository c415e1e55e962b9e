"""Row kernels in group mode: iterations that work on row i of arrays in several marked
loops (softmax, layer norm), and their variants: a row updated in place, a row only partly
stored, a row element used outside the loops, loops over part of the row or over lengths
that differ, a sequential loop inside a marked one, a marked loop under an if, arguments
that overlap, rows from 1 to 12000 elements.
"""
import numpy as np
import appy


# appy: export softmax(float64[:, :], float64[:, :])
# appy: export softmax(float32[:, :], float32[:, :])
@appy.jit
def softmax(A, out):
    """Array statements: A read in two loops, out stored, summed, divided."""
    for i in appy.prange(A.shape[0]):
        m = np.max(A[i, :])
        out[i, :] = np.exp(A[i, :] - m)
        s = np.sum(out[i, :])
        out[i, :] /= s


# appy: export layernorm(float64[:, :], float64[:], float64[:], float64, float64[:, :])
# appy: export layernorm(float32[:, :], float32[:], float32[:], float32, float32[:, :])
@appy.jit
def layernorm(X, gamma, beta, eps, out):
    """X read in three loops, gamma and beta in one."""
    for i in appy.prange(X.shape[0]):
        m = np.mean(X[i, :])
        v = np.mean((X[i, :] - m) ** 2)
        r = 1.0 / np.sqrt(v + eps)
        out[i, :] = (X[i, :] - m) * r * gamma + beta


# appy: export inplace(float64[:, :])
# appy: export inplace(int64[:, :])
# appy: export inplace(int32[:, :])
@appy.jit
def inplace(A):
    """One array summed, then updated twice in place (sums of magnitudes: no cancellation,
    so float results agree with NumPy's to rounding)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0
        #pragma simd
        for j in range(A.shape[1]):
            s += abs(A[i, j])
        #pragma simd
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] * 3 + s
        #pragma simd
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] * 3 + j


# appy: export partial(float64[:, :], float64[:, :])
# appy: export partial(float32[:, :], float32[:, :])
@appy.jit
def partial(A, B):
    """B stored only where A is positive, then scaled: the elements not stored keep their
    values."""
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma simd
        for j in range(A.shape[1]):
            if A[i, j] > 0:
                B[i, j] = A[i, j]
        #pragma simd
        for j in range(A.shape[1]):
            B[i, j] *= 2


# appy: export first_element(float64[:, :], float64[:, :])
@appy.jit
def first_element(A, B):
    """A[i, 0] read outside the loops, then the row updated: every lane reads it first."""
    #pragma parallel for
    for i in range(A.shape[0]):
        first = A[i, 0]
        #pragma simd
        for j in range(A.shape[1]):
            A[i, j] = A[i, j] - first
        #pragma simd
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] * 2


# appy: export written_elsewhere(float64[:, :], float64[:, :])
@appy.jit
def written_elsewhere(A, B):
    """B stored in both loops and at B[i, 0] between them (by one lane, before the others
    read it)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] * 2
            s += A[i, j]
        B[i, 0] = s
        #pragma simd
        for j in range(A.shape[1]):
            B[i, j] += A[i, j]


# appy: export shorter(float64[:, :], float64[:, :], int64)
@appy.jit
def shorter(A, out, k):
    """Loops over the first k elements of the rows only."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(k):
            s += A[i, j]
        #pragma simd
        for j in range(k):
            out[i, j] = A[i, j] - s


# appy: export mixed_stops(float64[:, :], float64[:, :], int64)
@appy.jit
def mixed_stops(A, out, k):
    """Two loops over lengths that may differ."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j]
        #pragma simd
        for j in range(k):
            out[i, j] = A[i, j] * s


# appy: export inner_loop(float64[:, :], float64[:, :], int64)
@appy.jit
def inner_loop(A, out, reps):
    """A sequential loop inside a row loop reads and updates the same elements."""
    #pragma parallel for
    for i in range(A.shape[0]):
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] = A[i, j]
            for t in range(reps):
                out[i, j] = out[i, j] * 0.5 + A[i, j]
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += out[i, j]
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] -= s


# appy: export three_rows(float64[:, :], float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def three_rows(A, B, C, out):
    """Three arrays read in two loops each."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * B[i, j] - C[i, j]
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] = A[i, j] + B[i, j] * C[i, j] + s


# appy: export guarded(float64[:, :], float64[:, :], float64)
@appy.jit
def guarded(A, out, t):
    """A marked loop under an if of the iteration, between two at its top."""
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j]
        if s > t:
            #pragma simd
            for j in range(A.shape[1]):
                out[i, j] = A[i, j] - s
        #pragma simd
        for j in range(A.shape[1]):
            out[i, j] += A[i, j]
