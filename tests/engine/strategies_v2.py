"""Hypothesis strategies: random valid rubrics (v1 and rubric language 2) and profiles for them.

``rubrics_v2()`` draws plain rubric dicts (what a YAML parser returns): 1-4 directions of 1-5
indicators, L in 1..5, every indicator kind, better higher/lower, linear/step, optional floor,
valid_range, level_cutoffs, weights, aggregation and missing policy; unless ``v1_only``, also 0-3
categories with applies_to / thresholds_by_category / floor_by_category, allow_na, and 0-3 gates.
``profiles_for(rubric)`` draws a valid profile dict for one rubric.

Thresholds sit on integer steps (1-10 apart), so levels are well separated and values drawn exactly
on a threshold or floor test the boundaries.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

WEIGHTS = (0.5, 1, 2, 3)


def _label(text: str) -> dict[str, str]:
    return {"en": text}


@st.composite
def _increasing(draw: st.DrawFn, count: int) -> list[int]:
    """``count`` strictly increasing integers, 1-10 apart."""
    start = draw(st.integers(-50, 100))
    values = [start]
    for _ in range(count - 1):
        values.append(values[-1] + draw(st.integers(1, 10)))
    return values


@st.composite
def _threshold_set(draw: st.DrawFn, levels: int, better: str) -> list[int]:
    """L thresholds, increasing for better = higher and decreasing for better = lower."""
    values = draw(_increasing(levels))
    return values if better == "higher" else values[::-1]


def _first_threshold_edge(sets: list[list[int]], better: str) -> int:
    """The worst t_1 among several threshold sets (a floor must sit past it on the bad side)."""
    firsts = [t[0] for t in sets]
    return min(firsts) if better == "higher" else max(firsts)


def _floor_past(draw: st.DrawFn, edge: int, better: str) -> int:
    """A floor 1-10 steps on the bad side of ``edge``."""
    gap = draw(st.integers(1, 10))
    return edge - gap if better == "higher" else edge + gap


@st.composite
def _quantitative(draw: st.DrawFn, levels: int, categories: list[str]) -> dict[str, Any]:
    """The quantitative fields of an indicator, category overrides included."""
    better = draw(st.sampled_from(["higher", "lower"]))
    fields: dict[str, Any] = {"kind": "quantitative"}
    if better == "lower" or draw(st.booleans()):
        fields["better"] = better
    if draw(st.booleans()):
        fields["interpolation"] = draw(st.sampled_from(["linear", "step"]))
    fields["thresholds"] = draw(_threshold_set(levels, better))
    by_category: dict[str, list[int]] = {}
    floor_by_category: dict[str, int] = {}
    for category in categories:
        if draw(st.booleans()):
            by_category[category] = draw(_threshold_set(levels, better))
            if levels == 1 or draw(st.booleans()):
                floor_by_category[category] = _floor_past(draw, by_category[category][0], better)
    if by_category:
        fields["thresholds_by_category"] = by_category
    if floor_by_category:
        fields["floor_by_category"] = floor_by_category
    # the own floor serves the default thresholds and every category without a floor of its own
    served = [fields["thresholds"], *(t for c, t in by_category.items() if c not in floor_by_category)]
    if levels == 1 or draw(st.booleans()):
        fields["floor"] = _floor_past(draw, _first_threshold_edge(served, better), better)
    if draw(st.booleans()):
        points = [p for p in _points(fields) if p is not None]
        low, high = min(points) - draw(st.integers(0, 20)), max(points) + draw(st.integers(0, 20))
        fields["valid_range"] = [low, high]
    return fields


def _points(fields: dict[str, Any]) -> list[Any]:
    """Every threshold and floor an indicator may use."""
    points = list(fields["thresholds"])
    for t in (fields.get("thresholds_by_category") or {}).values():
        points.extend(t)
    points.extend((fields.get("floor_by_category") or {}).values())
    points.append(fields.get("floor"))
    for t in [fields["thresholds"], *(fields.get("thresholds_by_category") or {}).values()]:
        if len(t) > 1:
            points.append(t[0] - (t[1] - t[0]))  # a default floor
    return points


@st.composite
def _indicator(draw: st.DrawFn, indicator_id: str, levels: int, categories: list[str],
               v1_only: bool, may_restrict: bool) -> dict[str, Any]:
    """One indicator of any kind."""
    indicator: dict[str, Any] = {"id": indicator_id, "name": _label(indicator_id)}
    kind = draw(st.sampled_from(["quantitative", "quantitative", "qualitative", "boolean"]))
    if kind == "quantitative":
        indicator.update(draw(_quantitative(levels, [] if v1_only else categories)))
    else:
        indicator["kind"] = kind
    if draw(st.booleans()):
        indicator["weight"] = draw(st.sampled_from(WEIGHTS))
    if v1_only:
        return indicator
    if categories and may_restrict and draw(st.integers(0, 3)) == 0:
        indicator["applies_to"] = draw(st.lists(st.sampled_from(categories), min_size=1, unique=True))
    if draw(st.integers(0, 2)) == 0:
        indicator["allow_na"] = True
    return indicator


@st.composite
def _gate(draw: st.DrawFn, gate_id: str, rubric: dict[str, Any]) -> dict[str, Any]:
    """A gate on a random indicator, with a condition that fits the indicator's kind."""
    levels = len(rubric["levels"])
    indicators = [i for d in rubric["directions"] for i in d["indicators"]]
    indicator = draw(st.sampled_from(indicators))
    kind = indicator.get("kind", "quantitative")
    gate: dict[str, Any] = {"id": gate_id, "name": _label(gate_id), "indicator": indicator["id"]}
    if kind == "boolean":
        gate["equals"] = draw(st.booleans())
    elif kind == "qualitative":
        gate[draw(st.sampled_from(["at_least", "at_most", "equals"]))] = draw(st.integers(0, levels))
    else:
        points = [p for p in _points(indicator) if p is not None]
        gate[draw(st.sampled_from(["at_least", "at_most"]))] = draw(
            st.integers(min(points), max(points)))
    if draw(st.booleans()):
        gate["caps"] = draw(st.integers(0, levels))
    scope = draw(st.sampled_from(["overall", *(d["id"] for d in rubric["directions"])]))
    if scope != "overall" or draw(st.booleans()):
        gate["scope"] = scope
    return gate


@st.composite
def rubrics_v2(draw: st.DrawFn, v1_only: bool = False) -> dict[str, Any]:
    """A valid rubric dict; with ``v1_only`` no categories, N/A or gates."""
    levels = draw(st.integers(1, 5))
    rubric: dict[str, Any] = {
        "id": "random-rubric",
        "version": "1",
        "title": _label("Random rubric"),
        "levels": [{"level": k, "name": _label(f"Level {k}")} for k in range(1, levels + 1)],
    }
    if draw(st.booleans()):
        rubric["level_cutoffs"] = sorted(draw(st.lists(st.integers(1, 100), min_size=levels,
                                                       max_size=levels, unique=True)))
    if draw(st.booleans()):
        rubric["aggregation"] = draw(st.sampled_from(["arithmetic", "geometric", "weakest"]))
    if draw(st.booleans()):
        rubric["missing"] = draw(st.sampled_from(["zero", "exclude"]))
    categories = [] if v1_only else [f"cat{k}" for k in range(draw(st.integers(0, 3)))]
    if categories:
        rubric["categories"] = [{"id": c, "name": _label(c)} for c in categories]
    directions = []
    for j in range(draw(st.integers(1, 4))):
        direction: dict[str, Any] = {"id": f"d{j}", "name": _label(f"Direction {j}")}
        if draw(st.booleans()):
            direction["weight"] = draw(st.sampled_from(WEIGHTS))
        direction["indicators"] = [
            # the very first indicator applies to every base, so no category leaves a base empty
            draw(_indicator(f"d{j}_i{i}", levels, categories, v1_only, may_restrict=(j, i) != (0, 0)))
            for i in range(draw(st.integers(1, 5)))
        ]
        directions.append(direction)
    rubric["directions"] = directions
    if not v1_only:
        gates = [draw(_gate(f"gate{g}", rubric)) for g in range(draw(st.integers(0, 3)))]
        if gates:
            rubric["gates"] = gates
    return rubric


# --- profiles --------------------------------------------------------------------------------

def _category_points(indicator: dict[str, Any], category: str | None) -> list[float]:
    """Thresholds and floor in effect for a category (values drawn exactly on them)."""
    thresholds = (indicator.get("thresholds_by_category") or {}).get(category, indicator["thresholds"])
    points = [*thresholds]
    floor = (indicator.get("floor_by_category") or {}).get(category, indicator.get("floor"))
    if floor is None and len(thresholds) > 1:
        floor = thresholds[0] - (thresholds[1] - thresholds[0])
    if floor is not None:
        points.append(floor)
    return points


@st.composite
def _value(draw: st.DrawFn, indicator: dict[str, Any], levels: int, category: str | None) -> Any:
    """A valid present value for an indicator."""
    kind = indicator.get("kind", "quantitative")
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "qualitative":
        return draw(st.integers(0, levels))
    points = _category_points(indicator, category)
    low, high = indicator.get("valid_range") or [min(points) - 15, max(points) + 15]
    return draw(st.one_of(
        st.sampled_from(points).filter(lambda p: low <= p <= high),
        st.integers(int(low), int(high)).map(float),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    ))


def _applies(indicator: dict[str, Any], category: str | None) -> bool:
    applies_to = indicator.get("applies_to")
    return applies_to is None or (category is not None and category in applies_to)


@st.composite
def profiles_for(draw: st.DrawFn, rubric: dict[str, Any]) -> dict[str, Any]:
    """A valid profile for ``rubric``: values in range, some missing, ``n/a`` only where allowed.

    Indicators outside their ``applies_to`` get no value; not every direction ends up N/A.
    """
    levels = len(rubric["levels"])
    categories = [c["id"] for c in rubric.get("categories") or []]
    category = draw(st.sampled_from([None, *categories])) if categories else None
    base: dict[str, Any] = {"id": "base-x"}
    if category is not None:
        base["category"] = category
    values: dict[str, Any] = {}
    applicable_direction_seen = False
    for direction in rubric["directions"]:
        for indicator in direction["indicators"]:
            if not _applies(indicator, category):
                continue
            choice = draw(st.sampled_from(["value", "value", "value", "missing", "none", "n/a"]))
            if choice == "n/a" and not indicator.get("allow_na"):
                choice = "value"
            if choice == "n/a":
                values[indicator["id"]] = draw(st.sampled_from(["n/a", "N/A", "N/a"]))
                continue
            applicable_direction_seen = True
            if choice == "none":
                values[indicator["id"]] = None
            elif choice == "value":
                value = draw(_value(indicator, levels, category))
                if draw(st.integers(0, 3)) == 0:
                    value = {"value": value, "source": "survey", "confidence": 0.8}
                values[indicator["id"]] = value
    if not applicable_direction_seen:
        # every applicable indicator said n/a: report a real value for the first one
        first = rubric["directions"][0]["indicators"][0]  # applies to every base (see rubrics_v2)
        values[first["id"]] = draw(_value(first, levels, category))
    return {"base": base, "values": values}
