#!/bin/sh
# make check: the pure-Python appy package (python/appy) behaves as documented and
# carries the package version.

exec "$PYTHON" - "$APPY_PACKAGE_VERSION" <<'PY'
import sys
import appy
from appy import jit, prange

def f(x):
    return x + 1

assert appy.jit(f) is f
assert jit(f) is f
assert jit()(f) is f
assert appy.jit(backend="triton", auto_simd=True)(f) is f
assert list(prange(3)) == [0, 1, 2]
assert list(appy.prange(1, 7, 2)) == [1, 3, 5]
assert list(appy.range(4, parallel=True)) == [0, 1, 2, 3]
assert list(appy.range(5, 0, -2)) == [5, 3, 1]
assert appy.__version__ == sys.argv[1], (appy.__version__, sys.argv[1])
print("appy", appy.__version__, "from", appy.__file__, "ok")
PY
