/* arena.c: the translator's only allocator, growable strings, and diagnostics.
 * Every stage allocates from one Arena that is freed in one go when translation ends. */
#include "translator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
  ArenaBlock *next;   // Previous (older) block
  size_t used;        // Bytes handed out
  size_t cap;         // Bytes available in data
  _Alignas(16) unsigned char data[];   // Storage
};

enum { ARENA_BLOCK = 64 * 1024 };

void *arena_alloc(Arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  ArenaBlock *b = a->head;
  if (!b || b->used + n > b->cap) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    b = malloc(sizeof(ArenaBlock) + cap);
    if (!b) {
      fputs("appy-translate: out of memory\n", stderr);
      exit(70);
    }
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  return p;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(a, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void arena_free(Arena *a) {
  while (a->head) {
    ArenaBlock *next = a->head->next;
    free(a->head);
    a->head = next;
  }
}

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) {
    fputs("appy-translate: out of memory\n", stderr);
    exit(70);
  }
  b->data = p;
  b->cap = cap;
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void buf_puts(Buf *b, const char *s) {
  size_t n = strlen(s);
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

void buf_free(Buf *b) {
  free(b->data);
  *b = (Buf){0};
}

// Length of the UTF-8 sequence at s (s[0] >= 0x80) as Python's strict decoder takes it:
// no overlong form, surrogate or code point past U+10FFFF; 0 where it would fail. (The
// NUL that ends s is no continuation byte: nothing past it is read.)
static int utf8_len(const unsigned char *s) {
  int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
  if (s[0] < 0xc2 || s[0] > 0xf4)
    return 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
      (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
    return 0;
  return n;
}

// One ASCII byte of s into a comment; the comment stays open and on its line.
static void comment_byte(Buf *b, const unsigned char *s) {
  if ((s[0] == '*' && s[1] == '/') || (s[0] == '/' && s[1] == '*'))
    buf_printf(b, "%c ", s[0]);
  else if (s[0] == '\n' || s[0] == '\r')
    buf_puts(b, s[0] == '\n' ? "\\n" : "\\r");
  else if ((s[0] < 0x20 && s[0] != '\t') || s[0] == 0x7f)
    buf_printf(b, "\\%03o", s[0]);
  else
    buf_printf(b, "%c", s[0]);
}

// One byte of s into a string literal: printable ASCII as it is (readable names), but for
// '"', '\\' and '?' (no trigraphs), and '%' doubled in a format; the others as octal
// escapes, which take at most three digits (a hex escape would run into the next ones).
static void string_byte(Buf *b, const unsigned char *s, CText how) {
  if (s[0] == '\n')
    buf_puts(b, how == C_LINES && s[1] ? "\\n\"\n    \"" : "\\n");
  else if (s[0] == '"' || s[0] == '\\')
    buf_printf(b, "\\%c", s[0]);
  else if (s[0] == '%' && how == C_FORMAT)
    buf_puts(b, "%%");
  else if (s[0] < 0x20 || s[0] >= 0x7f || s[0] == '?')
    buf_printf(b, "\\%03o", s[0]);
  else
    buf_printf(b, "%c", s[0]);
}

void buf_c_text(Buf *b, const char *s, CText how) {
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    int n = *p < 0x80 ? 1 : utf8_len(p);
    if (!n) {   // Python reads every string as UTF-8: the byte as backslashreplace shows it
      buf_printf(b, how == C_COMMENT ? "\\x%02x" : "\\\\x%02x", *p++);
    } else if (how == C_COMMENT && n > 1) {
      buf_printf(b, "%.*s", n, (const char *)p);
      p += n;
    } else if (how == C_COMMENT) {
      comment_byte(b, p++);
    } else {
      for (; n; n--)
        string_byte(b, p++, how);
    }
  }
}

char *c_text(Arena *a, const char *s, CText how) {
  Buf b = {0};
  buf_c_text(&b, s, how);
  char *t = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return t;
}

static size_t name_hash(const char *s, size_t len) {
  size_t h = 14695981039346656037u;   // FNV-1a
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211u;
  return h;
}

// The slot of name in m: where it is, or the free one where it would go.
static size_t map_slot(const Map *m, const char *name, size_t len) {
  size_t i = name_hash(name, len) & (m->cap - 1);
  while (m->key[i] && !(strlen(m->key[i]) == len && !memcmp(m->key[i], name, len)))
    i = (i + 1) & (m->cap - 1);
  return i;
}

void *map_get(const Map *m, const char *name, size_t len) {
  if (!m->cap)
    return NULL;
  size_t i = map_slot(m, name, len);
  return m->key[i] ? m->val[i] : NULL;
}

void map_put(Arena *a, Map *m, const char *name, void *val) {
  if (2 * (m->len + 1) > m->cap) {   // at most half full; the old arrays stay in the arena
    Map grown = {.cap = m->cap ? 2 * m->cap : 64};
    grown.key = arena_alloc(a, sizeof(char *) * grown.cap);
    grown.val = arena_alloc(a, sizeof(void *) * grown.cap);
    for (size_t i = 0; i < m->cap; i++)
      if (m->key[i])
        map_put(a, &grown, m->key[i], m->val[i]);
    *m = grown;
  }
  size_t i = map_slot(m, name, strlen(name));
  m->len += !m->key[i];
  m->key[i] = name;
  m->val[i] = val;
}

// The end of the line that starts at p: lines end in \n, \r\n or a lone \r, as for the
// tokenizer.
static const char *line_end(const char *p, const char *end) {
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  return p;
}

static const char *next_line(const char *q, const char *end) {
  return q + (q < end) + (q + 1 < end && q[0] == '\r' && q[1] == '\n');
}

void diag_index_lines(Diags *d, Arena *a) {
  const char *p = d->src, *end = d->src + d->len;
  int n = 1;
  for (const char *q = p; (q = line_end(q, end)) < end; q = next_line(q, end))
    n++;
  d->line_start = arena_alloc(a, sizeof(size_t) * (size_t)n);
  d->nlines = n;
  for (int l = 0; l < n; l++, p = next_line(line_end(p, end), end))
    d->line_start[l] = (size_t)(p - d->src);
}

const char *diag_source_line(const Diags *d, int line, int *len) {
  const char *p = d->src, *end = d->src + d->len;
  if (d->line_start)
    p = line >= 1 && line <= d->nlines ? d->src + d->line_start[line - 1] : end;
  else
    for (int l = 1; l < line && p < end; l++)
      p = next_line(line_end(p, end), end);
  *len = (int)(line_end(p, end) - p);
  return p;
}

static const char *level_name[] = {"error", "warning", "note"};

static void render(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, va_list ap);

void diag_kind_vat(Diags *d, DiagKind kind, const char *name, int line, int col,
                   const char *fmt, va_list ap) {
  if (d->record && d->nrecord < d->maxrecord) {
    DiagRecord *r = &d->record[d->nrecord++];
    va_list copy;
    va_copy(copy, ap);
    *r = (DiagRecord){.line = line, .kind = kind};
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
    vsnprintf(r->message, sizeof r->message, fmt, copy);
    va_end(copy);
  }
  render(d, DIAG_ERROR, line, col, fmt, ap);
}

void diag_vat(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, va_list ap) {
  if (lvl == DIAG_ERROR) {
    diag_kind_vat(d, DK_OTHER, NULL, line, col, fmt, ap);
    return;
  }
  render(d, lvl, line, col, fmt, ap);
}

// Reports "file:line:col: level: message", the source line and a caret under col.
static void render(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, va_list ap) {
  if (line > 0)
    buf_printf(&d->out, "%s:%d:%d: %s: ", d->filename, line, col, level_name[lvl]);
  else
    buf_printf(&d->out, "%s: %s: ", d->filename, level_name[lvl]);
  buf_vprintf(&d->out, fmt, ap);
  buf_puts(&d->out, "\n");
  if (line > 0 && d->src) {
    int len;
    const char *p = diag_source_line(d, line, &len);
    buf_printf(&d->out, "%5d | %.*s\n      | ", line, len, p);
    // Keep tabs so that the caret lines up under the column in a terminal.
    for (int i = 0; i < col - 1 && i < len; i++)
      buf_puts(&d->out, p[i] == '\t' ? "\t" : " ");
    buf_puts(&d->out, "^\n");
  }
  if (lvl == DIAG_ERROR)
    d->nerrors++;
  else if (lvl == DIAG_WARNING)
    d->nwarnings++;
}

void diag_at(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_vat(d, lvl, line, col, fmt, ap);
  va_end(ap);
}

void diag_tok(Diags *d, DiagLevel lvl, const Token *tok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_vat(d, lvl, tok ? tok->line : 0, tok ? tok->col : 0, fmt, ap);
  va_end(ap);
}
