"""The impact of a rubric change on bases: both rubrics score every profile (vectorised).

Levels are the capped ones (after gates). A direction that does not apply to a base under one
rubric (every indicator n/a) has no score there: its shift is ``None`` and ``na`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, compress
from operator import itemgetter, not_
from typing import Any

import numpy as np

from ..._analysis.compare import competition_ranks
from ..._analysis.score import score_checked, score_many
from ..._analysis.scorecard import ScoreTable
from ..._engine.compile import BoolArray, FloatArray, IntArray
from ..._engine.core import invalid_cells
from ..._engine.gates import FAILED, STATUS_NAMES, UNKNOWN
from ..._errors import Problem, UpgradeScoreError
from ..._io.csvtable import BLANK, NUMBER, ProfileTable
from ..._io.tables import _cell_problem as cell_problem
from ..._model.profile import NA, BaseProfile, Enterprise, ProfileRows, ReportedValue
from ..._model.rubric import Indicator, Rubric
from .ranks import kendall_tau_b
from .results import GateImpact, GateShift
from .rows import DirectionColumn, GateColumn, ImpactColumns, ImpactRows

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
    rows = ProfileRows.of(profiles)
    changed: dict[int, BaseProfile] = {}
    for row in _to_restrict(rows, drop, foreign):
        p = rows[row]
        update: dict[str, Any] = {}
        if rows.extras[row].get("rubric_version") is not None:
            update["base"] = p.base.model_copy(update={"rubric_version": None})
        if drop.intersection(p.values):
            update["values"] = {k: v for k, v in p.values.items() if k not in drop}
        if p.enterprises and foreign and not fields:
            update["enterprises"] = None
        elif p.enterprises and any(foreign.intersection(e.figures) for e in p.enterprises):
            update["enterprises"] = tuple(_without_figures(e, foreign) for e in p.enterprises)
        if update:
            changed[row] = p.model_copy(update=update)
    return rows.replaced(changed)


def _to_restrict(rows: ProfileRows, drop: set[str], foreign: set[str]) -> list[int]:
    """Rows (ascending) of the profiles :func:`_restrict` may change: those naming a rubric
    version, reporting a value of ``drop`` or, where ``foreign`` fields exist, listing enterprises
    (on what was read of each profile once)."""
    found = {row for row in rows.extra_rows if rows.extras[row].get("rubric_version") is not None}
    if drop:
        found.update(compress(range(len(rows)), map(not_, map(drop.isdisjoint, rows.values))))
    if foreign:
        found.update(compress(range(len(rows)), rows.listed))
    return sorted(found)


def _restrict_table(table: ProfileTable, drop: set[str]) -> ProfileTable:
    """:func:`_restrict` of a CSV table (which lists no enterprises): its columns without ``drop``,
    its rows without the rubric version they name."""
    keep = [c for c, column in enumerate(table.columns) if column not in drop]
    if len(keep) == len(table.columns) and "rubric_version" not in table.meta:
        return table
    meta = {name: cells for name, cells in table.meta.items() if name != "rubric_version"}
    return table.replaced([table.columns[c] for c in keep], table.values[:, keep], table.kinds[:, keep], meta)


def _without_figures(enterprise: Enterprise, fields: set[str]) -> Enterprise:
    figures = {k: v for k, v in enterprise.figures.items() if k not in fields}
    return Enterprise.model_validate({"id": enterprise.id, "name": enterprise.name, **figures})


def _dropped(profiles: Profiles, rubric: Rubric, other: Rubric) -> tuple[str, ...]:
    """Ids given in ``profiles`` that ``rubric`` does not take (a table's columns, blank or not:
    the profile of a row holds every column)."""
    unused = _unused(rubric, other)
    if not unused:
        return ()
    reported = (set(profiles.columns) if isinstance(profiles, ProfileTable)
                else set(chain.from_iterable(ProfileRows.of(profiles).values)))
    return tuple(sorted(reported & unused))


def _score(rubric: Rubric, profiles: Profiles, which: str) -> ScoreTable:
    """Score with one rubric; a profile it rejects is a located input error naming the rubric."""
    try:
        given = profiles if isinstance(profiles, (ProfileTable, ProfileRows)) else list(profiles)
        return score_many(rubric, given)
    except UpgradeScoreError as exc:
        raise UpgradeScoreError([Problem(f"{p.message} ({which} rubric '{rubric.id}' {rubric.version})",
                                         p.file, p.line, p.path) for p in exc.problems]) from None


def _mapped(rubric: Rubric, profiles: Profiles, other: ScoreTable) -> ScoreTable | None:
    """Scores of ``profiles`` with ``rubric``, their value matrix taken from ``other``'s (the
    same profiles, checked against the other rubric) column by column where an indicator of the
    same id takes the same values (same kind and n/a rule); only the other columns are read from
    the profiles. ``None`` where this does not apply (inputs, formulas or categories in either
    rubric, a panel, enterprise rows, a column of a CSV table to read: read by columns anyway)
    or any cell is a problem: the full path then says which."""
    table = isinstance(profiles, ProfileTable)
    if (rubric.compiled.derivation is not None or other.rubric.compiled.derivation is not None
            or rubric.categories or other.rubric.categories or other.profiles is None
            or len(other.profiles) != len(profiles) or (not table and any(ProfileRows.of(profiles).listed))):
        return None
    theirs = {indicator.id: (m, indicator) for m, indicator in enumerate(other.rubric.indicators)}
    count, indicators = len(profiles), rubric.indicators
    mapped = [theirs[i.id][0] if i.id in theirs and other.na is not None and (
        theirs[i.id][1].kind, theirs[i.id][1].allow_na) == (i.kind, i.allow_na) else -1 for i in indicators]
    if mapped == list(range(len(other.rubric.indicators))) and other.na is not None:  # the same columns
        values, na = other.values, other.na  # (read-only: shared by both tables)
    elif -1 not in mapped and other.na is not None:  # every column maps: one gather each
        values, na = other.values[:, mapped], other.na[:, mapped]
    elif table:
        return None
    else:
        values, na = np.full((count, len(indicators)), np.nan), np.zeros((count, len(indicators)), dtype=bool)
        for m, indicator in enumerate(indicators):
            if mapped[m] >= 0 and other.na is not None:
                values[:, m], na[:, m] = other.values[:, mapped[m]], other.na[:, mapped[m]]
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
    return profiles.replaced([*profiles.columns, *added], np.hstack([profiles.values, numbers]),
                             np.hstack([profiles.kinds, kinds]), profiles.meta)


def impact(old: Rubric, new: Rubric, profiles: Profiles) -> dict[str, Any]:
    """The :class:`RubricDiff` fields that describe how ``profiles`` move (``impact`` as
    :class:`ImpactRows`: arrays, a model per base built only when asked for)."""
    old_profiles, new_profiles = _restrict(profiles, old, new), _restrict(profiles, new, old)
    before = _score(old, old_profiles, "old")
    after = _mapped(new, new_profiles, before) or _score(new, new_profiles, "new")
    computed = {"old": _computed(old, new), "new": _computed(new, old)}
    if computed["old"]:
        before = _score(old, _bridge(old_profiles, old, computed["old"], after), "old")
    if computed["new"]:
        after = _score(new, _bridge(new_profiles, new, computed["new"], before), "new")
    gated = bool(old.gates or new.gates)
    columns = _columns(before, after, gated)
    found: dict[str, Any] = {
        "impact": ImpactRows(columns),
        "max_shift": float(np.abs(columns.shift).max()),
        "max_shift_base": columns.bases[0],
        "max_rank_change": int(np.abs(columns.old_rank - columns.new_rank).max()),
        "level_changes": int((columns.old_level != columns.new_level).sum()),
        "kendall_tau": kendall_tau_b(columns.old_rank, columns.new_rank),
        "ignored": {"old": _dropped(profiles, old, new), "new": _dropped(profiles, new, old)},
    }
    if computed["old"] or computed["new"]:
        found["computed"] = computed
    if gated and columns.gates is not None:
        found.update(_gate_summary(columns.gates, old, new))
    return found


def _order(bases: Sequence[str], shifts: FloatArray) -> IntArray:
    """Rows by absolute shift (rounded to ``RANK_DECIMALS``: equal shifts tie), largest first,
    then by base id (names compared only among rows whose shifts tie)."""
    keys = -rounded(np.abs(shifts), RANK_DECIMALS)
    order: IntArray = np.argsort(keys, kind="stable")
    ordered = keys[order]
    tied = np.zeros(len(order), dtype=bool)
    np.equal(ordered[1:], ordered[:-1], out=tied[1:])
    tied[:-1] |= tied[1:]  # (both rows of each equal neighbouring pair)
    if not tied.any():
        return order
    places = np.flatnonzero(tied)
    rows = order[places]
    names = np.empty(len(rows), dtype=np.int64)
    ids = [bases[row] for row in rows.tolist()]
    names[sorted(range(len(rows)), key=ids.__getitem__)] = np.arange(len(rows))
    order[places] = rows[np.lexsort((names, keys[rows]))]  # (tied rows keep their places as a set)
    return order


def rounded(values: FloatArray, decimals: int) -> FloatArray:
    """``round(x, decimals)`` of each value, as Python rounds it (to the nearest decimal, then the
    double nearest that): numpy's scaled ``rint`` gives the same double except where the scaled
    value sits within 10⁻³ of a half (its own rounding error is far smaller), and those few
    (and values too large for the scaled integer to be exact) are rounded by Python."""
    with np.errstate(over="ignore", invalid="ignore"):  # (huge values: rounded by Python below)
        scaled = values * 10.0 ** decimals
        out: FloatArray = np.rint(scaled) / 10.0 ** decimals
        near = (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3) | ~(np.abs(scaled) < 2.0 ** 52)
    for row in np.flatnonzero(near).tolist():
        out[row] = round(float(values[row]), decimals)
    return out


def _columns(before: ScoreTable, after: ScoreTable, gated: bool) -> ImpactColumns:
    """Every base's impact as arrays, rows sorted as ``RubricDiff.impact`` lists them."""
    shifts = after.overall - before.overall
    order = _order(before.base_ids, shifts)
    old_rank, new_rank = competition_ranks(before.overall)[order], competition_ranks(after.overall)[order]
    old_ids, new_ids = before.rubric.direction_ids, after.rubric.direction_ids
    directions = tuple(_direction(key, before, after, order)
                       for key in (*old_ids, *(d for d in new_ids if d not in old_ids)))
    ids = before.base_ids
    bases = tuple(itemgetter(*order.tolist())(ids)) if len(order) > 1 else tuple(ids)
    common = (bases, before.overall[order], after.overall[order], shifts[order], before.overall_level[order],
              after.overall_level[order], old_rank, new_rank, directions)
    if not gated:
        return ImpactColumns(*common)
    return ImpactColumns(*common, _uncapped(before)[order], _uncapped(after)[order],
                         _gates(before, after, order))


def _uncapped(table: ScoreTable) -> IntArray:
    """The overall levels before gate caps (the levels, where the rubric has no gates)."""
    levels = table.scores.uncapped_overall_level
    return table.overall_level if levels is None else levels


def _direction(key: str, before: ScoreTable, after: ScoreTable, order: IntArray) -> DirectionColumn:
    """One direction's scores, levels and n/a under each rubric (``None``: not in that rubric)."""
    sides: list[tuple[FloatArray | None, IntArray | None, BoolArray]] = []
    for table in (before, after):
        ids = table.rubric.direction_ids
        if key not in ids:
            sides.append((None, None, np.zeros(len(order), dtype=bool)))
            continue
        scores = table.directions[order, ids.index(key)]
        sides.append((scores, table.direction_levels[order, ids.index(key)], np.isnan(scores)))
    (old, old_level, old_na), (new, new_level, new_na) = sides
    return DirectionColumn(key, old, new, old_level, new_level, old_na, new_na)


# --- gates ---------------------------------------------------------------------------------------

def _gates(before: ScoreTable, after: ScoreTable, order: IntArray) -> tuple[GateColumn, ...]:
    """Every gate of either rubric (old order, then gates only the new has): its status per base."""
    old, new = _statuses(before, order), _statuses(after, order)
    keys = [*old, *(g for g in new if g not in old)]
    return tuple(GateColumn(key, old.get(key), new.get(key)) for key in keys)


def _statuses(table: ScoreTable, order: IntArray) -> dict[str, IntArray]:
    """Each gate's status code for every base, by gate id."""
    status = table.scores.gate_status
    gates = table.rubric.compiled.gates
    if status is None or not gates:
        return {}
    return {gate.id: status[order, g] for g, gate in enumerate(gates)}


def status_changed(shift: GateShift) -> bool:
    """Whether a base's status on a gate changed; a gate only one rubric has counts if it caps."""
    if shift.old is None or shift.new is None:
        return (shift.old or shift.new) in FAILING
    return shift.old != shift.new


def _gate_summary(gates: tuple[GateColumn, ...], old: Rubric, new: Rubric) -> dict[str, Any]:
    """Per gate, how many bases it caps under each rubric and how many newly or no longer; over
    all gates, how many bases change status and how many some gate newly caps."""
    old_ids = {g.id for g in old.gates or ()}
    new_ids = {g.id for g in new.gates or ()}
    summary: dict[str, GateImpact] = {}
    count = len(gates[0].failing()[0]) if gates else 0
    changed, newly = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool)
    for gate in gates:
        old_failing, new_failing = gate.failing()
        summary[gate.key] = GateImpact(
            old_failing=int(old_failing.sum()) if gate.key in old_ids else None,
            new_failing=int(new_failing.sum()) if gate.key in new_ids else None,
            newly_failing=int((new_failing & ~old_failing).sum()),
            no_longer_failing=int((old_failing & ~new_failing).sum()))
        changed |= gate.changed()
        newly |= new_failing & ~old_failing
    return {"gates": summary, "gate_status_changes": int(changed.sum()), "newly_failing": int(newly.sum())}
