import numpy as np
import appy


@appy.jit(backend="triton", dump_code=True)
def bad_clause(a, b):
    c = np.empty_like(a)
    #pragma parallel for simd my_directive
    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]
    return c


@appy.jit
def good(a, b):
    c = np.empty_like(a)
    #pragma parallel for simd

    for i in range(a.shape[0]):
        c[i] = a[i] + b[i]
    return c


def outer():
    @appy.jit
    def carried(a):
        s = 0.0
        #pragma parallel for
        for i in range(a.shape[0]):
            s = s * 2.0 + a[i]
        return s
    return carried
