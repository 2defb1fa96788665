"""A plain-Python scorer of the contract (design.md, points 1–5 and 9–13), one base at a time.

Written from design.md alone: it reads the rubric and the profile as plain data
(``Rubric.model_dump()``, ``BaseProfile.model_dump()``), shares no code with the library and uses
no numpy. It is the reference the small-N figures of ``run_all.py`` are measured against (``score``
of one base ≤ 3×, ``gap`` ≤ 20× this scorer), and it agrees with the library to 1e-9 on the
default rubric and the examples (``python benchmarks/reference_scorer.py`` checks that).

Covered: linear and step levels, better = lower, qualitative and boolean indicators, categories
(applies_to, thresholds and floors by category), N/A, both missing policies, the three
aggregations, level cutoffs with the 1e-9 tolerance, the balanced level, completeness, gates,
inputs with enterprise roll-ups and formulas. Not covered: AHP weights (the weights are read as
given), and input errors are not looked for (give it valid profiles).
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

TOL = 1e-9
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|([A-Za-z_][\w]*)|(.))")


def _tokens(text: str) -> list[str]:
    return [number or name or symbol for number, name, symbol in _TOKEN.findall(text)
            if (number or name or symbol).strip()]


def formula(text: str, values: dict[str, float | None]) -> float | None:
    """Numbers, names, + - * /, unary minus and parentheses; None if an operand is missing or a
    denominator is 0."""
    tokens, position = _tokens(text), 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def atom() -> float | None:
        token = take()
        if token == "-":
            value = atom()
            return None if value is None else -value
        if token == "(":
            value = expression()
            take()  # ")"
            return value
        if token[0].isdigit():
            return float(token)
        return values.get(token)

    def term() -> float | None:
        value = atom()
        while peek() in ("*", "/"):
            operator, right = take(), atom()
            if value is None or right is None or (operator == "/" and right == 0):
                value = None
            else:
                value = value * right if operator == "*" else value / right
        return value

    def expression() -> float | None:
        value = term()
        while peek() in ("+", "-"):
            operator, right = take(), term()
            value = None if value is None or right is None else (
                value + right if operator == "+" else value - right)
        return value

    return expression()


def _number(given: Any) -> Any:
    return given["value"] if isinstance(given, dict) else given


def _inputs(rubric: dict[str, Any], profile: dict[str, Any]) -> dict[str, float | None]:
    """Reported inputs and the roll-ups of the enterprise rows (design point 13)."""
    found: dict[str, float | None] = {}
    rows = profile.get("enterprises") or []
    for item in rubric.get("inputs") or []:
        rollup = item.get("rollup")
        if rollup is None:
            value = _number(profile["values"].get(item["id"]))
            found[item["id"]] = None if value is None else float(value)
        elif rollup.get("count") == "all":
            found[item["id"]] = float(len(rows)) if rows else None
        elif rollup.get("count_where"):
            given = [row[rollup["count_where"]] for row in rows if row.get(rollup["count_where"]) is not None]
            found[item["id"]] = float(sum(1 for v in given if v)) if given else None
        elif rollup.get("sum"):
            given = [row[rollup["sum"]] for row in rows if row.get(rollup["sum"]) is not None]
            found[item["id"]] = float(sum(given)) if given else None
        else:  # weighted mean
            field, weight = rollup["mean"], rollup.get("weight")
            pairs = [(row[field], row[weight] if weight else 1.0) for row in rows
                     if row.get(field) is not None and (not weight or row.get(weight) is not None)]
            total = sum(w for _, w in pairs)
            found[item["id"]] = sum(v * w for v, w in pairs) / total if pairs and total else None
    return found


def level_of(indicator: dict[str, Any], value: float, levels: int, category: str | None) -> float:
    """Design point 1 (with point 9's thresholds by category): s in [0, L]."""
    kind = indicator.get("kind") or "quantitative"
    if kind == "qualitative":
        return float(value)
    if kind == "boolean":
        return float(levels) if value else 0.0
    thresholds = list((indicator.get("thresholds_by_category") or {}).get(category)
                      or indicator["thresholds"])
    floor = (indicator.get("floor_by_category") or {}).get(category)
    if floor is None and category not in (indicator.get("thresholds_by_category") or {}):
        floor = indicator.get("floor")
    if floor is None:
        floor = thresholds[0] - (thresholds[1] - thresholds[0])
    if indicator.get("better") == "lower":
        value, thresholds, floor = -value, [-t for t in thresholds], -floor
    if indicator.get("interpolation") == "step":
        return float(sum(1 for t in thresholds if value >= t))
    if value <= floor:
        return 0.0
    if value >= thresholds[-1]:
        return float(levels)
    points = [floor, *thresholds]
    k = next(k for k in range(1, levels + 1) if value <= points[k])
    return (k - 1) + (value - points[k - 1]) / (points[k] - points[k - 1])


def maturity(score: float, cutoffs: list[float]) -> int:
    return sum(1 for c in cutoffs if score >= c - TOL)


def score_base(rubric: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any]:
    """Every number of one base's scorecard: indicator levels, direction scores, levels and
    completeness, the overall score, level, balanced level and completeness, gate statuses."""
    levels = len(rubric["levels"])
    cutoffs = rubric.get("level_cutoffs") or [100.0 * k / levels for k in range(1, levels + 1)]
    category = profile["base"].get("category")
    inputs = _inputs(rubric, profile) if rubric.get("inputs") else {}
    values: dict[str, Any] = {}
    indicator_levels: dict[str, float | None] = {}
    directions: dict[str, tuple[float | None, int | None, float | None]] = {}
    for direction in rubric["directions"]:
        points = weights = present = 0.0
        for indicator in direction["indicators"]:
            applies = indicator.get("applies_to") is None or category in indicator["applies_to"]
            value = (formula(indicator["formula"], inputs) if indicator.get("formula")
                     else _number(profile["values"].get(indicator["id"])))
            values[indicator["id"]] = value
            if not applies or (isinstance(value, str) and value.lower() == "n/a"):
                indicator_levels[indicator["id"]] = None
                values[indicator["id"]] = "n/a"
                continue
            weight = indicator["weight"]
            if value is None:
                indicator_levels[indicator["id"]] = None
                weights += 0.0 if rubric.get("missing") == "exclude" else weight
                continue
            level = level_of(indicator, value, levels, category)
            indicator_levels[indicator["id"]] = level
            points += weight * level / levels
            weights += weight
            present += weight
        total = sum(i["weight"] for i in direction["indicators"]
                    if values[i["id"]] != "n/a")
        if total == 0:
            directions[direction["id"]] = (None, None, None)
            continue
        score = min(100.0, max(0.0, 100.0 * points / weights)) if weights else 0.0
        directions[direction["id"]] = (score, maturity(score, cutoffs), present / total)
    shown = [(d["weight"], directions[d["id"]]) for d in rubric["directions"]
             if directions[d["id"]][0] is not None]
    total_weight = sum(w for w, _ in shown)
    if rubric.get("aggregation") == "geometric":
        overall = 0.0 if any(s == 0 for _, (s, _, _) in shown) else math.exp(
            sum(w / total_weight * math.log(s) for w, (s, _, _) in shown))  # type: ignore[arg-type]
    elif rubric.get("aggregation") == "weakest":
        overall = min(s for _, (s, _, _) in shown)  # type: ignore[type-var]
    else:
        overall = sum(w * s for w, (s, _, _) in shown) / total_weight  # type: ignore[operator]
    overall = min(100.0, max(0.0, overall))
    completeness = sum(w * c for w, (_, _, c) in shown) / total_weight  # type: ignore[operator]
    direction_levels = {d: lv for d, (_, lv, _) in directions.items()}
    overall_level = maturity(overall, cutoffs)
    gates = _gates(rubric, values, direction_levels)
    caps = min([levels, *(g["caps"] for g in gates.values()
                          if g["status"] in ("failed", "unknown") and g["scope"] == "overall")])
    capped_overall = min(overall_level, caps)
    balanced = min([caps, *(lv for lv in direction_levels.values() if lv is not None)])
    return {"indicators": indicator_levels, "directions": directions,
            "direction_levels": direction_levels, "overall": overall, "level": capped_overall,
            "balanced_level": balanced, "completeness": completeness,
            "gates": {g: v["status"] for g, v in gates.items()}}


def _gates(rubric: dict[str, Any], values: dict[str, Any],
           direction_levels: dict[str, int | None]) -> dict[str, dict[str, Any]]:
    """Design point 11: each gate's status; direction-scope caps change ``direction_levels``."""
    found = {}
    for gate in rubric.get("gates") or []:
        value = values.get(gate["indicator"])
        if value == "n/a":
            status = "n/a"
        elif value is None:
            status = "unknown"
        elif gate.get("at_least") is not None:
            status = "passed" if value >= gate["at_least"] - TOL else "failed"
        elif gate.get("at_most") is not None:
            status = "passed" if value <= gate["at_most"] + TOL else "failed"
        else:
            status = "passed" if abs(float(value) - float(gate["equals"])) <= TOL else "failed"
        scope = gate.get("scope") or "overall"
        found[gate["id"]] = {"status": status, "caps": gate.get("caps") or 0, "scope": scope}
        current = direction_levels.get(scope)
        if scope != "overall" and status in ("failed", "unknown") and current is not None:
            direction_levels[scope] = min(current, gate.get("caps") or 0)
    return found


def disagreements(card: Any, reference: dict[str, Any]) -> list[str]:
    """Where a library scorecard and this scorer differ (beyond 1e-9)."""
    found = []

    def close(a: float | None, b: float | None) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= TOL)

    if not close(card.overall.score, reference["overall"]):
        found.append(f"overall {card.overall.score} != {reference['overall']}")
    if card.overall.level != reference["level"] or card.overall.balanced_level != reference["balanced_level"]:
        found.append("overall or balanced level")
    if not close(card.overall.completeness, reference["completeness"]):
        found.append("completeness")
    for direction_id, result in card.directions.items():
        score, _, completeness = reference["directions"][direction_id]
        if not (close(result.score, score) and close(result.completeness, completeness)
                and result.level == reference["direction_levels"][direction_id]):
            found.append(f"direction {direction_id}")
    for indicator_id, result in card.indicators.items():
        if not close(result.level, reference["indicators"][indicator_id]):
            found.append(f"indicator {indicator_id}")
    for gate_id, result in (card.gates or {}).items():
        if result.status != reference["gates"][gate_id]:
            found.append(f"gate {gate_id}")
    return found


def main() -> int:
    """Check the agreement on the default rubric (every example base) and the language-2 example."""
    from pathlib import Path

    from upgrade_score import load_profiles, load_rubric, score

    root = Path(__file__).resolve().parents[1]
    examples = root / "examples" / "rubrics"
    cases = [(None, root / "examples" / "bases"),
             (examples / "categories_and_gates.yaml", examples / "bases")]
    bad = 0
    for rubric_path, folder in cases:
        rubric = load_rubric(rubric_path)
        plain = rubric.model_dump()
        for profile in load_profiles(folder):
            problems = disagreements(score(rubric, profile), score_base(plain, profile.model_dump()))
            bad += len(problems)
            print(f"{rubric.id} {profile.id}: {problems or 'agrees to 1e-9'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
