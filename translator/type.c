/* type.c: the value types of the subset and NumPy 2's promotion rules (NEP 50).
 * Python scalars (literals, and parameters a signature calls int, float or bool) are
 * "weak": they take the type of the NumPy operand they meet (float32 * 2.0 stays
 * float32; int8 + 1 stays int8). */
#include "translator.h"

#include <string.h>

static Type scalars[] = {
    {.kind = TY_BOOL},   {.kind = TY_INT8},    {.kind = TY_INT16},   {.kind = TY_INT32},
    {.kind = TY_INT64},  {.kind = TY_UINT8},   {.kind = TY_UINT16},  {.kind = TY_UINT32},
    {.kind = TY_UINT64}, {.kind = TY_FLOAT32}, {.kind = TY_FLOAT64},
};
static Type t_none = {.kind = TY_NONE};
static Type t_wint = {.kind = TY_INT64, .weak = true}, t_wfloat = {.kind = TY_FLOAT64, .weak = true};
static Type t_wbool = {.kind = TY_BOOL, .weak = true};

Type *ty_bool = &scalars[TY_BOOL], *ty_int8 = &scalars[TY_INT8], *ty_int16 = &scalars[TY_INT16];
Type *ty_int32 = &scalars[TY_INT32], *ty_int64 = &scalars[TY_INT64];
Type *ty_uint8 = &scalars[TY_UINT8], *ty_uint16 = &scalars[TY_UINT16];
Type *ty_uint32 = &scalars[TY_UINT32], *ty_uint64 = &scalars[TY_UINT64];
Type *ty_float32 = &scalars[TY_FLOAT32], *ty_float64 = &scalars[TY_FLOAT64], *ty_none = &t_none;
Type *ty_weak_int = &t_wint, *ty_weak_float = &t_wfloat, *ty_weak_bool = &t_wbool;

// Name, C type, runtime dtype and size of each scalar kind.
static const struct {
  const char *name, *ctype, *dtype;
  int size;
} info[] = {
    [TY_BOOL] = {"bool", "bool", "APPY_BOOL", 1},
    [TY_INT8] = {"int8", "int8_t", "APPY_INT8", 1},
    [TY_INT16] = {"int16", "int16_t", "APPY_INT16", 2},
    [TY_INT32] = {"int32", "int32_t", "APPY_INT32", 4},
    [TY_INT64] = {"int64", "int64_t", "APPY_INT64", 8},
    [TY_UINT8] = {"uint8", "uint8_t", "APPY_UINT8", 1},
    [TY_UINT16] = {"uint16", "uint16_t", "APPY_UINT16", 2},
    [TY_UINT32] = {"uint32", "uint32_t", "APPY_UINT32", 4},
    [TY_UINT64] = {"uint64", "uint64_t", "APPY_UINT64", 8},
    [TY_FLOAT32] = {"float32", "float", "APPY_FLOAT32", 4},
    [TY_FLOAT64] = {"float64", "double", "APPY_FLOAT64", 8},
};

bool ty_is_scalar(const Type *t) { return t && t->kind <= TY_FLOAT64; }
bool ty_is_int(const Type *t) { return t && t->kind >= TY_INT8 && t->kind <= TY_UINT64; }
bool ty_is_unsigned(const Type *t) { return t && t->kind >= TY_UINT8 && t->kind <= TY_UINT64; }
bool ty_is_float(const Type *t) { return t && (t->kind == TY_FLOAT32 || t->kind == TY_FLOAT64); }

bool ty_is_number(const Type *t) {
  return ty_is_int(t) || ty_is_float(t);
}
int ty_size(const Type *t) { return ty_is_scalar(t) ? info[t->kind].size : 0; }
Type *ty_of(TypeKind kind) { return &scalars[kind]; }

void ty_range(const Type *t, int64_t *lo, int64_t *hi) {
  int bits = t->kind == TY_BOOL ? 1 : 8 * ty_size(t);
  bool sign = ty_is_int(t) && !ty_is_unsigned(t);
  *lo = !sign ? 0 : bits == 64 ? INT64_MIN : -(INT64_C(1) << (bits - 1));
  *hi = bits == 64 ? INT64_MAX : sign ? (INT64_C(1) << (bits - 1)) - 1 : (INT64_C(1) << bits) - 1;
}

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
  return t && t->weak ? ty_of(t->kind) : t;
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

// Two integer types: the smallest that holds both, float64 for uint64 and a signed type.
static Type *promote_ints(Type *a, Type *b) {
  if (ty_is_unsigned(a) == ty_is_unsigned(b))
    return ty_size(a) >= ty_size(b) ? a : b;
  Type *s = ty_is_unsigned(a) ? b : a, *u = ty_is_unsigned(a) ? a : b;
  if (ty_size(s) > ty_size(u))
    return s;
  switch (u->kind) {
  case TY_UINT8: return ty_int16;
  case TY_UINT16: return ty_int32;
  case TY_UINT32: return ty_int64;
  default: return ty_float64;
  }
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
    // float32 holds every integer of up to 16 bits; wider ones need float64.
    return hi->kind == TY_FLOAT32 && ty_size(lo) <= 2 ? ty_float32 : ty_float64;
  }
  if (ca == 1)
    return promote_ints(a, b);
  return ty_float64;   // float32 with float64
}

Type *ty_promote(Type *a, Type *b) {
  if (a->weak && b->weak) {
    if (category(a) >= category(b))
      return category(a) == 0 && category(b) == 0 ? ty_weak_bool : a;
    return b;
  }
  if (a->weak || b->weak) {
    Type *w = a->weak ? a : b, *s = a->weak ? b : a;
    // A weak value keeps the strong operand's type unless it is of a higher category:
    // then NumPy's default type of its own category (int64, float64).
    if (category(w) <= category(s))
      return s;
    return category(w) == 2 ? ty_float64 : ty_int64;
  }
  return promote_strong(a, b);
}

const char *ty_name(Arena *a, const Type *t) {
  if (ty_is_scalar(t))
    return info[t->kind].name;
  if (t->kind == TY_NONE)
    return "None";
  Buf b = {0};
  if (t->kind == TY_ARRAY) {
    buf_printf(&b, "%s[", ty_name(a, t->elem));
    for (int i = 0; i < t->ndim; i++)
      buf_puts(&b, i ? ", :" : ":");
    buf_puts(&b, "]");
  } else {
    buf_puts(&b, "tuple(");
    for (int i = 0; i < t->nfields; i++)
      buf_printf(&b, "%s%s", i ? ", " : "", ty_name(a, t->fields[i]));
    buf_puts(&b, ")");
  }
  char *s = arena_strndup(a, b.data, b.len);
  buf_free(&b);
  return s;
}

const char *ty_sig_name(Arena *a, const Type *t) {
  if (!t->weak)
    return ty_name(a, t);
  return t->kind == TY_BOOL ? "bool" : t->kind == TY_INT64 ? "int" : "float";
}

const char *ty_ctype(const Type *t) {
  return ty_is_scalar(t) ? info[t->kind].ctype : "void";
}

const char *ty_dtype_enum(const Type *t) {
  return ty_is_scalar(t) ? info[t->kind].dtype : "APPY_FLOAT64";
}

Type *ty_from_name(const char *name, size_t len) {
  // NumPy's names and aliases (C names as on Linux x86-64, where long is 64 bits).
  static const struct { const char *name; TypeKind kind; } names[] = {
      {"bool_", TY_BOOL},       {"int8", TY_INT8},        {"byte", TY_INT8},
      {"int16", TY_INT16},      {"short", TY_INT16},      {"int32", TY_INT32},
      {"intc", TY_INT32},       {"int64", TY_INT64},      {"intp", TY_INT64},
      {"int_", TY_INT64},       {"long", TY_INT64},       {"longlong", TY_INT64},
      {"uint8", TY_UINT8},      {"ubyte", TY_UINT8},      {"uint16", TY_UINT16},
      {"ushort", TY_UINT16},    {"uint32", TY_UINT32},    {"uintc", TY_UINT32},
      {"uint64", TY_UINT64},    {"uintp", TY_UINT64},     {"uint", TY_UINT64},
      {"ulong", TY_UINT64},     {"ulonglong", TY_UINT64}, {"float32", TY_FLOAT32},
      {"single", TY_FLOAT32},   {"float64", TY_FLOAT64},  {"double", TY_FLOAT64},
      {"float_", TY_FLOAT64},
  };
  static const struct { const char *name; Type *ty; } python[] = {
      {"int", &t_wint}, {"float", &t_wfloat}, {"bool", &t_wbool},
  };
  bool numpy = false;   // np.bool is NumPy's, strong
  if (len > 3 && !strncmp(name, "np.", 3))
    name += 3, len -= 3, numpy = true;
  else if (len > 6 && !strncmp(name, "numpy.", 6))
    name += 6, len -= 6, numpy = true;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strlen(names[i].name) == len && !strncmp(names[i].name, name, len))
      return ty_of(names[i].kind);
  for (size_t i = 0; i < sizeof(python) / sizeof(python[0]); i++)
    if (strlen(python[i].name) == len && !strncmp(python[i].name, name, len))
      return numpy ? ty_strong(python[i].ty) : python[i].ty;
  return NULL;
}
