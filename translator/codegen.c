/* codegen.c: C for each kernel instance, with OpenMP target regions for parallel loops.
 *
 * A kernel becomes `static int NAME_kernelK(appy_frame *fr, <params>, PyObject **ret)`,
 * run without the GIL. Arrays are a data pointer plus extents (`A_`, `A_shape0`, `A_count`,
 * `A_obj`; names.c), scalars are C scalars. A kernel with parallel loops keeps a data environment
 * for the call (appy_env, appy/offload.h): each array is mapped at the first loop that uses
 * it and copied only where the other side changed it; each loop runs as
 * `target teams distribute parallel for` (or a bare kernel in group mode with clang). */
#include "translator.h"
#include "codegen.h"

#include <math.h>
#include <string.h>


static bool on_device(Gen *g, Var *v);
static void stmts(Gen *g, Node *n);
static void one_stmt(Gen *g, Node *n);
static void env_end(Gen *g);


//
// Statements
//

// Temporaries start with appy_, a prefix that user names never get in C (sema renames them).
// The bytes of array v, as the data environment's calls take them.
static char *array_bytes(Gen *g, Var *v) {
  return arena_printf(g->arena, "sizeof(*%s) * %s", name_of(g, v), part(g, v, P_SIZE));
}

static char *tmpname(Gen *g, const char *base) {
  return arena_printf(g->arena, "appy_%s%d", base, g->tmp++);
}

// x = np.zeros((n, m), dtype=...) & co: allocation through NumPy, owned by the frame.
static void alloc(Gen *g, Var *v, Node *call) {
  const char *how = strchr(call->name, ':') + 1;
  bool like = strstr(how, "_like") != NULL;
  bool full = !strncmp(how, "full", 4);
  Type *t = v->ty;
  char *shape;
  Node *first = call->args;
  if (first->kind == ND_TUPLE || first->kind == ND_LIST) {
    shape = NULL;
    for (Node *e = first->args; e; e = e->next) {
      char *x = expr_as(g, e, ty_int64);
      shape = shape ? arena_printf(g->arena, "%s, %s", shape, x) : x;
    }
  } else if (like || first->ty->kind == TY_TUPLE) {   // np.empty_like(A), np.empty(A.shape)
    shape = part(g, first->var, P_SHAPE);
    for (int k = 1; k < t->ndim; k++)
      shape = arena_printf(g->arena, "%s, %s", shape, part(g, first->var, P_SHAPE + k));
  } else {
    shape = expr_as(g, first, ty_int64);
  }
  char *fill = "0.0";
  if (full) {
    Node *f = first->next;
    while (f->kind == ND_KEYWORD)
      f = f->next;
    fill = expr_as(g, f, ty_float64);
  }
  char *tmp = tmpname(g, "a");
  line(g, "{");
  g->indent++;
  line(g, "appy_array %s;", tmp);
  line(g, "if (appy_alloc(%s, \"%s\", %s, %d, (const int64_t[]){%s}, %s, &%s) < 0)",
       own(g, OWN_FR, "fr"),
       like ? arena_strndup(g->arena, how, (size_t)(strstr(how, "_like") - how)) : how,
       ty_dtype_enum(t->elem), t->ndim, shape, fill, tmp);
  line(g, "  %s;", own(g, OWN_FAIL, "goto fail"));
  set_parts(g, false, v, NULL, tmp);
  if (g->env && !strncmp(how, "empty", 5) && on_device(g, v))   // nothing to copy in
    line(g, "appy_env_fresh(&appy_data, %s, %s);", name_of(g, v), array_bytes(g, v));
  g->indent--;
  line(g, "}");
}

// target = value, of type vt; src: the expression whose C value is, or NULL (a temporary).
static void store(Gen *g, Node *target, char *value, Type *vt, Node *src) {
  Var *v = target->kind == ND_NAME ? target->var : NULL;
  Type *t = v ? v->ty : target->ty;
  line(g, "%s = %s;", v ? name_of(g, v) : element(g, target),
       src ? convert(g, src, value, t) : cast(g, value, vt, t));
}

// a, b = b, a and n, m = A.shape: every value first, then every store.
static void unpack(Gen *g, Node *target, Node *rhs) {
  line(g, "{");
  g->indent++;
  char **vals = arena_alloc(g->arena, sizeof(char *) * (size_t)target->nargs);
  Type **tys = arena_alloc(g->arena, sizeof(Type *) * (size_t)target->nargs);
  Var **arrays = arena_alloc(g->arena, sizeof(Var *) * (size_t)target->nargs);
  Node *e = rhs->kind == ND_TUPLE ? rhs->args : NULL;
  for (int i = 0; i < target->nargs; i++) {
    vals[i] = tmpname(g, "t");
    if (e && e->ty->kind == TY_ARRAY) {   // a temporary array, a variable of its own
      arrays[i] = arena_alloc(g->arena, sizeof(Var));
      const char *c = arena_printf(g->arena, "%s_", vals[i]);   // appy_tK_: a G name, names.c
      *arrays[i] = (Var){.name = vals[i], .cname = c, .kind = VAR_LOCAL, .ty = e->ty};
      set_parts(g, true, arrays[i], e->var, NULL);
    } else {
      tys[i] = e ? e->ty : ty_int64;
      const char *v = e ? expr(g, e) : part(g, rhs->var, P_SHAPE + i);
      line(g, "const %s %s = %s;", ty_ctype(ty_strong(tys[i])), vals[i], v);
    }
    if (e)
      e = e->next;
  }
  int i = 0;
  for (Node *t = target->args; t; t = t->next, i++)
    if (arrays[i])
      set_parts(g, false, t->var, arrays[i], NULL);
    else
      store(g, t, vals[i], tys[i], NULL);
  g->indent--;
  line(g, "}");
}

// buf = appy.buffer(n, dtype): an array in the team's scope. clang places it in shared
// memory through the pteam allocator; gcc-12 has no allocate directive and keeps it
// where the team's master thread keeps shared locals. Its extents are constants.
// In a bare kernel it is static: one per block, the block being the group.
static void buffer(Gen *g, Var *v, Node *call) {
  const char *c = v->cname;
  line(g, "%s%s %s[%d];", g->bare ? "static " : "", ty_ctype(v->ty->elem), c, call->ival);
  if (g->opt->target == TARGET_CLANG && !g->host)
    line(g, "#pragma omp allocate(%s) allocator(omp_pteam_mem_alloc)", c);
  line(g, "enum { %s = %d, %s = %d };", c_part(g->arena, c, "shape0"), call->ival,
       c_part(g->arena, c, "count"), call->ival);
}

static void assign(Gen *g, Node *n) {
  Node *rhs = n->rhs;
  if (rhs->kind == ND_CALL && rhs->name && !strcmp(rhs->name, "buffer")) {
    buffer(g, n->args->var, rhs);
    return;
  }
  if (rhs->kind == ND_CALL && rhs->name && !strncmp(rhs->name, "alloc:", 6)) {
    Node *t = n->args;
    alloc(g, t->var, rhs);
    for (Node *o = t->next; o; o = o->next)
      set_parts(g, false, o->var, t->var, NULL);
    return;
  }
  if (n->args->kind == ND_TUPLE || n->args->kind == ND_LIST) {
    for (Node *t = n->args; t; t = t->next)
      unpack(g, t, rhs);
    return;
  }
  if (rhs->ty->kind == TY_ARRAY) {
    for (Node *t = n->args; t; t = t->next)
      set_parts(g, false, t->var, rhs->var, NULL);
    return;
  }
  char *v = expr(g, rhs);
  Node *src = rhs;
  if (n->nargs > 1) {   // a = b = expr: evaluate once
    char *t = tmpname(g, "t");
    line(g, "const %s %s = %s;", ty_ctype(ty_strong(rhs->ty)), t, v);
    v = t, src = NULL;
  }
  for (Node *t = n->args; t; t = t->next)
    store(g, t, v, rhs->ty, src);
}

// The name of appy/atomic.h's update for operator op ("+": add).
static const char *atomic_op(const char *op) {
  static const char *const names[][2] = {{"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"&", "and"},
                                         {"|", "or"}, {"^", "xor"}, {"<<", "shl"}, {">>", "shr"}};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    if (!strcmp(op, names[k][0]))
      return names[k][1];
  return op;
}

static void augassign(Gen *g, Node *n) {
  for (int i = 0; i < g->nacc; i++)
    if (g->acc_of[i] == n) {
      line(g, "%s %s= %s;", g->acc[i], n->op, expr(g, n->rhs));
      return;
    }
  if (g->npar && n->lhs->kind == ND_SUBSCRIPT && !owned_index(n->lhs, g->par, g->npar)) {
    // Several iterations may update this element: atomically (region.c checked the op).
    char *v = expr(g, n->rhs);
    Type *et = n->lhs->ty;
    if (ty_size(et) < 4)   // appy/atomic.h
      line(g, "appy_atomic_%s_%s(&%s, %s);", atomic_op(n->op), ty_name(g->arena, et),
           element(g, n->lhs), convert(g, n->rhs, v, ty_int64));
    else {
      long long lit;
      bool is_lit = int_literal(n->rhs, &lit);
      line(g, "#pragma omp atomic update");
      line(g, "%s %s= %s;", element(g, n->lhs), n->op, plain_literal(g, v, is_lit, lit, false));
    }
    return;
  }
  char *v = binop_c(g, n->op, n->lhs, n->rhs, n->ty);
  store(g, n->lhs, v, n->ty, NULL);
}

static char *box(Gen *g, Node *e) {
  Type *t = e->ty;
  if (t->kind == TY_ARRAY)
    return arena_printf(g->arena, "appy_box_array(&(appy_array){.obj = %s})",
                        part(g, e->var, P_OBJ));
  if (t->kind == TY_NONE)
    return "(Py_INCREF(Py_None), Py_None)";
  if (t->kind == TY_TUPLE) {
    char *items = NULL;
    for (Node *a = e->args; a; a = a->next) {
      char *b = box(g, a);
      items = items ? arena_printf(g->arena, "%s, %s", items, b) : b;
    }
    return arena_printf(g->arena, "appy_box_tuple(%d, (PyObject *[]){%s})", e->nargs, items);
  }
  return arena_printf(g->arena, "appy_box_%s(%s)", ty_name(g->arena, ty_strong(t)), expr(g, e));
}

static void return_stmt(Gen *g, Node *n) {
  if (!n->lhs || n->lhs->kind == ND_NONE) {
    env_end(g);
    line(g, "return 0;");
    return;
  }
  const char *ret = own(g, OWN_RET, "ret");
  bool was = g->checked;
  g->checked = false;
  line(g, "*%s = %s;", ret, box(g, n->lhs));
  if (g->checked)   // the value read out of range: no return (appy_index_error drops it)
    line(g, "if (appy_failed < 0) %s;", own(g, OWN_OOB | OWN_FAIL, "goto appy_oob"));
  g->checked = was;
  env_end(g);
  line(g, "return *%s ? 0 : -1;", ret);
}

// Python evaluates range() arguments once: hoist anything that is not a plain value,
// except in the inner loops of a collapse, which must stay perfectly nested.
static char *loop_bound(Gen *g, Node *e, const char *what, bool hoist) {
  char *v = expr_as(g, e, ty_int64);
  if (!hoist || e->kind == ND_NUM || (e->kind == ND_SUBSCRIPT && e->name))
    return v;
  char *t = tmpname(g, what);
  line(g, "const int64_t %s = %s;", t, v);
  return t;
}

typedef struct {
  char *start, *stop, *step;   // C expressions (hoisted)
  int64_t cstep;               // Step if constant
  bool const_step;             // Step known at translation time
  bool from0;                  // No start given: start is "0"
} Range;

static Range range_of(Gen *g, Node *loop, bool hoist) {
  Range r = {.cstep = 1, .const_step = true};
  Node *args[3] = {NULL, NULL, NULL};
  int n = 0;
  for (Node *a = loop->iter->args; a; a = a->next)
    if (a->kind != ND_KEYWORD)
      args[n++] = a;
  r.start = n >= 2 ? loop_bound(g, args[0], "start", hoist) : "0";
  r.from0 = n < 2;
  r.stop = loop_bound(g, args[n >= 2 ? 1 : 0], "stop", hoist);
  if (n == 3) {
    r.const_step = const_int(args[2], &r.cstep);
    r.step = r.const_step ? arena_printf(g->arena, "%lld", (long long)r.cstep)
                          : loop_bound(g, args[2], "step", hoist);
  } else {
    r.step = "1";
  }
  return r;
}

// The for header; with a step only known at run time, or a loop variable read after the
// loop (Python leaves it at the last value taken, not one past), the loop counts iterations.
// An inner loop of a collapsed nest (nested) keeps the plain header, which OpenMP needs
// there: the nest's loop variables are lastprivate.
static void for_header(Gen *g, Node *loop, Range r, const char *counter, bool nested) {
  const char *i = name_of(g, loop->target->var);
  if (!loop->parallel && !nested && loop->target->var->used_outside_loop)
    r.const_step = false;
  if (r.const_step && r.cstep == 1)
    line(g, "for (%s = %s; %s < %s; %s++) {", i, r.start, i, r.stop, i);
  else if (r.const_step)
    line(g, "for (%s = %s; %s %s %s; %s += %s) {", i, r.start, i, r.cstep > 0 ? "<" : ">",
         r.stop, i, r.step);
  else {
    line(g, "for (int64_t %s = 0; %s < appy_range_len(%s, %s, %s); %s++) {", counter, counter,
         r.start, r.stop, r.step, counter);
    line(g, "  %s = %s + %s * %s;", i, r.start, counter, r.step);
  }
}

static void seq_for(Gen *g, Node *n) {
  line(g, "{");
  g->indent++;
  Range r = range_of(g, n, true);
  for_header(g, n, r, tmpname(g, "it"), false);
  g->indent++;
  stmts(g, n->body);
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "}");
}

//
// The call's data environment (appy_env in appy/offload.h)
//

// Some parallel loop of the instance uses array v.
static bool in_region(Gen *g, Var *v) {
  for (int i = 0; i < g->inst->nregions; i++)
    for (RegionVar *rv = g->inst->regions[i].vars; rv; rv = rv->next)
      if (rv->var == v)
        return true;
  return false;
}

// Array names bound to one another (B = A, A, B = B, A): x, y pairs in n.
static bool binds(Node *n, Var *x, Var *y) {
  for (; n; n = n->next) {
    if (n->kind == ND_ASSIGN && n->rhs->ty && n->rhs->ty->kind == TY_ARRAY)
      for (Node *t = n->args; t; t = t->next)
        if (t->kind == ND_NAME && n->rhs->kind == ND_NAME &&
            ((t->var == x && n->rhs->var == y) || (t->var == y && n->rhs->var == x)))
          return true;
    if (n->kind == ND_ASSIGN && n->rhs->kind == ND_TUPLE)
      for (Node *t = n->args; t; t = t->next)
        if (t->kind == ND_TUPLE)
          for (Node *l = t->args, *r = n->rhs->args; l && r; l = l->next, r = r->next)
            if (l->kind == ND_NAME && r->kind == ND_NAME &&
                ((l->var == x && r->var == y) || (l->var == y && r->var == x)))
              return true;
    if (binds(n->body, x, y) || binds(n->orelse, x, y))
      return true;
  }
  return false;
}

// Array v may hold data a parallel loop uses: it is used in one, or bound to (a name
// bound to ...) an array that is.
static bool on_device(Gen *g, Var *v) {
  Var *seen[64];
  int n = 0, done = 0;
  seen[n++] = v;
  while (done < n) {
    Var *x = seen[done++];
    if (in_region(g, x))
      return true;
    for (Var *y = g->inst->vars; y && n < 64; y = y->next) {
      bool known = false;
      for (int i = 0; i < n; i++)
        known |= seen[i] == y;
      if (!known && y->ty->kind == TY_ARRAY && binds(g->inst->body, x, y))
        seen[n++] = y;
    }
  }
  return false;
}

// Statement n is or holds a parallel loop.
static bool stmt_has_region(Node *n) {
  return (n->kind == ND_FOR && n->region && !n->region->inner) || has_region(n->body) ||
         has_region(n->orelse);
}

typedef struct {
  Var *v[64];
  int how[64];   // APPY_READS | APPY_WRITES
  int n;
} Uses;

static void add_use(Gen *g, Uses *u, Var *v, int how) {
  if (!v || v->ty->kind != TY_ARRAY || !on_device(g, v))
    return;
  for (int i = 0; i < u->n; i++)
    if (u->v[i] == v) {
      u->how[i] |= how;
      return;
    }
  if (u->n < 64)
    u->v[u->n] = v, u->how[u->n++] = how;
}

static void expr_uses(Gen *g, Node *n, Uses *u);

// Element stores: the array is written, its index expressions read.
static void target_uses(Gen *g, Node *t, Uses *u, int how) {
  if (t->kind == ND_TUPLE || t->kind == ND_LIST) {
    for (Node *p = t->args; p; p = p->next)
      target_uses(g, p, u, how);
  } else if (t->kind == ND_SUBSCRIPT) {
    add_use(g, u, t->var, how);
    for (Node *i = t->args; i; i = i->next)
      expr_uses(g, i, u);
  }
}

// The arrays whose elements host code n (one node and what hangs from it) touches.
static void expr_uses(Gen *g, Node *n, Uses *u) {
  if (!n)
    return;
  switch (n->kind) {
  case ND_ASSIGN:
    for (Node *t = n->args; t; t = t->next)
      target_uses(g, t, u, 2);
    expr_uses(g, n->rhs, u);
    return;
  case ND_AUGASSIGN:
    target_uses(g, n->lhs, u, 3);
    expr_uses(g, n->rhs, u);
    return;
  case ND_SUBSCRIPT:   // an element; A.shape[k] reads no element
    if (!(n->lhs && n->lhs->kind == ND_ATTR))
      add_use(g, u, n->var, 1);
    for (Node *i = n->args; i; i = i->next)
      expr_uses(g, i, u);
    return;
  case ND_RETURN:   // the caller gets the returned arrays
    if (n->lhs && (n->lhs->kind == ND_NAME || n->lhs->kind == ND_TUPLE))
      for (Node *e = n->lhs->kind == ND_TUPLE ? n->lhs->args : n->lhs; e;
           e = n->lhs->kind == ND_TUPLE ? e->next : NULL)
        if (e->kind == ND_NAME)
          add_use(g, u, e->var, 8);   // APPY_RETURNS
    if (n->lhs && n->lhs->kind != ND_NAME && n->lhs->kind != ND_TUPLE)
      expr_uses(g, n->lhs, u);
    else if (n->lhs && n->lhs->kind == ND_TUPLE)
      for (Node *e = n->lhs->args; e; e = e->next)
        if (e->kind != ND_NAME)
          expr_uses(g, e, u);
    return;
  case ND_FOR:
    expr_uses(g, n->iter, u);
    break;
  default:
    break;
  }
  expr_uses(g, n->lhs, u);
  expr_uses(g, n->rhs, u);
  for (Node *a = n->args; a; a = a->next)
    expr_uses(g, a, u);
  expr_uses(g, n->cond, u);
  expr_uses(g, n->lo, u), expr_uses(g, n->hi, u), expr_uses(g, n->step, u);
  for (Node *b = n->body; b; b = b->next)
    expr_uses(g, b, u);
  for (Node *b = n->orelse; b; b = b->next)
    expr_uses(g, b, u);
}

static void emit_host_uses(Gen *g, Uses *u) {
  static const char *const hows[] = {
      [1] = "APPY_READS", [2] = "APPY_WRITES", [3] = "APPY_READS | APPY_WRITES",
      [8] = "APPY_RETURNS", [9] = "APPY_READS", [10] = "APPY_READS | APPY_WRITES",
      [11] = "APPY_READS | APPY_WRITES"};
  for (int i = 0; i < u->n; i++)
    line(g, "appy_env_host(&appy_data, %s, %s);", name_of(g, u->v[i]), hows[u->how[i]]);
}

// Before host statement n: the device's changes to what it reads, and a note of what it
// writes. Statements with parallel loops inside: only what is evaluated before them.
static void host_uses(Gen *g, Node *n) {
  Uses u = {.n = 0};
  if (!stmt_has_region(n))
    expr_uses(g, n, &u);
  else if (n->kind == ND_FOR && !n->region)
    expr_uses(g, n->iter, &u);
  else if (n->kind == ND_IF)
    for (Node *c = n; c; c = c->orelse && c->orelse->kind == ND_IF && !c->orelse->next ? c->orelse : NULL)
      expr_uses(g, c->cond, &u);
  emit_host_uses(g, &u);
}

// How parallel loop region r uses array rv.
static const char *device_how(RegionVar *rv) {
  if (rv->written && rv->full_write)
    return "APPY_WRITES_ALL";
  if (rv->written)
    return rv->read ? "APPY_READS | APPY_WRITES" : "APPY_WRITES";
  return "APPY_READS";
}

// At every exit of the function: the caller's arrays back, mappings released, profile.
static void env_end(Gen *g) {
  if (g->env)
    line(g, "appy_env_end(&appy_data, \"%s\", \"%s\", appy_called);",
         c_text(g->arena, g->opt->module_name, C_STRING),
         c_text(g->arena, g->inst->kernel->name, C_STRING));
}

//
// Parallel regions
//

// Clauses of a target construct; the call's data environment has mapped the arrays before
// it, so its map clauses find them present and copy nothing.
typedef struct {
  Buf maps, clauses;      // map clauses; the others (private, reduction)
} Clauses;

static const char *section(Gen *g, Var *v) {
  return arena_printf(g->arena, "%s[0:%s]", name_of(g, v), part(g, v, P_SIZE));
}

// Appends `name` to a clause list such as "map(to: ...)" kept per kind.
static void list_add(Buf *b, const char *item) {
  buf_printf(b, "%s%s", b->len ? ", " : "", item);
}

static Clauses region_clauses(Gen *g, Region *r) {
  Clauses c = {0};
  Buf to = {0}, from = {0}, tofrom = {0}, priv = {0}, shared = {0};
  for (RegionVar *rv = r->vars; rv; rv = rv->next) {
    Var *v = rv->var;
    if (v->ty->kind == TY_ARRAY) {
      list_add(rv->written ? rv->full_write ? &from : &tofrom : &to, section(g, v));
      continue;
    }
    if (rv->sharing == SH_PRIVATE)
      list_add(&priv, name_of(g, v));
    else if (rv->sharing == SH_SHARED)
      list_add(&shared, name_of(g, v));
    else if (rv->sharing == SH_REDUCTION)
      buf_printf(&c.clauses, " reduction(%s: %s)", rv->redop, name_of(g, v));
  }
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->sharing == SH_REDUCTION)
      list_add(&shared, name_of(g, rv->var));
  if (to.len) buf_printf(&c.maps, " map(to: %s)", to.data);
  if (from.len) buf_printf(&c.maps, " map(from: %s)", from.data);
  if (tofrom.len) buf_printf(&c.maps, " map(tofrom: %s)", tofrom.data);
  if (r->collapse > 1 && g->opt->target == TARGET_GCC) {
    // A collapsed nest's loop variables not read after it: private, else gcc keeps their
    // last values (lastprivate) and its simd loops warn that the count behind them may be
    // uninitialized (-Wmaybe-uninitialized).
    Node *l = r->loop;
    for (int k = 0; k < r->collapse; k++, l = l->body)
      if (!l->target->var->used_outside_loop)
        list_add(&priv, name_of(g, l->target->var));
  }
  if (r->raises && !r->inner)
    list_add(&shared, own(g, OWN_FAILED, "appy_failed"));
  if (r->raises && !r->inner && g->opt->boundscheck)
    list_add(&shared, own(g, OWN_BAD, "appy_bad"));
  if (shared.len) buf_printf(&c.maps, " map(tofrom: %s)", shared.data);
  if (priv.len) buf_printf(&c.clauses, " private(%s)", priv.data);
  buf_free(&to), buf_free(&from), buf_free(&tofrom), buf_free(&priv), buf_free(&shared);
  return c;
}

static char *directive(Gen *g, Region *r, Clauses *c) {
  if (g->host)   // the host loop of a bare kernel: its marked loops run in one thread
    return r->inner ? NULL
                    : arena_printf(g->arena, "#pragma omp parallel for%s",
                                   c->clauses.data ? c->clauses.data : "");
  bool simd = r->plan->simd;
  // A marked loop of a group: the team's threads share it. On the host fallback every
  // team is one thread already; a parallel region per outer iteration would only cost.
  if (r->inner)
    return arena_printf(g->arena, "#pragma omp parallel for%s if(!omp_is_initial_device())%s",
                        simd ? " simd" : "", c->clauses.data ? c->clauses.data : "");
  // if(target: ...): run on the host, without mapping, where the device cannot be used.
  // Group mode: one team per iteration; marked inner loops add `parallel for`.
  char *d = arena_printf(g->arena, "#pragma omp target teams distribute%s "
                         "if(target: appy_use_device())",
                         r->group ? "" : simd ? " parallel for simd" : " parallel for");
  if (r->collapse > 1)
    d = arena_printf(g->arena, "%s collapse(%d)", d, r->collapse);
  return arena_printf(g->arena, "%s%s%s", d, c->maps.data ? c->maps.data : "",
                      c->clauses.data ? c->clauses.data : "");
}

static void free_clauses(Clauses *c) {
  buf_free(&c->maps), buf_free(&c->clauses);
}

// appy_raise(ValueError) for check n, and leave the kernel. The message is appy_raise's
// format: a '%' of the file name (or of a name in the message) is doubled.
static void raise_now(Gen *g, Node *n) {
  line(g, "appy_raise(APPY_VALUE_ERROR, \"%s (%s, line %d)\");",
       c_text(g->arena, n->name, C_FORMAT), c_text(g->arena, g->opt->filename, C_FORMAT),
       n->tok->line);
  line(g, "%s;", own(g, OWN_FAIL, "goto fail"));
}

// ValueError from lower.c's checks: raised here in host code; in a parallel loop the
// region records which check failed and the code after the region raises.
static void raise_stmt(Gen *g, Node *n) {
  if (!g->region) {
    raise_now(g, n);
    return;
  }
  line(g, "#pragma omp atomic write");
  line(g, "%s = %d;", own(g, OWN_FAILED, "appy_failed"), n->ival);
}

// After a region that can fail: the message of the check that failed.
static void raise_after(Gen *g, Node *n) {
  for (; n; n = n->next) {
    if (n->kind == ND_RAISE) {
      line(g, "if (%s == %d) {", own(g, OWN_FAILED, "appy_failed"), n->ival);
      g->indent++;
      raise_now(g, n);
      g->indent--;
      line(g, "}");
    }
    raise_after(g, n->body);
    raise_after(g, n->orelse);
  }
}

// Group and individual mode as OpenMP teams: `target teams distribute [parallel for]`.
static void generic_parallel_for(Gen *g, Node *n, Range outer, Clauses *c) {
  Region *r = n->region;
  line(g, "%s", directive(g, r, c));
  Node *loop = n;
  char *counter = tmpname(g, "it");
  for_header(g, loop, outer, counter, false);
  for (int k = 1; k < r->collapse; k++) {
    loop = loop->body;
    g->indent++;
    if (loop->end_line >= 0)
      source_comment(g, loop->tok->line, loop->tok->line);
    Range inner = range_of(g, loop, false);
    for_header(g, loop, inner, tmpname(g, "it"), true);
  }
  g->indent++;
  g->region = r;
  g->npar = 0;
  for (Node *l = n; g->npar < r->collapse; l = l->body)
    g->par[g->npar++] = l->target->var;
  stmts(g, loop->body);
  g->npar = 0;
  g->region = NULL;
  g->indent--;
  for (int k = 1; k < r->collapse; k++) {
    line(g, "}");
    g->indent--;
  }
  line(g, "}");
}

// Ends the device branch of a bare kernel: the teams loop where the GPU is not used.
static void else_generic(Gen *g, Node *n, Range outer, Clauses *c) {
  g->indent--;
  line(g, "} else {");
  g->indent++;
  g->npar = 0;
  generic_parallel_for(g, n, outer, c);
  g->indent--;
  line(g, "}");
}

static bool has_buffer(Node *n) {
  for (; n; n = n->next)
    if ((n->kind == ND_ASSIGN && n->rhs->kind == ND_CALL && n->rhs->name &&
         !strcmp(n->rhs->name, "buffer")) ||
        has_buffer(n->body) || has_buffer(n->orelse))
      return true;
  return false;
}

// Arrays come as device addresses (the call's data environment has mapped them), so that
// a launch looks nothing up in the OpenMP runtime's table: on an H100, CSR SpMV on mapped
// data went from 0.196 to 0.177 ms. Private scalars are declared in the kernel instead.
// The data clauses of a bare kernel: its arrays and `extra` (NULL: none) as device
// addresses, and the flag a failing check sets.
static char *bare_data(Gen *g, Region *r, const char *extra) {
  Buf b = {0};
  RegionVar *arr[64];
  for (int k = 0, n = region_arrays(r, arr); k < n; k++)
    list_add(&b, name_of(g, arr[k]->var));
  if (extra)
    list_add(&b, extra);
  char *d = arena_printf(g->arena, "%s%s%s", b.len ? " is_device_ptr(" : "",
                         b.len ? b.data : "", b.len ? ")" : "");
  if (r->raises)
    d = arena_printf(g->arena, "%s map(tofrom: %s)", d, own(g, OWN_FAILED, "appy_failed"));
  if (r->raises && g->opt->boundscheck)
    d = arena_printf(g->arena, "%s map(tofrom: %s)", d, own(g, OWN_BAD, "appy_bad"));
  buf_free(&b);
  return d;
}

// Before a bare kernel, each array's device address (from the call's data environment);
// inside the block that launches it, the array's name stands for that address.
static void device_addresses(Gen *g, Region *r, bool shadow) {
  RegionVar *arr[64];
  for (int k = 0, n = region_arrays(r, arr); k < n; k++) {
    Var *v = arr[k]->var;
    const char *c = name_of(g, v), *dev = c_part(g->arena, v->cname, "gpu");
    if (shadow)
      line(g, "%s *%s = %s;   // on the device", ty_ctype(v->ty->elem), c, dev);
    else
      line(g, "%s *const %s = appy_env_ptr(&appy_data, %s);", ty_ctype(v->ty->elem), dev, c);
  }
}

static char *bare_directive(Gen *g, Region *r) {
  return arena_printf(g->arena, "#pragma omp target teams ompx_bare "
                      "num_teams(appy_blocks) "
                      "thread_limit(appy_group_block(appy_g))%s", bare_data(g, r, NULL));
}

// The bytes of the region's arrays per iteration of its loop (of appy_n): what one group
// reads and writes, for the tuner's capped grid (appy/group.h appy_group_cap).
static void row_bytes(Gen *g, Region *r) {
  RegionVar *arr[64];
  int narr = region_arrays(r, arr);
  Buf sum = {0};
  for (int k = 0; k < narr; k++)
    buf_printf(&sum, "%s%s", k ? " + " : "", array_bytes(g, arr[k]->var));
  line(g, "const size_t appy_row_bytes = (%s) / (size_t)appy_n;", narr ? sum.data : "0");
  buf_free(&sum);
}

// Each thread's own copies of the loop variable and the private scalars, declared in the
// kernel: clang keeps these in registers, where a private(...) clause on the construct made
// the same kernels up to twice as slow (H100, CSR SpMV and softmax).
static void lane_locals(Gen *g, Region *r) {
  Var *i = r->loop->target->var;
  line(g, "%s %s;", ty_ctype(i->ty), name_of(g, i));
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->var->ty->kind != TY_ARRAY && rv->sharing == SH_PRIVATE)
      line(g, "%s %s;", ty_ctype(rv->var->ty), name_of(g, rv->var));
}

// Opens a bare kernel of group or reduction form: its directive and each thread's locals.
static void bare_kernel_head(Gen *g, Region *r, const char *directive) {
  line(g, "%s", directive);
  line(g, "{");
  g->indent++;
  lane_locals(g, r);
}

// The shared slots where a kernel's warps leave partial results ("group's" or "block's").
static void partial_slots(Gen *g, const char *whose) {
  line(g, "static uint64_t appy_red[32];   // the %s partial results, one per warp", whose);
  line(g, "#pragma omp allocate(appy_red) allocator(omp_pteam_mem_alloc)");
}

// The loop variable i at position k (a C expression; sum: an operation, parenthesised
// before "* step") of the range: i = start + k * step.
static void loop_var_at(Gen *g, const char *i, Range r, const char *k, bool sum) {
  bool zero = r.from0, one = r.const_step && r.cstep == 1;
  if (zero && one)
    line(g, "%s = %s;", i, k);
  else if (one)
    line(g, "%s = %s + %s;", i, r.start, k);
  else
    line(g, "%s = %s%s%s%s%s * %s;", i, zero ? "" : r.start, zero ? "" : " + ", sum ? "(" : "", k,
         sum ? ")" : "", r.step);
}

// After loop_var_at in a bare kernel, for a loop whose body never reads its variable (a
// prange(1) around a whole computation): (void) keeps clang from warning that the
// variable, declared in the kernel, is set but not used.
static void unused_loop_var(Gen *g, Node *loop) {
  for (Node *s = loop->body; s; s = s->next)
    if (mentions(s, loop->target->var))
      return;
  line(g, "(void)%s;", name_of(g, loop->target->var));
}

// The appy/group.h reduction helper for operator op: appy_group_<name>_<suffix>.
static const char *reduce_fn(const char *op) {
  return !strcmp(op, "+") ? "sum" : !strcmp(op, "*") ? "prod" : op;
}

// On the device, a bare kernel: groups of appy_g lanes, appy_group_block(appy_g) / appy_g
// of them per block, each taking iterations appy_k of the loop in turn. Elsewhere the
// same loop on the host's threads.
static void bare_parallel_for(Gen *g, Node *n, Range outer, Clauses *c) {
  Region *r = n->region;
  const char *i = name_of(g, n->target->var);
  bool buffers = has_buffer(n->body);
  line(g, "if (appy_use_device() && !appy_data.full) {");
  g->indent++;
  device_addresses(g, r, false);
  line(g, "static appy_tuner appy_tune;   // the group size, tried on the first calls");
  line(g, "const int64_t appy_n = appy_range_len(%s, %s, %s);", outer.start, outer.stop, outer.step);
  line(g, "const int appy_g = appy_tune_size(&appy_tune, appy_n, %d);", buffers);
  line(g, "if (appy_n > 0) {");
  g->indent++;
  row_bytes(g, r);
  line(g, "const int appy_blocks = appy_tune_blocks(&appy_tune, appy_n, appy_g, appy_row_bytes);");
  line(g, "const double appy_t0 = appy_clock();");
  line(g, "{");
  g->indent++;
  device_addresses(g, r, true);
  bare_kernel_head(g, r, bare_directive(g, r));
  partial_slots(g, "group's");
  line(g, "const int appy_lane = ompx_thread_id_x() %% appy_g;");
  line(g, "const int appy_groups = appy_group_block(appy_g) / appy_g;");
  line(g, "(void)appy_red;");
  line(g, "for (int64_t appy_k = (int64_t)ompx_block_id_x() * appy_groups + ompx_thread_id_x() / appy_g;");
  line(g, "     appy_k < appy_n; appy_k += (int64_t)ompx_grid_dim_x() * appy_groups) {");
  g->indent++;
  loop_var_at(g, i, outer, "appy_k", false);
  unused_loop_var(g, n);
  g->bare = true;
  for (g->bare_last = n->body; g->bare_last && g->bare_last->next;)
    g->bare_last = g->bare_last->next;
  stmts(g, n->body);
  g->bare_last = NULL;
  if (buffers)   // the next iteration refills the scratchpads
    line(g, "appy_group_sync(appy_g);");
  g->bare = false;
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "}");
  line(g, "appy_tune_ran(&appy_tune, appy_clock() - appy_t0);");
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "} else {");
  g->indent++;
  g->host = true;
  line(g, "%s", directive(g, r, c));
  for_header(g, n, outer, tmpname(g, "it"), false);
  g->indent++;
  stmts(g, n->body);
  g->indent--;
  line(g, "}");
  g->host = false;
  g->indent--;
  line(g, "}");
}

// The identity of a reduction: where each lane's partial sum or product starts.
static const char *identity(const char *op) {
  return op[0] == '*' ? "1" : "0";
}

static char *bare_reduce_directive(Gen *g, Region *r) {
  return arena_printf(g->arena, "#pragma omp target teams ompx_bare "
                      "num_teams(appy_red_blocks(appy_n)) thread_limit(APPY_RED_THREADS)%s",
                      bare_data(g, r, "appy_scr"));
}

// c = c OP p for reduction operator op, NaN-keeping for max and min as appy/group.h's.
static void combine(Gen *g, const char *c, const char *p, const char *op, const Type *t) {
  bool fp = ty_is_float(t);
  if (!strcmp(op, "max") || !strcmp(op, "min"))
    line(g, "%s = %s %s %s%s%s%s ? %s : %s;", c, c, op[1] == 'a' ? ">" : "<", p,
         fp ? " || " : "", fp ? c : "", fp ? arena_printf(g->arena, " != %s", c) : "", c, p);
  else
    line(g, "%s %s= %s;", c, op, p);
}

// At the end of a reduction kernel: each block's values into the scratch area, and the
// last block to finish combines them all, in block order, for the host to read.
static void reduce_blocks(Gen *g, RegionVar **red, int nred, const char **from) {
  for (int k = 0; k < nred; k++) {
    const char *v = name_of(g, red[k]->var), *op = red[k]->redop, *sf = suffix(red[k]->var->ty);
    const char *fn = reduce_fn(op);
    line(g, "%s = appy_group_%s_%s(%s, APPY_RED_THREADS, appy_red);", v, fn, sf, v);
    line(g, "if (ompx_thread_id_x() == 0)");
    line(g, "  appy_red_put(appy_scr, %d, %d, ompx_block_id_x(), &%s, sizeof %s);", nred, k, v, v);
  }
  line(g, "if (appy_red_last(appy_scr, appy_red)) {   // every block's values, in block order");
  g->indent++;
  for (int k = 0; k < nred; k++) {
    const char *v = name_of(g, red[k]->var), *op = red[k]->redop, *sf = suffix(red[k]->var->ty);
    const char *fn = reduce_fn(op);
    const char *ct = ty_ctype(red[k]->var->ty);
    char *p = tmpname(g, "part");
    line(g, "%s = %s;", v, from[k]);
    line(g, "for (int appy_b = ompx_thread_id_x(); appy_b < (int)ompx_grid_dim_x(); appy_b += APPY_RED_THREADS) {");
    g->indent++;
    line(g, "%s %s;", ct, p);
    line(g, "appy_red_get(appy_scr, %d, %d, appy_b, &%s, sizeof %s);", nred, k, p, p);
    combine(g, v, p, op, red[k]->var->ty);
    g->indent--;
    line(g, "}");
    line(g, "%s = appy_group_%s_%s(%s, APPY_RED_THREADS, appy_red);", v, fn, sf, v);
    line(g, "if (ompx_thread_id_x() == 0)");
    line(g, "  memcpy(&appy_scr[%d], &%s, sizeof %s);", 1 + k, v, v);
  }
  g->indent--;
  line(g, "}");
}

static void bare_reduce_for(Gen *g, Node *n, Range outer, Clauses *c) {
  Region *r = n->region;
  RegionVar *red[16];
  int nred = 0;
  for (RegionVar *rv = r->vars; rv; rv = rv->next)
    if (rv->var->ty->kind != TY_ARRAY && rv->sharing == SH_REDUCTION)
      red[nred++] = rv;
  line(g, "static appy_red_scratch appy_rs;   // the loop's scratch area on the device");
  line(g, "uint64_t *appy_scr = NULL;");
  line(g, "int appy_own = 0;");
  line(g, "if (appy_use_device() && !appy_data.full && (appy_scr = appy_red_take(&appy_rs, %d, &appy_own))) {",
       nred);
  g->indent++;
  line(g, "const int64_t appy_n = appy_range_len(%s, %s, %s);", outer.start, outer.stop, outer.step);
  const char *from[16];
  for (int k = 0; k < nred; k++) {   // max and min start from the scalar's value
    const char *op = red[k]->redop;
    from[k] = identity(op);
    if (!strcmp(op, "max") || !strcmp(op, "min")) {
      char *t = tmpname(g, "from");
      line(g, "const %s %s = %s;", ty_ctype(red[k]->var->ty), t, name_of(g, red[k]->var));
      from[k] = t;
    }
  }
  device_addresses(g, r, false);
  line(g, "{");
  g->indent++;
  device_addresses(g, r, true);
  bare_kernel_head(g, r, bare_reduce_directive(g, r));
  for (int k = 0; k < nred; k++)
    line(g, "%s %s = %s;", ty_ctype(red[k]->var->ty), name_of(g, red[k]->var), from[k]);
  partial_slots(g, "block's");
  line(g, "const int64_t appy_stride = (int64_t)ompx_grid_dim_x() * APPY_RED_THREADS;");
  line(g, "int64_t appy_k = (int64_t)ompx_block_id_x() * APPY_RED_THREADS + ompx_thread_id_x();");
  line(g, "for (; appy_k + 3 * appy_stride < appy_n; appy_k += 4 * appy_stride) {   // four loads in flight");
  g->indent++;
  line(g, "for (int appy_u = 0; appy_u < 4; appy_u++) {");
  g->indent++;
  const char *i = name_of(g, n->target->var);
  loop_var_at(g, i, outer, "appy_k + appy_u * appy_stride", true);
  unused_loop_var(g, n);
  stmts(g, n->body);
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "}");
  line(g, "for (; appy_k < appy_n; appy_k += appy_stride) {   // the rest");
  g->indent++;
  loop_var_at(g, i, outer, "appy_k", false);
  unused_loop_var(g, n);
  stmts(g, n->body);
  g->indent--;
  line(g, "}");
  reduce_blocks(g, red, nred, from);
  g->indent--;
  line(g, "}");
  g->indent--;
  line(g, "}");
  line(g, "uint64_t appy_totals[%d];", nred);
  line(g, "appy_red_give(&appy_rs, appy_scr, appy_own, appy_totals, %d);", nred);
  for (int k = 0; k < nred; k++) {
    const char *v = name_of(g, red[k]->var);
    char *t = tmpname(g, "total");
    line(g, "%s %s;", ty_ctype(red[k]->var->ty), t);
    line(g, "memcpy(&%s, &appy_totals[%d], sizeof %s);", t, k, t);
    combine(g, v, t, red[k]->redop, red[k]->var->ty);
  }
  else_generic(g, n, outer, c);
}

static char *bare_loop_directive(Gen *g, Region *r, bool priv) {
  return arena_printf(g->arena, "#pragma omp target teams ompx_bare num_teams(%s) "
                      "thread_limit(APPY_LOOP_THREADS)%s",
                      priv ? "appy_red_blocks(appy_n)" : "appy_loop_blocks(appy_n)",
                      bare_data(g, r, NULL));
}

// The kernel of bare_loop_for: with npriv scatter targets, their block copies first.
static void bare_loop_kernel(Gen *g, Node **loops, Range *ranges, char **lens, RegionVar **priv,
                             int npriv) {
  Region *r = loops[0]->region;
  line(g, "%s", bare_loop_directive(g, r, npriv > 0));
  line(g, "{");
  g->indent++;
  if (npriv) {
    line(g, "static uint64_t appy_priv[APPY_PRIV_BYTES / 8];   // the block's copies of the scatter targets");
    line(g, "#pragma omp allocate(appy_priv) allocator(omp_pteam_mem_alloc)");
    for (int k = 0; k < npriv; k++) {
      Var *v = priv[k]->var;
      line(g, "%s *const %s = (%s *)((char *)appy_priv + appy_at%d);", ty_ctype(v->ty->elem),
           c_part(g->arena, v->cname, "priv"), ty_ctype(v->ty->elem), k);
    }
    line(g, "for (int64_t appy_w = ompx_thread_id_x(); appy_w < appy_at%d / 8; appy_w += APPY_LOOP_THREADS)",
         npriv);
    line(g, "  appy_priv[appy_w] = 0;");
    line(g, "appy_group_sync(APPY_LOOP_THREADS);");
    line(g, "{");
    g->indent++;
    for (int k = 0; k < npriv; k++) {
      Var *v = priv[k]->var;
      line(g, "%s *%s = %s;   // this block's copy", ty_ctype(v->ty->elem), name_of(g, v),
           c_part(g->arena, v->cname, "priv"));
    }
  }
  for (int d = 1; d < r->collapse; d++)
    line(g, "%s %s;", ty_ctype(loops[d]->target->var->ty), name_of(g, loops[d]->target->var));
  lane_locals(g, r);
  line(g, "for (int64_t appy_k = (int64_t)ompx_block_id_x() * APPY_LOOP_THREADS + ompx_thread_id_x();");
  line(g, "     appy_k < appy_n; appy_k += (int64_t)ompx_grid_dim_x() * APPY_LOOP_THREADS) {");
  g->indent++;
  const char *k = "appy_k";
  if (r->collapse > 1) {
    line(g, "int64_t appy_q = appy_k;");
    k = "appy_q";
  }
  for (int d = r->collapse - 1; d > 0; d--) {
    loop_var_at(g, name_of(g, loops[d]->target->var), ranges[d],
                arena_printf(g->arena, "appy_q %% %s", lens[d]), true);
    line(g, "appy_q /= %s;", lens[d]);
  }
  loop_var_at(g, name_of(g, loops[0]->target->var), ranges[0], k, false);
  for (int d = 0; d < r->collapse; d++)
    unused_loop_var(g, loops[d]);
  g->npar = 0;
  for (int d = 0; d < r->collapse; d++)
    g->par[g->npar++] = loops[d]->target->var;
  stmts(g, loops[r->collapse - 1]->body);
  g->indent--;
  line(g, "}");
  if (npriv) {
    g->indent--;
    line(g, "}");
    line(g, "appy_group_sync(APPY_LOOP_THREADS);");
    for (int k = 0; k < npriv; k++) {   // merged into the array
      const char *v = name_of(g, priv[k]->var), *pv = c_part(g->arena, priv[k]->var->cname, "priv");
      line(g, "for (int64_t appy_e = ompx_thread_id_x(); appy_e < %s; appy_e += APPY_LOOP_THREADS)",
           part(g, priv[k]->var, P_SIZE));
      line(g, "  if (%s[appy_e] != 0) {", pv);
      if (ty_size(priv[k]->var->ty->elem) < 4) {
        line(g, "    appy_atomic_add_%s(&%s[appy_e], %s[appy_e]);",
             ty_name(g->arena, priv[k]->var->ty->elem), v, pv);
      } else {
        line(g, "    #pragma omp atomic update");
        line(g, "    %s[appy_e] += %s[appy_e];", v, pv);
      }
      line(g, "  }");
    }
  }
  g->indent--;
  line(g, "}");
}

//
// Dense nests in tiles (clang)
//



// kc steps per chunk as appy/group.h spells it: "APPY_TILE_K" and " / 2" or " / 4".
static const char *chunk_steps(int kc) {
  return kc == APPY_TILE_K ? "" : kc == APPY_TILE_K / 2 ? " / 2" : " / 4";
}

// The chunking of statement n of the iteration if the plan jams it, else NULL.
static const Chunk *chunk_of(const Tiling *t, Node *n) {
  for (int q = 0; q < t->nchunk; q++)
    if (t->chunk[q].loop == n)
      return &t->chunk[q];
  return NULL;
}

static void close_blocks(Gen *g, int n) {
  while (n-- > 0) {
    g->indent--;
    line(g, "}");
  }
}

// Opens the loop over this thread's elements of the tile with i and j set; with check,
// only for the elements in the nest (and, with guard, whose guard holds). Returns the
// blocks opened.
static int tile_each(Gen *g, Tiling *t, Range *ranges, char **lens, bool check, bool guard) {
  line(g, "#pragma unroll");
  line(g, "for (int appy_u = 0; appy_u < APPY_TILE_U; appy_u++) {");
  g->indent++;
  line(g, "const int64_t appy_qi = appy_ib + APPY_TILE_QI(appy_t, appy_u), "
          "appy_qj = appy_jb + APPY_TILE_QJ(appy_t, appy_u);");
  int open = 1;
  if (check) {
    line(g, "if (appy_qi < %s && appy_qj < %s) {", lens[0], lens[1]);
    g->indent++;
    open++;
  }
  loop_var_at(g, name_of(g, t->vi), ranges[0], "appy_qi", false);
  loop_var_at(g, name_of(g, t->vj), ranges[1], "appy_qj", false);
  if (guard && t->cond) {
    line(g, "if (%s) {", condition(g, t->cond));
    g->indent++;
    open++;
  }
  return open;
}

// Element appy_w of this thread's share of a chunk of panel pn: its row or column appy_r in
// the tile and its step appy_kk. Consecutive threads take consecutive elements of the array:
// 32 of a step of x[k, i]; of x[i, k], 4 steps of 8 rows (a 32-byte sector of each row for
// float64), so that the warp's stores into the panel, whose steps are APPY_TILE_PAD (4)
// elements longer than the side, hit every bank alike.
static void panel_share(Gen *g, const Panel *pn) {
  char side = panel_side(pn);
  line(g, "const int appy_e = (int)appy_t + appy_w * APPY_TILE_THREADS;");
  if (pn->kfirst)
    line(g, "const int appy_r = appy_e %% APPY_TILE_%c, appy_kk = appy_e / APPY_TILE_%c;", side, side);
  else
    line(g, "const int appy_r = appy_e / 4 %% 8 + appy_e / (8 * appy_kc) * 8, "
            "appy_kk = appy_e %% 4 + appy_e / 32 %% (appy_kc / 4) * 4;");
}

static void share_loop(Gen *g, const Panel *pn) {
  line(g, "#pragma unroll");
  line(g, "for (int appy_w = 0; appy_w < appy_kc * APPY_TILE_%c / APPY_TILE_THREADS; appy_w++) {",
       panel_side(pn));
  g->indent++;
  panel_share(g, pn);
}

// Reads this thread's share of chunk kf of loop n's panels into registers appy_fP (zero
// outside the array).
static void fetch_panels(Gen *g, Tiling *t, Node *n, const char *kf, Range *ranges, char **lens) {
  for (int p = 0; p < t->npanel; p++) {
    const Panel *pn = &t->panel[p];
    if (pn->loop != n)
      continue;
    Var *x = pn->x, *k = n->target->var, *ij = pn->jside ? t->vj : t->vi;
    share_loop(g, pn);
    line(g, "const int64_t appy_q = appy_%cb + appy_r;", pn->jside ? 'j' : 'i');
    const char *kc = name_of(g, k), *ijc = name_of(g, ij);
    line(g, "%s = %s + appy_kk;", kc, kf);
    loop_var_at(g, ijc, ranges[pn->jside], "appy_q", false);
    const char *a = pn->kfirst ? kc : ijc, *b = pn->kfirst ? ijc : kc;
    line(g, "appy_f%d[appy_w] = appy_q < %s && %s >= 0 && %s < %s && %s >= 0 && %s < %s", p,
         lens[pn->jside], a, a, part(g, x, P_SHAPE), b, b, part(g, x, P_SHAPE + 1));
    line(g, "    ? %s[%s * %s + %s] : 0;", name_of(g, x), a, part(g, x, P_SHAPE + 1), b);
    close_blocks(g, 1);
  }
}

// Stores the registers of fetch_panels into loop n's panels.
static void store_panels(Gen *g, Tiling *t, Node *n) {
  for (int p = 0; p < t->npanel; p++) {
    const Panel *pn = &t->panel[p];
    if (pn->loop != n)
      continue;
    share_loop(g, pn);
    line(g, "appy_p%d[appy_kk * APPY_TILE_S%c + appy_r] = appy_f%d[appy_w];", p,
         panel_side(pn), p);
    close_blocks(g, 1);
  }
}

// A chunk of a loop that runs on the tensor cores (m): each 4 steps of k, every panel's
// operand parts into registers, then an mma for each product and 8 x 8 block of the
// warp's elements (the accumulators, element appy_u and appy_u + 1 of s, in their places).
static void tile_dmma(Gen *g, Tiling *t, const Dmma *m) {
  line(g, "#pragma unroll 1");   // unrolled, the JIT gave the kernel more registers
  line(g, "for (int appy_kq = 0; appy_kq < appy_kc; appy_kq += 4) {");
  g->indent++;
  line(g, "const int appy_ka = appy_kq + APPY_TILE_FK(appy_t);   // this lane's step of k in the operands");
  for (int p = 0; p < t->npanel; p++) {
    bool used = false;
    for (int q = 0; q < m->nterm; q++)
      used |= m->a[q] == p || m->b[q] == p;
    if (!used)
      continue;
    line(g, "double appy_o%d[APPY_TILE_R%s];", p, t->panel[p].jside ? "J / 2" : "I");
    line(g, "#pragma unroll");
    if (t->panel[p].jside) {
      line(g, "for (int appy_n = 0; appy_n < APPY_TILE_RJ / 2; appy_n++)");
      line(g, "  appy_o%d[appy_n] = appy_p%d[appy_ka * APPY_TILE_SJ + APPY_TILE_FJ(appy_t) + "
              "APPY_TILE_UJ(2 * appy_n)];", p, p);
    } else {
      line(g, "for (int appy_m = 0; appy_m < APPY_TILE_RI; appy_m++)");
      line(g, "  appy_o%d[appy_m] = appy_v%d[appy_ka * APPY_TILE_SI + APPY_TILE_UI(appy_m * APPY_TILE_RJ)];",
           p, p);
    }
  }
  line(g, "#pragma unroll");
  line(g, "for (int appy_m = 0; appy_m < APPY_TILE_RI; appy_m++) {");
  line(g, "  #pragma unroll");
  line(g, "  for (int appy_n = 0; appy_n < APPY_TILE_RJ / 2; appy_n++) {");
  line(g, "    const int appy_u = appy_m * APPY_TILE_RJ + 2 * appy_n;");
  for (int q = 0; q < m->nterm; q++)
    line(g, "    appy_dmma(&%s, %sappy_o%d[appy_m], appy_o%d[appy_n]);", name_of(g, m->acc),
         m->neg[q] ? "-" : "", m->a[q], m->b[q]);
  line(g, "  }");
  line(g, "}");
  close_blocks(g, 1);
}

// The k of a jammed loop n: appy_lo and appy_hi those of this thread's iterations, then
// of the block's; appy_all_lo and appy_all_hi those that all of this thread's take.
static void jam_bounds(Gen *g, Tiling *t, Node *n, const Chunk *c, Range *ranges, char **lens) {
  line(g, "enum { appy_kc = APPY_TILE_K%s };   // steps of k per chunk", chunk_steps(c->kc));
  line(g, "int64_t appy_lo = INT64_MAX, appy_hi = INT64_MIN;   // the k of this thread's iterations, then the block's");
  // On the tensor cores, the elements outside the nest or its guard take part too (their
  // accumulators are never read); only those in it count.
  bool mma = c->mma.acc != NULL;
  line(g, "int64_t appy_all_lo = INT64_MIN, appy_all_hi = INT64_MAX;   // the k all of this thread's %stake",
       mma ? "counted elements " : "");
  if (mma)
    line(g, "int appy_counts = 0;   // this thread has elements in the nest%s", t->cond ? " and its guard" : "");
  int open = tile_each(g, t, ranges, lens, true, false);
  if (t->cond) {
    line(g, "if (!(%s)) {", condition(g, t->cond));
    if (!mma)
      line(g, "  appy_all_lo = INT64_MAX;");
    line(g, "  continue;");
    line(g, "}");
  }
  if (mma)
    line(g, "appy_counts = 1;");
  Range kr = range_of(g, n, false);
  line(g, "const int64_t appy_a = %s, appy_b = %s;", kr.start, kr.stop);
  line(g, "if (appy_a < appy_b) {");
  line(g, "  appy_lo = appy_a < appy_lo ? appy_a : appy_lo;");
  line(g, "  appy_hi = appy_b > appy_hi ? appy_b : appy_hi;");
  line(g, "}");
  line(g, "appy_all_lo = appy_a > appy_all_lo ? appy_a : appy_all_lo;");
  line(g, "appy_all_hi = appy_b < appy_all_hi ? appy_b : appy_all_hi;");
  if (mma) {
    close_blocks(g, open);
  } else {
    g->indent--;
    line(g, "} else {");
    line(g, "  appy_all_lo = INT64_MAX;");
    line(g, "}");
    close_blocks(g, open - 1);
  }
  line(g, "const int64_t appy_my_lo = appy_lo, appy_my_hi = appy_hi;");
  line(g, "appy_lo = appy_group_min_i64(appy_lo, APPY_TILE_THREADS, appy_red);");
  line(g, "appy_hi = appy_group_max_i64(appy_hi, APPY_TILE_THREADS, appy_red);");
}

// The chunks of k of jammed loop n: each stored into the panels while the next is read,
// run on the tensor cores, unchecked or checked.
static void jam_chunks(Gen *g, Tiling *t, Node *n, const Chunk *c, Range *ranges, char **lens) {
  const char *k = name_of(g, n->target->var);
  bool mma = c->mma.acc != NULL;
  int open;
  Range kr;
  for (int p = 0; p < t->npanel; p++)   // the next chunk of each panel, read while this one is used
    if (t->panel[p].loop == n)
      line(g, "%s appy_f%d[appy_kc * APPY_TILE_%c / APPY_TILE_THREADS];",
           ty_ctype(t->panel[p].x->ty->elem), p, panel_side(&t->panel[p]));
  Tiling *was = g->tiling;
  g->tiling = NULL;
  line(g, "if (appy_lo < appy_hi) {");
  g->indent++;
  fetch_panels(g, t, n, "appy_lo", ranges, lens);
  close_blocks(g, 1);
  line(g, "for (int64_t appy_k0 = appy_lo; appy_k0 < appy_hi; appy_k0 += appy_kc) {");
  g->indent++;
  store_panels(g, t, n);
  line(g, "ompx_sync_block(ompx_acq_rel);");
  line(g, "if (appy_k0 + appy_kc < appy_hi) {");
  g->indent++;
  fetch_panels(g, t, n, "(appy_k0 + appy_kc)", ranges, lens);
  close_blocks(g, 1);
  g->tiling = was;
  if (mma) {
    // A warp whose counted elements all take the whole chunk: on the tensor cores; any other
    // (and on GPUs without them, every one): the checking copy below. No unchecked copy:
    // with it the JIT gave the kernel more registers than two blocks per SM leave.
    line(g, "if (appy_warp_all(appy_all_lo <= appy_k0 && appy_k0 + appy_kc <= appy_all_hi) && appy_warp_any(appy_counts)) {");
    line(g, "  // every counted element of the warp takes every k, and there is one");
    g->indent++;
    tile_dmma(g, t, &c->mma);
  } else {
    line(g, "if (appy_all_lo <= appy_k0 && appy_k0 + appy_kc <= appy_all_hi) {   // every element takes every k");
    g->indent++;
    line(g, "#pragma unroll");
    line(g, "for (int appy_kk = 0; appy_kk < appy_kc; appy_kk++) {");
    g->indent++;
    line(g, "%s = appy_k0 + appy_kk;", k);
    open = tile_each(g, t, ranges, lens, false, false);
    stmts(g, n->body);
    close_blocks(g, open + 1);
  }
  g->indent--;
  line(g, "} else if (appy_k0 < appy_my_hi && appy_k0 + appy_kc > appy_my_lo) {   // some elements, some k");
  g->indent++;
  line(g, "for (int appy_kk = 0; appy_kk < appy_kc; appy_kk++) {");
  g->indent++;
  line(g, "%s = appy_k0 + appy_kk;", k);
  open = tile_each(g, t, ranges, lens, true, true);
  kr = range_of(g, n, false);
  line(g, "if (%s >= %s && %s < %s) {", k, kr.start, k, kr.stop);
  g->indent++;
  stmts(g, n->body);
  close_blocks(g, open + 3);
  line(g, "ompx_sync_block(ompx_acq_rel);");
  close_blocks(g, 2);
}

// Jammed k loop n of a tiled kernel.
static void tile_jam(Gen *g, Tiling *t, Node *n, Range *ranges, char **lens) {
  source_comment(g, n->tok->line, n->tok->line);
  line(g, "{");
  g->indent++;
  const Chunk *c = chunk_of(t, n);
  jam_bounds(g, t, n, c, ranges, lens);
  jam_chunks(g, t, n, c, ranges, lens);
}

static char *tile_directive(Gen *g, Region *r) {
  return arena_printf(g->arena, "#pragma omp target teams ompx_bare num_teams(appy_grid_blocks(appy_tiles)) "
                      "thread_limit(APPY_TILE_THREADS)%s", bare_data(g, r, NULL));
}

// A tiled kernel's panels in shared memory, and where this thread's elements start in each.
static void tile_panels(Gen *g, Tiling *t) {
  // Panel memory: the k loops run one after another, each from offset 0 (sizes from
  // appy/group.h, so that they hold whatever the geometry there).
  char *at[16], *size = NULL;
  for (int c = 0; c < t->nchunk; c++) {
    char *end = NULL;   // of the panels so far: NULL, none
    for (int p = 0; p < t->npanel; p++) {
      if (t->panel[p].loop != t->chunk[c].loop)
        continue;
      at[p] = end ? end : "0";
      char *bytes = arena_printf(g->arena, "APPY_PANEL_BYTES(APPY_TILE_%c, APPY_TILE_K%s, %s)",
                                 panel_side(&t->panel[p]), chunk_steps(t->chunk[c].kc),
                                 ty_ctype(t->panel[p].x->ty->elem));
      end = end ? arena_printf(g->arena, "%s + %s", end, bytes) : bytes;
    }
    if (end)
      size = size ? arena_printf(g->arena, "APPY_MAX(%s, %s)", size, end) : end;
  }
  line(g, "static uint64_t appy_st[(%s) / 8];   // the panels of arrays read along k", size);
  line(g, "#pragma omp allocate(appy_st) allocator(omp_pteam_mem_alloc)");
  partial_slots(g, "block's");
  line(g, "const int64_t appy_t = ompx_thread_id_x();");
  for (int p = 0; p < t->npanel; p++) {   // each panel, and where this thread's elements start in it
    const Panel *pn = &t->panel[p];
    const char *ct = ty_ctype(pn->x->ty->elem), *k = pn->loop->target->var->name;
    const char *ij = (pn->jside ? t->vj : t->vi)->name;
    line(g, "%s *const appy_p%d = (%s *)((char *)appy_st + %s);   // %s, line %d", ct, p, ct,
         at[p], c_text(g->arena, arena_printf(g->arena, "%s[%s, %s]", pn->x->name,
                                              pn->kfirst ? k : ij, pn->kfirst ? ij : k),
                       C_COMMENT), pn->loop->tok->line);
    line(g, "const %s *const appy_v%d = appy_p%d + APPY_TILE_T%c(appy_t);", ct, p, p,
         panel_side(pn));
  }
}

// The kernel of a tiled nest (SHAPE_TILES): blocks take tiles appy_tile of appy_tiles in turn.
static void tile_kernel(Gen *g, Region *r, Range *ranges, char **lens, Tiling *t) {
  line(g, "%s", tile_directive(g, r));
  line(g, "{");
  g->indent++;
  tile_panels(g, t);
  line(g, "%s %s;", ty_ctype(t->vi->ty), name_of(g, t->vi));
  line(g, "%s %s;", ty_ctype(t->vj->ty), name_of(g, t->vj));
  // The jammed loops' variables are the block's; every other private scalar is one per
  // element (a register each, once the element loops are unrolled).
  Var *jam[16];
  int njam = 0;
  for (int q = 0; q < t->nchunk; q++) {
    Var *k = t->chunk[q].loop->target->var;
    bool seen = false;
    for (int q = 0; q < njam; q++)
      seen |= jam[q] == k;
    if (!seen && njam < 16) {
      jam[njam++] = k;
      line(g, "%s %s;", ty_ctype(k->ty), name_of(g, k));
    }
  }
  RegionVar *own[64];
  const char *was[64];
  int nown = 0;
  for (RegionVar *rv = r->vars; rv && nown < 64; rv = rv->next) {
    Var *v = rv->var;
    bool skip = v->ty->kind == TY_ARRAY || rv->sharing != SH_PRIVATE || v == t->vi || v == t->vj;
    for (int q = 0; q < njam; q++)
      skip |= jam[q] == v;
    if (skip)
      continue;
    line(g, "%s %s[APPY_TILE_U];", ty_ctype(v->ty), name_of(g, v));
    was[nown] = v->cname;
    own[nown++] = rv;
    v->cname = arena_printf(g->arena, "%s[appy_u]", v->cname);
  }
  line(g, "for (int64_t appy_tile = ompx_block_id_x(); appy_tile < appy_tiles; appy_tile += ompx_grid_dim_x()) {");
  g->indent++;
  line(g, "const int64_t appy_ib = appy_tile / appy_tj * APPY_TILE_I, appy_jb = appy_tile %% appy_tj * APPY_TILE_J;");
  g->npar = 0;
  g->par[g->npar++] = t->vi;
  g->par[g->npar++] = t->vj;
  g->tiling = t;
  for (Node *s = t->body; s;) {
    if (chunk_of(t, s)) {
      tile_jam(g, t, s, ranges, lens);
      s = s->next;
      continue;
    }
    int open = tile_each(g, t, ranges, lens, true, true);
    for (; s && !chunk_of(t, s); s = s->next)   // a run of other statements: each element in turn
      one_stmt(g, s);
    close_blocks(g, open);
  }
  g->tiling = NULL;
  for (int q = 0; q < nown; q++)
    own[q]->var->cname = was[q];
  close_blocks(g, 2);
}

static void bare_loop_for(Gen *g, Node *n, Range outer, Clauses *c) {
  Region *r = n->region;
  Node *loops[8] = {n};
  Range ranges[8] = {outer};
  char *lens[8] = {NULL};
  RegionVar **priv = r->plan->scatter;
  int npriv = r->plan->nscatter;
  Tiling *tiling = r->plan->tiling;
  bool tiled = r->plan->shape == SHAPE_TILES;
  line(g, "if (appy_use_device() && !appy_data.full) {");
  g->indent++;
  device_addresses(g, r, false);
  for (int d = 1; d < r->collapse; d++) {   // the inner loops' ranges, computed here
    loops[d] = loops[d - 1]->body;
    ranges[d] = range_of(g, loops[d], true);
    lens[d] = tmpname(g, "len");
    line(g, "const int64_t %s = appy_range_len(%s, %s, %s);", lens[d], ranges[d].start,
         ranges[d].stop, ranges[d].step);
  }
  char *outer_len = arena_printf(g->arena, "appy_range_len(%s, %s, %s)", outer.start,
                                 outer.stop, outer.step);
  if (tiled) {   // the tiles need it by name
    lens[0] = tmpname(g, "len");
    line(g, "const int64_t %s = %s;", lens[0], outer_len);
    outer_len = lens[0];
  }
  Buf total = {0};
  buf_puts(&total, outer_len);
  for (int d = 1; d < r->collapse; d++)
    buf_printf(&total, " * %s", lens[d]);
  line(g, "const int64_t appy_n = %s;", total.data);
  buf_free(&total);
  if (npriv) {   // where each copy starts in shared memory (8-byte aligned), and the end
    line(g, "const int64_t appy_at0 = 0;");
    for (int k = 0; k < npriv; k++)
      line(g, "const int64_t appy_at%d = appy_at%d + (%s * (int64_t)sizeof(*%s) + 7) / 8 * 8;",
           k + 1, k, part(g, priv[k]->var, P_SIZE), name_of(g, priv[k]->var));
  }
  line(g, "if (appy_n > 0) {");
  g->indent++;
  device_addresses(g, r, true);
  if (tiled) {
    line(g, "const int64_t appy_tj = (%s + APPY_TILE_J - 1) / APPY_TILE_J;   // tiles across j", lens[1]);
    line(g, "const int64_t appy_tiles = (%s + APPY_TILE_I - 1) / APPY_TILE_I * appy_tj;", lens[0]);
    tile_kernel(g, r, ranges, lens, tiling);
  } else if (npriv) {
    line(g, "if (appy_at%d <= APPY_PRIV_BYTES) {", npriv);
    g->indent++;
    bare_loop_kernel(g, loops, ranges, lens, priv, npriv);
    g->indent--;
    line(g, "} else {");
    g->indent++;
    bare_loop_kernel(g, loops, ranges, lens, NULL, 0);
    g->indent--;
    line(g, "}");
  } else {
    bare_loop_kernel(g, loops, ranges, lens, NULL, 0);
  }
  g->indent--;
  line(g, "}");
  else_generic(g, n, outer, c);
}

static void parallel_for(Gen *g, Node *n) {
  Region *r = n->region;
  Clauses c = region_clauses(g, r);
  line(g, "{");
  g->indent++;
  // Bounds of the outermost loop are computed on the host, before the region.
  Range outer = range_of(g, n, true);
  line(g, "const size_t appy_in = appy_data.bytes_in;");
  line(g, "const double appy_start = appy_clock();");
  RegionVar *arr[64];
  int narr = region_arrays(r, arr);
  for (int k = 0; k < narr; k++)
    line(g, "appy_env_device(&appy_data, %s, %s, %s);", name_of(g, arr[k]->var),
         array_bytes(g, arr[k]->var), device_how(arr[k]));
  if (narr > 0)
    line(g, "appy_env_copy_in(&appy_data);");
  line(g, "const double appy_mapped = appy_clock();");
  g->region = r;
  g->npar = 0;
  g->par[g->npar++] = n->target->var;
  switch (r->plan->shape) {
  case SHAPE_GROUP:
    bare_parallel_for(g, n, outer, &c);
    break;
  case SHAPE_REDUCE:
    bare_reduce_for(g, n, outer, &c);
    break;
  case SHAPE_LOOP:
  case SHAPE_TILES:
    bare_loop_for(g, n, outer, &c);
    break;
  case SHAPE_TEAMS:
    g->npar = 0;
    generic_parallel_for(g, n, outer, &c);
    break;
  }
  g->npar = 0;
  g->region = NULL;
  line(g, "const double appy_ran = appy_clock();");
  line(g, "appy_env_ran(&appy_data, \"%s\", \"%s\", %d, appy_data.bytes_in - appy_in,",
       c_text(g->arena, g->opt->module_name, C_STRING),
       c_text(g->arena, g->inst->kernel->name, C_STRING), n->tok->line);
  line(g, "             appy_mapped - appy_start, appy_ran - appy_mapped);");
  if (r->raises)
    raise_after(g, n->body);
  g->indent--;
  line(g, "}");
  free_clauses(&c);
}

// `y[i] += e` at the top of a marked loop, the same element in every iteration and the
// array not otherwise used there: a reduction into a private accumulator, added to the
// element once after the loop, instead of one atomic update per iteration.
static void find_accumulators(Gen *g, Node *loop) {
  g->nacc = 0;
  for (Node *s = loop->body; s && g->nacc < 8; s = s->next) {
    if (s->kind != ND_AUGASSIGN || s->lhs->kind != ND_SUBSCRIPT ||
        (strcmp(s->op, "+") && strcmp(s->op, "-") && strcmp(s->op, "*")))
      continue;
    Var *x = s->lhs->var;
    bool invariant = true;
    for (Node *i = s->lhs->args; i && invariant; i = i->next)
      for (Var *v = g->inst->vars; v && invariant; v = v->next)
        invariant = !(mentions(i, v) && (v == loop->target->var || assigns(loop->body, v)));
    int uses_x = 0;   // statements of the loop that use x: this update alone
    for (Node *t = loop->body; t; t = t->next)
      uses_x += mentions(t, x);
    if (!invariant || uses_x != 1 || mentions(s->rhs, x))
      continue;
    g->acc_of[g->nacc] = s;
    g->acc[g->nacc++] = tmpname(g, "acc");
  }
}

// The header of a marked loop in a bare kernel: lane k takes iterations k, k + G, ...
static void lane_header(Gen *g, Node *loop, Range r, const char *counter) {
  const char *i = name_of(g, loop->target->var);
  if (r.const_step && r.cstep == 1 && r.from0)
    line(g, "for (%s = appy_lane; %s < %s; %s += appy_g) {", i, i, r.stop, i);
  else if (r.const_step && r.cstep == 1)
    line(g, "for (%s = %s + appy_lane; %s < %s; %s += appy_g) {", i, r.start, i, r.stop, i);
  else if (r.const_step)
    line(g, "for (%s = %s + appy_lane * %s; %s %s %s; %s += appy_g * %s) {", i, r.start, r.step,
         i, r.cstep > 0 ? "<" : ">", r.stop, i, r.step);
  else {
    line(g, "for (int64_t %s = appy_lane; %s < appy_range_len(%s, %s, %s); %s += appy_g) {",
         counter, counter, r.start, r.stop, r.step, counter);
    line(g, "  %s = %s + %s * %s;", i, r.start, counter, r.step);
  }
}

// A marked loop in a bare kernel. Each lane reduces into its own copy (sums and products
// from the identity, max and min from the value before the loop), then the group combines
// the copies; the barrier at the end stands for the worksharing loop's.
static void lane_for(Gen *g, Node *n, Range r, Node **acc_of, char **acc, int nacc) {
  char *orig[16];
  int nred = 0;
  for (RegionVar *rv = n->region->vars; rv && nred < 16; rv = rv->next) {
    if (rv->sharing != SH_REDUCTION)
      continue;
    const char *v = name_of(g, rv->var);
    orig[nred] = NULL;
    if (!strcmp(rv->redop, "+") || !strcmp(rv->redop, "*")) {
      orig[nred] = tmpname(g, "before");
      line(g, "const %s %s = %s;", ty_ctype(rv->var->ty), orig[nred], v);
      line(g, "%s = %s;", v, identity(rv->redop));
    }
    nred++;
  }
  lane_header(g, n, r, tmpname(g, "it"));
  g->indent++;
  g->lanes = true;
  stmts(g, n->body);
  g->lanes = false;
  g->indent--;
  line(g, "}");
  nred = 0;
  for (RegionVar *rv = n->region->vars; rv && nred < 16; rv = rv->next) {
    if (rv->sharing != SH_REDUCTION)
      continue;
    const char *v = name_of(g, rv->var), *op = rv->redop;
    const char *fn = reduce_fn(op);
    char *all = arena_printf(g->arena, "appy_group_%s_%s(%s, appy_g, appy_red)", fn,
                             suffix(rv->var->ty), v);
    if (orig[nred])
      line(g, "%s = %s %s %s;", v, orig[nred], op, all);
    else
      line(g, "%s = %s;", v, all);
    nred++;
  }
  for (int i = 0; i < nacc; i++) {
    const char *fn = acc_of[i]->op[0] == '*' ? "prod" : "sum";
    line(g, "%s = appy_group_%s_%s(%s, appy_g, appy_red);", acc[i], fn,
         suffix(acc_of[i]->lhs->ty), acc[i]);
  }
  if (nacc) {
    line(g, "if (appy_lane == 0) {");
    for (int i = 0; i < nacc; i++)
      line(g, "  %s %s= %s;", element(g, acc_of[i]->lhs), acc_of[i]->op[0] == '*' ? "*" : "+",
           acc[i]);
    line(g, "}");
  }
  line(g, "appy_group_sync(appy_g);");
}

// A marked inner loop of a group-mode region: a worksharing loop over the team's threads.
static void inner_for(Gen *g, Node *n) {
  Clauses c = region_clauses(g, n->region);
  line(g, "{");
  g->indent++;
  Range r = range_of(g, n, true);
  find_accumulators(g, n);
  int nacc = 0;
  Node *acc_of[8];
  char *acc[8];
  for (int i = 0; i < g->nacc; i++) {
    if (g->bare && !ty_is_number(g->acc_of[i]->lhs->ty))
      continue;   // combined by the group in these types only; others update atomically
    acc_of[nacc] = g->acc_of[i], acc[nacc] = g->acc[i];
    Type *et = acc_of[nacc]->lhs->ty;
    line(g, "%s %s = %s;", ty_ctype(et), acc[nacc], identity(acc_of[nacc]->op));
    if (!g->bare)
      buf_printf(&c.clauses, " reduction(%s: %s)", acc_of[nacc]->op[0] == '*' ? "*" : "+", acc[nacc]);
    nacc++;
  }
  for (int i = 0; i < nacc; i++)
    g->acc_of[i] = acc_of[i], g->acc[i] = acc[i];
  g->nacc = nacc;
  g->par[g->npar++] = n->target->var;
  if (g->bare) {
    lane_for(g, n, r, acc_of, acc, nacc);
  } else {
    char *d = directive(g, n->region, &c);
    if (d)
      line(g, "%s", d);
    for_header(g, n, r, tmpname(g, "it"), false);
    g->indent++;
    stmts(g, n->body);
    g->indent--;
    line(g, "}");
    for (int i = 0; i < nacc; i++)
      line(g, "%s %s= %s;", element(g, acc_of[i]->lhs), acc_of[i]->op[0] == '*' ? "*" : "+", acc[i]);
  }
  g->npar--;
  g->nacc = 0;
  g->indent--;
  line(g, "}");
  free_clauses(&c);
}

static void if_stmt(Gen *g, Node *n, bool is_elif) {
  line(g, "%sif (%s) {", is_elif ? "} else " : "", condition(g, n->cond));
  g->indent++;
  stmts(g, n->body);
  g->indent--;
  if (n->orelse && n->orelse->kind == ND_IF && !n->orelse->next && n->orelse->tok &&
      n->orelse->tok->loc[0] == 'e') {   // elif
    if_stmt(g, n->orelse, true);
    return;
  }
  if (n->orelse) {
    line(g, "} else {");
    g->indent++;
    stmts(g, n->orelse);
    g->indent--;
  }
  line(g, "}");
}

static bool stores_element(Node *n) {
  bool names = false, elems = false;
  if (n->kind == ND_ASSIGN)
    for (Node *t = n->args; t; t = t->next)
      target_kinds(t, &names, &elems);
  return elems || (n->kind == ND_AUGASSIGN && n->lhs->kind == ND_SUBSCRIPT);
}

static void stmt(Gen *g, Node *n);

// An element store in a group's own code (outside its marked loops) of a bare kernel: one
// lane stores, and the group waits for it before anything reads the element.
static void lane0_stmt(Gen *g, Node *n) {
  line(g, "if (appy_lane == 0) {");
  g->indent++;
  g->lanes = true;
  stmt(g, n);
  g->lanes = false;
  g->indent--;
  line(g, "}");
  // The other lanes wait for the store, unless the iteration ends with it: no lane of the
  // group reads it in this iteration, and other iterations' elements are their own (a
  // scratchpad refill waits at the barrier that ends the iteration). SpMV: 133 -> 120 us.
  if (n != g->bare_last)
    line(g, "appy_group_sync(appy_g);");
}

// A while loop's condition. With --boundscheck, one that read out of range stops the loop,
// which could otherwise run for ever on the value read instead (appy/check.h).
static char *loop_condition(Gen *g, Node *cond) {
  bool was = g->checked;
  g->checked = false;
  char *c = condition(g, cond);
  if (g->checked)
    c = arena_printf(g->arena, "(%s) && !appy_stopped(%s)", c, own(g, OWN_FAILED, "&appy_failed"));
  g->checked = was || g->checked;
  return c;
}

static void stmt(Gen *g, Node *n) {
  if (g->bare && !g->lanes && stores_element(n)) {
    lane0_stmt(g, n);
    return;
  }
  if (g->bare && !g->lanes && n->sync_after) {   // every lane reads before any writes
    assign(g, n);
    line(g, "appy_group_sync(appy_g);");
    return;
  }
  switch (n->kind) {
  case ND_RAISE: raise_stmt(g, n); break;
  case ND_ASSIGN: assign(g, n); break;
  case ND_AUGASSIGN: augassign(g, n); break;
  case ND_IF: if_stmt(g, n, false); break;
  case ND_WHILE:
    if (g->env && !g->region && has_region(n->body)) {
      // Host code between its parallel loops: the condition sees the device's changes.
      Uses u = {.n = 0};
      expr_uses(g, n->cond, &u);
      if (u.n) {
        line(g, "for (;;) {");
        g->indent++;
        emit_host_uses(g, &u);
        line(g, "if (!(%s))", loop_condition(g, n->cond));
        line(g, "  break;");
        stmts(g, n->body);
        g->indent--;
        line(g, "}");
        break;
      }
    }
    line(g, "while (%s) {", loop_condition(g, n->cond));
    g->indent++;
    stmts(g, n->body);
    g->indent--;
    line(g, "}");
    break;
  case ND_FOR:
    if (n->region && n->region->inner && g->region)
      inner_for(g, n);
    else if (n->region && !n->region->inner)
      parallel_for(g, n);
    else
      seq_for(g, n);
    break;
  case ND_BREAK: line(g, "break;"); break;
  case ND_CONTINUE: line(g, "continue;"); break;
  case ND_RETURN: return_stmt(g, n); break;
  default: break;
  }
}

// Statement n with its source line as a comment.
static void one_stmt(Gen *g, Node *n) {
  if (n->kind == ND_IGNORED || n->kind == ND_PASS)
    return;
  int last = n->kind == ND_FOR || n->kind == ND_WHILE || n->kind == ND_IF ? n->tok->line
                                                                            : n->end_line;
  if (n->end_line >= 0)   // lower.c's statements: the source line is above the first
    source_comment(g, n->tok->line, last < n->tok->line ? n->tok->line : last);
  bool was = g->covered;
  bool cover = g->env && !g->region && !was && !(n->kind == ND_FOR && n->region);
  if (cover)
    host_uses(g, n);
  g->covered = was || (cover && !stmt_has_region(n));
  bool checked = g->checked;
  g->checked = false;
  stmt(g, n);
  g->covered = was;
  // --boundscheck: host code raises after the statement that read or wrote out of range
  // (a parallel loop's kernel, after it ends), having read and written nothing out of range.
  if (g->checked && !g->region)
    line(g, "if (%s < 0) %s;", own(g, OWN_FAILED, "appy_failed"),
         own(g, OWN_OOB | OWN_FAIL, "goto appy_oob"));
  g->checked = checked || g->checked;
}

static void extent_checks(Gen *g, Node *before);

static void stmts(Gen *g, Node *n) {
  bool top = g->inst && n == g->inst->body;
  for (; n; n = n->next) {
    if (top)
      extent_checks(g, n);
    one_stmt(g, n);
  }
}

//
// Functions
//

static const char *kernel_cname(Gen *g, Instance *inst) {
  return kernel_part(g->arena, inst->kernel, "kernel", inst->index);
}

static void prototype(Gen *g, Instance *inst, const char *end) {
  Buf b = {0};
  buf_printf(&b, "static int %s(appy_frame *fr", kernel_cname(g, inst));
  int i = 0;
  for (Var *v = inst->vars; v && v->kind == VAR_PARAM; v = v->next, i++) {
    Type *t = inst->sig->params[i];
    if (t->kind == TY_ARRAY)
      buf_printf(&b, ", const appy_array *%s", c_part(g->arena, v->cname, "array"));
    else
      buf_printf(&b, ", %s %s", ty_ctype(t), v->cname);
  }
  buf_printf(&b, ", PyObject **ret)%s", end);
  line(g, "%s", b.data);
  buf_free(&b);
}

// The body uses part p of v: names it outside the stores that can be dropped, or a store that
// stays reads it (after drop_dead_stores(), every store that stays sets a part used so).
static bool used(Body *b, Var *v, int p) {
  for (Use *u = b->uses; u; u = u->next)
    if (u->var == v && (u->parts & part_bit(p)))
      return true;
  for (Store *s = b->stores; s; s = s->next)
    if (!s->dead && s->src == v && s->part == p)
      return true;
  return false;
}

// Drops the stores of parts that nothing reads, until none is left: C compilers warn about
// variables that are set but never used, and swaps and allocations set every part of an
// array whether the kernel needs it or not. Stores that read one another (a swap's) stay.
static void drop_dead_stores(Body *b) {
  for (bool changed = true; changed;) {
    changed = false;
    for (Store *s = b->stores; s; s = s->next)
      if (!s->dead && !used(b, s->dst, s->part))
        s->dead = changed = true;
  }
}

// Declares what the body uses of array variable v (so the C compiles without warnings).
static void declare_array(Gen *g, Var *v, Body *b) {
  const char *c = c_part(g->arena, v->cname, "array"), *el = ty_ctype(v->ty->elem);
  bool param = v->kind == VAR_PARAM, any = false;
  for (int q = 0; q < v->ty->ndim + 3; q++) {
    int p = part_at(q, v->ty->ndim);
    if (!used(b, v, p))
      continue;
    any = true;
    const char *init = !param ? (p == P_NAME || p == P_OBJ ? "NULL" : "0")
                       : p == P_NAME ? arena_printf(g->arena, "(%s *)%s->data", el, c)
                       : p == P_SIZE ? arena_printf(g->arena, "%s->size", c)
                       : p == P_OBJ  ? arena_printf(g->arena, "%s->obj", c)
                                     : arena_printf(g->arena, "%s->shape[%d]", c, p - P_SHAPE);
    line(g, "%s = %s;", part_decl(g, v, p), init);
  }
  if (param && !any)
    line(g, "(void)%s;", c);
}

// The C of a loop's first or last value: text plus off.
typedef struct {
  char *text;    // C expression
  int64_t off;   // Constant added
} Endpoint;

// Its first and last values, and the condition that it runs at all.
static char *loop_ends(Gen *g, Node *loop, Endpoint *first, Endpoint *last) {
  Node *start, *stop;
  int64_t step;
  range_args(loop, &start, &stop, &step);
  char *a = start ? expr_as(g, start, ty_int64) : "0", *b = expr_as(g, stop, ty_int64);
  *first = (Endpoint){a, 0};
  if (step == 1) {
    *last = (Endpoint){b, -1};
    return arena_printf(g->arena, "%s > %s", b, a);
  }
  char *len = arena_printf(g->arena, "appy_range_len(%s, %s, %lld)", a, b, (long long)step);
  *last = (Endpoint){arena_printf(g->arena, "%s + (%s - 1) * %lld", a, len, (long long)step), 0};
  return arena_printf(g->arena, "%s > 0", len);
}

// The C of check c's index but its constant, where its loop variable is at e.
static char *check_index(Gen *g, ShapeCheck *c, Endpoint e) {
  Buf b = {0};
  int64_t k = c->coef * e.off;
  if (!strcmp(e.text, "0"))   // range(n) starts at 0
    ;
  else if (c->coef == 1)
    buf_printf(&b, "%s", e.text);
  else if (c->coef)
    buf_printf(&b, strchr(e.text, ' ') ? "%lld * (%s)" : "%lld * %s", (long long)c->coef,
               e.text);
  for (Term *t = c->terms; t; t = t->next) {
    char *x = expr_as(g, t->n, ty_int64);
    if (strchr(x, ' '))   // a - (n - 1)
      x = arena_printf(g->arena, "(%s)", x);
    if (!b.len && t->mult == 1)
      buf_printf(&b, "%s", x);
    else if (b.len && (t->mult == 1 || t->mult == -1))
      buf_printf(&b, " %c %s", t->mult < 0 ? '-' : '+', x);
    else
      buf_printf(&b, "%s%lld * %s", b.len ? " + " : "", (long long)t->mult, x);
  }
  if (k && b.len)
    buf_printf(&b, " %c %lld", k < 0 ? '-' : '+', (long long)(k < 0 ? -k : k));
  else if (!b.len)
    buf_printf(&b, "%lld", (long long)k);
  char *s = arena_printf(g->arena, "%s", b.data);
  buf_free(&b);
  return s;
}

// One call of appy_extent for check c: its indices where its loops run.
static void extent_check(Gen *g, ShapeCheck *c) {
  Endpoint first = {"0", 0}, last = {"0", 0};
  char *runs = NULL;
  for (int k = 0; k < c->nloops; k++) {
    Endpoint f, l;
    char *r = loop_ends(g, c->loops[k], &f, &l);
    runs = runs ? arena_printf(g->arena, "%s && %s", runs, r) : r;
    if (c->loops[k] == c->loop)
      first = f, last = l;
  }
  char *where = arena_printf(g->arena, "%s, line %d", g->opt->filename, c->at->tok->line);
  line(g, "if (appy_extent(%s, \"%s\", %d, %s, %s, %s, %s, %lld, %lld, \"%s\") < 0)",
       own(g, OWN_FR, "fr"), c_text(g->arena, c->array->name, C_STRING), c->dim,
       part(g, c->array, P_SHAPE + c->dim), runs ? runs : "1", check_index(g, c, first),
       check_index(g, c, last), (long long)c->kmin, (long long)c->kmax,
       c_text(g->arena, where, C_STRING));
  line(g, "  %s;", own(g, OWN_FAIL, "goto fail"));
}

// The extents the loops need, checked before anything runs or, after a statement that
// may return, before top-level statement `before` (checks.c).
static void extent_checks(Gen *g, Node *before) {
  int at = 0;
  for (ShapeCheck *c = g->inst->checks; c; c = c->next) {
    if (c->before != before)
      continue;
    if (c->at->tok->line != at) {
      at = c->at->tok->line;
      source_comment(g, at, at);
    }
    extent_check(g, c);
  }
}

// The end of the function's body, unless it returns there, then the exits its gotos take.
static void exits(Gen *g, Instance *inst, int own) {
  Node *last = inst->body;
  while (last && last->next)
    last = last->next;
  g->indent = 1;
  if (!last || last->kind != ND_RETURN) {
    env_end(g);
    line(g, "return 0;");
  }
  g->indent = 0;
  if (own & OWN_OOB) {
    line(g, "appy_oob:");
    line(g, "  appy_index_error(appy_sites, appy_failed, appy_bad, \"%s\", ret);",
         c_text(g->arena, g->opt->filename, C_STRING));
    line(g, "  goto fail;");
  }
  if (own & OWN_FAIL) {
    line(g, "fail:");
    g->indent = 1;
    env_end(g);
    line(g, "return -1;");
    g->indent = 0;
  }
}

// --boundscheck: what appy/check.h records of a subscript out of range, and the
// subscripts of the function (appy_index_error's IndexError names them).
static void index_sites(Gen *g) {
  line(g, "int64_t appy_bad[2] = {0, 0};   /* the index out of range, its axis' extent */");
  if (!g->sites)
    return;
  line(g, "static const appy_site appy_sites[] = {   /* array, axis, line */");
  for (Site *s = g->sites; s; s = s->next)
    line(g, "  {\"%s\", %d, %d},", c_text(g->arena, s->at->var->name, C_STRING), s->axis,
         s->at->tok->line);
  line(g, "};");
}

static void function(Gen *g, Instance *inst) {
  Kernel *k = inst->kernel;
  Buf text = {0}, *saved = g->out;
  Body body = {.end = &body.stores};
  g->out = &text;
  g->body = &body;
  g->indent = 1;
  g->env = inst->nregions > 0;
  g->sites = NULL;
  g->nsites = 0;
  extent_checks(g, NULL);
  stmts(g, inst->body);
  g->out = saved;
  g->body = NULL;
  g->indent = 0;
  drop_dead_stores(&body);

  line(g, "/* %s -- %s:%d */", c_text(g->arena, inst->sig->text, C_COMMENT),
       c_text(g->arena, g->opt->filename, C_COMMENT), k->fn->tok->line);
  prototype(g, inst, "");
  line(g, "{");
  g->indent++;
  for (Var *v = inst->vars; v; v = v->next) {
    if (v->buffer)   // declared where assigned
      continue;
    if (v->ty->kind == TY_ARRAY)
      declare_array(g, v, &body);
    else if (v->kind == VAR_LOCAL && used(&body, v, P_NAME))
      line(g, "%s %s = 0;", ty_ctype(ty_strong(v->ty)), v->cname);
    else if (v->kind == VAR_PARAM && !used(&body, v, P_NAME))
      line(g, "(void)%s;", v->cname);
  }
  if (body.own & OWN_FAILED)
    line(g, "int appy_failed = 0;   /* which check of a parallel loop failed */");
  if (body.own & OWN_BAD)
    index_sites(g);
  if (g->env) {
    line(g, "appy_env appy_data = {0};   /* arrays on the device during this call */");
    line(g, "const double appy_called = appy_clock();");
    for (Var *v = inst->vars; v; v = v->next)
      if (v->kind == VAR_PARAM && v->ty->kind == TY_ARRAY && on_device(g, v))
        line(g, "appy_env_arg(&appy_data, %s, sizeof(*%s) * %s, %s->device);", v->cname,
             v->cname, c_part(g->arena, v->cname, "count"), c_part(g->arena, v->cname, "array"));
  }
  if (!(body.own & OWN_FR))
    line(g, "(void)fr;");
  if (!(body.own & OWN_RET))
    line(g, "(void)ret;");
  g->indent--;
  size_t at = 0;   // the body, less the stores that nothing reads
  for (Store *s = body.stores; s; s = s->next)
    if (s->dead)
      buf_printf(g->out, "%.*s", (int)(s->from - at), text.data + at), at = s->to;
  buf_puts(g->out, text.len ? text.data + at : "");
  exits(g, inst, body.own);
  g->env = false;
  line(g, "}");
  line(g, "%s", "");
  buf_free(&text);
}


void codegen(Arena *a, Diags *d, Program *p, const Options *opt, Buf *out) {
  Gen g = {.arena = a, .diags = d, .opt = opt, .out = out};
  for (int i = 0; i < p->ninsts; i++) {
    g.inst = &p->insts[i];
    function(&g, g.inst);
  }
}

const char *region_directive(Arena *a, const Options *opt, Instance *inst, Region *r) {
  Gen g = {.arena = a, .opt = opt, .inst = inst};
  switch (r->plan->shape) {
  case SHAPE_GROUP: return bare_directive(&g, r);
  case SHAPE_REDUCE: return bare_reduce_directive(&g, r);
  case SHAPE_TILES: return tile_directive(&g, r);
  case SHAPE_LOOP: return bare_loop_directive(&g, r, false);
  case SHAPE_TEAMS: break;
  }
  Clauses c = region_clauses(&g, r);
  char *d = directive(&g, r, &c);
  free_clauses(&c);
  return d;
}
