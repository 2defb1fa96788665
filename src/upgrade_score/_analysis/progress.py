"""Progress of bases over the years (design point 15): per base and direction (and overall) the
score and level of every year, the change since the previous and the first year, and the
projected year to reach a target (see :mod:`.projection`).

Every profile of every year is scored in one batch (``score_many``'s engine, one row a profile),
and every series of every base is projected in one numpy pass (:func:`.projection.project_many`).
The target is a level for every direction (``Target(level=4)``), levels per direction
(``Target(levels={...})``), and/or an overall score; without one, each base aims at the next
level above its latest balanced level (as in ``gap``). A direction with no target (only other
directions named) has no projection; the overall score is projected against ``Target.score``,
else the cutoff of ``Target.level``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._engine.compile import BoolArray, FloatArray, IntArray
from .._engine.core import LEVEL_TOLERANCE
from .._errors import UpgradeScoreError
from .._io.csvtable import ProfileTable
from .._io.profiles import read_bases
from .._io.rubrics import load_rubric
from .._model.display import HtmlDisplay, _dispatch
from .._model.profile import BaseInfo, BaseProfile
from .._model.results import dumps, rounded_data
from .._model.rubric import Rubric
from .gap import Target, direction_targets
from .panel import histories, table_histories
from .projection import Projection, project_many
from .score import score_profiles
from .scorecard import ScoreTable

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
    history = _history(profiles)
    table = score_profiles(rubric, history.profiles)
    bases = _all_progress(rubric, table, history, target)
    if order == "improved":
        bases.sort(key=_improvement)
    return Progress(rubric, tuple(bases), order, target)


def _profiles(data: Any, rubric: Rubric) -> Sequence[BaseProfile]:
    """The profiles of ``data``; a CSV table stays a table (no profile object per row)."""
    if isinstance(data, ProfileTable):
        if not len(data):
            raise UpgradeScoreError("progress: no bases given")
        return data
    if isinstance(data, (str, Path)):
        data = [data]
    items = list(data)
    if not items:
        raise UpgradeScoreError("progress: no bases given")
    if all(isinstance(item, BaseProfile) for item in items):
        return items
    if all(isinstance(item, (str, Path)) for item in items):
        loaded = read_bases(items, rubric)  # (one CSV table: a table)
        return loaded if isinstance(loaded, ProfileTable) else list(loaded)
    raise UpgradeScoreError("progress: expected profiles or paths of profile files")


_NO_YEAR = "progress needs the year of every profile (base.year)"


def _need_years(profiles: Sequence[BaseProfile]) -> None:
    if isinstance(profiles, ProfileTable):
        problems = [profiles.problem(row, "year", _NO_YEAR)
                    for row, year in enumerate(profiles.years()) if year is None]
    else:
        problems = [p.problem(None, _NO_YEAR, "year") for p in profiles if p.base.year is None]
    if problems:
        raise UpgradeScoreError(problems)


@dataclass(frozen=True)
class _History:
    """Every base's profiles from its earliest year to its latest, one after the other
    (``profiles``: a list, or a CSV table's rows), how many each base has, the year of each
    profile, and who each base is (its latest profile's ``base``)."""

    profiles: Sequence[BaseProfile]
    lengths: list[int]
    years: list[int]
    latest: list[BaseInfo]


def _history(profiles: Sequence[BaseProfile]) -> _History:
    """The bases' histories, checked as a panel (a CSV table: on its columns)."""
    if isinstance(profiles, ProfileTable):
        groups = table_histories(profiles)
        rows = [row for group in groups for row in group]
        years = profiles.years()
        return _History(profiles.take(rows), [len(group) for group in groups],
                        [years[row] or 0 for row in rows],
                        [profiles.base_info(group[-1]) for group in groups])
    found = histories(profiles)
    flat = [p for _, group in found for p in group]
    return _History(flat, [len(group) for _, group in found], [p.base.year or 0 for p in flat],
                    [group[-1].base for _, group in found])


def _goals(rubric: Rubric, target: Target) -> list[tuple[int | None, float | None]]:
    """(target level, target score) of the overall score, then of every direction."""
    def of_level(level: int | None) -> tuple[int | None, float | None]:
        if level is None:
            return None, None
        return level, 0.0 if level <= 0 else rubric.cutoffs[level - 1]

    def of_score(score: float) -> tuple[int | None, float | None]:
        reached = [k for k, c in enumerate(rubric.cutoffs, 1) if score >= c - LEVEL_TOLERANCE]
        return (reached[-1] if reached else 0), score

    goals = [of_score(target.score) if target.score is not None else of_level(target.level)]
    for d in rubric.direction_ids:
        if d in target.levels:
            goals.append(of_level(target.levels[d]))
        elif d in target.direction_scores:
            goals.append(of_score(target.direction_scores[d]))
        else:
            goals.append(of_level(target.level))
    return goals


def _layout(history: _History) -> tuple[IntArray, IntArray, BoolArray]:
    """(B, Y) table rows and years of each base's years, padded with its latest one, and where a
    base has a year (B bases, Y the most years of any)."""
    lengths = np.array(history.lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    width = int(lengths.max())
    offsets = np.minimum(np.arange(width)[None, :], lengths[:, None] - 1)
    rows: IntArray = starts[:, None] + offsets
    flat_years = np.array(history.years, dtype=np.int64)
    present: BoolArray = np.arange(width)[None, :] < lengths[:, None]
    return rows, flat_years[rows], present


def _all_progress(rubric: Rubric, table: ScoreTable, history: _History,
                  target: Target | None) -> list[BaseProgress]:
    """Every base's series (overall, then each direction) projected in one numpy pass."""
    rows, years, present = _layout(history)
    count, series = len(history.lengths), 1 + len(rubric.direction_ids)
    scores = np.concatenate([table.overall[rows][:, None, :],
                             np.moveaxis(table.directions[rows], 2, 1)], axis=1)  # (B, K, Y)
    levels = np.concatenate([table.overall_level[rows][:, None, :],
                             np.moveaxis(table.direction_levels[rows], 2, 1)], axis=1)
    scores = np.where(present[:, None, :], scores, np.nan)
    fixed = None if target is None else _goals(rubric, target)
    by_level: dict[int, list[tuple[int | None, float | None]]] = {}
    goals = []
    for latest in table.balanced_level[rows[:, -1]].tolist():  # (a row is padded with its latest)
        if fixed is None and latest not in by_level:  # default: the next level up from the latest
            by_level[latest] = _goals(rubric, Target(level=min(latest + 1, rubric.level_count)))
        goals.append(fixed if fixed is not None else by_level[latest])
    cutoffs = np.array([[np.nan if goal[1] is None else goal[1] for goal in base_goals]
                        for base_goals in goals], dtype=np.float64).reshape(count, series)
    flat_years = np.repeat(years, series, axis=0)
    found = project_many(flat_years, scores.reshape(count * series, -1),
                         np.nan_to_num(cutoffs.reshape(-1), nan=0.0))
    shown, shown_levels = rounded_rows(scores), levels.tolist()
    first, previous = found.since_first.tolist(), found.since_previous.tolist()
    bases = []
    for b, (width, base) in enumerate(zip(history.lengths, history.latest)):
        made = []
        for k in range(series):
            s = b * series + k
            values = tuple(shown[b][k][:width])
            marks = tuple(None if v is None else int(level)
                          for v, level in zip(values, shown_levels[b][k][:width]))
            level, cutoff = goals[b][k]
            made.append(Series(values, marks, level, cutoff,
                               None if cutoff is None else found.projection(s),
                               _number(first[s]), _number(previous[s])))
        bases.append(BaseProgress(base, tuple(int(y) for y in years[b][:width]), made[0],
                                  dict(zip(rubric.direction_ids, made[1:]))))
    return bases


def rounded_rows(scores: FloatArray) -> list[list[list[float | None]]]:
    """Nested lists of the scores, ``None`` where NaN (a direction that does not apply)."""
    listed: list[list[list[float | None]]] = scores.astype(object).tolist()
    return [[[None if v != v else v for v in row] for row in base] for base in listed]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value
