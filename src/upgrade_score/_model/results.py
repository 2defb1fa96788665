"""Results: a scorecard for one base, and a table of arrays for many."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from .._model.display import HtmlDisplay
from .._engine.core import FloatArray, IntArray, Scores, indicator_levels
from .._errors import UpgradeScoreError
from .._model.profile import BaseInfo, BaseProfile
from .._model.rubric import Rubric, remember_rubric

DECIMALS = 6


class Result(BaseModel):
    """Base of result models: immutable, with a byte-stable JSON form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """Plain data with floats rounded to 6 decimals (what JSON output holds)."""
        rounded: dict[str, Any] = rounded_data(self.model_dump(mode="json"))
        return rounded

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON: sorted keys, rounded floats, UTF-8 text kept as is."""
        return dumps(self.to_dict(), indent)


def rounded_data(data: Any) -> Any:
    """Round every float in nested data to 6 decimals (and turn -0.0 into 0.0)."""
    if isinstance(data, float):
        return round(data, DECIMALS) + 0.0 if math.isfinite(data) else None
    if isinstance(data, dict):
        return {str(k): rounded_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [rounded_data(v) for v in data]
    return data


def dumps(data: Any, indent: int | None = 2) -> str:
    """The one JSON writer of the package (give it data already rounded, e.g. ``to_dict()``)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=indent,
                      allow_nan=False, default=str)


class RubricRef(Result):
    """Which rubric a result was computed with."""

    id: str
    version: str
    sha256: str

    @classmethod
    def of(cls, rubric: Rubric) -> RubricRef:
        remember_rubric(rubric)  # so that displays of the result can name its levels
        return cls(id=rubric.id, version=rubric.version, sha256=rubric.sha256)


class OverallResult(Result):
    """The whole base: overall score, its level, the balanced level and data completeness."""

    score: float
    level: int
    balanced_level: int
    completeness: float


class DirectionResult(Result):
    """One direction's score (0–100), maturity level and data completeness."""

    score: float
    level: int
    completeness: float
    weight_share: float


class IndicatorResult(Result):
    """How one reported value became points: value → level s → score 100·s/L → points."""

    direction: str
    value: bool | float | None
    missing: bool
    level: float | None
    attained_level: int | None
    score: float | None
    direction_points: float
    weight_share: float
    unit: str | None = None
    source: str | None = None
    confidence: float | None = None


class Scorecard(HtmlDisplay, Result):
    """The full result for one base."""

    rubric: RubricRef
    base: BaseInfo
    overall: OverallResult
    directions: dict[str, DirectionResult]
    indicators: dict[str, IndicatorResult]

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["base"] = rounded_data(self.base.model_dump(mode="json", exclude_none=True))
        return data

    def to_dataframe(self) -> Any:
        """One row per indicator: value, level, points, weight share and source (needs pandas)."""
        from .._render.frames import scorecard_frame

        return scorecard_frame(self)


@dataclass(frozen=True, eq=False)
class ScoreTable(HtmlDisplay):
    """Scores of N bases: ``overall`` (N,), ``directions`` (N, D) and friends, as numpy arrays.

    Columns of ``directions`` follow ``rubric.direction_ids``; rows follow ``base_ids``.
    """

    rubric: Rubric
    values: FloatArray
    scores: Scores
    profiles: tuple[BaseProfile, ...] | None = None
    ids: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def __iter__(self) -> Iterator[Scorecard]:
        return (self.scorecard(i) for i in range(len(self)))

    @cached_property
    def base_ids(self) -> tuple[str, ...]:
        """Row labels: profile ids, the ids given to :func:`score_many`, or ``row-1``..."""
        if self.profiles is not None:
            return tuple(p.id for p in self.profiles)
        return self.ids or tuple(f"row-{i + 1}" for i in range(len(self)))

    @property
    def overall(self) -> FloatArray:
        """Overall scores, shape (N,)."""
        return self.scores.overall

    @property
    def overall_level(self) -> IntArray:
        """Overall maturity levels 0..L, shape (N,)."""
        return self.scores.overall_level

    @property
    def balanced_level(self) -> IntArray:
        """The lowest direction level of each base, shape (N,)."""
        return self.scores.balanced_level

    @property
    def completeness(self) -> FloatArray:
        """Share of weighted indicators with data, shape (N,)."""
        return self.scores.completeness

    @property
    def directions(self) -> FloatArray:
        """Direction scores, shape (N, D)."""
        return self.scores.directions

    @property
    def direction_levels(self) -> IntArray:
        """Direction maturity levels, shape (N, D)."""
        return self.scores.direction_levels

    @property
    def direction_completeness(self) -> FloatArray:
        """Direction data completeness, shape (N, D)."""
        return self.scores.direction_completeness

    @cached_property
    def indicator_levels(self) -> FloatArray:
        """Indicator levels s ∈ [0, L], NaN where missing, shape (N, M) (computed on demand)."""
        return indicator_levels(self.rubric.compiled, self.values)

    def index(self, base: int | str) -> int:
        """Row number of a base, by position or id."""
        if isinstance(base, str):
            try:
                return self.base_ids.index(base)
            except ValueError:
                raise UpgradeScoreError(f"no base '{base}' in this table") from None
        if isinstance(base, bool) or not isinstance(base, (int, np.integer)):
            raise UpgradeScoreError(f"base: expected a row number or a base id, got {base!r}")
        if not -len(self) <= base < len(self):
            raise UpgradeScoreError(f"base index {base} out of range for {len(self)} bases")
        return int(base) % len(self)

    def scorecard(self, base: int | str) -> Scorecard:
        """The full scorecard of one base (by row number or id)."""
        row = self.index(base)
        profile = self.profiles[row] if self.profiles is not None else None
        info = profile.base if profile is not None else BaseInfo(id=self.base_ids[row])
        return build_scorecard(self, row, info, profile)

    def to_dataframe(self, levels: bool = False) -> Any:
        """One row per base: overall, level, balanced level, completeness, direction scores
        (and with ``levels`` the direction levels). Needs pandas."""
        from .._render.frames import score_table_frame

        return score_table_frame(self, levels)

    def __repr__(self) -> str:
        from .._render.views import short_repr

        return short_repr(self)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every scorecard as plain data."""
        return [card.to_dict() for card in self]


def build_scorecard(table: ScoreTable, row: int, info: BaseInfo,
                    profile: BaseProfile | None) -> Scorecard:
    """Assemble the scorecard of ``row`` from the table's arrays."""
    rubric, scores = table.rubric, table.scores
    compiled = rubric.compiled
    levels = indicator_levels(compiled, table.values[row:row + 1])[0]
    present = ~np.isnan(levels)
    shares = compiled.indicator_shares
    weights = compiled.weights
    if rubric.missing == "exclude":
        used = present.astype(np.float64) @ compiled.block
        within = np.divide(weights, used[compiled.direction_of],
                           out=np.zeros_like(weights), where=used[compiled.direction_of] > 0)
    else:
        within = weights / compiled.direction_weight_sums[compiled.direction_of]
    points = 100.0 * within * np.where(present, levels, 0.0) / compiled.levels
    indicators: dict[str, IndicatorResult] = {}
    for m, indicator in enumerate(rubric.indicators):
        reported = profile.values.get(indicator.id) if profile is not None else None
        raw = float(table.values[row, m])
        value: bool | float | None = None if math.isnan(raw) else raw
        if value is not None and indicator.kind == "boolean":
            value = bool(value)
        level = float(levels[m]) if present[m] else None
        indicators[indicator.id] = IndicatorResult(
            direction=rubric.direction_ids[compiled.direction_of[m]],
            value=value,
            missing=not present[m],
            level=level,
            attained_level=None if level is None else int(np.floor(level + 1e-9)),
            score=None if level is None else 100.0 * level / compiled.levels,
            direction_points=float(points[m]),
            weight_share=float(shares[m]),
            unit=indicator.unit,
            source=reported.source if reported is not None else None,
            confidence=reported.confidence if reported is not None else None,
        )
    directions = {
        direction_id: DirectionResult(
            score=float(scores.directions[row, j]),
            level=int(scores.direction_levels[row, j]),
            completeness=float(scores.direction_completeness[row, j]),
            weight_share=float(compiled.overall_shares[j]),
        )
        for j, direction_id in enumerate(rubric.direction_ids)
    }
    overall = OverallResult(
        score=float(scores.overall[row]),
        level=int(scores.overall_level[row]),
        balanced_level=int(scores.balanced_level[row]),
        completeness=float(scores.completeness[row]),
    )
    return Scorecard(rubric=RubricRef.of(rubric), base=info, overall=overall,
                     directions=directions, indicators=indicators)


def sequence_of_ids(ids: Sequence[str] | None, count: int) -> tuple[str, ...] | None:
    """Validate explicit row ids for a matrix of ``count`` rows."""
    if ids is None:
        return None
    labels = tuple(str(i) for i in ids)
    if len(labels) != count:
        raise UpgradeScoreError(f"ids: {len(labels)} ids given for {count} rows")
    if len(set(labels)) != len(labels):
        raise UpgradeScoreError("ids: base ids must be unique")
    return labels
