"""appy.device / appy.to_host / appy.to_device: arrays kept on the GPU across kernel calls.

On the GPU each call inside a block copies nothing (checked from APPY_PROFILE's per-call
line, in a child process); off the GPU the blocks do nothing. In both, the arrays hold
what plain NumPy computes once the block ends."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import appy
from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "hostloop.py")


def steps_in_python(module, a, b, calls, steps=1):
    for _ in range(calls):
        module.jacobi1d(a, b, steps)


@pytest.mark.parametrize("n", (3, 1000))
@pytest.mark.parametrize("calls", (0, 1, 6))
def test_calls_inside_block(prog, case, n, calls):
    a, b = case.array(n, np.float64), np.zeros(n)
    want_a, want_b = a.copy(), b.copy()
    steps_in_python(prog.oracle, want_a, want_b, calls)
    with appy.device(a, b):
        steps_in_python(prog.compiled, a, b, calls)
    np.testing.assert_allclose(a, want_a, rtol=1e-13)
    np.testing.assert_allclose(b, want_b, rtol=1e-13)


def test_to_host_and_to_device_inside_block(prog, case):
    n = 500
    a, b = case.array(n, np.float64), np.zeros(n)
    want_a, want_b = a.copy(), b.copy()
    with appy.device(a, b):
        steps_in_python(prog.compiled, a, b, 3)
        steps_in_python(prog.oracle, want_a, want_b, 3)
        appy.to_host(a, b)
        np.testing.assert_allclose(a, want_a, rtol=1e-13)
        a[n // 2] = want_a[n // 2] = 7.0        # a host change, sent to the device
        appy.to_device(a)
        steps_in_python(prog.compiled, a, b, 2)
        steps_in_python(prog.oracle, want_a, want_b, 2)
    np.testing.assert_allclose(a, want_a, rtol=1e-13)
    np.testing.assert_allclose(b, want_b, rtol=1e-13)


def test_nested_blocks(prog, case):
    n = 300
    a, b = case.array(n, np.float64), np.zeros(n)
    want_a, want_b = a.copy(), b.copy()
    with appy.device(a, b):
        with appy.device(a):
            steps_in_python(prog.compiled, a, b, 2)
        steps_in_python(prog.compiled, a, b, 2)
    steps_in_python(prog.oracle, want_a, want_b, 4)
    np.testing.assert_allclose(a, want_a, rtol=1e-13)
    np.testing.assert_allclose(b, want_b, rtol=1e-13)


def test_new_array_returned_inside_block(prog, case):
    a = case.array(400, np.float64)
    with appy.device(a):
        got = prog.compiled.fresh_result(a, 3)
    np.testing.assert_allclose(got, prog.oracle.fresh_result(a.copy(), 3), rtol=1e-13)


def test_refuses_what_it_cannot_map():
    with pytest.raises(TypeError, match="argument 2 must be a numpy.ndarray"):
        appy.device(np.zeros(3), [1.0, 2.0])
    with pytest.raises(ValueError, match="argument 1 is not C-contiguous"):
        appy.device(np.zeros((4, 4))[:, 1])
    with pytest.raises(ValueError, match="not C-contiguous"):
        appy.to_host(np.zeros(8)[::2])


PROFILE_RUN = """
import importlib.util, sys
import numpy as np
import appy
spec = importlib.util.spec_from_file_location("hostloop", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = np.random.default_rng().random(1 << 16)
b = np.zeros_like(a)
with appy.device(a, b):
    for _ in range(5):
        m.jacobi1d(a, b, 3)
print(m._appy_device())
"""
CALL_LINE = re.compile(r"hostloop\.jacobi1d call: copied in ([0-9.]+) MB .*\| copied out ([0-9.]+) MB")


def test_nothing_copied_between_calls(prog):
    run = subprocess.run([sys.executable, "-c", PROFILE_RUN, prog.compiled.__file__],
                         env=dict(os.environ, APPY_PROFILE="1"), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    calls = CALL_LINE.findall(run.stderr)
    assert len(calls) == 5, run.stderr
    assert all(float(i) == 0.0 and float(o) == 0.0 for i, o in calls), run.stderr
