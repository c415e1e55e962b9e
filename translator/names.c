/* names.c: the C name of every Python name, and the C names derived from it.
 *
 * A Python identifier may be any word of letters, digits and '_', and any XID word past
 * ASCII (read in NFKC, tokenize.c): "linux", "M_PI", "size_t", "Py_None", "a_size",
 * "appy_n", "__GNUC__" and "πr" are all variables. The generated C must compile for every
 * one of them, with each compiler, whatever the headers it includes define. So the C
 * identifiers of a generated module fall into four disjoint sets:
 *
 *   H  what the C language and the included headers own: keywords of C11/C17/C23 and of
 *      the GNU and clang dialects, and every macro, typedef, function, variable, tag and
 *      enumerator of <Python.h>, <math.h>, <stdbool.h>, <stdint.h>, <omp.h>, <ompx.h> and
 *      appy/ headers, as clang-19 (host and NVPTX device), gcc-12 (nvptx offload) and
 *      the host compiler see them;
 *   G  the translator's own names: those that begin with appy_ (temporaries, the device
 *      environment, loop counters: appy_j1_, appy_n, appy_data, ...) and a few fixed ones
 *      (fr, ret, rc, p0, p1, ..., self, args, kwargs, names, argv, result, the module_*
 *      tables, PyInit_MODULE);
 *   U  the C names of Python names, c_name(x): x + "_" for a plain x (ASCII, a letter
 *      first, single underscores only between letters and digits, and not appy nor
 *      appy_...: "a" -> "a_", "n_rows" -> "n_rows_"), else "u__" + zcode(x) + "_", where
 *      zcode keeps letters, digits and '_', doubles 'z', and writes any other character
 *      as 'z', its code point in upper-case hex, 'U' ("π" -> "u__z3C0U_", "__init__" ->
 *      "u____init___");
 *   D  names derived from one: c_part(c_name(x), PART), c_name(x) + PART, PART a word of
 *      lower-case letters and digits without '_': shapeK (extent K), count (elements),
 *      obj, array (an array parameter's object and descriptor), gpu (its device copy),
 *      priv (a block's private copy), and of a function's name kernelK, callK (overload
 *      K), py and pydoc (the method and its docstring): A_shape0, vadd_kernel0, ...
 *
 * Why they are disjoint:
 * - c_name is injective: plain names map to themselves plus '_'; the others start with
 *   "u__", which no plain image contains (a plain x has no "__" and does not end in '_'),
 *   and zcode decodes from left to right ("zz" is z, 'z' + hex + 'U' a code point).
 * - U and D: a U name ends in '_', a D name in a letter or digit. D is injective: PART has
 *   no '_' and c_name(x) ends in one, so the text after the last '_' is PART, the rest
 *   c_name(x).
 * - U, D and G: no U or D name begins with appy_ (plain names exclude it, the others
 *   begin with u__); the fixed G names end neither in '_' nor in '_' + a PART.
 * - U, D and H: every U and D name begins with a letter. C reserves the names that begin
 *   with '_' to the implementation, and no header name that begins with a letter ends in
 *   '_' or in '_' + a PART (but some that begin with appy_, which U and D avoid): a
 *   premise, which tests/c-names.py checks on H as each compiler collects it (-dM -E and
 *   the preprocessed headers), so that a header upgrade that broke it fails that test, not
 *   a user's build.
 * The C keywords are in H: each begins with '_' or ends in neither '_' nor a PART.
 *
 * The translator's temporaries (lower.c: "appy.len3") are G names built the same way:
 * "appy_len3_", whose parts are "appy_len3_shape0", ... */
#include "translator.h"

#include <string.h>
#include <unistr.h>

static bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// plain ::= letter (letter | digit)* ('_' (letter | digit)+)*, but neither appy nor appy_*.
static bool is_plain(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
    return false;
  if (!strcmp(s, "appy") || !strncmp(s, "appy_", 5))
    return false;
  for (const char *p = s; *p; p++)
    if (!is_alnum(*p) && !(*p == '_' && is_alnum(p[-1]) && is_alnum(p[1])))
      return false;
  return true;
}

const char *c_name(Arena *a, const char *name) {
  if (!strncmp(name, "appy.", 5))
    return arena_printf(a, "appy_%s_", name + 5);
  if (is_plain(name))
    return arena_printf(a, "%s_", name);
  Buf b = {0};
  buf_puts(&b, "u__");
  const uint8_t *p = (const uint8_t *)name, *end = p + strlen(name);
  while (p < end) {
    ucs4_t c;
    int n = u8_mbtouc(&c, p, (size_t)(end - p));   // names are UTF-8 (tokenize.c)
    if (c == 'z')
      buf_puts(&b, "zz");
    else if (c < 0x80 && (is_alnum((char)c) || c == '_'))
      buf_printf(&b, "%c", (char)c);
    else
      buf_printf(&b, "z%XU", (unsigned)c);
    p += n;
  }
  buf_puts(&b, "_");
  const char *s = arena_strndup(a, b.data, b.len);
  buf_free(&b);
  return s;
}

const char *c_part(Arena *a, const char *cname, const char *part) {
  return arena_printf(a, "%s%s", cname, part);
}

const char *kernel_part(Arena *a, const Kernel *kernel, const char *part, int k) {
  return c_part(a, c_name(a, kernel->name), arena_printf(a, "%s%d", part, k));
}
