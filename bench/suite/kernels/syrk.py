"""PolyBench syrk, C = alpha A A^T + beta C on C's lower triangle (j <= i; the upper triangle is left as it was; A n x m, C n x n). Least traffic: A in, C's lower triangle in and out (8 n m + 8 n (n + 1) bytes); n (n + 1) m flops.

PolyBench's i loop is parallel; its k-then-j nest (`C[i][j] += alpha*A[i][k]*A[j][k]` over
the row's j <= i) is written here as one dot product of rows i and j per element, a
`#pragma simd` loop over k: group mode, a group of lanes per row i reads both rows
contiguously and combines the sum (47 ms for the PolyBench k-then-j order with array
statements, 14 ms like this on an H200)."""
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
    for i in appy.prange(C.shape[0]):
        for j in range(i + 1):
            s = 0.0
            #pragma simd
            for k in range(A.shape[1]):
                s += A[i, k] * A[j, k]
            C[i, j] = beta * C[i, j] + alpha * s


def numpy_impl(xp, alpha, beta, C, A):
    C[...] = xp.tril(alpha * (A @ A.T) + beta * C) + xp.triu(C, 1)


def torch_impl(torch, alpha, beta, C, A):
    C.copy_(torch.tril(torch.addmm(C, A, A.T, beta=beta, alpha=alpha)) + torch.triu(C, 1))


def jax_impl(jnp, alpha, beta, C, A):
    return {"C": jnp.tril(alpha * (A @ A.T) + beta * C) + jnp.triu(C, 1)}
