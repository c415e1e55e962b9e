"""Radial binning (NPBench azimint, histogram form): the mean of data over each of nbins equal-width bins of radius in [0, max(radius)] (scatter-adds into per-bin sums and counts, atomic on the GPU). Least traffic: read radius and data once, write the means (16 n + 8 nbins bytes); about 5 flops per point."""
import numpy as np
import appy

SIZES = {"full": {"n": 1 << 24, "nbins": 1000}, "small": {"n": 5000, "nbins": 37}}
KERNEL = "azimint"
OUTPUTS = ("mean",)


def make(rng, n, nbins):
    xy = rng.random((2, n))
    return {"radius": np.sqrt(xy[0] ** 2 + xy[1] ** 2), "data": rng.random(n),
            "mean": np.zeros(nbins)}


def traffic(n, nbins):
    return 16 * n + 8 * nbins, 5 * n


# appy: export azimint(float64[:], float64[:], float64[:])
@appy.jit
def azimint(radius, data, mean):
    nbins = mean.shape[0]
    rmax = 0.0
    for i in appy.prange(radius.shape[0]):
        rmax = max(rmax, radius[i])
    sums = np.zeros(nbins)
    counts = np.zeros(nbins)
    for i in appy.prange(radius.shape[0]):
        b = min(int(radius[i] / rmax * nbins), nbins - 1)
        sums[b] += data[i]
        counts[b] += 1.0
    for b in appy.prange(nbins):
        mean[b] = sums[b] / counts[b] if counts[b] > 0.0 else 0.0


def numpy_impl(xp, radius, data, mean):
    nbins = mean.shape[0]
    b = xp.minimum((radius / radius.max() * nbins).astype(xp.int64), nbins - 1)
    sums = xp.bincount(b, weights=data, minlength=nbins)
    counts = xp.bincount(b, minlength=nbins)
    mean[...] = xp.where(counts > 0, sums / xp.maximum(counts, 1), 0.0)


def torch_impl(torch, radius, data, mean):
    nbins = mean.shape[0]
    b = torch.clamp((radius / radius.max() * nbins).long(), max=nbins - 1)
    sums = torch.bincount(b, weights=data, minlength=nbins)
    counts = torch.bincount(b, minlength=nbins)
    mean.copy_(torch.where(counts > 0, sums / counts.clamp(min=1), 0.0))


def jax_impl(jnp, radius, data, mean):
    nbins = mean.shape[0]
    b = jnp.minimum((radius / radius.max() * nbins).astype(jnp.int64), nbins - 1)
    sums = jnp.bincount(b, weights=data, length=nbins)
    counts = jnp.bincount(b, length=nbins)
    return {"mean": jnp.where(counts > 0, sums / jnp.maximum(counts, 1), 0.0)}


def numba_impl(numba):
    """Numba's prange has no atomics: the annotated kernel's scatter into shared bins races
    under it (wrong means). As a Numba user writes a parallel histogram: each thread bins
    its own chunk privately, then the threads' bins are added."""
    @numba.njit(parallel=True)
    def azimint_numba(radius, data, mean):
        n, nbins = radius.shape[0], mean.shape[0]
        rmax = radius.max()
        nt = numba.get_num_threads()
        sums = np.zeros((nt, nbins))
        counts = np.zeros((nt, nbins))
        chunk = (n + nt - 1) // nt
        for t in numba.prange(nt):
            for i in range(t * chunk, min(n, (t + 1) * chunk)):
                b = min(int(radius[i] / rmax * nbins), nbins - 1)
                sums[t, b] += data[i]
                counts[t, b] += 1.0
        for b in range(nbins):
            s, c = 0.0, 0.0
            for t in range(nt):
                s += sums[t, b]
                c += counts[t, b]
            mean[b] = s / c if c > 0.0 else 0.0
    return azimint_numba
