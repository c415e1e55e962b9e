"""Vector add, the bandwidth benchmark of docs/performance.md: c = a + b on float64."""
import appy


# appy: export vadd(float64[:], float64[:], float64[:])
@appy.jit
def vadd(a, b, c):
    #pragma parallel for
    for i in range(c.shape[0]):
        c[i] = a[i] + b[i]
