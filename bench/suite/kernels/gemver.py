"""PolyBench gemver, A += u1 v1^T + u2 v2^T; x += beta A^T y + z; w += alpha A x (float64, n x n).
Least traffic: read and write A, read it again for A x (24 n^2 bytes, plus 12 n for the
vectors); 8 n^2 + 5 n flops.

On an H100 (APPY_PROFILE, resident): the A update 0.375 ms (2.73 TB/s), A^T y 0.565 ms (its
group's lanes read down a column of A), A x 0.217 ms. A^T y as individual mode (no `simd`:
one thread per column, reading rows coalesced) took 7.26 ms for the whole kernel: 8000
threads keep too few loads in flight. As column sums over 32 bands of rows (a collapsed
prange over (band, column) into a temporary, then a loop adding the bands) A^T y took 0.209
ms, but the whole kernel only 0.95-1.14 ms against 1.14-1.19 (same call): not kept."""
import numpy as np
import appy

SIZES = {"full": {"n": 8000}, "small": {"n": 111}}
KERNEL = "gemver"
OUTPUTS = ("A", "x", "w")


def make(rng, n):
    return {"alpha": 1.5, "beta": 1.2, "A": rng.random((n, n)),
            "u1": rng.random(n), "v1": rng.random(n), "u2": rng.random(n), "v2": rng.random(n),
            "w": rng.random(n), "x": rng.random(n), "y": rng.random(n), "z": rng.random(n)}


def traffic(n):
    return 24 * n * n + 12 * 8 * n, 8 * n * n + 5 * n


# appy: export gemver(float64, float64, float64[:, :], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:], float64[:])
@appy.jit
def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    n = A.shape[0]
    for i in appy.prange(n):
        #pragma simd
        for j in range(n):
            A[i, j] += u1[i] * v1[j] + u2[i] * v2[j]
    for i in appy.prange(n):
        s = 0.0
        #pragma simd
        for j in range(n):
            s += A[j, i] * y[j]
        x[i] += beta * s + z[i]
    for i in appy.prange(n):
        s = 0.0
        #pragma simd
        for j in range(n):
            s += A[i, j] * x[j]
        w[i] += alpha * s


def numpy_impl(xp, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A += xp.outer(u1, v1) + xp.outer(u2, v2)
    x += beta * (A.T @ y) + z
    w += alpha * (A @ x)


def torch_impl(torch, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A.add_(torch.outer(u1, v1) + torch.outer(u2, v2))
    x.add_(beta * torch.mv(A.T, y) + z)
    w.add_(alpha * torch.mv(A, x))


def jax_impl(jnp, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A = A + jnp.outer(u1, v1) + jnp.outer(u2, v2)
    x = x + beta * (A.T @ y) + z
    w = w + alpha * (A @ x)
    return {"A": A, "x": x, "w": w}
