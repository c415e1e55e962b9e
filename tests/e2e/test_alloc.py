"""Allocation in host code; returned arrays keep NumPy's dtypes and shapes."""
import numpy as np
import pytest

from e2ekit import DTYPES, PROGRAMS, SHAPES2, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "alloc.py")


@pytest.mark.parametrize("n", SIZES)
def test_empty_zeros_ones_full(prog, case, n):
    got, _ = case.same(prog, "make", n, float(case.array(1, np.float64)[0]))
    assert [a.dtype for a in got.ret] == [np.float64, np.float32, np.int32, np.float64,
                                         np.int64, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES2)
def test_like(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    got, _ = case.same(prog, "likes", A)
    for a in got.ret:
        assert a.dtype == dtype and a.shape == shape
        assert not np.shares_memory(a, A)


@pytest.mark.parametrize("shape", SHAPES2)
def test_shape_of_another_array(prog, case, shape):
    case.same(prog, "shaped", case.array(shape, np.float32))


@pytest.mark.parametrize("n", SIZES)
def test_return_one_array(prog, case, n):
    case.same(prog, "one_array", n)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("k", (-3, 0, 2, 5))
def test_return_mixed_tuple(prog, case, n, k):
    case.same(prog, "mixed", case.array(n, np.float64), k)


def test_return_scalars(prog, case):
    x = case.array(4, np.float64)
    case.same(prog, "float_result", x)
    for a, b in ((3, 4), (-5, 7), (0, 0)):
        case.same(prog, "int_result", a, b)
    for a in (-3, 0, 4):
        case.same(prog, "bool_result", a)


def test_temporaries_across_calls(prog, case):
    """The device memory of np.empty arrays is kept from one call to the next (clang on the
    GPU): sizes the same and different in turn; what earlier calls returned stays as it was."""
    kept = []
    for shape in ((300, 70), (300, 70), (17, 5), (300, 70), (17, 5), (1, 1)):
        got, _ = case.same(prog, "likes", case.array(shape, np.float64))
        kept.append([(a, a.copy()) for a in got.ret])
    for returned in kept:
        for a, copy in returned:
            np.testing.assert_array_equal(a, copy)
