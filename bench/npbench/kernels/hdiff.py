"""NPBench hdiff (weather stencil): out_field = in - coeff (flx[i+1] - flx[i] + fly[j+1] - fly[j]), fluxes limited against the gradient of in, from the 5-point Laplacian.

One collapsed prange over (i, j, k) (k innermost, contiguous): each point recomputes the
five Laplacians and four limited fluxes it needs instead of storing lap/flx/fly fields
(NumPy's temporaries), one kernel, reading in_field and coeff and writing out_field once.
The operations keep NumPy's order of evaluation."""
import numpy as np
import appy


# appy: export hdiff_kernel(float64[:, :, :], float64[:, :, :], float64[:, :, :])
@appy.jit
def hdiff_kernel(in_field, out_field, coeff):
    I, J, K = out_field.shape[0], out_field.shape[1], out_field.shape[2]
    for i in appy.prange(I):
        for j in appy.prange(J):
            for k in appy.prange(K):
                # lap_field[a, b] is centred on in_field[a + 1, b + 1]; this point needs
                # lap_field[i + 1, j + 1] and its four neighbours
                lc = 4.0 * in_field[i + 2, j + 2, k] - (
                    in_field[i + 3, j + 2, k] + in_field[i + 1, j + 2, k]
                    + in_field[i + 2, j + 3, k] + in_field[i + 2, j + 1, k])
                lxp = 4.0 * in_field[i + 3, j + 2, k] - (
                    in_field[i + 4, j + 2, k] + in_field[i + 2, j + 2, k]
                    + in_field[i + 3, j + 3, k] + in_field[i + 3, j + 1, k])
                lxm = 4.0 * in_field[i + 1, j + 2, k] - (
                    in_field[i + 2, j + 2, k] + in_field[i, j + 2, k]
                    + in_field[i + 1, j + 3, k] + in_field[i + 1, j + 1, k])
                lyp = 4.0 * in_field[i + 2, j + 3, k] - (
                    in_field[i + 3, j + 3, k] + in_field[i + 1, j + 3, k]
                    + in_field[i + 2, j + 4, k] + in_field[i + 2, j + 2, k])
                lym = 4.0 * in_field[i + 2, j + 1, k] - (
                    in_field[i + 3, j + 1, k] + in_field[i + 1, j + 1, k]
                    + in_field[i + 2, j + 2, k] + in_field[i + 2, j, k])
                # flx_field[i + 1, j] and flx_field[i, j]
                r = lxp - lc
                fx1 = 0.0 if r * (in_field[i + 3, j + 2, k] - in_field[i + 2, j + 2, k]) > 0.0 else r
                r = lc - lxm
                fx0 = 0.0 if r * (in_field[i + 2, j + 2, k] - in_field[i + 1, j + 2, k]) > 0.0 else r
                # fly_field[i, j + 1] and fly_field[i, j]
                r = lyp - lc
                fy1 = 0.0 if r * (in_field[i + 2, j + 3, k] - in_field[i + 2, j + 2, k]) > 0.0 else r
                r = lc - lym
                fy0 = 0.0 if r * (in_field[i + 2, j + 2, k] - in_field[i + 2, j + 1, k]) > 0.0 else r
                out_field[i, j, k] = in_field[i + 2, j + 2, k] - coeff[i, j, k] * (
                    fx1 - fx0 + fy1 - fy0)


def hdiff(in_field, out_field, coeff):
    hdiff_kernel(in_field, out_field, coeff)
