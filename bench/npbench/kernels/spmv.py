"""NPBench spmv: y = A x for a CSR matrix (A_row: row pointers, A_col: column indices, both
uint32 in NPBench's data; A_val float64), y returned as a new array.

Design (bench/suite/kernels/spmv.py, measured on an H100): one prange iteration per row.
Rows with several nonzeros on average (>= 4) run in group mode, a group of GPU threads
sharing the row's nonzeros (`#pragma simd` loop, warp-shuffle sum): on the suite's 10^6 rows
of 10 nonzeros 0.139 ms against 0.227 ms one thread per row. NPBench's matrices hold 1 to 2
nonzeros per row, where a group's lanes would mostly idle: those run one thread per row
(individual mode). The wrapper allocates y with the input's own array type (NumPy or CuPy)."""
import numpy as np
import appy


# appy: export spmv_csr(uint32[:], uint32[:], float64[:], float64[:], float64[:])
# appy: export spmv_csr(int32[:], int32[:], float64[:], float64[:], float64[:])
# appy: export spmv_csr(int64[:], int64[:], float64[:], float64[:], float64[:])
@appy.jit
def spmv_csr(A_row, A_col, A_val, x, y):
    rows = y.shape[0]
    if A_val.shape[0] >= 4 * rows:
        for i in appy.prange(rows):
            s = 0.0
            #pragma simd
            for jj in range(A_row[i], A_row[i + 1]):
                s += A_val[jj] * x[A_col[jj]]
            y[i] = s
    else:
        for i in appy.prange(rows):
            s = 0.0
            for jj in range(A_row[i], A_row[i + 1]):
                s += A_val[jj] * x[A_col[jj]]
            y[i] = s


def spmv(A_row, A_col, A_val, x):
    y = type(A_val)((A_row.size - 1,), dtype=A_val.dtype)
    spmv_csr(A_row, A_col, A_val, x, y)
    return y
