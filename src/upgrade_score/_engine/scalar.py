"""The engine for a few bases, on Python floats: :func:`~.core.score_matrix` step for step.

For one base a numpy call on arrays of a few elements costs more than its arithmetic, and the
batch engine makes about a hundred of them. Here the levels, direction sums, scores, maturity
levels and gates of each base are computed on Python floats from the same compiled rubric, with
the operations of the batch engine in the same order: indicator levels as :func:`level_scalar`,
direction sums as the multiply-add per indicator of ``_segment_sums`` (which the batch engine uses
for many bases), a direction's score from its sums with :func:`~.whatif.moved_score` (the
division of the missing policy, written once for Python floats: a gap plan's what-ifs use it too),
gates with :func:`~.gates.meets_value`. The overall score and completeness go through the
batch functions themselves (one call for all rows). Tests check the two engines agree on random
rubrics and bases.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .compile import BoolArray, CompiledRubric, FloatArray, IntArray
from .core import LEVEL_TOLERANCE, Scores, category_codes, level_scalar, overall_completeness, overall_scores
from .gates import FAILED, NOT_APPLICABLE, PASSED, UNKNOWN, meets_value
from .whatif import moved_score


def score_few(rubric: CompiledRubric, values: FloatArray, na: BoolArray | None,
              categories: IntArray | None) -> Scores:
    """:func:`~.core.score_matrix` of a few rows (their indicator levels kept)."""
    v2 = rubric.uses_language_2 or (na is not None and bool(na.any()))
    codes = category_codes(rubric, categories, values.shape[0]).tolist() if v2 else None
    na_rows = None if na is None else na.tolist()
    rows = [_score_row(rubric, cells, None if codes is None else codes[row],
                       None if na_rows is None else na_rows[row])
            for row, cells in enumerate(values.tolist())]
    count, width = len(rows), len(rubric.direction_ids)
    directions = np.array([row.directions for row in rows]).reshape(count, width)
    completeness = np.array([row.completeness for row in rows]).reshape(count, width)
    overall = overall_scores(rubric, directions)
    overall_level = [_level(score, rubric) for score in overall.tolist()]
    direction_levels = [row.direction_levels for row in rows]
    statuses = [_gate_status(rubric, row) for row in rows] if v2 else None
    gated = None if statuses is None else _gates(rubric, rows, overall_level, statuses)
    capped, capped_overall, balanced = gated or (
        direction_levels, overall_level, [_balanced(levels, rubric.levels) for levels in direction_levels])
    return Scores(
        directions=directions, direction_levels=_int_array(capped, (count, width)),
        direction_completeness=completeness, overall=overall,
        overall_level=_int_array(capped_overall, (count,)), balanced_level=_int_array(balanced, (count,)),
        completeness=overall_completeness(rubric, directions, completeness),
        has_invalid=any(row.invalid for row in rows),
        uncapped_direction_levels=None if gated is None else _int_array(direction_levels, (count, width)),
        uncapped_overall_level=None if gated is None else _int_array(overall_level, (count,)),
        gate_status=None if statuses is None else np.array(statuses, dtype=np.int8).reshape(
            count, len(rubric.gates)),
        levels=np.array([row.levels for row in rows]).reshape(values.shape))


class _Row(NamedTuple):
    """One base scored: its levels (as computed, before N/A masks), direction scores,
    completeness and levels, where its indicators apply, whether a value was invalid, and its
    values."""

    levels: list[float]
    directions: list[float]
    completeness: list[float]
    direction_levels: list[int]
    applies: list[bool] | None
    invalid: bool
    values: list[float]


def _score_row(rubric: CompiledRubric, values: list[float], code: int | None,
               na: list[bool] | None) -> _Row:
    """One base (its values, category code and N/A answers; ``code`` None: language 1)."""
    count = rubric.levels
    rules = list(rubric.column_rules)
    if code is not None:
        for column, rule in rubric.rules_by_category.get(code, {}).items():
            rules[column] = rule
    found = [level_scalar(rule, value, count) for rule, value in zip(rules, values)]
    levels = [level for level, _ in found]
    invalid = any(bad for _, bad in found)
    applies = None
    if code is not None:
        assert rubric.as_lists.applies is not None
        applies = list(rubric.as_lists.applies[code])
        if na is not None:
            applies = [a and not n for a, n in zip(applies, na)]
    directions, completeness = _direction_scores(rubric, levels, applies)
    direction_levels = [_level(score, rubric) for score in directions]
    if applies is not None:  # a direction that does not apply has no level
        direction_levels = [-1 if score != score else level
                            for score, level in zip(directions, direction_levels)]
    return _Row(levels, directions, completeness, direction_levels, applies, invalid, values)


def _direction_scores(rubric: CompiledRubric, levels: list[float],
                      applies: list[bool] | None) -> tuple[list[float], list[float]]:
    """Direction scores and completeness of one base (``_direction_scores_t`` on one column):
    sums of w·level, of w where a level is present and of w where the indicator applies, each
    added up indicator by indicator in column order (as ``_segment_sums`` does)."""
    width, lists = len(rubric.direction_ids), rubric.as_lists
    weighted, present, applicable = [0.0] * width, [0.0] * width, [0.0] * width
    for j, weight, level, applies_here in zip(lists.direction_of, lists.weights,
                                              levels, applies or [True] * len(levels)):
        if not applies_here:
            continue  # (its level is masked: missing)
        applicable[j] += weight
        if level == level:
            present[j] += weight
            weighted[j] += weight * level
    totals = lists.direction_weight_sums if applies is None else applicable
    exclude = rubric.missing == "exclude"  # (what a direction's mean divides by: the policy)
    scores, completeness = [], []
    for total, have, points in zip(totals, present, weighted):
        if applies is not None and total == 0:
            scores.append(math.nan)
            completeness.append(math.nan)
            continue
        scores.append(moved_score(rubric, points, have if exclude else total))
        completeness.append(_clip(have / total, 1.0))
    return scores, completeness


def _clip(value: float, high: float) -> float:
    """``np.clip(value, 0, high)`` (NaN stays NaN)."""
    return 0.0 if value < 0.0 else high if value > high else value


def _level(score: float, rubric: CompiledRubric) -> int:
    """:func:`~.core.maturity_levels` of one score (NaN: 0)."""
    return sum(1 for cutoff in rubric.as_lists.cutoffs if score >= cutoff - LEVEL_TOLERANCE)


def _balanced(direction_levels: list[int], levels: int) -> int:
    """:func:`~.core.balanced_levels` of one base: its lowest level, N/A directions left out."""
    return min((level for level in direction_levels if level >= 0), default=levels)


def _int_array(rows: list[list[int]] | list[int], shape: tuple[int, ...]) -> IntArray:
    found: IntArray = np.array(rows, dtype=np.int64).reshape(shape)
    return found


def _gate_status(rubric: CompiledRubric, row: _Row) -> list[int]:
    """:func:`~.gates.gate_status` of one base: each gate's status code."""
    found = []
    for gate in rubric.gates:
        value = row.values[gate.column]
        code = PASSED if meets_value(gate, value) else FAILED
        code = UNKNOWN if value != value else code
        found.append(NOT_APPLICABLE if row.applies is not None and not row.applies[gate.column] else code)
    return found


def _gates(rubric: CompiledRubric, rows: list[_Row], overall_level: list[int],
           statuses: list[list[int]]) -> tuple[list[list[int]], list[int], list[int]]:
    """:func:`~.core.apply_gates` of a few rows (their gates' ``statuses``): their direction
    levels, overall levels and balanced levels once failed and unknown gates have capped them."""
    capped, overall, balanced = [], [], []
    for row, base_level, status in zip(rows, overall_level, statuses):
        levels, level = list(row.direction_levels), base_level
        balanced_cap = rubric.levels
        for gate, code in zip(rubric.gates, status):
            if code not in (FAILED, UNKNOWN):
                continue
            if gate.scope < 0:
                level = min(level, gate.caps)
                balanced_cap = min(balanced_cap, gate.caps)
            elif levels[gate.scope] >= 0:
                levels[gate.scope] = min(levels[gate.scope], gate.caps)
        capped.append(levels)
        overall.append(level)
        balanced.append(min(_balanced(levels, rubric.levels), balanced_cap))
    return capped, overall, balanced
