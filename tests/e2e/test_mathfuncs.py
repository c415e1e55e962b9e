"""math.* and np.* functions against CPython's math module and NumPy."""
import numpy as np
import pytest

from e2ekit import FLOATS, INTS, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "mathfuncs.py")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_float_functions(prog, case, dtype, n):
    case.same(prog, "mathf", case.array(n, dtype), np.zeros((30, n), dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_functions_of_ints(prog, case, dtype, n):
    case.same(prog, "int_math", case.array(n, dtype), np.zeros(n))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_literal_roots_and_squares(prog, case, dtype, n):
    case.same(prog, "literal_math", case.array(n, dtype), np.zeros((3, n), dtype))
