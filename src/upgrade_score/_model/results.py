"""Results: a scorecard for one base, and a table of arrays for many."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .base import ShortRepr
from .display import HtmlDisplay, _dispatch
from .label import Label
from .profile import BaseInfo
from .rubric import Rubric

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._text import Lang

DECIMALS = 6


class Result(ShortRepr, BaseModel):
    """Base of result models: immutable, with a byte-stable JSON form."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """Plain data with floats rounded to 6 decimals (what JSON output holds)."""
        rounded: dict[str, Any] = rounded_data(self.model_dump(mode="json"))
        return rounded

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON: sorted keys, rounded floats, UTF-8 text kept as is."""
        return dumps(self.to_dict(), indent)


def rounded_data(data: Any) -> Any:
    """Round every float in nested data to 6 decimals (and turn -0.0 into 0.0)."""
    kind = type(data)
    if kind in _PLAIN:  # (the common types first, by exact type: results hold thousands of them)
        return data
    if kind is dict:
        return {(k if type(k) is str else str(k)): (v if type(v) in _PLAIN else rounded_data(v))
                for k, v in data.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else rounded_data(v) for v in data]
    if isinstance(data, float):
        return round(data, DECIMALS) + 0.0 if math.isfinite(data) else None
    if isinstance(data, dict):
        return {str(k): rounded_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [rounded_data(v) for v in data]
    return data


_PLAIN = frozenset({str, int, bool, type(None)})
ResultT = TypeVar("ResultT", bound="Result")
_set = object.__setattr__
_new = object.__new__


def _slot_setter(name: str) -> Callable[[Any, Any], None]:
    """What sets attribute ``name`` of a model, bypassing its frozen ``__setattr__``: the slot's
    own descriptor where pydantic keeps it in a slot of BaseModel (a call less)."""
    slot = vars(BaseModel).get(name)
    setter: Callable[[Any, Any], None] | None = getattr(slot, "__set__", None)
    return setter if setter is not None else lambda model, value: _set(model, name, value)


_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")
_FIELD_NAMES: dict[type[BaseModel], tuple[int, frozenset[str], str]] = {}


def constructed(cls: type[ResultT], fields: dict[str, Any], private: dict[str, Any] | None = None) -> ResultT:
    """A result model made from ``fields`` (every field, in declared order) without validating
    them: what ``cls.model_construct`` makes when given every field, at a tenth of its cost (it
    loops over the fields in Python). ``private``: the model's private attributes, if it has
    any (every one of them).

    Only for data of ours that already has each field's exact declared type (a float as a
    float, a nested result as its model): scorecards are made this way, and a test checks that
    each equals its validated twin, type for type. Not for models with extra fields."""
    known = _FIELD_NAMES.get(cls)
    if known is None:
        names = tuple(cls.model_fields)
        known = _FIELD_NAMES[cls] = (len(names), frozenset(names), ", ".join(names))
    if len(fields) != known[0]:
        raise TypeError(f"{cls.__name__}: every field, in declared order ({known[2]})")
    result = _new(cls)
    _set(result, "__dict__", fields)
    _set_fields_set(result, set(known[1]))
    _set_extra(result, None)
    _set_private(result, private)
    return result


_LEAVES = _PLAIN | {float}


def dumps(data: Any, indent: int | None = 2, *, presorted: bool = False) -> str:
    """The one JSON writer of the package (give it data already rounded, e.g. ``to_dict()``).
    ``presorted``: every dict of ``data`` already has its keys in sorted order (the same bytes,
    without sorting them again)."""
    return json.dumps(data, sort_keys=not presorted, ensure_ascii=False, indent=indent,
                      allow_nan=False, default=str)


class RubricRef(Result):
    """Which rubric a result was computed with."""

    id: str
    version: str
    sha256: str

    _rubric: Rubric | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, rubric: Rubric) -> RubricRef:
        """A reference that also keeps the rubric, so that displays can name its levels."""
        ref = cls(id=rubric.id, version=rubric.version, sha256=rubric.sha256)
        ref._rubric = rubric
        return ref

    @property
    def rubric(self) -> Rubric | None:
        """The rubric itself, when this reference was made from it (not after a JSON round trip)."""
        return self._rubric

    def __eq__(self, other: object) -> bool:
        """Equal when id, version and hash are (whether or not the rubric itself is kept)."""
        if not isinstance(other, RubricRef):
            return NotImplemented
        return (self.id, self.version, self.sha256) == (other.id, other.version, other.sha256)

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.sha256))


class OverallResult(Result):
    """The whole base: overall score, its level, the balanced level and data completeness
    (``uncapped_level``: the level before gate caps, given when the rubric has gates)."""

    score: float
    level: int
    balanced_level: int
    completeness: float
    uncapped_level: int | None = None


class DirectionResult(Result):
    """One direction's score (0–100), maturity level and data completeness."""

    score: float | None
    level: int | None
    completeness: float | None
    weight_share: float
    uncapped_level: int | None = None


class IndicatorResult(Result):
    """How one reported value became points: value → level s → score 100·s/L → points."""

    direction: str
    value: bool | float | None
    missing: bool
    level: float | None
    attained_level: int | None
    score: float | None
    direction_points: float
    weight_share: float
    unit: str | Label | None = None
    source: str | None = None
    confidence: float | None = None
    not_applicable: bool | None = None
    derived: DerivedValue | None = None


class DerivedValue(Result):
    """How a derived indicator's value was computed (design point 12): its formula, the value of
    each operand, how many enterprise rows fed each rolled-up operand, and why a value is missing
    when a denominator was 0 (``missing_reason: "division_by_zero"``)."""

    formula: str
    inputs: dict[str, float | None]
    enterprise_rows: dict[str, int] | None = None
    missing_reason: str | None = None


class GateResult(Result):
    """One gate for one base: ``passed | failed | unknown | n/a``, the cap and its scope."""

    status: str
    caps: int
    scope: str


class Scorecard(HtmlDisplay, Result):
    """The full result for one base."""

    rubric: RubricRef
    base: BaseInfo
    overall: OverallResult
    directions: dict[str, DirectionResult]
    indicators: dict[str, IndicatorResult]
    gates: dict[str, GateResult] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = without_unset(super().to_dict())
        data["base"] = rounded_data(self.base.model_dump(mode="json", exclude_none=True))
        return data

    def _repr_summary(self) -> str:
        return (f"{self.base.id}: overall {self.overall.score:.1f}, level {self.overall.level}, "
                f"rubric {self.rubric.id} {self.rubric.version}")

    def to_dataframe(self) -> DataFrame:
        """One row per indicator: value, level, points, weight share and source (needs pandas)."""
        return self._frame()

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the scorecard as an Excel workbook: sheets overall, directions, indicators (and
        gates), headers in ``lang`` (needs the ``[xlsx]`` extra)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))


_LANGUAGE_2_KEYS = frozenset({"uncapped_level", "not_applicable", "gates", "gate", "required",
                              "blocking_gates", "derived", "enterprise_rows", "missing_reason", "via"})


def without_unset(data: Any) -> Any:
    """Leave out rubric-language-2 keys that carry nothing (so v1 results keep their bytes)."""
    kind = type(data)
    if kind is dict:  # (by exact type first, as in :func:`rounded_data`)
        return {k: (v if type(v) in _LEAVES else without_unset(v)) for k, v in data.items()
                if not (v is None and k in _LANGUAGE_2_KEYS)}
    if kind is list:
        return [v if type(v) in _LEAVES else without_unset(v) for v in data]
    if isinstance(data, dict):
        return {k: without_unset(v) for k, v in data.items()
                if not (k in _LANGUAGE_2_KEYS and v is None)}
    if isinstance(data, list):
        return [without_unset(v) for v in data]
    return data


IndicatorResult.model_rebuild()
