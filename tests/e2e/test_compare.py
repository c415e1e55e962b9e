"""Comparisons, boolean operators, conditional expressions and bool arrays."""
import numpy as np
import pytest

from e2ekit import DTYPES, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "compare.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_compare(prog, case, dtype, n):
    a = case.array(n, dtype, -3, 3)
    b = case.array(n, dtype, -3, 3)
    b[::4] = a[::4]             # equal operands too
    a[1::9] = 0
    case.same(prog, "compare", a, b, np.zeros((14, n), dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int64))
@pytest.mark.parametrize("n", SIZES)
def test_bool_arrays(prog, case, dtype, n):
    a = case.array(n, dtype, -2, 2)
    a[::5] = 1
    case.same(prog, "to_bool", a, case.array(n, bool), np.zeros(n, bool))


@pytest.mark.parametrize("negate", (False, True))
@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", SIZES)
def test_bool_parameter(prog, case, dtype, n, negate):
    a = case.array(n, dtype)
    case.same(prog, "select", a, case.array(n, bool), np.ones(n, dtype), negate)
