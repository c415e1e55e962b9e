"""if/elif/else, while, break/continue and for loops with every kind of step."""
import itertools

import numpy as np
import pytest

from e2ekit import DTYPES, INTS, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "control.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_if_elif_else(prog, case, dtype, n):
    a = case.array(n, dtype, -3, 3)
    a[::7] = 0
    case.same(prog, "classify", a, np.zeros(n, np.int64))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_while(prog, case, dtype, n):
    case.same(prog, "collatz", case.array(n, dtype), np.zeros(n, dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_for_steps_break_continue(prog, case, dtype, n):
    case.same(prog, "loops", case.array(n, dtype, -20, 20), np.zeros((7, n), dtype))


BOUNDS = (-7, -1, 0, 1, 5, 12)
STEPS = (-3, -1, 1, 2, 5)


def test_runtime_step_sign_host(prog, case):
    for lo, hi, step in itertools.product(BOUNDS, BOUNDS, STEPS):
        case.check(prog.compiled.stepsum(lo, hi, step), prog.oracle.stepsum(lo, hi, step),
                   f"stepsum({lo}, {hi}, {step})")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("n", (0, 1, 37))
def test_runtime_step_sign_device(prog, case, n, step):
    for lo, hi in itertools.product(BOUNDS, BOUNDS):
        case.same(prog, "runtime_steps", np.zeros(n, np.int64), lo, hi, step)


def test_host_while(prog, case):
    for n in (1, 2, 3, 7, 27, 97, 871):
        case.check(prog.compiled.host_collatz(n), prog.oracle.host_collatz(n), f"host_collatz({n})")
