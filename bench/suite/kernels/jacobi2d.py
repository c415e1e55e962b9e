"""PolyBench jacobi-2d, steps x (B = 5-point average of A, then A = 5-point average of B, interiors) (float64). Least traffic: each sweep reads one array and writes the other (32 nx ny steps bytes); 10 nx ny steps flops.
Every time step is two collapsed parallel loop nests launched from a host time loop; the
boundary rows and columns keep their values."""
import numpy as np
import appy

SIZES = {"full": {"nx": 2048, "ny": 2048, "steps": 30}, "small": {"nx": 45, "ny": 71, "steps": 5}}
KERNEL = "jacobi2d"
OUTPUTS = ("A", "B")
NO_TORCH_COMPILE = ("its Python loop (2 x 30 sweeps) would be unrolled into one graph; "
                    "fdtd2d's 16 steps already take 35 s to compile")


def make(rng, nx, ny, steps):
    return {"A": rng.random((nx, ny)), "B": rng.random((nx, ny)), "steps": steps}


def traffic(nx, ny, steps):
    return 32 * nx * ny * steps, 10 * nx * ny * steps


@appy.jit
def jacobi2d(A, B, steps):
    nx, ny = A.shape[0], A.shape[1]
    for t in range(steps):
        for i in appy.prange(1, nx - 1):
            for j in appy.prange(1, ny - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in appy.prange(1, nx - 1):
            for j in appy.prange(1, ny - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


def numpy_impl(xp, A, B, steps):
    for t in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


def torch_impl(torch, A, B, steps):
    for t in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


def jax_impl(jnp, A, B, steps):
    import jax

    def sweep(X, Y):
        return Y.at[1:-1, 1:-1].set(
            0.2 * (X[1:-1, 1:-1] + X[1:-1, :-2] + X[1:-1, 2:] + X[2:, 1:-1] + X[:-2, 1:-1]))

    def step(t, AB):
        A, B = AB
        B = sweep(A, B)
        A = sweep(B, A)
        return A, B
    A, B = jax.lax.fori_loop(0, steps, step, (A, B))
    return {"A": A, "B": B}
