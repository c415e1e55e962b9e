"""Arithmetic: every operator on ints and floats, Python semantics for negative operands."""
import numpy as np
import appy


# appy: export arith_int(int64[:], int64[:], int64[:, :])
# appy: export arith_int(int32[:], int32[:], int32[:, :])
@appy.jit
def arith_int(a, b, out):
    """b has no zeros; |a|, |b| <= 100."""
    #pragma parallel for
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[0, i] = x + y
        out[1, i] = x - y
        out[2, i] = x * y
        out[3, i] = x // y
        out[4, i] = x % y
        out[5, i] = -x
        out[6, i] = +x
        out[7, i] = x ** 3
        out[8, i] = y ** (abs(x) % 4)
        out[9, i] = x & y
        out[10, i] = x | y
        out[11, i] = x ^ y
        out[12, i] = ~x
        out[13, i] = x << 3
        out[14, i] = x >> 2
        out[15, i] = abs(x)
        out[16, i] = min(x, y)
        out[17, i] = max(x, y, 7)
        out[18, i] = (x - 2 * y) % 7 - (3 * x + y) // -5


# appy: export arith_float(float64[:], float64[:], float64[:, :])
# appy: export arith_float(float32[:], float32[:], float32[:, :])
@appy.jit
def arith_float(a, b, out):
    """b has no zeros; |a|, |b| < 2."""
    #pragma parallel for
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[0, i] = x + y
        out[1, i] = x - y
        out[2, i] = x * y
        out[3, i] = x / y
        out[4, i] = x // y
        out[5, i] = x % y
        out[6, i] = -x
        out[7, i] = x ** 2
        out[8, i] = x ** 3
        out[9, i] = (abs(x) + 0.25) ** y
        out[10, i] = abs(x)
        out[11, i] = min(x, y)
        out[12, i] = max(x, y, 0.5)
        out[13, i] = x * 2 + 1
        out[14, i] = x % 1.5 - (-x) // 0.75
        x += y
        x *= 3
        x -= 1
        x /= 4
        out[15, i] = x


# appy: export true_div(int64[:], int64[:], float64[:])
# appy: export true_div(int32[:], int32[:], float64[:])
@appy.jit
def true_div(a, b, out):
    """`/` of two ints is a float."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = a[i] / b[i] + a[i] / 4


# appy: export int_ops(int64, int64)
@appy.jit
def int_ops(x, y):
    """The same operators on scalars in host code."""
    return (x + y, x - y, x * y, x / y, x // y, x % y, -x, x ** 2, x & y, x | y,
            x ^ y, ~x, x << 2, x >> 1, abs(x), min(x, y), max(x, y))


# appy: export float_ops(float64, float64)
@appy.jit
def float_ops(x, y):
    return x + y, x - y, x * y, x / y, x // y, x % y, -x, abs(x) ** 0.5, min(x, y), max(x, y)
