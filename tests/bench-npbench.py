"""make check: the NPBench track (bench/npbench) without NPBench.

Every kernel of bench/npbench/kernels translates and builds with the default compiler. Then
run.py runs against a stand-in NPBench tree written here (six tiny benchmarks in NPBench's
layout: bench_info JSON, initialize, a NumPy implementation) with kernels of our own: one
right (in place), one that writes its argument wrong, one whose return value is wrong, one
returning a value and writing an argument, one that kills its process and one that never
returns. The report must call the right ones valid, the wrong ones invalid, time only what
validated, and go on past the crash and the hang; a second part (--resume, with NumPy in a
process of its own beside the others) must run only the kernels the first did not. NPBench itself is checked on the GPU machine (tools/gpu-npbench.sh).
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(os.environ.get("APPY_SRCDIR", Path(__file__).resolve().parents[1]))
RUN = SRC / "bench" / "npbench" / "run.py"
PYTHON = os.environ.get("PYTHON", sys.executable)
COMPILER = os.environ.get("APPY_DEFAULT_COMPILER") or "none"

BENCHES = {
    "scale": ({"N": 1000}, ["alpha", "x"], ["alpha", "x"], ["x"],
              "def initialize(N):\n    return 1.5, np.arange(N, dtype=np.float64) / N\n",
              "def kernel(alpha, x):\n    x *= alpha\n"),
    "twice": ({"N": 700}, ["alpha", "x"], ["alpha", "x"], ["x"],
              "def initialize(N):\n    return 1.5, np.arange(N, dtype=np.float64) / N\n",
              "def kernel(alpha, x):\n    x *= alpha\n"),
    "crash": ({"N": 100}, ["x"], ["x"], [],
              "def initialize(N):\n    return np.ones(N)\n",
              "def kernel(x):\n    return x * 3.0\n"),
    "hang": ({"N": 100}, ["x"], ["x"], [],
             "def initialize(N):\n    return np.ones(N)\n",
             "def kernel(x):\n    return x * 4.0\n"),
    "shift": ({"N": 500}, ["x"], ["x"], [],
              "def initialize(N):\n    return np.linspace(0.0, 1.0, N)\n",
              "def kernel(x):\n    return x + 1.0\n"),
    "both": ({"N": 300}, ["x", "y"], ["x", "y"], ["y"],
             "def initialize(N):\n    return np.ones(N), np.zeros(N)\n",
             "def kernel(x, y):\n    y[:] = 2.0 * x\n    return x.sum()\n"),
}

TOUCH = '''

# appy: export touch(float64[:])
@appy.jit
def touch(x):
    for i in appy.prange(x.shape[0]):
        x[i] = x[i] + 0.0
'''

OURS = {
    "scale": '''
# appy: export scale(float64, float64[:])
@appy.jit
def scale(alpha, x):
    for i in appy.prange(x.shape[0]):
        x[i] = x[i] * alpha


def kernel(alpha, x):
    scale(alpha, x)
''',
    "twice": '''
# appy: export twice(float64, float64[:])
@appy.jit
def twice(alpha, x):
    for i in appy.prange(x.shape[0]):
        x[i] = x[i] * alpha * alpha   # wrong on purpose: an output argument


def kernel(alpha, x):
    twice(alpha, x)
''',
    # Each calls a compiled kernel (a module must have one), then fails its own way
    "crash": """
import os
""" + TOUCH + """

def kernel(x):
    touch(x)
    os.abort()                     # as an offload runtime's fatal error does
""",
    "hang": """
import time
""" + TOUCH + """

def kernel(x):
    touch(x)
    time.sleep(600)                # a kernel that never returns
""",
    "shift": '''
# appy: export shift_into(float64[:], float64[:])
@appy.jit
def shift_into(x, y):
    for i in appy.prange(x.shape[0]):
        y[i] = x[i] + 2.0          # wrong on purpose: NumPy adds 1


def kernel(x):
    y = type(x)(x.shape[0], dtype=np.float64)
    shift_into(x, y)
    return y
''',
    "both": '''
# appy: export double(float64[:], float64[:])
@appy.jit
def double(x, y):
    s = 0.0
    for i in appy.prange(x.shape[0]):
        y[i] = 2.0 * x[i]
        s += x[i]
    return s


def kernel(x, y):
    return double(x, y)
''',
}


def run(*args):
    p = subprocess.run([PYTHON, str(RUN), *args], capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        sys.exit(f"FAIL: run.py {' '.join(args)}\n{p.stdout}{p.stderr}")
    return p.stdout


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = run("build", str(tmp / "real"), "--compiler", COMPILER)
        built = sorted(p.stem.split(".")[0] for p in (tmp / "real").glob("*.abi3.so"))
        want = sorted(p.stem for p in (SRC / "bench" / "npbench" / "kernels").glob("*.py"))
        if built != want or len(built) != 21:
            sys.exit(f"FAIL: built {built}, expected the 21 kernels {want}\n{out}")

        tree, ours = tmp / "npbench", tmp / "ours"
        for name, (params, init_in, args, outs, init, numpy_impl) in BENCHES.items():
            info = {"benchmark": {"name": name, "short_name": name, "relative_path": name,
                                  "module_name": name, "func_name": "kernel",
                                  "parameters": {"S": params},
                                  "init": {"func_name": "initialize",
                                           "input_args": list(params),
                                           "output_args": init_in},
                                  "input_args": args, "array_args": args, "output_args": outs}}
            (tree / "bench_info").mkdir(parents=True, exist_ok=True)
            (tree / "bench_info" / f"{name}.json").write_text(json.dumps(info))
            d = tree / "npbench" / "benchmarks" / name
            d.mkdir(parents=True)
            (d / f"{name}.py").write_text("import numpy as np\n\n" + init)
            (d / f"{name}_numpy.py").write_text("import numpy as np\n\n" + numpy_impl)
            ours.mkdir(exist_ok=True)
            (ours / f"{name}.py").write_text("import appy\nimport numpy as np\n" + OURS[name])
        run("build", str(tmp / "mods"), "--compiler", COMPILER, "--kernels-dir", str(ours))
        # In two parts: the second goes on with the first's JSON (--resume) and runs only
        # the kernels the first did not.
        common = ["--kernels-dir", str(ours), "--preset", "S", "--frameworks", "numpy,appy",
                  "--reps", "3", "--budget", "1", "--hang", "5", "--out", str(tmp / "report")]
        log = run("run", str(tree), str(tmp / "mods"), *common, "--only", "scale,twice")
        log2 = run("run", str(tree), str(tmp / "mods"), *common, "--only", ",".join(BENCHES),
                   "--resume", str(tmp / "report" / "npbench.json"), "--numpy-aside", "on")
        res = json.loads((tmp / "report" / "npbench.json").read_text())
        problems = []
        if sorted(res["kernels"]) != sorted(BENCHES) or len(res.get("parts", [])) != 2:
            sys.exit(f"FAIL: resumed run has {sorted(res['kernels'])}, parts {res.get('parts')}")
        if "scale:" in log2 or "shift:" not in log2:
            problems.append("the resumed run did not run just the kernels left")
        extra = {f.name for f in (tmp / "report").iterdir()} - {"npbench.json", "npbench.md",
                                                                  "npbench.png"}
        if extra:
            problems.append(f"the run left {sorted(extra)} beside its report")
        # A kernel that kills its process and one that never returns cost their own rows
        for k, why in (("crash", "died (signal 6)"), ("hang", "no result in 5 s")):
            r = res["kernels"][k]["frameworks"].get("appy", {})
            if why not in r.get("error", ""):
                problems.append(f"{k}: appy's record is {r}, expected an error saying {why!r}")
            if "s" not in res["kernels"][k]["frameworks"].get("numpy", {}):
                problems.append(f"{k}: NumPy's row was lost")
        log += log2
        appy = {k: res["kernels"][k]["frameworks"]["appy"] for k in BENCHES}
        for k, expect in (("scale", True), ("twice", False), ("shift", False), ("both", True)):
            if appy[k].get("valid") is not expect:
                problems.append(f"{k}: valid {appy[k].get('valid')}, expected {expect}")
        if not appy["shift"].get("rel_error", 0) > 0.1:
            problems.append(f"shift: relative error {appy['shift'].get('rel_error')}")
        md = (tmp / "report" / "npbench.md").read_text()
        if "| shift |" not in md or "(invalid)" not in md:
            problems.append("the report does not mark shift invalid")
        speed = [line for line in md.splitlines() if line.startswith("| shift |")]
        if len(speed) < 2 or speed[1].split("|")[2].strip() != "-":
            problems.append(f"shift's speedup is reported: {speed}")
        if problems:
            sys.exit("FAIL:\n" + "\n".join(problems) + "\n" + log + md)
        print(log + "PASS: 21 kernels build; the runner tells valid from invalid, survives a crash "
              "and a hang, and resumes")


if __name__ == "__main__":
    main()
