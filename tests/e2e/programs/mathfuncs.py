"""math.* and np.* scalar functions."""
import math

import numpy as np
import appy


# appy: export mathf(float64[:], float64[:, :])
# appy: export mathf(float32[:], float32[:, :])
@appy.jit
def mathf(x, out):
    """|x| < 2."""
    #pragma parallel for
    for i in range(x.shape[0]):
        v = x[i]
        a = abs(v)
        out[0, i] = math.sqrt(a)
        out[1, i] = np.sqrt(a + 1)
        out[2, i] = math.exp(v)
        out[3, i] = np.exp(-v)
        out[4, i] = math.log(a + 0.5)
        out[5, i] = np.log(a + 2)
        out[6, i] = math.log1p(a)
        out[7, i] = np.log1p(a)
        out[8, i] = math.sin(v)
        out[9, i] = np.sin(v)
        out[10, i] = math.cos(v)
        out[11, i] = np.cos(v)
        out[12, i] = math.tan(v / 2)
        out[13, i] = np.tan(v / 2)
        out[14, i] = math.tanh(v)
        out[15, i] = np.tanh(v)
        out[16, i] = math.erf(v)
        out[17, i] = math.floor(v * 4)
        out[18, i] = np.floor(v * 4)
        out[19, i] = math.ceil(v * 4)
        out[20, i] = np.ceil(v * 4)
        out[21, i] = math.fabs(v)
        out[22, i] = np.fabs(v)
        out[23, i] = math.pow(a, 1.5)
        out[24, i] = math.hypot(v, 1.5)
        out[25, i] = np.hypot(v, -0.5)
        out[26, i] = math.atan2(v, 0.7)
        out[27, i] = np.arctan2(v, -0.7)
        out[28, i] = np.fmin(v, 0.3)
        out[29, i] = np.fmax(v, 0.3)


# appy: export int_math(int64[:], float64[:])
# appy: export int_math(int32[:], float64[:])
@appy.jit
def int_math(k, out):
    """Math functions of ints are floats; |k| <= 100."""
    #pragma parallel for
    for i in range(k.shape[0]):
        out[i] = math.sqrt(abs(k[i])) + np.exp(k[i] / 50) - math.floor(k[i] / 3)


# appy: export literal_math(float64[:], float64[:, :])
# appy: export literal_math(float32[:], float32[:, :])
@appy.jit
def literal_math(x, out):
    """Square roots of literals (written as their values) and squares (x * x, not pow)."""
    #pragma parallel for
    for i in range(x.shape[0]):
        out[0, i] = x[i] / math.sqrt(2.0) + math.sqrt(3) * x[i]
        out[1, i] = np.sqrt(0.5) * x[i] ** 2 + (x[i] - 1.0) ** 2.0
        out[2, i] = math.sqrt(1e30) * x[i] + math.sqrt(0) + np.sqrt(16)
