/* main.c: appy-translate, the command-line driver over libappy-translate.
 * Reads the source, translates it, writes NAME.c and runs the offload compiler to
 * build NAME.abi3.so beside the source (or where -o says).
 *
 * Exit status: 0 built; 1 errors in the source or on the command line; 2 the C compiler
 * failed; 3 the compiler could not be run (appy.jit then runs the Python instead). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "appy/translate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef APPY_DEFAULT_COMPILER
#define APPY_DEFAULT_COMPILER "none"
#endif
#ifndef APPY_CLANG
#define APPY_CLANG "clang"
#endif
#ifndef APPY_GCC
#define APPY_GCC "gcc"
#endif
#ifndef APPY_CLANG_HOST_TARGET
#define APPY_CLANG_HOST_TARGET ""
#endif
#ifndef APPY_HOST_CC
#define APPY_HOST_CC "cc"
#endif
#ifndef APPY_CUDA_ARCH
#define APPY_CUDA_ARCH "sm_90"
#endif
#ifndef APPY_LLVM_LIBDIR
#define APPY_LLVM_LIBDIR "/usr/lib/llvm-19/lib"
#endif
#ifndef APPY_PYTHON
#define APPY_PYTHON "python3"
#endif
#ifndef APPY_HOST_OPENMP_FLAGS
#define APPY_HOST_OPENMP_FLAGS "-fopenmp -foffload=disable"
#endif
#ifndef APPY_PYTHON_CPPFLAGS
#define APPY_PYTHON_CPPFLAGS ""
#endif
#ifndef APPY_INCLUDEDIR
#define APPY_INCLUDEDIR "/usr/local/include"
#endif
#ifndef APPY_LIBDIR
#define APPY_LIBDIR "/usr/local/lib"
#endif

enum { MAX_SIGS = 64, MAX_ARGS = 64 };

typedef struct {
  const char *input;      // Source file
  const char *output;     // -o
  const char *module;     // -m
  const char *function;   // --function
  const char *source_name; // --source-name
  const char *compiler;   // --compiler
  const char *arch;       // --offload-arch
  const char *sigs[MAX_SIGS];   // -s
  int nsigs;              // Count of -s
  bool emit_c;            // --emit-c
  bool verbose;           // -v
  bool explain;           // --explain
  bool boundscheck;       // --boundscheck, or APPY_BOUNDSCHECK set (not "" or "0")
} Cli;

static const char usage[] =
    "usage: appy-translate [options] FILE.py\n"
    "\n"
    "Translates the @appy.jit kernels of FILE.py to C with OpenMP target offload and\n"
    "builds a CPython extension FILE.abi3.so beside it (import it as usual).\n"
    "\n"
    "options:\n"
    "  -o PATH              output: the .abi3.so (or the .c with --emit-c)\n"
    "  -m NAME              module name (default: FILE's name)\n"
    "  --emit-c             write the C file only, do not compile\n"
    "  --compiler NAME      clang, gcc or none (host only); default: " APPY_DEFAULT_COMPILER "\n"
    "                       (clang-host: clang with the CPU as the OpenMP device, to test\n"
    "                       the copies to and from a device without a GPU)\n"
    "  --offload-arch ARCH  GPU architecture, e.g. sm_90; default: " APPY_CUDA_ARCH "\n"
    "  -s SIGNATURE         add an overload, e.g. 'f(float32[:], int64)' (repeatable)\n"
    "  --function NAME      translate only the top-level function NAME (decorated or not)\n"
    "  --source-name PATH   the file name diagnostics show (FILE '-' reads standard input)\n"
    "  --explain            describe how each parallel loop is mapped to the GPU\n"
    "  --boundscheck        check every subscript: IndexError when out of range\n"
    "                       (also when APPY_BOUNDSCHECK is set, not to 0)\n"
    "  --no-boundscheck     do not, whatever APPY_BOUNDSCHECK says\n"
    "  -v                   show the compiler command\n"
    "  --print-config       show the configuration and exit\n"
    "  --version            show the version and exit\n";

static void print_config(void) {
  printf("appy-translate %s\n", appy_translate_version());
  printf("default compiler: %s\n", APPY_DEFAULT_COMPILER);
  printf("clang (offload):  %s\n", *APPY_CLANG ? APPY_CLANG : "not found");
  printf("gcc (offload):    %s\n", *APPY_GCC ? APPY_GCC : "not found");
  printf("clang-host:       %s\n", *APPY_CLANG_HOST_TARGET ? APPY_CLANG_HOST_TARGET : "not found");
  printf("host compiler:    %s\n", APPY_HOST_CC);
  printf("offload arch:     %s\n", APPY_CUDA_ARCH);
  printf("llvm libdir:      %s\n", APPY_LLVM_LIBDIR);
  printf("python:           %s\n", APPY_PYTHON);
  printf("python cppflags:  %s\n", APPY_PYTHON_CPPFLAGS);
  printf("includedir:       %s\n", getenv("APPY_INCLUDEDIR") ? getenv("APPY_INCLUDEDIR") : APPY_INCLUDEDIR);
  printf("libdir:           %s\n", getenv("APPY_LIBDIR") ? getenv("APPY_LIBDIR") : APPY_LIBDIR);
}

static _Noreturn void fail(const char *fmt, const char *arg) {
  fprintf(stderr, "appy-translate: error: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(1);
}

static const char *need_arg(int argc, char **argv, int *i) {
  if (*i + 1 >= argc)
    fail("option '%s' needs an argument", argv[*i]);
  return argv[++*i];
}

static Cli parse_cli(int argc, char **argv) {
  const char *check = getenv("APPY_BOUNDSCHECK");
  Cli c = {.compiler = APPY_DEFAULT_COMPILER, .arch = APPY_CUDA_ARCH,
           .boundscheck = check && *check && strcmp(check, "0")};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      exit(0);
    } else if (!strcmp(a, "--version")) {
      printf("appy-translate %s\n", appy_translate_version());
      exit(0);
    } else if (!strcmp(a, "--print-config")) {
      print_config();
      exit(0);
    } else if (!strcmp(a, "-o")) {
      c.output = need_arg(argc, argv, &i);
    } else if (!strcmp(a, "-m")) {
      c.module = need_arg(argc, argv, &i);
    } else if (!strcmp(a, "--compiler")) {
      c.compiler = need_arg(argc, argv, &i);
    } else if (!strncmp(a, "--compiler=", 11)) {
      c.compiler = a + 11;
    } else if (!strcmp(a, "--source-name")) {
      c.source_name = need_arg(argc, argv, &i);
    } else if (!strcmp(a, "--function")) {
      c.function = need_arg(argc, argv, &i);
    } else if (!strcmp(a, "--offload-arch")) {
      c.arch = need_arg(argc, argv, &i);
    } else if (!strncmp(a, "--offload-arch=", 15)) {
      c.arch = a + 15;
    } else if (!strcmp(a, "-s")) {
      if (c.nsigs == MAX_SIGS)
        fail("too many -s options (at most %s)", "64");
      c.sigs[c.nsigs++] = need_arg(argc, argv, &i);
    } else if (!strcmp(a, "--emit-c")) {
      c.emit_c = true;
    } else if (!strcmp(a, "--explain")) {
      c.explain = true;
    } else if (!strcmp(a, "--boundscheck")) {
      c.boundscheck = true;
    } else if (!strcmp(a, "--no-boundscheck")) {
      c.boundscheck = false;
    } else if (!strcmp(a, "-v")) {
      c.verbose = true;
    } else if (a[0] == '-' && a[1]) {
      fail("unknown option '%s' (see appy-translate --help)", a);
    } else if (c.input) {
      fail("more than one input file ('%s'); translate one file at a time", a);
    } else {
      c.input = a;
    }
  }
  if (!c.input)
    fail("%s", "no input file (see appy-translate --help)");
  if (strcmp(c.compiler, "clang") && strcmp(c.compiler, "gcc") && strcmp(c.compiler, "none") &&
      strcmp(c.compiler, "clang-host"))
    fail("unknown compiler '%s'; use clang, gcc, clang-host or none", c.compiler);
  if (strncmp(c.arch, "sm_", 3) || !c.arch[3])
    fail("unknown offload architecture '%s'; use sm_XX, e.g. sm_90", c.arch);
  return c;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    fprintf(stderr, "appy-translate: error: cannot open '%s': %s\n", path, strerror(errno));
    exit(1);
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  if (f != stdin)
    fclose(f);
  if (!buf)
    fail("%s", "out of memory");
  *len = n;
  return buf;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) == EOF || fclose(f) == EOF) {
    fprintf(stderr, "appy-translate: error: cannot write '%s': %s\n", path, strerror(errno));
    exit(1);
  }
}

static char *dup_printf(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
  char *s = malloc(n);
  snprintf(s, n, fmt, a, b ? b : "");
  return s;
}

// Directory part of path ("." if none) and the base name without extension.
static void split_path(const char *path, char **dir, char **stem) {
  const char *slash = strrchr(path, '/');
  *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
  const char *base = slash ? slash + 1 : path;
  const char *dot = strchr(base, '.');
  *stem = dot ? strndup(base, (size_t)(dot - base)) : strdup(base);
}

static bool is_identifier(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9'))
    return false;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
      return false;
  return true;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Splits words at spaces into argv entries: configure's flags ("-I/usr/include/python3.11
// ...") and APPY_CFLAGS.
static int add_words(const char **argv, int n, char *words) {
  for (char *w = strtok(words, " "); w && n < MAX_ARGS - 16; w = strtok(NULL, " "))
    argv[n++] = w;
  return n;
}

// gcc-12's nvptx back end knows a few ISAs; take the newest one the GPU has (the driver
// JIT-compiles the PTX for newer GPUs).
static const char *gcc_isa(const char *arch) {
  static const int isas[] = {80, 75, 70, 53, 35, 30};
  static char buf[64];
  int v = atoi(arch + 3), isa = 30;
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++)
    if (isas[i] <= v) {
      isa = isas[i];
      break;
    }
  snprintf(buf, sizeof buf, "-foffload-options=-misa=sm_%d", isa);
  return buf;
}

// Is cmd an executable file, or the name of one on PATH?
static bool can_run(const char *cmd) {
  if (strchr(cmd, '/'))
    return access(cmd, X_OK) == 0;
  const char *path = getenv("PATH");
  for (const char *p = path ? path : ""; *p;) {
    const char *end = strchr(p, ':');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char full[4096];
    if (n && snprintf(full, sizeof full, "%.*s/%s", (int)n, p, cmd) < (int)sizeof full &&
        access(full, X_OK) == 0)
      return true;
    p += n + (end != NULL);
  }
  return false;
}

// Runs argv (NULL-terminated) and waits for it; its exit status, 1 if a signal ended it.
static int run_command(const char *const *argv, bool verbose) {
  if (verbose) {
    for (int i = 0; argv[i]; i++)
      fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
    fputc('\n', stderr);
  }
  pid_t pid = fork();
  if (pid == 0) {
    // Compilers recurse over expressions: clang-19's OpenMP passes go once per operand of
    // a chain, which overflows the usual 8 MiB stack at a few thousand operands (a
    // 5,000-term int sum in a parallel loop). The compiler gets up to 4 GiB, within the
    // hard limit; only what it touches is ever committed.
    struct rlimit stack;
    rlim_t want = (rlim_t)4 << 30;
    if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY &&
        stack.rlim_cur < want) {
      stack.rlim_cur = stack.rlim_max == RLIM_INFINITY || stack.rlim_max > want ? want
                                                                             : stack.rlim_max;
      setrlimit(RLIMIT_STACK, &stack);
    }
    execvp(argv[0], (char *const *)argv);
    fprintf(stderr, "appy-translate: error: cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0)
    fail("cannot start the compiler: %s", strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// gcc-12's nvptx back end writes the C file's path into the PTX (line markers around
// inline assembly): ptxas rejects any byte past ASCII there, and a newline crashes the
// offload compiler. For a C file in a folder whose path has such bytes,
// -ffile-prefix-map=FOLDER=. writes "./NAME.c" instead (the file's name is the module's, an
// ASCII identifier). NULL where no map is needed, or where the folder has a '=' that the
// option could not take.
static char *ascii_prefix_map(const char *cfile) {
  const char *slash = strrchr(cfile, '/');
  bool ascii = true;
  for (const char *p = cfile; slash && p < slash; p++)
    ascii = ascii && *p >= ' ' && *p <= '~';
  if (ascii || memchr(cfile, '=', (size_t)(slash - cfile)))
    return NULL;
  char *dir = strndup(cfile, (size_t)(slash - cfile));
  char *flag = dup_printf("-ffile-prefix-map=%s=.", dir, NULL);
  free(dir);
  return flag;
}

static int compile(const Cli *c, const char *cfile, const char *sofile) {
  const char *inc = getenv("APPY_INCLUDEDIR") ? getenv("APPY_INCLUDEDIR") : APPY_INCLUDEDIR;
  const char *lib = getenv("APPY_LIBDIR") ? getenv("APPY_LIBDIR") : APPY_LIBDIR;
  const char *argv[MAX_ARGS];
  int n = 0;
  bool clang = !strcmp(c->compiler, "clang"), gcc = !strcmp(c->compiler, "gcc");
  bool clang_host = !strcmp(c->compiler, "clang-host");
  const char *cc = getenv("APPY_CC") ? getenv("APPY_CC")
                   : clang || clang_host ? APPY_CLANG : gcc ? APPY_GCC : APPY_HOST_CC;
  if (clang_host && !*APPY_CLANG_HOST_TARGET) {
    fprintf(stderr, "appy-translate: error: clang-host: configure found no clang that offloads "
            "OpenMP to the host; use --compiler with another (clang, gcc or none)\n");
    exit(3);
  }
  if (!*cc || !can_run(cc)) {
    fprintf(stderr, "appy-translate: error: %s%s%s; use --compiler with another (clang, gcc "
            "or none), set APPY_CC, or reconfigure\n", *cc ? "cannot run the compiler '" : "",
            *cc ? cc : "the offload compiler was not found when appy-omp was configured",
            *cc ? "'" : "");
    exit(3);
  }
  // The words of the command that are made here, released once the compiler has run.
  char *host_flags = strdup(APPY_HOST_OPENMP_FLAGS), *py_flags = strdup(APPY_PYTHON_CPPFLAGS);
  // APPY_CFLAGS: more words, after ours (-fsanitize=..., -O0 -g: tests/sanitize.sh).
  char *extra = strdup(getenv("APPY_CFLAGS") ? getenv("APPY_CFLAGS") : "");
  char *arch = NULL, *rpath = NULL, *prefix_map = NULL, *targets = NULL;
  char *inc_flag = dup_printf("-I%s", inc, NULL), *rtlib = dup_printf("%s/libappyrt.a", lib, NULL);
  argv[n++] = cc;
  argv[n++] = "-O3";
  argv[n++] = "-fPIC";
  argv[n++] = "-shared";
  if (clang || gcc || clang_host)
    argv[n++] = "-fopenmp";
  else   // a gcc with offload plugins would offload by default
    n = add_words(argv, n, host_flags);
  argv[n++] = "-Wall";
  argv[n++] = "-Wextra";
  argv[n++] = "-fwrapv";   // integers wrap around on overflow, as NumPy's do
  if (clang) {
    argv[n++] = arch = dup_printf("--offload-arch=%s", c->arch, NULL);
    argv[n++] = "-fopenmp-target-jit";
    argv[n++] = rpath = dup_printf("-Wl,-rpath,%s", APPY_LLVM_LIBDIR, NULL);
  } else if (clang_host) {
    argv[n++] = targets = dup_printf("-fopenmp-targets=%s", APPY_CLANG_HOST_TARGET, NULL);
    argv[n++] = rpath = dup_printf("-Wl,-rpath,%s", APPY_LLVM_LIBDIR, NULL);
  } else if (gcc) {
    argv[n++] = "-foffload=nvptx-none";
    argv[n++] = "-fcf-protection=none";
    argv[n++] = gcc_isa(c->arch);
    // Device libm, and libatomic: gcc combines several reductions with 16-byte atomics.
    argv[n++] = "-foffload-options=-lm -latomic";
    argv[n++] = "-Wl,-z,notext";   // gcc-12's offload table needs text relocations
    if ((prefix_map = ascii_prefix_map(cfile)))
      argv[n++] = prefix_map;
  }
  n = add_words(argv, n, extra);
  argv[n++] = inc_flag;
  n = add_words(argv, n, py_flags);
  argv[n++] = cfile;
  argv[n++] = rtlib;
  argv[n++] = "-lm";
  argv[n++] = "-o";
  argv[n++] = sofile;
  argv[n] = NULL;
  int status = run_command(argv, c->verbose);
  free(host_flags);
  free(py_flags);
  free(extra);
  free(arch);
  free(rpath);
  free(targets);
  free(prefix_map);
  free(inc_flag);
  free(rtlib);
  return status;
}

// Builds NAME.abi3.so from cfile: beside the source (dir), or where -o says.
static int build(const Cli *c, const char *dir, const char *module, const char *cfile) {
  char *sofile = c->output ? strdup(c->output) : dup_printf("%s/%s.abi3.so", dir, module);
  fprintf(stderr, "appy-translate: compiling %s with %s (%s) ...\n", cfile, c->compiler,
          !strcmp(c->compiler, "none")         ? "host only"
          : !strcmp(c->compiler, "clang-host") ? "the CPU as the device"
                                               : c->arch);
  double t0 = now();
  int status = 0;
  if (compile(c, cfile, sofile)) {
    fprintf(stderr, "appy-translate: error: the C compiler failed on %s\n", cfile);
    status = 2;
  } else {
    fprintf(stderr, "appy-translate: wrote %s in %.1f s\n", sofile, now() - t0);
  }
  free(sofile);
  return status;
}

// The C file goes beside the output: the source folder (dir) unless -o says otherwise.
static char *c_path(const Cli *c, const char *dir, const char *module) {
  if (c->emit_c && c->output)
    return strdup(c->output);
  char *odir = NULL, *ostem = NULL;
  if (c->output)
    split_path(c->output, &odir, &ostem);
  char *path = dup_printf("%s/%s.c", odir ? odir : dir, module);
  free(odir);
  free(ostem);
  return path;
}

// Translates the input as module `module`, writes the C, and builds it unless --emit-c;
// the exit status. What it allocates is released before it returns, so that the driver
// runs clean under LeakSanitizer (where it exits early, what it holds is still reachable).
static int translate(const Cli *c, const char *dir, const char *module) {
  size_t len;
  char *src = read_file(c->input, &len);
  appy_translate_options opt = {
      .filename = c->source_name ? c->source_name : c->input, .module_name = module,
      .compiler = c->compiler, .function = c->function,
      .signatures = c->sigs, .nsignatures = c->nsigs, .explain = c->explain,
      .boundscheck = c->boundscheck,
  };
  appy_translate_result r;
  int rc = appy_translate(src, len, &opt, &r);
  free(src);
  fputs(r.diagnostics, stderr);
  if (c->explain)
    fputs(r.explanation, stdout);
  if (rc) {
    fprintf(stderr, "appy-translate: %d error%s in %s; nothing was written\n", r.nerrors,
            r.nerrors == 1 ? "" : "s", opt.filename);
    appy_translate_result_free(&r);
    return 1;
  }
  char *cfile = c_path(c, dir, module);
  write_file(cfile, r.c_source);
  appy_translate_result_free(&r);
  int status = c->emit_c ? 0 : build(c, dir, module, cfile);
  free(cfile);
  return status;
}

int main(int argc, char **argv) {
  Cli c = parse_cli(argc, argv);
  char *dir, *stem;
  split_path(c.input, &dir, &stem);
  const char *module = c.module ? c.module : stem;
  if (!is_identifier(module))
    fail("'%s' is not a valid module name; rename the file or pass -m NAME", module);
  int status = translate(&c, dir, module);
  free(dir);
  free(stem);
  return status;
}
