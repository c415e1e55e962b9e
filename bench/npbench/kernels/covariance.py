"""PolyBench covariance (NPBench): data -= column means (in place, as NPBench), cov = data^T data / (float_n - 1).

One group per column for the means (a `#pragma simd` sum down the column, then the same group
subtracts it), then a collapsed prange over (i, j >= i) whose iterations are sequential dot
products of columns i and j (reads data[k, i], data[k, j]: the dense-nest form that clang runs
in tiles, as the suite's syrk), each result stored at (i, j) and (j, i)."""
import numpy as np
import appy


# appy: export covariance_kernel(float64, float64[:, :], float64[:, :])
@appy.jit
def covariance_kernel(float_n, data, cov):
    n = data.shape[0]
    m = data.shape[1]
    for j in appy.prange(m):
        s = 0.0
        #pragma simd
        for i in range(n):
            s += data[i, j]
        mu = s / n
        #pragma simd
        for i in range(n):
            data[i, j] -= mu
    for i in appy.prange(m):
        for j in appy.prange(m):
            if j >= i:
                s = 0.0
                for k in range(n):
                    s += data[k, i] * data[k, j]
                c = s / (float_n - 1.0)
                cov[i, j] = c
                cov[j, i] = c


def kernel(M, float_n, data):
    cov = type(data)((M, M), dtype=data.dtype)
    covariance_kernel(float_n, data, cov)
    return cov
