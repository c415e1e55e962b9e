"""Run as a program: one kernel call, its result and how long the first call took."""
import sys
import time

import numpy as np
import appy


@appy.jit
def double(a, out):
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = 2 * a[i]


a = np.arange(1000, dtype=np.float64)
out = np.zeros_like(a)
t0 = time.perf_counter()
double(a, out)
first = time.perf_counter() - t0
assert np.array_equal(out, 2 * a), out
print("first call %.4f s" % first)
