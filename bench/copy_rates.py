"""Copy rates between NumPy memory and the GPU, by path, beside the card's own pageable and
pinned rates (CuPy) measured in the same run; and vadd on 2^26 float64 end to end.

usage: python3 bench/copy_rates.py MODULE_DIR [--json FILE] [--sizes MB,...] [--reps N]

MODULE_DIR holds vadd.abi3.so, bench/vadd.py built by appy-translate (clang or gcc). Each
copy path (APPY_COPY=pageable, register, stage; stage-flat: staged without the ramp of
smaller pieces at each end, APPY_COPY_RAMP=0; stage-apart: vadd's arrays staged one by one,
not as one copy, APPY_COPY_TOGETHER=0; stage-late: the stage made at the first large copy,
not ahead of it, APPY_COPY_EARLY=0) runs in its own process, as the runtime reads the
settings once. A path's rates:
  first  the first copy of a new array to the device (appy.device: allocation and copy),
  h2d    appy.to_device of a mapped array, median of N,
  d2h    appy.to_host of a mapped array, median of N,
and vadd(a, b, c) on new arrays: the first call and the median of N calls (copies included).
Every result is checked against NumPy.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PATHS = ("pageable", "register", "stage", "stage-flat", "stage-apart", "stage-late")
# Each path's settings: stage-flat is the staged path with every piece a whole chunk (no
# ramp at the ends of a copy), stage-apart each of a call's arrays staged alone,
# stage-late the stage made by the first large copy (its "first" rate pays for pinning it),
# to measure what each gives in the same run.
PATH_ENV = {"pageable": {"APPY_COPY": "pageable"}, "register": {"APPY_COPY": "register"},
            "stage": {"APPY_COPY": "stage"},
            "stage-flat": {"APPY_COPY": "stage", "APPY_COPY_RAMP": "0"},
            "stage-apart": {"APPY_COPY": "stage", "APPY_COPY_TOGETHER": "0"},
            "stage-late": {"APPY_COPY": "stage", "APPY_COPY_EARLY": "0"}}


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def peer_rates(sizes, reps):
    """The card's rates for pageable and pinned memory, by CuPy (None without CuPy)."""
    try:
        import cupy as cp
        import numpy as np
    except ImportError:
        return None
    out = {}
    for mb in sizes:
        n = mb * (1 << 20) // 8
        host = np.random.default_rng(0).random(n)
        pinned_mem = cp.cuda.alloc_pinned_memory(host.nbytes)
        pinned = np.frombuffer(pinned_mem, np.float64, n)
        pinned[:] = host
        dev = cp.empty(n)
        row = {}
        for name, src in (("pageable", host), ("pinned", pinned)):
            h2d, d2h = [], []
            for _ in range(reps):
                cp.cuda.Device().synchronize()
                t = time.perf_counter()
                dev.set(src)
                cp.cuda.Device().synchronize()
                h2d.append(time.perf_counter() - t)
                t = time.perf_counter()
                dev.get(out=src)
                cp.cuda.Device().synchronize()
                d2h.append(time.perf_counter() - t)
            row[name] = {"h2d": host.nbytes / median(h2d) / 1e9,
                         "d2h": host.nbytes / median(d2h) / 1e9}
        out[mb] = row
        del dev, pinned, pinned_mem
    return out


CHILD = r"""
import importlib.util, json, sys, time
import numpy as np
import appy
spec = importlib.util.spec_from_file_location("vadd", sys.argv[1] + "/vadd.abi3.so")
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
sizes, reps = [int(s) for s in sys.argv[2].split(",")], int(sys.argv[3])
rng = np.random.default_rng()
small = np.ones(1 << 10)
mod.vadd(small, small, np.empty_like(small))   # device start and JIT, not measured
med = lambda xs: sorted(xs)[len(xs) // 2]
res = {"device": mod._appy_device(), "sizes": {}}
on_gpu = res["device"].startswith("gpu")
for mb in sizes:
    n = mb * (1 << 20) // 8
    a = rng.random(n)
    want = a.copy()
    ctx = appy.device(a)
    t = time.perf_counter(); ctx.__enter__(); first = time.perf_counter() - t
    h2d, d2h = [], []
    for _ in range(reps):
        t = time.perf_counter(); appy.to_device(a); h2d.append(time.perf_counter() - t)
        a[:] = 0
        t = time.perf_counter(); appy.to_host(a); d2h.append(time.perf_counter() - t)
        assert not on_gpu or np.array_equal(a, want), "to_host gave other values"
    ctx.__exit__(None, None, None)
    res["sizes"][mb] = {"first": a.nbytes / first / 1e9, "h2d": a.nbytes / med(h2d) / 1e9,
                        "d2h": a.nbytes / med(d2h) / 1e9}
    del a, want
n = 1 << 26
a, b = rng.random(n), rng.random(n)
c = np.empty(n)
t = time.perf_counter(); mod.vadd(a, b, c); first = time.perf_counter() - t
assert np.array_equal(c, a + b)
times = []
for _ in range(reps):
    c = np.empty(n)
    t = time.perf_counter(); mod.vadd(a, b, c); times.append(time.perf_counter() - t)
    assert np.array_equal(c, a + b)
res["vadd"] = {"first_ms": first * 1e3, "median_ms": med(times) * 1e3}
print(json.dumps(res))
"""


def run_path(module_dir, path, sizes, reps):
    env = dict(os.environ, **PATH_ENV[path])
    p = subprocess.run([sys.executable, "-c", CHILD, module_dir, ",".join(map(str, sizes)),
                        str(reps)], capture_output=True, text=True, env=env, timeout=900)
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("module_dir")
    ap.add_argument("--json")
    ap.add_argument("--sizes", default="64,256,1024")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--paths", default=",".join(PATHS), help="of " + ", ".join(PATHS))
    ap.add_argument("--no-peer", action="store_true", help="skip CuPy's rates")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    paths = args.paths.split(",")
    for path in paths:
        if path not in PATHS:
            ap.error(f"--paths: unknown path {path!r} (of {', '.join(PATHS)})")
    result = {"peer": None if args.no_peer else peer_rates(sizes, args.reps), "paths": {}}
    for path in paths:
        result["paths"][path] = run_path(args.module_dir, path, sizes, args.reps)
    env = {k: v for k, v in os.environ.items() if k.startswith("APPY_COPY_") or k == "APPY_PINNED_MB"}
    result["settings"] = env
    print(f"settings: {env or 'defaults'}")
    for mb in sizes:
        peer = (result["peer"] or {}).get(mb)
        if peer:
            print(f"{mb:5d} MB  CuPy pageable h2d {peer['pageable']['h2d']:5.1f} d2h "
                  f"{peer['pageable']['d2h']:5.1f} | pinned h2d {peer['pinned']['h2d']:5.1f} "
                  f"d2h {peer['pinned']['d2h']:5.1f} GB/s")
        for path in paths:
            r = result["paths"][path]
            if "error" in r:
                print(f"        {path:11s} error: {r['error']}")
                continue
            s = r["sizes"][str(mb)] if str(mb) in r["sizes"] else r["sizes"][mb]
            print(f"        {path:11s} first {s['first']:5.1f}  h2d {s['h2d']:5.1f}  "
                  f"d2h {s['d2h']:5.1f} GB/s")
    for path in paths:
        r = result["paths"][path]
        if "vadd" in r:
            print(f"vadd 2^26 end to end, {path:11s}: first {r['vadd']['first_ms']:6.1f} ms, "
                  f"median {r['vadd']['median_ms']:6.1f} ms   ({r['device']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
