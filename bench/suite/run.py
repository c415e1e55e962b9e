"""The benchmark suite: each kernel of bench/suite/kernels/ as APPy-annotated Python compiled
by appy-translate, against the same computation written for NumPy (the CPU reference and
the correctness oracle), CuPy, PyTorch (eager and torch.compile), JAX (jax.jit) and Numba
(the annotated source itself under @njit(parallel=True), its prange loops parallel).

A kernel file holds: SIZES ({"full": {...}, "small": {...}}, the keyword arguments of
make), make(rng, **size) -> {name: array or scalar} (the kernel's arguments, in order),
traffic(**size) -> (least bytes moved, flops), KERNEL (the @appy.jit function to call),
OUTPUTS (the arrays it writes, and "return" for its return value), numpy_impl(xp, ...)
(NumPy, and CuPy with xp = cupy), torch_impl(torch, ...), jax_impl(jnp, ...), optionally
RTOL, and NO_TORCH_COMPILE (why torch.compile is not run on it). An implementation writes
the outputs in place or returns {name: value} (JAX must).

Two steps, one per machine (../shared/gpu/README.md):
  python3 bench/suite/run.py build DIR [--compiler clang] [--only k1,k2]
      (here) translates every kernel file into DIR/NAME.abi3.so and records, in
      DIR/build.json, how long each translation + compilation took.
  python3 bench/suite/run.py run DIR [--size full|small] [--only ...] [--peers ...]
                               [--runs 10] [--budget SECONDS] [--out OUTDIR]
      (there) checks every implementation against NumPy, then times it: median of
      --runs calls after warm-up, with device synchronisation, on device-resident inputs
      (appy: inside appy.device(...)); a second table times the GPU implementations end to
      end from NumPy arrays. Measures the card's copy bandwidth in the same run and writes
      OUTDIR/suite.json and OUTDIR/suite.md (and suite.png where matplotlib imports).
  python3 bench/suite/run.py report OUTDIR/suite.json [--out DIR]
      redraws the Markdown and the chart from a JSON file.
Where a peer's library is missing it is reported as such; a failing implementation is
reported with its error and the run goes on.
"""
import argparse
import functools
import importlib.util
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KERNELS = HERE / "kernels"
sys.path.insert(0, str(KERNELS))     # the kernels' shared input helpers (_data.py)
PEERS = ("numpy", "appy", "cupy", "torch", "jax", "numba", "torch.compile")
GPU_PEERS = ("appy", "cupy", "torch", "jax", "torch.compile")


NOT_RUN = "not run: the run's time budget was spent"   # a peer --resume runs again


def log(msg):
    print(msg, flush=True)


def kernel_names(only):
    names = sorted(p.stem for p in KERNELS.glob("*.py") if not p.stem.startswith("_"))
    if only:
        wanted = only.split(",")
        unknown = set(wanted) - set(names)
        if unknown:
            sys.exit("unknown kernels: %s (have: %s)" % (", ".join(sorted(unknown)), ", ".join(names)))
        names = [n for n in names if n in wanted]
    return names


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod          # torch.compile looks functions' modules up by name
    spec.loader.exec_module(mod)
    return mod


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


# ---------------------------------------------------------------- build (development machine)

def build(opts):
    out = Path(opts.dir)
    out.mkdir(parents=True, exist_ok=True)
    translate = os.environ.get("APPY_TRANSLATE", str(HERE.parents[1] / "translator" / "appy-translate"))
    record = {}
    for name in kernel_names(opts.only):
        src = KERNELS / f"{name}.py"
        t0 = time.perf_counter()
        p = subprocess.run([translate, "--compiler", opts.compiler, "-o", str(out / f"{name}.abi3.so"),
                            str(src)], capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"appy-translate failed on {src}:\n{p.stderr}")
        record[name] = {"seconds": round(seconds, 3), "compiler": opts.compiler}
        log(f"{name}: {seconds:.1f} s")
    old = {}
    if (out / "build.json").exists():
        old = json.loads((out / "build.json").read_text())
    old.update(record)
    git = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                         capture_output=True, text=True)
    old["_commit"] = git.stdout.strip() if git.returncode == 0 else "unknown"
    (out / "build.json").write_text(json.dumps(old, indent=1))


# ---------------------------------------------------------------- peers

class Peer:
    """One implementation: to_device(np array) -> its array, run(args) -> outputs as NumPy,
    sync() after a call."""
    name = "?"
    gpu = False

    def to_device(self, a):
        return a

    def to_host(self, a):
        return np.asarray(a)

    def sync(self):
        pass

    def free(self):
        pass


def numba_kernel(spec):
    """The kernel's annotated source under numba.njit(parallel=True): appy.prange is
    numba.prange, appy.jit and appy.buffer what they are in plain Python."""
    import numba
    fn = getattr(spec, spec.KERNEL)
    shim = types.ModuleType("appy")
    import appy as real
    for attr in ("jit", "buffer", "range"):
        setattr(shim, attr, getattr(real, attr))
    shim.prange = numba.prange
    g = dict(fn.__globals__, appy=shim, prange=numba.prange)
    plain = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    return numba.njit(parallel=True)(plain)


def make_peer(name, spec, compiled):
    """(Peer, call) for one implementation of one kernel, or raises ImportError."""
    p = Peer()
    p.name = name
    if name == "numpy":
        return p, lambda *a: spec.numpy_impl(np, *a)
    if name == "numba":   # a kernel's own numba_impl where prange cannot take the annotated one
        import numba
        return p, (spec.numba_impl(numba) if hasattr(spec, "numba_impl") else numba_kernel(spec))
    if name == "appy":
        p.gpu = compiled._appy_device().startswith("gpu")
        return p, getattr(compiled, spec.KERNEL)
    if name == "cupy":
        import cupy as cp
        p.gpu = True
        p.to_device = lambda a: cp.asarray(a) if isinstance(a, np.ndarray) else a   # scalars stay Python's
        p.to_host = lambda a: cp.asnumpy(a) if isinstance(a, cp.ndarray) else np.asarray(a)
        p.sync = cp.cuda.Device().synchronize
        p.free = cp.get_default_memory_pool().free_all_blocks
        return p, lambda *a: spec.numpy_impl(cp, *a)
    if name in ("torch", "torch.compile"):
        import torch
        if not torch.cuda.is_available():
            raise ImportError("torch sees no CUDA device")
        p.gpu = True
        p.to_device = lambda a: torch.from_numpy(np.ascontiguousarray(a)).cuda() if isinstance(a, np.ndarray) else a
        p.to_host = lambda a: a.cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
        p.sync = torch.cuda.synchronize
        p.free = torch.cuda.empty_cache
        if name == "torch":
            return p, lambda *a: spec.torch_impl(torch, *a)
        # Dynamo caches compiled versions per code object and runs a function eagerly once
        # it has 8 of them: compile each kernel's own torch_impl, from an empty cache (one
        # shared wrapper made every kernel after the eighth run uncompiled).
        torch._dynamo.reset()
        return p, torch.compile(functools.partial(spec.torch_impl, torch))
    if name == "jax":
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        if jax.default_backend() != "gpu":
            raise ImportError("JAX has no GPU backend here")
        p.gpu = True
        p.to_device = lambda a: jax.device_put(a) if isinstance(a, np.ndarray) else a
        p.to_host = np.asarray
        f = jax.jit(lambda *a: spec.jax_impl(jnp, *a))
        p.block = lambda out: jax.block_until_ready(out)
        return p, f
    raise ValueError(name)


def outputs_of(spec, args, names, result, peer):
    """The kernel's outputs after a call, as NumPy arrays / Python scalars."""
    got = {}
    if isinstance(result, dict):
        got.update({k: peer.to_host(v) for k, v in result.items()})
    elif "return" in spec.OUTPUTS:
        got["return"] = result if np.isscalar(result) else peer.to_host(result)
    for o in spec.OUTPUTS:
        if o != "return" and o not in got:
            got[o] = peer.to_host(args[names.index(o)])
    if "return" in got and not isinstance(got["return"], (tuple, list)):
        got["return"] = np.asarray(got["return"])
    return got


def compare(spec, got, want):
    rtol = getattr(spec, "RTOL", 1e-9)
    worst = 0.0
    for k, w in want.items():
        g = got.get(k)
        if g is None:
            return f"missing output {k}"
        g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
        if g.shape != w.shape:
            return f"{k}: shape {g.shape}, want {w.shape}"
        scale = np.abs(w).max() if w.size else 0.0
        err = float(np.abs(g - w).max() / (scale or 1.0)) if w.size else 0.0
        if not np.isfinite(err) or err > rtol:
            return f"{k}: relative error {err:.2e} > {rtol:.0e}"
        worst = max(worst, err)
    return worst


def timed(call, args, peer, runs, warmup=2, budget=3.0, least=3):
    """(median s, runs): after warm-up calls, up to `runs` calls (at least `least`, more
    while within `budget` seconds), each followed by the peer's synchronisation."""
    block = getattr(peer, "block", None)

    def once():
        t0 = time.perf_counter()
        out = call(*args)
        if block:
            block(out)
        peer.sync()
        return time.perf_counter() - t0
    for _ in range(warmup):
        once()
    ts = []
    start = time.perf_counter()
    while len(ts) < runs and (len(ts) < least or time.perf_counter() - start < budget):
        ts.append(once())
    return median(ts), len(ts)


def copy_bandwidth():
    """Device-to-device copy of 1 GiB with CuPy: bytes read + written per second."""
    import cupy as cp
    a = cp.ones(1 << 27, dtype=cp.float64)
    b = cp.empty_like(a)
    ts = []
    for _ in range(12):
        cp.cuda.Device().synchronize()
        t0 = time.perf_counter()
        cp.copyto(b, a)
        cp.cuda.Device().synchronize()
        ts.append(time.perf_counter() - t0)
    del a, b
    cp.get_default_memory_pool().free_all_blocks()
    return 2 * (1 << 30) / median(ts[2:])


def run_kernel(name, spec, compiled, opts, deadline, result):
    size = spec.SIZES[opts.size]
    rng = np.random.default_rng(opts.seed)
    pristine = spec.make(rng, **size)
    names = list(pristine)
    nbytes, flops = spec.traffic(**size)
    entry = result.setdefault(name, {"size": size, "bytes": nbytes, "flops": flops,
                                     "doc": (spec.__doc__ or "").strip().split("\n")[0],
                                     "peers": {}})
    fresh = lambda: [v.copy() if isinstance(v, np.ndarray) else v for v in pristine.values()]
    args = fresh()
    t0 = time.perf_counter()
    want = outputs_of(spec, args, names, spec.numpy_impl(np, *args), Peer())
    t_ref = time.perf_counter() - t0
    for peer_name in opts.peers:
        rec = entry["peers"].setdefault(peer_name, {})
        if peer_name == "numpy" and t_ref > 0.5:    # the reference call was the timing
            rec.update(first_s=t_ref, s=t_ref, runs=1, gpu=False, rel_err=0.0)
            log(f"  {peer_name:14s} {t_ref * 1e3:10.3f} ms  (the reference call)")
            continue
        if time.monotonic() > deadline:
            rec["error"] = NOT_RUN
            continue
        if peer_name == "torch.compile" and getattr(spec, "NO_TORCH_COMPILE", None):
            rec["error"] = "not run: " + spec.NO_TORCH_COMPILE
            continue
        try:
            peer, call = make_peer(peer_name, spec, compiled)
        except ImportError as e:
            rec["error"] = f"unavailable: {e}"
            continue
        except Exception as e:                     # noqa: BLE001 (reported, run goes on)
            rec["error"] = f"{type(e).__name__}: {e}"
            continue
        try:
            dev = [peer.to_device(a) for a in fresh()]
            peer.sync()
            block = getattr(peer, "block", None)
            t0 = time.perf_counter()
            out = call(*dev)                       # the first call: compiles where peers do
            if block:
                block(out)
            peer.sync()
            first = time.perf_counter() - t0
            got = outputs_of(spec, dev, names, out, peer)
            err = compare(spec, got, want)
            if isinstance(err, str):
                rec["error"] = "wrong result: " + err
                log(f"  {peer_name:14s} {rec['error']}")
                continue
            rec["rel_err"] = err
            dev = [peer.to_device(a) for a in fresh()]
            if peer_name == "appy" and peer.gpu:
                import appy
                with appy.device(*[a for a in dev if isinstance(a, np.ndarray) and a.size]):
                    med, n = timed(call, dev, peer, opts.runs)
            elif peer.gpu:
                med, n = timed(call, dev, peer, opts.runs)
            else:                                  # CPU: the first call was the warm-up
                med, n = timed(call, dev, peer, opts.runs, warmup=0, budget=2.0, least=1)
            rec.update(first_s=first, s=med, runs=n, gpu=peer.gpu)
            if peer.gpu and opts.e2e:              # end to end from NumPy arrays
                def e2e(*host):
                    d = [peer.to_device(a) for a in host]
                    r = call(*d)
                    return outputs_of(spec, d, names, r, peer)
                e2e_med, _ = timed(e2e, fresh(), Peer(), 3, warmup=0, budget=1.0, least=2)
                rec["e2e_s"] = e2e_med
            del dev
        except Exception as e:                     # noqa: BLE001
            rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:300]
        finally:
            try:
                peer.free()
            except Exception:                      # noqa: BLE001
                pass
        s = rec.get("s")
        log(f"  {peer_name:14s} " + (f"{s * 1e3:10.3f} ms  (first call {rec['first_s']:.2f} s)"
                                      if s else rec.get("error", "")))


def run(opts):
    build_info = {}
    bj = Path(opts.dir) / "build.json"
    if bj.exists():
        build_info = json.loads(bj.read_text())
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result = {"date": now, "size": opts.size, "runs": opts.runs, "kernels": {},
              "build": build_info}
    if opts.resume and Path(opts.resume).is_file():
        # A run that --budget cut goes on: kernels whose every peer ran are kept, the rest
        # run again; the bandwidths are the first part's, and each part is listed.
        result = json.loads(Path(opts.resume).read_text())
        if result["size"] != opts.size:
            log(f"--resume {opts.resume}: size {result['size']}, not {opts.size}")
            return 2
        result["kernels"] = {k: e for k, e in result["kernels"].items()
                             if all(p in e["peers"] and e["peers"][p].get("error") != NOT_RUN
                                    for p in opts.peers)}
    result.setdefault("parts", []).append(now)
    deadline = time.monotonic() + opts.budget
    if "copy_bw" not in result:
        try:
            result["copy_bw"] = copy_bandwidth()
            log(f"device copy bandwidth {result['copy_bw'] / 1e12:.2f} TB/s")
        except Exception as e:                     # noqa: BLE001
            result["copy_bw"] = None
            log(f"no copy bandwidth ({type(e).__name__}: {e})")
    if opts.e2e and "host_link" not in result:   # for the end-to-end table: CuPy's rates
        sys.path.insert(0, str(HERE.parent))
        from copy_rates import peer_rates
        result["host_link"] = (peer_rates([256], 5) or {}).get(256)
        log(f"host link (256 MB): {result['host_link']}")
    for name in kernel_names(opts.only):
        if name in result["kernels"]:
            continue
        spec = load(f"suite_{name}", KERNELS / f"{name}.py")
        compiled = load(name, Path(opts.dir) / f"{name}.abi3.so")
        if "device" not in result:
            result["device"] = compiled._appy_device()
            result["compiler"] = getattr(compiled, "__appy_compiler__", "?")
        log(f"{name} {spec.SIZES[opts.size]}")
        run_kernel(name, spec, compiled, opts, deadline, result["kernels"])
        if opts.out:
            write(result, opts.out)
    if opts.out:
        write(result, opts.out, draw=True)
    failed = [(k, p, r["error"]) for k, e in result["kernels"].items() for p, r in e["peers"].items()
              if p in ("numpy", "appy") and "error" in r]
    for k, p, err in failed:
        log(f"FAILED {k} {p}: {err}")
    return 1 if failed else 0


# ---------------------------------------------------------------- report

def fmt_ms(r):
    return f"{r['s'] * 1e3:.3f}" if r and "s" in r else ("-" if not r or "unavailable" in r.get("error", "")
                                                          else "err")


# The goals the suite is measured against (issue 5): geometric-mean speedups on
# device-resident data, the bandwidth-bound kernels' share of the copy bandwidth, and no
# kernel far behind the fastest GPU peer.
GEO_TARGETS = (("cupy", 10.0), ("jax", 3.0), ("torch.compile", 1.0))
BW_TARGET = 0.70            # of the measured copy bandwidth
BW_BOUND = 10.0             # flops per least byte below which a kernel counts as bandwidth-bound
PEER_TARGET = 0.5           # of the fastest GPU peer's speed


def geomean(xs):
    return float(np.exp(np.mean(np.log(xs))))


def bandwidth_bound(e):
    return e["flops"] < BW_BOUND * e["bytes"]


def targets(res, geo, bw):
    out = ["", "## Targets", "",
           "Met or missed, and by how much (factor = what the target asks for / what was measured). "
           "Explanations of the misses: docs/performance.md.", ""]
    for p, want in GEO_TARGETS:
        if not geo.get(p):
            out.append(f"- geometric mean over {p} >= {want:g}x: not measured")
            continue
        g = geomean(geo[p])
        out.append(f"- geometric mean over {p} >= {want:g}x: {g:.2f}x over {len(geo[p])} kernels, "
                   + ("**met**" if g >= want else f"**missed** by a factor {want / g:.1f}"))
        # The most any implementation could gain on the bandwidth-bound kernels: the peer's
        # time over the time to move the kernel's least bytes at the copy bandwidth.
        ceil = [e["peers"][p]["s"] * bw / e["bytes"] for e in res["kernels"].values()
                if bw and bandwidth_bound(e) and "s" in e["peers"].get(p, {})]
        if ceil:
            out.append(f"  (bound: on its {len(ceil)} bandwidth-bound kernels, moving only their "
                       f"least bytes at the copy bandwidth would give at most "
                       f"{geomean(ceil):.2f}x over {p})")
    low, slow = [], []
    for k, e in res["kernels"].items():
        a = e["peers"].get("appy", {})
        if "s" not in a:
            continue
        if bw and bandwidth_bound(e) and e["bytes"] / a["s"] < BW_TARGET * bw:
            low.append(f"{k} {100 * e['bytes'] / a['s'] / bw:.0f} %")
        best = min(((r["s"], p) for p, r in e["peers"].items()
                    if p in GPU_PEERS and p != "appy" and "s" in r), default=None)
        if best and best[0] / a["s"] < PEER_TARGET:
            slow.append(f"{k} {best[0] / a['s']:.2f}x of {best[1]}")
    out.append(f"- bandwidth-bound kernels (under {BW_BOUND:g} flops per least byte) at >= "
               f"{100 * BW_TARGET:.0f} % of the copy bandwidth: "
               + (f"**missed** for {len(low)} kernels: " + ", ".join(low) if low else "**met**"))
    out.append(f"- no kernel slower than {PEER_TARGET:g}x of the fastest GPU peer: "
               + (f"**missed** for {len(slow)} kernels: " + ", ".join(slow) if slow else "**met**"))
    return out


def markdown(res):
    peers = [p for p in PEERS if any(p in e["peers"] for e in res["kernels"].values())]
    bw = res.get("copy_bw")
    lines = [f"# Benchmark suite ({res['date']})", "",
             f"Device: {res.get('device', '?')}; modules built with {res.get('compiler', '?')} "
             f"from commit {res.get('build', {}).get('_commit', '?')}; "
             f"size `{res['size']}`; median of up to {res['runs']} timed calls after warm-up, "
             "each followed by the library's device synchronisation; GPU inputs resident on the "
             "device (appy: inside `appy.device(...)`). Device copy bandwidth (CuPy copy of "
             f"1 GiB, read + write): {bw / 1e12:.2f} TB/s." if bw else "Device copy bandwidth: not measured.",
             ] + ([f"", f"**{res['note']}**"] if res.get("note") else []) + (
             ["", f"The run was made in {len(res['parts'])} parts (`--resume`), begun "
              + ", ".join(res["parts"]) + "."] if len(res.get("parts", [])) > 1 else []) + [
             "", "## Time per call (ms) on device-resident data", "",
             "| kernel | " + " | ".join(peers) + " | appy GB/s | % of copy bw |",
             "| --- | " + " | ".join("---:" for _ in peers) + " | ---: | ---: |"]
    for k, e in res["kernels"].items():
        a = e["peers"].get("appy", {})
        gbs = e["bytes"] / a["s"] / 1e9 if "s" in a else None
        lines.append(f"| {k} | " + " | ".join(fmt_ms(e["peers"].get(p)) for p in peers)
                     + (f" | {gbs:.0f} | {100 * gbs * 1e9 / bw:.0f} %" if gbs and bw else " | - | -") + " |")
    lines += ["", "## Speedup of appy over each peer (peer time / appy time)", "",
              "| kernel | " + " | ".join(p for p in peers if p != "appy") + " |",
              "| --- | " + " | ".join("---:" for p in peers if p != "appy") + " |"]
    geo = {p: [] for p in peers}
    for k, e in res["kernels"].items():
        a = e["peers"].get("appy", {})
        row = []
        for p in peers:
            if p == "appy":
                continue
            r = e["peers"].get(p, {})
            if "s" in r and "s" in a:
                x = r["s"] / a["s"]
                geo[p].append(x)
                row.append(f"{x:.2f}")
            else:
                row.append("-")
        lines.append(f"| {k} | " + " | ".join(row) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        (f"**{geomean(geo[p]):.2f}** ({len(geo[p])})" if geo[p] else "-")
        for p in peers if p != "appy") + " |")
    lines += targets(res, geo, bw)
    lines += ["", "## End to end from NumPy arrays (ms: copies in, the call, copies out)", ""]
    link = res.get("host_link")
    if link:
        lines += ["The host link in the same run (CuPy, 256 MB): pageable "
                  f"{link['pageable']['h2d']:.1f} GB/s to the device and "
                  f"{link['pageable']['d2h']:.1f} back, pinned {link['pinned']['h2d']:.1f} and "
                  f"{link['pinned']['d2h']:.1f}. appy x: the best other peer's time over appy's.", ""]
    e2e_peers = [p for p in peers if p in GPU_PEERS]
    lines += ["| kernel | " + " | ".join(e2e_peers) + " | appy x |",
              "| --- | " + " | ".join("---:" for _ in e2e_peers) + " | ---: |"]
    for k, e in res["kernels"].items():
        t = {p: e["peers"][p]["e2e_s"] for p in e2e_peers if "e2e_s" in e["peers"].get(p, {})}
        others = [v for p, v in t.items() if p != "appy"]
        x = f"{min(others) / t['appy']:.2f}" if others and "appy" in t else "-"
        lines.append(f"| {k} | " + " | ".join(
            f"{t[p] * 1e3:.2f}" if p in t else "-" for p in e2e_peers) + f" | {x} |")
    lines += ["", "## Compile times (s)", "",
              "appy: appy-translate + the offload compiler on the development machine, and the "
              "first call's extra time on the GPU (JIT); the others: first call minus a later one.", "",
              "| kernel | appy build | appy first call | numba | jax | torch.compile |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for k, e in res["kernels"].items():
        def extra(p):
            r = e["peers"].get(p, {})
            return f"{r['first_s'] - r['s']:.2f}" if "s" in r else "-"
        b = res.get("build", {}).get(k, {}).get("seconds")
        lines.append(f"| {k} | {b if b is not None else '-'} | {extra('appy')} | {extra('numba')} | "
                     f"{extra('jax')} | {extra('torch.compile')} |")
    errors = [(k, p, r["error"]) for k, e in res["kernels"].items() for p, r in e["peers"].items()
              if "error" in r]
    if errors:
        lines += ["", "## Not timed", ""] + [f"- {k}, {p}: {err}" for k, p, err in errors]
    lines += ["", "## Kernels", ""] + [f"- **{k}** {e['size']}: {e['doc']} ({e['bytes'] / 1e6:.1f} MB, "
                                       f"{e['flops'] / 1e6:.1f} Mflop)" for k, e in res["kernels"].items()]
    return "\n".join(lines) + "\n"


def chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ks = list(res["kernels"])
    peers = [p for p in PEERS if p not in ("appy", "numpy") and
             any("s" in res["kernels"][k]["peers"].get(p, {}) for k in ks)]
    if not peers:
        log("no GPU or CPU peer was timed: suite.png not drawn")
        return
    fig, ax = plt.subplots(figsize=(max(8, 0.6 * len(ks)), 5))
    w = 0.8 / len(peers)
    for j, p in enumerate(peers):
        xs, ys = [], []
        for i, k in enumerate(ks):
            a, r = res["kernels"][k]["peers"].get("appy", {}), res["kernels"][k]["peers"].get(p, {})
            if "s" in a and "s" in r:
                xs.append(i + (j - len(peers) / 2) * w)
                ys.append(r["s"] / a["s"])
        ax.bar(xs, ys, w, label=p)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(ks)))
    ax.set_xticklabels(ks, rotation=60, ha="right")
    ax.set_ylabel("speedup of appy (peer time / appy time)")
    ax.set_title(f"appy-omp vs peers, {res.get('device', '')}, {res['date']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write(res, out, draw=False):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "suite.json").write_text(json.dumps(res, indent=1, default=float))
    (out / "suite.md").write_text(markdown(res))
    if draw:
        try:
            chart(res, out / "suite.png")
        except Exception as e:                     # noqa: BLE001 (no matplotlib, or broken)
            log(f"suite.png not drawn: {type(e).__name__}: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("dir")
    b.add_argument("--compiler", default="clang")
    b.add_argument("--only", default="")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--size", choices=("full", "small"), default="full")
    r.add_argument("--only", default="")
    r.add_argument("--peers", default=",".join(PEERS))
    r.add_argument("--runs", type=int, default=10)
    r.add_argument("--budget", type=float, default=540.0, help="seconds for the whole run")
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--no-e2e", dest="e2e", action="store_false",
                   help="skip the end-to-end table (copies from NumPy arrays)")
    r.add_argument("--out", default=os.environ.get("OUT"))
    r.add_argument("--resume", metavar="JSON",
                   help="go on with the run in JSON (its suite.json), if it exists")
    rep = sub.add_parser("report")
    rep.add_argument("json")
    rep.add_argument("--out", default="docs")
    opts = ap.parse_args()
    if opts.cmd == "build":
        build(opts)
        return 0
    if opts.cmd == "report":
        write(json.loads(Path(opts.json).read_text()), opts.out, draw=True)
        return 0
    opts.peers = [p for p in opts.peers.split(",") if p]
    if opts.seed is None:
        opts.seed = int(np.random.SeedSequence().entropy % (1 << 32))
    log(f"random seed {opts.seed}")
    return run(opts)


if __name__ == "__main__":
    sys.exit(main())
