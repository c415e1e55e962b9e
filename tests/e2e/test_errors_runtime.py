"""Calling generated functions wrongly raises the right exception, naming the parameter;
unusual but valid layouts (strided, transposed, reversed, aliased) give NumPy's answer."""
import re

import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "calls.py")


@pytest.fixture(scope="module")
def mod(prog):
    return prog.compiled


def raises_naming(exc, name, fn, *args, **kwargs):
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert type(info.value) is exc, f"raised {type(info.value).__name__}, want {exc.__name__}"
    assert re.search(rf"\b{name}\b", str(info.value)), \
        f"{exc.__name__}({str(info.value)!r}) does not name {name!r}"


def f32(n=5):
    return np.arange(n, dtype=np.float32) - 2


def test_wrong_dtype(mod):
    raises_naming(TypeError, "x", mod.saxpy, 2.0, np.zeros(5), f32())
    raises_naming(TypeError, "y", mod.saxpy, 2.0, f32(), np.zeros(5, np.int32))
    raises_naming(TypeError, "mask", mod.flagged, np.zeros(4, np.int8), 1, 1.0)


def test_wrong_rank(mod):
    raises_naming(TypeError, "x", mod.saxpy, 2.0, np.zeros((5, 1), np.float32), f32())
    raises_naming(TypeError, "y", mod.saxpy, 2.0, f32(), np.float32(1.0))
    raises_naming(TypeError, "y", mod.saxpy, 2.0, f32(), np.array(1.0, np.float32))
    raises_naming(TypeError, "A", mod.total, np.zeros(3))
    # More dimensions than the runtime's arrays hold (8): refused too (issue 18)
    raises_naming(TypeError, "x", mod.saxpy, 2.0, np.zeros((1,) * 9, np.float32), f32())


def test_none(mod):
    raises_naming(TypeError, "x", mod.saxpy, 2.0, None, f32())
    raises_naming(TypeError, "alpha", mod.saxpy, None, f32(), f32())


def test_list(mod):
    raises_naming(TypeError, "x", mod.saxpy, 2.0, [1.0, 2.0, 3.0, 4.0, 5.0], f32())
    raises_naming(TypeError, "A", mod.total, [[1.0, 2.0]])


def test_wrong_scalar_type(mod):
    mask = np.ones(3, bool)
    raises_naming(TypeError, "n", mod.flagged, mask, 2.5, 1.0)
    raises_naming(TypeError, "x", mod.flagged, mask, 2, "1.0")


def test_failed_call_leaves_outputs_alone(mod):
    y = f32()
    with pytest.raises(TypeError):
        mod.saxpy(2.0, np.zeros(5), y)
    np.testing.assert_array_equal(y, f32())


def test_read_only_output(mod):
    y = f32()
    y.flags.writeable = False
    raises_naming(ValueError, "y", mod.saxpy, 2.0, f32(), y)


def test_read_only_input_is_fine(mod):
    x = f32()
    x.flags.writeable = False
    y = f32()
    assert mod.saxpy(2.0, x, y) is None
    np.testing.assert_array_equal(y, 3 * f32())


def test_argument_count_and_keywords(mod):
    x, y = f32(), f32()
    raises_naming(TypeError, "y", mod.saxpy, 2.0, x)
    pytest.raises(TypeError, mod.saxpy, 2.0, x, y, y)
    pytest.raises(TypeError, mod.saxpy)
    raises_naming(TypeError, "z", mod.saxpy, 2.0, x, z=y)
    raises_naming(TypeError, "x", mod.saxpy, 2.0, x, y, x=x)


def test_no_matching_overload(mod):
    a = f32()
    raises_naming(TypeError, "float64", mod.add, a, a, a)
    raises_naming(TypeError, "int32", mod.add, a, a, a)
    raises_naming(TypeError, "add", mod.add, np.zeros(5), np.zeros(5), np.zeros(5, np.int32))
    raises_naming(TypeError, "add", mod.add, np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)))


def test_scalar_conversions(mod):
    """Python and NumPy scalars of a compatible kind are accepted."""
    mask = np.array([True, False, True])
    for n in (3, np.int64(3), np.int32(3)):
        for x in (0.5, np.float64(0.5), np.float32(0.5), 0):
            assert mod.flagged(mask, n, x) == 6 + float(x)


def test_strided_in_and_out(prog, case):
    n = 1001
    xs, ys = case.array(2 * n, np.float32), case.array(3 * n, np.float32)
    got_y, want_y = ys.copy(), ys.copy()
    prog.compiled.saxpy(1.5, xs[::2], got_y[::3])
    prog.oracle.saxpy(1.5, xs[::2], want_y[::3])
    case.check(got_y, want_y, "saxpy on x[::2], y[::3] (the rest of y untouched)")


def test_reversed_in_and_out(prog, case):
    x, y = case.array(77, np.float32), case.array(77, np.float32)
    got_y, want_y = y.copy(), y.copy()
    prog.compiled.saxpy(-0.5, x[::-1], got_y[::-1])
    prog.oracle.saxpy(-0.5, x[::-1], want_y[::-1])
    case.check(got_y, want_y, "saxpy on reversed views")


VIEWS = {"transposed": lambda M: M.T, "fortran": lambda M: M,
         "strided": lambda M: M[::2, 1::3], "reversed": lambda M: M[::-1, ::-1]}


@pytest.mark.parametrize("layout", VIEWS)
def test_2d_layouts(prog, case, layout):
    """Non-contiguous views in and out: the writes must land in the viewed array."""
    order, view = ("F" if layout == "fortran" else "C"), VIEWS[layout]
    A = np.array(case.array((60, 82), np.float64), order=order)
    B = np.array(case.array((60, 82), np.float64), order=order)
    got, want = B.copy(order="K"), B.copy(order="K")
    assert prog.compiled.mix2(view(A), view(got), 3) is None
    prog.oracle.mix2(view(A), view(want), 3)
    case.check(got, want, f"mix2 on {layout} views")


def test_transposed_reduction(prog, case):
    A = case.array((41, 67), np.float64)
    case.same(prog, "total", A.T, atol=1e-12 * np.abs(A).sum() * 67)
    case.same(prog, "total", A[::-2, 1::3], atol=1e-12 * np.abs(A).sum() * 67)


def test_aliased_input_and_output(prog, case):
    a, b = case.array(300, np.float64), case.array(300, np.float64)
    want = a + b
    assert prog.compiled.add(a, b, a) is None
    case.check(a, want, "add(a, b, a)")
