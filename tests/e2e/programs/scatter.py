"""Scatter updates in parallel loops: several iterations may update the same element."""
import numpy as np
import appy


# appy: export histogram(int64[:], int64[:])
# appy: export histogram(int64[:], int32[:])
# appy: export histogram(int32[:], int64[:])
# appy: export histogram(int32[:], int32[:])
@appy.jit
def histogram(idx, hist):
    #pragma parallel for
    for i in range(idx.shape[0]):
        hist[idx[i]] += 1


# appy: export bin_values(float64[:], int64[:])
# appy: export bin_values(float32[:], int32[:])
@appy.jit
def bin_values(x, hist):
    """The bin is a private scalar computed from the value; x is in [0, 1)."""
    #pragma parallel for
    for i in range(x.shape[0]):
        b = int(x[i] * hist.shape[0])
        hist[b] += 1


# appy: export weighted(int64[:], float64[:], float64[:])
# appy: export weighted(int64[:], float32[:], float32[:])
# appy: export weighted(int32[:], float64[:], float64[:])
# appy: export weighted(int32[:], int64[:], int64[:])
@appy.jit
def weighted(k, w, out):
    #pragma parallel for
    for i in range(k.shape[0]):
        out[k[i]] += w[i]


# appy: export transfer(int64[:], int64[:], float64[:], float64[:])
# appy: export transfer(int64[:], int64[:], float32[:], float32[:])
# appy: export transfer(int32[:], int32[:], int32[:], int32[:])
@appy.jit
def transfer(src, dst, w, balance):
    """-= and += on the same array in one iteration, sometimes on the same element."""
    #pragma parallel for
    for i in range(w.shape[0]):
        balance[src[i]] -= w[i]
        balance[dst[i]] += w[i] * 2


# appy: export sums_counts(int64[:], float64[:], int32[:], float64[:])
# appy: export sums_counts(int32[:], float32[:], int64[:], float32[:])
@appy.jit
def sums_counts(k, w, counts, sums):
    """Two scatter targets of different element sizes. On the GPU (clang) each block adds
    into its own copies in shared memory when both fit in 24 KB together, else into the
    arrays themselves."""
    #pragma parallel for
    for i in range(k.shape[0]):
        counts[k[i]] += 1
        sums[k[i]] -= w[i]


# appy: export scatter2d(int64[:], int64[:], float64[:], float64[:, :])
# appy: export scatter2d(int64[:], int64[:], float32[:], float32[:, :])
# appy: export scatter2d(int32[:], int32[:], int64[:], int64[:, :])
# appy: export scatter2d(int32[:], int32[:], int32[:], int32[:, :])
@appy.jit
def scatter2d(r, c, v, grid):
    #pragma parallel for
    for i in range(v.shape[0]):
        grid[r[i], c[i]] += v[i]


# appy: export row_histograms(int64[:, :], int64[:, :])
# appy: export row_histograms(int32[:, :], int32[:, :])
@appy.jit
def row_histograms(idx, hist):
    """A scatter in a marked inner loop: the team's threads collide in row i of hist."""
    #pragma parallel for
    for i in range(idx.shape[0]):
        #pragma simd
        for j in range(idx.shape[1]):
            hist[i, idx[i, j]] += 1
