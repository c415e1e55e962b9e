"""Array expressions: views, elementwise arithmetic, assignment to views and reductions, in
group mode (inside parallel loops) and in host code; shapes that do not agree raise."""
import copy

import numpy as np
import pytest

from e2ekit import DTYPES, FLOATS, PROGRAMS, RTOL, SHAPES2, SIZES, row_tol, small

# rows x columns: empty both ways, one element, none a multiple of a block size, tall, wide
SHAPES = ((0, 3), (3, 0), (1, 1), (7, 33), (33, 257), (257, 7), (5, 4099))
NONEMPTY = tuple(s for s in SHAPES if s[1])      # row reductions without an identity
TRI = ((0, 3), (3, 0), (1, 1), (7, 33), (33, 33), (40, 7), (257, 7), (5, 4099))
# every short row length: each slice pair of row_slices and host_slices at its edges
SHORT = ((0, 3), (3, 0), (2, 1), (2, 2), (3, 3), (2, 4), (2, 5), (4, 6), (33, 257), (5, 4099))
HOST_SIZES = (0, 1, 7, 1000)
NONEMPTY2 = tuple(s for s in SHAPES2 if s[0] and s[1])
# (lo, hi, step): plain, negative bounds, clipped, reversed, empty, crossing
WINDOWS = ((0, 5, 1), (-5, -1, 1), (2, 10**6, 3), (-10**6, 3, 2), (10, 2, -1),
           (-1, -10**6, -3), (7, 3, 1))


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "arrays.py")


@pytest.fixture(scope="module")
def host(build):
    return build(PROGRAMS / "arrays_host.py")


def divisor(case, shape, dtype):
    """No zeros: floats 0.25 <= |b| < 2 (no huge quotients), ints in [-100, 100]."""
    if np.dtype(dtype).kind == "f":
        sign = np.where(case.gen.random(shape) < 0.5, -1, 1).astype(dtype)
        return case.array(shape, dtype, 0.25, 2.0) * sign
    return case.nonzero(shape, dtype)


def scalar(case, dtype, lo=-3, hi=3):
    """A Python int or float (as a caller would pass), not zero."""
    return case.nonzero(1, dtype, lo, hi)[0].item()


def both_raise(prog, name, *args):
    """The compiled function raises ValueError, as NumPy does under CPython."""
    for module in (prog.compiled, prog.oracle):
        with pytest.raises(ValueError):
            getattr(module, name)(*copy.deepcopy(args))


# ---------------------------------------------------------------- group mode: elementwise

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_row_axpy(prog, case, dtype, shape):
    A, x = case.array(shape, dtype), case.array(shape[1], dtype)
    case.same(prog, "row_axpy", A, x, case.array(shape, dtype), scalar(case, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_row_operators(prog, case, dtype, shape):
    A, B = case.array(shape, dtype), divisor(case, shape, dtype)
    case.same(prog, "row_arith", A, B, case.array((8,) + shape, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_row_float_math(prog, case, dtype, shape):
    A, B = case.array(shape, dtype), divisor(case, shape, dtype)
    case.same(prog, "row_fmath", A, B, case.array((5,) + shape, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHORT)
def test_row_slices(prog, case, dtype, shape):
    case.same(prog, "row_slices", case.array(shape, dtype), case.array((7,) + shape, dtype))


@pytest.mark.parametrize("dtype, shape", ((np.float64, (3, 0)), (np.float64, (1, 1)),
                                          (np.float64, (37, 130)), (np.int32, (5, 7))))
@pytest.mark.parametrize("lo, hi, step", WINDOWS)
def test_row_runtime_slice(prog, case, dtype, shape, lo, hi, step):
    A = case.array(shape, dtype)
    s = np.zeros(shape[0], np.int64 if dtype == np.int32 else dtype)
    case.same(prog, "row_window", A, case.array(shape, dtype), s, lo, hi, step,
              **row_tol(dtype, A))


@pytest.mark.parametrize("dtype", (np.float32, np.int32))
@pytest.mark.parametrize("shape", SHAPES)
def test_row_fill(prog, case, dtype, shape):
    case.same(prog, "row_fill", case.array(shape, dtype), scalar(case, dtype, -100, 100))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_column_views(prog, case, dtype, shape):
    A, d = case.array(shape, dtype), case.array(shape[1], dtype)
    s = case.array(shape[1], np.int64 if dtype == np.int32 else dtype)
    case.same(prog, "col_ops", A, d, s, **row_tol(dtype, (np.abs(A * d) + np.abs(d)).T))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", ((0, 3, 4), (3, 0, 4), (2, 3, 0), (4, 33, 7)))
def test_2d_views_in_group_mode(prog, case, dtype, shape):
    T, w = case.array(shape, dtype), case.array(shape[2], dtype)
    case.same(prog, "planes", T, w, case.array(shape, dtype))


# ---------------------------------------------------------------- group mode: reductions

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_row_dots(prog, case, dtype, shape):
    A, x = small(case, shape, dtype), small(case, shape[1], dtype)
    outs = [case.array(shape[0], dtype) for _ in range(3)]
    case.same(prog, "row_dots", A, x, *outs, **row_tol(dtype, A * x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + ((33, 33),))
def test_row_sums_widen_and_empty(prog, case, dtype, shape):
    """int32 rows of values up to 1e9: their sums need int64. Upper parts of the last rows
    are empty (sum 0)."""
    big = np.dtype(dtype).kind in "iu"
    A = case.array(shape, dtype, -10**9, 10**9) if big else case.array(shape, dtype)
    out = np.int64 if big else dtype
    sums = [case.array(shape[0], out) for _ in range(3)]
    case.same(prog, "row_total", A, *sums, **row_tol(dtype, A))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", NONEMPTY)
def test_row_max_min_mean(prog, case, dtype, shape):
    A = case.array(shape, dtype)
    out = dtype if np.dtype(dtype).kind == "f" else np.float64
    args = (A, case.array(shape[0], dtype), case.array(shape[0], dtype),
            case.array(shape[0], out), case.array(shape[0], out))
    rtol = RTOL[np.dtype(out)]
    case.same(prog, "row_stats", *args, rtol=rtol, atol=rtol * 8)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", NONEMPTY)
def test_row_softmax(prog, case, dtype, shape):
    A = case.array(shape, dtype, -30, 30)
    rtol = RTOL[np.dtype(dtype)] * np.sqrt(1 + shape[1])   # out = e / (sum of shape[1] e's)
    case.same(prog, "row_softmax", A, case.array(shape, dtype), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, out", ((np.float64, np.float64), (np.float32, np.float32),
                                        (np.int32, np.float64)))
@pytest.mark.parametrize("shape", NONEMPTY)
def test_center_rows(prog, case, dtype, out, shape):
    """A statement reads the row that the one before it wrote."""
    rtol = RTOL[np.dtype(out)] * np.sqrt(1 + shape[1])
    case.same(prog, "center_rows", case.array(shape, dtype), case.array(shape, out),
              case.array(shape[0], out), rtol=rtol, atol=rtol * 16)


# ---------------------------------------------------------------- group mode: triangles

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", TRI)
def test_syrk_scale(prog, case, dtype, shape):
    case.same(prog, "syrk_scale", case.array(shape, dtype), scalar(case, dtype))


@pytest.mark.parametrize("dtype", (np.float32, np.int32))
@pytest.mark.parametrize("shape", TRI)
def test_triangular_update(prog, case, dtype, shape):
    case.same(prog, "tri_update", case.array(shape, dtype), case.array(shape, dtype),
              scalar(case, dtype))


# ---------------------------------------------------------------- host code

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", HOST_SIZES)
def test_host_axpy(host, case, dtype, n):
    case.same(host, "axpy", scalar(case, dtype), case.array(n, dtype), case.array(n, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", HOST_SIZES)
def test_host_operators(host, case, dtype, n):
    a, b = case.array(n, dtype), divisor(case, n, dtype)
    case.same(host, "arith", a, b, case.array((8, n), dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", (0, 1, 2, 3, 4, 5, 6, 33, 1000))
def test_host_slices(host, case, dtype, n):
    case.same(host, "host_slices", case.array(n, dtype), case.array((8, n), dtype))


@pytest.mark.parametrize("dtype, n", ((np.float64, 0), (np.float64, 7), (np.float64, 1000),
                                      (np.int32, 33)))
@pytest.mark.parametrize("lo, hi, step", WINDOWS)
def test_host_runtime_slice(host, case, dtype, n, lo, hi, step):
    x = case.array(n, dtype)
    case.same(host, "host_window", x, case.array((4, n), dtype), lo, hi, step,
              **row_tol(dtype, x))


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_host_whole_array_update(host, case, dtype, shape):
    case.same(host, "update", case.array(shape, dtype), case.array(shape, dtype),
              scalar(case, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_host_fill(host, case, dtype, shape):
    case.same(host, "fills", case.array(shape, dtype), case.array(shape[1], dtype),
              scalar(case, dtype, -100, 100))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", ((0, 3), (1, 1), (2, 5), (3, 3), (37, 130)))
@pytest.mark.parametrize("steps", (1, 10))
def test_jacobi2d(host, case, dtype, shape, steps):
    case.same(host, "jacobi2d", case.array(shape, dtype), case.array(shape, dtype), steps)


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_host_broadcast_rows(host, case, dtype, shape):
    A, x = case.array(shape, dtype), case.array(shape[1], dtype)
    got, _ = case.same(host, "broadcast2d", A, x, case.array(shape, dtype))
    assert got.ret.dtype == dtype and got.ret.shape == shape


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", HOST_SIZES)
def test_host_new_arrays(host, case, dtype, n):
    x = case.array(n, dtype)
    got, _ = case.same(host, "affine", x)
    for a in got.ret:
        assert a.dtype == dtype and a.shape == (n,) and not np.shares_memory(a, x)


@pytest.mark.parametrize("dtype, out", ((np.float64, np.float64), (np.float32, np.float32),
                                        (np.int32, np.float64)))
@pytest.mark.parametrize("n", HOST_SIZES)
def test_host_new_array_read_by_parallel_loop(host, case, dtype, out, n):
    """2.0 * x + 1.0 keeps float32, and is float64 for int32 x (NumPy 1 and 2 agree)."""
    got, _ = case.same(host, "affine_float", case.array(n, dtype), case.array(n, out))
    assert got.ret.dtype == out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", (1, 2, 7, 4099))
def test_host_reductions(host, case, dtype, n):
    """np.sum of ints is int64, max/min/dot/@ keep the dtype, np.mean of ints is float."""
    x, y = small(case, n, dtype), small(case, n, dtype)
    case.same(host, "host_reduce", x, y, **row_tol(dtype, np.abs(x * y) + 1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_host_sum_widens(host, case, dtype, n):
    big = np.dtype(dtype).kind in "iu"
    x = case.array(n, dtype, -10**9, 10**9) if big else case.array(n, dtype)
    got, _ = case.same(host, "host_sum", x, **row_tol(dtype, x))
    if big:
        assert got.ret[0] == int(x.astype(np.int64).sum())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", NONEMPTY2)
def test_host_reductions_2d(host, case, dtype, shape):
    A, B = small(case, shape, dtype), small(case, shape, dtype)
    case.same(host, "max_diff", A, B, **row_tol(dtype, (A * B).ravel()))


@pytest.mark.parametrize("dtype", (np.float64, np.float32, np.int32))
@pytest.mark.parametrize("n", (1, 7, 1000, 4099))
def test_host_reduction_result_in_new_array(host, case, dtype, n):
    x = case.array(n, dtype)
    got, _ = case.same(host, "center", x, **row_tol(dtype, (x - x.mean()) ** 2 + 4))
    assert got.ret[0].dtype == (np.float64 if dtype == np.int32 else dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", (1, 7, 1000, 4099))
def test_host_normalize(host, case, dtype, n):
    case.same(host, "normalize", case.array(n, dtype))


# ---------------------------------------------------------------- shapes that must agree

@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("n", HOST_SIZES)
def test_conforming_host(host, case, dtype, n):
    case.same(host, "vec_add", case.array(n, dtype), case.array(n, dtype),
              case.array(n, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", ((0, 3), (3, 0), (1, 1), (37, 130)))
def test_conforming_group(prog, case, dtype, shape):
    case.same(prog, "rows_add", case.array(shape, dtype), case.array(shape[1], dtype),
              case.array(shape, dtype))


# lengths of a, b, out; no 1 among them (NumPy would stretch it)
@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("na, nb, nout", ((5, 7, 5), (7, 5, 7), (5, 5, 7), (0, 3, 0),
                                          (33, 32, 33)))
def test_nonconforming_host(host, case, dtype, na, nb, nout):
    both_raise(host, "vec_add", case.array(na, dtype), case.array(nb, dtype),
               case.array(nout, dtype))


# A's shape, x's length, out's shape; A has rows, so the loop body runs
@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape, nx, out", (((3, 5), 6, (3, 5)), ((3, 5), 5, (3, 6)),
                                            ((1, 0), 3, (1, 0)), ((40, 33), 32, (40, 33))))
def test_nonconforming_group(prog, case, dtype, shape, nx, out):
    both_raise(prog, "rows_add", case.array(shape, dtype), case.array(nx, dtype),
               case.array(out, dtype))


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
def test_nonconforming_broadcast(host, case, dtype):
    both_raise(host, "broadcast2d", case.array((4, 5), dtype), case.array(6, dtype),
               case.array((4, 5), dtype))
