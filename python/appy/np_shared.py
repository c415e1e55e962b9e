"""NumPy arrays made as APPy's ``appy.np_shared`` makes them.

APPy's version allocates the arrays in Metal buffers that its Apple GPU kernels share with
the CPU. Here they are ordinary NumPy arrays, C-contiguous and aligned, which every
compiled kernel takes (copied to the GPU and back at each call, or kept there by an
``appy.device`` block). Unlike APPy's, ``zeros`` fills with zeros.
"""
import numpy as np

__all__ = ["empty", "empty_like", "zeros", "zeros_like", "ones", "full", "copy", "randn",
           "rand", "has_device_buffer"]

_rng = np.random.default_rng()


def empty(shape, dtype=np.float64):
    return np.empty(shape, dtype)


def empty_like(x, dtype=None):
    return np.empty(np.shape(x), dtype or x.dtype)


def zeros(shape, dtype=np.float64):
    return np.zeros(shape, dtype)


def zeros_like(x, dtype=None):
    return np.zeros(np.shape(x), dtype or x.dtype)


def ones(shape, dtype=np.float64):
    return np.ones(shape, dtype)


def full(shape, value, dtype=None):
    return np.full(shape, value, dtype)


def copy(x):
    """A C-contiguous copy of x."""
    return np.array(x, order="C", copy=True)


def randn(*shape, dtype=np.float64):
    """Standard normal samples of the given shape (float32 or float64)."""
    return _rng.standard_normal(shape, dtype=dtype)


def rand(*shape, dtype=np.float64):
    """Uniform samples in [0, 1) of the given shape (float32 or float64)."""
    return _rng.random(shape, dtype=dtype)


def has_device_buffer(x):
    """APPy: whether x lives in a GPU-shared buffer. Here no array does: False."""
    return False
