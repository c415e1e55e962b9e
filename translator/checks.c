// checks.c: the extents of array arguments that a call must have, found in its loops.
//
// `for i in range(a.shape[0]): c[i] = a[i] + b[i]` reads b and writes c at every index of
// a: called with a shorter b or c, CPython raises IndexError and the compiled loop would
// read or write past the array. Where the loops make such a subscript certain (it runs on
// every iteration of loops whose bounds the call fixes, and its index is affine in their
// variables), the call can compare the extents before anything runs: codegen.c writes the
// checks, appy_extent (runtime) raises ValueError naming the argument. Only certain ones:
// a call that CPython would run to the end is never refused.
#include "translator.h"

#include <string.h>

typedef struct {
  Arena *arena;         // Allocation
  Instance *inst;       // Instance whose checks these are
  Node *loops[MAXLOOPS]; // Loops around the statement being looked at, outermost first
  int nloops;           // Count
  ShapeCheck **end;     // Where the next check goes
  Node *before;         // The top-level statement the checks found now go before (NULL:
                        // the function's start, while no earlier one may return)
} Finder;

// A parameter that keeps its value through the call: what the call was given.
static bool fixed_param(Finder *f, Var *v) {
  return v && v->kind == VAR_PARAM && !assigns(f->inst->body, v);
}

// An integer expression of values the call fixes: literals, integer parameters, the
// extents and sizes of array parameters, and sums, differences and products of them.
static bool invariant(Finder *f, Node *n) {
  int64_t c;
  switch (n->kind) {
  case ND_NUM: return const_int(n, &c);
  case ND_NAME: return ty_is_int(n->ty) && fixed_param(f, n->var);
  case ND_SUBSCRIPT: return n->name && fixed_param(f, n->var);   // A.shape[k]
  case ND_ATTR: return !strcmp(n->name, "size") && n->lhs->kind == ND_NAME &&
                       fixed_param(f, n->lhs->var);
  case ND_CALL: return n->name && !strcmp(n->name, "len") && n->args->kind == ND_NAME &&
                       fixed_param(f, n->args->var);
  case ND_UNARY: return !strcmp(n->op, "-") && invariant(f, n->lhs);
  case ND_BINOP:
    return (!strcmp(n->op, "+") || !strcmp(n->op, "-") || !strcmp(n->op, "*")) &&
           invariant(f, n->lhs) && invariant(f, n->rhs);
  default: return false;
  }
}

// The loop around the statement whose variable n is, or -1.
static int loop_of(Finder *f, Node *n) {
  for (int k = 0; k < f->nloops; k++)
    if (n->kind == ND_NAME && n->var == f->loops[k]->target->var)
      return k;
  return -1;
}

static void add_term(Finder *f, ShapeCheck *c, Node *n, int64_t mult) {
  Term *t = arena_alloc(f->arena, sizeof(Term));
  t->n = n;
  t->mult = mult;
  t->next = c->terms;
  c->terms = t;
}

// Adds mult * n to c's index (c->coef * the variable of c->loop + c->terms); false if n
// is not affine in one loop variable.
static bool affine(Finder *f, Node *n, int64_t mult, ShapeCheck *c) {
  int64_t k;
  int l = loop_of(f, n);
  if (l >= 0) {
    if (c->loop && c->loop != f->loops[l])
      return false;
    c->loop = f->loops[l];
    c->coef += mult;
    return true;
  }
  if (const_int(n, &k)) {
    c->kmin = c->kmax = c->kmin + mult * k;
    return true;
  }
  if (invariant(f, n)) {
    add_term(f, c, n, mult);
    return true;
  }
  if (n->kind == ND_UNARY && !strcmp(n->op, "-"))
    return affine(f, n->lhs, -mult, c);
  if (n->kind != ND_BINOP || !ty_is_int(n->ty))
    return false;
  if (!strcmp(n->op, "+") || !strcmp(n->op, "-"))
    return affine(f, n->lhs, mult, c) && affine(f, n->rhs, !strcmp(n->op, "-") ? -mult : mult, c);
  if (!strcmp(n->op, "*") && const_int(n->lhs, &k))
    return affine(f, n->rhs, mult * k, c);
  if (!strcmp(n->op, "*") && const_int(n->rhs, &k))
    return affine(f, n->lhs, mult * k, c);
  return false;
}

// `stop` is A.shape[dim] or len(A) (dim 0), less a constant >= 0 (*less).
static bool extent_less(Node *stop, Var *a, int dim, int64_t *less) {
  *less = 0;
  if (stop->kind == ND_BINOP && !strcmp(stop->op, "-") && const_int(stop->rhs, less) && *less >= 0)
    stop = stop->lhs;
  if (stop->kind == ND_SUBSCRIPT && stop->name)
    return stop->var == a && stop->ival == dim;
  return stop->kind == ND_CALL && stop->name && !strcmp(stop->name, "len") && dim == 0 &&
         stop->args->kind == ND_NAME && stop->args->var == a;
}

// Does the check always hold? `A[i + d]` for i in range(s, A.shape[k] - e), s, d and e
// constants, with s + d >= 0 and d <= e: the loop is written for the array it indexes.
static bool holds(ShapeCheck *c) {
  Node *start, *stop;
  int64_t step, s = 0, e;
  if (!c->loop || c->coef != 1 || !range_args(c->loop, &start, &stop, &step) || step != 1 ||
      (start && !const_int(start, &s)) || !extent_less(stop, c->array, c->dim, &e))
    return false;
  if (c->terms)
    return false;
  return s + c->kmin >= 0 && c->kmax <= e;
}

static bool same_terms(Term *a, Term *b) {
  for (; a && b; a = a->next, b = b->next)
    if (a->mult != b->mult || !same_expr(a->n, b->n))
      return false;
  return !a && !b;
}

// Check c is o's but for its constant: o's constants widened to take c's in.
static bool merge(ShapeCheck *o, ShapeCheck *c) {
  if (o->array != c->array || o->dim != c->dim || o->loop != c->loop || o->coef != c->coef ||
      o->before != c->before ||
      o->nloops != c->nloops || memcmp(o->loops, c->loops, sizeof o->loops) ||
      !same_terms(o->terms, c->terms))
    return false;
  o->kmin = c->kmin < o->kmin ? c->kmin : o->kmin;
  o->kmax = c->kmax > o->kmax ? c->kmax : o->kmax;
  return true;
}

// The checks of subscript n's indices.
static void subscript(Finder *f, Node *n) {
  int dim = 0;
  for (Node *i = n->args; i; i = i->next, dim++) {
    if (i->kind == ND_SLICE)
      continue;
    ShapeCheck *c = arena_alloc(f->arena, sizeof(ShapeCheck));
    *c = (ShapeCheck){.array = n->var, .dim = dim, .at = n, .index = i, .nloops = f->nloops,
                      .before = f->before};
    memcpy(c->loops, f->loops, sizeof c->loops);
    if (!affine(f, i, 1, c) || holds(c))
      continue;
    bool merged = false;
    for (ShapeCheck *o = f->inst->checks; o && !merged; o = o->next)
      merged = merge(o, c);
    if (!merged) {
      *f->end = c;
      f->end = &c->next;
    }
  }
}

static void expression(Finder *f, Node *n);

static void expressions(Finder *f, Node *n) {
  for (; n; n = n->next)
    expression(f, n);
}

// The subscripts expression n certainly evaluates: not those of a branch of `x if c else
// y`, of the right operand of `and` / `or`, or of a chained comparison past its first.
static void expression(Finder *f, Node *n) {
  if (!n)
    return;
  switch (n->kind) {
  case ND_SUBSCRIPT:
    if (!n->name && n->lhs->kind == ND_NAME && n->var && n->var->ty->kind == TY_ARRAY &&
        fixed_param(f, n->var))
      subscript(f, n);
    expressions(f, n->args);
    return;
  case ND_IFEXP: expression(f, n->cond); return;
  case ND_BOOLOP: expression(f, n->lhs); return;
  case ND_COMPARE: expression(f, n->lhs); expression(f, n->args); return;
  case ND_CALL: case ND_TUPLE: case ND_LIST: expressions(f, n->args); return;
  case ND_BINOP: expression(f, n->rhs); expression(f, n->lhs); return;
  case ND_UNARY: case ND_NOT: expression(f, n->lhs); return;
  default: return;
  }
}

// Statement n may leave the list it is in, or the loop around it, early.
static bool leaves(Node *n) {
  if (n->kind == ND_RETURN || n->kind == ND_BREAK || n->kind == ND_CONTINUE)
    return true;
  for (Node *b = n->body; b; b = b->next)
    if (leaves(b))
      return true;
  for (Node *b = n->orelse; b; b = b->next)
    if (leaves(b))
      return true;
  return false;
}

// A loop that runs all its iterations over a range the call fixes.
static bool fixed_loop(Finder *f, Node *n) {
  Node *start, *stop;
  int64_t step;
  return f->nloops < MAXLOOPS && range_args(n, &start, &stop, &step) &&
         (!start || invariant(f, start)) && invariant(f, stop) &&
         !assigns(n->body, n->target->var);
}

static void statements(Finder *f, Node *n);

// The subscripts statement n certainly evaluates (n does not leave its list early).
static void statement(Finder *f, Node *n) {
  switch (n->kind) {
  case ND_FOR:
    if (fixed_loop(f, n)) {
      f->loops[f->nloops++] = n;
      statements(f, n->body);
      f->nloops--;
    }
    break;
  case ND_ASSIGN:
    expressions(f, n->args);
    expression(f, n->rhs);
    break;
  case ND_AUGASSIGN:
    expression(f, n->lhs);
    expression(f, n->rhs);
    break;
  case ND_EXPR_STMT: expression(f, n->lhs); break;
  case ND_IF: case ND_WHILE: expression(f, n->cond); break;   // evaluated once at least
  default: break;
  }
}

// The statements of list n that certainly run, up to the first that may leave the list.
static void statements(Finder *f, Node *n) {
  for (; n && !leaves(n); n = n->next)
    statement(f, n);
}

bool range_args(Node *loop, Node **start, Node **stop, int64_t *step) {
  Node *args[3] = {NULL, NULL, NULL};
  int n = 0;
  for (Node *a = loop->iter->args; a; a = a->next)
    if (a->kind != ND_KEYWORD && n < 3)
      args[n++] = a;
  *step = 1;
  *start = n >= 2 ? args[0] : NULL;
  *stop = n >= 2 ? args[1] : args[0];
  return n >= 1 && (n < 3 || (const_int(args[2], step) && *step != 0));
}

// The function's statements: after one that may return, the checks of each go right
// before it (a call that returns early needs none of them).
void find_checks(Arena *a, Instance *inst) {
  Finder f = {.arena = a, .inst = inst, .end = &inst->checks};
  inst->checks = NULL;
  for (Node *n = inst->body; n; n = n->next) {
    if (leaves(n)) {
      f.before = n->next;
      continue;
    }
    if (f.before)
      f.before = n;
    statement(&f, n);
  }
}
