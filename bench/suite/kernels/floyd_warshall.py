"""PolyBench floyd-warshall: all-pairs shortest path lengths, path = min(path, path[i, k] + path[k, j]) for k = 0 .. n-1 (float64). Least traffic: each of the n steps reads and writes path (16 n^3 bytes; at the full size path fits in the GPU's L2 cache); 2 n^3 flops.
Step k is a collapsed parallel loop nest over (i, j) launched from the host loop over k; row k and
column k do not change during step k (path[k, k] = 0), so every order of the updates gives
the same result."""
import numpy as np
import appy

SIZES = {"full": {"n": 1024}, "small": {"n": 67}}
KERNEL = "floyd_warshall"
NO_TORCH_COMPILE = "its Python loop of n steps would be unrolled into one graph (minutes to compile)"
OUTPUTS = ("path",)


def make(rng, n):
    path = 1.0 + 99.0 * rng.random((n, n))
    path[rng.random((n, n)) < 0.7] = 1e6          # most pairs have no direct edge
    np.fill_diagonal(path, 0.0)
    return {"path": path}


def traffic(n):
    return 16 * n ** 3, 2 * n ** 3


@appy.jit
def floyd_warshall(path):
    n = path.shape[0]
    for k in range(n):
        for i in appy.prange(n):
            for j in appy.prange(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])


def numpy_impl(xp, path):
    for k in range(path.shape[0]):
        xp.minimum(path, path[:, k:k + 1] + path[k:k + 1, :], out=path)


def torch_impl(torch, path):
    for k in range(path.shape[0]):
        torch.minimum(path, path[:, k:k + 1] + path[k:k + 1, :], out=path)


def jax_impl(jnp, path):
    import jax

    def step(k, d):
        return jnp.minimum(d, d[:, k, None] + d[None, k, :])
    return {"path": jax.lax.fori_loop(0, path.shape[0], step, path)}
