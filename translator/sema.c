/* sema.c: signatures, scopes, types, and the facts codegen needs about parallel loops.
 *
 * For each kernel and each overload (an Instance) the tree is annotated with types
 * (a fixed point over assignments, since Python locals take the type of every value
 * they are given) and every parallel loop gets a Region: collapse depth, and for each
 * variable it touches, how it is shared (firstprivate, private, reduction, shared) and
 * whether arrays are read or written there. */
#include "translator.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  Arena *arena;        // Allocation
  Diags *diags;        // Where errors go (the final pass only)
  Instance *inst;      // Instance being analysed
  const Options *opt;  // Translation options
  bool report;         // Final pass: report errors, annotate for codegen
  bool changed;        // Inference pass: some variable's type grew
  Node *region_loop;   // Outermost loop of the region being walked, or NULL
  int seq_loops;       // Sequential loops enclosing the current statement inside the region/host
  bool lowered;        // lower.c has run: array values are left only where none is allowed
  bool rechecking;     // Final pass over lowered code: warnings were given the first time
  int in_branch;       // if statements enclosing the current statement
} Sema;

static Type *expr(Sema *s, Node *n);
static void stmts(Sema *s, Node *n);

// Reports at n's position, in the final pass only (inference passes stay quiet).
static void report(Sema *s, DiagLevel lvl, Node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(Sema *s, DiagLevel lvl, Node *n, const char *fmt, ...) {
  if (!s->report || (s->rechecking && lvl != DIAG_ERROR))
    return;
  va_list ap;
  va_start(ap, fmt);
  diag_vat(s->diags, lvl, n->tok->line, n->tok->col, fmt, ap);
  va_end(ap);
}

#define error_at(s, n, ...) report(s, DIAG_ERROR, n, __VA_ARGS__)

// An error of a kind outline.c decides on (DK_UNSUPPORTED, DK_UNDEFINED with its name).
static void report_kind(Sema *s, DiagKind kind, const char *name, Node *n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void report_kind(Sema *s, DiagKind kind, const char *name, Node *n, const char *fmt, ...) {
  if (!s->report)
    return;
  va_list ap;
  va_start(ap, fmt);
  diag_kind_vat(s->diags, kind, name, n->tok->line, n->tok->col, fmt, ap);
  va_end(ap);
}

#define unsupported_at(s, n, ...) report_kind(s, DK_UNSUPPORTED, NULL, n, __VA_ARGS__)
#define warn_at(s, n, ...) report(s, DIAG_WARNING, n, __VA_ARGS__)

static const char *module_of(Node *callee) {
  if (callee->kind != ND_ATTR || callee->lhs->kind != ND_NAME)
    return NULL;
  const char *m = callee->lhs->name;
  if (!strcmp(m, "np") || !strcmp(m, "numpy"))
    return "np";
  if (!strcmp(m, "math") || !strcmp(m, "appy"))
    return m;
  return NULL;
}

//
// Variables
//

static Var *find_var(Sema *s, const char *name) {
  for (Var *v = s->inst->vars; v; v = v->next)
    if (!strcmp(v->name, name))
      return v;
  return NULL;
}

static Var *new_var(Sema *s, const char *name, VarKind kind, Token *tok) {
  Var *v = arena_alloc(s->arena, sizeof(Var));
  v->name = name;
  v->cname = c_name(s->arena, name);
  v->kind = kind;
  v->tok = tok;
  Var **p = &s->inst->vars;
  while (*p)
    p = &(*p)->next;
  *p = v;
  return v;
}

// Declares every name assigned anywhere in the body (Python's function scope).
static void declare_targets(Sema *s, Node *t) {
  if (!t)
    return;
  if (t->kind == ND_TUPLE || t->kind == ND_LIST) {
    for (Node *e = t->args; e; e = e->next)
      declare_targets(s, e);
  } else if (t->kind == ND_NAME && !find_var(s, t->name)) {
    new_var(s, t->name, VAR_LOCAL, t->tok);
  }
}

// Marks the locals a parallel loop names in shared(...).
static void mark_shared(Sema *s, Node *loop) {
  Pragma *p = is_parallel_for(loop) ? find_pragma(loop, "parallel") : NULL;
  for (Var *v = s->inst->vars; v && p; v = v->next)
    if (v->kind == VAR_LOCAL && clause_names(p, "shared", v->name))
      v->shared = true;
}

static void declare_locals(Sema *s, Node *n) {
  for (; n; n = n->next) {
    switch (n->kind) {
    case ND_ASSIGN:
      for (Node *t = n->args; t; t = t->next)
        declare_targets(s, t);
      break;
    case ND_AUGASSIGN:
      declare_targets(s, n->lhs);
      break;
    case ND_FOR:
      declare_targets(s, n->target);
      if (n->target->kind == ND_NAME)
        find_var(s, n->target->name)->is_loop_var = true;
      declare_locals(s, n->body);
      mark_shared(s, n);
      break;
    case ND_IF:
    case ND_WHILE:
      declare_locals(s, n->body);
      declare_locals(s, n->orelse);
      break;
    default:
      break;
    }
  }
}

// Joins a new value type into a local's type (Python variables take every value).
static void assign_type(Sema *s, Var *v, Node *at, Type *t) {
  if (!t)
    return;
  if (t->kind == TY_TUPLE || t->kind == TY_NONE) {
    error_at(s, at, "'%s' cannot hold a %s; kernel variables hold scalars or arrays",
             v->name, t->kind == TY_NONE ? "None" : "tuple");
    return;
  }
  if (!v->ty) {
    v->ty = v->shared ? ty_strong(t) : t;
    s->changed = true;
    return;
  }
  if (v->ty->kind == TY_ARRAY || t->kind == TY_ARRAY) {
    if (!ty_equal(v->ty, t))
      error_at(s, at, "'%s' is a %s here but a %s elsewhere; an array variable keeps one type",
               v->name, ty_name(s->arena, t), ty_name(s->arena, v->ty));
    return;
  }
  if (v->kind == VAR_PARAM || v->temp)
    return;   // Parameters keep their declared type; assignments convert.
  // A shared(...) scalar is typed as a NumPy value, as in APPy, which keeps it in a
  // one-element array made from its value before the loop: b = 0.0; b += x[i] over
  // float32 x sums in float64 and gives a Python float. It still widens as Python would
  // (s = 0; s += 0.5 is a float), where APPy's array would truncate.
  Type *j = v->shared ? ty_promote(ty_strong(v->ty), ty_strong(t)) : ty_promote(v->ty, t);
  if (!ty_equal(j, v->ty) || j->weak != v->ty->weak) {
    v->ty = j;
    s->changed = true;
  }
}

//
// Expressions
//

typedef struct {
  const char *name;    // Python name (math.NAME or np.NAME)
  int nargs;           // Arity
  const char *c;       // C function for double; float version appends 'f'
} MathFn;

static const MathFn math_fns[] = {
    {"sqrt", 1, "sqrt"},     {"exp", 1, "exp"},         {"log", 1, "log"},
    {"log2", 1, "log2"},     {"log10", 1, "log10"},     {"log1p", 1, "log1p"},
    {"expm1", 1, "expm1"},   {"exp2", 1, "exp2"},       {"cbrt", 1, "cbrt"},
    {"sin", 1, "sin"},       {"cos", 1, "cos"},         {"tan", 1, "tan"},
    {"asin", 1, "asin"},     {"acos", 1, "acos"},       {"atan", 1, "atan"},
    {"arcsin", 1, "asin"},   {"arccos", 1, "acos"},     {"arctan", 1, "atan"},
    {"sinh", 1, "sinh"},     {"cosh", 1, "cosh"},       {"tanh", 1, "tanh"},
    {"asinh", 1, "asinh"},   {"acosh", 1, "acosh"},     {"atanh", 1, "atanh"},
    {"arcsinh", 1, "asinh"}, {"arccosh", 1, "acosh"},   {"arctanh", 1, "atanh"},
    {"erf", 1, "erf"},       {"erfc", 1, "erfc"},       {"fabs", 1, "fabs"},
    {"floor", 1, "floor"},   {"ceil", 1, "ceil"},       {"trunc", 1, "trunc"},
    {"pow", 2, "pow"},       {"power", 2, "pow"},       {"hypot", 2, "hypot"},
    {"atan2", 2, "atan2"},   {"arctan2", 2, "atan2"},   {"fmin", 2, "fmin"},
    {"fmax", 2, "fmax"},     {"copysign", 2, "copysign"}, {"fmod", 2, "fmod"},
    {NULL, 0, NULL},
};

static const MathFn *find_math(const char *name) {
  for (const MathFn *f = math_fns; f->name; f++)
    if (!strcmp(f->name, name))
      return f;
  return NULL;
}

static int count_positional(Node *call) {
  int n = 0;
  for (Node *a = call->args; a; a = a->next)
    n += a->kind != ND_KEYWORD;
  return n;
}

static Node *keyword(Node *call, const char *name) {
  for (Node *a = call->args; a; a = a->next)
    if (a->kind == ND_KEYWORD && !strcmp(a->name, name))
      return a->lhs;
  return NULL;
}

static Node *positional(Node *call, int i) {
  for (Node *a = call->args; a; a = a->next)
    if (a->kind != ND_KEYWORD && i-- == 0)
      return a;
  return NULL;
}

static Type *scalar_operand(Sema *s, Node *n, const char *what) {
  Type *t = expr(s, n);
  if (t && !ty_is_scalar(t)) {
    error_at(s, n, "%s needs a number, not a %s", what, ty_name(s->arena, t));
    return NULL;
  }
  return t;
}

// Element type of an array value, or the scalar itself.
static Type *elem_of(Type *t) {
  return t->kind == TY_ARRAY ? t->elem : t;
}

// Result of an elementwise operation whose element result is t over operands of these
// types: an array of the largest rank among them (NumPy broadcasting), or the scalar.
static Type *elementwise(Sema *s, Type *t, Type *a, Type *b) {
  int rank = a->kind == TY_ARRAY ? a->ndim : 0;
  if (b && b->kind == TY_ARRAY && b->ndim > rank)
    rank = b->ndim;
  return t && rank ? ty_array(s->arena, ty_strong(t), rank) : t;
}

// Scalar or array operand of an elementwise function.
static Type *value_operand(Sema *s, Node *n, const char *what) {
  Type *t = expr(s, n);
  if (t && !ty_is_scalar(t) && t->kind != TY_ARRAY) {
    error_at(s, n, "%s needs a number or an array, not a %s", what, ty_name(s->arena, t));
    return NULL;
  }
  return t;
}

// Types the arguments of function fname (arrays too, where `arrays`): returns their
// promoted element type, and in *shape the array argument of highest rank (NULL if none);
// NULL after an error.
static Type *operands(Sema *s, Node *args, const char *fname, bool arrays, Type **shape) {
  Type *t = NULL;
  *shape = NULL;
  for (Node *a = args; a; a = a->next) {
    Type *at = arrays ? value_operand(s, a, fname) : scalar_operand(s, a, fname);
    if (!at)
      return NULL;
    if (at->kind == TY_ARRAY && (!*shape || at->ndim > (*shape)->ndim))
      *shape = at;
    at = elem_of(at);
    t = t ? ty_promote(t, at) : at;
  }
  return t;
}

static Type *math_call(Sema *s, Node *n, const char *mod, const char *fname) {
  const MathFn *f = find_math(fname);
  if (!f) {
    unsupported_at(s, n, "'%s.%s' is not supported in kernel functions", mod, fname);
    return NULL;
  }
  if (count_positional(n) != f->nargs || keyword(n, "out")) {
    error_at(s, n, "'%s.%s' takes %d argument%s here", mod, fname, f->nargs,
             f->nargs > 1 ? "s" : "");
    return NULL;
  }
  Type *shape, *t = operands(s, n->args, fname, !strcmp(mod, "np"), &shape);
  if (!t)
    return NULL;
  n->name = arena_printf(s->arena, "%s:%s", mod, fname);
  if (!strcmp(mod, "math"))
    return !strcmp(fname, "floor") || !strcmp(fname, "ceil") ||
                   !strcmp(fname, "trunc")
               ? ty_weak_int
               : ty_weak_float;
  // NumPy computes in the smallest float type that holds the argument's values: float32
  // for float32 and 16-bit integers, float16 for bool and 8-bit ones (which we lack),
  // float64 for the others and for Python scalars.
  if (!t->weak && (t->kind == TY_BOOL || ty_size(t) == 1)) {
    error_at(s, n, "np.%s of %s is float16 in NumPy, which kernels do not support; convert "
                   "the argument first, e.g. np.%s(np.float32(x))", fname, ty_name(s->arena, t),
             fname);
    return NULL;
  }
  t = !t->weak && (t->kind == TY_FLOAT32 || ty_size(t) == 2) ? ty_float32 : ty_float64;
  return shape ? elementwise(s, t, shape, NULL) : t;
}

// Shape argument of np.empty & co: an int or a tuple of ints.
static int shape_rank(Sema *s, Node *shape) {
  if (shape->kind == ND_TUPLE || shape->kind == ND_LIST) {
    for (Node *e = shape->args; e; e = e->next) {
      Type *t = expr(s, e);
      if (t && !ty_is_int(t) && t->kind != TY_BOOL)
        error_at(s, e, "array extents must be integers, not %s", ty_name(s->arena, t));
    }
    return shape->nargs;
  }
  Type *t = expr(s, shape);
  if (t && t->kind == TY_TUPLE)
    return t->nfields;
  if (t && !ty_is_int(t))
    error_at(s, shape, "array extents must be integers, not %s", ty_name(s->arena, t));
  return 1;
}

static Type *dtype_arg(Sema *s, Node *call, Type *deflt) {
  Node *d = keyword(call, "dtype");
  if (!d)
    return deflt;
  if (d->kind == ND_ATTR && !strcmp(d->name, "dtype") && !module_of(d)) {   // A.dtype
    Type *t = expr(s, d->lhs);
    if (t && t->kind == TY_ARRAY)
      return t->elem;
    error_at(s, d, "'.dtype' needs an array");
    return deflt;
  }
  const char *text = d->tok->loc;
  size_t len = 0;
  if (d->kind == ND_ATTR && module_of(d)) {   // np.float32 (by name: lower.c makes some)
    text = d->name;
    len = strlen(text);
  } else if (d->kind == ND_ATTR) {
    text = d->lhs->tok->loc;
    len = (size_t)(d->tok->loc + d->tok->len - text);
  } else if (d->kind == ND_NAME) {
    text = d->name;
    len = strlen(text);
  } else if (d->kind == ND_STR) {
    text++;
    len = (size_t)d->tok->len - 2;
  }
  Type *t = len ? ty_from_name(text, len) : NULL;
  if (!t)
    error_at(s, d, "unsupported dtype; use bool, int8, int16, int32, int64, uint8, uint16, "
                   "uint32, uint64, float32 or float64");
  return t ? t : deflt;
}

// np.empty/zeros/ones/full(shape, [fill], dtype=) and the *_like forms.
static Type *alloc_call(Sema *s, Node *n, const char *fname) {
  if (s->region_loop) {
    error_at(s, n, "arrays cannot be allocated inside a parallel loop; allocate before it");
    return NULL;
  }
  bool like = strstr(fname, "_like") != NULL;
  bool full = !strncmp(fname, "full", 4);
  int want = 1 + full;
  if (count_positional(n) != want) {
    error_at(s, n, "np.%s takes %d positional argument%s here", fname, want, want > 1 ? "s" : "");
    return NULL;
  }
  Node *first = positional(n, 0);
  if (full)
    scalar_operand(s, positional(n, 1), "the fill value");
  n->name = arena_printf(s->arena, "alloc:%s", fname);
  if (like) {
    Type *t = expr(s, first);
    if (t && t->kind != TY_ARRAY) {
      error_at(s, first, "np.%s needs an array, not %s", fname, ty_name(s->arena, t));
      return NULL;
    }
    return t ? ty_array(s->arena, dtype_arg(s, n, t->elem), t->ndim) : NULL;
  }
  int rank = shape_rank(s, first);
  if (rank > MAXRANK) {
    error_at(s, n, "np.%s() makes an array of rank %d; arrays have at most %d dimensions",
             fname, rank, MAXRANK);
    return NULL;
  }
  return ty_array(s->arena, dtype_arg(s, n, ty_float64), rank);
}

// min(a, b, ...), max(...); np.maximum(a, b) and np.minimum(a, b) also on arrays.
static Type *minmax_call(Sema *s, Node *n, const char *fname, bool arrays) {
  if (count_positional(n) < 2 || count_positional(n) != n->nargs || (arrays && n->nargs != 2)) {
    error_at(s, n, arrays ? "np.%simum() takes two arguments here"
                          : "%s() needs two or more numbers here", fname);
    return NULL;
  }
  Type *shape, *t = operands(s, n->args, fname, arrays, &shape);
  if (!t)
    return NULL;
  n->name = fname;
  return shape ? elementwise(s, t, shape, NULL) : t;
}

// np.sum, np.max, np.min, np.mean of an array expression, np.dot of two 1-d ones: a
// scalar of NumPy's result type. lower.c turns them into loops.
static Type *reduction_call(Sema *s, Node *n, const char *fname) {
  bool dot = !strcmp(fname, "dot");
  int want = dot ? 2 : 1;
  if (count_positional(n) != want || n->nargs != want) {
    error_at(s, n, dot ? "np.dot() takes two 1-d arrays here"
                       : "np.%s() takes one array here (no axis, out or other keywords)", fname);
    return NULL;
  }
  Type *a = value_operand(s, n->args, fname);
  Type *b = dot ? value_operand(s, n->args->next, fname) : NULL;
  if (!a || (dot && !b))
    return NULL;
  if (a->kind != TY_ARRAY || (dot && (b->kind != TY_ARRAY || a->ndim != 1 || b->ndim != 1))) {
    error_at(s, n, dot ? "np.dot() needs two 1-d arrays here" : "np.%s() needs an array here",
             fname);
    return NULL;
  }
  Type *e = a->elem;
  n->name = arena_printf(s->arena, "reduce_%s", fname);
  if (dot) {
    Type *t = ty_promote(e, b->elem);
    if (t->kind == TY_BOOL) {
      unsupported_at(s, n, "np.dot() of bool arrays is not supported");
      return NULL;
    }
    return t;
  }
  if (!strcmp(fname, "sum"))   // NumPy sums bools and integers in int64 or uint64
    return ty_is_unsigned(e) ? ty_uint64 : ty_is_float(e) ? e : ty_int64;
  if (!strcmp(fname, "mean"))
    return e->kind == TY_FLOAT32 ? ty_float32 : ty_float64;
  return e;
}


// appy.buffer(n, dtype): a team's scratchpad of n elements, n a constant; only as the
// value of `name = ...` directly in a parallel loop's body (checked by assign()).
static Type *buffer_call(Sema *s, Node *n) {
  Node *size = positional(n, 0), *dt = positional(n, 1);
  int64_t len;
  if (!size || count_positional(n) > 2 || (dt && keyword(n, "dtype"))) {
    error_at(s, n, "appy.buffer() takes a size and a dtype: appy.buffer(256, np.float64)");
    return NULL;
  }
  if (!const_int(size, &len) || len <= 0 || len > (1 << 20)) {
    error_at(s, size, "the size of appy.buffer() must be a positive integer constant");
    return NULL;
  }
  Type *elem = ty_float64;
  if (dt) {
    Node kw = {.kind = ND_KEYWORD, .name = "dtype", .lhs = dt};
    Node fake = {.kind = ND_CALL, .tok = n->tok, .args = &kw};
    elem = dtype_arg(s, &fake, ty_float64);
  } else {
    elem = dtype_arg(s, n, ty_float64);
  }
  size_t bytes = (size_t)len * (size_t)ty_size(elem);
  if (bytes > 48 * 1024) {
    error_at(s, n, "appy.buffer(%lld, %s) needs %zu bytes; a team's static shared memory holds "
                   "48 KB (49152 bytes)", (long long)len, ty_name(s->arena, elem), bytes);
    return NULL;
  }
  n->name = "buffer";
  n->ival = (int)len;
  return ty_array(s->arena, elem, 1);
}

// x, the array whose extent `what` (len(), .shape, .size) asks for, must be a name: the
// extents of a view (a[1:]) are not the named array's, and codegen knows only those.
// Outside the subset (host code around parallel loops then stays Python: outline.c).
static bool extent_of_name(Sema *s, Node *x, const char *what) {
  if (x->kind == ND_NAME)
    return true;
  unsupported_at(s, x, "%s of an array expression is not supported in kernel functions; "
                 "assign the array to a name first (b = a[1:], then %s of b)", what, what);
  return false;
}

static Type *builtin_call(Sema *s, Node *n, const char *fname) {
  if (!strcmp(fname, "min") || !strcmp(fname, "max"))
    return minmax_call(s, n, fname, false);
  if (n->nargs != 1 || n->args->kind == ND_KEYWORD) {
    error_at(s, n, "%s() takes one argument here", fname);
    return NULL;
  }
  if (!strcmp(fname, "len")) {
    Type *t = expr(s, n->args);
    if (t && t->kind != TY_ARRAY)
      error_at(s, n, "len() needs an array here, not %s", ty_name(s->arena, t));
    else if (t && !extent_of_name(s, n->args, "len()"))
      return NULL;
    n->name = "len";
    return ty_weak_int;
  }
  Type *t = scalar_operand(s, n->args, fname);
  n->name = fname;
  if (!t)
    return NULL;
  if (!strcmp(fname, "abs"))   // Python's abs(True) is 1; NumPy's of a bool_, True
    return t->kind == TY_BOOL && t->weak ? ty_weak_int : t;
  if (!strcmp(fname, "int"))
    return ty_weak_int;
  if (!strcmp(fname, "float"))
    return ty_weak_float;
  return ty_weak_bool;   // bool()
}

static Type *call(Sema *s, Node *n) {
  Node *fn = n->lhs;
  if (fn->kind == ND_NAME) {
    static const char *const builtins[] = {"abs", "min", "max", "int", "float", "bool", "len", NULL};
    for (const char *const *b = builtins; *b; b++)
      if (!strcmp(fn->name, *b) && !find_var(s, fn->name))
        return builtin_call(s, n, *b);
    if (!strncmp(fn->name, "appy.", 5)) {   // lower.c's slice helpers
      for (Node *a = n->args; a; a = a->next)
        expr(s, a);
      n->name = fn->name + 5;
      return ty_int64;
    }
    if (!strcmp(fn->name, "range") || !strcmp(fn->name, "prange"))
      error_at(s, n, "%s() is only supported as the iterable of a for loop", fn->name);
    else
      unsupported_at(s, n, "calls to '%s' are not supported in kernel functions", fn->name);
    return NULL;
  }
  const char *mod = module_of(fn);
  if (mod && !strcmp(mod, "appy") && !strcmp(fn->name, "buffer"))
    return buffer_call(s, n);
  if (mod && !strcmp(mod, "np")) {
    static const char *const allocs[] = {"empty", "zeros", "ones", "full", "empty_like",
                                         "zeros_like", "ones_like", "full_like", NULL};
    for (const char *const *a = allocs; *a; a++)
      if (!strcmp(fn->name, *a))
        return alloc_call(s, n, *a);
    Type *cast = ty_from_name(fn->name, strlen(fn->name));
    if (cast && strcmp(fn->name, "float") && strcmp(fn->name, "int") && strcmp(fn->name, "bool")) {
      if (n->nargs != 1 || !scalar_operand(s, n->args, fn->name))
        return NULL;
      n->name = "cast";
      return cast;
    }
    if (!strcmp(fn->name, "abs") || !strcmp(fn->name, "absolute")) {
      Type *t = n->nargs == 1 ? value_operand(s, n->args, "np.abs") : NULL;
      n->name = "abs";
      return t ? elementwise(s, ty_strong(elem_of(t)), t, NULL) : NULL;
    }
    if (!strcmp(fn->name, "maximum") || !strcmp(fn->name, "minimum")) {
      Type *t = minmax_call(s, n, fn->name[1] == 'a' ? "max" : "min", true);
      return t ? (t->kind == TY_ARRAY ? t : ty_strong(t)) : NULL;
    }
    static const char *const reductions[] = {"sum", "max", "min", "mean", "dot", NULL};
    for (const char *const *r = reductions; *r; r++)
      if (!strcmp(fn->name, *r))
        return reduction_call(s, n, *r);
    if (!strcmp(fn->name, "amax") || !strcmp(fn->name, "amin"))
      return reduction_call(s, n, fn->name + 1);
  }
  if (mod && (!strcmp(mod, "np") || !strcmp(mod, "math")))
    return math_call(s, n, mod, fn->name);
  unsupported_at(s, n, "this call is not supported in kernel functions");
  return NULL;
}

// A.shape[k]: a scalar extent.
static Type *shape_index(Sema *s, Node *n) {
  Type *at = expr(s, n->lhs->lhs);
  int64_t k;
  if (n->nargs != 1 || !const_int(n->args, &k)) {
    error_at(s, n, "the index of '.shape' must be a constant integer");
    return NULL;
  }
  if (!at)
    return NULL;
  if (at->kind != TY_ARRAY) {
    error_at(s, n, "'.shape' needs an array, not %s", ty_name(s->arena, at));
    return NULL;
  }
  if (k < -at->ndim || k >= at->ndim) {
    error_at(s, n->args, "shape index %lld is out of range for an array of rank %d",
             (long long)k, at->ndim);
    return NULL;
  }
  if (!extent_of_name(s, n->lhs->lhs, "'.shape'"))
    return NULL;
  n->name = "shape";
  n->ival = (int)(k < 0 ? k + at->ndim : k);
  n->var = n->lhs->lhs->var;
  return ty_weak_int;
}

// Rewrites A[i][j][k] into A[i, j, k] so that codegen sees one element access.
static void flatten_subscript(Node *n) {
  if (n->lhs->kind != ND_SUBSCRIPT)
    return;
  flatten_subscript(n->lhs);
  Node *inner = n->lhs;
  if (inner->lhs->kind != ND_NAME)
    return;
  for (Node *i = inner->args; i; i = i->next)
    if (i->kind == ND_SLICE)   // A[1:][0] is row 1, not A[1:, 0]
      return;
  Node *last = inner->args;
  while (last->next)
    last = last->next;
  last->next = n->args;
  n->args = inner->args;
  n->nargs += inner->nargs;
  n->lhs = inner->lhs;
}

static Type *subscript(Sema *s, Node *n) {
  if (n->lhs->kind == ND_ATTR && !strcmp(n->lhs->name, "shape"))
    return shape_index(s, n);
  flatten_subscript(n);
  if (n->lhs->kind != ND_NAME) {
    error_at(s, n, "only named arrays can be indexed in kernel functions");
    return NULL;
  }
  Type *at = expr(s, n->lhs);
  n->var = n->lhs->var;
  if (!at)
    return NULL;
  if (at->kind != TY_ARRAY) {
    error_at(s, n, "'%s' is a %s, not an array; it cannot be indexed", n->lhs->name,
             ty_name(s->arena, at));
    return NULL;
  }
  int rank = 0;
  for (Node *i = n->args; i; i = i->next) {
    if (i->kind == ND_SLICE) {   // lo:hi:step, a dimension of the view
      rank++;
      Node *parts[] = {i->lo, i->hi, i->step};
      for (int k = 0; k < 3; k++) {
        Type *pt = parts[k] ? expr(s, parts[k]) : NULL;
        if (pt && !ty_is_int(pt) && pt->kind != TY_NONE)
          error_at(s, parts[k], "slice bounds must be integers, not %s", ty_name(s->arena, pt));
      }
      int64_t step;
      if (i->step && const_int(i->step, &step) && step == 0)
        error_at(s, i->step, "slice step cannot be zero");
      continue;
    }
    Type *it = expr(s, i);
    if (it && !ty_is_int(it))
      error_at(s, i, "array indices must be integers, not %s", ty_name(s->arena, it));
  }
  if (n->nargs > at->ndim) {
    error_at(s, n, "too many indices: '%s' has rank %d, indexed with %d", n->lhs->name,
             at->ndim, n->nargs);
    return NULL;
  }
  rank += at->ndim - n->nargs;
  return rank ? ty_array(s->arena, at->elem, rank) : at->elem;
}

static Type *attribute(Sema *s, Node *n) {
  const char *mod = module_of(n);
  if (mod) {
    if (!strcmp(n->name, "pi") || !strcmp(n->name, "e") || !strcmp(n->name, "inf") ||
        !strcmp(n->name, "nan"))
      return n->ival = 1, ty_weak_float;
    unsupported_at(s, n, "'%s.%s' is not supported as a value in kernel functions", n->lhs->name,
                   n->name);
    return NULL;
  }
  Type *t = expr(s, n->lhs);
  if (!t)
    return NULL;
  if (t->kind != TY_ARRAY) {
    error_at(s, n, "'%s' has no attribute '%s' in kernel functions", ty_name(s->arena, t), n->name);
    return NULL;
  }
  n->var = n->lhs->kind == ND_NAME ? n->lhs->var : NULL;
  if (!strcmp(n->name, "ndim"))   // the type's: a view's rank is known
    return ty_weak_int;
  if ((!strcmp(n->name, "size") || !strcmp(n->name, "shape")) &&
      !extent_of_name(s, n->lhs, !strcmp(n->name, "size") ? "'.size'" : "'.shape'"))
    return NULL;
  if (!strcmp(n->name, "size"))
    return ty_weak_int;
  if (!strcmp(n->name, "shape")) {
    Type **f = arena_alloc(s->arena, sizeof(Type *) * (size_t)t->ndim);
    for (int i = 0; i < t->ndim; i++)
      f[i] = ty_weak_int;
    return ty_tuple(s->arena, f, t->ndim);
  }
  unsupported_at(s, n, "array attribute '%s' is not supported in kernel functions", n->name);
  return NULL;
}

// Python ints are unbounded: a constant expression of them (10**20, -2**63, 2**62 * 4) is
// folded here, exactly on 128 bits, where int64 C would wrap around (or, for *, be
// undefined). A value past int64 stays a big constant: a float where its expression makes
// it one (10**20 * 1.0, x + 2**63 for a float x: NumPy converts such an int to float64),
// else an error, as NumPy raises OverflowError. Run-time int arithmetic wraps, as NumPy's.
typedef __int128 Wide;

static bool wide_value(Node *n, Wide *v) {
  if (n->kind != ND_NUM || n->tok->is_float || n->tok->is_imag || n->tok->too_wide)
    return false;
  *v = n->tok->wide;
  return true;
}

static char *wide_str(Arena *a, Wide v) {
  char buf[48], *p = buf + sizeof buf;
  unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
  *--p = '\0';
  do
    *--p = (char)('0' + (int)(u % 10));
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  return arena_printf(a, "%s", p);
}

// b ** e for e >= 0; false past 128 bits.
static bool wide_pow(Wide b, Wide e, Wide *r) {
  for (*r = 1; e > 0; e >>= 1) {
    if ((e & 1) && __builtin_mul_overflow(*r, b, r))
      return false;
    if (e > 1 && __builtin_mul_overflow(b, b, &b))
      return false;
  }
  return true;
}

// Python's a op b on ints into *r: 1; not folded (x // 0 and negative shifts raise,
// a ** -1 is a float): 0; past 128 bits: -1.
static int wide_binop(const char *op, Wide a, Wide b, Wide *r) {
  const Wide min = -(Wide)(((unsigned __int128)1 << 127) - 1) - 1;
  switch (op[0]) {
  case '+': return __builtin_add_overflow(a, b, r) ? -1 : 1;
  case '-': return __builtin_sub_overflow(a, b, r) ? -1 : 1;
  case '*':
    if (op[1] == '*')
      return b < 0 ? 0 : wide_pow(a, b, r) ? 1 : -1;
    return __builtin_mul_overflow(a, b, r) ? -1 : 1;
  case '/':
    if (op[1] != '/' || b == 0)
      return 0;
    if (a == min && b == -1)
      return -1;
    *r = a / b - (a % b != 0 && (a < 0) != (b < 0));
    return 1;
  case '%':
    if (b == 0)
      return 0;
    *r = b == -1 ? 0 : a % b;
    *r += *r != 0 && (*r < 0) != (b < 0) ? b : 0;
    return 1;
  case '&': *r = a & b; return 1;
  case '|': *r = a | b; return 1;
  case '^': *r = a ^ b; return 1;
  case '<':
    if (b < 0)
      return 0;
    if (a == 0)
      return *r = 0, 1;
    return b >= 127 || __builtin_mul_overflow(a, (Wide)1 << b, r) ? -1 : 1;
  case '>':
    if (b < 0)
      return 0;
    *r = a >> (b > 127 ? 127 : b);
    return 1;
  }
  return 0;
}

// The operand that a binary expression starts with: where its value is reported.
static Node *first_operand(Node *n) {
  while (n->kind == ND_BINOP)
    n = n->lhs;
  return n;
}

// n, a constant int expression, becomes the literal of its value v.
static void fold_to(Sema *s, Node *n, Wide v) {
  Token *t = arena_alloc(s->arena, sizeof(Token));
  *t = *first_operand(n)->tok;   // its position: the expression's first token
  t->kind = TK_NUMBER;
  t->is_float = t->is_imag = t->too_wide = false;
  t->folded = true;
  t->wide = v;
  t->too_big = v > INT64_MAX || v < INT64_MIN;
  t->ival = v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
  t->fval = (double)v;
  n->kind = ND_NUM;
  n->tok = t;
  n->lhs = n->rhs = NULL;
}

// Folds n (a binary or unary operation of type t) where its operands are int constants.
static void fold_int(Sema *s, Node *n, Type *t) {
  Wide a, b = 0, r = 0;
  if (!t || !ty_is_int(t) || !t->weak || !wide_value(n->lhs, &a))
    return;
  int ok;
  if (n->kind == ND_UNARY)
    ok = n->op[0] == '+' ? (r = a, 1) : n->op[0] == '~' ? (r = ~a, 1)
         : __builtin_sub_overflow((Wide)0, a, &r) ? -1 : 1;
  else
    ok = wide_value(n->rhs, &b) ? wide_binop(n->op, a, b, &r) : 0;
  if (ok < 0)
    error_at(s, first_operand(n), "integer constant too large: Python ints of 2**127 or more are not "
                   "supported");
  else if (ok > 0)
    fold_to(s, n, r);
}

// A big int constant where its expression makes it a float: the nearest double, as Python's
// float() and NumPy's conversion give.
static void big_to_float(Sema *s, Node *n) {
  if (n->kind != ND_NUM || n->tok->is_float || !n->tok->too_big || n->tok->too_wide)
    return;
  Token *t = arena_alloc(s->arena, sizeof(Token));
  *t = *n->tok;
  t->is_float = t->folded = true;
  t->fval = (double)t->wide;
  n->tok = t;
  n->ty = ty_weak_float;
}

// What is left of big constants is used as an int: refused, as NumPy refuses it.
static bool report_big(Node *n, void *ctx) {
  Sema *s = ctx;
  if (n->kind == ND_NUM && !n->tok->is_float && n->tok->too_big && !n->tok->too_wide)
    error_at(s, n, "Python integer %s out of bounds for int64 (NumPy raises OverflowError); "
                   "write a float (e.g. 1e20) where a float is meant",
             wide_str(s->arena, n->tok->wide));
  return false;
}

static Type *binary_scalar(Sema *s, Node *n, Type *a, Type *b);

// Arithmetic: on scalars, or elementwise where an operand is an array; '@' of 1-d arrays.
static Type *binary(Sema *s, Node *n) {
  Type *a = expr(s, n->lhs), *b = expr(s, n->rhs);
  if (!a || !b)
    return NULL;
  if (!strcmp(n->op, "@")) {
    if (a->kind != TY_ARRAY || b->kind != TY_ARRAY || a->ndim != 1 || b->ndim != 1) {
      error_at(s, n, "'@' is supported between two 1-d arrays only");
      return NULL;
    }
    n->name = "reduce_dot";
    return ty_promote(a->elem, b->elem);
  }
  if (a->kind == TY_ARRAY || b->kind == TY_ARRAY)
    return elementwise(s, binary_scalar(s, n, elem_of(a), elem_of(b)), a, b);
  return binary_scalar(s, n, a, b);
}

// NumPy 2 raises OverflowError where a Python int literal meets an integer type that
// cannot hold it (np.uint8(5) + 300, u8 - -1); here that is known before the run. (Past
// int64, report_big says it.)
static void check_literal(Sema *s, Node *lit, Type *t) {
  Wide v;
  int64_t lo, hi;
  if (!ty_is_int(t) || t->weak || !wide_value(lit, &v) || lit->tok->too_big)
    return;
  ty_range(t, &lo, &hi);
  if (v < lo || v > hi)
    error_at(s, lit, "Python integer %lld out of bounds for %s (NumPy raises OverflowError)",
             (long long)v, ty_name(s->arena, t));
}

// Arithmetic on NumPy bools: + and * are or and and, - is refused, / gives float64, and
// //, %, **, << and >> compute in int8.
static Type *bool_arith(Sema *s, Node *n, const char *op) {
  if (!strcmp(op, "+") || !strcmp(op, "*") || !strcmp(op, "&") || !strcmp(op, "|") ||
      !strcmp(op, "^"))
    return ty_bool;
  if (!strcmp(op, "-")) {
    error_at(s, n, "NumPy does not subtract bools; use ^ (or !=) instead");
    return NULL;
  }
  return !strcmp(op, "/") ? ty_float64 : ty_int8;
}

static Type *binary_scalar(Sema *s, Node *n, Type *a, Type *b) {
  if (!ty_is_scalar(a) || !ty_is_scalar(b)) {
    error_at(s, n, "unsupported operand types for %s: %s and %s", n->op, ty_name(s->arena, a),
             ty_name(s->arena, b));
    return NULL;
  }
  const char *op = n->op;
  Type *t = ty_promote(a, b);
  check_literal(s, n->lhs, t);
  check_literal(s, n->rhs, t);
  if (ty_is_float(t) || !strcmp(op, "/")) {
    big_to_float(s, n->lhs);
    big_to_float(s, n->rhs);
  }
  bool bits = !strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^") || !strcmp(op, "<<") ||
              !strcmp(op, ">>");
  if (bits && ty_is_float(t)) {
    error_at(s, n, "'%s' needs integers or bools, not %s", op, ty_name(s->arena, t));
    return NULL;
  }
  if (t->kind == TY_BOOL && !t->weak)
    return bool_arith(s, n, op);
  if (t->kind == TY_BOOL && (!bits || op[0] == '<' || op[0] == '>'))
    t = ty_weak_int;   // arithmetic on Python bools happens on ints
  if (!strcmp(op, "/"))
    return ty_is_float(t) ? t : (t->weak ? ty_weak_float : ty_float64);
  int64_t k;
  if (!strcmp(op, "**") && ty_is_int(t) && const_int(n->rhs, &k) && k < 0)
    return t->weak ? ty_weak_float : ty_float64;
  return t;
}

static Type *compare(Sema *s, Node *n) {
  bool weak = true;
  Type *prev = expr(s, n->lhs);
  Node *rhs = n->args, *lhs = n->lhs;
  for (int i = 0; i < n->nargs; i++, lhs = rhs, rhs = rhs->next) {
    Type *t = expr(s, rhs);
    if (!prev || !t)
      return NULL;
    if (ty_is_float(elem_of(prev)) || ty_is_float(elem_of(t))) {
      big_to_float(s, lhs);
      big_to_float(s, rhs);
    }
    if ((prev->kind == TY_ARRAY || t->kind == TY_ARRAY) && n->nargs == 1 &&
        ty_is_scalar(elem_of(prev)) && ty_is_scalar(elem_of(t)))
      return elementwise(s, ty_bool, prev, t);   // elementwise, to a bool array
    if (!ty_is_scalar(prev) || !ty_is_scalar(t)) {
      error_at(s, n, prev->kind == TY_ARRAY || t->kind == TY_ARRAY
                         ? "chained comparisons of arrays are ambiguous; compare two at a time"
                         : "cannot compare %s with %s",
               ty_name(s->arena, prev), ty_name(s->arena, t));
      return NULL;
    }
    weak &= prev->weak && t->weak;
    prev = t;
  }
  return weak ? ty_weak_bool : ty_bool;
}

static Type *tuple(Sema *s, Node *n) {
  Type **f = arena_alloc(s->arena, sizeof(Type *) * (size_t)(n->nargs ? n->nargs : 1));
  int i = 0;
  for (Node *e = n->args; e; e = e->next) {
    f[i] = expr(s, e);
    if (!f[i++])
      return NULL;
  }
  return ty_tuple(s->arena, f, n->nargs);
}

static Type *name_ref(Sema *s, Node *n) {
  Var *v = find_var(s, n->name);
  n->var = v;
  if (v)
    return v->ty;
  if (is_module_name(n->name))
    error_at(s, n, "module '%s' cannot be used as a value", n->name);
  else
    report_kind(s, DK_UNDEFINED, n->name, n, "name '%s' is not defined in this kernel (only "
                "parameters and local variables can be used)", n->name);
  return NULL;
}

// A number literal. Integers are exact below 2^127 (see fold_int); past int64, one stays a
// big constant until its context makes it a float (else report_big refuses it).
static Type *number(Sema *s, Node *n) {
  if (n->tok->too_wide)
    error_at(s, n, "integer literal too large: Python ints of 2**127 or more are not supported");
  return n->tok->is_float ? ty_weak_float : ty_weak_int;
}

static Type *expr(Sema *s, Node *n) {
  Type *t = NULL;
  switch (n->kind) {
  case ND_NUM: t = number(s, n); break;
  case ND_BOOL: t = ty_weak_bool; break;
  case ND_NAME: t = name_ref(s, n); break;
  case ND_ATTR: t = attribute(s, n); break;
  case ND_CALL: t = call(s, n); break;
  case ND_SUBSCRIPT: t = subscript(s, n); break;
  case ND_BINOP: t = binary(s, n), fold_int(s, n, t); break;
  case ND_UNARY: {
    Type *at = value_operand(s, n->lhs, n->op);
    t = at ? elem_of(at) : NULL;
    if (t && t->kind == TY_BOOL && !t->weak && !strcmp(n->op, "-")) {
      error_at(s, n, "NumPy does not negate bools; use ~ (or not) instead");
      t = NULL;
    }
    if (t && t->kind == TY_BOOL && t->weak)   // -True is -1 in Python
      t = ty_weak_int;
    if (t && ty_is_float(t) && !strcmp(n->op, "~")) {
      error_at(s, n, "'~' needs an integer or bool, not %s", ty_name(s->arena, t));
      t = NULL;
    }
    if (t && at->kind == TY_ARRAY)
      t = elementwise(s, t, at, NULL);
    fold_int(s, n, t);
    break;
  }
  case ND_NOT: t = scalar_operand(s, n->lhs, "not") ? ty_weak_bool : NULL; break;
  case ND_BOOLOP: {
    Type *a = scalar_operand(s, n->lhs, n->op), *b = scalar_operand(s, n->rhs, n->op);
    t = a && b ? ty_promote(a, b) : NULL;
    break;
  }
  case ND_COMPARE: t = compare(s, n); break;
  case ND_IFEXP: {
    scalar_operand(s, n->cond, "a condition");
    Type *a = scalar_operand(s, n->body, "a conditional expression");
    Type *b = scalar_operand(s, n->orelse, "a conditional expression");
    t = a && b ? ty_promote(a, b) : NULL;
    break;
  }
  case ND_TUPLE: t = tuple(s, n); break;
  case ND_NONE: t = ty_none; break;
  case ND_STR: unsupported_at(s, n, "strings are not supported in kernel functions"); break;
  case ND_LIST:
    unsupported_at(s, n, "lists are not supported in kernel functions; use a NumPy array");
    break;
  case ND_SLICE: error_at(s, n, "a slice is only allowed as an index"); break;
  case ND_KEYWORD: error_at(s, n, "unexpected keyword argument '%s'", n->name); break;
  default: error_at(s, n, "unsupported expression"); break;
  }
  n->ty = t;
  // Whatever array values lower.c did not turn into loops have no place to go.
  if (s->lowered && t && t->kind == TY_ARRAY && n->kind != ND_NAME &&
      !(n->kind == ND_CALL && n->name &&
        (!strncmp(n->name, "alloc:", 6) || !strcmp(n->name, "buffer")))) {
    error_at(s, n, "an array value (%s) cannot be used here: array expressions can be "
                   "assigned to a slice (x[:] = ...), updated in place (x[a:b] += ...), "
                   "reduced (np.sum, np.max, np.min, np.mean, np.dot) or, outside parallel "
                   "loops, assigned to a new name", ty_name(s->arena, t));
    n->ty = NULL;
    return NULL;
  }
  return t;
}

//
// Statements
//

static void assign_target(Sema *s, Node *t, Type *vt, Node *at) {
  if (t->kind == ND_NAME) {
    Var *v = find_var(s, t->name);
    t->var = v;
    assign_type(s, v, at, vt);
    t->ty = v->ty;
    return;
  }
  if (t->kind == ND_SUBSCRIPT) {
    Type *et = expr(s, t);
    if (et && et->kind == TY_ARRAY) {   // a slice: lower.c stores element by element
      if (vt && vt->kind == TY_ARRAY && vt->ndim > et->ndim)
        error_at(s, at, "cannot assign a %s to a %s slice of '%s'", ty_name(s->arena, vt),
                 ty_name(s->arena, et), t->lhs->name);
      return;
    }
    if (et && vt && !ty_is_scalar(vt) && !(s->lowered && vt->kind == TY_ARRAY))
      error_at(s, at, "cannot store a %s into an element of '%s'", ty_name(s->arena, vt),
               t->lhs->name);
    return;
  }
  if (t->kind == ND_TUPLE || t->kind == ND_LIST) {
    if (vt && (vt->kind != TY_TUPLE || vt->nfields != t->nargs)) {
      error_at(s, at, "cannot unpack %s into %d targets", ty_name(s->arena, vt), t->nargs);
      return;
    }
    int i = 0;
    for (Node *e = t->args; e; e = e->next, i++)
      assign_target(s, e, vt ? vt->fields[i] : NULL, at);
    return;
  }
  error_at(s, t, "cannot assign to this expression in a kernel function");
}

static void assign(Sema *s, Node *n) {
  Type *vt = expr(s, n->rhs);
  if (n->rhs->kind == ND_CALL && n->rhs->name && !strcmp(n->rhs->name, "buffer")) {
    if (!s->region_loop || s->seq_loops || n->nargs != 1 || n->args->kind != ND_NAME ||
        s->in_branch)
      error_at(s, n, "appy.buffer() must be assigned to a name directly in the body of a "
                     "parallel loop (one scratchpad per team)");
    else if (vt)
      find_var(s, n->args->name)->buffer = n->rhs->ival;
  }
  if (vt && vt->kind == TY_TUPLE && n->rhs->kind != ND_TUPLE && n->rhs->kind != ND_ATTR) {
    error_at(s, n->rhs, "tuples can only be unpacked where they are written");
    return;
  }
  for (Node *t = n->args; t; t = t->next) {
    assign_target(s, t, vt, n->rhs);
    if (t->kind == ND_SUBSCRIPT && t->ty && ty_is_float(elem_of(t->ty)))
      big_to_float(s, n->rhs);   // a[0] = 10**20 stores float(10**20), as NumPy does
  }
}

static void augassign(Sema *s, Node *n) {
  if (n->lhs->kind != ND_NAME && n->lhs->kind != ND_SUBSCRIPT) {
    error_at(s, n, "cannot update this expression in a kernel function");
    return;
  }
  Node bin = {.kind = ND_BINOP, .tok = n->tok, .op = n->op, .lhs = n->lhs, .rhs = n->rhs};
  Type *t = expr(s, &bin);
  Type *lt = n->lhs->ty;
  if (t && lt && lt->kind == TY_ARRAY) {   // in place, as NumPy does: the array keeps its type
    if (t->kind == TY_ARRAY && t->ndim > lt->ndim)
      error_at(s, n, "cannot update a %s in place with a %s", ty_name(s->arena, lt),
               ty_name(s->arena, t));
    else if (!ty_is_float(lt->elem) && ty_is_float(elem_of(t)))
      error_at(s, n, "cannot update %s in place with %s values: NumPy casts only within a "
                     "kind; write the result into a float array", ty_name(s->arena, lt),
               ty_name(s->arena, ty_strong(elem_of(t))));
    n->ty = lt;
    return;
  }
  if (n->lhs->kind == ND_NAME && t)
    assign_target(s, n->lhs, t, n);
  n->ty = t;
}

// The range(...) call of a for loop; reports anything else.
static Node *range_call(Sema *s, Node *n) {
  Node *it = n->iter;
  if (it->kind == ND_CALL && (is_name(it->lhs, "range") || is_name(it->lhs, "prange") ||
                              is_module_attr(it->lhs, "prange") || is_module_attr(it->lhs, "range"))) {
    int np = count_positional(it);
    if (np < 1 || np > 3) {
      error_at(s, it, "range() takes 1 to 3 arguments");
      return NULL;
    }
    for (Node *a = it->args; a; a = a->next) {
      if (a->kind == ND_KEYWORD) {
        if (strcmp(a->name, "parallel") || a->lhs->kind != ND_BOOL)
          error_at(s, a, "range() accepts only parallel=True or parallel=False as a keyword");
        continue;
      }
      Type *t = expr(s, a);
      if (t && !ty_is_int(t))
        error_at(s, a, "range() arguments must be integers, not %s", ty_name(s->arena, t));
    }
    int64_t step;
    if (np == 3 && const_int(positional(it, 2), &step) && step == 0)
      error_at(s, positional(it, 2), "range() step must not be zero");
    return it;
  }
  error_at(s, it, "only 'for ... in range(...)' loops are supported in kernel functions");
  return NULL;
}

static void for_stmt(Sema *s, Node *n) {
  if (n->target->kind != ND_NAME) {
    error_at(s, n->target, "the loop variable must be a plain name");
    return;
  }
  range_call(s, n);
  assign_target(s, n->target, ty_weak_int, n->target);
  bool par = is_parallel_for(n);
  n->parallel = par && !s->region_loop;
  if (n->parallel) {
    s->region_loop = n;
    int saved = s->seq_loops;
    s->seq_loops = 0;
    stmts(s, n->body);
    s->seq_loops = saved;
    s->region_loop = NULL;
    return;
  }
  s->seq_loops++;
  stmts(s, n->body);
  s->seq_loops--;
}

static void simple(Sema *s, Node *n) {
  switch (n->kind) {
  case ND_ASSIGN: assign(s, n); break;
  case ND_AUGASSIGN: augassign(s, n); break;
  case ND_RETURN:
    if (s->region_loop)
      error_at(s, n, "'return' inside a parallel loop is not allowed");
    else if (n->lhs)
      expr(s, n->lhs);
    break;
  case ND_BREAK:
  case ND_CONTINUE:
    if (!s->seq_loops)
      error_at(s, n, "'%s' cannot leave a parallel loop; only sequential loops support it",
               n->kind == ND_BREAK ? "break" : "continue");
    break;
  case ND_EXPR_STMT:
    if (n->lhs->kind == ND_CALL && is_name(n->lhs->lhs, "print"))
      unsupported_at(s, n, "print() is not supported in kernel functions");
    else
      error_at(s, n, "this expression statement has no effect in a kernel function");
    break;
  default: break;
  }
}

// The clauses APPy's pragmas accept. block, to and from are hints that change nothing
// here (group sizes are tuned at run time, data moves as the loops need it).
static bool known_clause(const char *name, size_t len, bool parens) {
  static const char *const words[] = {"simd", NULL};
  static const char *const calls[] = {"shared", "reduction", "block", "to", "from", NULL};
  for (const char *const *w = parens ? calls : words; *w; w++)
    if (strlen(*w) == len && !strncmp(*w, name, len))
      return true;
  return false;
}

/* clauses: (NAME ['(' (any character but ')')* ')'])*
 * Reports the first clause of pragma p, after its first `skip` words, that APPy does not
 * know (APPy rejects them too), at its column. */
static void check_clauses(Sema *s, Pragma *p, int skip) {
  const char *t = p->text;
  for (int w = 0; w < skip; w++) {
    while (*t && *t != ' ' && *t != '\t')
      t++;
    while (*t == ' ' || *t == '\t')
      t++;
  }
  while (*t) {
    const char *start = t;
    while (*t == '_' || (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
           (*t >= '0' && *t <= '9'))
      t++;
    size_t len = (size_t)(t - start);
    const char *after = t;
    while (*after == ' ' || *after == '\t')
      after++;
    bool parens = *after == '(';
    Node at = {.tok = &(Token){.line = p->line, .col = p->text_col + (int)(start - p->text)}};
    if (!len) {
      error_at(s, &at, "unexpected '%c' in '#pragma %s'", *start, p->text);
      return;
    }
    if (!known_clause(start, len, parens)) {
      error_at(s, &at, "unknown clause '%.*s' in '#pragma %s' (known: simd, shared(...), "
               "reduction(op: ...), block(...), to(...), from(...))", (int)len, start, p->text);
      return;
    }
    t = after;
    if (parens) {
      t = strchr(t, ')');
      if (!t) {
        error_at(s, &at, "'%.*s(' is not closed in '#pragma %s'", (int)len, start, p->text);
        return;
      }
      t++;
    }
    while (*t == ' ' || *t == '\t')
      t++;
  }
}

static void check_pragmas(Sema *s, Node *n) {
  Pragma *p = n->pragma;
  for (int i = 0; i < n->npragmas && p; p = p->next) {
    if (p->is_appy || !p->used)
      continue;
    i++;
    Node at = {.tok = &(Token){.line = p->line, .col = p->col}};
    bool par = !strncmp(p->text, "parallel", 8);
    bool inner = !strncmp(p->text, "simd", 4) || !strncmp(p->text, "workshare", 9);
    if (par && n->kind != ND_FOR)
      error_at(s, &at, "'#pragma %s' must be followed by a for loop", p->text);
    else if (par && strncmp(p->text, "parallel for", 12))
      error_at(s, &at, "expected '#pragma parallel for'");
    else if (par)
      check_clauses(s, p, 2);
    else if (inner && n->kind != ND_FOR)
      warn_at(s, &at, "'#pragma %s' is not followed by a for loop; ignored", p->text);
    else if (inner && !s->region_loop)
      warn_at(s, &at, "'#pragma %s' outside a parallel loop is ignored", p->text);
    else if (inner)
      check_clauses(s, p, 1);
    else if (!strcmp(p->text, "atomic") && n->kind == ND_AUGASSIGN)
      continue;   // updates that iterations may share are atomic anyway
    else
      warn_at(s, &at, "unknown pragma '%s' ignored", p->text);
  }
}

static void stmts(Sema *s, Node *n) {
  for (; n; n = n->next) {
    if (n->npragmas)
      check_pragmas(s, n);
    switch (n->kind) {
    case ND_IF:
      scalar_operand(s, n->cond, "a condition");
      s->in_branch++;
      stmts(s, n->body);
      stmts(s, n->orelse);
      s->in_branch--;
      break;
    case ND_WHILE:
      scalar_operand(s, n->cond, "a condition");
      s->seq_loops++;
      stmts(s, n->body);
      s->seq_loops--;
      break;
    case ND_FOR: for_stmt(s, n); break;
    default: simple(s, n); break;
    }
  }
}

//
// Signatures
//

// type: NAME ['[' ':' (',' ':')* ']']
static Type *parse_sig_type(Sema *s, const char **pp) {
  const char *p = *pp;
  while (*p == ' ')
    p++;
  const char *start = p;
  while (*p && (*p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
    p++;
  Type *t = ty_from_name(start, (size_t)(p - start));
  if (!t)
    return NULL;
  while (*p == ' ')
    p++;
  if (*p == '[') {
    int rank = 1;
    for (p++; *p && *p != ']'; p++) {
      if (*p == ',')
        rank++;
      else if (*p != ':' && *p != ' ' && *p != '1')
        return NULL;
    }
    if (*p != ']')
      return NULL;
    p++;
    t = ty_array(s->arena, t, rank);
  }
  *pp = p;
  return t;
}

// signature: NAME '(' [type (',' type)*] ')'
static bool parse_signature(Sema *s, const char *text, const char **name, size_t *nlen,
                            Signature *sig) {
  const char *p = text;
  while (*p == ' ')
    p++;
  *name = p;
  while (*p && *p != '(' && *p != ' ')
    p++;
  *nlen = (size_t)(p - *name);
  while (*p == ' ')
    p++;
  if (*p != '(' || !*nlen)
    return false;
  p++;
  Type *types[64];
  int n = 0;
  while (*p == ' ')
    p++;
  while (*p != ')') {
    if (n == 64 || !(types[n++] = parse_sig_type(s, &p)))
      return false;
    while (*p == ' ')
      p++;
    if (*p == ',')
      p++;
    else if (*p != ')')
      return false;
  }
  sig->text = arena_strndup(s->arena, *name, (size_t)(p + 1 - *name));
  sig->nparams = n;
  sig->params = arena_alloc(s->arena, sizeof(Type *) * (size_t)(n ? n : 1));
  memcpy(sig->params, types, sizeof(Type *) * (size_t)n);
  return true;
}

// The kernel a signature names, in NFKC as the def's name (ﬁx is fix).
static Kernel *find_kernel(Sema *s, Program *p, const char *name, size_t len) {
  const char *nfkc = nfkc_name(s->arena, name, len);
  for (Kernel *k = p->kernels; k; k = k->next)
    if (!strcmp(k->name, nfkc))
      return k;
  return NULL;
}

static void add_signature(Sema *s, Program *prog, const char *text, int line, int col) {
  Signature sig;
  const char *name;
  size_t nlen;
  if (!parse_signature(s, text, &name, &nlen, &sig)) {
    diag_at(s->diags, DIAG_ERROR, line, col,
            "malformed signature '%s'; expected e.g. 'f(float64[:], float32[:, :], int64)'", text);
    return;
  }
  Kernel *k = find_kernel(s, prog, name, nlen);
  if (!k) {
    diag_at(s->diags, DIAG_ERROR, line, col, "signature for '%.*s', which is not a kernel "
            "function (decorated with @appy.jit) in this file", (int)nlen, name);
    return;
  }
  for (int i = 0; i < sig.nparams; i++)
    if (sig.params[i]->kind == TY_ARRAY && sig.params[i]->ndim > MAXRANK) {
      diag_at(s->diags, DIAG_ERROR, line, col, "signature '%s' has an array of rank %d; "
              "arrays have at most %d dimensions", sig.text, sig.params[i]->ndim, MAXRANK);
      return;
    }
  if (sig.nparams != k->nparams) {
    diag_at(s->diags, DIAG_ERROR, line, col, "signature '%s' has %d type%s but '%s' takes %d "
            "parameter%s", sig.text, sig.nparams, sig.nparams == 1 ? "" : "s", k->name,
            k->nparams, k->nparams == 1 ? "" : "s");
    return;
  }
  Signature *sigs = arena_alloc(s->arena, sizeof(Signature) * (size_t)(k->nsigs + 1));
  if (k->nsigs)   // the first has none to copy, from NULL (memcpy's arguments must not be)
    memcpy(sigs, k->sigs, sizeof(Signature) * (size_t)k->nsigs);
  sigs[k->nsigs++] = sig;
  k->sigs = sigs;
}

//
// Signature inference (APPy's defaults)
//

typedef struct {
  int rank;        // Highest rank seen for an array use (0: not an array)
  Node *at;        // The use that showed it (an ND_NAME), for the rank limit
  bool integer;    // Used in an index or a range bound
  bool int_elems;  // An array whose elements are used so
} ParamUse;

// How a kernel's body uses its parameters, and which of its locals hold integers: those
// used where an integer is (an index, a range bound), whose values then are too.
typedef struct {
  Kernel *k;              // The kernel
  ParamUse *u;            // Use of each parameter
  const char *ints[64];   // Locals used as integers...
  int nints;              // ...how many
  bool changed;           // Some local joined ints in this pass
} Infer;

static int param_index(Kernel *k, const char *name) {
  for (int i = 0; i < k->nparams; i++)
    if (!strcmp(k->pnames[i], name))
      return i;
  return -1;
}

static bool int_local(Infer *in, const char *name) {
  for (int i = 0; i < in->nints; i++)
    if (!strcmp(in->ints[i], name))
      return true;
  return false;
}

static void infer_expr(Infer *in, Node *n, bool integer);

static void infer_list(Infer *in, Node *n, bool integer) {
  for (; n; n = n->next)
    infer_expr(in, n, integer);
}

static void infer_name(Infer *in, Node *n, bool integer) {
  int i = param_index(in->k, n->name);
  if (i >= 0 && integer)
    in->u[i].integer = true;
  else if (i < 0 && integer && !int_local(in, n->name) && in->nints < 64) {
    in->ints[in->nints++] = n->name;
    in->changed = true;
  }
}

static void infer_subscript(Infer *in, Node *n, bool integer) {
  ParamUse *u = in->u;
  Node *base = n->lhs;
  int rank = n->nargs, i;
  while (base->kind == ND_SUBSCRIPT)
    rank += base->nargs, infer_list(in, base->args, true), base = base->lhs;
  if (base->kind == ND_ATTR && !strcmp(base->name, "shape") && base->lhs->kind == ND_NAME &&
      (i = param_index(in->k, base->lhs->name)) >= 0) {
    int64_t kk;
    int need = 1;
    if (const_int(n->args, &kk) && kk >= 0)   // past the limit: reported (no int overflow)
      need = kk < MAXRANK ? (int)kk + 1 : MAXRANK + 1;
    if (u[i].rank < need)
      u[i].rank = need, u[i].at = base->lhs;
    return;
  }
  if (base->kind == ND_NAME && (i = param_index(in->k, base->name)) >= 0) {
    if (u[i].rank < rank)
      u[i].rank = rank, u[i].at = base;
    u[i].int_elems |= integer;   // x[idx[j]], range(indptr[i], indptr[i + 1])
  }
  infer_list(in, n->args, true);
}

static void infer_call(Infer *in, Node *n, bool integer) {
  ParamUse *u = in->u;
  int i;
  bool rng = is_name(n->lhs, "range") || is_name(n->lhs, "prange") ||
             is_module_attr(n->lhs, "prange") || is_module_attr(n->lhs, "range");
  bool alloc = n->lhs->kind == ND_ATTR && !strstr(n->lhs->name, "_like") &&
               (!strcmp(n->lhs->name, "empty") || !strcmp(n->lhs->name, "zeros") ||
                !strcmp(n->lhs->name, "ones") || !strcmp(n->lhs->name, "full"));
  bool arr = is_name(n->lhs, "len") || (n->lhs->kind == ND_ATTR && strstr(n->lhs->name, "_like"));
  // min(a, b), max and abs are integers where their arguments are
  bool through = is_name(n->lhs, "min") || is_name(n->lhs, "max") || is_name(n->lhs, "abs");
  for (Node *a = n->args; a; a = a->next) {
    Node *v = a->kind == ND_KEYWORD ? a->lhs : a;
    if (arr && v->kind == ND_NAME && (i = param_index(in->k, v->name)) >= 0 && !u[i].rank)
      u[i].rank = 1;
    infer_expr(in, v, rng || (alloc && a == n->args) || (through && integer));   // bounds, a shape
  }
}

static void infer_expr(Infer *in, Node *n, bool integer) {
  if (!n)
    return;
  int i;
  switch (n->kind) {
  case ND_NAME: infer_name(in, n, integer); return;
  case ND_SUBSCRIPT: infer_subscript(in, n, integer); return;
  case ND_ATTR:
    if (n->lhs->kind == ND_NAME && (i = param_index(in->k, n->lhs->name)) >= 0 &&
        !in->u[i].rank &&
        (!strcmp(n->name, "shape") || !strcmp(n->name, "size") || !strcmp(n->name, "ndim")))
      in->u[i].rank = 1;
    return;
  case ND_CALL: infer_call(in, n, integer); return;
  default:
    infer_expr(in, n->lhs, integer && n->kind != ND_COMPARE);
    infer_expr(in, n->rhs, integer);
    infer_list(in, n->args, integer && n->kind != ND_COMPARE);
    infer_expr(in, n->cond, false);
    infer_expr(in, n->body, integer);
    infer_expr(in, n->orelse, integer);
    infer_expr(in, n->lo, true);
    infer_expr(in, n->hi, true);
    infer_expr(in, n->step, true);
    return;
  }
}

// An assignment: its targets, and its value as an integer where the target is one.
static void infer_assign(Infer *in, Node *t, Node *value) {
  if ((t->kind == ND_TUPLE || t->kind == ND_LIST) && value->kind == ND_TUPLE &&
      t->nargs == value->nargs) {
    for (Node *e = t->args, *v = value->args; e; e = e->next, v = v->next)
      infer_assign(in, e, v);
    return;
  }
  if (t->kind != ND_NAME)
    infer_expr(in, t, false);
  infer_expr(in, value, t->kind == ND_NAME && int_local(in, t->name));
}

static void infer_stmts(Infer *in, Node *n) {
  for (; n; n = n->next) {
    switch (n->kind) {
    case ND_IF:
    case ND_WHILE:
      infer_expr(in, n->cond, false);
      infer_stmts(in, n->body);
      infer_stmts(in, n->orelse);
      break;
    case ND_FOR:
      infer_expr(in, n->iter, true);
      infer_stmts(in, n->body);
      break;
    case ND_ASSIGN:
      for (Node *t = n->args; t; t = t->next)
        infer_assign(in, t, n->rhs);
      break;
    case ND_AUGASSIGN:
      infer_assign(in, n->lhs, n->rhs);
      break;
    default:
      infer_expr(in, n->lhs, false);
      infer_expr(in, n->rhs, false);
      break;
    }
  }
}

// How k's body uses its parameters; integers flow back through locals (a fixed point).
static ParamUse *param_uses(Sema *s, Kernel *k) {
  Infer in = {.k = k};
  in.u = arena_alloc(s->arena, sizeof(ParamUse) * (size_t)(k->nparams + 1));
  do {
    in.changed = false;
    infer_stmts(&in, k->fn->body);
  } while (in.changed);
  for (int i = 0; i < k->nparams; i++)
    if (in.u[i].rank > MAXRANK)
      diag_tok(s->diags, DIAG_ERROR, in.u[i].at->tok, "'%s' is used as an array of more than "
               "%d dimensions here; arrays have at most %d", k->pnames[i], MAXRANK, MAXRANK);
  return in.u;
}

// k's signature: parameter i has type from[i] if that is set, else the type inferred
// from its use u (APPy's defaults: float64 arrays of the rank used, int64 indices and
// range bounds, float64 otherwise; arrays of elem if that is given; int64 arrays whose
// elements are indices or range bounds).
static Signature make_signature(Sema *s, Kernel *k, ParamUse *u, Type **from, Type *elem) {
  Signature sig = {.nparams = k->nparams};
  sig.params = arena_alloc(s->arena, sizeof(Type *) * (size_t)(k->nparams + 1));
  Buf b = {0};
  buf_printf(&b, "%s(", k->name);
  for (int i = 0; i < k->nparams; i++) {
    Type *e = u[i].int_elems ? ty_int64 : elem ? elem : ty_float64;
    Type *t = from && from[i] ? from[i]
              : u[i].rank ? ty_array(s->arena, e, u[i].rank)
              : u[i].integer ? ty_int64 : ty_float64;
    sig.params[i] = t;
    buf_printf(&b, "%s%s", i ? ", " : "", ty_sig_name(s->arena, t));
  }
  buf_puts(&b, ")");
  sig.text = arena_strndup(s->arena, b.data, b.len);
  buf_free(&b);
  return sig;
}

static void infer_signature(Sema *s, Kernel *k) {
  k->sigs = arena_alloc(s->arena, sizeof(Signature));
  k->sigs[0] = make_signature(s, k, param_uses(s, k), NULL, NULL);
  k->nsigs = 1;
  k->inferred = true;
}

// The element type that all float arrays of a signature share, or NULL.
static Type *float_elem(Signature *sig) {
  Type *elem = NULL;
  for (int i = 0; i < sig->nparams; i++) {
    Type *t = sig->params[i];
    if (t->kind != TY_ARRAY || !ty_is_float(t->elem))
      continue;
    if (elem && elem != t->elem)
      return NULL;
    elem = t->elem;
  }
  return elem;
}

static void add_unique(Kernel *k, Signature sig) {
  for (int i = 0; i < k->nsigs; i++)
    if (!strcmp(k->sigs[i].text, sig.text))
      return;
  k->sigs[k->nsigs++] = sig;
}

// An entry point outlined from host function h (outline.c): for each declared overload
// of h, the parameters h passes on unchanged keep h's types, and the others are inferred,
// their arrays once as float64 and once with the float type of h's arrays in that
// overload (overloads that come out the same are made once). Without declared
// overloads of h, all are inferred.
static void outlined_signatures(Sema *s, Kernel *k, Kernel *h) {
  k->host = h;
  if (!h->nsigs)
    return;
  ParamUse *u = param_uses(s, k);
  Type **from = arena_alloc(s->arena, sizeof(Type *) * (size_t)(k->nparams + 1));
  k->sigs = arena_alloc(s->arena, sizeof(Signature) * (size_t)(2 * h->nsigs));
  for (int j = 0; j < h->nsigs; j++) {
    for (int i = 0; i < k->nparams; i++)
      from[i] = k->fn->host_param[i] >= 0 ? h->sigs[j].params[k->fn->host_param[i]] : NULL;
    Type *elem = float_elem(&h->sigs[j]);
    if (elem)
      add_unique(k, make_signature(s, k, u, from, elem));
    add_unique(k, make_signature(s, k, u, from, NULL));
  }
}

//
// Instances
//

// Marks loop variables read where no loop binding them is active: Python leaves such a
// variable at its last value (or the one at a break), which codegen must reproduce.
static void mark_outside_reads(Node *n, Var **active, int depth) {
  for (; n; n = n->next) {
    if (n->kind == ND_NAME && n->var && n->var->is_loop_var) {
      bool inside = false;
      for (int i = 0; i < depth; i++)
        inside |= active[i] == n->var;
      n->var->used_outside_loop |= !inside;
    }
    if (n->kind == ND_FOR && n->target->kind == ND_NAME && depth < 64) {
      mark_outside_reads(n->iter, active, depth);
      active[depth] = n->target->var;
      mark_outside_reads(n->body, active, depth + 1);
      continue;
    }
    if (n->kind == ND_ASSIGN) {   // targets are not reads, but their indices are
      for (Node *t = n->args; t; t = t->next)
        if (t->kind != ND_NAME)
          mark_outside_reads(t->kind == ND_SUBSCRIPT ? t->args : t->args, active, depth);
      mark_outside_reads(n->rhs, active, depth);
      continue;
    }
    mark_outside_reads(n->lhs, active, depth);
    mark_outside_reads(n->rhs, active, depth);
    mark_outside_reads(n->args, active, depth);
    mark_outside_reads(n->cond, active, depth);
    mark_outside_reads(n->body, active, depth);
    mark_outside_reads(n->orelse, active, depth);
  }
}

// Types every variable: a fixed point, since a local takes the type of every value it gets.
static void infer_types(Sema *s) {
  for (int iter = 0; iter < 16; iter++) {
    s->changed = false;
    stmts(s, s->inst->body);
    if (!s->changed)
      break;
  }
}

bool sema_instance(Arena *a, Diags *d, Instance *inst, const Options *opt) {
  Sema s = {.arena = a, .diags = d, .inst = inst, .opt = opt};
  Kernel *k = inst->kernel;
  inst->vars = NULL;
  int i = 0;
  for (Node *p = k->fn->params; p; p = p->next, i++) {
    Var *v = new_var(&s, p->name, VAR_PARAM, p->tok);
    v->param_index = i;
    v->ty = inst->sig->params[i];
  }
  inst->body = clone_list(a, k->fn->body);
  declare_locals(&s, inst->body);
  int before = d->nerrors;
  infer_types(&s);
  s.report = true;
  stmts(&s, inst->body);
  tree_any(inst->body, report_big, &s);
  for (Var *v = inst->vars; v; v = v->next)
    if (!v->ty && d->nerrors == before)
      diag_at(d, DIAG_ERROR, v->tok->line, v->tok->col,
              "cannot tell the type of '%s': no value assigned to it has a known type", v->name);
  return d->nerrors == before;
}

bool sema_lowered(Arena *a, Diags *d, Instance *inst, const Options *opt, bool changed) {
  Sema s = {.arena = a, .diags = d, .inst = inst, .opt = opt, .lowered = true};
  int before = d->nerrors;
  if (changed) {   // without repeating the warnings of the first pass
    declare_locals(&s, inst->body);
    infer_types(&s);
    s.report = s.rechecking = true;
    stmts(&s, inst->body);
  }
  Var *active[64];
  mark_outside_reads(inst->body, active, 0);
  return d->nerrors == before;
}

static Kernel *new_kernel(Sema *s, Node *fn) {
  Kernel *k = arena_alloc(s->arena, sizeof(Kernel));
  k->fn = fn;
  k->name = fn->name;
  k->nparams = fn->nargs;
  k->python = fn->python;
  k->pnames = arena_alloc(s->arena, sizeof(char *) * (size_t)(fn->nargs + 1));
  int i = 0;
  for (Node *p = fn->params; p; p = p->next) {
    for (int j = 0; j < i; j++)
      if (!strcmp(k->pnames[j], p->name))
        diag_tok(s->diags, DIAG_ERROR, p->tok, "duplicate parameter '%s'", p->name);
    k->pnames[i++] = p->name;
  }
  return k;
}

// Does signature text name a function other than `only` (when set)?
static bool names_other(const char *text, const char *only) {
  while (*text == ' ')
    text++;
  size_t n = strlen(only ? only : "");
  return only && (strncmp(text, only, n) || (text[n] != '(' && text[n] != ' '));
}

static void collect_signatures(Sema *s, Program *prog, Module *m) {
  for (Pragma *p = m->pragmas; p; p = p->next) {
    if (!p->is_appy)
      continue;
    if (!strncmp(p->text, "export ", 7) && !names_other(p->text + 7, s->opt->only))
      add_signature(s, prog, p->text + 7, p->line, p->col);
    else if (!strncmp(p->text, "export ", 7))
      continue;   // for a function this translation leaves out
    else
      diag_at(s->diags, DIAG_WARNING, p->line, p->col, "unknown '# appy:' directive ignored");
  }
  for (int i = 0; i < s->opt->nextra_sigs; i++)
    add_signature(s, prog, s->opt->extra_sigs[i], 0, 0);
}

// One instance per overload of each kernel whose host code is C, not yet analysed.
static void add_instances(Arena *a, Program *prog) {
  for (Kernel *k = prog->kernels; k; k = k->next)
    prog->ninsts += k->python ? 0 : k->nsigs;
  prog->insts = arena_alloc(a, sizeof(Instance) * (size_t)(prog->ninsts + 1));
  int n = 0;
  for (Kernel *k = prog->kernels; k; k = k->next)
    for (int i = 0; i < k->nsigs && !k->python; i++)
      prog->insts[n++] = (Instance){.kernel = k, .sig = &k->sigs[i], .index = i};
}

Program *sema(Arena *a, Diags *d, Module *m, const Options *opt) {
  Sema s = {.arena = a, .diags = d, .opt = opt};
  Program *prog = arena_alloc(a, sizeof(Program));
  Kernel **tail = &prog->kernels;
  for (Node *fn = m->funcs; fn; fn = fn->next) {
    if (find_kernel(&s, prog, fn->name, strlen(fn->name)))
      diag_tok(d, DIAG_ERROR, fn->tok, "kernel '%s' is defined twice", fn->name);
    *tail = new_kernel(&s, fn);
    tail = &(*tail)->next;
  }
  collect_signatures(&s, prog, m);
  for (Kernel *k = prog->kernels; k; k = k->next)
    if (k->fn->host)
      outlined_signatures(&s, k, find_kernel(&s, prog, k->fn->host->name,
                                              strlen(k->fn->host->name)));
  for (Kernel *k = prog->kernels; k; k = k->next)
    if (!k->nsigs)
      infer_signature(&s, k);
  if (d->nerrors)
    return prog;
  add_instances(a, prog);
  return prog;
}
