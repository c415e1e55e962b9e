"""Every NumPy integer, float and bool dtype, with NumPy 2's promotion (NEP 50) and
arithmetic: wraparound, Python's // and % signs, shifts, exact comparisons, reductions,
atomic scatter, group-mode reductions, index arrays and masks, results of every dtype."""
import numpy as np
import appy


# appy: export ints(int8[:], int8[:], int8[:, :], float64[:])
# appy: export ints(int16[:], int16[:], int16[:, :], float64[:])
# appy: export ints(int32[:], int32[:], int32[:, :], float64[:])
# appy: export ints(int64[:], int64[:], int64[:, :], float64[:])
# appy: export ints(uint8[:], uint8[:], uint8[:, :], float64[:])
# appy: export ints(uint16[:], uint16[:], uint16[:, :], float64[:])
# appy: export ints(uint32[:], uint32[:], uint32[:, :], float64[:])
# appy: export ints(uint64[:], uint64[:], uint64[:, :], float64[:])
# appy: export ints(uint8[:], int8[:], int16[:, :], float64[:])
# appy: export ints(uint16[:], int32[:], int32[:, :], float64[:])
# appy: export ints(uint32[:], int32[:], int64[:, :], float64[:])
# appy: export ints(int64[:], uint32[:], int64[:, :], float64[:])
# appy: export ints(uint8[:], uint32[:], uint32[:, :], float64[:])
# appy: export ints(bool[:], int16[:], int16[:, :], float64[:])
@appy.jit
def ints(a, b, out, q):
    """Integer arithmetic in the promoted type, wrapping around as NumPy's; b != 0."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[0, i] = a[i] + b[i]
        out[1, i] = a[i] - b[i]
        out[2, i] = a[i] * b[i]
        out[3, i] = a[i] // b[i]
        out[4, i] = a[i] % b[i]
        out[5, i] = a[i] ** (b[i] & 3)
        out[6, i] = a[i] << (b[i] & 15)
        out[7, i] = a[i] >> (b[i] & 15)
        out[8, i] = a[i] & b[i]
        out[9, i] = a[i] | b[i]
        out[10, i] = a[i] ^ b[i]
        out[11, i] = -b[i]
        out[12, i] = ~b[i]
        out[13, i] = abs(b[i])
        out[14, i] = max(a[i], b[i])
        out[15, i] = min(a[i], b[i])
        out[16, i] = b[i] * 3 + 1
        out[17, i] = (a[i] + b[i]) * (a[i] - b[i]) // 7
        out[18, i] = b[i] % 7 + b[i] // 5
        q[i] = a[i] / b[i]


# appy: export floats(float32[:], float32[:], float32[:, :])
# appy: export floats(float64[:], float64[:], float64[:, :])
# appy: export floats(int8[:], float32[:], float32[:, :])
# appy: export floats(uint16[:], float32[:], float32[:, :])
# appy: export floats(uint32[:], float32[:], float64[:, :])
# appy: export floats(uint64[:], int64[:], float64[:, :])
# appy: export floats(int16[:], uint64[:], float64[:, :])
# appy: export floats(float32[:], float64[:], float64[:, :])
# appy: export floats(bool[:], float32[:], float32[:, :])
@appy.jit
def floats(a, b, out):
    """Arithmetic whose promoted type is a float; b != 0."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[0, i] = a[i] + b[i]
        out[1, i] = a[i] - b[i]
        out[2, i] = a[i] * b[i]
        out[3, i] = a[i] // b[i]
        out[4, i] = a[i] % b[i]
        out[5, i] = a[i] / b[i]
        out[6, i] = (a[i] + b[i]) ** 2
        out[7, i] = max(a[i], b[i])
        out[8, i] = min(a[i], b[i])
        out[9, i] = b[i] * 0.1 + 1
        out[10, i] = -b[i]
        out[11, i] = abs(b[i])
        out[12, i] = b[i] > 0.1


# appy: export compare(uint64[:], int64[:], bool[:, :])
# appy: export compare(int64[:], uint64[:], bool[:, :])
# appy: export compare(uint8[:], int8[:], bool[:, :])
# appy: export compare(uint32[:], int32[:], bool[:, :])
# appy: export compare(uint16[:], int64[:], bool[:, :])
# appy: export compare(int8[:], uint64[:], bool[:, :])
# appy: export compare(uint32[:], float32[:], bool[:, :])
# appy: export compare(float32[:], float64[:], bool[:, :])
@appy.jit
def compare(a, b, out):
    """Comparisons by value, as NumPy 2 makes them (and Python ints beyond a's range)."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[0, i] = a[i] < b[i]
        out[1, i] = a[i] <= b[i]
        out[2, i] = a[i] == b[i]
        out[3, i] = a[i] != b[i]
        out[4, i] = a[i] > b[i]
        out[5, i] = a[i] >= b[i]
        out[6, i] = a[i] > -1
        out[7, i] = a[i] < 300
        out[8, i] = b[i] == 200
        out[9, i] = -129 < b[i] < 1000


# appy: export bools(bool[:], bool[:], bool[:, :], int8[:, :])
@appy.jit
def bools(a, b, out, iout):
    """NumPy's bool arithmetic: + is or, * is and; // and % compute in int8."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[0, i] = a[i] + b[i]
        out[1, i] = a[i] * b[i]
        out[2, i] = a[i] & b[i]
        out[3, i] = a[i] | b[i]
        out[4, i] = a[i] ^ b[i]
        out[5, i] = ~a[i]
        out[6, i] = a[i] < b[i]
        out[7, i] = a[i] + True
        out[8, i] = abs(a[i])
        iout[0, i] = a[i] // True
        iout[1, i] = a[i] % True
        iout[2, i] = a[i] ** b[i]
        iout[3, i] = a[i] + 1
        iout[4, i] = a[i] << b[i]


# appy: export reduce(int8[:])
# appy: export reduce(uint16[:])
# appy: export reduce(uint64[:])
# appy: export reduce(bool[:])
@appy.jit
def reduce(x):
    """Reductions: s takes x's dtype (0 + int8 is int8) and wraps; np.sum is int64/uint64."""
    s = 0
    p = 1
    m = x[0]
    #pragma parallel for
    for i in range(x.shape[0]):
        s += x[i]
        p *= x[i]
        m = max(m, x[i])
    return s, p, m, np.sum(x), np.min(x)


# appy: export rows(int8[:, :], int64[:, :], int8[:])
# appy: export rows(uint8[:, :], uint64[:, :], uint8[:])
# appy: export rows(int16[:, :], int64[:, :], int16[:])
# appy: export rows(uint16[:, :], uint64[:, :], uint16[:])
# appy: export rows(uint32[:, :], uint64[:, :], uint32[:])
# appy: export rows(uint64[:, :], uint64[:, :], uint64[:])
@appy.jit
def rows(A, out, y):
    """Group mode: a team (or group of lanes) per row reduces in A's dtype."""
    for i in appy.prange(A.shape[0]):
        s = 0
        m = A[i, 0]
        #pragma simd
        for j in range(A.shape[1]):
            s += A[i, j]
            m = min(m, A[i, j])
            y[i] += A[i, j]
        out[i, 0] = s
        out[i, 1] = m
        out[i, 2] = np.sum(A[i, :])


# appy: export scatter(int8[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(int16[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(int32[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(int64[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(uint8[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(uint16[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(uint32[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
# appy: export scatter(uint64[:], int16[:], float64[:], uint8[:], int16[:], uint64[:], bool[:], float64[:])
@appy.jit
def scatter(idx, w, x, h8, h16, h64, hb, g):
    """Index arrays of every integer type; atomic updates of 1-, 2- and 8-byte elements."""
    #pragma parallel for
    for i in range(idx.shape[0]):
        h8[idx[i]] += 1
        h16[idx[i]] -= w[i]
        h64[idx[i]] += 3
        hb[idx[i]] |= w[i] > 0
        g[i] = x[idx[i]]


# appy: export arrays(uint8[:], uint8[:])
@appy.jit
def arrays(x, y):
    """Array expressions in host code: elementwise in uint8 (wrapping), np.sum in uint64,
    np.dot in uint8."""
    y[:] = x * 3 + 1
    y[1:] -= x[:-1] // 3
    z = x ^ y
    return np.sum(x), np.dot(x, y), np.max(z), np.mean(x), z


# appy: export masked(float32[:], bool[:], float32[:])
@appy.jit
def masked(x, mask, out):
    """A bool mask selects; summing it counts (0 + bool is int64)."""
    c = 0
    #pragma parallel for
    for i in range(x.shape[0]):
        if mask[i]:
            out[i] = x[i]
        else:
            out[i] = 0
        c += mask[i]
    positive = x > 0
    return c, positive


# appy: export make(int, uint8)
@appy.jit
def make(n, v):
    """Arrays and scalars of small and unsigned dtypes made and returned."""
    a = np.empty(n, dtype=np.uint8)
    b = np.zeros((n, 2), dtype=np.int16)
    c = np.full(n, 7, dtype=np.uint64)
    d = np.ones(n, dtype=np.int8)
    #pragma parallel for
    for i in range(n):
        a[i] = v + i
        b[i, 0] = -i
        c[i] += i
        d[i] = d[i] * 100 + i % 7
    return a, b, c, d, v * 2, np.uint16(v) * 300


# appy: export aliases(byte[:], ubyte[:], short[:], ushort[:], intc[:], uintc[:], intp[:], uintp[:], longlong[:], ulonglong[:], np.single[:], numpy.double[:], np.bool_[:])
@appy.jit
def aliases(a, b, c, d, e, f, g, h, k, m, p, r, t):
    """NumPy's alias names in a signature."""
    return a[0], b[0], c[0], d[0], e[0], f[0], g[0], h[0], k[0], m[0], p[0], r[0], t[0]


# appy: export scale(float32[:], float, int, bool, float32[:])
# appy: export scale(float32[:], float64, int64, bool, float64[:])
@appy.jit
def scale(x, alpha, k, flip, out):
    """int, float and bool in a signature are Python scalars, weak: alpha * x[i] stays
    float32; float64 and int64 are NumPy's."""
    #pragma parallel for
    for i in range(x.shape[0]):
        out[i] = alpha * x[i] + k
        if flip:
            out[i] = -out[i]


@appy.jit
def spmv(indptr, indices, data, x, y):
    """No export line: indptr and indices are indices, so int64 arrays."""
    for i in appy.prange(y.shape[0]):
        start, end = indptr[i], indptr[i + 1]
        s = 0.0
        for j in range(start, end):
            s += data[j] * x[indices[j]]
        y[i] = s
