"""@jit, @jit(), @appy.jit(backend=...), prange imported bare, appy.range(parallel=True),
`parallel for simd`; undecorated functions are not exported."""
import numpy as np
import pytest

from e2ekit import PROGRAMS, SIZES


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "decorators.py")


@pytest.mark.parametrize("name", ("bare", "called", "with_args", "attr_called"))
@pytest.mark.parametrize("n", SIZES)
def test_spellings(prog, case, name, n):
    case.same(prog, name, case.array(n, np.float64), np.zeros(n))


def test_undecorated_function_not_exported(prog):
    assert not hasattr(prog.compiled, "helper_not_a_kernel")
