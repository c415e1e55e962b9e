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


def run_kernel(npbench, build_dir, kernel, opts, rec, log, progress, save):
    """Runs each framework of opts.frameworks on kernel into rec (its record), skipping the
    frameworks rec already has (a worker that goes on after a crash) and the implementations
    rec["skip"] names (the one that crashed or hung). progress(fw, impl) is said before each
    implementation runs, save() after each framework."""
    bench = info(npbench, kernel)
    data = inputs(npbench, bench, opts.preset)
    rec.setdefault("name", bench["name"])
    rec.setdefault("params", bench["parameters"][opts.preset])
    have, skip = rec.setdefault("frameworks", {}), rec.setdefault("skip", [])
    ref = None
    for name in opts.frameworks:
        if name in have and name != "numpy":
            continue
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
            have[name] = {"error": f"cannot load: {type(e).__name__}: {e}"[:300]}
            log(f"  {name}: cannot load ({e})")
            continue
        if not impls:
            have[name] = {"error": "no implementation in NPBench"}
            continue
        make = lambda: [fw.put(data[a]) for a in bench["input_args"]]
        if name == "numpy" and "s" in have.get("numpy", {}):
            # measured before the crash: one more call, untimed, for the reference
            progress(name, "numpy")
            args = make()
            ref = outputs(bench, impls[0][1](*args), args, fw)
            continue
        best = None
        for impl_name, fn in impls:
            if impl_name in skip:
                continue
            progress(name, impl_name)
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
        crashed = [i for i, _ in impls if i in skip]
        if best is None and crashed:
            best = {"impl": crashed[0], "error": rec.get("crashed", {}).get(crashed[0], "crashed")}
        if best is not None:
            have[name] = best
        save()
    rec["done"] = True
    return rec


def run(opts):
    """The supervisor: runs the kernels in a worker process and, when the worker dies (a
    framework that segfaults or aborts: an offload runtime's fatal error, a JIT's) or one
    implementation runs longer than --hang seconds, records that implementation's failure
    and starts a new worker on what is left. One peer's crash costs its own row, not the
    run."""
    kernels = opts.only.split(",") if opts.only else list(KERNELS)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    js = out / "npbench.json"
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
    result.setdefault("parts", []).append(here)
    deadline = time.monotonic() + opts.total
    progress = out / "progress.txt"
    while True:
        js.write_text(json.dumps(result, indent=1))
        left = [k for k in kernels if not result["kernels"].get(k, {}).get("done")]
        if not left or time.monotonic() > deadline:
            break
        progress.write_text("")
        argv = [sys.executable, __file__, "run", opts.npbench, opts.dir, "--worker",
                "--resume", str(js), "--out", str(out), "--only", ",".join(left),
                "--preset", opts.preset, "--frameworks", ",".join(opts.frameworks),
                "--reps", str(opts.reps), "--budget", str(opts.budget), "--slow", str(opts.slow),
                "--total", str(max(1.0, deadline - time.monotonic())),
                "--kernels-dir", opts.kernels_dir]
        worker = subprocess.Popen(argv)
        why = None
        while worker.poll() is None:
            time.sleep(0.5)
            lines = progress.read_text().splitlines()
            if lines and time.time() - float(lines[-1].split("\t")[3]) > opts.hang:
                why = f"no result in {opts.hang:g} s (stopped)"
            elif time.monotonic() > deadline + 60:
                why = "not finished when the run's time budget was spent (stopped)"
            if why:
                worker.kill()
                worker.wait()
        result = json.loads(js.read_text())
        lines = progress.read_text().splitlines()
        if worker.returncode == 0 or not lines:
            if worker.returncode != 0:
                print(f"the worker failed (status {worker.returncode}) before any kernel",
                      file=sys.stderr)
            js.write_text(json.dumps(result, indent=1))
            break
        kernel, fw, impl, _ = lines[-1].split("\t")
        why = why or (f"the process died (signal {-worker.returncode})" if worker.returncode < 0
                      else f"the process exited with status {worker.returncode}")
        print(f"{kernel}: {impl}: {why}; going on without it", flush=True)
        rec = result["kernels"].setdefault(kernel, {})
        rec.setdefault("skip", []).append(impl)
        rec.setdefault("crashed", {})[impl] = why
        if fw == "numpy":   # no reference: nothing of this kernel can be checked
            rec.setdefault("frameworks", {})["numpy"] = {"impl": impl, "error": why}
            rec["done"] = True
    for k in kernels:
        if k not in result["kernels"]:
            result["kernels"][k] = {"error": "not run: the run's time budget was spent"}
    write(result, out)
    return 0


def work(opts):
    """The worker: each kernel of --only in turn, into the JSON of --resume, saved after
    each framework; before each implementation, a line in OUT/progress.txt."""
    js = Path(opts.resume)
    result = json.loads(js.read_text())

    def save():   # whole or not at all: the supervisor may stop this process at any time
        tmp = js.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, indent=1))
        os.replace(tmp, js)
    deadline = time.monotonic() + opts.total
    with open(Path(opts.out) / "progress.txt", "a") as prog:
        for k in opts.only.split(","):
            if time.monotonic() > deadline:
                break
            print(f"{k}:", flush=True)

            def progress(fw, impl, k=k):
                prog.write(f"{k}\t{fw}\t{impl}\t{time.time()}\n")
                prog.flush()
            rec = result["kernels"].setdefault(k, {})
            try:
                run_kernel(opts.npbench, opts.dir, k, opts, rec,
                           lambda s: print(s, flush=True), progress, save)
            except Exception as e:
                rec.update(error=f"{type(e).__name__}: {e}"[:300], done=True)
                print(f"  error: {e}", flush=True)
            save()
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
    errors += [(k, impl, why) for k, rec in result["kernels"].items()
               for impl, why in rec.get("crashed", {}).items()
               if (rec.get("frameworks") or {}).get(impl.split("_")[0], {}).get("impl") != impl]
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
    r.add_argument("--hang", type=float, default=180.0,
                   help="seconds one implementation may run (its calls together) before it is stopped")
    r.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
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
    return work(opts) if opts.worker else run(opts)


if __name__ == "__main__":
    sys.exit(main())
