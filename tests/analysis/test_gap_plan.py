"""The gap plan's greedy steps (``_analysis/gap.py``) try each action as a move of its direction's
sums (``_engine/whatif.py``) instead of scoring a row of levels per trial. On random rubrics of
both languages, profiles and targets the plan and its score are those of the former greedy, kept
here as the reference: every step re-scores every trial with the engine (``scores_from_levels``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import upgrade_score._analysis.gap as gap_module
from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, Target, gap

TOLERANCE = 1e-9
Rescore = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def engine_greedy(rescore: Rescore, table: Any, actions: Sequence[Any],
                  reached: dict[str, tuple[int, float]], wanted: np.ndarray,
                  score: float | None) -> tuple[list[str], float]:
    """The greedy plan as it was: each step scores every remaining action with the engine."""
    current = np.array(table.indicator_levels[:1])
    plan = [a.indicator for a in actions if a.required]
    for indicator_id in plan:
        current[0, reached[indicator_id][0]] = reached[indicator_id][1]
    remaining = [a.indicator for a in actions if not a.required]

    def shortfall(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        directions, overall = rescore(rows)
        lack = np.fmax(wanted - directions, 0.0).sum(axis=1)
        if score is not None:
            lack += np.clip(score - overall, 0.0, None)
        return lack, overall

    lack, overall = shortfall(current)
    while lack[0] > TOLERANCE and remaining:
        trials = np.repeat(current, len(remaining), axis=0)
        changes = [reached[indicator_id] for indicator_id in remaining]
        trials[range(len(remaining)), [c for c, _ in changes]] = [level for _, level in changes]
        lacks, overalls = shortfall(trials)
        best = int(np.argmin(np.round(lacks, 9)))
        chosen = remaining.pop(best)
        plan.append(chosen)
        current[0, reached[chosen][0]] = reached[chosen][1]
        lack, overall = lacks[best:best + 1], overalls[best:best + 1]
    return plan, float(overall[0])


@st.composite
def _cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], Target]:
    rubric = draw(rubrics_v2())
    levels = len(rubric["levels"])
    ids = [d["id"] for d in rubric["directions"]]
    scores = st.floats(0, 100, allow_nan=False)
    target = draw(st.one_of(
        st.integers(1, levels).map(lambda k: Target(level=k)),
        st.dictionaries(st.sampled_from(ids), st.integers(0, levels), min_size=1).map(
            lambda chosen: Target(levels=chosen)),
        scores.map(lambda s: Target(score=s)),
        st.builds(lambda k, s: Target(level=k, score=s), st.integers(0, levels), scores),
    ))
    return rubric, draw(profiles_for(rubric)), target


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_the_plan_is_the_engine_greedy(case: tuple[dict[str, Any], dict[str, Any], Target]) -> None:
    rubric_data, profile_data, target = case
    rubric = Rubric.model_validate(rubric_data)
    calls: list[tuple[Any, ...]] = []
    planned = gap_module._greedy_plan

    def spy(*args: Any) -> tuple[list[str], float]:
        calls.append(args)
        return planned(*args)

    with mock.patch.object(gap_module, "_greedy_plan", spy):
        report = gap(rubric, BaseProfile.model_validate(profile_data), target)
    plan, plan_score = engine_greedy(*calls[0])
    assert report.plan == plan
    assert report.plan_score == pytest.approx(plan_score, abs=TOLERANCE)
