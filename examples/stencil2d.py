"""stencil2d: 2-D 5-point Jacobi iteration.

The time loop is host code inside the kernel function: it runs on the CPU and launches
the two parallel sweeps of each step. Directly nested `#pragma parallel for` loops collapse
into one parallel loop over all interior points.
"""
import sys

import numpy as np
import appy


# appy: export jacobi2d(float64[:, :], float64[:, :], int64)
@appy.jit
def jacobi2d(A, B, steps):
    for t in range(steps):
        #pragma parallel for
        for i in range(1, A.shape[0] - 1):
            #pragma parallel for
            for j in range(1, A.shape[1] - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i - 1, j] + A[i + 1, j] + A[i, j - 1] + A[i, j + 1])
        #pragma parallel for
        for i in range(1, A.shape[0] - 1):
            #pragma parallel for
            for j in range(1, A.shape[1] - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i - 1, j] + B[i + 1, j] + B[i, j - 1] + B[i, j + 1])


def sweep_numpy(src, dst):
    dst[1:-1, 1:-1] = 0.2 * (src[1:-1, 1:-1] + src[:-2, 1:-1] + src[2:, 1:-1]
                             + src[1:-1, :-2] + src[1:-1, 2:])


def jacobi2d_numpy(A, B, steps):
    for t in range(steps):
        sweep_numpy(A, B)
        sweep_numpy(B, A)


def run(f, A, steps):
    A, B = A.copy(), A.copy()
    f(A, B, steps)
    return A


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (jacobi2d.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()

    A = rng.standard_normal((50, 70))
    err = np.abs(run(compiled.jacobi2d, A, 5) - run(jacobi2d.py_func, A, 5)).max()

    n, steps = 2000, 50
    A = rng.standard_normal((n, n))
    err = max(err, np.abs(run(compiled.jacobi2d, A, steps) - run(jacobi2d_numpy, A, steps)).max())

    ok = err <= 1e-12
    print(f"stencil2d: {n}x{n} float64 grid, {steps} steps on {compiled.jacobi2d.runs_on()}: "
          f"max abs error {err:.3g} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
