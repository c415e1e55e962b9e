"""A module built for the host only by clang imports and computes.

That is what `appy-translate --compiler none` builds where configure found CC=clang-19:
clang -fopenmp without an offload target links libomp alone, which has none of the
omp_target_* functions that appy/offload.h calls when kernels run on a device (LLVM's
libomptarget has them). Such a module failed to import ("undefined symbol:
omp_target_disassociate_ptr") while configure said host OpenMP worked.
"""
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from e2ekit import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]
CLANG = shutil.which("clang-19")


def _load(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def host_clang(translator, tmp_path_factory):
    exe, _ = translator
    if exe is None:
        pytest.skip("needs APPY_TRANSLATE (not APPY_PREBUILT)")
    if CLANG is None:
        pytest.skip("clang-19 is not installed")
    lib = Path(os.environ.get("APPY_LIBDIR", ROOT / "runtime")) / "libappyrt.a"
    if not lib.is_file():
        pytest.skip(f"no {lib}: build the runtime first (make)")
    out = tmp_path_factory.mktemp("host_clang")
    c, so = out / "hostclang.c", out / "hostclang.abi3.so"
    p = subprocess.run([exe, "--compiler", "none", "--emit-c", "-m", "hostclang", "-o", c,
                        PROGRAMS / "inferred.py"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    cmd = [CLANG, "-O2", "-fPIC", "-shared", "-fopenmp", "-Wall", "-Wextra", "-Werror",
           "-fwrapv", *os.environ.get("APPY_CFLAGS", "").split(), f"-I{ROOT / 'include'}", f"-I{sysconfig.get_paths()['include']}",
           c, lib, "-lm", "-o", so]
    p = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}\n{p.stderr}"
    return _load("hostclang", so)


def test_imports_and_runs_on_the_host(host_clang, case):
    assert host_clang._appy_device().startswith("host"), host_clang._appy_device()
    n = 10007
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    c = np.zeros(n)
    host_clang.vadd(a, b, c)
    case.check(c, a + b, "vadd", rtol=0, atol=0)
    case.check(host_clang.total(a, 2.0), 2.0 * a.sum(), "total", atol=1e-12 * np.abs(a).sum())


def test_data_operations_touch_no_device(host_clang):
    a = np.arange(100.0)
    for op in ("enter", "to_device", "to_host", "exit"):
        assert host_clang._appy_data(op, a) is False
    assert host_clang._appy_data("present", a) is False
    assert np.array_equal(a, np.arange(100.0))
