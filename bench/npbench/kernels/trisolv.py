"""NPBench trisolv (PolyBench trisolv): forward substitution L x = b, x[i] = (b[i] -
L[i, :i] @ x[:i]) / L[i, i], x written in place (L N x N, only its lower triangle and
diagonal read; b unchanged; float64).

Design: the rows depend on each other one after the other, so the solve runs in blocks of
BLOCK rows, two parallel loops per block inside one compiled call (N / BLOCK steps of a host
loop): first the rows' dot products with the x already solved (x[:r0]), a group of GPU
threads per row (group mode, BLOCK groups: the bulk of L streamed by the whole GPU); then
the block's triangle by one group (`prange(1)`): row after row, its lanes share the short
dot product with the block's new x values, lane 0 writes x[i], a barrier. Row i's dot
product is thus added in two parts (before the block, within it), the GPU's lanes in
their own order: results differ from NumPy's by rounding, amplified by NPBench's L (b[i] and
the dot product nearly cancel): summing in 64 strided lanes moved x by up to 3e-11 relative
at N = 2000 and 7e-10 at N = 16000 (NumPy emulation). Not measured on a GPU yet; one group
for the whole solve (BLOCK >= N) would stream all of L through one SM."""
import numpy as np
import appy

BLOCK = 256


# appy: export trisolv_blocked(float64[:, :], float64[:], float64[:], int64)
@appy.jit
def trisolv_blocked(L, x, b, block):
    n = x.shape[0]
    y = np.empty(n)
    for r0 in range(0, n, block):
        r1 = min(r0 + block, n)
        for i in appy.prange(r0, r1):
            s = 0.0
            #pragma simd
            for j in range(r0):
                s += L[i, j] * x[j]
            y[i] = s
        for g in appy.prange(1):
            for i in range(r0, r1):
                s = y[i]
                #pragma simd
                for j in range(r0, i):
                    s += L[i, j] * x[j]
                x[i] = (b[i] - s) / L[i, i]


def kernel(L, x, b):
    trisolv_blocked(L, x, b, BLOCK)
