"""The impact of a rubric change on bases: both rubrics score every profile (vectorised).

Levels are the capped ones (after gates). A direction that does not apply to a base under one
rubric (every indicator n/a) has no score there: its shift is ``None`` and ``na`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from ..._analysis.compare import competition_ranks
from ..._analysis.score import score_checked, score_many
from ..._analysis.scorecard import ScoreTable
from ..._engine.core import invalid_cells
from ..._engine.gates import FAILED, STATUS_NAMES, UNKNOWN
from ..._errors import Problem, UpgradeScoreError
from ..._io.csvtable import BLANK, NUMBER, ProfileTable
from ..._io.tables import _cell_problem as cell_problem
from ..._model.profile import NA, BaseProfile, Enterprise, ReportedValue
from ..._model.rubric import Indicator, Rubric
from .ranks import kendall_tau_b
from .results import BaseImpact, GateImpact, GateShift, NaChange

_IMPACTS = TypeAdapter(list[BaseImpact])
Profiles = Sequence[BaseProfile]  # a tuple of profiles, or a CSV table (arrays, profiles on demand)
RANK_DECIMALS = 9  # scores equal to 9 decimals tie in the rankings
FAILING = (STATUS_NAMES[FAILED], STATUS_NAMES[UNKNOWN])  # statuses that cap: no pass


def _reported(rubric: Rubric) -> set[str]:
    """Ids a profile reports values for: indicators without a formula, inputs not rolled up."""
    return ({i.id for i in rubric.indicators if i.formula is None or i.kind != "quantitative"}
            | {i.id for i in rubric.inputs or () if i.rollup is None})


def _unused(rubric: Rubric, other: Rubric) -> set[str]:
    """Value ids ``other`` takes as reported and ``rubric`` does not (unknown to it, or computed)."""
    return _reported(other) - _reported(rubric)


def _restrict(profiles: Profiles, rubric: Rubric, other: Rubric) -> Profiles:
    """Drop the values only ``other`` takes as reported (an indicator or input it alone has, or
    one ``rubric`` computes by formula or roll-up), and enterprise figures of fields only
    ``other`` declares (keeping where profiles came from). The rubric version a profile names is
    set aside: a diff scores the same values with both versions on purpose."""
    drop = _unused(rubric, other)
    if isinstance(profiles, ProfileTable):
        return _restrict_table(profiles, drop)
    fields = {f.id for f in rubric.enterprise_fields or ()}
    foreign = {f.id for f in other.enterprise_fields or ()} - fields
    restricted = []
    for p in profiles:
        update: dict[str, Any] = {}
        if (p.base.model_extra or {}).get("rubric_version") is not None:
            update["base"] = p.base.model_copy(update={"rubric_version": None})
        if drop.intersection(p.values):
            update["values"] = {k: v for k, v in p.values.items() if k not in drop}
        if p.enterprises and foreign and not fields:
            update["enterprises"] = None
        elif p.enterprises and any(foreign.intersection(e.figures) for e in p.enterprises):
            update["enterprises"] = tuple(_without_figures(e, foreign) for e in p.enterprises)
        restricted.append(p.model_copy(update=update) if update else p)
    return tuple(restricted)


def _restrict_table(table: ProfileTable, drop: set[str]) -> ProfileTable:
    """:func:`_restrict` of a CSV table (which lists no enterprises): its columns without ``drop``,
    its rows without the rubric version they name."""
    keep = [c for c, column in enumerate(table.columns) if column not in drop]
    if len(keep) == len(table.columns) and "rubric_version" not in table.meta:
        return table
    meta = {name: cells for name, cells in table.meta.items() if name != "rubric_version"}
    return ProfileTable(table.file, [table.columns[c] for c in keep], table.values[:, keep],
                        table.kinds[:, keep], table.lines, meta, table.id_column)


def _without_figures(enterprise: Enterprise, fields: set[str]) -> Enterprise:
    figures = {k: v for k, v in enterprise.figures.items() if k not in fields}
    return Enterprise.model_validate({"id": enterprise.id, "name": enterprise.name, **figures})


def _dropped(profiles: Profiles, rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    """Ids given in ``profiles`` that ``rubric`` does not take (a table's columns, blank or not:
    the profile of a row holds every column)."""
    reported = (set(profiles.columns) if isinstance(profiles, ProfileTable)
                else {key for p in profiles for key in p.values})
    return tuple(sorted(reported & _unused(rubric, other)))


def _score(rubric: Rubric, profiles: Profiles, which: str) -> ScoreTable:
    """Score with one rubric; a profile it rejects is a located input error naming the rubric."""
    try:
        return score_many(rubric, profiles if isinstance(profiles, ProfileTable) else list(profiles))
    except UpgradeScoreError as exc:
        raise UpgradeScoreError([Problem(f"{p.message} ({which} rubric '{rubric.id}' {rubric.version})",
                                         p.file, p.line, p.path) for p in exc.problems]) from None


def _mapped(rubric: Rubric, profiles: Profiles, other: ScoreTable) -> ScoreTable | None:
    """Scores of ``profiles`` with ``rubric``, their value matrix taken from ``other``'s (the
    same profiles, checked against the other rubric) column by column where an indicator of the
    same id takes the same values (same kind and n/a rule); only the other columns are read from
    the profiles. ``None`` where this does not apply (inputs, formulas or categories in either
    rubric, a panel, enterprise rows, a CSV table: read by columns anyway) or any cell is a
    problem: the full path then says which."""
    if isinstance(profiles, ProfileTable):
        return None
    if (rubric.compiled.derivation is not None or other.rubric.compiled.derivation is not None
            or rubric.categories or other.rubric.categories or other.profiles is None
            or len(other.profiles) != len(profiles) or any(p.enterprises for p in profiles)):
        return None
    theirs = {indicator.id: (m, indicator) for m, indicator in enumerate(other.rubric.indicators)}
    count, indicators = len(profiles), rubric.indicators
    values, na = np.full((count, len(indicators)), np.nan), np.zeros((count, len(indicators)), dtype=bool)
    for m, indicator in enumerate(indicators):
        column, same = theirs.get(indicator.id, (None, None))
        if same is not None and other.na is not None and (same.kind, same.allow_na) == (
                indicator.kind, indicator.allow_na):
            values[:, m], na[:, m] = other.values[:, column], other.na[:, column]
        elif not _read_column(indicator, profiles, values[:, m], na[:, m]):
            return None
    if invalid_cells(rubric.compiled, values, limit=1)[1]:
        return None
    try:
        return score_checked(rubric, profiles, values, na, np.full(count, -1, dtype=np.int64))
    except UpgradeScoreError:
        return None


def _read_column(indicator: Indicator, profiles: Profiles, values: np.ndarray,
                 na: np.ndarray) -> bool:
    """Fill one indicator's column of values and n/a answers from the profiles (False: a value is
    not acceptable for it)."""
    for row, profile in enumerate(profiles):
        given = profile.values.get(indicator.id)
        if given is None:
            continue
        if cell_problem(indicator, given.value, None, False):
            return False
        if given.value == NA:
            na[row] = True
        elif given.value is not None:
            values[row] = float(given.value)
    return True


def _computed(rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    """Indicators ``rubric`` takes as reported that ``other`` computes by formula (same id)."""
    by_formula = {i.id for i in other.indicators if i.formula is not None and i.kind == "quantitative"}
    return tuple(i for i in rubric.indicator_ids if i in by_formula and i in _reported(rubric))


def _bridge(profiles: Profiles, rubric: Rubric, ids: tuple[str, ...], table: ScoreTable) -> Profiles:
    """Profiles given, for ``rubric``, the values of ``ids`` as the other rubric computed them
    (``table``) where they do not report them: a figure that one version asks for and the other
    computes from its parts is the same figure, so the change moves no base. A computed value
    outside ``rubric``'s valid range stays missing."""
    columns = [table.rubric.indicator_ids.index(i) for i in ids]
    if isinstance(profiles, ProfileTable):
        return _bridge_table(profiles, rubric, ids, table)
    bridged = []
    for n, profile in enumerate(profiles):
        given: dict[str, ReportedValue] = {}
        for indicator_id, column in zip(ids, columns):
            value = float(table.values[n, column])
            low, high = rubric.indicator(indicator_id).valid_range or (-np.inf, np.inf)
            if indicator_id not in profile.values and np.isfinite(value) and low <= value <= high:
                given[indicator_id] = ReportedValue(value=value)
        bridged.append(profile.model_copy(update={"values": {**profile.values, **given}}) if given
                       else profile)
    return tuple(bridged)


def _bridge_table(profiles: ProfileTable, rubric: Rubric, ids: tuple[str, ...],
                  table: ScoreTable) -> ProfileTable:
    """:func:`_bridge` of a CSV table: a column of the computed values for each of ``ids`` the
    table does not have (a profile of a row holds every column, blank or not: those stay)."""
    added = [i for i in ids if i not in profiles.columns]
    if not added:
        return profiles
    computed = table.values[:, [table.rubric.indicator_ids.index(i) for i in added]]
    kinds = np.full(computed.shape, BLANK, dtype=profiles.kinds.dtype)
    for k, indicator_id in enumerate(added):
        low, high = rubric.indicator(indicator_id).valid_range or (-np.inf, np.inf)
        column = computed[:, k]
        kinds[np.isfinite(column) & (low <= column) & (column <= high), k] = NUMBER
    numbers = np.where(kinds == NUMBER, computed, np.nan)
    return ProfileTable(profiles.file, [*profiles.columns, *added], np.hstack([profiles.values, numbers]),
                        np.hstack([profiles.kinds, kinds]), profiles.lines, profiles.meta, profiles.id_column)


def impact(old: Rubric, new: Rubric, profiles: Profiles) -> dict[str, Any]:
    """The :class:`RubricDiff` fields that describe how ``profiles`` move."""
    old_profiles, new_profiles = _restrict(profiles, old, new), _restrict(profiles, new, old)
    before = _score(old, old_profiles, "old")
    after = _mapped(new, new_profiles, before) or _score(new, new_profiles, "new")
    computed = {"old": _computed(old, new), "new": _computed(new, old)}
    if computed["old"]:
        before = _score(old, _bridge(old_profiles, old, computed["old"], after), "old")
    if computed["new"]:
        after = _score(new, _bridge(new_profiles, new, computed["new"], before), "new")
    old_rank, new_rank = competition_ranks(before.overall), competition_ranks(after.overall)
    shifts = after.overall - before.overall
    directions = _direction_shifts(before, after)
    gated = bool(old.gates or new.gates)
    gates: list[dict[str, GateShift] | None] = (_gate_statuses(before, after) if gated
                                                else [None] * len(profiles))
    impact: list[BaseImpact] = _IMPACTS.validate_python(sorted(_impact_rows(
        before, after, (old_rank, new_rank), directions, gates, gated),
        key=lambda row: (-round(abs(row["shift"]), RANK_DECIMALS), row["base"])))
    found: dict[str, Any] = {
        "impact": tuple(impact),
        "max_shift": float(np.abs(shifts).max()),
        "max_shift_base": impact[0].base,
        "max_rank_change": int(np.abs(old_rank - new_rank).max()),
        "level_changes": int((before.overall_level != after.overall_level).sum()),
        "kendall_tau": kendall_tau_b(old_rank, new_rank),
        "ignored": {"old": _dropped(profiles, old, new), "new": _dropped(profiles, new, old)},
    }
    if computed["old"] or computed["new"]:
        found["computed"] = computed
    if gated:
        found.update(_gate_summary(impact, old, new))
    return found


def _impact_rows(before: ScoreTable, after: ScoreTable,
                 ranks: tuple[np.ndarray, np.ndarray], directions: list[dict[str, dict[str, Any]]],
                 gates: list[dict[str, GateShift] | None], gated: bool) -> list[dict[str, Any]]:
    """The fields of every base's :class:`BaseImpact` (validated together, in one call)."""
    olds, news = before.overall.tolist(), after.overall.tolist()
    old_levels, new_levels = before.overall_level.tolist(), after.overall_level.tolist()
    old_ranks, new_ranks = ranks[0].tolist(), ranks[1].tolist()
    shifts = (after.overall - before.overall).tolist()
    return [{"base": base, "old": olds[n], "new": news[n], "shift": shifts[n],
             "old_level": old_levels[n], "new_level": new_levels[n], "old_rank": old_ranks[n],
             "new_rank": new_ranks[n], "rank_change": old_ranks[n] - new_ranks[n],
             "directions": directions[n], "gates": gates[n],
             "old_uncapped_level": _uncapped(before, n, gated),
             "new_uncapped_level": _uncapped(after, n, gated)} for n, base in enumerate(before.base_ids)]


def _uncapped(table: ScoreTable, row: int, gated: bool) -> int | None:
    """The overall level before gate caps, when either rubric has gates."""
    if not gated:
        return None
    levels = table.scores.uncapped_overall_level
    return int((table.overall_level if levels is None else levels)[row])


def _side(table: ScoreTable, column: int | None) -> tuple[list[Any], list[Any], list[bool]]:
    """Scores, levels and whether the direction is n/a, of every base on one direction, as lists
    (``None`` where the rubric has no such direction, ``column`` ``None``, or it does not apply)."""
    count = len(table)
    if column is None:
        return [None] * count, [None] * count, [False] * count
    na = np.isnan(table.directions[:, column]).tolist()
    scores = [None if gone else score for score, gone in zip(table.directions[:, column].tolist(), na)]
    levels = [None if gone else level for level, gone in zip(table.direction_levels[:, column].tolist(), na)]
    return scores, levels, na


def _na_change(old_na: bool, new_na: bool) -> NaChange | None:
    if old_na and new_na:
        return "still_na"
    return "became_na" if new_na else "no_longer_na" if old_na else None


def _direction_shifts(before: ScoreTable, after: ScoreTable) -> list[dict[str, dict[str, Any]]]:
    """Per base, every direction of either rubric (old order, then directions only the new has),
    as the fields of a :class:`DirectionShift` (validated with the base's impact, in one call)."""
    old_ids, new_ids = before.rubric.direction_ids, after.rubric.direction_ids
    rows: list[dict[str, dict[str, Any]]] = [{} for _ in range(len(before))]
    for key in (*old_ids, *(d for d in new_ids if d not in old_ids)):
        olds, old_levels, old_na = _side(before, old_ids.index(key) if key in old_ids else None)
        news, new_levels, new_na = _side(after, new_ids.index(key) if key in new_ids else None)
        for n, row in enumerate(rows):
            o, w = olds[n], news[n]
            row[key] = {"old": o, "new": w, "shift": None if o is None or w is None else w - o,
                        "old_level": old_levels[n], "new_level": new_levels[n],
                        "na": _na_change(old_na[n], new_na[n]) if old_na[n] or new_na[n] else None}
    return rows


# --- gates ---------------------------------------------------------------------------------------

def _statuses(table: ScoreTable) -> dict[str, list[str]]:
    """Each gate's status for every base, by gate id."""
    status = table.scores.gate_status
    gates = table.rubric.compiled.gates
    if status is None or not gates:
        return {}
    return {gate.id: [STATUS_NAMES[code] for code in status[:, g].tolist()] for g, gate in enumerate(gates)}


def _gate_statuses(before: ScoreTable, after: ScoreTable) -> list[dict[str, GateShift] | None]:
    """Per base, every gate of either rubric (old order, then gates only the new has)."""
    old, new = _statuses(before), _statuses(after)
    keys = [*old, *(g for g in new if g not in old)]
    return [{key: GateShift(old=old[key][n] if key in old else None, new=new[key][n] if key in new else None)
             for key in keys} for n in range(len(before))]


def status_changed(shift: GateShift) -> bool:
    """Whether a base's status on a gate changed; a gate only one rubric has counts if it caps."""
    if shift.old is None or shift.new is None:
        return (shift.old or shift.new) in FAILING
    return shift.old != shift.new


def _gate_summary(impact: list[BaseImpact], old: Rubric, new: Rubric) -> dict[str, Any]:
    """Per gate, how many bases it caps under each rubric and how many newly or no longer; over
    all gates, how many bases change status and how many some gate newly caps."""
    old_ids = {g.id for g in old.gates or ()}
    new_ids = {g.id for g in new.gates or ()}
    keys = [*(g.id for g in old.gates or ()), *(g.id for g in new.gates or () if g.id not in old_ids)]
    summary: dict[str, GateImpact] = {}
    for key in keys:
        shifts = [row.gates[key] for row in impact if row.gates is not None]
        summary[key] = GateImpact(
            old_failing=sum(s.old in FAILING for s in shifts) if key in old_ids else None,
            new_failing=sum(s.new in FAILING for s in shifts) if key in new_ids else None,
            newly_failing=sum(s.new in FAILING and s.old not in FAILING for s in shifts),
            no_longer_failing=sum(s.old in FAILING and s.new not in FAILING for s in shifts))
    rows = [row.gates or {} for row in impact]
    return {
        "gates": summary,
        "gate_status_changes": sum(any(status_changed(s) for s in row.values()) for row in rows),
        "newly_failing": sum(any(s.new in FAILING and s.old not in FAILING for s in row.values())
                             for row in rows),
    }

