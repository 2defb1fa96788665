"""The plain data (``Scorecard.to_dict()``) of many scorecards, straight from a table's arrays.

``score --format json`` of many bases writes one scorecard per base. Building each
:class:`Scorecard` model and dumping it again cost about as much as everything else together;
here each base's dict is made from the table's arrays, a chunk of rows at a time, with the
numbers :func:`~upgrade_score._analysis.scorecard.build_scorecard` uses (the same functions on
the same rows: the same bits), rounded and trimmed as ``to_dict()`` does (floats to 6 decimals,
-0.0 as 0.0, the rubric-language-2 keys that carry nothing left out), every dict with its keys
in sorted order, so that the JSON writer need not sort them. A test checks that the two agree
byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._engine.aggregate import within_shares
from .._engine.compile import BOOLEAN, BoolArray, CompiledRubric, FloatArray
from .._engine.core import indicator_levels
from .._engine.gates import STATUS_NAMES
from .._io.csvtable import ProfileTable
from .._model.label import Label
from .._model.results import _LANGUAGE_2_KEYS, DECIMALS, rounded_data

if TYPE_CHECKING:
    from .scorecard import ScoreTable

CHUNK_ROWS = 2048  # rows whose arrays are turned into Python data at once


def _round(value: float) -> float | None:
    """A float as ``to_dict()`` gives it: 6 decimals, -0.0 as 0.0, not finite as None."""
    return round(value, DECIMALS) + 0.0 if math.isfinite(value) else None


_SCALE = 10.0 ** DECIMALS
_LARGE = 1e9  # below this, x·10⁶ rounds to a whole number under 2⁵³: exact, as is its quotient


def rounded(array: FloatArray) -> list[Any]:
    """:func:`_round` of every element of a 1-D or 2-D array, as (nested) lists, in a few numpy
    passes instead of a Python ``round`` per float.

    ``round(x, 6)`` is the float nearest k/10⁶, k the exact x·10⁶ rounded half to even; numpy's
    ``rint(x·10⁶)`` rounds the *computed* product, whose error (half an ulp) matters only when it
    lies within an ulp of a half: those elements, and the large, infinite and NaN ones, are
    rounded in Python. Otherwise k is the same whole number, and k / 10⁶ (both exact) is the
    correctly rounded quotient, as Python's result is: the same float (a test compares them)."""
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = array * _SCALE
        out = np.rint(scaled) / _SCALE + 0.0
        near_half = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) <= 2.0 * np.spacing(np.abs(scaled))
        odd = near_half | ~(np.abs(array) < _LARGE)
    found: list[Any] = out.tolist()
    for index in zip(*np.nonzero(odd)):
        value = float(array[index])
        if len(index) == 1:
            found[index[0]] = _round(value)
        else:
            found[index[0]][index[1]] = _round(value)
    return found


@dataclass(frozen=True)
class _Rubric:
    """What every base's data shares: ids, rounded weight shares, units as JSON, formulas."""

    ref: dict[str, str]
    indicator_ids: list[str]
    directions_of: list[str]
    shares: list[float | None]
    units: list[Any]
    boolean: list[bool]
    direction_ids: list[str]
    direction_shares: list[float | None]
    count: int
    formulas: dict[int, tuple[str, list[tuple[str, int, bool]]]]  # column: text, (operand, k, rolled)
    sorted_indicator_ids: list[str]
    sorted_directions: list[tuple[int, str]]

    @classmethod
    def of(cls, table: ScoreTable) -> _Rubric:
        rubric = table.rubric
        compiled = rubric.compiled
        direction_ids = rubric.direction_ids
        formulas: dict[int, tuple[str, list[tuple[str, int, bool]]]] = {}
        derivation = compiled.derivation
        if derivation is not None and table.derived is not None:
            column = {input_id: k for k, input_id in enumerate(derivation.input_ids)}
            for formula in derivation.formulas:
                formulas[formula.column] = (formula.text, [
                    (name, column[name], column[name] in derivation.rolled_up)
                    for name in sorted(formula.operands)])
        return cls(
            ref={"id": rubric.id, "sha256": rubric.sha256, "version": rubric.version},
            indicator_ids=rubric.indicator_ids,
            directions_of=[direction_ids[j] for j in compiled.direction_of.tolist()],
            shares=[_round(share) for share in compiled.indicator_shares.tolist()],
            units=[_sorted(rounded_data(i.unit.model_dump(mode="json"))) if isinstance(i.unit, Label)
                   else i.unit for i in rubric.indicators],
            boolean=(compiled.kinds == BOOLEAN).tolist(),
            direction_ids=direction_ids,
            direction_shares=[_round(share) for share in compiled.overall_shares.tolist()],
            count=compiled.levels,
            formulas=formulas,
            sorted_indicator_ids=sorted(rubric.indicator_ids),
            sorted_directions=sorted(enumerate(direction_ids), key=lambda item: item[1]),
        )


def scorecard_data(table: ScoreTable) -> Iterator[dict[str, Any]]:
    """``table.scorecard(row).to_dict()`` of every row in turn, without the models."""
    shared = _Rubric.of(table)
    cache: dict[bytes, list[float]] = {}
    for start in range(0, len(table), CHUNK_ROWS):
        yield from _chunk(table, shared, start, min(start + CHUNK_ROWS, len(table)), cache)


def _chunk(table: ScoreTable, shared: _Rubric, start: int, stop: int,
           cache: dict[bytes, list[float]]) -> Iterator[dict[str, Any]]:
    compiled = table.rubric.compiled
    scores = table.scores
    if scores.levels is not None:
        levels = scores.levels[start:stop].copy()
    else:
        categories = None if table.categories is None else table.categories[start:stop]
        levels = indicator_levels(compiled, table.values[start:stop], categories)
    applicable: BoolArray = table.applicable[start:stop]
    levels[~applicable] = np.nan
    present = ~np.isnan(levels)
    within = np.array([_within(compiled, p, a, cache) for p, a in zip(present, applicable)],
                      dtype=np.float64).reshape(levels.shape)
    points: FloatArray = 100.0 * within * np.where(present, levels, 0.0) / compiled.levels
    attained = np.floor(np.where(present, levels, 0.0) + 1e-9).astype(np.int64)
    cells = zip(rounded(table.values[start:stop]), rounded(levels), attained.tolist(),
                rounded(100.0 * levels / compiled.levels), rounded(points), applicable.tolist())
    rows = zip(range(start, stop), cells, _overall_rows(table, start, stop),
               _direction_rows(table, shared, start, stop), _gate_rows(table, start, stop),
               _formula_rows(table, shared, start, stop))
    for row, cell_rows, whole, by_direction, by_gate, derived in rows:
        data: dict[str, Any] = {"base": _base(table, row), "directions": by_direction}
        if by_gate is not None:
            data["gates"] = by_gate
        data["indicators"] = _indicators(shared, table, row, cell_rows, derived)
        data["overall"] = whole
        data["rubric"] = dict(shared.ref)
        yield data


def within_row(compiled: CompiledRubric, present: BoolArray, applicable: BoolArray) -> FloatArray:
    """Each indicator's share of its direction's score for one base (M,), from where it has a
    value (``present``) and where it applies."""
    mask = None if applicable.all() else applicable[None, :].astype(np.float64)
    shares: FloatArray = within_shares(compiled, present[None, :].astype(np.float64), mask)[0]
    return shares


def _within(compiled: CompiledRubric, present: BoolArray, applicable: BoolArray,
            cache: dict[bytes, list[float]]) -> list[float]:
    """:func:`within_row` of a row, computed once per pattern of present and applicable cells."""
    key = present.tobytes() + applicable.tobytes()
    found = cache.get(key)
    if found is None:
        found = cache[key] = within_row(compiled, present, applicable).tolist()
    return found


def _indicators(shared: _Rubric, table: ScoreTable, row: int, cells: tuple[list[Any], ...],
                derived: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The indicators of one base, from its rows of rounded values, levels, attained levels,
    scores and points, and where each indicator applies (``cells``)."""
    profile = table.profiles[row] if table.profiles is not None and not isinstance(
        table.profiles, ProfileTable) else None
    reported = profile.values if profile is not None else {}
    found: dict[str, dict[str, Any]] = {}
    items = zip(shared.indicator_ids, shared.directions_of, shared.boolean, shared.shares, shared.units,
                *cells)
    for m, (indicator_id, direction, boolean, share, unit, value, level, attained, score, point,
            applies) in enumerate(items):
        given = reported.get(indicator_id)
        absent = level is None
        item: dict[str, Any] = {  # keys in sorted order
            "attained_level": None if absent else attained,
            "confidence": None if given is None or given.confidence is None else _round(given.confidence),
        }
        if m in derived:
            item["derived"] = derived[m]
        item["direction"] = direction
        item["direction_points"] = point
        item["level"] = level
        item["missing"] = absent and applies
        if not applies:
            item["not_applicable"] = True
        item["score"] = score
        item["source"] = None if given is None else given.source
        item["unit"] = unit
        item["value"] = bool(value) if boolean and value is not None else value
        item["weight_share"] = share
        found[indicator_id] = item
    return {indicator_id: found[indicator_id] for indicator_id in shared.sorted_indicator_ids}


def _base(table: ScoreTable, row: int) -> dict[str, Any]:
    if isinstance(table.profiles, ProfileTable):
        info = table.profiles.base_info(row)
    elif table.profiles is not None:
        info = table.profiles[row].base
    else:
        return {"id": table.base_ids[row]}
    data: dict[str, Any] = _sorted(rounded_data(info.model_dump(mode="json", exclude_none=True)))
    return data


def _sorted(data: Any) -> Any:
    """``data`` with the keys of every dict in sorted order."""
    if isinstance(data, dict):
        return {key: _sorted(data[key]) for key in sorted(data)}
    if isinstance(data, list):
        return [_sorted(item) for item in data]
    return data


def _overall_rows(table: ScoreTable, start: int, stop: int) -> list[dict[str, Any]]:
    scores = table.scores
    uncapped = None if scores.uncapped_overall_level is None else \
        scores.uncapped_overall_level[start:stop].tolist()
    found = []
    for k, (score, level, balanced, complete) in enumerate(zip(
            rounded(scores.overall[start:stop]), scores.overall_level[start:stop].tolist(),
            scores.balanced_level[start:stop].tolist(), rounded(scores.completeness[start:stop]))):
        item = {"balanced_level": balanced, "completeness": complete, "level": level, "score": score}
        if uncapped is not None:
            item["uncapped_level"] = uncapped[k]
        found.append(item)
    return found


def _direction_rows(table: ScoreTable, shared: _Rubric, start: int,
                    stop: int) -> list[dict[str, dict[str, Any]]]:
    scores = table.scores
    uncapped = None if scores.uncapped_direction_levels is None else \
        scores.uncapped_direction_levels[start:stop].tolist()
    found = []
    for k, (score_row, level_row, complete_row) in enumerate(zip(
            rounded(scores.directions[start:stop]), scores.direction_levels[start:stop].tolist(),
            rounded(scores.direction_completeness[start:stop]))):
        directions = {}
        for j, direction_id in shared.sorted_directions:
            applies = level_row[j] >= 0
            item = {"completeness": complete_row[j] if applies else None,
                    "level": level_row[j] if applies else None,
                    "score": score_row[j] if applies else None}
            if uncapped is not None and applies:
                item["uncapped_level"] = uncapped[k][j]
            item["weight_share"] = shared.direction_shares[j]
            directions[direction_id] = item
        found.append(directions)
    return found


def _gate_rows(table: ScoreTable, start: int, stop: int) -> list[dict[str, dict[str, Any]] | None]:
    status = table.scores.gate_status
    gates = table.rubric.compiled.gates
    if status is None or not gates:
        return [None] * (stop - start)
    order = sorted(range(len(gates)), key=lambda g: gates[g].id)
    return [{gates[g].id: {"caps": gates[g].caps, "scope": gates[g].scope_id,
                           "status": STATUS_NAMES[codes[g]]} for g in order}
            for codes in status[start:stop].tolist()]


def _formula_rows(table: ScoreTable, shared: _Rubric, start: int,
                  stop: int) -> list[dict[int, dict[str, Any]]]:
    derived = table.derived
    if not shared.formulas or derived is None:
        return [{} for _ in range(start, stop)]
    found = []
    for inputs, fed, zero in zip(rounded(derived.inputs[start:stop]), derived.rows[start:stop].tolist(),
                                 derived.zero_division[start:stop].tolist()):
        row: dict[int, dict[str, Any]] = {}
        for column, (text, operands) in shared.formulas.items():
            item: dict[str, Any] = {}
            rows = {name: fed[k] for name, k, rolled in operands if rolled}
            if rows:
                item["enterprise_rows"] = rows
            item["formula"] = text
            item["inputs"] = {name: value for name, k, _ in operands
                              if (value := inputs[k]) is not None or name not in _LANGUAGE_2_KEYS}
            if zero[column]:
                item["missing_reason"] = "division_by_zero"
            row[column] = item
        found.append(row)
    return found
