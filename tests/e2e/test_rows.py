"""Row kernels in group mode (programs/rows.py) against NumPy: rows from 1 to 12000
elements, overlapping arguments, in-place and partial updates."""
import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "rows.py")


SHAPES = ((1, 1), (3, 7), (40, 300), (17, 2049), (6, 8192), (5, 8193), (3, 12000))


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
@pytest.mark.parametrize("shape", SHAPES)
def test_softmax(prog, case, dtype, shape):
    case.same(prog, "softmax", case.array(shape, dtype, -5, 5), np.zeros(shape, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
@pytest.mark.parametrize("shape", ((2, 3), (33, 250), (9, 8192)))
def test_softmax_in_place(prog, case, dtype, shape):
    """softmax(A, A): out is A."""
    A = case.array(shape, dtype, -5, 5)
    case.same(prog, "softmax", A, A)


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
@pytest.mark.parametrize("shape", ((1, 2), (93, 250), (4, 8192), (4, 9000)))
def test_layernorm(prog, case, dtype, shape):
    """float32 means of thousands of elements summed in order differ from NumPy's pairwise
    sums by about 1e-4 of the mean: outputs near 0 need an absolute tolerance."""
    X = 3 + case.array(shape, dtype)
    tol = dict(atol=2e-3) if dtype == np.float32 else {}
    case.same(prog, "layernorm", X, case.array(shape[1], dtype), case.array(shape[1], dtype),
              dtype(1e-5), np.zeros(shape, dtype), **tol)


@pytest.mark.parametrize("dtype", (np.float64, np.int64, np.int32))
@pytest.mark.parametrize("shape", ((1, 1), (7, 31), (20, 1000), (3, 8192), (2, 8500)))
def test_in_place_updates(prog, case, dtype, shape):
    case.same(prog, "inplace", case.array(shape, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
@pytest.mark.parametrize("shape", ((1, 1), (9, 77), (11, 4096)))
def test_partly_stored_row(prog, case, dtype, shape):
    case.same(prog, "partial", case.array(shape, dtype), case.array(shape, dtype))


@pytest.mark.parametrize("shape", ((1, 1), (10, 100), (4, 8192)))
def test_first_element(prog, case, shape):
    case.same(prog, "first_element", case.array(shape, np.float64),
              case.array(shape, np.float64))


@pytest.mark.parametrize("shape", ((1, 1), (10, 100), (4, 8192)))
def test_written_elsewhere(prog, case, shape):
    case.same(prog, "written_elsewhere", case.array(shape, np.float64),
              case.array(shape, np.float64))


@pytest.mark.parametrize("shape,k", (((5, 100), 100), ((5, 100), 37), ((3, 8192), 8000),
                                     ((4, 10), 0)))
def test_shorter_loops(prog, case, shape, k):
    case.same(prog, "shorter", case.array(shape, np.float64), case.array(shape, np.float64), k)


@pytest.mark.parametrize("shape,k", (((6, 300), 300), ((6, 300), 120), ((2, 4000), 4000)))
def test_mixed_stops(prog, case, shape, k):
    case.same(prog, "mixed_stops", case.array(shape, np.float64), case.array(shape, np.float64),
              k)


@pytest.mark.parametrize("shape,reps", (((8, 50), 0), ((8, 50), 3), ((3, 5000), 2)))
def test_sequential_loop_in_row_loop(prog, case, shape, reps):
    case.same(prog, "inner_loop", case.array(shape, np.float64), case.array(shape, np.float64),
              reps)


@pytest.mark.parametrize("shape", ((1, 1), (12, 640), (3, 8192)))
def test_three_arrays(prog, case, shape):
    case.same(prog, "three_rows", *(case.array(shape, np.float64) for _ in range(4)))


@pytest.mark.parametrize("shape", ((1, 3), (30, 64), (5, 3000)))
def test_row_loop_under_if(prog, case, shape):
    case.same(prog, "guarded", case.array(shape, np.float64), case.array(shape, np.float64), 0.0)
