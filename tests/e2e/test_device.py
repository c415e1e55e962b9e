"""_appy_device() says where kernels run; with APPY_EXPECT_GPU=1 that must be a GPU, and
clang-host modules must run on their device (the CPU as OpenMP device), not fall back."""
import os
import subprocess
import sys

import numpy as np
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "inferred.py")


def test_device_string(prog):
    device = prog.compiled._appy_device()
    print(f"_appy_device() = {device!r}")
    assert isinstance(device, str)
    assert device.startswith(("gpu", "device", "host")), device
    if os.environ.get("APPY_EXPECT_GPU") == "1":
        assert device.startswith("gpu"), f"APPY_EXPECT_GPU=1 but kernels run on {device!r}"
    if getattr(prog.compiled, "__appy_compiler__", "") == "clang-host":
        assert device.startswith("device: "), f"a clang-host module runs on {device!r}"


def test_every_module_says(build):
    for name in ("calls.py", "keywords.py"):
        assert build(PROGRAMS / name).compiled._appy_device().startswith(("gpu", "device", "host"))


def test_large_kernel_on_that_device(prog, case):
    n = (1 << 22) + 17
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    c = np.zeros(n)
    prog.compiled.vadd(a, b, c)
    case.check(c, a + b, f"vadd of {n} elements on {prog.compiled._appy_device()}", rtol=0, atol=0)
    s = prog.compiled.total(a, 2.0)
    case.check(s, 2.0 * a.sum(), "total", atol=1e-12 * np.abs(a).sum())


WAIT_SCRIPT = r"""
import ctypes, importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location(sys.argv[1], sys.argv[2])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
a = np.random.default_rng().random(1000)
c = np.zeros(1000)
mod.vadd(a, a, c)                              # the first call runs the probe kernel
assert np.array_equal(c, a + a)
cu = ctypes.CDLL("libcuda.so.1")
dev, flags, active = ctypes.c_int(), ctypes.c_uint(), ctypes.c_int()
assert cu.cuDeviceGet(ctypes.byref(dev), 0) == 0
assert cu.cuDevicePrimaryCtxGetState(dev, ctypes.byref(flags), ctypes.byref(active)) == 0
print(active.value, flags.value & 7)
"""


@pytest.mark.parametrize("wait, sched", [(None, 0), ("block", 4)])
def test_gpu_wait_policy(prog, tmp_path, wait, sched):
    """clang modules on the GPU leave the CUDA context spinning while kernels run
    (CU_CTX_SCHED_AUTO = 0) instead of the offload runtime's blocking wait
    (CU_CTX_SCHED_BLOCKING_SYNC = 4), which APPY_GPU_WAIT=block keeps."""
    compiler = getattr(prog.compiled, "__appy_compiler__", "")
    if compiler != "clang" or not prog.compiled._appy_device().startswith("gpu"):
        pytest.skip("applies to clang modules whose kernels run on the GPU")
    script = tmp_path / "wait.py"
    script.write_text(WAIT_SCRIPT)
    env = dict(os.environ)
    env.pop("APPY_GPU_WAIT", None)
    if wait:
        env["APPY_GPU_WAIT"] = wait
    out = subprocess.run([sys.executable, str(script), "inferred", prog.compiled.__file__],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", str(sched)], out.stdout
