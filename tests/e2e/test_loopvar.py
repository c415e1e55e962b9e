"""Loop variables after sequential loops (tests/e2e/programs/loopvar.py)."""
import pytest

from e2ekit import PROGRAMS


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "loopvar.py")


@pytest.mark.parametrize("n", (0, 1, 2, 5, 40))
def test_loop_variable_after_loop(prog, case, n):
    a = case.array(max(n, 1), "float64", 0.0, 1.0)
    case.same(prog, "after", a, n)
