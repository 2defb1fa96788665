"""The rubric: what is measured, how each value maps to a maturity level, and the weights.

A rubric is loaded from YAML into frozen pydantic models. Field types are checked by pydantic;
the rules that tie fields together (threshold order and length, level numbering, unique ids...)
are checked by :meth:`Rubric._check_rules`, so every rule applies to rubrics built in code too.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from .._errors import FieldPath, UpgradeScoreError, did_you_mean, format_path, known_list
from .._text import Lang
from .base import FiniteFloat, FloatPair, FloatTuple, Frozen, PositiveFloat, as_tuple, rules_error
from .derived import EnterpriseField, Input, PairwiseWeights, inject_weights, weight_conflicts
from .display import HtmlDisplay
from .formula import FormulaError, parse
from .label import BilingualText, Id, Label, Text

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._engine.compile import CompiledRubric

DEFAULT_RUBRIC_ID = "urban-mining-upgrade"

Kind = Literal["quantitative", "qualitative", "boolean"]
Better = Literal["higher", "lower"]


def _level_keys(value: object) -> object:
    """Descriptor levels may come as strings from JSON (``"3"``); read them as integers."""
    if not isinstance(value, dict):
        return value
    levels: dict[object, object] = {}
    for key, label in value.items():
        level = int(key) if isinstance(key, str) and key.isdigit() else key
        if level in levels:
            raise ValueError(f"descriptor level {level} is given twice")
        levels[level] = label
    return levels


class Level(Frozen):
    """One maturity level, numbered from 1."""

    level: int
    name: Label
    description: BilingualText | None = None


class Indicator(Frozen):
    """One measured indicator and the rule that turns its value into a level 0..L."""

    id: Id
    name: Label
    description: BilingualText | None = None
    unit: BilingualText | None = None
    kind: Kind = "quantitative"
    better: Better = "higher"
    thresholds: FloatTuple | None = None
    floor: FiniteFloat | None = None
    interpolation: Literal["linear", "step"] = "linear"
    valid_range: FloatPair | None = None
    weight: PositiveFloat = 1.0
    effort: PositiveFloat | None = None
    source: BilingualText | None = None
    rationale: BilingualText | None = None
    descriptors: Annotated[dict[int, BilingualText] | None, BeforeValidator(_level_keys)] = None
    allow_na: Annotated[bool, Field(description="a base may answer n/a (不适用): the indicator then "
                                                "leaves its direction's weighted mean")] = False
    applies_to: Annotated[tuple[Id, ...], Field(min_length=1, description=(
        "category ids the indicator applies to; for other bases (and bases without a category) "
        "it is n/a")), BeforeValidator(as_tuple)] | None = None
    thresholds_by_category: Annotated[dict[str, FloatTuple] | None, Field(
        description="per category id, thresholds t_1..t_L that replace 'thresholds' for its bases")] = None
    floor_by_category: Annotated[dict[str, FiniteFloat] | None, Field(
        description="per category id, a floor that replaces 'floor' for its bases")] = None
    formula: Annotated[str | None, Field(min_length=1, max_length=2000, description=(
        "computed from the rubric's inputs instead of reported: input ids, numbers, + - * / and "
        "parentheses, e.g. 'energy_use / value_added'"))] = None

    @property
    def effective_floor(self) -> float:
        """The value that scores level 0: ``floor``, or one threshold step before ``t_1``."""
        return self.floor_for(None)

    def thresholds_for(self, category: str | None) -> tuple[float, ...] | None:
        """The thresholds a base of ``category`` is held to (its own, or the default ones)."""
        return (self.thresholds_by_category or {}).get(category or "", self.thresholds)

    def floor_for(self, category: str | None) -> float:
        """The level-0 value for ``category``: ``floor_by_category``, ``floor``, or one step of
        the thresholds in effect before their first."""
        by_category = self.floor_by_category or {}
        if category is not None and category in by_category:
            return by_category[category]
        if self.floor is not None:
            return self.floor
        t = self.thresholds_for(category) or (0.0, 1.0)
        return t[0] - (t[1] - t[0])

    def applies(self, category: str | None) -> bool:
        """Whether the indicator applies to a base of ``category`` (without ``applies_to``: always)."""
        return self.applies_to is None or category in self.applies_to

    @property
    def categories_with_own_bars(self) -> tuple[str, ...]:
        """Categories with their own thresholds or floor."""
        return tuple(dict.fromkeys([*(self.thresholds_by_category or {}), *(self.floor_by_category or {})]))

    def _problems(self, levels: int, categories: tuple[str, ...]) -> Iterator[tuple[FieldPath, str]]:
        yield from self._category_problems(categories)
        if self.kind != "quantitative":
            for name in ("thresholds", "floor", "valid_range", "better", "interpolation",
                         "thresholds_by_category", "floor_by_category", "formula"):
                if getattr(self, name) != Indicator.model_fields[name].default:
                    yield (name,), f"only quantitative indicators take '{name}' (kind is {self.kind})"
            if self.descriptors is not None and self.kind == "boolean":
                yield ("descriptors",), "boolean indicators take no descriptors"
            for key in self.descriptors or {}:
                if not 0 <= key <= levels:
                    yield ("descriptors", key), f"descriptor level must be in 0..{levels}"
            return
        if self.descriptors is not None:
            yield ("descriptors",), "only qualitative indicators take descriptors"
        yield from self._threshold_problems(levels, self.thresholds, self.floor, ("thresholds",), ("floor",))
        for category, values in (self.thresholds_by_category or {}).items():
            floor = (self.floor_by_category or {}).get(category, self.floor)
            yield from self._threshold_problems(levels, values, floor, ("thresholds_by_category", category),
                                                ("floor_by_category", category))
        for category, floor in (self.floor_by_category or {}).items():
            if category not in (self.thresholds_by_category or {}) and self.thresholds:
                here: FieldPath = ("floor_by_category", category)
                problems = list(self._floor_problems(self.thresholds, floor, here))
                yield from problems or _computable(self.thresholds, floor, ("thresholds",), here)
        if self.valid_range is not None and self.valid_range[0] >= self.valid_range[1]:
            yield ("valid_range",), "must be [low, high] with low < high"

    def _category_problems(self, categories: tuple[str, ...]) -> Iterator[tuple[FieldPath, str]]:
        declared = frozenset(categories)
        known = known_list(categories) or "none: the rubric declares no categories"
        for k, category in enumerate(self.applies_to or ()):
            if category not in declared:
                yield ("applies_to", k), f"unknown category '{category}' (known: {known})"
        for name in ("thresholds_by_category", "floor_by_category"):
            for category in getattr(self, name) or {}:
                if category not in declared:
                    yield (name, category), f"unknown category '{category}' (known: {known})"

    def _threshold_problems(self, levels: int, t: tuple[float, ...] | None, floor: float | None,
                            where: FieldPath, floor_at: FieldPath) -> Iterator[tuple[FieldPath, str]]:
        if t is None:
            yield where, f"a quantitative indicator needs {levels} thresholds"
            return
        if len(t) != levels:
            yield where, f"needs exactly {levels} values (one per level), got {len(t)}"
            return
        sign = 1 if self.better == "higher" else -1
        word = "increase" if sign > 0 else "decrease"
        for k in range(1, len(t)):
            if sign * (t[k] - t[k - 1]) <= 0:
                yield (*where, k), (
                    f"must strictly {word} (better: {self.better}); "
                    f"{t[k]:g} follows {t[k - 1]:g}"
                )
                return
        if floor is None and levels == 1:
            yield floor_at, "a rubric with a single level needs an explicit floor"
            return
        if floor is not None:
            problems = list(self._floor_problems(t, floor, floor_at))
            if problems:
                yield from problems
                return
        yield from _computable(t, floor, where, floor_at)

    def _floor_problems(self, t: tuple[float, ...], floor: float,
                        where: FieldPath) -> Iterator[tuple[FieldPath, str]]:
        sign = 1 if self.better == "higher" else -1
        if sign * (t[0] - floor) <= 0:
            side = "below" if sign > 0 else "above"
            yield where, f"must be {side} the first threshold {t[0]:g} (better: {self.better})"


def _num(value: float) -> str:
    """A float as a reader wrote it: shortest round-trip form, no trailing '.0'."""
    return repr(value).removesuffix(".0")


def _computable(t: tuple[float, ...], floor: float | None, where: FieldPath,
                floor_at: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Problems of ordered bars the engine cannot compute with: a default floor that overflows,
    a span floor..t_L beyond the largest float, or a step so small (subnormal) that its rate
    1 / step overflows. (Without these rules every value of the indicator scores as missing.)"""
    derived = floor is None
    if floor is None:
        floor = t[0] - (t[1] - t[0])
        if not math.isfinite(floor):
            yield where, (f"the default floor (one step before {_num(t[0])}) overflows to {_num(floor)}; "
                          "give an explicit 'floor'")
            return
    if not math.isfinite(t[-1] - floor):
        yield where, (f"the span from {_num(floor)} to {_num(t[-1])} is too large to compute with "
                      f"(over {sys.float_info.max:.1e}): use a larger unit")
        return
    steps = [((*where, k), t[k - 1], t[k]) for k in range(1, len(t))]
    for path, low, high in [*steps, (where if derived else floor_at, floor, t[0])]:
        if abs(high - low) < sys.float_info.min:
            yield path, (f"the step from {_num(low)} to {_num(high)} is too small to compute with "
                         f"(under {sys.float_info.min:.1e}): use a smaller unit")
            return


class Category(Frozen):
    """A kind of base (e.g. ferrous, e-waste dismantling) with its own bars where the rubric says."""

    id: Id
    name: Label
    description: BilingualText | None = None


class Gate(Frozen):
    """A basic requirement (基本要求): a base that does not pass it is capped at level ``caps``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(**Frozen.model_config, json_schema_extra={
        "oneOf": [{"required": [name]} for name in ("at_least", "at_most", "equals")]})

    id: Id
    name: Label | None = None
    indicator: Annotated[Id, Field(description="the indicator whose value the condition tests")]
    at_least: Annotated[FiniteFloat | None, Field(description="passed when value ≥ at_least")] = None
    at_most: Annotated[FiniteFloat | None, Field(description="passed when value ≤ at_most")] = None
    equals: Annotated[bool | FiniteFloat | None, Field(
        description="passed when value = equals (true/false for a boolean indicator)")] = None
    caps: Annotated[int, Field(ge=0, description="the highest level a base that does not pass may "
                                                 "reach (0..L)")] = 0
    scope: Annotated[Id, Field(description="'overall' (the overall and balanced level) or a "
                                           "direction id")] = "overall"

    @property
    def condition(self) -> tuple[str, bool | float]:
        """The one condition given: (``at_least`` | ``at_most`` | ``equals``, its value)."""
        for name in ("at_least", "at_most", "equals"):
            value = getattr(self, name)
            if value is not None:
                return name, value
        return "at_least", 0.0  # unreachable in a validated rubric

    def _problems(self, rubric: Rubric) -> Iterator[tuple[FieldPath, str]]:
        given = [name for name in ("at_least", "at_most", "equals") if getattr(self, name) is not None]
        if len(given) != 1:
            yield (), f"needs exactly one of at_least, at_most, equals (got {', '.join(given) or 'none'})"
        if self.caps > rubric.level_count:
            yield ("caps",), f"must be a level from 0 to {rubric.level_count}, got {self.caps}"
        if self.scope != "overall" and self.scope not in rubric.direction_ids:
            yield ("scope",), (f"unknown scope '{self.scope}': 'overall' or a direction id"
                               f"{did_you_mean(self.scope, rubric.direction_ids)}")
        indicator = next((i for i in rubric.indicators if i.id == self.indicator), None)
        if indicator is None:
            yield ("indicator",), (f"unknown indicator '{self.indicator}'"
                                   f"{did_you_mean(self.indicator, rubric.indicator_ids)}")
        elif len(given) == 1:
            yield from self._kind_problems(indicator, given[0], rubric.level_count)

    def _kind_problems(self, indicator: Indicator, name: str, levels: int) -> Iterator[tuple[FieldPath, str]]:
        value = getattr(self, name)
        if indicator.kind == "boolean" and (name != "equals" or not isinstance(value, bool)):
            yield (name,), "a gate on a boolean indicator needs 'equals: true' or 'equals: false'"
        elif indicator.kind == "quantitative" and name == "equals":
            yield (name,), "a gate on a quantitative indicator needs 'at_least' or 'at_most'"
        elif indicator.kind != "boolean" and isinstance(value, bool):
            yield (name,), f"needs a number for a {indicator.kind} indicator, got {str(value).lower()}"
        elif indicator.kind == "qualitative" and (value != int(value) or not 0 <= value <= levels):
            yield (name,), f"needs a whole level from 0 to {levels}, got {value:g}"


class Direction(Frozen):
    """An upgrade direction: a weighted group of indicators."""

    id: Id
    name: Label
    description: BilingualText | None = None
    weight: PositiveFloat = 1.0
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1), BeforeValidator(as_tuple)]
    indicator_weights: Annotated[PairwiseWeights | None, Field(
        description="the indicators' weights by pairwise comparison (AHP) instead of 'weight'")] = None

    @model_validator(mode="before")
    @classmethod
    def _pairwise_weights(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("indicator_weights") is not None:
            indicators = inject_weights(data.get("indicators"), data["indicator_weights"])
            return {**data, "indicators": indicators}
        return data

    def _repr_summary(self) -> str:
        return f"{self.id}: {len(self.indicators)} indicators"


class Rubric(HtmlDisplay, Frozen):
    """A complete scoring rubric. Build one with :func:`load_rubric` or ``Rubric.model_validate``."""

    id: Id
    version: Text
    title: Label
    description: BilingualText | None = None
    levels: Annotated[tuple[Level, ...], Field(min_length=1), BeforeValidator(as_tuple)]
    level_cutoffs: FloatTuple | None = None
    aggregation: Literal["arithmetic", "geometric", "weakest"] = "arithmetic"
    missing: Literal["zero", "exclude"] = "zero"
    directions: Annotated[tuple[Direction, ...], Field(min_length=1), BeforeValidator(as_tuple)]
    categories: Annotated[tuple[Category, ...], BeforeValidator(as_tuple)] | None = None
    gates: Annotated[tuple[Gate, ...], BeforeValidator(as_tuple)] | None = None
    inputs: Annotated[tuple[Input, ...], BeforeValidator(as_tuple), Field(
        description="quantities bases report (or roll up) for formulas; not scored")] | None = None
    enterprise_fields: Annotated[tuple[EnterpriseField, ...], BeforeValidator(as_tuple), Field(
        description="figures each enterprise of a base reports, rolled up into inputs")] | None = None
    direction_weights: Annotated[PairwiseWeights | None, Field(
        description="the directions' weights by pairwise comparison (AHP) instead of 'weight'")] = None

    @model_validator(mode="before")
    @classmethod
    def _pairwise_weights(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("direction_weights") is not None:
            directions = inject_weights(data.get("directions"), data["direction_weights"])
            return {**data, "directions": directions}
        return data

    @model_validator(mode="after")
    def _check_rules(self) -> Rubric:
        problems = list(self._problems())
        if problems:
            raise rules_error(problems)
        return self

    def _problems(self) -> Iterator[tuple[FieldPath, str]]:
        count = len(self.levels)
        for i, level in enumerate(self.levels):
            if level.level != i + 1:
                yield ("levels", i, "level"), f"levels must be numbered 1..{count} in order; expected {i + 1}"
        yield from self._cutoff_problems(count)
        directions: dict[str, int] = {}
        indicators: dict[str, FieldPath] = {}
        for j, direction in enumerate(self.directions):
            if direction.id in directions:
                yield ("directions", j, "id"), (
                    f"duplicate direction id '{direction.id}' (also directions[{directions[direction.id]}])")
            directions.setdefault(direction.id, j)
            for i, indicator in enumerate(direction.indicators):
                here: FieldPath = ("directions", j, "indicators", i)
                if indicator.id in indicators:
                    first = indicators[indicator.id]
                    yield (*here, "id"), (
                        f"duplicate indicator id '{indicator.id}' "
                        f"(also directions[{first[1]}].indicators[{first[3]}])")
                indicators.setdefault(indicator.id, here)
                for path, message in indicator._problems(count, self.category_ids):
                    yield (*here, *path), message
        yield from self._unique(("categories",), self.categories or ())
        yield from self._unique(("gates",), self.gates or ())
        yield from self._derived_problems(indicators)
        for g, gate in enumerate(self.gates or ()):
            for path, message in gate._problems(self):
                yield ("gates", g, *path), message

    def _derived_problems(self, indicators: dict[str, FieldPath]) -> Iterator[tuple[FieldPath, str]]:
        """Inputs, enterprise fields, formulas and pairwise weights (design points 12–14)."""
        fields = {f.id: f for f in self.enterprise_fields or ()}
        taken: dict[str, FieldPath] = dict(indicators)
        named: tuple[tuple[str, Sequence[Input | EnterpriseField]], ...] = (
            ("inputs", self.inputs or ()), ("enterprise_fields", self.enterprise_fields or ()))
        for where, items in named:
            for k, item in enumerate(items):
                if item.id in taken:
                    first = format_path(taken[item.id])
                    yield (where, k, "id"), (f"id '{item.id}' is already used by {first} (ids are unique "
                                             "across indicators, inputs and enterprise fields)")
                taken.setdefault(item.id, (where, k))
        for k, item in enumerate(self.inputs or ()):
            for path, message in item._problems(fields):
                yield ("inputs", k, *path), message
        for indicator in self.indicators:
            if indicator.formula is not None and indicator.kind == "quantitative":
                try:
                    parse(indicator.formula, self.input_ids)
                except FormulaError as error:
                    yield (*indicators[indicator.id], "formula"), str(error)
        if self.direction_weights is not None:
            yield from _pairwise_problems(("direction_weights",), ("directions",), self.directions,
                                          self.direction_weights, tuple(self.direction_ids), "direction")
        for j, direction in enumerate(self.directions):
            if direction.indicator_weights is not None:
                ids = tuple(i.id for i in direction.indicators)
                yield from _pairwise_problems(
                    ("directions", j, "indicator_weights"), ("directions", j, "indicators"),
                    direction.indicators, direction.indicator_weights, ids, "indicator")

    @staticmethod
    def _unique(where: FieldPath, items: Sequence[Category | Gate | Input | EnterpriseField],
                ) -> Iterator[tuple[FieldPath, str]]:
        seen: dict[str, int] = {}
        for k, item in enumerate(items):
            if item.id in seen:
                yield (*where, k, "id"), f"duplicate id '{item.id}' (also {where[0]}[{seen[item.id]}])"
            seen.setdefault(item.id, k)

    def _cutoff_problems(self, count: int) -> Iterator[tuple[FieldPath, str]]:
        cutoffs = self.level_cutoffs
        if cutoffs is None:
            return
        if len(cutoffs) != count:
            yield ("level_cutoffs",), f"needs exactly {count} values (one per level), got {len(cutoffs)}"
            return
        for k, cutoff in enumerate(cutoffs):
            if not 0 < cutoff <= 100:
                yield ("level_cutoffs", k), f"must be in (0, 100], got {cutoff:g}"
            elif k and cutoff <= cutoffs[k - 1]:
                yield ("level_cutoffs", k), f"must strictly increase; {cutoff:g} follows {cutoffs[k - 1]:g}"

    # --- derived views -------------------------------------------------------------------

    @property
    def level_count(self) -> int:
        """L, the number of maturity levels."""
        return len(self.levels)

    @property
    def cutoffs(self) -> tuple[float, ...]:
        """Score needed for level 1..L: ``level_cutoffs`` or ``100·k/L``."""
        count = self.level_count
        return self.level_cutoffs or tuple(100.0 * k / count for k in range(1, count + 1))

    @property
    def category_ids(self) -> tuple[str, ...]:
        """Declared base categories, in rubric order."""
        return tuple(c.id for c in self.categories or ())

    def _repr_summary(self) -> str:
        return (f"{self.id} {self.version}: {len(self.directions)} directions, "
                f"{len(self.indicators)} indicators")

    @property
    def direction_ids(self) -> list[str]:
        """Direction ids in rubric order: a new list, so ``frame[rubric.direction_ids]`` selects
        the direction columns of a DataFrame (a tuple would be one key)."""
        return [d.id for d in self.directions]

    @property
    def input_ids(self) -> tuple[str, ...]:
        """Declared input ids (reported quantities), in rubric order."""
        return tuple(i.id for i in self.inputs or ())

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators, direction by direction, in rubric order (found once: a rubric is
        immutable)."""
        return tuple(i for d in self.directions for i in d.indicators)

    @cached_property
    def _indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def indicator_ids(self) -> list[str]:
        """Indicator ids in the column order used by :func:`score_many` matrices: a new list, so
        ``frame[rubric.indicator_ids]`` selects those columns of a DataFrame."""
        return list(self._indicator_ids)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise UpgradeScoreError(f"rubric '{self.id}' has no indicator '{indicator_id}'")

    def direction(self, direction_id: str) -> Direction:
        """The direction with this id."""
        for direction in self.directions:
            if direction.id == direction_id:
                return direction
        known = known_list(self.direction_ids)
        raise UpgradeScoreError(f"rubric '{self.id}' has no direction '{direction_id}' (known: {known})")

    def level_name(self, level: int, lang: Lang = "en") -> str:
        """The name of maturity level ``level`` (0 = not yet level 1)."""
        if level <= 0:
            if lang == "zh":  # "not yet <level 1>", in Chinese even when level 1 has no zh name
                first = self.levels[0].name.zh or ""
                return f"未达{first}" if re.search(r"[\u4e00-\u9fff]", first) else "未达 1 级"
            return "Below level 1"
        return self.levels[min(level, self.level_count) - 1].name.text(lang)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Rubric:
        """A copy; with ``update`` the changed rubric is validated again (and hashed anew)."""
        if update:
            return Rubric.model_validate({**self.model_dump(), **update})
        copy = super().model_copy(deep=deep)
        for cached in ("sha256", "compiled", "indicators", "_indicator_ids"):
            copy.__dict__.pop(cached, None)
        return copy

    def __eq__(self, other: object) -> bool:
        """Equal when every field is: what was cached on either (``compiled``, ``sha256``) aside,
        as pydantic 2.6 and later compare (2.5 compared cached values too)."""
        if not isinstance(other, Rubric):
            return NotImplemented
        return self is other or all(getattr(self, name) == getattr(other, name)
                                    for name in type(self).model_fields)

    __hash__ = Frozen.__hash__  # (defining __eq__ would otherwise drop it)

    @cached_property
    def sha256(self) -> str:
        """A content hash of the rubric, recorded with results so that figures can be reproduced."""
        data = _without_unused(self.model_dump(mode="json"))
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @cached_property
    def compiled(self) -> CompiledRubric:
        """The rubric as numpy arrays, for the scoring engine."""
        from .._engine.compile import compile_rubric

        return compile_rubric(self)

    # --- display (see _html.py and _frames.py; pandas is imported only when asked for) ----------

    def to_dataframe(self, lang: Lang = "en") -> DataFrame:
        """One row per indicator: direction, name, kind, unit, weight shares and thresholds."""
        return self._frame(lang=lang)


_LANGUAGE_2_FIELDS = ("categories", "gates", "allow_na", "applies_to", "thresholds_by_category",
                      "floor_by_category", "formula", "inputs", "enterprise_fields", "direction_weights",
                      "indicator_weights")


def _pairwise_problems(where: FieldPath, items_at: FieldPath, items: Sequence[Direction | Indicator],
                       block: PairwiseWeights, ids: tuple[str, ...],
                       what: str) -> Iterator[tuple[FieldPath, str]]:
    """The pairwise block's order lists exactly ``ids``; a written weight agrees with it."""
    order = list(block.order_problems(ids, what))
    for path, message in order:
        yield (*where, *path), message
    if not order:
        for path, message in weight_conflicts(items, block):
            yield (*items_at, *path), message


def _without_unused(data: Any) -> Any:
    """Model data without the rubric-language-2 fields left at their defaults, so that a rubric
    that does not use them hashes as it always did."""
    if isinstance(data, dict):
        return {k: _without_unused(v) for k, v in data.items()
                if not (k in _LANGUAGE_2_FIELDS and v in (None, False))}
    if isinstance(data, list):
        return [_without_unused(v) for v in data]
    return data
