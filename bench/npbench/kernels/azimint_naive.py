"""NPBench azimint_naive: mean of data over npt equal-width radial bins [rmax i / npt, rmax (i + 1) / npt).

NPBench's version scans all N points once per bin (npt masks). Here one pass: a prange
max-reduction for rmax, then each point finds its bin from r / rmax * npt, corrected with
the very comparisons NPBench makes (r1 <= r < r2, r1 and r2 computed as `rmax * i / npt`),
so boundary points land where NumPy puts them (the point at rmax falls in no bin, as there),
and scatter-adds into per-bin sums and counts (the suite's azimint design: with clang the
two 1000-bin arrays get per-block copies in shared memory). An empty bin gives NaN, as
NumPy's mean of an empty selection does."""
import numpy as np
import appy


# appy: export azimint_naive_kernel(float64[:], float64[:], float64[:])
@appy.jit
def azimint_naive_kernel(data, radius, res):
    npt = res.shape[0]
    n = radius.shape[0]
    rmax = -np.inf
    for i in appy.prange(n):
        rmax = max(rmax, radius[i])
    sums = np.zeros(npt)
    counts = np.zeros(npt)
    for i in appy.prange(n):
        r = radius[i]
        q = 0.0
        if rmax > 0.0:
            q = min(max(r / rmax * npt, 0.0), npt - 1.0)
        b = int(q)
        while b > 0 and r < rmax * b / npt:
            b -= 1
        while b < npt and r >= rmax * (b + 1) / npt:
            b += 1
        if b < npt and r >= rmax * b / npt:
            sums[b] += data[i]
            counts[b] += 1.0
    for b in appy.prange(npt):
        res[b] = sums[b] / counts[b] if counts[b] > 0.0 else np.nan


def azimint_naive(data, radius, npt):
    res = type(data)((npt,), dtype=np.float64)
    azimint_naive_kernel(data, radius, res)
    return res
