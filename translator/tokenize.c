/* tokenize.c: Python source text -> Token list, following CPython 3.12's tokenizer.
 *
 * Any valid Python file tokenizes without error, since code outside kernel functions
 * is tokenized and skipped, never rejected. Physical lines are joined into logical
 * lines (NEWLINE), indentation becomes INDENT / DEDENT, and comments vanish except
 * "#pragma" and "# appy:" ones, which are kept as Pragma records. A whole string
 * literal, an f-string with its replacement fields included, is one token.
 * The first lexical error is reported and ends the list: tokens so far, then TK_EOF. */
#include "translator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

enum {
  MAXINDENT = 100,   // Indentation levels, as CPython
  MAXLEVEL = 200,    // Nested brackets, as CPython
  MAXFNEST = 150,    // Nested f-string replacement fields, as CPython
  TABSIZE = 8,       // Tab stops for indentation
};

typedef struct {
  Arena *arena;               // Token and pragma storage
  Diags *diags;               // Error reports
  const char *p;              // Next byte to scan
  const char *end;            // End of the source (a NUL is there)
  const char *bol;            // Start of the physical line of p
  int line;                   // Line of p
  bool atbol;                 // p starts a physical line (outside any string)
  bool pending;               // Tokens seen since the last NEWLINE
  bool failed;                // An error was reported
  int indents[MAXINDENT];     // Indentation columns, tabs to multiples of 8
  int altindents[MAXINDENT];  // The same with a tab as one column
  int nindents;               // Top of both stacks
  char brackets[MAXLEVEL];    // Open brackets, innermost last
  int bline[MAXLEVEL];        // Line of each open bracket
  int bcol[MAXLEVEL];         // Column of each open bracket
  int depth;                  // Number of open brackets
  int fnest;                  // Open f-string replacement fields
  Token *tok;                 // Last token
  Pragma *pragma;             // Last pragma
} Lexer;

// How a string literal is delimited, for scanning its body.
typedef struct {
  char quote;      // ' or "
  bool triple;     // Triple-quoted
  bool raw;        // r prefix: no named escapes in f-strings
  int line, col;   // Position of the opening quote
} StrCtx;

static const char *fstring_field(Lexer *L, const char *p, const StrCtx *s);

static int col_of(const Lexer *L, const char *p) {
  return (int)(p - L->bol) + 1;
}

static void verror(Lexer *L, int line, int col, const char *fmt, va_list ap) {
  if (!L->failed)   // Later errors would only be consequences of the first
    diag_vat(L->diags, DIAG_ERROR, line, col, fmt, ap);
  L->failed = true;
}

// Reports an error at line:col and returns NULL, for "return error(...)".
static void *error(Lexer *L, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void *error(Lexer *L, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(L, line, col, fmt, ap);
  va_end(ap);
  return NULL;
}

// Reports an error at p, which lies on the current line, and returns NULL.
static void *error_here(Lexer *L, const char *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void *error_here(Lexer *L, const char *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(L, L->line, col_of(L, p), fmt, ap);
  va_end(ap);
  return NULL;
}

static bool is_eol(char c) {
  return c == '\n' || c == '\r';
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// identifier ::= id_start id_continue*. Every byte >= 0x80 counts as a letter: only
// ASCII needs classifying to find where a name ends.
static bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (unsigned char)c >= 0x80;
}

static bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

static bool has_non_ascii(const char *p, const char *end) {
  for (; p < end; p++)
    if ((unsigned char)*p >= 0x80)
      return true;
  return false;
}

// A physical line ends at "\n", "\r\n" or "\r". Steps over the end at p.
static const char *next_line(Lexer *L, const char *p) {
  p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
  L->line++;
  L->bol = p;
  return p;
}

// A NUL byte ends the source only where the source ends.
static void *null_byte(Lexer *L, const char *p) {
  return error_here(L, p, "source code cannot contain null bytes");
}

static Token *push(Lexer *L, TokenKind kind, const char *start, const char *end, int line,
                   int col) {
  Token *t = arena_alloc(L->arena, sizeof(Token));
  t->kind = kind;
  t->loc = start;
  t->len = (int)(end - start);
  t->line = line;
  t->col = col;
  L->tok = L->tok->next = t;
  return t;
}

//
// Comments, pragmas, line joining
//

// Matches, after '#' and optional blanks, "pragma" ended by a blank or the comment's
// end ("# pragma: no cover" is not one), or "appy:". Returns the text after it or NULL.
static const char *pragma_marker(const char *p, bool *is_appy) {
  p++;
  while (*p == ' ' || *p == '\t')
    p++;
  *is_appy = !strncmp(p, "appy:", 5);
  if (*is_appy)
    return p + 5;
  if (!strncmp(p, "pragma", 6) && (is_space(p[6]) || is_eol(p[6]) || p[6] == '\0'))
    return p + 6;
  return NULL;
}

static void add_pragma(Lexer *L, const char *hash, const char *text, const char *end,
                       bool is_appy) {
  while (text < end && is_space(*text))
    text++;
  while (end > text && is_space(end[-1]))
    end--;
  Pragma *pr = arena_alloc(L->arena, sizeof(Pragma));
  pr->text = arena_strndup(L->arena, text, (size_t)(end - text));
  pr->is_appy = is_appy;
  pr->line = L->line;
  pr->col = col_of(L, hash);
  pr->text_col = col_of(L, text);
  pr->own_line = true;
  for (const char *q = L->bol; q < hash; q++)
    pr->own_line &= is_space(*q);
  L->pragma = L->pragma->next = pr;
}

// comment ::= "#" (any character but a line end)*
static const char *comment_end(const char *p) {
  while (*p && !is_eol(*p))
    p++;
  return p;
}

// A comment, recorded if it is a pragma.
static const char *comment(Lexer *L, const char *p) {
  const char *end = comment_end(p);
  bool is_appy;
  const char *text = pragma_marker(p, &is_appy);
  if (text)
    add_pragma(L, p, text, end, is_appy);
  return end;
}

// Explicit line joining: a backslash ending a physical line joins the next one to it,
// which must exist.
static const char *continuation(Lexer *L, const char *p) {
  if (p[1] == '\0' && p + 1 == L->end)
    return error_here(L, p + 1, "unexpected EOF while parsing");
  if (!is_eol(p[1]))
    return error_here(L, p, "unexpected character after line continuation character");
  p = next_line(L, p + 1);
  return p == L->end ? error_here(L, p, "unexpected EOF while parsing") : p;
}

//
// Indentation
//

// Pops indentation levels deeper than col, one DEDENT each; col must be a level.
static void dedent_to(Lexer *L, const char *p, int col, int alt) {
  while (L->nindents > 0 && col < L->indents[L->nindents]) {
    L->nindents--;
    push(L, TK_DEDENT, p, p, L->line, col_of(L, p));
  }
  if (col != L->indents[L->nindents])
    error_here(L, p, "unindent does not match any outer indentation level");
  else if (alt != L->altindents[L->nindents])
    error_here(L, p, "inconsistent use of tabs and spaces in indentation");
}

// Compares the indentation of a logical line with the stack: deeper pushes a level
// (INDENT), shallower pops back to an existing one (DEDENTs). alt, the column with a
// tab as one space, must order levels the same way, else their meaning would depend
// on the tab size (CPython's TabError).
static void indent_to(Lexer *L, const char *p, int col, int alt) {
  int top = L->nindents;
  if (col < L->indents[top]) {
    dedent_to(L, p, col, alt);
  } else if (col == L->indents[top]) {
    if (alt != L->altindents[top])
      error_here(L, p, "inconsistent use of tabs and spaces in indentation");
  } else if (top + 1 >= MAXINDENT) {
    error_here(L, p, "too many levels of indentation");
  } else if (alt <= L->altindents[top]) {
    error_here(L, p, "inconsistent use of tabs and spaces in indentation");
  } else {
    L->nindents++;
    L->indents[top + 1] = col;
    L->altindents[top + 1] = alt;
    push(L, TK_INDENT, L->bol, p, L->line, 1);
  }
}

// Leading whitespace of a physical line: a space counts 1, a tab moves to the next
// multiple of 8, a form feed resets the count. A backslash continuation within it fixes
// the level at the column of the first backslash. Blank lines (only whitespace and
// maybe a comment) and lines inside brackets leave the indentation alone.
static void indentation(Lexer *L) {
  const char *p = L->p;
  int col = 0, alt = 0, cont = 0;
  for (;; p++) {
    if (*p == ' ') {
      col++, alt++;
    } else if (*p == '\t') {
      col = (col / TABSIZE + 1) * TABSIZE;
      alt++;
    } else if (*p == '\f') {
      col = alt = 0;
    } else if (*p == '\\') {
      cont = cont ? cont : col;
      const char *q = continuation(L, p);
      if (!q)
        break;
      p = q - 1;
    } else {
      break;
    }
  }
  L->p = p;
  bool blank = *p == '#' || is_eol(*p) || *p == '\0';
  if (!L->failed && !blank && L->depth == 0)
    indent_to(L, p, cont ? cont : col, cont ? cont : alt);
}

//
// Numbers
//

static const char *base_name(int base) {
  return base == 16 ? "hexadecimal" : base == 8 ? "octal" : base == 2 ? "binary" : "decimal";
}

static int radix(char c) {
  c |= 0x20;
  return c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
}

static bool is_base_digit(char c, int base) {
  if (base == 16)
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
  return c >= '0' && c < '0' + base;
}

// digitpart ::= digit (["_"] digit)*, or (["_"] digit)+ after a base prefix.
// Reports a stray '_' and a decimal digit too large for octal or binary.
static const char *digits(Lexer *L, const char *p, int base) {
  do {
    if (*p == '_')
      p++;
    while (is_base_digit(*p, base))
      p++;
  } while (*p == '_' && is_base_digit(p[-1], base));
  if ((base == 8 || base == 2) && is_digit(*p))
    return error_here(L, p, "invalid digit '%c' in %s literal", *p, base_name(base));
  if (!is_base_digit(p[-1], base))   // At the stray '_' or the bare prefix, as CPython
    return error_here(L, p - 1, "invalid %s literal", base_name(base));
  return p;
}

// A number must not run into a name, except into the keywords that may follow one in
// valid code: CPython accepts "1if x else 2" and "0x1for" (with a warning).
static const char *number_end(Lexer *L, const char *p, int base) {
  static const char *kw[] = {"and", "else", "for", "if", "in", "is", "not", "or"};
  if (!p || (unsigned char)*p >= 0x80 || !is_ident_char(*p))
    return p;
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
    if (!strncmp(p, kw[i], strlen(kw[i])))
      return p;
  return error_here(L, p, "invalid %s literal", base_name(base));
}

// exponent ::= ("e" | "E") ["+" | "-"] digitpart. An 'e' without digits is left
// to number_end, which accepts it only as the start of "else".
static const char *exponent(Lexer *L, const char *p, bool *is_int) {
  const char *q = p + 1;
  if (*q == '+' || *q == '-') {
    if (!is_digit(*++q))
      return error_here(L, q - 1, "invalid decimal literal");
  }
  if (!is_digit(*q))
    return p;
  *is_int = false;
  return digits(L, q, 10);
}

// integer     ::= decinteger | "0" ("x" | "o" | "b") (["_"] digit)+   (any case)
// decinteger  ::= nonzerodigit (["_"] digit)* | "0"+ (["_"] "0")*
// floatnumber ::= [digitpart] "." digitpart | digitpart "." | (digitpart | pointfloat) exponent
// imagnumber  ::= (floatnumber | digitpart) ("j" | "J")
static const char *number(Lexer *L, const char *p) {
  const char *start = p;
  if (p[0] == '0' && radix(p[1]))
    return number_end(L, digits(L, p + 2, radix(p[1])), radix(p[1]));
  bool is_int = true;
  if (is_digit(*p) && !(p = digits(L, p, 10)))
    return NULL;
  if (*p == '.') {
    is_int = false;
    if (is_digit(*++p) && !(p = digits(L, p, 10)))
      return NULL;
  }
  if ((*p == 'e' || *p == 'E') && !(p = exponent(L, p, &is_int)))
    return NULL;
  if (*p == 'j' || *p == 'J') {
    is_int = false;
    p++;
  }
  if (is_int && start[0] == '0' && strspn(start, "0_") < (size_t)(p - start))
    return error_here(L, start, "leading zeros in decimal integer literals are not "
                                "permitted; use an 0o prefix for octal integers");
  return number_end(L, p, 10);
}

// Value of the digits of t's integer literal s (no underscores) in base: exact on 128
// bits (sema folds constants exactly), saturating at INT64_MAX in ival.
static void int_value(Token *t, const char *s, int base) {
  const __int128 max = (__int128)(((unsigned __int128)1 << 127) - 1);
  __int128 v = 0;
  for (; *s; s++) {
    int d = is_digit(*s) ? *s - '0' : (*s | 0x20) - 'a' + 10;
    t->too_wide |= v > (max - d) / base;
    v = t->too_wide ? max : v * base + d;
  }
  t->wide = v;
  t->too_big = v > INT64_MAX;
  t->ival = t->too_big ? INT64_MAX : (int64_t)v;
}

// Value of a validated number (see int_value for integers); fval is
// what strtod makes of the text without underscores and without an imaginary 'j'.
static void number_value(Lexer *L, Token *t) {
  const char *s = t->loc;
  int n = t->len;
  t->is_imag = (s[n - 1] | 0x20) == 'j';
  n -= t->is_imag;
  int base = 10;
  if (s[0] == '0' && n > 1 && radix(s[1])) {
    base = radix(s[1]);
    s += 2, n -= 2;
  }
  char small[64];
  char *buf = n < (int)sizeof small ? small : arena_alloc(L->arena, (size_t)n + 1);
  int len = 0;
  for (int i = 0; i < n; i++)
    if (s[i] != '_')
      buf[len++] = s[i];
  buf[len] = '\0';
  t->is_float = base == 10 && strpbrk(buf, ".eE");
  if (!t->is_float && !t->is_imag)
    int_value(t, buf, base);
  if (base == 10)
    t->fval = strtod(buf, NULL);
  else   // (double) of a 128-bit int rounds correctly (past 2^127: an error in sema)
    t->fval = (double)t->wide;
}

//
// Strings
//

// stringprefix ::= "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf", in any case.
static bool string_prefix(const char *p, const char *end, bool *raw, bool *fmt) {
  static const char letters[] = "rbuf";
  bool seen[4] = {0};
  if (end - p > 2)
    return false;
  for (; p < end; p++) {
    const char *k = strchr(letters, *p | 0x20);
    if (!k || seen[k - letters])
      return false;
    seen[k - letters] = true;
  }
  *raw = seen[0];
  *fmt = seen[3];
  return !(seen[2] && (seen[0] || seen[1] || seen[3])) && !(seen[1] && seen[3]);
}

// A name directly followed by a quote is a string prefix, if a valid one.
static bool is_string_start(const char *name, const char *end) {
  bool raw, fmt;
  return (*end == '\'' || *end == '"') && string_prefix(name, end, &raw, &fmt);
}

static void *unterminated(Lexer *L, const StrCtx *s) {
  return error(L, s->line, s->col, "%s", s->triple ? "unterminated triple-quoted string literal"
                                                   : "unterminated string literal");
}

// Length of the closing quote(s) at p, or 0.
static int at_close(const StrCtx *s, const char *p) {
  if (*p != s->quote)
    return 0;
  if (!s->triple)
    return 1;
  return p[1] == s->quote && p[2] == s->quote ? 3 : 0;
}

// One character of a string body. A backslash takes the next character with it, a
// line end included, in raw strings too (r"\"" is one string). Other line ends are
// allowed only in triple-quoted strings.
static const char *str_char(Lexer *L, const char *p, const StrCtx *s) {
  if (*p == '\\' && is_eol(p[1]))
    return next_line(L, p + 1);
  if (*p == '\\' && p[1] != '\0')
    return p + 2;
  if (*p == '\\')
    p++;
  if (is_eol(*p))
    return s->triple ? next_line(L, p) : unterminated(L, s);
  if (*p == '\0')
    return p < L->end ? null_byte(L, p) : unterminated(L, s);
  return p + 1;
}

// shortstring ::= quote shortstringitem* quote; longstring ::= triple longstringitem* triple
static const char *string_body(Lexer *L, const char *p, const StrCtx *s) {
  while (p && !at_close(s, p))
    p = str_char(L, p, s);
  return p ? p + at_close(s, p) : NULL;
}

// "\N{name}" in a non-raw f-string: the braces belong to the escape.
static const char *named_escape(const char *p, const StrCtx *s) {
  while (*p && *p != '}' && !is_eol(*p) && !at_close(s, p))
    p++;
  return *p == '}' ? p + 1 : p;
}

// format_spec ::= (literal_char | replacement_field)*, ended by the field's '}'
static const char *format_spec(Lexer *L, const char *p, const StrCtx *s) {
  while (p && *p != '}') {
    if (at_close(s, p))
      return error_here(L, p, "f-string: expecting '}'");
    if (*p == '{')
      p = fstring_field(L, p + 1, s);
    else if (*p == '\\' && (p[1] == '{' || p[1] == '}'))
      p++;
    else
      p = str_char(L, p, s);
  }
  return p ? p + 1 : NULL;
}

// f-string literal part: "{{" and "}}" stand for braces, '{' opens a replacement field,
// a backslash does not escape a brace, and "\N{...}" is a named escape, not a field.
static const char *fstring_body(Lexer *L, const char *p, const StrCtx *s) {
  while (p && !at_close(s, p)) {
    if ((*p == '{' || *p == '}') && p[1] == *p)
      p += 2;
    else if (*p == '{')
      p = fstring_field(L, p + 1, s);
    else if (*p == '}')
      p = error_here(L, p, "f-string: single '}' is not allowed");
    else if (*p == '\\' && (p[1] == '{' || p[1] == '}'))
      p++;
    else if (*p == '\\' && p[1] == 'N' && p[2] == '{' && !s->raw)
      p = named_escape(p + 3, s);
    else
      p = str_char(L, p, s);
  }
  return p ? p + at_close(s, p) : NULL;
}

// stringliteral ::= [stringprefix] (shortstring | longstring); p is at the prefix.
static const char *string(Lexer *L, const char *p) {
  const char *q = p;
  while (*q != '\'' && *q != '"')
    q++;
  StrCtx s = {.quote = *q, .line = L->line, .col = col_of(L, q)};
  bool fmt;
  string_prefix(p, q, &s.raw, &fmt);
  s.triple = q[1] == *q && q[2] == *q;
  q += s.triple ? 3 : 1;
  return fmt ? fstring_body(L, q, &s) : string_body(L, q, &s);
}

// A name or a number's letters and digits, or a string literal when they prefix one.
static const char *name_or_string(Lexer *L, const char *p) {
  const char *q = p;
  while (is_ident_char(*q))
    q++;
  return q == p || is_string_start(p, q) ? string(L, p) : q;
}

// Brackets within a replacement field's expression, which ends at a '}' or ':' outside them.
static const char *field_bracket(Lexer *L, const char *p, int *depth) {
  if (*p == '(' || *p == '[' || *p == '{') {
    if (++*depth >= MAXLEVEL)
      return error_here(L, p, "too many nested parentheses");
  } else if (--*depth < 0) {
    return error_here(L, p, "f-string: unmatched '%c'", *p);
  }
  return p + 1;
}

// One element of a replacement field's expression, which is ordinary Python code
// (Python 3.12, PEP 701): strings with any quotes, nested f-strings, comments, lines.
static const char *field_item(Lexer *L, const char *p, const StrCtx *s, int *depth) {
  if (*p == '\0')
    return p < L->end ? null_byte(L, p) : unterminated(L, s);
  if (strchr("([{}])", *p))
    return field_bracket(L, p, depth);
  if (*p == '#')
    return comment_end(p);
  if (is_eol(*p))
    return next_line(L, p);
  if (*p == '\\')
    return continuation(L, p);
  if (is_ident_char(*p) || *p == '\'' || *p == '"')
    return name_or_string(L, p);
  return p + 1;
}

// replacement_field ::= "{" f_expression ["="] ["!" conversion] [":" format_spec] "}"
// p is past the '{'.
static const char *fstring_field(Lexer *L, const char *p, const StrCtx *s) {
  if (L->fnest >= MAXFNEST)
    return error_here(L, p, "f-string: expressions nested too deeply");
  L->fnest++;
  int depth = 0;
  while (p && !(depth == 0 && (*p == '}' || *p == ':')))
    p = field_item(L, p, s, &depth);
  L->fnest--;
  if (!p)
    return NULL;
  return *p == ':' ? format_spec(L, p + 1, s) : p + 1;
}

//
// Operators and delimiters
//

static const char *open_bracket(Lexer *L, const char *p) {
  if (L->depth >= MAXLEVEL)
    return error_here(L, p, "too many nested parentheses");
  L->brackets[L->depth] = *p;
  L->bline[L->depth] = L->line;
  L->bcol[L->depth] = col_of(L, p);
  L->depth++;
  return p + 1;
}

// A closing bracket must match the innermost open one.
static const char *close_bracket(Lexer *L, const char *p) {
  if (L->depth == 0)
    return error_here(L, p, "unmatched '%c'", *p);
  int i = --L->depth;
  char open = L->brackets[i];
  if ((open == '(' && *p == ')') || (open == '[' && *p == ']') || (open == '{' && *p == '}'))
    return p + 1;
  if (L->bline[i] != L->line)
    return error_here(L, p, "closing parenthesis '%c' does not match opening parenthesis '%c' "
                      "on line %d", *p, open, L->bline[i]);
  return error_here(L, p, "closing parenthesis '%c' does not match opening parenthesis '%c'",
                    *p, open);
}

// Operators and delimiters, longest match first; anything else is an invalid character.
static const char *punct(Lexer *L, const char *p) {
  static const char *ops[] = {
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "<<", ">>",
    "**", "//", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
  };
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    const char *o = ops[i];
    if (p[0] == o[0] && p[1] == o[1] && (!o[2] || p[2] == o[2]))
      return p + (o[2] ? 3 : 2);
  }
  if (*p && strchr("([{", *p))
    return open_bracket(L, p);
  if (*p && strchr(")]}", *p))
    return close_bracket(L, p);
  if (*p && strchr("+-*/%@&|^~<>=.,:;!", *p))
    return p + 1;
  if (*p > ' ' && *p < 0x7f)
    return error_here(L, p, "invalid character '%c'", *p);
  return error_here(L, p, "invalid non-printable character U+%04X", (unsigned char)*p);
}

//
// Identifiers outside ASCII (PEP 3131)
//

// Python's str.isprintable(): neither Other (C*) nor Separator (Z*), but the space.
static bool is_printable(ucs4_t c) {
  return c == ' ' || !(uc_is_general_category(c, UC_CATEGORY_C) ||
                       uc_is_general_category(c, UC_CATEGORY_Z));
}

// The first character of name t that is not XID_Start (first) or XID_Continue, checked
// before normalisation as CPython's tokenizer does; NULL when every one is.
static const uint8_t *invalid_char(const Token *t, ucs4_t *bad) {
  const uint8_t *s = (const uint8_t *)t->loc, *end = s + t->len;
  for (const uint8_t *q = s; q < end;) {
    ucs4_t c;
    int n = u8_mbtoucr(&c, q, (size_t)(end - q));
    if (n < 0) {
      *bad = 0x110000;   // not UTF-8
      return q;
    }
    if (!(q == s ? c == '_' || uc_is_property_xid_start(c) : uc_is_property_xid_continue(c))) {
      *bad = c;
      return q;
    }
    q += n;
  }
  return NULL;
}

const char *nfkc_name(Arena *a, const char *s, size_t len) {
  if (!has_non_ascii(s, s + len) || u8_check((const uint8_t *)s, len))
    return arena_strndup(a, s, len);
  size_t n = 0;
  uint8_t *nfkc = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, len, NULL, &n);
  if (!nfkc) {   // only ENOMEM: the input is valid UTF-8
    fputs("appy-translate: out of memory\n", stderr);
    exit(70);
  }
  char *r = arena_strndup(a, (const char *)nfkc, n);
  free(nfkc);
  return r;
}

// A name with bytes past ASCII: valid UTF-8 made of identifier characters, which Python
// reads in NFKC (so "ａ" is "a"); t->name gets that form. False after an error.
static bool unicode_name(Lexer *L, Token *t) {
  ucs4_t c;
  const uint8_t *q = invalid_char(t, &c);
  const char *at = (const char *)q;
  if (q && c > 0x10FFFF)
    return error_here(L, at, "Non-UTF-8 code starting with '\\x%02x'", *q), false;
  if (q && is_printable(c))
    return error_here(L, at, "invalid character '%.*s' (U+%04X)", u8_mblen(q, 4), at, c),
           false;
  if (q)
    return error_here(L, at, "invalid non-printable character U+%04X", c), false;
  t->name = nfkc_name(L->arena, t->loc, (size_t)t->len);
  return true;
}

//
// Driver
//

// token ::= NAME | NUMBER | STRING | OP, one at p.
static const char *token(Lexer *L, const char *p) {
  int line = L->line, col = col_of(L, p);
  const char *end;
  TokenKind kind;
  if (is_digit(*p) || (*p == '.' && is_digit(p[1]))) {
    kind = TK_NUMBER;
    end = number(L, p);
  } else if (is_ident_start(*p) || *p == '\'' || *p == '"') {
    end = name_or_string(L, p);
    kind = end && (end[-1] == '\'' || end[-1] == '"') ? TK_STRING : TK_NAME;
  } else {
    kind = TK_OP;
    end = punct(L, p);
  }
  if (!end)
    return NULL;
  Token *t = push(L, kind, p, end, line, col);
  if (kind == TK_NAME && has_non_ascii(p, end) && !unicode_name(L, t))
    return NULL;
  t->at_bol = !L->pending;
  L->pending = true;
  if (kind == TK_NUMBER)
    number_value(L, t);
  return end;
}

// A line end outside brackets ends a logical line that has tokens (NEWLINE).
static const char *line_end(Lexer *L, const char *p) {
  if (L->depth == 0 && L->pending) {
    push(L, TK_NEWLINE, p, p + (p[0] == '\r' && p[1] == '\n' ? 2 : 1), L->line, col_of(L, p));
    L->pending = false;
  }
  L->atbol = true;
  return next_line(L, p);
}

// Scans one token, comment or line end. False at the end of the input or an error.
static bool lex(Lexer *L) {
  if (L->atbol) {
    L->atbol = false;
    indentation(L);
    if (L->failed)
      return false;
  }
  const char *p = L->p;
  while (is_space(*p))
    p++;
  L->p = p;
  const char *line_bol = L->bol;
  int line = L->line;
  const char *next;
  if (*p == '\0')
    next = p < L->end ? null_byte(L, p) : NULL;
  else if (*p == '#')
    next = comment(L, p);
  else if (*p == '\\')
    next = continuation(L, p);
  else if (is_eol(*p))
    next = line_end(L, p);
  else
    next = token(L, p);
  if (!next) {   // Leave the position at the start of what failed, for TK_EOF
    L->bol = line_bol;
    L->line = line;
    return false;
  }
  L->p = next;
  return true;
}

// At the end of the input, brackets must be closed; the last logical line gets its
// NEWLINE even without a line end, and each open indentation level a DEDENT.
static void finish(Lexer *L) {
  const char *p = L->p;
  if (L->depth > 0) {
    int i = L->depth - 1;
    error(L, L->bline[i], L->bcol[i], "'%c' was never closed", L->brackets[i]);
    return;
  }
  if (L->pending)
    push(L, TK_NEWLINE, p, p, L->line, col_of(L, p));
  for (; L->nindents > 0; L->nindents--)
    push(L, TK_DEDENT, p, p, L->line, col_of(L, p));
}

TokenStream tokenize(Arena *a, Diags *d) {
  Token head = {0};
  Pragma phead = {0};
  Lexer L = {.arena = a, .diags = d, .p = d->src, .end = d->src + d->len, .line = 1,
             .atbol = true, .tok = &head, .pragma = &phead};
  diag_index_lines(d, a);
  if (d->len >= 3 && !memcmp(d->src, "\xEF\xBB\xBF", 3))   // UTF-8 byte order mark
    L.p += 3;
  L.bol = L.p;
  while (lex(&L))
    ;
  if (!L.failed)
    finish(&L);
  push(&L, TK_EOF, L.p, L.p, L.line, col_of(&L, L.p));
  return (TokenStream){.tokens = head.next, .pragmas = phead.next};
}

static const char *const keywords[] = {
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
  "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
  "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
  "return", "try", "while", "with", "yield",
};

// Same text as op (any kind of token); a name past ASCII compares in NFKC, and is never a
// keyword: CPython matches keywords on the bytes and normalises only names ("ｉｆ" is a
// variable named if).
bool tok_equal(const Token *tok, const char *op) {
  if (tok->name) {
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
      if (!strcmp(op, keywords[i]))
        return false;
    return !strcmp(tok->name, op);
  }
  size_t n = strlen(op);
  return (size_t)tok->len == n && !memcmp(tok->loc, op, n);
}

// Token of the given kind spelled as one of the n words.
static bool tok_in(const Token *tok, TokenKind kind, const char *const *words, size_t n) {
  if (tok->kind != kind)
    return false;
  for (size_t i = 0; i < n; i++)
    if (tok_equal(tok, words[i]))
      return true;
  return false;
}

// An augmented assignment operator: +=, //=, @= ...
bool tok_is_augassign(const Token *tok) {
  static const char *const ops[] = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=",
                                    "|=", "^=", "<<=", ">>=", "@="};
  return tok_in(tok, TK_OP, ops, sizeof ops / sizeof *ops);
}

// Python 3's hard keywords (soft keywords such as match, case, type are names).
bool tok_is_keyword(const Token *tok) {
  return tok_in(tok, TK_NAME, keywords, sizeof keywords / sizeof *keywords);
}
