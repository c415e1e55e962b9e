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
import shutil
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


def implementations(npbench, build_dir, bench, kernel, name, opts, rec):
    """[(impl name, function)] of one framework for one kernel; raises if it cannot load."""
    if name == "appy":
        fn, compiled = appy_impl(build_dir, opts.kernels_dir, bench, kernel)
        rec["device"] = compiled._appy_device()
        return [("appy", fn)]
    if name == "numba":
        impls = [(f"numba_{v}", npbench_impl(npbench, bench, f"_numba_{v}"))
                 for v in NUMBA_VARIANTS]
    else:
        impls = [(name, npbench_impl(npbench, bench, f"_{name}"))]
    return [(n, f) for n, f in impls if f is not None]


def run_framework(npbench, build_dir, bench, kernel, data, name, opts, rec, log, progress):
    """Runs each implementation of framework `name` on the kernel's inputs: [(record,
    outputs or None)], the record timed but not yet checked; [] if there is nothing to run.
    Implementations that rec["crashed"] names (one that crashed or hung before) are left
    out, with the reason recorded there."""
    try:
        impls = implementations(npbench, build_dir, bench, kernel, name, opts, rec)
        fw = Framework(name)
    except Exception as e:   # a framework or implementation that cannot load: said so
        log(f"  {name}: cannot load ({e})")
        return [({"error": f"cannot load: {type(e).__name__}: {e}"[:300]}, None)]
    if not impls:
        return [({"error": "no implementation in NPBench"}, None)]
    done = []
    for impl_name, fn in impls:
        if impl_name in rec.get("crashed", {}):
            done.append(({"impl": impl_name, "error": rec["crashed"][impl_name]}, None))
            continue
        progress(name, impl_name)
        make = lambda: [fw.put(data[a]) for a in bench["input_args"]]
        try:
            first, med, n, result, args = timed(fn, make, fw, opts.reps, opts.budget, opts.slow)
            out = outputs(bench, result, args, fw)
        except Exception as e:
            done.append(({"impl": impl_name, "error": f"{type(e).__name__}: {e}"[:300]}, None))
            log(f"  {impl_name}: {done[-1][0]['error']}")
            continue
        done.append(({"impl": impl_name, "s": med, "first_s": first, "calls": n}, out))
    return done


def timing(r):
    """How a timed record is logged."""
    return f"{r['impl']}: {r['s'] * 1e3:.3f} ms ({r['calls']} timed, first {r['first_s'] * 1e3:.1f} ms)"


def best_checked(name, runs, ref, log):
    """Checks each run against NumPy's outputs (ref; None: NumPy gave none, so nothing
    counts as valid) and returns the framework's record: its fastest valid implementation,
    else its first record."""
    best = None
    for r, out in runs:
        if out is not None:
            if ref is None:
                r["valid"], r["rel_error"] = False, None
                r["note"] = "not checked: NumPy gave no result"
            else:
                r["valid"], r["rel_error"] = check(ref, out, unordered=name == "jax")
            log(f"  {timing(r)}" + ("" if r["valid"] else
                                    f"  DID NOT VALIDATE ({r['rel_error'] or 0:.2e})"))
        ok = "s" in r and r.get("valid")
        best_ok = best is not None and "s" in best and best.get("valid")
        if best is None or ok and (not best_ok or r["s"] < best["s"]):
            best = r
    return best


def numpy_reference(npbench, bench, kernel, data, opts, rec, log, progress):
    """NumPy's record and outputs, timed, for one kernel."""
    runs = run_framework(npbench, None, bench, kernel, data, "numpy", opts, rec, log, progress)
    r, out = runs[0]
    if out is not None:
        r["valid"] = True
        log(f"  {timing(r)}")
    return r, out


def save_reference(refdir, kernel, r, out):
    """NumPy's record and outputs for the worker that checks the others (numpy aside)."""
    if out is not None:
        np = __import__("numpy")
        np.savez(refdir / f"{kernel}.npz", *[np.asarray(v) for v in out])
    tmp = refdir / f"{kernel}.tmp"
    tmp.write_text(json.dumps(r))
    os.replace(tmp, refdir / f"{kernel}.json")


def alive(pid):
    """Whether process pid runs (a zombie, ended but not yet waited for, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def load_reference(refdir, kernel, numpy_pid=0, heartbeat=lambda: None):
    """The NumPy process's record of kernel and its outputs: (record, outputs or None),
    waiting for them while that process (numpy_pid) runs."""
    js = refdir / f"{kernel}.json"
    beat = 0.0
    while not js.exists() and numpy_pid and alive(numpy_pid):
        if time.monotonic() - beat > 5:
            heartbeat()
            beat = time.monotonic()
        time.sleep(0.2)
    if not js.exists():
        return {"impl": "numpy", "error": "the NumPy process ended without a result"}, None
    r = json.loads(js.read_text())
    if "s" not in r:
        return r, None
    np = __import__("numpy")
    with np.load(refdir / f"{kernel}.npz") as z:
        return r, [z[f"arr_{i}"] for i in range(len(z.files))]


def run(opts):
    """The supervisor: runs the kernels in a worker process and, when the worker dies (a
    framework that segfaults or aborts: an offload runtime's fatal error, a JIT's) or one
    implementation runs longer than --hang seconds, records that implementation's failure
    and starts a new worker on what is left. One peer's crash costs its own row, not the
    run.

    NumPy aside (--numpy-aside; by default on machines of 8 processors or more): NumPy's
    reference runs in a process of its own on all processors but two, while the worker
    runs the GPU frameworks on those two; Numba runs last, on every processor, once NumPy
    is done. NumPy's single calls of minutes at the paper preset then cost no GPU time."""
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
    cpus = sorted(os.sched_getaffinity(0))
    aside = len(opts.frameworks) > 1 and (opts.numpy_aside == "on" or
                                          opts.numpy_aside == "auto" and len(cpus) >= 8)
    pin = aside and len(cpus) >= 4   # NumPy on all processors but two, the worker on those
    here["numpy_aside"] = aside
    result.setdefault("parts", []).append(here)
    deadline = time.monotonic() + opts.total
    refdir = out / "ref"
    shutil.rmtree(refdir, ignore_errors=True)
    refdir.mkdir()
    progress = out / "progress.txt"
    common = ["--preset", opts.preset, "--frameworks", ",".join(opts.frameworks),
              "--reps", str(opts.reps), "--budget", str(opts.budget), "--slow", str(opts.slow),
              "--kernels-dir", opts.kernels_dir, "--out", str(out)]
    numpy_proc = None
    if aside:   # NumPy again for every kernel left: its outputs do not outlive a part
        need = [k for k in kernels if not result["kernels"].get(k, {}).get("done")]
        if need:
            numpy_proc = subprocess.Popen(
                [sys.executable, __file__, "run", opts.npbench, opts.dir, "--worker", "numpy",
                 "--only", ",".join(need), "--total", str(opts.total), *common],
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus[2:])) if pin else None)
    while True:
        js.write_text(json.dumps(result, indent=1))
        left = [k for k in kernels if not result["kernels"].get(k, {}).get("done")]
        if not left or time.monotonic() > deadline:
            break
        progress.write_text("")
        argv = [sys.executable, __file__, "run", opts.npbench, opts.dir,
                "--worker", "gpu" if aside else "all", "--resume", str(js),
                "--only", ",".join(left), "--total", str(max(1.0, deadline - time.monotonic())),
                *common] + (["--numpy-pid", str(numpy_proc.pid)] if numpy_proc else []) + \
               ["--cpus", ",".join(map(str, cpus))]
        worker = subprocess.Popen(argv, preexec_fn=(lambda: os.sched_setaffinity(0, cpus[:2]))
                                  if pin else None)
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
            break
        kernel, fw, impl, _ = lines[-1].split("\t")
        if impl == "wait":   # stopped while waiting for the NumPy process: nobody's failure
            break
        why = why or (f"the process died (signal {-worker.returncode})" if worker.returncode < 0
                      else f"the process exited with status {worker.returncode}")
        print(f"{kernel}: {impl}: {why}; going on without it", flush=True)
        rec = result["kernels"].setdefault(kernel, {})
        rec.setdefault("crashed", {})[impl] = why
        if fw == "numpy":   # no reference: nothing of this kernel can be checked
            rec.setdefault("frameworks", {})["numpy"] = {"impl": impl, "error": why}
            rec["done"] = True
    if numpy_proc is not None:
        numpy_proc.kill()
        numpy_proc.wait()
    # NumPy's outputs (hundreds of MB at the paper preset) and the progress files go: the
    # report is what stays in OUT
    shutil.rmtree(refdir, ignore_errors=True)
    for f in ("progress.txt", "progress-numpy.txt", "npbench.tmp"):
        (out / f).unlink(missing_ok=True)
    for k in kernels:
        if k not in result["kernels"]:
            result["kernels"][k] = {"error": "not run: the run's time budget was spent"}
    write(result, out)
    return 0


def work(opts):
    """A worker. `all`: each kernel of --only in turn, NumPy first, then the others,
    checked against it. `numpy`: NumPy alone, its records and outputs to OUT/ref. `gpu`: the
    frameworks but NumPy and Numba on each kernel, checked against OUT/ref as the NumPy
    process (--numpy-pid) writes it, then Numba on every kernel, on every processor, once
    that process has ended. Results go into the JSON of --resume, saved after each
    framework; before each implementation, a line in OUT/progress.txt."""
    out = Path(opts.out)
    refdir = out / "ref"
    role = opts.worker
    js = Path(opts.resume) if opts.resume else None
    result = json.loads(js.read_text()) if js else {"kernels": {}}
    deadline = time.monotonic() + opts.total
    log = (lambda s: print(f"[numpy] {s.strip()}", flush=True)) if role == "numpy" else \
        (lambda s: print(s, flush=True))
    prog = open(out / ("progress-numpy.txt" if role == "numpy" else "progress.txt"), "a")

    def say(k, fw, impl):   # what starts now, for the supervisor's watch
        prog.write(f"{k}\t{fw}\t{impl}\t{time.time()}\n")
        prog.flush()

    def save():   # whole or not at all: the supervisor may stop this process at any time
        if js:
            tmp = js.with_suffix(".tmp")
            tmp.write_text(json.dumps(result, indent=1))
            os.replace(tmp, js)

    def one_kernel(k, names, rec):
        """Runs `names` on kernel k into rec: NumPy's outputs from this process (all,
        numpy) or the NumPy process (gpu), each framework checked against them."""
        progress = lambda fw, impl: say(k, fw, impl)
        bench = info(opts.npbench, k)
        data = inputs(opts.npbench, bench, opts.preset)
        rec.setdefault("name", bench["name"])
        rec.setdefault("params", bench["parameters"][opts.preset])
        have = rec.setdefault("frameworks", {})
        if role == "numpy":
            save_reference(refdir, k, *numpy_reference(opts.npbench, bench, k, data, opts,
                                                       rec, log, progress))
            return
        runs = {}
        if role == "gpu":   # run first, then check against NumPy's outputs once they are there
            for name in names:
                if name not in have:
                    runs[name] = run_framework(opts.npbench, opts.dir, bench, k, data, name,
                                               opts, rec, log, progress)
            r, ref = load_reference(refdir, k, opts.numpy_pid, lambda: progress("numpy", "wait"))
        else:
            r, ref = numpy_reference(opts.npbench, bench, k, data, opts, rec, log, progress)
        if "s" in r or "numpy" not in have:
            have["numpy"] = r
        for name in names:
            if name not in have:
                if name not in runs:
                    runs[name] = run_framework(opts.npbench, opts.dir, bench, k, data, name,
                                               opts, rec, log, progress)
                have[name] = best_checked(name, runs.pop(name), ref, log)
                save()

    others = [f for f in opts.frameworks if f != "numpy"]
    passes = [[f for f in others if f != "numba"], ["numba"]] if role == "gpu" else [others]
    todo = opts.only.split(",")
    for i, names in enumerate(passes):
        if i == 1:   # Numba: on every processor, once the NumPy process is done
            if "numba" not in others:
                break
            while opts.numpy_pid and alive(opts.numpy_pid):
                say(todo[-1], "numpy", "wait")
                time.sleep(1.0)
            os.sched_setaffinity(0, [int(c) for c in opts.cpus.split(",")] if opts.cpus
                                 else os.sched_getaffinity(0))
        for k in todo:
            rec = result["kernels"].setdefault(k, {})
            if time.monotonic() > deadline or rec.get("done"):
                continue
            log(f"{k}:" if i == 0 else f"{k} (numba):")
            try:
                one_kernel(k, names, rec)
                if i == len(passes) - 1 or "numba" not in others:
                    rec["done"] = True
            except Exception as e:
                rec.update(error=f"{type(e).__name__}: {e}"[:300], done=True)
                log(f"  error: {e}")
            save()
    prog.close()
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
    r.add_argument("--numpy-aside", choices=("auto", "on", "off"), default="auto",
                   help="NumPy in a process beside the GPU frameworks (auto: on 8 processors or more)")
    r.add_argument("--worker", choices=("all", "numpy", "gpu"), help=argparse.SUPPRESS)
    r.add_argument("--numpy-pid", type=int, default=0, help=argparse.SUPPRESS)
    r.add_argument("--cpus", default="", help=argparse.SUPPRESS)   # the supervisor's
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
