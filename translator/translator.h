/* translator.h: the stages of appy-translate and the data that flows between them.
 *
 *   source text -> tokenize.c -> Token list (+ pragma comments)
 *               -> parse.c    -> Node tree (module: kernel functions)
 *                  (tree.c: the queries and copies of the tree every later stage shares)
 *               -> outline.c  -> functions whose host code stays Python split from their loops
 *               -> sema.c     -> kernels, overloads; per instance types and variables
 *               -> lower.c    -> array statements as element loops (typed again by sema.c)
 *               -> region.c   -> parallel regions: collapse, data-sharing of each variable
 *               -> plan.c     -> each region's kernel shape, decided once (Region.plan)
 *               -> checks.c   -> extents of array arguments the loops make certain
 *               -> codegen.c  -> C for the kernels (OpenMP target regions), by the plans
 *               -> module.c   -> CPython extension glue around them
 *               -> explain.c  -> --explain: the plans in words
 *   api.c calls the stages in that order (the only driver), behind include/appy/translate.h;
 *   main.c is the command-line driver over that API. A stage calls only earlier ones.
 *
 * Every stage allocates from one Arena and reports into one Diags; nothing else is global. */
#ifndef APPY_TRANSLATOR_H
#define APPY_TRANSLATOR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appy/sizes.h"   // The GPU kernels' sizes, as appy/group.h has them

typedef struct Token Token;
typedef struct Pragma Pragma;
typedef struct Node Node;
typedef struct Type Type;
typedef struct Var Var;
typedef struct Kernel Kernel;
typedef struct Region Region;
typedef struct Plan Plan;

//
// arena.c: allocation, growable strings, diagnostics
//

typedef struct ArenaBlock ArenaBlock;
typedef struct {
  ArenaBlock *head;   // Most recent block
} Arena;

void *arena_alloc(Arena *a, size_t n);               // Zeroed, 16-byte aligned
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);

typedef struct {
  char *data;         // NUL-terminated contents (malloc'd)
  size_t len;         // Bytes used, without the NUL
  size_t cap;         // Bytes allocated
} Buf;

void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_puts(Buf *b, const char *s);
void buf_free(Buf *b);

// Where c_text writes text from outside the translator (a path, a Python name, a message,
// the source) in the generated C: no byte of it may end the string or the comment early,
// start a directive or a format conversion, or be a byte Python cannot decode.
typedef enum {
  C_STRING,    // Inside a string literal
  C_FORMAT,    // Inside a string literal that is a printf format: '%' doubled
  C_LINES,     // Inside a string literal, one literal per line ("a\n"\n    "b")
  C_COMMENT,   // Inside a comment that more text follows on its line
} CText;

// Appends s escaped for `how`: in a literal, printable ASCII as it is but for '"', '\\'
// and '?', the other bytes as octal escapes; in a comment, valid UTF-8 as it is but for
// "*/" and "/*" (split by a space) and control characters (as escapes). A byte that is
// not part of valid UTF-8 becomes the text \xNN, as Python's backslashreplace writes it.
void buf_c_text(Buf *b, const char *s, CText how);
// The same as a string in the arena, for a "%s" of buf_printf or line().
char *c_text(Arena *a, const char *s, CText how);

// A map from names to values in the arena, for lookups in constant time where a list
// would make the work quadratic in the input (a file of 10,000 constants).
typedef struct {
  const char **key;   // Names (NUL-terminated), NULL in free slots
  void **val;         // Their values
  size_t cap;         // Slots (a power of two, or 0)
  size_t len;         // Names in it
} Map;

void *map_get(const Map *m, const char *name, size_t len);   // NULL if absent
void map_put(Arena *a, Map *m, const char *name, void *val);  // Replaces an old value

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

// What an error says, for the stages that decide on it (outline.c); the wording is for
// people only.
typedef enum {
  DK_OTHER,          // A mistake in the source
  DK_UNSUPPORTED,    // Python the subset does not have ("... is not supported ...")
  DK_UNDEFINED,      // A name that is neither a parameter nor a local (DiagRecord.name)
} DiagKind;

typedef struct {
  int line;           // Line of an error (0: none)
  DiagKind kind;      // What it says
  char name[64];      // DK_UNDEFINED: the name
  char message[240];  // Its message, without position (truncated)
} DiagRecord;

typedef struct {
  const char *filename;   // Name shown in messages
  const char *src;        // Whole source text, NUL-terminated
  size_t len;             // Length of src
  Buf out;                // Rendered diagnostics, in order
  int nerrors;            // Errors reported so far
  int nwarnings;          // Warnings reported so far
  DiagRecord *record;     // If set, errors are also recorded here (for outline.c)
  int nrecord, maxrecord; // Records made, room for
  size_t *line_start;     // If set (diag_index_lines), offset of each line's start
  int nlines;             // ...and how many lines src has
} Diags;

// Indexes the lines of d->src once (arena memory), so that each later lookup of a line
// takes constant time: the comments that quote the source above each statement of the C.
void diag_index_lines(Diags *d, Arena *a);
// Line `line` (1-based) of the source, without its line end: its start and length.
const char *diag_source_line(const Diags *d, int line, int *len);

// Reports "file:line:col: level: message", the source line and a caret under col.
void diag_at(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_vat(Diags *d, DiagLevel lvl, int line, int col, const char *fmt, va_list ap);
// The same for an error of a kind other than DK_OTHER (name: DK_UNDEFINED's, or NULL).
void diag_kind_vat(Diags *d, DiagKind kind, const char *name, int line, int col,
                   const char *fmt, va_list ap);
void diag_tok(Diags *d, DiagLevel lvl, const Token *tok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

//
// tokenize.c
//

typedef enum {
  TK_NAME,      // Identifier or keyword
  TK_NUMBER,    // Integer, float or imaginary literal
  TK_STRING,    // String or bytes literal, prefixes and quotes included
  TK_OP,        // Operator or delimiter
  TK_NEWLINE,   // End of a logical line
  TK_INDENT,    // Indentation increased
  TK_DEDENT,    // Indentation decreased
  TK_EOF,       // End of input
} TokenKind;

struct Token {
  TokenKind kind;   // Token kind
  Token *next;      // Next token
  const char *loc;  // Start in the source text
  int len;          // Length in bytes
  const char *name; // TK_NAME past ASCII: the identifier as Python reads it (NFKC), else NULL
  int line;         // 1-based line of loc
  int col;          // 1-based column (bytes) of loc
  bool is_float;    // TK_NUMBER: float literal (has '.', exponent)
  bool is_imag;     // TK_NUMBER: imaginary literal (ends in j/J)
  int64_t ival;     // TK_NUMBER: value of an integer literal (saturates)
  bool too_big;     // TK_NUMBER: an integer literal past INT64_MAX (ival saturated)
  __int128 wide;    // TK_NUMBER: exact value of an integer below 2^127 (saturates)
  bool too_wide;    // TK_NUMBER: an integer literal of 2^127 or more (wide saturated)
  bool folded;      // Made by sema for a folded constant: loc is not its text
  double fval;      // TK_NUMBER: value as a double
  bool at_bol;      // First token of a logical line
};

// A comment that starts with "#pragma" or "# appy:", kept for the parser.
struct Pragma {
  Pragma *next;       // Next pragma in source order
  const char *text;   // Text after "#pragma " or "# appy:", trimmed, NUL-terminated
  bool is_appy;       // "# appy:" directive rather than "#pragma"
  int line;           // Line of the '#'
  int col;            // Column of the '#'
  int text_col;       // Column where text starts
  bool own_line;      // Only whitespace before the '#' on its line
  bool used;          // Claimed by a statement (set by the parser)
};

typedef struct {
  Token *tokens;      // Token list ending in TK_EOF
  Pragma *pragmas;    // Pragma comments in source order
} TokenStream;

// Tokenizes any Python 3 source. On a lexical error reports it and returns
// tokens up to that point followed by TK_EOF.
TokenStream tokenize(Arena *a, Diags *d);

bool tok_equal(const Token *tok, const char *op);    // Same text as op (any kind)
// The name s[0..len) as Python reads it (NFKC; as it is where not UTF-8), in a.
const char *nfkc_name(Arena *a, const char *s, size_t len);
bool tok_is_keyword(const Token *tok);               // Python 3 keyword
bool tok_is_augassign(const Token *tok);             // +=, -=, ... @=

//
// types (type.c)
//

typedef enum {
  TY_BOOL,      // bool / numpy bool_
  TY_INT8,      // int8
  TY_INT16,     // int16
  TY_INT32,     // int32
  TY_INT64,     // int64 (Python int)
  TY_UINT8,     // uint8
  TY_UINT16,    // uint16
  TY_UINT32,    // uint32
  TY_UINT64,    // uint64
  TY_FLOAT32,   // float32
  TY_FLOAT64,   // float64 (Python float); the last scalar kind
  TY_ARRAY,     // N-d NumPy array of a scalar dtype
  TY_TUPLE,     // tuple of values (A.shape, multiple return)
  TY_NONE,      // None, functions without a value
} TypeKind;

struct Type {
  TypeKind kind;     // Kind
  bool weak;         // Python scalar: adapts to the other operand (NEP 50)
  Type *elem;        // TY_ARRAY: element type
  int ndim;          // TY_ARRAY: rank
  int nfields;       // TY_TUPLE: number of elements
  Type **fields;     // TY_TUPLE: element types
};

// Arrays have at most this many dimensions: the runtime's appy_array holds the extents of
// that many (APPY_MAXDIM of appy/runtime.h).
enum { MAXRANK = 8 };

extern Type *ty_bool, *ty_int8, *ty_int16, *ty_int32, *ty_int64;
extern Type *ty_uint8, *ty_uint16, *ty_uint32, *ty_uint64, *ty_float32, *ty_float64, *ty_none;
extern Type *ty_weak_int, *ty_weak_float, *ty_weak_bool;   // Python int, float, bool

bool ty_is_scalar(const Type *t);
bool ty_is_int(const Type *t);        // int8 ... uint64 (not bool)
bool ty_is_unsigned(const Type *t);   // uint8 ... uint64
bool ty_is_float(const Type *t);
bool ty_is_number(const Type *t);   // Integer or float, not bool: what GPU reductions take
int ty_size(const Type *t);           // Bytes of a scalar
// The values of integer or bool type t, lo to hi (for uint64, hi is INT64_MAX: the values
// of an int64 literal that it holds).
void ty_range(const Type *t, int64_t *lo, int64_t *hi);
Type *ty_of(TypeKind kind);           // The (strong) scalar type of a kind
bool ty_equal(const Type *a, const Type *b);
Type *ty_strong(Type *t);             // Same type without the weak flag
Type *ty_array(Arena *a, Type *elem, int ndim);
Type *ty_tuple(Arena *a, Type **fields, int n);
Type *ty_promote(Type *a, Type *b);   // NumPy 2 promotion of two scalars
const char *ty_name(Arena *a, const Type *t);   // "float64", "float32[:, :]", ...
// As a signature spells it: Python scalars "int", "float", "bool", else ty_name.
const char *ty_sig_name(Arena *a, const Type *t);
const char *ty_ctype(const Type *t);            // "double", "int32_t", "bool", ...
const char *ty_dtype_enum(const Type *t);       // "APPY_FLOAT64", ...
// Parses a dtype name ("float32", "np.uint8", "intp", ...; "int", "float" and "bool"
// without "np." are Python's, weak); NULL if unknown.
Type *ty_from_name(const char *name, size_t len);

//
// parse.c
//

typedef enum {
  // expressions
  ND_NUM,        // Number literal (tok has the value)
  ND_BOOL,       // True / False (ival)
  ND_NONE,       // None
  ND_STR,        // String literal
  ND_NAME,       // Identifier (name)
  ND_ATTR,       // lhs.name
  ND_CALL,       // lhs(args, keywords)
  ND_KEYWORD,    // name=lhs inside a call's argument list
  ND_SUBSCRIPT,  // lhs[args]  (args: one node per comma-separated index)
  ND_SLICE,      // lo:hi:step inside a subscript (each may be NULL)
  ND_TUPLE,      // (args,)
  ND_LIST,       // [args]
  ND_BINOP,      // lhs op rhs
  ND_UNARY,      // op lhs
  ND_BOOLOP,     // lhs and/or rhs (op is "and" / "or")
  ND_NOT,        // not lhs
  ND_COMPARE,    // lhs ops[0] args[0] ops[1] args[1] ... (chained)
  ND_IFEXP,      // body if cond else orelse
  // statements
  ND_FUNCDEF,    // def name(params): body
  ND_ASSIGN,     // targets (args list, for a = b = c) = value (rhs)
  ND_AUGASSIGN,  // lhs op= rhs
  ND_EXPR_STMT,  // expression statement (lhs)
  ND_IF,         // if cond: body else orelse (elif is a nested ND_IF in orelse)
  ND_WHILE,      // while cond: body
  ND_FOR,        // for target in iter: body
  ND_BREAK,      // break
  ND_CONTINUE,   // continue
  ND_PASS,       // pass
  ND_RETURN,     // return [lhs]
  ND_RAISE,      // ValueError with message `name` (made by lower.c for shapes that differ)
  ND_IGNORED,    // import, docstring and other statements with no effect on kernels
  ND_PYTHON,     // host statement outside the subset, kept as Python
} NodeKind;

struct Node {
  NodeKind kind;     // Node kind
  Node *next;        // Next statement, argument, element, ...
  Token *tok;        // Representative token, for positions
  Type *ty;          // Expression type (sema)

  const char *op;    // Operator text: "+", "//", "<", "and", "-=" ...
  Node *lhs;         // Left operand, callee, subscripted value, object of ND_ATTR
  Node *rhs;         // Right operand, assigned value
  Node *args;        // Call arguments, subscript indices, tuple elements, assign targets
  const char **ops;  // ND_COMPARE: operator of each comparison (nargs of them)
  int nargs;         // Length of args

  const char *name;  // ND_NAME, ND_ATTR, ND_KEYWORD, ND_FUNCDEF name
  Node *cond;        // ND_IF, ND_WHILE, ND_IFEXP condition
  Node *body;        // Statement list; ND_IFEXP value when true
  Node *orelse;      // else branch; ND_IFEXP value when false
  Node *target;      // ND_FOR target
  Node *iter;        // ND_FOR iterable
  Node *lo, *hi, *step;   // ND_SLICE bounds

  // ND_FUNCDEF
  Node *params;      // Parameters (ND_NAME list)
  Node *decorators;  // Decorator expressions
  int end_line;      // Last source line of the statement (compound statements)
  const char *python;  // ND_PYTHON, ND_FUNCDEF whose host code stays Python: why (the
                       // rendered error of the first construct outside the subset)
  Node *host;        // ND_FUNCDEF made by outline.c: the function whose loop it is
  int *host_param;   // ... and for each parameter, the host function's parameter it
                     // passes on unchanged (index), or -1

  Pragma *pragma;    // "#pragma" lines directly above this statement (first of a chain)
  int npragmas;      // How many pragmas are attached

  // sema results
  Var *var;          // ND_NAME: resolved variable; ND_SUBSCRIPT / shape: the array
  Region *region;    // ND_FOR: the parallel region it starts (NULL if sequential)
  bool parallel;     // ND_FOR: loop is parallel
  bool sync_after;   // ND_ASSIGN made by lower.c reading an element that the next
                     // statement's element loops may write: a group's lanes wait after it
  int ival;          // ND_BOOL value; misc small integer
  int height;        // Expression: nodes from it down to its deepest leaf (parse.c's limit)
  int nest;          // Expression: the same, a chain's left operands not counted (a + b + c
                     // is 2: C writes it without brackets; parse.c's limit)
};

// A top-level import of a module kernels may name: `from math import erf as f` (alias
// "f", module "math", name "erf") or `import numpy as xp` (alias "xp", module "np", name
// NULL). scipy.special's functions are NumPy ufuncs: module "np".
typedef struct Import Import;
struct Import {
  Import *next;       // Next import
  const char *alias;  // Name the file uses
  const char *module; // "np" or "math"
  const char *name;   // Function imported, or NULL for the module itself
};

// A name the file binds once, at top level, to a number: `N = 1000`, `STEP = 1.0 / N`.
typedef struct Const Const;
struct Const {
  Const *next;        // Next constant
  const char *name;   // Its name
  Node *value;        // Its expression: numbers, operators and earlier constants
  bool rebound;       // Bound again elsewhere (or declared global in a function): no constant
};

typedef struct {
  Node *funcs;       // Kernel function definitions, in order (ND_FUNCDEF)
  Pragma *pragmas;   // Every pragma comment of the file ("# appy: export" lines among them)
  Import *imports;   // Top-level imports of math, numpy and scipy.special
  Const *consts;     // Top-level names bound to numbers
  Node *globals;     // Every name the file binds at top level (ND_NAME list)
} Module;

// Parses the token stream. Kernel functions (decorated with jit; with `only`, the one
// top-level function of that name, decorated or not) are parsed fully; everything else at
// top level is skipped but imports and numeric constants: the kernels' calls of imported
// functions and modules are spelled as np.NAME or math.NAME, their uses of constants
// replaced by the constants' expressions. Reports syntax errors against the subset.
Module *parse(Arena *a, Diags *d, TokenStream *ts, const char *only);

//
// sema.c: the data it builds (variables, regions, kernels, instances)
//

typedef enum {
  VAR_PARAM,    // Function parameter
  VAR_LOCAL,    // Local variable
} VarKind;

struct Var {
  Var *next;         // Next variable of the same function
  const char *name;  // Python name
  const char *cname; // Name in the generated C
  VarKind kind;      // Parameter or local
  Type *ty;          // Inferred or declared type
  Token *tok;        // First definition
  int param_index;   // VAR_PARAM: position
  bool is_loop_var;  // Target of some for loop
  bool used_outside_loop;  // Loop variable read outside the loop it controls
  bool temp;         // Made by the translator (lower.c): its type is fixed
  bool shared;       // Named in a shared(...) clause: keeps the type of its first value
  int64_t buffer;    // appy.buffer(n): a team's scratchpad of n elements (0: not one)
};

typedef enum {
  SH_FIRSTPRIVATE,   // Read-only scalar captured from the host
  SH_PRIVATE,        // Assigned in every iteration before it is read
  SH_REDUCTION,      // Reduction variable
  SH_SHARED,         // Named in shared(...): mapped tofrom, updates are the user's
} Sharing;

typedef struct RegionVar RegionVar;
struct RegionVar {
  RegionVar *next;   // Next variable of the region
  Var *var;          // The variable
  Sharing sharing;   // Data-sharing
  const char *redop; // SH_REDUCTION: "+", "*", "max", "min"
  bool read;         // Array: element read in the region
  bool written;      // Array: element written in the region
  bool full_write;   // Array: every element written (map(from) suffices)
};

struct Region {
  Node *loop;          // Outermost parallel ND_FOR (the inner loop, for an inner region)
  int collapse;        // Number of perfectly nested parallel loops collapsed (>= 1)
  bool simd;           // The user asked for simd (parallel for simd; #pragma simd)
  bool group;          // Group mode: one team per iteration, marked inner loops shared
  bool inner;          // A marked inner loop of a group-mode region (parallel for)
  bool raises;         // Contains an ND_RAISE: reports failure through appy_failed_line
  RegionVar *vars;     // Variables the region touches
  int id;              // Index of the region within its kernel
  Plan *plan;          // Its kernel (plan.c)
};

typedef struct {
  const char *text;  // Signature as written, e.g. "f(float64[:], int64)"
  Type **params;     // Parameter types
  int nparams;       // Count
} Signature;

struct Kernel {
  Kernel *next;        // Next kernel in the module
  Node *fn;            // ND_FUNCDEF
  const char *name;    // Function name
  int nparams;         // Number of parameters
  const char **pnames; // Parameter names
  Signature *sigs;     // Overloads (declared or inferred)
  int nsigs;           // Number of overloads
  bool inferred;       // Signature was inferred, not declared
  const char *python;  // Host code stays Python (outline.c), no C of its own, because of
                       // this (the first construct outside the subset, rendered); or NULL
  Kernel *host;        // A parallel loop outlined from this host function, or NULL
};

// Instance of a kernel for one overload: what codegen needs.
// An integer expression of values a call fixes, times mult (checks.c).
typedef struct Term Term;
struct Term {
  Term *next;          // Next term of the sum
  Node *n;             // The expression
  int64_t mult;        // Its factor
};

enum { MAXLOOPS = 8 };   // Loops around a subscript that a ShapeCheck follows

// An extent an array argument must have, certain from the loops (checks.c): subscripts
// (the first `at`) index dimension `dim` of `array` with coef * (the variable of `loop`)
// + terms + k, k from kmin to kmax, on every iteration of `loops`, whose ranges the call
// fixes; if they all run, each index must lie in [-extent, extent - 1] (Python's negative
// indices from the end).
typedef struct ShapeCheck ShapeCheck;
struct ShapeCheck {
  ShapeCheck *next;         // Next check of the instance
  Var *array;               // Array parameter, never rebound
  int dim;                  // Its dimension
  Node *at;                 // The subscript
  Node *index;              // The index of that dimension
  Node *loop;               // The loop whose variable the index takes (NULL: none)
  int64_t coef;             // Its factor
  Term *terms;              // The rest of the index but its constant...
  int64_t kmin, kmax;       // ...which is one of these or between them
  Node *loops[MAXLOOPS];    // Loops around the subscript, outermost first
  int nloops;               // Count
  Node *before;             // The top-level statement to check before (NULL: at the start)
};

typedef struct {
  Kernel *kernel;      // The kernel
  Signature *sig;      // The overload
  int index;           // Overload number
  Node *body;          // This overload's copy of the function body (lowered)
  Var *vars;           // All variables with types for this overload
  Region *regions;     // Parallel regions (array)
  int nregions;        // Count
  ShapeCheck *checks;  // Extents of array arguments to check at the call (checks.c)
} Instance;

// The compiler the generated C is for (appy-translate --compiler).
typedef enum {
  TARGET_HOST,    // "none": host OpenMP only
  TARGET_CLANG,   // "clang": clang-19 offload to NVPTX (JIT), bare kernels
  TARGET_GCC,     // "gcc": gcc-12 -foffload=nvptx-none
  TARGET_CLANG_HOST,  // "clang-host": clang-19 with the host CPU as the OpenMP device
                      // (libomptarget's host plugin), generic target code as for gcc
} Target;


typedef struct {
  const char *filename;    // Source file name, for messages and comments
  const char *source;      // Source text (embedded when host code stays Python)
  const char *module_name; // Python module name
  const char *only;        // The one function to translate (appy.jit's), or NULL for all
  Target target;           // The compiler the C is for: directives tuned per compiler
  const char **extra_sigs; // Signatures given on the command line (-s)
  int nextra_sigs;         // Count
  bool explain;            // Describe each parallel loop on stderr-bound text
  bool boundscheck;        // Check every subscript: IndexError (appy/check.h)
} Options;

typedef struct {
  Kernel *kernels;     // Kernel functions in source order
  Instance *insts;     // One per (kernel, overload)
  int ninsts;          // Count
} Program;

//
// tree.c: queries and copies of the tree that the stages share
//

// n is the name `name`.
bool is_name(Node *n, const char *name);
// The modules kernels may name: np, numpy, math, appy.
bool is_module_name(const char *name);
// n is MODULE.attr for one of those modules.
bool is_module_attr(Node *n, const char *attr);
// First attached pragma whose text starts with word ("parallel", "simd", ...), or NULL.
Pragma *find_pragma(Node *n, const char *word);
// Parallel-loop test: "#pragma parallel for", prange(...) or appy.range(..., parallel=True).
bool is_parallel_for(Node *n);
// Does pragma p (may be NULL) name `name` in a clause such as shared(a, b) or reduction(+: s)?
bool clause_names(Pragma *p, const char *clause, const char *name);
// An inner loop marked #pragma simd or #pragma workshare.
bool is_marked_loop(Node *n);
// Constant integer, a negative literal included.
bool const_int(Node *n, int64_t *out);
// Does expression or statement n (not the ones after it) use variable v?
bool mentions(Node *n, Var *v);
// Deep copy of a statement or expression list (next links included).
Node *clone_list(Arena *a, Node *n);
// Same expression: same shape, operators, names and constants.
bool same_expr(Node *a, Node *b);
// Statement list n holds an outermost parallel loop (a region that is not a marked loop).
bool has_region(Node *n);
// Does pred hold for a node of n or of the nodes after it, searched through every operand,
// argument, condition, body, else branch, loop iterable and slice bound? (The one walker
// of the tree's queries; ctx is pred's.)
bool tree_any(Node *n, bool (*pred)(Node *n, void *ctx), void *ctx);
// The same over statements only: n and the statements after it, their bodies and else
// branches.
bool stmts_any(Node *n, bool (*pred)(Node *n, void *ctx), void *ctx);
// Adds what assignment target t (a name, element, tuple or list of them) stores to.
void target_kinds(Node *t, bool *names, bool *elems);
// Statements n (and those after them) assign variable v: a target, an update, a loop.
bool assigns(Node *n, Var *v);
// The variable that lower.c's temporaries of the given name ("appy.len3") get.
Var *new_temp(Arena *a, Instance *inst, const char *name, Type *ty);

//
// names.c: C names (the scheme, and why no Python name can break the C, is there)
//

// The C name of Python name `name` (NFKC, UTF-8), or of a temporary of lower.c ("appy.len3").
const char *c_name(Arena *a, const char *name);
// The C name of part `part` of what cname names (see names.c for the parts): cname + part.
const char *c_part(Arena *a, const char *cname, const char *part);
// Part `part` (kernel, call) of overload k of kernel function kernel: vadd_kernel0.
const char *kernel_part(Arena *a, const Kernel *kernel, const char *part, int k);

//
// outline.c
//

// The functions the parser left Python statements in (ND_PYTHON): each is marked
// (ND_FUNCDEF python: why) and each of its outermost parallel loops is appended to m->funcs
// as a kernel function of its own (its free variables the parameters, its reductions
// returned). False after an error (such a function without parallel loops).
bool outline_python(Arena *a, Diags *d, Module *m);
// The same for the functions whose first analysis, recorded in `first`, failed outside
// their parallel loops on Python outside the subset. True if it outlined any: the module
// is then analysed again; otherwise first's errors are the module's.
bool outline_failures(Arena *a, const Diags *first, Module *m);
// The names an entry point made by outlining returns (a list of ND_NAME), or NULL.
Node *outline_outputs(Node *entry);

//
// sema.c
//

// The kernels of the module, their signatures (declared or inferred) and one Instance per
// overload, not yet analysed.
Program *sema(Arena *a, Diags *d, Module *m, const Options *opt);
// Types and checks one instance: its own copy of the body, its variables and their types.
bool sema_instance(Arena *a, Diags *d, Instance *inst, const Options *opt);
// After lower.c: types and checks the lowered body again if lowering `changed` it (errors
// only; its warnings were given the first time), and marks loop variables read after
// their loops.
bool sema_lowered(Arena *a, Diags *d, Instance *inst, const Options *opt, bool changed);

//
// lower.c
//

// Rewrites statements on arrays and slices (elementwise arithmetic, assignment and
// in-place updates of slices, np.sum & co) of a typed instance body into element loops.
// Returns true if it changed anything; reports what it cannot lower.
bool lower(Arena *a, Diags *d, Instance *inst);

//
// region.c
//

// Builds inst->regions: collapse depth and the data-sharing of every variable of each
// outermost parallel loop (marked by sema in ND_FOR.parallel). Reports loop-carried
// scalars and warns about writes that every iteration makes to the same element.
void find_regions(Arena *a, Diags *d, Instance *inst);
// True if element store `target` (ND_SUBSCRIPT) cannot collide between iterations of the
// parallel loops over vars: each of them is an index, possibly plus or minus a constant.
bool owned_index(Node *target, Var *const *vars, int n);
// The loop variables of region r's collapsed nest, outermost first (r->collapse <= 8).
int region_loop_vars(Region *r, Var **out);
// The arrays region r uses (its scratchpads left out), at most 64.
int region_arrays(Region *r, RegionVar **out);

//
// checks.c
//

// Start (NULL: 0), stop and constant step of a `range` loop; false if the step is not a
// constant other than 0.
bool range_args(Node *loop, Node **start, Node **stop, int64_t *step);
// inst->checks: the extents of array arguments that its loops make certain.
void find_checks(Arena *a, Instance *inst);

//
// plan.c: the kernel each parallel loop becomes, decided once
//

typedef enum {
  SHAPE_TEAMS,    // `target teams distribute [parallel for [simd]]`: every compiler, the fallback
  SHAPE_GROUP,    // Group mode as a bare kernel (clang): a group of lanes per iteration
  SHAPE_REDUCE,   // Reductions into scalars as a bare kernel (clang), combined on the device
  SHAPE_LOOP,     // One iteration per thread as a bare kernel (clang)
  SHAPE_TILES,    // A dense (i, j) nest in tiles as a bare kernel (clang)
} Shape;

// A collapsed (i, j) nest whose iterations run sequential k loops reading arrays at
// [i, k], [k, i], [j, k] or [k, j] (matrix products: symm, syrk, syr2k, trmm) runs in tiles:
// a block of APPY_TILE_THREADS threads takes APPY_TILE_I x APPY_TILE_J iterations, each
// thread APPY_TILE_U of them, and the k loops of a thread's iterations run together
// (jammed), a chunk of steps at a time, reading those arrays from panels the block copies
// into shared memory (the next chunk read into registers while this one is used). Each
// iteration still runs its own statements in its own order over its own range of k; the
// ones outside the nest, their guard or their range at a step skip it (a slower copy of
// the chunk checks each). The sizes are appy/sizes.h's.
typedef struct {
  Var *x;        // Array
  bool jside;    // Indexed by j (else by i)
  bool kfirst;   // x[k, i] (else x[i, k])
  Node *loop;    // The k loop that reads it
} Panel;

// A jammed k loop whose body is `s += x[i, k] * y[k, j] + ...` (or -=, and sums and
// differences of such products), s a float64 scalar of the iteration and every factor a
// float64 panel, one across i and one across j: on GPUs that have them, a warp whose
// elements in the nest and its guard all take a whole chunk runs it on the tensor cores
// (appy_dmma), 4 steps of k per instruction, the 4 products of a step of an element added
// in the hardware's order.
typedef struct {
  Var *acc;      // s; NULL if the loop does not run so
  int nterm;     // Its products:
  int a[4];      // the panel across i,
  int b[4];      // the panel across j,
  bool neg[4];   // and whether it is subtracted
} Dmma;

typedef struct {
  Node *loop;    // A jammed k loop
  int kc;        // Its steps of k per chunk: APPY_TILE_K, half or a quarter (more panels)
  Dmma mma;
} Chunk;

typedef struct Tiling {
  Node *body;         // The iteration's statements (inside cond)
  Node *cond;         // `if cond:` around all of them, or NULL
  Var *vi, *vj;       // Loop variables of the nest
  Node *ref[64];      // Subscripts read from panels...
  int of[64];         // ...and the panel of each
  int nref;
  Panel panel[16];
  int npanel;
  Chunk chunk[16];
  int nchunk;
} Tiling;

struct Plan {
  Shape shape;           // The kernel
  const char *why_teams; // Clang, SHAPE_TEAMS in group mode or reducing bools: why, or NULL
  bool simd;             // The teams form (a marked loop's `parallel for`) carries simd
  const char *simd_why;  // Why (asked, added, dropped: --explain), or NULL: not asked, none
  RegionVar **scatter;   // SHAPE_LOOP: the arrays each block adds into copies of...
  int nscatter;          // ...how many
  Tiling *tiling;        // SHAPE_TILES: the panels and the jammed k loops
};

// Decides the plan of every region of inst and of the marked loops in group-mode regions.
void plan(Arena *a, Instance *inst, const Options *opt);
// The panel of subscript n in tiling t, or -1.
int panel_of(const Tiling *t, Node *n);

//
// codegen.c
//

// Appends C for every instance (kernel bodies and their target regions) to out.
void codegen(Arena *a, Diags *d, Program *p, const Options *opt, Buf *out);
// The OpenMP directive that codegen writes for region r by its plan (for the device).
const char *region_directive(Arena *a, const Options *opt, Instance *inst, Region *r);

//
// module.c
//

// The target's name as appy-translate and the runtime spell it ("none", "clang", "gcc").
const char *target_name(Target t);
// Appends the CPython extension module (wrappers, method table, init) to out.
void emit_module(Arena *a, Program *p, const Options *opt, Buf *out);

//
// explain.c
//

// Appends, for --explain, the functions whose host code stays Python and one paragraph
// per parallel loop.
void explain(Arena *a, Program *p, const Options *opt, Buf *out);

//
// api.c: the driver (also include/appy/translate.h's appy_translate)
//

// Every stage from sema on, for each instance in turn: sema, lower, sema again, regions,
// plans.
Program *analyse_program(Arena *a, Diags *d, Module *m, const Options *opt);
// The same, with the functions whose host code stays Python outlined first: those the
// parser found Python statements in, then those whose first analysis fails on Python
// outside the subset (outline.c). Errors that outline nothing are reported as they are.
Program *analyse_module(Arena *a, Diags *d, Module *m, const Options *opt);

#endif
