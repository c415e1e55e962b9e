"""Helpers of the end-to-end tests: random inputs, running a function both ways, comparing."""
import copy
import os
from pathlib import Path

import numpy as np

PROGRAMS = Path(__file__).resolve().parent / "programs"

FLOATS = (np.float32, np.float64)
INTS = (np.int32, np.int64)
DTYPES = FLOATS + INTS
SIZES = (0, 1, 7, 33, 1000, 4099)             # none a multiple of 32 or 128, but 0
SHAPES2 = ((0, 3), (3, 0), (1, 1), (5, 7), (37, 130), (129, 33))
RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
NUMPY2 = int(np.__version__.split(".")[0]) >= 2


def row_tol(dtype, terms):
    """Tolerances for sums along the last axis (per row): the dtype's rtol, atol that much of the
    largest sum of |terms|. Exact (no tolerance) for ints."""
    if np.dtype(dtype).kind in "iu":
        return {}
    rtol = RTOL[np.dtype(dtype)]
    largest = float(np.abs(terms).sum(axis=-1, initial=0).max(initial=0))
    return dict(rtol=rtol, atol=rtol * (1 + largest))


def small(case, shape, dtype):
    """Floats in [-2, 2), ints in [-10, 10]: int32 products summed over a row do not wrap."""
    if np.dtype(dtype).kind == "f":
        return case.array(shape, dtype)
    return case.array(shape, dtype, -10, 10)


def new_seed():
    """APPY_TEST_SEED if set (to replay a failure), else a fresh one."""
    env = os.environ.get("APPY_TEST_SEED")
    return int(env) if env else np.random.SeedSequence().entropy % 10**12


class Program:
    """A translated program: the compiled module and the same source run by CPython."""

    def __init__(self, compiled, oracle):
        self.compiled = compiled  # Module built by appy-translate
        self.oracle = oracle      # Same source imported as plain Python


class Outcome:
    """What one call left behind: its return value and its (possibly mutated) arguments."""

    def __init__(self, ret, args):
        self.ret = ret    # Return value
        self.args = args  # Arguments after the call


def run_both(prog, name, *args):
    """Calls prog's function `name` compiled and as plain Python, each on its own deep copy
    of args; returns (got, want) Outcomes."""
    outcomes = []
    for module in (prog.compiled, prog.oracle):
        a = copy.deepcopy(args)
        outcomes.append(Outcome(getattr(module, name)(*a), a))
    return outcomes


class Case:
    """One test case: random inputs from a known seed, and checks that report it."""

    def __init__(self, seed):
        self.seed = seed
        self.gen = np.random.default_rng(seed)

    def array(self, shape, dtype, lo=None, hi=None):
        """Uniform in [lo, hi) for floats (default -2, 2), in [lo, hi] for ints (default
        -100, 100), fair coin for bool. Never all zeros; negative values where lo < 0."""
        dtype = np.dtype(dtype)
        if dtype == np.bool_:
            a = self.gen.random(shape) < 0.5
        elif dtype.kind == "f":
            lo, hi = (-2.0 if lo is None else lo), (2.0 if hi is None else hi)
            a = self.gen.uniform(lo, hi, shape).astype(dtype)
        else:
            lo, hi = (-100 if lo is None else lo), (100 if hi is None else hi)
            a = self.gen.integers(lo, hi, shape, dtype=dtype, endpoint=True)
        if a.size and not a.any():
            a.flat[0] = 1
        if a.size > 1 and lo is not None and lo < 0 and not (a < 0).any():
            a.flat[1] = lo
        return a

    def nonzero(self, shape, dtype, lo=None, hi=None):
        """Like array, with every zero replaced by one (divisors)."""
        a = self.array(shape, dtype, lo, hi)
        a[a == 0] = 1
        return a

    def check(self, got, want, what, rtol=None, atol=None):
        """Compares got with want: exact for ints and bools; for floats within rtol
        (default by want's dtype: 1e-5 float32, 1e-12 float64) and atol (default rtol).
        Arrays must agree in dtype and shape, tuples element by element."""
        msg = f"{what} (seed {self.seed})"
        if want is None:
            assert got is None, f"{msg}: got {got!r}, want None"
            return
        if isinstance(want, tuple):
            assert isinstance(got, tuple) and len(got) == len(want), f"{msg}: got {got!r}"
            for k, (g, w) in enumerate(zip(got, want)):
                self.check(g, w, f"{what}[{k}]", rtol, atol)
            return
        if isinstance(want, np.ndarray):
            assert isinstance(got, np.ndarray), f"{msg}: got {type(got).__name__}, want ndarray"
            assert got.dtype == want.dtype, f"{msg}: dtype {got.dtype}, want {want.dtype}"
            assert got.shape == want.shape, f"{msg}: shape {got.shape}, want {want.shape}"
        else:
            assert _kind(got) == _kind(want), \
                f"{msg}: got {got!r}, a {_kind(got)}; want {want!r}, a {_kind(want)}"
        kind = np.asarray(want).dtype
        if kind.kind in "biu":
            np.testing.assert_array_equal(got, want, err_msg=msg)
        else:
            rtol = RTOL.get(kind, 1e-12) if rtol is None else rtol
            atol = rtol if atol is None else atol
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=msg)

    def same(self, prog, name, *args, rtol=None, atol=None):
        """Runs `name` both ways and checks the return value and every array argument.
        rtol defaults to that of the least precise float array argument, if any (the
        oracle may compute a float32 kernel's scalars in float64)."""
        floats = [RTOL[a.dtype] for a in args if isinstance(a, np.ndarray) and a.dtype in RTOL]
        if rtol is None and floats:
            rtol = max(floats)
        got, want = run_both(prog, name, *args)
        self.check(got.ret, want.ret, f"{name} returned", rtol, atol)
        for k, (g, w) in enumerate(zip(got.args, want.args)):
            if isinstance(w, np.ndarray):
                self.check(g, w, f"{name} argument {k}", rtol, atol)
        return got, want


def _kind(x):
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, np.integer)):
        return "int"
    if isinstance(x, (float, np.floating)):
        return "float"
    return type(x).__name__
