"""Scatter updates (`hist[idx[i]] += 1`): iterations that hit one element must all count."""
import numpy as np
import pytest

from e2ekit import INTS, PROGRAMS, RTOL, SIZES

ITEMS = SIZES + (100003,)     # items scattered; with few bins, collisions are certain
BINS = (1, 3, 7, 33)
INDEX_PAIRS = tuple((a, b) for a in INTS for b in INTS)   # (index dtype, counter dtype)


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "scatter.py")


def sum_tol(dtype, w):
    """Exact for ints; for floats the dtype's rtol and atol that much of the sum of |w|
    (each bin sums some of w, in any order)."""
    if np.dtype(dtype).kind in "iu":
        return {}
    rtol = RTOL[np.dtype(dtype)]
    return dict(rtol=rtol, atol=rtol * (1 + float(np.abs(w).sum())))


@pytest.mark.parametrize("idx_dtype, hist_dtype", INDEX_PAIRS)
@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("n", ITEMS)
def test_histogram(prog, case, idx_dtype, hist_dtype, bins, n):
    idx = case.gen.integers(0, bins, n).astype(idx_dtype)
    case.same(prog, "histogram", idx, case.array(bins, hist_dtype))


@pytest.mark.parametrize("dtype, hist_dtype", ((np.float64, np.int64), (np.float32, np.int32)))
@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("n", ITEMS)
def test_histogram_of_values(prog, case, dtype, hist_dtype, bins, n):
    # Values well inside their bin, so that float32 and float64 rounding agree on it.
    x = ((case.gen.integers(0, bins, n) + case.gen.uniform(0.1, 0.9, n)) / bins).astype(dtype)
    case.same(prog, "bin_values", x, np.zeros(bins, hist_dtype))


@pytest.mark.parametrize("idx_dtype, dtype", ((np.int64, np.float64), (np.int64, np.float32),
                                               (np.int32, np.float64), (np.int32, np.int64)))
@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("n", ITEMS)
def test_weighted(prog, case, idx_dtype, dtype, bins, n):
    k, w = case.gen.integers(0, bins, n).astype(idx_dtype), case.array(n, dtype)
    case.same(prog, "weighted", k, w, case.array(bins, dtype), **sum_tol(dtype, w))


@pytest.mark.parametrize("idx_dtype, dtype", ((np.int64, np.float64), (np.int64, np.float32),
                                               (np.int32, np.int32)))
@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("n", ITEMS)
def test_subtract_and_add(prog, case, idx_dtype, dtype, bins, n):
    src = case.gen.integers(0, bins, n).astype(idx_dtype)
    dst = case.gen.integers(0, bins, n).astype(idx_dtype)
    w = case.array(n, dtype)
    case.same(prog, "transfer", src, dst, w, case.array(bins, dtype), **sum_tol(dtype, 3 * w))


@pytest.mark.parametrize("idx_dtype, dtype", ((np.int64, np.float64), (np.int64, np.float32),
                                               (np.int32, np.int64), (np.int32, np.int32)))
@pytest.mark.parametrize("grid", ((1, 1), (3, 5), (7, 33)))
@pytest.mark.parametrize("n", ITEMS)
def test_scatter_2d(prog, case, idx_dtype, dtype, grid, n):
    r = case.gen.integers(0, grid[0], n).astype(idx_dtype)
    c = case.gen.integers(0, grid[1], n).astype(idx_dtype)
    v = case.array(n, dtype)
    case.same(prog, "scatter2d", r, c, v, case.array(grid, dtype), **sum_tol(dtype, v))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("bins", (1, 4))
@pytest.mark.parametrize("shape", ((0, 5), (3, 0), (1, 1), (7, 33), (33, 257), (1000, 7),
                                   (3, 50021)))
def test_scatter_in_marked_inner_loop(prog, case, dtype, bins, shape):
    idx = case.gen.integers(0, bins, shape).astype(dtype)
    case.same(prog, "row_histograms", idx, case.array((shape[0], bins), dtype))


@pytest.mark.parametrize("idx_dtype, w_dtype, count_dtype", ((np.int64, np.float64, np.int32),
                                                             (np.int32, np.float32, np.int64)))
@pytest.mark.parametrize("bins", (3, 1000, 2047, 2048, 2049, 5000))
def test_block_copies(prog, case, idx_dtype, w_dtype, count_dtype, bins):
    # float64 sums with int32 counts fit the block copies (24 KB) up to 2048 bins; the
    # float32/int64 pair up to 2048 as well; beyond, the kernel adds into the arrays.
    n = 100003
    k = case.gen.integers(0, bins, n).astype(idx_dtype)
    w = case.array(n, w_dtype)
    case.same(prog, "sums_counts", k, w, case.array(bins, count_dtype, -5, 5),
              case.array(bins, w_dtype), **sum_tol(w_dtype, w))
