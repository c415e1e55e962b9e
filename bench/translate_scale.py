"""How appy-translate's time and memory grow with the size of its input (issue 18: a
20,000-term sum took 8.3 s and 1.7 GB). For each shape of input it translates sizes
n, 2n, 4n, ... (C only, --compiler none, no C compiler) and prints the time, the peak
resident memory of the translator (getrusage of the child) and the ratio of each to the
previous size: about 2 for each doubling is linear, 4 quadratic.

usage: python3 bench/translate_scale.py [--quick] [--only SHAPE] [path/to/appy-translate]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEAD = "import appy\n\n"
TIME = "/usr/bin/time"


def long_sum(n):
    """One statement: a sum of n terms."""
    return HEAD + "@appy.jit\ndef f(a):\n    a[0] = " + " + ".join(["a[1]"] * n) + "\n"


def long_product(n):
    """One statement: a product of n factors, compared and combined with and."""
    terms = " * ".join(["a[1]"] * n)
    return HEAD + f"@appy.jit\ndef f(a):\n    if {terms} > 0.0 and a[2] > 0.0:\n" \
        "        a[0] = 1.0\n"


def many_statements(n):
    """n statements in one kernel, one parallel loop."""
    body = "".join(f"        a[i] = a[i] + {k}.0\n" for k in range(n))
    return HEAD + "@appy.jit\ndef f(a):\n    for i in appy.prange(a.shape[0]):\n" + body


def many_functions(n):
    """n kernels of one parallel loop each."""
    return HEAD + "".join(f"@appy.jit\ndef f{k}(a):\n    for i in appy.prange(a.shape[0]):\n"
                          f"        a[i] = a[i] * {k}.0\n\n" for k in range(n))


def many_constants(n):
    """n top-level constants, the kernel using the last one."""
    consts = "".join(f"C{k} = {k}.5\n" for k in range(n))
    return HEAD + consts + f"\n@appy.jit\ndef f(a):\n    a[0] = C{n - 1}\n"


def long_names(n):
    """A name of n bytes (the limit is 1024 in kernels: past it, host code)."""
    name = "v" * n
    return HEAD + f"def f(a):\n    {name} = a[1]\n    a[0] = {name}\n" \
        "@appy.jit\ndef g(a):\n    a[0] = 1.0\n"


def deep_nesting(n):
    """n statements each nested 30 blocks deep with a 100-level expression."""
    lines = [HEAD + "@appy.jit\ndef f(a):"]
    for k in range(n):
        ind = "    "
        for d in range(30):
            lines.append(f"{ind}if a[{d % 4}] > -1.0:")
            ind += "    "
        lines.append(f"{ind}a[0] = " + "-" * 99 + "a[1]")
    return "\n".join(lines) + "\n"


SHAPES = {
    "sum": (long_sum, 600),
    "product": (long_product, 600),
    "statements": (many_statements, 500),
    "functions": (many_functions, 250),
    "constants": (many_constants, 2500),
    "names": (long_names, 25000),
    "nesting": (deep_nesting, 25),
}


def measure(exe, src, tmp):
    """(seconds, peak resident MiB, ok, stderr) of translating src. The peak is the
    child's ru_maxrss as GNU time reads it: a child that Python forks keeps Python's own
    peak (about 10 MiB) across exec, time's children start from time's (about 1 MiB)."""
    path = os.path.join(tmp, "scale.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    cmd = [exe, "--emit-c", "--compiler", "none", "-o", os.path.join(tmp, "out.c"), path]
    if os.path.exists(TIME):
        cmd = [TIME, "-f", "@@ %M"] + cmd
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True)
    dt = time.perf_counter() - t0
    err = proc.stderr.decode(errors="replace")
    if os.path.exists(TIME):
        err, _, peak = err.rpartition("@@ ")
        rss = int(peak) / 1024.0
    else:
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return dt, rss, proc.returncode == 0, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe", nargs="?",
                    default=os.path.join(HERE, "..", "translator", "appy-translate"))
    ap.add_argument("--quick", action="store_true", help="three sizes per shape, not five")
    ap.add_argument("--only", help="one shape: " + ", ".join(SHAPES))
    args = ap.parse_args()
    steps = 3 if args.quick else 5
    print(f"{'shape':<11} {'n':>7} {'bytes':>9} {'time s':>8} {'x':>5} {'peak MiB':>9} {'x':>5}")
    for shape, (make, base) in SHAPES.items():
        if args.only and shape != args.only:
            continue
        prev = None
        for k in range(steps):
            n = base * 2 ** k
            with tempfile.TemporaryDirectory() as tmp:   # the best of three
                runs = [measure(args.exe, make(n), tmp) for _ in range(3)]
            dt = min(r[0] for r in runs)
            _, rss, ok, err = runs[0]
            size = len(make(n))
            rt = f"{dt / prev[0]:.1f}" if prev else ""
            rm = f"{rss / prev[1]:.1f}" if prev else ""
            note = "" if ok else "  refused: " + err.strip().splitlines()[0][:60]
            print(f"{shape:<11} {n:>7} {size:>9} {dt:>8.3f} {rt:>5} {rss:>9.1f} {rm:>5}{note}",
                  flush=True)
            prev = (dt, rss)


if __name__ == "__main__":
    main()
