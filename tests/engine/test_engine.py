"""Hand-computed expectations for the scoring contract (design.md, "Semantics", items 1-5).

Every expected number is worked out by hand in a comment next to it. Rubrics are built in code
with ``Rubric.model_validate``; values go in as a matrix in ``rubric.indicator_ids`` order.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jsoncheck import load_checked
from upgrade_score import BaseProfile, Rubric, score, score_many

NAN = float("nan")
SRC = Path(__file__).resolve().parents[2] / "src"
TESTS = Path(__file__).resolve().parents[1]


# --- builders ----------------------------------------------------------------------------------

def ind(indicator_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": indicator_id, "name": {"en": indicator_id}, **fields}


def direction(direction_id: str, *indicators: dict[str, Any],
              weight: float = 1.0) -> dict[str, Any]:
    return {"id": direction_id, "name": {"en": direction_id}, "weight": weight,
            "indicators": list(indicators)}


def make_rubric(*directions: dict[str, Any], levels: int = 5, **fields: Any) -> Rubric:
    return Rubric.model_validate({
        "id": "test-rubric",
        "version": "1",
        "title": {"en": "Test rubric"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, levels + 1)],
        "directions": list(directions),
        **fields,
    })


def one_indicator(levels: int = 5, **fields: Any) -> Rubric:
    """A rubric with a single direction holding a single indicator ``x``."""
    return make_rubric(direction("d", ind("x", **fields)), levels=levels)


def levels_of(rubric: Rubric, values: list[float]) -> list[float]:
    """Indicator level s of ``x`` for each value (one base per value)."""
    table = score_many(rubric, np.array([[v] for v in values], dtype=float))
    return [float(s) for s in table.indicator_levels[:, 0]]


# An "identity" indicator for L = 5: floor 0, thresholds 20..100, so s = v / 20 and D = v.
IDENTITY = {"thresholds": [20, 40, 60, 80, 100], "floor": 0}


def identity_rubric(*weights: float, **fields: Any) -> Rubric:
    """One direction per weight, each with one identity indicator, so direction score = value."""
    return make_rubric(*(direction(f"d{j}", ind(f"x{j}", **IDENTITY), weight=w)
                         for j, w in enumerate(weights)), **fields)


# --- 1. indicator level: linear ----------------------------------------------------------------

LINEAR = {"thresholds": [10, 20, 30, 40, 50]}  # default floor 10 - (20 - 10) = 0


def test_linear_below_floor_is_zero() -> None:
    # floor 0: v = -5 < 0 -> 0; v = 0 (= floor) -> 0; v = -1000 -> 0
    assert levels_of(one_indicator(**LINEAR), [-5, 0, -1000]) == [0.0, 0.0, 0.0]


def test_linear_above_top_threshold_is_L() -> None:
    # t_5 = 50: v = 50 -> 5; v = 51 -> 5; v = 1e6 -> 5
    assert levels_of(one_indicator(**LINEAR), [50, 51, 1e6]) == [5.0, 5.0, 5.0]


def test_linear_exactly_at_threshold_is_exactly_k() -> None:
    # v = t_k -> exactly k, no interpolation error
    assert levels_of(one_indicator(**LINEAR), [10, 20, 30, 40, 50]) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_linear_exactly_at_inexact_thresholds_is_exactly_k() -> None:
    # thresholds 0.1..0.5 are not exact binary numbers; v = t_k must still give exactly k
    rubric = one_indicator(thresholds=[0.1, 0.2, 0.3, 0.4, 0.5])
    assert levels_of(rubric, [0.1, 0.2, 0.3, 0.4, 0.5]) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_linear_midway() -> None:
    rubric = one_indicator(**LINEAR)
    got = levels_of(rubric, [5, 15, 25, 42.5])
    # 5:    between floor 0 (0) and t_1 = 10 (1): 0 + (5 - 0) / 10   = 0.5
    # 15:   between t_1 = 10 and t_2 = 20:        1 + (15 - 10) / 10 = 1.5
    # 25:   between t_2 and t_3:                  2 + (25 - 20) / 10 = 2.5
    # 42.5: between t_4 = 40 and t_5 = 50:        4 + 2.5 / 10       = 4.25
    assert got == pytest.approx([0.5, 1.5, 2.5, 4.25], abs=1e-12)


def test_linear_uneven_thresholds() -> None:
    # L = 3, thresholds 2, 5, 11; default floor 2 - (5 - 2) = -1
    rubric = one_indicator(levels=3, thresholds=[2, 5, 11])
    got = levels_of(rubric, [-1, 0.5, 3.5, 8, 11])
    # -1:  at floor                              -> 0
    # 0.5: 0 + (0.5 - (-1)) / (2 - (-1)) = 1.5/3 -> 0.5
    # 3.5: 1 + (3.5 - 2) / (5 - 2) = 1.5/3       -> 1.5
    # 8:   2 + (8 - 5) / (11 - 5) = 3/6          -> 2.5
    # 11:  t_3                                   -> 3
    assert got == pytest.approx([0.0, 0.5, 1.5, 2.5, 3.0], abs=1e-12)


def test_default_floor_is_one_step_before_first_threshold() -> None:
    # thresholds 30, 40, ...: default floor = 30 - (40 - 30) = 20
    rubric = one_indicator(thresholds=[30, 40, 50, 60, 70])
    got = levels_of(rubric, [20, 19, 25, 27.5])
    # 20 -> 0 (at floor); 19 -> 0 (below); 25 -> (25 - 20) / 10 = 0.5; 27.5 -> 7.5 / 10 = 0.75
    assert got == pytest.approx([0.0, 0.0, 0.5, 0.75], abs=1e-12)


def test_explicit_floor() -> None:
    # floor 6 instead of the default 0
    rubric = one_indicator(thresholds=[10, 20, 30, 40, 50], floor=6)
    got = levels_of(rubric, [4, 6, 8, 9, 0])
    # 4 -> 0 (below floor 6); 6 -> 0; 8 -> (8 - 6) / (10 - 6) = 0.5; 9 -> 3/4 = 0.75; 0 -> 0
    # (with the default floor 0, v = 4 would have been 0.4 and v = 8 would have been 0.8)
    assert got == pytest.approx([0.0, 0.0, 0.5, 0.75, 0.0], abs=1e-12)


def test_better_lower_mirrors_linear() -> None:
    # thresholds decrease: 50, 40, 30, 20, 10; default floor 50 - (40 - 50) = 60
    rubric = one_indicator(thresholds=[50, 40, 30, 20, 10], better="lower")
    got = levels_of(rubric, [70, 60, 55, 50, 35, 12, 10, 0])
    # 70 -> 0 (worse than floor 60); 60 -> 0; 55 -> (60 - 55) / 10 = 0.5; 50 -> 1
    # 35 -> 2 + (40 - 35) / 10 = 2.5; 12 -> 4 + (20 - 12) / 10 = 4.8; 10 -> 5; 0 -> 5
    assert got == pytest.approx([0.0, 0.0, 0.5, 1.0, 2.5, 4.8, 5.0, 5.0], abs=1e-12)


def test_better_lower_exact_thresholds_and_explicit_floor() -> None:
    rubric = one_indicator(thresholds=[0.5, 0.4, 0.3, 0.2, 0.1], better="lower", floor=0.8)
    # exactly at t_k -> exactly k
    assert levels_of(rubric, [0.5, 0.4, 0.3, 0.2, 0.1]) == [1.0, 2.0, 3.0, 4.0, 5.0]
    # 0.65 -> (0.8 - 0.65) / (0.8 - 0.5) = 0.15 / 0.3 = 0.5; 0.8 -> 0; 0.9 -> 0
    assert levels_of(rubric, [0.65, 0.8, 0.9]) == pytest.approx([0.5, 0.0, 0.0], abs=1e-12)


# --- 1. indicator level: step ------------------------------------------------------------------

def test_step_interpolation() -> None:
    rubric = one_indicator(thresholds=[10, 20, 30, 40, 50], interpolation="step")
    got = levels_of(rubric, [-100, 0, 9.99, 10, 19.999, 20, 29.9, 30, 49.99, 50, 1000])
    # largest k with v >= t_k; 0 before t_1; exactly at t_k counts
    # -100, 0, 9.99 -> 0; 10 -> 1; 19.999 -> 1; 20 -> 2; 29.9 -> 2; 30 -> 3; 49.99 -> 4;
    # 50 -> 5; 1000 -> 5
    assert got == [0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 5]


def test_step_ignores_floor() -> None:
    # a floor changes nothing for step: between floor 5 and t_1 = 10 is still level 0
    rubric = one_indicator(thresholds=[10, 20, 30, 40, 50], floor=5, interpolation="step")
    assert levels_of(rubric, [7.5, 10, 15]) == [0, 1, 1]  # 7.5 < t_1 -> 0; 10 -> 1; 15 -> 1


def test_step_better_lower() -> None:
    rubric = one_indicator(thresholds=[0.5, 0.4, 0.3, 0.2, 0.1], better="lower",
                           interpolation="step")
    got = levels_of(rubric, [0.9, 0.50001, 0.5, 0.31, 0.3, 0.1, 0.0])
    # largest k with v <= t_k: 0.9 -> 0; 0.50001 -> 0; 0.5 -> 1; 0.31 -> 2; 0.3 -> 3;
    # 0.1 -> 5; 0.0 -> 5
    assert got == [0, 0, 1, 2, 3, 5, 5]


# --- 1. indicator level: qualitative and boolean -----------------------------------------------

def test_qualitative_level_as_given() -> None:
    rubric = one_indicator(kind="qualitative")
    assert levels_of(rubric, [0, 1, 2, 3, 4, 5]) == [0, 1, 2, 3, 4, 5]
    # direction score 100 * s / L: level 3 of 5 -> 60
    assert score_many(rubric, np.array([[3.0]])).directions[0, 0] == pytest.approx(60.0, abs=1e-9)


@pytest.mark.parametrize("levels", [2, 3, 5, 6])
def test_boolean_is_L_or_zero(levels: int) -> None:
    rubric = one_indicator(levels=levels, kind="boolean")
    # true -> L, false -> 0
    assert levels_of(rubric, [1, 0]) == [levels, 0]
    table = score_many(rubric, np.array([[1.0], [0.0]]))
    assert list(table.directions[:, 0]) == pytest.approx([100.0, 0.0], abs=1e-9)
    assert list(table.direction_levels[:, 0]) == [levels, 0]


def test_boolean_from_profile() -> None:
    rubric = one_indicator(kind="boolean")
    yes = score(rubric, BaseProfile.model_validate({"base": {"id": "y"}, "values": {"x": True}}))
    no = score(rubric, BaseProfile.model_validate({"base": {"id": "n"}, "values": {"x": False}}))
    assert (yes.indicators["x"].level, yes.overall.score) == (5.0, pytest.approx(100.0))
    assert (no.indicators["x"].level, no.overall.score) == (0.0, 0.0)
    assert yes.indicators["x"].value is True


# --- 2. direction score ------------------------------------------------------------------------

def test_direction_score_is_weighted_mean_times_100_over_L() -> None:
    rubric = make_rubric(direction(
        "d",
        ind("a", kind="qualitative", weight=1),
        ind("b", kind="qualitative", weight=3),
        ind("c", thresholds=[10, 20, 30, 40, 50], weight=0.5)))
    table = score_many(rubric, np.array([[5, 1, 25]], dtype=float))
    # s = 5, 1, 2.5 -> x = 1, 0.2, 0.5
    # D = 100 * (1*1 + 3*0.2 + 0.5*0.5) / (1 + 3 + 0.5) = 100 * 1.85 / 4.5 = 41.111...
    assert table.directions[0, 0] == pytest.approx(100 * 1.85 / 4.5, abs=1e-9)


def test_direction_score_with_L3() -> None:
    rubric = make_rubric(direction("d", ind("a", kind="qualitative", weight=2),
                                   ind("b", kind="boolean", weight=1)), levels=3)
    table = score_many(rubric, np.array([[1, 0], [2, 1]], dtype=float))
    # row 1: x = 1/3, 0 -> 100 * (2/3) / 3 = 22.222...
    # row 2: x = 2/3, 1 -> 100 * (4/3 + 1) / 3 = 77.777...
    assert list(table.directions[:, 0]) == pytest.approx([200 / 9, 700 / 9], abs=1e-9)


# --- 3. overall score ------------------------------------------------------------------------

def test_overall_arithmetic_with_unequal_direction_weights() -> None:
    rubric = identity_rubric(2, 1, 1)
    table = score_many(rubric, np.array([[80, 20, 50]], dtype=float))
    assert list(table.directions[0]) == pytest.approx([80, 20, 50], abs=1e-9)  # D = v
    # O = (2*80 + 1*20 + 1*50) / (2 + 1 + 1) = 230 / 4 = 57.5
    assert table.overall[0] == pytest.approx(57.5, abs=1e-9)


def test_overall_geometric_with_unequal_direction_weights() -> None:
    rubric = identity_rubric(3, 1, aggregation="geometric")
    table = score_many(rubric, np.array([[80, 20]], dtype=float))
    # O = 80^(3/4) * 20^(1/4) = 20 * 4^(3/4) = 20 * 2^1.5 = 40 * sqrt(2) = 56.5685...
    assert table.overall[0] == pytest.approx(40 * math.sqrt(2), abs=1e-9)
    # arithmetic would be (3*80 + 20) / 4 = 65: geometric is different
    assert abs(table.overall[0] - 65) > 1


def test_overall_geometric_equal_scores() -> None:
    rubric = identity_rubric(1, 2, 0.5, aggregation="geometric")
    table = score_many(rubric, np.array([[60, 60, 60]], dtype=float))
    # geometric mean of equal values: 60, and level 3 even if exp(log()) is off by an ulp
    assert table.overall[0] == pytest.approx(60.0, abs=1e-9)
    assert table.overall_level[0] == 3


def test_overall_geometric_is_zero_when_one_direction_is_zero() -> None:
    rubric = identity_rubric(1, 1, 1, aggregation="geometric")
    table = score_many(rubric, np.array([[80, 0, 100], [80, 5, 100]], dtype=float))
    # one D = 0 -> product 0
    assert table.overall[0] == 0.0
    # 80^(1/3) * 5^(1/3) * 100^(1/3) = 40000^(1/3) = 34.1995...
    assert table.overall[1] == pytest.approx(40000 ** (1 / 3), abs=1e-9)


def test_overall_weakest_is_min() -> None:
    rubric = identity_rubric(5, 1, 1, aggregation="weakest")
    table = score_many(rubric, np.array([[80, 30, 50], [10, 90, 90]], dtype=float))
    # min(80, 30, 50) = 30 (weights do not matter); min(10, 90, 90) = 10
    assert list(table.overall) == pytest.approx([30.0, 10.0], abs=1e-9)


# --- 4. maturity levels ------------------------------------------------------------------------

def test_levels_default_cutoffs() -> None:
    # L = 5: cutoffs 20, 40, 60, 80, 100
    rubric = identity_rubric(1)
    values = [0, 19.99, 20, 39.9, 40, 59.9, 60, 79.99, 80, 99.9, 100]
    table = score_many(rubric, np.array([[v] for v in values], dtype=float))
    expected = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]  # largest k with score >= 20k
    assert list(table.direction_levels[:, 0]) == expected
    assert list(table.overall_level) == expected


def test_levels_default_cutoffs_L3() -> None:
    # L = 3: cutoffs 100/3, 200/3, 100; qualitative level k scores exactly 100k/3 -> level k
    rubric = make_rubric(direction("d", ind("q", kind="qualitative")), levels=3)
    table = score_many(rubric, np.array([[0], [1], [2], [3]], dtype=float))
    assert list(table.direction_levels[:, 0]) == [0, 1, 2, 3]


def test_levels_custom_cutoffs() -> None:
    rubric = identity_rubric(1, level_cutoffs=[16, 36, 56, 76, 96])
    values = [0, 15.9, 16, 35.99, 36, 55, 56, 75, 76, 95.9, 96, 100]
    table = score_many(rubric, np.array([[v] for v in values], dtype=float))
    # largest k with score >= c_k, c = 16, 36, 56, 76, 96
    expected = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(table.direction_levels[:, 0]) == expected
    assert list(table.overall_level) == expected


def test_level_tolerance_default_cutoffs() -> None:
    # three indicators, weights 0.1, 0.2, 0.3, all exactly on their level-3 threshold 0.3:
    # D = 100 * (0.1*0.6 + 0.2*0.6 + 0.3*0.6) / 0.6 = 60 in exact arithmetic, but in floating
    # point 0.1 + 0.2 + 0.3 etc. are inexact and D comes out as 59.99999999999999.
    ts = [0.1, 0.2, 0.3, 0.4, 0.5]
    rubric = make_rubric(direction("d", *(ind(f"i{n}", thresholds=ts, weight=w)
                                          for n, w in enumerate([0.1, 0.2, 0.3]))))
    table = score_many(rubric, np.array([[0.3, 0.3, 0.3]]))
    assert list(table.indicator_levels[0]) == [3.0, 3.0, 3.0]
    assert table.directions[0, 0] == pytest.approx(60.0, abs=1e-9)
    assert table.directions[0, 0] < 60.0  # precondition: the tolerance is really needed here
    assert table.direction_levels[0, 0] == 3  # 59.99999999999999 >= 60 - 1e-9
    assert table.overall_level[0] == 3
    assert table.balanced_level[0] == 3


def test_level_tolerance_custom_cutoffs() -> None:
    # thresholds 0.1..0.5 (default floor 0): v = 0.08 is level 0.8 exactly in real arithmetic,
    # i.e. score 16 = c_1, but (0.08 - 0) / (0.1 - 0) = 0.7999999999999999 -> 15.999999999999998
    rubric = make_rubric(direction("d", ind("x", thresholds=[0.1, 0.2, 0.3, 0.4, 0.5])),
                         level_cutoffs=[16, 36, 56, 76, 96])
    # 0.08 - 1e-13 is level 0.799999999999 -> score 16 - 1.6e-10: below c_1 = 16 in any
    # arithmetic, but within the 1e-9 tolerance, so level 1 either way
    table = score_many(rubric, np.array([[0.08], [0.079], [0.08 - 1e-13]]))
    assert table.directions[0, 0] == pytest.approx(16.0, abs=1e-9)
    assert table.direction_levels[0, 0] == 1
    assert table.overall_level[0] == 1
    assert table.directions[2, 0] < 16.0  # precondition: the tolerance is really needed here
    assert table.direction_levels[2, 0] == 1
    # 0.079 -> level 0.79 -> score 15.8: clearly below 16, level 0
    assert table.direction_levels[1, 0] == 0


def test_level_tolerance_is_not_too_loose() -> None:
    # 60 - 1e-7 is below the cutoff 60 by far more than 1e-9: level 2, not 3
    rubric = identity_rubric(1)
    table = score_many(rubric, np.array([[60 - 1e-7], [60 - 1e-11]]))
    assert table.direction_levels[0, 0] == 2
    assert table.direction_levels[1, 0] == 3  # within 1e-9 of 60


def test_balanced_level_is_min_of_direction_levels() -> None:
    rubric = identity_rubric(1, 1, 1)
    table = score_many(rubric, np.array([[85, 45, 100], [100, 100, 100], [0, 100, 100]],
                                        dtype=float))
    # row 1: levels 4, 2, 5 -> balanced 2; overall (85+45+100)/3 = 76.67 -> level 3
    # row 2: all 5 -> 5; row 3: 0, 5, 5 -> balanced 0, overall 66.67 -> level 3
    assert [list(r) for r in table.direction_levels] == [[4, 2, 5], [5, 5, 5], [0, 5, 5]]
    assert list(table.balanced_level) == [2, 5, 0]
    assert list(table.overall_level) == [3, 5, 3]
    assert list(table.overall) == pytest.approx([230 / 3, 100.0, 200 / 3], abs=1e-9)


# --- 5. missing values -------------------------------------------------------------------------

def missing_rubric(policy: str) -> Rubric:
    # L = 5. Direction a (W=1): q1 w=1, q2 w=3. Direction b (W=2): q3 w=1, q4 w=1.
    # Direction c (W=1): q5 w=2.
    return make_rubric(
        direction("a", ind("q1", kind="qualitative", weight=1),
                  ind("q2", kind="qualitative", weight=3), weight=1),
        direction("b", ind("q3", kind="qualitative"), ind("q4", kind="qualitative"), weight=2),
        direction("c", ind("q5", kind="qualitative", weight=2), weight=1),
        missing=policy)


# q1 = 5, q2 missing | q3, q4 missing | q5 = 4
MISSING_ROW = [5, NAN, NAN, NAN, 4]


def test_missing_zero() -> None:
    table = score_many(missing_rubric("zero"), np.array([MISSING_ROW]))
    # a: (1*1 + 3*0) / 4 * 100 = 25; b: no data -> 0; c: 4/5 * 100 = 80
    assert list(table.directions[0]) == pytest.approx([25.0, 0.0, 80.0], abs=1e-9)
    # overall arithmetic: (1*25 + 2*0 + 1*80) / 4 = 26.25
    assert table.overall[0] == pytest.approx(26.25, abs=1e-9)


def test_missing_exclude() -> None:
    table = score_many(missing_rubric("exclude"), np.array([MISSING_ROW]))
    # a: renormalised over q1 only: 1*1 / 1 * 100 = 100; b: no data -> 0 (not NaN); c: 80
    assert list(table.directions[0]) == pytest.approx([100.0, 0.0, 80.0], abs=1e-9)
    # overall: (1*100 + 2*0 + 1*80) / 4 = 45
    assert table.overall[0] == pytest.approx(45.0, abs=1e-9)
    assert list(table.direction_levels[0]) == [5, 0, 4]
    assert table.balanced_level[0] == 0


@pytest.mark.parametrize("policy", ["zero", "exclude"])
def test_completeness(policy: str) -> None:
    table = score_many(missing_rubric(policy), np.array([MISSING_ROW, [1, 2, 3, NAN, NAN]]))
    # row 1: a: 1 / (1+3) = 0.25; b: 0 / 2 = 0; c: 2 / 2 = 1
    #        overall (direction-weighted): (1*0.25 + 2*0 + 1*1) / 4 = 0.3125
    # row 2: a: 4/4 = 1; b: 1/2 = 0.5; c: 0/2 = 0 -> (1*1 + 2*0.5 + 1*0) / 4 = 0.5
    assert [list(r) for r in table.direction_completeness] == [
        pytest.approx([0.25, 0.0, 1.0], abs=1e-12), pytest.approx([1.0, 0.5, 0.0], abs=1e-12)]
    assert list(table.completeness) == pytest.approx([0.3125, 0.5], abs=1e-12)


@pytest.mark.parametrize("policy", ["zero", "exclude"])
def test_direction_without_data_scores_zero(policy: str) -> None:
    table = score_many(missing_rubric(policy), np.array([[NAN] * 5, [5, 5, NAN, NAN, 5]]))
    assert list(table.directions[0]) == [0.0, 0.0, 0.0]
    assert table.overall[0] == 0.0
    assert (table.overall_level[0], table.balanced_level[0], table.completeness[0]) == (0, 0, 0.0)
    # row 2: b has no data -> 0 in either policy; a and c full -> 100
    assert list(table.directions[1]) == pytest.approx([100.0, 0.0, 100.0], abs=1e-9)


def test_missing_exclude_geometric_direction_without_data_is_zero() -> None:
    rubric = make_rubric(direction("a", ind("q1", kind="qualitative")),
                         direction("b", ind("q2", kind="qualitative")),
                         aggregation="geometric", missing="exclude")
    table = score_many(rubric, np.array([[5, NAN]]))
    # b scores 0 -> geometric mean 0
    assert list(table.directions[0]) == [100.0, 0.0]
    assert table.overall[0] == 0.0


def test_missing_zero_versus_exclude_from_profiles() -> None:
    profile = BaseProfile.model_validate({"base": {"id": "p"}, "values": {"q1": 5, "q5": 4}})
    zero = score(missing_rubric("zero"), profile)
    exclude = score(missing_rubric("exclude"), profile)
    assert zero.directions["a"].score == pytest.approx(25.0)  # (5/5 * 1) / 4 * 100
    assert exclude.directions["a"].score == pytest.approx(100.0)  # (5/5 * 1) / 1 * 100
    assert zero.indicators["q2"].missing and zero.indicators["q2"].level is None
    assert zero.overall.completeness == pytest.approx(0.3125)
    assert exclude.overall.completeness == pytest.approx(0.3125)


# --- Scorecard fields ------------------------------------------------------------------------

@pytest.mark.parametrize("policy", [
    "zero",
    "exclude",
])
def test_scorecard_fields(policy: str) -> None:
    rubric = make_rubric(
        direction("a", ind("x", thresholds=[10, 20, 30, 40, 50], weight=2),
                  ind("q", kind="qualitative", weight=1), ind("b", kind="boolean", weight=1),
                  weight=3),
        direction("c", ind("y", thresholds=[5, 4, 3, 2, 1], better="lower"),
                  ind("z", kind="qualitative", weight=3), weight=1),
        missing=policy)
    profile = BaseProfile.model_validate(
        {"base": {"id": "p"}, "values": {"x": 25, "q": 1, "b": True, "y": 2.5}})
    card = score(rubric, profile)
    x, q, b, y, z = (card.indicators[i] for i in ("x", "q", "b", "y", "z"))
    # x: 2 + (25 - 20) / 10 = 2.5 -> score 100 * 2.5 / 5 = 50, attained level 2
    assert (x.level, x.score, x.attained_level) == (pytest.approx(2.5), pytest.approx(50.0), 2)
    assert (q.level, q.score, q.attained_level) == (1.0, pytest.approx(20.0), 1)
    assert (b.level, b.value, b.attained_level) == (5.0, True, 5)
    # y (lower is better): default floor 6; 2.5 -> 3 + (3 - 2.5) / 1 = 3.5
    assert (y.level, y.attained_level) == (pytest.approx(3.5), 3)
    assert (z.missing, z.level, z.score, z.value, z.direction_points) == (True, None, None, None, 0)
    # direction a: (2*0.5 + 1*0.2 + 1*1) / 4 * 100 = 55
    assert card.directions["a"].score == pytest.approx(55.0)
    # x points: 100 * (2/4) * 0.5 = 25; q: 100 * (1/4) * 0.2 = 5; b: 100 * 1/4 * 1 = 25
    assert (x.direction_points, q.direction_points, b.direction_points) == (
        pytest.approx(25.0), pytest.approx(5.0), pytest.approx(25.0))
    if policy == "zero":
        # c: (1 * 3.5/5 + 3 * 0) / 4 * 100 = 17.5; y points = 100 * 1/4 * 0.7 = 17.5
        assert card.directions["c"].score == pytest.approx(17.5)
        assert y.direction_points == pytest.approx(17.5)
    else:
        # c: y only, renormalised: 100 * 0.7 = 70
        assert card.directions["c"].score == pytest.approx(70.0)
        assert y.direction_points == pytest.approx(70.0)
    for direction_id, result in card.directions.items():
        points = sum(i.direction_points for i in card.indicators.values()
                     if i.direction == direction_id)
        assert points == pytest.approx(result.score, abs=1e-9)
    # weight shares: x 3/4 * 2/4 = 0.375, q and b 3/4 * 1/4 = 0.1875, y 1/4 * 1/4, z 1/4 * 3/4
    assert [i.weight_share for i in (x, q, b, y, z)] == pytest.approx(
        [0.375, 0.1875, 0.1875, 0.0625, 0.1875])
    assert sum(i.weight_share for i in card.indicators.values()) == pytest.approx(1.0)
    assert card.directions["a"].weight_share == pytest.approx(0.75)
    assert card.directions["c"].weight_share == pytest.approx(0.25)
    assert (card.directions["a"].completeness, card.directions["c"].completeness) == (
        1.0, pytest.approx(0.25))  # c: 1 of 1 + 3 weight had data
    # overall completeness 3/4 * 1 + 1/4 * 1/4 = 0.8125
    assert card.overall.completeness == pytest.approx(0.8125)
    # overall arithmetic
    expected = 0.75 * 55 + 0.25 * (17.5 if policy == "zero" else 70.0)
    assert card.overall.score == pytest.approx(expected)


# --- determinism -------------------------------------------------------------------------------

def json_rubric() -> Rubric:
    return make_rubric(
        direction("zeta", ind("x", thresholds=[1, 2, 3], weight=3), weight=0.7),
        direction("alpha", ind("q", kind="qualitative", weight=0.3),
                  ind("b", kind="boolean", weight=1.1), weight=1.3),
        levels=3, aggregation="geometric")


JSON_PROFILE = {"base": {"id": "p", "name": {"zh": "基地", "en": "Base"}},
                "values": {"x": 1.2345678912, "q": 1, "b": True}}




def test_to_json_is_deterministic_sorted_and_rounded() -> None:
    first = score(json_rubric(), BaseProfile.model_validate(JSON_PROFILE)).to_json()
    second = score(json_rubric(), BaseProfile.model_validate(JSON_PROFILE)).to_json()
    assert first == second
    data = load_checked(first)
    # x = 1.2345678912 is rounded to 6 decimals; indicator level 1.2345678912 too
    assert data["indicators"]["x"]["value"] == 1.234568
    assert data["indicators"]["x"]["level"] == 1.234568
    # q: level 1 of 3 -> score 33.333333 (not 33.333333333333336)
    assert data["indicators"]["q"]["score"] == 33.333333
    assert "基地" in first  # UTF-8 kept as is


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_to_json_is_identical_across_processes() -> None:
    code = ("import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import test_engine as t; "
            "from upgrade_score import BaseProfile, score; "
            "sys.stdout.write(score(t.json_rubric(), "
            "BaseProfile.model_validate(t.JSON_PROFILE)).to_json())")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(TESTS)],
                              capture_output=True, text=True, env=env, check=True)
        outputs.append(done.stdout)
    here = score(json_rubric(), BaseProfile.model_validate(JSON_PROFILE)).to_json()
    assert outputs[0] == outputs[1] == here


def test_scorecard_direction_points_exclude_unequal_weights() -> None:
    rubric = make_rubric(direction("d", ind("a", kind="qualitative", weight=2),
                                   ind("b", kind="qualitative", weight=1)), missing="exclude")
    card = score(rubric, BaseProfile.model_validate({"base": {"id": "p"},
                                                     "values": {"a": 5, "b": 0}}))
    # every value present: D = 100 * (2*1 + 1*0) / 3 = 66.666..., all of it from a
    assert card.directions["d"].score == pytest.approx(200 / 3)
    assert card.indicators["a"].direction_points == pytest.approx(200 / 3)  # got 40 = 100 * 2/5
