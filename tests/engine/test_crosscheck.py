"""Cross-check the numpy engine against a naive, independent implementation of the contract.

``naive_score`` below is written from design.md ("Semantics", items 1-5) only: plain Python, one
base at a time, one indicator at a time, no numpy. It reads the rubric as plain data
(``Rubric.model_dump()``), so it shares nothing with the library's compiled arrays.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from upgrade_score import Rubric, load_profiles, load_rubric, score_many
from v1 import V1, V1_BASES

TOL = 1e-9
EXAMPLES = V1_BASES


# --- the naive implementation --------------------------------------------------------------

def naive_indicator_level(indicator: dict[str, Any], value: Any, levels: int) -> float | None:
    """Item 1: the level s in [0, L] of one value (None when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    kind = indicator.get("kind") or "quantitative"
    if kind == "qualitative":
        return float(value)
    if kind == "boolean":
        return float(levels) if value else 0.0
    t = list(indicator["thresholds"])
    floor = indicator.get("floor")
    if floor is None:
        floor = t[0] - (t[1] - t[0])
    v = float(value)
    if (indicator.get("better") or "higher") == "lower":
        # mirror: negate everything so that higher is better
        v, t, floor = -v, [-x for x in t], -floor
    if (indicator.get("interpolation") or "linear") == "step":
        best = 0
        for k in range(1, levels + 1):
            if v >= t[k - 1]:
                best = k
        return float(best)
    if v <= floor:
        return 0.0
    if v >= t[-1]:
        return float(levels)
    points = [floor, *t]  # (t_k, k) for k = 0..L
    for k in range(1, levels + 1):
        if v <= points[k]:
            return (k - 1) + (v - points[k - 1]) / (points[k] - points[k - 1])
    raise AssertionError("unreachable")


def naive_level(score: float, cutoffs: list[float]) -> int:
    """Item 4: the largest k with score >= c_k (within 1e-9), 0 if none."""
    level = 0
    for k, cutoff in enumerate(cutoffs, start=1):
        if score >= cutoff - 1e-9:
            level = k
    return level


def naive_score(rubric: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Score one base: ``values`` maps indicator id -> value (None / NaN / absent = missing)."""
    levels = len(rubric["levels"])
    cutoffs = rubric.get("level_cutoffs") or [100.0 * k / levels for k in range(1, levels + 1)]
    policy = rubric.get("missing") or "zero"
    direction_scores, direction_levels, direction_complete, direction_weights = [], [], [], []
    for direction in rubric["directions"]:
        total_weight = 0.0
        present_weight = 0.0
        weighted_sum = 0.0
        for indicator in direction["indicators"]:
            weight = float(indicator.get("weight") or 1.0)
            total_weight += weight
            s = naive_indicator_level(indicator, values.get(indicator["id"]), levels)
            if s is None:
                continue  # zero: counts as 0; exclude: dropped (handled by the divisor)
            present_weight += weight
            weighted_sum += weight * (s / levels)
        if present_weight == 0:
            d = 0.0  # a direction with no data scores 0 under either policy
        elif policy == "exclude":
            d = 100.0 * weighted_sum / present_weight
        else:
            d = 100.0 * weighted_sum / total_weight
        direction_scores.append(d)
        direction_levels.append(naive_level(d, cutoffs))
        direction_complete.append(present_weight / total_weight)
        direction_weights.append(float(direction.get("weight") or 1.0))
    total = sum(direction_weights)
    aggregation = rubric.get("aggregation") or "arithmetic"
    if aggregation == "arithmetic":
        overall = sum(w * d for w, d in zip(direction_weights, direction_scores)) / total
    elif aggregation == "geometric":
        if any(d == 0 for d in direction_scores):
            overall = 0.0
        else:
            overall = 1.0
            for w, d in zip(direction_weights, direction_scores):
                overall *= d ** (w / total)
    else:
        overall = min(direction_scores)
    return {
        "overall": overall,
        "overall_level": naive_level(overall, cutoffs),
        "balanced_level": min(direction_levels),
        "completeness": sum(w * c for w, c in zip(direction_weights, direction_complete)) / total,
        "directions": direction_scores,
        "direction_levels": direction_levels,
        "direction_completeness": direction_complete,
    }


# --- comparison ----------------------------------------------------------------------------

def compare(rubric: Rubric, table: Any, row: int, expected: dict[str, Any], label: str) -> None:
    where = f"{label}, base {row}"
    assert math.isclose(table.overall[row], expected["overall"], rel_tol=0, abs_tol=TOL), (
        where, float(table.overall[row]), expected["overall"])
    assert table.overall_level[row] == expected["overall_level"], where
    assert table.balanced_level[row] == expected["balanced_level"], where
    assert math.isclose(table.completeness[row], expected["completeness"], abs_tol=TOL), where
    for j, direction_id in enumerate(rubric.direction_ids):
        got = float(table.directions[row, j])
        assert math.isclose(got, expected["directions"][j], abs_tol=TOL), (
            where, direction_id, got, expected["directions"][j])
        assert table.direction_levels[row, j] == expected["direction_levels"][j], (
            where, direction_id)
        assert math.isclose(table.direction_completeness[row, j],
                            expected["direction_completeness"][j], abs_tol=TOL), where


# --- random rubrics and data (seeded, independent of the property-test strategies) ---------

def random_rubric(rng: random.Random) -> dict[str, Any]:
    levels = rng.randint(2, 6)
    directions = []
    for j in range(rng.randint(1, 6)):
        indicators = []
        for i in range(rng.randint(1, 5)):
            indicator: dict[str, Any] = {"id": f"i{j}_{i}", "name": {"en": f"i{j}_{i}"}}
            kind = rng.choice(["quantitative", "quantitative", "qualitative", "boolean"])
            indicator["kind"] = kind
            if rng.random() < 0.6:
                indicator["weight"] = rng.choice([1.0, 2.0, 0.5, 0.1, 0.2, 0.3,
                                                  round(rng.uniform(0.01, 10), 3)])
            if kind == "quantitative":
                better = rng.choice(["higher", "lower"])
                sign = 1 if better == "higher" else -1
                start = rng.choice([0.0, 0.1, round(rng.uniform(-500, 500), 2)])
                step = rng.choice([0.1, 1.0, 10.0, None])
                thresholds = [start]
                for _ in range(levels - 1):
                    gap = step if step is not None else round(rng.uniform(0.05, 50), 3)
                    thresholds.append(round(thresholds[-1] + sign * gap, 6))
                indicator["thresholds"] = thresholds
                indicator["better"] = better
                if rng.random() < 0.5:
                    indicator["floor"] = round(thresholds[0] - sign * rng.uniform(0.01, 100), 4)
                if rng.random() < 0.3:
                    indicator["interpolation"] = "step"
            indicators.append(indicator)
        direction = {"id": f"d{j}", "name": {"en": f"d{j}"}, "indicators": indicators}
        if rng.random() < 0.6:
            direction["weight"] = rng.choice([1.0, 2.0, 3.0, 0.1, round(rng.uniform(0.1, 5), 3)])
        directions.append(direction)
    rubric: dict[str, Any] = {
        "id": "random", "version": "1", "title": {"en": "random"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, levels + 1)],
        "aggregation": rng.choice(["arithmetic", "geometric", "weakest"]),
        "missing": rng.choice(["zero", "exclude"]),
        "directions": directions,
    }
    if rng.random() < 0.4:
        if levels == 5 and rng.random() < 0.5:
            rubric["level_cutoffs"] = [16.0, 36.0, 56.0, 76.0, 96.0]
        else:
            rubric["level_cutoffs"] = sorted(rng.sample(range(1, 101), levels))
    return rubric


def random_value(rng: random.Random, indicator: dict[str, Any], levels: int) -> float:
    if rng.random() < 0.15:
        return math.nan
    kind = indicator["kind"]
    if kind == "qualitative":
        return float(rng.randint(0, levels))
    if kind == "boolean":
        return float(rng.randint(0, 1))
    t = indicator["thresholds"]
    floor = indicator.get("floor", t[0] - (t[1] - t[0]))
    points = [floor, *t]
    choice = rng.random()
    if choice < 0.35:
        return rng.choice(points)  # exactly on a breakpoint
    if choice < 0.5:
        k = rng.randrange(len(points) - 1)
        return (points[k] + points[k + 1]) / 2
    low, high = min(points), max(points)
    span = high - low
    return rng.uniform(low - 0.3 * span, high + 0.3 * span)


CASES = 200


@pytest.mark.parametrize("seed", range(CASES))
def test_engine_matches_naive_implementation(seed: int) -> None:
    rng = random.Random(seed)
    spec = random_rubric(rng)
    rubric = Rubric.model_validate(spec)
    levels = rubric.level_count
    indicators = [i for d in spec["directions"] for i in d["indicators"]]
    rows = rng.randint(1, 8)
    values = [[random_value(rng, i, levels) for i in indicators] for _ in range(rows)]
    if rng.random() < 0.2:  # every indicator on its level-k threshold (or qualitative level k)
        k = rng.randint(1, levels)
        values.append([float(k) if i["kind"] == "qualitative" else
                       1.0 if i["kind"] == "boolean" else i["thresholds"][k - 1]
                       for i in indicators])
    table = score_many(rubric, np.array(values, dtype=np.float64))
    for row, row_values in enumerate(values):
        expected = naive_score(spec, {i["id"]: v for i, v in zip(indicators, row_values)})
        compare(rubric, table, row, expected, f"seed {seed}")
        for m, indicator in enumerate(indicators):
            naive = naive_indicator_level(indicator, row_values[m], levels)
            got = float(table.indicator_levels[row, m])
            if naive is None:
                assert math.isnan(got)
            else:
                assert math.isclose(got, naive, rel_tol=0, abs_tol=TOL), (
                    seed, indicator["id"], row_values[m], got, naive)


def test_all_at_level_k_is_level_k_everywhere() -> None:
    """Every indicator exactly on level k ⇒ every direction, overall and balanced level k."""
    rng = random.Random(12345)
    checked = 0
    for _ in range(200):
        spec = random_rubric(rng)
        spec.pop("level_cutoffs", None)
        rubric = Rubric.model_validate(spec)
        levels = rubric.level_count
        indicators = [i for d in spec["directions"] for i in d["indicators"]]
        if any(i["kind"] == "boolean" for i in indicators):
            continue
        for k in range(1, levels + 1):
            row = [float(k) if i["kind"] == "qualitative" else i["thresholds"][k - 1]
                   for i in indicators]
            table = score_many(rubric, np.array([row]))
            assert list(table.direction_levels[0]) == [k] * len(spec["directions"])
            assert (table.overall_level[0], table.balanced_level[0]) == (k, k)
            checked += 1
    assert checked > 50


# --- the built-in rubric on the example bases ----------------------------------------------

def test_default_rubric_on_example_bases() -> None:
    rubric = load_rubric(V1)
    profiles = load_profiles(EXAMPLES)
    assert len(profiles) == 4
    table = score_many(rubric, list(profiles))
    spec = rubric.model_dump()
    for row, profile in enumerate(profiles):
        values = {indicator_id: profile.value(indicator_id)
                  for indicator_id in rubric.indicator_ids}
        expected = naive_score(spec, values)
        compare(rubric, table, row, expected, profile.id)
        card = table.scorecard(row)
        assert math.isclose(card.overall.score, expected["overall"], abs_tol=TOL)
        for indicator in (i for d in spec["directions"] for i in d["indicators"]):
            naive = naive_indicator_level(indicator, values[indicator["id"]], len(spec["levels"]))
            found = card.indicators[indicator["id"]].level
            assert (found is None) == (naive is None)
            if naive is not None:
                assert math.isclose(found, naive, abs_tol=TOL)
    # the examples differ from each other: the comparison is not vacuous
    assert len({round(float(o), 6) for o in table.overall}) == 4
