"""File names and source text in the generated C (issue 18): a source path with quotes,
comment ends, newlines, '%', backslashes, trigraphs, control characters, non-ASCII or
non-UTF-8 bytes, or C code of its own builds a module that computes, shows the path as it
is in its docstrings and messages, and runs none of it at import; so do source lines with
comment ends, bytes that are not UTF-8 and "\r" line ends, quoted in comments."""
import ast
import os
import subprocess
import sys

import pytest

KERNEL = """import appy

# appy: export scale(float64[:], float64[:])
@appy.jit
def scale(a, b):
    for i in appy.prange(a.shape[0]):
        a[i] = 2.0 * a[i]
    a[:] = a + b


# appy: export shift(float64[:])
@appy.jit
def shift(a):
    by = {"step": 1.0}["step"]   # a dict: the host code stays Python, run from the file
    for i in appy.prange(a.shape[0]):
        a[i] = a[i] + by
"""
DEF_LINE, CHECK_LINE = 5, 8   # of `def scale` and of the broadcast check (a[:] = a + b)
# The same without the check, whose message broke the build of the injection below.
UNCHECKED = KERNEL.replace("a[i] = 2.0 * a[i]\n    a[:] = a + b", "a[i] = 2.0 * a[i] + b[i]")

# A folder name that closed the module's docstring and defined a constructor, run at import.
INJECTION = ('x"); __attribute__((constructor)) static void f(void){puts("IN" "JECTED");} '
             'PyDoc_STRVAR(zz, "')

NAMES = {
    "quote": 'q"uote',
    "comment-end": "a*",                 # "a*/a*.py": "*/" and "/*"
    "newline": "a\n#error live\n",
    "percent": "%s%n%d",
    "backslash": "back\\slash\\",
    "trigraph": "tri??=??",              # "??/" before the slash
    "control": "tab\tcr\rdel\x7f",
    "accent": "é",
    "cjk": "日本",
    "injection": INJECTION,
    "non-utf8": os.fsdecode(b"latin\xe9"),
}

# Imports the module built from sys.argv[1] and prints what it computed and shows.
CHECK = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("k", sys.argv[1])
k = importlib.util.module_from_spec(spec)
spec.loader.exec_module(k)
a = np.arange(4.0)
k.scale(a, np.ones(4))
k.shift(a)
result = a.tolist()
error = None
try:
    if sys.argv[2] == "checked":
        k.scale(a, np.ones(3))
except ValueError as e:
    error = str(e)
print(repr((result, k.__doc__, k.scale.__doc__, error, k.shift.__code__.co_filename)))
"""


def shown(name):
    """name as the module shows it: as it is, a byte that is not UTF-8 as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def text(b):
    return b.decode("utf-8", "backslashreplace")


def translate(translator, *args, stdin=None):
    exe, compiler = translator
    if exe is None:
        pytest.skip("needs APPY_TRANSLATE (not APPY_PREBUILT)")
    return subprocess.run([exe, "--compiler", compiler, *map(str, args)], input=stdin,
                          capture_output=True, timeout=600)


def check_module(so, cfile, source_name, checked=True):
    """The C has no directive but ours and is UTF-8; the module imports in a process of its
    own (a constructor's output or a crash shows there), computes and shows source_name, in
    the message of the check too (if the kernel has it) and as the file of the Python host
    code."""
    c = cfile.read_bytes()
    c.decode("utf-8")
    assert b"\r" not in c
    directives = {line.split()[0] for line in c.split(b"\n") if line.lstrip().startswith(b"#")}
    assert directives <= {b"#define", b"#include", b"#pragma"}, directives
    p = subprocess.run([sys.executable, "-c", CHECK, str(so), "checked" if checked else "-"],
                       capture_output=True, timeout=600)
    assert p.returncode == 0, text(p.stderr)
    assert b"INJECTED" not in p.stdout + p.stderr and p.stdout.count(b"\n") == 1, p.stdout
    a, module_doc, doc, error, host_file = ast.literal_eval(text(p.stdout))
    path = shown(source_name)
    assert a == [2.0, 4.0, 6.0, 8.0]
    assert host_file == path
    assert module_doc == f"Kernels compiled by appy-translate from {path}."
    assert f"Runs scale from {path}:{DEF_LINE}, compiled by appy-translate." in doc
    message = f"operands could not be broadcast together with the slice of 'a' assigned ({path}"
    assert error == (f"{message}, line {CHECK_LINE})" if checked else None)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_hostile_folder_and_file_names(translator, tmp_path, name):
    """NAME/NAME.py, built beside it as module k."""
    src = tmp_path / name / f"{name}.py"
    src.parent.mkdir()
    src.write_text(KERNEL)
    p = translate(translator, "-m", "k", src)
    assert p.returncode == 0, text(p.stderr)
    check_module(src.parent / "k.abi3.so", src.parent / "k.c", str(src))


def test_code_in_a_folder_name_does_not_run(translator, tmp_path):
    """Without a check in the kernel, the C of the folder name used to build, and ran at
    import."""
    src = tmp_path / INJECTION / "k.py"
    src.parent.mkdir()
    src.write_text(UNCHECKED)
    p = translate(translator, src)
    assert p.returncode == 0, text(p.stderr)
    check_module(src.parent / "k.abi3.so", src.parent / "k.c", str(src), checked=False)


def test_source_lines_in_comments(translator, tmp_path):
    """The source lines the C quotes in comments: "*/" and "/*" in a Python comment, a byte
    that is not UTF-8, and lines that end in "\r" alone (Python's third line end)."""
    line = b"a[i] = 2.0 * a[i]  # */ puts(1); /* \xe9"
    src = tmp_path / "k.py"
    src.write_bytes(KERNEL.encode().replace(b"a[i] = 2.0 * a[i]", line).replace(b"\n", b"\r"))
    p = translate(translator, src)
    assert p.returncode == 0 and b"warning" not in p.stderr, text(p.stderr)
    c = (tmp_path / "k.c").read_bytes()
    assert b"/* %s:7: a[i] = 2.0 * a[i]  # * / puts(1); / * \\xe9 */\n" % bytes(src) in c
    assert b"/* %s:8: a[:] = a + b */\n" % bytes(src) in c
    check_module(tmp_path / "k.abi3.so", tmp_path / "k.c", str(src))


def test_hostile_source_name(translator, tmp_path):
    """--source-name, as appy.jit passes a function's file: every name above in one."""
    name = "/".join(NAMES.values())
    so = tmp_path / "k.abi3.so"
    p = translate(translator, "-m", "k", "--source-name", name, "-o", so, "-",
                  stdin=KERNEL.encode())
    assert p.returncode == 0, text(p.stderr)
    check_module(so, tmp_path / "k.c", name)
