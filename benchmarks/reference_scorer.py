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


Formula = tuple[Any, ...]  # ("number", x) | ("name", id) | ("minus", f) | (operator, left, right)


def parse_formula(text: str) -> Formula:
    """Numbers, names, + - * /, unary minus and parentheses, parsed once into a tree."""
    tokens, position = _tokens(text), 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def atom() -> Formula:
        token = take()
        if token == "-":
            return ("minus", atom())
        if token == "(":
            inner = expression()
            take()  # ")"
            return inner
        return ("number", float(token)) if token[0].isdigit() else ("name", token)

    def term() -> Formula:
        tree = atom()
        while peek() in ("*", "/"):
            tree = (take(), tree, atom())
        return tree

    def expression() -> Formula:
        tree = term()
        while peek() in ("+", "-"):
            tree = (take(), tree, term())
        return tree

    return expression()


def evaluate(tree: Formula, values: dict[str, float | None]) -> float | None:
    """A parsed formula's value; None if an operand is missing or a denominator is 0."""
    kind = tree[0]
    if kind == "number":
        return tree[1]  # type: ignore[no-any-return]
    if kind == "name":
        return values.get(tree[1])
    if kind == "minus":
        inner = evaluate(tree[1], values)
        return None if inner is None else -inner
    left, right = evaluate(tree[1], values), evaluate(tree[2], values)
    if left is None or right is None or (kind == "/" and right == 0):
        return None
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    return left * right if kind == "*" else left / right


def formula(text: str, values: dict[str, float | None]) -> float | None:
    """A formula's value from its text (parsed on every call)."""
    return evaluate(parse_formula(text), values)


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


Scale = tuple[float, list[float], float, bool]  # (sign, signed thresholds, signed floor, step)


def _scale(indicator: dict[str, Any], category: str | None) -> Scale:
    """Design point 1 with point 9: the thresholds and floor a base of ``category`` is held to,
    negated where lower is better (so that higher is better)."""
    by_category = indicator.get("thresholds_by_category") or {}
    thresholds = list(by_category.get(category) or indicator["thresholds"])
    floor = (indicator.get("floor_by_category") or {}).get(category)
    if floor is None and category not in by_category:
        floor = indicator.get("floor")
    if floor is None:
        floor = thresholds[0] - (thresholds[1] - thresholds[0])
    sign = -1.0 if indicator.get("better") == "lower" else 1.0
    return sign, [sign * t for t in thresholds], sign * floor, indicator.get("interpolation") == "step"


def _level(scale: Scale, value: float, levels: int) -> float:
    sign, thresholds, floor, step = scale
    value = sign * value
    if step:
        return float(sum(1 for t in thresholds if value >= t))
    if value <= floor:
        return 0.0
    if value >= thresholds[-1]:
        return float(levels)
    points = [floor, *thresholds]
    k = next(k for k in range(1, levels + 1) if value <= points[k])
    return (k - 1) + (value - points[k - 1]) / (points[k] - points[k - 1])


def level_of(indicator: dict[str, Any], value: float, levels: int, category: str | None) -> float:
    """Design point 1 (with point 9's thresholds by category): s in [0, L]."""
    kind = indicator.get("kind") or "quantitative"
    if kind == "qualitative":
        return float(value)
    if kind == "boolean":
        return float(levels) if value else 0.0
    return _level(_scale(indicator, category), value, levels)


def maturity(score: float, cutoffs: list[float]) -> int:
    return sum(1 for c in cutoffs if score >= c - TOL)


class Prepared:
    """What a rubric's plain data gives once (as any scorer of many bases would keep): formulas
    parsed, each indicator's scale per category, the level cutoffs."""

    def __init__(self, rubric: dict[str, Any]) -> None:
        self.rubric = rubric
        self.levels = len(rubric["levels"])
        self.cutoffs = rubric.get("level_cutoffs") or [100.0 * k / self.levels
                                                       for k in range(1, self.levels + 1)]
        self.formulas = {i["id"]: parse_formula(i["formula"]) for d in rubric["directions"]
                         for i in d["indicators"] if i.get("formula")}
        self._scales: dict[tuple[str, str | None], Scale] = {}

    def level(self, indicator: dict[str, Any], value: float, category: str | None) -> float:
        kind = indicator.get("kind") or "quantitative"
        if kind == "qualitative":
            return float(value)
        if kind == "boolean":
            return float(self.levels) if value else 0.0
        key = (indicator["id"], category)
        scale = self._scales.get(key)
        if scale is None:
            scale = self._scales[key] = _scale(indicator, category)
        return _level(scale, value, self.levels)


def score_base(rubric: dict[str, Any] | Prepared, profile: dict[str, Any]) -> dict[str, Any]:
    """Every number of one base's scorecard: indicator levels, direction scores, levels and
    completeness, the overall score, level, balanced level and completeness, gate statuses.
    ``rubric``: its plain data, or :class:`Prepared` from it (kept for many bases)."""
    prepared = rubric if isinstance(rubric, Prepared) else Prepared(rubric)
    plain, levels, cutoffs = prepared.rubric, prepared.levels, prepared.cutoffs
    category = profile["base"].get("category")
    inputs = _inputs(plain, profile) if plain.get("inputs") else {}
    values: dict[str, Any] = {}
    indicator_levels: dict[str, float | None] = {}
    directions: dict[str, tuple[float | None, int | None, float | None]] = {}
    for direction in plain["directions"]:
        points = weights = present = total = 0.0
        for indicator in direction["indicators"]:
            applies = indicator.get("applies_to") is None or category in indicator["applies_to"]
            tree = prepared.formulas.get(indicator["id"])
            value = evaluate(tree, inputs) if tree else _number(profile["values"].get(indicator["id"]))
            values[indicator["id"]] = value
            if not applies or (isinstance(value, str) and value.lower() == "n/a"):
                indicator_levels[indicator["id"]] = None
                values[indicator["id"]] = "n/a"
                continue
            weight = indicator["weight"]
            total += weight
            if value is None:
                indicator_levels[indicator["id"]] = None
                weights += 0.0 if plain.get("missing") == "exclude" else weight
                continue
            level = prepared.level(indicator, value, category)
            indicator_levels[indicator["id"]] = level
            points += weight * level / levels
            weights += weight
            present += weight
        if total == 0:
            directions[direction["id"]] = (None, None, None)
            continue
        score = min(100.0, max(0.0, 100.0 * points / weights)) if weights else 0.0
        directions[direction["id"]] = (score, maturity(score, cutoffs), present / total)
    shown = [(d["weight"], directions[d["id"]]) for d in plain["directions"]
             if directions[d["id"]][0] is not None]
    total_weight = sum(w for w, _ in shown)
    if plain.get("aggregation") == "geometric":
        overall = 0.0 if any(s == 0 for _, (s, _, _) in shown) else math.exp(
            sum(w / total_weight * math.log(s) for w, (s, _, _) in shown))  # type: ignore[arg-type]
    elif plain.get("aggregation") == "weakest":
        overall = min(s for _, (s, _, _) in shown)  # type: ignore[type-var]
    else:
        overall = sum(w * s for w, (s, _, _) in shown) / total_weight  # type: ignore[operator]
    overall = min(100.0, max(0.0, overall))
    completeness = sum(w * c for w, (_, _, c) in shown) / total_weight  # type: ignore[operator]
    direction_levels = {d: lv for d, (_, lv, _) in directions.items()}
    overall_level = maturity(overall, cutoffs)
    gates = _gates(plain, values, direction_levels)
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
