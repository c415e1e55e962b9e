/* tune_group.c: ways to run a row softmax (8192 x 8192) and a CSR SpMV (10^6 rows, 10^7
 * nonzeros) on the GPU with OpenMP, float64, data mapped once: OpenMP teams with nested
 * `parallel for`, LLVM's `ompx_bare` kernels by hand and in the form group mode generates
 * (appy/group.h). Prints the median of 11 timed runs per variant and its error against a
 * host reference. Results: docs/performance.md, 2026-11-26.
 *
 * Build (here) and run (on the GPU machine, after `source .gpu/on-device.sh`):
 *   clang-19 -O3 -fopenmp --offload-arch=sm_90 -fopenmp-target-jit -Iinclude \
 *     -Wl,-rpath,/usr/lib/llvm-19/lib bench/tune_group.c -lm -ldl -o tune_group
 *   ./tune_group [s|p]      (s: softmax only, p: SpMV only; UNIFORM=1: SpMV columns
 *                            uniformly random, else clustered around a random start;
 *                            SWEEP_ONLY_HINTS=1: stop after the load-hint variants;
 *                            SWEEP_PARTS=1: only the generated kernel's parts, taken apart)
 * GPU time without the launch: ncu --metrics gpu__time_duration.sum ./tune_group p */
#include <math.h>
#include <omp.h>
#include <ompx.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <appy/group.h>
#include "tune.h"

#define TIME(name, bytes, check, ...) do { double t[RUNS]; \
  for (int r = -1; r < RUNS; r++) { double t0 = omp_get_wtime(); { __VA_ARGS__ } double t1 = omp_get_wtime(); if (r >= 0) t[r] = t1 - t0; } \
  qsort(t, RUNS, sizeof *t, cmp); double err = check; \
  printf("%-28s %8.3f ms %6.2f TB/s  err %.2e\n", name, t[RUNS/2]*1e3, (bytes)/t[RUNS/2]/1e12, err); fflush(stdout); } while (0)

static double rnd(uint64_t *s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return (*s >> 11) * (1.0 / 9007199254740992.0); }

/* ---------------- softmax ---------------- */
#define R 8192
#define C 8192
static double *A, *out, *ref;
static double sm_err(void) {
  #pragma omp target update from(out[0:R*C])
  double e = 0; for (long k = 0; k < (long)R*C; k += 997) { double d = fabs(out[k]-ref[k])/ref[k]; if (d > e) e = d; }
  memset(out, 0, sizeof(double)*R*C);
  #pragma omp target update to(out[0:R*C])
  return e;
}
#define SM_ONLINE(TL, DIV) \
  PRAGMA(omp target teams distribute thread_limit(TL)) \
  for (int i = 0; i < R; i++) { double bm[256], bs[256]; \
    _Pragma("omp allocate(bm, bs) allocator(omp_pteam_mem_alloc)") \
    _Pragma("omp parallel for") for (int t = 0; t < 256; t++) { double mt = -INFINITY, st = 0; \
      for (int k = t; k < C; k += 256) { double a = A[(long)i*C+k]; if (a > mt) { st = st*exp(mt-a)+1.0; mt = a; } else st += exp(a-mt); } \
      bm[t] = mt; bs[t] = st; } \
    double m = bm[0]; _Pragma("omp parallel for reduction(max: m)") for (int t = 1; t < 256; t++) m = fmax(m, bm[t]); \
    double s = 0; _Pragma("omp parallel for reduction(+: s)") for (int t = 0; t < 256; t++) s += bs[t]*exp(bm[t]-m); \
    double r = 1.0/s; (void)r; \
    _Pragma("omp parallel for") for (int j = 0; j < C; j++) out[(long)i*C+j] = DIV; }


/* generated-style bare group kernels: runtime G (group size), T (block) */
#define BARE_BEGIN(N) { const int64_t appy_n = (N); const int appy_gpb = T / G; \
  int appy_nb = (int)((appy_n + appy_gpb - 1) / appy_gpb); if (appy_nb > 65536) appy_nb = 65536; if (appy_nb < 1) appy_nb = 1; \
  _Pragma("omp target teams ompx_bare num_teams(appy_nb) thread_limit(T)") \
  { static uint64_t appy_red[32]; _Pragma("omp allocate(appy_red) allocator(omp_pteam_mem_alloc)") \
    const int appy_lane = ompx_thread_id_x() % G; \
    for (int64_t appy_it = (int64_t)ompx_block_id_x() * appy_gpb + ompx_thread_id_x() / G; appy_it < appy_n; appy_it += (int64_t)ompx_grid_dim_x() * appy_gpb) {
#define BARE_END } } }
static void sm_bare3(int G, int T) {
  BARE_BEGIN(R)
    int i = appy_it; double m = A[(long)i*C];
    { double p = m; for (int j = appy_lane; j < C; j += G) p = fmax(p, A[(long)i*C+j]); m = appy_group_max_f64(p, G, appy_red); }
    double s = 0;
    { double p = 0; for (int j = appy_lane; j < C; j += G) { double e = exp(A[(long)i*C+j]-m); out[(long)i*C+j] = e; p += e; } s += appy_group_sum_f64(p, G, appy_red); }
    appy_group_sync(G);
    double r = 1.0/s;
    for (int j = appy_lane; j < C; j += G) out[(long)i*C+j] *= r;
    appy_group_sync(G);
  BARE_END
}
static void sm_bare_reread(int G, int T) {
  BARE_BEGIN(R)
    int i = appy_it; double m = A[(long)i*C];
    { double p = m; for (int j = appy_lane; j < C; j += G) p = fmax(p, A[(long)i*C+j]); m = appy_group_max_f64(p, G, appy_red); }
    double s = 0;
    { double p = 0; for (int j = appy_lane; j < C; j += G) p += exp(A[(long)i*C+j]-m); s += appy_group_sum_f64(p, G, appy_red); }
    for (int j = appy_lane; j < C; j += G) out[(long)i*C+j] = exp(A[(long)i*C+j]-m) / s;
    appy_group_sync(G);
  BARE_END
}
static void sm_bare_online(int G, int T) {
  BARE_BEGIN(R)
    int i = appy_it;
    static double bm[256], bs[256];
    _Pragma("omp allocate(bm, bs) allocator(omp_pteam_mem_alloc)")
    for (int t = appy_lane; t < 256; t += G) { double mt = -INFINITY, st = 0;
      for (int k = t; k < C; k += 256) { double a = A[(long)i*C+k]; if (a > mt) { st = st*exp(mt-a)+1.0; mt = a; } else st += exp(a-mt); }
      bm[t] = mt; bs[t] = st; }
    appy_group_sync(G);
    double m = bm[0];
    { double p = m; for (int t = 1 + appy_lane; t < 256; t += G) p = fmax(p, bm[t]); m = appy_group_max_f64(p, G, appy_red); }
    double s = 0;
    { double p = 0; for (int t = appy_lane; t < 256; t += G) p += bs[t]*exp(bm[t]-m); s += appy_group_sum_f64(p, G, appy_red); }
    for (int j = appy_lane; j < C; j += G) out[(long)i*C+j] = exp(A[(long)i*C+j]-m) / s;
    appy_group_sync(G);
  BARE_END
}
static void softmax(void) {
  A = malloc(sizeof(double)*R*C); out = calloc((size_t)R*C, sizeof(double)); ref = malloc(sizeof(double)*R*C);
  uint64_t s = 88172645463325252ull;
  for (long k = 0; k < (long)R*C; k++) A[k] = rnd(&s)*4 - 2;
  for (int i = 0; i < R; i++) { double m = -INFINITY, sum = 0; for (int j = 0; j < C; j++) m = fmax(m, A[(long)i*C+j]);
    for (int j = 0; j < C; j++) sum += ref[(long)i*C+j] = exp(A[(long)i*C+j]-m); for (int j = 0; j < C; j++) ref[(long)i*C+j] /= sum; }
  double bytes = 2.0*8*R*C;
  #pragma omp target enter data map(to: A[0:R*C], out[0:R*C])
  
  TIME("sm online div tl256", bytes, sm_err(), SM_ONLINE(256, exp(A[(long)i*C+j]-m)/s));
  TIME("sm online mul tl256", bytes, sm_err(), SM_ONLINE(256, exp(A[(long)i*C+j]-m)*r));
  
  
  /* 3-pass group (max; exp+sum write; scale) */
  TIME("sm group3 tl-default", bytes, sm_err(),
    _Pragma("omp target teams distribute")
    for (int i = 0; i < R; i++) { double m = A[(long)i*C];
      _Pragma("omp parallel for reduction(max: m)") for (int j = 0; j < C; j++) m = fmax(m, A[(long)i*C+j]);
      double s = 0; _Pragma("omp parallel for reduction(+: s)") for (int j = 0; j < C; j++) { double e = exp(A[(long)i*C+j]-m); out[(long)i*C+j] = e; s += e; }
      double r = 1.0/s; _Pragma("omp parallel for") for (int j = 0; j < C; j++) out[(long)i*C+j] *= r; });
  /* half the row in a 32 KB scratchpad: chunks of 4096, online over chunks; the second half stays on chip */
  
  /* ompx_bare: row in registers, 1024 threads x 8 */
  TIME("sm bare regs 1024x8", bytes, sm_err(),
    _Pragma("omp target teams ompx_bare num_teams(R) thread_limit(1024)")
    { int i = ompx_block_id_x(), t = ompx_thread_id_x(); double v[8]; double m = -INFINITY;
      static double red[32]; _Pragma("omp allocate(red) allocator(omp_pteam_mem_alloc)")
      for (int k = 0; k < 8; k++) { v[k] = A[(long)i*C + t + 1024*k]; m = fmax(m, v[k]); }
      for (int d = 16; d; d >>= 1) m = fmax(m, ompx_shfl_down_sync_d(~0ull, m, d, 32));
      if ((t & 31) == 0) red[t >> 5] = m; ompx_sync_block(ompx_acq_rel);
      m = red[0]; for (int w = 1; w < 32; w++) m = fmax(m, red[w]);
      ompx_sync_block(ompx_acq_rel);
      double s = 0; for (int k = 0; k < 8; k++) { v[k] = exp(v[k]-m); s += v[k]; }
      for (int d = 16; d; d >>= 1) s += ompx_shfl_down_sync_d(~0ull, s, d, 32);
      if ((t & 31) == 0) red[t >> 5] = s; ompx_sync_block(ompx_acq_rel);
      s = 0; for (int w = 0; w < 32; w++) s += red[w];
      double r = 1.0/s; for (int k = 0; k < 8; k++) out[(long)i*C + t + 1024*k] = v[k]*r; });

  { int cfg[][2] = {{8,256},{32,256},{64,64},{128,128},{256,256},{512,512},{1024,1024}};
    for (int c = 0; c < 7; c++) { char nm[64]; int G = cfg[c][0], T = cfg[c][1];
      sprintf(nm, "sm bare3 G%d T%d", G, T); TIME(nm, bytes, sm_err(), sm_bare3(G, T);); }
    for (int c = 1; c < 7; c++) { char nm[64]; int G = cfg[c][0], T = cfg[c][1];
      sprintf(nm, "sm bare reread G%d T%d", G, T); TIME(nm, bytes, sm_err(), sm_bare_reread(G, T);); }
    for (int c = 3; c < 7; c++) { char nm[64]; int G = cfg[c][0], T = cfg[c][1];
      sprintf(nm, "sm bare online G%d T%d", G, T); TIME(nm, bytes, sm_err(), sm_bare_online(G, T);); } }
  #pragma omp target exit data map(release: A[0:R*C], out[0:R*C])
  free(A); free(out); free(ref);
}

/* ---------------- SpMV ---------------- */
#define NR 1000000
#define NNZ 10000000
static int64_t *ip, *ix; static double *dv, *xv, *yv, *yr;
static double sp_err(void) {
  #pragma omp target update from(yv[0:NR])
  double e = 0; for (int i = 0; i < NR; i++) { double d = fabs(yv[i]-yr[i]) / (fabs(yr[i]) + 1e-300); if (yr[i] != 0 && d > e) e = d; if (yr[i] == 0 && yv[i] != 0) e = 1; }
  memset(yv, 0, sizeof(double)*NR);
  #pragma omp target update to(yv[0:NR])
  return e;
}
#define SP_GROUP(TL, NT) \
  PRAGMA(omp target teams distribute thread_limit(TL) num_teams(NT)) \
  for (int i = 0; i < NR; i++) { double s = 0; int64_t a = ip[i], b = ip[i+1]; \
    _Pragma("omp parallel for reduction(+: s)") for (int64_t k = a; k < b; k++) s += dv[k]*xv[ix[k]]; \
    yv[i] = s; }
#define SP_IND(TL) \
  PRAGMA(omp target teams distribute parallel for thread_limit(TL)) \
  for (int i = 0; i < NR; i++) { double s = 0; for (int64_t k = ip[i]; k < ip[i+1]; k++) s += dv[k]*xv[ix[k]]; yv[i] = s; }
#define SP_BARE(W) \
  PRAGMA(omp target teams ompx_bare num_teams((NR*W+255)/256) thread_limit(256)) \
  { long g = (long)ompx_block_id_x()*256 + ompx_thread_id_x(); int i = g / W, l = g % W; double s = 0; \
    if (i < NR) for (int64_t k = ip[i] + l; k < ip[i+1]; k += W) s += dv[k]*xv[ix[k]]; \
    for (int d = W/2; d; d >>= 1) s += ompx_shfl_down_sync_d(~0ull, s, d, W); \
    if (i < NR && l == 0) yv[i] = s; }
#define SP_LANES(W) \
  _Pragma("omp target teams distribute parallel for") for (int i = 0; i < NR; i++) yv[i] = 0; \
  _Pragma("omp target teams distribute parallel for collapse(2)") \
  for (int i = 0; i < NR; i++) for (int l = 0; l < W; l++) { double s = 0; \
    for (int64_t k = ip[i] + l; k < ip[i+1]; k += W) s += dv[k]*xv[ix[k]]; \
    if (ip[i] + l < ip[i+1]) { _Pragma("omp atomic") yv[i] += s; } }


static void sp_bare(int G, int T) {
  BARE_BEGIN(NR)
    int64_t i = appy_it; double s = 0;
    { const int64_t a = ip[i], b = ip[i+1]; double p = 0; for (int64_t k = a + appy_lane; k < b; k += G) p += dv[k]*xv[ix[k]]; s += appy_group_sum_f64(p, G, appy_red); }
    if (appy_lane == 0) yv[i] = s;
    appy_group_sync(G);
  BARE_END
}

/* Load hints for the SpMV experiment: read-only cache (ld.global.nc) and streaming
 * (ld.global.cs: evict first, so the gathered x stays in L2). */
static inline double ld_nc_d(const double *p) { return *p; }
static inline int64_t ld_nc_l(const int64_t *p) { return *p; }
static inline double ld_cs_d(const double *p) { return *p; }
static inline int64_t ld_cs_l(const int64_t *p) { return *p; }
#pragma omp begin declare variant match(device = {arch(nvptx64)})
__attribute__((unused)) static inline double ld_nc_d(const double *p) { return __nvvm_ldg_d(p); }
__attribute__((unused)) static inline int64_t ld_nc_l(const int64_t *p) { return __nvvm_ldg_ll((const long long *)p); }
__attribute__((unused)) static inline double ld_cs_d(const double *p) { double v; __asm__ volatile("ld.global.cs.f64 %0, [%1];" : "=d"(v) : "l"(p)); return v; }
__attribute__((unused)) static inline int64_t ld_cs_l(const int64_t *p) { int64_t v; __asm__ volatile("ld.global.cs.s64 %0, [%1];" : "=l"(v) : "l"(p)); return v; }
#pragma omp end declare variant
#define SP_HINT(NAME, LDI, LDD, LDX, LDP) \
static void NAME(int G, int T) { \
  BARE_BEGIN(NR) \
    int64_t i = appy_it; double s = 0; \
    { const int64_t a = LDP(&ip[i]), b = LDP(&ip[i+1]); double p = 0; for (int64_t k = a + appy_lane; k < b; k += G) p += LDD(&dv[k])*LDX(&xv[LDI(&ix[k])]); s += appy_group_sum_f64(p, G, appy_red); } \
    if (appy_lane == 0) yv[i] = s; \
    appy_group_sync(G); \
  BARE_END }
#define PLAIN_D(p) (*(p))
#define PLAIN_L(p) (*(p))
SP_HINT(sp_nc_all, ld_nc_l, ld_nc_d, ld_nc_d, ld_nc_l)
SP_HINT(sp_nc_x, PLAIN_L, PLAIN_D, ld_nc_d, PLAIN_L)
SP_HINT(sp_cs_stream, ld_cs_l, ld_cs_d, PLAIN_D, PLAIN_L)
SP_HINT(sp_cs_stream_nc_x, ld_cs_l, ld_cs_d, ld_nc_d, ld_nc_l)
/* Where the hand-written kernel's 15 % come from: the generated form with the lane count
 * a literal (LIT), lane and group from shifts and masks of a run-time power of two (SHIFT),
 * without the warp barrier after lane 0's store (NOSYNC). */
#define SP_LIT(NAME, GL) \
static void NAME(void) { \
  const int64_t appy_n = NR; const int appy_gpb = 256 / GL; \
  int appy_nb = (int)((appy_n + appy_gpb - 1) / appy_gpb); if (appy_nb > 65536) appy_nb = 65536; \
  _Pragma("omp target teams ompx_bare num_teams(appy_nb) thread_limit(256)") \
  { static uint64_t appy_red[32]; _Pragma("omp allocate(appy_red) allocator(omp_pteam_mem_alloc)") \
    const int appy_lane = ompx_thread_id_x() % GL; \
    for (int64_t appy_it = (int64_t)ompx_block_id_x() * appy_gpb + ompx_thread_id_x() / GL; appy_it < appy_n; appy_it += (int64_t)ompx_grid_dim_x() * appy_gpb) { \
      int64_t i = appy_it; double s = 0; \
      { const int64_t a = ip[i], b = ip[i+1]; double p = 0; for (int64_t k = a + appy_lane; k < b; k += GL) p += dv[k]*xv[ix[k]]; s += appy_group_sum_f64(p, GL, appy_red); } \
      if (appy_lane == 0) yv[i] = s; \
      appy_group_sync(GL); } } }
SP_LIT(sp_lit8, 8)
static void sp_shift(int G) {
  const int64_t appy_n = NR; const int appy_gpb = 256 / G; const int lg = __builtin_ctz((unsigned)G);
  int appy_nb = (int)((appy_n + appy_gpb - 1) / appy_gpb); if (appy_nb > 65536) appy_nb = 65536;
  _Pragma("omp target teams ompx_bare num_teams(appy_nb) thread_limit(256)")
  { static uint64_t appy_red[32]; _Pragma("omp allocate(appy_red) allocator(omp_pteam_mem_alloc)")
    const int appy_lane = ompx_thread_id_x() & (G - 1);
    for (int64_t appy_it = (int64_t)ompx_block_id_x() * appy_gpb + (ompx_thread_id_x() >> lg); appy_it < appy_n; appy_it += (int64_t)ompx_grid_dim_x() * appy_gpb) {
      int64_t i = appy_it; double s = 0;
      { const int64_t a = ip[i], b = ip[i+1]; double p = 0; for (int64_t k = a + appy_lane; k < b; k += G) p += dv[k]*xv[ix[k]]; s += appy_group_sum_f64(p, G, appy_red); }
      if (appy_lane == 0) yv[i] = s;
      appy_group_sync(G); } } }
static void sp_nosync(int G, int T) {
  BARE_BEGIN(NR)
    int64_t i = appy_it; double s = 0;
    { const int64_t a = ip[i], b = ip[i+1]; double p = 0; for (int64_t k = a + appy_lane; k < b; k += G) p += dv[k]*xv[ix[k]]; s += appy_group_sum_f64(p, G, appy_red); }
    if (appy_lane == 0) yv[i] = s;
  BARE_END
}

static void spmv(void) {
  ip = calloc(NR+1, 8); ix = malloc(8L*NNZ); dv = malloc(8L*NNZ); xv = malloc(8L*NR); yv = calloc(NR, 8); yr = malloc(8L*NR);
  uint64_t s = 2463534242ull;
  for (long k = 0; k < NNZ; k++) ip[1 + (long)(rnd(&s)*NR)]++;
  for (int i = 0; i < NR; i++) ip[i+1] += ip[i];
  if (getenv("UNIFORM")) { for (long k = 0; k < NNZ; k++) ix[k] = (int64_t)(rnd(&s) * NR); }
  else for (int i = 0; i < NR; i++) { int64_t c = (int64_t)(rnd(&s) * NR / 12.0); for (int64_t k = ip[i]; k < ip[i+1]; k++) { c += 1 + (int64_t)(rnd(&s)*NR/(ip[i+1]-ip[i]+1)/2); ix[k] = c % NR; } }
  for (long k = 0; k < NNZ; k++) dv[k] = rnd(&s);
  for (int i = 0; i < NR; i++) xv[i] = rnd(&s);
  for (int i = 0; i < NR; i++) { double a = 0; for (int64_t k = ip[i]; k < ip[i+1]; k++) a += dv[k]*xv[ix[k]]; yr[i] = a; }
  double bytes = 8.0*(2.0*NNZ + NR + 1);
  #pragma omp target enter data map(to: ip[0:NR+1], ix[0:NNZ], dv[0:NNZ], xv[0:NR], yv[0:NR])
  TIME("sp individual default", bytes, sp_err(), _Pragma("omp target teams distribute parallel for") for (int i = 0; i < NR; i++) { double s = 0; for (int64_t k = ip[i]; k < ip[i+1]; k++) s += dv[k]*xv[ix[k]]; yv[i] = s; });
  TIME("sp individual tl64", bytes, sp_err(), SP_IND(64));
  
  
  TIME("sp group default", bytes, sp_err(), _Pragma("omp target teams distribute") for (int i = 0; i < NR; i++) { double s = 0; int64_t a = ip[i], b = ip[i+1]; _Pragma("omp parallel for reduction(+: s)") for (int64_t k = a; k < b; k++) s += dv[k]*xv[ix[k]]; yv[i] = s; });
  
  TIME("sp group tl32 nt4224", bytes, sp_err(), SP_GROUP(32, 4224));
  TIME("sp group tl32 nt65536", bytes, sp_err(), SP_GROUP(32, 65536));
  
  
  
  TIME("sp bare w4", bytes, sp_err(), SP_BARE(4));
  TIME("sp bare w8", bytes, sp_err(), SP_BARE(8));
  
  
  
  

  TIME("launch only (1 block)", 1, 0, _Pragma("omp target teams ompx_bare num_teams(1) thread_limit(32)") { if (ompx_thread_id_x() == 99) yv[0] = 1; });
  if (getenv("SWEEP_PARTS")) {
    for (int rep = 0; rep < 2; rep++) {
      TIME("sp generated G8", bytes, sp_err(), sp_bare(8, 256););
      TIME("sp literal 8", bytes, sp_err(), sp_lit8(););
      TIME("sp shifts G8", bytes, sp_err(), sp_shift(8););
      TIME("sp no trailing sync G8", bytes, sp_err(), sp_nosync(8, 256););
      TIME("sp hand-written SP_BARE(8)", bytes, sp_err(), SP_BARE(8));
    }
    return;
  }
  for (int rep = 0; rep < 2; rep++) {
    TIME("sp bareG G8 plain", bytes, sp_err(), sp_bare(8, 256););
    TIME("sp ldg all", bytes, sp_err(), sp_nc_all(8, 256););
    TIME("sp ldg x", bytes, sp_err(), sp_nc_x(8, 256););
    TIME("sp cs data+indices", bytes, sp_err(), sp_cs_stream(8, 256););
    TIME("sp cs data+indices, ldg x", bytes, sp_err(), sp_cs_stream_nc_x(8, 256););
    TIME("sp cs+ldg G4", bytes, sp_err(), sp_cs_stream_nc_x(4, 256););
    TIME("sp cs+ldg G16", bytes, sp_err(), sp_cs_stream_nc_x(16, 256););
  }
  if (getenv("SWEEP_ONLY_HINTS")) return;
  { int cfg[][2] = {{2,256},{4,256},{8,256},{8,128},{8,512},{16,256},{32,256}};
    for (int c = 0; c < 7; c++) { char nm[64]; int G = cfg[c][0], T = cfg[c][1];
      sprintf(nm, "sp bareG G%d T%d", G, T); TIME(nm, bytes, sp_err(), sp_bare(G, T);); } }
}


int main(int argc, char **argv) {
  reg();
  printf("devices: %d\n", omp_get_num_devices());
  if (argc < 2 || strchr(argv[1], 's')) softmax();
  if (argc < 2 || strchr(argv[1], 'p')) spmv();
  return 0;
}
