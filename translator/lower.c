/* lower.c: statements on arrays and slices become loops over their elements.
 *
 * Runs on an instance's body after typing (sema.c types slices and arithmetic on arrays
 * as array values) and before region analysis. Each such statement becomes loops over
 * elements, fused, with no temporary array:
 *
 *   out[i, :] = np.exp(A[i, :] - m)   ->  for j in range(n): out[i, j] = np.exp(A[i, j] - m)
 *   s = np.sum(A[i, :] * x)            ->  acc = 0
 *                                          for j in range(n): acc += A[i, j] * x[j]
 *                                          s = acc
 *   C *= beta                          ->  for j0 in range(C.shape[0]):
 *                                            for j1 in range(C.shape[1]): C[j0, j1] *= beta
 *
 * Inside a parallel loop the outermost loop made for a statement is marked simd, so the
 * team shares it (group mode); outside parallel loops every loop made is a parallel loop
 * of its own, so host code on arrays runs on the device. Extents that must agree, and are
 * not the same expression, are compared at run time: ValueError, as NumPy raises. */
#include "translator.h"

#include <string.h>

#define MAXDIM MAXRANK   // sema.c makes no array of more dimensions

typedef struct {
  Node *call;   // appy.slice_start(...) / appy.slice_len(...) computed once...
  Var *var;     // ...into this temporary
} Cached;

typedef struct {
  Arena *arena;        // Allocation
  Diags *diags;        // Reports
  Instance *inst;      // Instance lowered
  int ntemps;          // Temporaries made (unique names)
  bool region;         // The statement is inside a parallel loop...
  bool marked;         // ...and inside a marked loop (or one made here) of it
  Node *at;            // Statement being lowered: positions of everything made for it
  Node *pre;           // Statements to run before it
  Node **tail;         // End of that list
  Cached cache[32];    // Slice arithmetic of the statement, computed once
  int ncache;          // Count
  Node *check[32][2];  // Extents that must agree, pairwise
  int nchecks;         // Count
  bool changed;        // Anything lowered
} Lower;

// A view of an array: integer indices fix some dimensions, slices keep the others.
typedef struct {
  Node *array;            // ND_NAME of the array
  int ndim;               // Rank of the array
  Node *index[MAXDIM];    // Per array dimension: the integer index, or NULL for a slice
  Node *start[MAXDIM];    // Per slice: first element (NULL: 0)
  int64_t step[MAXDIM];   // Per slice: step, if constant...
  Node *stepv[MAXDIM];    // ...else the temporary holding it
  Node *extent[MAXDIM];   // Per view dimension: number of elements
  int rank;               // Dimensions of the view
  int dim[MAXDIM];        // View dimension -> array dimension
} View;

static void error(Lower *l, Node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error(Lower *l, Node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_vat(l->diags, DIAG_ERROR, n->tok->line, n->tok->col, fmt, ap);
  va_end(ap);
}

// An error that says the subset lacks what n does (host code may then stay Python).
static void unsupported(Lower *l, Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void unsupported(Lower *l, Node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_kind_vat(l->diags, DK_UNSUPPORTED, NULL, n->tok->line, n->tok->col, fmt, ap);
  va_end(ap);
}

//
// Making nodes
//

// Copy of expression e alone (not the ones after it in its list).
static Node *copy(Lower *l, Node *e) {
  Node *keep = e->next;
  e->next = NULL;
  Node *c = clone_list(l->arena, e);
  e->next = keep;
  return c;
}

static Node *node(Lower *l, NodeKind kind) {
  Node *n = arena_alloc(l->arena, sizeof(Node));
  n->kind = kind;
  n->tok = l->at->tok;
  n->end_line = -1;   // no source comment of its own: the statement's is above it
  return n;
}

static Node *num(Lower *l, int64_t v) {
  Token *t = arena_alloc(l->arena, sizeof(Token));
  *t = *l->at->tok;
  t->kind = TK_NUMBER;
  t->loc = arena_printf(l->arena, "%lld", (long long)v);
  t->len = (int)strlen(t->loc);
  t->is_float = t->is_imag = false;
  t->ival = v;
  t->fval = (double)v;
  Node *n = node(l, ND_NUM);
  n->tok = t;
  return n;
}

static Node *name(Lower *l, const char *s, Var *v) {
  Node *n = node(l, ND_NAME);
  n->name = s;
  n->var = v;
  return n;
}

static Node *var_ref(Lower *l, Var *v) { return name(l, v->name, v); }

static Node *binop(Lower *l, const char *op, Node *a, Node *b) {
  Node *n = node(l, ND_BINOP);
  n->op = op;
  n->lhs = a;
  n->rhs = b;
  return n;
}

static Node *np_attr(Lower *l, const char *attr) {
  Node *n = node(l, ND_ATTR);
  n->lhs = name(l, "np", NULL);
  n->name = attr;
  return n;
}

// callee(args...): args a NULL-terminated list of nodes, linked here.
static Node *call(Lower *l, Node *callee, Node **args) {
  Node *n = node(l, ND_CALL);
  n->lhs = callee;
  Node **tail = &n->args;
  for (; *args; args++, n->nargs++) {
    *tail = *args;
    tail = &(*args)->next;
  }
  return n;
}

static Node *shape_of(Lower *l, Node *array, int d) {
  Node *attr = node(l, ND_ATTR);
  attr->lhs = copy(l, array);
  attr->name = "shape";
  Node *n = node(l, ND_SUBSCRIPT);
  n->lhs = attr;
  n->args = num(l, d);
  n->nargs = 1;
  return n;
}

static Node *assign(Lower *l, Node *target, Node *value) {
  Node *n = node(l, ND_ASSIGN);
  n->args = target;
  n->nargs = 1;
  n->rhs = value;
  return n;
}

static Node *temp(Lower *l, const char *base, Type *ty) {
  const char *s = arena_printf(l->arena, "appy.%s%d", base, ++l->ntemps);
  return var_ref(l, new_temp(l->arena, l->inst, s, ty));
}

static void emit(Lower *l, Node *stmt) {
  *l->tail = stmt;
  while (stmt->next)
    stmt = stmt->next;
  l->tail = &stmt->next;
}

static Pragma *mark(Lower *l, const char *text) {
  Pragma *p = arena_alloc(l->arena, sizeof(Pragma));
  p->text = text;
  p->used = true;
  p->own_line = true;
  p->line = l->at->tok->line;
  p->col = l->at->tok->col;
  return p;
}

static Node *for_loop(Lower *l, Node *var, Node *extent, Node *body, const char *pragma) {
  Node *n = node(l, ND_FOR);
  n->target = var;
  n->iter = call(l, name(l, "range", NULL), (Node *[]){extent, NULL});
  n->body = body;
  if (pragma) {
    n->pragma = mark(l, pragma);
    n->npragmas = 1;
  }
  return n;
}

//
// Views
//

static bool is_array(Node *n) { return n && n->ty && n->ty->kind == TY_ARRAY; }

static bool is_alloc(Node *n) {   // np.empty & co, appy.buffer
  return n->kind == ND_CALL && n->name && (!strncmp(n->name, "alloc:", 6) || !strcmp(n->name, "buffer"));
}

// An array value that is an array or a view of one, rather than computed.
static bool is_view(Node *n) {
  return is_array(n) && (n->kind == ND_NAME || (n->kind == ND_SUBSCRIPT && n->lhs->kind == ND_NAME));
}

// The array (ND_NAME) that view n is of.
static Node *viewed(Node *n) { return n->kind == ND_NAME ? n : n->lhs; }

// The temporary holding appy.FN(args), made once per statement.
// The int64 temporary holding value, assigned once per statement; *made says whether this
// call assigned it.
static Node *once(Lower *l, Node *value, const char *base, bool *made) {
  *made = false;
  for (int i = 0; i < l->ncache; i++)
    if (same_expr(l->cache[i].call, value))
      return var_ref(l, l->cache[i].var);
  Node *t = temp(l, base, ty_int64);
  emit(l, assign(l, t, copy(l, value)));
  if (l->ncache < 32)
    l->cache[l->ncache++] = (Cached){value, t->var};
  *made = true;
  return var_ref(l, t->var);
}

static Node *slice_value(Lower *l, const char *fn, Node *lo, Node *hi, Node *step, Node *n) {
  Node *c = call(l, name(l, arena_printf(l->arena, "appy.%s", fn), NULL),
                 (Node *[]){lo ? copy(l, lo) : node(l, ND_NONE),
                            hi ? copy(l, hi) : node(l, ND_NONE), step, n,
                            NULL});
  bool made;
  return once(l, c, !strcmp(fn, "slice_len") ? "len" : "start", &made);
}

static Node *compare(Lower *l, Node *a, const char *op, Node *b) {
  Node *n = node(l, ND_COMPARE);
  n->lhs = a;
  n->args = b;
  n->nargs = 1;
  n->ops = arena_alloc(l->arena, sizeof(char *));
  n->ops[0] = op;
  return n;
}

static Node *and(Lower *l, Node *a, Node *b) {
  if (!a)
    return b;
  Node *n = node(l, ND_BOOLOP);
  n->op = "and";
  n->lhs = a;
  n->rhs = b;
  return n;
}

// raise ValueError(message); the number tells the checks of a parallel loop apart.
static Node *raise(Lower *l, const char *message) {
  Node *n = node(l, ND_RAISE);
  n->name = message;
  n->ival = ++l->ntemps;
  return n;
}

// if cond: body else: raise ValueError(message)
static Node *unless(Lower *l, Node *cond, Node *body, const char *message) {
  Node *n = node(l, ND_IF);
  n->cond = cond;
  n->body = body;
  n->orelse = raise(l, message);
  return n;
}

// A step known at run time, in a temporary (once per statement); zero raises ValueError.
static Node *step_value(Lower *l, Node *step) {
  bool made;
  Node *t = once(l, copy(l, step), "step", &made);
  if (made) {   // if step == 0: raise
    Node *check = node(l, ND_IF);
    check->cond = compare(l, var_ref(l, t->var), "==", num(l, 0));
    check->body = raise(l, "slice step cannot be zero");
    emit(l, check);
  }
  return t;
}

static void view_of(Lower *l, Node *e, View *v) {
  Node *arr = viewed(e);
  *v = (View){.array = arr, .ndim = arr->var->ty->ndim};
  Node *idx = e->kind == ND_SUBSCRIPT ? e->args : NULL;
  for (int d = 0; d < v->ndim && d < MAXDIM; d++, idx = idx ? idx->next : NULL) {
    if (idx && idx->kind != ND_SLICE) {
      v->index[d] = idx;
      continue;
    }
    int k = v->rank++;
    v->dim[k] = d;
    v->step[d] = 1;
    Node *n = shape_of(l, arr, d);
    if (!idx || (!idx->lo && !idx->hi && !idx->step)) {   // ':' or a dimension not indexed
      v->extent[k] = n;
      continue;
    }
    if (idx->step && idx->step->kind != ND_NONE && !const_int(idx->step, &v->step[d]))
      v->stepv[d] = step_value(l, idx->step);
    Node *step = v->stepv[d] ? var_ref(l, v->stepv[d]->var) : num(l, v->step[d]);
    if (idx->lo || v->step[d] != 1 || v->stepv[d])
      v->start[d] = slice_value(l, "slice_start", idx->lo, idx->hi, step, shape_of(l, arr, d));
    v->extent[k] = slice_value(l, "slice_len", idx->lo, idx->hi, copy(l, step), n);
  }
}

// Element of view v at loop variables js (one per view dimension).
static Node *element(Lower *l, View *v, Node **js) {
  Node *n = node(l, ND_SUBSCRIPT);
  n->lhs = copy(l, v->array);
  Node **tail = &n->args;
  int k = 0;
  for (int d = 0; d < v->ndim; d++) {
    Node *i;
    if (v->index[d]) {
      i = copy(l, v->index[d]);
    } else {
      int64_t step = v->step[d];
      i = copy(l, js[k++]);
      if (v->stepv[d])
        i = binop(l, "*", i, var_ref(l, v->stepv[d]->var));
      else if (step != 1 && step != -1)
        i = binop(l, "*", i, num(l, step < 0 ? -step : step));
      if (v->start[d])
        i = binop(l, step < 0 ? "-" : "+", copy(l, v->start[d]), i);
    }
    *tail = i;
    tail = &i->next;
    n->nargs++;
  }
  return n;
}

// Extents of the iteration space of array value e: those of its view of highest rank.
static int space_of(Lower *l, Node *e, Node **extents, int best) {
  if (!e || !is_array(e))
    return best;
  if (is_view(e)) {
    if (e->ty->ndim > best) {
      View v;
      view_of(l, e, &v);
      for (int k = 0; k < v.rank; k++)
        extents[k] = v.extent[k];
      best = v.rank;
    }
    return best;
  }
  // Down the left operands in a loop (chains, a + b + c ..., are deep), then the right
  // operands and arguments from the innermost up, as a recursion would.
  int n = 0;
  for (Node *y = e; is_array(y) && !is_view(y); y = y->lhs)
    n++;
  Node **op = arena_alloc(l->arena, sizeof(Node *) * (size_t)n);
  op[0] = e;
  for (int k = 1; k < n; k++)
    op[k] = op[k - 1]->lhs;
  best = space_of(l, op[n - 1]->lhs, extents, best);
  for (int k = n - 1; k >= 0; k--) {
    best = space_of(l, op[k]->rhs, extents, best);
    for (Node *a = op[k]->args; a; a = a->next)
      best = space_of(l, a, extents, best);
  }
  return best;
}

// An extent known at translation: a constant, or the size of an appy.buffer.
static bool known_extent(Node *e, int64_t *v) {
  if (const_int(e, v))
    return true;
  if (e->kind == ND_SUBSCRIPT && e->lhs->kind == ND_ATTR && e->lhs->lhs->kind == ND_NAME &&
      e->lhs->lhs->var && e->lhs->lhs->var->buffer) {
    *v = e->lhs->lhs->var->buffer;
    return true;
  }
  return false;
}

static void require_equal(Lower *l, Node *a, Node *b) {
  int64_t ka, kb;
  if (same_expr(a, b))
    return;
  if (known_extent(a, &ka) && known_extent(b, &kb)) {
    if (ka != kb)
      error(l, l->at, "operands could not be broadcast together: extents %lld and %lld",
            (long long)ka, (long long)kb);
    return;
  }
  for (int i = 0; i < l->nchecks; i++)
    if (same_expr(l->check[i][0], a) && same_expr(l->check[i][1], b))
      return;
  if (l->nchecks == 32) {
    error(l, l->at, "too many array extents to compare in one statement; split it");
    return;
  }
  l->check[l->nchecks][0] = copy(l, a);
  l->check[l->nchecks++][1] = copy(l, b);
}

// Copy of e with every array in it replaced by its element at js (rank of the space:
// views of lower rank line up with its last dimensions, as NumPy broadcasts).
static Node *at_element(Lower *l, Node *e, Node **js, Node **extents, int rank) {
  if (!is_array(e))
    return copy(l, e);
  if (is_view(e)) {
    View v;
    view_of(l, e, &v);
    int skip = rank - v.rank;
    for (int k = 0; k < v.rank; k++)
      require_equal(l, v.extent[k], extents[skip + k]);
    return element(l, &v, js + skip);
  }
  // The operations down the left operands in a loop (chains, a + b + c ..., are deep),
  // made from the innermost up: each left operand before its right one and arguments.
  int n = 0;
  for (Node *y = e; y && is_array(y) && !is_view(y); y = y->lhs) {
    n++;
    if (y->kind == ND_CALL)
      break;
  }
  Node **op = arena_alloc(l->arena, sizeof(Node *) * (size_t)n);
  op[0] = e;
  for (int k = 1; k < n; k++)
    op[k] = op[k - 1]->lhs;
  Node *last = op[n - 1];
  Node *made = last->kind == ND_CALL ? copy(l, last->lhs)
               : last->lhs         ? at_element(l, last->lhs, js, extents, rank)
                                   : NULL;
  for (int k = n - 1; k >= 0; k--) {
    Node *m = arena_alloc(l->arena, sizeof(Node));
    *m = *op[k];
    m->next = NULL;
    m->lhs = made;
    m->rhs = op[k]->rhs ? at_element(l, op[k]->rhs, js, extents, rank) : NULL;
    Node **tail = &m->args;
    for (Node *a = op[k]->args; a; a = a->next) {
      *tail = at_element(l, a, js, extents, rank);
      tail = &(*tail)->next;
    }
    made = m;
  }
  return made;
}

// Loops over the space around body: in a parallel loop the outermost is the team's
// (marked simd) unless a marked loop encloses the statement; in host code each is a
// parallel loop of its own, collapsed by region.c.
static Node *nest(Lower *l, Node **js, Node **extents, int rank, Node *body) {
  for (int k = rank - 1; k >= 0; k--) {
    const char *pragma = !l->region ? "parallel for" : k == 0 && !l->marked ? "simd" : NULL;
    body = for_loop(l, copy(l, js[k]), copy(l, extents[k]), body, pragma);
  }
  return body;
}

static void loop_vars(Lower *l, Node **js, int rank) {
  for (int k = 0; k < rank; k++)
    js[k] = temp(l, "j", ty_int64);
}

// `if a == b and ...: stmt else: raise ValueError` for the extents checked, or stmt.
static Node *guarded(Lower *l, Node *stmt, const char *message) {
  if (!l->nchecks)
    return stmt;
  Node *cond = NULL;
  for (int i = 0; i < l->nchecks; i++)
    cond = and(l, cond, compare(l, l->check[i][0], "==", l->check[i][1]));
  l->nchecks = 0;
  return unless(l, cond, stmt, message);
}

//
// Reductions
//

static void hoist(Lower *l, Node *e);

static bool is_reduction(Node *n) {
  return (n->kind == ND_CALL || n->kind == ND_BINOP) && n->name && !strncmp(n->name, "reduce_", 7);
}

// Replaces reduction call n by a temporary computed before the statement.
static void reduce(Lower *l, Node *n) {
  const char *what = n->name + 7;
  bool dot = !strcmp(what, "dot"), mean = !strcmp(what, "mean");
  bool extreme = !strcmp(what, "max") || !strcmp(what, "min");
  Node *operand = n->kind == ND_BINOP ? binop(l, "*", n->lhs, n->rhs)
                  : dot               ? binop(l, "*", n->args, n->args->next)
                                      : n->args;
  if (operand->kind == ND_BINOP && !operand->ty)   // the product of a dot: elementwise
    operand->ty = ty_array(l->arena, n->ty, 1);
  Node *extents[MAXDIM], *js[MAXDIM];
  int rank = space_of(l, operand, extents, 0);
  loop_vars(l, js, rank);
  Node *value = at_element(l, operand, js, extents, rank);
  Node *acc = temp(l, what, n->ty);
  const char *mismatch = "operands could not be broadcast together";
  if (extreme) {   // from the first element: NumPy's max and min have no identity
    Node *zeros[MAXDIM], *nonempty = NULL;
    for (int k = 0; k < rank; k++) {
      zeros[k] = num(l, 0);
      nonempty = and(l, nonempty, compare(l, copy(l, extents[k]), ">", num(l, 0)));
    }
    Node *mm = call(l, name(l, what, NULL), (Node *[]){var_ref(l, acc->var), value, NULL});
    Node *init = assign(l, acc, at_element(l, operand, zeros, extents, rank));
    init->next = nest(l, js, extents, rank, assign(l, var_ref(l, acc->var), mm));
    Node *check = unless(l, nonempty, guarded(l, init, mismatch),
                         arena_printf(l->arena, "zero-size array to reduction operation %s which "
                                                "has no identity",
                                      !strcmp(what, "max") ? "maximum" : "minimum"));
    // In a parallel loop the raise comes after the loop: the value is defined meanwhile.
    Node *zero = assign(l, var_ref(l, acc->var), num(l, 0));
    zero->next = check->orelse;
    check->orelse = zero;
    emit(l, check);
  } else {
    emit(l, assign(l, acc, num(l, 0)));
    Node *add = node(l, ND_AUGASSIGN);
    add->op = "+";
    add->lhs = var_ref(l, acc->var);
    add->rhs = value;
    emit(l, guarded(l, nest(l, js, extents, rank, add), mismatch));
  }
  Node *result = var_ref(l, acc->var);
  if (mean) {   // sum / count, in the sum's type
    Node *count = NULL;
    for (int k = 0; k < rank; k++)
      count = count ? binop(l, "*", count, copy(l, extents[k]))
                    : copy(l, extents[k]);
    if (!count)
      count = num(l, 1);
    const char *ct = n->ty->kind == TY_FLOAT32 ? "float32" : "float64";
    result = binop(l, "/", result, call(l, np_attr(l, ct), (Node *[]){count, NULL}));
  }
  Node *keep = n->next;
  *n = *result;
  n->next = keep;
}

// Hoists the reductions of e itself, its left operand left out, into temporaries.
static void hoist_node(Lower *l, Node *e) {
  hoist(l, e->rhs);
  hoist(l, e->args);
  hoist(l, e->cond);
  if (e->kind == ND_IFEXP) {
    hoist(l, e->body);
    hoist(l, e->orelse);
  }
  if (e->kind == ND_SUBSCRIPT)
    for (Node *i = e->args; i; i = i->next)
      if (i->kind == ND_SLICE)
        hoist(l, i->lo), hoist(l, i->hi);
  if (is_reduction(e)) {
    reduce(l, e);
    l->changed = true;
  }
}

// Hoists the reductions in e (innermost first) into temporaries: the left operands of a
// chain (a + b + c ...) from the innermost up in a loop, not by a recursion as deep.
static void hoist(Lower *l, Node *e) {
  for (; e; e = e->next) {
    int n = 0;
    for (Node *x = e->lhs; x; x = x->lhs)
      n++;
    Node **left = arena_alloc(l->arena, sizeof(Node *) * (size_t)(n + 1));
    n = 0;
    for (Node *x = e->lhs; x; x = x->lhs)
      left[n++] = x;
    while (n-- > 0) {
      hoist_node(l, left[n]);
      hoist(l, left[n]->next);
    }
    hoist_node(l, e);
  }
}

// A reduction (np.sum & co), as a tree walker's predicate.
static bool is_reduction_of(Node *e, void *ctx) {
  (void)ctx;
  return is_reduction(e);
}

//
// Statements
//

static bool same_view(View *a, View *b) {
  if (a->rank != b->rank)
    return false;
  for (int d = 0; d < a->ndim; d++)
    if (!same_expr(a->index[d], b->index[d]) || !same_expr(a->start[d], b->start[d]) ||
        a->step[d] != b->step[d] || !same_expr(a->stepv[d], b->stepv[d]))
      return false;
  for (int k = 0; k < a->rank; k++)
    if (!same_expr(a->extent[k], b->extent[k]))
      return false;
  return true;
}

// Are the element loops of views a and b of one array over the same elements, or over
// elements of which none is in both? So when every dimension that one slices the other
// slices alike, and the others are indexed (path[k, :] and path[i, :]: one row, or two),
// with indices that do not read the array itself.
static bool same_or_apart(View *a, View *b, Var *x) {
  if (a->rank != b->rank || a->ndim != b->ndim)
    return false;
  for (int d = 0, k = 0; d < a->ndim; d++) {
    if (a->index[d] || b->index[d]) {
      if (!a->index[d] || !b->index[d] || mentions(a->index[d], x) || mentions(b->index[d], x))
        return false;
      continue;
    }
    if (!same_expr(a->start[d], b->start[d]) || a->step[d] != b->step[d] ||
        !same_expr(a->stepv[d], b->stepv[d]) || !same_expr(a->extent[k], b->extent[k]))
      return false;
    k++;
  }
  return true;
}

// Replaces e, an element of the array the statement writes, by a temporary read before the
// statement: NumPy reads it before it writes anything.
static void read_first(Lower *l, Node *e) {
  Node *t = temp(l, "elem", e->ty);
  Node *read = assign(l, t, copy(l, e));
  read->sync_after = l->region;
  emit(l, read);
  Node *keep = e->next;
  *e = *var_ref(l, t->var);
  e->next = keep;
}

// Does e read array x other than through the elements of view `target`, each at the step
// that writes it, or through views that share no element with it? (e itself: a view of x
// or an element of x; false: e is neither.)
static bool reads_other_at(Lower *l, Node *e, Var *x, View *target, bool *leaf) {
  *leaf = true;
  if (is_view(e) && viewed(e)->var == x) {
    View v;
    view_of(l, e, &v);
    return !same_view(&v, target) && !same_or_apart(&v, target, x);
  }
  if (e->kind == ND_SUBSCRIPT && e->lhs->kind == ND_NAME && e->lhs->var == x) {
    for (Node *i = e->args; i; i = i->next)
      if (mentions(i, x))
        return true;
    read_first(l, e);
    return false;
  }
  *leaf = false;
  return false;
}

static bool reads_other_view(Lower *l, Node *e, Var *x, View *target) {
  for (; e; e = e->next) {
    // Down the left operands in a loop (chains, a + b + c ..., are deep), then the right
    // operands and arguments of those passed, from the innermost up: a recursion's order.
    int n = 0;
    bool leaf = false;
    for (Node *y = e; y; y = y->lhs) {
      if (reads_other_at(l, y, x, target, &leaf))
        return true;
      if (leaf)
        break;
      n++;
    }
    Node **up = arena_alloc(l->arena, sizeof(Node *) * (size_t)(n + 1));
    Node *y = e;
    for (int k = 0; k < n; k++, y = y->lhs)
      up[k] = y;
    while (n-- > 0)
      if (reads_other_view(l, up[n]->rhs, x, target) || reads_other_view(l, up[n]->args, x, target))
        return true;
  }
  return false;
}

// target = value or target op= value, target a view: loops storing each element.
static Node *store_loops(Lower *l, Node *target, const char *op, Node *value) {
  Var *x = viewed(target)->var;
  View v;
  view_of(l, target, &v);
  if (reads_other_view(l, value, x, &v)) {
    error(l, value, "the right-hand side reads '%s' at other elements than the ones this "
                    "statement writes; NumPy would copy it first: write the result into "
                    "another array", x->name);
    return NULL;
  }
  Node *js[MAXDIM];
  loop_vars(l, js, v.rank);
  Node *lhs = element(l, &v, js);
  Node *rhs = at_element(l, value, js, v.extent, v.rank);
  Node *s;
  if (op) {
    s = node(l, ND_AUGASSIGN);
    s->op = op;
    s->lhs = lhs;
    s->rhs = rhs;
  } else {
    s = assign(l, lhs, rhs);
  }
  return guarded(l, nest(l, js, v.extent, v.rank, s),
                 arena_printf(l->arena, "operands could not be broadcast together with the "
                                        "slice of '%s' assigned",
                              x->name));
}

// name = array expression, outside parallel loops: a new array, then its elements.
static Node *new_array(Lower *l, Node *target, Node *value) {
  Var *y = target->var;
  if (l->region) {
    error(l, value, "inside a parallel loop an array expression cannot be given a name "
                    "(it would need a new array per iteration); write it into a slice of an "
                    "array allocated before the loop, e.g. out[i, :] = ...");
    return NULL;
  }
  if (is_view(value)) {
    const char *x = viewed(value)->name;
    error(l, value, "a slice of '%s' given a name would share memory with '%s', which kernels "
                    "do not support: index '%s' directly instead", x, x, x);
    return NULL;
  }
  if (mentions(value, y)) {
    error(l, target, "'%s' is given a new array computed from itself; update it in place "
                     "with %s[...] = ... or give the result another name", y->name, y->name);
    return NULL;
  }
  Node *extents[MAXDIM];
  int rank = space_of(l, value, extents, 0);
  Node *shape = node(l, ND_TUPLE);
  Node **tail = &shape->args;
  for (int k = 0; k < rank; k++, shape->nargs++) {
    *tail = copy(l, extents[k]);
    tail = &(*tail)->next;
  }
  Node *dtype = node(l, ND_KEYWORD);
  dtype->name = "dtype";
  dtype->lhs = np_attr(l, ty_name(l->arena, value->ty->elem));
  Node *alloc = call(l, np_attr(l, "empty"), (Node *[]){shape, dtype, NULL});
  emit(l, assign(l, copy(l, target), alloc));
  View whole;
  view_of(l, var_ref(l, y), &whole);
  Node *js[MAXDIM];
  loop_vars(l, js, rank);
  Node *s = assign(l, element(l, &whole, js), at_element(l, value, js, extents, rank));
  return guarded(l, nest(l, js, extents, rank, s), "operands could not be broadcast together");
}

// The lowered form of simple statement n (a list), or n itself.
static Node *simple(Lower *l, Node *n) {
  switch (n->kind) {
  case ND_ASSIGN: {
    Node *t = n->args;
    if (n->nargs == 1 && t->kind == ND_SUBSCRIPT && is_array(t)) {
      hoist(l, n->rhs);
      hoist(l, t->args);
      return store_loops(l, t, NULL, n->rhs);
    }
    if (n->nargs == 1 && t->kind == ND_NAME && is_array(n->rhs) && n->rhs->kind != ND_NAME &&
        !is_alloc(n->rhs)) {
      hoist(l, n->rhs);
      return new_array(l, t, n->rhs);
    }
    hoist(l, n->rhs);
    for (; t; t = t->next)
      hoist(l, t->kind == ND_SUBSCRIPT ? t->args : NULL);
    return n;
  }
  case ND_AUGASSIGN:
    hoist(l, n->rhs);
    if (n->lhs->kind == ND_SUBSCRIPT)
      hoist(l, n->lhs->args);
    if (is_array(n->lhs))
      return store_loops(l, n->lhs, n->op, n->rhs);
    return n;
  case ND_RETURN:
    if (n->lhs && is_array(n->lhs) && n->lhs->kind != ND_NAME && !is_alloc(n->lhs)) {
      hoist(l, n->lhs);
      Node *t = temp(l, "new", n->lhs->ty);
      Node *made = new_array(l, t, n->lhs);
      if (!made)
        return NULL;
      emit(l, made);
      n->lhs = var_ref(l, t->var);
      return n;
    }
    if (n->lhs && n->lhs->kind == ND_TUPLE)
      for (Node *e = n->lhs->args; e; e = e->next)
        if (is_array(e) && e->kind != ND_NAME && !is_alloc(e)) {
          error(l, e, "return array expressions one at a time, or name them first");
          return NULL;
        }
    hoist(l, n->lhs);
    return n;
  default:
    return n;
  }
}

// Does statement n (not its body) need lowering?
static bool needs(Node *e) {
  for (; e; e = e->next)
    for (Node *y = e; y; y = y->lhs) {   // left operands in a loop: chains are deep
      if (is_reduction(y) || (is_array(y) && y->kind != ND_NAME && !is_alloc(y)))
        return true;
      if (needs(y->rhs) || needs(y->args) ||
          (y->kind == ND_IFEXP && (needs(y->body) || needs(y->orelse))) ||
          (y->kind == ND_SLICE && (needs(y->lo) || needs(y->hi))))
        return true;
    }
  return false;
}

static bool stmt_needs(Node *n) {
  switch (n->kind) {
  case ND_ASSIGN:
    return needs(n->rhs) || needs(n->args);
  case ND_AUGASSIGN:
    return needs(n->rhs) || needs(n->lhs) || is_array(n->lhs);
  case ND_RETURN:
    return needs(n->lhs);
  case ND_IF:
  case ND_WHILE:
    return tree_any(n->cond, is_reduction_of, NULL);
  case ND_FOR:
    return tree_any(n->iter, is_reduction_of, NULL);
  default:
    return false;
  }
}

static void block(Lower *l, Node **link);

static void compound(Lower *l, Node *n) {
  bool region = l->region, marked = l->marked;
  if (n->kind == ND_FOR) {
    if (is_parallel_for(n))
      l->region = true;
    else if (l->region && is_marked_loop(n))
      l->marked = true;
  }
  block(l, &n->body);
  block(l, &n->orelse);
  l->region = region, l->marked = marked;
}

static void block(Lower *l, Node **link) {
  while (*link) {
    Node *n = *link;
    if (n->kind == ND_FOR || n->kind == ND_IF || n->kind == ND_WHILE)
      compound(l, n);
    if (!stmt_needs(n)) {
      link = &n->next;
      continue;
    }
    Node *next = n->next;
    n->next = NULL;
    l->at = n;
    l->pre = NULL;
    l->tail = &l->pre;
    l->ncache = 0;
    l->nchecks = 0;
    Node *made;
    if (n->kind == ND_WHILE) {
      unsupported(l, n->cond, "np.sum & co. in a while condition are not supported; compute the "
                        "value into a variable before the loop and at the end of its body");
      made = n;
    } else if (n->kind == ND_IF) {
      hoist(l, n->cond);
      made = n;
    } else if (n->kind == ND_FOR) {
      hoist(l, n->iter);
      made = n;
    } else {
      made = simple(l, n);
    }
    l->changed = true;
    if (made && l->pre && made->kind != ND_IF && made->kind != ND_FOR)
      made->end_line = -1;   // its source line is shown above the first statement made
    if (made)
      emit(l, made);
    Node *first = l->pre ? l->pre : next;
    if (l->pre) {
      first->end_line = n->end_line > n->tok->line ? n->end_line : n->tok->line;
      *l->tail = next;
    }
    *link = first;
    while (*link != next)
      link = &(*link)->next;
  }
}

bool lower(Arena *a, Diags *d, Instance *inst) {
  Lower l = {.arena = a, .diags = d, .inst = inst};
  block(&l, &inst->body);
  return l.changed;
}
