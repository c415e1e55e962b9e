"""PolyBench floyd-warshall (NPBench): path = min(path, path[i, k] + path[k, j]) for k = 0 .. N-1, in place (int32 in NPBench).

The suite's design: a host loop over k in the compiled function, each step a collapsed
parallel loop nest over (i, j). Row k and column k do not change during step k while
path[k, k] >= 0 (NPBench's diagonal is positive), so the in-place update gives NumPy's
result, which reads the old row and column."""
import numpy as np
import appy


# appy: export floyd_warshall_kernel(int32[:, :])
# appy: export floyd_warshall_kernel(int64[:, :])
# appy: export floyd_warshall_kernel(float64[:, :])
@appy.jit
def floyd_warshall_kernel(path):
    n = path.shape[0]
    for k in range(n):
        for i in appy.prange(n):
            for j in appy.prange(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])


def kernel(path):
    floyd_warshall_kernel(path)
