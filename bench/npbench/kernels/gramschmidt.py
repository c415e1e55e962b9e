"""PolyBench gramschmidt (NPBench): modified Gram-Schmidt of A (M x N); returns Q, R; A's later columns are orthogonalised in place.

The suite's gramschmidt design (tuned on an H100): a host loop over k in the compiled
function, one group-mode loop per step over the columns j >= k, every group computing the
norm of column k itself (one launch per step); the j == k group writes R[k, k] and Q's
column k, no group writes column k of A. R's strict lower triangle is zeroed in the same
call."""
import numpy as np
import appy


# appy: export gramschmidt_kernel(float64[:, :], float64[:, :], float64[:, :])
@appy.jit
def gramschmidt_kernel(A, Q, R):
    m = A.shape[0]
    n = A.shape[1]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j < i:
                R[i, j] = 0.0
    for k in range(n):
        for j in appy.prange(k, n):
            nrm = 0.0
            #pragma simd
            for i in range(m):
                nrm += A[i, k] * A[i, k]
            rkk = np.sqrt(nrm)
            if j == k:
                R[j, j] = rkk
                #pragma simd
                for i in range(m):
                    Q[i, j] = A[i, k] / rkk
            else:
                s = 0.0
                #pragma simd
                for i in range(m):
                    s += A[i, k] / rkk * A[i, j]
                R[k, j] = s
                #pragma simd
                for i in range(m):
                    A[i, j] -= A[i, k] / rkk * s


def kernel(A):
    Q = type(A)(A.shape, dtype=A.dtype)
    R = type(A)((A.shape[1], A.shape[1]), dtype=A.dtype)
    gramschmidt_kernel(A, Q, R)
    return Q, R
