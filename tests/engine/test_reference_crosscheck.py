"""The reference implementation (tests/reference_impl.py): hand-computed cases for every rule, and
cross-checks of the engine against it on random rubrics and profiles (tests/strategies_v2.py).

(a) hand-computed cases: the expected numbers are worked out in the comments.
(b) v1 cross-check: random v1 rubrics, engine == reference to 1e-9.
(c) v2 cross-check (categories, N/A, gates) against the engine.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_impl import reference_score
from strategies_v2 import profiles_for, rubrics_v2

import upgrade_score

TOL = 1e-9


# --- builders for small rubrics ----------------------------------------------------------------

def ind(indicator_id: str, **fields: Any) -> dict[str, Any]:
    """An indicator; quantitative with thresholds 20, 35, 50, 65, 80 unless told otherwise."""
    indicator: dict[str, Any] = {"id": indicator_id, "name": {"en": indicator_id}}
    if fields.get("kind", "quantitative") == "quantitative" and "thresholds" not in fields:
        indicator["thresholds"] = [20, 35, 50, 65, 80]
    indicator.update(fields)
    return indicator


def qual(indicator_id: str, **fields: Any) -> dict[str, Any]:
    return ind(indicator_id, kind="qualitative", **fields)


def flag(indicator_id: str, **fields: Any) -> dict[str, Any]:
    return ind(indicator_id, kind="boolean", **fields)


def dirn(direction_id: str, *indicators: dict[str, Any], weight: float | None = None) -> dict[str, Any]:
    direction: dict[str, Any] = {"id": direction_id, "name": {"en": direction_id},
                                 "indicators": list(indicators)}
    if weight is not None:
        direction["weight"] = weight
    return direction


def rubric(*directions: dict[str, Any], levels: int = 5, **top: Any) -> dict[str, Any]:
    return {"id": "r", "version": "1", "title": {"en": "r"},
            "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, levels + 1)],
            "directions": list(directions), **top}


def profile(values: dict[str, Any], category: str | None = None) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "b"}
    if category is not None:
        base["category"] = category
    return {"base": base, "values": values}


def one(indicator: dict[str, Any], value: Any, **top: Any) -> dict[str, Any]:
    """Score a one-indicator rubric; return its single direction's result."""
    result = reference_score(rubric(dirn("d", indicator), **top), profile({indicator["id"]: value}))
    return dict(result["directions"]["d"])


# --- (a) item 1: indicator levels ----------------------------------------------------------------

def test_linear_interpolation() -> None:
    # thresholds 20 35 50 65 80, default floor 20 - (35 - 20) = 5
    # 42.5 lies halfway between 35 (level 2) and 50 (level 3): s = 2.5, x = 0.5, D = 50 -> level 2
    assert one(ind("a"), 42.5)["score"] == pytest.approx(50, abs=TOL)
    assert one(ind("a"), 42.5)["level"] == 2
    # 12.5 halfway between the floor 5 (level 0) and 20 (level 1): s = 0.5, D = 10
    assert one(ind("a"), 12.5)["score"] == pytest.approx(10, abs=TOL)
    # at or below the floor: 0; at or past t_L: L
    assert one(ind("a"), 5)["score"] == 0
    assert one(ind("a"), -100)["score"] == 0
    assert one(ind("a"), 80)["score"] == pytest.approx(100, abs=TOL)
    assert one(ind("a"), 1000)["score"] == pytest.approx(100, abs=TOL)
    # an explicit floor 0: 10 is halfway between 0 and 20 -> s = 0.5, D = 10
    assert one(ind("a", floor=0), 10)["score"] == pytest.approx(10, abs=TOL)
    # a value given with its source: same as the plain value
    assert one(ind("a"), {"value": 42.5, "source": "x", "confidence": 0.5})["score"] == pytest.approx(50)


def test_step_interpolation() -> None:
    # step: the largest k with v >= t_k. 49.9 has passed 35 (k = 2), not 50: s = 2, D = 40, level 2
    result = one(ind("a", interpolation="step"), 49.9)
    assert result["score"] == pytest.approx(40, abs=TOL)
    assert result["level"] == 2
    # exactly 50: k = 3, D = 60. Below 20: 0. Past 80: 5 -> 100
    assert one(ind("a", interpolation="step"), 50)["score"] == pytest.approx(60, abs=TOL)
    assert one(ind("a", interpolation="step"), 19.99)["score"] == 0
    assert one(ind("a", interpolation="step"), 99)["score"] == pytest.approx(100, abs=TOL)


def test_lower_is_better() -> None:
    # thresholds 10 8 6 4 2 (decreasing), default floor 10 - (8 - 10) = 12
    lower = ind("a", better="lower", thresholds=[10, 8, 6, 4, 2])
    # 7 lies halfway between 8 (level 2) and 6 (level 3): s = 2.5, D = 50
    assert one(lower, 7)["score"] == pytest.approx(50, abs=TOL)
    # 11 halfway between the floor 12 and t_1 = 10: s = 0.5, D = 10
    assert one(lower, 11)["score"] == pytest.approx(10, abs=TOL)
    assert one(lower, 12)["score"] == 0
    assert one(lower, 1)["score"] == pytest.approx(100, abs=TOL)
    # step, lower: 5 has reached 6 (k = 3) but not 4: D = 60
    assert one(ind("a", better="lower", thresholds=[10, 8, 6, 4, 2], interpolation="step"), 5)[
        "score"] == pytest.approx(60, abs=TOL)


def test_qualitative_and_boolean() -> None:
    # qualitative 3 of 5: x = 0.6, D = 60; boolean true: x = 1, false: x = 0
    assert one(qual("q"), 3)["score"] == pytest.approx(60, abs=TOL)
    assert one(flag("f"), True)["score"] == pytest.approx(100, abs=TOL)
    assert one(flag("f"), False)["score"] == 0
    # weighted together: q (w 1, x 0.6) and f (w 3, x 1): D = 100 · (0.6 + 3) / 4 = 90
    r = rubric(dirn("d", qual("q"), flag("f", weight=3)))
    assert reference_score(r, profile({"q": 3, "f": True}))["directions"]["d"]["score"] == pytest.approx(90)


def test_single_level_needs_floor() -> None:
    # L = 1, floor 0, t_1 = 10: 4 -> s = 0.4, D = 40, level 0 (cutoff 100)
    result = one(ind("a", thresholds=[10], floor=0), 4, levels=1)
    assert result["score"] == pytest.approx(40, abs=TOL)
    assert result["level"] == 0
    assert one(ind("a", thresholds=[10], floor=0), 10, levels=1)["level"] == 1


# --- item 4: levels and cutoffs ----------------------------------------------------------------

def test_level_cutoffs_and_tolerance() -> None:
    # custom cutoffs 16 36 56 76 96: D = 50 (s = 2.5) reaches 36, not 56 -> level 2; D = 56 -> 3
    cuts = {"level_cutoffs": [16, 36, 56, 76, 96]}
    assert one(ind("a"), 42.5, **cuts)["level"] == 2
    # s = 2.8: 35 + 0.8·15 = 47 -> D = 56 exactly (up to float error) -> level 3
    assert one(ind("a"), 47, **cuts)["level"] == 3
    # every indicator exactly at level 3 with awkward thresholds: D = 60 up to float error -> level 3
    awkward = [0.1, 0.2, 0.3, 0.4, 0.5]
    r = rubric(dirn("d", ind("a", thresholds=awkward), ind("b", thresholds=awkward, weight=0.7)))
    result = reference_score(r, profile({"a": 0.3, "b": 0.3}))
    assert result["directions"]["d"]["score"] == pytest.approx(60)
    assert result["directions"]["d"]["level"] == 3
    assert result["overall"]["level"] == 3


# --- item 5: missing values ----------------------------------------------------------------------

def test_missing_zero_versus_exclude() -> None:
    # a (w 1) at 65 -> s = 4, x = 0.8; b (w 3) missing
    # zero:    D = 100 · 0.8 / 4 = 20;  exclude: D = 100 · 0.8 / 1 = 80; completeness 1/4 either way
    r = rubric(dirn("d", ind("a"), ind("b", weight=3)))
    zero = reference_score(r, profile({"a": 65}))
    exclude = reference_score({**r, "missing": "exclude"}, profile({"a": 65, "b": None}))
    assert zero["directions"]["d"]["score"] == pytest.approx(20)
    assert exclude["directions"]["d"]["score"] == pytest.approx(80)
    assert zero["directions"]["d"]["completeness"] == pytest.approx(0.25)
    assert exclude["directions"]["d"]["completeness"] == pytest.approx(0.25)
    assert zero["overall"]["completeness"] == pytest.approx(0.25)


def test_direction_without_data_scores_zero() -> None:
    # d1 has no data: 0 under both policies, completeness 0. Overall (arithmetic): (100 + 0) / 2 = 50
    # overall completeness (1·1 + 1·0) / 2 = 0.5; balanced level min(5, 0) = 0
    r = rubric(dirn("d0", flag("f")), dirn("d1", ind("a"), qual("q")))
    for policy in ("zero", "exclude"):
        result = reference_score({**r, "missing": policy}, profile({"f": True}))
        assert result["directions"]["d1"] == {"score": 0.0, "level": 0, "uncapped_level": 0,
                                              "completeness": 0.0}
        assert result["overall"]["score"] == pytest.approx(50)
        assert result["overall"]["completeness"] == pytest.approx(0.5)
        assert result["overall"]["balanced_level"] == 0


# --- item 3: aggregation -----------------------------------------------------------------------

def two_directions(aggregation: str, weights: tuple[float, float] = (1, 1)) -> dict[str, Any]:
    return rubric(dirn("d0", qual("q0"), weight=weights[0]), dirn("d1", qual("q1"), weight=weights[1]),
                  aggregation=aggregation)


def test_arithmetic() -> None:
    # D0 = 20 (q 1), D1 = 100 (q 5), weights 1 and 3: (20 + 300) / 4 = 80 -> level 4
    result = reference_score(two_directions("arithmetic", (1, 3)), profile({"q0": 1, "q1": 5}))
    assert result["overall"]["score"] == pytest.approx(80)
    assert result["overall"]["level"] == 4
    assert result["overall"]["balanced_level"] == 1


def test_geometric() -> None:
    # qualitative levels give multiples of 20: D0 = 20, D1 = 80, weights 1, 1: √(20·80) = 40
    result = reference_score(two_directions("geometric"), profile({"q0": 1, "q1": 4}))
    assert result["overall"]["score"] == pytest.approx(40)
    # weights 1 and 3: 20^(1/4) · 80^(3/4) = 20 · 4^(3/4) = 20 · 2√2 ≈ 56.5685
    result = reference_score(two_directions("geometric", (1, 3)), profile({"q0": 1, "q1": 4}))
    assert result["overall"]["score"] == pytest.approx(40 * math.sqrt(2))
    # a zero direction makes the geometric mean 0
    result = reference_score(two_directions("geometric"), profile({"q0": 0, "q1": 5}))
    assert result["overall"]["score"] == 0
    assert result["overall"]["level"] == 0


def test_weakest() -> None:
    # min(20, 80) = 20 whatever the weights
    result = reference_score(two_directions("weakest", (5, 1)), profile({"q0": 1, "q1": 4}))
    assert result["overall"]["score"] == pytest.approx(20)
    assert result["overall"]["level"] == 1


# --- item 10: N/A --------------------------------------------------------------------------------

def test_na_indicator_leaves_its_direction() -> None:
    # a (w 1) at 80 -> x = 1; b (w 3) n/a; c (w 1) missing
    # zero: D = 100 · 1 / (1 + 1) = 50; exclude: 100 · 1 / 1 = 100; completeness 1 / 2 either way
    r = rubric(dirn("d", ind("a"), ind("b", weight=3, allow_na=True), qual("c")))
    values = {"a": 80, "b": "N/A"}
    zero = reference_score(r, profile(values))["directions"]["d"]
    exclude = reference_score({**r, "missing": "exclude"}, profile(values))["directions"]["d"]
    assert zero["score"] == pytest.approx(50)
    assert exclude["score"] == pytest.approx(100)
    assert zero["completeness"] == exclude["completeness"] == pytest.approx(0.5)
    # without allow_na, n/a is an input error
    with pytest.raises(ValueError, match="n/a"):
        reference_score(r, profile({"a": 80, "c": "n/a"}))


def na_direction_rubric(aggregation: str) -> dict[str, Any]:
    # d0 (W 1): q0 = 4 (x 0.8, w 1) and q1 missing (w 1) -> D0 = 40 (zero), completeness 0.5, level 2
    # d1 (W 2): f true -> D1 = 100, completeness 1, level 5
    # d2 (W 5): only an n/a indicator -> N/A
    return rubric(dirn("d0", qual("q0"), qual("q1"), weight=1), dirn("d1", flag("f"), weight=2),
                  dirn("d2", ind("a", allow_na=True), weight=5), aggregation=aggregation)


NA_VALUES = {"q0": 4, "f": True, "a": "n/a"}


@pytest.mark.parametrize(("aggregation", "expected"), [
    ("arithmetic", (1 * 40 + 2 * 100) / 3),      # 80 -> level 4
    ("geometric", (40 * 100 ** 2) ** (1 / 3)),   # 40^(1/3) · 100^(2/3) = 400000^(1/3) ≈ 73.68 -> 3
    ("weakest", 40.0),                           # min(40, 100) -> level 2
])
def test_na_direction_leaves_the_aggregate(aggregation: str, expected: float) -> None:
    result = reference_score(na_direction_rubric(aggregation), profile(NA_VALUES))
    assert result["directions"]["d2"] == {"score": None, "level": None, "uncapped_level": None,
                                          "completeness": None}
    assert result["overall"]["score"] == pytest.approx(expected)
    assert result["overall"]["level"] == {"arithmetic": 4, "geometric": 3, "weakest": 2}[aggregation]
    # balanced level: min(2, 5) over d0 and d1 only (d2 ignored) = 2
    assert result["overall"]["balanced_level"] == 2
    # completeness: (1 · 0.5 + 2 · 1) / 3 = 5/6 (d2's weight 5 leaves)
    assert result["overall"]["completeness"] == pytest.approx(5 / 6)


def test_every_direction_na_is_an_input_error() -> None:
    r = rubric(dirn("d", ind("a", allow_na=True)))
    with pytest.raises(ValueError, match="every direction"):
        reference_score(r, profile({"a": "n/a"}))


# --- item 9: categories ------------------------------------------------------------------------

CATEGORIES = [{"id": "big", "name": {"en": "big"}}, {"id": "small", "name": {"en": "small"}}]


def category_score(indicator: dict[str, Any], value: float, category: str | None) -> float:
    r = rubric(dirn("d", indicator), categories=CATEGORIES)
    score = reference_score(r, profile({indicator["id"]: value}, category))["directions"]["d"]["score"]
    assert score is not None
    return float(score)


def test_category_thresholds_and_floors() -> None:
    # defaults 10 20 30 40 50 (floor 0); big: 100 200 300 400 500
    plain = ind("a", thresholds=[10, 20, 30, 40, 50],
                thresholds_by_category={"big": [100, 200, 300, 400, 500]})
    # big, 150: halfway between 100 (1) and 200 (2) -> s = 1.5, D = 30
    assert category_score(plain, 150, "big") == pytest.approx(30)
    # big, no floor anywhere: default floor from big's thresholds 100 - 100 = 0; 50 -> s = 0.5, D = 10
    assert category_score(plain, 50, "big") == pytest.approx(10)
    # small and no category use the defaults: 15 -> s = 1.5, D = 30
    assert category_score(plain, 15, "small") == pytest.approx(30)
    assert category_score(plain, 15, None) == pytest.approx(30)
    # floor_by_category big = 60: 80 -> (80 - 60) / (100 - 60) = 0.5, D = 10
    with_floor = {**plain, "floor_by_category": {"big": 60}}
    assert category_score(with_floor, 80, "big") == pytest.approx(10)
    # the indicator's own floor 5 serves big when big has no floor of its own: 52.5 -> 47.5 / 95 = 0.5
    own_floor = {**plain, "floor": 5}
    assert category_score(own_floor, 52.5, "big") == pytest.approx(10)
    # ... and the defaults: 7.5 -> (7.5 - 5) / (10 - 5) = 0.5, D = 10
    assert category_score(own_floor, 7.5, "small") == pytest.approx(10)
    # lower is better per category too: big 50 40 30 20 10 (floor 60); 35 -> s = 2.5, D = 50
    lower = ind("a", better="lower", thresholds=[5, 4, 3, 2, 1],
                thresholds_by_category={"big": [50, 40, 30, 20, 10]})
    assert category_score(lower, 35, "big") == pytest.approx(50)


def test_applies_to() -> None:
    # b applies to big only. big: a at 80 (x 1), b missing -> D = 50 (zero), completeness 0.5
    # small / no category: b is N/A -> D = 100, completeness 1
    r = rubric(dirn("d", ind("a"), ind("b", applies_to=["big"])), categories=CATEGORIES)
    big = reference_score(r, profile({"a": 80}, "big"))["directions"]["d"]
    assert big["score"] == pytest.approx(50)
    assert big["completeness"] == pytest.approx(0.5)
    for category in ("small", None):
        other = reference_score(r, profile({"a": 80}, category))["directions"]["d"]
        assert other["score"] == pytest.approx(100)
        assert other["completeness"] == pytest.approx(1)
    # a value reported outside applies_to is an input error; so is an unknown category
    with pytest.raises(ValueError, match="does not apply"):
        reference_score(r, profile({"a": 80, "b": 10}, "small"))
    with pytest.raises(ValueError, match="unknown category"):
        reference_score(r, profile({"a": 80}, "huge"))


def test_direction_na_through_applies_to() -> None:
    # d1's only indicator applies to big only: for small, d1 is N/A; overall = D0 = 100
    r = rubric(dirn("d0", flag("f")), dirn("d1", ind("b", applies_to=["big"])), categories=CATEGORIES)
    result = reference_score(r, profile({"f": True}, "small"))
    assert result["directions"]["d1"]["score"] is None
    assert result["overall"]["score"] == pytest.approx(100)
    assert result["overall"]["balanced_level"] == 5


# --- item 11: gates ------------------------------------------------------------------------------

def gated(*gates: dict[str, Any]) -> dict[str, Any]:
    # d0: a (quantitative 20..80, allow_na) and f (boolean); d1: q (qualitative)
    return rubric(dirn("d0", ind("a", allow_na=True), flag("f")), dirn("d1", qual("q")),
                  gates=list(gates))


def gate(gate_id: str, indicator: str, **fields: Any) -> dict[str, Any]:
    return {"id": gate_id, "name": {"en": gate_id}, "indicator": indicator, **fields}


def statuses(r: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    return {g: v["status"] for g, v in reference_score(r, profile(values))["gates"].items()}


def test_gate_statuses() -> None:
    r = gated(gate("least", "a", at_least=50), gate("most", "a", at_most=50),
              gate("yes", "f", equals=True), gate("no", "f", equals=False), gate("three", "q", equals=3),
              gate("q2", "q", at_least=2))
    assert statuses(r, {"a": 50, "f": True, "q": 3}) == {
        "least": "passed", "most": "passed", "yes": "passed", "no": "failed", "three": "passed",
        "q2": "passed"}
    # within 1e-9 of the bound still passes; beyond it fails
    assert statuses(r, {"a": 50 - 1e-11, "f": False, "q": 1}) == {
        "least": "passed", "most": "passed", "yes": "failed", "no": "passed", "three": "failed",
        "q2": "failed"}
    assert statuses(r, {"a": 49.99, "f": False, "q": 4})["least"] == "failed"
    assert statuses(r, {"a": 50.01, "f": False, "q": 4})["most"] == "failed"
    # missing -> unknown; n/a -> n/a
    assert statuses(r, {"a": "n/a"}) == {
        "least": "n/a", "most": "n/a", "yes": "unknown", "no": "unknown", "three": "unknown",
        "q2": "unknown"}
    # caps default 0 and scope default overall
    assert reference_score(r, profile({}))["gates"]["least"] == {"status": "unknown", "caps": 0,
                                                                  "scope": "overall"}


def test_gate_na_through_applies_to() -> None:
    r = rubric(dirn("d0", flag("f"), ind("b", applies_to=["big"])), categories=CATEGORIES,
               gates=[gate("g", "b", at_least=50, caps=1)])
    # small: b is N/A, so g is n/a and does not cap: all of d0 is f = true -> level 5
    result = reference_score(r, profile({"f": True}, "small"))
    assert result["gates"]["g"]["status"] == "n/a"
    assert result["overall"]["level"] == 5
    # big, b missing: unknown -> caps overall at 1. D0 = 50 (zero), level 2 -> 1; balanced 2 -> 1
    result = reference_score(r, profile({"f": True}, "big"))
    assert result["gates"]["g"]["status"] == "unknown"
    assert result["overall"]["score"] == pytest.approx(50)
    assert (result["overall"]["level"], result["overall"]["uncapped_level"]) == (1, 2)
    assert result["overall"]["balanced_level"] == 1


def test_direction_and_overall_caps() -> None:
    # every indicator at the top: D0 = D1 = 100, level 5 everywhere before caps
    full = {"a": 80, "f": True, "q": 5}
    # a direction gate on d0 (caps 2) that fails: d0 level 2 (uncapped 5); overall stays 5;
    # balanced = min(2, 5) = 2
    r = gated(gate("g", "f", equals=False, caps=2, scope="d0"))
    result = reference_score(r, profile(full))
    assert result["directions"]["d0"]["level"] == 2
    assert result["directions"]["d0"]["uncapped_level"] == 5
    assert result["directions"]["d1"]["level"] == 5
    assert (result["overall"]["level"], result["overall"]["uncapped_level"]) == (5, 5)
    assert result["overall"]["balanced_level"] == 2
    # gates never change scores
    assert result["directions"]["d0"]["score"] == pytest.approx(100)
    assert result["overall"]["score"] == pytest.approx(100)

    # an overall gate (caps 3) failing: overall 3 (uncapped 5); directions untouched; balanced min(5,5)=5 -> 3
    r = gated(gate("g", "q", at_most=4, caps=3))
    result = reference_score(r, profile(full))
    assert (result["overall"]["level"], result["overall"]["uncapped_level"]) == (3, 5)
    assert result["directions"]["d0"]["level"] == result["directions"]["d1"]["level"] == 5
    assert result["overall"]["balanced_level"] == 3

    # both: d0 capped at 2, overall at 3 -> overall 3, balanced min(min(2, 5), 3) = 2
    r = gated(gate("g1", "f", equals=False, caps=2, scope="d0"), gate("g2", "q", at_most=4, caps=3))
    result = reference_score(r, profile(full))
    assert result["overall"]["level"] == 3
    assert result["overall"]["balanced_level"] == 2

    # two failing gates of one scope: the lower cap wins (default caps 0 beats 4)
    r = gated(gate("g1", "q", at_most=4, caps=4), gate("g2", "a", at_most=10))
    result = reference_score(r, profile(full))
    assert result["overall"]["level"] == 0
    assert result["overall"]["balanced_level"] == 0

    # a passed gate caps nothing; a cap above the level changes nothing
    r = gated(gate("g1", "q", at_least=5, caps=0), gate("g2", "a", at_most=10, caps=5))
    result = reference_score(r, profile(full))
    assert result["overall"]["level"] == result["overall"]["balanced_level"] == 5


# --- (b) and (c): cross-checks against the engine -----------------------------------------------

def engine_result(r: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """The engine's unrounded scorecard as plain data (``to_dict()`` rounds to 6 decimals)."""
    card = upgrade_score.score(upgrade_score.Rubric.model_validate(r),
                               upgrade_score.BaseProfile.model_validate(p))
    data: dict[str, Any] = card.model_dump(mode="json")
    return data


def close(got: Any, expected: Any, what: str) -> None:
    if expected is None or got is None:
        assert got is None and expected is None, f"{what}: engine {got!r}, reference {expected!r}"
    else:
        assert math.isclose(got, expected, rel_tol=0, abs_tol=TOL), (
            f"{what}: engine {got!r}, reference {expected!r}")


def _uncapped(result: dict[str, Any]) -> None:
    """Without gates the engine leaves ``uncapped_level`` out (v1 output keeps its bytes): it is
    the level itself."""
    for part in (result["overall"], *result["directions"].values()):
        if part.get("uncapped_level") is None:
            part["uncapped_level"] = part["level"]


def compare(engine: dict[str, Any], reference: dict[str, Any], v2: bool) -> None:
    _uncapped(engine)
    overall_keys = ["score", "level", "balanced_level", "completeness"] + (["uncapped_level"] if v2 else [])
    direction_keys = ["score", "level", "completeness"] + (["uncapped_level"] if v2 else [])
    for key in overall_keys:
        close(engine["overall"][key], reference["overall"][key], f"overall.{key}")
    assert set(engine["directions"]) == set(reference["directions"])
    for direction_id, expected in reference["directions"].items():
        for key in direction_keys:
            close(engine["directions"][direction_id][key], expected[key], f"directions.{direction_id}.{key}")
    if v2:
        gates = engine.get("gates") or {}
        assert set(gates) == set(reference["gates"])
        for gate_id, expected in reference["gates"].items():
            for key, value in expected.items():
                assert gates[gate_id][key] == value, f"gates.{gate_id}.{key}"


CROSSCHECK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _cases(draw: st.DrawFn, v1_only: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    r = draw(rubrics_v2(v1_only=v1_only))
    return r, draw(profiles_for(r))


@CROSSCHECK
@given(_cases(v1_only=True))
def test_engine_matches_reference_v1(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    r, p = case
    compare(engine_result(r, p), reference_score(r, p), v2=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases(v1_only=False))
def test_engine_matches_reference_v2(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    r, p = case
    compare(engine_result(r, p), reference_score(r, p), v2=True)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases(v1_only=False))
def test_reference_is_consistent_on_random_v2_cases(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The strategies make valid cases, and the reference keeps the contract's invariants on them."""
    r, p = case
    result = reference_score(r, p)
    overall = result["overall"]
    assert 0 <= overall["score"] <= 100 + TOL
    assert 0 <= overall["completeness"] <= 1 + TOL
    assert overall["level"] <= overall["uncapped_level"]
    scored = [d for d in result["directions"].values() if d["score"] is not None]
    assert scored, "the strategy never makes every direction N/A"
    assert overall["balanced_level"] <= min(d["level"] for d in scored)
    for d in result["directions"].values():
        if d["score"] is None:
            assert d == {"score": None, "level": None, "uncapped_level": None, "completeness": None}
        else:
            assert d["level"] <= d["uncapped_level"]
    assert all(g["status"] in ("passed", "failed", "unknown", "n/a") for g in result["gates"].values())
    # gates change levels, never scores: without them every level is the uncapped one
    ungated = reference_score({k: v for k, v in r.items() if k != "gates"}, p)
    assert ungated["overall"]["score"] == overall["score"]
    assert ungated["overall"]["level"] == overall["uncapped_level"]
    for direction_id, d in result["directions"].items():
        assert ungated["directions"][direction_id]["score"] == d["score"]
        assert ungated["directions"][direction_id]["level"] == d["uncapped_level"]
