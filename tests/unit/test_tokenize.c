/* test_tokenize.c: unit test of translator/tokenize.c.
 *
 *   test_tokenize [DIR]
 *
 * Checks each lexical rule on small inputs, the exact error messages, pragmas, that no
 * input (every prefix of a tricky sample, mutations of it) makes the tokenizer fail
 * to end its list or point outside the source, and its speed. With DIR, also tokenizes
 * every .py file under it (a Python standard library: the proof that any valid Python 3
 * file tokenizes), again with CRLF and CR line ends. Prints each check; exits 1 on any
 * failure. */
#define _POSIX_C_SOURCE 200809L
#include "translator.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int npass, nfail;
static Arena arena;
static Diags diags;
static double lex_secs;   // Time the last tokenize() took

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Tokenizes the first len bytes of src (copied, so that reading past them is caught by
// sanitizers) as "t.py". The result lives until the next call.
static TokenStream lex_n(const char *src, size_t len) {
  static char *copy;
  arena_free(&arena);
  buf_free(&diags.out);
  free(copy);
  copy = malloc(len + 1);
  memcpy(copy, src, len);
  copy[len] = '\0';
  diags = (Diags){.filename = "t.py", .src = copy, .len = len};
  double t0 = now();
  TokenStream ts = tokenize(&arena, &diags);
  lex_secs = now() - t0;
  return ts;
}

static TokenStream lex(const char *src) {
  return lex_n(src, strlen(src));
}

// src with line ends and control characters escaped, for printing.
static const char *show(const char *s, size_t len) {
  static char out[8][512];
  static int k;
  char *o = out[k++ % 8], *e = o + 500;
  for (size_t i = 0; i < len && o < e; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n')
      o += sprintf(o, "\\n");
    else if (c == '\r')
      o += sprintf(o, "\\r");
    else if (c == '\t')
      o += sprintf(o, "\\t");
    else if (c < ' ' || c == 0x7f)
      o += sprintf(o, "\\x%02x", c);
    else
      *o++ = (char)c;
  }
  *o = '\0';
  return out[(k - 1) % 8];
}

static void check(bool ok, const char *what, const char *got, const char *want) {
  if (ok) {
    npass++;
    printf("ok    %s => %s\n", what, got);
  } else {
    nfail++;
    printf("FAIL  %s => %s, expected %s\n", what, got, want);
  }
}

// Tokens as text: NAME, NUMBER, STRING and OP as written, the others as [NL] [IN] [DE],
// separated by spaces; the final TK_EOF is left out.
static const char *render(TokenStream ts) {
  static Buf b;
  buf_free(&b);
  buf_puts(&b, "");
  for (Token *t = ts.tokens; t && t->kind != TK_EOF; t = t->next) {
    if (b.len)
      buf_puts(&b, " ");
    if (t->kind == TK_NEWLINE)
      buf_puts(&b, "[NL]");
    else if (t->kind == TK_INDENT)
      buf_puts(&b, "[IN]");
    else if (t->kind == TK_DEDENT)
      buf_puts(&b, "[DE]");
    else
      buf_printf(&b, "%s", show(t->loc, (size_t)t->len));
  }
  return b.data;
}

static Token *last(TokenStream ts) {
  Token *t = ts.tokens;
  while (t && t->next)
    t = t->next;
  return t;
}

// src tokenizes without error into want (see render).
static void tokens(const char *src, const char *want) {
  TokenStream ts = lex(src);
  const char *got = diags.nerrors ? diags.out.data : render(ts);
  Token *end = last(ts);
  check(!diags.nerrors && end && end->kind == TK_EOF && !strcmp(got, want),
        show(src, strlen(src)), got, want);
}

// Each token's kind, as its initial: N(ame) 1(number) S(tring) O(p) $ > < E(of).
static void kinds(const char *src, const char *want) {
  TokenStream ts = lex(src);
  char got[256] = "";
  int n = 0;
  for (Token *t = ts.tokens; t && n < 250; t = t->next)
    got[n++] = "N1SO$><E"[t->kind];
  got[n] = '\0';
  check(!diags.nerrors && !strcmp(got, want), show(src, strlen(src)), got, want);
}

// src fails with want as the first line of the diagnostics, and the token list still
// ends in TK_EOF.
static void error_is(const char *src, size_t len, const char *want) {
  TokenStream ts = lex_n(src, len);
  char got[512] = "(no error)";
  if (diags.out.data)
    snprintf(got, sizeof got, "%.*s", (int)strcspn(diags.out.data, "\n"), diags.out.data);
  Token *end = last(ts);
  check(diags.nerrors == 1 && end && end->kind == TK_EOF && !strcmp(got, want),
        show(src, len), got, want);
}

static void error(const char *src, const char *want) {
  error_is(src, strlen(src), want);
}

static void test_lines(void) {
  printf("\n# logical lines, INDENT, DEDENT\n");
  tokens("x = 1\n", "x = 1 [NL]");
  tokens("x = 1", "x = 1 [NL]");
  tokens("", "");
  tokens("\n\n# only a comment\n   \n", "");
  tokens("if x:\n    y\nz\n", "if x : [NL] [IN] y [NL] [DE] z [NL]");
  tokens("if a:\n  if b:\n    c", "if a : [NL] [IN] if b : [NL] [IN] c [NL] [DE] [DE]");
  tokens("if a:\n\n  # c\n     \n  b\n", "if a : [NL] [IN] b [NL] [DE]");
  tokens("if a:\n    b\n  # c\n        # d\n    e\n", "if a : [NL] [IN] b [NL] e [NL] [DE]");
  tokens("x = (1,\n  2)\ny\n", "x = ( 1 , 2 ) [NL] y [NL]");
  tokens("d = {\n\n  'a': [1,\n# c\n 2],\n}\n", "d = { 'a' : [ 1 , 2 ] , } [NL]");
  tokens("x = 1 + \\\n    2\n", "x = 1 + 2 [NL]");
  tokens("if a:\n    \\\n  b\n", "if a : [NL] [IN] b [NL] [DE]");
  tokens("x = 1; y = 2\n", "x = 1 ; y = 2 [NL]");
  tokens("if a: b\n", "if a : b [NL]");
  tokens("if a:\n\tb\n\tc\n", "if a : [NL] [IN] b [NL] c [NL] [DE]");
  tokens("if a:\n\tb\n\t        c\n", "if a : [NL] [IN] b [NL] [IN] c [NL] [DE] [DE]");
  tokens("\fx = 1\n", "x = 1 [NL]");
  tokens("if a:\n    b\n    \f    c\n", "if a : [NL] [IN] b [NL] c [NL] [DE]");
  tokens("if a:\r\n    b\r\nc\r\n", "if a : [NL] [IN] b [NL] [DE] c [NL]");
  tokens("x\ry\r", "x [NL] y [NL]");
  tokens("\xEF\xBB\xBFx = 1\n", "x = 1 [NL]");
  kinds("if a:\n  b\n", "NNO$>N$<E");
  kinds("def f(): pass", "NNOOON$E");
}

static void test_names(void) {
  printf("\n# names and keywords\n");
  tokens("\xCE\xB1\xCE\xB2 = _x1 + caf\xC3\xA9\n", "\xCE\xB1\xCE\xB2 = _x1 + caf\xC3\xA9 [NL]");
  kinds("print(if_, None)", "NONONO$E");
  const char *kw[] = {"if", "None", "True", "False", "lambda", "nonlocal", "await", "yield"};
  const char *not_kw[] = {"match", "case", "type", "_", "print", "If", "none"};
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
    TokenStream ts = lex(kw[i]);
    check(tok_is_keyword(ts.tokens), kw[i], tok_is_keyword(ts.tokens) ? "keyword" : "name",
          "keyword");
  }
  for (size_t i = 0; i < sizeof not_kw / sizeof *not_kw; i++) {
    TokenStream ts = lex(not_kw[i]);
    check(!tok_is_keyword(ts.tokens), not_kw[i],
          tok_is_keyword(ts.tokens) ? "keyword" : "name", "name");
  }
  TokenStream ts = lex("'if'");
  check(!tok_is_keyword(ts.tokens), "'if'", "string", "string");
  ts = lex("a **= b");
  bool eq = tok_equal(ts.tokens->next, "**=") && !tok_equal(ts.tokens->next, "**");
  check(eq, "tok_equal(**=)", eq ? "equal" : "differs", "equal");
}

// Name src reads as want (its NFKC form, PEP 3131).
static void nfkc(const char *src, const char *want) {
  TokenStream ts = lex(src);
  Token *t = ts.tokens;
  const char *got = diags.nerrors ? diags.out.data
                    : t->kind != TK_NAME || t->next->kind != TK_NEWLINE ? "not one name"
                    : t->name ? t->name : "(ASCII, as written)";
  check(!strcmp(got, want), src, got, want);
}

static void test_unicode_names(void) {
  printf("\n# names past ASCII: NFKC (PEP 3131), XID, UTF-8\n");
  nfkc("\xEF\xBD\x81", "a");                                   // fullwidth a
  nfkc("\xEF\xBD\x81\xEF\xBD\x92\xEF\xBD\x92\xEF\xBD\x81\xEF\xBD\x99", "array");
  nfkc("\xEF\xAC\x81x", "fix");                                // U+FB01 ligature fi
  nfkc("caf\x65\xCC\x81", "caf\xC3\xA9");                    // e + combining acute: é
  nfkc("\xC2\xB5", "\xCE\xBC");                                 // micro sign: Greek mu
  nfkc("\xCF\x80", "\xCF\x80");                                 // pi stays pi
  nfkc("abc", "(ASCII, as written)");
  TokenStream ts = lex("\xEF\xBD\x89\xEF\xBD\x86");                    // fullwidth "if"
  bool name = !diags.nerrors && !tok_is_keyword(ts.tokens) && !tok_equal(ts.tokens, "if");
  check(name, "fullwidth if", name ? "a name, not the keyword" : "the keyword", "a name");
  ts = lex("\xEF\xBD\x90range");                                 // fullwidth p + "range"
  check(tok_equal(ts.tokens, "prange"), "fullwidth p + range", "equals prange", "equals prange");
  error("a\xE2\x82\xAC = 1", "t.py:1:2: error: invalid character '\xE2\x82\xAC' (U+20AC)");
  error("x\xE2\x80\x8B = 1", "t.py:1:2: error: invalid non-printable character U+200B");
  error("\xCC\x81" "b = 1", "t.py:1:1: error: invalid character '\xCC\x81' (U+0301)");
  error("ab\xFF = 1", "t.py:1:3: error: Non-UTF-8 code starting with '\\xff'");
  error("a\xC3 = 1", "t.py:1:2: error: Non-UTF-8 code starting with '\\xc3'");
}

// The number src has these attributes and values.
static void number(const char *src, bool is_float, bool is_imag, int64_t ival, double fval) {
  TokenStream ts = lex(src);
  Token *t = ts.tokens;
  char got[160], want[160];
  snprintf(want, sizeof want, "%s%s ival=%lld fval=%.17g", is_float ? "float" : "int",
           is_imag ? " imag" : "", (long long)ival, fval);
  if (diags.nerrors || t->kind != TK_NUMBER || t->len != (int)strlen(src)) {
    snprintf(got, sizeof got, "not one number: %s", render(ts));
  } else {
    snprintf(got, sizeof got, "%s%s ival=%lld fval=%.17g", t->is_float ? "float" : "int",
             t->is_imag ? " imag" : "", (long long)t->ival, t->fval);
  }
  check(!strcmp(got, want), src, got, want);
}

static void test_numbers(void) {
  printf("\n# numbers\n");
  number("0", false, false, 0, 0);
  number("00", false, false, 0, 0);
  number("0_0", false, false, 0, 0);
  number("123", false, false, 123, 123);
  number("1_000_000", false, false, 1000000, 1e6);
  number("0xff", false, false, 255, 255);
  number("0XfF", false, false, 255, 255);
  number("0x_ff", false, false, 255, 255);
  number("0o17", false, false, 15, 15);
  number("0O1_7", false, false, 15, 15);
  number("0b1010", false, false, 10, 10);
  number("0B_1", false, false, 1, 1);
  number("9223372036854775807", false, false, INT64_MAX, 9223372036854775807.0);
  number("9223372036854775808", false, false, INT64_MAX, 9223372036854775808.0);
  number("99999999999999999999999", false, false, INT64_MAX, 99999999999999999999999.0);
  number("0xffffffffffffffffffff", false, false, INT64_MAX, 1208925819614629174706175.0);
  number("1.", true, false, 0, 1.0);
  number(".5", true, false, 0, 0.5);
  number("0.1", true, false, 0, 0.1);
  number("1e-3", true, false, 0, 1e-3);
  number("1E5", true, false, 0, 1e5);
  number("1_000.5e+2", true, false, 0, 100050.0);
  number("00.5", true, false, 0, 0.5);
  number("012.5", true, false, 0, 12.5);
  number("012e1", true, false, 0, 120.0);
  number("1e500", true, false, 0, HUGE_VAL);
  number("1j", false, true, 0, 1.0);
  number("07j", false, true, 0, 7.0);
  number("1.5J", true, true, 0, 1.5);
  number("1e3j", true, true, 0, 1000.0);
}

static void test_number_ends(void) {
  printf("\n# where numbers end, and their errors\n");
  tokens("1if x else 2", "1 if x else 2 [NL]");
  tokens("0x1for", "0x1f or [NL]");
  tokens("1else", "1 else [NL]");
  tokens("1..real", "1. . real [NL]");
  tokens("x[1:2]", "x [ 1 : 2 ] [NL]");
  tokens("1 .real", "1 . real [NL]");
  tokens("...", "... [NL]");
  error("1_", "t.py:1:2: error: invalid decimal literal");
  error("1__0", "t.py:1:2: error: invalid decimal literal");
  error("1_e3", "t.py:1:2: error: invalid decimal literal");
  error("1e+", "t.py:1:3: error: invalid decimal literal");
  error("1abc", "t.py:1:2: error: invalid decimal literal");
  error("0x", "t.py:1:2: error: invalid hexadecimal literal");
  error("0x_", "t.py:1:3: error: invalid hexadecimal literal");
  error("0xfg", "t.py:1:4: error: invalid hexadecimal literal");
  error("0o8", "t.py:1:3: error: invalid digit '8' in octal literal");
  error("0o1_9", "t.py:1:5: error: invalid digit '9' in octal literal");
  error("0b2", "t.py:1:3: error: invalid digit '2' in binary literal");
  error("0b", "t.py:1:2: error: invalid binary literal");
  error("x = 012", "t.py:1:5: error: leading zeros in decimal integer literals are not "
                   "permitted; use an 0o prefix for octal integers");
  error("1.__class__", "t.py:1:3: error: invalid decimal literal");
}

static void test_strings(void) {
  printf("\n# strings\n");
  kinds("'a' \"b\" '''c\nd''' \"\"\"e\"\"\"", "SSSS$E");
  tokens("x = '''a\nb''' + y\n", "x = '''a\\nb''' + y [NL]");
  tokens("r'x' u'x' b'x' br'x' Rb'x' BR'x' f'x' fR'x' Rf'x' F'x' rB\"x\"",
         "r'x' u'x' b'x' br'x' Rb'x' BR'x' f'x' fR'x' Rf'x' F'x' rB\"x\" [NL]");
  tokens("ub'x' bf'x' ur'x' rr'x' abc'x'", "ub 'x' bf 'x' ur 'x' rr 'x' abc 'x' [NL]");
  tokens("'a\\'b' \"a\\\"b\"", "'a\\'b' \"a\\\"b\" [NL]");
  tokens("'a\\\nb'", "'a\\\\nb' [NL]");
  tokens("r'\\'' r\"\\\"\" '\\\\'", "r'\\'' r\"\\\"\" '\\\\' [NL]");
  tokens("''''\"'''", "''''\"''' [NL]");
  tokens("'' \"\"", "'' \"\" [NL]");
  tokens("'#pragma not one'", "'#pragma not one' [NL]");
  tokens("'a\\\r\nb'", "'a\\\\r\\nb' [NL]");
}

static void test_fstrings(void) {
  printf("\n# f-strings (Python 3.12)\n");
  tokens("f\"{x[\"a\"]:{w}}\"", "f\"{x[\"a\"]:{w}}\" [NL]");
  tokens("f'{\"{\"}'", "f'{\"{\"}' [NL]");
  tokens("f\"{f\"{f\"{x}\"}\"}\"", "f\"{f\"{f\"{x}\"}\"}\" [NL]");
  tokens("f'{{literal}}' f'}}'", "f'{{literal}}' f'}}' [NL]");
  tokens("f\"{x!r:>{width}}\"", "f\"{x!r:>{width}}\" [NL]");
  tokens("f\"{x = }\" f\"{x!=y}\"", "f\"{x = }\" f\"{x!=y}\" [NL]");
  tokens("f\"{'a' if x else 'b'}\"", "f\"{'a' if x else 'b'}\" [NL]");
  tokens("f\"{ {'a': 1}['a'] }\"", "f\"{ {'a': 1}['a'] }\" [NL]");
  tokens("f\"{x:=5}\" f\"{(x:=5)}\"", "f\"{x:=5}\" f\"{(x:=5)}\" [NL]");
  tokens("f\"\\N{BULLET} {x}\"", "f\"\\N{BULLET} {x}\" [NL]");
  tokens("rf\"\\N{x}\" f'\\{x}'", "rf\"\\N{x}\" f'\\{x}' [NL]");
  tokens("f'{a}' f'{b}'", "f'{a}' f'{b}' [NL]");
  tokens("f'''{\nx # comment\n:>{w}}'''", "f'''{\\nx # comment\\n:>{w}}''' [NL]");
  tokens("f\"{', '.join([\n  'a',  # c\n  'b'])}\"", "f\"{', '.join([\\n  'a',  # c\\n  'b'])}\" [NL]");
  tokens("f'{x:{\"}\"}}'", "f'{x:{\"}\"}}' [NL]");
  tokens("f'''a\n{b}\nc''' + d", "f'''a\\n{b}\\nc''' + d [NL]");
}

static void test_string_errors(void) {
  printf("\n# string errors\n");
  error("'abc\n", "t.py:1:1: error: unterminated string literal");
  error("x = b'abc", "t.py:1:6: error: unterminated string literal");
  error("x = '''abc\n\n", "t.py:1:5: error: unterminated triple-quoted string literal");
  error("y\nx = \"\"\"abc\"\"", "t.py:2:5: error: unterminated triple-quoted string literal");
  error("'abc\\", "t.py:1:1: error: unterminated string literal");
  error("f'abc", "t.py:1:2: error: unterminated string literal");
  error("f'{x}\n'", "t.py:1:2: error: unterminated string literal");
  error("f'{x'", "t.py:1:5: error: unterminated string literal");
  error("f\"{x}}\"", "t.py:1:6: error: f-string: single '}' is not allowed");
  error("f'{x:abc'", "t.py:1:9: error: f-string: expecting '}'");
  error("f'{x)}'", "t.py:1:5: error: f-string: unmatched ')'");
}

static void test_operators(void) {
  printf("\n# operators and delimiters\n");
  tokens("a **= b //= c >>= d <<= e -> f := g ... h != i @= j == k <= l >= m",
         "a **= b //= c >>= d <<= e -> f := g ... h != i @= j == k <= l >= m [NL]");
  tokens("a<<b>>c**d//e+=f-=g*=h/=i%=j&=k|=l^=m",
         "a << b >> c ** d // e += f -= g *= h /= i %= j &= k |= l ^= m [NL]");
  tokens("~a^b|c&d@e<f>g=h.i,j:k;l+m-n*o/p%q!r",
         "~ a ^ b | c & d @ e < f > g = h . i , j : k ; l + m - n * o / p % q ! r [NL]");
  tokens("a->b...c", "a -> b ... c [NL]");
  tokens("x[::2]", "x [ : : 2 ] [NL]");
  kinds("(a) [b] {c}", "ONOONOONO$E");
  error("a $ b", "t.py:1:3: error: invalid character '$'");
  error("a ? b", "t.py:1:3: error: invalid character '?'");
  error("a = `b`", "t.py:1:5: error: invalid character '`'");
  error("x\x01", "t.py:1:2: error: invalid non-printable character U+0001");
  error("x = 1)\n", "t.py:1:6: error: unmatched ')'");
  error("}", "t.py:1:1: error: unmatched '}'");
  error("(]", "t.py:1:2: error: closing parenthesis ']' does not match opening parenthesis '('");
  error("(\n]", "t.py:2:1: error: closing parenthesis ']' does not match opening "
                "parenthesis '(' on line 1");
  error("f(1,\n  [2", "t.py:2:3: error: '[' was never closed");
  error("x \\ y", "t.py:1:3: error: unexpected character after line continuation character");
  error("x = \\", "t.py:1:6: error: unexpected EOF while parsing");
  error("x = \\\n", "t.py:2:1: error: unexpected EOF while parsing");
  error_is("x\0y", 3, "t.py:1:2: error: source code cannot contain null bytes");
  error_is("'x\0y'", 5, "t.py:1:3: error: source code cannot contain null bytes");
}

static void test_indent_errors(void) {
  printf("\n# indentation errors\n");
  error("if a:\n    b\n  c\n", "t.py:3:3: error: unindent does not match any outer indentation "
                                "level");
  error("if a:\n\tb\n      c\n", "t.py:3:7: error: unindent does not match any outer "
                                  "indentation level");
  error("if a:\n\tb\n        c\n", "t.py:3:9: error: inconsistent use of tabs and spaces in "
                                    "indentation");
  static char deep[101 * 107 + 1];
  char *p = deep;
  for (int i = 0; i <= 100; i++)
    p += sprintf(p, "%*sif a:\n", i, "");
  error(deep, "t.py:101:101: error: too many levels of indentation");
  static char nest[300];
  memset(nest, '(', 250);
  error(nest, "t.py:1:201: error: too many nested parentheses");
}

// Renders the pragma list: text|appy-or-pragma|line:col|own-line-or-trailing.
static const char *render_pragmas(TokenStream ts) {
  static Buf b;
  buf_free(&b);
  buf_puts(&b, "");
  for (Pragma *pr = ts.pragmas; pr; pr = pr->next)
    buf_printf(&b, "%s[%s|%s|%d:%d|%s]", b.len ? " " : "", pr->text,
               pr->is_appy ? "appy" : "pragma", pr->line, pr->col,
               pr->own_line ? "own" : "trailing");
  return b.data;
}

static void pragmas(const char *src, const char *want) {
  TokenStream ts = lex(src);
  const char *got = render_pragmas(ts);
  check(!diags.nerrors && !strcmp(got, want), show(src, strlen(src)), got, want);
}

static void test_pragmas(void) {
  printf("\n# pragmas\n");
  pragmas("#pragma parallel for\nfor i in x:\n    y = 1  # appy: simd  \n",
          "[parallel for|pragma|1:1|own] [simd|appy|3:12|trailing]");
  pragmas("def f():\n    # pragma   omp  x \n    #appy:export\n",
          "[omp  x|pragma|2:5|own] [export|appy|3:5|own]");
  pragmas("#pragmatic\n# pragma: no cover\n# appy x\n'#pragma s'\n", "");
  pragmas("x = [1,\n  #pragma inside\n]\n", "[inside|pragma|2:3|own]");
  pragmas("#pragma\r\n\t#  pragma  a b\r\n", "[|pragma|1:1|own] [a b|pragma|2:2|own]");
  pragmas("f'{x # pragma no\n}'\n#pragma yes", "[yes|pragma|3:1|own]");
  tokens("#pragma parallel for\nfor i in x: pass\n", "for i in x : pass [NL]");
}

// Line, column and at_bol of the i-th token of src.
static void position(const char *src, int i, int line, int col, bool at_bol) {
  TokenStream ts = lex(src);
  Token *t = ts.tokens;
  while (t && i-- > 0)
    t = t->next;
  char got[96] = "(no token)", want[96], what[600];
  if (t)
    snprintf(got, sizeof got, "'%s' %d:%d%s", show(t->loc, (size_t)t->len), t->line, t->col,
             t->at_bol ? " bol" : "");
  snprintf(want, sizeof want, "%d:%d%s", line, col, at_bol ? " bol" : "");
  snprintf(what, sizeof what, "%s token", show(src, strlen(src)));
  check(t && !diags.nerrors && t->line == line && t->col == col && t->at_bol == at_bol, what,
        got, want);
}

static void test_positions(void) {
  printf("\n# positions\n");
  const char *src = "def f():\n    return (a +\n            b)\n";
  position(src, 0, 1, 1, true);     // def
  position(src, 5, 1, 9, false);    // NEWLINE
  position(src, 6, 2, 1, false);    // INDENT
  position(src, 7, 2, 5, true);     // return
  position(src, 9, 2, 13, false);   // a
  position(src, 11, 3, 13, false);  // b
  position(src, 13, 3, 15, false);  // NEWLINE
  position(src, 14, 4, 1, false);   // DEDENT
  position(src, 15, 4, 1, false);   // EOF
  position("x = '''a\nb''' + y", 4, 2, 8, false);   // y
  position("a\r\n  b = (1,\r\n 2)", 3, 2, 3, true);   // b
  position("\xEF\xBB\xBFx", 0, 1, 1, true);
  position("x = 1", 3, 1, 6, false);   // NEWLINE at the end without a line end
  TokenStream ts = lex("a\r\nb");
  check(ts.tokens->next->len == 2, "CRLF NEWLINE length", ts.tokens->next->len == 2 ? "2" : "?",
        "2");
  ts = lex("if a:\n  b\n");
  check(ts.tokens->next->next->next->next->len == 2, "INDENT text", "2 bytes", "2 bytes");
}

static void test_diagnostic(void) {
  printf("\n# rendered diagnostic\n");
  lex("x = 1\ny = a $ b\n");
  const char *want = "t.py:2:7: error: invalid character '$'\n"
                     "    2 | y = a $ b\n"
                     "      |       ^\n";
  check(diags.out.data && !strcmp(diags.out.data, want), "caret under the column",
        diags.out.data ? show(diags.out.data, diags.out.len) : "(none)", show(want, strlen(want)));
}

// Every token lies within the source, the list ends in TK_EOF, at most one error.
static bool sane(TokenStream ts) {
  const char *lo = diags.src, *hi = diags.src + diags.len;
  Token *t = ts.tokens;
  for (; t && t->next; t = t->next)
    if (t->loc < lo || t->loc + t->len > hi || t->len < 0)
      return false;
  return t && t->kind == TK_EOF && t->loc >= lo && t->loc <= hi && diags.nerrors <= 1;
}

static const char sample[] =
    "\xEF\xBB\xBF#!/usr/bin/env python3\n"
    "# appy: export f\r\n"
    "import numpy as np\n"
    "@appy.jit(\"f(float64[:], int64)\")\n"
    "def f(a, n):\n"
    "\t#pragma parallel for reduction(+:s)\n"
    "\tfor i in range(0x_1f, 0o17, 0b1_0):\n"
    "\t\ts = a[i] ** 2 // 3 >> 1 if i else 1.5e-3j + .5 + 1_000.\n"
    "\t\tt = f\"{a[\"k\"]!r:>{w}} {{x}} \\N{BULLET} {f'{n=}'}\" rb'\\x00' '''m\n"
    "\\\n"
    "l''' \"q\\\"\" \\\n"
    "\t\t\t+ [1,\n"
    "\f  # c\n"
    "\t\t\t2]\r"
    "\treturn s  # pragma omp\n"
    "class C:\n"
    "    x: int = ...  ;  y := -> @= != ~\n";

// The sample, and the sample cut at every length, as an editor's unsaved buffer may be.
static void test_prefixes(void) {
  printf("\n# the sample and its prefixes\n");
  TokenStream ts = lex_n(sample, sizeof sample - 1);
  check(!diags.nerrors && sane(ts), "sample", diags.nerrors ? diags.out.data : "tokenized",
        "tokenized");
  int bad = 0, errs = 0;
  for (size_t n = 0; n < sizeof sample; n++) {
    ts = lex_n(sample, n);
    bad += !sane(ts);
    errs += diags.nerrors;
  }
  char got[64];
  snprintf(got, sizeof got, "%d insane of %zu (%d with an error)", bad, sizeof sample, errs);
  check(bad == 0, "every prefix of the sample", got, "0 insane");
}

// The sample with three bytes replaced by troublesome ones, cut at a random length.
static void test_mutations(void) {
  printf("\n# mutations\n");
  static const char bytes[] = "\0\n\r\\'\"{}()[]#:!=x0.e_j\t\f\x80$";
  char buf[sizeof sample], got[64];
  unsigned seed = 12345;
  int bad = 0;
  for (int i = 0; i < 20000; i++) {
    memcpy(buf, sample, sizeof sample);
    for (int k = 0; k < 3; k++) {
      seed = seed * 1103515245u + 12345u;
      size_t at = (seed >> 8) % (sizeof sample - 1);
      buf[at] = bytes[(seed >> 20) % (sizeof bytes - 1)];
    }
    seed = seed * 1103515245u + 12345u;
    bad += !sane(lex_n(buf, (seed >> 8) % sizeof sample));
  }
  snprintf(got, sizeof got, "%d insane of 20000", bad);
  check(bad == 0, "mutated samples", got, "0 insane");
}

static void test_speed(void) {
  printf("\n# speed\n");
  static const char chunk[] =
      "@appy.jit\n"
      "def saxpy_%d(a, x, y, n):\n"
      "    \"\"\"y = a*x + y.\"\"\"\n"
      "    #pragma parallel for simd\n"
      "    for i in range(n):\n"
      "        y[i] = a * x[i] + y[i]  # fused\n"
      "    s = 0.0\n"
      "    for i in prange(n):\n"
      "        s += x[i] ** 2 - 1.5e-3 * (y[i] // 2)\n"
      "    return s\n";
  Buf src = {0};
  for (int i = 0; i < 20; i++)
    buf_printf(&src, chunk, i);
  int runs = 2000, ntok = 0;
  double secs = 0;
  for (int i = 0; i < runs; i++) {
    ntok = 0;
    for (Token *t = lex_n(src.data, src.len).tokens; t; t = t->next)
      ntok++;
    secs += lex_secs;
  }
  double us = secs / runs * 1e6;
  char got[96];
  snprintf(got, sizeof got, "%.1f us per 200 lines (%d tokens)", us, ntok);
  check(us < 1000 && !diags.nerrors, "tokenize 200 lines", got, "well under 1000 us");
  buf_free(&src);
}

//
// Standard library round trip
//

// Files under a Python library that are not valid Python 3, each with the reason.
static const char *invalid_files[][2] = {
  {"lib2to3/tests/data/py2_test_grammar.py", "Python 2 test data for lib2to3"},
  {"test/test_lib2to3/data/py2_test_grammar.py", "Python 2 test data for lib2to3"},
};

static const char *invalid_reason(const char *path) {
  for (size_t i = 0; i < sizeof invalid_files / sizeof *invalid_files; i++) {
    size_t n = strlen(path), m = strlen(invalid_files[i][0]);
    if (n > m && path[n - m - 1] == '/' && !strcmp(path + n - m, invalid_files[i][0]))
      return invalid_files[i][1];
  }
  return NULL;
}

typedef struct {
  int files, skipped, failed, lines, converted;
  double secs;
} Walk;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  Buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_printf(&b, "%.*s", (int)n, chunk);
  fclose(f);
  *len = b.len;
  return b.data ? b.data : calloc(1, 1);
}

// Copy of src with each "\n" replaced by eol.
static char *convert(const char *src, size_t len, const char *eol, size_t *out) {
  char *s = malloc(len * 2 + 1), *o = s;
  for (size_t i = 0; i < len; i++)
    if (src[i] == '\n')
      o += sprintf(o, "%s", eol);
    else
      *o++ = src[i];
  *o = '\0';
  *out = (size_t)(o - s);
  return s;
}

// Kind, line and column of each token, to compare line-end conventions.
static char *shape(TokenStream ts) {
  Buf b = {0};
  buf_puts(&b, "");
  for (Token *t = ts.tokens; t; t = t->next)
    buf_printf(&b, "%d:%d:%d ", t->kind, t->line, t->col);
  return b.data;
}

// Tokenizes src again with CRLF and with CR line ends: same kinds and positions.
static bool same_with_other_eols(const char *src, size_t len) {
  if (memchr(src, '\r', len))
    return true;
  char *want = shape(lex_n(src, len));
  bool ok = true;
  for (int i = 0; i < 2; i++) {
    size_t n;
    char *conv = convert(src, len, i ? "\r" : "\r\n", &n);
    char *got = shape(lex_n(conv, n));
    ok &= !diags.nerrors && !strcmp(got, want);
    free(got);
    free(conv);
  }
  free(want);
  return ok;
}

static void check_file(const char *path, Walk *w) {
  const char *reason = invalid_reason(path);
  if (reason) {
    w->skipped++;
    printf("skip  %s: %s\n", path, reason);
    return;
  }
  size_t len;
  char *src = read_file(path, &len);
  if (!src) {
    nfail++, w->failed++;
    printf("FAIL  %s: cannot read\n", path);
    return;
  }
  TokenStream ts = lex_n(src, len);
  w->secs += lex_secs;
  w->files++;
  for (const char *p = src; (p = memchr(p, '\n', len - (size_t)(p - src))); p++)
    w->lines++;
  if (diags.nerrors || !sane(ts)) {
    nfail++, w->failed++;
    printf("FAIL  %s:\n%s", path, diags.out.data ? diags.out.data : "bad token list\n");
  } else if (!memchr(src, '\r', len) && !same_with_other_eols(src, len)) {
    nfail++, w->failed++;
    printf("FAIL  %s: differs with CRLF or CR line ends\n", path);
  } else {
    npass++;
    w->converted += !memchr(src, '\r', len);
  }
  free(src);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

// Visits the .py files under dir in name order; symbolic links to directories are not
// followed (no loops), links to files are.
static void walk(const char *dir, Walk *w) {
  DIR *d = opendir(dir);
  if (!d) {
    nfail++;
    printf("FAIL  cannot open directory %s\n", dir);
    return;
  }
  char **names = NULL;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
      continue;
    names = realloc(names, (n + 1) * sizeof *names);
    names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
    sprintf(names[n++], "%s/%s", dir, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st, lst;
    size_t len = strlen(names[i]);
    if (lstat(names[i], &lst) == 0 && S_ISDIR(lst.st_mode))
      walk(names[i], w);
    else if (len > 3 && !strcmp(names[i] + len - 3, ".py") && stat(names[i], &st) == 0 &&
             S_ISREG(st.st_mode))
      check_file(names[i], w);
    free(names[i]);
  }
  free(names);
}

static void test_library(const char *dir) {
  printf("\n# every .py file under %s\n", dir);
  Walk w = {0};
  walk(dir, &w);
  printf("%d files (%d lines) tokenized in %.1f ms, %.2f us per 200 lines; %d failed; "
         "%d also checked with CRLF and CR line ends; %d skipped as not Python 3\n",
         w.files, w.lines, w.secs * 1e3, w.secs * 1e6 / (w.lines / 200.0), w.failed,
         w.converted, w.skipped);
  if (w.files < 100) {
    nfail++;
    printf("FAIL  only %d files under %s: expected a Python standard library\n", w.files, dir);
  }
}

int main(int argc, char **argv) {
  test_lines();
  test_names();
  test_unicode_names();
  test_numbers();
  test_number_ends();
  test_strings();
  test_fstrings();
  test_string_errors();
  test_operators();
  test_indent_errors();
  test_pragmas();
  test_positions();
  test_diagnostic();
  test_prefixes();
  test_mutations();
  test_speed();
  if (argc > 1)
    test_library(argv[1]);
  else
    printf("\n# no directory given: standard library round trip not run\n");
  lex("");
  arena_free(&arena);
  buf_free(&diags.out);
  printf("\n%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
