/* tune_dense.c: ways to run a dense collapsed (i, j) nest with a sequential k loop (the
 * form of the suite's symm, syrk and trmm: C[i, j] = beta C[i, j] + alpha sum_k
 * A[i, k] AT[k, j]) as an OpenMP bare kernel, float64: one element per thread (what
 * appy-translate generates for a plain collapsed prange), each thread a register tile of
 * RI x RJ elements with the k loops jammed (loads shared by the tile's elements through
 * the cache), and the same with the block's panels of A and AT staged in shared memory.
 * Prints the median of 11 timed runs per variant and TFLOP/s, and checks each result
 * against the first. On an H100 (2026-11-26): one element per thread 12.3 ms (2.2 TFLOP/s),
 * register tiles 2x2 ... 8x8 5.4-8.7 ms (best 8x4), staged 4x4 2.82 ms, 8x4 2.67 ms
 * (10.1 TFLOP/s), 8x8 3.98 ms; as LLVM's JIT compiles them, the staged 4x4 kernel takes
 * 64 registers and the 8x4 one 124 (docs/performance.md).
 *
 * Build (here) and run (on the GPU machine, after `source .gpu/on-device.sh`):
 *   clang-19 -O3 -fopenmp --offload-arch=sm_90 -fopenmp-target-jit -Iinclude \
 *     -Wl,-rpath,/usr/lib/llvm-19/lib bench/tune_dense.c -lm -ldl -o tune_dense
 *   ./tune_dense */
#include <math.h>
#include <omp.h>
#include <ompx.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune.h"

#define T 256
static const int64_t n = 2600, m = 2000;
static const double alpha = 1.5, beta = 1.2;
static double *ref;

#define TIME(name, ...) do { double t[RUNS]; \
  for (int r = -1; r < RUNS; r++) { \
    memcpy(c, c0, sizeof(double) * n * n); \
    PRAGMA(omp target update to(c[0:n * n])) \
    double t0 = omp_get_wtime(); { __VA_ARGS__ } double t1 = omp_get_wtime(); if (r >= 0) t[r] = t1 - t0; } \
  qsort(t, RUNS, sizeof *t, cmp); \
  printf("%-44s %8.3f ms %6.2f TFLOP/s\n", name, t[RUNS/2]*1e3, 2.0 * n * n * m / t[RUNS/2] / 1e12); fflush(stdout); \
  if (!ref) { ref = malloc(sizeof(double) * n * n); PRAGMA(omp target update from(c[0:n * n])) memcpy(ref, c, sizeof(double) * n * n); } \
  else { PRAGMA(omp target update from(c[0:n * n])) double err = 0; \
    for (int64_t q = 0; q < n * n; q++) err = fmax(err, fabs(c[q] - ref[q]) / (1 + fabs(ref[q]))); \
    if (err > 1e-12) printf("  max rel error %g\n", err); } } while (0)

static void one(double *dA, double *dAT, double *dC) {
  const int64_t N = n * n;
  #pragma omp target teams ompx_bare num_teams((N + T - 1) / T) thread_limit(T) is_device_ptr(dA, dAT, dC)
  {
    int64_t q = (int64_t)ompx_block_id_x() * T + ompx_thread_id_x();
    if (q < N) {
      int64_t i = q / n, j = q % n;
      double s = 0.0;
      for (int64_t k = 0; k < m; k++)
        s += dA[i * m + k] * dAT[k * n + j];
      dC[i * n + j] = beta * dC[i * n + j] + alpha * s;
    }
  }
}

/* register tile RI x RJ per thread, 16 x 16 threads: rows i = ib + ty + 16 ii (STRIDED)
 * or ib + RI ty + ii, columns j = jb + tx + 16 jj */
#define TILED(NAME, RI, RJ, STRIDED) \
static void NAME(double *dA, double *dAT, double *dC) { \
  const int64_t TI = 16 * RI, TJ = 16 * RJ, nbi = (n + TI - 1) / TI, nbj = (n + TJ - 1) / TJ; \
  PRAGMA(omp target teams ompx_bare num_teams(nbi * nbj) thread_limit(T) is_device_ptr(dA, dAT, dC)) \
  { \
    const int64_t b = ompx_block_id_x(), ib = b / nbj * TI, jb = b % nbj * TJ; \
    const int tx = ompx_thread_id_x() % 16, ty = ompx_thread_id_x() / 16; \
    double s[RI * RJ]; \
    int all = 1; \
    _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) { \
      const int64_t i = ib + (STRIDED ? ty + 16 * (u / RJ) : RI * ty + u / RJ), j = jb + tx + 16 * (u % RJ); \
      s[u] = 0.0; all &= i < n && j < n; } \
    if (all) { \
      for (int64_t k = 0; k < m; k++) { \
        _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) { \
          const int64_t i = ib + (STRIDED ? ty + 16 * (u / RJ) : RI * ty + u / RJ), j = jb + tx + 16 * (u % RJ); \
          s[u] = s[u] + dA[i * m + k] * dAT[k * n + j]; } } \
    } else { \
      for (int64_t k = 0; k < m; k++) { \
        _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) { \
          const int64_t i = ib + (STRIDED ? ty + 16 * (u / RJ) : RI * ty + u / RJ), j = jb + tx + 16 * (u % RJ); \
          if (i < n && j < n) s[u] = s[u] + dA[i * m + k] * dAT[k * n + j]; } } \
    } \
    _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) { \
      const int64_t i = ib + (STRIDED ? ty + 16 * (u / RJ) : RI * ty + u / RJ), j = jb + tx + 16 * (u % RJ); \
      if (i < n && j < n) dC[i * n + j] = beta * dC[i * n + j] + alpha * s[u]; } \
  } \
}
TILED(t22s, 2, 2, 1)
TILED(t44s, 4, 4, 1)
TILED(t44c, 4, 4, 0)
TILED(t84s, 8, 4, 1)
TILED(t48s, 4, 8, 1)
TILED(t88s, 8, 8, 1)

/* the same with the block's A rows and AT columns staged in shared memory, KC deep */
#define STAGED(NAME, RI, RJ, KC) \
static void NAME(double *dA, double *dAT, double *dC) { \
  const int64_t TI = 16 * RI, TJ = 16 * RJ, nbi = (n + TI - 1) / TI, nbj = (n + TJ - 1) / TJ; \
  PRAGMA(omp target teams ompx_bare num_teams(nbi * nbj) thread_limit(T) is_device_ptr(dA, dAT, dC)) \
  { \
    static double As[KC][16 * RI], Bs[KC][16 * RJ]; \
    PRAGMA(omp allocate(As, Bs) allocator(omp_pteam_mem_alloc)) \
    const int64_t b = ompx_block_id_x(), ib = b / nbj * TI, jb = b % nbj * TJ; \
    const int t = ompx_thread_id_x(), tx = t % 16, ty = t / 16; \
    double s[RI * RJ]; \
    _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) s[u] = 0.0; \
    for (int64_t k0 = 0; k0 < m; k0 += KC) { \
      for (int e = t; e < KC * 16 * RI; e += T) { int kk = e % KC, r = e / KC; int64_t i = ib + r, k = k0 + kk; \
        As[kk][r] = i < n && k < m ? dA[i * m + k] : 0.0; } \
      for (int e = t; e < KC * 16 * RJ; e += T) { int kk = e / (16 * RJ), cc = e % (16 * RJ); int64_t j = jb + cc, k = k0 + kk; \
        Bs[kk][cc] = j < n && k < m ? dAT[k * n + j] : 0.0; } \
      ompx_sync_block(ompx_acq_rel); \
      _Pragma("unroll") for (int kk = 0; kk < KC; kk++) { \
        double a[RI], bb[RJ]; \
        _Pragma("unroll") for (int ii = 0; ii < RI; ii++) a[ii] = As[kk][ty + 16 * ii]; \
        _Pragma("unroll") for (int jj = 0; jj < RJ; jj++) bb[jj] = Bs[kk][tx + 16 * jj]; \
        _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) s[u] += a[u / RJ] * bb[u % RJ]; } \
      ompx_sync_block(ompx_acq_rel); \
    } \
    _Pragma("unroll") for (int u = 0; u < RI * RJ; u++) { \
      const int64_t i = ib + ty + 16 * (u / RJ), j = jb + tx + 16 * (u % RJ); \
      if (i < n && j < n) dC[i * n + j] = beta * dC[i * n + j] + alpha * s[u]; } \
  } \
}
STAGED(s44, 4, 4, 16)
STAGED(s84, 8, 4, 16)
STAGED(s88, 8, 8, 8)

int main(void) {
  reg();
  double *A = malloc(sizeof(double) * n * m), *AT = malloc(sizeof(double) * n * m);
  double *c = malloc(sizeof(double) * n * n), *c0 = malloc(sizeof(double) * n * n);
  for (int64_t i = 0; i < n; i++)
    for (int64_t k = 0; k < m; k++)
      A[i * m + k] = AT[k * n + i] = (double)((i * 7 + k * 13) % 1000) / 1000.0;
  for (int64_t q = 0; q < n * n; q++) c0[q] = (double)(q % 977) / 977.0;
  #pragma omp target enter data map(to: A[0:n * m], AT[0:n * m], c[0:n * n])
  double *dA = omp_get_mapped_ptr(A, omp_get_default_device());
  double *dAT = omp_get_mapped_ptr(AT, omp_get_default_device());
  double *dC = omp_get_mapped_ptr(c, omp_get_default_device());
  spin();
  TIME("one element per thread", one(dA, dAT, dC););
  TIME("register tile 2x2, rows strided", t22s(dA, dAT, dC););
  TIME("register tile 4x4, rows strided", t44s(dA, dAT, dC););
  TIME("register tile 4x4, rows contiguous", t44c(dA, dAT, dC););
  TIME("register tile 8x4, rows strided", t84s(dA, dAT, dC););
  TIME("register tile 4x8, rows strided", t48s(dA, dAT, dC););
  TIME("register tile 8x8, rows strided", t88s(dA, dAT, dC););
  TIME("staged 4x4, k 16", s44(dA, dAT, dC););
  TIME("staged 8x4, k 16", s84(dA, dAT, dC););
  TIME("staged 8x8, k 8", s88(dA, dAT, dC););
  return 0;
}
