"""Rubric diff: what changed between two rubric versions, and whom it moves.

Structural changes are matched by id, so a pure reorder of directions or indicators is no change.
Given base profiles, both rubrics score them (vectorised) and the diff reports each base's shift
in overall and direction scores, levels and ranks, plus Kendall's tau-b between the two rankings.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field, JsonValue

from .._analysis.compare import competition_ranks
from .._analysis.score import refuse_language_2, score_many
from .._analysis.scorecard import ScoreTable
from .._errors import Problem, UpgradeScoreError, one_line
from .._model.profile import BaseProfile
from .._model.results import Result, RubricRef
from .._model.rubric import Direction, Indicator, Rubric

ChangeKind = Literal[
    "id_changed", "version_changed", "label_changed", "description_changed", "levels_changed",
    "level_cutoffs_changed", "aggregation_changed", "missing_changed",
    "direction_added", "direction_removed", "indicator_added", "indicator_removed", "indicator_moved",
    "weight_changed", "thresholds_changed", "floor_changed", "better_changed", "kind_changed",
    "interpolation_changed", "valid_range_changed", "unit_changed", "effort_changed",
    "source_changed", "descriptors_changed",
]
Scope = Literal["rubric", "direction", "indicator"]

RANK_DECIMALS = 9  # scores equal to 9 decimals tie in the rankings

# Fields compared one to one (the others, ids, weights, floors, levels and children, are special).
RUBRIC_FIELDS: dict[str, ChangeKind] = {
    "id": "id_changed", "version": "version_changed", "title": "label_changed",
    "description": "description_changed", "aggregation": "aggregation_changed",
    "missing": "missing_changed",
}
LEVEL_FIELDS: dict[str, ChangeKind] = {"name": "label_changed", "description": "description_changed"}
DIRECTION_FIELDS: dict[str, ChangeKind] = {"name": "label_changed", "description": "description_changed"}
INDICATOR_FIELDS: dict[str, ChangeKind] = {
    "name": "label_changed", "description": "description_changed", "rationale": "description_changed",
    "unit": "unit_changed", "kind": "kind_changed", "better": "better_changed",
    "thresholds": "thresholds_changed", "interpolation": "interpolation_changed",
    "valid_range": "valid_range_changed", "effort": "effort_changed", "source": "source_changed",
    "descriptors": "descriptors_changed",
}


class Change(Result):
    """One structural change. ``target`` is the rubric, direction or indicator id; ``field`` the
    changed field within it ('' for added, removed and moved); ``direction`` the indicator's
    direction (in the new rubric, or the old one if removed). ``old_share``/``new_share`` are
    shares of the overall score (weights, additions, removals and moves)."""

    kind: ChangeKind
    scope: Scope
    target: str
    field: str = ""
    direction: str | None = None
    old: JsonValue = None
    new: JsonValue = None
    old_share: float | None = None
    new_share: float | None = None
    message: str


class DirectionShift(Result):
    """One base's score and level on one direction under each rubric (None: not in that rubric)."""

    old: float | None = None
    new: float | None = None
    shift: float | None = None
    old_level: int | None = None
    new_level: int | None = None


class BaseImpact(Result):
    """How the new rubric moves one base. Rank 1 is the best; ``rank_change`` = old − new rank
    (positive: the base climbed)."""

    base: str
    old: float
    new: float
    shift: float
    old_level: int
    new_level: int
    old_rank: int
    new_rank: int
    rank_change: int
    directions: dict[str, DirectionShift]


def _nothing_ignored() -> dict[str, tuple[str, ...]]:
    return {"old": (), "new": ()}


class RubricDiff(Result):
    """Structural changes from ``old`` to ``new`` and, with profiles, their impact on the bases.

    ``impact`` is sorted by absolute shift (largest first), then base id. ``ignored`` lists the
    indicator ids whose profile values were dropped for each rubric (known only to the other).
    """

    old: RubricRef
    new: RubricRef
    changes: tuple[Change, ...]
    impact: tuple[BaseImpact, ...] = ()
    max_shift: float | None = None
    max_shift_base: str | None = None
    max_rank_change: int | None = None
    level_changes: int | None = None
    kendall_tau: float | None = None
    ignored: dict[str, tuple[str, ...]] = Field(default_factory=_nothing_ignored)

    @property
    def changed(self) -> bool:
        """Whether anything in the rubric changed."""
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        for key in ("max_shift", "max_shift_base", "max_rank_change", "level_changes", "kendall_tau"):
            data.setdefault(key, None)  # stable keys for machines, with or without profiles
        return data


def diff(old: Rubric, new: Rubric, profiles: Sequence[BaseProfile] | None = None) -> RubricDiff:
    """Compare two rubrics; with ``profiles``, also score the bases with both and report shifts.

    A profile may carry values for indicators only one of the rubrics has: each rubric scores the
    profile without the values of indicators it does not have (listed in ``ignored``). Values
    for ids neither rubric knows, and values one rubric rejects, are still input errors.
    Ranks: 1 is the best; a base's rank is 1 + the number of bases more than 1e-9 ahead.
    """
    changes = tuple(structural_changes(old, new))
    refs = {"old": RubricRef.of(old), "new": RubricRef.of(new)}
    if not profiles:
        return RubricDiff(changes=changes, **refs)
    refuse_language_2(old, "diff with profiles")
    refuse_language_2(new, "diff with profiles")
    return RubricDiff(changes=changes, **refs, **_impact(old, new, tuple(profiles)))


# --- structural changes ------------------------------------------------------------------------

def structural_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    """Rubric-level changes, then directions, then indicators (new rubric order, removals last)."""
    yield from _fields(old, new, RUBRIC_FIELDS, "rubric", new.id)
    yield from _level_changes(old, new)
    yield from _direction_changes(old, new)
    yield from _indicator_changes(old, new)


def _plain(value: Any) -> JsonValue:
    """A field value as JSON data (labels as dicts, tuples as lists)."""
    if isinstance(value, BaseModel):
        dumped: JsonValue = value.model_dump(mode="json", exclude_none=True)
        return dumped
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    plain: JsonValue = value
    return plain


def show(value: JsonValue, width: int = 60) -> str:
    """A compact one-line rendering of a changed value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, list):
        text = "[" + ", ".join(show(v, width) for v in value) + "]"
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {show(v, width)}" for k, v in value.items())
    else:
        text = one_line(str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


def _fields(old: BaseModel, new: BaseModel, fields: dict[str, ChangeKind], scope: Scope, target: str,
            direction: str | None = None, prefix: str = "") -> Iterator[Change]:
    for name, kind in fields.items():
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            field = prefix + name
            message = (_descriptors_message(before, after) if name == "descriptors"
                       else f"{field}: {show(_plain(before))} → {show(_plain(after))}")
            yield Change(kind=kind, scope=scope, target=target, field=field, direction=direction,
                         old=_plain(before), new=_plain(after), message=message)


def _descriptors_message(old: dict[int, Any] | None, new: dict[int, Any] | None) -> str:
    before, after = old or {}, new or {}
    changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    return f"descriptors: level{'s' if len(changed) > 1 else ''} {', '.join(map(str, changed))} changed"


def _level_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    if old.level_count != new.level_count:
        yield Change(kind="levels_changed", scope="rubric", target=new.id, field="levels",
                     old=old.level_count, new=new.level_count,
                     message=f"levels: {old.level_count} → {new.level_count}")
    for k, (before, after) in enumerate(zip(old.levels, new.levels)):
        yield from _fields(before, after, LEVEL_FIELDS, "rubric", new.id, prefix=f"levels[{k}].")
    if old.level_cutoffs != new.level_cutoffs or old.cutoffs != new.cutoffs:
        note = {True: " (default)", False: ""}
        yield Change(kind="level_cutoffs_changed", scope="rubric", target=new.id, field="level_cutoffs",
                     old=list(old.cutoffs), new=list(new.cutoffs),
                     message=f"level_cutoffs: {show(list(old.cutoffs))}{note[old.level_cutoffs is None]}"
                             f" → {show(list(new.cutoffs))}{note[new.level_cutoffs is None]}")


def _direction_shares(rubric: Rubric) -> dict[str, float]:
    return dict(zip(rubric.direction_ids, rubric.compiled.overall_shares.tolist()))


def _indicator_shares(rubric: Rubric) -> dict[str, float]:
    return dict(zip(rubric.indicator_ids, rubric.compiled.indicator_shares.tolist()))


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def _direction_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    before = {d.id: d for d in old.directions}
    after = {d.id: d for d in new.directions}
    old_shares, new_shares = _direction_shares(old), _direction_shares(new)
    for direction in new.directions:
        share = new_shares[direction.id]
        if direction.id not in before:
            yield Change(kind="direction_added", scope="direction", target=direction.id,
                         new=direction.weight, new_share=share,
                         message=f"added (weight {direction.weight:g}, {_percent(share)} of overall)")
            continue
        previous = before[direction.id]
        yield from _fields(previous, direction, DIRECTION_FIELDS, "direction", direction.id)
        if previous.weight != direction.weight:
            yield _weight_change("direction", direction.id, None, previous, direction,
                                 old_shares[direction.id], share)
    for direction in old.directions:
        if direction.id not in after:
            share = old_shares[direction.id]
            yield Change(kind="direction_removed", scope="direction", target=direction.id,
                         old=direction.weight, old_share=share,
                         message=f"removed (had weight {direction.weight:g}, {_percent(share)} of overall)")


def _weight_change(scope: Scope, target: str, direction: str | None, before: Direction | Indicator,
                   after: Direction | Indicator, old_share: float, new_share: float) -> Change:
    return Change(kind="weight_changed", scope=scope, target=target, field="weight", direction=direction,
                  old=before.weight, new=after.weight, old_share=old_share, new_share=new_share,
                  message=f"weight: {before.weight:g} → {after.weight:g} "
                          f"(share of overall {_percent(old_share)} → {_percent(new_share)})")


def _direction_of(rubric: Rubric) -> dict[str, str]:
    return {i.id: d.id for d in rubric.directions for i in d.indicators}


def _indicator_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    before = {i.id: i for i in old.indicators}
    old_direction, new_direction = _direction_of(old), _direction_of(new)
    old_shares, new_shares = _indicator_shares(old), _indicator_shares(new)
    for indicator in new.indicators:
        key, where, share = indicator.id, new_direction[indicator.id], new_shares[indicator.id]
        if key not in before:
            yield Change(kind="indicator_added", scope="indicator", target=key, direction=where,
                         new=indicator.weight, new_share=share,
                         message=f"added to '{where}' (weight {indicator.weight:g}, "
                                 f"{_percent(share)} of overall)")
            continue
        previous = before[key]
        if old_direction[key] != where:
            yield Change(kind="indicator_moved", scope="indicator", target=key, direction=where,
                         old=old_direction[key], new=where, old_share=old_shares[key], new_share=share,
                         message=f"moved from '{old_direction[key]}' to '{where}' "
                                 f"(share of overall {_percent(old_shares[key])} → {_percent(share)})")
        yield from _fields(previous, indicator, INDICATOR_FIELDS, "indicator", key, where)
        yield from _floor_change(previous, indicator, where)
        if previous.weight != indicator.weight:
            yield _weight_change("indicator", key, where, previous, indicator, old_shares[key], share)
    for indicator in old.indicators:
        if indicator.id not in new_shares:
            share, where = old_shares[indicator.id], old_direction[indicator.id]
            yield Change(kind="indicator_removed", scope="indicator", target=indicator.id, direction=where,
                         old=indicator.weight, old_share=share,
                         message=f"removed from '{where}' (had weight {indicator.weight:g}, "
                                 f"{_percent(share)} of overall)")


def _floor_change(old: Indicator, new: Indicator, direction: str) -> Iterator[Change]:
    """The value that scores level 0: the ``floor`` field, or its default, for quantitative ones."""
    def effective(indicator: Indicator) -> float | None:
        return indicator.effective_floor if indicator.kind == "quantitative" else indicator.floor

    before, after = effective(old), effective(new)
    if old.floor == new.floor and before == after:
        return
    note = {True: " (default)", False: ""}
    yield Change(kind="floor_changed", scope="indicator", target=new.id, field="floor", direction=direction,
                 old=before, new=after,
                 message=f"floor: {show(before)}{note[old.floor is None and before is not None]} → "
                         f"{show(after)}{note[new.floor is None and after is not None]}")


# --- impact on bases --------------------------------------------------------------------------

def _restrict(profiles: tuple[BaseProfile, ...], rubric: Rubric, other: Rubric) -> tuple[BaseProfile, ...]:
    """Drop the values of indicators that only ``other`` has (keeping where profiles came from)."""
    drop = set(other.indicator_ids) - set(rubric.indicator_ids)
    return tuple(
        p.model_copy(update={"values": {k: v for k, v in p.values.items() if k not in drop}})
        if drop.intersection(p.values) else p
        for p in profiles)


def _dropped(profiles: tuple[BaseProfile, ...], rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    reported = {key for p in profiles for key in p.values}
    return tuple(sorted(reported & (set(other.indicator_ids) - set(rubric.indicator_ids))))


def _score(rubric: Rubric, profiles: tuple[BaseProfile, ...], which: str) -> ScoreTable:
    try:
        return score_many(rubric, list(profiles))
    except UpgradeScoreError as exc:
        raise UpgradeScoreError([Problem(f"{p.message} ({which} rubric '{rubric.id}' {rubric.version})",
                                         p.file, p.line, p.path) for p in exc.problems]) from None


def _impact(old: Rubric, new: Rubric, profiles: tuple[BaseProfile, ...]) -> dict[str, Any]:
    before = _score(old, _restrict(profiles, old, new), "old")
    after = _score(new, _restrict(profiles, new, old), "new")
    old_rank, new_rank = competition_ranks(before.overall), competition_ranks(after.overall)
    shifts = after.overall - before.overall
    directions = _direction_shifts(before, after)
    impact = [BaseImpact(
        base=profile.id, old=float(before.overall[n]), new=float(after.overall[n]), shift=float(shifts[n]),
        old_level=int(before.overall_level[n]), new_level=int(after.overall_level[n]),
        old_rank=int(old_rank[n]), new_rank=int(new_rank[n]), rank_change=int(old_rank[n] - new_rank[n]),
        directions=directions[n]) for n, profile in enumerate(profiles)]
    impact.sort(key=lambda row: (-round(abs(row.shift), RANK_DECIMALS), row.base))
    return {
        "impact": tuple(impact),
        "max_shift": float(np.abs(shifts).max()),
        "max_shift_base": impact[0].base,
        "max_rank_change": int(np.abs(old_rank - new_rank).max()),
        "level_changes": int((before.overall_level != after.overall_level).sum()),
        "kendall_tau": kendall_tau_b(old_rank, new_rank),
        "ignored": {"old": _dropped(profiles, old, new), "new": _dropped(profiles, new, old)},
    }


def _direction_shifts(before: ScoreTable, after: ScoreTable) -> list[dict[str, DirectionShift]]:
    """Per base, every direction of either rubric (old order, then directions only the new has)."""
    old_ids, new_ids = before.rubric.direction_ids, after.rubric.direction_ids
    rows: list[dict[str, DirectionShift]] = [{} for _ in range(len(before))]
    for key in (*old_ids, *(d for d in new_ids if d not in old_ids)):
        j_old = old_ids.index(key) if key in old_ids else None
        j_new = new_ids.index(key) if key in new_ids else None
        for n, row in enumerate(rows):
            o = None if j_old is None else float(before.directions[n, j_old])
            w = None if j_new is None else float(after.directions[n, j_new])
            row[key] = DirectionShift(
                old=o, new=w, shift=None if o is None or w is None else w - o,
                old_level=None if j_old is None else int(before.direction_levels[n, j_old]),
                new_level=None if j_new is None else int(after.direction_levels[n, j_new]))
    return rows


# --- Kendall's tau-b -----------------------------------------------------------------------------

def _tied_pairs(*columns: npt.NDArray[Any]) -> int:
    """Pairs of rows equal in every given column."""
    _, counts = np.unique(np.stack(columns, axis=1), axis=0, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def inversions(values: npt.ArrayLike) -> int:
    """Pairs i < j with ``values[i] > values[j]`` for integers in [0, n), in O(n log² n).

    A bottom-up merge sort, one vectorised pass per level: for each element of a right block,
    count the elements of its left partner block that are larger (``searchsorted`` on keys
    ``pair · n + value``, which are sorted because every block is), then merge by sorting the keys.
    """
    current = np.asarray(values, dtype=np.int64)
    n = current.size
    position = np.arange(n, dtype=np.int64)
    total, width = 0, 1
    while width < n:
        block = position // width
        pair = block // 2
        keys = pair * n + current
        right = (block % 2).astype(bool)
        left_keys = keys[~right]
        left_end = np.searchsorted(left_keys, (pair[right] + 1) * n, side="left")
        total += int((left_end - np.searchsorted(left_keys, keys[right], side="right")).sum())
        current = np.sort(keys) % n  # pair groups keep their positions, so this merges blocks
        width *= 2
    return total


def kendall_tau_b(x: npt.ArrayLike, y: npt.ArrayLike) -> float | None:
    """Kendall's tau-b of two paired samples, with ties; None for fewer than 2 items or when one
    sample is all tied (undefined). Knight's O(n log n)-style algorithm in numpy."""
    a, b = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if a.size != b.size:
        raise UpgradeScoreError(f"kendall_tau_b: samples of different sizes ({a.size}, {b.size})")
    n = a.size
    if n < 2:
        return None
    order = np.lexsort((b, a))
    _, dense = np.unique(b[order], return_inverse=True)
    discordant = inversions(dense.ravel())
    total = n * (n - 1) // 2
    ties_a, ties_b, ties_both = _tied_pairs(a), _tied_pairs(b), _tied_pairs(a, b)
    if ties_a == total or ties_b == total:
        return None
    score = total - ties_a - ties_b + ties_both - 2 * discordant
    tau = score / math.sqrt((total - ties_a) * (total - ties_b))
    return min(1.0, max(-1.0, tau))


# --- gates -------------------------------------------------------------------------------------

def tripped_gates(result: RubricDiff, *, max_shift: float | None = None, max_rank_change: int | None = None,
                  fail_on_level_change: bool = False) -> list[str]:
    """A message for each gate the diff trips (shifts compared as rounded to 6 decimals, as shown)."""
    tripped: list[str] = []
    moved = result.impact
    if max_shift is not None:
        over = [row for row in moved if round(abs(row.shift), 6) > max_shift]
        if over:
            tripped.append(f"--max-shift {max_shift:g}: {len(over)} base(s) shift by more, largest "
                           f"{over[0].shift:+.2f} ({over[0].base})")
    if max_rank_change is not None:
        over = sorted((row for row in moved if abs(row.rank_change) > max_rank_change),
                      key=lambda row: (-abs(row.rank_change), row.base))
        if over:
            tripped.append(f"--max-rank-change {max_rank_change}: {len(over)} base(s) move more, largest "
                           f"{over[0].old_rank} → {over[0].new_rank} ({over[0].base})")
    if fail_on_level_change:
        changed = [row for row in moved if row.old_level != row.new_level]
        if changed:
            tripped.append(f"--fail-on-level-change: {len(changed)} base(s) change level, e.g. "
                           f"{changed[0].base} {changed[0].old_level} → {changed[0].new_level}")
    return tripped
