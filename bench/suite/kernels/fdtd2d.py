"""PolyBench fdtd-2d: steps of the 2-D Yee scheme updating the fields ey, ex, then hz (float64). Least traffic: the three sweeps of a step read 2, 2 and 4 arrays and write one each (80 nx ny steps bytes); 11 nx ny steps flops.
Time step t first sets ey's row 0 to fict[t]; the number of steps is fict's length. Each
sweep is a collapsed parallel loop nest launched from the host time loop."""
import numpy as np
import appy

SIZES = {"full": {"nx": 2000, "ny": 2600, "steps": 16}, "small": {"nx": 37, "ny": 53, "steps": 6}}
KERNEL = "fdtd2d"
OUTPUTS = ("ex", "ey", "hz")
RTOL = 1e-8


def make(rng, nx, ny, steps):
    return {"ex": rng.random((nx, ny)), "ey": rng.random((nx, ny)), "hz": rng.random((nx, ny)),
            "fict": rng.random(steps)}


def traffic(nx, ny, steps):
    return 80 * nx * ny * steps, 11 * nx * ny * steps


@appy.jit
def fdtd2d(ex, ey, hz, fict):
    nx, ny = ex.shape[0], ex.shape[1]
    for t in range(fict.shape[0]):
        for j in appy.prange(ny):
            ey[0, j] = fict[t]
        for i in appy.prange(1, nx):
            for j in appy.prange(ny):
                ey[i, j] -= 0.5 * (hz[i, j] - hz[i - 1, j])
        for i in appy.prange(nx):
            for j in appy.prange(1, ny):
                ex[i, j] -= 0.5 * (hz[i, j] - hz[i, j - 1])
        for i in appy.prange(nx - 1):
            for j in appy.prange(ny - 1):
                hz[i, j] -= 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


def numpy_impl(xp, ex, ey, hz, fict):
    for t in range(fict.shape[0]):
        ey[0, :] = fict[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


def torch_impl(torch, ex, ey, hz, fict):
    for t in range(fict.shape[0]):
        ey[0, :] = fict[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


def jax_impl(jnp, ex, ey, hz, fict):
    import jax

    def step(t, fields):
        ex, ey, hz = fields
        ey = ey.at[0, :].set(fict[t])
        ey = ey.at[1:, :].set(ey[1:, :] - 0.5 * (hz[1:, :] - hz[:-1, :]))
        ex = ex.at[:, 1:].set(ex[:, 1:] - 0.5 * (hz[:, 1:] - hz[:, :-1]))
        hz = hz.at[:-1, :-1].set(
            hz[:-1, :-1] - 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1]))
        return ex, ey, hz
    ex, ey, hz = jax.lax.fori_loop(0, fict.shape[0], step, (ex, ey, hz))
    return {"ex": ex, "ey": ey, "hz": hz}
