"""Every NumPy integer, float and bool dtype (programs/dtypes.py), by NumPy 2's rules.

The oracle runs under NEP 50 (np._set_promotion_state('weak') on NumPy 1.x). Where NumPy
1.x still differs from NumPy 2 (comparisons of uint64 with int64, and with Python ints out
of an operand's range), the expected values are computed with Python ints. The promotion
table is checked against NumPy itself for every pair of dtypes and every operator, from
the C the translator writes (no compiler needed)."""
import re
import subprocess
import warnings

import numpy as np
import pytest

from e2ekit import NUMPY2, PROGRAMS

ALL = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float32, np.float64)
INTS = ALL[1:9]


@pytest.fixture(scope="module")
def prog(build):
    return build(PROGRAMS / "dtypes.py")


@pytest.fixture(autouse=True)
def nep50():
    """NumPy 2's promotion and no warnings about the overflows the tests make on purpose."""
    old = None if NUMPY2 else np._get_promotion_state()
    if old:
        np._set_promotion_state("weak")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield
    if old:
        np._set_promotion_state(old)


def name(t):
    return np.dtype(t).name


def values(case, n, t, nonzero=False):
    """n values of dtype t over its whole range (floats in [-2, 2)), the extremes among them."""
    t = np.dtype(t)
    if t == np.bool_:
        a = case.gen.random(n) < 0.5
    elif t.kind == "f":
        a = case.array(n, t)
    else:
        info = np.iinfo(t)
        a = case.gen.integers(info.min, info.max, n, dtype=t, endpoint=True)
        edges = np.array([info.min, info.max, 0, 1, info.max // 2 + 1, -1 if t.kind == "i" else 2],
                         dtype=t)
        a.flat[:min(a.size, 6)] = edges[:min(a.size, 6)]
    if nonzero:
        a[a == 0] = 1
    return a


def same_dtypes(got, want, what, seed):
    for k, (g, w) in enumerate(zip(got, want)):
        assert np.asarray(g).dtype == np.asarray(w).dtype, \
            f"{what}[{k}]: {np.asarray(g).dtype}, want {np.asarray(w).dtype} (seed {seed})"


# The promotion table, from the translator's C

OPS = ("+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "<")
PYTHON = (3, 3.0, True)


def numpy_type(op, a, b):
    """NumPy's result dtype of a OP b, 0-d arrays of 3 (b a Python scalar if it is one; 3 and
    not 1, whose powers NumPy computes as x itself); None if NumPy refuses."""
    x = np.full((), 3, a)
    y = b if isinstance(b, (int, float)) else np.full((), 3, b)
    try:
        return name(eval(f"x {op} y"))
    except TypeError:
        return None


def translated_types(translator, tmp_path, kernels):
    """kernels: {name: (expression of a and b, [(a dtype, b dtype or None)])}. Translates
    them (one export line per pair) and returns ({(name, signature): result dtype},
    {name: first error})."""
    src = ["import numpy as np", "import appy", ""]
    where = {}
    for k, (e, pairs) in kernels.items():
        for a, b in pairs:
            src.append(f"# appy: export {k}({name(a)}[:]{', ' + name(b) + '[:]' if b else ''})")
        src += ["@appy.jit", f"def {k}(a{', b' if pairs[0][1] else ''}):"]
        where[len(src) + 1] = k
        src += [f"    return {e}", ""]
    path = tmp_path / "table.py"
    path.write_text("\n".join(src))
    exe, _ = translator
    p = subprocess.run([exe, "--emit-c", "-o", str(tmp_path / "table.c"), str(path)],
                       capture_output=True, text=True)
    errors = {}
    for line, msg in re.findall(r"table\.py:(\d+):\d+: error: (.*)", p.stderr):
        errors.setdefault(where.get(int(line), line), msg)
    types = {}
    if p.returncode == 0:
        c = (tmp_path / "table.c").read_text()
        for sig, box in re.findall(r"/\* (\w+\([^)]*\)) -- .*?\*ret = appy_box_(\w+)\(", c, re.S):
            types[sig] = box
    return types, errors


def kernel_name(op, b):
    ops = {"+": "add", "-": "sub", "*": "mul", "/": "div", "//": "fdiv", "%": "mod",
           "**": "pow", "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr", "<": "lt"}
    return f"{ops[op]}_{type(b).__name__ if isinstance(b, (int, float)) else 'arr'}"


def test_promotion_table(translator, tmp_path):
    """Every operator, every pair of dtypes and every dtype with a Python int, float and
    bool: the translator's result dtype is NumPy's, and where NumPy refuses, so does it."""
    if translator[0] is None:
        pytest.skip("runs the translator, which a run on prebuilt modules does not have")
    accepted, refused = {}, {}
    for op in OPS:
        for b in ALL + PYTHON:
            k = kernel_name(op, b)
            rhs = "b[0]" if b in ALL else repr(b)
            for a in ALL:
                want = numpy_type(op, a, b)
                sig = f"{k}({name(a)}[:]{', ' + name(b) + '[:]' if b in ALL else ''})"
                if want:
                    accepted.setdefault(k, (f"a[0] {op} {rhs}", [], {}))
                    accepted[k][1].append((a, b if b in ALL else None))
                    accepted[k][2][sig] = want
                else:   # a kernel of its own, since only a kernel's first error is reported
                    kr = f"{k}_{name(a)}"
                    refused[kr] = (f"a[0] {op} {rhs}", [(a, b if b in ALL else None)], sig)
    types, errors = translated_types(translator, tmp_path,
                                     {k: v[:2] for k, v in accepted.items()})
    assert not errors, f"the translator refused what NumPy accepts: {errors}"
    want = {sig: t for v in accepted.values() for sig, t in v[2].items()}
    wrong = {sig: (types.get(sig), t) for sig, t in want.items() if types.get(sig) != t}
    assert not wrong, f"(translator, NumPy) result dtypes differ: {wrong}"
    _, errors = translated_types(translator, tmp_path, {k: v[:2] for k, v in refused.items()})
    missed = [v[2] for k, v in refused.items() if k not in errors]
    assert not missed, f"NumPy refuses these, the translator does not: {missed}"


# Arithmetic

INT_PAIRS = [(t, t) for t in INTS] + [
    (np.uint8, np.int8), (np.uint16, np.int32), (np.uint32, np.int32), (np.int64, np.uint32),
    (np.uint8, np.uint32), (np.bool_, np.int16)]


@pytest.mark.parametrize("a_t, b_t", INT_PAIRS, ids=lambda t: name(t))
@pytest.mark.parametrize("n", (0, 1000))
def test_integer_arithmetic(prog, case, a_t, b_t, n):
    """+ - * // % ** << >> & | ^, unary - ~ abs, max, min, / in the promoted type: uint8
    200 + 100 is 44, int8 127 + 1 is -128, int8 -128 // -1 is -128, shifts past the width
    give 0 or -1."""
    a, b = values(case, n, a_t), values(case, n, b_t, nonzero=True)
    out = np.zeros((19, n), np.result_type(a_t, b_t))
    case.same(prog, "ints", a, b, out, np.zeros(n))


def test_wraparound_examples(prog):
    out, q = np.zeros((19, 2), np.uint8), np.zeros(2)
    prog.compiled.ints(np.array([200, 0], np.uint8), np.array([100, 1], np.uint8), out, q)
    assert out[0, 0] == 44 and out[1, 1] == 255 and out[11, 1] == 255   # 0 - 1, -1
    out = np.zeros((19, 2), np.int8)
    prog.compiled.ints(np.array([127, -128], np.int8), np.array([1, -1], np.int8), out, q)
    assert list(out[0]) == [-128, 127] and out[3, 1] == -128 and out[13, 1] == 1


FLOAT_PAIRS = [(np.float32, np.float32), (np.float64, np.float64), (np.int8, np.float32),
               (np.uint16, np.float32), (np.uint32, np.float32), (np.uint64, np.int64),
               (np.int16, np.uint64), (np.float32, np.float64), (np.bool_, np.float32)]


@pytest.mark.parametrize("a_t, b_t", FLOAT_PAIRS, ids=lambda t: name(t))
@pytest.mark.parametrize("n", (0, 1000))
def test_float_arithmetic(prog, case, a_t, b_t, n):
    """Pairs whose promoted type is a float: int16 with float32 is float32, uint32 with
    float32 and uint64 with int64 are float64; b * 0.1 stays float32."""
    a, b = values(case, n, a_t), values(case, n, b_t, nonzero=True)
    if np.dtype(b_t).kind == "f" and n:
        b[-1] = 0.1   # b > 0.1 compares in b's type
    out = np.zeros((13, n), np.result_type(a_t, b_t))
    case.same(prog, "floats", a, b, out)


COMPARE_PAIRS = [(np.uint64, np.int64), (np.int64, np.uint64), (np.uint8, np.int8),
                 (np.uint32, np.int32), (np.uint16, np.int64), (np.int8, np.uint64),
                 (np.uint32, np.float32), (np.float32, np.float64)]


@pytest.mark.parametrize("a_t, b_t", COMPARE_PAIRS, ids=lambda t: name(t))
def test_comparisons_are_exact(prog, case, a_t, b_t):
    """By value, as NumPy 2 (and Python) compare: uint64 2**63 + 1 > int64 2**63 - 1, uint8
    5 > -1, int8 < 1000; computed here with Python's ints and floats."""
    n = 600
    a, b = values(case, n, a_t), values(case, n, b_t)
    b[::3] = a[::3].astype(b_t)   # equal values where they convert
    if a_t == np.uint64 and b_t == np.int64:
        a[7], b[7] = 2**63 + 1, 2**63 - 1
    out = np.zeros((10, n), bool)
    prog.compiled.compare(a, b, out)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
        want = [x < y, x <= y, x == y, x != y, x > y, x >= y, x > -1, x < 300, y == 200,
                -129 < y < 1000]
        assert out[:, i].tolist() == want, f"a = {x!r}, b = {y!r} (seed {case.seed})"


def test_bool_arithmetic(prog, case):
    """+ is or, * is and, ~ is not; //, %, ** and << give int8; + 1 gives int64."""
    n = 100
    a, b = values(case, n, bool), values(case, n, bool)
    case.same(prog, "bools", a, b, np.zeros((9, n), bool), np.zeros((5, n), np.int8))


# Reductions, group mode, scatter, array expressions, masks

@pytest.mark.parametrize("dtype", (np.int8, np.uint16, np.uint64, np.bool_), ids=name)
@pytest.mark.parametrize("n", (1, 5000))
def test_reductions(prog, case, dtype, n):
    """s = 0; s += x[i] keeps x's dtype and wraps (int8); max; np.sum in int64 or uint64."""
    x = values(case, n, dtype)
    got, want = case.same(prog, "reduce", x)
    same_dtypes(got.ret, want.ret, "reduce returned", case.seed)


@pytest.mark.parametrize("dtype", (np.int8, np.uint8, np.int16, np.uint16, np.uint32, np.uint64),
                         ids=name)
@pytest.mark.parametrize("shape", ((1, 1), (5, 7), (37, 130)))
def test_group_reductions(prog, case, dtype, shape):
    """A team (a group of lanes with clang) per row: sums and minima in the row's dtype."""
    A = values(case, shape, dtype)
    total = np.uint64 if np.dtype(dtype).kind == "u" else np.int64   # np.sum's dtype
    case.same(prog, "rows", A, np.zeros((shape[0], 3), total), values(case, shape[0], dtype))


@pytest.mark.parametrize("idx_t", INTS, ids=name)
@pytest.mark.parametrize("n", (0, 100003))
def test_scatter_and_gather(prog, case, idx_t, n):
    """Index arrays of every integer type; atomic += and -= on uint8, int16 and uint64
    counters (uint8 wraps past 255) and |= on bools, many iterations per element."""
    bins = 100
    idx = case.gen.integers(0, bins, n).astype(idx_t)
    w = values(case, n, np.int16)
    args = (idx, w, case.array(bins, np.float64), values(case, bins, np.uint8),
            values(case, bins, np.int16), values(case, bins, np.uint64), values(case, bins, bool),
            np.zeros(n))
    case.same(prog, "scatter", *args)


@pytest.mark.parametrize("n", (1, 1000))
def test_array_expressions(prog, case, n):
    got, want = case.same(prog, "arrays", values(case, n, np.uint8), np.zeros(n, np.uint8))
    same_dtypes(got.ret, want.ret, "arrays returned", case.seed)


def test_masks(prog, case):
    x, mask = values(case, 999, np.float32), values(case, 999, bool)
    got, want = case.same(prog, "masked", x, mask, np.zeros(999, np.float32))
    same_dtypes(got.ret, want.ret, "masked returned", case.seed)


# Results, signatures, Python scalars, inference, errors

@pytest.mark.parametrize("n", (0, 1, 200))   # NumPy 2 refuses uint8 + a Python int over 255
def test_results_of_every_kind(prog, case, n):
    got, want = case.same(prog, "make", n, np.uint8(250))
    same_dtypes(got.ret, want.ret, "make returned", case.seed)
    assert got.ret[4] == np.uint8(244) and got.ret[5] == np.uint16(75000 - 65536)
    assert prog.compiled.make(n, 3)[4] == 6   # a Python int for a uint8


def test_alias_names_in_signatures(prog):
    """byte, ubyte, short, ushort, intc, uintc, intp, uintp, longlong, ulonglong, np.single,
    numpy.double, np.bool_."""
    kinds = (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
             np.int64, np.uint64, np.float32, np.float64, np.bool_)
    args = [np.array([k + 1], t) for k, t in enumerate(kinds)]
    got = prog.compiled.aliases(*args)
    assert [np.asarray(g).dtype for g in got] == [np.dtype(t) for t in kinds]
    assert got == tuple(a[0] for a in args)
    args[3] = np.array([1], np.int16)
    with pytest.raises(TypeError) as e:
        prog.compiled.aliases(*args)
    assert str(e.value) == ("aliases() argument 'd' must be a uint16 array of rank 1, got an "
                            "int16 array of rank 1")


@pytest.mark.parametrize("n", (0, 1000))
def test_python_scalars_are_weak(prog, case, n):
    """scale(float32[:], float, int, bool, ...): alpha * x[i] + k in float32, as NumPy 2
    computes a float32 with Python scalars; with float64 and int64 (NumPy's), in float64."""
    x, alpha, k = values(case, n, np.float32), float(case.gen.uniform(-3, 3)), 7
    for flip in (False, True):
        got, want = case.same(prog, "scale", x, alpha, k, flip, np.zeros(n, np.float32), rtol=2e-7)
        f32 = np.float32(alpha) * x + np.float32(k)
        np.testing.assert_allclose(got.args[4], -f32 if flip else f32, rtol=2e-7, atol=0)
        got, want = case.same(prog, "scale", x, np.float64(alpha), np.int64(k), flip,
                              np.zeros(n), rtol=1e-15)
        f64 = alpha * x.astype(np.float64) + k
        np.testing.assert_allclose(got.args[4], -f64 if flip else f64, rtol=1e-15)


def test_inferred_index_arrays(prog, case):
    """Without an export line, arrays read as indices or range bounds are int64."""
    assert "spmv(int64[:], int64[:], float64[:], float64[:], float64[:])" in \
        prog.compiled.spmv.__doc__
    rows, cols = 50, 40
    counts = case.gen.integers(0, 6, rows)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    indices = case.gen.integers(0, cols, indptr[-1]).astype(np.int64)
    case.same(prog, "spmv", indptr, indices, case.array(indptr[-1], np.float64),
              case.array(cols, np.float64), np.zeros(rows))


@pytest.mark.parametrize("args, exc, message", [
    ((5, 300), OverflowError, "make() argument 'v' = 300 does not fit in uint8"),
    ((5, -1), OverflowError, "make() argument 'v' = -1 does not fit in uint8"),
    ((5, 1.5), TypeError, "make() argument 'v' must be an integer (uint8), not float"),
    ((5.0, 1), TypeError, "make() argument 'n' must be an integer (int64), not float"),
])
def test_scalar_errors(prog, args, exc, message):
    with pytest.raises(exc) as e:
        prog.compiled.make(*args)
    assert str(e.value) == message


def test_no_overload_for_other_dtypes(prog):
    with pytest.raises(TypeError) as e:
        prog.compiled.compare(np.zeros(3, np.int16), np.zeros(3, np.int16), np.zeros((10, 3), bool))
    assert str(e.value).startswith("compare(): no signature matches (int16[:], int16[:], bool[:,:])")
    assert "compare(uint64[:], int64[:], bool[:, :])" in str(e.value)
