/* module.c: the CPython extension around the kernels, in the shape of CPython's
 * Modules/xxlimited.c: limited API, one wrapper per kernel with its docstring, one method
 * table, multi-phase init. Wrappers check and convert arguments (libappyrt does the
 * work and raises the exceptions), pick the overload, and call the kernel without the GIL. */
#include "translator.h"

#include <string.h>

static void out(Buf *b, const char *s) { buf_puts(b, s); }

const char *target_name(Target t) {
  return t == TARGET_CLANG ? "clang" : t == TARGET_GCC ? "gcc"
         : t == TARGET_CLANG_HOST ? "clang-host" : "none";
}

static bool is_target_of(Node *t, const char *name) {
  if (t->kind == ND_SUBSCRIPT)
    return t->lhs->kind == ND_NAME && !strcmp(t->lhs->name, name);
  if (t->kind == ND_TUPLE || t->kind == ND_LIST)
    for (Node *e = t->args; e; e = e->next)
      if (is_target_of(e, name))
        return true;
  return false;
}

static bool names(Node *e, const char *name) {
  if (e->kind == ND_NAME)
    return !strcmp(e->name, name);
  if (e->kind == ND_TUPLE)
    for (Node *a = e->args; a; a = a->next)
      if (names(a, name))
        return true;
  return false;
}

// Does the body store into array `name` (or into any array, with name = NULL)? Sets
// *aliased when the array is bound to another name (then any store may reach it).
static bool stores(Node *n, const char *name, bool *aliased) {
  bool found = false;
  for (; n; n = n->next) {
    switch (n->kind) {
    case ND_ASSIGN:
      for (Node *t = n->args; t; t = t->next)
        found |= name ? is_target_of(t, name) : t->kind == ND_SUBSCRIPT;
      if (name && names(n->rhs, name))
        *aliased = true;
      break;
    case ND_AUGASSIGN:
      found |= n->lhs->kind == ND_SUBSCRIPT &&
               (!name || (n->lhs->lhs->kind == ND_NAME && !strcmp(n->lhs->lhs->name, name)));
      break;
    case ND_IF:
    case ND_WHILE:
    case ND_FOR:
      found |= stores(n->body, name, aliased);
      found |= stores(n->orelse, name, aliased);
      break;
    default:
      break;
    }
  }
  return found;
}

// In this overload's body, as lowered (x *= 2 became element stores).
static bool param_written(Instance *inst, const char *name) {
  bool aliased = false;
  if (stores(inst->body, name, &aliased))
    return true;
  return aliased && stores(inst->body, NULL, &aliased);
}

// call_NAME_K: converts the arguments for overload K and runs it without the GIL.
static void emit_call(Buf *b, Arena *a, Instance *inst, const Options *opt) {
  Kernel *k = inst->kernel;
  Signature *sig = inst->sig;
  // GPU arrays (CuPy, PyTorch) go straight to the parallel loops' data environment; LLVM's
  // offload runtime shares CUDA's primary context with them.
  bool gpu = opt->target == TARGET_CLANG && inst->nregions > 0;
  buf_printf(b, "static PyObject *\n%s(appy_frame *fr, PyObject *const *argv)\n{\n",
             kernel_part(a, k, "call", inst->index));
  for (int i = 0; i < k->nparams; i++) {
    Type *t = sig->params[i];
    buf_printf(b, "    %s p%d;\n", t->kind == TY_ARRAY ? "appy_array" : ty_ctype(t), i);
  }
  out(b, "    PyObject *ret = NULL;\n    int rc;\n\n");
  if (gpu)
    out(b, "    fr->gpu_ok = appy_use_device();\n");
  for (int i = 0; i < k->nparams; i++) {
    Type *t = sig->params[i];
    if (t->kind == TY_ARRAY)
      buf_printf(b, "    if (appy_arg_array(fr, argv[%d], \"%s\", %s, %d, %d, &p%d) < 0)\n", i,
                 c_text(a, k->pnames[i], C_STRING), ty_dtype_enum(t->elem), t->ndim,
                 param_written(inst, k->pnames[i]), i);
    else
      buf_printf(b, "    if (appy_arg_%s(fr, argv[%d], \"%s\", &p%d) < 0)\n",
                 ty_name(a, ty_strong(t)), i, c_text(a, k->pnames[i], C_STRING), i);
    out(b, "        return NULL;\n");
  }
  out(b, "    Py_BEGIN_ALLOW_THREADS\n");
  buf_printf(b, "    rc = %s(fr", kernel_part(a, k, "kernel", inst->index));
  for (int i = 0; i < k->nparams; i++)
    buf_printf(b, ", %sp%d", sig->params[i]->kind == TY_ARRAY ? "&" : "", i);
  out(b, ", &ret);\n    Py_END_ALLOW_THREADS\n");
  out(b, "    if (rc < 0)\n        return NULL;\n");
  out(b, "    if (ret == NULL)\n        Py_RETURN_NONE;\n");
  out(b, gpu ? "    return appy_result_kind(fr, ret);\n}\n\n" : "    return ret;\n}\n\n");
}

// The condition under which overload `sig` takes the call.
static void emit_match(Buf *b, Kernel *k, Signature *sig) {
  for (int i = 0; i < k->nparams; i++) {
    Type *t = sig->params[i];
    if (i)
      out(b, "\n        && ");
    if (t->kind == TY_ARRAY)
      buf_printf(b, "appy_match_array(argv[%d], %s, %d)", i, ty_dtype_enum(t->elem), t->ndim);
    else
      buf_printf(b, "appy_match_scalar(argv[%d], %s)", i, ty_dtype_enum(t));
  }
  if (!k->nparams)
    out(b, "1");
}

static char *signatures_text(Arena *a, Kernel *k) {
  Buf b = {0};
  for (int i = 0; i < k->nsigs; i++)
    buf_printf(&b, "  %s\n", k->sigs[i].text);
  char *s = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return s;
}

static void emit_wrapper(Buf *b, Arena *a, Program *p, Kernel *k, const Options *opt) {
  // Docstring with a text signature, so that help() and inspect.signature() work.
  const char *c = c_name(a, k->name);
  buf_printf(b, "PyDoc_STRVAR(%s,\n\"%s($module", c_part(a, c, "pydoc"), c_text(a, k->name, C_STRING));
  for (int i = 0; i < k->nparams; i++)
    buf_printf(b, ", %s", c_text(a, k->pnames[i], C_STRING));
  out(b, ")\\n--\\n\\n\"\n\"");
  buf_c_text(b, arena_printf(a, "Runs %s from %s:%d, compiled by appy-translate.\n\n%s:\n%s",
                             k->name, opt->filename, k->fn->tok->line,
                             k->inferred ? "Signature (inferred)" : "Signatures",
                             signatures_text(a, k)), C_STRING);
  out(b, "\");\n\n");

  buf_printf(b, "static PyObject *\n%s(PyObject *self, PyObject *args, PyObject *kwargs)\n{\n",
             c_part(a, c, "py"));
  out(b, "    static const char *const names[] = {");
  for (int i = 0; i < k->nparams; i++)
    buf_printf(b, "\"%s\", ", c_text(a, k->pnames[i], C_STRING));
  buf_printf(b, "NULL};\n    PyObject *argv[%d];\n    appy_frame fr;\n    PyObject *result;\n\n",
             k->nparams ? k->nparams : 1);
  out(b, "    (void)self;\n");
  buf_printf(b, "    if (appy_parse_args(\"%s\", args, kwargs, names, %d, argv) < 0)\n",
             c_text(a, k->name, C_STRING), k->nparams);
  out(b, "        return NULL;\n    if (appy_offload_check() < 0)\n        return NULL;\n");
  buf_printf(b, "    appy_frame_init(&fr, \"%s\", \"%s\");\n", c_text(a, opt->module_name, C_STRING),
             c_text(a, k->name, C_STRING));
  bool first = true;
  for (int i = 0; i < p->ninsts; i++) {
    Instance *inst = &p->insts[i];
    if (inst->kernel != k)
      continue;
    if (k->nsigs == 1) {
      buf_printf(b, "    result = %s(&fr, argv);\n", kernel_part(a, k, "call", inst->index));
      break;
    }
    buf_printf(b, "    %sif (", first ? "" : "else ");
    emit_match(b, k, inst->sig);
    buf_printf(b, ")\n        result = %s(&fr, argv);\n", kernel_part(a, k, "call", inst->index));
    first = false;
  }
  if (k->nsigs > 1) {
    buf_printf(b, "    else\n        result = appy_no_match(&fr, argv, %d, \"", k->nparams);
    buf_c_text(b, signatures_text(a, k), C_STRING);
    out(b, "\");\n");
  }
  out(b, "    if (appy_frame_release(&fr) < 0)\n        Py_CLEAR(result);\n    return result;\n}\n\n");
}

static bool has_python(Program *p) {
  for (Kernel *k = p->kernels; k; k = k->next)
    if (k->python)
      return true;
  return false;
}

// For appy/_host.py: the source, and for each function whose host code stays Python,
// its parallel loops as a Python literal: {"f": [(line, entry, (params), (outputs),
// (indices of the array parameters the loop writes)), ...], ...}.
static void emit_python_host(Buf *b, Arena *a, Program *p, const Options *opt) {
  out(b, "/* The file's source: the host code of");
  for (Kernel *k = p->kernels; k; k = k->next)
    if (k->python)
      buf_printf(b, " %s", c_text(a, k->name, C_COMMENT));
  out(b, " stays Python (appy/_host.py runs it). */\nstatic const char appy_source[] =\n    \"");
  buf_c_text(b, opt->source, C_LINES);
  out(b, "\";\n\nstatic const char appy_host_loops[] =\n    \"{");
  for (Kernel *h = p->kernels; h; h = h->next) {
    if (!h->python)
      continue;
    buf_printf(b, "'%s': [", c_text(a, h->name, C_STRING));
    for (Kernel *k = p->kernels; k; k = k->next) {
      if (k->host != h)
        continue;
      buf_printf(b, "(%d, '%s', (", k->fn->tok->line, c_text(a, k->name, C_STRING));
      for (int i = 0; i < k->nparams; i++)
        buf_printf(b, "'%s', ", c_text(a, k->pnames[i], C_STRING));
      out(b, "), (");
      for (Node *o = outline_outputs(k->fn); o; o = o->next)
        buf_printf(b, "'%s', ", c_text(a, o->name, C_STRING));
      out(b, "), (");
      for (int i = 0; i < k->nparams; i++) {
        bool written = false;
        for (int j = 0; j < p->ninsts; j++)
          if (p->insts[j].kernel == k && p->insts[j].sig->params[i]->kind == TY_ARRAY)
            written |= param_written(&p->insts[j], k->pnames[i]);
        if (written)
          buf_printf(b, "%d, ", i);
      }
      out(b, ")), ");
    }
    out(b, "],\"\n    \"");   // a line per function
  }
  out(b, "}\";\n\n");
}

static void emit_init(Buf *b, Arena *a, Program *p, const Options *opt) {
  const char *m = opt->module_name;
  out(b, "static PyMethodDef module_methods[] = {\n");
  for (Kernel *k = p->kernels; k; k = k->next)
    if (!k->python)
      buf_printf(b, "    {\"%s\", (PyCFunction)(void (*)(void))%s, METH_VARARGS | METH_KEYWORDS, "
                  "%s},\n", c_text(a, k->name, C_STRING), c_part(a, c_name(a, k->name), "py"),
                  c_part(a, c_name(a, k->name), "pydoc"));
  out(b, "    {\"_appy_device\", appy_device_info, METH_NOARGS,\n"
         "     PyDoc_STR(\"Where kernels run: 'gpu: ...' or 'host: ...'.\")},\n");
  out(b, "    {\"_appy_data\", appy_data_op, METH_VARARGS,\n"
         "     PyDoc_STR(\"_appy_data(op, array): for appy.device, appy.to_host, appy.to_device.\")},\n");
  out(b, "    {NULL, NULL, 0, NULL}\n};\n\n");
  out(b, "static int\nmodule_exec(PyObject *module)\n{\n");
  buf_printf(b, "    if (PyModule_AddStringConstant(module, \"__appy_compiler__\", \"%s\") < 0)\n"
                "        return -1;\n", target_name(opt->target));
  out(b, "    appy_register_module(module);\n");
  if (has_python(p)) {
    buf_printf(b, "    if (appy_runtime_init(\"%s\") < 0)\n        return -1;\n",
               target_name(opt->target));
    out(b, "    return appy_python_host(module, appy_source, \"");
    buf_c_text(b, opt->filename, C_STRING);
    out(b, "\", appy_host_loops);\n}\n\n");
  } else {
    buf_printf(b, "    return appy_runtime_init(\"%s\");\n}\n\n", target_name(opt->target));
  }
  out(b, "static PyModuleDef_Slot module_slots[] = {\n    {Py_mod_exec, module_exec},\n"
         "    {0, NULL}\n};\n\n");
  buf_printf(b, "PyDoc_STRVAR(module_doc, \"Kernels compiled by appy-translate from %s.\");\n\n",
             c_text(a, opt->filename, C_STRING));
  buf_printf(b, "static struct PyModuleDef module_def = {\n    PyModuleDef_HEAD_INIT,\n"
                "    .m_name = \"%s\",\n    .m_doc = module_doc,\n    .m_size = 0,\n"
                "    .m_methods = module_methods,\n    .m_slots = module_slots,\n};\n\n",
             c_text(a, m, C_STRING));
  buf_printf(b, "PyMODINIT_FUNC\nPyInit_%s(void)\n{\n    return PyModuleDef_Init(&module_def);\n}\n",
             m);
}

void emit_module(Arena *a, Program *p, const Options *opt, Buf *b) {
  out(b, "/* Python bindings */\n\n");
  for (int i = 0; i < p->ninsts; i++)
    emit_call(b, a, &p->insts[i], opt);
  for (Kernel *k = p->kernels; k; k = k->next)
    if (!k->python)
      emit_wrapper(b, a, p, k, opt);
  if (has_python(p))
    emit_python_host(b, a, p, opt);
  emit_init(b, a, p, opt);
}
