/* outline.c: kernel functions whose host code stays Python.
 *
 * A kernel function may use, outside its parallel loops, Python that the subset cannot
 * express: a call into SciPy or np.linalg, print, a dict, try or with. Such a function is
 * not compiled. Its host code stays Python (python/appy/_host.py rewrites the function
 * when the module is imported), and each outermost parallel loop becomes a kernel
 * function of its own, an entry point that the Python code calls:
 *
 *     def f(A, tol):                          def _appy_f_line5(A, n, s):
 *         n = A.shape[0]                          for i in appy.prange(n):
 *         s = 0.0                                     s += A[i]
 *         #pragma ...                  -->        return s
 *         for i in appy.prange(n):
 *             s += A[i]                       in f:  s = <call of _appy_f_line5>(A, n, s)
 *         print(s)
 *
 * An entry's parameters are the loop's free variables in the order of their first use;
 * what the loop leaves in them for later (reductions, shared(...) scalars) is returned.
 * A parameter of f that f never rebinds keeps its declared type in each overload; the
 * others get their types from their use in the loop, as undeclared kernels do.
 *
 * Which functions: those with parallel loops whose host code holds a statement the parser
 * kept as ND_PYTHON (outline_python, before any analysis), or whose first analysis (api.c
 * runs it into scratch diagnostics that record each error) fails outside their parallel
 * loops on a construct outside the subset (an error of kind DK_UNSUPPORTED, or an
 * undefined name that the file binds at top level: outline_failures); api.c then analyses
 * the module again. Errors inside parallel loops stay errors: they are reported when the
 * entry points are analysed like any kernel. A function without parallel loops gets its
 * first error, as before. */
#include "translator.h"

#include <stdio.h>
#include <string.h>

enum { MAX_LOOPS = 64 };

typedef struct {
  const char **names;   // In order of addition
  int n, cap;
} NameSet;

static bool has(const NameSet *s, const char *name) {
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->names[i], name))
      return true;
  return false;
}

static void add(Arena *a, NameSet *s, const char *name) {
  if (has(s, name))
    return;
  if (s->n == s->cap) {
    int cap = s->cap ? 2 * s->cap : 8;
    const char **names = arena_alloc(a, sizeof(char *) * (size_t)cap);
    if (s->n)
      memcpy(names, s->names, sizeof(char *) * (size_t)s->n);
    s->names = names;
    s->cap = cap;
  }
  s->names[s->n++] = name;
}

// Name of the entry point of the parallel loop at `line` of host function fn.
static const char *outline_name(Arena *a, const char *fn, int line) {
  return arena_printf(a, "_appy_%s_line%d", fn, line);
}

//
// Finding the loops and the Python statements
//

// The outermost parallel loops of a statement list, in source order.
static void find_loops(Node *n, Node **loops, int *count) {
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && is_parallel_for(n)) {
      if (*count < MAX_LOOPS)
        loops[*count] = n;
      ++*count;
      continue;
    }
    if (n->kind == ND_IF || n->kind == ND_WHILE || n->kind == ND_FOR) {
      find_loops(n->body, loops, count);
      find_loops(n->orelse, loops, count);
    }
  }
}

static Node *first_python(Node *n) {
  for (; n; n = n->next) {
    Node *p = n->kind == ND_PYTHON ? n : NULL;
    if (!p && (n->kind == ND_IF || n->kind == ND_WHILE || n->kind == ND_FOR))
      if (!(p = first_python(n->body)))
        p = first_python(n->orelse);
    if (p)
      return p;
  }
  return NULL;
}

static bool in_loop(Node **loops, int nloops, int line) {
  for (int i = 0; i < nloops && i < MAX_LOOPS; i++)
    if (line >= loops[i]->tok->line && line <= loops[i]->end_line)
      return true;
  return false;
}

static bool ident_char(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// An error of the first analysis that means "Python outside the subset", not a mistake:
// a construct the subset lacks, or a name the file binds at top level (a helper function,
// an imported module, a global).
static bool outside_subset(Module *m, const DiagRecord *r) {
  if (r->kind == DK_UNSUPPORTED)
    return true;
  if (r->kind != DK_UNDEFINED)
    return false;
  for (Node *g = m->globals; g; g = g->next)
    if (!strcmp(g->name, r->name))
      return true;
  return false;
}

//
// Free variables of a loop
//

typedef struct {
  Arena *arena;
  NameSet assigned;   // Names assigned so far, in source order
  NameSet inputs;     // Names read before any assignment in the loop: parameters
  NameSet stores;     // Every name the loop assigns
} Free;

static void reads(Free *f, Node *e);

static void reads_list(Free *f, Node *e) {
  for (; e; e = e->next)
    reads(f, e);
}

static void reads(Free *f, Node *e) {
  if (!e)
    return;
  switch (e->kind) {
  case ND_NAME:
    if (!has(&f->assigned, e->name))
      add(f->arena, &f->inputs, e->name);
    return;
  case ND_ATTR:
    if (e->lhs->kind != ND_NAME || !is_module_name(e->lhs->name))
      reads(f, e->lhs);
    return;
  case ND_CALL:
    if (e->lhs->kind != ND_NAME)   // a builtin's name is not a variable
      reads(f, e->lhs);
    reads_list(f, e->args);
    return;
  case ND_KEYWORD:
    reads(f, e->lhs);
    return;
  default:
    reads(f, e->lhs);
    reads(f, e->rhs);
    reads_list(f, e->args);
    reads(f, e->cond);
    reads(f, e->body);
    reads(f, e->orelse);
    reads(f, e->lo);
    reads(f, e->hi);
    reads(f, e->step);
    return;
  }
}

static void stores(Free *f, Node *t) {
  if (t->kind == ND_NAME) {
    add(f->arena, &f->assigned, t->name);
    add(f->arena, &f->stores, t->name);
  } else if (t->kind == ND_TUPLE || t->kind == ND_LIST) {
    for (Node *e = t->args; e; e = e->next)
      stores(f, e);
  } else {
    reads(f, t);   // an element or a slice: the array and the indices are read
  }
}

static void free_stmts(Free *f, Node *n) {
  for (; n; n = n->next) {
    switch (n->kind) {
    case ND_ASSIGN:
      reads(f, n->rhs);
      for (Node *t = n->args; t; t = t->next)
        stores(f, t);
      break;
    case ND_AUGASSIGN:
      reads(f, n->lhs);
      reads(f, n->rhs);
      stores(f, n->lhs);
      break;
    case ND_EXPR_STMT:
    case ND_RETURN:
      reads(f, n->lhs);
      break;
    case ND_IF:
    case ND_WHILE:
      reads(f, n->cond);
      free_stmts(f, n->body);
      free_stmts(f, n->orelse);
      break;
    case ND_FOR:
      reads(f, n->iter);
      stores(f, n->target);
      free_stmts(f, n->body);
      break;
    default:
      break;
    }
  }
}

// The names in a "shared(a, b)" clause of the loop's pragma.
static void shared_names(Arena *a, Node *loop, NameSet *out) {
  Pragma *p = find_pragma(loop, "parallel");
  const char *s = p ? strstr(p->text, "shared(") : NULL;
  if (!s)
    return;
  for (s += 7; *s && *s != ')';) {
    while (*s == ' ' || *s == ',')
      s++;
    const char *b = s;
    while (ident_char(*s))
      s++;
    if (s > b)
      add(a, out, arena_strndup(a, b, (size_t)(s - b)));
    else if (*s && *s != ')')
      s++;
  }
}

//
// Parameters of the host function that it rebinds
//

// Whether a Python statement (tokens of lines tok->line .. end_line) binds name: as an
// assignment target ("name =", "a, name =", "name +="), or after for, as, del, import.
static bool python_binds(Node *py, const char *name) {
  int depth = 0;
  bool in_for = false;
  Token *prev = NULL, *line_start = py->tok;
  for (Token *t = py->tok; t->kind != TK_EOF && t->line <= py->end_line; prev = t, t = t->next) {
    if (t->kind == TK_NEWLINE) {
      depth = 0;
      in_for = false;
      line_start = t->next;
      continue;
    }
    if (tok_equal(t, "(") || tok_equal(t, "[") || tok_equal(t, "{"))
      depth++;
    else if (tok_equal(t, ")") || tok_equal(t, "]") || tok_equal(t, "}"))
      depth--;
    if (t == line_start && tok_equal(t, "for"))
      in_for = true;
    if (tok_equal(t, "in") && depth == 0)
      in_for = false;
    if (t->kind != TK_NAME || !tok_equal(t, name))
      continue;
    if (in_for || (prev && (tok_equal(prev, "for") || tok_equal(prev, "as") ||
                            tok_equal(prev, "del") || tok_equal(prev, "import") ||
                            tok_equal(prev, "global") || tok_equal(prev, "nonlocal"))))
      return true;
    Token *next = t->next;
    if (depth > 0)
      continue;
    if (tok_equal(next, "=") || tok_equal(next, ":=") || tok_is_augassign(next))
      return true;
    if (tok_equal(next, ","))   // a, name = ...
      for (Token *u = next; u->kind != TK_NEWLINE && u->kind != TK_EOF; u = u->next)
        if (tok_equal(u, "="))
          return true;
  }
  return false;
}

static bool target_binds(Node *t, const char *name) {
  if (t->kind == ND_NAME)
    return !strcmp(t->name, name);
  if (t->kind == ND_TUPLE || t->kind == ND_LIST)
    for (Node *e = t->args; e; e = e->next)
      if (target_binds(e, name))
        return true;
  return false;
}

static bool rebinds(Node *n, const char *name) {
  for (; n; n = n->next) {
    switch (n->kind) {
    case ND_PYTHON:
      if (python_binds(n, name))
        return true;
      break;
    case ND_ASSIGN:
      for (Node *t = n->args; t; t = t->next)
        if (target_binds(t, name))
          return true;
      break;
    case ND_AUGASSIGN:
      if (target_binds(n->lhs, name))
        return true;
      break;
    case ND_FOR:
      if (target_binds(n->target, name))
        return true;
      /* fallthrough */
    case ND_IF:
    case ND_WHILE:
      if (rebinds(n->body, name) || rebinds(n->orelse, name))
        return true;
      break;
    default:
      break;
    }
  }
  return false;
}

//
// Making the entry points
//

static Node *name_node(Arena *a, Token *tok, const char *name) {
  Node *n = arena_alloc(a, sizeof(Node));
  n->kind = ND_NAME;
  n->tok = tok;
  n->name = name;
  return n;
}

static Node *entry_point(Arena *a, Node *fn, Node *loop) {
  Free f = {.arena = a};
  reads(&f, loop->iter);
  stores(&f, loop->target);
  free_stmts(&f, loop->body);
  NameSet outputs = {0};
  for (int i = 0; i < f.inputs.n; i++)
    if (has(&f.stores, f.inputs.names[i]))
      add(a, &outputs, f.inputs.names[i]);
  NameSet shared = {0};
  shared_names(a, loop, &shared);
  for (int i = 0; i < shared.n; i++)
    if (has(&f.stores, shared.names[i]))
      add(a, &outputs, shared.names[i]);

  Node *e = arena_alloc(a, sizeof(Node));
  e->kind = ND_FUNCDEF;
  e->tok = loop->tok;
  e->name = outline_name(a, fn->name, loop->tok->line);
  e->end_line = loop->end_line;
  e->host = fn;
  e->host_param = arena_alloc(a, sizeof(int) * (size_t)(f.inputs.n + 1));
  Node head = {0}, *tail = &head;
  for (int i = 0; i < f.inputs.n; i++) {
    const char *nm = f.inputs.names[i];
    tail = tail->next = name_node(a, loop->tok, nm);
    e->host_param[i] = -1;
    int k = 0;
    for (Node *p = fn->params; p; p = p->next, k++)
      if (!strcmp(p->name, nm) && !rebinds(fn->body, nm))
        e->host_param[i] = k;
  }
  e->params = head.next;
  e->nargs = f.inputs.n;

  Node *saved = loop->next;
  loop->next = NULL;
  e->body = clone_list(a, loop);
  loop->next = saved;
  if (outputs.n) {
    Node *ret = arena_alloc(a, sizeof(Node));
    ret->kind = ND_RETURN;
    ret->tok = loop->tok;
    if (outputs.n == 1) {
      ret->lhs = name_node(a, loop->tok, outputs.names[0]);
    } else {
      Node *tup = arena_alloc(a, sizeof(Node));
      tup->kind = ND_TUPLE;
      tup->tok = loop->tok;
      Node h = {0}, *t = &h;
      for (int i = 0; i < outputs.n; i++)
        t = t->next = name_node(a, loop->tok, outputs.names[i]);
      tup->args = h.next;
      tup->nargs = outputs.n;
      ret->lhs = tup;
    }
    e->body->next = ret;
  }
  return e;
}

Node *outline_outputs(Node *entry) {
  Node *ret = entry->body->next;
  return !ret ? NULL : ret->lhs->kind == ND_TUPLE ? ret->lhs->args : ret->lhs;
}

//
// Deciding
//

// Marks fn as staying Python because of why and appends its loops' entry points at *tail.
static void make_python(Arena *a, Node *fn, const char *why, Node **loops, int nloops,
                        Node ***tail) {
  fn->python = why;
  for (int i = 0; i < nloops; i++) {
    Node *e = entry_point(a, fn, loops[i]);
    **tail = e;
    *tail = &e->next;
  }
}

static Node **funcs_end(Module *m) {
  Node **tail = &m->funcs;
  while (*tail)
    tail = &(*tail)->next;
  return tail;
}

bool outline_python(Arena *a, Diags *d, Module *m) {
  Node **tail = funcs_end(m);
  for (Node *fn = m->funcs; fn && !fn->host; fn = fn->next) {
    Node *loops[MAX_LOOPS], *py = first_python(fn->body);
    int nloops = 0;
    if (!py)
      continue;
    find_loops(fn->body, loops, &nloops);
    if (!nloops) {   // nothing to compile: the construct's error, as the parser found it
      buf_puts(&d->out, py->python);
      d->nerrors++;
    } else if (nloops > MAX_LOOPS) {
      diag_tok(d, DIAG_ERROR, fn->tok, "'%s' has more than %d parallel loops", fn->name,
               MAX_LOOPS);
    } else {
      make_python(a, fn, py->python, loops, nloops, &tail);
    }
  }
  return !d->nerrors;
}

bool outline_failures(Arena *a, const Diags *first, Module *m) {
  Node **tail = funcs_end(m);
  bool changed = false;
  for (Node *fn = m->funcs; first->nerrors && fn && !fn->host; fn = fn->next) {
    Node *loops[MAX_LOOPS];
    int nloops = 0;
    if (fn->python)
      continue;
    find_loops(fn->body, loops, &nloops);
    if (!nloops || nloops > MAX_LOOPS)
      continue;
    const char *why = NULL;
    for (int i = 0; i < first->nrecord && !why; i++) {
      const DiagRecord *r = &first->record[i];
      if (r->line >= fn->tok->line && r->line <= fn->end_line &&
          !in_loop(loops, nloops, r->line) && outside_subset(m, r))
        why = arena_printf(a, "%s:%d: error: %s\n", first->filename, r->line, r->message);
    }
    if (why) {
      make_python(a, fn, why, loops, nloops, &tail);
      changed = true;
    }
  }
  return changed;
}
