"""Vector add, c = a + b (float64). Least traffic: read a and b, write c (24 n bytes);
n flops."""
import numpy as np
import appy

SIZES = {"full": {"n": 1 << 26}, "small": {"n": 1000}}
KERNEL = "vadd"
OUTPUTS = ("c",)


def make(rng, n):
    return {"a": rng.random(n), "b": rng.random(n), "c": np.zeros(n)}


def traffic(n):
    return 24 * n, n


@appy.jit
def vadd(a, b, c):
    for i in appy.prange(a.shape[0]):
        c[i] = a[i] + b[i]


def numpy_impl(xp, a, b, c):
    xp.add(a, b, out=c)


def torch_impl(torch, a, b, c):
    torch.add(a, b, out=c)


def jax_impl(jnp, a, b, c):
    return {"c": a + b}
