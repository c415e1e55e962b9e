"""Inner loops of a parallel loop: #pragma simd (group mode), and plain sequential ones."""
import numpy as np
import pytest

from e2ekit import DTYPES, FLOATS, INTS, PROGRAMS, RTOL, SHAPES2

SHAPES = SHAPES2 + ((3, 100003),)   # long rows: many threads per row in group mode


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "inner_simd.py")


def row_tol(dtype, A):
    rtol = RTOL[np.dtype(dtype)]
    return dict(rtol=rtol, atol=rtol * (1 + float(np.abs(A).sum(axis=1, initial=0).max(initial=0))))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_simd_row_sum(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    case.same(prog, "rowsum", A, np.zeros(shape[0], dtype), **row_tol(dtype, A))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("shape", SHAPES)
def test_simd_int_row_sum(prog, case, dtype, shape):
    case.same(prog, "irowsum", case.array(shape, dtype), np.zeros(shape[0], dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_simd_matvec(prog, case, dtype, shape):
    A, x = case.array(shape, dtype), case.array(shape[1], dtype)
    case.same(prog, "matvec", A, x, np.zeros(shape[0], dtype), **row_tol(dtype, A * x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_simd_writes(prog, case, dtype, shape):
    case.same(prog, "scale_rows", case.array(shape, dtype), case.array(shape[0], dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", ((0, 3), (1, 1), (5, 7), (37, 130), (4, 100003)))
def test_sequential_inner_max(prog, case, dtype, shape):
    case.same(prog, "rowmax", case.array(shape, dtype), np.zeros(shape[0], dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int64))
@pytest.mark.parametrize("shape", SHAPES2)
def test_sequential_inner_dependence(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    tol = row_tol(dtype, A) if dtype == np.float64 else {}
    case.same(prog, "prefix_rows", A, **tol)
