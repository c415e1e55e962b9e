"""Team scratchpads (appy.buffer): staged rows, threads reading what others wrote."""
import numpy as np
import pytest

from e2ekit import FLOATS, PROGRAMS, RTOL


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "buffer.py")


ROWS = (0, 1, 7, 300)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("cols", (1, 5, 33, 257, 1024))
def test_row_softmax(prog, case, dtype, rows, cols):
    rtol = RTOL[np.dtype(dtype)] * np.sqrt(1 + cols)
    case.same(prog, "row_softmax", case.array((rows, cols), dtype, -30, 30),
              case.array((rows, cols), dtype), rtol=rtol, atol=rtol)


def test_row_softmax_too_long(prog, case):
    """Rows longer than the buffer: the slice assignment does not conform."""
    with pytest.raises(ValueError, match="broadcast"):
        prog.compiled.row_softmax(case.array((3, 1025), np.float64), np.zeros((3, 1025)))


@pytest.mark.parametrize("dtype", (np.float64, np.int32, np.int64))
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("cols", (0, 1, 31, 512))
def test_reverse_rows(prog, case, dtype, rows, cols):
    case.same(prog, "reverse_rows", case.array((rows, cols), dtype), case.array((rows, cols), dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("cols", (0, 1, 2, 99, 300))
def test_neighbours(prog, case, dtype, rows, cols):
    rtol = RTOL[np.dtype(dtype)] * 4
    case.same(prog, "neighbours", case.array((rows, cols), dtype), case.array((rows, cols), dtype),
              rtol=rtol, atol=rtol * 4)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("cols", (1, 5, 64, 65, 1000, 4099))
def test_online_softmax(prog, case, dtype, rows, cols):
    rtol = RTOL[np.dtype(dtype)] * np.sqrt(1 + cols) * 4
    case.same(prog, "online_softmax", case.array((rows, cols), dtype, -30, 30),
              case.array((rows, cols), dtype), rtol=rtol, atol=rtol)
