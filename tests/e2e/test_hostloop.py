"""Host code around parallel loops: a time loop, a convergence loop, host element access."""
import os
import re
import subprocess
import sys

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


@pytest.mark.parametrize("n", (0, 1, 2, 5, 1000))
@pytest.mark.parametrize("steps", (0, 1, 2, 7))
def test_swapped_names(prog, case, n, steps):
    case.same(prog, "swap_steps", case.array(n, np.float64), np.zeros(n), steps)


@pytest.mark.parametrize("n", (0, 1, 33, 1000))
def test_new_array_read_by_host_and_returned(prog, case, n):
    case.same(prog, "local_sum", case.array(n, np.float64), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("n", (1, 2, 50))
@pytest.mark.parametrize("limit", (-5, 10, 1000))
def test_condition_reads_device_result(prog, case, n, limit):
    a = case.array(n, np.int64)
    a[0] = abs(a[0]) % 7
    case.same(prog, "grow_until", a, limit)


@pytest.mark.parametrize("n", (2, 3, 10, 1001))
@pytest.mark.parametrize("rounds", (0, 1, 4))
def test_host_writes_seen_by_device(prog, case, n, rounds):
    case.same(prog, "host_then_device", case.array(n, np.float64), np.zeros(n), rounds)


@pytest.mark.parametrize("n", (1, 8, 500))
@pytest.mark.parametrize("steps", (0, 1, 6))
def test_second_name_for_argument(prog, case, n, steps):
    case.same(prog, "alias_write", case.array(n, np.float64), steps, rtol=1e-12)


@pytest.mark.parametrize("n", (0, 3, 700))
@pytest.mark.parametrize("steps", (0, 1, 5))
def test_new_array_updated_on_device(prog, case, n, steps):
    case.same(prog, "fresh_result", case.array(n, np.float64), steps, rtol=1e-12)


PROFILE_RUN = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("hostloop", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = np.random.default_rng().random(int(sys.argv[2]))
b = np.zeros_like(a)
m.jacobi1d(a, b, int(sys.argv[3]))
print(m._appy_device())
"""
CALL_LINE = re.compile(r"hostloop\.jacobi1d call: copied in ([0-9.]+) MB .*\| (\d+) kernels "
                       r".*\| copied out ([0-9.]+) MB")


@pytest.mark.parametrize("steps", (1, 50))
def test_one_copy_each_way_per_call(prog, steps):
    """APPY_PROFILE's line for the call: on the GPU each array went in once and came back
    once, whatever the number of time steps (2 kernels each); off the GPU nothing moved."""
    n = 1 << 16
    run = subprocess.run([sys.executable, "-c", PROFILE_RUN, prog.compiled.__file__, str(n), str(steps)],
                         env=dict(os.environ, APPY_PROFILE="1"), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    calls = CALL_LINE.findall(run.stderr)
    assert len(calls) == 1, run.stderr
    copied_in, kernels, copied_out = float(calls[0][0]), int(calls[0][1]), float(calls[0][2])
    assert kernels == 2 * steps
    both = round(2 * n * 8 / 1e6, 1)
    on_gpu = not run.stdout.startswith("host")   # a device with memory of its own
    assert (copied_in, copied_out) == ((both, both) if on_gpu else (0.0, 0.0)), run.stderr
