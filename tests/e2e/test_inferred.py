"""Kernels without export lines: float64 arrays, int64 bounds and indices, float64 scalars."""
import numpy as np
import pytest

from e2ekit import PROGRAMS, SHAPES2, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "inferred.py")


@pytest.mark.parametrize("n", SIZES)
def test_arrays(prog, case, n):
    case.same(prog, "vadd", case.array(n, np.float64), case.array(n, np.float64), np.zeros(n))


@pytest.mark.parametrize("n", SIZES)
def test_float_and_bound_scalars(prog, case, n):
    x, y = case.array(n + 3, np.float64), case.array(n + 3, np.float64)
    case.same(prog, "axpy_n", -1.25, x, y, n)


@pytest.mark.parametrize("shape", SHAPES2)
def test_index_scalar(prog, case, shape):
    A = case.array(shape, np.float64)
    for row in range(shape[0]):
        case.same(prog, "gather", A, row, np.zeros(shape[1]))


@pytest.mark.parametrize("n", SIZES)
def test_scalar_result(prog, case, n):
    a = case.array(n, np.float64)
    case.same(prog, "total", a, 0.5, atol=1e-12 * (1 + np.abs(a).sum()))


def test_int_passed_for_inferred_float(prog, case):
    """2 for the float64 scale is accepted, as Python would."""
    a = case.array(10, np.float64)
    case.same(prog, "total", a, 2)
