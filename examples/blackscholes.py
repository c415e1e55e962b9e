"""blackscholes: European call and put prices, with erf, exp, log and sqrt."""
import math
import sys

import numpy as np
import appy


# appy: export blackscholes(float64[:], float64[:], float64[:], float64, float64, float64[:], float64[:])
@appy.jit
def blackscholes(S, K, T, r, v, call, put):
    """S spot prices, K strikes, T years to expiry, r interest rate, v volatility."""
    #pragma parallel for
    for i in range(S.shape[0]):
        sqrt_t = math.sqrt(T[i])
        d1 = (math.log(S[i] / K[i]) + (r + 0.5 * v * v) * T[i]) / (v * sqrt_t)
        d2 = d1 - v * sqrt_t
        n1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
        n2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
        discounted = K[i] * math.exp(-r * T[i])
        call[i] = S[i] * n1 - discounted * n2
        put[i] = discounted * (1.0 - n2) - S[i] * (1.0 - n1)


def blackscholes_numpy(S, K, T, r, v):
    erf = np.frompyfunc(math.erf, 1, 1)
    d1 = (np.log(S / K) + (r + 0.5 * v * v) * T) / (v * np.sqrt(T))
    d2 = d1 - v * np.sqrt(T)
    n1 = 0.5 * (1.0 + erf(d1 / np.sqrt(2.0)).astype(np.float64))
    n2 = 0.5 * (1.0 + erf(d2 / np.sqrt(2.0)).astype(np.float64))
    discounted = K * np.exp(-r * T)
    return S * n1 - discounted * n2, discounted * (1.0 - n2) - S * (1.0 - n1)


def options(rng, n):
    return rng.uniform(5, 30, n), rng.uniform(1, 100, n), rng.uniform(0.25, 10, n)


if __name__ == "__main__":
    # This file's own kernel, compiled by @appy.jit on its first call below; its plain
    # Python (blackscholes.py_func) is the reference.
    compiled = sys.modules[__name__]
    rng = np.random.default_rng()
    r, v = 0.02, 0.30

    S, K, T = options(rng, 10_000)
    got, want = (np.empty(10_000), np.empty(10_000)), (np.empty(10_000), np.empty(10_000))
    compiled.blackscholes(S, K, T, r, v, *got)
    blackscholes.py_func(S, K, T, r, v, *want)
    err = max(np.abs(g - w).max() for g, w in zip(got, want))

    n = 1 << 20
    S, K, T = options(rng, n)
    call, put = np.empty(n), np.empty(n)
    compiled.blackscholes(S, K, T, r, v, call, put)
    want = blackscholes_numpy(S, K, T, r, v)
    err = max(err, np.abs(call - want[0]).max(), np.abs(put - want[1]).max())

    ok = err <= 1e-9             # prices up to 100; libm and GPU math differ in the last bits
    print(f"blackscholes: {n} float64 options on {compiled.blackscholes.runs_on()}: "
          f"max abs error {err:.3g} -> {'OK' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)
