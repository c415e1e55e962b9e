"""libappyrt and the appy/ headers, through rtcheck.c, a module in the generated shape.

Builds rtcheck with the compiler named by APPY_TEST_COMPILER (gcc, clang or none; default
gcc), warnings as errors, and checks every argument path against the exact exception and
message, results against NumPy and Python on fresh random data (the seed is in every
failure message), profiling output, and the offload checks.

    /usr/bin/python3 -m pytest tests/runtime -q
    APPY_TEST_COMPILER=clang /usr/bin/python3 -m pytest tests/runtime -q

APPY_TEST_MODULE_DIR=<dir holding rtcheck.abi3.so> uses a module built elsewhere (the GPU
machine has no offload compiler); deselect the compile tests there (-k "not compile").
"""
import array
import ctypes
import importlib.machinery
import importlib.util
import math
import os
import re
import struct
import subprocess
import sys
import sysconfig
import textwrap
import threading
import weakref
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
COMPILER = os.environ.get("APPY_TEST_COMPILER", "gcc")
PREBUILT = os.environ.get("APPY_TEST_MODULE_DIR")

OFFLOAD = {
    "clang": ["clang-19", "-O2", "-fPIC", "-fopenmp", "--offload-arch=sm_90",
              "-fopenmp-target-jit"],
    "gcc": ["gcc", "-O2", "-fPIC", "-fopenmp", "-foffload=nvptx-none", "-fcf-protection=none",
            "-foffload-options=-misa=sm_80", "-foffload-options=-lm"],
    # -foffload=disable: with gcc-12-offload-nvptx installed, plain -fopenmp offloads to
    # nvptx for sm_35, which CUDA 13's ptxas rejects at link time.
    "none": ["gcc", "-O2", "-fPIC", "-fopenmp", "-foffload=disable"],
}
# libomp and libomptarget of clang-19 are found without LD_LIBRARY_PATH.
LINK = {"clang": ["-Wl,-rpath,/usr/lib/llvm-19/lib"], "gcc": [], "none": []}
PY_INCLUDE = sysconfig.get_paths()["include"]
CFLAGS = ["-I", str(ROOT / "include"), "-I", PY_INCLUDE, "-DPy_LIMITED_API=0x030B0000",
          "-Wall", "-Wextra", "-Werror"]

I64_MIN, I64_MAX = -2**63, 2**63 - 1
I32_MIN, I32_MAX = -2**31, 2**31 - 1


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}\n{p.stdout}{p.stderr}"
    return p


def runtime_library(out):
    """make check's libappyrt.a (APPY_LIBDIR), else one built here from runtime/*.c."""
    built = Path(os.environ.get("APPY_LIBDIR", "/nonexistent")) / "libappyrt.a"
    if built.exists():
        return built
    objs = []
    for src in sorted((ROOT / "runtime").glob("*.c")):
        obj = out / (src.stem + ".o")
        run(["gcc", "-O2", "-fPIC", *CFLAGS, "-c", src, "-o", obj])
        objs.append(obj)
    lib = out / "libappyrt.a"
    run(["ar", "rcs", lib, *objs])
    return lib


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory):
    if PREBUILT:
        return Path(PREBUILT)
    out = tmp_path_factory.mktemp(f"rtcheck-{COMPILER}")
    lib = runtime_library(out)
    extra = os.environ.get("APPY_CFLAGS", "").split()   # tests/sanitize.sh: the sanitizers
    run([*OFFLOAD[COMPILER], *extra, "-shared", *LINK[COMPILER], *CFLAGS,
         f'-DAPPY_COMPILER="{COMPILER}"', HERE / "rtcheck.c", lib, "-o", out / "rtcheck.abi3.so"])
    return out


@pytest.fixture(scope="session")
def rt(build_dir):
    path = build_dir / "rtcheck.abi3.so"
    loader = importlib.machinery.ExtensionFileLoader("rtcheck", str(path))
    spec = importlib.util.spec_from_file_location("rtcheck", path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def seed():
    return np.random.SeedSequence().entropy


@pytest.fixture
def rng(seed):
    return np.random.default_rng(seed)


def python(build_dir, code, **env):
    """Runs code in a fresh interpreter that can import rtcheck; returns the process."""
    full_env = {**os.environ, **env}
    full_env = {k: v for k, v in full_env.items() if v is not None}
    prog = f"import sys; sys.path.insert(0, {str(build_dir)!r})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True,
                          env=full_env, timeout=300)


# headers

HEADER_USE = """
#define Py_LIMITED_API 0x030B0000
#include <Python.h>
#include <omp.h>
%s
int use(double *x, int n);
int use(double *x, int n)
{
    if (appy_offload_check() < 0)
        return -1;
#pragma omp target teams distribute parallel for map(tofrom: x[0:n])
    for (int i = 0; i < n; i++)
        x[i] = appy_floordiv_f64(x[i], 3.0) + appy_mod_f32((float)x[i], -2.0f)
               + (double)appy_mod_i64(i, -7) + appy_range_len(0, i, 3);
    return 0;
}
"""


@pytest.mark.parametrize("cc", ["gcc", "clang-19"])
def test_runtime_compiles_warning_free(tmp_path, cc):
    """libappyrt is plain C: no OpenMP, no warnings, with either host compiler."""
    for src in sorted((ROOT / "runtime").glob("*.c")):
        run([cc, "-O2", "-fPIC", *CFLAGS, "-c", src, "-o", tmp_path / (src.stem + ".o")])


@pytest.mark.parametrize("order", ["runtime pyops offload", "offload", "pyops runtime offload",
                                   "atomic runtime offload"])
def test_headers_compile(tmp_path, order):
    """Warning-free in any order, with this compiler and with plain gcc -fopenmp."""
    includes = "\n".join(f'#include "appy/{h}.h"' for h in order.split())
    if "pyops" not in order:
        includes += '\n#include "appy/pyops.h"'
    src = tmp_path / "use.c"
    src.write_text(HEADER_USE % includes)
    for cc in (OFFLOAD[COMPILER], ["gcc", "-fopenmp"]):
        run([*cc, *CFLAGS, "-c", src, "-o", tmp_path / "use.o"])


# argument parsing

def test_positional_and_keywords(rt, rng, seed):
    a = rng.standard_normal(int(rng.integers(1, 5000)))
    alpha = float(rng.standard_normal())
    for call in (lambda c: rt.scale(a, c, alpha), lambda c: rt.scale(a, c=c, alpha=alpha),
                 lambda c: rt.scale(alpha=alpha, c=c, a=a)):
        c = np.full_like(a, np.nan)
        assert call(c) is None
        assert_array_equal(c, alpha * a, err_msg=f"seed {seed}")


@pytest.mark.parametrize("args, kwargs, message", [
    ((1, 2), {}, "scale() missing required argument 'alpha' (pos 3)"),
    ((), {"c": 1, "alpha": 2}, "scale() missing required argument 'a' (pos 1)"),
    ((1, 2, 3, 4), {}, "scale() takes 3 arguments (4 given)"),
    ((1, 2, 3), {"x": 4}, "scale() got an unexpected keyword argument 'x'"),
    ((1, 2, 3), {"a": 4}, "scale() got multiple values for argument 'a'"),
    ((1,), {"c": 2, "alpha": 3, "c_": 4}, "scale() got an unexpected keyword argument 'c_'"),
])
def test_parse_errors(rt, args, kwargs, message):
    with pytest.raises(TypeError) as e:
        rt.scale(*args, **kwargs)
    assert str(e.value) == message


def test_one_argument_wording(rt):
    with pytest.raises(TypeError) as e:
        rt.count(1, 2)
    assert str(e.value) == "count() takes 1 argument (2 given)"


# arrays

def test_strided_input_and_output(rt, rng, seed):
    n = int(rng.integers(1, 3000))
    big_a = rng.standard_normal(2 * n)
    big_c = rng.standard_normal(3 * n)
    before = big_c.copy()
    alpha = float(rng.standard_normal())
    rt.scale(big_a[::2], big_c[::3], alpha)
    expect = before.copy()
    expect[::3] = alpha * big_a[::2]
    assert_array_equal(big_c, expect, err_msg=f"seed {seed}")
    rt.scale(big_a[::-1][:n], big_c[1::3], alpha)  # negative strides too
    expect[1::3] = alpha * big_a[::-1][:n]
    assert_array_equal(big_c, expect, err_msg=f"seed {seed}")


def test_strided_read_modify_write_2d(rt, rng, seed):
    n0, n1 = (int(v) for v in rng.integers(1, 200, size=2))
    alpha = np.float32(rng.standard_normal())
    x = rng.standard_normal((n1, n0)).astype(np.float32).T   # Fortran order
    y_base = rng.standard_normal((n0, 2 * n1)).astype(np.float32)
    y = y_base[:, ::2]                                          # strided rows
    untouched = y_base[:, 1::2].copy()
    expect = y + alpha * x
    rt.axpy2(alpha, x, y)
    assert_allclose(y, expect, rtol=1e-6, atol=1e-6, err_msg=f"seed {seed}")
    assert_array_equal(y_base[:, 1::2], untouched, err_msg=f"seed {seed}")


def test_same_strided_array_twice_shares_one_copy(rt, rng, seed):
    y = rng.standard_normal((50, 40)).astype(np.float32).T
    expect = y + np.float32(0.5) * y
    rt.axpy2(0.5, y, y)
    assert_allclose(y, expect, rtol=1e-6, err_msg=f"seed {seed}")


def test_other_buffers(rt, rng, seed):
    a = rng.standard_normal(100)
    c = array.array("d", bytes(8 * 100))
    rt.scale(memoryview(a), c, 2.0)
    assert_array_equal(np.frombuffer(c), 2.0 * a, err_msg=f"seed {seed}")
    big = np.zeros(200)
    rt.scale(a, memoryview(big)[::2], 3.0)  # strided, writable, not an ndarray
    assert_array_equal(big[::2], 3.0 * a, err_msg=f"seed {seed}")
    assert_array_equal(big[1::2], 0.0)


def test_explicit_byte_order_prefix(rt):
    a = (ctypes.c_double * 6)(*range(6))   # exports format '<d'
    c = (ctypes.c_double * 6)()
    assert memoryview(a).format in ("<d", "=d", "@d", "d")
    rt.scale(a, c, 2.0)
    assert list(c) == [2.0 * v for v in range(6)]


def test_concurrent_calls(rt):
    """Kernels run without the GIL and take it back to allocate and box."""
    results = [None] * 8

    def work(t):
        results[t] = [rt.make(1000, float(t), 10)[3] for _ in range(20)]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [[10000.0] * 20] * 8


def test_read_only_input_is_fine(rt):
    a = np.arange(10.0)
    a.setflags(write=False)
    c = np.empty(10)
    rt.scale(a, c, 2.0)
    assert_array_equal(c, 2.0 * a)


def expected_array(param, want):
    return f"scale() argument '{param}' must be {want}"


@pytest.mark.parametrize("bad, tail", [
    (np.zeros(4, np.float32), "got a float32 array of rank 1"),
    (np.zeros(4, np.int64), "got an int64 array of rank 1"),
    (np.zeros((2, 2)), "got a float64 array of rank 2"),
    (np.zeros(()), "got a float64 array of rank 0"),
    (np.zeros(4, ">f8"), "got a big-endian float64 array of rank 1"),
    (np.zeros(4, np.uint8), "got a uint8 array of rank 1"),
    (np.zeros(4, np.complex128), "got a format 'Zd' array of rank 1"),
    (None, "not None"),
    ([1.0, 2.0], "not list"),
    ("abcd", "not str"),
    (3.0, "not float"),
    (np.float64(3.0), "not float64"),
    (b"abcd", "not bytes (a uint8 buffer of rank 1)"),
    (array.array("f", [1.0]), "not array (a float32 buffer of rank 1)"),
])
def test_wrong_array(rt, bad, tail):
    good = np.zeros(4)
    for pos, param in ((0, "a"), (1, "c")):
        args = [good, np.zeros(4), 1.0]
        args[pos] = bad
        with pytest.raises(TypeError) as e:
            rt.scale(*args)
        assert str(e.value) == f"{expected_array(param, 'a float64 array of rank 1')}, {tail}"


def test_rank_and_int_dtype_wording(rt):
    with pytest.raises(TypeError) as e:
        rt.bump(np.zeros(3, np.int64))
    assert str(e.value) == ("bump() argument 'c' must be an int64 array of rank 0, "
                            "got an int64 array of rank 1")


def test_rank_past_appy_array(rt):
    """appy_array holds 8 extents: a 9-d array is refused, naming the parameter, even where
    the module declares rank 9 (built by an older translator), before anything is written
    past them or into the array (issue 18)."""
    want = "argument 'a' is an array of rank 9; kernels take arrays of at most 8 dimensions"
    for a in (np.zeros((1,) * 9), np.zeros((2,) * 9)[..., ::2]):
        with pytest.raises(TypeError) as e:
            rt.deep(a)
        assert str(e.value) == "deep() " + want
        assert not a.any()
    with pytest.raises(TypeError) as e:
        rt.scale(np.zeros((1,) * 9), np.zeros(1), 1.0)
    assert str(e.value) == "scale() " + want


@pytest.mark.parametrize("strided", [False, True])
def test_read_only_output(rt, strided):
    c = np.zeros(8)
    c.setflags(write=False)
    with pytest.raises(ValueError) as e:
        rt.scale(np.zeros(4), c[::2] if strided else c[:4], 1.0)
    assert str(e.value) == "scale() argument 'c' is read-only, but scale writes to it"


def test_rank0_and_bool(rt, rng, seed):
    c = np.array(41, dtype=np.int64)
    rt.bump(c)
    assert c[()] == 42
    frozen = np.array(1, dtype=np.int64)
    frozen.setflags(write=False)
    with pytest.raises(ValueError, match="argument 'c' is read-only"):
        rt.bump(frozen)
    mask = rng.random(int(rng.integers(0, 5000))) < 0.3
    assert rt.count(mask) == int(mask.sum()), f"seed {seed}"
    assert rt.count(mask[::3]) == int(mask[::3].sum()), f"seed {seed}"
    with pytest.raises(TypeError, match=r"^count\(\) argument 'mask' must be a bool array"):
        rt.count(mask.astype(np.uint8))


def test_kernel_errors_raise_without_gil(rt):
    assert rt.idiv(7, -2) == -4
    with pytest.raises(ZeroDivisionError) as e:
        rt.idiv(1, 0)
    assert str(e.value) == "integer division or modulo by zero"
    with pytest.raises(IndexError, match="out of bounds for axis 0 with size 2"):
        rt.scale(np.zeros(4), np.zeros(2), 1.0)


# scalars

def test_scalars_round_trip(rt, rng, seed):
    for _ in range(200):
        i64 = int(rng.integers(I64_MIN, I64_MAX, endpoint=True))
        i32 = int(rng.integers(I32_MIN, I32_MAX, endpoint=True))
        f64 = float(rng.standard_normal() * 10.0 ** rng.integers(-300, 300))
        f32 = np.float32(rng.standard_normal())
        b = bool(rng.integers(2))
        got = rt.scalars(i64, i32, f64, f32, b)
        assert got == (i64, i32, f64, f32, b), f"seed {seed}"
        assert [type(v) for v in got] == [int, np.int32, float, np.float32, bool]
    for v in (I64_MIN, I64_MAX):
        assert rt.scalars(v, I32_MIN, 0.0, 0.0, False)[0] == v
    assert rt.scalars(0, I32_MAX, 0.0, 0.0, False)[1] == I32_MAX


def test_scalars_accept_numpy_and_compatible_kinds(rt):
    got = rt.scalars(np.int64(-5), np.int32(7), np.float32(1.5), np.float64(2.25), np.bool_(True))
    assert got == (-5, 7, 1.5, 2.25, True)
    got = rt.scalars(True, np.uint8(3), 3, 2**40, False)
    assert got == (1, 3, 3.0, float(2**40), False)
    assert rt.scalars(0, 0, 0.0, 1e300, False)[3] == np.inf  # as numpy.float32(1e300)


@pytest.mark.parametrize("pos, value, exc, message", [
    (0, 1.0, TypeError, "scalars() argument 'i64' must be an integer (int64), not float"),
    (1, np.float64(1.0), TypeError,
     "scalars() argument 'i32' must be an integer (int32), not float64"),
    (0, "1", TypeError, "scalars() argument 'i64' must be an integer (int64), not str"),
    (2, "1.0", TypeError, "scalars() argument 'f64' must be a number (float64), not str"),
    (3, None, TypeError, "scalars() argument 'f32' must be a number (float32), not None"),
    (2, 1j, TypeError, "scalars() argument 'f64' must be a number (float64), not complex"),
    (4, 1, TypeError, "scalars() argument 'b' must be a bool, not int"),
    (0, np.True_, TypeError,
     f"scalars() argument 'i64' must be an integer (int64), not {type(np.True_).__name__}"),
    (4, np.zeros(1, bool), TypeError, "scalars() argument 'b' must be a bool, not ndarray"),
    (1, 2**31, OverflowError, "scalars() argument 'i32' = 2147483648 does not fit in int32"),
    (1, -2**31 - 1, OverflowError,
     "scalars() argument 'i32' = -2147483649 does not fit in int32"),
    (0, 2**63, OverflowError,
     "scalars() argument 'i64' = 9223372036854775808 does not fit in int64"),
    (2, 10**400, OverflowError, None),
])
def test_scalar_errors(rt, pos, value, exc, message):
    args = [0, 0, 0.0, 0.0, False]
    args[pos] = value
    with pytest.raises(exc) as e:
        rt.scalars(*args)
    if message:
        assert str(e.value) == message
    else:
        assert str(e.value).startswith("scalars() argument 'f64' = 1000")


SMALL_INTS = (np.int8, np.int16, np.uint8, np.uint16, np.uint32, np.uint64)


def test_small_and_unsigned_ints_round_trip(rt, rng, seed):
    for _ in range(100):
        vals = [int(rng.integers(np.iinfo(t).min, np.iinfo(t).max, endpoint=True, dtype=t))
                for t in SMALL_INTS]
        got = rt.ints(*vals)
        assert got == tuple(vals), f"seed {seed}"
        assert [type(v) for v in got] == list(SMALL_INTS)
    for bound in ("min", "max"):
        vals = [getattr(np.iinfo(t), bound) for t in SMALL_INTS]
        assert rt.ints(*vals) == tuple(vals)
        assert rt.ints(*[t(v) for t, v in zip(SMALL_INTS, vals)]) == tuple(vals)
    assert rt.ints(True, np.uint64(3), np.int64(4), 5, np.uint8(6), 2**64 - 1)[5] == 2**64 - 1


@pytest.mark.parametrize("pos", range(6))
def test_small_and_unsigned_int_errors(rt, pos):
    names = ("i8", "i16", "u8", "u16", "u32", "u64")
    t = SMALL_INTS[pos]
    for bad in (int(np.iinfo(t).min) - 1, int(np.iinfo(t).max) + 1):
        args = [0] * 6
        args[pos] = bad
        with pytest.raises(OverflowError) as e:
            rt.ints(*args)
        assert str(e.value) == f"ints() argument '{names[pos]}' = {bad} does not fit in {t.__name__}"
    args = [0] * 6
    args[pos] = 1.0
    with pytest.raises(TypeError) as e:
        rt.ints(*args)
    assert str(e.value) == (f"ints() argument '{names[pos]}' must be an integer "
                            f"({t.__name__}), not float")


ALL_DTYPES = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64, np.float32, np.float64)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_arrays_of_every_dtype(rt, rng, seed, dtype):
    n = int(rng.integers(1, 50))
    if dtype == np.bool_:
        a = rng.random(n) < 0.5
    elif np.dtype(dtype).kind == "f":
        a = rng.standard_normal(n).astype(dtype)
    else:
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    got = rt.last(a)
    python = dtype in (np.bool_, np.int64, np.float64)   # boxed as bool, int, float
    assert got == a[-1] and type(got) == type(a[-1].item() if python else a[-1]), f"seed {seed}"
    assert rt.last(a[::-2]) == a[::-2][-1], f"seed {seed}"   # strided: a contiguous copy
    with pytest.raises(TypeError) as e:
        rt.last(a.reshape(1, n))
    assert str(e.value).startswith(f"last(): no signature matches ({np.dtype(dtype).name}[:,:])")



@pytest.mark.parametrize("fmt, value", [
    ("b", -5), ("h", -300), ("i", -70000), ("l", -2**40), ("q", -2**40), ("B", 200),
    ("H", 60000), ("I", 2**32 - 1), ("L", 2**64 - 1), ("Q", 2**63), ("?", True),
    ("f", 1.5), ("d", 2.25)])
def test_buffer_formats(rt, fmt, value):
    data = struct.pack(fmt, value) * 3
    assert rt.last(memoryview(data).cast(fmt)) == value


@pytest.mark.parametrize("ctype, value", [
    (ctypes.c_int8, -5), (ctypes.c_int16, -300), (ctypes.c_int32, 7), (ctypes.c_long, -2**40),
    (ctypes.c_uint8, 255), (ctypes.c_uint16, 65535), (ctypes.c_uint32, 2**32 - 1),
    (ctypes.c_ulong, 2**64 - 1), (ctypes.c_bool, True), (ctypes.c_float, -0.5),
    (ctypes.c_double, 3.25)])
def test_standard_size_buffer_formats(rt, ctype, value):
    """ctypes arrays export "<b", "<q", ... (and "<q" for a C long, 64 bits on Linux)."""
    a = (ctype * 3)(value, value, value)
    assert memoryview(a).format[0] == "<"
    assert rt.last(a) == value


class FakeGPUArray:
    """An object with a __cuda_array_interface__ (never used on a GPU here)."""
    def __init__(self, typestr):
        self.__cuda_array_interface__ = {"shape": (3,), "typestr": typestr, "data": (4096, False),
                                         "strides": None, "version": 3}


@pytest.mark.parametrize("typestr, name", [
    ("|b1", "a bool"), ("|i1", "an int8"), ("<i1", "an int8"), ("<i2", "an int16"),
    ("<i4", "an int32"), ("<i8", "an int64"), ("|u1", "a uint8"), ("<u2", "a uint16"),
    ("<u4", "a uint32"), ("<u8", "a uint64"), ("<f4", "a float32"), ("<f8", "a float64"),
    ("<f2", None), (">i4", None), ("|i2", None), ("<i16", None), ("<c8", None)])
def test_gpu_array_typestrs(rt, typestr, name):
    """Dispatch reads the dtype from the typestr; rtcheck cannot take GPU arrays, so the
    chosen overload refuses it naming its dtype."""
    with pytest.raises(TypeError) as e:
        rt.last(FakeGPUArray(typestr))
    if name:
        assert str(e.value).startswith(f"last() argument 'a' must be {name} array of rank 1, "
                                       "not FakeGPUArray (a GPU array")
    else:
        assert str(e.value).startswith("last(): no signature matches")


# allocation and boxing

def test_alloc_and_return(rt, rng, seed):
    n = int(rng.integers(0, 2000))
    k = int(rng.integers(0, 40)) + 3 * 8  # more temporaries than a frame block holds
    fill = float(rng.standard_normal())
    sq, grid, count, total = rt.make(n, fill, k)
    assert_array_equal(sq, np.arange(n, dtype=np.int64) ** 2, err_msg=f"seed {seed}")
    assert sq.dtype == np.int64 and grid.dtype == np.float32 and count.dtype == np.int32
    assert grid.shape == (n, 3) and count.shape == ()
    assert_array_equal(grid, np.full((n, 3), fill, np.float32), err_msg=f"seed {seed}")
    assert count[()] == k and total == float(k * n), f"seed {seed}"
    assert all(a.flags.owndata and a.flags.writeable for a in (sq, grid, count))
    refs = [weakref.ref(a) for a in (sq, grid, count)]
    del sq, grid, count
    assert [r() for r in refs] == [None] * 3  # the frame kept no references


def test_alloc_negative_extent(rt):
    with pytest.raises(ValueError) as e:
        rt.make(-3, 0.0, 0)
    assert str(e.value) == ("make(): negative dimensions are not allowed "
                            "(extent -3 in dimension 0)")


def test_frame_releases_buffers(rt):
    a = np.arange(5.0)
    c = np.zeros(5)
    refs = sys.getrefcount(a), sys.getrefcount(c)
    for _ in range(100):
        rt.scale(a, c, 1.0)
        rt.scale(a[::2], c[::2][:3], 1.0)
    assert (sys.getrefcount(a), sys.getrefcount(c)) == refs
    a.resize(10, refcheck=False)  # fails while any buffer export is still held


# overloads

def test_overload_dispatch(rt, rng, seed):
    x = rng.standard_normal(int(rng.integers(1, 5000)))
    start = int(rng.integers(0, x.size))
    got = rt.total(x, start)
    assert type(got) is float
    assert_allclose(got, x[start:].sum(), rtol=1e-9, atol=1e-9, err_msg=f"seed {seed}")
    xi = rng.integers(-1000, 1000, size=x.size, dtype=np.int32)
    got = rt.total(xi, np.int64(start))
    assert type(got) is int and got == int(xi[start:].sum(dtype=np.int64)), f"seed {seed}"
    frozen = x.copy()
    frozen.setflags(write=False)
    assert_allclose(rt.total(frozen, 0), x.sum(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("args, described", [
    ((np.zeros(3, np.float32), 1), "(float32[:], int)"),
    ((np.zeros((3, 3)), 1), "(float64[:,:], int)"),
    (([1.0], 1), "(list, int)"),
    ((np.zeros(3), 1.5), "(float64[:], float)"),
    ((None, np.int32(2)), "(None, int32)"),
])
def test_no_signature_matches(rt, args, described):
    with pytest.raises(TypeError) as e:
        rt.total(*args)
    assert str(e.value) == (f"total(): no signature matches {described}; expected one of:\n"
                            "  total(float64[:], int64)\n  total(int32[:], int64)")


# pyops: Python's // % max min ** inside target regions

def wrap(v, bits):
    return (v + 2**(bits - 1)) % 2**bits - 2**(bits - 1)


def int_expect(op, a, b, bits):
    if op == 0:
        return 0 if b == 0 else wrap(a // b, bits)
    if op == 1:
        return 0 if b == 0 else a % b
    if op == 2:
        return max(a, b)
    if op == 3:
        return min(a, b)
    return wrap(a ** b, bits)


def int_operands(rng, dtype, n):
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, size=n, dtype=dtype, endpoint=True)
    b = rng.integers(-50, 50, size=n, dtype=dtype)
    b[: n // 2] = rng.integers(info.min, info.max, size=n // 2, dtype=dtype, endpoint=True)
    edges = np.array([info.min, info.max, -1, 0, 1, 7, -7], dtype=dtype)
    a[: edges.size ** 2] = np.repeat(edges, edges.size)
    b[: edges.size ** 2] = np.tile(edges, edges.size)
    rng.shuffle(b[edges.size ** 2:])
    return a, b


@pytest.mark.parametrize("dtype, bits", [(np.int64, 64), (np.int32, 32)])
def test_pyops_integers(rt, rng, seed, dtype, bits):
    a, b = int_operands(rng, dtype, 3000)
    out = np.empty_like(a)
    for op in range(4):
        rt.pyops(op, a, b, out)
        expect = [int_expect(op, int(x), int(y), bits) for x, y in zip(a, b)]
        assert out.tolist() == expect, f"op {op}, seed {seed}"
    base = rng.integers(-60, 60, size=3000, dtype=dtype)
    exp = rng.integers(0, 70, size=3000, dtype=dtype)
    rt.pyops(4, base, exp, out)
    expect = [int_expect(4, int(x), int(y), bits) for x, y in zip(base, exp)]
    assert out.tolist() == expect, f"op 4, seed {seed}"


def float_operands(rng, dtype, n):
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, size=n)
    b = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, size=n)
    a[: n // 4] = np.round(a[: n // 4])  # exact multiples and zero remainders
    b[: n // 8] = np.round(b[: n // 8]) + np.sign(b[: n // 8])
    edges = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, np.inf, -np.inf, np.nan, 1e-300])
    a[-edges.size ** 2:] = np.repeat(edges, edges.size)
    b[-edges.size ** 2:] = np.tile(edges, edges.size)
    return a.astype(dtype), b.astype(dtype)


def same_floats(got, expect):
    """Equal bit for bit (so signed zeros count), any NaN equal to any NaN."""
    got, expect = np.asarray(got), np.asarray(expect, dtype=got.dtype)
    both_nan = np.isnan(got) & np.isnan(expect)
    bits = got.view(f"u{got.itemsize}") == expect.view(f"u{got.itemsize}")
    return both_nan | bits


def test_pyops_float64_is_cpython(rt, rng, seed):
    a, b = float_operands(rng, np.float64, 4000)
    out = np.empty_like(a)
    for op, fn in ((0, lambda x, y: x // y), (1, lambda x, y: x % y), (2, max), (3, min)):
        rt.pyops(op, a, b, out)
        with np.errstate(all="ignore"):  # Python raises on zero: NumPy's answer is promised
            numpy_fn = {0: np.floor_divide, 1: np.remainder}.get(op)
            expect = [fn(float(x), float(y)) if y != 0 or numpy_fn is None
                      else numpy_fn(x, y) for x, y in zip(a, b)]
        ok = same_floats(out, expect)
        bad = np.flatnonzero(~ok)[:5]
        assert ok.all(), f"op {op}, seed {seed}: {[(a[i], b[i], out[i], expect[i]) for i in bad]}"


def test_pyops_float32_is_numpy(rt, rng, seed):
    a, b = float_operands(rng, np.float32, 4000)
    out = np.empty_like(a)
    with np.errstate(all="ignore"):
        expects = {0: np.floor_divide(a, b), 1: np.remainder(a, b),
                   2: np.where(b > a, b, a), 3: np.where(b < a, b, a)}
    for op, expect in expects.items():
        rt.pyops(op, a, b, out)
        ok = same_floats(out, expect)
        bad = np.flatnonzero(~ok)[:5]
        assert ok.all(), f"op {op}, seed {seed}: {[(a[i], b[i], out[i], expect[i]) for i in bad]}"
    with pytest.raises(ValueError, match=r"op 4 \(\*\*\) needs integers"):
        rt.pyops(4, a, b, out)


def test_pyops_dispatch_error(rt):
    with pytest.raises(TypeError) as e:
        rt.pyops(0, np.zeros(2), np.zeros(2, np.float32), np.zeros(2))
    assert str(e.value).startswith("pyops(): no signature matches "
                                   "(int, float64[:], float32[:], float64[:]); expected one of:\n"
                                   "  pyops(int64, int64[:], int64[:], int64[:])\n")


def test_range_len(rt, rng, seed):
    scales = [2**8, 2**20, 2**40, 2**62]
    cases = [(I64_MIN, I64_MAX - 1, 2), (I64_MAX, I64_MIN + 1, -2), (5, 5, 1), (0, 10, -1),
             (-1, -10, -3), (I64_MIN, I64_MAX, I64_MAX), (I64_MAX, I64_MIN, I64_MIN)]
    for _ in range(500):
        s = scales[int(rng.integers(len(scales)))]
        start, stop = (int(v) for v in rng.integers(-s, s, size=2))
        step = int(rng.integers(1, 2 * s // 3 + 2)) * int(rng.choice([-1, 1]))
        cases.append((start, stop, step))
    for start, stop, step in cases:
        try:
            expect = len(range(start, stop, step))
        except OverflowError:  # longer than int64: outside appy_range_len's contract
            continue
        assert rt.rangelen(start, stop, step) == expect, f"{start, stop, step}, seed {seed}"
    with pytest.raises(ValueError, match="must not be zero"):
        rt.rangelen(0, 1, 0)


# profiling

PROFILE_RUN = """
    import numpy as np, rtcheck
    a = np.ones(2**20); c = np.empty_like(a)
    rtcheck.scale(a, c, 2.0)
    rtcheck.scale(a, c, 3.0)
    print("done", flush=True)
"""

LINE = re.compile(r"^appy-profile: rtcheck\.scale line 3: copy-in 8\.4 MB \d+\.\d\d ms"
                  r" \(\d+\.\d\d GB/s\) \| kernel \d+\.\d{3} ms \| copy-out 8\.4 MB \d+\.\d\d ms"
                  r" \(\d+\.\d\d GB/s\)$")


STAGE_CHECK = """
import numpy as np, rtcheck
rng = np.random.default_rng({seed})
# 1.5 MiB (one lane), 4 MiB (chunks cut to give each lane two), 5.5 MiB and a double
# (just enough for both ramps and a chunk), not a whole number of chunks, 32 MiB (many
# chunks per lane)
for n in (3 << 16, 4 << 17, (11 << 16) + 1, (10 << 17) + 3, 1 << 22):
    for to_device in (True, False):
        src = rng.random(n)
        dst = np.zeros(n)
        rc, pinned = rtcheck.stage(dst, src, to_device)
        assert rc == 0, rc
        assert np.array_equal(dst, src), (n, to_device)
        print(pinned)
print(rtcheck.stage_free())
src = np.ones(1000)
print(rtcheck.stage(np.zeros(1000), src, True)[0])   # under APPY_COPY_MIN_KB
"""


@pytest.mark.parametrize("threads,ramp", [(None, None), ("1", None), (None, "0"), (None, "1")])
def test_stage_copies_in_chunks(build_dir, seed, threads, ramp):
    """Copies through the pinned stage (ordinary memory here) in chunks of up to 1 MiB on 3
    lanes give back every byte, in both directions, sizes not a multiple of the chunk
    included, also when OpenMP gives one thread for the 3 lanes, and with the pieces at each
    end of a copy ramped (by default: 256 and 512 KiB pieces before and after the 1 MiB
    ones from 5.5 MiB up), by one level, or not at all; the stage holds lanes x 2 buffers x
    chunk bytes until freed, and small copies do not use it."""
    p = python(build_dir, STAGE_CHECK.format(seed=seed), APPY_COPY_HOST_TEST="1",
               APPY_COPY_CHUNK_KB="1024", APPY_COPY_THREADS="3", APPY_COPY="stage",
               APPY_COPY_MIN_KB="1024", APPY_PINNED_MB=None, OMP_THREAD_LIMIT=threads,
               APPY_COPY_RAMP=ramp)
    assert p.returncode == 0, f"seed {seed}\n{p.stderr}"
    assert p.stdout.split() == [str(6 << 20)] * 10 + ["0", "-1"], p.stdout


@pytest.mark.parametrize("env,expect", [({"APPY_COPY": "pageable"}, "-1"),
                                        ({"APPY_COPY": "register"}, "-1"),
                                        ({"APPY_COPY": None}, str(8 << 20)),
                                        ({"APPY_PINNED_MB": "0"}, "-1"),
                                        ({"APPY_PINNED_MB": "3"}, str(2 << 20)),
                                        ({"APPY_COPY_MIN_KB": "9000"}, "-1")])
def test_stage_settings(build_dir, env, expect):
    """The stage is the default (APPY_COPY=stage); APPY_PINNED_MB caps it (lanes of two
    1 MiB buffers cut to fit), and copies under APPY_COPY_MIN_KB do not use it."""
    code = "import numpy as np, rtcheck\nrc, pinned = rtcheck.stage(np.zeros(1 << 20), np.ones(1 << 20), True)\nprint(rc if rc else pinned)\n"
    p = python(build_dir, code, APPY_COPY_HOST_TEST="1", APPY_COPY_CHUNK_KB="1024",
               APPY_COPY_THREADS="4", **{"APPY_COPY": "stage", "APPY_PINNED_MB": None, **env})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [expect]


def test_profile_lines_and_summary(build_dir):
    p = python(build_dir, PROFILE_RUN, APPY_PROFILE="1")
    assert p.returncode == 0 and p.stdout == "done\n", p.stderr
    lines = p.stderr.splitlines()
    assert sum(bool(LINE.match(s)) for s in lines) == 2, p.stderr
    head = next(k for k, s in enumerate(lines) if s.startswith("appy-profile summary, slowest first"))
    assert lines[head + 1].split() == ["region", "launches", "copy-in", "MB", "copy-in", "ms",
                                       "kernel", "ms", "copy-out", "MB", "copy-out", "ms",
                                       "total", "ms"]
    row = lines[head + 2].split()
    assert row[:5] == ["rtcheck.scale", "line", "3", "2", "16.8"], p.stderr


@pytest.mark.parametrize("value", [None, "0", ""])
def test_profile_off(build_dir, value):
    p = python(build_dir, PROFILE_RUN, APPY_PROFILE=value)
    assert p.returncode == 0 and "appy-profile" not in p.stderr, p.stderr


# device and toolchain

def test_device_info(rt):
    info = rt._appy_device()
    assert rt.__appy_compiler__ == COMPILER
    if COMPILER == "none":
        assert info.startswith("host: module built without offload"), info
    else:
        assert re.match(r"^(gpu: OpenMP device \d+ of \d+ \(.+\)|host: .+)$", info), info


MANDATORY_RUN = """
    import numpy as np, rtcheck
    print(rtcheck._appy_device())
    try:
        c = np.zeros(3)
        rtcheck.scale(np.ones(3), c, 2.0)
        print("ran", c.tolist())
    except RuntimeError as e:
        print("RuntimeError", e)
"""


def test_mandatory_offload_fails_cleanly(build_dir):
    """A RuntimeError before any kernel, where the OpenMP runtime would abort the process."""
    p = python(build_dir, MANDATORY_RUN, OMP_TARGET_OFFLOAD="Mandatory")
    assert p.returncode == 0, p.stderr
    info, result = p.stdout.splitlines()
    if info.startswith("gpu: "):
        assert result == "ran [2.0, 2.0, 2.0]", p.stdout
    else:
        assert result.startswith("RuntimeError appy: OMP_TARGET_OFFLOAD=MANDATORY, but "), result


def test_clang_workarounds_at_init(build_dir, tmp_path):
    """ptxas put on PATH from CUDA_HOME, and LLVM's NVPTX back end registered (clang)."""
    cuda = tmp_path / "cuda"
    (cuda / "bin").mkdir(parents=True)
    (cuda / "bin" / "ptxas").write_text("#!/bin/sh\nexit 1\n")
    (cuda / "bin" / "ptxas").chmod(0o755)
    path = ":".join(d for d in os.environ["PATH"].split(":")
                    if d and not (Path(d) / "ptxas").exists())
    p = python(build_dir, """
        import ctypes, os, rtcheck
        getenv = ctypes.CDLL(None).getenv
        getenv.restype = ctypes.c_char_p
        print(getenv(b"PATH").decode())
        try:
            llvm = ctypes.CDLL("libLLVM.so.19.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            print("no libLLVM")
        else:
            llvm.LLVMGetTargetFromName.restype = ctypes.c_void_p
            print("nvptx64", bool(llvm.LLVMGetTargetFromName(b"nvptx64")))
    """, PATH=path, CUDA_HOME=str(cuda))
    assert p.returncode == 0, p.stderr
    new_path, llvm = p.stdout.splitlines()
    if COMPILER == "clang":
        assert new_path == f"{cuda}/bin:{path}"
        assert llvm == "nvptx64 True"
    else:
        assert new_path == path
        assert llvm == "no libLLVM"


TUNER_CHECK = r"""
#include "appy/runtime.h"
#include "appy/group.h"
#include <stdio.h>
/* a device with an L2 of 50 MiB and 132 multiprocessors, as an H100's */
void appy_device_caches(int dev, size_t *l2, int *sms)
{
  (void)dev;
  *l2 = (size_t)50 << 20;
  *sms = 132;
}
int main(int argc, char **argv)
{
  appy_tuner tu = {0};
  (void)argc;
  for (int call = 2; argv[call]; call++) {   /* argv[1]: the row's bytes; then kernel times */
    int g = appy_tune_size(&tu, 8192, 0);
    printf("%d:%d:%d\n", g, tu.capped, appy_tune_blocks(&tu, 8192, g, (size_t)atol(argv[1])));
    appy_tune_ran(&tu, atof(argv[call]));
  }
  return 0;
}
"""


@pytest.mark.parametrize("times, cap, want", [
    # untimed first call, then 512, 256 and 1024 lanes, then 256 capped: the fastest
    ("0 5 4 6 3 9 9", "1", ["512:0:8192", "512:0:8192", "256:0:8192", "1024:0:8192",
                            "256:1:200", "256:1:200", "256:1:200"]),
    # capped slower: 256 lanes uncapped from then on
    ("0 5 4 6 7 1 1", "1", ["512:0:8192", "512:0:8192", "256:0:8192", "1024:0:8192",
                            "256:1:200", "256:0:8192", "256:0:8192"]),
    # APPY_GROUP_CAP=0: no capped candidate
    ("0 5 4 6 3 3", "0", ["512:0:8192", "512:0:8192", "256:0:8192", "1024:0:8192",
                          "256:0:8192", "256:0:8192"]),
])
def test_group_tuner_tries_a_capped_grid(tmp_path, times, cap, want):
    """The group-size tuner (appy/group.h) times three sizes, then the fastest with its
    grid capped so that rows of 128 KiB in flight fit in half a 50 MiB L2 (200 blocks
    of one group), and keeps whichever was faster."""
    if COMPILER != "clang":
        pytest.skip("group mode's bare kernels are clang's")
    src, exe = tmp_path / "tuner.c", tmp_path / "tuner"
    src.write_text(TUNER_CHECK)
    run([*OFFLOAD["clang"], *CFLAGS, src, "-o", exe, *LINK["clang"]])
    p = run([exe, str(8192 * 8 * 2), *times.split()], env=dict(os.environ, APPY_GROUP_CAP=cap))
    assert p.stdout.split() == want
