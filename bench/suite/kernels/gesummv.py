"""PolyBench gesummv, y = alpha A x + beta B x (float64, n x n, group mode: one group per row).
Least traffic: read A, B and x, write y (16 n^2 + 16 n bytes); 4 n^2 + 3 n flops."""
import numpy as np
import appy

SIZES = {"full": {"n": 12000}, "small": {"n": 123}}
KERNEL = "gesummv"
OUTPUTS = ("y",)


def make(rng, n):
    return {"alpha": 1.5, "beta": 1.2, "A": rng.random((n, n)), "B": rng.random((n, n)),
            "x": rng.random(n), "y": np.zeros(n)}


def traffic(n):
    return 16 * n * n + 16 * n, 4 * n * n + 3 * n


# appy: export gesummv(float64, float64, float64[:, :], float64[:, :], float64[:], float64[:])
@appy.jit
def gesummv(alpha, beta, A, B, x, y):
    for i in appy.prange(A.shape[0]):
        sa = 0.0
        sb = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            sa += A[i, j] * x[j]
            sb += B[i, j] * x[j]
        y[i] = alpha * sa + beta * sb


def numpy_impl(xp, alpha, beta, A, B, x, y):
    y[...] = alpha * (A @ x) + beta * (B @ x)


def torch_impl(torch, alpha, beta, A, B, x, y):
    y.copy_(alpha * torch.mv(A, x) + beta * torch.mv(B, x))


def jax_impl(jnp, alpha, beta, A, B, x, y):
    return {"y": alpha * (A @ x) + beta * (B @ x)}
