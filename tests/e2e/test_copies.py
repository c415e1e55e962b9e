"""Copies between NumPy memory and the GPU (issue 19): every copy path (APPY_COPY=stage,
the default, through pinned buffers; register, the array's own pages pinned for the copy;
pageable, the OpenMP runtime's copy) gives NumPy's answer, bit for bit the same across
paths, for arrays of sizes around the chunk and lane limits, in calls and in appy.device
blocks; arrays freed and reallocated between calls; arguments that overlap; a call that
raises half-way; several Python threads at once; and pinned memory that goes back to zero.
Without a device the paths all come to the same copy (there is nothing to copy to): the
tests then check the answers alone. clang-host modules (the CPU as OpenMP device, make
check) take the stage with buffers of ordinary memory, and register falls back to the
pageable path there; tests/gpu runs them on the GPU."""
import hashlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from e2ekit import PROGRAMS

# Elements of float64: under the default APPY_COPY_MIN_KB (1 MiB, pageable), just over it,
# a whole number of 4 MiB chunks, and 8 lanes x 2 chunks plus a ragged end.
SIZES = (1000, (1 << 17) + 1, 1 << 21, (1 << 23) + 4099)


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "copies.py")


@pytest.fixture(scope="module")
def checked(build):
    return build(PROGRAMS / "boundscheck.py")


PATHS_SCRIPT = r"""
import hashlib, importlib.util, sys
import numpy as np
import appy
spec = importlib.util.spec_from_file_location("copies", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
rng = np.random.default_rng(int(sys.argv[2]))
on_gpu = not m._appy_device().startswith("host")   # a device with memory of its own
digest = hashlib.sha256()
for n in [int(s) for s in sys.argv[3].split(",")]:
    a, b = rng.random(n), rng.random(n)
    c = np.full(n, np.nan)
    m.vadd(a, b, c)
    assert np.array_equal(c, a + b), ("vadd", n)
    x = rng.random(n).astype(np.float32)
    k = rng.integers(-5, 5, 7)
    rows = max(1, n // 64)
    mat = rng.random((rows, 64))
    out = np.zeros(rows)
    want_x = (x * np.float32(2.0) + np.float32(1.0)).astype(np.float32)
    want_out = (mat * k[np.arange(64) % 7]).sum(axis=1)
    m.mixed(x, k, mat, out)
    assert np.array_equal(x, want_x), ("mixed x", n)
    assert np.allclose(out, want_out, rtol=1e-12, atol=1e-12), ("mixed out", n)
    with appy.device(a, b, c):          # mapped once, copied by to_device / to_host
        a *= 3.0
        appy.to_device(a)
        m.vadd(a, b, c)
        if on_gpu:                       # without a device there is one copy, which this would spoil
            c[:] = -1.0
        appy.to_host(c)
    assert np.array_equal(c, a + b), ("vadd in appy.device", n)
    for arr in (a, b, c, x, out):
        digest.update(arr.tobytes())
print("device" if on_gpu else "host", digest.hexdigest(), appy.pinned_bytes())
"""


def run_child(script, env, *args, what=None, timeout=600):
    """Runs script with args in a new Python, this environment's APPY_COPY* settings
    replaced by env (the runtime reads them once per process); the finished process,
    which must have succeeded."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("APPY_COPY")}
    full.update(env)
    p = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                       env=full, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{what or env}: {p.stderr}"
    return p


def run_path(prog, seed, env):
    return run_child(PATHS_SCRIPT, env, prog.compiled.__file__, seed,
                     ",".join(map(str, SIZES))).stdout.split()


PATHS = {"stage": {},
         "stage-apart": {"APPY_COPY_TOGETHER": "0"},
         "stage-small": {"APPY_COPY": "stage", "APPY_COPY_MIN_KB": "0",
                         "APPY_COPY_CHUNK_KB": "256", "APPY_COPY_THREADS": "3"},
         "register": {"APPY_COPY": "register", "APPY_COPY_MIN_KB": "0"},
         "pageable": {"APPY_COPY": "pageable"}}


def test_every_path_gives_numpys_answer_bit_for_bit(prog, case):
    seed = int(case.gen.integers(1 << 62))
    results = {name: run_path(prog, seed, env) for name, env in PATHS.items()}
    digests = {name: r[1] for name, r in results.items()}
    assert len(set(digests.values())) == 1, f"seed {seed}: {digests}"
    assert results["register"][2] == "0", "registered pages stayed pinned"
    assert results["pageable"][2] == "0"
    if results["stage"][0] == "device":
        assert 0 < int(results["stage"][2]) <= 64 << 20, results["stage"]


def test_arrays_freed_and_reallocated_between_calls(prog, case):
    """New arrays, often at the addresses of freed ones, of other sizes each time."""
    for _ in range(12):
        n = int(case.gen.integers(1 << 16, 1 << 21))
        a, b = case.array(n, np.float64), case.array(n, np.float64)
        c = np.empty(n)
        prog.compiled.vadd(a, b, c)
        np.testing.assert_array_equal(c, a + b)
        del a, b, c


def test_overlapping_arguments(prog, case):
    """c overlaps a, shifted by one either way, at sizes that take the staged path: NumPy's
    answer (a ufunc copies an input that overlaps its output)."""
    n = (1 << 20) + 3
    for shift in (1, -1):
        x, b = case.array(n + 1, np.float64), case.array(n, np.float64)
        want = x.copy()
        a_w, c_w = (want[1:], want[:-1]) if shift > 0 else (want[:-1], want[1:])
        np.add(a_w, b, out=c_w)
        a, c = (x[1:], x[:-1]) if shift > 0 else (x[:-1], x[1:])
        prog.compiled.vadd(a, b, c)
        np.testing.assert_array_equal(x, want)


def test_call_raising_half_way_loses_nothing(checked, case):
    """between() writes a on the device, then its host code writes out of range: the call
    raises IndexError, a holds the first loop's values and b its old ones, as in CPython."""
    n = (1 << 20) + 5
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    want_a, want_b = a.copy(), b.copy()
    with pytest.raises(IndexError):
        checked.oracle.between(want_a, n + 7, want_b)
    with pytest.raises(IndexError):
        checked.compiled.between(a, n + 7, b)
    np.testing.assert_array_equal(a, want_a)
    np.testing.assert_array_equal(b, want_b)


def test_threads_at_once(prog, case):
    """Four Python threads copy through one module at once: one has the stage, the others
    take the pageable path; every answer is NumPy's."""
    n = (1 << 20) + 17
    inputs = [(case.array(n, np.float64), case.array(n, np.float64)) for _ in range(4)]
    results, errors = [None] * 4, []

    def work(t):
        try:
            a, b = inputs[t]
            for _ in range(5):
                c = np.empty(n)
                prog.compiled.vadd(a, b, c)
                if not np.array_equal(c, a + b):
                    errors.append(f"thread {t}: wrong answer")
            results[t] = True
        except Exception as e:   # reported below
            errors.append(f"thread {t}: {e!r}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(results), errors


def test_pinned_memory_goes_back_to_zero(prog, case):
    """The process holds at most APPY_PINNED_MB (64 MiB) pinned, its stage, until
    appy.release_pinned(); nothing after it."""
    import appy
    n = 1 << 21
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    c = np.empty(n)
    assert appy.release_pinned() == 0      # other tests' modules too
    prog.compiled.vadd(a, b, c)
    np.testing.assert_array_equal(c, a + b)
    assert appy.pinned_bytes() <= 64 << 20
    assert appy.release_pinned() == 0
    assert appy.pinned_bytes() == 0
    prog.compiled.vadd(a, b, c)          # the stage comes back at the next large copy
    np.testing.assert_array_equal(c, a + b)
    del a, b, c
    assert appy.release_pinned() == 0


def test_modules_share_one_stage(prog, build, case):
    """A second module copies through the stage the first one made: it pins nothing more,
    so APPY_PINNED_MB bounds the process however many modules (appy.jit builds one per
    kernel) copy large arrays."""
    import appy
    other = build(PROGRAMS / "inferred.py").compiled
    n = 1 << 21
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    c, d = np.empty(n), np.empty(n)
    assert appy.release_pinned() == 0
    prog.compiled.vadd(a, b, c)
    alone = appy.pinned_bytes()
    other.vadd(a, b, d)
    np.testing.assert_array_equal(c, a + b)
    np.testing.assert_array_equal(d, a + b)
    assert appy.pinned_bytes() == alone
    stages = {m._appy_data("pinned", None) for m in (prog.compiled, other)}
    assert len(stages) == 1, stages
    if not other._appy_device().startswith("host"):   # a device with memory of its own
        assert 0 < alone <= 64 << 20
    assert appy.release_pinned() == 0


TOGETHER_SCRIPT = r"""
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("copies", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
rng = np.random.default_rng(int(sys.argv[2]))
n = 100000
a, b, c = rng.random(n), rng.random(n), np.full(n, np.nan)
m.vadd(a, b, c)
assert np.array_equal(c, a + b)
print(m._appy_device())
"""


def test_arrays_of_a_loop_staged_together(prog, case):
    """The arrays a loop copies in go to the device as one staged copy, its pieces running
    on from one array into the next: vadd's three arrays of 0.8 MB, each under
    APPY_COPY_MIN_KB (1 MiB) alone, are staged together (APPY_PROFILE's line for each)."""
    p = run_child(TOGETHER_SCRIPT, {"APPY_PROFILE": "1"}, prog.compiled.__file__,
                  int(case.gen.integers(1 << 62)), timeout=300)
    if p.stdout.startswith("host"):   # no device: nothing is copied
        assert "to device" not in p.stderr, p.stderr
    else:
        together = [ln for ln in p.stderr.splitlines() if "arrays together" in ln]
        assert len(together) == 3, p.stderr   # a line per array, the copy's rate on each
        assert all(ln.startswith("appy-profile: copy 0.8 MB ") and
                   ln.endswith(" GB/s) to device, staged, 1 of 3 arrays together (2.4 MB)")
                   for ln in together), p.stderr


EARLY_SCRIPT = r"""
import importlib.util, sys, time
import numpy as np
import appy
spec = importlib.util.spec_from_file_location("copies", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = np.arange(1000.0)
c = np.empty(1000)
before = appy.pinned_bytes()
m.vadd(a, a, c)                  # the first call: too small to stage
assert np.array_equal(c, a + a)
for _ in range(200):             # the stage is made in a thread of its own
    if appy.pinned_bytes():
        break
    time.sleep(0.01)
time.sleep(0.2)
print(m._appy_device().split(":")[0], before, appy.pinned_bytes())
"""


@pytest.mark.parametrize("early", ["1", "0"])
def test_stage_made_ahead_of_the_first_large_copy(prog, early):
    """Once the first call has found the device, the module makes the copy stage in a
    thread of its own, so that pinning it does not fall on the first large copy;
    APPY_COPY_EARLY=0 leaves it to that copy, and a module with no device makes none."""
    p = run_child(EARLY_SCRIPT, {"APPY_COPY_EARLY": early}, prog.compiled.__file__,
                  timeout=300)
    where, before, after = p.stdout.split()
    assert before == "0", p.stdout
    made = early == "1" and where != "host"
    assert (int(after) > 0) == made, p.stdout
    assert int(after) <= 64 << 20, p.stdout


FAKE_CUDA = Path(__file__).resolve().parent / "fakecuda.c"

# Four threads call vadd at once from the first call on (the stage being made ahead of the
# first large copy meanwhile): one at a time has the stage, the others take the pageable
# path or wait for the stage being made; every answer is NumPy's.
THREADS_SCRIPT = r"""
import importlib.util, sys, threading
import numpy as np
import appy
spec = importlib.util.spec_from_file_location("copies", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
rng = np.random.default_rng(int(sys.argv[2]))
n = (1 << 20) + 17
inputs = [(rng.random(n), rng.random(n)) for _ in range(4)]
errors = []
def work(t):
    a, b = inputs[t]
    for _ in range(6):
        c = np.full(n, np.nan)
        m.vadd(a, b, c)
        if not np.array_equal(c, a + b):
            errors.append(t)
threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors
assert appy.release_pinned() == 0
print("threads ok")
"""
FAKE_LINE = re.compile(r"^fakecuda: (\d+) async copies, (\d+) errors, (-?\d+) leaked$", re.M)


def test_driver_path_with_a_stand_in_driver(prog, case, tmp_path):
    """The staged and registered paths as they run with the CUDA driver, without a GPU:
    clang-host modules with tests/e2e/fakecuda.c preloaded as libcuda.so.1, whose
    transfers run later in a thread per stream after a random delay, and whose calls fail
    without a current context. Every path gives NumPy's answer, the same bytes as the
    pageable path without it; the stage's transfers went through the stand-in, none of its
    calls failed, and once appy.release_pinned() has run nothing of it is left."""
    if getattr(prog.compiled, "__appy_compiler__", "") != "clang-host":
        pytest.skip("the stand-in's device memory is host memory: clang-host modules only")
    lib = tmp_path / "libcuda.so.1"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-pthread", "-Wall", "-Wextra", "-Werror",
                    "-Wl,-soname,libcuda.so.1", str(FAKE_CUDA), "-o", str(lib)], check=True)
    seed = int(case.gen.integers(1 << 62))
    want = run_path(prog, seed, PATHS["pageable"])[1]
    preload = " ".join(filter(None, [os.environ.get("LD_PRELOAD"), str(lib)]))
    script = PATHS_SCRIPT + "assert appy.release_pinned() == 0\n"
    runs = [(name, script, env) for name, env in PATHS.items()]
    runs.append(("stage, 4 threads", THREADS_SCRIPT, PATHS["stage"]))
    for name, script, env in runs:
        p = run_child(script, dict(env, LD_PRELOAD=preload), prog.compiled.__file__, seed,
                      ",".join(map(str, SIZES)), what=name)
        if script is not THREADS_SCRIPT:
            assert p.stdout.split()[1] == want, f"{name}, seed {seed}: not the pageable path's bytes"
        line = FAKE_LINE.search(p.stderr)
        assert line, f"{name}: the stand-in was not loaded\n{p.stderr}"
        transfers, errors, leaked = map(int, line.groups())
        assert (errors, leaked) == (0, 0), f"{name}: {line.group(0)}"
        assert (transfers > 0) == name.startswith("stage"), f"{name}: {line.group(0)}"
