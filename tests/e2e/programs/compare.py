"""Comparisons (chained too), and / or / not, conditional expressions, bool arrays."""
import numpy as np
import appy


# appy: export compare(float64[:], float64[:], float64[:, :])
# appy: export compare(float32[:], float32[:], float32[:, :])
# appy: export compare(int64[:], int64[:], int64[:, :])
# appy: export compare(int32[:], int32[:], int32[:, :])
@appy.jit
def compare(a, b, out):
    #pragma parallel for
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        out[0, i] = 1 if x < y else 0
        out[1, i] = 1 if x <= y else 0
        out[2, i] = 1 if x > y else 0
        out[3, i] = 1 if x >= y else 0
        out[4, i] = 1 if x == y else 0
        out[5, i] = 1 if x != y else 0
        out[6, i] = 1 if 0 < x < y else 0
        out[7, i] = 1 if x <= y < 2 * x + 1 != y else 0
        out[8, i] = 1 if x > 0 and y > 0 else 0
        out[9, i] = 1 if x > 0 or y > 0 else 0
        out[10, i] = 1 if not x > y else 0
        out[11, i] = 1 if not (x < 0 or y < 0) and x != y else 0
        out[12, i] = x if x > y else y
        out[13, i] = x if x < 0 else (y if y < 0 else 0)


# appy: export to_bool(float64[:], bool[:], bool[:])
# appy: export to_bool(int64[:], bool[:], bool[:])
@appy.jit
def to_bool(a, mask, out):
    """Comparison results stored into a bool array, bool arrays read."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = (a[i] > 0) != mask[i] or a[i] == 1


# appy: export select(float64[:], bool[:], float64[:], bool)
# appy: export select(int32[:], bool[:], int32[:], bool)
@appy.jit
def select(a, mask, out, negate):
    """A bool scalar parameter and bool array elements as conditions."""
    #pragma parallel for
    for i in range(a.shape[0]):
        if mask[i] and not negate:
            out[i] = a[i]
        elif not mask[i] and negate:
            out[i] = -a[i]
        else:
            out[i] = 0
