"""Mandelbrot set escape-time counts on a width x height grid over [-2, 1] x [-1.5, 1.5], max_iter iterations of z = z^2 + c (float64, int64 counts). Least traffic: read the grid coordinates, write the counts (8 (width + height) + 8 width height bytes); 7 flops per iteration of a point, up to max_iter iterations (about 38 on average for the full size)."""
import numpy as np
import appy

# full: 1024 x 1024, not 4096 x 4096: NumPy's masked iteration over the whole grid costs
# max_iter passes over it (about 3 s here at 1024^2, 40 s at 2048^2, minutes at 4096^2).
SIZES = {"full": {"width": 1024, "height": 1024, "max_iter": 200},
         "small": {"width": 130, "height": 97, "max_iter": 60}}
KERNEL = "mandelbrot"
OUTPUTS = ("counts",)
NO_TORCH_COMPILE = ("its Python loop (max_iter = 200 iterations) would be unrolled into one graph; "
                    "fdtd2d's 16 steps already take 35 s to compile")


def make(rng, width, height, max_iter):
    # a regular grid; rng is not needed (the jitter-free grid is the usual benchmark)
    return {"xs": np.linspace(-2.0, 1.0, width), "ys": np.linspace(-1.5, 1.5, height),
            "max_iter": max_iter, "counts": np.zeros((height, width), dtype=np.int64)}


def traffic(width, height, max_iter):
    return 8 * (width + height) + 8 * width * height, 7 * 38 * width * height


# appy: export mandelbrot(float64[:], float64[:], int64, int64[:, :])
@appy.jit
def mandelbrot(xs, ys, max_iter, counts):
    for i in appy.prange(ys.shape[0]):
        for j in appy.prange(xs.shape[0]):
            cr = xs[j]
            ci = ys[i]
            zr = 0.0
            zi = 0.0
            zr2 = 0.0
            zi2 = 0.0
            k = 0
            while k < max_iter and zr2 + zi2 <= 4.0:
                zrzi = zr * zi          # separate statements: no fused multiply-add, the
                zi = zrzi + zrzi + ci   # rounding of NumPy's separate operations
                zr = zr2 - zi2 + cr
                zr2 = zr * zr
                zi2 = zi * zi
                k += 1
            counts[i, j] = k


def numpy_impl(xp, xs, ys, max_iter, counts):
    cr, ci = xs[None, :], ys[:, None]
    zr, zi = xp.zeros(counts.shape), xp.zeros(counts.shape)
    zr2, zi2 = xp.zeros(counts.shape), xp.zeros(counts.shape)
    n = xp.zeros(counts.shape, dtype=xp.int64)
    for _ in range(int(max_iter)):              # CuPy gets max_iter as a 0-d array
        active = zr2 + zi2 <= 4.0
        n += active
        zrzi = zr * zi
        zi = xp.where(active, zrzi + zrzi + ci, zi)
        zr = xp.where(active, zr2 - zi2 + cr, zr)
        zr2 = zr * zr
        zi2 = zi * zi
    counts[...] = n


def torch_impl(torch, xs, ys, max_iter, counts):
    cr, ci = xs[None, :], ys[:, None]
    zr, zi = torch.zeros_like(counts, dtype=xs.dtype), torch.zeros_like(counts, dtype=xs.dtype)
    zr2, zi2 = torch.zeros_like(zr), torch.zeros_like(zr)
    n = torch.zeros_like(counts)
    for _ in range(max_iter):
        active = zr2 + zi2 <= 4.0
        n += active
        zrzi = zr * zi
        zi = torch.where(active, zrzi + zrzi + ci, zi)
        zr = torch.where(active, zr2 - zi2 + cr, zr)
        zr2 = zr * zr
        zi2 = zi * zi
    counts.copy_(n)


def jax_impl(jnp, xs, ys, max_iter, counts):
    import jax
    cr, ci = xs[None, :], ys[:, None]

    def step(_, state):
        zr, zi, zr2, zi2, n = state
        active = zr2 + zi2 <= 4.0
        zrzi = zr * zi
        zi = jnp.where(active, zrzi + zrzi + ci, zi)
        zr = jnp.where(active, zr2 - zi2 + cr, zr)
        return zr, zi, zr * zr, zi * zi, n + active

    z = jnp.zeros(counts.shape)
    n = jax.lax.fori_loop(0, max_iter, step, (z, z, z, z, jnp.zeros(counts.shape, jnp.int64)))[4]
    return {"counts": n}
