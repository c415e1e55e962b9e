/* tune_simd.c: what OpenMP's `simd` clause does on the GPU in the forms appy-translate
 * generates, with and without it, for gcc-12 (-foffload=nvptx-none: an OpenMP thread is a
 * warp and `simd` spreads a loop over the warp's lanes) and clang-19 (libomptarget: every
 * lane is a thread already). It backs translator/plan.c's plan_simd: keep the user's `simd`
 * on both compilers, and with gcc add it to every safe parallel loop. Float64, data mapped
 * once with `target enter data` (the kernels' map clauses find the arrays present).
 * Kernels, each as `parallel for` and as `parallel for simd`:
 *   vadd      c = a + b, 2^26 elements: target teams distribute parallel for [simd]
 *   sweep2d   5-point sweep of 2048 x 2048, the same form with collapse(2), back and
 *             forth between two arrays
 *   matvec    y[i] = sum_j A[i,j] * x[j] in group mode: target teams distribute over rows,
 *             and in each row `parallel for [simd] reduction(+: s)`; 8192 x 8192, and with
 *             short rows (little work per team): 8192 x 256 and 262144 x 256
 * Prints per variant the median of 11 timed runs of 20 launches, per launch, and the
 * largest relative error of the result (after the timed runs) against a host reference;
 * a wrong result prints an ERROR line and the program exits 1.
 *
 * Build (here) and run (on the GPU machine, from the repository root):
 *   gcc-12 -O3 -fopenmp -foffload=nvptx-none -fcf-protection=none \
 *     -foffload-options=-misa=sm_80 -Wall -Wl,-z,notext bench/tune_simd.c -lm -ldl -o tune_simd_gcc
 *   clang-19 -O3 -fopenmp --offload-arch=sm_90 -fopenmp-target-jit -Iinclude -Wall \
 *     -Wl,-rpath,/usr/lib/llvm-19/lib bench/tune_simd.c -lm -ldl -o tune_simd_clang
 *   (source .gpu/on-device.sh gcc && ./tune_simd_gcc)
 *   (source .gpu/on-device.sh && ./tune_simd_clang)     (BLOCK=1: keep LLVM's blocking wait)
 * (-Wl,-z,notext: gcc-12's offload table needs text relocations, as in translator/main.c.
 * clang's device link still says "loop not vectorized" for each simd loop: the NVPTX back
 * end has no vectors to force, which the generated modules' simd loops meet as well.)
 * An optional argument scales the sizes (element counts) down, e.g. to check the results
 * on a machine without a GPU: OMP_TARGET_OFFLOAD=DISABLED ./tune_simd_gcc 0.01 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune.h"
#ifdef __clang__   /* clang cannot vectorize the host fallback of the simd loops and says so */
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

#define REPS 20   /* launches per timed run */
#define TOL 1e-10 /* largest relative error accepted (vadd and sweep2d should be exact) */
static int bad;   /* a result was wrong */
#define TIME(name, bytes, check, ...) do { double t[RUNS]; \
  for (int r = -1; r < RUNS; r++) { double t0 = omp_get_wtime(); for (int rep = 0; rep < REPS; rep++) { __VA_ARGS__ } double t1 = omp_get_wtime(); if (r >= 0) t[r] = (t1 - t0) / REPS; } \
  qsort(t, RUNS, sizeof *t, cmp); double err = check; \
  printf("%-40s %9.2f us %6.2f TB/s  err %.1e\n", name, t[RUNS/2]*1e6, (bytes)/t[RUNS/2]/1e12, err); \
  if (!(err <= TOL)) { printf("ERROR: %s: wrong result (relative error %.3e)\n", name, err); bad = 1; } \
  fflush(stdout); } while (0)

/* ---- the kernels, in the generated forms; SIMD is empty or `simd` ---- */
#define VADD(fn, SIMD) \
static void fn(const double *a, const double *b, double *c, int64_t n) { \
  PRAGMA(omp target teams distribute parallel for SIMD map(to: a[0:n], b[0:n]) map(tofrom: c[0:n])) \
  for (int64_t k = 0; k < n; k++) c[k] = a[k] + b[k]; \
}
VADD(vadd_for, )
VADD(vadd_simd, simd)

#define S2(S, D, i, j) D[(i) * ny + (j)] = 0.2 * (S[(i) * ny + (j)] + S[(i) * ny + (j) - 1] + S[(i) * ny + (j) + 1] + S[((i) + 1) * ny + (j)] + S[((i) - 1) * ny + (j)])
#define SWEEP2(fn, SIMD) \
static void fn(const double *S, double *D, int64_t nx, int64_t ny) { \
  PRAGMA(omp target teams distribute parallel for SIMD collapse(2) map(to: S[0:nx * ny]) map(tofrom: D[0:nx * ny])) \
  for (int64_t i = 1; i < nx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) S2(S, D, i, j); \
}
SWEEP2(sweep_for, )
SWEEP2(sweep_simd, simd)

#define MATVEC(fn, SIMD) \
static void fn(const double *A, const double *x, double *y, int64_t rows, int64_t cols) { \
  PRAGMA(omp target teams distribute map(to: A[0:rows * cols], x[0:cols]) map(tofrom: y[0:rows])) \
  for (int64_t i = 0; i < rows; i++) { \
    double s = 0; \
    PRAGMA(omp parallel for SIMD if(!omp_is_initial_device()) reduction(+: s)) \
    for (int64_t j = 0; j < cols; j++) s = s + A[i * cols + j] * x[j]; \
    y[i] = s; \
  } \
}
MATVEC(matvec_for, )
MATVEC(matvec_simd, simd)

/* ---- data: host copies, moving them to and from the device, checking ---- */
static double *a, *b, *c;   /* mapped once, nmax elements each */
static void init(int64_t n) { for (int64_t k = 0; k < n; k++) { a[k] = (double)(k % 1000) / 1000.0; b[k] = (double)(k % 777) / 777.0; c[k] = 0; } }
static void put(double *p, int64_t n) {
  #pragma omp target update to(p[0:n])
}
static void get(double *p, int64_t n) {
  #pragma omp target update from(p[0:n])
}
/* largest relative error of got against want (an error, not a NaN, when a value is NaN) */
static double relerr(const double *got, const double *want, int64_t n) {
  double e = 0;
  for (int64_t k = 0; k < n; k++) {
    double d = fabs(got[k] - want[k]) / fmax(fabs(want[k]), 1.0);
    if (isnan(d)) return INFINITY;
    if (d > e) e = d;
  }
  return e;
}
static int64_t scaled(double base, double f, int64_t least) { int64_t v = llround(base * f); return v < least ? least : v; }

/* vadd: fresh inputs and c = 0 on the device, time, check c */
static double *ref;
static double vadd_err(int64_t n) { get(c, n); for (int64_t k = 0; k < n; k++) ref[k] = a[k] + b[k]; return relerr(c, ref, n); }
/* sweep2d: both arrays after the timed sweeps against the host's (ra, rb) */
static double *ra, *rb;
static double sweep_err(int64_t n) { get(a, n); get(b, n); return fmax(relerr(a, ra, n), relerr(b, rb, n)); }
/* matvec: y against the host's row sums */
static double matvec_err(int64_t rows) { get(c, rows); return relerr(c, ref, rows); }

int main(int argc, char **argv) {
  double f = argc > 1 ? atof(argv[1]) : 1.0;
  if (!(f > 0)) { fprintf(stderr, "usage: %s [scale > 0, default 1]\n", argv[0]); return 2; }
#ifdef __clang__
  reg();
  const char *cc = "clang-19";
#else
  (void)reg; (void)spin;
  const char *cc = "gcc-12";
#endif
  const int64_t nv = scaled(1 << 26, f, 1024);
  const int64_t nx = scaled(2048, sqrt(f), 8), ny = nx, n2 = nx * ny;
  const int64_t mr = scaled(8192, sqrt(f), 8), mc = mr;          /* matvec, long rows */
  const int64_t sr1 = scaled(8192, f, 8), sr2 = scaled(262144, f, 8), sc = 256;   /* short rows */
  int64_t nmax = nv;
  if (n2 > nmax) nmax = n2;
  if (mr * mc > nmax) nmax = mr * mc;
  if (sr2 * sc > nmax) nmax = sr2 * sc;
  if (sr1 * sc > nmax) nmax = sr1 * sc;
  a = malloc(sizeof(double) * nmax); b = malloc(sizeof(double) * nmax); c = malloc(sizeof(double) * nmax);
  ref = malloc(sizeof(double) * nmax); ra = malloc(sizeof(double) * n2); rb = malloc(sizeof(double) * n2);
  if (!a || !b || !c || !ref || !ra || !rb) { fprintf(stderr, "out of memory\n"); return 2; }
  init(nmax);
  #pragma omp target enter data map(to: a[0:nmax], b[0:nmax], c[0:nmax])
  int host = 1;
  #pragma omp target map(from: host)
  host = omp_is_initial_device();
#ifdef __clang__
  if (!getenv("BLOCK"))   /* BLOCK=1: LLVM's blocking wait */
    spin();
#endif
  printf("tune_simd, %s: scale %g, %d device(s), kernels run on the %s; %d x %d launches per variant\n",
         cc, f, omp_get_num_devices(), host ? "HOST" : "device", RUNS + 1, REPS);

  /* ---- vector add ---- */
  const double vb = 24.0 * nv;
  init(nv); put(a, nv); put(b, nv); put(c, nv);
  TIME("vadd, parallel for", vb, vadd_err(nv), vadd_for(a, b, c, nv););
  init(nv); put(a, nv); put(b, nv); put(c, nv);
  TIME("vadd, parallel for simd", vb, vadd_err(nv), vadd_simd(a, b, c, nv););

  /* ---- 2-D 5-point sweep, back and forth: the host's result after as many sweeps ---- */
  const double sb2 = 16.0 * (nx - 2) * (ny - 2);
  init(n2); memcpy(ra, a, sizeof(double) * n2); memcpy(rb, b, sizeof(double) * n2);
  for (int s = 0; s < (RUNS + 1) * REPS; s++) {
    const double *S = s % 2 ? rb : ra; double *D = s % 2 ? ra : rb;
    for (int64_t i = 1; i < nx - 1; i++) for (int64_t j = 1; j < ny - 1; j++) S2(S, D, i, j);
  }
  int flip;
#define FLIP(fn) { const double *S = flip ? b : a; double *D = flip ? a : b; flip ^= 1; fn(S, D, nx, ny); }
  init(n2); put(a, n2); put(b, n2); flip = 0;
  TIME("sweep2d, parallel for collapse(2)", sb2, sweep_err(n2), FLIP(sweep_for));
  init(n2); put(a, n2); put(b, n2); flip = 0;
  TIME("sweep2d, parallel for simd collapse(2)", sb2, sweep_err(n2), FLIP(sweep_simd));

  /* ---- group mode: row sums A x, long rows then short ones ---- */
  const struct { int64_t rows, cols; } mv[] = {{mr, mc}, {sr1, sc}, {sr2, sc}};
  for (int m = 0; m < 3; m++) {
    const int64_t rows = mv[m].rows, cols = mv[m].cols;
    const double mb = 8.0 * (rows * cols + cols + rows);
    char n1[64], n2s[64];
    snprintf(n1, sizeof n1, "matvec %ldx%ld, parallel for", (long)rows, (long)cols);
    snprintf(n2s, sizeof n2s, "matvec %ldx%ld, parallel for simd", (long)rows, (long)cols);
    init(rows * cols);
    for (int64_t i = 0; i < rows; i++) { double s = 0; for (int64_t j = 0; j < cols; j++) s += a[i * cols + j] * b[j]; ref[i] = s; }
    put(a, rows * cols); put(b, cols); put(c, rows);
    TIME(n1, mb, matvec_err(rows), matvec_for(a, b, c, rows, cols););
    memset(c, 0, sizeof(double) * rows); put(c, rows);
    TIME(n2s, mb, matvec_err(rows), matvec_simd(a, b, c, rows, cols););
  }

  #pragma omp target exit data map(delete: a[0:nmax], b[0:nmax], c[0:nmax])
  free(a); free(b); free(c); free(ref); free(ra); free(rb);
  if (bad) printf("ERROR: some results were wrong\n");
  return bad;
}
