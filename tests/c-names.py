"""make check: the premises of the naming scheme of translator/names.c, on the real headers.

For each compiler the translator is configured with (clang-19 for the host and for the NVPTX
device, gcc-12 with nvptx offload, the host compiler), the preamble of a generated module
(its #define and #include lines, as appy-translate --emit-c writes them) is preprocessed:
`-dM -E` gives every macro, `-E` every identifier the headers declare. With the keywords of
C23 and of the GNU and clang dialects, that is H. The test checks that

  A. no name of H that begins with a letter ends in '_' (the C names of Python names do),
     but those that begin with appy_, which no C name of a Python name does;
  B. none ends in '_' + PART for a part of names.c (shape0, count, array, kernel0, ...),
     with the same exception;
  C. every identifier of the golden C files (tests/golden) is in H, or a C name of a Python
     name (ends in '_') or one derived from one (ends in '_' + PART), or one of the
     translator's own (begins with appy_, or one of the few fixed names of names.c).

So a header upgrade that defined, say, a macro `foo_` or `bar_count` fails here, not in a
user's build. usage: python3 tests/c-names.py   (env APPY_TRANSLATE)
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(os.environ.get("APPY_SRCDIR", Path(__file__).resolve().parents[1]))
PART = r"(shape\d+|count|obj|array|gpu|priv|kernel\d+|call\d+|py|pydoc)"
FIXED = {"fr", "ret", "rc", "self", "args", "kwargs", "names", "argv", "result", "module",
         "module_methods", "module_exec", "module_slots", "module_doc", "module_def", "fail"}
KEYWORDS = """auto break case char const continue default do double else enum extern float for
goto if inline int long register restrict return short signed sizeof static struct switch
typedef union unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic
_Imaginary _Noreturn _Static_assert _Thread_local alignas alignof bool constexpr false nullptr
static_assert thread_local true typeof typeof_unqual _BitInt _Decimal128 _Decimal32 _Decimal64
asm __asm __asm__ __attribute __attribute__ __builtin_va_arg __builtin_offsetof __complex__
__const __const__ __extension__ __imag__ __inline __inline__ __label__ __real__ __restrict
__restrict__ __signed __signed__ __thread __typeof __typeof__ __volatile__ __auto_type
__int128 __float128 __fp16 __bf16 _Float16 _Float32 _Float64 _Float128 __alignof __alignof__
__builtin_types_compatible_p __builtin_choose_expr __nonnull __nullable __null_unspecified
_Nonnull _Nullable _Null_unspecified __kernel __global __local __private __constant
__read_only __write_only __read_write""".split()
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def config(translate):
    out = subprocess.run([translate, "--print-config"], capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def preamble(translate, compiler, tmp):
    src = tmp / "m.py"
    src.write_text("import appy\n\n@appy.jit\ndef f(a):\n    a[0] = 1.0\n")
    out = tmp / f"m-{compiler}.c"
    subprocess.run([translate, "--compiler", compiler, "--emit-c", "-o", out, src], check=True)
    lines = [l for l in out.read_text().splitlines() if l.startswith(("#define", "#include"))]
    pre = tmp / f"pre-{compiler}.c"
    pre.write_text("\n".join(lines) + "\n")
    return pre


def header_names(cc, flags, pre):
    """Every macro, every identifier of a macro's body but the operands of ##, and every
    identifier of the preprocessed headers."""
    names = set()
    run = lambda extra: subprocess.run([cc, *flags, *extra, str(pre)], capture_output=True,
                                       text=True, check=True).stdout
    for line in run(["-dM", "-E"]).splitlines():
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?(.*)", line)
        if m:
            names.add(m.group(1))
            body = re.sub(r"[A-Za-z0-9_]*\s*##\s*[A-Za-z0-9_]*", " ", m.group(3))
            names.update(IDENT.findall(body))
    names.update(IDENT.findall(run(["-E", "-P"])))
    return names


def compilers(cfg):
    """(label, compiler, preprocessor flags, translator's --compiler) for each configured one."""
    inc = ["-I" + os.environ.get("APPY_INCLUDEDIR", str(TOP / "include")),
           *cfg["python cppflags"].split()]
    arch = "--offload-arch=" + cfg["offload arch"].strip()
    clang, gcc, host = (cfg[k].strip() for k in ("clang (offload)", "gcc (offload)",
                                                  "host compiler"))
    if clang != "not found":
        for side in ("--offload-host-only", "--offload-device-only"):
            yield f"clang {side}", clang, ["-fopenmp", arch, side, "-nogpulib", *inc], "clang"
    if gcc != "not found":
        yield "gcc -foffload=nvptx-none", gcc, ["-fopenmp", "-foffload=nvptx-none", *inc], "gcc"
    yield "host compiler", host, ["-fopenmp", *inc], "none"


def premise_violations(names):
    bad = []
    for n in sorted(names):
        if not n[0].isalpha() or n.startswith("appy_"):
            continue
        if n.endswith("_"):
            bad.append(f"{n}: ends in '_', as the C names of Python names do")
        elif re.search("_" + PART + "$", n):
            bad.append(f"{n}: ends in '_' + a part of names.c")
    return bad


def golden_strays(h):
    """Identifiers of the golden C (comments, strings and directives left out) of no namespace."""
    strays = {}
    for f in sorted((TOP / "tests" / "golden").glob("*/*.c")):
        text = re.sub(r'/\*.*?\*/|//[^\n]*|"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', " ",
                      f.read_text(), flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)   # directives: their names recur in code
        for n in set(IDENT.findall(text)):
            if (n in h or n.endswith("_") or re.search("_" + PART + "$", n) or
                    n.startswith("appy_") or n in FIXED or re.fullmatch(r"p\d+", n) or
                    n.startswith("PyInit_") or re.fullmatch(r"[0-9A-Fa-fxXuUlL]+", n)):
                continue
            strays.setdefault(n, f.relative_to(TOP))
    return strays


def main():
    translate = os.environ.get("APPY_TRANSLATE", str(TOP / "translator" / "appy-translate"))
    cfg = config(translate)
    status = 0
    everything = set(KEYWORDS)
    with tempfile.TemporaryDirectory() as d:
        for label, cc, flags, target in compilers(cfg):
            names = header_names(cc, flags, preamble(translate, target, Path(d)))
            everything |= names
            bad = premise_violations(names | set(KEYWORDS))
            print(f"c-names: {label} ({cc}): {len(names)} names of the headers, "
                  f"{len(bad)} in the namespaces of Python names")
            for b in bad:
                print("  " + b)
            status |= bool(bad)
    strays = golden_strays(everything)
    for n, f in sorted(strays.items()):
        print(f"c-names: {f}: '{n}' is in none of names.c's namespaces")
    status |= bool(strays)
    print("c-names: " + ("FAILED" if status else "the scheme's premises hold"))
    return status


if __name__ == "__main__":
    sys.exit(main())
