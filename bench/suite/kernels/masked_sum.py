"""Masked sum, s = sum of x[i] where mask[i] (float64 x, bool mask about half True).
Least traffic: read x and mask (9 n bytes); about n / 2 flops."""
import numpy as np
import appy

SIZES = {"full": {"n": 1 << 26}, "small": {"n": 1001}}
KERNEL = "masked_sum"
OUTPUTS = ("return",)


def make(rng, n):
    return {"x": rng.random(n), "mask": rng.random(n) < 0.5}


def traffic(n):
    return 9 * n, n // 2


# appy: export masked_sum(float64[:], bool[:])
@appy.jit
def masked_sum(x, mask):
    s = 0.0
    for i in appy.prange(x.shape[0]):
        if mask[i]:
            s += x[i]
    return s


def numpy_impl(xp, x, mask):
    return {"return": xp.where(mask, x, 0.0).sum()}


def torch_impl(torch, x, mask):
    return {"return": torch.where(mask, x, 0.0).sum()}


def jax_impl(jnp, x, mask):
    return {"return": jnp.where(mask, x, 0.0).sum()}
