"""Group mode against individual mode, float64: row-wise softmax, dense matvec and CSR SpMV.

The *_group kernels mark their inner loops `#pragma simd`: one team per outer iteration,
the marked loops (and their reductions) shared by the team's threads. The *_individual
kernels are the same code without the marks: one thread per outer iteration, inner loops
sequential. The *_arrays kernels are written with array expressions (np.max, np.sum, slices),
which the translator lowers to the same marked loops; softmax_reread computes exp twice
instead of reading back what it wrote (softmax_reread_mul: times the reciprocal of the sum). Run by bench/run_group.py.
"""
import numpy as np
import appy


# appy: export softmax_group(float64[:, :], float64[:, :])
@appy.jit
def softmax_group(A, out):
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


# appy: export softmax_arrays(float64[:, :], float64[:, :])
@appy.jit
def softmax_arrays(A, out):
    #pragma parallel for
    for i in range(A.shape[0]):
        m = np.max(A[i, :])
        out[i, :] = np.exp(A[i, :] - m)
        s = np.sum(out[i, :])
        out[i, :] /= s


# appy: export softmax_reread(float64[:, :], float64[:, :])
@appy.jit
def softmax_reread(A, out):
    #pragma parallel for
    for i in range(A.shape[0]):
        m = np.max(A[i, :])
        s = np.sum(np.exp(A[i, :] - m))
        out[i, :] = np.exp(A[i, :] - m) / s


# appy: export softmax_reread_mul(float64[:, :], float64[:, :])
@appy.jit
def softmax_reread_mul(A, out):
    """softmax_reread with one division per row: out = exp(A - max) * (1 / sum)."""
    #pragma parallel for
    for i in range(A.shape[0]):
        m = np.max(A[i, :])
        r = 1.0 / np.sum(np.exp(A[i, :] - m))
        out[i, :] = np.exp(A[i, :] - m) * r


# appy: export softmax_online(float64[:, :], float64[:, :])
@appy.jit
def softmax_online(A, out):
    """Reads each row twice and writes it once: 256 strided partial (max, sum) pairs per
    row, kept online (the sum rescaled when the max grows) in two team scratchpads, then
    combined; then out = exp(A - max) / sum."""
    n = A.shape[1]
    #pragma parallel for
    for i in range(A.shape[0]):
        bm = appy.buffer(256, np.float64)
        bs = appy.buffer(256, np.float64)
        #pragma simd
        for t in range(256):
            mt = -np.inf
            st = 0.0
            for k in range(t, n, 256):
                a = A[i, k]
                if a > mt:
                    st = st * np.exp(mt - a) + 1.0
                    mt = a
                else:
                    st += np.exp(a - mt)
            bm[t] = mt
            bs[t] = st
        m = np.max(bm)
        s = np.sum(bs * np.exp(bm - m))
        out[i, :] = np.exp(A[i, :] - m) / s


# appy: export softmax_individual(float64[:, :], float64[:, :])
@appy.jit
def softmax_individual(A, out):
    #pragma parallel for
    for i in range(A.shape[0]):
        m = A[i, 0]
        for j in range(A.shape[1]):
            m = max(m, A[i, j])
        s = 0.0
        for j in range(A.shape[1]):
            e = np.exp(A[i, j] - m)
            out[i, j] = e
            s += e
        r = 1.0 / s
        for j in range(A.shape[1]):
            out[i, j] *= r


# appy: export matvec_group(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec_group(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


# appy: export matvec_arrays(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec_arrays(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        y[i] = A[i, :] @ x


# appy: export matvec_individual(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec_individual(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


# appy: export spmv_group(int64[:], int64[:], float64[:], float64[:], float64[:])
@appy.jit
def spmv_group(indptr, indices, data, x, y):
    #pragma parallel for
    for i in range(y.shape[0]):
        s = 0.0
        #pragma simd
        for jj in range(indptr[i], indptr[i + 1]):
            s += data[jj] * x[indices[jj]]
        y[i] = s


# appy: export spmv_individual(int64[:], int64[:], float64[:], float64[:], float64[:])
@appy.jit
def spmv_individual(indptr, indices, data, x, y):
    #pragma parallel for
    for i in range(y.shape[0]):
        s = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            s += data[jj] * x[indices[jj]]
        y[i] = s
