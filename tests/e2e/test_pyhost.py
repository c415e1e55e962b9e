"""Kernel functions whose host code is Python outside the subset: the host code runs as
Python, each parallel loop as a compiled entry point, with the arrays kept on the device
for the call and copied back where host code looks at them."""
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from e2ekit import FLOATS, PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "pyhost.py")


def test_python_functions_and_entry_points(prog):
    m = prog.compiled
    for name in ("normalize_rows", "iterate", "host_edits_between", "guarded", "smooth_steps",
                 "view_extents"):
        assert inspect.isfunction(getattr(m, name)), f"{name} should be the rewritten Python"
    entries = sorted(n for n in dir(m) if n.startswith("_appy_") and n.split("_line")[-1].isdigit())
    assert entries == ["_appy_guarded_line75", "_appy_host_edits_between_line56",
                       "_appy_host_edits_between_line60", "_appy_iterate_line40",
                       "_appy_iterate_line43", "_appy_normalize_rows_line22",
                       "_appy_smooth_steps_line89", "_appy_smooth_steps_line91",
                       "_appy_view_extents_line102"], entries
    assert not inspect.isfunction(m._appy_iterate_line40)      # compiled
    assert m.clip_unit(3.0) == 1.0                               # the file's helper is there
    assert m.DEFAULT_SCALE == 0.5


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", ((1, 1), (3, 5), (64, 33)))
def test_np_linalg_in_host_code(prog, case, dtype, shape):
    A = case.array(shape, dtype, lo=0.1, hi=2.0)
    case.same(prog, "normalize_rows", A, np.zeros(shape, dtype))


@pytest.mark.parametrize("n", (3, 9, 40))
@pytest.mark.parametrize("iters", (0, 1, 30))
def test_dict_list_and_convergence_in_host_code(prog, case, n, iters):
    a = case.array(n, np.float64)
    a_got, b_got, a_want, b_want = a.copy(), np.zeros(n), a.copy(), np.zeros(n)
    got = prog.compiled.iterate(a_got, b_got, 1e-4, iters)
    want = prog.oracle.iterate(a_want, b_want, 1e-4, iters)
    assert isinstance(got, list)
    case.check(tuple(got), tuple(want), "iterate history", rtol=1e-12, atol=1e-12)
    case.check(a_got, a_want, "iterate a", rtol=1e-12, atol=1e-12)
    case.check(b_got, b_want, "iterate b", rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", (1, 7, 1000))
@pytest.mark.parametrize("reps", (0, 1, 3))
def test_host_writes_between_loops(prog, case, n, reps):
    case.same(prog, "host_edits_between", case.array(n, np.float64), np.zeros(n), reps,
              rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("n", (1, 2, 101))
def test_try_with_print_and_reduction(prog, case, capsys, n):
    x = case.array(n, np.float64, lo=0.5, hi=2.0)
    case.same(prog, "guarded", x, np.zeros(n), rtol=1e-12, atol=1e-12)
    assert capsys.readouterr().out.count("guarded: sum") == 2    # compiled and oracle


def test_errors_in_host_python_are_python_errors(prog):
    """Host Python raises as Python would (here after a loop ran), and the call's arrays
    are released: the next call works."""
    with pytest.raises(ValueError, match="zero-size array"):
        prog.compiled.normalize_rows(np.ones((0, 3)), np.zeros((0, 3)))
    A, out = np.ones((2, 3)), np.zeros((2, 3))
    prog.compiled.normalize_rows(A, out)
    assert np.allclose(out, 1 / np.sqrt(3))


def test_wrong_dtype_names_the_loop_and_its_variables(prog):
    with pytest.raises(TypeError, match=r"normalize_rows, parallel loop at line 22, with "
                                        r"variables \(A, norms, out\): the loop: no signature"):
        prog.compiled.normalize_rows(np.ones((2, 2), np.int32), np.zeros((2, 2)))


@pytest.mark.parametrize("n", (3, 1000))
@pytest.mark.parametrize("steps", (0, 1, 9))
def test_time_loop_in_python(prog, case, n, steps):
    case.same(prog, "smooth_steps", case.array(n, np.float64), np.zeros(n), steps, rtol=1e-12)


PROFILE_RUN = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("pyhost", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = np.random.default_rng().random(1 << 16)
assert m.smooth_steps(a, np.zeros_like(a), int(sys.argv[2])) == int(sys.argv[2])
print(m._appy_device())
"""
ENTRY_CALL = re.compile(r"pyhost\._appy_smooth_steps_line\d+ call: copied in ([0-9.]+) MB .*"
                        r"\| (\d+) kernels .*\| copied out ([0-9.]+) MB")


def test_arrays_stay_on_the_device_for_the_call(prog):
    """APPY_PROFILE's lines for the entry points: each ran one kernel and copied nothing,
    in or out (the call's session holds the arrays on the device)."""
    steps = 5
    env = dict(os.environ, APPY_PROFILE="1",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "python"),
                                                      os.environ.get("PYTHONPATH")) if p))
    run = subprocess.run([sys.executable, "-c", PROFILE_RUN, prog.compiled.__file__, str(steps)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    calls = ENTRY_CALL.findall(run.stderr)
    assert len(calls) == 2 * steps, run.stderr
    assert all((float(i), int(k), float(o)) == (0.0, 1, 0.0) for i, k, o in calls), run.stderr


def test_data_movements_of_a_session(prog):
    """smooth_steps: a and b mapped once each, nothing sent again (the host code between
    the loops touches no array), both copied back once at the end; iterate: its
    convergence test reads a after every step (a copied back, then sent again)."""
    from appy import _host
    n, steps = 64, 4
    _host.stats.update(enter=0, to_device=0, to_host=0)
    prog.compiled.smooth_steps(np.ones(n), np.zeros(n), steps)
    runtime = getattr(prog.compiled, "__appy_compiler__", "none") != "none"
    want = {"enter": 2, "to_device": 0, "to_host": 2} if runtime else \
        {"enter": 0, "to_device": 0, "to_host": 0}
    assert _host.stats == want
    _host.stats.update(enter=0, to_device=0, to_host=0)
    history = prog.compiled.iterate(np.linspace(-1, 1, n), np.zeros(n), 0.0, steps)
    assert len(history) == steps
    if runtime:
        assert _host.stats["enter"] == 2 and _host.stats["to_host"] >= steps
        assert _host.stats["to_device"] == steps - 1


@pytest.mark.parametrize("n", (4, 9, 1000))
def test_extents_of_views_in_host_code(prog, case, n):
    """len(a[1:-1]), a[::2].shape[0] and a[3:].size: the views' extents, not the array's
    (the translator once gave len(a[1:]) as len(a), and crashed on the others)."""
    a = case.array(n, np.float64)
    case.same(prog, "view_extents", a, np.zeros(7))
