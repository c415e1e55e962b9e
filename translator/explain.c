/* explain.c: --explain, in words, what the translator made of each parallel loop.
 *
 * Prints the functions whose host code stays Python (outline.c), then for every parallel
 * loop of every instance its plan (plan.c): the kernel, why a faster one was not taken,
 * the directive codegen.c writes, the tiles and panels, the marked inner loops, and what
 * each variable is to the loop (region.c). Decides nothing: every fact is an earlier
 * stage's. */
#include "translator.h"

#include <string.h>

static const char *sharing_name(Sharing s) {
  switch (s) {
  case SH_FIRSTPRIVATE: return "firstprivate (read-only copy)";
  case SH_PRIVATE: return "private (assigned before use in each iteration)";
  case SH_REDUCTION: return "reduction";
  default: return "shared (named in shared(...))";
  }
}

// The kernel of a plan, as --explain's "mode:" line says it.
static const char *mode(const Region *r) {
  switch (r->plan->shape) {
  case SHAPE_TILES:
    return "individual, in tiles as a bare GPU kernel (blocks of 256 threads, each taking 64 x "
           "64 iterations of the nest, 16 per thread, whose k loops run together; a teams loop "
           "where the GPU is not used)";
  case SHAPE_LOOP:
    return "individual, as a bare GPU kernel (one iteration per thread, blocks of 256 threads; "
           "a teams loop where the GPU is not used)";
  case SHAPE_REDUCE:
    return "individual, reducing into scalars as a bare GPU kernel (up to 1024 blocks of 256 "
           "threads, each thread taking a strided share of the iterations four at a time; the "
           "blocks' values combined on the device in block order and copied back once; a teams "
           "loop with a reduction clause where the GPU is not used)";
  case SHAPE_GROUP:
    return "group, as a bare GPU kernel (each iteration runs on a group of G threads, G chosen "
           "at run time from the trip count and tuned on the first calls, APPY_GROUP_SIZE "
           "to force it; the tuning also tries a grid capped so that the rows in flight fit in "
           "half the L2, APPY_GROUP_CAP=0 not to; loops marked simd or workshare, and array "
           "statements, are shared by "
           "the group's lanes; a host loop where the GPU is not used)";
  case SHAPE_TEAMS:
    break;
  }
  return r->group ? "group (one OpenMP team per iteration; loops marked simd or workshare, and "
                    "array statements, are shared by the team's threads)"
                  : "individual (one loop iteration per OpenMP thread; no inner loop is marked "
                    "simd or workshare)";
}

// --explain lines for the marked inner loops of a group-mode region.
static void explain_inner(Arena *a, const Options *opt, Instance *inst, Node *n, Buf *out,
                          bool bare) {
  for (; n; n = n->next) {
    if (n->kind == ND_FOR && n->region && n->region->inner && bare) {
      buf_printf(out, "  line %d: inner loop shared by the group's lanes (lane k takes "
                 "iterations k, k + G, ...; reductions combined by warp shuffles), then a "
                 "barrier\n", n->tok->line);
      continue;
    }
    if (n->kind == ND_FOR && n->region && n->region->inner) {
      const Plan *p = n->region->plan;
      bool why = n->region->simd && !p->simd;   // asked, and not in the directive
      buf_printf(out, "  line %d: inner loop shared by the team's threads: %s%s%s%s\n",
                 n->tok->line, region_directive(a, opt, inst, n->region),
                 why ? " (simd: " : "", why ? p->simd_why : "", why ? ")" : "");
      continue;
    }
    explain_inner(a, opt, inst, n->body, out, bare);
    explain_inner(a, opt, inst, n->orelse, out, bare);
  }
}

// The functions whose host code stays Python (outline.c), and their entry points.
static void explain_python(Program *p, const Options *opt, Buf *out) {
  for (Kernel *h = p->kernels; h; h = h->next) {
    if (!h->python)
      continue;
    buf_printf(out, "%s:%d: %s: host code stays Python, because of\n  %.*s\n",
               opt->filename, h->fn->tok->line, h->name, (int)strcspn(h->python, "\n"),
               h->python);
    buf_puts(out, "  it runs as Python (appy/_host.py); each parallel loop is an entry point of the "
                  "module, called with the arrays kept on the GPU for the whole call:\n");
    for (Kernel *k = p->kernels; k; k = k->next) {
      if (k->host != h)
        continue;
      buf_printf(out, "  line %d: %s(", k->fn->tok->line, k->name);
      for (int i = 0; i < k->nparams; i++)
        buf_printf(out, "%s%s", i ? ", " : "", k->pnames[i]);
      buf_puts(out, ")");
      Node *outputs = outline_outputs(k->fn);
      for (Node *o = outputs; o; o = o->next)
        buf_printf(out, "%s%s", o == outputs ? " returns " : ", ", o->name);
      buf_printf(out, "; %s: ", k->inferred ? "signature (inferred)" : "signatures");
      for (int i = 0; i < k->nsigs; i++)
        buf_printf(out, "%s%s", i ? ", " : "", k->sigs[i].text);
      buf_puts(out, "\n");
    }
  }
}

// The jammed k loops of a tiled nest: steps per chunk, tensor cores, panels.
static void explain_tiles(const Tiling *t, Buf *out) {
  for (int q = 0; q < t->nchunk; q++) {
    Node *n = t->chunk[q].loop;
    buf_printf(out, "  line %d: k loop run by each thread for its 16 iterations together, "
               "%d steps at a time", n->tok->line, t->chunk[q].kc);
    if (t->chunk[q].mma.acc)
      buf_printf(out, "; on the tensor cores (sm_80 and later) for a warp whose 512 iterations, "
                 "those in the nest and its guard, all take the whole chunk: %s accumulated by "
                 "float64 mma.m8n8k4, 4 steps per instruction, an iteration's 4 products added "
                 "in the hardware's order", t->chunk[q].mma.acc->name);
    for (int p = 0, first = 1; p < t->npanel; p++) {
      const Panel *pn = &t->panel[p];
      if (pn->loop != n)
        continue;
      const char *ij = (pn->jside ? t->vj : t->vi)->name, *k = n->target->var->name;
      buf_printf(out, "%s%s[%s, %s]", first ? "; read from panels in shared memory (the next "
                                              "steps read ahead into registers): " : ", ",
                 pn->x->name, pn->kfirst ? k : ij, pn->kfirst ? ij : k);
      first = 0;
    }
    buf_puts(out, "\n");
  }
}

// What each variable the region touches is to it.
static void explain_data(Arena *a, Region *r, Buf *out) {
  buf_printf(out, "  data: each array is mapped once per call, at the first loop that uses it; "
                  "copied in only if the host changed it since, back when host code or the "
                  "caller needs it\n");
  for (RegionVar *rv = r->vars; rv; rv = rv->next) {
    Var *v = rv->var;
    if (v->temp)   // lower.c's loop counters, extents and accumulators
      continue;
    if (v->ty->kind == TY_ARRAY)
      buf_printf(out, "  %s: %s, %s\n", v->name,
                 rv->written ? (rv->full_write ? "written at every index, so copied out only"
                                               : "written, so copied in and out")
                             : "only read, so copied in only",
                 ty_name(a, v->ty));
    else
      buf_printf(out, "  %s: %s%s%s\n", v->name, sharing_name(rv->sharing),
                 rv->redop ? " " : "", rv->redop ? rv->redop : "");
  }
}

static void explain_region(Arena *a, const Options *opt, Instance *inst, Region *r, Buf *out) {
  const Plan *p = r->plan;
  buf_printf(out, "%s:%d: parallel loop in %s\n", opt->filename, r->loop->tok->line,
             inst->sig->text);
  buf_printf(out, "  mode: %s%s\n", mode(r),
             r->collapse > 1 ? arena_printf(a, ", %d nested loops collapsed", r->collapse) : "");
  if (p->why_teams)
    buf_printf(out, "  why not a bare kernel: %s\n", p->why_teams);
  const char *d = region_directive(a, opt, inst, r);
  buf_printf(out, "  directive: %s\n", d ? d : "");
  if (p->simd_why)
    buf_printf(out, "  simd: %s\n", p->simd_why);
  for (int k = 0; k < p->nscatter; k++)
    buf_printf(out, "%s%s%s", k ? ", " : "  scattered into: ", p->scatter[k]->var->name,
               k + 1 < p->nscatter ? "" : " (atomic updates; each block of threads adds into its "
                                          "own copies in shared memory when they fit in 24 KB "
                                          "together, merged into the arrays at its end)\n");
  if (p->shape == SHAPE_TILES)
    explain_tiles(p->tiling, out);
  if (r->group)
    explain_inner(a, opt, inst, r->loop->body, out, p->shape == SHAPE_GROUP);
  explain_data(a, r, out);
}

void explain(Arena *a, Program *p, const Options *opt, Buf *out) {
  explain_python(p, opt, out);
  for (int i = 0; i < p->ninsts; i++)
    for (int j = 0; j < p->insts[i].nregions; j++)
      explain_region(a, opt, &p->insts[i], &p->insts[i].regions[j], out);
}
