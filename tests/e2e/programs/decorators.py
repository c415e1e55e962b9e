"""The decorator and parallel-loop spellings APPy users write."""
import numpy as np
import appy
from appy import jit, prange


@jit
def bare(a, b):
    #pragma parallel for
    for i in range(a.shape[0]):
        b[i] = a[i] + 1


@jit()
def called(a, b):
    for i in prange(a.shape[0]):
        b[i] = a[i] + 2


@appy.jit(backend="triton")
def with_args(a, b):
    for i in appy.range(a.shape[0], parallel=True):
        b[i] = a[i] + 3


@appy.jit()
def attr_called(a, b):
    #pragma parallel for simd
    for i in range(a.shape[0]):
        b[i] = a[i] + 4


def helper_not_a_kernel(x):
    """Not decorated: left to Python, not translated."""
    return [x] * 3
