"""appy: APPy's annotated parallelism for Python, on NVIDIA GPUs through OpenMP offload.

``@appy.jit`` compiles a function's parallel loops (``#pragma parallel for``,
``prange``, ``appy.range(..., parallel=True)``) on its first call, for the call's
argument types, and keeps what it built on disk (see ``help(appy.jit)`` and
``appy._jit``). ``appy-translate FILE.py`` does the same ahead of time. Under
APPY_DISABLE_JIT=1, or without the decorator, the same file runs as plain Python:
``prange`` and ``appy.range`` are then ordinary ``range`` loops.

``device``, ``to_host`` and ``to_device`` keep NumPy arrays on the GPU across calls of
compiled kernels (see ``help(appy.device)``); ``appy.np_shared`` makes NumPy arrays as
APPy's Metal-flavoured programs expect.
"""

import builtins
import weakref

from ._jit import jit, CompileError, cache_dir, is_torch

__all__ = ["jit", "prange", "range", "buffer", "device", "to_host", "to_device",
           "pinned_bytes", "release_pinned", "vidx",
           "to_gpu", "to_cpu", "CompileError", "cache_dir", "__version__"]

__version__ = "0.1.0"


def prange(*args, shared=None):
    """A parallel loop's range: ``range(*args)`` when run as plain Python. ``shared`` (a
    list of names, as in APPy) means the same as the pragma's shared(...) clause."""
    return builtins.range(*args)


def buffer(size, dtype=float):
    """A team's scratchpad inside a parallel loop (GPU shared memory when translated):
    ``numpy.empty(size, dtype)`` when run as plain Python."""
    import numpy
    return numpy.empty(size, dtype)


def range(*args, parallel=False, simd=False):
    """``range(*args)``; ``parallel=True`` marks the loop parallel for appy-translate."""
    return builtins.range(*args)


def vidx(start, stepsize, bound=None):
    """APPy's vector index: the slice of `stepsize` elements from `start`, cut at `bound`."""
    return slice(start, min(bound, start + stepsize) if bound else start + stepsize)


def to_gpu(*arrays):
    """APPy's data transfer: NumPy arrays (and lists) as PyTorch CUDA tensors; scalars and
    tensors already on the GPU as they are. One argument, one result; several, a list."""
    out = [_to_gpu(a) for a in arrays]
    return out[0] if len(out) == 1 else out


def _to_gpu(a):
    import torch
    if isinstance(a, (int, float, bool)):
        return a
    if isinstance(a, torch.Tensor):
        return a.to("cuda")
    if isinstance(a, list):
        return torch.tensor(a).to("cuda")
    return torch.from_numpy(a).to("cuda")


def to_cpu(*arrays):
    """The inverse of `to_gpu`: tensors as NumPy arrays (0-d ones as Python scalars)."""
    out = [_to_cpu(a) for a in arrays]
    return out[0] if len(out) == 1 else out


def _to_cpu(a):
    if is_torch(a):
        return a.item() if a.ndim == 0 else a.to("cpu").numpy()
    return a


# Arrays mapped by `device` blocks: (runtime, address, bytes) -> [blocks holding it, module].
_mapped = {}


# Modules built by appy-translate, as they are imported (weak references).
_modules = []

# The compilers whose modules have a device of their own (clang-host: the CPU as device).
_OFFLOADING = ("clang", "gcc", "clang-host")


def _register(module):
    """Called by each module built by appy-translate when it is imported."""
    _modules.append(weakref.ref(module))


def _kernel_modules(runtime=None):
    alive = [m for m in (r() for r in _modules) if m is not None]
    return [m for m in alive if hasattr(m, "_appy_data")
            and getattr(m, "__appy_compiler__", None) in ((runtime,) if runtime else _OFFLOADING)]


def _runtimes():
    """One imported kernel module per OpenMP runtime that offloads (_OFFLOADING): a
    mapping made through one module is seen by every module of its runtime."""
    found = {}
    for m in _kernel_modules():
        found.setdefault(m.__appy_compiler__, m)
    return found


def _key(runtime, a):
    return (runtime, a.__array_interface__["data"][0], a.nbytes)


def _check(what, arrays):
    import numpy
    for k, a in enumerate(arrays):
        if not isinstance(a, numpy.ndarray):
            raise TypeError("appy.%s: argument %d must be a numpy.ndarray, not %s"
                            % (what, k + 1, type(a).__name__))
        if not a.flags.c_contiguous:
            raise ValueError("appy.%s: argument %d is not C-contiguous (a kernel would get a "
                             "copy of it); pass numpy.ascontiguousarray(...)" % (what, k + 1))


class device:
    """``with appy.device(A, B): ...`` keeps A and B on the GPU for the whole block.

    Entering copies each array to the device once; kernel calls in the block then find it
    there and copy nothing of it, in or out. Leaving the block copies back the arrays a
    kernel changed on the device, and frees the device copies. Inside the block the
    device's copy is the one that counts: after changing an array on the host, call
    ``appy.to_device(A)``; to look at a kernel's results before the block ends, call
    ``appy.to_host(A)``. Blocks nest (an array stays mapped until the last block holding it
    ends), and the arrays must be C-contiguous. Without a GPU, or before any module built by
    appy-translate with an offloading compiler is imported, the block does nothing."""

    def __init__(self, *arrays):
        _check("device", arrays)
        self.arrays = arrays
        self._held = []

    def __enter__(self):
        for a in self.arrays:
            _hold(a)
            self._held.append(a)
        return self

    def __exit__(self, *exc):
        held, self._held = self._held, []
        for a in held:
            _release(a, lambda written: written)
        return False


def _hold(a):
    """One more holder of array a in each OpenMP runtime that offloads, mapping it (a copy
    to the device) where it is not mapped yet. Returns (runtimes where it already was,
    runtimes where it was mapped now)."""
    present = entered = 0
    for rt, module in _runtimes().items():
        key = _key(rt, a)
        if key in _mapped:
            _mapped[key][0] += 1
            present += 1
        else:
            module._appy_data("enter", a)
            _mapped[key] = [1, module]
            entered += 1
    return present, entered


def _release(a, copy_back):
    """One holder less of array a in each runtime that holds it. Where that was the last
    one, the modules' flags of what kernels wrote are reset, the device's copy comes back
    if a is writeable and copy_back(whether a kernel wrote it) says so, and the mapping is
    released. Returns (the modules of runtimes that still hold a, copies made back)."""
    kept, copied = [], 0
    for rt, _ in _runtimes().items():
        key = _key(rt, a)
        entry = _mapped.get(key)
        if entry is None:
            continue
        entry[0] -= 1
        if entry[0] > 0:
            kept.append(entry[1])
            continue
        del _mapped[key]
        module = entry[1]
        written = [m._appy_data("written", a) for m in _kernel_modules(rt)]   # resets each
        if copy_back(any(written)) and a.flags.writeable:
            module._appy_data("to_host", a)
            copied += 1
        module._appy_data("exit", a)
    return kept, copied


def _update(op, arrays):
    """op ("to_host" or "to_device") on the arrays that are mapped; returns how many
    copies that made."""
    done = 0
    for rt, _ in _runtimes().items():
        for a in arrays:
            entry = _mapped.get(_key(rt, a))
            if entry:
                entry[1]._appy_data(op, a)
                done += 1
    return done


def to_host(*arrays):
    """Copies arrays held on the GPU by an ``appy.device`` block back to the host now."""
    _check("to_host", arrays)
    _update("to_host", arrays)


def to_device(*arrays):
    """Copies host changes of arrays held on the GPU by an ``appy.device`` block to it."""
    _check("to_device", arrays)
    _update("to_device", arrays)


def _pinned(op):
    stages = {}
    for m in _kernel_modules():
        r = m._appy_data(op, None)
        stage, n = r if isinstance(r, tuple) else (m, r)   # older modules: their own
        stages[stage] = n
    return sum(stages.values())


def pinned_bytes():
    """Bytes of host memory that the imported kernel modules hold pinned now: the copy stage
    that they share (made at the first large copy, at most ``APPY_PINNED_MB``, 64 MiB by
    default), never an array's own pages once its copy is over."""
    return _pinned("pinned")


def release_pinned():
    """Frees the kernel modules' copy stage (made again at the next large copy); returns
    ``pinned_bytes()`` after."""
    return _pinned("unpin")
