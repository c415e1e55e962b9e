"""CSR sparse matrix-vector product y = A @ x (int64 indptr/indices, float64 data, about 10 nonzeros per row; group mode: a group of threads per row). Least traffic: indptr, indices and data once, x and y once (8 (rows + 1) + 16 nnz + 8 cols + 8 rows bytes); 2 nnz flops."""
import numpy as np
import appy
from _data import random_csr

SIZES = {"full": {"rows": 10**6, "cols": 10**6, "nnz": 10**7},
         "small": {"rows": 1000, "cols": 777, "nnz": 9500}}
KERNEL = "spmv"
OUTPUTS = ("y",)


def make(rng, rows, cols, nnz):
    indptr, indices = random_csr(rng, rows, cols, nnz)
    return {"indptr": indptr, "indices": indices, "data": rng.standard_normal(nnz),
            "x": rng.standard_normal(cols), "y": np.zeros(rows)}


def traffic(rows, cols, nnz):
    return 8 * (rows + 1) + 16 * nnz + 8 * cols + 8 * rows, 2 * nnz


# appy: export spmv(int64[:], int64[:], float64[:], float64[:], float64[:])
@appy.jit
def spmv(indptr, indices, data, x, y):
    for i in appy.prange(y.shape[0]):
        s = 0.0
        #pragma simd
        for jj in range(indptr[i], indptr[i + 1]):
            s += data[jj] * x[indices[jj]]
        y[i] = s


def numpy_impl(xp, indptr, indices, data, x, y):
    if xp is np:                  # NumPy has no sparse matrices: a bincount over row ids
        row = np.repeat(np.arange(y.shape[0]), np.diff(indptr))
        y[:] = np.bincount(row, weights=data * x[indices], minlength=y.shape[0])
    else:                         # CuPy: cuSPARSE through cupyx.scipy.sparse
        import cupyx.scipy.sparse as sparse
        A = sparse.csr_matrix((data, indices, indptr), shape=(y.shape[0], x.shape[0]))
        y[...] = A @ x


def torch_impl(torch, indptr, indices, data, x, y):
    A = torch.sparse_csr_tensor(indptr, indices, data, size=(y.shape[0], x.shape[0]))
    y.copy_(torch.mv(A, x))


def jax_impl(jnp, indptr, indices, data, x, y):
    import jax
    rows, nnz = y.shape[0], data.shape[0]
    row = jnp.repeat(jnp.arange(rows), jnp.diff(indptr), total_repeat_length=nnz)
    return {"y": jax.ops.segment_sum(data * x[indices], row, num_segments=rows,
                                     indices_are_sorted=True)}
