"""Directly nested parallel loops (collapsed), including a reduction over the nest."""
import numpy as np
import pytest

from e2ekit import DTYPES, FLOATS, PROGRAMS, RTOL, SHAPES2


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "collapse.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES2)
def test_2d(prog, case, dtype, shape):
    case.same(prog, "add2", case.array(shape, dtype), case.array(shape, dtype),
              np.zeros(shape, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", ((0, 4, 5), (4, 0, 5), (1, 1, 1), (3, 5, 7), (17, 9, 130)))
def test_3d(prog, case, dtype, shape):
    case.same(prog, "add3", case.array(shape, dtype), case.array(shape, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES2 + ((2, 2), (3, 3)))
def test_offset_bounds(prog, case, dtype, shape):
    case.same(prog, "interior", case.array(shape, dtype), case.array(shape, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES2 + ((301, 257),))
def test_reduction_over_nest(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    rtol = RTOL[np.dtype(dtype)]
    scale = float(np.abs(A).sum()) * (shape[1] or 1)
    case.same(prog, "sum2", A, rtol=rtol, atol=rtol * (1 + scale))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_nested_prange(prog, case, dtype, shape):
    if 0 in shape[1:]:
        shape = (shape[0], 1)     # B[i, j] reads A[i, 0]
    case.same(prog, "prange2", case.array(shape, dtype), np.zeros(shape, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape,s", (((0, 4, 5), 0), ((5, 2, 3), 4), ((1, 1, 1), 0), ((7, 10, 6), 1),
                                     ((33, 40, 129), 2), ((301, 31, 257), 0)))
def test_strided_3d(prog, case, dtype, shape, s):
    case.same(prog, "strided3", case.array(shape, dtype), case.array(shape, dtype), s)


@pytest.mark.parametrize("shape", ((1, 1, 1), (3, 5, 2), (17, 9, 33)))
def test_loop_variable_reused_in_a_nest(prog, case, shape):
    case.same(prog, "reused", case.array(shape, np.float64))
