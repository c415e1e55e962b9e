"""A scalar first assigned an int, then combined with floats, holds a float (as in Python)."""
import numpy as np
import pytest

from e2ekit import PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "widen.py")


@pytest.mark.parametrize("n", SIZES[1:])      # n = 0 returns the int 0 in Python
def test_reduction_from_int_zero(prog, case, n):
    a = case.array(n, np.float64)
    case.same(prog, "widen_sum", a, atol=1e-12 * (1 + np.abs(a).sum()))


@pytest.mark.parametrize("n", SIZES)
def test_local_from_int_one(prog, case, n):
    case.same(prog, "widen_local", case.array(n, np.float64), np.zeros(n))
