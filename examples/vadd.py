"""vadd: c = a + b, one element per GPU thread.

    python3 vadd.py             # @appy.jit compiles vadd on its first call; checks it
    appy-translate vadd.py      # or ahead of time: vadd.abi3.so, for `import vadd`
"""
import sys

import numpy as np
import appy


@appy.jit
def vadd(a, b, c):
    #pragma parallel for
    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (vadd.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()

    # A small size against this file's own function, run by plain Python...
    a, b = rng.standard_normal(10_000), rng.standard_normal(10_000)
    got, want = np.empty_like(a), np.empty_like(a)
    compiled.vadd(a, b, got)
    vadd.py_func(a, b, want)
    err = np.abs(got - want).max()

    # ...and a large one against NumPy.
    n = 1 << 20
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    c = np.empty_like(a)
    compiled.vadd(a, b, c)
    err = max(err, np.abs(c - (a + b)).max())

    ok = err == 0.0
    print(f"vadd: {n} float64 elements on {compiled.vadd.runs_on()}: "
          f"max abs error {err} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
