"""Hypothesis strategies shared by the property tests of several stages: indicator specs in
rubric YAML shape, with the value domain of each column."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Column:
    """What a value column accepts: kind, better direction (+1/-1) and the valid domain."""

    kind: str
    sign: float
    low: float
    high: float
    points: tuple[float, ...]  # floor and thresholds (quantitative only)


finite = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)
weights = st.one_of(st.integers(1, 5).map(float), st.floats(0.01, 100, **finite))


@st.composite
def indicator_specs(draw: st.DrawFn, levels: int, name: str) -> tuple[dict[str, Any], Column]:
    kind = draw(st.sampled_from(["quantitative", "quantitative", "qualitative", "boolean"]))
    spec: dict[str, Any] = {"id": name, "name": {"en": name}, "kind": kind}
    if draw(st.booleans()):
        spec["weight"] = draw(weights)
    if kind == "qualitative":
        return spec, Column(kind, 1.0, 0.0, float(levels), ())
    if kind == "boolean":
        return spec, Column(kind, 1.0, 0.0, 1.0, ())
    better = draw(st.sampled_from(["higher", "lower"]))
    sign = 1.0 if better == "higher" else -1.0
    start = draw(st.floats(-1000, 1000, **finite))
    gaps = draw(st.lists(st.floats(0.01, 100, **finite), min_size=levels - 1,
                         max_size=levels - 1))
    thresholds = [start]
    for gap in gaps:
        thresholds.append(thresholds[-1] + sign * gap)
    spec["thresholds"] = thresholds
    if better == "lower" or draw(st.booleans()):  # "higher" is the default
        spec["better"] = better
    floor = thresholds[0] - (thresholds[1] - thresholds[0])
    if draw(st.booleans()):
        floor = thresholds[0] - sign * draw(st.floats(0.01, 200, **finite))
        spec["floor"] = floor
    if draw(st.booleans()):
        spec["interpolation"] = draw(st.sampled_from(["linear", "step"]))
    points = (floor, *thresholds)
    low, high = min(points) - 100, max(points) + 100
    if draw(st.booleans()):
        low = min(points) - draw(st.floats(0, 50, **finite))
        high = max(points) + draw(st.floats(0, 50, **finite))
        spec["valid_range"] = [low, high]
    return spec, Column(kind, sign, low, high, tuple(points))


@st.composite
def rubric_specs(draw: st.DrawFn, max_directions: int = 6,
                 max_indicators: int = 5) -> tuple[dict[str, Any], tuple[Column, ...]]:
    """A valid rubric (YAML shape) of random levels, kinds, weights and methods, with the
    domain of each value column."""
    levels = draw(st.integers(2, 6))
    directions, columns = [], []
    for j in range(draw(st.integers(1, max_directions))):
        indicators = []
        for i in range(draw(st.integers(1, max_indicators))):
            spec, column = draw(indicator_specs(levels, f"i{j}_{i}"))
            indicators.append(spec)
            columns.append(column)
        direction: dict[str, Any] = {"id": f"d{j}", "name": {"en": f"d{j}"},
                                     "indicators": indicators}
        if draw(st.booleans()):
            direction["weight"] = draw(weights)
        directions.append(direction)
    spec: dict[str, Any] = {
        "id": "random", "version": "1", "title": {"en": "random"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, levels + 1)],
        "aggregation": draw(st.sampled_from(["arithmetic", "geometric", "weakest"])),
        "missing": draw(st.sampled_from(["zero", "exclude"])),
        "directions": directions,
    }
    if draw(st.booleans()):
        spec["level_cutoffs"] = sorted(draw(st.lists(
            st.one_of(st.integers(1, 100).map(float), st.floats(0.01, 100, **finite)),
            min_size=levels, max_size=levels, unique=True)))
    return spec, tuple(columns)


def cell(column: Column, levels: int) -> st.SearchStrategy[float]:
    """A valid value of a column, or NaN (missing)."""
    if column.kind == "qualitative":
        present = st.integers(0, levels).map(float)
    elif column.kind == "boolean":
        present = st.sampled_from([0.0, 1.0])
    else:
        inside = [p for p in column.points if column.low <= p <= column.high]
        middles = [(a + b) / 2 for a, b in zip(column.points, column.points[1:])]
        present = st.one_of(st.sampled_from(inside + middles),
                            st.floats(column.low, column.high, **finite))
    return st.one_of(present, present, present, present, st.just(math.nan))
