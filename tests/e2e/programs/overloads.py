"""Several export lines for one function: dispatch on dtype and rank at call time."""
import numpy as np
import appy


# appy: export axpy(float64, float64[:], float64[:])
# appy: export axpy(float32, float32[:], float32[:])
# appy: export axpy(int64, int64[:], int64[:])
# appy: export axpy(int32, int32[:], int32[:])
@appy.jit
def axpy(alpha, x, y):
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = alpha * x[i] + y[i]


# appy: export info(float64[:])
# appy: export info(float64[:, :])
# appy: export info(int32[:, :, :])
@appy.jit
def info(a):
    """The same body for three ranks."""
    return len(a) * 1000 + a.size


# appy: export typed(float64[:], float64[:])
# appy: export typed(float32[:], float64[:])
# appy: export typed(int32[:], float64[:])
@appy.jit
def typed(a, out):
    """The overload chosen shows in the rounding: out gets a[i] / 3 at a's precision."""
    #pragma parallel for
    for i in range(a.shape[0]):
        out[i] = a[i] / 3
