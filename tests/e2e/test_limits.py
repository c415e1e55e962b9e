"""A kernel at each of the translator's limits on nesting (issue 18): 32 nested blocks, an
expression tree of 150 levels and an array statement of rank 8 inside them. It builds with
the suite's compiler (clang nests at most 256 brackets) and computes what Python does; one
level more is refused (tests/errors and tests/unit/test_parse.c check the messages)."""
import numpy as np

RANK8 = ", ".join([":"] * 8)


def source():
    """19 nested loops (CPython refuses a 21st: too many statically nested blocks) and 13
    nested ifs around three statements whose trees are 150 levels deep."""
    lines = ["import appy", "", f"# appy: export f(float64[{RANK8}], float64[{RANK8}], "
             "float64[:])", "@appy.jit", "def f(a, b, c):"]
    indent = "    "
    for k in range(19):
        lines.append(f"{indent}for j{k} in range(1):")
        indent += "    "
    for k in range(13):
        lines.append(f"{indent}if c[{k % 4}] > -10.0:")
        indent += "    "
    # Nested by brackets: a chain (b + b + ...) nests 2 levels at any length.
    lines.append(f"{indent}a[{RANK8}] = " + f"b[{RANK8}] + (" * 148 + f"b[{RANK8}]" + ")" * 148)
    lines.append(f"{indent}c[0] = " + "c[1] - (" * 148 + "c[1]" + ")" * 148)
    lines.append(f"{indent}c[2] = " + "-" * 148 + "c[3]")
    return "\n".join(lines) + "\n"


def test_deepest_kernel_builds_and_runs(build, case, tmp_path):
    src = tmp_path / "limits.py"
    src.write_text(source())
    prog = build(src)
    shape = (2, 1, 2, 1, 1, 2, 1, 3)
    case.same(prog, "f", np.zeros(shape), case.array(shape, np.float64),
              case.array(4, np.float64))
