"""NPBench softmax: the numerically stable softmax of a float32 (N, H, SM, SM) array over
its last axis, returned as a new array.

Design (bench/suite/kernels/softmax.py, measured on an H100): one prange iteration per row
of the last axis (N H SM rows of SM), the row's flat index split back into (a, b, c); the
row's max, exp, sum and division are array statements, so each row is one group of GPU
threads (group mode) sharing the row's element loops, with warp-shuffle reductions. The
wrapper allocates the result with the input's own array type (NumPy or CuPy)."""
import numpy as np
import appy


# appy: export softmax_lastaxis(float32[:, :, :, :], float32[:, :, :, :])
@appy.jit
def softmax_lastaxis(x, out):
    nh, nr = x.shape[1], x.shape[2]
    for r in appy.prange(x.shape[0] * nh * nr):
        a = r // (nh * nr)
        b = (r // nr) % nh
        c = r % nr
        m = np.max(x[a, b, c, :])
        out[a, b, c, :] = np.exp(x[a, b, c, :] - m)
        s = np.sum(out[a, b, c, :])
        out[a, b, c, :] /= s


def softmax(x):
    out = type(x)(x.shape, dtype=x.dtype)
    softmax_lastaxis(x, out)
    return out
