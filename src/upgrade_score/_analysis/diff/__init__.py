"""Rubric diff: what changed between two rubric versions, and whom it moves.

Structural changes are matched by id, so a pure reorder of directions, indicators, categories or
gates is no change. Given base profiles, both rubrics score them (vectorised) and the diff reports
each base's shift in overall and direction scores, levels (after gate caps), ranks and gate
statuses, plus Kendall's tau-b between the two rankings.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from os import PathLike
from pathlib import Path

from ..._io.arguments import as_profiles
from ..._io.csvtable import ProfileTable
from ..._io.profiles import TABLE_SUFFIXES, load_bases
from ..._io.rubrics import load_rubric
from ..._model.profile import BaseProfile, ProfileRows
from ..._model.results import RubricRef
from ..._model.rubric import Rubric
from ..._text import Lang, word
from .changes import (
    CATEGORY_FIELDS,
    DIRECTION_FIELDS,
    ENTERPRISE_FIELD_FIELDS,
    GATE_CONDITION,
    GATE_FIELDS,
    INDICATOR_BY_CATEGORY,
    INDICATOR_FIELDS,
    INPUT_FIELDS,
    LEVEL_FIELDS,
    RUBRIC_FIELDS,
    RUBRIC_PARTS,
    structural_changes,
)
from .impact import FAILING, RANK_DECIMALS, impact
from .ranks import inversions, kendall_tau_b
from .results import (
    BaseImpact,
    Change,
    ChangeKind,
    DirectionShift,
    GateImpact,
    GateShift,
    NaChange,
    RubricDiff,
    Scope,
)
from .rows import ImpactRows
from .words import show

__all__ = [
    "CATEGORY_FIELDS", "DIRECTION_FIELDS", "ENTERPRISE_FIELD_FIELDS", "FAILING", "GATE_CONDITION",
    "GATE_FIELDS", "INDICATOR_BY_CATEGORY", "INDICATOR_FIELDS", "INPUT_FIELDS", "LEVEL_FIELDS",
    "RANK_DECIMALS", "RUBRIC_FIELDS", "RUBRIC_PARTS", "BaseImpact", "Change", "ChangeKind",
    "DirectionShift", "GateImpact", "GateShift", "NaChange", "RubricDiff", "Scope", "diff", "inversions",
    "kendall_tau_b", "show", "structural_changes", "tripped_gates",
]


def diff(old: Rubric | str | Path, new: Rubric | str | Path,
         profiles: Sequence[BaseProfile] | str | Path | None = None) -> RubricDiff:
    """Compare two rubrics; with ``profiles``, also score the bases with both and report shifts.

    ``old`` and ``new`` are rubrics, built-in ids or paths (as for :func:`load_rubric`);
    ``profiles`` are profiles, or paths of profile files, tables and directories (one CSV table
    is scored from its columns, without a profile object per row).

    A profile may carry values for indicators only one of the rubrics has: each rubric scores the
    profile without the values of indicators it does not have (listed in ``ignored``). Values
    for ids neither rubric knows, and values or categories one rubric rejects (an ``n/a`` it does
    not allow, a value for an indicator that does not apply to the base's category, an unknown
    category), are input errors located at the profile and naming the rubric.
    Ranks: 1 is the best; a base's rank is 1 + the number of bases more than 1e-9 ahead.
    """
    old, new = load_rubric(old), load_rubric(new)
    if isinstance(profiles, (str, PathLike)) and Path(profiles).suffix.lower() in TABLE_SUFFIXES and Path(
            profiles).is_file():
        profiles = load_bases([str(profiles)])  # one CSV table: read into arrays, as the command line does
    if isinstance(profiles, (list, tuple)) and all(map(isinstance, profiles, repeat(BaseProfile))):
        profiles = ProfileRows.of(profiles)  # (each profile's fields read once, for every stage)
    elif profiles is not None and not isinstance(profiles, ProfileTable):
        profiles = as_profiles(profiles)  # (a CSV table is scored from its arrays)
    changes = tuple(structural_changes(old, new))
    refs = {"old": RubricRef.of(old), "new": RubricRef.of(new)}
    if not profiles:
        return RubricDiff(changes=changes, **refs)
    return RubricDiff(changes=changes, **refs, **impact(old, new, profiles))


def tripped_gates(result: RubricDiff, *, max_shift: float | None = None, max_rank_change: int | None = None,
                  fail_on_level_change: bool = False, lang: Lang = "en") -> list[str]:
    """A message in ``lang`` for each CI gate (``--max-shift`` ...) the diff trips (shifts compared
    as rounded to 6 decimals, as shown)."""
    tripped: list[str] = []
    if max_shift is None and max_rank_change is None and not fail_on_level_change:
        return tripped  # (no gate asked for: the columns are not listed)
    bases, shifts, old_ranks, new_ranks, old_levels, new_levels = _gate_columns(result.impact)
    if max_shift is not None:
        over = [row for row, shift in enumerate(shifts) if round(abs(shift), 6) > max_shift]
        if over:
            tripped.append(word("diff.tripped shift", lang).format(
                limit=f"{max_shift:g}", n=len(over), shift=f"{shifts[over[0]]:+.2f}", base=bases[over[0]]))
    if max_rank_change is not None:
        moved = [row for row in range(len(bases)) if abs(old_ranks[row] - new_ranks[row]) > max_rank_change]
        if moved:
            top = min(moved, key=lambda row: (-abs(old_ranks[row] - new_ranks[row]), bases[row]))
            tripped.append(word("diff.tripped rank", lang).format(
                limit=max_rank_change, n=len(moved), old=old_ranks[top], new=new_ranks[top], base=bases[top]))
    if fail_on_level_change:
        changed = [row for row in range(len(bases)) if old_levels[row] != new_levels[row]]
        if changed:
            first = changed[0]
            tripped.append(word("diff.tripped level", lang).format(
                n=len(changed), base=bases[first], old=old_levels[first], new=new_levels[first]))
    return tripped


def _gate_columns(impact: Sequence[BaseImpact]) -> tuple[Sequence[str], list[float], list[int], list[int],
                                                         list[int], list[int]]:
    """Base, shift, ranks and levels of every row, as lists (from the arrays where there are some)."""
    if isinstance(impact, ImpactRows):
        c = impact.columns
        return (c.bases, c.shift.tolist(), c.old_rank.tolist(), c.new_rank.tolist(), c.old_level.tolist(),
                c.new_level.tolist())
    return ([row.base for row in impact], [row.shift for row in impact], [row.old_rank for row in impact],
            [row.new_rank for row in impact], [row.old_level for row in impact],
            [row.new_level for row in impact])
