"""Runs the compiled bench/group.py: group mode (inner loops marked `#pragma simd`, one team
per outer iteration) against individual mode (one thread per outer iteration) for row-wise
softmax, dense matvec and CSR SpMV on float64, and CuPy for the same computations where
`import cupy` works.

Each result is checked against NumPy (relative error <= 1e-11, so a lost term or row shows).
Kernel times are the MEDIAN of the `kernel` times that APPY_PROFILE=1 prints per call (copies
excluded), over RUNS calls after four warm-up calls (the JIT compile; group-mode loops time
three group sizes on their first calls after the first and keep the fastest).
Effective bandwidth:
  softmax  2 x 8 x rows x cols bytes   (A read once, out written once)
  matvec   8 x rows x cols bytes       (A once; x and y ignored)
  spmv     bytes of data + indices + indptr (int64 indices)
CuPy runs on device-resident arrays, timed with cupy.cuda.Event around the whole expression,
median of RUNS after one warm-up; its bandwidth uses the same byte counts.

With --resident the calls run inside `appy.device(...)`: the arrays stay on the GPU between
calls, as CuPy's do (without it each call maps freshly allocated device memory).

usage: APPY_PROFILE=1 python3 bench/run_group.py DIR_WITH_group.abi3.so [--small] [--runs N]
           [--only softmax,matvec,spmv] [--resident] [--no-cupy]
Writes $OUT/group_bench.md and $OUT/group_bench.json when OUT is set.
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

SIZES = {
    "full": {"softmax": (8192, 8192), "matvec": (16384, 16384), "spmv_nnz": 10**7,
             "spmv_shape": (10**6, 10**6)},
    "small": {"softmax": (256, 300), "matvec": (2000, 1500), "spmv_nnz": 10**5,
              "spmv_shape": (10**4, 10**4)},
}
KERNEL_RE = re.compile(r"kernel ([0-9.]+) ms")
COPY_IN_RE = re.compile(r"copied in [0-9.]+ MB ([0-9.]+) ms")     # the call's line
COPY_OUT_RE = re.compile(r"copied out [0-9.]+ MB ([0-9.]+) ms")


def log(msg):
    print(msg, flush=True)


def load(path):
    spec = importlib.util.spec_from_file_location("group", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def profiled_call(fn, args):
    """Calls fn(*args) with sys.stderr captured; returns the appy-profile lines."""
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        fn(*args)
    finally:
        text, sys.stderr = sys.stderr.getvalue(), saved
    lines = [l for l in text.splitlines() if l.startswith("appy-profile:")]
    other = [l for l in text.splitlines() if not l.startswith("appy-profile:")]
    if other:
        print("\n".join(other), file=sys.stderr)
    return lines


def time_appy(fn, args, runs):
    """Warm-up call plus `runs` profiled calls; median kernel / copy times in ms."""
    for _ in range(4):   # warm-up: the JIT compile, and group mode's tuning of its group size
        profiled_call(fn, args)
    kern, cin, cout = [], [], []
    last = ""
    for _ in range(runs):
        lines = profiled_call(fn, args)
        loops = [l for l in lines if " line " in l]
        calls = [l for l in lines if " call: " in l]
        if len(loops) != 1 or len(calls) != 1:
            sys.exit(f"run_group.py: expected one loop and one call line per call, got {lines}"
                     " (is APPY_PROFILE=1 set?)")
        last = loops[0]
        kern.append(float(KERNEL_RE.search(last).group(1)))
        cin.append(float(COPY_IN_RE.search(calls[0]).group(1)))
        cout.append(float(COPY_OUT_RE.search(calls[0]).group(1)))
    return {"kernel_ms": median(kern), "kernel_best_ms": min(kern), "kernel_all_ms": kern,
            "copy_in_ms": median(cin), "copy_out_ms": median(cout), "profile_line": last}


def rel_err(got, want, scale):
    return float(np.max(np.abs(got - want) / (scale + 1e-300)))


# ---------------------------------------------------------------- inputs and references

def make_softmax(rng, shape):
    A = rng.standard_normal(shape)
    A *= 10.0                                  # so that subtracting the row max matters
    e = np.exp(A - A.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    return {"A": A, "want": want, "bytes": 2 * 8 * A.size,
            "desc": f"{shape[0]}x{shape[1]}"}


def make_matvec(rng, shape):
    A = rng.random(shape)                      # nonnegative: |A| |x| = A x bounds the error
    x = rng.random(shape[1])
    want = A @ x
    return {"A": A, "x": x, "want": want, "bytes": 8 * A.size,
            "desc": f"{shape[0]}x{shape[1]}"}


def make_spmv(rng, shape, nnz):
    rows, cols = shape
    # nnz distinct random positions, sorted by row then column (np.unique sorts); draw a
    # few extra to make up for repeats, then drop the surplus at random
    keys = np.unique(rng.integers(0, rows * cols, size=nnz + nnz // 1000 + 100, dtype=np.int64))
    if keys.size > nnz:
        keys = keys[np.sort(rng.choice(keys.size, size=nnz, replace=False))]
    row = keys // cols
    indices = (keys % cols).astype(np.int64)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=rows), out=indptr[1:])
    data = rng.random(indices.size)
    x = rng.random(cols)
    try:
        import scipy.sparse
        want = scipy.sparse.csr_matrix((data, indices, indptr), shape=shape) @ x
        how = "scipy.sparse"
    except ImportError:
        want = np.bincount(row, weights=data * x[indices], minlength=rows)
        how = "numpy bincount"
    nbytes = data.nbytes + indices.nbytes + indptr.nbytes
    return {"indptr": indptr, "indices": indices, "data": data, "x": x, "want": want,
            "bytes": nbytes, "ref": how,
            "desc": f"{rows}x{cols}, {indices.size} nnz"}


# ---------------------------------------------------------------- APPy

def run_appy(mod, name, mode, inp, runs, resident=False):
    fn = getattr(mod, f"{name}_{mode}")
    if name == "softmax":
        out = np.full_like(inp["A"], np.nan)
        args = (inp["A"], out)
        result = lambda: out
        check = lambda got: rel_err(got, inp["want"], inp["want"].max(axis=1, keepdims=True))
        tol = 1e-11                            # relative to the row's largest probability
    elif name == "matvec":
        y = np.full(inp["A"].shape[0], np.nan)
        args = (inp["A"], inp["x"], y)
        result = lambda: y
        check = lambda got: rel_err(got, inp["want"], inp["want"])
        tol = 1e-11                            # all terms are >= 0: relative to |A| |x|
    else:
        y = np.full(inp["indptr"].size - 1, np.nan)
        args = (inp["indptr"], inp["indices"], inp["data"], inp["x"], y)
        result = lambda: y
        check = lambda got: rel_err(got, inp["want"], inp["want"])
        tol = 1e-11
    if resident:                               # arrays mapped once for all the calls
        import appy
        with appy.device(*args):
            t = time_appy(fn, args, runs)
    else:
        t = time_appy(fn, args, runs)
    err = check(result())                      # after the warm-up and the timed calls
    ok = bool(np.isfinite(err) and err <= tol)
    t.update({"rel_err": err, "ok": ok})
    return t


# ---------------------------------------------------------------- CuPy

def time_cupy(cp, f, runs):
    f()                                        # warm-up: compiles the kernels
    cp.cuda.Device().synchronize()
    start, end = cp.cuda.Event(), cp.cuda.Event()
    ts = []
    res = None
    for _ in range(runs):
        start.record()
        res = f()
        end.record()
        end.synchronize()
        ts.append(cp.cuda.get_elapsed_time(start, end))
    return median(ts), min(ts), res


def run_cupy(cp, name, inp, runs):
    if name == "softmax":
        A = cp.asarray(inp["A"])

        def f():
            e = cp.exp(A - A.max(1, keepdims=True))
            return e / e.sum(1, keepdims=True)
        med, best, res = time_cupy(cp, f, runs)
        got = cp.asnumpy(res)
        err = rel_err(got, inp["want"], inp["want"].max(axis=1, keepdims=True))
        del A, res
    elif name == "matvec":
        A, x = cp.asarray(inp["A"]), cp.asarray(inp["x"])
        med, best, res = time_cupy(cp, lambda: A @ x, runs)
        err = rel_err(cp.asnumpy(res), inp["want"], inp["want"])
        del A, x, res
    else:
        import cupyx.scipy.sparse
        rows = inp["indptr"].size - 1
        M = cupyx.scipy.sparse.csr_matrix(
            (cp.asarray(inp["data"]), cp.asarray(inp["indices"]), cp.asarray(inp["indptr"])),
            shape=(rows, inp["x"].size))
        x = cp.asarray(inp["x"])
        med, best, res = time_cupy(cp, lambda: M @ x, runs)
        err = rel_err(cp.asnumpy(res), inp["want"], inp["want"])
        del M, x, res
    cp.get_default_memory_pool().free_all_blocks()
    return {"ms": med, "best_ms": best, "rel_err": err, "ok": bool(np.isfinite(err) and err <= 1e-11)}


# ---------------------------------------------------------------- main

def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="folder holding group.abi3.so")
    ap.add_argument("--small", action="store_true", help="small sizes, for testing on the host")
    ap.add_argument("--runs", type=int, default=5, help="timed calls after the warm-up (5)")
    ap.add_argument("--only", default="softmax,matvec,spmv",
                    help="comma-separated kernels to run (default: all)")
    ap.add_argument("--no-cupy", action="store_true", help="skip CuPy")
    ap.add_argument("--resident", action="store_true",
                    help="run the calls inside appy.device(...): data stays on the GPU")
    opts = ap.parse_args()
    if os.environ.get("APPY_PROFILE", "") in ("", "0"):
        # read by the runtime at the first launch, so setting it here still works
        os.environ["APPY_PROFILE"] = "1"
    t0 = time.perf_counter()
    mod = load(os.path.join(opts.dir, "group.abi3.so"))
    sizes = SIZES["small" if opts.small else "full"]
    kernels = [k for k in opts.only.split(",") if k]
    for k in kernels:
        if k not in ("softmax", "matvec", "spmv"):
            sys.exit(f"run_group.py: unknown kernel {k!r}")

    cp = None
    cupy_note = None
    if opts.no_cupy:
        cupy_note = "CuPy skipped (--no-cupy)"
    else:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            cp = cupy
        except Exception as exc:     # ImportError here; no device elsewhere
            cupy_note = f"CuPy not available ({type(exc).__name__}: {exc}): CuPy columns skipped"

    device = mod._appy_device()
    log(f"device: {device}; {opts.runs} timed runs after a warm-up; "
        f"sizes: {'small' if opts.small else 'full'}")
    if cupy_note:
        log(cupy_note)
    else:
        gpu = cp.cuda.runtime.getDeviceProperties(0)["name"]
        log(f"CuPy {cp.__version__} on {gpu.decode() if isinstance(gpu, bytes) else gpu}")

    rng = np.random.default_rng(12345)
    rows_out = []
    failed = False
    for name in kernels:
        tg = time.perf_counter()
        if name == "softmax":
            inp = make_softmax(rng, sizes["softmax"])
        elif name == "matvec":
            inp = make_matvec(rng, sizes["matvec"])
        else:
            inp = make_spmv(rng, sizes["spmv_shape"], sizes["spmv_nnz"])
        log(f"{name} {inp['desc']}: inputs and NumPy reference in {time.perf_counter() - tg:.1f} s"
            + (f" (reference: {inp['ref']})" if "ref" in inp else ""))
        appy = {}
        for mode in [m for m in ("group", "arrays", "reread", "reread_mul", "online", "individual")
                     if hasattr(mod, f"{name}_{m}")]:
            tm = time.perf_counter()
            r = appy[mode] = run_appy(mod, name, mode, inp, opts.runs, opts.resident)
            failed |= not r["ok"]
            log(f"  {mode}: kernel median {r['kernel_ms']:.3f} ms (best {r['kernel_best_ms']:.3f}), "
                f"rel. error {r['rel_err']:.2g} -> {'OK' if r['ok'] else 'WRONG'} "
                f"[{time.perf_counter() - tm:.1f} s]")
            log(f"    {r['profile_line']}")
        cres = cupy_failed = None
        if cp is not None:
            try:
                cres = run_cupy(cp, name, inp, opts.runs)
                log(f"  cupy: {cres['ms']:.3f} ms, rel. error {cres['rel_err']:.2g}"
                    f"{'' if cres['ok'] else '  WRONG'}")
            except Exception as exc:
                cupy_failed = f"{type(exc).__name__}: {exc}"
                log(f"  cupy: failed: {cupy_failed}")
        for mode, r in appy.items():
            row = {"kernel": name, "size": inp["desc"], "mode": mode, "bytes": inp["bytes"],
                   "ms": r["kernel_ms"], "best_ms": r["kernel_best_ms"],
                   "all_ms": r["kernel_all_ms"],
                   "tbs": inp["bytes"] / r["kernel_ms"] / 1e9 if r["kernel_ms"] > 0 else None,
                   "copy_in_ms": r["copy_in_ms"], "copy_out_ms": r["copy_out_ms"],
                   "rel_err": r["rel_err"], "ok": r["ok"],
                   "cupy_ms": cres["ms"] if cres else None,
                   "cupy_tbs": inp["bytes"] / cres["ms"] / 1e9 if cres and cres["ms"] > 0 else None,
                   "cupy_rel_err": cres["rel_err"] if cres else None,
                   "cupy_ok": cres["ok"] if cres else None, "cupy_failed": cupy_failed}
            rows_out.append(row)
        del inp

    md = [f"Device: {device}. Kernel time: median of {opts.runs} runs after a warm-up "
          f"(APPY_PROFILE kernel time, copies excluded; "
          f"{'arrays kept on the GPU by appy.device' if opts.resident else 'arrays mapped afresh for each call'}; "
          f"CuPy: cupy.cuda.Event on device-resident arrays). float64.", ""]
    if cupy_note:
        md += [cupy_note + ".", ""]
    md += ["| kernel | size | mode | ms | TB/s | CuPy ms | CuPy TB/s | check |",
           "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in rows_out:
        check = "OK" if r["ok"] else f"WRONG ({r['rel_err']:.2g})"
        if r["cupy_ok"] is False:
            check += "; CuPy WRONG"
        if r["cupy_failed"]:
            check += "; CuPy failed"
        md.append(f"| {r['kernel']} | {r['size']} | {r['mode']} | {fmt(r['ms'], '.3f')} | "
                  f"{fmt(r['tbs'], '.3f')} | {fmt(r['cupy_ms'], '.3f')} | "
                  f"{fmt(r['cupy_tbs'], '.3f')} | {check} |")
    table = "\n".join(md)
    log("")
    log(table)
    log(f"\ntotal {time.perf_counter() - t0:.1f} s")

    out = os.environ.get("OUT")
    if out:
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "group_bench.md"), "w") as f:
            f.write(table + "\n")
        with open(os.path.join(out, "group_bench.json"), "w") as f:
            json.dump({"device": device, "runs": opts.runs, "small": opts.small,
                       "cupy": cp.__version__ if cp else None, "cupy_note": cupy_note,
                       "results": rows_out}, f, indent=1)
        log(f"wrote {out}/group_bench.md and {out}/group_bench.json")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
