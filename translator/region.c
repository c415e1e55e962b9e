/* region.c: read/write sets, reductions and dependences of parallel loops.
 *
 * For each outermost parallel loop, walks its body in execution order tracking which
 * scalars are definitely assigned in the current iteration. A scalar written in the
 * loop is then private (assigned before any read), a reduction (only updated as
 * `s op= e`, `s = s op e` or `s = max(s, e)`), shared (named in shared(...)), or an
 * error: its value would flow from one iteration to another. */
#include "translator.h"

#include <string.h>

typedef struct {
  bool read;          // Scalar read before assignment, outside reduction updates
  bool written;       // Assigned (or updated) somewhere in the region
  bool plain_write;   // Assigned other than by a reduction update
  int updates;        // Reduction-form updates made while not yet assigned
  const char *redop;  // Operator of those updates ("+", "*", "max", "min"; "?" if mixed)
  bool elem_read;     // Array: an element is read
  bool elem_written;  // Array: an element is written
  bool full_write;    // Array: written at every index of the iteration space
  bool touched;       // Appears in the region at all
  Node *first;        // First mention, for messages
} Acc;

typedef struct {
  Arena *arena;      // Allocation
  Diags *diags;      // Reports
  Instance *inst;    // Instance analysed
  int nvars;         // Number of variables
  Acc *acc;          // Per variable, indexed by Var position
  Var **loopvars;    // Loop variables of the collapsed loops
  Node **loops;      // The collapsed loops, outermost first
  int depth;         // Collapse depth
} Walk;

static int var_index(Walk *w, Var *v) {
  int i = 0;
  for (Var *p = w->inst->vars; p; p = p->next, i++)
    if (p == v)
      return i;
  return -1;
}

// Reads in an expression: scalars are checked against the definitely-assigned set.
static void reads(Walk *w, Node *n, const bool *da) {
  if (!n)
    return;
  if (n->kind == ND_NAME && n->var) {
    int i = var_index(w, n->var);
    Acc *a = &w->acc[i];
    a->touched = true;
    if (!a->first)
      a->first = n;
    if (ty_is_scalar(n->var->ty) && !da[i])
      a->read = true;
    return;
  }
  if (n->kind == ND_SUBSCRIPT && n->var && n->name == NULL) {
    Acc *a = &w->acc[var_index(w, n->var)];
    a->touched = true;
    a->elem_read = true;
    if (!a->first)
      a->first = n;
    for (Node *i = n->args; i; i = i->next)
      reads(w, i, da);
    return;
  }
  for (Node *a = n->args; a; a = a->next)
    reads(w, a, da);
  reads(w, n->lhs, da);
  reads(w, n->rhs, da);
  reads(w, n->cond, da);
  reads(w, n->body, da);
  reads(w, n->orelse, da);
}

// Operator of a reduction update of v by `v = rhs`, or NULL.
static const char *reduction_form(Node *rhs, Var *v) {
  if (rhs->kind == ND_BINOP) {
    bool left = rhs->lhs->kind == ND_NAME && rhs->lhs->var == v && !mentions(rhs->rhs, v);
    bool right = rhs->rhs->kind == ND_NAME && rhs->rhs->var == v && !mentions(rhs->lhs, v);
    if (left && (!strcmp(rhs->op, "+") || !strcmp(rhs->op, "-")))
      return "+";
    if ((left || right) && !strcmp(rhs->op, "*"))
      return "*";
    if (right && !strcmp(rhs->op, "+"))
      return "+";
    return NULL;
  }
  if (rhs->kind == ND_CALL && rhs->name && rhs->nargs == 2 &&
      (!strcmp(rhs->name, "max") || !strcmp(rhs->name, "min"))) {
    Node *a = rhs->args, *b = a->next;
    bool self = (a->kind == ND_NAME && a->var == v && !mentions(b, v)) ||
                (b->kind == ND_NAME && b->var == v && !mentions(a, v));
    return self ? rhs->name : NULL;
  }
  return NULL;
}

static Node *reduction_operand(Node *rhs, Var *v) {
  if (rhs->kind == ND_BINOP)
    return rhs->lhs->kind == ND_NAME && rhs->lhs->var == v ? rhs->rhs : rhs->lhs;
  Node *a = rhs->args;
  return a->kind == ND_NAME && a->var == v ? a->next : a;
}

static void note_update(Acc *a, const char *op) {
  a->updates++;
  a->redop = !a->redop || !strcmp(a->redop, op) ? op : "?";
}

// An element store A[idx] = ...: warn when every iteration writes the same element.
static void store(Walk *w, Node *t, const bool *da, Node *stmt) {
  Acc *a = &w->acc[var_index(w, t->var)];
  a->touched = true;
  a->elem_written = true;
  if (!a->first)
    a->first = t;
  bool varies = false;
  for (Node *i = t->args; i; i = i->next) {
    reads(w, i, da);
    for (int k = 0; k < w->depth; k++)
      varies |= mentions(i, w->loopvars[k]);
    for (Var *v = w->inst->vars; v; v = v->next)
      varies |= ty_is_scalar(v->ty) && w->acc[var_index(w, v)].written && mentions(i, v);
  }
  if (!varies && stmt->kind == ND_ASSIGN && !t->var->buffer)   // a buffer is the team's
    diag_at(w->diags, DIAG_WARNING, stmt->tok->line, stmt->tok->col,
            "every iteration of the parallel loop writes the same element of '%s'; "
            "the result depends on which iteration runs last", t->var->name);
}

static void write_scalar(Walk *w, Var *v, bool *da, bool plain) {
  int i = var_index(w, v);
  Acc *a = &w->acc[i];
  a->touched = a->written = true;
  a->plain_write |= plain;
  da[i] = true;
}

static void walk(Walk *w, Node *n, bool *da);

static void assign(Walk *w, Node *n, bool *da) {
  Node *t = n->args;
  if (n->nargs == 1 && t->kind == ND_NAME && ty_is_scalar(t->var->ty) &&
      !da[var_index(w, t->var)]) {
    const char *op = reduction_form(n->rhs, t->var);
    if (op) {
      reads(w, reduction_operand(n->rhs, t->var), da);
      Acc *a = &w->acc[var_index(w, t->var)];
      a->touched = a->written = true;
      if (!a->first)
        a->first = t;
      note_update(a, op);
      return;
    }
  }
  reads(w, n->rhs, da);
  for (; t; t = t->next) {
    Node *elems = t->kind == ND_TUPLE || t->kind == ND_LIST ? t->args : t;
    for (Node *e = elems; e; e = e == t ? NULL : e->next) {
      if (e->kind == ND_NAME)
        write_scalar(w, e->var, da, true);
      else if (e->kind == ND_SUBSCRIPT)
        store(w, e, da, n);
    }
  }
}

// Iterations that may update one element do it atomically: only some operators can.
static void check_atomic(Walk *w, Node *n) {
  static const char *const ops[] = {"+", "-", "*", "&", "|", "^", "<<", ">>", NULL};
  if (owned_index(n->lhs, w->loopvars, w->depth))
    return;
  bool ok = !strcmp(n->op, "/") && ty_is_float(n->lhs->ty);
  for (const char *const *op = ops; *op; op++)
    ok |= !strcmp(n->op, *op);
  Token *at = n->lhs->lhs->tok;   // the array's name
  if (!ok)
    diag_at(w->diags, DIAG_ERROR, at->line, at->col,
            "several iterations of the parallel loop may update this element of '%s', which "
            "is done atomically, and '%s=' has no atomic form; use +=, -=, *=, &=, |= or ^=",
            n->lhs->var->name, n->op);
  else if (ty_size(n->lhs->ty) < 4 && n->rhs->ty && ty_is_float(n->rhs->ty))
    diag_at(w->diags, DIAG_ERROR, at->line, at->col,
            "several iterations of the parallel loop may update this element of '%s', which "
            "is done atomically, and an atomic update of a %s element takes an integer; "
            "convert the value with int() first", n->lhs->var->name,
            ty_name(w->arena, n->lhs->ty));
}

static void augassign(Walk *w, Node *n, bool *da) {
  if (n->lhs->kind == ND_SUBSCRIPT) {
    reads(w, n->lhs, da);
    reads(w, n->rhs, da);
    store(w, n->lhs, da, n);
    check_atomic(w, n);
    return;
  }
  Var *v = n->lhs->var;
  int i = var_index(w, v);
  bool redop = !strcmp(n->op, "+") || !strcmp(n->op, "-") || !strcmp(n->op, "*");
  if (!da[i] && redop && !mentions(n->rhs, v)) {
    reads(w, n->rhs, da);
    Acc *a = &w->acc[i];
    a->touched = a->written = true;
    if (!a->first)
      a->first = n->lhs;
    note_update(a, n->op[0] == '*' ? "*" : "+");
    return;
  }
  reads(w, n->lhs, da);
  reads(w, n->rhs, da);
  write_scalar(w, v, da, true);
}

static bool ends_in_raise(Node *n) {
  while (n && n->next)
    n = n->next;
  return n && n->kind == ND_RAISE;
}

static void walk_block(Walk *w, Node *n, bool *da) {
  for (; n; n = n->next)
    walk(w, n, da);
}

static void walk(Walk *w, Node *n, bool *da) {
  size_t sz = sizeof(bool) * (size_t)w->nvars;
  switch (n->kind) {
  case ND_ASSIGN: assign(w, n, da); break;
  case ND_AUGASSIGN: augassign(w, n, da); break;
  case ND_IF: {
    reads(w, n->cond, da);
    bool *a = arena_alloc(w->arena, sz), *b = arena_alloc(w->arena, sz);
    memcpy(a, da, sz);
    memcpy(b, da, sz);
    walk_block(w, n->body, a);
    walk_block(w, n->orelse, b);
    for (int i = 0; i < w->nvars; i++)   // a branch that raises never gets past the if
      da[i] = (a[i] || ends_in_raise(n->body)) && (b[i] || ends_in_raise(n->orelse));
    break;
  }
  case ND_WHILE: {
    reads(w, n->cond, da);
    bool *a = arena_alloc(w->arena, sz);
    memcpy(a, da, sz);
    walk_block(w, n->body, a);
    reads(w, n->cond, a);
    break;
  }
  case ND_FOR: {
    reads(w, n->iter, da);
    bool *a = arena_alloc(w->arena, sz);
    memcpy(a, da, sz);
    write_scalar(w, n->target->var, a, true);
    walk_block(w, n->body, a);
    break;
  }
  case ND_RETURN: reads(w, n->lhs, da); break;
  default: break;
  }
}

// A constant, or a temporary of lower.c (set before the loops it makes, not in them).
static bool invariant(Node *e) {
  int64_t c;
  return const_int(e, &c) || (e->kind == ND_NAME && e->var && e->var->temp && !e->var->is_loop_var);
}

// v, v + c, v - c, c + v, c - v and v * k, k * v, recursively, for invariant c and
// constant k != 0 (or a step of lower.c): distinct v, distinct values.
static bool direct(Node *e, Var *v) {
  int64_t k;
  if (e->kind == ND_NAME)
    return e->var == v;
  if (e->kind != ND_BINOP)
    return false;
  if (!strcmp(e->op, "*"))   // a step of lower.c held in a temporary is never zero
    return (direct(e->lhs, v) && ((const_int(e->rhs, &k) && k) || invariant(e->rhs))) ||
           (direct(e->rhs, v) && const_int(e->lhs, &k) && k);
  if (strcmp(e->op, "+") && strcmp(e->op, "-"))
    return false;
  return (direct(e->lhs, v) && invariant(e->rhs)) || (invariant(e->lhs) && direct(e->rhs, v));
}

bool owned_index(Node *target, Var *const *vars, int n) {
  for (int k = 0; k < n; k++) {
    bool found = false;
    for (Node *i = target->args; i; i = i->next)
      found |= direct(i, vars[k]);
    if (!found)
      return false;
  }
  return true;
}

// range(X.shape[k]), range(len(X)) (k = 0), range(X.size) (rank 1), or with start 0.
static bool covers_extent(Node *loop, Var *x, int k) {
  Node *it = loop->iter, *stop = it->args;
  int np = 0;
  for (Node *a = it->args; a; a = a->next)
    np += a->kind != ND_KEYWORD;
  int64_t v;
  if (np == 2 && const_int(it->args, &v) && v == 0)
    stop = it->args->next;
  else if (np != 1)
    return false;
  if (stop->kind == ND_SUBSCRIPT && stop->name && !strcmp(stop->name, "shape"))
    return stop->var == x && stop->ival == k;
  if (stop->kind == ND_CALL && stop->name && !strcmp(stop->name, "len"))
    return k == 0 && stop->args->kind == ND_NAME && stop->args->var == x;
  if (stop->kind == ND_ATTR && !strcmp(stop->name, "size"))
    return k == 0 && x->ty->ndim == 1 && stop->var == x;
  return false;
}

// An array assigned X[i, j] = e at the top of the innermost body, over its whole extent,
// needs no copy in: map(from) suffices.
static void find_full_writes(Walk *w, Node *body) {
  for (Node *s = body; s; s = s->next) {
    if (s->kind != ND_ASSIGN || s->nargs != 1 || s->args->kind != ND_SUBSCRIPT)
      continue;
    Node *t = s->args;
    Var *x = t->var;
    if (x->ty->ndim != w->depth)
      continue;
    bool ok = true;
    int k = 0;
    for (Node *i = t->args; i && ok; i = i->next, k++)
      ok = i->kind == ND_NAME && i->var == w->loopvars[k] && covers_extent(w->loops[k], x, k);
    if (ok)
      w->acc[var_index(w, x)].full_write = true;
  }
}

// A step written as a constant (or none): such loops can be collapsed.
static bool const_step(Node *loop) {
  int n = 0;
  Node *step = NULL;
  for (Node *a = loop->iter->args; a; a = a->next)
    if (a->kind != ND_KEYWORD && ++n == 3)
      step = a;
  int64_t v;
  return !step || const_int(step, &v);
}

// Loops directly nested as the only statement, each parallel, rectangular: collapse.
static int collapse_depth(Node *loop, Node **loops, Var **vars) {
  int depth = 0;
  for (Node *l = loop;;) {
    loops[depth] = l;
    vars[depth++] = l->target->var;
    Node *b = l->body;
    if (depth == 8 || !b || b->next || !is_parallel_for(b) || !const_step(l) || !const_step(b))
      return depth;
    for (int k = 0; k < depth; k++)
      if (mentions(b->iter, vars[k]))
        return depth;
    l = b;
  }
}

static void add_rvar(Region *r, Arena *a, Var *v, Sharing sh, const char *op, Acc *acc) {
  RegionVar *rv = arena_alloc(a, sizeof(RegionVar));
  rv->var = v;
  rv->sharing = sh;
  rv->redop = op;
  rv->read = acc->elem_read;
  rv->written = acc->elem_written;
  rv->full_write = acc->full_write && !acc->elem_read;
  RegionVar **p = &r->vars;
  while (*p)
    p = &(*p)->next;
  *p = rv;
}

// Decides the sharing of a scalar written in the region; false after an error.
static bool classify(Walk *w, Region *r, Pragma *pr, Var *v, Acc *a) {
  bool is_loopvar = false;
  for (int k = 0; k < w->depth; k++)
    is_loopvar |= w->loopvars[k] == v;
  if (is_loopvar)
    return true;
  Node *at = a->first;
  // As in APPy, a shared(...) scalar updated only in a reduction's form is a reduction:
  // its updates must not race. Other shared scalars are left to the user.
  if (clause_names(pr, "shared", v->name)) {
    bool reduction = a->updates && !a->read && !a->plain_write && strcmp(a->redop, "?");
    add_rvar(r, w->arena, v, reduction ? SH_REDUCTION : SH_SHARED, reduction ? a->redop : NULL, a);
    return true;
  }
  if (!a->read && !a->updates) {
    add_rvar(r, w->arena, v, SH_PRIVATE, NULL, a);
    return true;
  }
  if (!a->read && !a->plain_write && strcmp(a->redop, "?")) {
    add_rvar(r, w->arena, v, SH_REDUCTION, a->redop, a);
    return true;
  }
  diag_at(w->diags, DIAG_ERROR, at->tok->line, at->tok->col,
          "'%s' carries a value from one iteration of the parallel loop to the next; "
          "assign it before reading it in each iteration, update it only as a reduction "
          "('%s += ...', '%s = max(%s, ...)'), or name it in shared(%s)",
          v->name, v->name, v->name, v->name, v->name);
  return false;
}

static Region *build_region(Arena *a, Diags *d, Instance *inst, Node *loop, int id, bool inner);

static bool is_raise(Node *n, void *ctx) {
  (void)ctx;
  return n->kind == ND_RAISE;
}

// Gives each outermost marked loop in a group-mode body its own inner region.
static bool find_inner(Arena *a, Diags *d, Instance *inst, Node *n) {
  bool any = false;
  for (; n; n = n->next) {
    if (is_marked_loop(n)) {
      n->region = build_region(a, d, inst, n, -1, true);
      any = true;
    } else if (n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_IF) {
      any |= find_inner(a, d, inst, n->body);
      any |= find_inner(a, d, inst, n->orelse);
    }
  }
  return any;
}

static Region *build_region(Arena *a, Diags *d, Instance *inst, Node *loop, int id, bool inner) {
  Walk w = {.arena = a, .diags = d, .inst = inst};
  for (Var *v = inst->vars; v; v = v->next)
    w.nvars++;
  w.acc = arena_alloc(a, sizeof(Acc) * (size_t)(w.nvars + 1));
  w.loops = arena_alloc(a, sizeof(Node *) * 8);
  w.loopvars = arena_alloc(a, sizeof(Var *) * 8);
  if (inner) {
    w.loops[0] = loop;
    w.loopvars[0] = loop->target->var;
    w.depth = 1;
  } else {
    w.depth = collapse_depth(loop, w.loops, w.loopvars);
  }
  bool *da = arena_alloc(a, sizeof(bool) * (size_t)(w.nvars + 1));
  for (int k = 0; k < w.depth; k++) {
    if (k > 0)
      reads(&w, w.loops[k]->iter, da);
    write_scalar(&w, w.loopvars[k], da, true);
  }
  Node *body = w.loops[w.depth - 1]->body;
  walk_block(&w, body, da);
  find_full_writes(&w, body);

  Region *r = arena_alloc(a, sizeof(Region));
  r->loop = loop;
  r->collapse = w.depth;
  r->id = id;
  r->inner = inner;
  r->raises = stmts_any(body, is_raise, NULL);
  if (!inner)
    r->group = find_inner(a, d, inst, body);
  Pragma *pr = find_pragma(loop, inner ? (find_pragma(loop, "simd") ? "simd" : "workshare")
                                       : "parallel");
  r->simd = pr && strstr(pr->text, "simd");
  int i = 0;
  for (Var *v = inst->vars; v; v = v->next, i++) {
    Acc *acc = &w.acc[i];
    if (!acc->touched)
      continue;
    if (v->ty->kind == TY_ARRAY) {
      if ((acc->elem_read || acc->elem_written) && !v->buffer)   // a scratchpad stays on chip
        add_rvar(r, a, v, SH_SHARED, NULL, acc);
    } else if (acc->written) {
      classify(&w, r, pr, v, acc);
    } else {
      add_rvar(r, a, v, SH_FIRSTPRIVATE, NULL, acc);
    }
  }
  return r;
}

static void collect(Arena *a, Diags *d, Instance *inst, Node *n, Region **list, int *count) {
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && n->parallel) {
      Region *r = build_region(a, d, inst, n, *count, false);
      n->region = r;
      list[(*count)++] = r;
      continue;
    }
    if (n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_IF) {
      collect(a, d, inst, n->body, list, count);
      collect(a, d, inst, n->orelse, list, count);
    }
  }
}

static int count_parallel(Node *n) {
  int c = 0;
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && n->parallel)
      c++;
    else if (n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_IF)
      c += count_parallel(n->body) + count_parallel(n->orelse);
  }
  return c;
}

// Variables private to a parallel loop have no defined value after it (Python would give
// the last iteration's). Scanning the statements after the loop in order, finds whether v
// is read (1) before it is surely assigned (-1); 0: neither yet.
static int read_after(Node *n, Node *loop, Var *v, bool *after, Node **at) {
  for (; n; n = n->next) {
    if (n == loop) {
      *after = true;
      continue;
    }
    bool was_after = *after;
    if (n->kind == ND_FOR && n->region && was_after) {
      RegionVar *rv = n->region->vars;
      while (rv && rv->var != v)
        rv = rv->next;
      if (!rv || rv->sharing == SH_PRIVATE || n->target->var == v)
        continue;   // untouched, or private there too
    }
    if (was_after && n->kind == ND_ASSIGN && !mentions(n->rhs, v)) {
      for (Node *t = n->args; t; t = t->next)
        if (t->kind == ND_NAME && t->var == v)
          return -1;
    }
    if (was_after && (mentions(n->cond, v) || mentions(n->iter, v) || mentions(n->rhs, v) ||
                      (n->kind != ND_ASSIGN && mentions(n->lhs, v)))) {
      *at = n;
      return 1;
    }
    if (was_after && n->kind == ND_RETURN)
      return -1;
    if (n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_IF) {
      int a = read_after(n->body, loop, v, after, at);
      if (a > 0)
        return a;
      int b = n->kind == ND_IF ? read_after(n->orelse, loop, v, after, at) : 0;
      if (b > 0)
        return b;
      if (was_after && n->kind == ND_IF && a < 0 && b < 0)
        return -1;
    }
  }
  return 0;
}

static void check_reads_after(Diags *d, Instance *inst, Region *r) {
  for (RegionVar *rv = r->vars; rv; rv = rv->next) {
    if (rv->sharing != SH_PRIVATE)
      continue;
    bool after = false;
    Node *at = NULL;
    if (read_after(inst->body, r->loop, rv->var, &after, &at) > 0)
      diag_at(d, DIAG_ERROR, at->tok->line, at->tok->col,
              "'%s' is private to each iteration of the parallel loop at line %d, so it has "
              "no value after the loop; assign it after the loop, or name it in shared(%s)",
              rv->var->name, r->loop->tok->line, rv->var->name);
  }
}

void find_regions(Arena *a, Diags *d, Instance *inst) {
  Node *body = inst->body;
  int n = count_parallel(body);
  Region **list = arena_alloc(a, sizeof(Region *) * (size_t)(n + 1));
  int count = 0;
  collect(a, d, inst, body, list, &count);
  inst->regions = arena_alloc(a, sizeof(Region) * (size_t)(n + 1));
  for (int i = 0; i < count; i++) {
    inst->regions[i] = *list[i];
    list[i]->loop->region = &inst->regions[i];
  }
  inst->nregions = count;
  for (int i = 0; i < count; i++)
    check_reads_after(d, inst, &inst->regions[i]);
}

int region_loop_vars(Region *r, Var **out) {
  Node *l = r->loop;
  for (int k = 0; k < r->collapse; k++, l = l->body)
    out[k] = l->target->var;
  return r->collapse;
}

int region_arrays(Region *r, RegionVar **out) {
  int n = 0;
  for (RegionVar *rv = r->vars; rv && n < 64; rv = rv->next)
    if (rv->var->ty->kind == TY_ARRAY)
      out[n++] = rv;
  return n;
}
