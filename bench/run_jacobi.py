"""Data environments on a 2-D Jacobi: 4096 x 4096 float64, 100 time steps (200 kernels).

1. One call of bench/jacobi.py's jacobi2d (time loop in host code) on NumPy arrays: its
   APPY_PROFILE call line gives what was copied each way, the kernels' time and the whole
   call's. Target: each array in at most once and out at most once, and
   call <= 1.3 x (kernels + those copies).
2. The same 100 steps as 100 calls of jacobi2d_step inside `with appy.device(A, B)`: the
   bytes each call copied (target: none), the kernels' time and the loop's wall time.
Both are checked against NumPy on a small grid first.

usage: APPY_PROFILE=1 python3 bench/run_jacobi.py DIR_WITH_jacobi.abi3.so [--n 4096] [--steps 100]
Writes $OUT/jacobi_bench.json when OUT is set.
"""
import argparse
import importlib.util
import io
import json
import os
import re
import sys
import time

import numpy as np

CALL_RE = re.compile(r"call: copied in ([0-9.]+) MB ([0-9.]+) ms.*\| (\d+) kernels ([0-9.]+) ms "
                     r"\| copied out ([0-9.]+) MB ([0-9.]+) ms.*\| call ([0-9.]+) ms")


def load(path):
    spec = importlib.util.spec_from_file_location("jacobi", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def captured(fn, *args):
    """Runs fn(*args) with sys.stderr captured; returns the parsed call lines."""
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        fn(*args)
    finally:
        text, sys.stderr = sys.stderr.getvalue(), saved
    calls = []
    for line in text.splitlines():
        m = CALL_RE.search(line)
        if m:
            mb_in, ms_in, k, ms_k, mb_out, ms_out, ms_call = m.groups()
            calls.append({"in_mb": float(mb_in), "in_ms": float(ms_in), "kernels": int(k),
                          "kernel_ms": float(ms_k), "out_mb": float(mb_out),
                          "out_ms": float(ms_out), "call_ms": float(ms_call)})
    return calls


def reference(A, steps):
    A, B = A.copy(), A.copy()
    for _ in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[:-2, 1:-1] + A[2:, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[:-2, 1:-1] + B[2:, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:])
    return A, B


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    if os.environ.get("APPY_PROFILE", "0") in ("", "0"):
        sys.exit("run_jacobi.py: run with APPY_PROFILE=1")
    import appy
    mod = load(os.path.join(args.dir, "jacobi.abi3.so"))
    rng = np.random.default_rng()
    print(f"device: {mod._appy_device()}")

    # correctness, small grid, both forms
    A0 = rng.random((130, 97))
    wantA, wantB = reference(A0, 7)
    A, B = A0.copy(), A0.copy()
    captured(mod.jacobi2d, A, B, 7)
    ok = np.allclose(A, wantA, rtol=1e-12) and np.allclose(B, wantB, rtol=1e-12)
    A, B = A0.copy(), A0.copy()
    with appy.device(A, B):
        for _ in range(7):
            captured(mod.jacobi2d_step, A, B)
    ok = ok and np.allclose(A, wantA, rtol=1e-12) and np.allclose(B, wantB, rtol=1e-12)
    print(f"check against NumPy (130x97, 7 steps, both forms): {'OK' if ok else 'WRONG'}")

    n, steps = args.n, args.steps
    A0 = rng.random((n, n))
    mb = A0.nbytes / 1e6
    A, B = A0.copy(), A0.copy()
    captured(mod.jacobi2d, A, B, 1)                       # warm-up: the JIT compile
    A, B = A0.copy(), A0.copy()
    (one,) = captured(mod.jacobi2d, A, B, steps)
    bound = one["kernel_ms"] + one["in_ms"] + one["out_ms"]
    ratio = one["call_ms"] / bound
    print(f"\n1. jacobi2d(A, B, {steps}) on NumPy arrays, {n}x{n} float64 ({mb:.0f} MB each):")
    print(f"   copied in {one['in_mb']:.1f} MB in {one['in_ms']:.2f} ms, out {one['out_mb']:.1f} MB "
          f"in {one['out_ms']:.2f} ms (one copy of both arrays: {2 * mb:.1f} MB)")
    print(f"   {one['kernels']} kernels {one['kernel_ms']:.2f} ms "
          f"({2 * steps * 2 * 8 * (n - 2) ** 2 / one['kernel_ms'] / 1e9:.2f} TB/s counting one "
          f"read and one write of the interior per kernel)")
    print(f"   call {one['call_ms']:.2f} ms = {ratio:.3f} x (kernels + copies) "
          f"[target <= 1.3: {'met' if ratio <= 1.3 else 'MISSED'}]")
    copies_ok = one["in_mb"] <= 2 * mb + 0.1 and one["out_mb"] <= 2 * mb + 0.1

    A, B = A0.copy(), A0.copy()
    t0 = time.perf_counter()
    per_call = []
    with appy.device(A, B):
        t1 = time.perf_counter()
        for _ in range(steps):
            per_call += captured(mod.jacobi2d_step, A, B)
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    moved = sum(c["in_mb"] + c["out_mb"] for c in per_call)
    kern = sum(c["kernel_ms"] for c in per_call)
    print(f"\n2. {steps} calls of jacobi2d_step inside appy.device(A, B):")
    print(f"   copied between calls: {moved:.1f} MB [target 0: {'met' if moved == 0 else 'MISSED'}]")
    print(f"   kernels {kern:.2f} ms, the loop {1e3 * (t2 - t1):.2f} ms, entering the block "
          f"{1e3 * (t1 - t0):.2f} ms, leaving it {1e3 * (t3 - t2):.2f} ms")
    if os.environ.get("OUT"):
        os.makedirs(os.environ["OUT"], exist_ok=True)
        with open(os.path.join(os.environ["OUT"], "jacobi_bench.json"), "w") as f:
            json.dump({"device": mod._appy_device(), "n": n, "steps": steps, "check_ok": ok,
                       "one_call": one, "ratio": ratio, "copies_ok": copies_ok,
                       "python_loop": {"moved_mb": moved, "kernel_ms": kern,
                                       "loop_ms": 1e3 * (t2 - t1), "enter_ms": 1e3 * (t1 - t0),
                                       "exit_ms": 1e3 * (t3 - t2)}}, f, indent=1)
    if not ok or not copies_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
