"""Scalars assigned in a parallel loop are private to the iteration; shared(...)."""
import numpy as np
import pytest

from e2ekit import DTYPES, FLOATS, PROGRAMS, SIZES

BIG = 200003      # many iterations in flight at once, so that shared temporaries would race


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "private.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES + (BIG,))
def test_private_temporaries(prog, case, dtype, n):
    c = case.array(1, dtype)[0].item()
    case.same(prog, "temps", case.array(n, dtype), np.zeros(n, dtype), c)


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", SIZES + (BIG,))
@pytest.mark.parametrize("negatives", (False, True))
def test_shared_flag(prog, case, dtype, n, negatives):
    a = case.array(n, dtype, 0, 10)
    if negatives and n:
        a[case.gen.integers(n)] = -1
    case.same(prog, "found_negative", a)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES + (BIG,))
def test_private_carried_in_inner_loop(prog, case, dtype, n):
    case.same(prog, "chain", case.array(n, dtype), np.zeros(n, dtype))
