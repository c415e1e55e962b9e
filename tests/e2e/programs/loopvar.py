"""A loop variable read after its sequential loop keeps Python's value: the last one taken,
the one at a break, or the value before the loop if the range was empty."""
import appy


# appy: export after(float64[:], int64)
@appy.jit
def after(a, n):
    s = 0.0
    i = -1
    for i in range(n):
        s += a[i]
        if a[i] > 0.9:
            break
    j = -5
    for j in range(3, n, 2):
        s += 1.0
    k = 7
    for k in range(n, 0, -3):
        s -= 0.5
    return s, i, j, k
