/* emit.c: the lower layer of codegen: lines of C, the names of variables and their parts
 * (each use noted for the declarations codegen.c writes), and C for expressions, NumPy's
 * types and wrap-around kept (appy/pyops.h). Calls nothing of codegen.c. */
#include "codegen.h"

#include <math.h>
#include <string.h>

void line(Gen *g, const char *fmt, ...) {
  for (int i = 0; i < g->indent; i++)
    buf_puts(g->out, "  ");
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(g->out, fmt, ap);
  va_end(ap);
  buf_puts(g->out, "\n");
}

// Part p of variable v as C names it.
static char *part_name(Gen *g, Var *v, int p) {
  if (p >= P_SHAPE)
    return (char *)c_part(g->arena, v->cname, arena_printf(g->arena, "shape%d", p - P_SHAPE));
  return p == P_NAME ? (char *)v->cname
                     : (char *)c_part(g->arena, v->cname, p == P_SIZE ? "count" : "obj");
}

// Part p's bit in Use.parts (the extents past the 60th, of ranks the runtime never takes, share).
uint64_t part_bit(int p) {
  return (uint64_t)1 << (p < 63 ? p : 63);
}

// Part p of variable v as C names it, noted as used by the body.
char *part(Gen *g, Var *v, int p) {
  Use **u = g->body ? &g->body->uses : NULL;
  while (u && *u && (*u)->var != v)
    u = &(*u)->next;
  if (u && !*u)
    *u = arena_alloc(g->arena, sizeof(Use)), (*u)->var = v;
  if (u)
    (*u)->parts |= part_bit(p);
  return part_name(g, v, p);
}

// The C name of variable v (of an array, its data pointer), noted as used.
char *name_of(Gen *g, Var *v) {
  return part(g, v, P_NAME);
}

// Name `name`, one of the function's own (OWN_*), noted as used.
const char *own(Gen *g, int which, const char *name) {
  if (g->body)
    g->body->own |= which;
  return name;
}

// The parts of an array of rank ndim in the order C declares them: A_, its extents, A_count, A_obj.
int part_at(int q, int ndim) {
  return q == 0 ? P_NAME : q <= ndim ? P_SHAPE + q - 1 : q == ndim + 1 ? P_SIZE : P_OBJ;
}

// "T A_part": part p of array v declared.
char *part_decl(Gen *g, Var *v, int p) {
  const char *t = p == P_NAME ? arena_printf(g->arena, "%s *", ty_ctype(v->ty->elem))
                  : p == P_OBJ ? "PyObject *" : "int64_t ";
  return arena_printf(g->arena, "%s%s", t, part_name(g, v, p));
}

// "[T ]dst = src;" for each part of array dst (decl: declaring it), from the same part of
// array src, or of appy_array `from` (src NULL). Into a local array or a temporary, it is a
// Store, which function() leaves out if nothing reads it; else a use of what it names.
void set_parts(Gen *g, bool decl, Var *dst, Var *src, const char *from) {
  for (int q = 0; q < dst->ty->ndim + 3; q++) {
    int p = part_at(q, dst->ty->ndim);
    bool drop = g->body && dst->kind == VAR_LOCAL && !dst->buffer;
    Store *s = drop ? arena_alloc(g->arena, sizeof(Store)) : NULL;
    if (s) {
      *s = (Store){.dst = dst, .src = src, .part = p, .from = g->out->len};
      *g->body->end = s, g->body->end = &s->next;
    }
    const char *d = decl ? part_decl(g, dst, p) : s ? part_name(g, dst, p) : part(g, dst, p);
    line(g, "%s = %s;", d, src ? (s ? part_name(g, src, p) : part(g, src, p))
         : p == P_NAME ? arena_printf(g->arena, "(%s *)%s.data", ty_ctype(dst->ty->elem), from)
         : p < P_SHAPE ? arena_printf(g->arena, "%s.%s", from, p == P_SIZE ? "size" : "obj")
                       : arena_printf(g->arena, "%s.shape[%d]", from, p - P_SHAPE));
    if (s)
      s->to = g->out->len;
  }
}

// Emits the Python source of lines [from, to] as a comment, line by line. Lines end at
// "\n", "\r\n" or "\r", as tokenize.c counts them.
void source_comment(Gen *g, int from, int to) {
  for (int l = from < 1 ? 1 : from; l <= to; l++) {
    int len;
    const char *p = diag_source_line(g->diags, l, &len), *q = p + len;
    while (p < q && (*p == ' ' || *p == '\t'))
      p++;
    if (p < q)
      line(g, "/* %s:%d: %s */", c_text(g->arena, g->opt->filename, C_COMMENT), l,
           c_text(g->arena, arena_strndup(g->arena, p, (size_t)(q - p)), C_COMMENT));
  }
}

// The suffix of appy/pyops.h's and appy/group.h's helpers for type t; bools compute as int64.
const char *suffix(const Type *t) {
  static const char *const names[] = {
      [TY_BOOL] = "i64", [TY_INT8] = "i8",   [TY_INT16] = "i16",  [TY_INT32] = "i32",
      [TY_INT64] = "i64", [TY_UINT8] = "u8", [TY_UINT16] = "u16", [TY_UINT32] = "u32",
      [TY_UINT64] = "u64", [TY_FLOAT32] = "f32", [TY_FLOAT64] = "f64",
  };
  return ty_is_scalar(t) ? names[t->kind] : "i64";
}

// The value of expression n when expr() writes it as the integer literal INT64_C(v): a
// number, a negated one, an array's ndim, or one converted to its own type (int(2)).
bool int_literal(Node *n, long long *v) {
  Node *num = n->kind == ND_UNARY && !strcmp(n->op, "-") ? n->lhs : n;
  if (num->kind == ND_NUM && !num->tok->is_float)
    *v = num == n ? (long long)n->tok->ival : -(long long)num->tok->ival;
  else if (n->kind == ND_ATTR && !n->ival && !strcmp(n->name, "ndim"))
    *v = n->lhs->ty->ndim;
  else
    return n->kind == ND_CALL && n->name && (!strcmp(n->name, "int") || !strcmp(n->name, "cast")) &&
           ty_strong(n->ty)->kind == ty_strong(n->args->ty)->kind && int_literal(n->args, v);
  return true;
}

// Integer literal v is a value of integer type t.
static bool fits(long long v, const Type *t) {
  int64_t lo, hi;
  ty_range(t, &lo, &hi);
  return v >= lo && v <= hi;
}

// "(inner)", kept as the last expression written in parentheses for condition() to leave them
// out: expr()'s result is it when its outermost operation is one (nothing is written after it).
static char *group(Gen *g, char *inner) {
  g->inner = inner;
  return g->grouped = arena_printf(g->arena, "(%s)", inner);
}

char *cast(Gen *g, char *e, Type *from, Type *to) {
  from = ty_strong(from);
  to = ty_strong(to);
  if (from->kind == to->kind)
    return e;
  if (to->kind == TY_BOOL)
    return group(g, arena_printf(g->arena, "(%s) != 0", e));
  return arena_printf(g->arena, "(%s)%s", ty_ctype(to), e);
}

// e, the C of expression n (or of operand() for it), converted to type to.
char *convert(Gen *g, Node *n, char *e, Type *to) {
  Type *t = ty_strong(to);
  long long v;
  if (ty_strong(n->ty)->kind != t->kind && int_literal(n, &v) && v >= INT32_MIN &&
      v <= INT32_MAX) {   // write 2.0, not (double)2
    if (t->kind == TY_FLOAT64)
      return arena_printf(g->arena, "%lld.0", v);
    if (t->kind == TY_FLOAT32)
      return arena_printf(g->arena, "%lld.0f", v);
    if (ty_is_int(t) && fits(v, t))   // C converts it where it meets a value of type to
      return arena_printf(g->arena, "%lld", v);
  }
  return cast(g, e, n->ty, to);
}

// The C of expression n, converted to type to.
char *expr_as(Gen *g, Node *n, Type *to) {
  return convert(g, n, expr(g, n), to);
}

// C computes in int what is narrower: the result of an arithmetic expression e of type t,
// wrapped around to t as NumPy's (uint8 200 + 100 is 44).
static char *wrap(Gen *g, char *e, const Type *t) {
  if (!ty_is_int(t) || ty_size(t) >= 4)
    return e;
  return arena_printf(g->arena, "(%s)%s", ty_ctype(t), e);
}

static char *number(Gen *g, Node *n) {
  Token *t = n->tok;
  if (!t->is_float)   // (-9223372036854775808 in C is minus a literal too big for int64)
    return t->ival == INT64_MIN ? "INT64_MIN"
                                : arena_printf(g->arena, "INT64_C(%lld)", (long long)t->ival);
  if (isinf(t->fval))
    return "HUGE_VAL";
  if (t->folded)   // 17 digits give the same double back; ".0" keeps an integral one a double
    return arena_printf(g->arena, "%.17g%s", t->fval,
                        strpbrk(arena_printf(g->arena, "%.17g", t->fval), ".e") ? "" : ".0");
  // A decimal float literal means the same double in C: keep it as written, less '_'.
  Buf b = {0};
  for (int i = 0; i < t->len; i++)
    if (t->loc[i] != '_')
      buf_printf(&b, "%c", t->loc[i]);
  char *s = arena_strndup(g->arena, b.data, b.len);
  buf_free(&b);
  return s;
}

// Literal operands next to a variable need no INT64_C: C converts them to its type. lit:
// e is INT64_C(v); other: so is the other operand.
char *plain_literal(Gen *g, char *e, bool lit, long long v, bool other) {
  if (lit && !other && v >= INT32_MIN && v <= INT32_MAX)
    return arena_printf(g->arena, "%lld", v);
  return e;
}

// Flattened C index of A[i, j, ...] (row-major); constant negative indices wrap.
// The number of axis `axis` of subscript n in the function's sites (from 1).
static int site(Gen *g, Node *n, int axis) {
  Site **s = &g->sites;
  int k = 1;
  for (; *s; s = &(*s)->next, k++)
    if ((*s)->at == n && (*s)->axis == axis)
      return k;
  *s = arena_alloc(g->arena, sizeof(Site));
  (*s)->at = n;
  (*s)->axis = axis;
  g->nsites = k;
  return k;
}

// A[i, j, ...] with --boundscheck: each index checked against its extent (a constant
// negative one wrapped first) by appy/check.h, which records the first failure; the access
// then goes to a scratch element, as it does into an array without elements.
static char *checked_element(Gen *g, Node *n) {
  Var *a = n->var;
  const char *failed = own(g, OWN_FAILED, "&appy_failed"), *bad = own(g, OWN_BAD, "appy_bad");
  char *idx = NULL;
  int k = 0;
  for (Node *i = n->args; i; i = i->next, k++) {
    int64_t c;
    bool wrap = const_int(i, &c) && c < 0;
    // The index first: the sites of subscripts inside it are numbered before this one.
    char *x = wrap ? arena_printf(g->arena, "INT64_C(%lld)", (long long)c) : expr(g, i);
    int at = site(g, n, k);
    char *e = arena_printf(g->arena, "appy_%s(%s, %s, %d, %s, %s)", wrap ? "wrap" : "index", x,
                           part(g, a, P_SHAPE + k), at, failed, bad);
    idx = !idx ? e : arena_printf(g->arena, "appy_flat(%s, %s, %s)", idx,
                                  part(g, a, P_SHAPE + k), e);
  }
  g->checked = true;
  const char *p = name_of(g, a);
  return arena_printf(g->arena, "(*(%s *)appy_at(%s, %s, %s, sizeof *%s))",
                      ty_ctype(a->ty->elem), p, idx, part(g, a, P_SIZE), p);
}

char *element(Gen *g, Node *n) {
  if (g->opt->boundscheck)
    return checked_element(g, n);
  Var *a = n->var;
  char *idx = NULL;
  bool sum = false, lit = false;   // idx: a sum (parenthesised before "*"), INT64_C(z)
  long long z = 0;
  int k = 0;
  for (Node *i = n->args; i; i = i->next, k++) {
    int64_t c;
    char *e;
    bool esum = false, elit = false;   // the same of e
    long long ez = 0;
    if (const_int(i, &c) && c < 0)
      e = arena_printf(g->arena, "%s - %lld", part(g, a, P_SHAPE + k), (long long)-c), esum = true;
    else if (const_int(i, &c))
      e = arena_printf(g->arena, "INT64_C(%lld)", (long long)c), elit = true, ez = c;
    else   // what expr() writes, C binds tighter than "*"
      e = expr(g, i), elit = int_literal(i, &ez);
    if (k > 0 && !(lit && z == 0)) {   // A[0, j] is A[j]
      e = arena_printf(g->arena, "%s%s%s * %s + %s", sum ? "(" : "",
                       lit ? arena_printf(g->arena, "%lld", z) : idx, sum ? ")" : "",
                       part(g, a, P_SHAPE + k), e);
      esum = true, elit = false;
    }
    idx = e, sum = esum, lit = elit, z = ez;
  }
  return arena_printf(g->arena, "%s[%s]", name_of(g, a), idx);
}

// A sum, difference or product, whose result C computes in int and wrap() wraps.
static bool ring_op(const char *op) {
  return (op[0] == '+' || op[0] == '-' || op[0] == '*') && !op[1];
}

// Operand n of ring operation of type t: a sum, difference or product of type t itself is
// left unwrapped (one wrap at the end agrees with one at every step, modulo 2^bits).
static char *operand(Gen *g, Node *n, Type *t, const char *op) {
  if (n->kind == ND_BINOP && ring_op(op) && ring_op(n->op) && ty_strong(n->ty) == t &&
      ty_is_int(t))
    return binop_c(g, n->op, n->lhs, n->rhs, NULL);
  return expr(g, n);
}

// appy/pyops.h's helper (or C's pow) for l op r in type t, or NULL: C has op itself.
static char *helper_call(Gen *g, const char *op, Node *l, Node *r, Type *t) {
  static const struct { const char *op, *fn; } helpers[] = {
      {"**", "ipow"}, {"//", "floordiv"}, {"%", "mod"}, {"<<", "lshift"}, {">>", "rshift"}};
  for (size_t k = 0; k < sizeof helpers / sizeof *helpers; k++) {
    if (strcmp(op, helpers[k].op) || !(ty_is_int(t) || ty_is_float(t)))
      continue;
    char *a = convert(g, l, operand(g, l, t, op), t), *b = convert(g, r, operand(g, r, t, op), t);
    if (k > 0 || !ty_is_float(t))
      return arena_printf(g->arena, "appy_%s_%s(%s, %s)", helpers[k].fn, suffix(t), a, b);
    if (r->kind == ND_NUM && (r->tok->is_float ? r->tok->fval == 2.0 : r->tok->ival == 2))
      return arena_printf(g->arena, "appy_square_%s(%s)", suffix(t), a);
    return arena_printf(g->arena, "%s(%s, %s)", t->kind == TY_FLOAT32 ? "powf" : "pow", a, b);
  }
  return NULL;
}

// The operators whose chains C writes without brackets: a + b - c is (a + b) - c in C
// too. Other pairs keep them, as gcc's -Wparentheses wants (a & b | c, a || b && c).
static int family(const char *op) {
  return !strcmp(op, "+") || !strcmp(op, "-") ? 1 : !strcmp(op, "*") || !strcmp(op, "/") ? 2
         : !strcmp(op, "&") ? 3 : !strcmp(op, "|") ? 4 : !strcmp(op, "^") ? 5 : 0;
}

// x, the left operand of an operation op in type t, is one more link of its chain: an
// operation of op's family in the same type (converting it would need its brackets).
static bool links(Node *x, const char *op, Type *t) {
  return x->kind == ND_BINOP && family(x->op) && family(x->op) == family(op) &&
         ty_strong(x->ty)->kind == t->kind;
}

// " op b", the right operand r of a link of a chain in type t; la: its left operand is an
// integer literal.
static void link_c(Gen *g, Buf *out, const char *op, Node *r, Type *t, bool la) {
  if (t->kind == TY_BOOL && (op[0] == '+' || op[0] == '*'))   // NumPy's or and and
    op = op[0] == '+' ? "||" : "&&";
  long long vb;   // a literal of type t stays one
  bool lb = int_literal(r, &vb) && ty_strong(r->ty)->kind == t->kind;
  buf_printf(out, " %s %s", op, plain_literal(g, convert(g, r, operand(g, r, t, op), t), lb, vb, la));
}

// l op r in type t as C infix operators, without brackets around it, down the chain of
// left operands that links() joins (a + b - c + d): in a loop, not a recursion, and the
// text written once, so that a chain of n operations takes time and memory linear in n.
static char *infix(Gen *g, const char *op, Node *l, Node *r, Type *t) {
  int n = 0;
  for (Node *x = l; links(x, op, t); x = x->lhs)
    n++;
  Node **link = arena_alloc(g->arena, sizeof(Node *) * (size_t)(n + 1));
  link[n] = NULL;   // the last link: l op r itself
  Node *first = l;
  for (int i = n - 1; i >= 0; i--, first = first->lhs)
    link[i] = first;
  long long va, vb;
  bool la = int_literal(first, &va) && ty_strong(first->ty)->kind == t->kind;
  Node *r0 = n ? link[0]->rhs : r;
  bool lb = int_literal(r0, &vb) && ty_strong(r0->ty)->kind == t->kind;
  Buf out = {0};
  buf_puts(&out, plain_literal(g, convert(g, first, operand(g, first, t, op), t), la, va, lb));
  for (int i = 0; i <= n; i++)
    link_c(g, &out, link[i] ? link[i]->op : op, link[i] ? link[i]->rhs : r, t, i == 0 && la);
  char *s = arena_strndup(g->arena, out.data, out.len);
  buf_free(&out);
  return s;
}

// l op r of type rt; NULL: of the type of the ring operation it is an operand of, unwrapped.
char *binop_c(Gen *g, const char *op, Node *l, Node *r, Type *rt) {
  Type *t = ty_strong(rt ? rt : ty_promote(l->ty, r->ty));
  char *e = helper_call(g, op, l, r, t);
  if (e)
    return e;
  e = group(g, infix(g, op, l, r, t));
  return strchr("&|^", op[0]) || !rt ? e : wrap(g, e, t);   // bitwise: in range
}

// The operator that compares b with a as op compares a with b (a < b is b > a).
static const char *mirrored(const char *op) {
  return !strcmp(op, "<") ? ">" : !strcmp(op, ">") ? "<" : !strcmp(op, "<=") ? ">="
         : !strcmp(op, ">=") ? "<=" : op;
}

// "true" or "false" where x OP v, x of integer or bool type t and v a literal, has one
// answer for every x (C compilers warn of such comparisons: u8 < 300, u32 >= 0), else NULL.
static const char *decided(const char *op, const Type *t, long long v) {
  if (!(ty_is_int(t) || t->kind == TY_BOOL) || t->weak)
    return NULL;
  int64_t lo, hi;
  ty_range(t, &lo, &hi);
  bool above = v > hi, at_top = v >= hi && t->kind != TY_UINT64;   // uint64 goes on above
  bool always = false, never = false;
  if (!strcmp(op, "<"))
    always = above, never = v <= lo;
  else if (!strcmp(op, "<="))
    always = at_top, never = v < lo;
  else if (!strcmp(op, ">"))
    always = v < lo, never = at_top;
  else if (!strcmp(op, ">="))
    always = v <= lo, never = above;
  else if (!strcmp(op, "=="))
    never = v < lo || above;
  else
    always = v < lo || above;
  return always ? "true" : never ? "false" : NULL;
}

// a OP b exactly as NumPy 2 compares: integers of any two types by their values (C would
// convert a signed operand to the unsigned type: -1 < 1u is false), a float with another
// number in their promoted type (float32 with a Python float: in float32).
static char *compare_pair(Gen *g, Node *l, const char *op, Node *r) {
  long long va, vb;
  bool la = int_literal(l, &va), lb = int_literal(r, &vb);   // a, b: INT64_C(va), INT64_C(vb)
  const char *known = lb ? decided(op, l->ty, vb) : la ? decided(mirrored(op), r->ty, va) : NULL;
  if (known)
    return (char *)known;
  char *a = expr(g, l), *b = expr(g, r);
  Type *lt = ty_strong(l->ty), *rt = ty_strong(r->ty);
  bool lu = ty_is_unsigned(lt), ru = ty_is_unsigned(rt);
  if (ty_is_int(lt) && ty_is_int(rt) && lu != ru) {
    char *u = lu ? a : b, *sv = lu ? b : a;
    Node *un = lu ? l : r, *sn = lu ? r : l;
    long long v;
    if (int_literal(sn, &v) && v >= 0 && v <= INT32_MAX)   // C converts it right
      sv = arena_printf(g->arena, "%lld", v), la = lb = false;
    else if (ty_strong(un->ty)->kind == TY_UINT64)
      return arena_printf(g->arena, "appy_cmp_u64_i64(%s, %s) %s 0", u,
                          convert(g, sn, sv, ty_int64), lu ? op : mirrored(op));
    else
      u = convert(g, un, u, ty_int64);
    a = lu ? u : sv;
    b = lu ? sv : u;
  } else if ((ty_is_float(lt) || ty_is_float(rt)) && lt->kind != TY_BOOL && rt->kind != TY_BOOL) {
    Type *ct = ty_promote(l->ty, r->ty);
    a = convert(g, l, a, ct);
    b = convert(g, r, b, ct);
    la = lb = false;   // an integer literal became a float one
  }
  return arena_printf(g->arena, "%s %s %s", plain_literal(g, a, la, va, lb), op,
                      plain_literal(g, b, lb, vb, la));
}

static char *compare(Gen *g, Node *n) {
  Node *prev = n->lhs, *rhs = n->args;
  Buf out = {0};   // not one string per link: linear in the length of the chain
  for (int i = 0; i < n->nargs; i++, rhs = rhs->next) {
    buf_printf(&out, "%s%s", i ? " && " : "", compare_pair(g, prev, n->ops[i], rhs));
    prev = rhs;
  }
  char *s = arena_strndup(g->arena, out.data, out.len);
  buf_free(&out);
  return group(g, s);
}

// x and y and z (or: or), in type t. Python's value is an operand, not a bool: x or y is
// x when x is true. A chain of one operator is written unbracketed, down its left operands:
// x ? x : y ? y : z, !x ? x : !y ? y : z. An operand that is itself a chain of the other
// operator is not written twice (nested by brackets, ((a or b) and c) or d, that doubled
// the C at each level): what the outer chain needs of it is its truth (T: a || b, each
// operand once) and its value when that is known, true or false (VT, VF): (a or b) and c
// is !(a || b) ? b : c, as b is the value of a false a or b. Operands stay evaluated
// lazily, in Python's order; the C grows with the operands times the nesting depth.
typedef enum { BV_VALUE, BV_TRUE, BV_FALSE, BV_TRUTH } BoolWant;

static bool is_chain(Node *n, Type *t) {
  return n->kind == ND_BOOLOP && ty_strong(n->ty)->kind == t->kind;
}

static void boolpart(Gen *g, Buf *out, Node *n, Type *t, BoolWant want) {
  if (!is_chain(n, t)) {
    buf_puts(out, expr_as(g, n, t));
    return;
  }
  bool is_and = !strcmp(n->op, "and");
  int k = 1;
  for (Node *x = n->lhs; x->kind == ND_BOOLOP && !strcmp(x->op, n->op) && is_chain(x, t);
       x = x->lhs)
    k++;
  Node **opnd = arena_alloc(g->arena, sizeof(Node *) * (size_t)(k + 1));
  Node *x = n;
  for (int i = k; i > 0; i--, x = x->lhs)
    opnd[i] = x->rhs;
  opnd[0] = x;
  // What decides the chain's value is its first false operand (and) or true one (or).
  BoolWant decided = is_and ? BV_FALSE : BV_TRUE;
  if (want == BV_TRUTH) {
    buf_puts(out, "(");
    for (int i = 0; i <= k; i++) {
      buf_puts(out, i ? (is_and ? " && " : " || ") : "");
      boolpart(g, out, opnd[i], t, BV_TRUTH);
    }
    buf_puts(out, ")");
    return;
  }
  if (want != BV_VALUE && want != decided) {   // all operands true (and) or false (or)
    boolpart(g, out, opnd[k], t, want);
    return;
  }
  buf_puts(out, "(");
  for (int i = 0; i < k; i++) {
    buf_puts(out, is_and ? "!" : "");
    boolpart(g, out, opnd[i], t, BV_TRUTH);
    buf_puts(out, " ? ");
    boolpart(g, out, opnd[i], t, decided);
    buf_puts(out, " : ");
  }
  boolpart(g, out, opnd[k], t, want);
  buf_puts(out, ")");
}

static char *boolop(Gen *g, Node *n) {
  Type *t = ty_strong(n->ty);
  Buf out = {0};
  boolpart(g, &out, n, t, t->kind == TY_BOOL ? BV_TRUTH : BV_VALUE);
  char *s = arena_strndup(g->arena, out.data + 1, out.len - 2);   // less the outer brackets
  buf_free(&out);
  return group(g, s);
}

static char *minmax(Gen *g, Node *n, const char *which) {
  Type *t = ty_strong(n->ty);
  Type *ct = t->kind == TY_BOOL ? ty_int64 : t;
  char *acc = NULL;
  for (Node *a = n->args; a; a = a->next) {
    char *e = expr_as(g, a, ct);
    acc = acc ? arena_printf(g->arena, "appy_%s_%s(%s, %s)", which, suffix(ct), acc, e) : e;
  }
  return cast(g, acc, ct, t);
}

static char *math_fn(Gen *g, Node *n) {
  const char *colon = strchr(n->name, ':');
  bool is_math = !strncmp(n->name, "math", 4);
  const char *py = colon + 1;
  static const struct { const char *py, *c; } alias[] = {
      {"arcsin", "asin"}, {"arccos", "acos"}, {"arctan", "atan"}, {"arcsinh", "asinh"},
      {"arccosh", "acosh"}, {"arctanh", "atanh"}, {"arctan2", "atan2"}, {"power", "pow"},
      {NULL, NULL}};
  const char *c = py;
  for (int i = 0; alias[i].py; i++)
    if (!strcmp(alias[i].py, py))
      c = alias[i].c;
  // math.* computes in double; np.* in the promoted type (float32 stays float32).
  Type *ct = is_math ? ty_float64 : ty_strong(n->ty);
  if (!ty_is_float(ct))
    ct = ty_float64;
  const char *f = ct->kind == TY_FLOAT32 ? "f" : "";
  // The square root of a literal (math.sqrt(2.0)) is written as its value: IEEE sqrt is
  // exact to the last bit, and in clang's device code sqrt() is a libdevice call that is
  // not folded.
  if (!strcmp(c, "sqrt") && ct->kind == TY_FLOAT64 && n->args && !n->args->next &&
      n->args->kind == ND_NUM) {
    Token *t = n->args->tok;
    double v = t->is_float ? t->fval : (double)t->ival;
    if (v >= 0 && isfinite(v)) {   // %.17g writes a whole number below 1e17 as one
      double r = sqrt(v);
      return arena_printf(g->arena, "%.17g%s", r, r == floor(r) && r < 1e17 ? ".0" : "");
    }
  }
  char *args = NULL;
  for (Node *a = n->args; a; a = a->next) {
    char *e = expr_as(g, a, ct);
    args = args ? arena_printf(g->arena, "%s, %s", args, e) : e;
  }
  char *call = arena_printf(g->arena, "%s%s(%s)", c, f, args);
  if (is_math && ty_is_int(n->ty))
    return arena_printf(g->arena, "(int64_t)%s", call);
  return call;
}

static char *call(Gen *g, Node *n) {
  const char *f = n->name;
  if (!strncmp(f, "slice_", 6)) {   // lower.c's slice arithmetic; None: a bound left out
    Buf b = {0};
    for (Node *a = n->args; a; a = a->next)
      buf_printf(&b, "%s%s", a == n->args ? "" : ", ", a->kind == ND_NONE ? "APPY_OMIT" : expr(g, a));
    char *s = arena_printf(g->arena, "appy_%s(%s)", f, b.data);
    buf_free(&b);
    return s;
  }
  if (strchr(f, ':') && strncmp(f, "alloc", 5))
    return math_fn(g, n);
  if (!strcmp(f, "min") || !strcmp(f, "max"))
    return minmax(g, n, f);
  if (!strcmp(f, "len"))
    return part(g, n->args->var, P_SHAPE);
  char *a = expr(g, n->args);
  Type *at = ty_strong(n->args->ty);
  if (!strcmp(f, "abs")) {
    Type *t = ty_strong(n->ty);
    if (ty_is_float(at))
      return arena_printf(g->arena, "%s(%s)", at->kind == TY_FLOAT32 ? "fabsf" : "fabs", a);
    if (ty_is_unsigned(t) || t->kind == TY_BOOL)
      return a;
    char *x = convert(g, n->args, a, t);   // abs of int8 -128 is -128, as in NumPy
    return wrap(g, group(g, arena_printf(g->arena, "%s < 0 ? -%s : %s", x, x, x)), t);
  }
  if (!strcmp(f, "bool"))
    return group(g, arena_printf(g->arena, "%s != 0", a));
  return convert(g, n->args, a, n->ty);   // int(), float(), np.float32() & co
}

char *expr(Gen *g, Node *n) {
  switch (n->kind) {
  case ND_NUM: return number(g, n);
  case ND_BOOL: return n->ival ? "true" : "false";
  case ND_NAME: return name_of(g, n->var);
  case ND_ATTR:
    if (n->ival) {   // np.pi & co
      if (!strcmp(n->name, "pi")) return "3.141592653589793";
      if (!strcmp(n->name, "e")) return "2.718281828459045";
      if (!strcmp(n->name, "inf")) return "HUGE_VAL";
      return "NAN";
    }
    if (!strcmp(n->name, "ndim"))
      return arena_printf(g->arena, "INT64_C(%d)", n->lhs->ty->ndim);
    return part(g, n->var, P_SIZE);
  case ND_SUBSCRIPT:
    if (n->name)   // A.shape[k]
      return part(g, n->var, P_SHAPE + n->ival);
    return g->tiling ? panel_element(g, n) : element(g, n);
  case ND_CALL: return call(g, n);
  case ND_BINOP: return binop_c(g, n->op, n->lhs, n->rhs, n->ty);
  case ND_UNARY: {
    if (!strcmp(n->op, "-") && n->lhs->kind == ND_NUM && !n->lhs->tok->is_float)
      return arena_printf(g->arena, "INT64_C(%lld)", -(long long)n->lhs->tok->ival);
    char *a = expr_as(g, n->lhs, n->ty);
    Type *t = ty_strong(n->ty);
    if (t->kind == TY_BOOL)   // NumPy's ~ of a bool is not; + leaves it
      return !strcmp(n->op, "~") ? group(g, arena_printf(g->arena, "!%s", a)) : a;
    return wrap(g, group(g, arena_printf(g->arena, "%s%s", n->op, a)), t);
  }
  case ND_NOT: return group(g, arena_printf(g->arena, "!%s", expr(g, n->lhs)));
  case ND_BOOLOP: return boolop(g, n);
  case ND_COMPARE: return compare(g, n);
  case ND_IFEXP:
    return group(g, arena_printf(g->arena, "%s ? %s : %s", expr(g, n->cond),
                                 expr_as(g, n->body, n->ty), expr_as(g, n->orelse, n->ty)));
  default: return "0";
  }
}

// 'I' or 'J': the side of the tile panel p runs along (appy/group.h's APPY_TILE_I, _SI ...).
char panel_side(const Panel *p) {
  return p->jside ? 'J' : 'I';
}

// A subscript in a tiled kernel: from its panel (step appy_kk of the chunk, this thread's
// element appy_u) or, if it has none, from the array.
char *panel_element(Gen *g, Node *n) {
  int p = panel_of(g->tiling, n);
  if (p < 0)
    return element(g, n);
  char side = panel_side(&g->tiling->panel[p]);
  return arena_printf(g->arena, "appy_v%d[appy_kk * APPY_TILE_S%c + APPY_TILE_U%c(appy_u)]", p,
                      side, side);
}

// A condition without the parentheses around all of it (clang warns of `if ((a == b))`).
char *condition(Gen *g, Node *cond) {
  char *c = expr(g, cond);
  return c == g->grouped ? g->inner : c;
}
