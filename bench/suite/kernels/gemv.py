"""Matrix-vector product, y = A @ x (float64, group mode: one group of threads per row).
Least traffic: read A and x, write y (8 rows cols + 8 cols + 8 rows bytes); 2 rows cols flops."""
import numpy as np
import appy

SIZES = {"full": {"rows": 16384, "cols": 16384}, "small": {"rows": 77, "cols": 250}}
KERNEL = "gemv"
OUTPUTS = ("y",)


def make(rng, rows, cols):
    return {"A": rng.standard_normal((rows, cols)), "x": rng.standard_normal(cols),
            "y": np.zeros(rows)}


def traffic(rows, cols):
    return 8 * rows * cols + 8 * cols + 8 * rows, 2 * rows * cols


# appy: export gemv(float64[:, :], float64[:], float64[:])
@appy.jit
def gemv(A, x, y):
    for i in appy.prange(A.shape[0]):
        s = 0.0
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s


def numpy_impl(xp, A, x, y):
    y[...] = A @ x


def torch_impl(torch, A, x, y):
    torch.mv(A, x, out=y)


def jax_impl(jnp, A, x, y):
    return {"y": A @ x}
