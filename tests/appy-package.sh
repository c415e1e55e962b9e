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
assert list(appy.prange(3, shared=["s"])) == [0, 1, 2]
assert list(appy.range(3, simd=True)) == [0, 1, 2]
assert appy.vidx(4, 8) == slice(4, 12) and appy.vidx(4, 8, 10) == slice(4, 10)
import numpy as np
import appy.np_shared as nps
z = nps.zeros((2, 3), dtype=np.float32)
assert z.dtype == np.float32 and z.shape == (2, 3) and not z.any()
r = nps.randn(5, dtype=np.float32)
assert r.dtype == np.float32 and r.shape == (5,)
c = nps.copy(np.arange(6).reshape(2, 3)[:, ::2])
assert c.flags.c_contiguous and c.tolist() == [[0, 2], [3, 5]]
assert nps.empty_like(c).shape == c.shape and not nps.has_device_buffer(c)
assert issubclass(appy.CompileError, Exception)
assert appy.__version__ == sys.argv[1], (appy.__version__, sys.argv[1])
print("appy", appy.__version__, "from", appy.__file__, "ok")
PY
