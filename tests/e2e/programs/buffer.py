"""Team scratchpads: appy.buffer(n, dtype) in a parallel loop, one per team (GPU shared
memory with clang). Filled cooperatively by one marked loop or array statement, then read
by all threads of the team in the next (the barrier between them is implied)."""
import numpy as np
import appy


# appy: export row_softmax(float64[:, :], float64[:, :])
# appy: export row_softmax(float32[:, :], float32[:, :])
@appy.jit
def row_softmax(A, out):
    """The row is read from memory once, kept in the buffer, written once; rows up to 1024."""
    n = A.shape[1]
    #pragma parallel for
    for i in range(A.shape[0]):
        buf = appy.buffer(1024, A.dtype)
        buf[:n] = A[i, :]
        m = np.max(buf[:n])
        buf[:n] = np.exp(buf[:n] - m)
        s = np.sum(buf[:n])
        out[i, :] = buf[:n] / s


# appy: export reverse_rows(float64[:, :], float64[:, :])
# appy: export reverse_rows(int32[:, :], int32[:, :])
# appy: export reverse_rows(int64[:, :], int64[:, :])
@appy.jit
def reverse_rows(A, out):
    """Threads read elements other threads wrote: out[i, j] = A[i, n-1-j] through the
    buffer, with explicit marked loops; rows up to 512."""
    n = A.shape[1]
    #pragma parallel for
    for i in range(A.shape[0]):
        buf = appy.buffer(512, np.int64)
        #pragma simd
        for j in range(n):
            buf[j] = j
        #pragma simd
        for j in range(n):
            out[i, j] = A[i, buf[n - 1 - j]]


# appy: export neighbours(float64[:, :], float64[:, :])
# appy: export neighbours(float32[:, :], float32[:, :])
@appy.jit
def neighbours(A, out):
    """A 3-point average along each row from a staged copy of the row; rows up to 300."""
    n = A.shape[1]
    #pragma parallel for
    for i in range(A.shape[0]):
        buf = appy.buffer(302, A.dtype)
        buf[0] = 0
        buf[n + 1] = 0
        buf[1:n + 1] = A[i, :]
        out[i, :] = (buf[:n] + buf[1:n + 1] + buf[2:n + 2]) / 3


# appy: export online_softmax(float64[:, :], float64[:, :])
# appy: export online_softmax(float32[:, :], float32[:, :])
@appy.jit
def online_softmax(A, out):
    """64 strided partial (max, sum) pairs per row in two scratchpads, combined by the team;
    rows of any length >= 1 (slots beyond the row stay at (-inf, 0))."""
    n = A.shape[1]
    #pragma parallel for
    for i in range(A.shape[0]):
        bm = appy.buffer(64, A.dtype)
        bs = appy.buffer(64, A.dtype)
        #pragma simd
        for t in range(64):
            mt = -np.inf
            st = 0.0
            for k in range(t, n, 64):
                a = A[i, k]
                if a > mt:
                    st = st * np.exp(mt - a) + 1.0
                    mt = a
                else:
                    st += np.exp(a - mt)
            bm[t] = mt
            bs[t] = st
        m = np.max(bm)
        s = np.sum(bs * np.exp(bm - m))
        out[i, :] = np.exp(A[i, :] - m) / s
