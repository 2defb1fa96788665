"""Derived values (design points 12–13): inputs rolled up from enterprise rows, and derived
indicators computed from inputs by their formulas — over every base at once.

The data flow is: enterprise rows (R, F) → rolled-up inputs; reported inputs + rolled-up inputs
(N, K) → formula columns of the indicator value matrix (N, M), which is then scored as usual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .._model.formula import Expr, operands, parse
from .compile import BoolArray, FloatArray, IntArray
from .core import SMALL_ROWS
from .formula import Scalar, evaluate, evaluate_row, scalar_function

if TYPE_CHECKING:
    from .._model.rubric import Rubric

SUM, COUNT, COUNT_WHERE, MEAN = "sum", "count", "count_where", "mean"
_FORM_CODES = {SUM: 0, COUNT: 1, COUNT_WHERE: 2, MEAN: 3}


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
    scalar: Scalar = field(compare=False, repr=False)  # expr on one row's Python floats


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

    @cached_property
    def rollup_columns(self) -> list[int]:
        """The input column of each roll-up, in roll-up order (U,)."""
        return [rollup.input for rollup in self.rollups]

    @cached_property
    def rollup_fields(self) -> IntArray:
        """The enterprise field column each roll-up reads (U,; -1: none, a count)."""
        return np.array([-1 if rollup.form == COUNT else rollup.field for rollup in self.rollups],
                        dtype=np.int64)

    @cached_property
    def rollup_weights(self) -> IntArray:
        """The weight field column of each roll-up (U,; -1: none; only a mean has one)."""
        return np.array([rollup.weight if rollup.form == MEAN else -1 for rollup in self.rollups],
                        dtype=np.int64)

    @cached_property
    def rollup_forms(self) -> IntArray:
        """Each roll-up's form as a code (U,)."""
        return np.array([_FORM_CODES[rollup.form] for rollup in self.rollups], dtype=np.int64)

    @cached_property
    def input_columns(self) -> dict[str, int]:
        """Input id: its column of the input matrix (K)."""
        return {input_id: k for k, input_id in enumerate(self.input_ids)}

    @cached_property
    def reported_columns(self) -> dict[str, int]:
        """The inputs a base reports (not rolled up from enterprises): id: column."""
        rolled_up = self.rolled_up
        return {input_id: k for k, input_id in enumerate(self.input_ids) if k not in rolled_up}

    @cached_property
    def counted_inputs(self) -> frozenset[str]:
        """Inputs that count enterprises (whole numbers)."""
        return frozenset(self.input_ids[r.input] for r in self.rollups if r.form in (COUNT, COUNT_WHERE))

    @cached_property
    def formula_of(self) -> dict[int, CompiledFormula]:
        """Derived indicator column: its formula, in column order."""
        return {formula.column: formula for formula in self.formulas}

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
        compiled.append(CompiledFormula(m, expr, indicator.formula, operands(expr), scalar_function(expr)))
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
    count, width = inputs.shape[0], len(derivation.rollups)
    if not width:
        return
    if count <= SMALL_ROWS:  # a few bases: no numpy call per step
        _roll_up_few(derivation, owners.tolist(), figures.tolist(), inputs, rows)
        return
    columns = derivation.rollup_columns
    if not owners.size:  # no enterprise rows: every rolled-up input is missing, fed by none
        inputs[:, columns] = np.nan
        rows[:, columns] = 0
        return
    # every roll-up at once: column u of (R, U) holds roll-up u's field and weight (a column of
    # ones where it has none); bin owner·U + u sums its rows in row order, as one bincount per
    # roll-up would (the same additions in the same order, so the same bits)
    padded = np.concatenate([figures, np.ones((owners.size, 1))], axis=1)  # (field -1: the ones)
    found, weights = padded[:, derivation.rollup_fields], padded[:, derivation.rollup_weights]
    used = ~(np.isnan(found) | np.isnan(weights))  # a row without a value is left out
    bins = (owners[:, None] * width + np.arange(width))[used]
    fed = np.bincount(bins, minlength=count * width).reshape(count, width)
    total = np.bincount(bins, weights=(found * weights)[used], minlength=count * width).reshape(count, width)
    forms = derivation.rollup_forms
    if (forms == _FORM_CODES[MEAN]).any():  # a weighted mean: divided by the sum of its weights
        denominator = np.bincount(bins, weights=weights[used], minlength=count * width).reshape(count, width)
        nonzero = denominator != 0
        mean = np.where(nonzero, total / np.where(nonzero, denominator, 1.0), np.nan)
        total = np.where(forms == _FORM_CODES[MEAN], mean, total)
    total = np.where(forms == _FORM_CODES[COUNT], fed.astype(np.float64), total)
    inputs[:, columns] = np.where(fed > 0, total, np.nan)
    rows[:, columns] = fed


def _roll_up_few(derivation: Derivation, owners: list[int], figures: list[list[float]],
                 inputs: FloatArray, rows: IntArray) -> None:
    """:func:`roll_up` on Python floats, operation for operation (each sum taken in row order, as
    ``bincount`` takes it, so the same bits)."""
    fields, weights = derivation.rollup_fields.tolist(), derivation.rollup_weights.tolist()
    for base in range(inputs.shape[0]):
        mine = [figures[r] for r, owner in enumerate(owners) if owner == base]
        for rollup, field_column, weight_column in zip(derivation.rollups, fields, weights):
            fed, total, weight_sum = 0, 0.0, 0.0
            for figure in mine:
                found = 1.0 if field_column < 0 else figure[field_column]
                weight = 1.0 if weight_column < 0 else figure[weight_column]
                if found == found and weight == weight:  # a row without a value is left out
                    fed += 1
                    total += found * weight
                    weight_sum += weight
            if rollup.form == MEAN:
                total = total / weight_sum if weight_sum != 0 else math.nan
            elif rollup.form == COUNT:
                total = float(fed)
            inputs[base, rollup.input] = total if fed > 0 else math.nan
            rows[base, rollup.input] = fed


def derive(derivation: Derivation, inputs: FloatArray, values: FloatArray) -> BoolArray:
    """Write each derived indicator's value, computed from ``inputs`` (N, K), into its column of
    ``values`` (N, M). Returns where a denominator was 0 (N, M): those values are missing with
    that reason. A value is missing when any operand is."""
    zero_division = np.zeros(values.shape, dtype=bool)
    if not derivation.formulas:
        return zero_division
    if values.shape[0] == 0:
        return zero_division
    if values.shape[0] <= SMALL_ROWS:  # a few bases: no numpy call per formula
        formula_columns = [formula.column for formula in derivation.formulas]
        for row, reported in enumerate(inputs.tolist()):
            named = dict(zip(derivation.input_ids, reported))
            found = [evaluate_row(formula.scalar, named, formula.operands) for formula in derivation.formulas]
            values[row, formula_columns] = [value for value, _ in found]
            zero_division[row, formula_columns] = [zero for _, zero in found]
        return zero_division
    columns = {input_id: inputs[:, k] for k, input_id in enumerate(derivation.input_ids)}
    for formula in derivation.formulas:
        result, zero = evaluate(formula.expr, {name: columns[name] for name in formula.operands}
                                if formula.operands else {"": np.zeros(values.shape[0])})
        values[:, formula.column] = result
        zero_division[:, formula.column] = zero
    return zero_division
