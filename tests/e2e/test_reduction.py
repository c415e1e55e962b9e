"""Reductions in parallel loops: + - * max min, clause or detected, prange, appy.range."""
import numpy as np
import pytest

from e2ekit import FLOATS, INTS, PROGRAMS, RTOL, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "reduction.py")


def sum_tol(dtype, *terms):
    """Tolerances for a sum: rtol of the dtype, atol that much of the sum of |terms|."""
    rtol = RTOL[np.dtype(dtype)]
    return dict(rtol=rtol, atol=rtol * (1 + sum(float(np.abs(t).sum()) for t in terms)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES + (100003,))
def test_float_sum(prog, case, dtype, n):
    a = case.array(n, dtype)
    case.same(prog, "fsum", a, **sum_tol(dtype, a))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES + (100003,))
def test_int_sum_with_initial_value(prog, case, dtype, n):
    case.same(prog, "isum", case.array(n, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_float_product(prog, case, dtype, n):
    a = case.array(n, dtype, 0.99, 1.01) * case.gen.choice([-1, 1], n).astype(dtype)
    case.same(prog, "fprod", a, rtol=RTOL[np.dtype(dtype)] * (1 + n))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_int_product(prog, case, dtype, n):
    a = case.gen.choice(np.array([-1, 1], dtype), n)
    a[case.gen.permutation(n)[:20]] = 2
    case.same(prog, "iprod", a)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_float_min_max(prog, case, dtype, n):
    case.same(prog, "fminmax", case.array(n, dtype))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_int_min_max(prog, case, dtype, n):
    case.same(prog, "iminmax", case.array(n, dtype, -5000, 5000))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_reduction_clause(prog, case, dtype, n):
    x, y = case.array(n, dtype), case.array(n, dtype)
    case.same(prog, "dot", x, y, **sum_tol(dtype, x * y))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_prange(prog, case, dtype, n):
    a = case.array(n, dtype)
    case.same(prog, "sum_prange", a, **sum_tol(dtype, a))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", SIZES)
def test_range_parallel_true(prog, case, dtype, n):
    case.same(prog, "sum_range_parallel", case.array(n, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES[1:])
def test_several_in_one_loop(prog, case, dtype, n):
    a = case.array(n, dtype)
    case.same(prog, "several", a, np.zeros(n, dtype), **sum_tol(dtype, a, a * a))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", SIZES)
def test_conditional_count(prog, case, dtype, n):
    case.same(prog, "count_positive", case.array(n, dtype))


# More iterations than a GPU reduction kernel has threads (1024 blocks of 256): each
# thread reduces several, four at a time and then the rest (codegen.c bare_reduce_for).
BIG = 1024 * 256 * 9 + 12345


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
def test_many_per_thread_sum_and_extremes(prog, case, dtype):
    a = case.array(BIG, dtype, -1.0, 1.0)
    case.same(prog, "fsum", a, **sum_tol(dtype, a))
    case.same(prog, "fminmax", a)
    if dtype == np.float64:   # float32 sums of a * a over one host thread drift further
        case.same(prog, "several", a, np.zeros(BIG, dtype), **sum_tol(dtype, a, a * a))


@pytest.mark.parametrize("dtype", (np.int64, np.int32))
def test_many_per_thread_int(prog, case, dtype):
    case.same(prog, "isum", case.array(BIG, dtype, -1000, 1000))
    case.same(prog, "iminmax", case.array(BIG, dtype, -10**6, 10**6))
    if dtype == np.int32:
        case.same(prog, "count_positive", case.array(BIG, dtype, -1000, 1000))


def test_many_per_thread_float_product(prog, case):
    a = case.array(BIG, np.float64, 0.999999, 1.000001)
    case.same(prog, "fprod", a, rtol=RTOL[np.dtype(np.float64)] * BIG)


def test_threads_running_one_loop_at_once(prog, case):
    """Calls release the GIL: Python threads may run the same reduction loop at the same
    time. On the GPU each loop has one scratch area for its blocks' values; a call that
    finds it in use takes its own. Every thread must get its own array's sum."""
    import threading
    arrays = [case.array(BIG, np.float64) for _ in range(8)]
    got = [None] * len(arrays)

    def work(k):
        for _ in range(5):
            got[k] = prog.compiled.fsum(arrays[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(arrays))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, g in zip(arrays, got):
        np.testing.assert_allclose(g, prog.oracle.fsum(a), **sum_tol(np.float64, a))


@pytest.mark.parametrize("dtype", (np.float64, np.int64))
@pytest.mark.parametrize("n, start, step", [(1, 0, 1), (1000, 3, 2), (BIG, 5, 3), (BIG, 0, 1)])
def test_strided_range(prog, case, dtype, n, start, step):
    a = case.array(n, dtype)
    tol = sum_tol(dtype, a * 7) if dtype == np.float64 else {}
    case.same(prog, "strided_sum", a, start, step, **tol)
