"""The rubric: what is measured, how each value maps to a maturity level, and the weights.

A rubric is loaded from YAML into frozen pydantic models. Field types are checked by pydantic;
the rules that tie fields together (threshold order and length, level numbering, unique ids...)
are checked by :meth:`Rubric._check_rules`, so every rule applies to rubrics built in code too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .._errors import FieldPath, UpgradeScoreError
from .._text import Lang
from .base import FiniteFloat, FloatPair, FloatTuple, Frozen, PositiveFloat, as_tuple, rules_error
from .display import HtmlDisplay

if TYPE_CHECKING:
    from .._engine.compile import CompiledRubric

DEFAULT_RUBRIC_ID = "urban-mining-upgrade"

Id = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=100)]
Text = Annotated[str, Field(min_length=1)]
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


class Label(Frozen):
    """A bilingual label; at least one language must be given."""

    zh: Text | None = None
    en: Text | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Label:
        if self.zh is None and self.en is None:
            raise ValueError("a label needs 'zh' or 'en' text")
        return self

    def text(self, lang: Lang = "en") -> str:
        """The label in ``lang``, falling back to the other language."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or ""


class Level(Frozen):
    """One maturity level, numbered from 1."""

    level: int
    name: Label
    description: Text | None = None


class Indicator(Frozen):
    """One measured indicator and the rule that turns its value into a level 0..L."""

    id: Id
    name: Label
    description: Text | None = None
    unit: Text | None = None
    kind: Kind = "quantitative"
    better: Better = "higher"
    thresholds: FloatTuple | None = None
    floor: FiniteFloat | None = None
    interpolation: Literal["linear", "step"] = "linear"
    valid_range: FloatPair | None = None
    weight: PositiveFloat = 1.0
    effort: PositiveFloat | None = None
    source: Text | None = None
    rationale: Text | None = None
    descriptors: Annotated[dict[int, Label] | None, BeforeValidator(_level_keys)] = None

    @property
    def effective_floor(self) -> float:
        """The value that scores level 0: ``floor``, or one threshold step before ``t_1``."""
        if self.floor is not None:
            return self.floor
        t = self.thresholds or (0.0, 1.0)
        return t[0] - (t[1] - t[0])

    def _problems(self, levels: int) -> Iterator[tuple[FieldPath, str]]:
        if self.kind != "quantitative":
            for name in ("thresholds", "floor", "valid_range", "better", "interpolation"):
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
        yield from self._threshold_problems(levels)

    def _threshold_problems(self, levels: int) -> Iterator[tuple[FieldPath, str]]:
        t = self.thresholds
        if t is None:
            yield ("thresholds",), f"a quantitative indicator needs {levels} thresholds"
            return
        if len(t) != levels:
            yield ("thresholds",), f"needs exactly {levels} values (one per level), got {len(t)}"
            return
        sign = 1 if self.better == "higher" else -1
        word = "increase" if sign > 0 else "decrease"
        for k in range(1, len(t)):
            if sign * (t[k] - t[k - 1]) <= 0:
                yield ("thresholds", k), (
                    f"must strictly {word} (better: {self.better}); "
                    f"{t[k]:g} follows {t[k - 1]:g}"
                )
                return
        if self.floor is None and levels == 1:
            yield ("floor",), "a rubric with a single level needs an explicit floor"
        elif self.floor is not None and sign * (t[0] - self.floor) <= 0:
            side = "below" if sign > 0 else "above"
            yield ("floor",), f"must be {side} the first threshold {t[0]:g} (better: {self.better})"
        if self.valid_range is not None and self.valid_range[0] >= self.valid_range[1]:
            yield ("valid_range",), "must be [low, high] with low < high"


class Direction(Frozen):
    """An upgrade direction: a weighted group of indicators."""

    id: Id
    name: Label
    description: Text | None = None
    weight: PositiveFloat = 1.0
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1), BeforeValidator(as_tuple)]


class Rubric(HtmlDisplay, Frozen):
    """A complete scoring rubric. Build one with :func:`load_rubric` or ``Rubric.model_validate``."""

    id: Id
    version: Text
    title: Label
    description: Text | None = None
    levels: Annotated[tuple[Level, ...], Field(min_length=1), BeforeValidator(as_tuple)]
    level_cutoffs: FloatTuple | None = None
    aggregation: Literal["arithmetic", "geometric", "weakest"] = "arithmetic"
    missing: Literal["zero", "exclude"] = "zero"
    directions: Annotated[tuple[Direction, ...], Field(min_length=1), BeforeValidator(as_tuple)]

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
                for path, message in indicator._problems(count):
                    yield (*here, *path), message

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
    def direction_ids(self) -> tuple[str, ...]:
        """Direction ids in rubric order."""
        return tuple(d.id for d in self.directions)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators, direction by direction, in rubric order."""
        return tuple(i for d in self.directions for i in d.indicators)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Indicator ids in the column order used by :func:`score_many` matrices."""
        return tuple(i.id for i in self.indicators)

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
        known = ", ".join(self.direction_ids)
        raise UpgradeScoreError(f"rubric '{self.id}' has no direction '{direction_id}' (known: {known})")

    def level_name(self, level: int, lang: Lang = "en") -> str:
        """The name of maturity level ``level`` (0 = not yet level 1)."""
        if level <= 0:
            return "未达规划级" if lang == "zh" and self.levels[0].name.zh else "Below level 1"
        return self.levels[min(level, self.level_count) - 1].name.text(lang)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Rubric:
        """A copy; with ``update`` the changed rubric is validated again (and hashed anew)."""
        if update:
            return Rubric.model_validate({**self.model_dump(), **update})
        copy = super().model_copy(deep=deep)
        for cached in ("sha256", "compiled"):
            copy.__dict__.pop(cached, None)
        return copy

    @cached_property
    def sha256(self) -> str:
        """A content hash of the rubric, recorded with results so that figures can be reproduced."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @cached_property
    def compiled(self) -> CompiledRubric:
        """The rubric as numpy arrays, for the scoring engine."""
        from .._engine.compile import compile_rubric

        return compile_rubric(self)

    # --- display (see _html.py and _frames.py; pandas is imported only when asked for) ----------

    def to_dataframe(self, lang: Lang = "en") -> Any:
        """One row per indicator: direction, name, kind, unit, weight shares and thresholds."""
        return self._frame(lang=lang)

