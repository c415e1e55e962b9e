"""Input data shared by several kernels of the suite (not a kernel: run.py skips names
that start with '_')."""
import numpy as np


def random_csr(rng, rows, cols, nnz):
    """Random CSR structure with exactly nnz nonzeros, placed uniformly: distinct, sorted
    columns in each row (row lengths about Poisson(nnz / rows)). Returns (indptr, indices),
    both int64."""
    keys = np.unique(rng.integers(0, rows * cols, nnz + nnz * nnz // (rows * cols) + 100))
    while keys.size < nnz:
        keys = np.union1d(keys, rng.integers(0, rows * cols, nnz - keys.size + 100))
    if keys.size > nnz:
        keys = np.delete(keys, rng.choice(keys.size, keys.size - nnz, replace=False))
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // cols, minlength=rows), out=indptr[1:])
    return indptr, (keys % cols).astype(np.int64)
