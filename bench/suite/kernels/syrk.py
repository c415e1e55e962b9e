"""PolyBench syrk, C = alpha A A^T + beta C on C's lower triangle (j <= i; the upper triangle is left as it was; A n x m, C n x n). Least traffic: A in, C's lower triangle in and out (8 n m + 8 n (n + 1) bytes); n (n + 1) m flops.

PolyBench's i loop is parallel; here every element C[i, j] (j <= i) is its own iteration of
a collapsed prange over (i, j), a sequential dot product over k against a transposed copy
of A made first: consecutive j read consecutive addresses of the copy, and A[i, k] is the
same for the whole warp. On an H100 the group-mode form (a `#pragma simd` dot product of
rows i and j per element, a group of lanes per row i) took 15.7-16.0 ms, this form
12.1-13.3 ms."""
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
    AT = np.empty((m, n))
    for k in appy.prange(m):
        for i in appy.prange(n):
            AT[k, i] = A[i, k]
    for i in appy.prange(n):
        for j in appy.prange(n):
            if j <= i:
                s = 0.0
                for k in range(m):
                    s += A[i, k] * AT[k, j]
                C[i, j] = beta * C[i, j] + alpha * s


def numpy_impl(xp, alpha, beta, C, A):
    C[...] = xp.tril(alpha * (A @ A.T) + beta * C) + xp.triu(C, 1)


def torch_impl(torch, alpha, beta, C, A):
    C.copy_(torch.tril(torch.addmm(C, A, A.T, beta=beta, alpha=alpha)) + torch.triu(C, 1))


def jax_impl(jnp, alpha, beta, C, A):
    return {"C": jnp.tril(alpha * (A @ A.T) + beta * C) + jnp.triu(C, 1)}
