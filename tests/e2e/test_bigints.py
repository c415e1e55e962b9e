"""Python int constants past int64 against CPython and NumPy (issue 18): exact when they fit,
the nearest float where the expression makes them a float, NumPy's wrap-around when ints
are computed at run time. Refusals are in tests/errors."""
import warnings

import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "bigints.py")


@pytest.mark.parametrize("n", (9, 10, 100))
def test_constants(prog, case, n):
    x = case.array(n, np.float64, -4.0, 4.0)
    for first in (3.0, 1.0):
        x[0] = first
        case.same(prog, "constants", np.zeros(n), np.zeros(n, np.int64), x, rtol=0.0, atol=0.0)


@pytest.mark.parametrize("n", (0, 1, 33))
def test_wraps(prog, case, n):
    with warnings.catch_warnings():   # NumPy warns of the overflow of its int64 scalars
        warnings.simplefilter("ignore", RuntimeWarning)
        case.same(prog, "wraps", case.array(n, np.int64, -10**6, 10**6), 3)
