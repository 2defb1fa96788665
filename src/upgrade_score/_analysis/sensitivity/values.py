"""Value confidence: scores when reported values vary within their stated confidence."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..._analysis.scorecard import ScoreTable
from ..._engine.aggregate import direction_denominators
from ..._engine.compile import BOOLEAN, QUALITATIVE, QUANTITATIVE, CompiledRubric, FloatArray, IntArray
from ..._engine.core import indicator_levels, overall_scores
from ..._engine.derive import Derivation, Derived
from ..._engine.formula import evaluate
from ..._errors import Problem, UpgradeScoreError
from ..._io.csvtable import ProfileTable
from . import weights
from .results import Interval, ValueContribution, ValueUncertainty
from .weights import HIGH, LOW, option_error, sorted_quantile

# --- value confidence -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ValueSpread:
    """The uncertain cells of a value matrix: where, and their confidence or interval."""

    rows: IntArray
    columns: IntArray
    confidence: FloatArray   # NaN where an interval is given
    low: FloatArray          # NaN where a confidence is given
    high: FloatArray
    span: FloatArray         # t_L − t_0 of the thresholds the cell's base is held to


def value_spread(table: ScoreTable, confidence: npt.ArrayLike | None) -> ValueSpread:
    """Collect the uncertain cells (confidence < 1, or an interval), checking intervals."""
    compiled = table.rubric.compiled
    shape = table.values.shape
    confidences = np.full(shape, np.nan)
    low, high = np.full(shape, np.nan), np.full(shape, np.nan)
    if confidence is not None:
        if table.profiles is not None:
            raise option_error("confidence", "only for array data (profiles carry their own)")
        confidences = _confidence_array(confidence, shape)
    elif table.profiles is not None and not isinstance(table.profiles, ProfileTable):
        # (a CSV table holds plain numbers: no confidence or interval to read, no profile built)
        column_of = {i: m for m, i in enumerate(table.rubric.indicator_ids)}
        problems: list[Problem] = []
        for n, profile in enumerate(table.profiles):
            for indicator_id, reported in profile.values.items():
                m = column_of.get(indicator_id)
                if m is None or reported.value is None:
                    continue
                if reported.low is not None and reported.high is not None:
                    reason = _interval_problem(compiled, m, reported.low, reported.high)
                    if reason:
                        problems.append(profile.problem(indicator_id, reason))
                    low[n, m], high[n, m] = reported.low, reported.high
                elif reported.confidence is not None:
                    confidences[n, m] = reported.confidence
        if compiled.derivation is not None and table.derived is not None:
            _input_intervals(table, compiled.derivation, table.derived, low, high, problems)
        if problems:
            raise UpgradeScoreError(problems)
    present = ~np.isnan(table.values)
    if compiled.uses_language_2:
        present &= table.applicable  # an n/a cell is not a value: never sampled
    uncertain = present & ((confidences < 1) | (high > low))
    rows, columns = np.nonzero(uncertain)
    span = compiled.points[columns, -1] - compiled.points[columns, 0]
    categories = _cell_categories(table, rows)
    if categories is not None:  # a base of a category with its own bars: their span
        for category, column, rule in compiled.category_rules:
            points = rule[2]
            span[(categories == category) & (columns == column)] = points[-1] - points[0]
    return ValueSpread(rows, columns, confidences[rows, columns], low[rows, columns], high[rows, columns],
                       span)


def check_value_cost(compiled: CompiledRubric, spread: ValueSpread, samples: int) -> None:
    """Refuse ``samples`` value samples when one base's block of them (its values together and
    each alone: samples × (1 + its uncertain values) rows, each as wide as the rubric) would be
    over the block limit, naming the largest number of value samples that fits."""
    if not spread.rows.size:
        return
    width = len(compiled.indicator_ids) + len(compiled.direction_ids)
    most = int(np.bincount(spread.rows).max())
    if samples * (1 + most) * width <= weights.VALUE_CELLS:
        return
    fits = weights.VALUE_CELLS // ((1 + most) * width)
    advice = f"use at most {fits:,} value samples" if fits >= 2 else "use 0 value samples (skip)"
    raise option_error("value_samples", f"{samples:,} value samples × {1 + most:,} draws (a base "
                                        f"with {most:,} uncertain values) × {width:,} indicators and "
                                        f"directions is more than {weights.VALUE_CELLS:,} cells at "
                                        f"once; {advice}")


def _cell_categories(table: ScoreTable, rows: IntArray) -> IntArray | None:
    """The category (-1: none) of the base of each row in ``rows``, or ``None`` when no
    category has bars of its own."""
    if not table.rubric.compiled.category_rules or table.categories is None:
        return None
    return np.asarray(table.categories[rows], dtype=np.int64)


def _input_intervals(table: ScoreTable, derivation: Derivation, derived: Derived, low: FloatArray,
                     high: FloatArray, problems: list[Problem]) -> None:
    """Intervals of derived values from the intervals of their reported inputs: the formula at
    every corner of the inputs' box (exact for a formula monotone in each input, as ratios, sums
    and shares of quantities are). A ``confidence`` on an input is refused: give an interval."""
    assert table.profiles is not None
    column = {input_id: k for k, input_id in enumerate(derivation.input_ids)}
    for n, profile in enumerate(table.profiles):
        box: dict[str, tuple[float, float]] = {}
        for input_id, reported in profile.values.items():
            if input_id not in column or reported.value is None:
                continue
            if reported.low is not None and reported.high is not None:
                box[input_id] = (reported.low, reported.high)
            elif reported.confidence is not None:
                message = "a confidence on an input is not used: give its interval (low, high) instead"
                problems.append(profile.problem(input_id, message))
        for formula in derivation.formulas if box else ():
            varying = [name for name in formula.operands if name in box]
            if not varying:
                continue
            columns = {name: np.array([derived.inputs[n, column[name]]]) for name in formula.operands}
            m = formula.column
            corners = [float(table.values[n, m])]
            for corner in itertools.product(*(box[name] for name in varying)):
                at = {name: np.array([value]) for name, value in zip(varying, corner)}
                corners.append(float(evaluate(formula.expr, {**columns, **at})[0][0]))
            if all(math.isfinite(c) for c in corners):  # (within the indicator's valid range)
                low[n, m] = max(min(corners), float(table.rubric.compiled.low[m]))
                high[n, m] = min(max(corners), float(table.rubric.compiled.high[m]))


def _confidence_array(confidence: npt.ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    try:
        array = np.array(confidence, dtype=np.float64)
    except (TypeError, ValueError):
        raise option_error("confidence", "expected an array of numbers in [0, 1]") from None
    if array.shape != shape:
        raise option_error("confidence", f"expected shape {shape} like the values, got {array.shape}")
    with np.errstate(invalid="ignore"):
        if ((array < 0) | (array > 1)).any() or np.isinf(array).any():
            raise option_error("confidence", "values must be in [0, 1] (NaN = exact)")
    return array


def _interval_problem(compiled: CompiledRubric, column: int, low: float, high: float) -> str:
    kind = int(compiled.kinds[column])
    if kind == BOOLEAN:
        return "an interval (low, high) applies to numbers and levels, not to a yes/no value"
    if kind == QUALITATIVE and (low != math.floor(low) or high != math.floor(high)):
        return f"the interval of a level must be whole levels, got [{low:g}, {high:g}]"
    if low < compiled.low[column] or high > compiled.high[column]:
        return (f"interval [{low:g}, {high:g}] is outside the valid range "
                f"[{compiled.low[column]:g}, {compiled.high[column]:g}]")
    return ""


def sample_values(compiled: CompiledRubric, values: FloatArray, spread: ValueSpread,
                  cells: slice | IntArray, samples: int, rng: np.random.Generator) -> FloatArray:
    """Sampled values (C, samples) of the uncertain ``cells`` (see the module docs for the model)."""
    rows, columns = spread.rows[cells], spread.columns[cells]
    value = values[rows, columns][:, None]
    confidence = spread.confidence[cells][:, None]
    low, high = spread.low[cells][:, None], spread.high[cells][:, None]
    kinds = compiled.kinds[columns][:, None]
    span = spread.span[cells][:, None]
    noise = rng.standard_normal((len(rows), samples))
    uniform = rng.random((len(rows), samples))
    interval = ~np.isnan(low)
    with np.errstate(invalid="ignore"):
        moved = value + (1.0 - confidence) * span * noise
        qualitative = np.rint(moved)
        flipped = np.where(uniform < (1.0 - confidence) / 2, 1.0 - value, value)
        drawn = low + (high - low) * uniform
        levels_drawn = np.minimum(np.floor(low + (high - low + 1.0) * uniform), high)
    out = np.where(kinds == QUANTITATIVE, moved, np.where(kinds == QUALITATIVE, qualitative, flipped))
    out = np.where(interval, np.where(kinds == QUALITATIVE, levels_drawn, drawn), out)
    lower, upper = compiled.low[columns][:, None], compiled.high[columns][:, None]
    clipped: FloatArray = np.clip(out, lower, upper)
    return clipped


def _blocks(sizes: IntArray, limit: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) runs of items whose sizes add up to at most ``limit`` (or one item)."""
    found: list[tuple[int, int]] = []
    start, total = 0, 0
    for k, size in enumerate(sizes.tolist()):
        if k > start and total + size > limit:
            found.append((start, k))
            start, total = k, 0
        total += size
    if len(sizes):
        found.append((start, len(sizes)))
    return found


def sampled_levels(compiled: CompiledRubric, columns: IntArray, drawn: FloatArray,
                   categories: IntArray | None = None) -> FloatArray:
    """Indicator levels (C, S) of sampled values ``drawn`` (C, S) of the given columns (C,), each
    held to the thresholds of its base's category (``categories`` (C,), -1 = none; default none).

    The samples are packed column by column into one value matrix (NaN elsewhere), so that the
    engine computes every level in one pass (one pass per category present)."""
    if categories is None or not compiled.category_rules:
        return _packed_levels(compiled, columns, drawn, None)
    levels = np.empty(drawn.shape)
    for category in np.unique(categories).tolist():
        cells = np.flatnonzero(categories == category)
        levels[cells] = _packed_levels(compiled, columns[cells], drawn[cells], category)
    return levels


def _packed_levels(compiled: CompiledRubric, columns: IntArray, drawn: FloatArray,
                   category: int | None) -> FloatArray:
    count, samples = drawn.shape
    order = np.argsort(columns, kind="stable")
    ordered = columns[order]
    slot = np.empty(count, dtype=np.int64)
    slot[order] = np.arange(count) - np.searchsorted(ordered, ordered, side="left")
    height = int(slot.max()) + 1 if count else 0
    rows = slot[:, None] * samples + np.arange(samples)
    packed = np.full((height * samples, len(compiled.indicator_ids)), np.nan)
    packed[rows, columns[:, None]] = drawn
    codes = None if category is None else np.full(len(packed), category, dtype=np.int64)
    levels: FloatArray = indicator_levels(compiled, packed, codes)[rows, columns[:, None]]
    return levels


def value_scores(table: ScoreTable, rows: IntArray, columns: IntArray,
                 drawn: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Overall scores when the values at (``rows``, ``columns``) take the sampled ``drawn``
    (C, S): each base's values all together, (B, S) for the B distinct rows in increasing order,
    and each value alone, (C, S).

    Only the directions of the sampled values are rescored: with its weights (and, for
    ``missing: exclude``, the set of present values) fixed, a direction score moves linearly with
    the level of one of its indicators, by 100/L · w_i / Σw · Δs. The sampled values go through
    the thresholds of their base's category; an indicator that does not apply to a base is out of
    its direction's Σw (design point 10).
    """
    compiled = table.rubric.compiled
    samples = drawn.shape[1]
    owner = compiled.direction_of[columns]
    nominal = table.indicator_levels[rows, columns]
    applies = None
    present = ~np.isnan(table.indicator_levels[rows])
    if compiled.uses_language_2:
        applies = table.applicable[rows]
        present &= applies
    used = direction_denominators(compiled, present.astype(np.float64),
                                  None if applies is None else applies.astype(np.float64))
    scale = 100.0 / compiled.levels * compiled.weights[columns] / used[np.arange(len(rows)), owner]
    sampled = sampled_levels(compiled, columns, drawn, _cell_categories(table, rows))
    delta = scale[:, None] * (sampled - nominal[:, None])
    directions = table.directions
    width = directions.shape[1]
    alone = np.repeat(directions[rows], samples, axis=0)
    alone[np.arange(alone.shape[0]), np.repeat(owner, samples)] += delta.ravel()
    bases, position = np.unique(rows, return_inverse=True)
    together = np.repeat(directions[bases], samples, axis=0)
    at = ((position[:, None] * samples + np.arange(samples)) * width + owner[:, None]).ravel()
    together += np.bincount(at, weights=delta.ravel(), minlength=together.size).reshape(together.shape)
    joint = overall_scores(compiled, np.clip(together, 0.0, 100.0, out=together))
    each = overall_scores(compiled, np.clip(alone, 0.0, 100.0, out=alone))
    return joint.reshape(len(bases), samples), each.reshape(len(rows), samples)


def value_uncertainty(table: ScoreTable, spread: ValueSpread, samples: int, rng: np.random.Generator,
                       order: Sequence[int]) -> tuple[ValueUncertainty, ...]:
    """Sample the uncertain values of each base: jointly, and one at a time (same draws)."""
    compiled = table.rubric.compiled
    bases, first = np.unique(spread.rows, return_index=True)
    bounds = [*first.tolist(), len(spread.rows)]
    results: dict[int, ValueUncertainty] = {}
    width = len(compiled.indicator_ids) + len(compiled.direction_ids)
    limit = min(weights.VALUE_ROWS, max(1, weights.VALUE_CELLS // width))  # rows of one block
    for start, stop in _blocks(samples * (1 + np.diff(bounds)), limit):
        cells = np.arange(bounds[start], bounds[stop])
        drawn = sample_values(compiled, table.values, spread, cells, samples, rng)
        joint, alone = value_scores(table, spread.rows[cells], spread.columns[cells], drawn)
        joint.sort(axis=1)
        for b, n in enumerate(bases[start:stop].tolist()):
            variance = float(joint[b].var())
            contributions = sorted((
                ValueContribution(
                    indicator=table.rubric.indicator_ids[int(spread.columns[k])],
                    model="interval" if not np.isnan(spread.low[k]) else "confidence",
                    sd=float(alone[k - bounds[start]].std()),
                    variance_share=float(alone[k - bounds[start]].var()) / variance if variance > 0 else 0.0)
                for k in range(bounds[start + b], bounds[start + b + 1])),
                key=lambda c: (-round(c.variance_share, 9), c.indicator))
            row = joint[b:b + 1]
            results[n] = ValueUncertainty(
                base=table.base_ids[n], score=float(table.overall[n]),
                interval=Interval(median=float(sorted_quantile(row, 0.5)[0]),
                                  low=float(sorted_quantile(row, LOW)[0]),
                                  high=float(sorted_quantile(row, HIGH)[0])),
                sd=math.sqrt(variance), contributions=tuple(contributions))
    return tuple(results[n] for n in order if n in results)
