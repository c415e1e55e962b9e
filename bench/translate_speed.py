"""Times appy-translate on a large file of kernels (C emission only, no C compiler):
all end-to-end programs concatenated, kernels renamed apart, and reports ms per 200 lines.

usage: python3 bench/translate_speed.py [path/to/appy-translate]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "..", "tests", "e2e", "programs")


def combined():
    parts = []
    for name in sorted(os.listdir(PROGRAMS)):
        if not name.endswith(".py"):
            continue
        text = open(os.path.join(PROGRAMS, name), encoding="utf-8").read()
        stem = name[:-3]
        kernels = re.findall(r"^def (\w+)\(", text, re.M)
        for k in kernels:
            text = re.sub(r"\b%s\(" % k, "%s_%s(" % (k, stem), text)
        parts.append(text)
    return "\n".join(parts)


def main():
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "appy-translate")
    src = combined()
    lines = src.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "allkernels.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(src)
        cmd = [exe, "--emit-c", "-o", os.path.join(tmp, "out.c"), path]
        subprocess.run(cmd, check=True, capture_output=True)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    best, med = min(times), sorted(times)[len(times) // 2]
    print(f"translated {lines} lines of kernels (C only): median {med * 1e3:.1f} ms, "
          f"best {best * 1e3:.1f} ms, process start included; "
          f"{med * 1e3 * 200 / lines:.1f} ms per 200 lines")


if __name__ == "__main__":
    main()
