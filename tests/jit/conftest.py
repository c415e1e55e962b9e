"""The JIT tests: @appy.jit functions compiled on their first call, for the call's types.

APPY_TRANSLATE (the built appy-translate) and APPY_TEST_COMPILER (clang, gcc or none,
default none) come from make check; the tests compile with APPY_COMPILER set to the
latter, into a fresh cache folder of their own, and compare with the same functions run
as plain Python (APPY_DISABLE_JIT=1).
"""
import importlib.util
import os
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).resolve().parent / "programs"


def pytest_configure(config):
    if not os.environ.get("APPY_TRANSLATE"):
        raise pytest.UsageError("APPY_TRANSLATE must name the appy-translate to test")
    os.environ["APPY_COMPILER"] = os.environ.get("APPY_TEST_COMPILER", "none")
    base = Path(config.option.basetemp or os.environ.get("TMPDIR", "/tmp")).resolve()
    cache = base / ("jit-cache-%d" % os.getpid())
    os.environ["APPY_CACHE_DIR"] = str(cache)


def load(name, jit=True):
    """programs/NAME.py as a fresh module, compiled on call (jit) or plain Python."""
    spec = importlib.util.spec_from_file_location("%s_%s" % (name, "jit" if jit else "py"),
                                                  PROGRAMS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    before = os.environ.pop("APPY_DISABLE_JIT", None)
    if not jit:
        os.environ["APPY_DISABLE_JIT"] = "1"
    try:
        spec.loader.exec_module(module)
    finally:
        os.environ.pop("APPY_DISABLE_JIT", None)
        if before is not None:
            os.environ["APPY_DISABLE_JIT"] = before
    return module


@pytest.fixture(scope="session")
def kernels():
    return load("kernels")


@pytest.fixture(scope="session")
def oracle():
    return load("kernels", jit=False)


@pytest.fixture
def rng():
    seed = int(os.environ.get("APPY_TEST_SEED", 0)) or int.from_bytes(os.urandom(4), "little")
    print("APPY_TEST_SEED=%d" % seed)
    import numpy as np
    return np.random.default_rng(seed)
