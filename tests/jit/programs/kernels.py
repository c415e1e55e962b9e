"""Kernels the JIT tests call: types come from each call (no export lines)."""
import math

import numpy as np
import appy

SCALE = 3          # a module constant the kernels read


@appy.jit
def axpy(a, x, y):
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = a * x[i] + y[i] + SCALE


@appy.jit
def spmv(data, indptr, indices, x, y):
    #pragma parallel for
    for i in range(y.shape[0]):
        start, end = indptr[i], indptr[i + 1]
        s = 0.0
        #pragma simd
        for j in range(start, end):
            s += data[j] * x[indices[j]]
        y[i] = s


@appy.jit(backend="triton", dump_code=False)
def shared_sum(a):
    s = 0
    #pragma parallel for simd shared(s)
    for i in range(a.shape[0]):
        s += a[i]
    return s


@appy.jit
def shared_fsum(a):
    b = 0.0
    #pragma parallel for simd shared(b)
    for i in range(a.shape[0]):
        b += a[i]
    return b


@appy.jit(backend="triton")
def shared_max(a):
    m = a[0]
    #pragma parallel for shared(m)
    for i in range(a.shape[0]):
        m = max(m, a[i])
    return m


@appy.jit
def shared_min(a):
    m = a[0]
    #pragma parallel for shared(m)
    for i in range(a.shape[0]):
        m = min(a[i], m)
    return m


@appy.jit
def shared_prod(a):
    p = 1
    #pragma parallel for shared(p)
    for i in range(a.shape[0]):
        p = p * a[i]
    return p


@appy.jit
def shared_flag(a, k):
    found = 0
    #pragma parallel for shared(found)
    for i in range(a.shape[0]):
        if a[i] == k:
            found = 1
    return found


@appy.jit
def host_python(a, out):
    norm = float(np.linalg.norm(a))       # host code outside the subset: stays Python
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = a[i] / norm
    return math.isfinite(norm)


@appy.jit
def floyd(path):
    for k in range(path.shape[0]):
        #pragma parallel for
        for i in range(path.shape[0]):
            path[i, :] = np.minimum(path[i, :], path[i, k] + path[k, :])
    return path


@appy.jit
def no_loops(x):
    return x


def make_nested(c):
    @appy.jit
    def scaled(a, out):
        #pragma parallel for
        for i in range(a.shape[0]):
            out[i] = a[i] * 2.0
    return scaled


@appy.jit
def scale_add(a, k, out):
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = a[i] * k + 1


@appy.jit
def histogram(idx, hist):
    #pragma parallel for
    for i in range(idx.shape[0]):
        hist[idx[i]] += 1


def make_closure(n, weights):
    """A kernel using its enclosing function's variables: n, weights (an array) and np."""
    @appy.jit
    def weighted(a, out):
        #pragma parallel for
        for i in range(n):
            out[i] = a[i] * weights[i % weights.shape[0]] + np.float64(n)
    return weighted


TABLE = {"calls": 0, 1: 2.5}


@appy.jit
def lookup(a, k):
    TABLE["calls"] += 1                  # host code outside the subset: stays Python
    x = TABLE[k]                         # KeyError for a key the table lacks
    #pragma parallel for
    for i in range(a.shape[0]):
        a[i] = x
