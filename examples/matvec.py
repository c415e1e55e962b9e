"""matvec: y = A x. One team of threads per row: `#pragma simd` shares the inner loop
and its sum among the team (APPy's group mode)."""
import sys

import numpy as np
import appy


# appy: export matvec(float64[:, :], float64[:], float64[:])
@appy.jit
def matvec(A, x, y):
    #pragma parallel for
    for i in range(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (matvec.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()

    def error(A, x, y, want):
        return (np.abs(y - want) / (np.abs(A) @ np.abs(x) + 1e-300)).max()

    A, x = rng.standard_normal((100, 300)), rng.standard_normal(300)
    got, want = np.empty(100), np.empty(100)
    compiled.matvec(A, x, got)
    matvec.py_func(A, x, want)
    err = error(A, x, got, want)

    m, n = 4000, 3000
    A, x = rng.standard_normal((m, n)), rng.standard_normal(n)
    y = np.empty(m)
    compiled.matvec(A, x, y)
    err = max(err, error(A, x, y, A @ x))

    ok = err <= 1e-12          # relative to sum_j |A_ij x_j|
    print(f"matvec: {m}x{n} float64 matrix on {compiled.matvec.runs_on()}: "
          f"relative error {err:.3g} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
