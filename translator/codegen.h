/* codegen.h: what codegen.c (statements, loops, kernels, functions) and emit.c (the lines,
 * names and expressions they are written with) share. Private to those two files: emit.c
 * is the lower layer and calls nothing of codegen.c. */
#ifndef APPY_CODEGEN_H
#define APPY_CODEGEN_H

#include "translator.h"

// A variable that the body names outside the stores function() may drop, and which parts.
typedef struct Use {
  struct Use *next;     // Next variable
  Var *var;             // The variable
  uint64_t parts;       // Its parts named (part_bit() of P_NAME, P_SIZE, ...)
} Use;

// A line of the body that sets a part of a local array or of a temporary holding one.
typedef struct Store {
  struct Store *next;   // Next store, in the order written
  Var *dst, *src;       // Sets part `part` of dst from that of src (NULL: of no variable)
  int part;             // P_NAME, P_SIZE, ...
  size_t from, to;      // Its bytes in the body
  bool dead;            // Nothing reads what it sets: left out
} Store;

// What the body of the kernel function being emitted uses, noted where codegen writes it:
// function() declares what it names and drops the stores that nothing reads.
typedef struct {
  Use *uses;            // The variables named
  Store *stores;        // The stores into parts of local arrays and temporaries
  Store **end;          // Where the next goes
  int own;              // The function's own names used (OWN_*)
} Body;

// The parts of a variable in C: the variable itself (a scalar, an array's data pointer A),
// an array's A_count, A_obj and extents A_shape<k> (P_SHAPE + k).
enum { P_NAME, P_SIZE, P_OBJ, P_SHAPE };
// The names of the kernel function itself that its body may use: appy_failed, fail:, fr,
// ret, and with --boundscheck appy_bad and appy_oob: (appy/check.h).
enum { OWN_FAILED = 1, OWN_FAIL = 2, OWN_FR = 4, OWN_RET = 8, OWN_BAD = 16, OWN_OOB = 32 };

// A subscript's axis checked by --boundscheck: the number appy/check.h records on failure
// is its place in the function's list, from 1.
typedef struct Site {
  struct Site *next;    // Next site
  Node *at;             // The subscript
  int axis;             // Its axis
} Site;

typedef struct {
  Arena *arena;        // Allocation
  Diags *diags;        // Source text (for comments)
  const Options *opt;  // Options
  Instance *inst;      // Instance being emitted
  Buf *out;            // Output
  int indent;          // Current indentation (levels of two spaces)
  int tmp;             // Counter for temporaries
  Region *region;      // Region being emitted, or NULL in host code
  Var *par[16];        // Loop variables of the parallel loops around the current statement
  int npar;            // Count
  Node *acc_of[8];     // Element updates of the current marked loop done through...
  char *acc[8];        // ...these team-reduced accumulators
  int nacc;            // Count
  Node *bare_last;     // The last statement of a bare kernel's iteration body
  bool bare;           // In a bare group kernel (clang): every lane of a group runs this...
  bool lanes;          // ...except in its marked loops, where each lane takes its iterations
  bool host;           // In the host loop that stands in for a bare kernel off the device
  bool env;            // The function has parallel loops: a data environment (appy_data)
  bool covered;        // In host code whose array uses were declared before it began
  struct Tiling *tiling;   // In a tiled kernel: its subscripts read from shared memory
  char *grouped, *inner;   // The last expression written in parentheses, and it without them
  Body *body;          // What the function body being written uses (NULL: not noted)
  Site *sites;         // --boundscheck: the subscripts checked in the function, in order
  int nsites;          // Count
  bool checked;        // A checked subscript was written since the statement began
} Gen;

//
// emit.c
//

// A line of C at the current indentation.
void line(Gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// l op r of type rt; NULL: of the type of the ring operation it is an operand of, unwrapped.
char *binop_c(Gen *g, const char *op, Node *l, Node *r, Type *rt);
// e, the C of a value of type from, as type to (a cast unless C converts it alike).
char *cast(Gen *g, char *e, Type *from, Type *to);
// A condition without the parentheses around all of it (clang warns of `if ((a == b))`).
char *condition(Gen *g, Node *cond);
// e, the C of expression n (or of operand() for it), converted to type to.
char *convert(Gen *g, Node *n, char *e, Type *to);
// Flattened C index of A[i, j, ...] (row-major); constant negative indices wrap.
char *element(Gen *g, Node *n);
// The C of expression n.
char *expr(Gen *g, Node *n);
// The C of expression n, converted to type to.
char *expr_as(Gen *g, Node *n, Type *to);
// The value of expression n when expr() writes it as the integer literal INT64_C(v): a
// number, a negated one, an array's ndim, or one converted to its own type (int(2)).
bool int_literal(Node *n, long long *v);
// The C name of variable v (of an array, its data pointer), noted as used.
char *name_of(Gen *g, Var *v);
// Name `name`, one of the function's own (OWN_*), noted as used.
const char *own(Gen *g, int which, const char *name);
// A subscript in a tiled kernel: from its panel (step appy_kk of the chunk, this thread's
// element appy_u) or, if it has none, from the array.
char *panel_element(Gen *g, Node *n);
// 'I' or 'J': the side of the tile panel p runs along (appy/group.h's APPY_TILE_I, _SI ...).
char panel_side(const Panel *p);
// Part p of variable v as C names it, noted as used by the body.
char *part(Gen *g, Var *v, int p);
// The parts of an array of rank ndim in the order C declares them: A_, its extents, A_count, A_obj.
int part_at(int q, int ndim);
// Part p's bit in Use.parts (the extents past the 60th, of ranks the runtime never takes, share).
uint64_t part_bit(int p);
// "T A_part": part p of array v declared.
char *part_decl(Gen *g, Var *v, int p);
// Literal operands next to a variable need no INT64_C: C converts them to its type. lit:
// e is INT64_C(v); other: so is the other operand.
char *plain_literal(Gen *g, char *e, bool lit, long long v, bool other);
// "[T ]dst = src;" for each part of array dst (decl: declaring it), from the same part of
// array src, or of appy_array `from` (src NULL). Into a local array or a temporary, it is a
// Store, which function() leaves out if nothing reads it; else a use of what it names.
void set_parts(Gen *g, bool decl, Var *dst, Var *src, const char *from);
// Emits the Python source of lines [from, to] as a comment.
void source_comment(Gen *g, int from, int to);
// The suffix of appy/pyops.h's and appy/group.h's helpers for type t; bools compute as int64.
const char *suffix(const Type *t);

#endif
