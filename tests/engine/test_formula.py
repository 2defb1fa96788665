"""Formulas of derived indicators: parsing (grammar, errors), vectorised evaluation, solving."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._engine.formula import evaluate, solve_for
from upgrade_score._model.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Expr,
    FormulaError,
    Name,
    Number,
    Unary,
    operands,
    parse,
)

a, b, c = Name("a"), Name("b"), Name("c")


def cols(**values: list[float]) -> dict[str, np.ndarray]:
    return {k: np.array(v, dtype=np.float64) for k, v in values.items()}


# --- parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree", "canonical"),
    [
        ("a - b - c", Binary("-", Binary("-", a, b), c), "a - b - c"),
        ("a / b / c", Binary("/", Binary("/", a, b), c), "a / b / c"),
        ("a - (b - c)", Binary("-", a, Binary("-", b, c)), "a - (b - c)"),
        ("-a * b", Binary("*", Unary("-", a), b), "-a * b"),
        ("2 * (a + b)", Binary("*", Number(2.0), Binary("+", a, b)), "2 * (a + b)"),
        ("a + b * c", Binary("+", a, Binary("*", b, c)), "a + b * c"),
        ("(a + b) * c", Binary("*", Binary("+", a, b), c), "(a + b) * c"),
        ("a * -b", Binary("*", a, Unary("-", b)), "a * -b"),
        ("-(a+b)", Unary("-", Binary("+", a, b)), "-(a + b)"),
        ("+a", Unary("+", a), "+a"),
        ("((a))", a, "a"),
        (
            "energy_use/value_added",
            Binary("/", Name("energy_use"), Name("value_added")),
            "energy_use / value_added",
        ),
    ],
)
def test_precedence_associativity_and_canonical_text(text: str, tree: Expr, canonical: str) -> None:
    parsed = parse(text)
    assert parsed == tree
    assert str(parsed) == canonical
    assert parse(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("2.5E-4", 2.5e-4),
        ("1e+2", 100.0),
        ("3.", 3.0),
    ],
)
def test_numbers(text: str, value: float) -> None:
    assert parse(text) == Number(value)


def test_number_canonical_text() -> None:
    assert str(parse("1e3 + 0.25 + 1e-7")) == "1000 + 0.25 + 1e-07"


def test_names_in_first_appearance_order() -> None:
    e = parse("b * (a + b) / c - a")
    assert e.names == ("b", "a", "c") == operands(e)
    assert Number(1.0).names == ()


def test_tree_is_immutable() -> None:
    e = parse("a + b")
    assert isinstance(e, Binary)
    with pytest.raises(AttributeError):
        e.op = "-"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("a ** 2", 2, "unexpected '**'"),
        ("f(a)", 1, "function calls are not allowed"),
        ("a.b", 1, "unexpected '.'"),
        ("a %  b", 2, "unexpected '%'"),
        ("a == b", 2, "unexpected '=='"),
        ("a < b", 2, "unexpected '<'"),
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("(a + b", 6, "missing ')' for '(' at column 1"),
        ("a + b)", 5, "unexpected ')'"),
        ("a +", 3, "found end of formula"),
        ("a * / b", 4, "unexpected '/'"),
        ("a b", 2, "unexpected 'b'"),
        ("1e999", 0, "not finite"),
        ("2 * 1e400", 4, "not finite"),
        ("a, b", 1, "unexpected ','"),
        ("x = 1", 2, "unexpected '='"),
        ("能耗 / a", 0, "unexpected '能'"),
        ("_a + 1", 0, "unexpected '_'"),
    ],
)
def test_refused_syntax(text: str, position: int, words: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    err = info.value
    assert err.position == position
    assert words in err.message
    assert str(err) == f"column {position + 1}: {err.message}"
    assert "\n" not in str(err)


def test_error_message_shape() -> None:
    with pytest.raises(FormulaError) as info:
        parse("energy_use ** 2")
    assert str(info.value) == (
        "column 12: unexpected '**'; formulas allow numbers, input ids, + - * / and parentheses"
    )
    assert isinstance(info.value, ValueError)


def test_first_error_wins() -> None:
    with pytest.raises(FormulaError) as info:
        parse("(a + ) ** 2")
    assert info.value.position == 5


def test_length_bound() -> None:
    text = "a + " * (MAX_LENGTH // 4) + "a"
    with pytest.raises(FormulaError, match="longer than"):
        parse(text)


def test_depth_bounds() -> None:
    parse("(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("(" * 600 + "a" + ")" * 600)
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("-" * 500 + "a")
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse(" + ".join(["a"] * 400))


def test_unknown_name_with_suggestion() -> None:
    known = {"energy_use", "value_added", "water_use"}
    with pytest.raises(FormulaError) as info:
        parse("energy_use / valu_added + enrgy", known)
    assert info.value.position == 13
    assert info.value.message == "unknown input 'valu_added'; did you mean 'value_added'?"


def test_unknown_name_without_suggestion() -> None:
    with pytest.raises(FormulaError) as info:
        parse("a + zzz", ["a", "energy_use"])
    assert info.value.message == "unknown input 'zzz'"
    assert parse("a + a", ["a"]) == Binary("+", a, a)


# --- evaluation -----------------------------------------------------------------------------------


def test_evaluate_vectorised() -> None:
    values, zero = evaluate(parse("2 * (a + b) - c / 4"), cols(a=[1, 2, 3], b=[0, 1, 2], c=[4, 8, 0]))
    assert values.dtype == np.float64 and values.shape == (3,)
    assert values.tolist() == [1.0, 4.0, 10.0]
    assert zero.tolist() == [False, False, False]


def test_nan_propagates_and_is_not_zero_division() -> None:
    values, zero = evaluate(parse("a / b"), cols(a=[1, np.nan, np.nan, 1], b=[2, 2, 0, np.nan]))
    assert np.isnan(values).tolist() == [False, True, True, True]
    assert zero.tolist() == [False, False, False, False]


def test_division_by_zero_mask() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, zero = evaluate(
            parse("a / (b - 1) + c"), cols(a=[1, 0, -1, 2], b=[1, 1, 1, 3], c=[0, 0, 0, 1])
        )
    assert np.isnan(values[:3]).all()
    assert values[3] == 2.0
    assert zero.tolist() == [True, True, True, False]


def test_zero_division_inside_then_multiplied() -> None:
    values, zero = evaluate(parse("0 * (a / b)"), cols(a=[1.0], b=[0.0]))
    assert math.isnan(values[0]) and bool(zero[0])


def test_overflow_is_inf_and_nan_means_missing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, zero = evaluate(parse("a * a - a * a"), cols(a=[1e200, 2.0]))
        big, _ = evaluate(parse("a * a"), cols(a=[-1e200]))
    assert values.tolist() == [math.inf, 0.0]
    assert not zero.any()
    assert big.tolist() == [math.inf]


def test_constant_formula_broadcasts() -> None:
    values, zero = evaluate(parse("1 / 4"), cols(a=[1, 2]))
    assert values.tolist() == [0.25, 0.25] and zero.tolist() == [False, False]


def test_evaluate_column_errors() -> None:
    with pytest.raises(KeyError):
        evaluate(parse("a + b"), cols(a=[1]))
    with pytest.raises(ValueError):
        evaluate(parse("a + b"), cols(a=[1], b=[1, 2]))
    with pytest.raises(ValueError):
        evaluate(parse("1"), {})


# --- property: evaluate agrees with a scalar reference -----------------------------------------

NAMES = ("a", "b", "c")


def scalar_eval(e: Expr, row: dict[str, float]) -> tuple[float, bool]:
    """Independent reference: plain Python floats, one row; returns (value, divided by zero)."""
    if isinstance(e, Number):
        return e.value, False
    if isinstance(e, Name):
        return row[e.id], False
    if isinstance(e, Unary):
        v, z = scalar_eval(e.operand, row)
        return (-v if e.op == "-" else v), z
    left, lz = scalar_eval(e.left, row)
    right, rz = scalar_eval(e.right, row)
    if e.op == "+":
        return left + right, lz or rz
    if e.op == "-":
        return left - right, lz or rz
    if e.op == "*":
        return left * right, lz or rz
    if right == 0:
        return math.nan, True
    return left / right, lz or rz


magnitudes = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e3))
signed = st.builds(lambda m, s: m * s, magnitudes, st.sampled_from([1.0, -1.0]))
leaves = st.one_of(st.builds(Number, magnitudes), st.builds(Name, st.sampled_from(NAMES)))


def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "+"]), children),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), children, children),
    )


trees = st.recursive(leaves, extend, max_leaves=12)
cells = st.one_of(signed, st.just(math.nan))


@settings(max_examples=300, deadline=None)
@given(trees, st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=8))
def test_evaluate_matches_scalar_reference(tree: Expr, rows: list[tuple[float, float, float]]) -> None:
    columns = {name: np.array([r[k] for r in rows]) for k, name in enumerate(NAMES)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, zero = evaluate(tree, columns)
    for k, r in enumerate(rows):
        row = dict(zip(NAMES, r, strict=True))
        expected, divided = scalar_eval(tree, row)
        missing = any(math.isnan(row[n]) for n in operands(tree))
        assert bool(zero[k]) == (divided and not missing)
        if missing or divided:
            assert math.isnan(values[k])
        else:
            assert math.isclose(values[k], expected, rel_tol=1e-12, abs_tol=0.0) or values[k] == expected


@settings(max_examples=300, deadline=None)
@given(trees)
def test_canonical_text_round_trips(tree: Expr) -> None:
    assert parse(str(tree)) == tree


# --- solve_for ------------------------------------------------------------------------------------


def test_solve_energy_intensity() -> None:
    e = parse("energy_use / value_added")
    assert solve_for(e, "energy_use", 0.5, {"energy_use": 4200, "value_added": 4940}) == pytest.approx(2470)
    assert solve_for(e, "value_added", 0.5, {"energy_use": 4200}) == pytest.approx(8400, rel=1e-12)


def test_solve_affine_forms() -> None:
    e = parse("(a + b) / (c * 1e4)")
    x = solve_for(e, "c", 0.37, {"a": 1200, "b": 34})
    assert x == pytest.approx(1234 / 0.37 / 1e4, rel=1e-12)
    assert solve_for(e, "a", 0.5, {"b": 34, "c": 2}) == pytest.approx(9966, rel=1e-12)
    assert solve_for(parse("100 - 2 * landfill / 3"), "landfill", 40, {}) == pytest.approx(90)
    assert solve_for(parse("-x"), "x", 5, {}) == pytest.approx(-5)


def test_solve_returns_none() -> None:
    assert solve_for(parse("x * x"), "x", 4, {}) is None
    assert solve_for(parse("a / (x - 2)"), "x", 1, {"a": 3}) is None
    assert solve_for(parse("0 * x + 3"), "x", 1, {}) is None  # constant in x
    assert solve_for(parse("a + 1"), "x", 1, {"a": 3}) is None  # x not an operand
    assert solve_for(parse("a / x"), "x", 0, {"a": 3}) is None  # a / x never reaches 0
    assert solve_for(parse("x"), "x", math.nan, {}) is None


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.1, max_value=1e4),
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=0.01, max_value=1e3),
    st.booleans(),
)
def test_solve_for_property(k: float, offset: float, target: float, inverse: bool) -> None:
    text = "k / x + off" if inverse else "k * x + off"
    e = parse(text)
    x = solve_for(e, "x", target, {"k": k, "off": offset})
    if inverse and abs(target - offset) <= 1e-6 * max(abs(target), abs(offset)):
        # target at (or numerically at) the asymptote: no answer, or one that meets the target
        assert x is None or abs(k / x + offset - target) <= 1e-9 * max(1.0, abs(target))
        return
    expected = k / (target - offset) if inverse else (target - offset) / k
    assert x is not None
    assert x == pytest.approx(expected, rel=1e-9, abs=1e-12)
