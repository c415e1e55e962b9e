"""Bad calls raise a clear error before any kernel runs, or compute NumPy's answer; none
crashes the interpreter (issue 18): extents that the loops tie together, arguments that
overlap in memory, bools holding bytes other than 0 and 1, misaligned buffers."""
import re

import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "badcalls.py")


def refused(fn, *args, names, extents):
    """fn(*args) raises ValueError naming each of names and the numbers in extents, and
    leaves args as they were."""
    before = [a.copy() for a in args if isinstance(a, np.ndarray)]
    with pytest.raises(ValueError) as info:
        fn(*args)
    msg = str(info.value)
    for name in names:
        assert re.search(rf"'{name}'", msg), f"{msg!r} does not name {name!r}"
    for n in extents:
        assert re.search(rf"\b{n}\b", msg), f"{msg!r} does not say {n}"
    after = [a for a in args if isinstance(a, np.ndarray)]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b, err_msg="a refused call changed an argument")


# Extents the loops tie together

def test_short_input_and_output(prog, case):
    a = case.array(1000, np.float64)
    refused(prog.compiled.vadd, a, a[:10].copy(), np.zeros(1000), names=["b"], extents=[10, 999])
    refused(prog.compiled.vadd, a, a.copy(), np.zeros(999), names=["c"], extents=[999])
    refused(prog.compiled.vadd, a, a.copy(), np.zeros(0), names=["c"], extents=[0])


def test_large_mismatch_does_not_crash(prog):
    """Once a SIGSEGV, a hang or a double free (heap overrun past the short array)."""
    a, c = np.ones(1 << 20), np.zeros(1 << 20)
    refused(prog.compiled.vadd, a, np.ones(10), c, names=["b"], extents=[10])
    refused(prog.compiled.vadd, a, a, np.zeros(10), names=["c"], extents=[10])


def test_longer_arrays_are_fine(prog, case):
    """Only what the loops index must be there: longer b and c are what CPython takes."""
    a, b = case.array(100, np.float64), case.array(150, np.float64)
    case.same(prog, "vadd", a, b, np.zeros(120))
    case.same(prog, "vadd", np.zeros(0), np.zeros(0), np.zeros(0))
    case.same(prog, "vadd", np.zeros(0), np.zeros(3), np.zeros(0))


def test_offset_index(prog, case):
    a = case.array(51, np.float64)
    case.same(prog, "diff", a, np.zeros(50))
    case.same(prog, "diff", a, np.zeros(30))
    refused(prog.compiled.diff, a[:50].copy(), np.zeros(50), names=["a"], extents=[50])
    case.same(prog, "diff", np.zeros(0), np.zeros(0))   # the loop does not run


def test_2d(prog, case):
    A, x = case.array((20, 30), np.float64), case.array(30, np.float64)
    case.same(prog, "matvec", A, x, np.zeros(20))
    refused(prog.compiled.matvec, A, x[:29].copy(), np.zeros(20), names=["x"], extents=[29])
    refused(prog.compiled.matvec, A, x, np.zeros(19), names=["y"], extents=[19])
    # no columns: x is never read, any length does
    case.same(prog, "matvec", np.zeros((5, 0)), np.zeros(0), np.zeros(5))


def test_affine_index_with_scalar_and_negative_constant(prog, case):
    a = case.array(41, np.float64)
    for k in (0, 1, 2):
        case.same(prog, "stride2", a, np.zeros(20), k)
    refused(prog.compiled.stride2, a, np.zeros(20), 3, names=["a"], extents=[41])
    refused(prog.compiled.stride2, a, np.zeros(22), 0, names=["a"], extents=[41, 42])
    # Indices below -len(a) fail in CPython too (those from -len(a) to -1 are not refused,
    # but compiled code does not wrap indices computed at run time: README)
    refused(prog.compiled.stride2, a, np.zeros(1), -42, names=["a"], extents=[41, 42])


def test_conditional_access_is_not_checked(prog, case):
    """b is read under a condition: a short b is what CPython runs, so is the compiled code."""
    a = case.array(40, np.float64)
    case.same(prog, "guarded", a, case.array(7, np.float64), np.zeros(40))


def test_no_check_after_an_early_return(prog, case):
    a = case.array(40, np.float64)
    case.same(prog, "early", a, np.zeros(3), 0)
    refused(prog.compiled.early, a, np.zeros(3), 2, names=["c"], extents=[3])


def test_python_host(prog, case):
    """Functions whose host code stays Python: the loop's entry point checks the same."""
    a = case.array(1000, np.float64)
    case.same(prog, "vadd_py", a, a.copy(), np.zeros(1000))
    refused(prog.compiled.vadd_py, a, np.ones(10), np.zeros(1000), names=["b"], extents=[10])
    refused(prog.compiled.vadd_py, np.ones(1 << 20), np.ones(1 << 20), np.zeros(10),
            names=["c"], extents=[10])


# Overlapping arguments: NumPy's answer (it copies an input that overlaps its output)

def overlaps(gen, n):
    a = gen.array(n + 1, np.float64)
    b = gen.array(n, np.float64)
    return a, b


@pytest.mark.parametrize("n", [1, 7, 1000, 4099])
def test_overlap_forward_and_backward(prog, case, n):
    for src, dst in ((slice(1, None), slice(None, -1)), (slice(None, -1), slice(1, None))):
        a, b = overlaps(case, n)
        want = a.copy()
        np.add(want[src], b, out=want[dst])
        prog.compiled.vadd(a[src], b, a[dst])
        case.check(a, want, f"vadd(a[{src}], b, a[{dst}])")
        a, b = overlaps(case, n)
        want = a.copy()
        np.add(b, want[src], out=want[dst])
        prog.compiled.vadd(b, a[src], a[dst])
        case.check(a, want, f"vadd(b, a[{src}], a[{dst}])")


def test_overlap_strided_and_2d(prog, case):
    a = case.array(2001, np.float64)
    b = case.array(1000, np.float64)
    want = a.copy()
    np.add(want[1::2], b, out=want[:-1:2])
    prog.compiled.vadd(a[1::2], b, a[:-1:2])
    case.check(a, want, "vadd on interleaved views")
    store = case.array(900, np.float64)
    M, y, x = store[:900].reshape(30, 30), store[870:900], case.array(30, np.float64)
    want = M @ x                      # y is M's last row: M is read as it was
    prog.compiled.matvec(M, x, y)
    case.check(y, want, "matvec writing into its matrix's last row", atol=1e-12 * 30 * 4)


def test_exact_alias_keeps_its_meaning(prog, case):
    a, b = case.array(300, np.float64), case.array(300, np.float64)
    want = a + b
    prog.compiled.vadd(a, b, a)
    case.check(a, want, "vadd(a, b, a)")
    a = case.array(300, np.float64)
    want = a + b
    prog.compiled.vadd(a[:], b, a[:])   # distinct objects, the same view
    case.check(a, want, "vadd(a[:], b, a[:])")


def test_two_written_arguments_overlapping(prog, case):
    a, x = case.array(10, np.float64), case.array(15, np.float64)
    refused(prog.compiled.split, a, x[:10], x[5:], names=["lo", "hi"], extents=[])
    case.same(prog, "split", a, x[:10], x[:10])   # the same view twice: as CPython


# bools holding bytes other than 0 and 1: any nonzero byte is True, as in NumPy

ODD = np.array([3, 1, 2, 255, 0, 0, 128, 1, 2], np.uint8)


def test_odd_bool_bytes(prog):
    m = ODD.view(np.bool_)
    assert prog.compiled.count(m) == np.count_nonzero(m) == 7
    out = np.zeros(len(m), np.int64)
    assert prog.compiled.bsum(m, out) == 7
    np.testing.assert_array_equal(out, m.astype(np.int64))
    strided = np.repeat(ODD, 2).view(np.bool_)[::2]
    assert prog.compiled.count(strided) == 7


def test_odd_bool_bytes_written(prog):
    raw = ODD.copy()
    prog.compiled.flip(raw.view(np.bool_))
    np.testing.assert_array_equal(raw, (ODD == 0).astype(np.uint8))


# Misaligned buffers: copied to aligned memory, written back

def misaligned(n, dtype):
    dtype = np.dtype(dtype)
    a = np.frombuffer(bytearray(dtype.itemsize * n + 1), dtype, offset=1)
    assert not a.flags.aligned
    return a


def test_misaligned(prog, case):
    n = 1001
    a, c = misaligned(n, np.float64), misaligned(n, np.float64)
    a[:] = case.array(n, np.float64)
    b = case.array(n, np.float64)
    prog.compiled.vadd(a, b, c)
    case.check(c, a + b, "vadd on misaligned float64 buffers")
    k, x, y = misaligned(n, np.int32), misaligned(n, np.float32), misaligned(n, np.float32)
    k[:] = case.array(n, np.int32)
    x[:] = case.array(n, np.float32)
    prog.compiled.scale32(k, x, y)
    case.check(y, (x * k).astype(np.float32), "scale32 on misaligned int32 and float32 buffers")
