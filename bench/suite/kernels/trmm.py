"""PolyBench trmm, B = alpha (I + tril(A, -1)^T) B in place (A's unit upper triangle, stored transposed in its strict lower triangle; A m x m, B m x n). Least traffic: A's strict lower triangle in, B in and out (4 m (m - 1) + 16 m n bytes); m (m - 1) n flops.

PolyBench's nest (`B[i][j] += A[k][i] * B[k][j]` for k > i, then `B[i][j] *= alpha`)
updates B in place: row i reads only rows below it, still the old ones. Written here
against a copy of the old B, every (i, j) is independent: a collapsed prange over rows
and columns, each iteration a sequential dot product down column j of the copy
(consecutive j read consecutive addresses; A[k, i] is the same for the whole warp).
On the GPU (clang) the nest runs in tiles (codegen.c, appy/group.h): each thread 4 x 4
elements, A and the copy read through panels in shared memory, 1.50-1.55 ms on an H100
(5.2-5.5 ms one element per thread). Before tiles: 9.65 ms, against 66.9 ms for PolyBench's order with the parallel loop over
columns and the k loop a `#pragma simd` reduction (group mode: a group of lanes per
column, reading A and B down columns). One thread per column with a sequential k loop
took 0.66-1.3 s (H200); accumulating into B[i, j] inside the simd loop, as PolyBench
does, becomes one atomic add per term."""
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
    B0 = np.empty_like(B)
    for i in appy.prange(m):
        for j in appy.prange(B.shape[1]):
            B0[i, j] = B[i, j]
    for i in appy.prange(m):
        for j in appy.prange(B.shape[1]):
            s = B0[i, j]
            for k in range(i + 1, m):
                s += A[k, i] * B0[k, j]
            B[i, j] = alpha * s


def numpy_impl(xp, alpha, A, B):
    B[...] = alpha * (B + xp.tril(A, -1).T @ B)


def torch_impl(torch, alpha, A, B):
    B.copy_(alpha * torch.addmm(B, torch.tril(A, -1).T, B))


def jax_impl(jnp, alpha, A, B):
    return {"B": alpha * (B + jnp.tril(A, -1).T @ B)}
