"""Arguments that already live on the GPU (CuPy arrays, PyTorch CUDA tensors): used in
place by the parallel loops, results of the same kind, nothing copied.

The GPU tests need a GPU and CuPy or PyTorch; they fail rather than skip under
APPY_EXPECT_GPU=1 (the GPU machine has both). Everywhere, an object with a
__cuda_array_interface__ is refused with a TypeError where it cannot be used."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "hostloop.py")


def on_gpu(prog):
    return prog.compiled._appy_device().startswith("gpu") and \
        getattr(prog.compiled, "__appy_compiler__", "") == "clang"


def library(prog, name):
    """cupy or torch, where the test can use it; else skips (fails under APPY_EXPECT_GPU=1
    with clang modules, where it must run)."""
    must = os.environ.get("APPY_EXPECT_GPU") == "1" and \
        getattr(prog.compiled, "__appy_compiler__", "") == "clang"
    if not on_gpu(prog):
        if must:
            pytest.fail("APPY_EXPECT_GPU=1 but the kernels do not run on the GPU")
        pytest.skip("kernels do not run on the GPU with a clang module")
    try:
        return __import__(name)
    except ImportError:
        if must:
            pytest.fail(f"APPY_EXPECT_GPU=1 but {name} cannot be imported")
        pytest.skip(f"no {name}")


class FakeGPUArray:
    """Claims to be a GPU array; the address is never used, since it must be refused."""
    def __init__(self, n):
        self.__cuda_array_interface__ = {"shape": (n,), "typestr": "<f8", "data": (4096, False),
                                         "strides": None, "version": 3}


def test_refused_where_unusable(prog):
    """Kernels off the GPU (CI), or a gcc module: a TypeError that says why."""
    if on_gpu(prog):
        pytest.skip("the kernels run on the GPU with a clang module: GPU arrays are taken")
    with pytest.raises(TypeError, match="a GPU array: only kernels with parallel loops"):
        prog.compiled.jacobi1d(FakeGPUArray(5), np.zeros(5), 1)


@pytest.mark.parametrize("n", (3, 1000))
@pytest.mark.parametrize("steps", (1, 9))
def test_cupy_in_place(prog, case, n, steps):
    cp = library(prog, "cupy")
    a, b = case.array(n, np.float64), np.zeros(n)
    want_a, want_b = a.copy(), b.copy()
    prog.oracle.jacobi1d(want_a, want_b, steps)
    ga, gb = cp.asarray(a), cp.asarray(b)
    prog.compiled.jacobi1d(ga, gb, steps)
    np.testing.assert_allclose(cp.asnumpy(ga), want_a, rtol=1e-13)
    np.testing.assert_allclose(cp.asnumpy(gb), want_b, rtol=1e-13)


def test_cupy_mixed_with_numpy(prog, case):
    cp = library(prog, "cupy")
    a, b = case.array(700, np.float64), np.zeros(700)
    want_a, want_b = a.copy(), b.copy()
    prog.oracle.jacobi1d(want_a, want_b, 4)
    ga = cp.asarray(a)
    prog.compiled.jacobi1d(ga, b, 4)            # b stays a NumPy array, updated in place
    np.testing.assert_allclose(cp.asnumpy(ga), want_a, rtol=1e-13)
    np.testing.assert_allclose(b, want_b, rtol=1e-13)


def test_cupy_result_is_cupy(prog, case):
    cp = library(prog, "cupy")
    a = case.array(500, np.float64)
    got = prog.compiled.fresh_result(cp.asarray(a), 3)
    assert isinstance(got, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(got), prog.oracle.fresh_result(a.copy(), 3), rtol=1e-13)
    s, t = prog.compiled.local_sum(cp.asarray(a))
    want_s, want_t = prog.oracle.local_sum(a.copy())
    assert isinstance(t, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(t), want_t, rtol=1e-13)
    assert abs(s - want_s) <= 1e-9 * (1 + abs(want_s))


@pytest.mark.parametrize("rounds", (1, 5))
def test_cupy_host_code_reads_and_writes(prog, case, rounds):
    cp = library(prog, "cupy")
    a = case.array(77, np.int64)
    want = a.copy()
    want_ret = prog.oracle.host_touch(want, rounds)
    ga = cp.asarray(a)
    assert prog.compiled.host_touch(ga, rounds) == want_ret
    np.testing.assert_array_equal(cp.asnumpy(ga), want)


def test_cupy_refusals(prog):
    cp = library(prog, "cupy")
    with pytest.raises(TypeError, match="must be a float64 array of rank 1, got a GPU array of "
                                        "typestr '<i8' and rank 1"):
        prog.compiled.fresh_result(cp.zeros(5, dtype=cp.int64), 1)
    with pytest.raises(ValueError, match="not C-contiguous"):
        prog.compiled.jacobi1d(cp.zeros(10)[::2], cp.zeros(5), 1)


@pytest.mark.parametrize("n", (2, 999))
def test_torch_in_place_and_result(prog, case, n):
    torch = library(prog, "torch")
    if not torch.cuda.is_available():
        pytest.fail("torch has no CUDA device")
    a, b = case.array(n, np.float64), np.zeros(n)
    want_a, want_b = a.copy(), b.copy()
    prog.oracle.jacobi1d(want_a, want_b, 6)
    ta, tb = torch.tensor(a, device="cuda"), torch.tensor(b, device="cuda")
    prog.compiled.jacobi1d(ta, tb, 6)
    np.testing.assert_allclose(ta.cpu().numpy(), want_a, rtol=1e-13)
    np.testing.assert_allclose(tb.cpu().numpy(), want_b, rtol=1e-13)
    got = prog.compiled.fresh_result(ta, 2)
    assert isinstance(got, torch.Tensor) and got.is_cuda
    np.testing.assert_allclose(got.cpu().numpy(), prog.oracle.fresh_result(want_a.copy(), 2),
                               rtol=1e-13)


PROFILE_RUN = """
import importlib.util, sys
import cupy as cp
spec = importlib.util.spec_from_file_location("hostloop", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
a = cp.random.random(1 << 16)
b = cp.zeros_like(a)
m.jacobi1d(a, b, 5)
"""


def test_cupy_nothing_copied(prog):
    library(prog, "cupy")
    run = subprocess.run([sys.executable, "-c", PROFILE_RUN, prog.compiled.__file__],
                         env=dict(os.environ, APPY_PROFILE="1"), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    calls = re.findall(r"jacobi1d call: copied in ([0-9.]+) MB .*\| copied out ([0-9.]+) MB",
                       run.stderr)
    assert calls == [("0.0", "0.0")], run.stderr
