"""A reference implementation of the scoring contract, for cross-checking the engine.

Written from design.md only ("Semantics" 1-5 and "Rubric language 2" 9-11), in plain Python, one
base at a time and one rule per function. It reads the rubric and the profile as plain data (the
dicts a YAML parser returns) and imports nothing from ``upgrade_score``.

Interpretation decisions (the team's, recorded here so that a reader need not guess):

- tolerance: a score reaches cutoff c_k when score >= c_k - 1e-9; a gate's at_least / at_most /
  equals compare with the same 1e-9 tolerance (booleans compare as true/false, qualitative values
  as integer levels). Step interpolation ("v at or past t_k") compares exactly.
- an N/A indicator leaves numerator, denominator and completeness denominator of its direction;
  a direction whose every indicator is N/A is N/A (all its numbers None) and leaves the overall
  aggregate, the overall completeness and the balanced level.
- a gate that is failed or unknown caps the level of its scope; n/a gates never cap. An overall
  gate caps the overall and the balanced level; a direction gate caps that direction's level (an
  N/A direction stays None) and so, through the minimum, the balanced level. Scores never change.
- thresholds_by_category replaces thresholds; the floor in effect is floor_by_category[cat], else
  the indicator's own floor, else the default floor t_1 - (t_2 - t_1) of the thresholds in effect.

Input errors this module notices (a value reported for an indicator outside its ``applies_to``,
``n/a`` where ``allow_na`` is not set, an unknown category, every direction N/A) raise ValueError.
"""

from __future__ import annotations

import math
from typing import Any

TOLERANCE = 1e-9
NA = "n/a"


# --- small readers of the plain rubric / profile data ---------------------------------------

def level_count(rubric: dict[str, Any]) -> int:
    """L, the number of maturity levels."""
    return len(rubric["levels"])


def cutoffs(rubric: dict[str, Any]) -> list[float]:
    """Score needed for level 1..L: the rubric's ``level_cutoffs`` or 100·k/L."""
    count = level_count(rubric)
    given = rubric.get("level_cutoffs")
    if given is not None:
        return [float(c) for c in given]
    return [100.0 * k / count for k in range(1, count + 1)]


def raw_value(profile: dict[str, Any], indicator_id: str) -> Any:
    """The reported value of an indicator: a scalar, "n/a", or None when missing.

    A value may be given plainly or as ``{value: x, source: ..., confidence: ...}``.
    """
    reported = (profile.get("values") or {}).get(indicator_id)
    if isinstance(reported, dict):
        reported = reported.get("value")
    if isinstance(reported, float) and math.isnan(reported):
        return None
    return reported


def is_na_text(value: Any) -> bool:
    """True for the literal string ``n/a`` in any letter case."""
    return isinstance(value, str) and value.lower() == NA


def base_category(rubric: dict[str, Any], profile: dict[str, Any]) -> str | None:
    """The base's category id, or None when it names none. An unknown id is an input error."""
    category = (profile.get("base") or {}).get("category")
    if category is None:
        return None
    known = {c["id"] for c in rubric.get("categories") or []}
    if category not in known:
        raise ValueError(f"unknown category {category!r} (known: {sorted(known)})")
    return str(category)


# --- item 1: indicator level ----------------------------------------------------------------

def thresholds_in_effect(indicator: dict[str, Any], category: str | None) -> list[float]:
    """The thresholds t_1..t_L for a base of ``category`` (item 9: per-category thresholds)."""
    by_category = indicator.get("thresholds_by_category") or {}
    if category is not None and category in by_category:
        return [float(t) for t in by_category[category]]
    return [float(t) for t in indicator["thresholds"]]


def floor_in_effect(indicator: dict[str, Any], category: str | None) -> float:
    """The value scoring level 0: per-category floor, else own floor, else t_1 - (t_2 - t_1)."""
    by_category = indicator.get("floor_by_category") or {}
    if category is not None and category in by_category:
        return float(by_category[category])
    if indicator.get("floor") is not None:
        return float(indicator["floor"])
    t = thresholds_in_effect(indicator, category)
    return t[0] - (t[1] - t[0])


def linear_level(v: float, points: list[float]) -> float:
    """Piecewise-linear level through (points[k], k), k = 0..L, for increasing points.

    0 at or below points[0], L at or above points[L].
    """
    top = len(points) - 1
    if v <= points[0]:
        return 0.0
    if v >= points[top]:
        return float(top)
    for k in range(1, top + 1):
        if v <= points[k]:
            lo, hi = points[k - 1], points[k]
            return (k - 1) + (v - lo) / (hi - lo)
    return float(top)  # not reached


def step_level(v: float, thresholds: list[float]) -> float:
    """The largest k with v at or past t_k (thresholds increasing), 0 if none."""
    reached = 0
    for k, t in enumerate(thresholds, start=1):
        if v >= t:
            reached = k
    return float(reached)


def quantitative_level(indicator: dict[str, Any], v: float, category: str | None) -> float:
    """Item 1 for a number: linear or step, better higher or lower (lower mirrors higher)."""
    thresholds = thresholds_in_effect(indicator, category)
    floor = floor_in_effect(indicator, category)
    if indicator.get("better", "higher") == "lower":
        # mirror: negate the value and every point, which turns decreasing into increasing
        v, thresholds, floor = -v, [-t for t in thresholds], -floor
    if indicator.get("interpolation", "linear") == "step":
        return step_level(v, thresholds)
    return linear_level(v, [floor, *thresholds])


def indicator_level(indicator: dict[str, Any], value: Any, levels: int, category: str | None) -> float:
    """s in [0, L] for a reported (present, applicable) value."""
    kind = indicator.get("kind", "quantitative")
    if kind == "boolean":
        return float(levels) if bool(value) else 0.0
    if kind == "qualitative":
        return float(int(value))
    return quantitative_level(indicator, float(value), category)


# --- applicability (items 9-10) ---------------------------------------------------------------

def is_applicable(indicator: dict[str, Any], category: str | None) -> bool:
    """False when ``applies_to`` is set and the base's category is not in it (or it has none)."""
    applies_to = indicator.get("applies_to")
    if applies_to is None:
        return True
    return category is not None and category in applies_to


def indicator_status(indicator: dict[str, Any], profile: dict[str, Any],
                     category: str | None) -> tuple[str, Any]:
    """("na", None), ("missing", None) or ("present", value) for one indicator of one base."""
    value = raw_value(profile, indicator["id"])
    if not is_applicable(indicator, category):
        if value is not None:
            raise ValueError(f"{indicator['id']}: does not apply to category {category!r}; "
                             "report no value")
        return "na", None
    if is_na_text(value):
        if not indicator.get("allow_na", False):
            raise ValueError(f"{indicator['id']}: n/a is not allowed")
        return "na", None
    if value is None:
        return "missing", None
    return "present", value


# --- item 2 and 5: direction score and completeness --------------------------------------------

def direction_result(direction: dict[str, Any], profile: dict[str, Any], missing: str,
                     levels: int, category: str | None) -> dict[str, Any]:
    """Score (0-100) and completeness of one direction, or all None when every indicator is N/A.

    zero:    D = 100 · Σ_present w·x / Σ_applicable w
    exclude: D = 100 · Σ_present w·x / Σ_present w   (0 when nothing is present)
    completeness = Σ_present w / Σ_applicable w
    """
    applicable_weight = 0.0
    present_weight = 0.0
    points = 0.0  # Σ w·x over present indicators
    for indicator in direction["indicators"]:
        status, value = indicator_status(indicator, profile, category)
        if status == "na":
            continue
        weight = float(indicator.get("weight", 1.0))
        applicable_weight += weight
        if status == "present":
            present_weight += weight
            points += weight * indicator_level(indicator, value, levels, category) / levels
    if applicable_weight == 0.0:
        return {"score": None, "completeness": None}
    completeness = present_weight / applicable_weight
    if present_weight == 0.0:
        return {"score": 0.0, "completeness": completeness}
    denominator = applicable_weight if missing == "zero" else present_weight
    return {"score": 100.0 * points / denominator, "completeness": completeness}


# --- item 3: overall score -------------------------------------------------------------------

def aggregate(scores: list[float], weights: list[float], method: str) -> float:
    """Arithmetic or geometric weighted mean, or the minimum, of the (non-N/A) direction scores."""
    if method == "weakest":
        return min(scores)
    total = sum(weights)
    if method == "geometric":
        if any(s == 0.0 for s in scores):
            return 0.0
        product = 1.0
        for s, w in zip(scores, weights):
            product *= s ** (w / total)
        return product
    return sum(s * w for s, w in zip(scores, weights)) / total


# --- item 4: levels --------------------------------------------------------------------------

def maturity_level(score: float, cuts: list[float]) -> int:
    """The largest k with score >= c_k - 1e-9 (0 when none)."""
    reached = 0
    for k, cutoff in enumerate(cuts, start=1):
        if score >= cutoff - TOLERANCE:
            reached = k
    return reached


# --- item 11: gates --------------------------------------------------------------------------

def find_indicator(rubric: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    """The indicator with this id, wherever it is."""
    for direction in rubric["directions"]:
        for indicator in direction["indicators"]:
            if indicator["id"] == indicator_id:
                return dict(indicator)
    raise KeyError(indicator_id)


def condition_met(gate: dict[str, Any], kind: str, value: Any) -> bool:
    """Whether a present value meets the gate's at_least / at_most / equals (1e-9 tolerance)."""
    if kind == "boolean":
        number = 1.0 if bool(value) else 0.0
    elif kind == "qualitative":
        number = float(int(value))
    else:
        number = float(value)
    if "at_least" in gate:
        return number >= float(gate["at_least"]) - TOLERANCE
    if "at_most" in gate:
        return number <= float(gate["at_most"]) + TOLERANCE
    expected = gate["equals"]
    if kind == "boolean":
        return bool(value) == bool(expected)
    if kind == "qualitative":
        return int(value) == int(expected)
    return abs(number - float(expected)) <= TOLERANCE


def gate_status(gate: dict[str, Any], rubric: dict[str, Any], profile: dict[str, Any],
                category: str | None) -> str:
    """passed | failed | unknown (missing) | n/a (its indicator is N/A for this base)."""
    indicator = find_indicator(rubric, gate["indicator"])
    status, value = indicator_status(indicator, profile, category)
    if status == "na":
        return "n/a"
    if status == "missing":
        return "unknown"
    return "passed" if condition_met(gate, indicator.get("kind", "quantitative"), value) else "failed"


def gate_results(rubric: dict[str, Any], profile: dict[str, Any], category: str | None) -> dict[str, Any]:
    """Status, cap (default 0) and scope (default overall) of every gate."""
    results = {}
    for gate in rubric.get("gates") or []:
        results[gate["id"]] = {
            "status": gate_status(gate, rubric, profile, category),
            "caps": int(gate.get("caps", 0)),
            "scope": gate.get("scope", "overall"),
        }
    return results


def cap_for(scope: str, gates: dict[str, Any]) -> int | None:
    """The lowest cap of the gates of ``scope`` that did not pass (None when none caps)."""
    caps = [g["caps"] for g in gates.values() if g["scope"] == scope and g["status"] in ("failed", "unknown")]
    return min(caps) if caps else None


def capped(level: int, cap: int | None) -> int:
    """A level held at or below a gate's cap."""
    return level if cap is None else min(level, cap)


# --- the whole scorecard ---------------------------------------------------------------------

def reference_score(rubric: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any]:
    """Score one base: overall, per direction, and per gate (see the module docstring)."""
    levels = level_count(rubric)
    cuts = cutoffs(rubric)
    missing = rubric.get("missing", "zero")
    category = base_category(rubric, profile)
    gates = gate_results(rubric, profile, category)

    directions: dict[str, Any] = {}
    for direction in rubric["directions"]:
        result = direction_result(direction, profile, missing, levels, category)
        if result["score"] is None:
            directions[direction["id"]] = {"score": None, "level": None, "uncapped_level": None,
                                           "completeness": None}
            continue
        uncapped = maturity_level(result["score"], cuts)
        directions[direction["id"]] = {
            "score": result["score"],
            "level": capped(uncapped, cap_for(direction["id"], gates)),
            "uncapped_level": uncapped,
            "completeness": result["completeness"],
        }

    applicable = [d for d in rubric["directions"] if directions[d["id"]]["score"] is not None]
    if not applicable:
        raise ValueError("every direction is N/A for this base")
    scores = [directions[d["id"]]["score"] for d in applicable]
    weights = [float(d.get("weight", 1.0)) for d in applicable]
    overall_score = aggregate(scores, weights, rubric.get("aggregation", "arithmetic"))
    completeness = sum(directions[d["id"]]["completeness"] * w
                       for d, w in zip(applicable, weights)) / sum(weights)

    overall_cap = cap_for("overall", gates)
    uncapped_level = maturity_level(overall_score, cuts)
    balanced = min(directions[d["id"]]["level"] for d in applicable)
    return {
        "overall": {
            "score": overall_score,
            "level": capped(uncapped_level, overall_cap),
            "uncapped_level": uncapped_level,
            "balanced_level": capped(balanced, overall_cap),
            "completeness": completeness,
        },
        "directions": directions,
        "gates": gates,
    }
