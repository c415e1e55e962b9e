"""PolyBench trmm, B = alpha (I + tril(A, -1)^T) B in place (A's unit upper triangle, stored transposed in its strict lower triangle; A m x m, B m x n). Least traffic: A's strict lower triangle in, B in and out (4 m (m - 1) + 16 m n bytes); m (m - 1) n flops.

PolyBench's nest (`B[i][j] += A[k][i] * B[k][j]` for k > i, then `B[i][j] *= alpha`), with
the sum kept in a scalar: row i reads only rows below it, which are still the old ones, so
i must go in order and the parallel loop is the one over columns j. The k loop is a
`#pragma simd` reduction: group mode, a group of lanes per column (60 ms on an H200; one
thread per column with a sequential k loop took 0.66-1.3 s; accumulating into B[i, j]
itself inside the simd loop, as PolyBench does, becomes one atomic add per term: 134 ms)."""
import numpy as np
import appy

SIZES = {"full": {"m": 2000, "n": 2400}, "small": {"m": 45, "n": 61}}
KERNEL = "trmm"
OUTPUTS = ("B",)


def make(rng, m, n):
    # A / m keeps B's growth over repeated timed calls small
    return {"alpha": 1.5, "A": rng.random((m, m)) / m, "B": rng.random((m, n))}


def traffic(m, n):
    return 4 * m * (m - 1) + 16 * m * n, m * (m - 1) * n


@appy.jit
def trmm(alpha, A, B):
    m = B.shape[0]
    for j in appy.prange(B.shape[1]):
        for i in range(m):
            s = B[i, j]
            #pragma simd
            for k in range(i + 1, m):
                s += A[k, i] * B[k, j]
            B[i, j] = alpha * s


def numpy_impl(xp, alpha, A, B):
    B[...] = alpha * (B + xp.tril(A, -1).T @ B)


def torch_impl(torch, alpha, A, B):
    B.copy_(alpha * torch.addmm(B, torch.tril(A, -1).T, B))


def jax_impl(jnp, alpha, A, B):
    return {"B": alpha * (B + jnp.tril(A, -1).T @ B)}
