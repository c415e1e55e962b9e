"""Device-resident inputs against NumPy inputs: APPy's own kernels under @appy.jit.

    /usr/bin/python3 bench/device_inputs.py --appy APPY_CHECKOUT --npbench NPBENCH_CHECKOUT \
        [--kernels gemver,fdtd_2d,syrk,trmm] [--presets M,L,paper] [--inputs numpy,cupy,torch] \
        [--reps 10] [--peer-kernels gemver,fdtd_2d] [--json OUT.json]

For each kernel, APPy's test file (APPY_CHECKOUT/tests/integration/triton/npbench/
test_K.py, imported as it is: its @appy.jit is this project's) gives `initialize` and
`kernel_appy`; NPBench's bench_info/K.json gives the presets' sizes and NPBench's own CuPy
version (npbench/benchmarks/polybench/K/K_cupy.py) is timed beside ours on CuPy arrays
for the kernels --peer-kernels names (NPBench's CuPy syrk and trmm loop over rows in
Python: about a minute a call at the paper size, so they are left out by default).
Nothing of either checkout is copied. Each row: the median of --reps calls after a first
call (compile, warm-up) that is not counted, the inputs already where they are said to be
(NumPy: host memory, each call copies in and out; CuPy, PyTorch: GPU memory), the GPU
synchronised after each call. The outputs of every input kind are checked against the
kernel run on NumPy arrays by the same build, and that once against APPy's own
`kernel_np` at the smallest preset.
"""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import statistics
import sys
import time

import numpy as np

PRESET_ORDER = ("S", "M", "L", "paper")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Kind:
    """How inputs of one kind are made, synchronised and read back."""

    def __init__(self, name):
        self.name = name
        if name == "cupy":
            import cupy
            self.mod = cupy
        elif name == "torch":
            import torch
            self.mod = torch

    def put(self, a):
        if not isinstance(a, np.ndarray):
            return a
        if self.name == "cupy":
            return self.mod.asarray(a)
        if self.name == "torch":
            return self.mod.as_tensor(a, device="cuda")
        return a.copy()

    def get(self, a):
        if self.name == "cupy":
            return self.mod.asnumpy(a)
        if self.name == "torch":
            return a.cpu().numpy()
        return np.asarray(a)

    def sync(self):
        if self.name == "cupy":
            self.mod.cuda.Device().synchronize()
        elif self.name == "torch":
            self.mod.cuda.synchronize()


def timed(fn, args, kind, reps):
    with contextlib.redirect_stdout(io.StringIO()):   # APPy's tests ask for dump_code
        out = fn(*args)
    kind.sync()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(*args)
        kind.sync()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--appy", required=True, help="a checkout of habanero-lab/APPy")
    ap.add_argument("--npbench", required=True, help="a checkout of spcl/npbench")
    ap.add_argument("--kernels", default="gemver,fdtd_2d,syrk,trmm")
    ap.add_argument("--presets", default="M,L,paper")
    ap.add_argument("--inputs", default="numpy,cupy,torch")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--peer-kernels", default="gemver,fdtd_2d")
    ap.add_argument("--json")
    a = ap.parse_args()
    kinds = [Kind(k) for k in a.inputs.split(",")]
    rows = []
    print("%-8s %-6s %-6s %12s %14s  %s" % ("kernel", "preset", "inputs", "appy ms", "npbench cupy ms",
                                           "check"), flush=True)
    for k in a.kernels.split(","):
        test = load(os.path.join(a.appy, "tests/integration/triton/npbench/test_%s.py" % k),
                    "appy_test_" + k)
        with open(os.path.join(a.npbench, "bench_info/%s.json" % k)) as f:
            info = json.load(f)["benchmark"]
        presets = info["parameters"]
        cupy_impl = None
        if any(x.name == "cupy" for x in kinds) and k in a.peer_kernels.split(","):
            cupy_impl = load(os.path.join(a.npbench, "npbench/benchmarks", info["relative_path"],
                                          "%s_cupy.py" % info["module_name"]), k + "_cupy").kernel
        checked = False
        for preset in a.presets.split(","):
            params = presets[preset]
            init_args = [params[n] for n in info["init"]["input_args"]]
            data = dict(zip(info["init"]["output_args"], test.initialize(*init_args)))
            data.update(params)
            names = info["input_args"]
            ref = None
            for kind in kinds:
                args = [kind.put(data[n]) for n in names]
                out, seconds = timed(test.kernel_appy, args, kind, a.reps)
                got = {n: kind.get(args[names.index(n)]) for n in info["output_args"]}
                note = ""
                if ref is None:
                    ref = got
                    if not checked:        # against APPy's NumPy version, once per kernel
                        np_args = [data[n].copy() if isinstance(data[n], np.ndarray) else data[n]
                                   for n in names]
                        for _ in range(1 + a.reps):   # as many calls as the timed runs made
                            test.kernel_np(*np_args)
                        for n in info["output_args"]:
                            want = np_args[names.index(n)]
                            if not np.allclose(got[n], want, rtol=1e-6, atol=1e-8):
                                note = "differs from kernel_np in %s" % n
                        checked = True
                for n in info["output_args"]:
                    if not np.allclose(got[n], ref[n], rtol=1e-9, atol=1e-12):
                        note = "%s differs from the NumPy-input run" % n
                peer = None
                if kind.name == "cupy" and cupy_impl is not None:
                    pargs = [kind.put(data[n]) for n in names]
                    _, peer = timed(cupy_impl, pargs, kind, a.reps)
                rows.append({"kernel": k, "preset": preset, "params": params, "inputs": kind.name,
                             "appy_ms": round(seconds * 1e3, 3),
                             "npbench_cupy_ms": round(peer * 1e3, 3) if peer else None,
                             "check": note or "ok"})
                print("%-8s %-6s %-6s %12.3f %14s  %s" % (k, preset, kind.name, seconds * 1e3,
                                                        "%.3f" % (peer * 1e3) if peer else "-",
                                                        note or "ok"), flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["check"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
