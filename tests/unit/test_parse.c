/* test_parse.c: the parser on small programs, checked through an S-expression dump. */
#include "translator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures, checks;

static void dump(Buf *b, Node *n);

static void dump_list(Buf *b, Node *n) {
  for (; n; n = n->next) {
    buf_puts(b, " ");
    dump(b, n);
  }
}

static void dump(Buf *b, Node *n) {
  if (!n) {
    buf_puts(b, "_");
    return;
  }
  switch (n->kind) {
  case ND_NUM: buf_printf(b, "%.*s", n->tok->len, n->tok->loc); break;
  case ND_BOOL: buf_puts(b, n->ival ? "True" : "False"); break;
  case ND_NONE: buf_puts(b, "None"); break;
  case ND_STR: buf_puts(b, "str"); break;
  case ND_NAME: buf_puts(b, n->name); break;
  case ND_ATTR: buf_puts(b, "(. "), dump(b, n->lhs), buf_printf(b, " %s)", n->name); break;
  case ND_CALL: buf_puts(b, "(call "), dump(b, n->lhs), dump_list(b, n->args), buf_puts(b, ")"); break;
  case ND_KEYWORD: buf_printf(b, "(= %s ", n->name), dump(b, n->lhs), buf_puts(b, ")"); break;
  case ND_SUBSCRIPT: buf_puts(b, "(idx "), dump(b, n->lhs), dump_list(b, n->args), buf_puts(b, ")"); break;
  case ND_SLICE:
    buf_puts(b, "(: "), dump(b, n->lo), buf_puts(b, " "), dump(b, n->hi), buf_puts(b, " ");
    dump(b, n->step), buf_puts(b, ")");
    break;
  case ND_TUPLE: buf_puts(b, "(tuple"), dump_list(b, n->args), buf_puts(b, ")"); break;
  case ND_LIST: buf_puts(b, "(list"), dump_list(b, n->args), buf_puts(b, ")"); break;
  case ND_BINOP:
  case ND_BOOLOP:
    buf_printf(b, "(%s ", n->op), dump(b, n->lhs), buf_puts(b, " "), dump(b, n->rhs), buf_puts(b, ")");
    break;
  case ND_UNARY: buf_printf(b, "(u%s ", n->op), dump(b, n->lhs), buf_puts(b, ")"); break;
  case ND_NOT: buf_puts(b, "(not "), dump(b, n->lhs), buf_puts(b, ")"); break;
  case ND_COMPARE: {
    buf_puts(b, "(cmp "), dump(b, n->lhs);
    Node *a = n->args;
    for (int i = 0; i < n->nargs; i++, a = a->next)
      buf_printf(b, " %s ", n->ops[i]), dump(b, a);
    buf_puts(b, ")");
    break;
  }
  case ND_IFEXP:
    buf_puts(b, "(ifexp "), dump(b, n->cond), buf_puts(b, " "), dump(b, n->body);
    buf_puts(b, " "), dump(b, n->orelse), buf_puts(b, ")");
    break;
  case ND_ASSIGN: buf_puts(b, "(="), dump_list(b, n->args), buf_puts(b, " "), dump(b, n->rhs), buf_puts(b, ")"); break;
  case ND_AUGASSIGN:
    buf_printf(b, "(%s= ", n->op), dump(b, n->lhs), buf_puts(b, " "), dump(b, n->rhs), buf_puts(b, ")");
    break;
  case ND_EXPR_STMT: buf_puts(b, "(expr "), dump(b, n->lhs), buf_puts(b, ")"); break;
  case ND_IF:
    buf_puts(b, "(if "), dump(b, n->cond), buf_puts(b, " ("), dump_list(b, n->body);
    buf_puts(b, ") ("), dump_list(b, n->orelse), buf_puts(b, "))");
    break;
  case ND_WHILE: buf_puts(b, "(while "), dump(b, n->cond), dump_list(b, n->body), buf_puts(b, ")"); break;
  case ND_FOR:
    buf_puts(b, "(for");
    for (int i = 0; i < n->npragmas; i++)
      buf_puts(b, " #pragma");
    buf_puts(b, " "), dump(b, n->target), buf_puts(b, " "), dump(b, n->iter), dump_list(b, n->body);
    buf_puts(b, ")");
    break;
  case ND_BREAK: buf_puts(b, "break"); break;
  case ND_CONTINUE: buf_puts(b, "continue"); break;
  case ND_PASS: buf_puts(b, "pass"); break;
  case ND_RETURN: buf_puts(b, "(return "), dump(b, n->lhs), buf_puts(b, ")"); break;
  case ND_IGNORED: buf_puts(b, "ignored"); break;
  case ND_PYTHON: buf_printf(b, "(python %d-%d)", n->tok->line, n->end_line); break;
  case ND_RAISE: buf_printf(b, "(raise %s)", n->name); break;
  case ND_FUNCDEF: buf_printf(b, "(def %s", n->name), dump_list(b, n->params), buf_puts(b, ")"); break;
  }
}

// Parses src and returns the dump of the body of the first kernel, or the first diagnostic line.
static char *parse_dump(const char *src) {
  static char out[4096];
  Arena a = {0};
  Diags d = {.filename = "t.py", .src = src, .len = strlen(src)};
  TokenStream ts = tokenize(&a, &d);
  Module *m = d.nerrors ? NULL : parse(&a, &d, &ts, NULL);
  Buf b = {0};
  if (d.nerrors) {
    char *nl = strchr(d.out.data, '\n');
    buf_printf(&b, "%.*s", (int)(nl - d.out.data), d.out.data);
  } else {
    for (Node *f = m->funcs; f; f = f->next) {
      dump(&b, f);
      dump_list(&b, f->body);
      buf_puts(&b, f->next ? " | " : "");
    }
  }
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  buf_free(&b);
  buf_free(&d.out);
  arena_free(&a);
  return out;
}

static void check_file(const char *src, const char *want) {
  const char *got = parse_dump(src);
  checks++;
  if (strcmp(got, want)) {
    failures++;
    printf("FAIL\n  source: %s\n  want:   %s\n  got:    %s\n", src, want, got);
  } else {
    printf("ok   %s\n", want);
  }
}

// Checks a kernel body (indented lines) inside `def f(a, b)`.
static void check(const char *body, const char *want) {
  char src[2048];
  snprintf(src, sizeof src, "import appy\n@appy.jit\ndef f(a, b):\n%s\n", body);
  check_file(src, want);
}

// Source of kernel f(a, b) whose body is head, unit n times, then tail (malloc'd).
static char *kernel_of(const char *head, const char *unit, int n, const char *tail) {
  Buf b = {0};
  buf_printf(&b, "import appy\n@appy.jit\ndef f(a, b):\n%s", head);
  for (int i = 0; i < n; i++)
    buf_puts(&b, unit);
  buf_puts(&b, tail);
  return b.data;
}

// The body of f nested n blocks deep: `if a:` in `if a:` ..., then x = 1.
static char *nested_ifs(int n) {
  Buf b = {0};
  buf_puts(&b, "import appy\n@appy.jit\ndef f(a, b):\n");
  for (int i = 1; i <= n; i++)
    buf_printf(&b, "%*sif a:\n", 4 * i, "");
  buf_printf(&b, "%*sx = 1\n", 4 * (n + 1), "");
  return b.data;
}

// Issue 18's deep inputs crashed the parser or a later stage (unbounded recursion) or took
// quadratic time: each must be refused with its diagnostic, in linear time (well under a
// second; 2 s of CPU is the alarm). Takes src (malloc'd).
static void check_limit(const char *what, char *src, const char *want) {
  clock_t t0 = clock();
  const char *got = parse_dump(src);
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  checks++;
  if (strcmp(got, want) || secs > 2.0) {
    failures++;
    printf("FAIL %s (%.2f s)\n  want: %s\n  got:  %s\n", what, secs, want, got);
  } else {
    printf("ok   %s (%.3f s): %s\n", what, secs, want);
  }
  free(src);
}

int main(void) {
  // Precedence and associativity (python.gram).
  check("    x = a + b * 2", "(def f a b) (= x (+ a (* b 2)))");
  check("    x = a - b - 1", "(def f a b) (= x (- (- a b) 1))");
  check("    x = -a ** 2", "(def f a b) (= x (u- (** a 2)))");
  check("    x = a ** -b ** 2", "(def f a b) (= x (** a (u- (** b 2))))");
  check("    x = a // b % 3", "(def f a b) (= x (% (// a b) 3))");
  check("    x = a | b ^ a & b << 1", "(def f a b) (= x (| a (^ b (& a (<< b 1)))))");
  check("    x = not a < b and b or a", "(def f a b) (= x (or (and (not (cmp a < b)) b) a))");
  check("    x = 0 < a <= b < 9", "(def f a b) (= x (cmp 0 < a <= b < 9))");
  check("    x = a if a > b else b", "(def f a b) (= x (ifexp (cmp a > b) a b))");
  // Primaries.
  check("    x = a[i, j] + a[i][j]", "(def f a b) (= x (+ (idx a i j) (idx (idx a i) j)))");
  check("    x = a.shape[0] + len(b)", "(def f a b) (= x (+ (idx (. a shape) 0) (call len b)))");
  check("    x = np.zeros((n, m), dtype=np.float32)",
        "(def f a b) (= x (call (. np zeros) (tuple n m) (= dtype (. np float32))))");
  check("    x = a[1:-1, ::2]", "(def f a b) (= x (idx a (: 1 (u- 1) _) (: _ _ 2)))");
  // Statements.
  check("    a, b = b, a", "(def f a b) (= (tuple a b) (tuple b a))");
  check("    x = y = 0", "(def f a b) (= x y 0)");
  check("    a[i] += 1; b //= 2", "(def f a b) (+= (idx a i) 1) (//= b 2)");
  check("    return a, b", "(def f a b) (return (tuple a b))");
  check("    if a:\n        pass\n    elif b:\n        x = 1\n    else:\n        x = 2",
        "(def f a b) (if a ( pass) ( (if b ( (= x 1)) ( (= x 2)))))");
  check("    while a > 0:\n        a -= 1\n        if a == 3: break\n        continue",
        "(def f a b) (while (cmp a > 0) (-= a 1) (if (cmp a == 3) ( break) ()) continue)");
  check("    #pragma parallel for\n    for i in range(0, n, 2):\n        a[i] = 0",
        "(def f a b) (for #pragma i (call range 0 n 2) (= (idx a i) 0))");
  check("    \"\"\"doc\"\"\"\n    import math\n    x: float = 1.5",
        "(def f a b) ignored ignored (= x 1.5)");
  check("    x = (a +\n         b)  # continued", "(def f a b) (= x (+ a b))");
  // Code outside kernels is skipped, whatever it is.
  check_file("import numpy as np\nclass C:\n    def g(self): return {1: [x for x in y]}\n"
             "def plain(a):\n    print(a)\n@other\ndef h(): pass\n@jit\ndef k(x):\n    x[0] = 1\n",
             "(def k x) (= (idx x 0) 1)");
  check_file("@appy.jit(backend='triton')\ndef a(x): return x\n@appy.jit\ndef b(y):\n  return y\n",
             "(def a x) (return x) | (def b y) (return y)");
  // Errors point at the offending token.
  check("    x = (a +", "t.py:4:9: error: '(' was never closed");
  check("    x = a +* b", "t.py:4:12: error: expected an expression, found '*'");
  check("    x = [i for i in a]\n    #pragma parallel for\n    for i in range(3):\n"
        "        a[i] = [i for i in a]",
        "t.py:7:19: error: comprehensions are not supported in kernel functions");
  check("    #pragma parallel for\n    for i in range(3):\n        with a: pass",
        "t.py:6:9: error: 'with' is not supported inside kernel functions");
  check("    for i in range(3):\n        x = {}\n        for j in appy.prange(3):\n"
        "            pass",
        "(def f a b) (for i (call range 3) (python 5-5) (for j (call (. appy prange) 3) pass))");
  check("    with a:\n        #pragma parallel for\n        for i in range(3):\n            pass",
        "t.py:4:5: error: 'with' is not supported inside kernel functions");
  // Host statements outside the subset are kept as Python (outline.c decides).
  check("    with a: pass\n    x = [i for i in a]\n    b[0] = 1",
        "(def f a b) (python 4-4) (python 5-5) (= (idx b 0) 1)");
  check("    try:\n        x = a\n    except E:\n        pass\n    finally:\n        y = 2\n"
        "    for i in range(3):\n        pass\n    else:\n        pass\n    x = 1",
        "(def f a b) (python 4-9) (python 10-13) (= x 1)");
  check("    while a:\n        print(a, {1: 2})\n        a -= 1",
        "(def f a b) (while a (python 5-5) (-= a 1))");
  // Limits on nesting (issue 18): the sizes that crashed, and the last ones that pass.
  // Each error is at the 150th operator (column: its place on the line).
  const char *deep = "t.py:4:%d: error: expression too deeply nested (more than 150 levels)";
  char want[128], *closing = kernel_of("", ")", 160, "\n"), *ok = kernel_of("", "(u- ", 149, "a");
  const char *parens = closing + strlen("import appy\n@appy.jit\ndef f(a, b):\n");
  snprintf(want, sizeof want, deep, 9 + 149);
  check_limit("43,000 unary minus", kernel_of("    x = ", "-", 43000, "a\n"), want);
  snprintf(want, sizeof want, deep, 9 + 4 * 149);
  check_limit("43,000 not", kernel_of("    x = ", "not ", 43000, "a\n"), want);
  snprintf(want, sizeof want, deep, 11 + 5 * 149);
  check_limit("47,000 **", kernel_of("    x = a", " ** a", 47000, "\n"), want);
  // A chain (a + b + c ...) nests no deeper for its length, which has a limit of its own:
  // the error is at the 10,000th operator.
  const char *chain = "t.py:4:%d: error: expression too long (a chain of more than 10000 "
                      "operations)";
  snprintf(want, sizeof want, chain, 11 + 4 * 9999);
  check_limit("58,000 + terms", kernel_of("    x = a", " + a", 58000, "\n"), want);
  check_limit("20,000 + terms", kernel_of("    x = a", " + a", 20000, "\n"), want);
  snprintf(want, sizeof want, chain, 11 + 6 * 9999);
  check_limit("20,000 and", kernel_of("    x = a", " and a", 20000, "\n"), want);
  snprintf(want, sizeof want, deep, 11 + 12 * 149);
  check_limit("20,000 if-else", kernel_of("    x = a", " if b else a", 20000, "\n"), want);
  snprintf(want, sizeof want, deep, 9);   // where the callee starts
  check_limit("20,000 calls", kernel_of("    x = a", "()", 20000, "\n"), want);
  snprintf(want, sizeof want, deep, 9 + 4 * 149);
  check_limit("160 nested calls", kernel_of("    x = ", "abs(", 160, parens), want);
  snprintf(want, sizeof want, deep, 11 + 2 * 149);
  check_limit("20,000 attributes", kernel_of("    x = a", ".b", 20000, "\n"), want);
  snprintf(want, sizeof want, deep, 10 + 3 * 149);
  check_limit("20,000 subscripts", kernel_of("    x = a", "[0]", 20000, "\n"), want);
  snprintf(want, sizeof want, deep, 10 + 2 * 149);
  for (char *c = closing; *c; c++)
    *c = *c == ')' ? ']' : *c;
  check_limit("160 nested subscripts", kernel_of("    x = ", "a[", 160, parens), want);
  Buf b = {0};
  buf_printf(&b, "(def f a b) (= x %s", ok + strlen("import appy\n@appy.jit\ndef f(a, b):\n"));
  for (int i = 0; i < 150; i++)
    buf_puts(&b, ")");
  check_limit("149 unary minus pass", kernel_of("    x = ", "-", 149, "a\n"), b.data);
  buf_free(&b);
  free(closing);
  free(ok);
  check_limit("25,000 elif", kernel_of("    if a:\n        x = 1\n", "    elif a:\n        x = 1\n",
                                       25000, ""),
              "t.py:68:5: error: too many nested blocks (more than 32; each elif counts as one)");
  check_limit("33 nested blocks", nested_ifs(33),
              "t.py:36:133: error: too many nested blocks (more than 32; each elif counts as one)");
  // Names in kernels (issue 18): at most 1024 bytes; Python outside kernels has no limit.
  char *name = kernel_of("", "x", 100000, "");
  const char *x = name + strlen("import appy\n@appy.jit\ndef f(a, b):\n");
  check_limit("100,000-byte name", kernel_of("    for i in appy.prange(3):\n        ", x, 1, " = 1\n"),
              "t.py:5:9: error: name too long (100000 bytes; names in kernel functions have at "
              "most 1024)");
  check_limit("100,000-byte name in host code", kernel_of("    ", x, 1, " = 1\n"),
              "(def f a b) (python 4-4)");   // outline.c decides: no parallel loop, an error
  check_limit("1024-byte name", kernel_of("    a = ", x + 100000 - 1024, 1, "\n"), "(def f a b) (= a "
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxx)");
  Buf top = {0};
  buf_printf(&top, "%s = 1\n@%s\ndef g():\n    pass\n@appy.jit\ndef f(a):\n    a[0] = 1\n", x, x);
  check_limit("100,000-byte names outside kernels", top.data, "(def f a) (= (idx a 0) 1)");
  free(name);
  check("    x = a\n" "    if a:\n" "        x = 1\n" "    elif b:\n" "        x = 2\n",
        "(def f a b) (= x a) (if a ( (= x 1)) ( (if b ( (= x 2)) ())))");
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures != 0;
}
