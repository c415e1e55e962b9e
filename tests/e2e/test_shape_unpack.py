"""n, m = A.shape in host code."""
import numpy as np
import pytest

from e2ekit import PROGRAMS, SHAPES2


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "shape_unpack.py")


@pytest.mark.parametrize("dtype", (np.float64, np.int32))
@pytest.mark.parametrize("shape", SHAPES2)
def test_unpack(prog, case, dtype, shape):
    case.same(prog, "scale2", case.array(shape, dtype), case.array(1, dtype)[0].item())
