"""Kernel functions whose host code is Python the translator does not compile (np.linalg,
dicts, print, try, with, list comprehensions, a helper function): the host code stays
Python and each parallel loop runs as a compiled entry point."""
import numpy as np
import appy

DEFAULT_SCALE = 0.5


def clip_unit(v):
    """A plain helper the host code calls."""
    return min(max(v, 0.0), 1.0)


# appy: export normalize_rows(float64[:, :], float64[:, :])
# appy: export normalize_rows(float32[:, :], float32[:, :])
@appy.jit
def normalize_rows(A, out):
    """Rows divided by their norms (np.linalg, outside the subset); returns the largest."""
    norms = np.linalg.norm(A, axis=1).astype(A.dtype)
    #pragma parallel for
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[i, j] = A[i, j] / norms[i]
    return float(norms.max())


# appy: export iterate(float64[:], float64[:], float64, int64)
@appy.jit
def iterate(a, b, tol, max_iters):
    """Relaxation with a convergence test and a history in host Python; returns the
    history of the largest change per step, as a list."""
    history = []
    cfg = {"weight": DEFAULT_SCALE, "steps": max_iters}
    w = cfg["weight"]
    n = a.shape[0]
    for it in range(cfg["steps"]):
        diff = 0.0
        #pragma parallel for
        for i in range(1, n - 1):
            b[i] = w * (a[i - 1] + a[i + 1])
            diff = max(diff, abs(b[i] - a[i]))
        for i in appy.prange(1, n - 1):
            a[i] = b[i]
        history.append(diff)
        if np.abs(a).max() > 1e6 or diff <= tol:    # host code reading a kernel's result
            break
    return history


@appy.jit
def host_edits_between(x, y, reps):
    """Host code changes an array between two loops; the second loop must see it."""
    total = 0.0
    for r in range(reps):
        for i in appy.prange(x.shape[0]):
            y[i] = 2.0 * x[i]
        y[0] = -1.0 * (r + 1)                     # a host write after a loop wrote y
        x[:] = [clip_unit(v) for v in x]          # a list comprehension, then a host write
        for i in appy.prange(x.shape[0]):
            total += y[i] + x[i]
    return total


@appy.jit
def guarded(x, out):
    """try/except and with around host code; the loop's reduction comes back to Python."""
    try:
        scale = float(np.median(x))
    except ValueError:
        scale = 1.0
    with np.errstate(divide="ignore"):
        inv = 1.0 / scale if scale != 0 else 0.0
    s = 0.0
    for i in appy.prange(x.shape[0]):
        out[i] = x[i] * inv
        s += out[i]
    print("guarded: sum", round(s, 3))
    return s, out.sum()


@appy.jit
def smooth_steps(a, b, steps):
    """A time loop whose host code (a list of step numbers) touches no array: the arrays
    stay on the device for the whole call."""
    done = []
    n = a.shape[0]
    for t in range(steps):
        for i in appy.prange(1, n - 1):
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0
        for i in appy.prange(1, n - 1):
            a[i] = (b[i - 1] + b[i] + b[i + 1]) / 3.0
        done.append(t)
    return len(done)


@appy.jit
def view_extents(a, out):
    """Extents of views in host code (len, .shape and .size of a slice), which the subset
    leaves to Python: the host code stays Python and gets them right."""
    n = len(a[1:-1]) + a[::2].shape[0] + a[3:].size
    for i in appy.prange(out.shape[0]):
        out[i] = n + i
    return n
