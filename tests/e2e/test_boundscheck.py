"""appy-translate --boundscheck (APPY_BOUNDSCHECK=1, issue 18): a subscript out of range
raises IndexError in NumPy's words, naming the array and the line, in parallel loops
(device and host fallback), reductions, group mode and host code; in range, the answers
are CPython's. boundscheck.py is built checked (conftest.py)."""
import copy
import re

import numpy as np
import pytest

from e2ekit import PROGRAMS

SOURCE = (PROGRAMS / "boundscheck.py").read_text().splitlines()


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "boundscheck.py")


def line(text):
    """The line of boundscheck.py that holds text (once)."""
    found = [k + 1 for k, s in enumerate(SOURCE) if text in s]
    assert len(found) == 1, f"{text!r} is on lines {found}"
    return found[0]


def where(array, text):
    """The end of the message: the array and the line of text."""
    return rf" \(array '{array}', \S*boundscheck\.py, line {line(text)}\)"


def raises_as_cpython(prog, name, *args, array, at):
    """Compiled, name(*args) raises IndexError with CPython's message and where; the
    arguments are left as CPython left them. Returns the compiled call's arguments."""
    want_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
    with pytest.raises(IndexError) as want:
        getattr(prog.oracle, name)(*want_args)
    with pytest.raises(IndexError) as got:
        getattr(prog.compiled, name)(*got_args)
    assert re.fullmatch(re.escape(str(want.value)) + where(array, at), str(got.value)), \
        f"{got.value} is not {want.value} {where(array, at)}"
    return got_args, want_args


def test_index_array_in_parallel_loop(prog, case):
    a = case.array(100, np.float64)
    case.same(prog, "gather", a, np.array([0, 99, 5, 7]), np.zeros(4))
    for bad in (100, 1000, -101, -(1 << 40)):
        raises_as_cpython(prog, "gather", a, np.array([3, bad, 4]), np.zeros(3),
                          array="a", at="out[i] = a[idx[i]]")


def test_negative_index_in_range_is_refused(prog, case):
    """Python takes a[-1]; compiled code wraps only constants, so checked code says so."""
    with pytest.raises(IndexError, match=r"^index -1 is out of bounds for axis 0 with size "
                       r"100" + where("a", "out[i] = a[idx[i]]")[:-2] +
                       r"; compiled code wraps only constant negative indices\)$"):
        prog.compiled.gather(np.ones(100), np.array([1, -1]), np.zeros(2))


def test_off_by_one(prog, case):
    a, b = case.array(50, np.float64), case.array(50, np.float64)
    case.same(prog, "guarded_shift", a, b, 49)
    raises_as_cpython(prog, "guarded_shift", a, b, 50, array="a", at="b[i] = a[i + 1]")


def test_2d_axes(prog, case):
    A = case.array((6, 4), np.float64)
    case.same(prog, "rowsums", A, np.array([0, 4, 1, 2, 3, 4]), np.zeros(6))
    raises_as_cpython(prog, "rowsums", A, np.array([0, 4, 5, 2, 3, 4]), np.zeros(6),
                      array="A", at="s += A[i, j]  # rowsums")
    case.same(prog, "rows_at", A, np.array([5, 0, -6 + 6]), np.zeros(3))
    for bad in (6, -7):
        raises_as_cpython(prog, "rows_at", A, np.array([1, bad]), np.zeros(2),
                          array="A", at="out[i] = A[rows[i], 1]")
    # What the call-time checks see still raises ValueError before anything runs.
    with pytest.raises(ValueError, match="argument 'A' has size 1 along axis 1"):
        prog.compiled.rows_at(np.zeros((6, 1)), np.array([1]), np.zeros(1))


def test_in_reduction(prog, case):
    A = case.array((7, 3), np.float64)
    case.same(prog, "total", A, np.array([3, 0, 1, 2, 3, 3, 1]))
    raises_as_cpython(prog, "total", A, np.array([3, 0, 1, 2, 4, 3, 1]), array="A",
                      at="s += A[i, j]  # total")


def test_group_mode_in_range(prog, case):
    A, x = case.array((9, 33), np.float64), case.array(33, np.float64)
    case.same(prog, "matvec", A, x, np.zeros(9))
    case.same(prog, "matvec", np.zeros((0, 3)), np.ones(3), np.zeros(0))


def test_host_code(prog, case):
    a = case.array(10, np.float64)
    case.same(prog, "pick", a, 9, True)
    case.same(prog, "pick", a, 10, False)
    for bad in (10, -11):
        raises_as_cpython(prog, "pick", a, bad, True, array="a", at="s = a[k]")
    raises_as_cpython(prog, "pick", np.zeros(0), 0, True, array="a", at="s = a[k]")


def test_constant_negative_index(prog, case):
    a = case.array(3, np.float64)
    case.same(prog, "last", a, True)
    case.same(prog, "last", a[:2], False)
    raises_as_cpython(prog, "last", a[:2].copy(), True, array="a", at="s = a[-3]")


def test_host_code_between_loops(prog, case):
    """The first loop ran, the host statement wrote nothing, the second loop did not run:
    as CPython leaves them."""
    a, b = case.array(20, np.float64), case.array(5, np.float64)
    case.same(prog, "between", a, 19, b)
    got, want = raises_as_cpython(prog, "between", a, 20, b, array="a", at="a[k] = 0.0")
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            np.testing.assert_array_equal(g, w)


def test_while_condition_stops(prog, case):
    a = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    case.same(prog, "find", a, 4.0)
    raises_as_cpython(prog, "find", a, 9.0, array="a", at="while a[k] != x:")
