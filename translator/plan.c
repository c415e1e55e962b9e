/* plan.c: the kernel each parallel loop becomes, decided once.
 *
 * From a checked, lowered region (region.c) and the target compiler, decides the shape of
 * its kernel and records it on the region (Region.plan): the teams form every compiler
 * takes, or with clang one of the bare kernels of appy/group.h (a group's lanes, scalar
 * reductions, one iteration per thread with block copies of scattered-into arrays, a
 * dense nest in tiles with panels and tensor cores), whether it carries simd, and, where
 * a loop misses a faster kernel, why. codegen.c emits by the plan and explain.c prints it;
 * neither decides again. The sizes are appy/sizes.h's, as the kernels' own. */
#include "translator.h"

#include <string.h>

enum { TILE_BODY = 80 };   // The most nodes of a loop body that tiles jam (jam_loop)

//
// simd
//

// A call of sin or cos (math.* or np.*).
static bool is_sincos(Node *n, void *ctx) {
  (void)ctx;
  const char *f = n->kind == ND_CALL && n->name ? strchr(n->name, ':') : NULL;
  return f && (!strcmp(f + 1, "sin") || !strcmp(f + 1, "cos"));
}

// Iterations over the loop variables of a region (a statement walker's context).
typedef struct {
  Var *const *vars;   // The loop variables
  int n;              // How many
} Iterations;

// An element update that several iterations may make to the same element: an atomic update.
static bool is_atomic(Node *n, void *ctx) {
  const Iterations *it = ctx;
  return n->kind == ND_AUGASSIGN && n->lhs->kind == ND_SUBSCRIPT &&
         !owned_index(n->lhs, it->vars, it->n);
}

// Whether the loop of region r carries simd, and why (Plan.simd_why). vars: the loop
// variables of the parallel loops it runs in, its own included. The user's `simd`
// (#pragma parallel for simd, #pragma simd on a marked loop, lower.c's loops) is kept with
// gcc and on the host, unless gcc-12 gets it wrong:
// - gcc-12 computes sin and cos wrongly in simd loops on nvptx once a team runs several
//   chunks (exp, log, tan, tanh, erf, pow, hypot, atan2 were right);
// - atomic updates inside gcc's simd loops hung on the GPU (H200, 2026-11-25).
// gcc also gets simd where it is not asked: it maps simd to the lanes of a warp, and
// without it runs one iteration per warp, 31 lanes idle, while the iterations of a parallel
// loop are independent whether the user says simd or not. clang-19 runs `parallel for` on
// every lane already, and its bare kernels one iteration per lane: what simd asks for; the
// clause itself only makes it warn "loop not vectorized" for each such loop on the GPU.
// On an H200 (bench/tune_simd.c, docs/performance.md) simd made gcc's vector add 2.5x and
// its group-mode matrix-vector product 1.8x faster, and clang's no faster (up to 9% slower).
// clang-host, whose device is the CPU, drops the clause too: it is there to test the data
// environment, and clang warns for each simd loop the CPU's vectoriser cannot take.
static void plan_simd(Region *r, const Options *opt, Var *const *vars, int nvars, Plan *p) {
  bool gcc = opt->target == TARGET_GCC, clang = opt->target == TARGET_CLANG;
  bool clang_host = opt->target == TARGET_CLANG_HOST;
  const char *unsafe = !gcc ? NULL
                       : tree_any(r->loop->body, is_sincos, NULL)
                           ? "gcc-12 computes sin and cos wrongly in simd loops on the GPU"
                       : stmts_any(r->loop->body, is_atomic, &(Iterations){vars, nvars})
                           ? "atomic updates in gcc-12's simd loops hang on the GPU"
                           : NULL;
  p->simd = (r->simd || gcc) && !unsafe && !clang && !clang_host && !r->group;
  if (r->group)   // `target teams distribute`: a team per iteration, no lanes to fill
    p->simd_why = r->simd ? "not on the loop itself: a team runs each iteration, and the "
                            "loops marked in it take simd" : NULL;
  else if (r->simd && unsafe)
    p->simd_why = unsafe;
  else if (r->simd && clang && p->shape != SHAPE_TEAMS)
    p->simd_why = "as asked: this kernel runs one iteration per GPU thread, on the lanes of "
                  "its warps";
  else if (r->simd && clang)
    p->simd_why = "as asked, without the clause: clang runs parallel for on every lane of "
                  "its warps, and warns 'loop not vectorized' for a simd clause on the GPU";
  else if (r->simd && clang_host)
    p->simd_why = "without the clause: the device is the host CPU (clang-host), where clang "
                  "warns 'loop not vectorized' for each simd loop its vectoriser cannot take";
  else if (r->simd)
    p->simd_why = "as asked";
  else if (p->simd)
    p->simd_why = "added (without it gcc runs one iteration per warp, 31 lanes idle)";
}

//
// Bare kernels (clang)
//

// Group mode as a bare kernel (clang): what it handles. Reductions into scalars of the
// outer loop, shared(...) scalars and collapsed loops keep the teams-distribute form.
static bool bare_body_ok(Node *n) {
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && n->region && n->region->inner) {
      for (RegionVar *rv = n->region->vars; rv; rv = rv->next)
        if (rv->var->ty->kind != TY_ARRAY &&
            (rv->sharing == SH_SHARED || (rv->sharing == SH_REDUCTION && !ty_is_number(rv->var->ty))))
          return false;
      continue;
    }
    if (n->kind == ND_ASSIGN) {   // one lane stores elements, every lane assigns names
      bool names = false, elems = false;
      for (Node *t = n->args; t; t = t->next)
        target_kinds(t, &names, &elems);
      if (names && elems)
        return false;
    }
    if (!bare_body_ok(n->body) || !bare_body_ok(n->orelse))
      return false;
  }
  return true;
}

static bool bare_ok(Region *r, const Options *opt) {
  if (opt->target != TARGET_CLANG || !r->group || r->collapse > 1)
    return false;
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->var->ty->kind != TY_ARRAY && (rv->sharing == SH_REDUCTION || rv->sharing == SH_SHARED))
      return false;
  return bare_body_ok(r->loop->body);
}

// Individual mode reducing into scalars, as a bare kernel (clang; appy/group.h): each
// thread reduces a strided share of the iterations, unrolled four times, the blocks'
// values are combined on the device in block order and read back with one copy. On an
// H100 a 2^26 float64 sum took 0.29 ms this way and 0.50 ms as `target teams distribute
// parallel for reduction(+: s)` (LLVM 19's teams reduction, one load in flight per thread).
static bool bare_reduce_ok(Region *r, const Options *opt) {
  if (opt->target != TARGET_CLANG || r->group || r->inner || r->collapse > 1 ||
      has_region(r->loop->body))
    return false;
  int nred = 0;
  for (RegionVar *rv = r->vars; rv; rv = rv->next) {
    if (rv->var->ty->kind == TY_ARRAY)
      continue;
    if (rv->sharing == SH_SHARED || (rv->sharing == SH_REDUCTION && !ty_is_number(rv->var->ty)))
      return false;
    nred += rv->sharing == SH_REDUCTION;
  }
  return nred > 0 && nred <= 16;
}

// Individual mode without scalar reductions, as a bare kernel (clang; appy/group.h): one
// iteration per thread, a collapsed nest flattened (the last loop varies fastest), arrays
// as device addresses. On an H100 (bench/tune_loop.c) a 2048^2 5-point sweep took 37.4 us
// this way and 42.6 us as `target teams distribute parallel for collapse(2)` with map
// clauses (a 3-D 7-point sweep 39.0 against 47.0, a 2^26 vector add 539 against 590).
static bool bare_loop_ok(Region *r, const Options *opt) {
  if (opt->target != TARGET_CLANG || r->group || r->inner || has_region(r->loop->body))
    return false;
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->var->ty->kind != TY_ARRAY && (rv->sharing == SH_SHARED || rv->sharing == SH_REDUCTION))
      return false;
  return true;
}

// How n uses array x: *scatter counts atomic `x[...] += / -= ...` updates (indices the
// iterations vars do not own), *other every other mention of x.
static void scatter_uses(Node *n, Var *x, Var *const *vars, int nvars, int *scatter, int *other) {
  for (; n; n = n->next) {
    if (n->kind == ND_AUGASSIGN && n->lhs->kind == ND_SUBSCRIPT && n->lhs->var == x &&
        (!strcmp(n->op, "+") || !strcmp(n->op, "-")) && !owned_index(n->lhs, vars, nvars)) {
      (*scatter)++;
      scatter_uses(n->lhs->args, x, vars, nvars, scatter, other);
      scatter_uses(n->rhs, x, vars, nvars, scatter, other);
      continue;
    }
    *other += n->kind == ND_NAME && n->var == x;
    Node *kids[] = {n->lhs, n->rhs, n->args, n->cond, n->body, n->orelse, n->iter, n->lo, n->hi,
                    n->step};
    for (size_t k = 0; k < sizeof kids / sizeof *kids; k++)
      scatter_uses(kids[k], x, vars, nvars, scatter, other);
  }
}

// The arrays of region r that its loop only scatters into (`hist[idx[i]] += 1`): on the
// device each block adds into its own copy in shared memory, when they fit in
// APPY_PRIV_BYTES together, and merges it into the array once at its end.
static int scatter_targets(Region *r, Var *const *vars, int nvars, RegionVar **out) {
  RegionVar *arr[64];
  int n = 0;
  for (int k = 0, narr = region_arrays(r, arr); k < narr; k++) {
    int scatter = 0, other = 0;
    scatter_uses(r->loop->body, arr[k]->var, vars, nvars, &scatter, &other);
    if (scatter && !other && ty_is_number(arr[k]->var->ty->elem))
      out[n++] = arr[k];
  }
  return n;
}

//
// Dense nests in tiles (clang)
//

// A loop, break, continue, return or raise: what a jammed loop's body may not hold.
static bool is_jump(Node *n, void *ctx) {
  (void)ctx;
  return n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_BREAK ||
         n->kind == ND_CONTINUE || n->kind == ND_RETURN || n->kind == ND_RAISE;
}

// Region r stores into elements of array x (region.c's analysis).
static bool region_writes(Region *r, Var *x) {
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->var == x)
      return rv->written;
  return false;
}

// A range bound the k loop's body cannot change: numbers, names it does not assign,
// extents and arithmetic.
static bool fixed_bound(Node *e, Node *body) {
  switch (e->kind) {
  case ND_NUM: return true;
  case ND_NAME: return !assigns(body, e->var);
  case ND_ATTR: return e->lhs == NULL || e->ival || e->lhs->kind == ND_NAME;
  case ND_SUBSCRIPT: return e->name != NULL;
  case ND_BINOP: return fixed_bound(e->lhs, body) && fixed_bound(e->rhs, body);
  case ND_UNARY: return fixed_bound(e->lhs, body);
  default: return false;
  }
}

// Nodes of tree n, counted up to limit.
static int tree_size(Node *n, int limit) {
  int size = 0;
  for (; n && size < limit; n = n->next) {
    Node *kids[] = {n->lhs, n->rhs, n->args, n->cond, n->body, n->orelse};
    size++;
    for (size_t q = 0; q < sizeof kids / sizeof *kids; q++)
      size += tree_size(kids[q], limit);
  }
  return size;
}

// Loop n can be jammed: `for k in range(a, b)` (step 1) over straight statements, k not
// assigned in them nor read after the loop, bounds the body does not change. Its body is
// copied for each of a thread's 16 elements and each step of a chunk: a body of more than
// TILE_BODY nodes is not (the build, and the JIT at the first call, would take long).
static bool jam_loop(Node *n, Tiling *t) {
  if (n->kind != ND_FOR || n->region || n->target->kind != ND_NAME || stmts_any(n->body, is_jump, NULL) ||
      tree_size(n->body, TILE_BODY + 1) > TILE_BODY)
    return false;
  Var *k = n->target->var;
  if (k == t->vi || k == t->vj || k->used_outside_loop || assigns(n->body, k))
    return false;
  int nargs = 0;
  for (Node *a = n->iter->args; a; a = a->next) {
    if (a->kind == ND_KEYWORD)
      continue;
    int64_t step;
    if (++nargs == 3 && !(const_int(a, &step) && step == 1))
      return false;
    if (nargs < 3 && !fixed_bound(a, n->body))
      return false;
  }
  return true;
}

static int panel_bytes(const Panel *p, int kc) {
  int size = ty_size(p->x->ty->elem);
  return (((p->jside ? APPY_TILE_J : APPY_TILE_I) + APPY_TILE_PAD) * kc * size + 7) / 8 * 8;
}

// The subscripts of expression tree n that loop k of region r can read from panels:
// x[i, k], x[k, i], x[j, k], x[k, j] with x two-dimensional and never stored into in r.
// *used: panel memory of this loop so far, with kc steps per chunk; *missed: subscripts
// left without a panel for want of memory.
static void panel_refs(Tiling *t, Node *n, Node *loop, Region *r, int kc, int *used, int *missed) {
  for (; n; n = n->next) {
    Var *k = loop->target->var;
    if (n->kind == ND_SUBSCRIPT && !n->name && n->nargs == 2 && n->var->ty->kind == TY_ARRAY &&
        n->var->ty->ndim == 2 && n->args->kind == ND_NAME && n->args->next->kind == ND_NAME &&
        t->nref < 64 && !region_writes(r, n->var)) {
      Var *a = n->args->var, *b = n->args->next->var;
      bool kfirst = a == k, ok = (a == k) != (b == k);
      Var *ij = kfirst ? b : a;
      if (ok && (ij == t->vi || ij == t->vj)) {
        Panel want = {.x = n->var, .jside = ij == t->vj, .kfirst = kfirst, .loop = loop};
        int p = 0;
        while (p < t->npanel && !(t->panel[p].loop == loop && t->panel[p].x == want.x &&
                                  t->panel[p].jside == want.jside &&
                                  t->panel[p].kfirst == want.kfirst))
          p++;
        if (p == t->npanel && t->npanel < 16 && *used + panel_bytes(&want, kc) <= APPY_TILE_SHARED) {
          *used += panel_bytes(&want, kc);
          t->panel[t->npanel++] = want;
        }
        if (p < t->npanel) {
          t->ref[t->nref] = n;
          t->of[t->nref++] = p;
          continue;
        }
        (*missed)++;
      }
    }
    Node *kids[] = {n->lhs, n->rhs, n->args, n->cond, n->body, n->orelse};
    for (size_t q = 0; q < sizeof kids / sizeof *kids; q++)
      panel_refs(t, kids[q], loop, r, kc, used, missed);
  }
}

int panel_of(const Tiling *t, Node *n) {
  for (int q = 0; q < t->nref; q++)
    if (t->ref[q] == n)
      return t->of[q];
  return -1;
}

// Adds the products of e (a sum or difference of x * y, x and y float64 panels of loop,
// one across i and one across j) to *m, subtracted if neg; false if e is anything else.
static bool dmma_terms(const Tiling *t, Node *e, Node *loop, bool neg, Dmma *m) {
  if (e->kind == ND_UNARY && !strcmp(e->op, "-"))
    return dmma_terms(t, e->lhs, loop, !neg, m);
  if (e->kind != ND_BINOP)
    return false;
  if (!strcmp(e->op, "+") || !strcmp(e->op, "-"))
    return dmma_terms(t, e->lhs, loop, neg, m) &&
           dmma_terms(t, e->rhs, loop, neg != !strcmp(e->op, "-"), m);
  if (strcmp(e->op, "*") || m->nterm == 4)
    return false;
  int x = panel_of(t, e->lhs), y = panel_of(t, e->rhs);
  if (x < 0 || y < 0 || t->panel[x].loop != loop || t->panel[y].loop != loop ||
      t->panel[x].jside == t->panel[y].jside || t->panel[x].x->ty->elem->kind != TY_FLOAT64 ||
      t->panel[y].x->ty->elem->kind != TY_FLOAT64)
    return false;
  m->a[m->nterm] = t->panel[x].jside ? y : x;
  m->b[m->nterm] = t->panel[x].jside ? x : y;
  m->neg[m->nterm++] = neg;
  return true;
}

// Whether jammed loop n of region r can run on the tensor cores (Dmma), and how (*m).
static bool dmma_plan(const Tiling *t, Region *r, Node *n, Dmma *m) {
  memset(m, 0, sizeof *m);
  Node *s = n->body;
  if (s->next || s->kind != ND_AUGASSIGN || s->lhs->kind != ND_NAME ||
      (strcmp(s->op, "+") && strcmp(s->op, "-")))
    return false;
  Var *v = s->lhs->var;
  bool own = false;   // one per element of the thread (tile_kernel)
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    own |= rv->var == v && rv->sharing == SH_PRIVATE;
  if (!own || v->ty->kind != TY_FLOAT64 || v == t->vi || v == t->vj ||
      !dmma_terms(t, s->rhs, n, !strcmp(s->op, "-"), m)) {
    m->nterm = 0;
    return false;
  }
  m->acc = v;
  return true;
}

// Whether the nest of region r runs in tiles, and how (*t).
static bool tile_plan(Region *r, Tiling *t) {
  memset(t, 0, sizeof *t);
  if (r->collapse != 2 || r->raises)
    return false;
  Var *vars[8];
  region_loop_vars(r, vars);
  t->vi = vars[0];
  t->vj = vars[1];
  t->body = r->loop->body->body;
  if (t->body->kind == ND_IF && !t->body->next && !t->body->orelse) {
    t->cond = t->body->cond;
    t->body = t->body->body;
  }
  for (Node *s = t->body; s && t->nchunk < 16; s = s->next) {
    if (!jam_loop(s, t))
      continue;
    // The most steps per chunk (16, 8, 4) whose panels all fit, with at most 8 elements
    // of 8 bytes per thread in flight to the next chunk (the registers that prefetch takes).
    int nref = t->nref, npanel = t->npanel, used = 0, missed = 0, kc = APPY_TILE_K;
    for (;; kc /= 2) {
      t->nref = nref;
      t->npanel = npanel;
      used = missed = 0;
      panel_refs(t, s->body, s, r, kc, &used, &missed);
      int ahead = 0;
      for (int p = npanel; p < t->npanel; p++)
        ahead += panel_bytes(&t->panel[p], kc) / (APPY_TILE_THREADS * 8);
      if (kc == APPY_TILE_K / 4 || (!missed && ahead <= 8))
        break;
    }
    // On the tensor cores, 8 steps per chunk: with 16, the JIT gave the kernel 164
    // registers (one block per SM) and it ran slower than without them (docs/performance.md).
    Chunk *c = &t->chunk[t->nchunk++];
    *c = (Chunk){s, kc, {0}};
    if (dmma_plan(t, r, s, &c->mma) && kc == APPY_TILE_K)
      c->kc = APPY_TILE_K / 2;
  }
  return t->nref > 0;
}

// A scalar that region r (or a loop marked in its body n) reduces and no GPU kernel's
// reduction takes (appy/group.h's are of integers and floats: not bools), or NULL.
static Var *unreducible(Region *r, Node *n) {
  for (RegionVar *rv = r ? r->vars : NULL; rv; rv = rv->next)
    if (rv->sharing == SH_REDUCTION && !ty_is_number(rv->var->ty))
      return rv->var;
  for (; n; n = n->next) {
    Var *v = n->kind == ND_FOR && n->region && n->region->inner ? unreducible(n->region, NULL)
                                                                 : NULL;
    if (v || (v = unreducible(NULL, n->body)) || (v = unreducible(NULL, n->orelse)))
      return v;
  }
  return NULL;
}

//
// The plan
//

// Why a clang region in group mode, or one reducing bools, keeps the teams form: its
// words for --explain, or NULL.
static const char *why_teams(Arena *a, Region *r, const Options *opt, Shape shape) {
  if (opt->target != TARGET_CLANG || shape == SHAPE_GROUP || shape == SHAPE_REDUCE)
    return NULL;
  Var *odd = unreducible(r, r->loop->body);
  if (odd)
    return arena_printf(a, "it reduces a bool (%s), and the GPU kernels reduce integers and "
                        "floats only; an OpenMP reduction instead",
                        odd->temp ? "np.max or np.min of bools" : arena_printf(a, "'%s'", odd->name));
  if (r->group)
    return r->collapse > 1 ? "collapsed loops"
                           : "a reduction or shared(...) scalar of the parallel loop, or a "
                             "statement storing both names and elements";
  return NULL;
}

// The shape of outermost region r's kernel, and what that shape needs.
static void plan_shape(Arena *a, Region *r, const Options *opt, Plan *p) {
  if (bare_ok(r, opt)) {
    p->shape = SHAPE_GROUP;
  } else if (bare_reduce_ok(r, opt)) {
    p->shape = SHAPE_REDUCE;
  } else if (bare_loop_ok(r, opt)) {
    Var *vars[8];
    RegionVar *scatter[64];
    p->shape = SHAPE_LOOP;
    p->nscatter = scatter_targets(r, vars, region_loop_vars(r, vars), scatter);
    p->scatter = arena_alloc(a, sizeof(RegionVar *) * (size_t)(p->nscatter + 1));
    memcpy(p->scatter, scatter, sizeof(RegionVar *) * (size_t)p->nscatter);
    Tiling *t = arena_alloc(a, sizeof(Tiling));
    if (!p->nscatter && tile_plan(r, t)) {
      p->shape = SHAPE_TILES;
      p->tiling = t;
    }
  } else {
    p->shape = SHAPE_TEAMS;
  }
  p->why_teams = why_teams(a, r, opt, p->shape);
}

// The plans of the marked loops in statements n of a group-mode region: the teams form,
// their threads sharing the loop. vars: the loop variables of the parallel loops around.
static void plan_inner(Arena *a, Node *n, const Options *opt, Var **vars, int nvars) {
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && n->region && n->region->inner && nvars < 16) {
      Region *r = n->region;
      vars[nvars] = r->loop->target->var;
      r->plan = arena_alloc(a, sizeof(Plan));
      r->plan->shape = SHAPE_TEAMS;
      plan_simd(r, opt, vars, nvars + 1, r->plan);
      plan_inner(a, n->body, opt, vars, nvars + 1);
      continue;
    }
    plan_inner(a, n->body, opt, vars, nvars);
    plan_inner(a, n->orelse, opt, vars, nvars);
  }
}

static bool is_subscript(Node *n, void *ctx) {
  (void)ctx;
  return n->kind == ND_SUBSCRIPT;
}

void plan(Arena *a, Instance *inst, const Options *opt) {
  for (int i = 0; i < inst->nregions; i++) {
    Region *r = &inst->regions[i];
    Var *vars[24];
    int nvars = region_loop_vars(r, vars);
    // --boundscheck: a subscript out of range fails as a raise does (appy_failed), which
    // rules out the forms that cannot report it (tiles).
    if (opt->boundscheck &&
        (tree_any(r->loop->iter, is_subscript, NULL) || tree_any(r->loop->body, is_subscript, NULL)))
      r->raises = true;
    r->plan = arena_alloc(a, sizeof(Plan));
    plan_shape(a, r, opt, r->plan);
    plan_simd(r, opt, vars, nvars, r->plan);
    if (r->group)
      plan_inner(a, r->loop->body, opt, vars, nvars);
  }
}
