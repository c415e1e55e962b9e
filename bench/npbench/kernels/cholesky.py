"""PolyBench cholesky (NPBench): A = L L^T in place, L in the lower triangle and diagonal; the strict upper triangle keeps its values.

Left-looking by columns: a host loop over j (column j needs all earlier ones) around one
parallel loop over the rows i >= j in group mode, each group's `#pragma simd` loop computing
the dot product of rows i and j over k < j together with row j's squared norm, so every group
derives L[j, j] = sqrt(A[j, j] - |L[j, :j]|^2) itself (the gramschmidt design: one launch per
step, no scalar copied back). Since other groups read A[j, j] during step j, L's diagonal goes
to a scratch vector and is stored into A after the loop (no later step reads it)."""
import numpy as np
import appy


# appy: export cholesky_kernel(float64[:, :])
@appy.jit
def cholesky_kernel(A):
    n = A.shape[0]
    diag = np.empty(n)
    for j in range(n):
        for i in appy.prange(j, n):
            s = 0.0
            d2 = 0.0
            #pragma simd
            for k in range(j):
                s += A[i, k] * A[j, k]
                d2 += A[j, k] * A[j, k]
            d = np.sqrt(A[j, j] - d2)
            if i == j:
                diag[i] = d
            else:
                A[i, j] = (A[i, j] - s) / d
    for i in appy.prange(n):
        A[i, i] = diag[i]


def kernel(A):
    cholesky_kernel(A)
