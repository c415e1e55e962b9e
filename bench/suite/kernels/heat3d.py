"""PolyBench heat-3d, steps x (B = A + 0.125 x the 7-point Laplacian of A, then A from B, interiors) (float64). Least traffic: each sweep reads one array and writes the other (32 nx ny nz steps bytes); 30 nx ny nz steps flops.
Every time step is two collapsed 3-deep parallel loop nests launched from a host time loop;
the boundary faces keep their values."""
import numpy as np
import appy

SIZES = {"full": {"nx": 152, "ny": 160, "nz": 168, "steps": 8},
         "small": {"nx": 19, "ny": 23, "nz": 37, "steps": 4}}
KERNEL = "heat3d"
OUTPUTS = ("A", "B")


def make(rng, nx, ny, nz, steps):
    return {"A": rng.random((nx, ny, nz)), "B": rng.random((nx, ny, nz)), "steps": steps}


def traffic(nx, ny, nz, steps):
    return 32 * nx * ny * nz * steps, 30 * nx * ny * nz * steps


@appy.jit
def heat3d(A, B, steps):
    nx, ny, nz = A.shape[0], A.shape[1], A.shape[2]
    for t in range(steps):
        for i in appy.prange(1, nx - 1):
            for j in appy.prange(1, ny - 1):
                for k in appy.prange(1, nz - 1):
                    B[i, j, k] = (0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k])
                                  + 0.125 * (A[i, j + 1, k] - 2.0 * A[i, j, k] + A[i, j - 1, k])
                                  + 0.125 * (A[i, j, k + 1] - 2.0 * A[i, j, k] + A[i, j, k - 1])
                                  + A[i, j, k])
        for i in appy.prange(1, nx - 1):
            for j in appy.prange(1, ny - 1):
                for k in appy.prange(1, nz - 1):
                    A[i, j, k] = (0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k])
                                  + 0.125 * (B[i, j + 1, k] - 2.0 * B[i, j, k] + B[i, j - 1, k])
                                  + 0.125 * (B[i, j, k + 1] - 2.0 * B[i, j, k] + B[i, j, k - 1])
                                  + B[i, j, k])


def _sweep(X):
    """The new interior computed from X (NumPy, CuPy and PyTorch slicing alike)."""
    c = X[1:-1, 1:-1, 1:-1]
    return (0.125 * (X[2:, 1:-1, 1:-1] - 2.0 * c + X[:-2, 1:-1, 1:-1])
            + 0.125 * (X[1:-1, 2:, 1:-1] - 2.0 * c + X[1:-1, :-2, 1:-1])
            + 0.125 * (X[1:-1, 1:-1, 2:] - 2.0 * c + X[1:-1, 1:-1, :-2])
            + c)


def numpy_impl(xp, A, B, steps):
    for t in range(steps):
        B[1:-1, 1:-1, 1:-1] = _sweep(A)
        A[1:-1, 1:-1, 1:-1] = _sweep(B)


def torch_impl(torch, A, B, steps):
    for t in range(steps):
        B[1:-1, 1:-1, 1:-1] = _sweep(A)
        A[1:-1, 1:-1, 1:-1] = _sweep(B)


def jax_impl(jnp, A, B, steps):
    import jax

    def step(t, AB):
        A, B = AB
        B = B.at[1:-1, 1:-1, 1:-1].set(_sweep(A))
        A = A.at[1:-1, 1:-1, 1:-1].set(_sweep(B))
        return A, B
    A, B = jax.lax.fori_loop(0, steps, step, (A, B))
    return {"A": A, "B": B}
