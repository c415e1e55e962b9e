/* tune_loop.c: ways to launch a plain parallel loop (no reduction, no groups) on the GPU
 * with OpenMP, float64, data mapped once: the form appy-translate generates for a prange
 * loop (`target teams distribute parallel for`, collapsed for nested pranges, with map
 * clauses of arrays already present), the same with device addresses instead of map
 * clauses, and LLVM `ompx_bare` kernels (CUDA launch geometry: one element per thread, or
 * a grid-stride loop). Kernels: an empty loop (the cost of a launch), a vector add, a 2-D
 * 5-point sweep (jacobi2d's) and a 3-D 7-point sweep (heat3d's), each sweep run back and
 * forth between two arrays. Prints the median of 11 timed runs per variant, per launch.
 *
 * Build (here) and run (on the GPU machine, after `source .gpu/on-device.sh`):
 *   clang-19 -O3 -fopenmp --offload-arch=sm_90 -fopenmp-target-jit -Iinclude \
 *     -Wl,-rpath,/usr/lib/llvm-19/lib bench/tune_loop.c -lm -ldl -o tune_loop
 *   ./tune_loop      (BLOCK=1: keep LLVM's blocking wait for the kernel's end) */
#include <math.h>
#include <omp.h>
#include <ompx.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune.h"

#define REPS 20   /* launches per timed run */
#define TIME(name, bytes, ...) do { double t[RUNS]; \
  for (int r = -1; r < RUNS; r++) { double t0 = omp_get_wtime(); for (int rep = 0; rep < REPS; rep++) { __VA_ARGS__ } double t1 = omp_get_wtime(); if (r >= 0) t[r] = (t1 - t0) / REPS; } \
  qsort(t, RUNS, sizeof *t, cmp); \
  printf("%-40s %9.2f us %6.2f TB/s\n", name, t[RUNS/2]*1e6, (bytes)/t[RUNS/2]/1e12); fflush(stdout); } while (0)

#define T 256
static int64_t blocks(int64_t n, int64_t cap) { int64_t b = (n + T - 1) / T; return b > cap ? cap : b < 1 ? 1 : b; }

/* one sweep of each kernel, SRC -> DST, in each form */
#define S2(S, D, i, j) D[(i) * ny + (j)] = 0.2 * (S[(i) * ny + (j)] + S[(i) * ny + (j) - 1] + S[(i) * ny + (j) + 1] + S[((i) + 1) * ny + (j)] + S[((i) - 1) * ny + (j)])
#define S3(S, D, i, j, k) D[((i) * ny + (j)) * nz + (k)] = S[((i) * ny + (j)) * nz + (k)] + 0.125 * ( \
    S[(((i) + 1) * ny + (j)) * nz + (k)] - 2.0 * S[((i) * ny + (j)) * nz + (k)] + S[(((i) - 1) * ny + (j)) * nz + (k)] + \
    S[((i) * ny + (j) + 1) * nz + (k)] - 2.0 * S[((i) * ny + (j)) * nz + (k)] + S[((i) * ny + (j) - 1) * nz + (k)] + \
    S[((i) * ny + (j)) * nz + (k) + 1] - 2.0 * S[((i) * ny + (j)) * nz + (k)] + S[((i) * ny + (j)) * nz + (k) - 1])

int main(void) {
  reg();
  const int64_t nv = 1L << 26, nx = 2048, ny = 2048;
  const int64_t hx = 152, hy = 160, hz = 168;
  const int64_t n2 = nx * ny, n3 = hx * hy * hz, nmax = nv;
  double *a = malloc(sizeof(double) * nmax), *b = malloc(sizeof(double) * nmax), *c = malloc(sizeof(double) * nmax);
  for (int64_t k = 0; k < nmax; k++) { a[k] = (double)(k % 1000) / 1000.0; b[k] = (double)(k % 777) / 777.0; c[k] = 0; }
  #pragma omp target enter data map(to: a[0:nmax], b[0:nmax], c[0:nmax])
  double *da = omp_get_mapped_ptr(a, omp_get_default_device());
  double *db = omp_get_mapped_ptr(b, omp_get_default_device());
  double *dc = omp_get_mapped_ptr(c, omp_get_default_device());
  if (!getenv("BLOCK"))   /* BLOCK=1: LLVM's blocking wait */
    spin();

  /* ---- empty launches ---- */
  TIME("empty, generic, map(present x3)", 0,
    PRAGMA(omp target teams distribute parallel for map(to: a[0:nmax], b[0:nmax]) map(tofrom: c[0:nmax]))
    for (int64_t k = 0; k < 1; k++) c[k] = c[k];);
  TIME("empty, generic, is_device_ptr", 0,
    PRAGMA(omp target teams distribute parallel for is_device_ptr(dc))
    for (int64_t k = 0; k < 1; k++) dc[k] = dc[k];);
  TIME("empty, bare, is_device_ptr", 0,
    PRAGMA(omp target teams ompx_bare num_teams(1) thread_limit(T) is_device_ptr(dc))
    { if (ompx_thread_id_x() == 0) dc[0] = dc[0]; });
  TIME("empty, bare, map(present x3)", 0,
    PRAGMA(omp target teams ompx_bare num_teams(1) thread_limit(T) map(to: a[0:nmax], b[0:nmax]) map(tofrom: c[0:nmax]))
    { if (ompx_thread_id_x() == 0) c[0] = c[0]; });

  /* ---- vector add ---- */
  const double vb = 24.0 * nv;
  TIME("vadd, generic, map", vb,
    PRAGMA(omp target teams distribute parallel for map(to: a[0:nv], b[0:nv]) map(tofrom: c[0:nv]))
    for (int64_t k = 0; k < nv; k++) c[k] = a[k] + b[k];);
  TIME("vadd, generic, is_device_ptr", vb,
    PRAGMA(omp target teams distribute parallel for is_device_ptr(da, db, dc))
    for (int64_t k = 0; k < nv; k++) dc[k] = da[k] + db[k];);
  TIME("vadd, bare, one per thread", vb,
    PRAGMA(omp target teams ompx_bare num_teams(blocks(nv, 1L << 31)) thread_limit(T) is_device_ptr(da, db, dc))
    { int64_t k = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x(); if (k < nv) dc[k] = da[k] + db[k]; });
  TIME("vadd, bare, grid stride 1024x", vb,
    PRAGMA(omp target teams ompx_bare num_teams(blocks(nv, 132 * 8)) thread_limit(T) is_device_ptr(da, db, dc))
    { for (int64_t k = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x(); k < nv; k += (int64_t)ompx_grid_dim_x() * T) dc[k] = da[k] + db[k]; });

  /* ---- 2-D 5-point sweep, interior of nx x ny, back and forth ---- */
  const double sb2 = 16.0 * (nx - 2) * (ny - 2);
  int flip = 0;
#define SWAP2(...) { double *S = flip ? b : a, *D = flip ? a : b; double *dS = flip ? db : da, *dD = flip ? da : db; (void)S; (void)D; (void)dS; (void)dD; flip ^= 1; __VA_ARGS__ }
  TIME("sweep2d, generic collapse(2), map", sb2, SWAP2(
    PRAGMA(omp target teams distribute parallel for collapse(2) map(to: S[0:n2]) map(tofrom: D[0:n2]))
    for (int64_t i = 1; i < nx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) S2(S, D, i, j);));
  TIME("sweep2d, generic collapse(2), is_device_ptr", sb2, SWAP2(
    PRAGMA(omp target teams distribute parallel for collapse(2) is_device_ptr(dS, dD))
    for (int64_t i = 1; i < nx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) S2(dS, dD, i, j);));
  TIME("sweep2d, bare flat, one per thread", sb2, SWAP2(
    const int64_t m = ny - 2, n = (nx - 2) * m;
    PRAGMA(omp target teams ompx_bare num_teams(blocks(n, 1L << 31)) thread_limit(T) is_device_ptr(dS, dD))
    { int64_t k = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x(); if (k < n) { int64_t i = 1 + k / m, j = 1 + k % m; S2(dS, dD, i, j); } }));
  TIME("sweep2d, bare flat, grid stride", sb2, SWAP2(
    const int64_t m = ny - 2, n = (nx - 2) * m;
    PRAGMA(omp target teams ompx_bare num_teams(blocks(n, 132 * 8)) thread_limit(T) is_device_ptr(dS, dD))
    { for (int64_t k = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x(); k < n; k += (int64_t)ompx_grid_dim_x() * T) { int64_t i = 1 + k / m, j = 1 + k % m; S2(dS, dD, i, j); } }));
  TIME("sweep2d, bare row blocks", sb2, SWAP2(
    const int64_t m = ny - 2, per = (m + T - 1) / T, n = (nx - 2) * per;
    PRAGMA(omp target teams ompx_bare num_teams(n) thread_limit(T) is_device_ptr(dS, dD))
    { int64_t bi = ompx_block_id_x(); int64_t i = 1 + bi / per, j = 1 + (bi % per) * T + ompx_thread_id_x(); if (j < ny - 1) S2(dS, dD, i, j); }));

  /* ---- 3-D 7-point sweep, interior of hx x hy x hz ---- */
  const double sb3 = 16.0 * (hx - 2) * (hy - 2) * (hz - 2);
  { const int64_t ny = hy, nz = hz;
#define SWAP3(...) { double *S = flip ? b : a, *D = flip ? a : b; double *dS = flip ? db : da, *dD = flip ? da : db; (void)S; (void)D; (void)dS; (void)dD; flip ^= 1; __VA_ARGS__ }
  TIME("sweep3d, generic collapse(3), map", sb3, SWAP3(
    PRAGMA(omp target teams distribute parallel for collapse(3) map(to: S[0:n3]) map(tofrom: D[0:n3]))
    for (int64_t i = 1; i < hx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) for (int64_t k = 1; k < nz - 1; k++) S3(S, D, i, j, k);));
  TIME("sweep3d, generic collapse(3), is_device_ptr", sb3, SWAP3(
    PRAGMA(omp target teams distribute parallel for collapse(3) is_device_ptr(dS, dD))
    for (int64_t i = 1; i < hx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) for (int64_t k = 1; k < nz - 1; k++) S3(dS, dD, i, j, k);));
  TIME("sweep3d, bare flat, one per thread", sb3, SWAP3(
    const int64_t mz = nz - 2, my = ny - 2, n = (hx - 2) * my * mz;
    PRAGMA(omp target teams ompx_bare num_teams(blocks(n, 1L << 31)) thread_limit(T) is_device_ptr(dS, dD))
    { int64_t q = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x(); if (q < n) { int64_t k = 1 + q % mz, r = q / mz, j = 1 + r % my, i = 1 + r / my; S3(dS, dD, i, j, k); } }));
  TIME("sweep3d, bare row blocks", sb3, SWAP3(
    const int64_t mz = nz - 2, per = (mz + T - 1) / T, n = (hx - 2) * (ny - 2) * per;
    PRAGMA(omp target teams ompx_bare num_teams(n) thread_limit(T) is_device_ptr(dS, dD))
    { int64_t bi = ompx_block_id_x(); int64_t r = bi / per, k = 1 + (bi % per) * T + ompx_thread_id_x(), j = 1 + r % (ny - 2), i = 1 + r / (ny - 2); if (k < nz - 1) S3(dS, dD, i, j, k); }));
  (void)n3; }
  #pragma omp target exit data map(delete: a[0:nmax], b[0:nmax], c[0:nmax])
  free(a); free(b); free(c);
  return 0;
}
