"""Arithmetic operators on the device and in host code, against CPython."""
import itertools

import numpy as np
import pytest

from e2ekit import FLOATS, INTS, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "arith.py")


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_int_operators(prog, case, dtype, n):
    a = case.array(n, dtype)
    b = case.nonzero(n, dtype)
    case.same(prog, "arith_int", a, b, np.zeros((19, n), dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_float_operators(prog, case, dtype, n):
    a = case.array(n, dtype)
    b = case.nonzero(n, dtype)
    case.same(prog, "arith_float", a, b, np.zeros((16, n), dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_int_true_division(prog, case, dtype, n):
    case.same(prog, "true_div", case.array(n, dtype), case.nonzero(n, dtype), np.zeros(n))


SIGNED_INTS = (7, -7, 6, -6, 1, -1, 0, 123456789, -98765)
SIGNED_FLOATS = (7.5, -7.5, 1.0, -1.0, 0.0, 0.1, -0.1, 3.0, -2.25, 1e-3)


def test_int_scalars_every_sign(prog, case):
    for x, y in itertools.product(SIGNED_INTS, SIGNED_INTS):
        if y != 0:
            case.check(prog.compiled.int_ops(x, y), prog.oracle.int_ops(x, y), f"int_ops({x}, {y})")


def test_float_scalars_every_sign(prog, case):
    """Includes 1.0 // 0.1 == 9.0 and 1.0 % 0.1 == 0.09999999999999995, as in Python."""
    for x, y in itertools.product(SIGNED_FLOATS, SIGNED_FLOATS):
        if y != 0:
            case.check(prog.compiled.float_ops(x, y), prog.oracle.float_ops(x, y),
                       f"float_ops({x}, {y})")
