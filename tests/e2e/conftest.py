"""Fixtures of the end-to-end tests.

`build(src)` translates one annotated program with $APPY_TRANSLATE, builds it with
$APPY_TEST_COMPILER (clang, gcc or none; default none), imports the compiled module and
loads the same source as plain Python, the oracle. `case` gives fresh random inputs from a
printed seed and comparisons that name it (see e2ekit.py).
"""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "python") not in sys.path:    # PYTHONPATH normally has it already
    sys.path.insert(0, str(ROOT / "python"))

from e2ekit import Case, Program, new_seed  # noqa: E402

COMPILERS = ("clang", "gcc", "clang-host", "none")


@pytest.fixture(scope="session")
def translator():
    if os.environ.get("APPY_PREBUILT"):
        return None, os.environ.get("APPY_TEST_COMPILER", "prebuilt")
    path = os.environ.get("APPY_TRANSLATE")
    if not path:
        pytest.fail("APPY_TRANSLATE is not set: point it at the appy-translate binary, "
                    "e.g. APPY_TRANSLATE=translator/appy-translate", pytrace=False)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"APPY_TRANSLATE={path} is not an executable file", pytrace=False)
    compiler = os.environ.get("APPY_TEST_COMPILER", "none")
    if compiler not in COMPILERS:
        pytest.fail(f"APPY_TEST_COMPILER={compiler}: expected one of {COMPILERS}", pytrace=False)
    return os.path.abspath(path), compiler


@pytest.fixture(scope="session")
def build(translator, tmp_path_factory):
    """build(src) -> Program; each source is translated once per session."""
    cache = {}

    def build(src):
        src = Path(src).resolve()
        if src not in cache:
            cache[src] = _build(translator, src, tmp_path_factory.mktemp(src.stem))
        if isinstance(cache[src], str):
            pytest.fail(cache[src], pytrace=False)
        return cache[src]
    return build


def _build(translator, src, workdir):
    """Translates a copy of src in workdir (so that nothing is written beside the source)
    and loads the result; returns a Program or the text of the failure. With
    APPY_PREBUILT=DIR (the GPU machine has no offload compiler), loads DIR/NAME.abi3.so,
    built beforehand by tests/gpu/build.sh, instead; a source that a test wrote (not one of
    tests/e2e/programs) from DIR/gen/DIGEST/NAME.abi3.so. With APPY_SAVE_SOURCES=DIR, such
    sources are only kept, as DIR/DIGEST/NAME.py, for tests/gpu/build.sh: nothing is built
    and the tests fail."""
    exe, compiler = translator
    name = src.stem
    generated = src.parent != ROOT / "tests" / "e2e" / "programs"
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
    prebuilt = os.environ.get("APPY_PREBUILT")
    if prebuilt:
        path = Path(prebuilt) / "gen" / digest if generated else Path(prebuilt)
        path = path / f"{name}.abi3.so"
        if not path.is_file():
            return f"APPY_PREBUILT={prebuilt} has no {path.relative_to(prebuilt)}"
        return Program(_load(name, path), _load(f"oracle_{name}", src))
    if os.environ.get("APPY_SAVE_SOURCES"):
        if generated:
            keep = Path(os.environ["APPY_SAVE_SOURCES"]) / digest
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, keep / src.name)
        return f"APPY_SAVE_SOURCES: {src.name} kept, not built"
    copy = workdir / src.name
    shutil.copyfile(src, copy)
    out = workdir / f"{name}.abi3.so"
    cmd = [exe, "--compiler", compiler, "-o", str(out), "-m", name, str(copy)]
    if name.startswith("boundscheck"):   # as tests/gpu/build.sh builds it
        cmd.insert(1, "--boundscheck")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return f"appy-translate timed out on {src.name}\n$ {' '.join(cmd)}"
    if proc.returncode != 0:
        return (f"appy-translate failed (exit {proc.returncode}) on {src.name}\n"
                f"$ {' '.join(cmd)}\n{proc.stderr}{proc.stdout}")
    if not out.is_file():
        return f"appy-translate exited 0 but wrote no {out}\n$ {' '.join(cmd)}\n{proc.stderr}"
    try:
        compiled = _load(name, out)
    except Exception:
        return f"cannot import the module built from {src.name}:\n{traceback.format_exc()}"
    return Program(compiled, _load(f"oracle_{name}", src))


def _load(name, path):
    """Imports path as module `name`; a .py file as plain Python (APPY_DISABLE_JIT: its
    @appy.jit functions stay as written, the oracle)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    before = os.environ.get("APPY_DISABLE_JIT")
    os.environ["APPY_DISABLE_JIT"] = "1"
    try:
        spec.loader.exec_module(module)
    finally:
        if before is None:
            del os.environ["APPY_DISABLE_JIT"]
        else:
            os.environ["APPY_DISABLE_JIT"] = before
    return module


@pytest.fixture
def case():
    seed = new_seed()
    print(f"random seed {seed} (rerun with APPY_TEST_SEED={seed})")
    return Case(seed)
