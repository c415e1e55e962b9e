"""Keyword arguments, by the Python parameter names."""
import numpy as np
import appy


# appy: export saxpy(float32, float32[:], float32[:])
# appy: export saxpy(float64, float64[:], float64[:])
@appy.jit
def saxpy(alpha, x, y):
    #pragma parallel for
    for i in range(x.shape[0]):
        y[i] = alpha * x[i] + y[i]


# appy: export affine(float64[:], float64[:], float64, float64)
@appy.jit
def affine(src, dst, scale, shift):
    #pragma parallel for
    for i in range(src.shape[0]):
        dst[i] = src[i] * scale + shift
