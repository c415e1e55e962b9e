"""@appy.jit: compiled on the first call for the call's types, kept in the disk cache,
with APPy's semantics (shared(...) reductions, unknown clauses rejected)."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import appy
from conftest import PROGRAMS, load

COMPILER = os.environ.get("APPY_TEST_COMPILER", "none")


def compiled_module(fn, sig):
    """The extension module fn's specialisation `sig` runs in (None: plain Python)."""
    return fn.modules[sig]


def test_compiles_on_first_call(kernels, oracle, rng):
    x = rng.random(1001)
    y = rng.random(1001)
    want = y.copy()
    oracle.axpy(2.5, x, want)
    kernels.axpy(2.5, x, y)
    np.testing.assert_allclose(y, want, rtol=1e-15)
    assert kernels.axpy.signatures == ["float, float64[:], float64[:]"]
    module = compiled_module(kernels.axpy, "float, float64[:], float64[:]")
    assert module is not None and module.__appy_compiler__ == COMPILER
    assert module._appy_device().startswith(("gpu", "device", "host"))


def test_types_choose_the_specialisation(kernels, oracle, rng):
    """float32 and float64 arrays, int and float scalars: one compiled version each, each
    computing as NumPy does in its types."""
    for dtype in (np.float32, np.float64):
        x = rng.random(333).astype(dtype)
        y = rng.random(333).astype(dtype)
        want = y.copy()
        oracle.axpy(np.float32(0.5) if dtype == np.float32 else 0.5, x, want)
        kernels.axpy(np.float32(0.5) if dtype == np.float32 else 0.5, x, y)
        np.testing.assert_allclose(y, want, rtol=2e-7 if dtype == np.float32 else 1e-15)
    x = rng.random(10)
    y = np.zeros(10)
    kernels.axpy(2, x, y)            # a Python int scalar: another specialisation
    np.testing.assert_allclose(y, 2 * x + 3, rtol=1e-15)
    assert {"float32, float32[:], float32[:]", "float, float64[:], float64[:]",
            "int, float64[:], float64[:]"} <= set(kernels.axpy.signatures)


def test_index_arrays_are_integers(kernels, rng):
    """CSR with int32 and int64 index arrays: the types come from the call, no export line."""
    n = 200
    dense = rng.random((n, n)) * (rng.random((n, n)) < 0.05)
    indptr = np.concatenate([[0], np.cumsum((dense != 0).sum(axis=1))])
    indices = np.nonzero(dense)[1]
    data = dense[dense != 0]
    x = rng.random(n)
    for itype in (np.int32, np.int64):
        y = np.zeros(n)
        kernels.spmv(data, indptr.astype(itype), indices.astype(itype), x, y)
        np.testing.assert_allclose(y, dense @ x, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel", ["shared_sum", "shared_max", "shared_min", "shared_prod"])
def test_shared_reductions_repeated(kernels, oracle, rng, kernel):
    """A shared(...) scalar updated in a reduction's form is a reduction, never a race:
    right in 1000 calls of 1000 in a row."""
    n = 100_000
    if kernel == "shared_prod":
        a = rng.choice(np.array([-1, 1], dtype=np.int64), n)
        a[rng.integers(0, n, 5)] = 2
    else:
        a = rng.integers(-10**6, 10**6, n)
    want = getattr(oracle, kernel)(a)
    f = getattr(kernels, kernel)
    wrong = [got for got in (f(a) for _ in range(1000)) if got != want]
    assert not wrong, "%d of 1000 calls wrong (first %r, want %r)" % (len(wrong), wrong[0], want)


def test_shared_float_sum(kernels, rng):
    a = rng.random(1 << 17)
    for _ in range(50):
        assert abs(kernels.shared_sum(a) - a.sum()) <= 1e-9 * a.sum()


def test_shared_scalar_keeps_its_type(kernels, rng):
    """As in APPy (a shared scalar lives in a one-element array made from its value before
    the loop): b = 0.0 summing float32 elements sums in float64 and returns a Python float,
    where plain Python would give a float32."""
    a = rng.random(1 << 16).astype(np.float32)
    got = kernels.shared_fsum(a)
    assert type(got) is float
    assert abs(got - a.astype(np.float64).sum()) <= 1e-12 * got


def test_shared_flag_is_kept(kernels):
    """A shared scalar that is not a reduction: any iteration's write is seen after the loop."""
    a = np.arange(100, dtype=np.int64)
    assert kernels.shared_flag(a, 37) == 1
    assert kernels.shared_flag(a, -5) == 0


def test_host_code_stays_python(kernels, rng):
    """np.linalg.norm is outside the subset: the host code runs as Python with the real
    globals, the loop compiled."""
    a = rng.random(500)
    out = np.zeros(500)
    assert kernels.host_python(a, out) is True
    np.testing.assert_allclose(out, a / np.linalg.norm(a), rtol=1e-14)
    assert compiled_module(kernels.host_python, "float64[:], float64[:]") is not None


def test_floyd_row_statement(kernels, oracle, rng):
    """path[i, :] = np.minimum(path[i, :], path[i, k] + path[k, :]): path[k, :] is the row
    written or another one, path[i, k] is read before the row is written (as in NumPy)."""
    path = rng.integers(1, 100, (70, 70)).astype(np.int32)
    want = oracle.floyd(path.copy())
    got = kernels.floyd(path.copy())
    np.testing.assert_array_equal(got, want)


def test_nested_function(kernels, rng):
    f = kernels.make_nested(1)
    a = rng.random(64)
    out = np.zeros(64)
    f(a, out)
    np.testing.assert_array_equal(out, 2 * a)


def test_keywords_and_bad_calls(kernels, rng):
    x = rng.random(16)
    y = np.zeros(16)
    kernels.axpy(y=y, x=x, a=1.0)
    np.testing.assert_allclose(y, x + 3, rtol=1e-15)
    with pytest.raises(TypeError, match="argument 'x': a list"):
        kernels.axpy(1.0, [1.0, 2.0], y)
    with pytest.raises(TypeError):
        kernels.axpy(1.0, x)                 # Python's own message: a missing argument
    with pytest.raises(TypeError, match="complex128"):
        kernels.axpy(1.0, x.astype(np.complex128), y)
    with pytest.raises(TypeError, match="argument 'x': an array of rank 9; kernels take "
                                        "arrays of at most 8 dimensions"):
        kernels.axpy(1.0, np.zeros((1,) * 9), y)   # issue 18: not a translation failure


def test_function_without_parallel_loops_is_plain_python(kernels):
    assert kernels.no_loops([1, 2, 3]) == [1, 2, 3]
    assert not isinstance(kernels.no_loops, appy._jit.Dispatcher)


def test_translation_error_points_at_the_file():
    bad = load("bad")
    a = np.ones(10)
    with pytest.raises(appy.CompileError) as e:
        bad.bad_clause(a, a)
    msg = str(e.value)
    path = str(PROGRAMS / "bad.py")
    assert "%s:8:31: error: unknown clause 'my_directive'" % path in msg, msg
    assert "    8 |     #pragma parallel for simd my_directive\n" in msg, msg
    assert re.search(r"\n +\| {31}\^", msg), msg
    with pytest.raises(appy.CompileError):      # again: the error is kept, not rebuilt
        bad.bad_clause(a, a)
    np.testing.assert_array_equal(bad.good(a, a), 2 * a)   # the file's other kernels work


def test_translation_error_in_a_non_utf8_folder(tmp_path):
    """The diagnostics name the file as Python does (os.fsdecode), whatever its bytes."""
    path = tmp_path / os.fsdecode(b"lat\xe9") / "bad.py"
    path.parent.mkdir()
    shutil.copyfile(PROGRAMS / "bad.py", path)
    spec = importlib.util.spec_from_file_location("bad_latin", path)
    bad = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bad)
    with pytest.raises(appy.CompileError) as e:
        bad.bad_clause(np.ones(3), np.ones(3))
    assert "%s:8:31: error: unknown clause 'my_directive'" % path in str(e.value), str(e.value)


def test_translation_error_in_nested_function():
    carried = load("bad").outer()
    with pytest.raises(appy.CompileError) as e:
        carried(np.ones(4))
    msg = str(e.value)
    # The error's column and source line are the file's, not the moved function's.
    assert "bad.py:30:17: error: 's' carries a value" in msg, msg
    assert "   30 |             s = s * 2.0 + a[i]\n" in msg, msg
    assert re.search(r"\n +\| {17}\^", msg), msg


def test_disable_jit(kernels, monkeypatch):
    monkeypatch.setenv("APPY_DISABLE_JIT", "1")
    assert appy.jit(kernels.axpy.py_func) is kernels.axpy.py_func


def test_options(kernels, tmp_path, capsys):
    with pytest.warns(UserWarning, match="unknown option 'not_an_option'"):
        appy.jit(not_an_option=1)
    dump = tmp_path / "dumped.c"
    f = appy.jit(kernels.axpy.py_func, dump_code=True, dump_code_to_file=str(dump),
                 verbose_static_rewrite=True)
    x = np.ones(8)
    y = np.zeros(8)
    f(1.0, x, y)
    out = capsys.readouterr().out
    assert "#pragma omp" in out and "Generated by appy-translate" in out
    assert "#pragma omp" in dump.read_text()
    np.testing.assert_array_equal(y, x + 3)
    dry = appy.jit(kernels.axpy.py_func, dry_run=True)
    y = np.zeros(8)
    dry(1.0, x, y)
    assert dry.modules["float, float64[:], float64[:]"] is None   # ran as Python
    np.testing.assert_array_equal(y, x + 3)


def run_program(env_changes, *args, timeout=300):
    env = dict(os.environ)
    env.update(env_changes)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, str(PROGRAMS / "cached.py"), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_cache_across_processes(tmp_path):
    """The first run compiles, the second one only loads; both give the right answer."""
    env = {"APPY_CACHE_DIR": str(tmp_path / "cache"), "APPY_JIT_VERBOSE": "1"}
    first = run_program(env)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("appy.jit: compiled double(") == 1, first.stderr
    second = run_program(env)
    assert second.returncode == 0, second.stderr
    assert "compiled" not in second.stderr, second.stderr
    print(first.stdout.strip(), "|", second.stdout.strip())
    builds = [d for d in os.listdir(tmp_path / "cache") if d.startswith("double-")]
    assert len(builds) == 1, builds
    assert {"info.json", "source.py"} <= set(os.listdir(tmp_path / "cache" / builds[0]))


def test_cache_filled_by_several_processes(tmp_path):
    env = dict(os.environ, APPY_CACHE_DIR=str(tmp_path / "cache"))
    procs = [subprocess.Popen([sys.executable, str(PROGRAMS / "cached.py")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    entries = os.listdir(tmp_path / "cache")
    assert len([d for d in entries if d.startswith("double-")]) == 1, entries
    assert not [d for d in entries if d.startswith(".build-")], entries


def test_file_in_a_hostile_folder(tmp_path):
    """appy.jit names the function's file to appy-translate: a folder that closes a C
    string and defines a constructor, with "*/", a newline and '%' in the path (issue 18),
    builds, computes, and runs none of that code."""
    folder = (tmp_path / 'x"); __attribute__((constructor)) static void f(void){puts("IN" '
              '"JECTED");} PyDoc_STRVAR(zz, "' / "a*" / "%s%n\n#error q\\??")
    folder.mkdir(parents=True)
    shutil.copyfile(PROGRAMS / "cached.py", folder / "prog.py")
    env = dict(os.environ, APPY_CACHE_DIR=str(tmp_path / "cache"), APPY_JIT_VERBOSE="1")
    p = subprocess.run([sys.executable, str(folder / "prog.py")], env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "compiled double(" in p.stderr, p.stderr
    assert "INJECTED" not in p.stdout + p.stderr and p.stdout.startswith("first call"), p.stdout


def test_no_compiler_runs_python_and_says_so(tmp_path):
    env = {"APPY_CACHE_DIR": str(tmp_path / "empty"), "APPY_TRANSLATE": "/nonexistent/appy-translate",
           "PATH": "/usr/bin:/bin"}
    p = run_program(env)
    assert p.returncode == 0, p.stderr
    assert p.stderr.count("no compiler to build double") == 1, p.stderr
    assert "plain Python" in p.stderr


def test_cache_without_compiler(tmp_path):
    """What a machine with only the runtime sees: a filled cache still works, silently."""
    cache = str(tmp_path / "cache")
    assert run_program({"APPY_CACHE_DIR": cache}).returncode == 0
    p = run_program({"APPY_CACHE_DIR": cache, "APPY_TRANSLATE": "/nonexistent/appy-translate",
                     "PATH": "/usr/bin:/bin", "APPY_JIT_VERBOSE": "1"})
    assert p.returncode == 0, p.stderr
    assert "no compiler" not in p.stderr and "compiled" not in p.stderr, p.stderr


def test_other_setup_rebuilds(tmp_path):
    """A build made by another translator or runtime is made again where one is there."""
    cache = str(tmp_path / "cache")
    assert run_program({"APPY_CACHE_DIR": cache}).returncode == 0
    p = run_program({"APPY_CACHE_DIR": cache, "APPY_JIT_VERBOSE": "1",
                     "APPY_INCLUDEDIR": os.environ.get("APPY_INCLUDEDIR", "") + "/."})
    assert p.returncode == 0, p.stderr
    assert "compiled double(" in p.stderr, p.stderr


def test_clear_cache(kernels, tmp_path):
    f1 = appy.jit(kernels.shared_sum.py_func)
    a = np.arange(10)
    assert f1(a) == 45
    d = f1.modules["int64[:]"].__file__
    mtime = os.path.getmtime(d)
    f2 = appy.jit(kernels.shared_sum.py_func, clear_cache=True)
    assert f2(a) == 45
    assert os.path.getmtime(f2.modules["int64[:]"].__file__) >= mtime
    assert f2.modules["int64[:]"].__file__ == d


@pytest.fixture
def nep50():
    """NumPy 2's promotion (NumPy 1.x here has it behind a switch)."""
    old = None if np.__version__ >= "2" else np._get_promotion_state()
    if old:
        np._set_promotion_state("weak")
    with np.errstate(over="ignore"):
        yield
    if old:
        np._set_promotion_state(old)


@pytest.mark.parametrize("dtype", ["uint8", "int16", "uint32", "int64", "float32", "bool"])
def test_every_dtype_from_the_call(kernels, oracle, rng, nep50, dtype):
    """Arrays of small and unsigned integer types: NumPy's wraparound and result types, with
    a Python int (weak) and a NumPy scalar (strong) for k."""
    a = rng.integers(0, 2, 1000).astype(dtype) if dtype == "bool" else \
        rng.integers(0, 100, 1000).astype(dtype)
    for k in (3, np.int16(3)):
        out_t = (a * k + 1).dtype
        got, want = np.zeros(1000, out_t), np.zeros(1000, out_t)
        kernels.scale_add(a, k, got)
        oracle.scale_add(a, k, want)
        np.testing.assert_array_equal(got, want)
    assert any(s.startswith(dtype + "[:], int,") for s in kernels.scale_add.signatures)


@pytest.mark.parametrize("itype", ["uint8", "int16", "int32", "uint64"])
@pytest.mark.parametrize("htype", ["uint8", "int16", "int32", "float64"])
def test_histograms_of_every_integer_type(kernels, rng, itype, htype):
    """Updates several iterations make to one element are atomic for every element type
    (1- and 2-byte ones by a compare-and-swap on their word): repeated, the counts stay
    exact."""
    idx = rng.integers(0, 50, 20000).astype(itype)
    want = np.bincount(idx.astype(np.int64), minlength=50).astype(htype)
    if htype == "uint8":
        want = (np.bincount(idx.astype(np.int64), minlength=50) % 256).astype(htype)
    for _ in range(20):
        hist = np.zeros(50, htype)
        kernels.histogram(idx, hist)
        np.testing.assert_array_equal(hist, want)


def test_closure_variables(kernels, rng):
    """A nested kernel's variables of the enclosing function (a number, an array) are
    passed to the compiled code; a new value of them is seen at the next call."""
    a = rng.random(100)
    w = rng.random(7)
    f = kernels.make_closure(60, w)
    out = np.zeros(100)
    f(a, out)
    want = np.zeros(100)
    want[:60] = a[:60] * w[np.arange(60) % 7] + 60
    np.testing.assert_allclose(out, want, rtol=1e-15)
    w[:] = 2.0                                     # the same array, changed
    f(a, out)
    np.testing.assert_allclose(out[:60], a[:60] * 2.0 + 60, rtol=1e-15)
    assert f.signatures == ["float64[:], float64[:], int, float64[:]"]


def test_exception_of_the_function_itself(kernels):
    """A KeyError the function raises reaches the caller after one run (not taken for a
    missing specialisation and run again)."""
    a = np.zeros(4)
    kernels.lookup(a, 1)
    np.testing.assert_array_equal(a, 2.5)
    before = kernels.TABLE["calls"]
    with pytest.raises(KeyError):
        kernels.lookup(a, 7)
    assert kernels.TABLE["calls"] == before + 1


def test_boundscheck(monkeypatch, rng):
    """APPY_BOUNDSCHECK=1 builds checked code, cached apart from the unchecked build: an
    index out of range raises IndexError naming the array and the line."""
    import numpy as np
    monkeypatch.setenv("APPY_BOUNDSCHECK", "1")
    checked = load("kernels")      # a fresh module: its specialisations are built anew
    data, x = rng.random(4), rng.random(3)
    indptr, indices = np.array([0, 2, 4]), np.array([0, 2, 1, 3])
    with pytest.raises(IndexError, match=r"^index 3 is out of bounds for axis 0 with size 3 "
                       r"\(array 'x', \S*kernels\.py, line \d+\)$"):
        checked.spmv(data, indptr, indices, x, np.zeros(2))
    y = np.zeros(2)
    checked.spmv(data, indptr, np.array([0, 2, 1, 2]), x, y)
    np.testing.assert_allclose(y, [data[0] * x[0] + data[1] * x[2], data[2] * x[1] + data[3] * x[2]])
