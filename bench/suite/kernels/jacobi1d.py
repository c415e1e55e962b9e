"""PolyBench jacobi-1d, steps x (B = 3-point average of A, then A = 3-point average of B) (float64). Least traffic: each sweep reads one array and writes the other (32 n steps bytes); 6 n steps flops.
Every time step is two parallel loops launched from a host `for t in range(steps)` loop; the
interior points 1 .. n-2 change, the two end points keep their values."""
import numpy as np
import appy

SIZES = {"full": {"n": 1 << 23, "steps": 25}, "small": {"n": 1001, "steps": 7}}
KERNEL = "jacobi1d"
OUTPUTS = ("A", "B")
NO_TORCH_COMPILE = ("its Python loop (2 x 25 sweeps) would be unrolled into one graph; "
                    "fdtd2d's 16 steps already take 35 s to compile")


def make(rng, n, steps):
    return {"A": rng.random(n), "B": rng.random(n), "steps": steps}


def traffic(n, steps):
    return 32 * n * steps, 6 * n * steps


@appy.jit
def jacobi1d(A, B, steps):
    n = A.shape[0]
    for t in range(steps):
        for i in appy.prange(1, n - 1):
            B[i] = (A[i - 1] + A[i] + A[i + 1]) / 3.0
        for i in appy.prange(1, n - 1):
            A[i] = (B[i - 1] + B[i] + B[i + 1]) / 3.0


def numpy_impl(xp, A, B, steps):
    for t in range(steps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0


def torch_impl(torch, A, B, steps):
    for t in range(steps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0


def jax_impl(jnp, A, B, steps):
    import jax

    def step(t, AB):
        A, B = AB
        B = B.at[1:-1].set((A[:-2] + A[1:-1] + A[2:]) / 3.0)
        A = A.at[1:-1].set((B[:-2] + B[1:-1] + B[2:]) / 3.0)
        return A, B
    A, B = jax.lax.fori_loop(0, steps, step, (A, B))
    return {"A": A, "B": B}
