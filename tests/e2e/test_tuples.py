"""Tuple assignment: swaps, parallel assignment, rotation in host code."""
import numpy as np
import pytest

from e2ekit import DTYPES, INTS, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "tuples.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_swap_elements(prog, case, dtype, n):
    case.same(prog, "swap", case.array(n, dtype), case.array(n, dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_two_targets(prog, case, dtype, n):
    a, b = case.array(n, dtype), case.nonzero(n, dtype)
    case.same(prog, "divmod_minmax", a, b, np.zeros((4, n), dtype))


@pytest.mark.parametrize("n", SIZES)
def test_fibonacci(prog, case, n):
    case.same(prog, "fib", case.array(n, np.int64, 0, 90), np.zeros(n, np.int64))


def test_rotate(prog, case):
    x, y, z = case.array(3, np.float64).tolist()
    got, _ = case.same(prog, "rotate", x, y, z)
    assert got.ret == (y, z, x)
