"""Derived values (design points 12–13): inputs rolled up from enterprise rows, and derived
indicators computed from inputs by their formulas — over every base at once.

The data flow is: enterprise rows (R, F) → rolled-up inputs; reported inputs + rolled-up inputs
(N, K) → formula columns of the indicator value matrix (N, M), which is then scored as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._model.formula import Expr, operands, parse
from .compile import BoolArray, FloatArray, IntArray
from .core import SMALL_ROWS
from .formula import evaluate, evaluate_row

if TYPE_CHECKING:
    from .._model.rubric import Rubric

SUM, COUNT, COUNT_WHERE, MEAN = "sum", "count", "count_where", "mean"


@dataclass(frozen=True)
class CompiledRollup:
    """An input rolled up from enterprise rows: its column, form and the field columns it reads."""

    input: int          # column in the input matrix
    form: str           # SUM | COUNT | COUNT_WHERE | MEAN
    field: int          # enterprise field column (-1 for count: all)
    weight: int         # weight field column for a weighted mean (-1: none)


@dataclass(frozen=True)
class CompiledFormula:
    """A derived indicator: its column in the value matrix and its parsed formula."""

    column: int
    expr: Expr
    text: str
    operands: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Derived:
    """What derivation found for N bases: every input's value (reported or rolled up), how many
    enterprise rows fed each rolled-up input, and where a formula divided by zero."""

    inputs: FloatArray          # (N, K) NaN = missing
    rows: IntArray              # (N, K) enterprise rows behind each rolled-up input (0 otherwise)
    zero_division: BoolArray    # (N, M) derived values missing because a denominator was 0


@dataclass(frozen=True, eq=False)
class Derivation:
    """The rubric's inputs, enterprise fields, roll-ups and formulas, compiled."""

    input_ids: tuple[str, ...]            # K
    field_ids: tuple[str, ...]            # F
    boolean_fields: BoolArray             # (F,) the boolean enterprise fields
    low: FloatArray                       # (K,) smallest valid input value
    high: FloatArray                      # (K,) largest valid input value
    rollups: tuple[CompiledRollup, ...]
    formulas: tuple[CompiledFormula, ...]

    @property
    def rolled_up(self) -> frozenset[int]:
        """Input columns that come from enterprise rows (a base may not report them)."""
        return frozenset(rollup.input for rollup in self.rollups)

    @property
    def derived_columns(self) -> frozenset[int]:
        """Indicator columns computed by formulas (a base may not report them)."""
        return frozenset(formula.column for formula in self.formulas)


def compile_derivation(rubric: Rubric) -> Derivation | None:
    """The derivation of a rubric that declares inputs or formulas (else ``None``)."""
    inputs = rubric.inputs or ()
    formulas = [(m, i) for m, i in enumerate(rubric.indicators) if i.formula is not None]
    if not inputs and not formulas:
        return None
    input_ids = rubric.input_ids
    fields = rubric.enterprise_fields or ()
    field_ids = tuple(f.id for f in fields)
    column = {field_id: f for f, field_id in enumerate(field_ids)}
    rollups = tuple(CompiledRollup(k, i.rollup.form, column.get(i.rollup.field or "", -1),
                                   column.get(i.rollup.weight or "", -1))
                    for k, i in enumerate(inputs) if i.rollup is not None)
    limit = np.finfo(np.float64).max
    low = np.array([i.valid_range[0] if i.valid_range else -limit for i in inputs], dtype=np.float64)
    high = np.array([i.valid_range[1] if i.valid_range else limit for i in inputs], dtype=np.float64)
    compiled = []
    for m, indicator in formulas:
        assert indicator.formula is not None
        expr = parse(indicator.formula, input_ids)
        compiled.append(CompiledFormula(m, expr, indicator.formula, operands(expr)))
    return Derivation(input_ids, field_ids, np.array([f.kind == "boolean" for f in fields], dtype=bool),
                      low, high, rollups, tuple(compiled))


def roll_up(derivation: Derivation, owners: IntArray, figures: FloatArray, inputs: FloatArray,
            rows: IntArray) -> None:
    """Write every rolled-up input of N bases into ``inputs`` (N, K) and the number of enterprise
    rows that fed it into ``rows`` (N, K), from R enterprise rows: ``owners`` (R,) the base row of
    each, ``figures`` (R, F) their field values (NaN = not reported; booleans as 1/0).

    A row without a value for the field is left out of that roll-up; an input no row feeds is
    missing (NaN). A weighted mean whose weights sum to 0 is missing too.
    """
    count = inputs.shape[0]
    for rollup in derivation.rollups:
        if rollup.form == COUNT:
            used = np.ones(owners.size, dtype=bool)
        else:
            used = ~np.isnan(figures[:, rollup.field])
            if rollup.weight >= 0:
                used &= ~np.isnan(figures[:, rollup.weight])
        fed = np.bincount(owners[used], minlength=count)
        total: FloatArray
        if rollup.form == COUNT:
            total = fed.astype(np.float64)
        elif rollup.form == MEAN:
            values = figures[used, rollup.field]
            weights = figures[used, rollup.weight] if rollup.weight >= 0 else np.ones(values.size)
            numerator = np.bincount(owners[used], weights=values * weights, minlength=count)
            denominator = np.bincount(owners[used], weights=weights, minlength=count)
            nonzero = denominator != 0
            total = np.where(nonzero, numerator / np.where(nonzero, denominator, 1.0), np.nan)
        else:  # SUM, COUNT_WHERE (a boolean field holds 1/0)
            found = figures[used, rollup.field]
            total = np.bincount(owners[used], weights=found, minlength=count).astype(np.float64)
        inputs[:, rollup.input] = np.where(fed > 0, total, np.nan)
        rows[:, rollup.input] = fed


def derive(derivation: Derivation, inputs: FloatArray, values: FloatArray) -> BoolArray:
    """Write each derived indicator's value, computed from ``inputs`` (N, K), into its column of
    ``values`` (N, M). Returns where a denominator was 0 (N, M): those values are missing with
    that reason. A value is missing when any operand is."""
    zero_division = np.zeros(values.shape, dtype=bool)
    if not derivation.formulas:
        return zero_division
    columns = {input_id: inputs[:, k] for k, input_id in enumerate(derivation.input_ids)}
    if values.shape[0] == 0:
        return zero_division
    if values.shape[0] <= SMALL_ROWS:  # a few bases: no numpy call per formula
        for row, reported in enumerate(inputs.tolist()):
            named = dict(zip(derivation.input_ids, reported))
            for formula in derivation.formulas:
                value, zero_row = evaluate_row(formula.expr, named, formula.operands)
                values[row, formula.column] = value
                zero_division[row, formula.column] = zero_row
        return zero_division
    for formula in derivation.formulas:
        result, zero = evaluate(formula.expr, {name: columns[name] for name in formula.operands}
                                if formula.operands else {"": np.zeros(values.shape[0])})
        values[:, formula.column] = result
        zero_division[:, formula.column] = zero
    return zero_division
