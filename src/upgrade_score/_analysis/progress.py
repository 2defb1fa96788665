"""Progress of bases over the years (design point 15): per base and direction (and overall) the
score and level of every year, the change since the previous and the first year, and the
projected year to reach a target (see :mod:`.projection`).

Every profile of every year is scored in one batch (``score_many``'s engine, one row a profile);
the series of each base are then cut from those arrays. The target is a level for every
direction (``Target(level=4)``), levels per direction (``Target(levels={...})``), and/or an
overall score; without one, each base aims at the next level above its latest balanced level
(as in ``gap``). A direction with no target (only other directions named) has no projection;
the overall score is projected against ``Target.score``, else the cutoff of ``Target.level``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._errors import UpgradeScoreError
from .._io.profiles import load_profiles
from .._io.rubrics import load_rubric
from .._model.display import HtmlDisplay, _dispatch
from .._model.profile import BaseInfo, BaseProfile
from .._model.results import dumps, rounded_data
from .._model.rubric import Rubric
from .gap import Target, direction_targets
from .panel import histories
from .projection import Projection, changes, project
from .score import score_profiles

if TYPE_CHECKING:
    from .._text import Lang

Order = Literal["improved", "base"]
OVERALL = "overall"


@dataclass(frozen=True)
class Series:
    """One direction (or the overall score) of one base over its years.

    ``scores``/``levels`` follow the base's ``years`` (``None``: the direction does not apply
    that year). ``target_score`` is the cutoff projected against (``None``: no target).
    """

    scores: tuple[float | None, ...]
    levels: tuple[int | None, ...]
    target_level: int | None
    target_score: float | None
    projection: Projection | None
    change_since_first: float | None
    change_since_previous: float | None

    @property
    def latest(self) -> float | None:
        """The latest score (``None`` when the direction does not apply in any year)."""
        return next((s for s in reversed(self.scores) if s is not None), None)

    def to_dict(self, years: Sequence[int]) -> dict[str, Any]:
        """The JSON shape: ``scores`` and ``levels`` by year, changes, target and projection."""
        return {
            "scores": {str(y): s for y, s in zip(years, self.scores)},
            "levels": {str(y): k for y, k in zip(years, self.levels)},
            "change_since_first": self.change_since_first,
            "change_since_previous": self.change_since_previous,
            "target": None if self.target_score is None else {"level": self.target_level,
                                                               "score": self.target_score},
            "projection": None if self.projection is None else self.projection.to_dict(),
        }


@dataclass(frozen=True)
class BaseProgress:
    """One base: who it is (its latest profile's ``base``), its years, and its series."""

    base: BaseInfo
    years: tuple[int, ...]
    overall: Series
    directions: dict[str, Series]

    def to_dict(self) -> dict[str, Any]:
        """``{"base", "years", "overall", "directions": {id: ...}}``."""
        return {"base": self.base.model_dump(mode="json", exclude_none=True),
                "years": list(self.years), "overall": self.overall.to_dict(self.years),
                "directions": {d: s.to_dict(self.years) for d, s in self.directions.items()}}

    def series(self) -> dict[str, Series]:
        """The overall series, then each direction's."""
        return {OVERALL: self.overall, **self.directions}


@dataclass(frozen=True, eq=False)
class Progress(HtmlDisplay):
    """Bases over the years, most improved first (or by id: ``order="base"``)."""

    rubric: Rubric
    bases: tuple[BaseProgress, ...]
    order: Order = "improved"
    target: Target | None = None  # None: each base's next level up

    def __len__(self) -> int:
        return len(self.bases)

    def __getitem__(self, base_id: str) -> BaseProgress:
        found = next((b for b in self.bases if b.base.id == base_id), None)
        if found is None:
            raise UpgradeScoreError(f"no base '{base_id}' in this progress report")
        return found

    def most_improved(self) -> list[str]:
        """Base ids by the change of their overall score since their first year, largest first
        (bases with a single year last; ties by id)."""
        return [b.base.id for b in sorted(self.bases, key=_improvement)]

    def not_on_track(self) -> list[tuple[str, str]]:
        """(base id, ``overall`` or direction id) of every series projected ``not_on_track``,
        in display order."""
        return [(b.base.id, key) for b in self.bases for key, s in b.series().items()
                if s.projection is not None and s.projection.status == "not_on_track"]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Plain data: a list of bases (rounded)."""
        data: list[dict[str, Any]] = rounded_data([b.to_dict() for b in self.bases])
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON of :meth:`to_dicts`."""
        return dumps(self.to_dicts(), indent)

    def to_dataframe(self) -> Any:
        """One row per base, series and year (long form), needs pandas."""
        return self._frame()

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the long table as an Excel workbook (sheet ``progress``; needs ``[xlsx]``)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))

    def __repr__(self) -> str:
        return (f"<Progress of {len(self.bases)} bases, rubric {self.rubric.id} "
                f"{self.rubric.version}>")


def _improvement(item: BaseProgress) -> tuple[bool, float, str]:
    change = item.overall.change_since_first
    return change is None, -round(change or 0.0, 9), item.base.id


def progress(rubric: Rubric | str | Path | None,
             data: Sequence[BaseProfile] | str | Path | Sequence[str | Path],
             target: Target | str | int | None = None, *, order: Order = "improved") -> Progress:
    """Progress of every base in ``data`` (profiles, or paths of files, tables and directories)
    over its years, against ``target`` (default: the next level above each base's latest
    balanced level)."""
    rubric = load_rubric(rubric)
    profiles = _profiles(data, rubric)
    if order not in ("improved", "base"):
        raise UpgradeScoreError(f"order: expected 'improved' or 'base', got {order!r}")
    if target is not None and not isinstance(target, Target):
        target = Target.parse(str(target))
    if target is not None:
        direction_targets(rubric, target)  # unknown directions, levels out of range: errors
    _need_years(profiles)
    groups = histories(profiles)
    flat = [p for _, group in groups for p in group]
    table = score_profiles(rubric, flat)
    bases, row = [], 0
    for _, group in groups:
        rows = np.arange(row, row + len(group))
        row += len(group)
        wanted = target or Target(level=min(int(table.balanced_level[rows[-1]]) + 1, rubric.level_count))
        bases.append(_base_progress(rubric, table, rows, group, wanted))
    if order == "improved":
        bases.sort(key=_improvement)
    return Progress(rubric, tuple(bases), order, target)


def _profiles(data: Any, rubric: Rubric) -> list[BaseProfile]:
    if isinstance(data, (str, Path)):
        data = [data]
    items = list(data)
    if not items:
        raise UpgradeScoreError("progress: no bases given")
    if all(isinstance(item, BaseProfile) for item in items):
        return items
    if all(isinstance(item, (str, Path)) for item in items):
        return list(load_profiles(*items, rubric=rubric))
    raise UpgradeScoreError("progress: expected profiles or paths of profile files")


def _need_years(profiles: Sequence[BaseProfile]) -> None:
    problems = [p.problem(None, "progress needs the year of every profile (base.year)", "year")
                for p in profiles if p.base.year is None]
    if problems:
        raise UpgradeScoreError(problems)


def _goals(rubric: Rubric, target: Target) -> tuple[dict[str, tuple[int | None, float | None]],
                                                    tuple[int | None, float | None]]:
    """(target level, target score) of every direction and of the overall score."""
    def of_level(level: int) -> tuple[int | None, float | None]:
        return level, 0.0 if level <= 0 else rubric.cutoffs[level - 1]

    def of_score(score: float) -> tuple[int | None, float | None]:
        reached = [k for k, c in enumerate(rubric.cutoffs, 1) if score >= c - 1e-9]
        return (reached[-1] if reached else 0), score

    goals: dict[str, tuple[int | None, float | None]] = {}
    for d in rubric.direction_ids:
        if d in target.levels:
            goals[d] = of_level(target.levels[d])
        elif d in target.direction_scores:
            goals[d] = of_score(target.direction_scores[d])
        else:
            goals[d] = of_level(target.level) if target.level is not None else (None, None)
    if target.score is not None:
        overall = of_score(target.score)
    else:
        overall = of_level(target.level) if target.level is not None else (None, None)
    return goals, overall


def _base_progress(rubric: Rubric, table: Any, rows: Any, group: Sequence[BaseProfile],
                   target: Target) -> BaseProgress:
    years = tuple(int(p.base.year or 0) for p in group)
    goals, overall_goal = _goals(rubric, target)
    overall = _series(years, table.overall[rows], table.overall_level[rows], overall_goal)
    directions = {d: _series(years, table.directions[rows, j], table.direction_levels[rows, j], goals[d])
                  for j, d in enumerate(rubric.direction_ids)}
    return BaseProgress(group[-1].base, years, overall, directions)


def _series(years: tuple[int, ...], scores: Any, levels: Any,
            goal: tuple[int | None, float | None]) -> Series:
    shown = tuple(None if math.isnan(s) else float(s) for s in scores.tolist())
    shown_levels = tuple(None if s is None else int(k) for s, k in zip(shown, levels.tolist()))
    kept = [(y, s) for y, s in zip(years, shown) if s is not None]
    level, cutoff = goal
    if not kept:
        return Series(shown, shown_levels, level, cutoff, None, None, None)
    since_first, since_previous = changes([s for _, s in kept])
    projection = None if cutoff is None else project([y for y, _ in kept], [s for _, s in kept], cutoff)
    return Series(shown, shown_levels, level, cutoff, projection, since_first, since_previous)
