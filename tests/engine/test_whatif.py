"""What-ifs on one base (``_engine/whatif.py``): direction scores from moves of each direction's
two sums equal the engine's scores of the changed levels (``scores_from_levels``), on random
rubrics of both languages (categories, N/A, gates, every missing policy and kind), one change at
a time and all of them together; and a hand-computed case."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, score_many
from upgrade_score._engine.core import scores_from_levels
from upgrade_score._engine.whatif import direction_sums, moved_score, moves

TOL = 1e-9


def _applies(table: Any) -> np.ndarray | None:
    """Where the indicators apply, for the engine's masked path (as a gap plan passes it)."""
    compiled = table.rubric.compiled
    masked = compiled.uses_language_2 or (table.na is not None and bool(table.na[:1].any()))
    return table.applicable[0] if masked else None


@st.composite
def _cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[tuple[int, float]]]:
    """A rubric, a profile, and a change of every indicator (those that do not apply are left
    out below), in a drawn order, each to a level in [0, L] (whole, or any a value could give)."""
    rubric = draw(rubrics_v2())
    profile = draw(profiles_for(rubric))
    levels = len(rubric["levels"])
    count = sum(len(d["indicators"]) for d in rubric["directions"])
    columns = draw(st.permutations(range(count)))
    new = st.one_of(st.integers(0, levels).map(float), st.floats(0, levels, allow_nan=False))
    return rubric, profile, [(column, draw(new)) for column in columns]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_moved_scores_are_the_engine_scores(
        case: tuple[dict[str, Any], dict[str, Any], list[tuple[int, float]]]) -> None:
    rubric_data, profile_data, drawn = case
    rubric = Rubric.model_validate(rubric_data)
    table = score_many(rubric, [BaseProfile.model_validate(profile_data)])
    compiled, applies = rubric.compiled, _applies(table)
    levels = np.array(table.indicator_levels[0])
    cells = [(c, level) for c, level in drawn if bool(table.applicable[0, c])]  # actions apply
    weighted, divisors = (sums[0] for sums in direction_sums(compiled, levels[None, :], applies))
    for j, expected in enumerate(table.directions[0].tolist()):  # the base itself
        if not math.isnan(expected):  # (a direction that does not apply never moves)
            assert moved_score(compiled, weighted[j], divisors[j]) == pytest.approx(expected, abs=TOL)
    if not cells:
        return
    move = moves(compiled, levels, cells, applies)
    rows = np.repeat(levels[None, :], len(cells), axis=0)
    for k, (column, level) in enumerate(cells):
        rows[k, column] = level
    engine, _ = scores_from_levels(compiled, rows, applies=applies)
    for k, j in enumerate(move.direction.tolist()):  # each change alone
        assert j == compiled.direction_of[cells[k][0]]
        moved = moved_score(compiled, weighted[j] + move.weighted[k], divisors[j] + move.divisor[k])
        assert moved == pytest.approx(float(engine[k, j]), abs=TOL)
        others = np.arange(len(rubric.direction_ids)) != j
        np.testing.assert_array_equal(engine[k, others], table.directions[0, others])
    together = np.array(levels)  # all of them: the moves add up
    for column, level in cells:
        together[column] = level
    all_at_once, _ = scores_from_levels(compiled, together[None, :], applies=applies)
    for j in set(move.direction.tolist()):
        mine = move.direction == j
        moved = moved_score(compiled, weighted[j] + move.weighted[mine].sum(),
                            divisors[j] + move.divisor[mine].sum())
        assert moved == pytest.approx(float(all_at_once[0, j]), abs=TOL)


def test_moves_by_hand() -> None:
    """Two directions, L = 4; direction a: w = 1, 3 (levels 2 and missing), b: w = 2 (level 4).

    ``exclude``: a divides by the weight present, 1: score 100/4 · (1·2)/1 = 50; raising the
    missing one to level 4 adds 3·4 = 12 to Σ w·s and 3 to the divisor: 100/4 · 14/4 = 87.5.
    ``zero``: a divides by 4 whatever is present: 100/4 · 2/4 = 12.5, then 100/4 · 14/4 = 87.5;
    raising the first to level 3 instead adds 1·(3 − 2) = 1: 100/4 · 3/4 = 18.75."""
    for missing, before, first_up in (("exclude", 50.0, 75.0), ("zero", 12.5, 18.75)):
        rubric = Rubric.model_validate({
            "id": "r", "version": "1", "title": "r", "missing": missing,
            "levels": [{"level": k, "name": f"L{k}"} for k in range(1, 5)],
            "directions": [
                {"id": "a", "name": "a", "indicators": [
                    {"id": "x", "name": "x", "kind": "qualitative", "weight": 1},
                    {"id": "y", "name": "y", "kind": "qualitative", "weight": 3}]},
                {"id": "b", "name": "b", "indicators": [
                    {"id": "z", "name": "z", "kind": "qualitative", "weight": 2}]}]})
        compiled = rubric.compiled
        levels = np.array([2.0, np.nan, 4.0])
        weighted, divisors = (sums[0] for sums in direction_sums(compiled, levels[None, :]))
        assert weighted.tolist() == [2.0, 8.0]
        assert divisors.tolist() == ([1.0, 2.0] if missing == "exclude" else [4.0, 2.0])
        assert moved_score(compiled, weighted[0], divisors[0]) == before
        move = moves(compiled, levels, [(1, 4.0), (0, 3.0)])
        assert move.direction.tolist() == [0, 0]
        assert move.weighted.tolist() == [12.0, 1.0]
        assert move.divisor.tolist() == ([3.0, 0.0] if missing == "exclude" else [0.0, 0.0])
        assert moved_score(compiled, weighted[0] + 12.0, divisors[0] + move.divisor[0]) == 87.5
        assert moved_score(compiled, weighted[0] + 1.0, divisors[0] + move.divisor[1]) == first_up
    assert moved_score(compiled, 0.0, 0.0) == 0.0  # nothing to divide by (exclude, no data): 0
