"""CSR sparse times dense matrix C = A @ B (A: rows x cols, int64 indptr/indices, float64 data, about 10 nonzeros per row; B: cols x k; group mode: a group of threads per row of C, a lane per column). Least traffic: A once, B and C once (8 (rows + 1) + 16 nnz + 8 cols k + 8 rows k bytes); 2 nnz k flops."""
import numpy as np
import appy
from _data import random_csr

SIZES = {"full": {"rows": 200000, "cols": 200000, "nnz": 2 * 10**6, "k": 64},
         "small": {"rows": 300, "cols": 250, "nnz": 2900, "k": 21}}
KERNEL = "spmm"
OUTPUTS = ("C",)


def make(rng, rows, cols, nnz, k):
    indptr, indices = random_csr(rng, rows, cols, nnz)
    return {"indptr": indptr, "indices": indices, "data": rng.standard_normal(nnz),
            "B": rng.standard_normal((cols, k)), "C": np.zeros((rows, k))}


def traffic(rows, cols, nnz, k):
    return 8 * (rows + 1) + 16 * nnz + 8 * cols * k + 8 * rows * k, 2 * nnz * k


# appy: export spmm(int64[:], int64[:], float64[:], float64[:, :], float64[:, :])
@appy.jit
def spmm(indptr, indices, data, B, C):
    for i in appy.prange(C.shape[0]):
        #pragma simd
        for j in range(C.shape[1]):
            s = 0.0
            for jj in range(indptr[i], indptr[i + 1]):
                s += data[jj] * B[indices[jj], j]
            C[i, j] = s


def numpy_impl(xp, indptr, indices, data, B, C):
    if xp is np:                  # NumPy has no sparse matrices: SpMV's bincount per column
        row = np.repeat(np.arange(C.shape[0]), np.diff(indptr))
        for j in range(C.shape[1]):
            C[:, j] = np.bincount(row, weights=data * B[indices, j], minlength=C.shape[0])
    else:                         # CuPy: cuSPARSE through cupyx.scipy.sparse
        import cupyx.scipy.sparse as sparse
        A = sparse.csr_matrix((data, indices, indptr), shape=(C.shape[0], B.shape[0]))
        C[...] = A @ B


def torch_impl(torch, indptr, indices, data, B, C):
    A = torch.sparse_csr_tensor(indptr, indices, data, size=(C.shape[0], B.shape[0]))
    C.copy_(torch.mm(A, B))


def jax_impl(jnp, indptr, indices, data, B, C):
    import jax
    rows, nnz = C.shape[0], data.shape[0]
    row = jnp.repeat(jnp.arange(rows), jnp.diff(indptr), total_repeat_length=nnz)
    return {"C": jax.ops.segment_sum(data[:, None] * B[indices], row, num_segments=rows,
                                     indices_are_sorted=True)}
