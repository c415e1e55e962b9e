"""Dense nests (collapsed (i, j) prange loops around k loops), run in tiles on the GPU:
sizes on both sides of the tile (64 x 64 iterations, up to 16 steps of k at a time, warps
of 32 x 16), guards, bounds that depend on i, steps, reads without panels, many panels,
and float64 sums of products (on the tensor cores where the GPU has them)."""
import numpy as np
import pytest

from e2ekit import DTYPES, PROGRAMS, RTOL


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "tiles.py")


def tol(dtype, terms):
    """Tolerance for sums of `terms` (an upper bound of one sum's |terms|); exact for ints."""
    if np.dtype(dtype).kind in "iu":
        return {}
    rtol = RTOL[np.dtype(dtype)]
    return dict(rtol=rtol, atol=rtol * (1 + terms))


SIZES = ((0, 5, 3), (1, 1, 1), (3, 4, 0), (7, 9, 17), (130, 70, 33), (129, 200, 16), (300, 65, 40))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,m,k", SIZES)
def test_matmul(prog, case, dtype, n, m, k):
    case.same(prog, "matmul", case.array((n, k), dtype), case.array((k, m), dtype),
              case.array((n, m), dtype), **tol(dtype, 4 * k + 2))


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
@pytest.mark.parametrize("n,k", ((1, 1), (6, 3), (140, 21), (257, 35)))
def test_guard_around_iteration(prog, case, dtype, n, k):
    C = case.array((n, n), dtype)
    case.same(prog, "lower", 1.25, C, case.array((n, k), dtype), **tol(dtype, 4 * k + 3))


@pytest.mark.parametrize("dtype", (np.float64, np.int64))
@pytest.mark.parametrize("m,n", ((1, 1), (2, 5), (50, 3), (131, 70), (260, 129)))
def test_bounds_from_i(prog, case, dtype, m, n):
    case.same(prog, "triangular", case.array((m, m), dtype), case.array((m, n), dtype),
              np.zeros((m, n), dtype), **tol(dtype, 4 * m + 2))


@pytest.mark.parametrize("m,n", ((1, 1), (5, 2), (129, 65), (200, 130)))
def test_two_k_loops(prog, case, m, n):
    case.same(prog, "two_loops", 1.5, case.array((m, n), np.float64),
              case.array((m, m), np.float64), case.array((m, n), np.float64),
              **tol(np.float64, 4 * m + 10))


@pytest.mark.parametrize("n,m,k,lo", ((1, 1, 1, 0), (9, 4, 20, 3), (261, 67, 37, 5),
                                      (140, 80, 12, 13), (140, 80, 30, 0)))
def test_steps_and_reads_without_panels(prog, case, n, m, k, lo):
    case.same(prog, "mixed", case.array((n, k), np.float64), case.array((k, m), np.float64),
              case.array(k, np.float64), case.array((n, m), np.float64), lo,
              **tol(np.float64, 8 * k + 10))


@pytest.mark.parametrize("n,m,k", ((4, 5, 6), (150, 100, 19)))
def test_sparse_guard(prog, case, n, m, k):
    case.same(prog, "sparse_guard", case.array((n, k), np.float64),
              case.array((k, m), np.float64), case.array((n, m), np.float64),
              **tol(np.float64, 4 * k + 2))


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
@pytest.mark.parametrize("n,m,k", ((2, 3, 9), (70, 130, 21), (131, 65, 40)))
def test_branches_in_k_loop(prog, case, dtype, n, m, k):
    case.same(prog, "branchy", case.array((n, k), dtype), case.array((k, m), dtype),
              np.zeros((n, m), dtype), **tol(dtype, 4 * k + 4))


@pytest.mark.parametrize("n", (3, 70, 133))
def test_many_panels(prog, case, n):
    a = [case.array((n, n), np.float64) for _ in range(5)]
    case.same(prog, "many", *a, np.zeros((n, n)), **tol(np.float64, 14 * n))


@pytest.mark.parametrize("n,m,k", ((3, 5, 7), (70, 130, 36), (129, 64, 8), (64, 80, 203)))
def test_signed_products(prog, case, n, m, k):
    case.same(prog, "signed", case.array((n, k), np.float64), case.array((k, m), np.float64),
              case.array((k, n), np.float64), case.array((m, k), np.float64),
              case.array((n, m), np.float64), **tol(np.float64, 8 * k + 4))
