"""appy: the names APPy-annotated code imports, for running it as plain Python.

appy-translate reads ``@appy.jit``, ``appy.prange`` and ``appy.range(..., parallel=True)``
at translation time. Under plain CPython and NumPy they mean nothing special: ``jit``
returns the function unchanged and the loops are ordinary ``range`` loops, so an annotated
file runs unmodified (this is how the tests compute the expected answers).
"""

import builtins

__all__ = ["jit", "prange", "range", "buffer", "__version__"]

__version__ = "0.1.0"


def jit(fn=None, **options):
    """Marks a kernel function; ``@jit``, ``@jit()`` and ``@jit(backend=...)`` all work.

    The options are accepted and ignored; the function is returned unchanged.
    """
    if fn is None:
        return lambda f: f
    if not callable(fn):
        raise TypeError("appy.jit: expected a function, got %r" % (fn,))
    return fn


def prange(*args):
    """A parallel loop's range: ``range(*args)`` when run as plain Python."""
    return builtins.range(*args)


def buffer(size, dtype=float):
    """A team's scratchpad inside a parallel loop (GPU shared memory when translated):
    ``numpy.empty(size, dtype)`` when run as plain Python."""
    import numpy
    return numpy.empty(size, dtype)


def range(*args, parallel=False):
    """``range(*args)``; ``parallel=True`` marks the loop parallel for appy-translate."""
    return builtins.range(*args)
