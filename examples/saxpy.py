"""saxpy: y = alpha * x + y in single precision, in place.

The export line fixes the types; without it, arrays would be float64.
"""
import sys

import numpy as np
import appy


# appy: export saxpy(float32, float32[:], float32[:])
@appy.jit
def saxpy(alpha, x, y):
    #pragma parallel for simd
    for i in range(x.shape[0]):
        y[i] = alpha * x[i] + y[i]


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (saxpy.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()
    alpha = 2.5

    x = rng.standard_normal(10_000, dtype=np.float32)
    y = rng.standard_normal(10_000, dtype=np.float32)
    got, want = y.copy(), y.copy()
    compiled.saxpy(alpha, x, got)
    saxpy.py_func(alpha, x, want)
    err = np.abs(got - want).max()

    n = 1 << 22
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    want = np.float32(alpha) * x + y
    compiled.saxpy(alpha, x, y)
    err = max(err, np.abs(y - want).max())

    ok = err <= 1e-5             # a fused multiply-add may round once instead of twice
    print(f"saxpy: {n} float32 elements on {compiled.saxpy.runs_on()}: "
          f"max abs error {err:.3g} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
