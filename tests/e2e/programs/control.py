"""Control flow: if/elif/else, while, break/continue, for with any step."""
import numpy as np
import appy


# appy: export classify(float64[:], int64[:])
# appy: export classify(float32[:], int64[:])
# appy: export classify(int64[:], int64[:])
# appy: export classify(int32[:], int64[:])
@appy.jit
def classify(a, out):
    #pragma parallel for
    for i in range(a.shape[0]):
        x = a[i]
        if x < -1:
            out[i] = -2
        elif x < 0:
            out[i] = -1
        elif x == 0:
            out[i] = 0
        else:
            if x > 1:
                out[i] = 2
            else:
                out[i] = 1


# appy: export collatz(int64[:], int64[:])
# appy: export collatz(int32[:], int32[:])
@appy.jit
def collatz(a, steps):
    """While loop with a data-dependent trip count in each iteration; |a| <= 100."""
    #pragma parallel for
    for i in range(a.shape[0]):
        n = abs(a[i]) + 1
        k = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            k += 1
        steps[i] = k


# appy: export loops(int64[:], int64[:, :])
# appy: export loops(int32[:], int32[:, :])
@appy.jit
def loops(a, out):
    """Sequential loops inside a parallel loop; -20 <= a[i] <= 20."""
    #pragma parallel for
    for i in range(a.shape[0]):
        m = a[i]
        s = 0
        for k in range(m):
            s += k
        out[0, i] = s
        s = 0
        for k in range(-3, m, 2):
            s += k
        out[1, i] = s
        s = 0
        for k in range(m, -5, -3):
            s = s * 2 + k
        out[2, i] = s
        s = 0
        for k in range(10, m, -1):
            s += k * k
        out[3, i] = s
        s = 0
        for k in range(50):
            if k % 3 == 0:
                continue
            if k > abs(m):
                break
            s += k
        out[4, i] = s
        k = 0
        while True:
            k += 1
            if k * k > abs(m):
                break
        out[5, i] = k
        s = 0
        j = m
        while j < 30:
            j += 4
            if j % 5 == 0:
                continue
            s += j
        out[6, i] = s


# appy: export stepsum(int64, int64, int64)
@appy.jit
def stepsum(lo, hi, step):
    """A loop in host code whose step's sign is known only at run time."""
    s = 0
    n = 0
    for k in range(lo, hi, step):
        s += k
        n += 1
    return s, n


# appy: export runtime_steps(int64[:], int64, int64, int64)
@appy.jit
def runtime_steps(out, lo, hi, step):
    """The same on the device."""
    #pragma parallel for
    for i in range(out.shape[0]):
        s = 0
        for k in range(lo + i, hi, step):
            s += k
        out[i] = s


# appy: export host_collatz(int64)
@appy.jit
def host_collatz(n):
    """while / if / else in host code."""
    k = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        k += 1
    return k
