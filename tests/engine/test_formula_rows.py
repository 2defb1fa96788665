"""A formula's function of one row (:func:`scalar_function`: straight-line code generated once)
gives, bit for bit, what the numpy evaluation of a batch gives: values, NaN for a missing operand
or a zero denominator, ±inf on overflow, and the zero-division flag."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._engine.formula import evaluate, evaluate_row, scalar_function, solve_for
from upgrade_score._model.formula import Binary, Expr, Name, Number, Unary, operands, parse

NAMES = ("a", "b", "c")
_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -2.5, 1e308, -1e308, 5e-324, 3.0, 7.25]),
                    st.floats(-1e6, 1e6, allow_nan=False))
_LEAVES = st.one_of(st.builds(Number, st.sampled_from([0.0, 1.0, 2.0, 0.5, 1e300, 100.0])),
                    st.builds(Name, st.sampled_from(NAMES)))
_TREES = st.recursive(_LEAVES, lambda children: st.one_of(
    st.builds(Unary, st.sampled_from(["-", "+"]), children),
    st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), children, children)), max_leaves=10)


def test_by_hand() -> None:
    names = ("a", "b")
    ratio = scalar_function(parse("(a + 1) / b * 100"))
    assert evaluate_row(ratio, {"a": 3.0, "b": 8.0}, names) == (50.0, False)
    value, zero = evaluate_row(ratio, {"a": 3.0, "b": 0.0}, names)
    assert math.isnan(value) and zero  # a zero denominator: missing, and said so
    value, zero = evaluate_row(ratio, {"a": math.nan, "b": 0.0}, names)
    assert math.isnan(value) and not zero  # a missing operand takes precedence
    assert evaluate_row(scalar_function(parse("a / b")), {"a": 1e308, "b": 1e-10}, names) == (math.inf, False)
    assert evaluate_row(scalar_function(parse("-a - -2")), {"a": 5.0}, ("a",)) == (-3.0, False)
    assert evaluate_row(scalar_function(parse("4")), {}, ()) == (4.0, False)


@settings(max_examples=150, deadline=None)
@given(_TREES, st.lists(st.one_of(_VALUES, st.just(math.nan)), min_size=3, max_size=3))
def test_a_row_is_the_batch_to_the_bit(tree: Expr, row: list[float]) -> None:
    columns = dict(zip(NAMES, row))
    value, zero = evaluate_row(scalar_function(tree), columns, operands(tree))
    values, zeros = evaluate(tree, {name: np.array([x]) for name, x in columns.items()})
    assert np.array([value]).tobytes() == values.tobytes() or (math.isnan(value) and np.isnan(values[0]))
    assert zero == bool(zeros[0])


def test_solve_for_with_the_function_given() -> None:
    expr = parse("energy_use / value_added")
    held = {"energy_use": 4200.0, "value_added": 4940.0}
    alone = solve_for(expr, "energy_use", 0.5, held)
    given_function = solve_for(expr, "energy_use", 0.5, held, function=scalar_function(expr),
                               names=operands(expr))
    assert alone == given_function and alone is not None and math.isclose(alone, 2470.0)
