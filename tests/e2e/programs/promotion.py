"""NumPy 2 (NEP 50) promotion: Python literals adapt to the array's type, arrays don't."""
import numpy as np
import appy


# appy: export f32_literals(float32[:], float64[:, :])
@appy.jit
def f32_literals(x, out):
    """float32 with a Python float or int stays float32."""
    #pragma parallel for
    for i in range(x.shape[0]):
        v = x[i] * 0.1
        out[0, i] = v
        out[1, i] = x[i] + 3
        out[2, i] = x[i] / 3
        out[3, i] = 1.1 - x[i]
        out[4, i] = x[i] * x[i] * 0.7


# appy: export i32_literals(int32[:], int64[:, :])
@appy.jit
def i32_literals(k, out):
    """int32 with a Python int stays int32 and wraps around as in NumPy."""
    #pragma parallel for
    for i in range(k.shape[0]):
        out[0, i] = k[i] * 65536
        out[1, i] = k[i] + 1
        j = k[i] - 7
        out[2, i] = j * 100000


# appy: export mixed(float32[:], int32[:], int64[:], float64[:], float64[:, :], int64[:])
@appy.jit
def mixed(x, k, m, d, out, iout):
    """Mixed array types widen: float32 with int32, int64 or float64 is float64,
    int32 with a Python float or under / is float64, int32 with int64 is int64."""
    #pragma parallel for
    for i in range(x.shape[0]):
        out[0, i] = x[i] * k[i]
        out[1, i] = x[i] * m[i]
        out[2, i] = x[i] * d[i]
        out[3, i] = k[i] * 0.1
        out[4, i] = k[i] / 3
        iout[i] = k[i] + m[i]
