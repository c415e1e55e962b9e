"""vadd: c = a + b, one element per GPU thread.

    appy-translate vadd.py      # writes vadd.c and builds vadd.abi3.so
    python3 vadd.py             # runs the compiled kernel and checks it
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
    import vadd as compiled         # vadd.abi3.so, beside this file, shadows vadd.py
    if not hasattr(compiled, "_appy_device"):
        sys.exit("vadd: not compiled yet: run appy-translate vadd.py first")
    rng = np.random.default_rng()

    # A small size against this file's own function, run by plain Python...
    a, b = rng.standard_normal(10_000), rng.standard_normal(10_000)
    got, want = np.empty_like(a), np.empty_like(a)
    compiled.vadd(a, b, got)
    vadd(a, b, want)
    err = np.abs(got - want).max()

    # ...and a large one against NumPy.
    n = 1 << 20
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    c = np.empty_like(a)
    compiled.vadd(a, b, c)
    err = max(err, np.abs(c - (a + b)).max())

    ok = err == 0.0
    print(f"vadd: {n} float64 elements on {compiled._appy_device()}: "
          f"max abs error {err} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
