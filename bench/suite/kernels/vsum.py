"""Sum of a float64 vector, s = sum(x). Least traffic: read x (8 n bytes); n flops."""
import numpy as np
import appy

SIZES = {"full": {"n": 1 << 26}, "small": {"n": 1003}}
KERNEL = "vsum"
OUTPUTS = ("return",)


def make(rng, n):
    return {"x": rng.random(n)}


def traffic(n):
    return 8 * n, n


@appy.jit
def vsum(x):
    s = 0.0
    for i in appy.prange(x.shape[0]):
        s += x[i]
    return s


def numpy_impl(xp, x):
    return {"return": x.sum()}


def torch_impl(torch, x):
    return {"return": torch.sum(x)}


def jax_impl(jnp, x):
    return {"return": jnp.sum(x)}
