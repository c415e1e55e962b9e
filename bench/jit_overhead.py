"""What @appy.jit costs: a cold compile, a first call that finds the disk cache, and the
dispatch of every later call.

    /usr/bin/python3 bench/jit_overhead.py [--runs 5] [--calls 20000]

Each cold and warm figure is the first call of a fresh Python process (the median of
--runs processes): cold with an empty cache (translate with appy-translate, compile with
the configured compiler, load), warm with the cache the cold run left (hash the source,
find the build, load it). Dispatch: the time per call of the @appy.jit function minus
that of the compiled module's function called directly, on arguments so small that the
kernel does almost nothing, for a kernel of 1 and of 11 arguments (the minimum of 5
rounds of --calls calls each). Uses APPY_COMPILER and the other APPY_* settings as the
JIT does; prints a table and, with --json, writes it.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import timeit

KERNELS = textwrap.dedent('''
    import sys, time
    import numpy as np
    import appy

    @appy.jit
    def vadd(a, b, c):
        #pragma parallel for
        for i in range(a.shape[0]):
            c[i] = a[i] + b[i]

    @appy.jit
    def rowsum(A, out):
        #pragma parallel for
        for i in range(A.shape[0]):
            s = 0.0
            #pragma simd
            for j in range(A.shape[1]):
                s += A[i, j]
            out[i] = s

    @appy.jit
    def gemver_like(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
        #pragma parallel for
        for i in range(A.shape[0]):
            w[i] += alpha * A[i, 0] * u1[i] + beta * v1[i] + u2[i] * v2[i] + x[i] + y[i] + z[i]

    if __name__ == "__main__":
        which = sys.argv[1]
        a = np.ones(1000); b = np.ones(1000); c = np.zeros(1000)
        t0 = time.perf_counter()
        if which == "vadd":
            vadd(a, b, c)
        else:
            rowsum(np.ones((100, 100)), np.zeros(100))
        print(time.perf_counter() - t0)
''')


def first_call(path, which, env):
    p = subprocess.run([sys.executable, path, which], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("bench/jit_overhead.py: the program failed:\n" + p.stderr)
    return float(p.stdout.split()[-1])


def per_call(fn, args, n):
    return min(timeit.repeat(lambda: fn(*args), number=n, repeat=7)) / n


def dispatch(mod):
    """Per call: through @appy.jit and direct (both run the kernel: noisy by its own
    variation), and the dispatcher alone, its compiled target replaced by a function that
    does nothing (exact: the same stand-in is timed on its own)."""
    import numpy as np
    eleven = (1.5, 1.2, np.ones((1, 1)), *[np.ones(1) for _ in range(8)])
    out = {}
    for name, fn, args in (("2 arguments", mod.rowsum, (np.ones((1, 1)), np.zeros(1))),
                           ("11 arguments", mod.gemver_like, eleven)):
        fn(*args)
        sig = fn.signatures[0]
        direct = getattr(fn.modules[sig], fn.__name__)
        jit = per_call(fn, args, CALLS)
        raw = per_call(direct, args, CALLS)
        key = next(iter(fn._specs))

        def nothing(*a):
            return None
        fn._specs[key] = nothing
        alone = per_call(fn, args, CALLS * 5) - per_call(nothing, args, CALLS * 5)
        fn._specs[key] = direct
        out[name] = {"jit_us": jit * 1e6, "direct_us": raw * 1e6,
                     "difference_us": (jit - raw) * 1e6, "dispatcher_us": alone * 1e6}
    return out


def aot_first_call(path, which, env):
    """The first call in a new process of the module the warm run loaded, imported
    directly (what an ahead-of-time module costs: loading the OpenMP runtimes)."""
    prog = textwrap.dedent("""
        import glob, importlib.util, os, sys, time
        import numpy as np
        so = glob.glob(os.path.join(os.environ["APPY_CACHE_DIR"], "%s-*", "*.abi3.so"))[0]
        t0 = time.perf_counter()
        spec = importlib.util.spec_from_file_location(os.path.basename(so).split(".")[0], so)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        if "%s" == "vadd":
            m.vadd(np.ones(1000), np.ones(1000), np.zeros(1000))
        else:
            m.rowsum(np.ones((100, 100)), np.zeros(100))
        print(time.perf_counter() - t0)
    """ % (which, which))
    p = subprocess.run([sys.executable, "-c", prog], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("bench/jit_overhead.py: the direct import failed:\n" + p.stderr)
    return float(p.stdout.split()[-1])


CALLS = 20000


def main():
    global CALLS
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--calls", type=int, default=CALLS)
    ap.add_argument("--json")
    a = ap.parse_args()
    CALLS = a.calls
    result = {"compiler": os.environ.get("APPY_COMPILER", "(appy-translate's default)")}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "jit_kernels.py")
        with open(path, "w") as f:
            f.write(KERNELS)
        for which in ("vadd", "rowsum"):
            cold, warm, aot = [], [], []
            for r in range(a.runs):
                env = dict(os.environ, APPY_CACHE_DIR=os.path.join(tmp, "cache-%s-%d" % (which, r)))
                cold.append(first_call(path, which, env))
                warm.append(first_call(path, which, env))
                aot.append(aot_first_call(path, which, env))
            result[which] = {"cold_s": statistics.median(cold),
                             "warm_first_call_ms": statistics.median(warm) * 1e3,
                             "direct_import_first_call_ms": statistics.median(aot) * 1e3}
            print("%-7s cold translate+compile+load %.2f s; warm-cache first call %.1f ms; the "
                  "cached module imported directly and called %.1f ms (medians of %d "
                  "processes)" % (which, result[which]["cold_s"], result[which]["warm_first_call_ms"],
                                  result[which]["direct_import_first_call_ms"], a.runs))
        os.environ["APPY_CACHE_DIR"] = os.path.join(tmp, "cache-dispatch")
        sys.path.insert(0, tmp)
        import jit_kernels
        result["dispatch"] = dispatch(jit_kernels)
        for name, d in result["dispatch"].items():
            print("dispatch, %-12s %.2f us per call through @appy.jit, %.2f us direct (%.2f us "
                  "apart); the dispatcher alone %.2f us" % (name, d["jit_us"], d["direct_us"],
                                                             d["difference_us"], d["dispatcher_us"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
