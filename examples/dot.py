"""dot: a reduction. `s += ...` in a parallel loop is detected as a sum over all
iterations, and s holds the total after the loop."""
import sys

import numpy as np
import appy


@appy.jit
def dot(x, y):
    s = 0.0
    #pragma parallel for
    for i in range(x.shape[0]):
        s += x[i] * y[i]
    return s


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (dot.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()

    x, y = rng.standard_normal(10_000), rng.standard_normal(10_000)
    err = abs(compiled.dot(x, y) - dot.py_func(x, y)) / np.abs(x * y).sum()

    n = 1 << 24
    x, y = rng.standard_normal(n), rng.standard_normal(n)
    err = max(err, abs(compiled.dot(x, y) - np.dot(x, y)) / np.abs(x * y).sum())

    ok = err <= 1e-12          # summation order differs: relative to sum |x_i y_i|
    print(f"dot: {n} float64 elements on {compiled.dot.runs_on()}: "
          f"relative error {err:.3g} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
