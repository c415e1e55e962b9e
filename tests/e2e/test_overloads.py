"""Several export lines: the call picks the overload by dtype and rank."""
import numpy as np
import pytest

from e2ekit import DTYPES, PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "overloads.py")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_dtype_dispatch(prog, case, dtype, n):
    alpha = case.array(1, dtype)[0].item()
    case.same(prog, "axpy", alpha, case.array(n, dtype), case.array(n, dtype))


@pytest.mark.parametrize("shape,dtype", [((7,), np.float64), ((0,), np.float64),
                                         ((3, 5), np.float64), ((4, 0), np.float64),
                                         ((2, 3, 4), np.int32), ((0, 3, 4), np.int32)])
def test_rank_dispatch(prog, case, shape, dtype):
    case.same(prog, "info", case.array(shape, dtype))


@pytest.mark.parametrize("n", SIZES)
def test_the_overload_chosen_is_the_matching_one(prog, case, n):
    """a / 3 at a's precision: float32 rounding for float32 input, float64 otherwise."""
    for dtype in (np.float64, np.float32, np.int32):
        a = case.array(n, dtype)
        out = np.zeros(n)
        prog.compiled.typed(a, out)
        want = (a / a.dtype.type(3)) if dtype == np.float32 else a.astype(np.float64) / 3
        case.check(out, want.astype(np.float64), f"typed({np.dtype(dtype)})", rtol=1e-15, atol=0)
