"""PolyBench syr2k, C = alpha (A B^T + B A^T) + beta C on C's lower triangle (j <= i; the upper triangle is left as it was; A, B n x m, C n x n). Least traffic: A and B in, C's lower triangle in and out (16 n m + 8 n (n + 1) bytes); 2 n (n + 1) m flops.

PolyBench's i loop is parallel; here every element C[i, j] (j <= i) is its own iteration of
a collapsed prange over (i, j), one sequential loop over k reading rows i and j of A and B.
On the GPU (clang) the nest runs in tiles (codegen.c, appy/group.h): each thread 4 x 4
elements, the four rows read through panels in shared memory (8 steps of k per chunk, for
four panels). On an H100: 4.03 ms, against 22.0-22.4 ms for the group-mode form (a
`#pragma simd` loop over k per element, a group of lanes per row i) and 35.9-36.2 ms for the
collapsed nest one element per thread against transposed copies of A and B. Split into two
k loops (A[j, k] B[i, k], then B[j, k] A[i, k]: two panels each) it took 4.43-4.55 ms
against 4.02-4.08 in the same call: not kept."""
import numpy as np
import appy

SIZES = {"full": {"n": 2600, "m": 2000}, "small": {"n": 53, "m": 37}}
KERNEL = "syr2k"
OUTPUTS = ("C",)


def make(rng, n, m):
    return {"alpha": 1.5, "beta": 1.2, "C": rng.random((n, n)), "A": rng.random((n, m)),
            "B": rng.random((n, m))}


def traffic(n, m):
    return 16 * n * m + 8 * n * (n + 1), 2 * n * (n + 1) * m


@appy.jit
def syr2k(alpha, beta, C, A, B):
    for i in appy.prange(C.shape[0]):
        for j in appy.prange(C.shape[1]):
            if j <= i:
                s = 0.0
                for k in range(A.shape[1]):
                    s += A[j, k] * B[i, k] + B[j, k] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * s


def numpy_impl(xp, alpha, beta, C, A, B):
    AB = A @ B.T                                   # B A^T is its transpose
    C[...] = xp.tril(alpha * (AB + AB.T) + beta * C) + xp.triu(C, 1)


def torch_impl(torch, alpha, beta, C, A, B):
    AB = A @ B.T
    C.copy_(torch.tril(alpha * (AB + AB.T) + beta * C) + torch.triu(C, 1))


def jax_impl(jnp, alpha, beta, C, A, B):
    AB = A @ B.T
    return {"C": jnp.tril(alpha * (AB + AB.T) + beta * C) + jnp.triu(C, 1)}
