/* test_sema.c: signatures, type inference (NumPy 2 promotion) and parallel-loop analysis. */
#include "translator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

static void result(const char *what, const char *want, const char *got) {
  checks++;
  if (strcmp(want, got)) {
    failures++;
    printf("FAIL %s\n  want: %s\n  got:  %s\n", what, want, got);
  } else {
    printf("ok   %s: %s\n", what, got);
  }
}

typedef struct {
  Arena arena;
  Diags diags;
  Program *prog;
} Run;

static Run *analyse(const char *src) {
  static Run r;
  arena_free(&r.arena);
  buf_free(&r.diags.out);
  r = (Run){.diags = {.filename = "t.py", .src = src, .len = strlen(src)}};
  Options opt = {.filename = "t.py", .module_name = "t", .target = TARGET_CLANG};
  TokenStream ts = tokenize(&r.arena, &r.diags);
  Module *m = parse(&r.arena, &r.diags, &ts, NULL);
  r.prog = r.diags.nerrors ? NULL : analyse_program(&r.arena, &r.diags, m, &opt);
  return &r;
}

static const char *first_diag(Run *r) {
  static char line[512];
  if (!r->diags.out.data)
    return "";
  snprintf(line, sizeof line, "%s", r->diags.out.data);
  char *nl = strchr(line, '\n');
  if (nl)
    *nl = '\0';
  return line;
}

// Type of variable `name` in the first instance of the first kernel.
static const char *var_type(Run *r, const char *name) {
  if (!r->prog || !r->prog->ninsts)
    return first_diag(r);
  for (Var *v = r->prog->insts[0].vars; v; v = v->next)
    if (!strcmp(v->name, name))
      return v->ty ? ty_name(&r->arena, v->ty) : "?";
  return "(none)";
}

static const char *sig(Run *r) {
  return r->prog && r->prog->kernels ? r->prog->kernels->sigs[0].text : first_diag(r);
}

static const char *sharing(Run *r, const char *name) {
  static char buf[128];
  if (!r->prog || !r->prog->ninsts || !r->prog->insts[0].nregions)
    return first_diag(r);
  Region *reg = &r->prog->insts[0].regions[0];
  for (RegionVar *rv = reg->vars; rv; rv = rv->next) {
    if (strcmp(rv->var->name, name))
      continue;
    static const char *names[] = {"firstprivate", "private", "reduction", "shared"};
    if (rv->var->ty->kind == TY_ARRAY)
      snprintf(buf, sizeof buf, "%s%s%s", rv->read ? "read" : "", rv->written ? " written" : "",
               rv->full_write ? " full" : "");
    else
      snprintf(buf, sizeof buf, "%s%s%s", names[rv->sharing], rv->redop ? " " : "",
               rv->redop ? rv->redop : "");
    return buf;
  }
  return "(untouched)";
}

#define HEAD "import appy\nimport numpy as np\n"

// The names a source binds at top level, as the parser records them (last first).
static const char *globals(const char *src) {
  static char buf[256];
  Arena a = {0};
  Diags d = {.filename = "t.py", .src = src, .len = strlen(src)};
  TokenStream ts = tokenize(&a, &d);
  Module *m = parse(&a, &d, &ts, NULL);
  buf[0] = '\0';
  for (Node *g = m->globals; g; g = g->next)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? " " : "", g->name);
  arena_free(&a);
  buf_free(&d.out);
  return buf;
}

// The kind (and name) of the first error recorded for src.
static const char *first_kind(const char *src) {
  static char buf[128];
  static const char *kinds[] = {"other", "unsupported", "undefined"};
  Arena a = {0};
  DiagRecord rec[4];
  Diags d = {.filename = "t.py", .src = src, .len = strlen(src), .record = rec, .maxrecord = 4};
  Options opt = {.filename = "t.py", .module_name = "t", .target = TARGET_CLANG};
  TokenStream ts = tokenize(&a, &d);
  Module *m = parse(&a, &d, &ts, NULL);
  if (!d.nerrors)
    analyse_program(&a, &d, m, &opt);
  snprintf(buf, sizeof buf, "%s %s", d.nrecord ? kinds[rec[0].kind] : "none",
           d.nrecord ? rec[0].name : "");
  arena_free(&a);
  buf_free(&d.out);
  return buf;
}

int main(void) {
  // What the parser records of the file's top level, and the kinds errors carry.
  result("top-level names", "helper C M N pi root xp os",
         globals("import os, numpy as xp\nfrom math import sqrt as root, pi\nN, M = 1, 2\n"
                 "class C:\n    pass\ndef helper():\n    pass\n"));
  result("undefined name's kind", "undefined y",
         first_kind(HEAD "@appy.jit\ndef f(a):\n    a[0] = y\n"));
  result("unsupported call's kind", "unsupported ",
         first_kind(HEAD "@appy.jit\ndef f(a):\n    print(a[0])\n"));
  result("two imports on a line", "float64",
         var_type(analyse("import numpy as xp, math as m\nimport appy\n@appy.jit\ndef f(a):\n"
                          "    r = m.sqrt(a[0]) + xp.exp(a[0])\n"), "r"));
  // Signature inference: APPy's defaults.
  result("inferred", "f(float64[:], float64[:, :], int64, float64)",
         sig(analyse(HEAD "@appy.jit\ndef f(x, A, n, alpha):\n"
                          "    for i in range(n):\n        x[i] = alpha * A[i, 0]\n")));
  result("inferred from shape", "f(float64[:, :, :])",
         sig(analyse(HEAD "@appy.jit\ndef f(A):\n    return A.shape[2]\n")));
  result("declared", "f(float32[:], int32)",
         sig(analyse(HEAD "# appy: export f(float32[:], int32)\n@appy.jit\ndef f(x, n):\n    x[0] = n\n")));
  // NumPy 2 promotion (NEP 50): Python scalars are weak.
  const char *prom = HEAD "# appy: export f(float32[:], int32[:])\n@appy.jit\ndef f(x, k):\n"
                          "    a = x[0] * 2.0\n    b = k[0] + 1\n    c = k[0] + x[0]\n    d = k[0] / 2\n"
                          "    e = 0\n    e += x[0]\n    g = 7 // 2\n    h = np.sqrt(k[0])\n"
                          "    m = math.sqrt(x[0])\n    t = x[0] > 0\n";
  Run *r = analyse(prom);
  result("float32 * 2.0", "float32", var_type(r, "a"));
  result("int32 + 1", "int32", var_type(r, "b"));
  result("int32 + float32", "float64", var_type(r, "c"));
  result("int32 / 2", "float64", var_type(r, "d"));
  result("0 then += float32", "float32", var_type(r, "e"));
  result("7 // 2", "int64", var_type(r, "g"));
  result("np.sqrt(int32)", "float64", var_type(r, "h"));
  result("math.sqrt(float32)", "float64", var_type(r, "m"));
  result("comparison", "bool", var_type(r, "t"));
  // Every dtype: NumPy 2's table (tests/e2e/test_dtypes.py checks all of it against NumPy).
  r = analyse(HEAD "# appy: export f(uint8[:], int8[:], uint64[:], int64[:], float32[:], int16[:], "
                   "bool[:], float, uint32[:])\n@appy.jit\ndef f(u, s, U, S, x, h, b, alpha, w):\n"
                   "    a = u[0] + s[0]\n    c = U[0] + S[0]\n    d = w[0] * x[0]\n    e = h[0] * x[0]\n"
                   "    g = u[0] + 1\n    k = b[0] + 1\n    m = u[0] * 2.0\n    n = alpha * x[0]\n"
                   "    p = np.sum(u)\n    q = b[0] + b[0]\n    t = b[0] // b[0]\n    v = np.sqrt(h[0])\n"
                   "    y = alpha * 2\n");
  result("uint8 + int8", "int16", var_type(r, "a"));
  result("uint64 + int64", "float64", var_type(r, "c"));
  result("uint32 * float32", "float64", var_type(r, "d"));
  result("int16 * float32", "float32", var_type(r, "e"));
  result("uint8 + 1", "uint8", var_type(r, "g"));
  result("bool + 1", "int64", var_type(r, "k"));
  result("uint8 * 2.0", "float64", var_type(r, "m"));
  result("Python float * float32", "float32", var_type(r, "n"));
  result("np.sum of uint8", "uint64", var_type(r, "p"));
  result("bool + bool (or)", "bool", var_type(r, "q"));
  result("bool // bool", "int8", var_type(r, "t"));
  result("np.sqrt(int16)", "float32", var_type(r, "v"));
  result("Python float * 2", "float64", var_type(r, "y"));
  checks++;
  Var *yv = r->prog ? r->prog->insts[0].vars : NULL;
  while (yv && strcmp(yv->name, "y"))
    yv = yv->next;
  if (yv && yv->ty->weak && !strcmp(ty_sig_name(&r->arena, yv->ty), "float"))
    printf("ok   alpha * 2 stays a Python float (weak)\n");
  else
    failures++, printf("FAIL alpha * 2 should be a Python float: %s\n", first_diag(r));
  result("literal out of range",
         "t.py:6:19: error: Python integer 300 out of bounds for uint8 (NumPy raises OverflowError)",
         first_diag(analyse(HEAD "# appy: export f(uint8[:])\n@appy.jit\ndef f(u):\n"
                                 "    u[0] = u[1] + 300\n")));
  result("negative literal with uint",
         "t.py:6:19: error: Python integer -1 out of bounds for uint32 (NumPy raises OverflowError)",
         first_diag(analyse(HEAD "# appy: export f(uint32[:])\n@appy.jit\ndef f(u):\n"
                                 "    u[0] = u[1] * -1\n")));
  result("integer literal past int64 stored as an int (issue 18: it was 2**63 - 1)",
         "t.py:6:12: error: Python integer 99999999999999999999 out of bounds for int64 (NumPy "
         "raises OverflowError); write a float (e.g. 1e20) where a float is meant",
         first_diag(analyse(HEAD "# appy: export f(int64[:])\n@appy.jit\ndef f(a):\n"
                                 "    a[0] = 99999999999999999999\n")));
  result("... stored as a float: float(99999999999999999999), as NumPy stores it", "",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a):\n    a[0] = 99999999999999999999\n")));
  result("int constants past int64 folded back into it", "",
         first_diag(analyse(HEAD "# appy: export f(int64[:])\n@appy.jit\ndef f(a):\n"
                                 "    a[0] = 2**64 // 4 - 2**63\n")));
  result("... and folded out of it", "t.py:6:12: error: Python integer -13835058055282163712 out "
         "of bounds for int64 (NumPy raises OverflowError); write a float (e.g. 1e20) where a "
         "float is meant",
         first_diag(analyse(HEAD "# appy: export f(int64[:])\n@appy.jit\ndef f(a):\n"
                                 "    a[0] = 2**64 // 4 - 2**63 * 2\n")));
  result("int64's largest literal", "f(float64[:])",
         sig(analyse(HEAD "@appy.jit\ndef f(a):\n    a[0] = 0x7fff_ffff_ffff_ffff\n")));
  result("a larger one outside kernels is Python's", "f(float64[:])",
         sig(analyse(HEAD "HUGE = 99999999999999999999\n@appy.jit\n"
                          "def f(a):\n    a[0] = 1.0\n")));
  result("bool subtraction", "t.py:6:17: error: NumPy does not subtract bools; use ^ (or !=) instead",
         first_diag(analyse(HEAD "# appy: export f(bool[:])\n@appy.jit\ndef f(b):\n"
                                 "    b[0] = b[1] - b[2]\n")));
  result("bool negation", "t.py:6:12: error: NumPy does not negate bools; use ~ (or not) instead",
         first_diag(analyse(HEAD "# appy: export f(bool[:])\n@appy.jit\ndef f(b):\n"
                                 "    b[0] = -b[1]\n")));
  result("float16", "t.py:6:12: error: np.exp of int8 is float16 in NumPy, which kernels do not "
                    "support; convert the argument first, e.g. np.exp(np.float32(x))",
         first_diag(analyse(HEAD "# appy: export f(int8[:], float32[:])\n@appy.jit\ndef f(k, x):\n"
                                 "    x[0] = np.exp(k[0])\n")));
  // Inference: index arrays and range bounds are int64 arrays, also through locals.
  result("inferred index arrays", "f(int64[:], int64[:], float64[:], float64[:], float64[:])",
         sig(analyse(HEAD "@appy.jit\ndef f(indptr, indices, data, x, y):\n"
                          "    for i in appy.prange(y.shape[0]):\n"
                          "        start, end = indptr[i], indptr[i + 1]\n        s = 0.0\n"
                          "        for j in range(start, end):\n"
                          "            s += data[j] * x[indices[j]]\n        y[i] = s\n")));
  result("inferred integers through locals", "f(float64[:], int64, int64)",
         sig(analyse(HEAD "@appy.jit\ndef f(a, width, height):\n    size = width * height\n"
                          "    for i in appy.prange(size):\n        a[i] = 0.0\n")));
  // Parallel loops: sharing of scalars and use of arrays.
  const char *red = HEAD "@appy.jit\ndef f(a, b, n):\n    s = 0.0\n    m = a[0]\n    p = 1.0\n"
                         "    #pragma parallel for\n    for i in range(a.shape[0]):\n"
                         "        t = a[i] * 2\n        s += t\n        m = max(m, a[i])\n"
                         "        p = p * b[i]\n        b[i] = t\n    return s, m, p\n";
  r = analyse(red);
  result("private", "private", sharing(r, "t"));
  result("sum reduction", "reduction +", sharing(r, "s"));
  result("max reduction", "reduction max", sharing(r, "m"));
  result("product reduction", "reduction *", sharing(r, "p"));
  result("array read", "read", sharing(r, "a"));
  result("array read and written", "read written", sharing(r, "b"));
  result("firstprivate", "(untouched)", sharing(r, "n"));
  r = analyse(HEAD "@appy.jit\ndef f(a, c):\n    for i in appy.prange(c.shape[0]):\n        c[i] = a[i]\n");
  result("full write", " written full", sharing(r, "c"));
  r = analyse(HEAD "@appy.jit\ndef f(a, c):\n    for i in appy.prange(1, c.shape[0]):\n        c[i] = a[i]\n");
  result("partial write", " written", sharing(r, "c"));
  r = analyse(HEAD "@appy.jit\ndef f(A):\n    #pragma parallel for\n    for i in range(A.shape[0]):\n"
                   "        #pragma parallel for\n        for j in range(A.shape[1]):\n            A[i, j] = 0.0\n");
  checks++;
  if (r->prog && r->prog->insts[0].nregions == 1 && r->prog->insts[0].regions[0].collapse == 2)
    printf("ok   nested parallel loops collapse(2)\n");
  else
    failures++, printf("FAIL nested parallel loops should collapse: %s\n", first_diag(r));
  // Group mode: a marked inner loop makes the region group mode, with its own reductions.
  r = analyse(HEAD "@appy.jit\ndef f(A, y):\n    for i in appy.prange(A.shape[0]):\n"
                   "        s = 0.0\n        #pragma simd\n        for j in range(A.shape[1]):\n"
                   "            s += A[i, j]\n        y[i] = s\n");
  checks++;
  Region *g = r->prog && r->prog->insts[0].nregions ? &r->prog->insts[0].regions[0] : NULL;
  Node *inner = g ? g->loop->body->next : NULL;
  RegionVar *rs = inner && inner->region ? inner->region->vars : NULL;
  while (rs && strcmp(rs->var->name, "s"))
    rs = rs->next;
  if (g && g->group && inner->region->inner && rs && rs->sharing == SH_REDUCTION)
    printf("ok   marked inner loop: group mode, inner reduction of s\n");
  else
    failures++, printf("FAIL group mode not detected: %s\n", first_diag(r));
  result("team-private in group", "private", sharing(r, "s"));
  // Array expressions (lower.c): in a parallel loop, the team's worksharing loops...
  r = analyse(HEAD "@appy.jit\ndef f(C, beta):\n    for i in appy.prange(C.shape[0]):\n"
                   "        C[i, :i + 1] *= beta\n");
  checks++;
  g = r->prog && r->prog->insts[0].nregions ? &r->prog->insts[0].regions[0] : NULL;
  if (g && g->group && g->collapse == 1)
    printf("ok   C[i, :i + 1] *= beta in a parallel loop: group mode\n");
  else
    failures++, printf("FAIL triangular slice update not in group mode: %s\n", first_diag(r));
  result("slice update in place", "read written", sharing(r, "C"));
  // ...in host code, parallel loops of their own, collapsed, and reductions.
  r = analyse(HEAD "# appy: export f(float64[:, :], float64)\n@appy.jit\ndef f(C, beta):\n    C *= beta\n");
  checks++;
  g = r->prog && r->prog->insts[0].nregions ? &r->prog->insts[0].regions[0] : NULL;
  if (g && !g->group && g->collapse == 2)
    printf("ok   C *= beta in host code: one parallel loop nest, collapse(2)\n");
  else
    failures++, printf("FAIL whole-array update: %s\n", first_diag(r));
  r = analyse(HEAD "# appy: export f(int32[:])\n@appy.jit\ndef f(x):\n    s = np.sum(x)\n"
                   "    m = np.mean(x)\n    return s, m\n");
  result("np.sum of int32", "int64", var_type(r, "s"));
  result("np.mean of int32", "float64", var_type(r, "m"));
  r = analyse(HEAD "# appy: export f(float32[:], float32[:])\n@appy.jit\ndef f(x, y):\n"
                   "    y[:] = 2.0 * x[::-1] + 1\n");
  result("full slice write", " written full", sharing(r, "y"));
  // Errors.
  result("carried scalar",
         "t.py:8:16: error: 'x' carries a value from one iteration of the parallel loop to the next; "
         "assign it before reading it in each iteration, update it only as a reduction "
         "('x += ...', 'x = max(x, ...)'), or name it in shared(x)",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a):\n    x = 0.0\n    #pragma parallel for\n"
                                 "    for i in range(10):\n        a[i] = x\n        x = a[i] + 1\n")));
  result("undefined name",
         "t.py:5:12: error: name 'y' is not defined in this kernel (only parameters and local "
         "variables can be used)",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a):\n    a[0] = y\n")));
  result("float index", "t.py:5:7: error: array indices must be integers, not float64",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a):\n    a[1.5] = 0.0\n")));
  result("bad signature",
         "t.py:3:1: error: signature 'f(float64[:])' has 1 type but 'f' takes 2 parameters",
         first_diag(analyse(HEAD "# appy: export f(float64[:])\n@appy.jit\ndef f(a, b):\n    a[0] = b\n")));
  result("same-element write",
         "t.py:6:9: warning: every iteration of the parallel loop writes the same element of 'b'; "
         "the result depends on which iteration runs last",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a, b):\n    for i in appy.prange(10):\n"
                                 "        b[0] = a[i]\n")));
  result("pragma without loop", "t.py:5:5: error: '#pragma parallel for' must be followed by a for loop",
         first_diag(analyse(HEAD "@appy.jit\ndef f(a):\n    #pragma parallel for\n    a[0] = 1.0\n")));
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures != 0;
}
