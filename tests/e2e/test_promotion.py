"""NumPy 2 (NEP 50) promotion, checked against explicit NumPy array arithmetic whose types
are the same in NumPy 1 and 2 (the oracle itself follows NEP 50 only under NumPy 2)."""
import numpy as np
import pytest

from e2ekit import NUMPY2, PROGRAMS, SIZES, run_both

EXACT = dict(rtol=1e-15, atol=0)
f32, i32 = np.float32, np.int32


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "promotion.py")


def agree_with_oracle_under_numpy2(case, prog, name, *args):
    if NUMPY2:
        with np.errstate(over="ignore"):
            case.same(prog, name, *args, **EXACT)


@pytest.mark.parametrize("n", SIZES)
def test_float32_with_python_literals(prog, case, n):
    x = case.array(n, f32)
    out = np.zeros((5, n))
    prog.compiled.f32_literals(x, out)
    want = [x * f32(0.1), x + f32(3), x / f32(3), f32(1.1) - x, x * x * f32(0.7)]
    for k, w in enumerate(want):
        case.check(out[k], w.astype(np.float64), f"f32_literals row {k}", **EXACT)
    agree_with_oracle_under_numpy2(case, prog, "f32_literals", x, np.zeros((5, n)))


@pytest.mark.parametrize("n", SIZES)
def test_int32_with_python_ints_wraps(prog, case, n):
    k = case.array(n, i32, -40000, 40000)
    k[:2] = (2**31 - 1, -2**31)[:n]
    out = np.zeros((3, n), np.int64)
    prog.compiled.i32_literals(k, out)
    with np.errstate(over="ignore"):
        want = [k * i32(65536), k + i32(1), (k - i32(7)) * i32(100000)]
    for r, w in enumerate(want):
        case.check(out[r], w.astype(np.int64), f"i32_literals row {r}")
    agree_with_oracle_under_numpy2(case, prog, "i32_literals", k, np.zeros((3, n), np.int64))


@pytest.mark.parametrize("n", SIZES)
def test_mixed_arrays_widen(prog, case, n):
    x, k, m = case.array(n, f32), case.array(n, i32, -2**31, 2**31 - 1), case.array(n, np.int64)
    d = case.array(n, np.float64)
    k[:1], m[:1] = 2**31 - 1, 50      # k + m overflows int32, not int64
    got, want = run_both(prog, "mixed", x, k, m, d, np.zeros((5, n)), np.zeros(n, np.int64))
    x64, k64 = x.astype(np.float64), k.astype(np.float64)
    expect = [x64 * k64, x64 * m, x64 * d, k64 * 0.1, k64 / 3]
    for r, w in enumerate(expect):
        case.check(got.args[4][r], w, f"mixed row {r}", **EXACT)
    case.check(got.args[5], k.astype(np.int64) + m, "mixed int32 + int64")
    case.check(got.args[5], want.args[5], "mixed int32 + int64 (oracle)")
