"""Host code around parallel loops: a time loop, a convergence loop, host element access."""
import numpy as np
import pytest

from e2ekit import FLOATS, INTS, PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "hostloop.py")


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", (0, 1, 2, 3, 33, 1001))
@pytest.mark.parametrize("steps", (0, 1, 17))
def test_jacobi_time_loop(prog, case, dtype, n, steps):
    case.same(prog, "jacobi1d", case.array(n, dtype), np.zeros(n, dtype), steps)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", (0, 2, 3, 9, 17, 65))
def test_convergence_loop(prog, case, dtype, n):
    """The iteration count (about 90 for n = 9, 280 for 17, capped at 300) depends on
    every max-reduction the host saw, and must be exact."""
    case.same(prog, "relax", case.array(n, dtype), np.zeros(n, dtype), 1e-3, 300)


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", (2, 3, 77))
@pytest.mark.parametrize("rounds", (0, 1, 5))
def test_host_reads_and_writes_between_loops(prog, case, dtype, n, rounds):
    case.same(prog, "host_touch", case.array(n, dtype), rounds)
