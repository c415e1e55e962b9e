"""Python int constants past int64: folded exactly, a float where the expression makes
them one (issue 18: they wrapped around at run time)."""
import appy

N = 10**20


# appy: export constants(float64[:], int64[:], float64[:])
@appy.jit
def constants(a, b, x):
    b[0] = -2**63
    b[1] = 2**63 - 1
    b[2] = 2**62 * 4 // 8 - 2**64 // 2**3
    b[3] = (-7) // 2 + (-7) % 3 + 7 % -3 + (1 << 62) - (-1 >> 70) + ~-2**62
    b[4] = -(2**126 // 2**64) // 2 if x[0] > 2.0 else 3**39 - 2**64 // 3**20
    a[0] = 10**20 * 1.0
    a[1] = 10**20
    a[2] = x[0] + 10**20
    a[3] = 2**64 + 1 - 0.5
    a[4] = -2**63 * 1.0
    a[5] = 10**20 / 3
    a[6] = N * x[1] - 0x7fff_ffff_ffff_ffff_ffff
    a[7] = 1.0 if x[0] < 2**70 else 2.0
    a[8] = 99999999999999999999
    for i in appy.prange(9, a.shape[0]):
        a[i] = x[i] * 2**64 + 10**20
        b[i] = -2**63 + i * (2**62 // 2**40)


# appy: export wraps(int64[:], int64)
@appy.jit
def wraps(b, k):
    """Ints computed at run time wrap around in int64, as NumPy's do."""
    for i in appy.prange(b.shape[0]):
        b[i] = b[i] * 3**39 + k**39
