/* type.c: the value types of the subset and NumPy 2's promotion rules (NEP 50).
 * Python literals and Python-scalar variables are "weak": they take the type of the
 * NumPy operand they meet (float32 * 2.0 stays float32; int32 + 1 stays int32). */
#include "translator.h"

#include <string.h>

static Type t_bool = {.kind = TY_BOOL}, t_i32 = {.kind = TY_INT32}, t_i64 = {.kind = TY_INT64};
static Type t_f32 = {.kind = TY_FLOAT32}, t_f64 = {.kind = TY_FLOAT64}, t_none = {.kind = TY_NONE};
static Type t_wint = {.kind = TY_INT64, .weak = true}, t_wfloat = {.kind = TY_FLOAT64, .weak = true};
static Type t_wbool = {.kind = TY_BOOL, .weak = true};

Type *ty_bool = &t_bool, *ty_int32 = &t_i32, *ty_int64 = &t_i64;
Type *ty_float32 = &t_f32, *ty_float64 = &t_f64, *ty_none = &t_none;
Type *ty_weak_int = &t_wint, *ty_weak_float = &t_wfloat, *ty_weak_bool = &t_wbool;

bool ty_is_scalar(const Type *t) { return t && t->kind <= TY_FLOAT64; }
bool ty_is_int(const Type *t) { return t && (t->kind == TY_INT32 || t->kind == TY_INT64); }
bool ty_is_float(const Type *t) { return t && (t->kind == TY_FLOAT32 || t->kind == TY_FLOAT64); }

bool ty_equal(const Type *a, const Type *b) {
  if (a->kind != b->kind)
    return false;
  if (a->kind == TY_ARRAY)
    return a->ndim == b->ndim && ty_equal(a->elem, b->elem);
  if (a->kind == TY_TUPLE) {
    if (a->nfields != b->nfields)
      return false;
    for (int i = 0; i < a->nfields; i++)
      if (!ty_equal(a->fields[i], b->fields[i]))
        return false;
  }
  return true;
}

Type *ty_strong(Type *t) {
  if (!t || !t->weak)
    return t;
  switch (t->kind) {
  case TY_BOOL: return ty_bool;
  case TY_INT64: return ty_int64;
  default: return ty_float64;
  }
}

Type *ty_array(Arena *a, Type *elem, int ndim) {
  Type *t = arena_alloc(a, sizeof(Type));
  t->kind = TY_ARRAY;
  t->elem = ty_strong(elem);
  t->ndim = ndim;
  return t;
}

Type *ty_tuple(Arena *a, Type **fields, int n) {
  Type *t = arena_alloc(a, sizeof(Type));
  t->kind = TY_TUPLE;
  t->nfields = n;
  t->fields = fields;
  return t;
}

// Category of a scalar: 0 bool, 1 integer, 2 float.
static int category(const Type *t) {
  return t->kind == TY_BOOL ? 0 : ty_is_int(t) ? 1 : 2;
}

// NumPy's promotion between two strong scalar types.
static Type *promote_strong(Type *a, Type *b) {
  if (a->kind == b->kind)
    return a;
  int ca = category(a), cb = category(b);
  if (ca != cb) {
    Type *lo = ca < cb ? a : b, *hi = ca < cb ? b : a;
    if (lo->kind == TY_BOOL)
      return hi;
    // int32 + float32 and int64 + float32 need float64 to hold every integer.
    return ty_float64;
  }
  return a->kind > b->kind ? a : b;
}

Type *ty_promote(Type *a, Type *b) {
  if (a->weak && b->weak) {
    if (category(a) >= category(b))
      return category(a) == 0 && category(b) == 0 ? ty_weak_bool : a;
    return b;
  }
  if (a->weak || b->weak) {
    Type *w = a->weak ? a : b, *s = a->weak ? b : a;
    // A weak value keeps the strong operand's type unless it is of a higher category.
    if (category(w) <= category(s))
      return s;
    return category(w) == 2 ? ty_float64 : ty_int64;
  }
  return promote_strong(a, b);
}

const char *ty_name(Arena *a, const Type *t) {
  switch (t->kind) {
  case TY_BOOL: return "bool";
  case TY_INT32: return "int32";
  case TY_INT64: return "int64";
  case TY_FLOAT32: return "float32";
  case TY_FLOAT64: return "float64";
  case TY_NONE: return "None";
  case TY_ARRAY: {
    Buf b = {0};
    buf_printf(&b, "%s[", ty_name(a, t->elem));
    for (int i = 0; i < t->ndim; i++)
      buf_puts(&b, i ? ", :" : ":");
    buf_puts(&b, "]");
    char *s = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return s;
  }
  case TY_TUPLE: {
    Buf b = {0};
    buf_puts(&b, "tuple(");
    for (int i = 0; i < t->nfields; i++)
      buf_printf(&b, "%s%s", i ? ", " : "", ty_name(a, t->fields[i]));
    buf_puts(&b, ")");
    char *s = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return s;
  }
  }
  return "?";
}

const char *ty_ctype(const Type *t) {
  switch (t->kind) {
  case TY_BOOL: return "bool";
  case TY_INT32: return "int32_t";
  case TY_INT64: return "int64_t";
  case TY_FLOAT32: return "float";
  case TY_FLOAT64: return "double";
  default: return "void";
  }
}

const char *ty_dtype_enum(const Type *t) {
  switch (t->kind) {
  case TY_BOOL: return "APPY_BOOL";
  case TY_INT32: return "APPY_INT32";
  case TY_INT64: return "APPY_INT64";
  case TY_FLOAT32: return "APPY_FLOAT32";
  default: return "APPY_FLOAT64";
  }
}

Type *ty_from_name(const char *name, size_t len) {
  static const struct { const char *name; Type *ty; } names[] = {
      {"float64", &t_f64}, {"float32", &t_f32}, {"int64", &t_i64}, {"int32", &t_i32},
      {"bool", &t_bool},   {"bool_", &t_bool},  {"float", &t_f64}, {"int", &t_i64},
      {"double", &t_f64},  {"single", &t_f32},  {"intc", &t_i32},
  };
  if (len > 3 && !strncmp(name, "np.", 3))
    name += 3, len -= 3;
  else if (len > 6 && !strncmp(name, "numpy.", 6))
    name += 6, len -= 6;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strlen(names[i].name) == len && !strncmp(names[i].name, name, len))
      return names[i].ty;
  return NULL;
}
