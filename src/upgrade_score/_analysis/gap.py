"""Gap analysis: what a base must change to reach a target, ranked by what it gains.

A target sets a score for some directions (a level k means its cutoff c_k) and/or for the
overall score. Every indicator of a direction short of its target that sits below the level
``m = ⌈L · target / 100⌉`` becomes an action "raise it to level m" (its threshold, in its own
unit). Reaching level m everywhere in a direction gives it a score of at least 100·m/L, so
applying every action meets the target, under every aggregation and missing-data policy.

An action's ``gain`` is the overall points it adds on its own, found by re-scoring the base
with just that change (exact for every aggregation; for the arithmetic mean it equals
(W_j/ΣW)·(w_i/Σw)·100·(x_target − x_i)). The ``plan`` is a short list that reaches the target:
greedy, each step taking the action that most reduces the remaining shortfall.

Rubric language 2: N/A indicators get no action and an N/A direction has no deficit. A gate
(basic requirement) that does not pass *blocks* the target when it caps its scope below the
level the target asks of it (a direction's target level; for an overall gate, the level of the
target score and the lowest target level over the directions). Each blocking gate becomes a
``required`` action, listed and planned first, whose value meets the gate's condition (and the
indicator's own target level, where it also has one); ``met`` needs every blocking gate cleared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field

from .._analysis.score import score_many
from .._analysis.scorecard import ScoreTable
from .._engine.compile import BoolArray, CompiledGate, CompiledRubric, FloatArray
from .._engine.core import LEVEL_TOLERANCE, cell_levels, maturity_levels, overall_scores, scores_from_levels
from .._engine.derive import CompiledFormula
from .._engine.formula import evaluate_row, solve_for
from .._engine.gates import NOT_APPLICABLE, capping, meets_value
from .._engine.whatif import moved_score, moves
from .._errors import Problem, UpgradeScoreError, type_name
from .._io.arguments import ProfileLike, as_profile
from .._io.enterprises import EnterpriseTable, load_enterprises, with_enterprises
from .._io.rubrics import load_rubric
from .._model.base import Frozen
from .._model.display import HtmlDisplay, _dispatch
from .._model.label import Label
from .._model.profile import BaseInfo, BaseProfile
from .._model.results import Result, RubricRef, constructed, without_unset
from .._model.rubric import Rubric

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._text import Lang

TOLERANCE = LEVEL_TOLERANCE  # one tolerance for levels, ties and targets
Statistic = Literal["best", "median", "p75"]
_QUANTILES: dict[str, float] = {"best": 1.0, "median": 0.5, "p75": 0.75}


class Target(Frozen):
    """What a base should reach: levels or scores per direction, and/or an overall score.

    Build one with ``Target(level=4)``, ``Target(levels={"green": 3})``, ``Target(score=75)``,
    :meth:`parse` (CLI syntax) or :meth:`from_group` (a peer of a group of bases).
    """

    level: int | None = None
    levels: dict[str, int] = Field(default_factory=dict)
    score: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    direction_scores: dict[str, Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]] = Field(
        default_factory=dict)
    label: str | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        """``"4"`` (every direction) or ``"high_value=4,green=3"`` (per direction)."""
        text = text.strip()
        if re.fullmatch(r"\d+", text):
            return cls(level=int(text))
        levels: dict[str, int] = {}
        for part in text.split(","):
            match = re.fullmatch(r"\s*([A-Za-z][\w.-]*)\s*=\s*(\d+)\s*", part)
            if match is None:
                raise UpgradeScoreError(Problem(
                    f"'{part.strip()}' is not a level or DIRECTION=LEVEL", None, None, ("target",)))
            if match[1] in levels:
                raise UpgradeScoreError(Problem(f"direction '{match[1]}' given twice", None, None,
                                                ("target",)))
            levels[match[1]] = int(match[2])
        return cls(levels=levels)

    @classmethod
    def from_group(cls, rubric: Rubric | str | Path | None,
                   group: Sequence[BaseProfile] | ScoreTable, statistic: Statistic) -> Target:
        """The best, median or 75th-percentile direction and overall scores of a group."""
        if statistic not in _QUANTILES:
            raise UpgradeScoreError(f"peer: expected best, median or p75, got '{statistic}'")
        table = group if isinstance(group, ScoreTable) else _score_group(rubric, group)
        if len(table) == 0:
            raise UpgradeScoreError("peer: the group of bases is empty")
        q = _QUANTILES[statistic]
        scored = ~np.isnan(table.directions)  # N/A directions (NaN) have no score to aim for
        directions = {d: float(np.quantile(table.directions[scored[:, j], j], q))
                      for j, d in enumerate(table.rubric.direction_ids) if scored[:, j].any()}
        return cls(score=float(np.quantile(table.overall, q)), direction_scores=directions,
                   label=f"{statistic} of {len(table)} bases")

    def describe(self) -> dict[str, Any]:
        """The target as plain data (for reports)."""
        return self.model_dump(exclude_none=True, exclude_defaults=True)


def _score_group(rubric: Rubric | str | Path | None, group: Sequence[BaseProfile]) -> ScoreTable:
    if not group:
        raise UpgradeScoreError("peer: the group of bases is empty")
    return score_many(rubric, list(group))


class DirectionGap(Result):
    """Where a direction stands against its target (current score and level ``None``: N/A)."""

    current_score: float | None
    target_score: float
    current_level: int | None
    target_level: int
    deficit: float


class OperandChange(Result):
    """For a derived indicator: the value one input must reach, the other inputs held where they
    are, for the indicator to reach its target (``None``: not reported, or no such value)."""

    input: str
    current: float | None
    target: float | None
    unit: str | Label | None = None


class Action(Result):
    """Raise one indicator to a target level (or report it, when it is missing).

    ``gate``: the id of a gate (basic requirement) that blocks the target and that this action
    clears; such an action is ``required`` whatever its gain, and comes first. ``via`` (derived
    indicators): each input of its formula, and the value that alone would get it there.
    """

    indicator: str
    direction: str
    kind: str
    missing: bool
    current: bool | float | None
    current_level: float | None
    target: bool | float
    target_level: int
    unit: str | Label | None = None
    gain: float
    effort: float | None = None
    gain_per_effort: float | None = None
    gate: str | None = None
    required: bool | None = None
    via: list[OperandChange] | None = None


class GapReport(HtmlDisplay, Result):
    """Direction deficits, every action with its gain, and a short plan that meets the target."""

    rubric: RubricRef
    base: BaseInfo
    target: dict[str, Any]
    current_score: float
    current_level: int
    target_score: float | None = None
    met: bool
    directions: dict[str, DirectionGap]
    actions: list[Action]
    plan: list[str]
    plan_score: float
    blocking_gates: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = without_unset(super().to_dict())
        return data

    def _repr_summary(self) -> str:
        return (f"{self.base.id}: {len(self.actions)} actions, target "
                f"{'met' if self.met else 'not met'}, rubric {self.rubric.id} {self.rubric.version}")

    def by_effort(self) -> list[Action]:
        """Actions by gain per unit of effort (those without an effort hint last), then id."""
        return sorted(self.actions, key=lambda a: (a.gain_per_effort is None,
                                                   -(a.gain_per_effort or 0.0), a.indicator))

    def to_dataframe(self, what: Literal["actions", "directions"] = "actions") -> DataFrame:
        """Actions ranked by gain with their plan step, or the direction deficits (needs pandas)."""
        return self._frame(what=what)

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the report as an Excel workbook: sheets summary, actions (with plan steps) and
        directions, headers and words in ``lang`` (needs the ``[xlsx]`` extra)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))



def _cutoff(rubric: Rubric, level: int) -> float:
    return 0.0 if level <= 0 else rubric.cutoffs[min(level, rubric.level_count) - 1]


def direction_targets(rubric: Rubric, target: Target) -> FloatArray:
    """Target score of every direction (0 where none), checked against the rubric."""
    count = rubric.level_count
    problems: list[Problem] = []
    if target.level is not None and not 0 <= target.level <= count:
        problems.append(Problem(f"level {target.level} is outside 0..{count}", None, None,
                                ("target", "level")))
    scores = np.full(len(rubric.direction_ids), _cutoff(rubric, target.level or 0))
    for name, value, as_level in [*((k, v, True) for k, v in target.levels.items()),
                                  *((k, v, False) for k, v in target.direction_scores.items())]:
        if name not in rubric.direction_ids:
            known = ", ".join(rubric.direction_ids)
            problems.append(Problem(f"unknown direction (known: {known})", None, None,
                                    ("target", name)))
            continue
        if as_level and not 0 <= int(value) <= count:
            problems.append(Problem(f"level {value} is outside 0..{count}", None, None,
                                    ("target", name)))
            continue
        j = rubric.direction_ids.index(name)
        wanted = _cutoff(rubric, int(value)) if as_level else float(value)
        scores[j] = wanted if as_level else max(scores[j], wanted)
    if problems:
        raise UpgradeScoreError(problems)
    return scores


def _needed_level(rubric: Rubric, score: float) -> int:
    """The smallest level m with 100·m/L ≥ score (the tolerance on the score's scale, as the
    targets are checked: a target a hair above 0 needs level 1)."""
    count = rubric.level_count
    return min(count, max(0, math.ceil((score - TOLERANCE) * count / 100.0)))


def gap(rubric: Rubric | str | Path | None, profile: ProfileLike, target: Target | str | int, *,
        enterprises: EnterpriseTable | str | Path | None = None) -> GapReport:
    """Compare one base with a target: direction deficits, ranked actions and a plan.

    ``profile`` is a profile, the path of a profile file, a mapping of indicator id to value or a
    pandas Series (index = indicator ids, name = base id); ``target`` a :class:`Target`, a level
    (``3``) or levels per direction (``"high_value=4,green=3"``). ``enterprises``: an enterprise
    table (or its path) whose rows for this base roll up into its inputs, as in
    :func:`score_many`.
    """
    rubric = load_rubric(rubric)
    profile = as_profile(profile)
    if isinstance(target, bool) or not isinstance(target, (Target, str, int)):
        raise UpgradeScoreError(f"target: expected a Target, a level or 'DIRECTION=LEVEL,...', got "
                                f"{type_name(target)}")
    if enterprises is not None:
        if not isinstance(enterprises, EnterpriseTable):
            enterprises = load_enterprises(enterprises, rubric)
        profile = with_enterprises(rubric, [profile], enterprises)[0]
    if not isinstance(target, Target):
        target = Target.parse(str(target))
    table = score_many(rubric, [profile])
    wanted = direction_targets(rubric, target)
    compiled = rubric.compiled
    current = table.directions[0]
    overall = float(table.overall[0])
    short = ~np.isnan(current) & (current < wanted - TOLERANCE)  # an N/A direction is never short
    levels = np.where(short, [_needed_level(rubric, w) for w in wanted], 0)
    if target.score is not None and overall < target.score - TOLERANCE:
        levels = np.maximum(levels, _needed_level(rubric, target.score))
    wanted_levels = maturity_levels(wanted, compiled.cutoffs)
    guarded, blocking = _gates_in_the_way(table, wanted_levels, target.score)
    actions, after = _actions(table, levels, wanted, guarded, blocking)
    rescore = _rescorer(table)
    gains = rescore(_with_levels(table.indicator_levels[0], after))[1] - overall if actions else np.zeros(0)
    finished = [_finish(action, float(g)) for action, g in zip(actions, gains)]
    reached = {action["indicator"]: change for action, change in zip(actions, after)}
    finished.sort(key=lambda a: (not a.required, -round(a.gain, 9), a.indicator))
    plan, plan_score = _greedy_plan(rescore, table, finished, reached, wanted, target.score)
    return GapReport(
        rubric=RubricRef.of(rubric),
        base=profile.base,
        target=target.describe(),
        current_score=overall,
        current_level=int(table.overall_level[0]),
        target_score=target.score,
        met=not short.any() and not blocking
        and (target.score is None or overall >= target.score - TOLERANCE),
        directions={d: _direction_gap(table, j, float(wanted[j]), int(wanted_levels[j]))
                    for j, d in enumerate(rubric.direction_ids)},
        actions=finished,
        plan=plan,
        plan_score=plan_score,
        blocking_gates=[gate.id for gate in blocking] if compiled.gates else None,
    )


def _direction_gap(table: ScoreTable, j: int, wanted: float, wanted_level: int) -> DirectionGap:
    """Where direction ``j`` stands, made without validating again (:func:`constructed`: Python
    floats and ints of ours; a test checks every report against its validated twin)."""
    score = float(table.directions[0, j])
    if math.isnan(score):  # N/A: nothing to reach
        return constructed(DirectionGap, {"current_score": None, "target_score": wanted,
                                          "current_level": None, "target_level": wanted_level,
                                          "deficit": 0.0})
    return constructed(DirectionGap, {"current_score": score, "target_score": wanted,
                                      "current_level": int(table.direction_levels[0, j]),
                                      "target_level": wanted_level, "deficit": max(0.0, wanted - score)})


def _gates_in_the_way(table: ScoreTable, wanted_levels: Any,
                      score: float | None) -> tuple[list[CompiledGate], list[CompiledGate]]:
    """Gates that would cap below the target if not passed (``guarded``: every action must keep
    them passed) and those of them that do not pass now (``blocking``), in rubric order.

    An overall gate is measured against the level of the target score and the lowest target
    level over the scored directions; a direction gate against that direction's target level.
    """
    compiled = table.rubric.compiled
    status = table.scores.gate_status
    if status is None or not compiled.gates:
        return [], []
    scored = ~np.isnan(table.directions[0])
    overall_wanted = int(wanted_levels[scored].min()) if scored.any() else 0
    if score is not None:
        overall_wanted = max(overall_wanted, int(maturity_levels(score, compiled.cutoffs)))
    guarded: list[CompiledGate] = []
    blocking: list[CompiledGate] = []
    for g, gate in enumerate(compiled.gates):
        if gate.scope < 0:
            wanted = overall_wanted
        else:
            wanted = int(wanted_levels[gate.scope]) if scored[gate.scope] else 0
        if gate.caps < wanted and status[0, g] != NOT_APPLICABLE:
            guarded.append(gate)
            if capping(status[0, g]):
                blocking.append(gate)
    return guarded, blocking


Rescore = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def _rescorer(table: ScoreTable) -> Rescore:
    """Direction and overall scores of rows of changed indicator levels (K, M) of the base of
    ``table`` (its category and N/A answers): the engine after its level step, one pass for all
    K what-ifs (an action changes one indicator's level, the others stay where they are)."""
    compiled = table.rubric.compiled
    applies = _applies(table)

    def rescore(levels: FloatArray) -> tuple[FloatArray, FloatArray]:
        return scores_from_levels(compiled, levels, applies=applies)

    return rescore


def _applies(table: ScoreTable) -> BoolArray | None:
    """Where the indicators apply to the base of ``table`` (its category and N/A answers), for
    rubric language 2 or N/A answers; else ``None`` (all of them)."""
    compiled = table.rubric.compiled
    masked = compiled.uses_language_2 or (table.na is not None and bool(table.na[:1].any()))
    return table.applicable[0] if masked else None


def _with_levels(levels: FloatArray, changes: Sequence[tuple[int, float]]) -> FloatArray:
    """One row of indicator levels (M,) per change (column, level), with it applied."""
    rows = np.repeat(levels[None, :], len(changes), axis=0)
    for k, (column, level) in enumerate(changes):
        rows[k, column] = level
    return rows


def _actions(table: ScoreTable, direction_levels: Any, wanted: FloatArray,
             guarded: Sequence[CompiledGate],
             blocking: Sequence[CompiledGate]) -> tuple[list[dict[str, Any]], list[tuple[int, float]]]:
    """Unfinished actions (without gain) and what each changes: (column, the level it reaches)."""
    rubric = table.rubric
    compiled = rubric.compiled
    values = table.values[0].tolist()  # (Python floats: one numpy scalar fewer per use)
    levels = table.indicator_levels[0].tolist()
    applies = table.applicable[0].tolist() if compiled.uses_language_2 else [True] * len(values)
    category = -1 if table.categories is None else int(table.categories[0])
    direction_of = compiled.direction_of.tolist()
    via = _operand_solver(table)
    actions: list[dict[str, Any]] = []
    goals: list[tuple[int, float]] = []
    for m, indicator in enumerate(rubric.indicators):
        if not applies[m]:
            continue
        j = direction_of[m]
        needed = int(direction_levels[j])
        missing = math.isnan(levels[m])
        gates = [gate for gate in guarded if gate.column == m]
        cleared = next((gate.id for gate in blocking if gate.column == m), None)
        if missing and (needed > 0 or cleared) and rubric.missing == "exclude":
            # a newly reported value must not pull the direction's mean below where it is
            needed = max(needed, _needed_level(rubric, float(table.directions[0, j])),
                         _needed_level(rubric, float(wanted[j])) if cleared else 0)
        raise_level = needed > 0 and (missing or levels[m] < needed - TOLERANCE)
        if not (raise_level or cleared):
            continue
        goal = _target_value(rubric, indicator.kind, m, needed, category) if raise_level else values[m]
        for gate in gates:  # the value must keep (or make) every gate in the way passed
            if not meets_value(gate, goal):
                goal = gate.value
        goals.append((m, goal))
        current: bool | float | None = None if missing else values[m]
        if indicator.kind == "boolean" and current is not None:
            current = bool(current)
        actions.append({
            "indicator": indicator.id, "direction": compiled.direction_ids[j],
            "kind": indicator.kind, "missing": missing, "current": current,
            "current_level": None if missing else levels[m],
            "target": bool(goal) if indicator.kind == "boolean" else goal,
            "target_level": compiled.levels if indicator.kind == "boolean" else needed,
            "unit": indicator.unit, "effort": indicator.effort,
            "gate": cleared, "required": True if cleared else None,
            "via": None if via is None else via(m, goal),
        })
    reached = cell_levels(compiled, goals, category)
    if compiled.uses_language_2:  # a gate may ask more, or less, than the indicator's target level
        for action, level in zip(actions, reached):
            action["target_level"] = math.floor(level + TOLERANCE)
    return actions, [(m, level) for (m, _), level in zip(goals, reached)]


def _operand_solver(table: ScoreTable) -> Callable[[int, float], list[OperandChange] | None] | None:
    """For a rubric with formulas: the function that gives, for a derived indicator (its column)
    and the value it must reach, the value each input of its formula must reach alone (the
    others held at the base's values); ``None`` for the other indicators."""
    derivation, derived = table.rubric.compiled.derivation, table.derived
    if derivation is None or derived is None or not derivation.formula_of:
        return None
    units = {i.id: i.unit for i in table.rubric.inputs or ()}
    inputs, columns = derived.inputs[0].tolist(), derivation.input_columns
    low, high, signs = derivation.low.tolist(), derivation.high.tolist(), table.rubric.compiled.signs

    def changes(column: int, goal: float) -> list[OperandChange] | None:
        formula = derivation.formula_of.get(column)
        if formula is None:
            return None
        held = {name: inputs[columns[name]] for name in formula.operands}
        known = all(not math.isnan(value) for value in held.values())
        found = []
        for name in formula.operands:
            k = columns[name]
            target = solve_for(formula.expr, name, goal, held, function=formula.scalar,
                               names=formula.operands) if known else None
            if target is not None and name in derivation.counted_inputs:  # enterprise counts: whole
                target = _whole(formula, name, target, held, goal, float(signs[column]))
            if target is not None and not low[k] <= target <= high[k]:
                target = None  # no valid value of this input alone gets there
            found.append(constructed(OperandChange, {  # (checked values of ours: see _finish)
                "input": name, "current": None if math.isnan(held[name]) else held[name],
                "target": target, "unit": units.get(name)}))
        return found

    return changes


def _whole(formula: CompiledFormula, name: str, exact: float, held: dict[str, float], goal: float,
           sign: float) -> float | None:
    """The whole number nearest ``exact`` at which the formula still reaches ``goal`` (on the
    indicator's better side, ``sign``), or ``None``."""
    for candidate in sorted({math.floor(exact), math.ceil(exact)}, key=lambda c: abs(c - exact)):
        value, _ = evaluate_row(formula.scalar, {**held, name: float(candidate)}, formula.operands)
        if math.isfinite(value) and sign * (value - goal) >= -TOLERANCE * max(1.0, abs(goal)):
            return float(candidate)
    return None


def _target_value(rubric: Rubric, kind: str, column: int, level: int, category: int) -> float:
    """The value that reaches ``level`` for a base of ``category`` (its own thresholds, if it has
    them): the threshold, the level itself, or true (``kind``: the indicator's)."""
    compiled = rubric.compiled
    if kind == "boolean":
        return 1.0
    if kind == "qualitative":
        return float(level)
    _, sign, points, *_ = compiled.rules_by_category.get(category, {}).get(
        column, compiled.column_rules[column])  # (Python floats: the compiled points and sign)
    return points[level] * sign


_ACTION_FIELDS = ("indicator", "direction", "kind", "missing", "current", "current_level", "target",
                  "target_level", "unit")


def _finish(action: dict[str, Any], gain: float) -> Action:
    """The action with its gain, made without validating again (:func:`constructed`): every field
    is a value of ours of its declared type (the rubric's ids, kinds, units and efforts, Python
    floats, ints and bools); a test checks that every report equals its validated twin."""
    effort = action["effort"]
    fields = {name: action[name] for name in _ACTION_FIELDS}
    fields.update(gain=gain, effort=effort, gain_per_effort=None if effort is None else gain / effort,
                  gate=action["gate"], required=action["required"], via=action["via"])
    return constructed(Action, fields)


def _greedy_plan(rescore: Rescore, table: ScoreTable, actions: Sequence[Action],
                 reached: dict[str, tuple[int, float]], wanted: FloatArray,
                 score: float | None) -> tuple[list[str], float]:
    """Take every required action (gates), then add actions one at a time, each the one that
    most reduces the shortfall, until the target is met (``reached``: the column and level of
    each action). The plan's score is the engine's."""
    current = np.array(table.indicator_levels[0])
    plan = [a.indicator for a in actions if a.required]
    for indicator_id in plan:
        current[reached[indicator_id][0]] = reached[indicator_id][1]
    remaining = [a.indicator for a in actions if not a.required]  # in gain order: ties go to higher gain
    directions, overall = rescore(current[None, :])
    lack = sum(_deficit(goal, d) for goal, d in zip(wanted.tolist(), directions[0].tolist()))
    if score is not None:
        lack += max(score - float(overall[0]), 0.0)
    if lack <= TOLERANCE or not remaining:
        return plan, float(overall[0])
    changes = [reached[indicator_id] for indicator_id in remaining]
    order = _greedy_order(table, current, directions[0], changes, wanted, score)
    plan.extend(remaining[k] for k in order)
    return plan, _plan_score(rescore, current, changes, order)


def _greedy_order(table: ScoreTable, levels: FloatArray, directions: FloatArray,
                  changes: Sequence[tuple[int, float]], wanted: FloatArray,
                  score: float | None) -> list[int]:
    """The order in which the plan takes ``changes`` (column, level), from the base's indicator
    levels and direction scores with the required actions taken, while the target is not met.

    Each step tries every open change. A change moves only its own direction's sums
    (:mod:`~upgrade_score._engine.whatif`), so a trial changes one direction's score (worked out
    again only for the direction the last step moved) and so one term of the shortfall; with a
    target score, a trial's overall score is the engine's aggregation of its direction scores."""
    compiled = table.rubric.compiled
    applies = _applies(table)
    move = moves(compiled, levels, changes, applies)
    of, by_weight, by_divisor = move.direction.tolist(), move.weighted.tolist(), move.divisor.tolist()
    weighted, divisors = (sums.tolist() for sums in move.base)
    now, goals = directions.tolist(), wanted.tolist()
    moved = [moved_score(compiled, weighted[j] + dw, divisors[j] + dd)
             for j, dw, dd in zip(of, by_weight, by_divisor)]
    short = [_deficit(goals[j], d) for j, d in zip(of, moved)]
    still_open = [True] * len(changes)
    order: list[int] = []
    lack = math.inf
    while lack > TOLERANCE and len(order) < len(changes):
        deficits = [_deficit(goal, d) for goal, d in zip(goals, now)]
        total = sum(deficits)
        lacks = np.array([total - deficits[j] + trial if open_ else math.inf
                          for j, trial, open_ in zip(of, short, still_open)])
        if score is not None:
            lacks += _overall_lack(compiled, now, of, moved, score)
        best = int(np.round(lacks, 9).argmin())
        still_open[best] = False
        order.append(best)
        j = of[best]
        weighted[j] += by_weight[best]
        divisors[j] += by_divisor[best]
        now[j] = moved[best]  # the chosen trial is the new state
        for k, (direction, open_) in enumerate(zip(of, still_open)):
            if direction == j and open_:
                moved[k] = moved_score(compiled, weighted[j] + by_weight[k], divisors[j] + by_divisor[k])
                short[k] = _deficit(goals[j], moved[k])
        lack = float(lacks[best])
    return order


def _deficit(goal: float, score: float) -> float:
    """How far a direction's score falls short of its target (N/A, NaN: not at all)."""
    missing = goal - score
    return missing if missing > 0.0 else 0.0


def _overall_lack(compiled: CompiledRubric, directions: list[float], of: list[int],
                  moved: list[float], score: float) -> FloatArray:
    """What the overall score of each trial lacks of ``score``: the engine's aggregation of the
    direction scores with trial k's direction ``of[k]`` at ``moved[k]``."""
    rows = np.repeat(np.array([directions]), len(of), axis=0)
    rows[np.arange(len(of)), of] = moved
    lack: FloatArray = np.clip(score - overall_scores(compiled, rows), 0.0, None)
    return lack


def _plan_score(rescore: Rescore, levels: FloatArray, changes: Sequence[tuple[int, float]],
                order: Sequence[int]) -> float:
    """The engine's overall score of the plan's last step as that step tried it: the levels
    before it with each change still open applied in turn (one row each, so the very bits a
    trial of that step gets), the chosen one's row."""
    before = np.array(levels)
    for k in order[:-1]:
        before[changes[k][0]] = changes[k][1]
    done = set(order[:-1])
    still_open = [k for k in range(len(changes)) if k not in done]
    overall = rescore(_with_levels(before, [changes[k] for k in still_open]))[1]
    return float(overall[still_open.index(order[-1])])
