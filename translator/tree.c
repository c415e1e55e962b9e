/* tree.c: queries and copies of the tree that every stage after the parser shares: names,
 * pragmas, parallel loops, constants, which variables an expression mentions, deep copies
 * and comparisons, and the translator's own temporaries. Calls no stage. */
#include "translator.h"

#include <string.h>

bool is_name(Node *n, const char *name) {
  return n && n->kind == ND_NAME && !strcmp(n->name, name);
}

bool is_module_name(const char *name) {
  return !strcmp(name, "np") || !strcmp(name, "numpy") || !strcmp(name, "math") ||
         !strcmp(name, "appy");
}

// True for m.attr where m is one of the modules kernels may name.
bool is_module_attr(Node *n, const char *attr) {
  if (!n || n->kind != ND_ATTR || n->lhs->kind != ND_NAME || strcmp(n->name, attr))
    return false;
  return is_module_name(n->lhs->name);
}

Pragma *find_pragma(Node *n, const char *word) {
  Pragma *p = n->pragma;
  size_t len = strlen(word);
  for (int i = 0; i < n->npragmas && p; i++, p = p->next) {
    while (p && (p->is_appy || !p->used))
      p = p->next;
    if (!p)
      break;
    if (!strncmp(p->text, word, len) && (p->text[len] == '\0' || p->text[len] == ' '))
      return p;
  }
  return NULL;
}

// True for a keyword argument parallel=True among a call's arguments.
static bool has_parallel_kw(Node *call) {
  for (Node *a = call->args; a; a = a->next)
    if (a->kind == ND_KEYWORD && !strcmp(a->name, "parallel"))
      return a->lhs->kind == ND_BOOL && a->lhs->ival;
  return false;
}

bool is_parallel_for(Node *n) {
  if (n->kind != ND_FOR)
    return false;
  if (find_pragma(n, "parallel"))
    return true;
  Node *it = n->iter;
  if (it->kind != ND_CALL)
    return false;
  if (is_name(it->lhs, "prange") || is_module_attr(it->lhs, "prange"))
    return true;
  return (is_module_attr(it->lhs, "range")) && has_parallel_kw(it);
}

bool clause_names(Pragma *p, const char *clause, const char *name) {
  if (!p)
    return false;
  size_t cl = strlen(clause), nl = strlen(name);
  for (const char *c = strstr(p->text, clause); c; c = strstr(c + 1, clause)) {
    const char *q = c + cl;
    while (*q == ' ')
      q++;
    if (*q != '(')
      continue;
    for (q++; *q && *q != ')'; q++) {
      bool start = q[-1] == '(' || q[-1] == ',' || q[-1] == ' ' || q[-1] == ':';
      unsigned char after = (unsigned char)q[nl];   // a byte past ASCII continues a name
      if (start && !strncmp(q, name, nl) && !(after == '_' || (after >= 'a' && after <= 'z') ||
                                               (after >= 'A' && after <= 'Z') ||
                                               (after >= '0' && after <= '9') || after >= 0x80))
        return true;
    }
  }
  return false;
}

bool is_marked_loop(Node *n) {
  return n->kind == ND_FOR && (find_pragma(n, "simd") || find_pragma(n, "workshare"));
}

// Normalises a constant index expression (negative literal allowed); false if not constant.
bool const_int(Node *n, int64_t *out) {
  if (n->kind == ND_NUM && !n->tok->is_float) {
    *out = n->tok->ival;
    return true;
  }
  if (n->kind == ND_UNARY && !strcmp(n->op, "-") && const_int(n->lhs, out)) {
    *out = -*out;
    return true;
  }
  return false;
}

static bool mentions_list(Node *n, Var *v) {
  for (; n; n = n->next)
    if (mentions(n, v))
      return true;
  return false;
}

// Down the left operands in a loop, here and in clone and same_expr: a chain of n
// operations (a + b + c ...) is a tree n deep.
bool mentions(Node *n, Var *v) {
  for (; n; n = n->lhs) {
    if ((n->kind == ND_NAME || n->kind == ND_SUBSCRIPT) && n->var == v)
      return true;
    if (mentions_list(n->args, v) || mentions_list(n->body, v) || mentions_list(n->orelse, v) ||
        mentions(n->rhs, v) || mentions(n->cond, v) || mentions(n->iter, v) ||
        mentions(n->lo, v) || mentions(n->hi, v) || mentions(n->step, v))
      return true;
  }
  return false;
}

Var *new_temp(Arena *a, Instance *inst, const char *name, Type *ty) {
  Var *v = arena_alloc(a, sizeof(Var));
  v->name = name;   // "appy.len3": no Python name has a dot
  v->cname = c_name(a, name);
  v->kind = VAR_LOCAL;
  v->ty = ty;
  v->temp = true;
  Var **p = &inst->vars;
  while (*p)
    p = &(*p)->next;
  *p = v;
  return v;
}

static Node *clone(Arena *a, Node *n) {
  Node *top = NULL, **at = &top;
  for (; n; n = n->lhs) {
    Node *c = arena_alloc(a, sizeof(Node));
    *c = *n;
    c->next = NULL;
    c->rhs = clone(a, n->rhs);
    c->args = clone_list(a, n->args);
    c->cond = clone(a, n->cond);
    c->body = n->kind == ND_FUNCDEF ? n->body : clone_list(a, n->body);
    c->orelse = clone_list(a, n->orelse);
    c->target = clone(a, n->target);
    c->iter = clone(a, n->iter);
    c->lo = clone(a, n->lo);
    c->hi = clone(a, n->hi);
    c->step = clone(a, n->step);
    *at = c;
    at = &c->lhs;
  }
  return top;
}

Node *clone_list(Arena *a, Node *n) {
  Node head = {0}, *tail = &head;
  for (; n; n = n->next)
    tail = tail->next = clone(a, n);
  return head.next;
}

static bool same_list(Node *a, Node *b) {
  for (; a && b; a = a->next, b = b->next)
    if (!same_expr(a, b))
      return false;
  return !a && !b;
}

// a and b, their left operands not compared.
static bool same_node(Node *a, Node *b) {
  if (a->kind != b->kind || a->nargs != b->nargs || a->ival != b->ival)
    return false;
  if ((a->op || b->op) && (!a->op || !b->op || strcmp(a->op, b->op)))
    return false;
  if ((a->name || b->name) && (!a->name || !b->name || strcmp(a->name, b->name)))
    return false;
  if (a->kind == ND_NUM && (a->tok->is_float != b->tok->is_float || a->tok->ival != b->tok->ival ||
                            a->tok->fval != b->tok->fval))
    return false;
  if (a->kind == ND_COMPARE)
    for (int i = 0; i < a->nargs; i++)
      if (strcmp(a->ops[i], b->ops[i]))
        return false;
  return same_expr(a->rhs, b->rhs) && same_list(a->args, b->args) &&
         same_expr(a->cond, b->cond) && same_expr(a->body, b->body) &&
         same_expr(a->orelse, b->orelse) && same_expr(a->lo, b->lo) && same_expr(a->hi, b->hi) &&
         same_expr(a->step, b->step);
}

bool same_expr(Node *a, Node *b) {
  for (; a && b; a = a->lhs, b = b->lhs)
    if (!same_node(a, b))
      return false;
  return a == b;
}

static bool is_region_loop(Node *n, void *ctx) {
  (void)ctx;
  return n->kind == ND_FOR && n->region && !n->region->inner;
}

bool has_region(Node *n) {
  return stmts_any(n, is_region_loop, NULL);
}

bool assigns(Node *n, Var *v) {
  for (; n; n = n->next) {
    if (n->kind == ND_ASSIGN)
      for (Node *t = n->args; t; t = t->next)
        if ((t->kind == ND_NAME && t->var == v) || (t->kind == ND_TUPLE && assigns(t->args, v)))
          return true;
    if ((n->kind == ND_AUGASSIGN && n->lhs->kind == ND_NAME && n->lhs->var == v) ||
        (n->kind == ND_FOR && n->target->var == v) || assigns(n->body, v) || assigns(n->orelse, v))
      return true;
  }
  return false;
}

void target_kinds(Node *t, bool *names, bool *elems) {
  if (t->kind == ND_TUPLE || t->kind == ND_LIST) {
    for (Node *p = t->args; p; p = p->next)
      target_kinds(p, names, elems);
    return;
  }
  *names |= t->kind == ND_NAME;
  *elems |= t->kind == ND_SUBSCRIPT;
}

bool tree_any(Node *n, bool (*pred)(Node *n, void *ctx), void *ctx) {
  for (; n; n = n->next)
    for (Node *x = n; x; x = x->lhs) {   // left operands in a loop, as in mentions()
      if (pred(x, ctx))
        return true;
      Node *kids[] = {x->rhs, x->args, x->cond, x->body, x->orelse, x->iter, x->lo, x->hi,
                      x->step, x == n ? NULL : x->next};
      for (size_t k = 0; k < sizeof kids / sizeof *kids; k++)
        if (tree_any(kids[k], pred, ctx))
          return true;
    }
  return false;
}

bool stmts_any(Node *n, bool (*pred)(Node *n, void *ctx), void *ctx) {
  for (; n; n = n->next)
    if (pred(n, ctx) || stmts_any(n->body, pred, ctx) || stmts_any(n->orelse, pred, ctx))
      return true;
  return false;
}
