"""Gap analysis (design.md, "Semantics" item 6; issue 3): targets, actions, gains and the plan.

Hand-computed cases work on a small rubric built in code; every expected number is worked out in
a comment next to it. A hypothesis property checks, on random valid rubrics, profiles and targets,
that applying every action (or just the plan) meets the target.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jsoncheck import load_checked
from strategies import cell, finite, rubric_specs
from upgrade_score import (
    BaseProfile,
    GapReport,
    Rubric,
    Target,
    UpgradeScoreError,
    gap,
    load_profile,
    load_profiles,
    load_rubric,
    score_many,
)
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
EARLY = BASES / "early_stage_mixed_base.yaml"
TOL = 1e-9


# --- builders ----------------------------------------------------------------------------------

def ind(indicator_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": indicator_id, "name": {"en": indicator_id}, **fields}


def direction(direction_id: str, *indicators: dict[str, Any], weight: float = 1.0) -> dict[str, Any]:
    return {"id": direction_id, "name": {"en": direction_id}, "weight": weight,
            "indicators": list(indicators)}


def make_rubric(*directions: dict[str, Any], levels: int = 5, **fields: Any) -> Rubric:
    return Rubric.model_validate({
        "id": "gap-rubric", "version": "1", "title": {"en": "Gap rubric"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, levels + 1)],
        "directions": list(directions), **fields,
    })


def profile(values: dict[str, Any], base_id: str = "b") -> BaseProfile:
    return BaseProfile.model_validate({"base": {"id": base_id}, "values": values})


# The hand rubric: L = 5, default cutoffs 20, 40, 60, 80, 100.
#   hv (W = 2): q_hi  quantitative, higher, thresholds 20 35 50 65 80 (default floor 20 - 15 = 5),
#                     w = 2, unit "%", effort 4
#               q_lo  quantitative, lower, thresholds 10 8 6 4 2 (default floor 10 + 2 = 12),
#                     w = 1, unit "t", effort 1
#   gr (W = 1): qual  qualitative, w = 1
#               flag  boolean, w = 1
#               miss  quantitative, higher, thresholds 1 2 3 4 5, floor 0, w = 2 (never reported)
def hand_rubric(**fields: Any) -> Rubric:
    return make_rubric(
        direction("hv",
                  ind("q_hi", thresholds=[20, 35, 50, 65, 80], weight=2, unit="%", effort=4),
                  ind("q_lo", thresholds=[10, 8, 6, 4, 2], better="lower", weight=1, unit="t",
                      effort=1),
                  weight=2),
        direction("gr",
                  ind("qual", kind="qualitative"),
                  ind("flag", kind="boolean"),
                  ind("miss", thresholds=[1, 2, 3, 4, 5], floor=0, weight=2)),
        **fields)


# The hand profile:
#   q_hi = 42.5 -> between t_2 = 35 and t_3 = 50: s = 2 + 7.5 / 15 = 2.5, x = 0.5
#   q_lo = 7    -> between t_2 = 8 and t_3 = 6:    s = 2 + 1 / 2 = 2.5,    x = 0.5
#   qual = 2    -> s = 2, x = 0.4;  flag = false -> s = 0;  miss missing -> s = 0 (missing: zero)
#   D_hv = 100 (2·0.5 + 1·0.5) / 3 = 50               -> level 2
#   D_gr = 100 (1·0.4 + 1·0 + 2·0) / 4 = 10           -> level 0
#   O = (2·50 + 1·10) / 3 = 110/3 = 36.666...        -> level 1
HAND_VALUES = {"q_hi": 42.5, "q_lo": 7, "qual": 2, "flag": False}


def hand_profile() -> BaseProfile:
    return profile(HAND_VALUES, "hand")


def by_id(report: GapReport) -> dict[str, Any]:
    return {a.indicator: a for a in report.actions}


# --- hand cases: target level 4 ----------------------------------------------------------------

def test_current_scores_of_the_hand_profile() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    assert report.current_score == pytest.approx(110 / 3, abs=1e-9)
    assert report.current_level == 1
    assert report.directions["hv"].current_score == pytest.approx(50.0, abs=1e-9)
    assert report.directions["gr"].current_score == pytest.approx(10.0, abs=1e-9)


def test_direction_deficits_for_a_level_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    # level 4 -> cutoff c_4 = 100·4/5 = 80 for every direction
    hv, gr = report.directions["hv"], report.directions["gr"]
    assert (hv.current_level, hv.target_level) == (2, 4)
    assert (gr.current_level, gr.target_level) == (0, 4)
    assert hv.target_score == pytest.approx(80.0) and gr.target_score == pytest.approx(80.0)
    assert hv.deficit == pytest.approx(30.0, abs=1e-9)  # 80 - 50
    assert gr.deficit == pytest.approx(70.0, abs=1e-9)  # 80 - 10
    assert report.met is False
    assert report.target == {"level": 4}


def test_actions_for_a_level_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    # m = ceil(5·80/100) = 4 in both directions; every indicator is below level 4
    actions = by_id(report)
    assert set(actions) == {"q_hi", "q_lo", "qual", "flag", "miss"}
    # value needed = threshold t_4 in the indicator's own unit
    assert actions["q_hi"].target == 65.0 and actions["q_hi"].unit == "%"
    assert actions["q_lo"].target == 4.0 and actions["q_lo"].unit == "t"  # lower is better
    assert actions["miss"].target == 4.0
    # qualitative: the level itself; boolean: true (level L)
    assert actions["qual"].target == 4.0 and actions["qual"].target_level == 4
    assert actions["flag"].target is True and actions["flag"].target_level == 5
    assert actions["flag"].current is False
    for name in ("q_hi", "q_lo", "qual", "miss"):
        assert actions[name].target_level == 4
    assert actions["q_hi"].current == 42.5 and actions["q_hi"].current_level == pytest.approx(2.5)
    assert actions["q_lo"].current == 7.0 and actions["q_lo"].current_level == pytest.approx(2.5)
    assert actions["qual"].current_level == pytest.approx(2.0)
    # a missing indicator is an action too ("report it"), with no current value or level
    miss = actions["miss"]
    assert miss.missing is True and miss.current is None and miss.current_level is None
    assert not any(a.missing for name, a in actions.items() if name != "miss")
    assert {a.indicator: a.direction for a in report.actions} == {
        "q_hi": "hv", "q_lo": "hv", "qual": "gr", "flag": "gr", "miss": "gr"}
    assert {a.indicator: a.kind for a in report.actions} == {
        "q_hi": "quantitative", "q_lo": "quantitative", "qual": "qualitative", "flag": "boolean",
        "miss": "quantitative"}


def test_gains_for_a_level_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    gains = {a.indicator: a.gain for a in report.actions}
    # ΔO = (W_j/ΣW)(w_i/Σw_j)·100·(x_target - x_i)
    # q_hi: (2/3)(2/3)·100·(0.8 - 0.5) = 40/3  = 13.333...
    # q_lo: (2/3)(1/3)·100·(0.8 - 0.5) = 20/3  =  6.666...
    # qual: (1/3)(1/4)·100·(0.8 - 0.4) = 10/3  =  3.333...
    # flag: (1/3)(1/4)·100·(1 - 0)     = 25/3  =  8.333...
    # miss: (1/3)(2/4)·100·(0.8 - 0)   = 40/3  = 13.333... (missing counts as 0)
    assert gains == pytest.approx({"q_hi": 40 / 3, "q_lo": 20 / 3, "qual": 10 / 3, "flag": 25 / 3,
                                   "miss": 40 / 3}, abs=1e-9)


def test_actions_sorted_by_gain_then_id() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    # miss and q_hi tie at 40/3: the id breaks the tie ("miss" < "q_hi")
    assert [a.indicator for a in report.actions] == ["miss", "q_hi", "flag", "q_lo", "qual"]


def test_gain_per_effort_and_by_effort_order() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    actions = by_id(report)
    # q_hi: 40/3 / 4 = 10/3; q_lo: 20/3 / 1 = 20/3; the others have no effort hint
    assert actions["q_hi"].effort == 4 and actions["q_hi"].gain_per_effort == pytest.approx(10 / 3)
    assert actions["q_lo"].effort == 1 and actions["q_lo"].gain_per_effort == pytest.approx(20 / 3)
    assert actions["qual"].effort is None and actions["qual"].gain_per_effort is None
    # by gain per effort (q_lo 6.67 before q_hi 3.33), then the ones without a hint, by id
    assert [a.indicator for a in report.by_effort()] == ["q_lo", "q_hi", "flag", "miss", "qual"]


def test_greedy_plan_for_a_level_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4))
    # shortfall = Σ max(0, 80 - D_j): start 30 + 70 = 100; each step takes the action that
    # leaves the least:
    #  1. q_hi -> 10+70, q_lo -> 20+70, qual -> 30+60, flag -> 30+45, miss (D_gr 50) -> 30+30 ✓
    #  2. q_hi -> 10+30, q_lo -> 20+30, qual (D_gr 60) -> 30+20, flag (D_gr 75) -> 30+5 ✓
    #  3. q_hi (D_hv 70) -> 10+5 ✓, q_lo -> 20+5, qual (D_gr 85) -> 30+0
    #  4. q_lo (D_hv 80) -> 0+5 ✓, qual -> 10+0
    #  5. qual -> 0: every action is needed (without any one, a direction stays below 80)
    assert report.plan == ["miss", "flag", "q_hi", "q_lo", "qual"]
    # D_hv = 80, D_gr = 100 (1·0.8 + 1·1 + 2·0.8) / 4 = 85; O = (2·80 + 85) / 3 = 245/3
    assert report.plan_score == pytest.approx(245 / 3, abs=1e-9)


# --- hand cases: other targets -----------------------------------------------------------------

def test_overall_score_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(score=75))
    # O = 36.67 < 75: every direction must reach m = ceil(5·75/100) = ceil(3.75) = 4
    assert report.target_score == 75.0 and report.target == {"score": 75.0}
    assert report.met is False
    assert [a.indicator for a in report.actions] == ["miss", "q_hi", "flag", "q_lo", "qual"]
    assert all(a.target_level == (5 if a.kind == "boolean" else 4) for a in report.actions)
    # no direction has a target of its own
    for gap_ in report.directions.values():
        assert (gap_.target_score, gap_.target_level, gap_.deficit) == (0.0, 0, 0.0)
    # the arithmetic mean is additive, so greedy takes the biggest gains until O >= 75:
    # 36.67 + 13.33 (miss) = 50 + 13.33 (q_hi) = 63.33 + 8.33 (flag) = 71.67 + 6.67 (q_lo) = 78.33
    assert report.plan == ["miss", "q_hi", "flag", "q_lo"]
    assert report.plan_score == pytest.approx(235 / 3, abs=1e-9)


def test_overall_score_target_already_met() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(score=30))  # 36.67 >= 30
    assert report.met is True and report.actions == [] and report.plan == []
    assert report.plan_score == pytest.approx(110 / 3)


def test_per_direction_levels() -> None:
    report = gap(hand_rubric(), hand_profile(), Target.parse("gr=2"))
    # gr: level 2 -> 40; D_gr = 10 < 40, m = ceil(5·40/100) = 2; hv has no target
    assert report.directions["gr"].target_score == pytest.approx(40.0)
    assert report.directions["gr"].deficit == pytest.approx(30.0)
    assert report.directions["hv"].target_score == 0.0 and report.directions["hv"].deficit == 0.0
    actions = by_id(report)
    # qual is already at 2 -> no action; flag -> true; miss -> t_2 = 2
    assert set(actions) == {"flag", "miss"}
    assert actions["miss"].target == 2.0 and actions["miss"].target_level == 2
    # flag: (1/3)(1/4)·100·1 = 25/3; miss: (1/3)(2/4)·100·0.4 = 20/3
    assert actions["flag"].gain == pytest.approx(25 / 3) and actions["miss"].gain == pytest.approx(20 / 3)
    # D_gr with flag = 100 (0.4 + 1) / 4 = 35 < 40; with flag and miss: (0.4 + 1 + 0.8) / 4 = 55
    assert report.plan == ["flag", "miss"]


def test_per_direction_level_overrides_the_common_level() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(level=4, levels={"hv": 1}))
    # hv: level 1 -> 20 <= 50: met, no action in hv; gr: level 4 -> 80
    assert report.directions["hv"].target_score == pytest.approx(20.0)
    assert report.directions["hv"].deficit == 0.0
    assert report.directions["gr"].target_score == pytest.approx(80.0)
    assert {a.direction for a in report.actions} == {"gr"}


@pytest.mark.parametrize(("level", "q_hi", "q_lo"), [(3, 50.0, 6.0), (4, 65.0, 4.0), (5, 80.0, 2.0)])
def test_value_needed_is_the_threshold_of_the_needed_level(level: int, q_hi: float, q_lo: float) -> None:
    # default cutoffs: level k -> 100k/5, so m = ceil(5·(100k/5)/100) = k; value = t_k
    actions = by_id(gap(hand_rubric(), hand_profile(), Target(level=level)))
    assert actions["q_hi"].target == q_hi  # thresholds 20 35 50 65 80
    assert actions["q_lo"].target == q_lo  # thresholds 10 8 6 4 2 (lower is better)
    assert actions["q_hi"].target_level == level == actions["q_lo"].target_level


def test_step_indicator_value_needed() -> None:
    rubric = make_rubric(direction("d", ind("x", thresholds=[1, 2, 4, 8, 16], interpolation="step")))
    actions = by_id(gap(rubric, profile({"x": 3}), Target(level=4)))
    # x = 3 -> step level 2; needs t_4 = 8; gain (1)(1)·100·(0.8 - 0.4) = 40
    assert actions["x"].target == 8.0 and actions["x"].current_level == 2.0
    assert actions["x"].gain == pytest.approx(40.0)


def test_custom_level_cutoffs() -> None:
    rubric = hand_rubric(level_cutoffs=[10, 20, 30, 40, 50])
    report = gap(rubric, hand_profile(), Target(level=3))
    # level 3 -> c_3 = 30. Current levels: D_hv = 50 -> 5, D_gr = 10 -> 1, O = 36.67 -> 3
    assert report.current_level == 3
    assert report.directions["hv"].current_level == 5 and report.directions["gr"].current_level == 1
    assert report.directions["hv"].target_score == pytest.approx(30.0)
    assert report.directions["gr"].target_level == 3
    assert report.directions["hv"].deficit == 0.0
    assert report.directions["gr"].deficit == pytest.approx(20.0)  # 30 - 10
    # only gr is short; m = ceil(5·30/100) = ceil(1.5) = 2, so qual (at 2) needs nothing
    actions = by_id(report)
    assert set(actions) == {"flag", "miss"}
    assert actions["miss"].target == 2.0 and actions["miss"].target_level == 2  # t_2 = 2
    # flag alone: D_gr = 100 (0.4 + 1) / 4 = 35 >= 30; O = (100 + 35) / 3 = 45
    assert report.plan == ["flag"]
    assert report.plan_score == pytest.approx(45.0)


def test_custom_cutoffs_needed_level_rounds_up() -> None:
    # cutoffs of national assessments: 16 36 56 76 96 -> level 4 needs 76, m = ceil(3.8) = 4
    rubric = hand_rubric(level_cutoffs=[16, 36, 56, 76, 96])
    actions = by_id(gap(rubric, hand_profile(), Target(level=4)))
    assert actions["q_hi"].target == 65.0 and actions["q_hi"].target_level == 4
    # level 1 needs 16: D_hv = 50 is fine; D_gr = 10 < 16 -> m = ceil(0.8) = 1
    actions = by_id(gap(rubric, hand_profile(), Target(level=1)))
    assert set(actions) == {"flag", "miss"}
    assert actions["miss"].target == 1.0  # t_1 = 1


def test_direction_score_target() -> None:
    report = gap(hand_rubric(), hand_profile(), Target(direction_scores={"hv": 61}))
    # 61 -> m = ceil(5·61/100) = ceil(3.05) = 4: q_hi -> 65, q_lo -> 4; target level of 61 is 3
    assert report.directions["hv"].target_score == 61.0
    assert report.directions["hv"].target_level == 3
    assert {a.indicator: a.target for a in report.actions} == {"q_hi": 65.0, "q_lo": 4.0}


def test_met_when_at_target() -> None:
    rubric = hand_rubric()
    # every indicator exactly at its t_4 (q_hi 65, q_lo 4, miss 4, qual 4) and flag true:
    # D_hv = 80 exactly (level 4 within the 1e-9 tolerance); D_gr = (0.8 + 1 + 1.6) / 4 = 85
    base = profile({"q_hi": 65, "q_lo": 4, "qual": 4, "flag": True, "miss": 4})
    report = gap(rubric, base, Target(level=4))
    assert report.met is True
    assert report.actions == [] and report.plan == []
    assert report.plan_score == pytest.approx(report.current_score)
    assert all(d.deficit == 0.0 for d in report.directions.values())
    # one notch below t_4 on q_hi: no longer met
    below = profile({"q_hi": 64.9, "q_lo": 4, "qual": 4, "flag": True, "miss": 4})
    report = gap(rubric, below, Target(level=4))
    assert report.met is False and [a.indicator for a in report.actions] == ["q_hi"]


def test_level_zero_target_is_always_met() -> None:
    report = gap(hand_rubric(), profile({}), Target(level=0))
    assert report.met is True and report.actions == []


def test_missing_indicator_under_exclude() -> None:
    rubric = hand_rubric(missing="exclude")
    actions = by_id(gap(rubric, hand_profile(), Target(level=4)))
    # exclude: D_gr = 100 (0.4 + 0) / 2 = 20; reporting miss at level 4 (x = 0.8):
    # D_gr = 100 (0.4 + 0 + 1.6) / 4 = 50; O goes from (100 + 20)/3 = 40 to (100 + 50)/3 = 50
    assert actions["miss"].missing is True
    assert actions["miss"].gain == pytest.approx(10.0)


def test_no_action_lowers_the_score_under_exclude() -> None:
    rubric = make_rubric(
        direction("a", ind("a1", kind="qualitative"), ind("a2", kind="qualitative")),
        direction("b", ind("b1", kind="qualitative")), missing="exclude")
    # a1 = 5, a2 missing (excluded): D_a = 100; b1 = 1: D_b = 20; O = 60 < 70 -> m = 4 everywhere.
    # Reporting a2 at level 4 would give D_a = 100 (5 + 4) / 10 = 90, O = 55: a gain of -5.
    report = gap(rubric, profile({"a1": 5, "b1": 1}), Target(score=70))
    assert all(a.gain >= -TOL for a in report.actions), [(a.indicator, a.gain) for a in report.actions]


def test_applying_every_action_meets_a_combined_target_under_exclude() -> None:
    rubric = make_rubric(
        direction("a", ind("a1", kind="qualitative"), ind("a2", kind="qualitative")),
        direction("b", ind("b1", kind="qualitative")), missing="exclude")
    base = profile({"a1": 5, "b1": 1})
    # D_a = 100 (a2 excluded), D_b = 20, O = 60. Target: a at level 5 (100, met) and O >= 70
    # (not met) -> m = ceil(5·70/100) = 4 in every direction, so a2 becomes "report at 4".
    # Applying every action: D_a = 100 (5 + 4) / 10 = 90 < 100, the target of a is no longer met.
    target = Target(levels={"a": 5}, score=70)
    report = gap(rubric, base, target)
    row = score_many(rubric, [base]).values[0]
    check_applied(rubric, row, report, np.array([100.0, 0.0]), 70.0)


def test_gain_is_the_arithmetic_formula_on_an_example_base() -> None:
    rubric = load_rubric(V1)
    base = load_profile(EARLY)
    report = gap(rubric, base, Target(level=5))
    compiled = rubric.compiled
    table = score_many(rubric, [base])
    columns = {i: m for m, i in enumerate(rubric.indicator_ids)}
    shares = compiled.direction_weights / compiled.direction_weights.sum()
    assert report.actions
    for action in report.actions:
        m = columns[action.indicator]
        j = compiled.direction_of[m]
        within = compiled.weights[m] / compiled.weights[compiled.direction_of == j].sum()
        x_now = 0.0 if action.missing else table.indicator_levels[0, m] / 5
        x_target = action.target_level / 5
        assert action.gain == pytest.approx(shares[j] * within * 100 * (x_target - x_now), abs=1e-9)


# --- Target parsing and construction ----------------------------------------------------------

def test_parse_single_level() -> None:
    assert Target.parse("4") == Target(level=4)
    assert Target.parse(" 4 ").level == 4
    assert Target.parse("4").levels == {}


def test_parse_per_direction() -> None:
    target = Target.parse("high_value=4,green=3")
    assert target.level is None and target.levels == {"high_value": 4, "green": 3}
    assert Target.parse("high_value = 4 , green=3").levels == {"high_value": 4, "green": 3}


@pytest.mark.parametrize("text", ["", "x", "four", "4,5", "a=", "=3", "a=b", "a=1;b=2", "-1", "1.5",
                                  "a=-1", "a=1,,b=2", "a=1,a=2"])
def test_bad_parse(text: str) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        Target.parse(text)
    message = str(info.value)
    assert "\n" not in message and message.startswith("target")


def test_parse_duplicate_direction_message() -> None:
    with pytest.raises(UpgradeScoreError, match="'a' given twice"):
        Target.parse("a=1,a=2")


def test_target_score_model() -> None:
    target = Target(score=75)
    assert target.score == 75.0 and target.level is None and target.levels == {}
    assert target.describe() == {"score": 75.0}
    assert Target(level=3, levels={"x": 2}).describe() == {"level": 3, "levels": {"x": 2}}
    for bad in (-1, 100.5, math.nan, math.inf):
        with pytest.raises(ValueError):
            Target(score=bad)


def test_gap_accepts_target_text_and_int() -> None:
    rubric, base = hand_rubric(), hand_profile()
    as_model = gap(rubric, base, Target(level=4)).to_json()
    assert gap(rubric, base, 4).to_json() == as_model
    assert gap(rubric, base, "4").to_json() == as_model
    assert gap(rubric, base, "gr=2").to_json() == gap(rubric, base, Target(levels={"gr": 2})).to_json()


@pytest.mark.parametrize(("target", "field", "words"), [
    (Target(levels={"nope": 3}), "target.nope", "unknown direction (known: hv, gr)"),
    (Target(direction_scores={"nope": 50}), "target.nope", "unknown direction"),
    (Target(level=6), "target.level", "level 6 is outside 0..5"),
    (Target(level=-1), "target.level", "outside 0..5"),
    (Target(levels={"gr": 9}), "target.gr", "level 9 is outside 0..5"),
    (Target.parse("9"), "target.level", "outside 0..5"),
])
def test_bad_target_errors(target: Target, field: str, words: str) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        gap(hand_rubric(), hand_profile(), target)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{field}: ")
    assert words in message


def test_profile_not_matching_the_rubric() -> None:
    with pytest.raises(UpgradeScoreError, match="unknown indicator"):
        gap(hand_rubric(), profile({"q_hi": 40, "typo": 1}), Target(level=3))
    with pytest.raises(UpgradeScoreError, match="qual"):
        gap(hand_rubric(), profile({"qual": 9}), Target(level=3))


# --- peers -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("statistic", "q"), [("best", 1.0), ("median", 0.5), ("p75", 0.75)])
def test_target_from_group(statistic: str, q: float) -> None:
    rubric = load_rubric(V1)
    group = load_profiles(BASES)
    table = score_many(rubric, list(group))
    target = Target.from_group(rubric, group, statistic)  # type: ignore[arg-type]
    overall = np.sort(table.overall)
    # numpy's default (linear) quantile of the 4 overall scores
    assert target.score == pytest.approx(float(np.quantile(table.overall, q)), abs=1e-12)
    if statistic == "best":
        assert target.score == pytest.approx(float(overall[-1]))
    if statistic == "median":  # mean of the middle two of four
        assert target.score == pytest.approx(float((overall[1] + overall[2]) / 2))
    if statistic == "p75":  # position 0.75·3 = 2.25: a quarter of the way from the 3rd to the 4th
        assert target.score == pytest.approx(float(overall[2] + 0.25 * (overall[3] - overall[2])))
    assert list(target.direction_scores) == list(rubric.direction_ids)
    for j, d in enumerate(rubric.direction_ids):
        assert target.direction_scores[d] == pytest.approx(float(np.quantile(table.directions[:, j], q)))
    assert target.label == f"{statistic} of 4 bases"
    # a ScoreTable gives the same target
    assert Target.from_group(None, table, statistic) == target  # type: ignore[arg-type]


def test_peer_target_gap_meets_the_peer() -> None:
    rubric = load_rubric(V1)
    group = load_profiles(BASES)
    target = Target.from_group(rubric, group, "p75")
    base = load_profile(EARLY)
    report = gap(rubric, base, target)
    assert report.met is False and report.target_score == target.score
    for d, wanted in target.direction_scores.items():
        assert report.directions[d].target_score == pytest.approx(wanted)
    check_applied(rubric, score_many(rubric, [base]).values[0], report,
                  np.array([target.direction_scores[d] for d in rubric.direction_ids]), target.score)


def test_best_of_group_is_met_by_the_best() -> None:
    rubric = load_rubric(V1)
    group = load_profiles(BASES)
    table = score_many(rubric, list(group))
    target = Target.from_group(rubric, group, "best")
    best = group[int(np.argmax(table.overall))]
    report = gap(rubric, best, target)
    # met exactly when the best overall base also leads every direction (the peer takes the
    # best of each direction separately)
    leads = all(table.directions[int(np.argmax(table.overall)), j] >= table.directions[:, j].max() - TOL
                for j in range(len(rubric.direction_ids)))
    assert report.met is leads


def test_empty_group_and_bad_statistic() -> None:
    rubric = load_rubric(V1)
    with pytest.raises(UpgradeScoreError, match="empty") as info:
        Target.from_group(rubric, [], "best")
    assert "\n" not in str(info.value) and str(info.value).startswith("peer")
    with pytest.raises(UpgradeScoreError, match="empty"):
        Target.from_group(rubric, score_many(rubric, np.empty((0, len(rubric.indicator_ids)))), "median")
    group = load_profiles(BASES)
    for bad in ("worst", "p90", "mean", ""):
        with pytest.raises(UpgradeScoreError) as info:
            Target.from_group(rubric, group, bad)  # type: ignore[arg-type]
        message = str(info.value)
        assert "\n" not in message and message.startswith("peer") and "best, median or p75" in message


# --- JSON --------------------------------------------------------------------------------------

ACTION_KEYS = {"indicator", "direction", "current", "target", "unit", "gain"}
DIRECTION_KEYS = {"current_score", "target_score", "current_level", "target_level", "deficit"}


def test_json_shape() -> None:
    report = gap(V1, EARLY, Target(level=4))
    data = json.loads(report.to_json())
    assert {"base", "target", "directions", "actions"} <= set(data)
    assert data["base"]["id"] == "songxi-mixed-recycling-base"
    assert data["target"] == {"level": 4}
    assert list(data["directions"]) == sorted(load_rubric(V1).direction_ids)
    for entry in data["directions"].values():
        assert set(entry) == DIRECTION_KEYS
        assert entry["target_score"] == 80.0 and entry["target_level"] == 4
        assert entry["deficit"] == pytest.approx(max(0.0, 80.0 - entry["current_score"]), abs=2e-6)
    gains = [a["gain"] for a in data["actions"]]
    assert gains == sorted(gains, reverse=True)
    assert [a["indicator"] for a in data["actions"]] == [a.indicator for a in report.actions]
    present = [a for a in data["actions"] if not a["missing"]]
    assert present and all(set(a) >= ACTION_KEYS for a in present)
    for a in data["actions"]:
        assert a["gain"] == round(a["gain"], 6)


def test_json_missing_action_has_current_null() -> None:
    data = json.loads(gap(V1, EARLY, Target(level=4)).to_json())
    missing = [a for a in data["actions"] if a["missing"]]
    assert missing
    for a in missing:
        assert set(a) >= ACTION_KEYS, sorted(set(a))
        assert a["current"] is None


def test_json_is_byte_identical_in_process() -> None:
    first = gap(hand_rubric(), hand_profile(), Target(level=4)).to_json()
    again = gap(hand_rubric(), hand_profile(), Target(level=4)).to_json()
    assert first == again
    for data in (json.loads(first), json.loads(gap(V1, EARLY, "high_value=5,green=3").to_json())):
        assert data == json.loads(json.dumps(data, sort_keys=True))


def test_json_is_byte_identical_across_runs() -> None:
    code = ("from upgrade_score import gap, Target; import sys; "
            f"sys.stdout.write(gap({V1!r}, {str(EARLY)!r}, Target(level=4)).to_json())")
    expected = gap(V1, EARLY, Target(level=4)).to_json()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             check=True, cwd=ROOT)
        assert out.stdout == expected


def test_json_keys_sorted_and_floats_rounded() -> None:
    text = gap(V1, EARLY, Target(score=70)).to_json()

    load_checked(text)


# --- property: applying the actions meets the target ------------------------------------------

def independent_targets(rubric: Rubric, target: Target) -> np.ndarray:
    """Target score of each direction, from the Target model (a level k means cutoff c_k)."""
    cutoffs = rubric.cutoffs

    def cutoff(level: int) -> float:
        return 0.0 if level <= 0 else cutoffs[level - 1]

    wanted = np.full(len(rubric.direction_ids), cutoff(target.level or 0))
    for j, d in enumerate(rubric.direction_ids):
        if d in target.levels:
            wanted[j] = cutoff(target.levels[d])
        if d in target.direction_scores:
            wanted[j] = max(wanted[j], target.direction_scores[d])
    return wanted


def applied(rubric: Rubric, row: np.ndarray, report: GapReport, names: list[str]) -> np.ndarray:
    goals = {a.indicator: float(a.target) for a in report.actions}
    out = row.copy()
    for name in names:
        out[rubric.indicator_ids.index(name)] = goals[name]
    return out


def check_applied(rubric: Rubric, row: np.ndarray, report: GapReport, wanted: np.ndarray,
                  score: float | None) -> None:
    """Applying every action, or just the plan, meets the target; plan_score is the re-score."""
    everything = score_many(rubric, applied(rubric, row, report, [a.indicator for a in report.actions]))
    planned = score_many(rubric, applied(rubric, row, report, report.plan))
    for table in (everything, planned):
        assert np.all(table.directions[0] >= wanted - TOL), (table.directions[0], wanted)
        if score is not None:
            assert table.overall[0] >= score - TOL, (table.overall[0], score)
    assert report.plan_score == pytest.approx(float(planned.overall[0]), abs=TOL)
    assert len(set(report.plan)) == len(report.plan)
    assert set(report.plan) <= {a.indicator for a in report.actions}


@dataclass(frozen=True)
class Case:
    rubric: Rubric
    values: np.ndarray  # (N, M), row 0 is the base under study, the rows are its peer group
    target: Target


scores_0_100 = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, **finite))


@st.composite
def gap_cases(draw: st.DrawFn) -> Case:
    spec, columns = draw(rubric_specs(max_directions=5, max_indicators=4))
    levels = len(spec["levels"])
    rubric = Rubric.model_validate(spec)
    rows = draw(st.integers(1, 4))
    values = np.array([[draw(cell(c, levels)) for c in columns] for _ in range(rows)])
    ids = list(rubric.direction_ids)
    kind = draw(st.sampled_from(["level", "levels", "score", "scores", "mixed", "peer"]))
    if kind == "level":
        target = Target(level=draw(st.integers(0, levels)))
    elif kind == "levels":
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        target = Target(levels={d: draw(st.integers(0, levels)) for d in chosen})
    elif kind == "score":
        target = Target(score=draw(scores_0_100))
    elif kind == "scores":
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        target = Target(direction_scores={d: draw(scores_0_100) for d in chosen})
    elif kind == "mixed":
        chosen = draw(st.lists(st.sampled_from(ids), unique=True))
        target = Target(level=draw(st.none() | st.integers(0, levels)),
                        levels={d: draw(st.integers(0, levels)) for d in chosen},
                        score=draw(st.none() | scores_0_100))
    else:
        table = score_many(rubric, values)
        target = Target.from_group(rubric, table, draw(st.sampled_from(["best", "median", "p75"])))
    return Case(rubric, values, target)


def profile_of(rubric: Rubric, row: np.ndarray) -> BaseProfile:
    values: dict[str, Any] = {}
    for indicator, value in zip(rubric.indicators, row.tolist()):
        if not math.isnan(value):
            values[indicator.id] = bool(value) if indicator.kind == "boolean" else value
    return profile(values, "base")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gap_cases())
def test_applying_the_actions_meets_the_target(case: Case) -> None:
    rubric, target = case.rubric, case.target
    row = case.values[0]
    report = gap(rubric, profile_of(rubric, row), target)
    wanted = independent_targets(rubric, target)
    before = score_many(rubric, row)
    levels = rubric.level_count
    # the report's direction targets and the starting point
    for j, d in enumerate(rubric.direction_ids):
        entry = report.directions[d]
        assert entry.target_score == pytest.approx(wanted[j], abs=TOL)
        assert entry.current_score == pytest.approx(float(before.directions[0, j]), abs=TOL)
        assert entry.deficit == pytest.approx(max(0.0, wanted[j] - before.directions[0, j]), abs=TOL)
    assert report.current_score == pytest.approx(float(before.overall[0]), abs=TOL)
    already = bool(np.all(before.directions[0] >= wanted - TOL)) and (
        target.score is None or bool(before.overall[0] >= target.score - TOL))
    assert report.met is already
    if already:
        assert report.actions == [] and report.plan == []
    # applying every action, or the plan, meets the target
    check_applied(rubric, row, report, wanted, target.score)
    # actions: each below its target level; sorted by gain (desc), then id
    keys = [(-round(a.gain, 9), a.indicator) for a in report.actions]
    assert keys == sorted(keys)
    assert len({a.indicator for a in report.actions}) == len(report.actions)
    start = float(before.overall[0])
    shares = rubric.compiled.indicator_shares
    alone = score_many(rubric, np.array([applied(rubric, row, report, [a.indicator])
                                         for a in report.actions]).reshape(-1, len(row)))
    for k, action in enumerate(report.actions):
        m = rubric.indicator_ids.index(action.indicator)
        assert action.missing is bool(np.isnan(row[m]))
        if not action.missing:
            assert action.current_level is not None
            assert action.current_level < action.target_level
        # gain: the overall points of this one change alone
        assert action.gain == pytest.approx(float(alone.overall[k]) - start, abs=1e-7)
        # raising never lowers
        assert action.gain >= -TOL, action
        # under the arithmetic mean with missing counted as zero, the closed form of design.md
        if rubric.aggregation == "arithmetic" and rubric.missing == "zero":
            x_now = 0.0 if action.missing else float(before.indicator_levels[0, m]) / levels
            x_target = action.target_level / levels
            assert action.gain == pytest.approx(100 * shares[m] * (x_target - x_now), abs=1e-7)


@pytest.mark.parametrize("score, level", [
    (0.0, 0), (1e-10, 0), (1.16e-8, 1), (20.0, 1), (20.0 + 1e-7, 2), (40.0 - 5e-10, 2), (40.0, 2),
    (99.9, 5), (100.0, 5)])
def test_the_level_a_target_score_needs(score: float, level: int) -> None:
    """Hand-computed with L = 5 (cutoffs 20, 40, 60, 80, 100): the smallest level whose cutoff is at
    least the score, to 1e-9 on the score's scale (a target a hair above 0 needs level 1; it once
    needed none, and the plan for it changed nothing)."""
    from upgrade_score._analysis.gap import _needed_level

    rubric = load_rubric(V1)
    assert rubric.level_count == 5
    assert _needed_level(rubric, score) == level
