"""The impact of a rubric change on bases: both rubrics score every profile (vectorised).

Levels are the capped ones (after gates). A direction that does not apply to a base under one
rubric (every indicator n/a) has no score there: its shift is ``None`` and ``na`` says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._analysis.compare import competition_ranks
from ..._analysis.score import score_many
from ..._analysis.scorecard import ScoreTable
from ..._engine.gates import FAILED, STATUS_NAMES, UNKNOWN
from ..._errors import Problem, UpgradeScoreError
from ..._model.profile import BaseProfile, Enterprise, ReportedValue
from ..._model.rubric import Rubric
from .ranks import kendall_tau_b
from .results import BaseImpact, GateImpact, GateShift, NaChange

RANK_DECIMALS = 9  # scores equal to 9 decimals tie in the rankings
FAILING = (STATUS_NAMES[FAILED], STATUS_NAMES[UNKNOWN])  # statuses that cap: no pass


def _reported(rubric: Rubric) -> set[str]:
    """Ids a profile reports values for: indicators without a formula, inputs not rolled up."""
    return ({i.id for i in rubric.indicators if i.formula is None or i.kind != "quantitative"}
            | {i.id for i in rubric.inputs or () if i.rollup is None})


def _unused(rubric: Rubric, other: Rubric) -> set[str]:
    """Value ids ``other`` takes as reported and ``rubric`` does not (unknown to it, or computed)."""
    return _reported(other) - _reported(rubric)


def _restrict(profiles: tuple[BaseProfile, ...], rubric: Rubric, other: Rubric) -> tuple[BaseProfile, ...]:
    """Drop the values only ``other`` takes as reported (an indicator or input it alone has, or
    one ``rubric`` computes by formula or roll-up), and enterprise figures of fields only
    ``other`` declares (keeping where profiles came from). The rubric version a profile names is
    set aside: a diff scores the same values with both versions on purpose."""
    drop = _unused(rubric, other)
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


def _without_figures(enterprise: Enterprise, fields: set[str]) -> Enterprise:
    figures = {k: v for k, v in enterprise.figures.items() if k not in fields}
    return Enterprise.model_validate({"id": enterprise.id, "name": enterprise.name, **figures})


def _dropped(profiles: tuple[BaseProfile, ...], rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    reported = {key for p in profiles for key in p.values}
    return tuple(sorted(reported & _unused(rubric, other)))


def _score(rubric: Rubric, profiles: tuple[BaseProfile, ...], which: str) -> ScoreTable:
    """Score with one rubric; a profile it rejects is a located input error naming the rubric."""
    try:
        return score_many(rubric, list(profiles))
    except UpgradeScoreError as exc:
        raise UpgradeScoreError([Problem(f"{p.message} ({which} rubric '{rubric.id}' {rubric.version})",
                                         p.file, p.line, p.path) for p in exc.problems]) from None


def _computed(rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    """Indicators ``rubric`` takes as reported that ``other`` computes by formula (same id)."""
    by_formula = {i.id for i in other.indicators if i.formula is not None and i.kind == "quantitative"}
    return tuple(i for i in rubric.indicator_ids if i in by_formula and i in _reported(rubric))


def _bridge(profiles: tuple[BaseProfile, ...], rubric: Rubric, ids: tuple[str, ...],
            table: ScoreTable) -> tuple[BaseProfile, ...]:
    """Profiles given, for ``rubric``, the values of ``ids`` as the other rubric computed them
    (``table``) where they do not report them: a figure that one version asks for and the other
    computes from its parts is the same figure, so the change moves no base. A computed value
    outside ``rubric``'s valid range stays missing."""
    columns = [table.rubric.indicator_ids.index(i) for i in ids]
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


def impact(old: Rubric, new: Rubric, profiles: tuple[BaseProfile, ...]) -> dict[str, Any]:
    """The :class:`RubricDiff` fields that describe how ``profiles`` move."""
    old_profiles, new_profiles = _restrict(profiles, old, new), _restrict(profiles, new, old)
    before = _score(old, old_profiles, "old")
    after = _score(new, new_profiles, "new")
    computed = {"old": _computed(old, new), "new": _computed(new, old)}
    if computed["old"]:
        before = _score(old, _bridge(old_profiles, old, computed["old"], after), "old")
    if computed["new"]:
        after = _score(new, _bridge(new_profiles, new, computed["new"], before), "new")
    old_rank, new_rank = competition_ranks(before.overall), competition_ranks(after.overall)
    shifts = after.overall - before.overall
    directions = _direction_shifts(before, after)
    gated = bool(old.gates or new.gates)
    gates = _gate_statuses(before, after) if gated else [None] * len(profiles)
    impact = [BaseImpact(
        base=profile.id, old=float(before.overall[n]), new=float(after.overall[n]), shift=float(shifts[n]),
        old_level=int(before.overall_level[n]), new_level=int(after.overall_level[n]),
        old_rank=int(old_rank[n]), new_rank=int(new_rank[n]), rank_change=int(old_rank[n] - new_rank[n]),
        directions=directions[n], gates=gates[n],
        old_uncapped_level=_uncapped(before, n, gated), new_uncapped_level=_uncapped(after, n, gated))
        for n, profile in enumerate(profiles)]
    impact.sort(key=lambda row: (-round(abs(row.shift), RANK_DECIMALS), row.base))
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


def _uncapped(table: ScoreTable, row: int, gated: bool) -> int | None:
    """The overall level before gate caps, when either rubric has gates."""
    if not gated:
        return None
    levels = table.scores.uncapped_overall_level
    return int((table.overall_level if levels is None else levels)[row])


def _side(scores: list[float], levels: list[int],
          column: int | None) -> tuple[float | None, int | None, bool]:
    """Score, level and whether the direction is n/a, of one base on one direction (its row of
    direction scores and levels as lists; ``column`` ``None``: the rubric has no such direction)."""
    if column is None:
        return None, None, False
    score = scores[column]
    if math.isnan(score):
        return None, None, True
    return score, levels[column], False


def _na_change(old_na: bool, new_na: bool) -> NaChange | None:
    if old_na and new_na:
        return "still_na"
    return "became_na" if new_na else "no_longer_na" if old_na else None


def _direction_shifts(before: ScoreTable, after: ScoreTable) -> list[dict[str, dict[str, Any]]]:
    """Per base, every direction of either rubric (old order, then directions only the new has),
    as the fields of a :class:`DirectionShift` (validated with the base's impact, in one call)."""
    old_ids, new_ids = before.rubric.direction_ids, after.rubric.direction_ids
    tables = [(t.directions.tolist(), t.direction_levels.tolist()) for t in (before, after)]
    rows: list[dict[str, dict[str, Any]]] = [{} for _ in range(len(before))]
    for key in (*old_ids, *(d for d in new_ids if d not in old_ids)):
        j_old = old_ids.index(key) if key in old_ids else None
        j_new = new_ids.index(key) if key in new_ids else None
        for n, row in enumerate(rows):
            o, old_level, old_na = _side(tables[0][0][n], tables[0][1][n], j_old)
            w, new_level, new_na = _side(tables[1][0][n], tables[1][1][n], j_new)
            row[key] = {"old": o, "new": w, "shift": None if o is None or w is None else w - o,
                        "old_level": old_level, "new_level": new_level, "na": _na_change(old_na, new_na)}
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

