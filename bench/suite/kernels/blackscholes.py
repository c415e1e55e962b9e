"""Black-Scholes European call and put prices of n options (float64, normal CDF from erf). Least traffic: read S, K, T, r, v, write call and put (56 n bytes); about 30 flops plus a log, an exp, a sqrt and two erf per option."""
import math

import numpy as np
import appy

SIZES = {"full": {"n": 1 << 24}, "small": {"n": 1000}}
KERNEL = "blackscholes"
OUTPUTS = ("call", "put")


def make(rng, n):
    return {"S": rng.uniform(10.0, 100.0, n), "K": rng.uniform(10.0, 100.0, n),
            "T": rng.uniform(0.1, 2.0, n), "r": rng.uniform(0.01, 0.05, n),
            "v": rng.uniform(0.1, 0.5, n), "call": np.zeros(n), "put": np.zeros(n)}


def traffic(n):
    return 56 * n, 30 * n


@appy.jit
def blackscholes(S, K, T, r, v, call, put):
    for i in appy.prange(S.shape[0]):
        sqrt_t = math.sqrt(T[i])
        d1 = (math.log(S[i] / K[i]) + (r[i] + 0.5 * v[i] * v[i]) * T[i]) / (v[i] * sqrt_t)
        d2 = d1 - v[i] * sqrt_t
        cnd1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
        cnd2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
        k_disc = K[i] * math.exp(-r[i] * T[i])
        call[i] = S[i] * cnd1 - k_disc * cnd2
        put[i] = k_disc * (1.0 - cnd2) - S[i] * (1.0 - cnd1)


def numpy_impl(xp, S, K, T, r, v, call, put):
    if xp is np:                  # NumPy has no erf: SciPy's, else math.erf elementwise (slow)
        try:
            from scipy.special import erf
        except ImportError:
            erf = np.vectorize(math.erf, otypes=[np.float64])
    else:
        from cupyx.scipy.special import erf
    sqrt_t = xp.sqrt(T)
    d1 = (xp.log(S / K) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    cnd1 = 0.5 * (1.0 + erf(d1 / 2.0 ** 0.5))
    cnd2 = 0.5 * (1.0 + erf(d2 / 2.0 ** 0.5))
    k_disc = K * xp.exp(-r * T)
    call[...] = S * cnd1 - k_disc * cnd2
    put[...] = k_disc * (1.0 - cnd2) - S * (1.0 - cnd1)


def torch_impl(torch, S, K, T, r, v, call, put):
    sqrt_t = torch.sqrt(T)
    d1 = (torch.log(S / K) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    cnd1 = 0.5 * (1.0 + torch.special.erf(d1 / 2.0 ** 0.5))
    cnd2 = 0.5 * (1.0 + torch.special.erf(d2 / 2.0 ** 0.5))
    k_disc = K * torch.exp(-r * T)
    call.copy_(S * cnd1 - k_disc * cnd2)
    put.copy_(k_disc * (1.0 - cnd2) - S * (1.0 - cnd1))


def jax_impl(jnp, S, K, T, r, v, call, put):
    from jax.scipy.special import erf
    sqrt_t = jnp.sqrt(T)
    d1 = (jnp.log(S / K) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    cnd1 = 0.5 * (1.0 + erf(d1 / 2.0 ** 0.5))
    cnd2 = 0.5 * (1.0 + erf(d2 / 2.0 ** 0.5))
    k_disc = K * jnp.exp(-r * T)
    return {"call": S * cnd1 - k_disc * cnd2, "put": k_disc * (1.0 - cnd2) - S * (1.0 - cnd1)}
