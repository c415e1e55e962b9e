"""Subscripts: 2-D and 3-D, A[i][j], constant negative indices, shape, len and size."""
import numpy as np
import pytest

from e2ekit import DTYPES, PROGRAMS, SHAPES2, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "subscripts.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES2)
def test_transpose(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    case.same(prog, "transpose", A, case.array(shape[::-1], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ((0, 2, 3), (2, 0, 3), (3, 2, 0), (1, 1, 1), (5, 3, 7),
                                   (19, 33, 6)))
def test_3d(prog, case, dtype, shape):
    case.same(prog, "sum_last", case.array(shape, dtype), case.array(shape[:2], dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", SIZES)
def test_negative_indices(prog, case, dtype, n):
    case.same(prog, "ends", case.array(n, dtype), case.array((n + 2, 3), dtype), np.zeros(n, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", ((0, 2, 3), (4, 1, 5), (7, 6, 11)))
def test_shape_len_size(prog, case, dtype, shape):
    case.same(prog, "dims", case.array(shape, dtype), np.zeros(9, np.int64))


def test_negative_indices_host(prog, case):
    a = case.array(5, np.float64)
    B = case.array((3, 4), np.int64)
    case.same(prog, "last_of", a, B)
