"""_appy_device() says where kernels run; with APPY_EXPECT_GPU=1 that must be a GPU."""
import os

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
    assert device.startswith(("gpu", "host")), device
    if os.environ.get("APPY_EXPECT_GPU") == "1":
        assert device.startswith("gpu"), f"APPY_EXPECT_GPU=1 but kernels run on {device!r}"


def test_every_module_says(build):
    for name in ("calls.py", "keywords.py"):
        assert build(PROGRAMS / name).compiled._appy_device().startswith(("gpu", "host"))


def test_large_kernel_on_that_device(prog, case):
    n = (1 << 22) + 17
    a, b = case.array(n, np.float64), case.array(n, np.float64)
    c = np.zeros(n)
    prog.compiled.vadd(a, b, c)
    case.check(c, a + b, f"vadd of {n} elements on {prog.compiled._appy_device()}", rtol=0, atol=0)
    s = prog.compiled.total(a, 2.0)
    case.check(s, 2.0 * a.sum(), "total", atol=1e-12 * np.abs(a).sum())
