"""The results of scoring many bases: a :class:`ScoreTable` of arrays, and the scorecard of
one of its rows."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

import numpy as np

from .._engine.compile import BOOLEAN, BoolArray, CompiledRubric, FloatArray, IntArray
from .._engine.core import Scores, applicable, category_codes, indicator_levels
from .._engine.derive import Derived
from .._engine.gates import STATUS_NAMES
from .._errors import UpgradeScoreError
from .._io.csvtable import ProfileTable
from .._model.display import HtmlDisplay, _dispatch
from .._model.profile import BaseInfo, BaseProfile, ProfileRows
from .._model.results import (
    DerivedValue,
    DirectionResult,
    GateResult,
    IndicatorResult,
    OverallResult,
    RubricRef,
    Scorecard,
    constructed,
    dumps,
)
from .._model.rubric import Rubric
from .scorecard_data import scorecard_data, within_row

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._text import Lang


ArrayT = TypeVar("ArrayT", bound=np.ndarray)


def readonly(array: ArrayT) -> ArrayT:
    """``array``, made read-only (results are immutable, their arrays too)."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class ScoreTable(HtmlDisplay):
    """Scores of N bases: ``overall`` (N,), ``directions`` (N, D) and friends, as numpy arrays.

    Columns of ``directions`` follow ``rubric.direction_ids``; rows follow ``base_ids``.
    """

    rubric: Rubric
    values: FloatArray
    scores: Scores
    profiles: Sequence[BaseProfile] | None = None  # a tuple, or a CSV table (profiles on demand)
    ids: tuple[str, ...] | None = None
    na: BoolArray | None = None          # (N, M) values answered "does not apply"
    categories: IntArray | None = None   # (N,) index into rubric.category_ids, -1 for none
    derived: Derived | None = None       # inputs, enterprise rows and formula reasons

    def __post_init__(self) -> None:
        """Every array of the table is read-only: a result never changes once made (writing
        ``table.overall[0]`` raises instead of changing the scorecards built later)."""
        for item in (self.values, self.na, self.categories, *vars(self.scores).values()):
            if isinstance(item, np.ndarray):
                item.setflags(write=False)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def __iter__(self) -> Iterator[Scorecard]:
        return (self.scorecard(i) for i in range(len(self)))

    @cached_property
    def base_ids(self) -> tuple[str, ...]:
        """Row labels: profile ids, the ids given to :func:`score_many`, or ``row-1``..."""
        if isinstance(self.profiles, ProfileTable):
            return tuple(self.profiles.ids)
        if isinstance(self.profiles, ProfileRows):  # (read already)
            return self.profiles.ids
        if self.profiles is not None:
            return tuple(p.id for p in self.profiles)
        return self.ids or tuple(f"row-{i + 1}" for i in range(len(self)))

    def row_id(self, row: int) -> str:
        """The id of one row, without building every row's id (:attr:`base_ids`)."""
        if isinstance(self.profiles, ProfileTable):
            return str(self.profiles.ids[row])
        if self.profiles is not None:
            return self.profiles[row].id
        return self.ids[row] if self.ids else f"row-{row + 1}"

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
    def applicable(self) -> BoolArray:
        """Where each indicator applies to each base (its category; not answered n/a), (N, M)."""
        compiled = self.rubric.compiled
        codes = category_codes(compiled, self.categories, len(self))
        return readonly(applicable(compiled, codes, self.na))

    @cached_property
    def indicator_levels(self) -> FloatArray:
        """Indicator levels s ∈ [0, L], NaN where missing, shape (N, M) (computed on demand)."""
        if self.scores.levels is not None:  # kept by the engine: computed once per call
            return readonly(self.scores.levels)
        return readonly(indicator_levels(self.rubric.compiled, self.values, self.categories))

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
        if isinstance(self.profiles, ProfileTable):  # a CSV row reports no source or confidence
            return build_scorecard(self, row, self.profiles.base_info(row), None)
        profile = self.profiles[row] if self.profiles is not None else None
        info = profile.base if profile is not None else BaseInfo(id=self.base_ids[row])
        return build_scorecard(self, row, info, profile)

    def to_dataframe(self, levels: bool = False) -> DataFrame:
        """One row per base: overall, level, balanced level, completeness, direction scores
        (and with ``levels`` the direction levels). Needs pandas."""
        return self._frame(levels=levels)

    def __repr__(self) -> str:
        return (f"<ScoreTable: {len(self)} bases × {len(self.rubric.direction_ids)} directions, "
                f"rubric {self.rubric.id} {self.rubric.version}>")

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every scorecard as plain data (what each one's ``to_dict()`` gives, without the models)."""
        return list(scorecard_data(self))

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the table as an Excel workbook: sheets overall, directions, indicators (and gates),
        headers in ``lang``, frozen header rows (needs the ``[xlsx]`` extra)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"rubric": {id, version, sha256}, "bases": [every scorecard's dict]}``."""
        return {"rubric": RubricRef.of(self.rubric).to_dict(), "bases": self.to_dicts()}

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON of :meth:`to_dict` (sorted keys, floats rounded to 6 decimals)."""
        return dumps(self.to_dict(), indent)


def build_scorecard(table: ScoreTable, row: int, info: BaseInfo,
                    profile: BaseProfile | None) -> Scorecard:
    """Assemble the scorecard of ``row`` from the table's arrays.

    The models are made without validation (:func:`constructed`): every value comes from the
    checked table with the exact type its field declares (a float as a float, a level as an
    int...), so validating them again would only cost time; a test checks that every scorecard
    equals its validated twin, type for type."""
    rubric, scores = table.rubric, table.scores
    indicators = {}
    for indicator_id, fields in indicator_fields(table, row, profile).items():
        if fields["derived"] is not None:
            fields["derived"] = constructed(DerivedValue, fields["derived"])
        indicators[indicator_id] = constructed(IndicatorResult, fields)
    gates = gate_fields(table, row)
    return constructed(Scorecard, {
        "rubric": rubric_ref(rubric), "base": info,
        "overall": constructed(OverallResult, overall_fields(scores, row)),
        "directions": {d: constructed(DirectionResult, fields)
                       for d, fields in direction_fields(table, row).items()},
        "indicators": indicators,
        "gates": None if gates is None else {g: constructed(GateResult, fields)
                                             for g, fields in gates.items()}})


def rubric_ref(rubric: Rubric) -> RubricRef:
    """:meth:`RubricRef.of` without validating what the rubric has validated already."""
    return constructed(RubricRef, {"id": rubric.id, "version": rubric.version, "sha256": rubric.sha256},
                       {"_rubric": rubric})


@dataclass(frozen=True, eq=False)
class _CardPlan:
    """What every scorecard of a rubric shares, as Python data (made once per rubric)."""

    indicator_ids: list[str]
    units: list[Any]
    directions_of: list[str]       # each indicator's direction id
    shares: list[float]            # each indicator's weight share
    boolean: list[bool]
    direction_ids: list[str]
    direction_shares: list[float]
    # per derived indicator: its column, formula, operands (name, input column), and the operands
    # rolled up from enterprise rows
    formulas: list[tuple[int, str, list[tuple[str, int]], list[tuple[str, int]]]]


_PLANS: WeakKeyDictionary[CompiledRubric, _CardPlan] = WeakKeyDictionary()


def _card_plan(rubric: Rubric) -> _CardPlan:
    """The :class:`_CardPlan` of ``rubric``, cached with its compiled form (a rubric is immutable)."""
    compiled = rubric.compiled
    plan = _PLANS.get(compiled)
    if plan is not None:
        return plan
    direction_ids = rubric.direction_ids
    derivation = compiled.derivation
    formulas = []
    if derivation is not None:
        column = {input_id: k for k, input_id in enumerate(derivation.input_ids)}
        rolled_up = derivation.rolled_up
        for formula in derivation.formulas:
            operands = [(name, column[name]) for name in formula.operands]
            formulas.append((formula.column, formula.text, operands,
                             [(name, k) for name, k in operands if k in rolled_up]))
    plan = _PLANS[compiled] = _CardPlan(
        indicator_ids=rubric.indicator_ids, units=[i.unit for i in rubric.indicators],
        directions_of=[direction_ids[j] for j in compiled.direction_of.tolist()],
        shares=compiled.indicator_shares.tolist(), boolean=(compiled.kinds == BOOLEAN).tolist(),
        direction_ids=direction_ids, direction_shares=compiled.overall_shares.tolist(), formulas=formulas)
    return plan


def indicator_fields(table: ScoreTable, row: int, profile: BaseProfile | None) -> dict[str, dict[str, Any]]:
    """Per indicator of ``row``, the fields of its :class:`IndicatorResult` in declared order
    (``derived`` as plain fields; ``source`` and ``confidence`` as ``profile`` reported them)."""
    rubric, scores = table.rubric, table.scores
    compiled = rubric.compiled
    plan = _card_plan(rubric)
    if scores.levels is not None:
        levels = scores.levels[row].copy()
    else:
        categories = None if table.categories is None else table.categories[row:row + 1]
        levels = indicator_levels(compiled, table.values[row:row + 1], categories)[0]
    applicable = table.applicable[row]
    levels[~applicable] = np.nan
    present = ~np.isnan(levels)
    within = within_row(compiled, present, applicable)
    points = (100.0 * within * np.where(present, levels, 0.0) / compiled.levels).tolist()
    indicators: dict[str, dict[str, Any]] = {}
    formulas = _derived_values(table, row, plan)
    count = compiled.levels
    reported = profile.values if profile is not None else {}
    rows = zip(plan.indicator_ids, table.values[row].tolist(), levels.tolist(), applicable.tolist(),
               plan.directions_of, plan.shares, points, plan.boolean, plan.units)
    for m, (indicator_id, raw, level_or_nan, applies, direction, share, point, is_boolean,
            unit) in enumerate(rows):
        value: bool | float | None = None if raw != raw else bool(raw) if is_boolean else raw
        level = None if level_or_nan != level_or_nan else level_or_nan
        given = reported.get(indicator_id)
        indicators[indicator_id] = {  # in the order IndicatorResult declares its fields
            "direction": direction,
            "value": value,
            "missing": level is None and applies,
            "level": level,
            "attained_level": None if level is None else math.floor(level + 1e-9),
            "score": None if level is None else 100.0 * level / count,
            "direction_points": point,
            "weight_share": share,
            "unit": unit,
            "source": given.source if given is not None else None,
            "confidence": given.confidence if given is not None else None,
            "not_applicable": None if applies else True,
            "derived": formulas.get(m),
        }
    return indicators


def _derived_values(table: ScoreTable, row: int, plan: _CardPlan) -> dict[int, dict[str, Any]]:
    """Per derived indicator column of ``row``: its formula, operands and missing reason (the
    fields of a :class:`DerivedValue`)."""
    derived = table.derived
    if not plan.formulas or derived is None:
        return {}
    inputs_row = derived.inputs[row].tolist()
    rows_row = derived.rows[row].tolist()
    zero_row = derived.zero_division[row].tolist()
    found = {}
    for column, text, operands, rolled in plan.formulas:
        inputs = {name: None if (value := inputs_row[k]) != value else value for name, k in operands}
        rows = {name: rows_row[k] for name, k in rolled}
        found[column] = {
            "formula": text, "inputs": inputs, "enterprise_rows": rows or None,
            "missing_reason": "division_by_zero" if zero_row[column] else None}
    return found


def direction_fields(table: ScoreTable, row: int) -> dict[str, dict[str, Any]]:
    """Per direction of ``row``, the fields of its :class:`DirectionResult`."""
    scores = table.scores
    plan = _card_plan(table.rubric)
    uncapped = scores.uncapped_direction_levels
    uncapped_row = None if uncapped is None else uncapped[row].tolist()
    found = {}
    rows = zip(plan.direction_ids, scores.directions[row].tolist(),
               scores.direction_levels[row].tolist(), scores.direction_completeness[row].tolist(),
               plan.direction_shares)
    for j, (direction_id, score, level, completeness, share) in enumerate(rows):
        applies = level >= 0
        found[direction_id] = {
            "score": score if applies else None,
            "level": level if applies else None,
            "completeness": completeness if applies else None,
            "weight_share": share,
            "uncapped_level": uncapped_row[j] if uncapped_row is not None and applies else None}
    return found


def overall_fields(scores: Scores, row: int) -> dict[str, Any]:
    """The fields of the :class:`OverallResult` of ``row``."""
    uncapped = scores.uncapped_overall_level
    return {
        "score": float(scores.overall[row]),
        "level": int(scores.overall_level[row]),
        "balanced_level": int(scores.balanced_level[row]),
        "completeness": float(scores.completeness[row]),
        "uncapped_level": None if uncapped is None else int(uncapped[row]),
    }


def gate_fields(table: ScoreTable, row: int) -> dict[str, dict[str, Any]] | None:
    """Per gate, the fields of its :class:`GateResult` for ``row`` (``None``: no gates)."""
    status = table.scores.gate_status
    gates = table.rubric.compiled.gates
    if status is None or not gates:
        return None
    return {gate.id: {"status": STATUS_NAMES[code], "caps": gate.caps, "scope": gate.scope_id}
            for gate, code in zip(gates, status[row].tolist())}


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
