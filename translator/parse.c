/* parse.c: recursive-descent parser for the kernel subset of Python.
 *
 * Each function is named after the rule of CPython's Grammar/python.gram that it
 * implements, restricted to the subset; the rule is written above it. Top-level code
 * that is not a kernel function is skipped token by token, never rejected. The first
 * syntax error inside a kernel ends parsing (one precise message beats a cascade). */
#include "translator.h"

#include <setjmp.h>
#include <string.h>

// Limits on nesting, so that no stage recurses without bound on hostile input, and the
// C made of a kernel stays within what C compilers take: clang nests at most 256
// brackets. The C of an expression nests about as deep as its tree, but for the left
// operands of a chain of one family of operators (a + b - c + d, a * b / c, a & b & c,
// x and y and z), which C writes without brackets: an expression nests MAXDEPTH levels
// at most, counted so, inside two brackets per block, two per element loop of an array
// statement (8 at most) and about 10 for the function and its parallel loop:
// 150 + 2 * 32 + 16 + 10 leaves room to spare. The tree itself, chains counted, is at
// most MAXHEIGHT deep: CPython compiles chains of about 3,000 (its recursion limit); the
// walkers of later stages go down a chain's left operands in a loop where they can, and
// where they recurse, 10,000 takes a third of an 8 MiB stack under AddressSanitizer
// (sema's expression walker, the deepest, overflowed at 26,500 there).
enum {
  MAXDEPTH = 150,     // Levels of nesting of an expression
  MAXHEIGHT = 10000,  // Levels of an expression's tree, chains counted
  MAXBLOCKS = 32,     // Blocks nested in a kernel's body, an elif counting as one
  MAXNAME = 1024,     // Bytes of a name in a kernel: the C repeats it at every use, and
                      // ptxas (gcc's offload) mixes up names that agree in 65,535 bytes
};

typedef struct {
  Arena *arena;      // Allocation
  Diags *diags;      // Error reports
  Token *tok;        // Current token
  Pragma *pragma;    // First pragma not yet claimed
  jmp_buf fail;      // Where a syntax error returns to
  bool unsupported;  // The error was a construct outside the subset, not bad Python
  int parallel;      // Parallel loops around the statement being parsed
  Node *attached;    // The pragmas of the statement being parsed (for_stmt reads them)
  const char *only;  // The one kernel function to parse (decorated or not), or NULL
  int depth;         // Nodes the operand being parsed will sit below, at least
  int blocks;        // Blocks around the statement being parsed (MAXBLOCKS)
  bool kernel;       // Parsing a kernel function's definition (MAXNAME)
  Map consts;        // Module.consts by name (the latest of a name)
  Map imports;       // Module.imports by alias (the latest of an alias)
  Map bound;         // The names the function being resolved binds itself
} Parser;

static Node *expression(Parser *p);
static Node *star_expressions(Parser *p);
static Node *block(Parser *p);
// Not inlined into host_statement, whose setjmp would make its locals volatile.
static Node *statement(Parser *p) __attribute__((noinline));

static _Noreturn void error_tok(Parser *p, Token *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static _Noreturn void unsupported_tok(Parser *p, Token *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// A syntax error against Python or the subset.
static void error_tok(Parser *p, Token *tok, const char *fmt, ...) {
  p->unsupported = false;
  va_list ap;
  va_start(ap, fmt);
  diag_vat(p->diags, DIAG_ERROR, tok->line, tok->col, fmt, ap);
  va_end(ap);
  longjmp(p->fail, 1);
}

// Python that is fine but outside the subset: host code may keep it as Python.
static void unsupported_tok(Parser *p, Token *tok, const char *fmt, ...) {
  p->unsupported = true;
  va_list ap;
  va_start(ap, fmt);
  diag_kind_vat(p->diags, DK_UNSUPPORTED, NULL, tok->line, tok->col, fmt, ap);
  va_end(ap);
  longjmp(p->fail, 1);
}

static const char *tok_text(Parser *p, Token *tok) {
  switch (tok->kind) {
  case TK_NEWLINE: return "end of line";
  case TK_INDENT: return "indent";
  case TK_DEDENT: return "dedent";
  case TK_EOF: return "end of file";
  default: return arena_printf(p->arena, "'%.*s'", tok->len, tok->loc);
  }
}

static bool at(Parser *p, const char *s) {
  return (p->tok->kind == TK_OP || p->tok->kind == TK_NAME) && tok_equal(p->tok, s);
}

static bool consume(Parser *p, const char *s) {
  if (!at(p, s))
    return false;
  p->tok = p->tok->next;
  return true;
}

static Token *expect(Parser *p, const char *s) {
  if (!at(p, s))
    error_tok(p, p->tok, "expected '%s', found %s", s, tok_text(p, p->tok));
  Token *t = p->tok;
  p->tok = t->next;
  return t;
}

static void expect_kind(Parser *p, TokenKind k, const char *what) {
  if (p->tok->kind != k)
    error_tok(p, p->tok, "expected %s, found %s", what, tok_text(p, p->tok));
  p->tok = p->tok->next;
}

static Node *new_node(Parser *p, NodeKind kind, Token *tok) {
  Node *n = arena_alloc(p->arena, sizeof(Node));
  n->kind = kind;
  n->tok = tok;
  n->height = 1;
  n->nest = 1;
  return n;
}

static _Noreturn void too_deep(Parser *p, Token *tok) {
  error_tok(p, tok, "expression too deeply nested (more than %d levels)", MAXDEPTH);
}

// The family of operators whose chains C writes without brackets, or 0.
static int family(const Node *n) {
  static const char *const ops[] = {"+", "-", "*", "/", "&", "|", "^", "and", "or"};
  static const int fam[] = {1, 1, 2, 2, 3, 4, 5, 6, 7};
  if (n->kind != ND_BINOP && n->kind != ND_BOOLOP)
    return 0;
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
    if (!strcmp(n->op, ops[i]))
      return fam[i];
  return 0;
}

// Expression n, its operands parsed: its height, one more than its tallest operand's, and
// its nesting, the same but for a left operand of its own family. Chains that the parser
// builds in a loop (a + b + c ..., a.b.c, f()()) grow a tree deeper than its recursion,
// so the limits are checked here, where each node is made.
static Node *grown(Parser *p, Node *n) {
  Node *kids[] = {n->lhs, n->rhs, n->cond, n->body, n->orelse, n->lo, n->hi, n->step};
  int h = 0, d = 0;
  for (size_t i = 0; i < sizeof kids / sizeof *kids; i++)
    if (kids[i]) {
      h = kids[i]->height > h ? kids[i]->height : h;
      int kd = kids[i]->nest + !(i == 0 && family(n) && family(kids[i]) == family(n));
      d = kd > d ? kd : d;
    }
  for (Node *a = n->args; a; a = a->next) {
    h = a->height > h ? a->height : h;
    d = a->nest + 1 > d ? a->nest + 1 : d;
  }
  n->height = h + 1;
  n->nest = d ? d : 1;
  if (n->nest > MAXDEPTH)
    too_deep(p, n->tok);
  if (n->height > MAXHEIGHT)
    error_tok(p, n->tok, "expression too long (a chain of more than %d operations)",
              MAXHEIGHT);
  return n;
}

// Parses an operand that sits a node lower in the tree (a unary operator's, a call's
// argument, ...): the parser's recursion stops where the tree would pass the limit,
// before the stack runs out (the operand's own node makes one more level).
static Node *operand_below(Parser *p, Token *tok, Node *(*rule)(Parser *)) {
  if (p->depth + 1 >= MAXDEPTH)
    too_deep(p, tok);
  p->depth++;
  Node *n = rule(p);
  p->depth--;
  return n;
}

// A token's text; a name's as Python reads it (NFKC, tokenize.c).
static const char *tok_str(Parser *p, Token *tok) {
  return tok->name ? tok->name : arena_strndup(p->arena, tok->loc, (size_t)tok->len);
}

// A variable's or a kernel's name, which becomes a C identifier. Outside kernels (a
// constant, a decorator) any name Python takes is fine, and in host code such a name is
// Python outside the subset (the statement stays Python).
static const char *name_str(Parser *p, Token *tok) {
  const char *s = tok_str(p, tok);
  size_t n = strlen(s);
  if (p->kernel && n > MAXNAME)
    unsupported_tok(p, tok, "name too long (%zu bytes; names in kernel functions have at "
                    "most %d)", n, MAXNAME);
  return s;
}

static Node *binop(Parser *p, Token *tok, Node *lhs, Node *rhs) {
  Node *n = new_node(p, ND_BINOP, tok);
  n->op = tok_str(p, tok);
  n->lhs = lhs;
  n->rhs = rhs;
  return grown(p, n);
}

static bool starts_expression(Parser *p) {
  Token *t = p->tok;
  if (t->kind == TK_NAME)
    return !tok_is_keyword(t) || tok_equal(t, "not") || tok_equal(t, "True") ||
           tok_equal(t, "False") || tok_equal(t, "None") || tok_equal(t, "lambda") ||
           tok_equal(t, "await");
  if (t->kind == TK_NUMBER || t->kind == TK_STRING)
    return true;
  return at(p, "(") || at(p, "[") || at(p, "{") || at(p, "-") || at(p, "+") || at(p, "~") ||
         at(p, "...") || at(p, "*");
}

// Appends n to the list whose last element is *tail.
static void append(Node **head, Node **tail, Node *n) {
  if (*tail)
    (*tail)->next = n;
  else
    *head = n;
  *tail = n;
}

//
// Expressions
//

/* slice: [expression] ':' [expression] [':' [expression]] | expression */
static Node *slice(Parser *p) {
  Token *start = p->tok;
  Node *lo = NULL;
  if (!at(p, ":"))
    lo = expression(p);
  if (!at(p, ":"))
    return lo;
  Node *n = new_node(p, ND_SLICE, start);
  n->lo = lo;
  consume(p, ":");
  if (!at(p, ":") && !at(p, "]") && !at(p, ","))
    n->hi = expression(p);
  if (consume(p, ":") && !at(p, "]") && !at(p, ","))
    n->step = expression(p);
  return grown(p, n);
}

/* slices: slice (',' slice)* [','] */
static Node *slices(Parser *p, Node *value, Token *tok) {
  Node *n = new_node(p, ND_SUBSCRIPT, tok);
  n->lhs = value;
  Node *tail = NULL;
  do {
    if (at(p, "]"))
      break;
    append(&n->args, &tail, operand_below(p, tok, slice));
    n->nargs++;
  } while (consume(p, ","));
  if (!n->nargs)
    error_tok(p, p->tok, "expected an index");
  expect(p, "]");
  return grown(p, n);
}

/* args: (expression | NAME '=' expression) (',' ...)* [','] */
static Node *call_args(Parser *p, Node *fn, Token *tok) {
  Node *n = new_node(p, ND_CALL, tok);
  n->lhs = fn;
  Node *tail = NULL;
  while (!at(p, ")")) {
    if (at(p, "*") || at(p, "**"))
      unsupported_tok(p, p->tok, "argument unpacking is not supported in kernel functions");
    Node *arg;
    if (p->tok->kind == TK_NAME && p->tok->next && tok_equal(p->tok->next, "=") &&
        p->tok->next->kind == TK_OP) {
      arg = new_node(p, ND_KEYWORD, p->tok);
      arg->name = tok_str(p, p->tok);
      p->tok = p->tok->next->next;
      arg->lhs = operand_below(p, arg->tok, expression);
      grown(p, arg);
    } else {
      arg = operand_below(p, tok, expression);
      if (at(p, "for"))
        unsupported_tok(p, p->tok, "generator expressions are not supported in kernel functions");
    }
    append(&n->args, &tail, arg);
    n->nargs++;
    if (!consume(p, ","))
      break;
  }
  expect(p, ")");
  return grown(p, n);
}

/* tuple_or_group: '(' [star_expressions] ')' ;  list: '[' [star_expressions] ']' */
static Node *paren(Parser *p, const char *close, NodeKind list_kind) {
  Token *start = p->tok;
  p->tok = p->tok->next;
  if (consume(p, close)) {
    Node *n = new_node(p, list_kind == ND_LIST ? ND_LIST : ND_TUPLE, start);
    return n;
  }
  Node *e = star_expressions(p);
  if (at(p, "for"))
    unsupported_tok(p, p->tok, "comprehensions are not supported in kernel functions");
  expect(p, close);
  if (list_kind == ND_LIST) {
    Node *n = new_node(p, ND_LIST, start);
    if (e->kind == ND_TUPLE && e->ival == 0) {
      n->args = e->args;
      n->nargs = e->nargs;
    } else {
      n->args = e;
      n->nargs = 1;
    }
    return grown(p, n);
  }
  if (e->kind == ND_TUPLE)
    e->ival = 1;   // parenthesised: a tuple written (a, b) stays one atom
  return e;
}

/* atom: NAME | 'True' | 'False' | 'None' | strings | NUMBER | tuple | group | list | '...' */
static Node *atom(Parser *p) {
  Token *t = p->tok;
  if (t->kind == TK_NUMBER) {
    if (t->is_imag)
      unsupported_tok(p, t, "complex numbers are not supported in kernel functions");
    p->tok = t->next;
    return new_node(p, ND_NUM, t);
  }
  if (t->kind == TK_STRING) {
    while (p->tok->kind == TK_STRING)
      p->tok = p->tok->next;
    return new_node(p, ND_STR, t);
  }
  if (at(p, "("))
    return paren(p, ")", ND_TUPLE);
  if (at(p, "["))
    return paren(p, "]", ND_LIST);
  if (at(p, "{"))
    unsupported_tok(p, t, "dicts and sets are not supported in kernel functions");
  if (t->kind == TK_NAME) {
    p->tok = t->next;
    if (tok_equal(t, "True") || tok_equal(t, "False")) {
      Node *n = new_node(p, ND_BOOL, t);
      n->ival = tok_equal(t, "True");
      return n;
    }
    if (tok_equal(t, "None"))
      return new_node(p, ND_NONE, t);
    if (tok_equal(t, "lambda"))
      unsupported_tok(p, t, "lambda is not supported in kernel functions");
    if (tok_is_keyword(t))
      error_tok(p, t, "unexpected keyword '%.*s'", t->len, t->loc);
    Node *n = new_node(p, ND_NAME, t);
    n->name = name_str(p, t);
    return n;
  }
  error_tok(p, t, "expected an expression, found %s", tok_text(p, t));
}

// First token of an expression chain: the `np` of `np.sqrt(x)`, for messages.
static Token *first_tok(Node *n) {
  while ((n->kind == ND_ATTR || n->kind == ND_CALL || n->kind == ND_SUBSCRIPT) && n->lhs)
    n = n->lhs;
  return n->tok;
}

/* primary: atom ('.' NAME | '(' [args] ')' | '[' slices ']')* */
static Node *primary(Parser *p) {
  Node *n = atom(p);
  for (;;) {
    Token *t = p->tok;
    if (consume(p, ".")) {
      Node *attr = new_node(p, ND_ATTR, t);
      attr->lhs = n;
      if (p->tok->kind != TK_NAME)
        error_tok(p, p->tok, "expected an attribute name, found %s", tok_text(p, p->tok));
      attr->name = tok_str(p, p->tok);
      attr->tok = p->tok;
      p->tok = p->tok->next;
      n = grown(p, attr);
    } else if (consume(p, "(")) {
      n = call_args(p, n, first_tok(n));
    } else if (consume(p, "[")) {
      n = slices(p, n, t);
    } else {
      return n;
    }
  }
}

/* factor: ('+' | '-' | '~') factor | power
 * power: primary ['**' factor] */
static Node *factor(Parser *p) {
  Token *t = p->tok;
  if (at(p, "+") || at(p, "-") || at(p, "~")) {
    p->tok = t->next;
    Node *n = new_node(p, ND_UNARY, t);
    n->op = tok_str(p, t);
    n->lhs = operand_below(p, t, factor);
    return grown(p, n);
  }
  if (at(p, "await"))
    unsupported_tok(p, t, "await is not supported in kernel functions");
  Node *n = primary(p);
  if (at(p, "**")) {
    Token *op = p->tok;
    p->tok = op->next;
    return binop(p, op, n, operand_below(p, op, factor));
  }
  return n;
}

// Parses a left-associative level: operand (op operand)*, ops NULL-terminated.
static Node *left_assoc(Parser *p, Node *(*operand)(Parser *), const char *const *ops) {
  Node *n = operand(p);
  for (;;) {
    const char *const *op = ops;
    while (*op && !(p->tok->kind == TK_OP && tok_equal(p->tok, *op)))
      op++;
    if (!*op)
      return n;
    Token *t = p->tok;
    p->tok = t->next;
    n = binop(p, t, n, operand(p));
  }
}

/* term: term ('*' | '/' | '//' | '%' | '@') factor | factor */
static Node *term(Parser *p) {
  static const char *const ops[] = {"*", "/", "//", "%", "@", NULL};
  return left_assoc(p, factor, ops);
}

/* sum: sum ('+' | '-') term | term */
static Node *sum(Parser *p) {
  static const char *const ops[] = {"+", "-", NULL};
  return left_assoc(p, term, ops);
}

/* shift_expr: shift_expr ('<<' | '>>') sum | sum */
static Node *shift_expr(Parser *p) {
  static const char *const ops[] = {"<<", ">>", NULL};
  return left_assoc(p, sum, ops);
}

/* bitwise_and: bitwise_and '&' shift_expr | shift_expr */
static Node *bitwise_and(Parser *p) {
  static const char *const ops[] = {"&", NULL};
  return left_assoc(p, shift_expr, ops);
}

/* bitwise_xor: bitwise_xor '^' bitwise_and | bitwise_and */
static Node *bitwise_xor(Parser *p) {
  static const char *const ops[] = {"^", NULL};
  return left_assoc(p, bitwise_and, ops);
}

/* bitwise_or: bitwise_or '|' bitwise_xor | bitwise_xor */
static Node *bitwise_or(Parser *p) {
  static const char *const ops[] = {"|", NULL};
  return left_assoc(p, bitwise_xor, ops);
}

// Returns the comparison operator at the cursor and advances, or NULL.
static const char *compare_op(Parser *p) {
  static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", NULL};
  for (const char *const *op = ops; *op; op++)
    if (p->tok->kind == TK_OP && tok_equal(p->tok, *op)) {
      p->tok = p->tok->next;
      return *op;
    }
  if (at(p, "in") || at(p, "is") || (at(p, "not") && tok_equal(p->tok->next, "in")))
    unsupported_tok(p, p->tok, "'%.*s' is not supported in kernel functions", p->tok->len,
                    p->tok->loc);
  return NULL;
}

/* comparison: bitwise_or (compare_op bitwise_or)* */
static Node *comparison(Parser *p) {
  Node *first = bitwise_or(p);
  Token *t = p->tok;
  const char *op = compare_op(p);
  if (!op)
    return first;
  Node *n = new_node(p, ND_COMPARE, t);
  n->lhs = first;
  Node *tail = NULL;
  int room = 0;
  do {
    if (n->nargs == room) {   // doubled: linear in the length of the chain
      const char **ops = arena_alloc(p->arena, sizeof(char *) * (size_t)(room = 2 * room + 4));
      if (n->nargs)
        memcpy(ops, n->ops, sizeof(char *) * (size_t)n->nargs);
      n->ops = ops;
    }
    n->ops[n->nargs++] = op;
    append(&n->args, &tail, bitwise_or(p));
  } while ((op = compare_op(p)));
  return grown(p, n);
}

/* inversion: 'not' inversion | comparison */
static Node *inversion(Parser *p) {
  Token *t = p->tok;
  if (consume(p, "not")) {
    Node *n = new_node(p, ND_NOT, t);
    n->lhs = operand_below(p, t, inversion);
    return grown(p, n);
  }
  return comparison(p);
}

static Node *boolop(Parser *p, Token *t, Node *lhs, Node *rhs) {
  Node *n = new_node(p, ND_BOOLOP, t);
  n->op = tok_str(p, t);
  n->lhs = lhs;
  n->rhs = rhs;
  return grown(p, n);
}

// Parses operand (word operand)*, left-associative, for 'and' and 'or'.
static Node *bool_chain(Parser *p, Node *(*operand)(Parser *), const char *word) {
  Node *n = operand(p);
  while (at(p, word)) {
    Token *t = p->tok;
    p->tok = t->next;
    n = boolop(p, t, n, operand(p));
  }
  return n;
}

/* conjunction: inversion ('and' inversion)* */
static Node *conjunction(Parser *p) { return bool_chain(p, inversion, "and"); }

/* disjunction: conjunction ('or' conjunction)* */
static Node *disjunction(Parser *p) { return bool_chain(p, conjunction, "or"); }

/* expression: disjunction ['if' disjunction 'else' expression] */
static Node *expression(Parser *p) {
  Node *n = disjunction(p);
  if (!at(p, "if"))
    return n;
  Node *e = new_node(p, ND_IFEXP, p->tok);
  p->tok = p->tok->next;
  e->body = n;
  e->cond = operand_below(p, e->tok, disjunction);
  expect(p, "else");
  e->orelse = operand_below(p, e->tok, expression);
  return grown(p, e);
}

/* star_expressions: expression (',' expression)* [','] */
static Node *star_expressions(Parser *p) {
  Token *start = p->tok;
  if (at(p, "*"))
    unsupported_tok(p, start, "starred expressions are not supported in kernel functions");
  Node *first = expression(p);
  if (!at(p, ","))
    return first;
  Node *n = new_node(p, ND_TUPLE, start);
  Node *tail = NULL;
  append(&n->args, &tail, first);
  n->nargs = 1;
  while (consume(p, ",")) {
    if (!starts_expression(p))
      break;
    append(&n->args, &tail, expression(p));
    n->nargs++;
  }
  return grown(p, n);
}

//
// Statements
//

// Claims the own-line pragmas that come before line `line`.
static void attach_pragmas(Parser *p, Node *stmt) {
  int line = stmt->tok->line;
  for (; p->pragma && p->pragma->line < line; p->pragma = p->pragma->next) {
    Pragma *pr = p->pragma;
    if (pr->is_appy || pr->used)
      continue;
    pr->used = true;
    if (!stmt->pragma)
      stmt->pragma = pr;
    stmt->npragmas++;
  }
}

// Skips pragmas before `line` without claiming them (code outside kernels).
static void skip_pragmas(Parser *p, int line) {
  while (p->pragma && p->pragma->line < line)
    p->pragma = p->pragma->next;
}

/* assignment: (star_targets '=')+ star_expressions | single_target augassign star_expressions
 *           | NAME ':' expression ['=' star_expressions]
 * star_expressions (an expression statement) */
static Node *expr_stmt(Parser *p) {
  Token *start = p->tok;
  Node *first = star_expressions(p);
  if (tok_is_augassign(p->tok)) {
    Node *n = new_node(p, ND_AUGASSIGN, p->tok);
    n->op = arena_strndup(p->arena, p->tok->loc, (size_t)p->tok->len - 1);
    p->tok = p->tok->next;
    n->lhs = first;
    n->rhs = star_expressions(p);
    return n;
  }
  if (at(p, ":")) {   // annotated assignment: the annotation is ignored
    p->tok = p->tok->next;
    expression(p);
    if (!consume(p, "=")) {
      Node *n = new_node(p, ND_IGNORED, start);
      return n;
    }
    Node *n = new_node(p, ND_ASSIGN, start);
    n->args = first;
    n->nargs = 1;
    n->rhs = star_expressions(p);
    return n;
  }
  if (!at(p, "=")) {
    Node *n = new_node(p, ND_EXPR_STMT, start);
    n->lhs = first;
    return n;
  }
  Node *n = new_node(p, ND_ASSIGN, start);
  Node *tail = NULL, *value = first;
  while (consume(p, "=")) {
    append(&n->args, &tail, value);
    n->nargs++;
    value = star_expressions(p);
  }
  n->rhs = value;
  return n;
}

/* simple_stmt: assignment | star_expressions | 'return' [star_expressions] | 'pass'
 *            | 'break' | 'continue' | import_stmt */
static Node *simple_stmt(Parser *p) {
  Token *t = p->tok;
  if (consume(p, "pass"))
    return new_node(p, ND_PASS, t);
  if (consume(p, "break"))
    return new_node(p, ND_BREAK, t);
  if (consume(p, "continue"))
    return new_node(p, ND_CONTINUE, t);
  if (consume(p, "return")) {
    Node *n = new_node(p, ND_RETURN, t);
    if (starts_expression(p))
      n->lhs = star_expressions(p);
    return n;
  }
  if (at(p, "import") || at(p, "from")) {
    while (p->tok->kind != TK_NEWLINE && !at(p, ";") && p->tok->kind != TK_EOF)
      p->tok = p->tok->next;
    return new_node(p, ND_IGNORED, t);
  }
  static const char *const unsupported[] = {"global", "nonlocal", "del", "assert", "raise",
                                            "yield", "async", "print", NULL};
  for (const char *const *kw = unsupported; *kw; kw++)
    if (at(p, *kw) && tok_is_keyword(t))
      unsupported_tok(p, t, "'%s' statements are not supported in kernel functions", *kw);
  if (t->kind == TK_STRING && (t->next->kind == TK_NEWLINE || tok_equal(t->next, ";"))) {
    p->tok = t->next;
    return new_node(p, ND_IGNORED, t);   // docstring or bare string
  }
  return expr_stmt(p);
}

/* simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE */
static Node *simple_stmts(Parser *p) {
  Node *head = NULL, *tail = NULL;
  do {
    if (p->tok->kind == TK_NEWLINE)
      break;
    append(&head, &tail, simple_stmt(p));
  } while (consume(p, ";"));
  expect_kind(p, TK_NEWLINE, "end of line");
  return head;
}

// Enters the block of the compound statement at t. An elif counts as a block nested in
// its if's: the tree has it in the if's else branch, and every stage recurses into that.
static void enter_block(Parser *p, Token *t) {
  if (p->blocks >= MAXBLOCKS)
    error_tok(p, t, "too many nested blocks (more than %d; each elif counts as one)",
              MAXBLOCKS);
  p->blocks++;
}

/* if_stmt: 'if' named_expression ':' block elif_stmt | 'if' named_expression ':' block [else_block]
 * elif_stmt: 'elif' named_expression ':' block (elif_stmt | [else_block]) */
static Node *if_stmt(Parser *p) {
  Node *n = new_node(p, ND_IF, p->tok);
  enter_block(p, n->tok);
  p->tok = p->tok->next;
  n->cond = expression(p);
  expect(p, ":");
  n->body = block(p);
  if (at(p, "elif")) {
    n->orelse = if_stmt(p);
  } else if (consume(p, "else")) {
    expect(p, ":");
    n->orelse = block(p);
  }
  p->blocks--;
  return n;
}

/* while_stmt: 'while' named_expression ':' block */
static Node *while_stmt(Parser *p) {
  Node *n = new_node(p, ND_WHILE, p->tok);
  enter_block(p, n->tok);
  p->tok = p->tok->next;
  n->cond = expression(p);
  expect(p, ":");
  n->body = block(p);
  if (at(p, "else"))
    unsupported_tok(p, p->tok, "'else' after a loop is not supported in kernel functions");
  p->blocks--;
  return n;
}

/* star_targets: target (',' target)* [','] -- names, subscripts, tuples of them */
static Node *for_targets(Parser *p) {
  Token *start = p->tok;
  Node *first = bitwise_or(p);
  if (!at(p, ","))
    return first;
  Node *n = new_node(p, ND_TUPLE, start);
  Node *tail = NULL;
  append(&n->args, &tail, first);
  n->nargs = 1;
  while (consume(p, ",") && !at(p, "in")) {
    append(&n->args, &tail, bitwise_or(p));
    n->nargs++;
  }
  return grown(p, n);
}

/* for_stmt: 'for' star_targets 'in' star_expressions ':' block */
static Node *for_stmt(Parser *p) {
  Node *n = new_node(p, ND_FOR, p->tok);
  enter_block(p, n->tok);
  p->tok = p->tok->next;
  n->target = for_targets(p);
  expect(p, "in");
  n->iter = star_expressions(p);
  expect(p, ":");
  n->pragma = p->attached->pragma;
  n->npragmas = p->attached->npragmas;
  bool parallel = is_parallel_for(n);
  p->parallel += parallel;
  n->body = block(p);
  p->parallel -= parallel;
  if (at(p, "else"))
    unsupported_tok(p, p->tok, "'else' after a loop is not supported in kernel functions");
  p->blocks--;
  return n;
}

static Node *host_statement(Parser *p);

/* block: NEWLINE INDENT statements DEDENT | simple_stmts */
static Node *block(Parser *p) {
  if (p->tok->kind != TK_NEWLINE)
    return simple_stmts(p);
  p->tok = p->tok->next;
  expect_kind(p, TK_INDENT, "an indented block");
  Node *head = NULL, *tail = NULL;
  while (p->tok->kind != TK_DEDENT && p->tok->kind != TK_EOF) {
    Node *s = p->parallel ? statement(p) : host_statement(p);
    append(&head, &tail, s);
    while (tail->next)
      tail = tail->next;
  }
  if (p->tok->kind == TK_DEDENT)
    p->tok = p->tok->next;
  return head;
}

// Line of the last token before the cursor: where a compound statement ended.
static int last_line(Token *start, Token *end) {
  int line = start->line;
  for (Token *t = start; t && t != end; t = t->next)
    if (t->kind != TK_NEWLINE && t->kind != TK_INDENT && t->kind != TK_DEDENT)
      line = t->line;
  return line;
}

/* statement: compound_stmt | simple_stmts
 * compound_stmt: if_stmt | for_stmt | while_stmt */
static Node *statement(Parser *p) {
  Token *t = p->tok;
  Node *probe = &(Node){.tok = t};
  attach_pragmas(p, probe);
  p->attached = probe;
  Node *n;
  if (at(p, "if"))
    n = if_stmt(p);
  else if (at(p, "for"))
    n = for_stmt(p);
  else if (at(p, "while"))
    n = while_stmt(p);
  else if (tok_is_keyword(t) && (at(p, "def") || at(p, "class") || at(p, "with") ||
                                 at(p, "try") || at(p, "async")))
    unsupported_tok(p, t, "'%.*s' is not supported inside kernel functions", t->len, t->loc);
  else if (at(p, "@"))
    unsupported_tok(p, t, "nested functions are not supported in kernel functions");
  else
    n = simple_stmts(p);
  n->pragma = probe->pragma;
  n->npragmas = probe->npragmas;
  n->end_line = last_line(t, p->tok);
  return n;
}

// Skips one top-level statement: to the end of its logical line and over its block.
static void skip_statement(Parser *p) {
  while (p->tok->kind != TK_NEWLINE && p->tok->kind != TK_EOF)
    p->tok = p->tok->next;
  if (p->tok->kind == TK_NEWLINE)
    p->tok = p->tok->next;
  if (p->tok->kind != TK_INDENT)
    return;
  int depth = 0;
  do {
    if (p->tok->kind == TK_INDENT)
      depth++;
    else if (p->tok->kind == TK_DEDENT)
      depth--;
    p->tok = p->tok->next;
  } while (depth > 0 && p->tok->kind != TK_EOF);
}

// Whether tokens [start, end) hold a parallel loop: prange, parallel=True, or a
// "#pragma parallel" line among them.
static bool hides_parallel_loop(Token *start, Token *end, Pragma *pragma) {
  int last = start->line;
  for (Token *t = start; t && t != end; t = t->next) {
    if (t->kind == TK_NAME && (tok_equal(t, "prange") ||
                               (tok_equal(t, "parallel") && tok_equal(t->next, "="))))
      return true;
    last = t->line;
  }
  for (Pragma *pr = pragma; pr && pr->line <= last; pr = pr->next)
    if (!pr->is_appy && !strncmp(pr->text, "parallel", 8))
      return true;
  return false;
}

/* statement, in host code (outside parallel loops): any Python statement. One that uses
 * constructs outside the subset is skipped, with its block, as ND_PYTHON: its error is
 * withdrawn and kept in the node, for outline.c to report or to keep the function's host
 * code as Python. Syntax errors, and statements that hide a parallel loop, stay errors. */
static Node *host_statement(Parser *p) {
  Token *volatile start = p->tok;
  Pragma *volatile pragma = p->pragma;
  Diags *d = p->diags;
  size_t len = d->out.len;
  int nerrors = d->nerrors, nwarnings = d->nwarnings, parallel = p->parallel;
  int depth = p->depth, blocks = p->blocks;
  jmp_buf outer;
  memcpy(outer, p->fail, sizeof outer);
  if (!setjmp(p->fail)) {
    Node *n = statement(p);
    memcpy(p->fail, outer, sizeof outer);
    return n;
  }
  memcpy(p->fail, outer, sizeof outer);
  p->parallel = parallel;
  p->depth = depth;
  p->blocks = blocks;
  if (!p->unsupported)
    longjmp(p->fail, 1);
  p->tok = start;
  skip_statement(p);   // and the clauses that continue it (try: ... except: ... else: ...)
  while (at(p, "except") || at(p, "finally") || at(p, "else") || at(p, "elif"))
    skip_statement(p);
  if (hides_parallel_loop(start, p->tok, pragma))
    longjmp(p->fail, 1);
  Node *n = new_node(p, ND_PYTHON, start);
  n->python = arena_strndup(p->arena, d->out.data + len, d->out.len - len);
  n->end_line = last_line(start, p->tok);
  d->out.len = len;
  d->out.data[len] = '\0';
  d->nerrors = nerrors;
  d->nwarnings = nwarnings;
  for (p->pragma = pragma; p->pragma && p->pragma->line <= n->end_line; p->pragma = p->pragma->next)
    p->pragma->used = true;
  return n;
}

// True for the decorators that mark a kernel: jit, appy.jit, with or without a call.
static bool is_jit(Node *dec) {
  if (dec->kind == ND_CALL)
    dec = dec->lhs;
  if (dec->kind == ND_NAME)
    return !strcmp(dec->name, "jit");
  return dec->kind == ND_ATTR && !strcmp(dec->name, "jit") && dec->lhs->kind == ND_NAME &&
         !strcmp(dec->lhs->name, "appy");
}

/* params: NAME [':' expression] (',' NAME [':' expression])* [','] */
static Node *params(Parser *p, int *count) {
  Node *head = NULL, *tail = NULL;
  *count = 0;
  while (!at(p, ")")) {
    if (at(p, "*") || at(p, "**") || at(p, "/"))
      error_tok(p, p->tok, "kernel parameters must be plain names");
    if (p->tok->kind != TK_NAME || tok_is_keyword(p->tok))
      error_tok(p, p->tok, "expected a parameter name, found %s", tok_text(p, p->tok));
    Node *n = new_node(p, ND_NAME, p->tok);
    n->name = name_str(p, p->tok);
    p->tok = p->tok->next;
    if (consume(p, ":"))
      expression(p);
    if (at(p, "="))
      unsupported_tok(p, p->tok, "default values of kernel parameters are not supported");
    append(&head, &tail, n);
    (*count)++;
    if (!consume(p, ","))
      break;
  }
  expect(p, ")");
  return head;
}

// Would an attribute of the compiled module hide a function of this name? It binds
// _appy_device, _appy_data, __appy_compiler__ and, for host code that stays Python,
// _appy_F_lineN (module.c, outline.c; appy/ reads them), and CPython binds __doc__ and
// __spec__ after the module's functions (the others below it reads as the module's).
static bool module_attribute(const char *name) {
  static const char *const dunders[] = {
    "__doc__", "__spec__", "__name__", "__loader__", "__package__", "__file__",
    "__cached__", "__path__", "__builtins__", "__dict__", "__class__",
  };
  if (!strncmp(name, "_appy_", 6) || !strncmp(name, "__appy_", 7))
    return true;
  for (size_t i = 0; i < sizeof dunders / sizeof *dunders; i++)
    if (!strcmp(name, dunders[i]))
      return true;
  return false;
}

/* function_def: decorators 'def' NAME '(' [params] ')' ['->' expression] ':' block */
static Node *function_def(Parser *p, Node *decorators) {
  Token *t = p->tok;
  p->tok = t->next;
  if (p->tok->kind != TK_NAME)
    error_tok(p, p->tok, "expected a function name");
  p->kernel = true;
  Node *fn = new_node(p, ND_FUNCDEF, p->tok);
  fn->name = name_str(p, p->tok);
  if (module_attribute(fn->name))
    diag_at(p->diags, DIAG_ERROR, p->tok->line, p->tok->col, "a kernel function cannot be "
            "named '%s': an attribute of the compiled module has that name and would hide it",
            fn->name);
  fn->decorators = decorators;
  p->tok = p->tok->next;
  expect(p, "(");
  fn->params = params(p, &fn->nargs);
  if (consume(p, "->"))
    expression(p);
  expect(p, ":");
  fn->body = block(p);
  fn->end_line = last_line(t, p->tok);
  p->kernel = false;
  return fn;
}

/* decorators: ('@' named_expression NEWLINE)+ */
static Node *decorators(Parser *p) {
  Node *head = NULL, *tail = NULL;
  while (consume(p, "@")) {
    append(&head, &tail, expression(p));
    expect_kind(p, TK_NEWLINE, "end of line after the decorator");
  }
  return head;
}

// Is the def at p->tok the one function that p->only names?
static bool is_only(Parser *p) {
  Token *name = p->tok->next;
  return p->only && at(p, "def") && name->kind == TK_NAME && tok_equal(name, p->only);
}

// The module kernels know a dotted name as ("np", "math"), or NULL.
static const char *known_module(const char *name) {
  if (!strcmp(name, "numpy") || !strcmp(name, "scipy.special"))
    return "np";
  return !strcmp(name, "math") ? "math" : NULL;
}

/* dotted_name: NAME ('.' NAME)* */
static const char *dotted_name(Parser *p) {
  Buf b = {0};
  while (p->tok->kind == TK_NAME) {
    buf_puts(&b, tok_str(p, p->tok));
    p->tok = p->tok->next;
    if (!at(p, ".") || p->tok->next->kind != TK_NAME)
      break;
    buf_puts(&b, ".");
    p->tok = p->tok->next;
  }
  const char *s = b.data ? arena_strndup(p->arena, b.data, b.len) : "";
  buf_free(&b);
  return s;
}

// Notes a name the file binds at top level (a def, a class, an import, an assignment).
static void add_global(Parser *p, Module *m, const char *name) {
  Node *n = arena_alloc(p->arena, sizeof(Node));
  *n = (Node){.kind = ND_NAME, .name = name, .next = m->globals};
  m->globals = n;
}

// Notes the names a top-level statement starting at t binds: `def f`, `class C`,
// `a = ...`, `a: int = ...`, `a, b = ...`.
static void statement_globals(Parser *p, Module *m, Token *t) {
  if ((tok_equal(t, "def") || tok_equal(t, "class")) && t->next->kind == TK_NAME) {
    add_global(p, m, tok_str(p, t->next));
    return;
  }
  Token *u = t;
  while (u->kind == TK_NAME && !tok_is_keyword(u) && tok_equal(u->next, ","))
    u = u->next->next;
  if (u->kind != TK_NAME || tok_is_keyword(u) ||
      !(tok_equal(u->next, "=") || tok_equal(u->next, ":")))
    return;
  for (; t != u->next; t = t->next)
    if (t->kind == TK_NAME)
      add_global(p, m, tok_str(p, t));
}

static void add_import(Parser *p, Module *m, const char *alias, const char *module,
                       const char *name) {
  Import *im = arena_alloc(p->arena, sizeof(Import));
  *im = (Import){.next = m->imports, .alias = alias, .module = module, .name = name};
  m->imports = im;
  map_put(p->arena, &p->imports, alias, im);
}

/* import_name: 'import' dotted_name ['as' NAME] (',' dotted_name ['as' NAME])*
 * import_from: 'from' dotted_name 'import' ['('] NAME ['as' NAME] (',' NAME ['as' NAME])* [')']
 * Records the imports of modules kernels know; the statement is skipped either way. */
// ['as' NAME]: the alias, or NULL.
static const char *as_name(Parser *p) {
  if (!consume(p, "as") || p->tok->kind != TK_NAME)
    return NULL;
  const char *alias = tok_str(p, p->tok);
  p->tok = p->tok->next;
  return alias;
}

/* import_name: 'import' dotted_name ['as' NAME] (',' dotted_name ['as' NAME])*
 * import_from: 'from' dotted_name 'import' ['('] NAME ['as' NAME] (',' NAME ['as' NAME])* [')']
 * Records the names the statement binds, and the imports of modules kernels know; the
 * rest of the statement is skipped. */
static void import_stmt(Parser *p, Module *m) {
  if (consume(p, "import")) {
    do {
      const char *dotted = dotted_name(p), *alias = as_name(p), *mod = known_module(dotted);
      if (alias && mod)
        add_import(p, m, alias, mod, NULL);
      add_global(p, m, alias ? alias : arena_strndup(p->arena, dotted, strcspn(dotted, ".")));
    } while (consume(p, ","));
  } else if (consume(p, "from")) {
    const char *mod = known_module(dotted_name(p));
    if (consume(p, "import")) {
      consume(p, "(");
      while (p->tok->kind == TK_NAME) {
        const char *name = tok_str(p, p->tok);
        p->tok = p->tok->next;
        const char *alias = as_name(p);
        if (mod)
          add_import(p, m, alias ? alias : name, mod, name);
        add_global(p, m, alias ? alias : name);
        if (!consume(p, ","))
          break;
      }
    }
  }
  skip_statement(p);
}

static Const *find_const(Parser *p, const char *s, size_t len) {
  return map_get(&p->consts, s, len);
}

// The constant a name token names (in NFKC, as Python reads it), or NULL.
static Const *token_const(Parser *p, const Token *name) {
  if (name->name)
    return find_const(p, name->name, strlen(name->name));
  return find_const(p, name->loc, (size_t)name->len);
}

// Notes that top-level statement tokens [t, NEWLINE) bind a name the file may use as a
// constant again: it is none.
static void rebinds(Parser *p, Token *t) {
  Const *c;
  if (t->kind == TK_NAME && (c = token_const(p, t)) &&
      (tok_equal(t->next, "=") || tok_is_augassign(t->next) || tok_equal(t->next, ",")))
    c->rebound = true;
}

// Name n (in a list: its next link stays) becomes a copy of constant c's value.
static void becomes_value(Parser *p, Node *n, Const *c) {
  Node *keep = n->next;
  *n = *clone_list(p->arena, c->value);
  n->next = keep;
}

// Replaces the constants in expression n by their values (themselves without names), and
// measures it again.
static void inline_consts(Parser *p, Node *n) {
  for (; n; n = n->next) {
    Const *c = n->kind == ND_NAME ? find_const(p, n->name, strlen(n->name)) : NULL;
    if (c) {
      becomes_value(p, n, c);
      continue;
    }
    inline_consts(p, n->lhs);
    inline_consts(p, n->rhs);
    inline_consts(p, n->args);
    grown(p, n);
  }
}

// Nodes of a constant's value (small: see constant).
static int value_size(Node *n) {
  int size = 0;
  for (; n; n = n->next)
    size += 1 + value_size(n->lhs) + value_size(n->rhs) + value_size(n->args);
  return size;
}

/* constant: NAME '=' expression NEWLINE, the expression made of numbers, + - * / // % **,
 * parentheses and earlier constants only. Returns false (nothing consumed) otherwise.
 * Kernels get a copy of the value at each use, the constants in it replaced by their
 * values: a value of more than MAXDEPTH nodes makes no constant. Else A1 = A0 + A0,
 * A2 = A1 + A1, ... would grow as 2**k, and a value could pass the parser's limit on
 * nesting, which Python outside kernels must never meet. */
static bool constant(Parser *p, Module *m) {
  Token *name = p->tok, *t = name->next;
  if (name->kind != TK_NAME || tok_is_keyword(name) || !tok_equal(t, "="))
    return false;
  int size = 0;   // at most a node per token, a constant's name standing for its value's
  for (t = t->next; t->kind != TK_NEWLINE && t->kind != TK_EOF; t = t->next) {
    bool number = t->kind == TK_NUMBER && !t->is_imag;
    Const *c = t->kind == TK_NAME ? token_const(p, t) : NULL;
    bool known = c && !c->rebound;   // bound again since: its value here is another
    bool op = t->kind == TK_OP && (tok_equal(t, "+") || tok_equal(t, "-") || tok_equal(t, "*") ||
                                   tok_equal(t, "/") || tok_equal(t, "//") || tok_equal(t, "%") ||
                                   tok_equal(t, "**") || tok_equal(t, "(") || tok_equal(t, ")"));
    size += known ? value_size(c->value) : 1;
    if ((!number && !known && !op) || size > MAXDEPTH)
      return false;
  }
  if (t == name->next->next || token_const(p, name))
    return false;
  p->tok = name->next->next;
  Const *c = arena_alloc(p->arena, sizeof(Const));
  *c = (Const){.next = m->consts, .name = tok_str(p, name), .value = expression(p)};
  inline_consts(p, c->value);
  m->consts = c;
  map_put(p->arena, &p->consts, c->name, c);
  if (p->tok->kind != TK_NEWLINE)   // e.g. "1 2": not a constant after all
    c->rebound = true;
  skip_statement(p);
  return true;
}

// Names a function declares global may change at run time: none of them is a constant.
static void globals_rebound(Parser *p, Token *t) {
  for (; t; t = t->next) {
    if (t->kind != TK_NAME || !tok_equal(t, "global"))
      continue;
    for (Token *g = t->next; g->kind == TK_NAME || tok_equal(g, ","); g = g->next) {
      Const *c = g->kind == TK_NAME ? token_const(p, g) : NULL;
      if (c)
        c->rebound = true;
    }
  }
}

// Adds the names that statements n (or parameters) bind to set: parameters, assignment
// and loop targets.
static void bound_names(Parser *p, Node *n, Map *set) {
  for (; n; n = n->next) {
    if (n->kind == ND_NAME && n->name)
      map_put(p->arena, set, n->name, n);
    if (n->kind == ND_ASSIGN || n->kind == ND_TUPLE || n->kind == ND_LIST)
      bound_names(p, n->args, set);
    if (n->kind == ND_FOR)
      bound_names(p, n->target, set);
    if (n->kind == ND_IF || n->kind == ND_WHILE || n->kind == ND_FOR) {
      bound_names(p, n->body, set);
      bound_names(p, n->orelse, set);
    }
  }
}

// The constant `name` means in the function being resolved (p->bound), or NULL.
static Const *const_of(Parser *p, const char *name) {
  Const *c = find_const(p, name, strlen(name));
  return c && !c->rebound && !map_get(&p->bound, name, strlen(name)) ? c : NULL;
}

static Import *import_of(Parser *p, const char *name) {
  Import *im = map_get(&p->imports, name, strlen(name));
  return im && !map_get(&p->bound, name, strlen(name)) ? im : NULL;
}

// Spells the calls of imported functions in n (and what follows it) as np.NAME / math.NAME,
// and imported modules by their canonical names; constants become their values. Calls and
// constants make the tree deeper (depth: the levels of nesting above n), within the limit.
static void resolve_imports(Parser *p, Node *n, int depth) {
  for (; n; n = n->next) {
    Import *im;
    Const *c;
    if (n->kind == ND_NAME && (c = const_of(p, n->name))) {
      if (depth + c->value->nest > MAXDEPTH)
        too_deep(p, n->tok);
      becomes_value(p, n, c);
      continue;   // the value holds no names of the function
    }
    if (n->kind == ND_CALL && n->lhs->kind == ND_NAME &&
        (im = import_of(p, n->lhs->name)) && im->name) {
      if (depth + 3 > MAXDEPTH)   // the call, MODULE.NAME, MODULE
        too_deep(p, n->lhs->tok);
      Node *mod = new_node(p, ND_NAME, n->lhs->tok);
      mod->name = im->module;
      n->lhs->kind = ND_ATTR;
      n->lhs->lhs = mod;
      n->lhs->name = im->name;
    } else if (n->kind == ND_ATTR && n->lhs->kind == ND_NAME &&
               (im = import_of(p, n->lhs->name)) && !im->name) {
      n->lhs->name = im->module;
    }
    int below = n->kind < ND_FUNCDEF ? depth + 1 : 0;   // a statement's start anew
    bool chain = family(n) && family(n->lhs) == family(n);   // see grown()
    resolve_imports(p, n->lhs, chain ? depth : below);
    resolve_imports(p, n->rhs, below);
    resolve_imports(p, n->args, below);
    resolve_imports(p, n->cond, below);
    resolve_imports(p, n->body, below);
    resolve_imports(p, n->orelse, below);
    resolve_imports(p, n->iter, below);
    resolve_imports(p, n->lo, below);
    resolve_imports(p, n->hi, below);
    resolve_imports(p, n->step, below);
  }
}

// Parses one top-level statement: a kernel definition, or anything else (skipped).
static void top_level(Parser *p, Module *m, Node **tail) {
  Token *start = p->tok;
  if (at(p, "import") || at(p, "from")) {
    skip_pragmas(p, start->line);
    import_stmt(p, m);
    return;
  }
  rebinds(p, start);
  statement_globals(p, m, start);
  if (!at(p, "@") && !is_only(p) && constant(p, m)) {
    skip_pragmas(p, start->line);
    return;
  }
  if (!at(p, "@") && !is_only(p)) {
    skip_pragmas(p, start->line);
    skip_statement(p);
    return;
  }
  Node *decs = decorators(p);
  statement_globals(p, m, p->tok);
  bool kernel = p->only ? is_only(p) : false;
  for (Node *d = decs; d && !p->only; d = d->next)
    kernel |= is_jit(d);
  if (!kernel || !at(p, "def")) {
    skip_pragmas(p, p->tok->line);
    skip_statement(p);
    return;
  }
  skip_pragmas(p, p->tok->line);
  Node *fn = function_def(p, decs);
  append(&m->funcs, tail, fn);
}

/* file: [statements] ENDMARKER */
Module *parse(Arena *a, Diags *d, TokenStream *ts, const char *only) {
  Parser p = {.arena = a, .diags = d, .tok = ts->tokens, .pragma = ts->pragmas, .only = only};
  Module *m = arena_alloc(a, sizeof(Module));
  m->pragmas = ts->pragmas;
  Node *tail = NULL;
  if (setjmp(p.fail))
    return m;
  while (p.tok->kind != TK_EOF) {
    if (p.tok->kind == TK_NEWLINE || p.tok->kind == TK_DEDENT || p.tok->kind == TK_INDENT) {
      p.tok = p.tok->next;
      continue;
    }
    top_level(&p, m, &tail);
  }
  globals_rebound(&p, ts->tokens);
  for (Node *fn = m->funcs; fn && (m->imports || m->consts); fn = fn->next) {
    p.bound = (Map){0};
    bound_names(&p, fn->params, &p.bound);
    bound_names(&p, fn->body, &p.bound);
    resolve_imports(&p, fn->body, 0);
  }
  return m;
}
