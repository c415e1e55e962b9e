"""Any Python identifier works in any role (issue 18): the sweep of names x roles.

NAMES holds C keywords of every dialect, macros, typedefs and functions of libc, libm and
CPython, OpenMP's names, the translator's own names and prefixes (appy_n, a_shape0, a_count,
u__..., kernel_f_0...), underscores in every place, names past ASCII (é, π, CJK, fullwidth
forms equal to ASCII names, ligatures) and names of 1024 bytes. Each is used in 9 roles,
in programs written here (few modules, many names in each, so that a compiler sees few
files): an array parameter, a scalar parameter, a local scalar, a loop variable (parallel
and sequential), a reduction, a local array, a kernel function's name, a module-level
constant, and a keyword argument at the call (with clang, a subset of the names reduce:
RED_CAP). Each program is built with the suite's compiler and its results compared with
CPython running the same source on random inputs.
"""
import keyword
import os
import unicodedata

import numpy as np
import pytest

C_KEYWORDS = """auto case char const default do double enum extern float goto inline int long
register restrict short signed sizeof static struct switch typedef union unsigned void volatile
_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert
_Thread_local alignas alignof bool constexpr false true nullptr static_assert thread_local
typeof typeof_unqual _BitInt _Decimal32 asm __asm __asm__ __attribute__ __inline__ __restrict
__restrict__ __typeof__ __extension__ __label__ __int128 __auto_type __builtin_va_arg
__volatile__ __signed__ __const __thread __real__ __imag__ _Float16 __fp16 __bf16""".split()
LIBC = """M_PI M_E M_SQRT2 INFINITY NAN HUGE_VAL HUGE_VALF EOF NULL linux unix i386 __linux__
stdin stdout stderr errno size_t ssize_t int64_t int32_t int8_t uint8_t uint64_t intptr_t
ptrdiff_t FILE va_list va_arg va_start assert I complex imaginary fpclassify isnan isinf
isfinite signbit sin cos tan exp log log2 sqrt fabs floor ceil fmin fmax fmod erf atan2 hypot
trunc lround main exit malloc free memcpy printf offsetof DBL_MAX FLT_EPSILON RAND_MAX
CHAR_BIT INT64_MAX UINT64_MAX EXIT_SUCCESS math_errhandling MATH_ERRNO FP_NAN environ
_exit _IO_FILE __GNUC__ __FILE__ __LINE__ __STDC__ __STDC_VERSION__ __cplusplus
__x86_64__ __NVPTX__ __CUDA_ARCH__ __OPTIMIZE__ unix_ st_dev m_size new_size""".split()
CPYTHON = """Py_None PyObject METH_VARARGS METH_KEYWORDS METH_NOARGS Py_ssize_t Py_RETURN_NONE
Py_INCREF Py_DECREF PyDoc_STRVAR PyDoc_STR PyMODINIT_FUNC Py_LIMITED_API PyErr_SetString
Py_BEGIN_ALLOW_THREADS Py_END_ALLOW_THREADS Py_True Py_False PyModuleDef PyMethodDef
PyCFunction Py_buffer Py_hash_t PY_SSIZE_T_MAX _Py_NoneStruct PyExc_TypeError Py_tp_doc
PyModuleDef_HEAD_INIT Py_mod_exec PyLong_Type Py_CLEAR""".split()
OPENMP = """omp omp_get_thread_num omp_get_num_threads omp_lock_t omp_pteam_mem_alloc
omp_is_initial_device omp_target_alloc omp_get_default_device _OPENMP ompx_thread_id_x
ompx_bare ompx_block_id_x ompx_grid_dim_x target teams distribute parallel simd map tofrom
to alloc private firstprivate shared reduction collapse num_teams thread_limit is_device_ptr
allocate allocator declare workshare prange""".split()
OURS = """fr ret rc argv self args kwargs names result module module_def module_doc
module_methods module_exec module_slots p0 p1 fail kernel_f_0 call_f_0 py_f py_f_doc
appy_g appy_n appy_data appy_tune appy_k appy_j1 appy_j1_ appy_red appy_lane appy_failed
appy_called appy_in appy_start appy_t0 appy_stop0 appy_q appy_e appy_w appy_priv appy_scr
appy_x v_appy_x appy_array appy_frame appy_env appy_len3 appy_len3_ appy_ APPY APPY_READS
APPY_WRITES APPY_RED_THREADS APPY_LOOP_THREADS APPY_FLOAT64 a_shape0 a_size a_arg a_obj
a_count a_array a_gpu a_priv a_py a_pydoc a_kernel0 a_call0 a_ a__ u__a u__z3C0U_ u___x_
z zz zE9U Z x_shape1 x_count""".split()
UNDERSCORES = """_ _x _X __x __X x_ x__ __dunder__ __init__ __main__ __x__y a__b ___ _0 _9z
x_y_ __""".split()
UNICODE = ["é", "café", "π", "πr", "λ", "Σx", "ñ", "变量", "数组", "ä", "ø", "ß", "Ω",
           "αβγ", "naïve", "µ", "ℌ", "ǅ", "ｓｉｚｅ＿ｔ", "ｌｉｎｕｘ", "ｆｒ", "ﬁx", "ｚ", "ǈx",
           "x·y", "ℯ", "ⅸ", "ᾨ", "𝔘", "ㄅ", "ｱ", "변수", "ℵ"]
LONG = ["a" * 1024, "Z" * 1023 + "_", "é" * 512, "n_" * 511 + "nn"]
# Names the programs below use as globals: a local so named would change their meaning in
# Python too.
USED = {"appy", "np", "range", "float", "int", "max", "min", "len", "x", "out", "i", "j",
        "n", "np_", "numpy", "math", "print"}
# Module attributes a function or a constant must not be named (tests/errors covers the
# kernel functions so named; a constant so named changes the oracle module itself).
MODULE_ATTRS = {"__doc__", "__spec__", "__name__", "__loader__", "__package__", "__file__",
                "__cached__", "__path__", "__builtins__", "__dict__", "__class__",
                "__annotations__", "__getattr__", "__dir__"}


def _names():
    seen, out = set(), []
    for n in C_KEYWORDS + LIBC + CPYTHON + OPENMP + OURS + UNDERSCORES + UNICODE + LONG:
        norm = unicodedata.normalize("NFKC", n)
        if not n.isidentifier() or keyword.iskeyword(n) or norm in USED or norm in seen:
            continue
        seen.add(norm)
        out.append(n)
    return out


NAMES = _names()
CHUNK = 180   # names per function: its parallel loop maps at most 64 arrays (2 + 2 * 180 / 7)
ROLES = ("arr", "sc", "loc", "loop", "red", "buf", "const")


def chunks(names):
    return [names[k:k + CHUNK] for k in range(0, len(names), CHUNK)]


# clang-19 takes about a minute for a target region with 26 reductions (the time grows
# faster than their number): with it, each loop reduces into 4 of its names, 56 in all.
RED_CAP = 4 if os.environ.get("APPY_TEST_COMPILER") == "clang" else None


def rotations(names):
    """(function name, {role: names}) for each chunk and each rotation: name j of a chunk
    has role (j + r) % 7 in rotation r, so that every name has every role once (but RED_CAP)."""
    for c, ch in enumerate(chunks(names)):
        for r in range(len(ROLES)):
            by = {role: [m for j, m in enumerate(ch) if (j + r) % 7 == q]
                  for q, role in enumerate(ROLES)}
            by["red"] = by["red"][:RED_CAP]
            yield f"r_{c}_{r}", by


def role_function(fname, by):
    """One kernel, one parallel loop: the names as array and scalar parameters, private
    locals, loop variables (the parallel loop's and sequential ones inside it), reductions
    visible after the loop, local arrays and module constants."""
    arr, sc, loc, loop, red, buf, const = (by[r] for r in ROLES)
    p = loop[0]
    types = "float64[:], " * len(arr) + "float64, " * len(sc) + "float64[:], float64[:]"
    src = ["", f"# appy: export {fname}({types})", "@appy.jit",
           f"def {fname}({', '.join(arr + sc + ['x', 'out'])}):"]
    src += [f"    {m} = {j}.0" for j, m in enumerate(red)]
    src += [f"    {m} = np.zeros(x.shape[0])" for m in buf]
    src += ["    #pragma parallel for", f"    for {p} in range(x.shape[0]):",
            f"        out[{p}] = x[{p}]"]
    for j, m in enumerate(loc):
        src += [f"        {m} = {loc[j - 1] if j else 'x[' + p + ']'} * 0.5 + {j}.0",
                f"        out[{p}] += {m}"]
    src += [f"        out[{p}] += {m}[{p}] * {j + 1}.0" for j, m in enumerate(arr)]
    src += [f"        out[{p}] += {m} * {j + 2}.0" for j, m in enumerate(sc)]
    for j, m in enumerate(buf):
        src += [f"        {m}[{p}] = x[{p}] * {j + 1}.0", f"        out[{p}] += {m}[{p}]"]
    for j, m in enumerate(loop[1:]):
        src += [f"        for {m} in range({j % 3 + 1}):", f"            out[{p}] += {m} * 0.25"]
    src += [f"        {m} += x[{p}] * {j + 1}.0" if j % 2 == 0 else
            f"        {m} = max({m}, x[{p}] + {j}.0)" for j, m in enumerate(red)]
    src += [f"        out[{p}] += {m} * {j + 1}.0" for j, m in enumerate(const)]
    src += [f"    out[{j}] += {m}" for j, m in enumerate(red)]
    return src


def roles_source(names):
    """The role functions r_C_R, and the module's constants."""
    src = ["import numpy as np", "import appy", ""]
    consts = [m for m in names if unicodedata.normalize("NFKC", m) not in MODULE_ATTRS]
    src += [f"{m} = {k % 7 + 1}.5" for k, m in enumerate(consts)]
    for fname, by in rotations(names):
        by["const"] = [m for m in by["const"] if m in consts]
        src += role_function(fname, by)
    return "\n".join(src) + "\n"


def kernels_source(names):
    """Each name a kernel function of its own; every 16th with a parallel loop (so an
    OpenMP target region, and a device function named after it) whose variable has the
    function's name too."""
    src = ["import appy", ""]
    for j, m in enumerate(names):
        src += [f"# appy: export {m}(float64[:], float64[:])", "@appy.jit", f"def {m}(x, out):"]
        if j % 16 == 0:
            src += ["    #pragma parallel for", f"    for {m} in range(x.shape[0]):",
                    f"        out[{m}] = x[{m}] * {j}.0 + 1.0", ""]
        else:
            src += ["    for i in range(x.shape[0]):", f"        out[i] = x[i] * {j}.0 + 1.0", ""]
    return "\n".join(src)


@pytest.fixture(scope="module")
def roles(build, tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "names_roles.py"
    path.write_text(roles_source(NAMES), encoding="utf-8")
    return build(path)


@pytest.fixture(scope="module")
def kernels(build, tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "names_kernels.py"
    names = [m for m in NAMES if unicodedata.normalize("NFKC", m) not in MODULE_ATTRS
             and not unicodedata.normalize("NFKC", m).startswith(("_appy_", "__appy_"))]
    path.write_text(kernels_source(names), encoding="utf-8")
    return build(path), names


def test_sweep_is_large_enough():
    assert len(NAMES) >= 247, len(NAMES)


def test_roles(roles, case):
    """Roles 1 to 6 and 8 (see rotations)."""
    n = 41   # the reductions' results go to out[0:26]
    for fname, by in rotations(NAMES):
        arrays = [case.array(n, np.float64) for _ in by["arr"]]
        scalars = [float(v) for v in case.array(len(by["sc"]), np.float64)]
        case.same(roles, fname, *arrays, *scalars, case.array(n, np.float64), np.zeros(n))


def test_keyword_arguments(roles, case):
    """Role 9: every parameter passed by keyword (the wrapper's list of parameter names)."""
    n = 41   # the reductions' results go to out[0:26]
    for fname, by in rotations(NAMES):
        kw = {unicodedata.normalize("NFKC", m): case.array(n, np.float64) for m in by["arr"]}
        kw.update({unicodedata.normalize("NFKC", m): float(case.array(1, np.float64)[0])
                   for m in by["sc"]})
        x = case.array(n, np.float64)
        got, want = np.zeros(n), np.zeros(n)
        getattr(roles.compiled, fname)(out=got, x=x, **kw)
        getattr(roles.oracle, fname)(out=want, x=x, **kw)
        case.check(got, want, f"{fname} by keyword")


def test_kernel_names(kernels, case):
    prog, names = kernels
    x = case.array(11, np.float64)
    for m in names:
        attr = unicodedata.normalize("NFKC", m)
        case.same(prog, attr, x, np.zeros(11))


def test_fullwidth_is_ascii(build, tmp_path, case):
    """'ａ' and 'a' are one variable, 'ｐｒａｎｇｅ' is prange, as in Python (NFKC)."""
    path = tmp_path / "names_nfkc.py"
    path.write_text("import appy\nfrom appy import prange\n\n"
                    "# appy: export f(float64[:], float64[:])\n@appy.jit\n"
                    "def f(ａ, out):\n    s = 0.0\n    for ｉ in ｐｒａｎｇｅ(a.shape[0]):\n"
                    "        out[i] = ａ[ｉ] + a[i]\n        ｓ += a[ｉ]\n    return s\n",
                    encoding="utf-8")
    case.same(build(path), "f", case.array(13, np.float64), np.zeros(13))
