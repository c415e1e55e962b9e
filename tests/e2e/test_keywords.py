"""Keyword arguments by the Python parameter names, in any order, mixed with positional."""
import numpy as np
import pytest

from e2ekit import FLOATS, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "keywords.py")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_keywords_any_order(prog, case, dtype, n):
    x, y = case.array(n, dtype), case.array(n, dtype)
    want = y.copy()
    prog.oracle.saxpy(1.5, x, want)
    calls = [lambda y: prog.compiled.saxpy(alpha=1.5, x=x, y=y),
             lambda y: prog.compiled.saxpy(y=y, x=x, alpha=1.5),
             lambda y: prog.compiled.saxpy(1.5, y=y, x=x),
             lambda y: prog.compiled.saxpy(1.5, x, y=y)]
    for k, call in enumerate(calls):
        got = y.copy()
        assert call(got) is None
        case.check(got, want, f"saxpy call form {k}")


@pytest.mark.parametrize("n", SIZES)
def test_scalars_by_keyword(prog, case, n):
    src = case.array(n, np.float64)
    want = np.zeros(n)
    prog.oracle.affine(src, want, 2.0, -1.0)
    got = np.zeros(n)
    prog.compiled.affine(shift=-1.0, dst=got, src=src, scale=2.0)
    case.check(got, want, "affine by keyword")
