"""The APPy paper's table, measured: NPBench's own NumPy, CuPy, JAX and Numba implementations
beside ours (bench/npbench/kernels/, APPy-annotated, built ahead of time by appy-translate),
at NPBench's presets, on one GPU.

usage:
  python3 bench/npbench/run.py build DIR [--compiler clang|gcc] [--only k1,k2]
      translates bench/npbench/kernels/*.py into DIR/NAME.abi3.so (on the development
      machine; carry DIR to the GPU machine)
  python3 bench/npbench/run.py run NPBENCH DIR [--preset paper] [--only ...]
      [--frameworks numpy,appy,cupy,jax,numba] [--reps 10] [--budget SECONDS] [--out OUT]
      NPBENCH: a checkout of spcl/npbench (a path: nothing of it is copied here); runs each
      kernel of KERNELS with each framework and writes OUT/npbench.{json,md,png};
      --total SECONDS ends it after the kernel in flight, --resume JSON goes on with such a run
  python3 bench/npbench/run.py report JSON [--out DIR]     the report again, from the JSON

Method (NPBench's, with its gaps closed): inputs from NPBench's initialize() at the preset;
GPU frameworks get them on the device (CuPy arrays for CuPy and appy, JAX arrays for JAX)
before timing; the first call of each framework is not timed (it compiles, for Numba, JAX and
appy's JIT to the card); then the median of up to --reps calls, each followed by the
framework's synchronisation, within a time budget per framework. Results are copied back to
the host and checked against NumPy's with NPBench's rule (np.allclose, or a relative error
of the norm under 1e-5): NPBench's CuPy framework compares device arrays without copying
them, which this runner does not repeat. Numba: the fastest of NPBench's variants that
validates (n: nopython, np: nopython parallel, npr: with prange), named in the report.
A call that takes longer than --slow seconds is timed once (its first call, compile
included where there is one), as the report says.
"""
import argparse
import copy
import importlib.util
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNELS_DIR = HERE / "kernels"
# The kernels of the APPy paper's NPBench table (dpbench's Black-Scholes is not in NPBench).
KERNELS = ("azimint_naive", "cholesky", "covariance", "fdtd_2d", "floyd_warshall", "gemm",
           "gemver", "gesummv", "go_fast", "gramschmidt", "hdiff", "heat_3d", "jacobi_1d",
           "jacobi_2d", "softmax", "spmv", "symm", "syr2k", "syrk", "trisolv", "trmm")
# Kernels whose NPBench CuPy version loops in Python over rows, columns or steps (the
# author's slides: a geometric mean of about 689x over CuPy on these, 3.2x on the others).
LOOP_HEAVY = ("spmv", "trmm", "syrk", "syr2k", "symm", "gramschmidt", "cholesky", "go_fast")
FRAMEWORKS = ("numpy", "appy", "cupy", "jax", "numba")
NUMBA_VARIANTS = ("n", "np", "npr")
# The paper's published geometric means (RTX 3090, float64, NPBench's presets).
PAPER = {"cupy": 30.0, "jax": 18.8, "numba": 8.3, "dace": 3.1}


# ------------------------------------------------------------------------------ build

def build(opts):
    out = Path(opts.dir)
    out.mkdir(parents=True, exist_ok=True)
    translate = os.environ.get("APPY_TRANSLATE", str(HERE.parents[1] / "translator" / "appy-translate"))
    kdir = Path(opts.kernels_dir)
    names = opts.only.split(",") if opts.only else [p.stem for p in sorted(kdir.glob("*.py"))]
    failed = []
    for name in names:
        src = kdir / f"{name}.py"
        t = time.perf_counter()
        p = subprocess.run([translate, "--compiler", opts.compiler, "-o",
                            str(out / f"{name}.abi3.so"), str(src)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            failed.append(name)
            print(f"{name}: FAILED\n{p.stderr}", file=sys.stderr)
            continue
        print(f"{name}: {time.perf_counter() - t:.1f} s", flush=True)
    for c in out.glob("*.c"):
        c.unlink()
    return 1 if failed else 0


# ------------------------------------------------------------------------------ loading

def load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def info(npbench, kernel):
    return json.loads((Path(npbench) / "bench_info" / f"{kernel}.json").read_text())["benchmark"]


def npbench_impl(npbench, bench, suffix):
    """NPBench's implementation of bench by one framework (module_name + suffix), or None."""
    path = (Path(npbench) / "npbench" / "benchmarks" / bench["relative_path"] /
            f"{bench['module_name']}{suffix}.py")
    if not path.is_file():
        return None
    sys.path.insert(0, str(Path(npbench)))   # some implementations import npbench modules
    try:
        return getattr(load_file(f"npb_{bench['module_name']}{suffix}", path), bench["func_name"])
    finally:
        sys.path.remove(str(Path(npbench)))


def appy_impl(build_dir, kernels_dir, bench, kernel):
    """Our kernel: the plain module of bench/npbench/kernels with the compiled functions of
    DIR/KERNEL.abi3.so in place of the annotated ones."""
    compiled = load_file(kernel, Path(build_dir) / f"{kernel}.abi3.so")
    os.environ["APPY_DISABLE_JIT"] = "1"   # the plain module's @appy.jit stays Python
    try:
        plain = load_file(f"plain_{kernel}", Path(kernels_dir) / f"{kernel}.py")
    finally:
        del os.environ["APPY_DISABLE_JIT"]
    for name in dir(compiled):
        if not name.startswith("_") and callable(getattr(compiled, name)):
            setattr(plain, name, getattr(compiled, name))
    return getattr(plain, bench["func_name"]), compiled


def inputs(npbench, bench, preset):
    params = bench["parameters"][preset]
    init = bench["init"]
    module = load_file(f"npb_init_{bench['module_name']}",
                       Path(npbench) / "npbench" / "benchmarks" / bench["relative_path"] /
                       f"{bench['module_name']}.py")
    values = getattr(module, init["func_name"])(*[params[a] for a in init["input_args"]])
    if len(init["output_args"]) == 1:
        values = (values,)
    data = dict(params)
    data.update(zip(init["output_args"], values))
    return data


# ------------------------------------------------------------------------------ frameworks

class Framework:
    """How one framework gets its inputs, waits for its device and gives results back."""

    def __init__(self, name):
        self.name = name
        self.xp = None
        if name == "cupy":
            import cupy
            self.xp = cupy
        if name == "appy":   # CuPy's device arrays where there is a GPU, else NumPy's
            try:
                import cupy
                if cupy.cuda.runtime.getDeviceCount() > 0:
                    self.xp = cupy
            except Exception:
                pass
        if name == "jax":
            import jax
            jax.config.update("jax_enable_x64", True)
            self.jax = jax

    def put(self, v):
        import numpy as np
        if not isinstance(v, np.ndarray):
            return copy.deepcopy(v)
        if self.xp is not None:
            return self.xp.asarray(v)
        if self.name == "jax":
            return self.jax.numpy.asarray(v)
        return v.copy()

    def sync(self, result=None):
        if self.xp is not None:
            self.xp.cuda.Device().synchronize()
        elif self.name == "jax" and result is not None:
            self.jax.block_until_ready(result)

    def get(self, v):
        import numpy as np
        if self.xp is not None and isinstance(v, self.xp.ndarray):
            return self.xp.asnumpy(v)
        if self.name == "jax" and hasattr(v, "block_until_ready"):
            return np.asarray(v)
        return v


def outputs(bench, result, args, fw):
    """NPBench's list of results: the return value(s), then the output arguments (JAX
    cannot write its arguments: its implementations return them)."""
    out = []
    if result is not None:
        out += list(result) if isinstance(result, (tuple, list)) else [result]
    if fw.name != "jax":
        out += [args[bench["input_args"].index(a)] for a in bench.get("output_args", [])]
    return [fw.get(v) for v in out]


def error(r, v):
    """0 if np.allclose(rtol=1e-5, atol=1e-8) (NPBench's first test; NaN where NumPy has
    NaN counts as equal), else the relative error of the norm; inf if the shapes differ or
    the error is not a number."""
    import numpy as np
    r, v = np.asarray(r), np.asarray(v)
    if r.shape != v.shape:
        return float("inf")
    if np.allclose(r, v, rtol=1e-5, atol=1e-8, equal_nan=True):
        return 0.0
    norm = np.linalg.norm(r)
    e = float(np.linalg.norm(r - v) / norm) if norm else float("inf")
    return e if e == e else float("inf")


def check(ref, val, unordered=False):
    """NPBench's rule: each result np.allclose(rtol=1e-5, atol=1e-8) to NumPy's, else with a
    relative error of the norm under 1e-5. Returns (ok, largest relative error).
    unordered (JAX): NPBench's JAX implementations return their outputs in an order of their
    own (gemver: A, x, w) and sometimes more of them; each of NumPy's results is matched to
    the returned value closest to it, each value used once."""
    if not unordered and len(ref) != len(val):
        return False, float("inf")
    worst, left = 0.0, list(range(len(val)))
    for i, r in enumerate(ref):
        if unordered:
            errs = sorted((error(r, val[j]), j) for j in left)
            if not errs:
                return False, float("inf")
            e, j = errs[0]
            left.remove(j)
        else:
            e = error(r, val[i])
        worst = max(worst, e)
    return worst < 1e-5, worst


def timed(fn, make_args, fw, reps, budget, slow):
    """(first call's seconds, median seconds, timed calls, result of the last call, its args).
    The first call is not timed unless it took more than `slow` seconds."""
    args = make_args()
    fw.sync()
    t = time.perf_counter()
    result = fn(*args)
    fw.sync(result)
    first = time.perf_counter() - t
    if first > slow:
        return first, first, 0, result, args
    times, start = [], time.perf_counter()
    while len(times) < reps and (len(times) < 3 or time.perf_counter() - start < budget):
        args = make_args()
        fw.sync()
        t = time.perf_counter()
        result = fn(*args)
        fw.sync(result)
        times.append(time.perf_counter() - t)
        if sum(times) > budget:
            break
    times.sort()
    return first, times[len(times) // 2], len(times), result, args


def run_kernel(npbench, build_dir, kernel, opts, log):
    bench = info(npbench, kernel)
    data = inputs(npbench, bench, opts.preset)
    rec = {"name": bench["name"], "params": bench["parameters"][opts.preset], "frameworks": {}}
    ref = None
    for name in opts.frameworks:
        impls = []
        try:
            if name == "appy":
                fn, compiled = appy_impl(build_dir, opts.kernels_dir, bench, kernel)
                rec["device"] = compiled._appy_device()
                impls = [("appy", fn)]
            elif name == "numba":
                impls = [(f"numba_{v}", npbench_impl(npbench, bench, f"_numba_{v}"))
                         for v in NUMBA_VARIANTS]
                impls = [(n, f) for n, f in impls if f is not None]
            else:
                impls = [(name, npbench_impl(npbench, bench, f"_{name}"))]
                impls = [(n, f) for n, f in impls if f is not None]
            fw = Framework(name)
        except Exception as e:   # a framework or implementation that cannot load: said so
            rec["frameworks"][name] = {"error": f"cannot load: {type(e).__name__}: {e}"[:300]}
            log(f"  {name}: cannot load ({e})")
            continue
        if not impls:
            rec["frameworks"][name] = {"error": "no implementation in NPBench"}
            continue
        best = None
        for impl_name, fn in impls:
            make = lambda: [fw.put(data[a]) for a in bench["input_args"]]
            try:
                first, med, n, result, args = timed(fn, make, fw, opts.reps, opts.budget, opts.slow)
                out = outputs(bench, result, args, fw)
            except Exception as e:
                r = {"impl": impl_name, "error": f"{type(e).__name__}: {e}"[:300]}
                log(f"  {impl_name}: {r['error']}")
                best = best or r
                continue
            r = {"impl": impl_name, "s": med, "first_s": first, "calls": n}
            if name == "numpy":
                ref = out
                r["valid"] = True
            elif ref is not None:
                r["valid"], r["rel_error"] = check(ref, out, unordered=name == "jax")
            log(f"  {impl_name}: {med * 1e3:.3f} ms ({n} timed, first {first * 1e3:.1f} ms)"
                + ("" if r.get("valid", True) else f"  DID NOT VALIDATE ({r['rel_error']:.2e})"))
            if r.get("valid", True) and (best is None or "s" not in best or med < best["s"]):
                best = r
            elif best is None:
                best = r
        rec["frameworks"][name] = best
    return rec


def run(opts):
    kernels = opts.only.split(",") if opts.only else list(KERNELS)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    here = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "commit": os.environ.get("APPY_COMMIT", ""), "gpu": gpu_name(),
            "host": os.uname().nodename}
    result = {"preset": opts.preset, "frameworks": opts.frameworks, "kernels": {}, **here}
    if opts.resume and Path(opts.resume).is_file():
        # A run cut by --total goes on: the kernels it finished are kept, and each part of
        # the run is listed, so that parts from other machines or commits show.
        result = json.loads(Path(opts.resume).read_text())
        if (result["preset"], result["frameworks"]) != (opts.preset, opts.frameworks):
            print(f"--resume {opts.resume}: another preset or other frameworks", file=sys.stderr)
            return 2
        result["kernels"] = {k: r for k, r in result["kernels"].items() if "frameworks" in r}
    result.setdefault("parts", []).append(here)
    deadline = time.monotonic() + opts.total
    for k in kernels:
        if k in result["kernels"]:
            continue
        if time.monotonic() > deadline:
            result["kernels"][k] = {"error": "not run: the run's time budget was spent"}
            continue
        print(f"{k}:", flush=True)
        try:
            result["kernels"][k] = run_kernel(opts.npbench, opts.dir, k, opts,
                                              lambda s: print(s, flush=True))
        except Exception as e:
            result["kernels"][k] = {"error": f"{type(e).__name__}: {e}"[:300]}
            print(f"  error: {e}", flush=True)
        (out / "npbench.json").write_text(json.dumps(result, indent=1))
    write(result, out)
    return 0


def gpu_name():
    try:
        p = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=30)
        return p.stdout.strip().splitlines()[0] if p.returncode == 0 and p.stdout else "none"
    except (OSError, subprocess.SubprocessError):
        return "none"


# ------------------------------------------------------------------------------ report

def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def seconds(rec, fw):
    r = rec.get("frameworks", {}).get(fw) or {}
    return r["s"] if "s" in r and r.get("valid", True) else None


def write(result, out, draw=True):
    out = Path(out)
    fws = [f for f in FRAMEWORKS if f in result["frameworks"]]
    peers = [f for f in fws if f not in ("numpy", "appy")]
    lines = [f"# NPBench kernels: appy against NPBench's own implementations ({result['date']})",
             "",
             f"GPU: {result['gpu']}; commit {result['commit'] or '(not given)'}; NPBench preset "
             f"`{result['preset']}`; inputs on the device for appy, CuPy and JAX; median of "
             "timed calls after a first, untimed one; every result copied back and checked "
             "against NumPy (bench/npbench/run.py says how).", ""]
    parts = result.get("parts", [])
    if len(parts) > 1:
        lines += [f"The run was made in {len(parts)} parts (`--resume`): " + "; ".join(
            f"{q['date']} on {q['host']} ({q['gpu']}), commit {q['commit'] or '?'}"
            for q in parts) + ".", ""]
    lines += ["## Time per call (ms)", "",
             "| kernel | " + " | ".join(fws) + " | numba variant |",
             "| --- | " + " | ".join("---:" for _ in fws) + " | --- |"]
    for k, rec in result["kernels"].items():
        cells = []
        for f in fws:
            r = (rec.get("frameworks") or {}).get(f) or {}
            if "s" not in r:
                cells.append("err" if r else "-")
            else:
                cell = f"{r['s'] * 1e3:.3f}"
                if not r.get("valid", True):
                    cell += " (invalid)"
                if r.get("calls") == 0:
                    cell += " (1 call)"
                cells.append(cell)
        nb = ((rec.get("frameworks") or {}).get("numba") or {}).get("impl", "-")
        lines.append(f"| {k} | " + " | ".join(cells) + f" | {nb} |")
    lines += ["", "## Speedup over NumPy (the paper's layout)", "",
              "| kernel | " + " | ".join(f for f in fws if f != "numpy") + " |",
              "| --- | " + " | ".join("---:" for f in fws if f != "numpy") + " |"]
    over_np = {f: [] for f in fws}
    for k, rec in result["kernels"].items():
        base = seconds(rec, "numpy")
        cells = []
        for f in fws:
            if f == "numpy":
                continue
            s = seconds(rec, f)
            v = base / s if base and s else None
            over_np[f].append(v)
            cells.append(f"{v:.2f}" if v else "-")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        f"**{geomean(over_np[f]):.2f}**" if geomean(over_np[f]) else "-"
        for f in fws if f != "numpy") + " |")
    lines += ["", "## appy's speedup over each peer (peer time / appy time)", "",
              "| kernel | " + " | ".join(peers) + " |",
              "| --- | " + " | ".join("---:" for _ in peers) + " |"]
    over = {p: {} for p in peers}
    for k, rec in result["kernels"].items():
        a = seconds(rec, "appy")
        cells = []
        for p in peers:
            s = seconds(rec, p)
            v = s / a if a and s else None
            over[p][k] = v
            cells.append(f"{v:.2f}" if v else "-")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        f"**{geomean(over[p].values()):.2f}** ({sum(1 for v in over[p].values() if v)})"
        if geomean(over[p].values()) else "-" for p in peers) + " |")
    if "cupy" in over:
        heavy = geomean(v for k, v in over["cupy"].items() if k in LOOP_HEAVY)
        rest = geomean(v for k, v in over["cupy"].items() if k not in LOOP_HEAVY)
        lines += ["", f"Over NPBench's CuPy: {fmt(heavy)} on the kernels whose CuPy version loops "
                  f"in Python ({', '.join(LOOP_HEAVY)}), {fmt(rest)} on the others."]
    lines += ["", "## The paper (RTX 3090, float64, geometric means of appy over each)", "",
              " | ".join(f"{p}: {v}x" for p, v in PAPER.items()) +
              ". The author's slides: about 689x over CuPy on the 8 loop-heavy kernels, 3.2x "
              "on the other 12.", ""]
    errors = [(k, f, r.get("error")) for k, rec in result["kernels"].items()
              for f, r in (rec.get("frameworks") or {}).items() if r and r.get("error")]
    errors += [(k, "-", rec["error"]) for k, rec in result["kernels"].items() if rec.get("error")]
    if errors:
        lines += ["## Errors", ""] + [f"- {k}, {f}: {e}" for k, f, e in errors] + [""]
    (out / "npbench.md").write_text("\n".join(lines))
    (out / "npbench.json").write_text(json.dumps(result, indent=1))
    if draw:
        plot(result, over, out)


def fmt(v):
    return f"{v:.2f}x" if v else "-"


def plot(result, over, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    kernels = list(result["kernels"])
    fig, ax = plt.subplots(figsize=(12, 4.5))
    width = 0.8 / max(1, len(over))
    for i, (p, vals) in enumerate(over.items()):
        ax.bar([x + i * width for x in range(len(kernels))],
               [vals.get(k) or 0 for k in kernels], width, label=f"over {p}")
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(kernels))])
    ax.set_xticklabels(kernels, rotation=45, ha="right")
    ax.set_ylabel("appy speedup (peer time / appy time)")
    ax.set_title(f"NPBench ({result['preset']}), {result['gpu']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "npbench.png", dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("dir")
    b.add_argument("--compiler", default="clang")
    b.add_argument("--only", default="")
    b.add_argument("--kernels-dir", default=str(KERNELS_DIR), help="kernels other than bench/npbench/kernels (the tests' own)")
    r = sub.add_parser("run")
    r.add_argument("npbench", help="a checkout of spcl/npbench")
    r.add_argument("dir", help="the modules that `build` made")
    r.add_argument("--preset", default="paper")
    r.add_argument("--only", default="")
    r.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    r.add_argument("--reps", type=int, default=10)
    r.add_argument("--budget", type=float, default=5.0, help="seconds of timed calls per framework")
    r.add_argument("--slow", type=float, default=20.0,
                   help="a first call longer than this is the only one timed")
    r.add_argument("--total", type=float, default=540.0, help="seconds for the whole run")
    r.add_argument("--out", default=os.environ.get("OUT", "docs/npbench"))
    r.add_argument("--resume", metavar="JSON",
                   help="go on with the run in JSON (its npbench.json), if it exists")
    r.add_argument("--kernels-dir", default=str(KERNELS_DIR), help="kernels other than bench/npbench/kernels (the tests' own)")
    rep = sub.add_parser("report")
    rep.add_argument("json")
    rep.add_argument("--out", default="docs/npbench")
    opts = ap.parse_args()
    if opts.cmd == "build":
        return build(opts)
    if opts.cmd == "report":
        write(json.loads(Path(opts.json).read_text()), opts.out)
        return 0
    opts.frameworks = opts.frameworks.split(",")
    if opts.frameworks[0] != "numpy":
        opts.frameworks.insert(0, "numpy")   # the reference comes first
    return run(opts)


if __name__ == "__main__":
    sys.exit(main())
