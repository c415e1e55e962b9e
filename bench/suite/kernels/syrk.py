"""PolyBench syrk, C = alpha A A^T + beta C on C's lower triangle (j <= i; the upper triangle is left as it was; A n x m, C n x n). Least traffic: A in, C's lower triangle in and out (8 n m + 8 n (n + 1) bytes); n (n + 1) m flops.

PolyBench's i loop is parallel; here every element C[i, j] (j <= i) is its own iteration of
a collapsed prange over (i, j), a sequential dot product of rows i and j of A over k. On the
GPU (clang) the nest runs in tiles (codegen.c, appy/group.h): each thread 4 x 4 elements,
rows i and j of A read through panels in shared memory, blocks above the diagonal idle. On
an H100: 1.86 ms; the same nest one element per thread against a transposed copy of A took
8.7-8.8 ms, the group-mode form (a `#pragma simd` dot product per element) 15.7-16.0 ms."""
import numpy as np
import appy

SIZES = {"full": {"n": 2600, "m": 2000}, "small": {"n": 53, "m": 37}}
KERNEL = "syrk"
OUTPUTS = ("C",)


def make(rng, n, m):
    return {"alpha": 1.5, "beta": 1.2, "C": rng.random((n, n)), "A": rng.random((n, m))}


def traffic(n, m):
    return 8 * n * m + 8 * n * (n + 1), n * (n + 1) * m


@appy.jit
def syrk(alpha, beta, C, A):
    n, m = A.shape[0], A.shape[1]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j <= i:
                s = 0.0
                for k in range(m):
                    s += A[i, k] * A[j, k]
                C[i, j] = beta * C[i, j] + alpha * s


def numpy_impl(xp, alpha, beta, C, A):
    C[...] = xp.tril(alpha * (A @ A.T) + beta * C) + xp.triu(C, 1)


def torch_impl(torch, alpha, beta, C, A):
    C.copy_(torch.tril(torch.addmm(C, A, A.T, beta=beta, alpha=alpha)) + torch.triu(C, 1))


def jax_impl(jnp, alpha, beta, C, A):
    return {"C": jnp.tril(alpha * (A @ A.T) + beta * C) + jnp.triu(C, 1)}
