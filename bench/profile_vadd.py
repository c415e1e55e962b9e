"""Runs the compiled bench/vadd.py on 2^26 float64 elements with APPY_PROFILE=1 and prints
the kernel time, reported by the runtime apart from the copies, as effective bandwidth
(3 x 8 x 2^26 bytes / kernel time), plus the copy times.

usage: APPY_PROFILE=1 python3 bench/profile_vadd.py DIR_WITH_vadd.abi3.so [log2 n] [runs]
"""
import importlib.util
import io
import os
import re
import sys

import numpy as np


def load(path):
    spec = importlib.util.spec_from_file_location("vadd", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    if os.environ.get("APPY_PROFILE", "0") in ("", "0"):
        sys.exit("profile_vadd.py: run with APPY_PROFILE=1")
    mod = load(os.path.join(sys.argv[1], "vadd.abi3.so"))
    n = 1 << int(sys.argv[2] if len(sys.argv) > 2 else 26)
    runs = int(sys.argv[3] if len(sys.argv) > 3 else 10)
    rng = np.random.default_rng()
    a, b = rng.random(n), rng.random(n)
    c = np.zeros(n)
    lines, calls = [], []   # the loop's profile lines, the call's
    for _ in range(runs + 1):   # the first run includes the JIT compile of the kernel
        saved, sys.stderr = sys.stderr, io.StringIO()
        try:
            mod.vadd(a, b, c)
        finally:
            out, sys.stderr = sys.stderr.getvalue(), saved
        lines += [l for l in out.splitlines() if " line " in l]
        calls += [l for l in out.splitlines() if " call: " in l]
    if not np.array_equal(c, a + b):
        sys.exit("profile_vadd.py: wrong result")
    times = [float(re.search(r"kernel ([0-9.]+) ms", l).group(1)) for l in lines[1:]]
    copy_in = [float(re.search(r"copied in [0-9.]+ MB ([0-9.]+) ms", l).group(1)) for l in calls[1:]]
    copy_out = [float(re.search(r"copied out [0-9.]+ MB ([0-9.]+) ms", l).group(1)) for l in calls[1:]]
    best, med = min(times), sorted(times)[len(times) // 2]
    nbytes = 3 * 8 * n
    print(f"device: {mod._appy_device()}")
    print(f"vadd n=2^{n.bit_length() - 1} float64, {runs} runs after a warm-up")
    print(f"  kernel  median {med:.3f} ms ({nbytes / med / 1e9:.2f} TB/s), "
          f"best {best:.3f} ms ({nbytes / best / 1e9:.2f} TB/s)")
    print(f"  copy-in median {sorted(copy_in)[len(copy_in) // 2]:.1f} ms for {2 * 8 * n / 1e6:.0f} MB, "
          f"copy-out median {sorted(copy_out)[len(copy_out) // 2]:.1f} ms for {8 * n / 1e6:.0f} MB")
    print(f"  profile lines: {lines[-1].strip()}\n                 {calls[-1].strip()}")


if __name__ == "__main__":
    main()
