"""Group mode: inner loops marked simd or workshare, shared by one team per outer iteration."""
import numpy as np
import pytest

from e2ekit import DTYPES, FLOATS, INTS, PROGRAMS, RTOL, row_tol, small

# rows x columns: empty both ways, one element, none a multiple of a block size, tall and wide
SHAPES = ((0, 3), (3, 0), (1, 1), (7, 33), (33, 257), (257, 7), (1000, 33), (5, 4099))
NONEMPTY = tuple(s for s in SHAPES if s[1])     # kernels that start from A[i, 0]
WIDE = (2, 50021)                                 # long rows: many threads per team


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "group.py")


@pytest.mark.parametrize("name", ("softmax", "softmax_math"))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", NONEMPTY + ((0, 0), WIDE))
def test_softmax(prog, case, name, dtype, shape):
    A = case.array(shape, dtype, -30, 30)
    rtol = RTOL[np.dtype(dtype)] * np.sqrt(1 + shape[1])   # out = e / (sum of shape[1] e's)
    case.same(prog, name, A, np.zeros(shape, dtype), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", ("matvec", "matvec_acc"))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + (WIDE,))
def test_matvec(prog, case, name, dtype, shape):
    A, x = small(case, shape, dtype), small(case, shape[1], dtype)
    case.same(prog, name, A, x, case.array(shape[0], dtype), **row_tol(dtype, A * x))


def csr(case, rows, cols, dtype, index_dtype):
    """A random CSR matrix, cols >= 1: 0 to 40 entries per row, about a quarter of the rows
    empty, column indices in any order and possibly repeated."""
    lengths = case.gen.integers(0, 41, rows) * (case.gen.random(rows) < 0.75)
    indptr = np.concatenate(([0], np.cumsum(lengths))).astype(index_dtype)
    nnz = int(indptr[-1])
    return indptr, case.gen.integers(0, cols, nnz).astype(index_dtype), case.array(nnz, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("index_dtype", INTS)
@pytest.mark.parametrize("rows, cols", ((0, 5), (1, 1), (7, 3), (33, 257), (1000, 33),
                                        (4099, 1000)))
def test_csr_spmv(prog, case, dtype, index_dtype, rows, cols):
    indptr, indices, data = csr(case, rows, cols, dtype, index_dtype)
    x = case.array(cols, dtype)
    row_of = np.repeat(np.arange(rows), np.diff(indptr))
    terms = np.bincount(row_of, np.abs(data * x[indices]), minlength=rows)[:, None]
    case.same(prog, "spmv", indptr, indices, data, x, case.array(rows, dtype),
              **row_tol(dtype, terms))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + ((33, 33), (40, 7)))
def test_triangular_workshare(prog, case, dtype, shape):
    beta = case.nonzero(1, dtype, -3, 3)[0].item()
    case.same(prog, "tri_scale", case.array(shape, dtype), beta)


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHAPES + ((33, 33), (300, 40)))
def test_triangular_upper(prog, case, dtype, shape):
    case.same(prog, "upper_add", case.array(shape, dtype), case.array(shape, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + ((33, 33), (300, 40)))
def test_triangular_reduction(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    case.same(prog, "lower_rowsum", A, np.zeros(shape[0], dtype), **row_tol(dtype, A))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", NONEMPTY + (WIDE,))
def test_row_max_min(prog, case, dtype, shape):
    case.same(prog, "row_max_min", case.array(shape, dtype), np.zeros(shape[0], dtype),
              np.zeros(shape[0], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_private_temporary(prog, case, dtype, shape):
    A, x = small(case, shape, dtype), small(case, shape[1], dtype)
    terms = 4 * A * A + 2 * np.abs(A * x)
    case.same(prog, "private_temp", A, x, np.zeros(shape[0], dtype), **row_tol(dtype, terms))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES + (WIDE,))
def test_code_between_inner_loops(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    rtol = RTOL[np.dtype(dtype)] * np.sqrt(1 + shape[1])
    case.same(prog, "center_rows", A, np.zeros(shape, dtype), np.zeros(shape[0], dtype),
              rtol=rtol, atol=rtol * 4)


@pytest.mark.parametrize("dtype", (np.float64, np.int64, np.int32))
@pytest.mark.parametrize("shape", SHAPES + (WIDE,))
def test_barrier_between_inner_loops(prog, case, dtype, shape):
    case.same(prog, "reverse_mix", case.array(shape, dtype), np.zeros(shape, dtype),
              np.zeros(shape, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + (WIDE,))
def test_reduction_across_rows(prog, case, dtype, shape):
    A = small(case, shape, dtype)
    name = "total_sq" if np.dtype(dtype).kind == "f" else "itotal_sq"
    tol = row_tol(dtype, (A * A).ravel())     # the total sums every row
    case.same(prog, name, A, np.zeros(shape[0], dtype), **tol)


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.int64))
@pytest.mark.parametrize("shape", SHAPES + (WIDE,))
def test_workshare_reduction_then_write(prog, case, dtype, shape):
    A, x = small(case, shape, dtype), small(case, shape[1], dtype)
    case.same(prog, "ws_matvec", A, x, np.zeros(shape[0], dtype), **row_tol(dtype, A * x))


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.int64))
@pytest.mark.parametrize("m, n, p", ((0, 3, 2), (3, 0, 2), (3, 5, 0), (1, 1, 1), (7, 33, 5),
                                      (33, 257, 3), (40, 7, 33), (2, 4099, 3)))
def test_inner_loop_in_sequential_loop(prog, case, dtype, m, n, p):
    A, B = small(case, (m, n), dtype), small(case, (p, n), dtype)
    tol = row_tol(dtype, np.abs(A).max(initial=0) * np.abs(B))
    case.same(prog, "matmul_bt", A, B, np.zeros((m, p), dtype), **tol)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES + ((5, 2), (4, 3)))
@pytest.mark.parametrize("steps", (0, 1, 5))
def test_time_loop_in_outer_body(prog, case, dtype, shape, steps):
    case.same(prog, "smooth_rows", case.array(shape, dtype), np.zeros(shape, dtype), steps)
