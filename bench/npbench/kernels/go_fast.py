"""NPBench go_fast (Numba's tutorial): returns a + sum_i tanh(a[i, i]).

The suite's design: a prange sum-reduction over the diagonal, then one group per row
writing the new array."""
import numpy as np
import appy


# appy: export go_fast_kernel(float64[:, :], float64[:, :])
@appy.jit
def go_fast_kernel(a, out):
    trace = 0.0
    for i in appy.prange(a.shape[0]):
        trace += np.tanh(a[i, i])
    for i in appy.prange(a.shape[0]):
        #pragma simd
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] + trace


def go_fast(a):
    out = type(a)(a.shape, dtype=a.dtype)
    go_fast_kernel(a, out)
    return out
