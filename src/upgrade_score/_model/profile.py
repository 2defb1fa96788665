"""Base profiles: what a base reported (the models; reading files is in ``_io.profiles``)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, PrivateAttr, WithJsonSchema, model_validator

from .._errors import FieldPath, Problem, UpgradeScoreError, did_you_mean, yaml11_boolean_hint
from .base import FiniteFloat, Frozen, as_tuple, rules_error
from .label import Id, Label, Text


def _scalar(value: Any) -> Any:
    """A reported value is a finite number, true/false, ``n/a`` (does not apply) or empty (missing)."""
    if isinstance(value, str) and value.strip().casefold() in NA_WORDS:
        return NA
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}… ({len(str(value))} digits)"
            raise ValueError(f"must be a finite number, got {shown}")
        return number
    raise ValueError(f"must be a number, true/false or empty, got {type(value).__name__} {value!r}")


NA = "n/a"  # the answer "does not apply" (design point 10)
NA_PATTERN = r"^\s*([Nn]/[Aa]|不适用)\s*$"  # NA_WORDS, as a JSON Schema pattern
ReportedScalar = Annotated[bool | float | Literal["n/a"] | None, BeforeValidator(_scalar),
                           WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "number"},
                                                     {"type": "string", "pattern": NA_PATTERN},
                                                     {"type": "null"}]})]


NA_WORDS = frozenset({"n/a", "不适用"})


class ReportedValue(Frozen):
    """One reported value, with where it came from and how sure the assessor was.

    ``confidence`` (0–1) or an interval ``low``..``high`` around a number states its uncertainty,
    which :func:`~upgrade_score.sensitivity` propagates to the score.
    """

    value: ReportedScalar
    source: Text | None = None
    confidence: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """A value may be given bare (``42``, ``true``, ``n/a``) or with its source (an object)."""
        schema: dict[str, Any] = dict(handler.resolve_ref_schema(handler(core_schema)))
        bare = schema["properties"]["value"]
        return {"anyOf": [*bare["anyOf"], schema]} if "anyOf" in bare else schema

    @model_validator(mode="after")
    def _interval(self) -> ReportedValue:
        if self.low is None and self.high is None:
            return self
        if self.low is None or self.high is None:
            raise ValueError("an interval needs both 'low' and 'high'")
        if not isinstance(self.value, float):
            raise ValueError("an interval (low, high) needs a numeric value")
        if not self.low <= self.value <= self.high:
            raise ValueError(f"the interval [{self.low:g}, {self.high:g}] must contain the value "
                             f"{self.value:g}")
        return self


def _wrap_scalars(values: Any) -> Any:
    if values is None:
        raise ValueError("is empty: list the values the base reports here "
                         "(write 'values: {}' for a base that reports none)")
    if not isinstance(values, dict):
        return values
    return {k: v if isinstance(v, (dict, ReportedValue)) else {"value": v} for k, v in values.items()}


@dataclass(frozen=True)
class RowOrigin:
    """Where one enterprise row was read from: a file, its line and the path of the row."""

    file: str
    line: int | None
    path: FieldPath
    lines: Mapping[str, int] = field(default_factory=dict)  # field id: line

    def problem(self, field_id: str | None, message: str) -> Problem:
        """A problem at the row, or at its value of ``field_id``."""
        line = self.lines.get(field_id, self.line) if field_id else self.line
        return Problem(message, self.file, line, (*self.path, *([field_id] if field_id else [])))


@dataclass(frozen=True)
class Origin:
    """Where a profile was read from, to locate problems found later against a rubric."""

    file: str
    base_line: int | None
    lines: Mapping[str, int] = field(default_factory=dict)
    prefix: FieldPath = ("values",)
    enterprises: tuple[RowOrigin, ...] = field(default=(), kw_only=True)  # one per enterprise row

    def problem(self, indicator_id: str | None, message: str, base_field: str | None = None) -> Problem:
        """A problem at a value (``indicator_id``), at a field of the base, or at the base."""
        if indicator_id is None:
            here: FieldPath = ("base",) if self.prefix else ()
            return Problem(message, self.file, self.base_line, (*here, *([base_field] if base_field else [])))
        line = self.lines.get(indicator_id, self.base_line)
        return Problem(message, self.file, line, (*self.prefix, indicator_id))


BASE_TEXT_FIELDS = ("region", "province", "city", "category", "notes", "rubric_version")
BASE_FIELDS = ("id", "name", "year", *BASE_TEXT_FIELDS, "illustrative", "meta")
_BASE_FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    **{key: {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}, {"type": "null"}]}
       for key in BASE_TEXT_FIELDS},
    "illustrative": {"type": ["boolean", "null"], "description": "the data are made up (examples)"},
    "meta": {"type": ["object", "null"], "description": "anything else about the base, as given"},
}


YEARS = (1900, 2100)  # a base's year: a whole number in this range (design point 15)
YEAR_RULE = f"a whole number from {YEARS[0]} to {YEARS[1]}"


def _year(value: Any) -> Any:
    """``base.year``: a whole number from 1900 to 2100 (or empty)."""
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not YEARS[0] <= value <= YEARS[1]:
        raise ValueError(year_message(value))
    return value


def year_message(value: Any) -> str:
    """What is wrong with a year that is not a whole number from 1900 to 2100."""
    shown = str(value) if isinstance(value, int) and not isinstance(value, bool) else _shown(value)
    return f"must be {YEAR_RULE}, got {shown}"


Year = Annotated[int | None, BeforeValidator(_year), WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}, {"type": "null"}]})]


class BaseInfo(Frozen):
    """Who the base is: ``id``, ``name`` and ``year`` (a whole number from 1900 to 2100; profiles
    of one id with different years form its history, a panel), and optionally ``region``,
    ``province``, ``city``, ``category``, ``notes`` and ``rubric_version`` (text, or a whole number
    such as an administrative code; ``rubric_version``: the rubric version the values were
    collected for, which the years of a panel must agree on), ``illustrative`` (true: made-up
    data) and ``meta`` (a mapping of anything else). The optional fields are kept as given, in
    ``model_extra``; any other field is an error."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: Id
    name: Label | None = None
    year: Year = None

    @model_validator(mode="before")
    @classmethod
    def _documented_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            problems = [problem for key, value in data.items() for problem in _field_problems(key, value)]
            if problems:
                raise rules_error(problems)
        return data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["properties"].update(_BASE_FIELD_SCHEMAS)
        schema["additionalProperties"] = False
        return schema


def _field_problems(key: Any, value: Any) -> Iterator[tuple[FieldPath, str]]:
    """What is wrong with the field ``key: value`` of a base (the typed fields are pydantic's)."""
    if key not in BASE_FIELDS:
        hint = did_you_mean(str(key), BASE_FIELDS) or (
            f" (allowed: {', '.join(BASE_FIELDS)}; put anything else under 'meta')")
        yield (key,), f"unknown field{hint}"
    elif value is None or key in ("id", "name", "year"):
        return
    elif key in BASE_TEXT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            yield (key,), f"must be text or a whole number, got {_shown(value)}"
    elif key == "illustrative":
        if not isinstance(value, bool):
            yield (key,), f"must be true or false, got {_shown(value)}{yaml11_boolean_hint(value)}"
    elif not isinstance(value, dict):
        yield (key,), f"must be a mapping of names to values, got {_shown(value)}"
    else:
        yield from _plain_data_problems(value, (key,))


def _plain_data_problems(data: dict[Any, Any], where: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Problems of ``meta``: it is written out with results, so only data JSON can hold."""
    stack: list[tuple[FieldPath, Any]] = [(where, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    yield path, f"keys must be text, got {_shown(key)}"
                    return
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, k), item) for k, item in enumerate(value))
        elif value is not None and not isinstance(value, (str, bool, int)) and not (
                isinstance(value, float) and math.isfinite(value)):
            yield path, ("must be plain data (text, numbers, true/false, lists, mappings), "
                         f"got {_shown(value)}")
            return


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _enterprise_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and math.isfinite(float(value)):
        return float(value)
    raise ValueError(f"{key}: must be a number, true/false or empty, got {_shown(value)}")


class Enterprise(Frozen):
    """One enterprise of a base (design point 13): ``id``, ``name`` and its figures, one per
    enterprise field of the rubric (a number, true/false, or empty when not reported)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: Annotated[Text | int | None, Field(description="the enterprise's own id (e.g. its unified social "
                                                       "credit code)")] = None
    name: Label | None = None

    @model_validator(mode="before")
    @classmethod
    def _figures(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        problems: list[tuple[FieldPath, str]] = []
        figures: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("id", "name"):
                figures[key] = value
                continue
            try:
                figures[key] = _enterprise_value(str(key), value)
            except ValueError as error:
                problems.append(((key,), str(error).split(": ", 1)[1]))
        if problems:
            raise rules_error(problems)
        return figures

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = dict(handler.resolve_ref_schema(handler(core_schema)))
        schema["additionalProperties"] = {"type": ["number", "boolean", "null"],
                                          "description": "a figure: enterprise field id: value"}
        return schema

    @property
    def figures(self) -> dict[str, bool | float | None]:
        """Enterprise field id: value, as reported."""
        return dict(self.model_extra or {})


class BaseProfile(Frozen):
    """One base and its reported indicator values (``None`` = not reported), and optionally its
    enterprises (the rows that roll up into inputs)."""

    base: BaseInfo
    values: Annotated[dict[str, ReportedValue], BeforeValidator(_wrap_scalars), Field(
        description="indicator or input id: value; required ('values: {}' is a base that reports "
                    "nothing)")]
    enterprises: Annotated[tuple[Enterprise, ...] | None, BeforeValidator(as_tuple), Field(
        description="the base's enterprises, one row each, for inputs rolled up from them")] = None
    _origin: Origin | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _misspelt_values(cls, data: Any) -> Any:
        """``valuse:`` is one mistake, reported once: as an unknown field (did you mean 'values'?)."""
        if isinstance(data, dict) and "values" not in data and any(
                isinstance(key, str) and did_you_mean(key, ["values"]) for key in data):
            return {**data, "values": {}}
        return data

    @property
    def id(self) -> str:
        """The base id."""
        return self.base.id

    def _repr_summary(self) -> str:
        return f"{self.id}: {len(self.values)} values"

    def value(self, indicator_id: str) -> bool | float | str | None:
        """The reported value of an indicator, ``None`` when missing."""
        reported = self.values.get(indicator_id)
        return None if reported is None else reported.value

    def problem(self, indicator_id: str | None, message: str, base_field: str | None = None) -> Problem:
        """A problem located at this profile's value of ``indicator_id``, or at the base (its
        field ``base_field``)."""
        if self._origin is None:
            path: FieldPath = (("values", indicator_id) if indicator_id
                               else ("base", *([base_field] if base_field else [])))
            return Problem(message, f"base '{self.id}'", None, path)
        return self._origin.problem(indicator_id, message, base_field)

    def enterprise_problem(self, row: int, field_id: str | None, message: str) -> Problem:
        """A problem at enterprise row ``row`` (its value of ``field_id``), located where read."""
        origins = self._origin.enterprises if self._origin is not None else ()
        if row < len(origins):
            return origins[row].problem(field_id, message)
        where = self.problem(None, message)
        path: FieldPath = ("enterprises", row, *([field_id] if field_id else []))
        return Problem(message, where.file, where.line, path)




_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})  # (one for every base without extra fields)


class ProfileRows(tuple[BaseProfile, ...]):
    """A tuple of profiles and what one pass over them read from each, for the stages that look
    at every profile (gathering values, ids, panels, restricting a diff): with 10⁵ profiles each
    pass over cold objects costs about as much as scoring them. ``ids``: each base id;
    ``extras``: each base's extra fields (rubric version, category ...); ``values``: each
    profile's values; ``listed``: each profile's enterprises (``None``: none); ``extra_rows``:
    the rows whose base has extra fields."""

    ids: tuple[str, ...]
    extras: tuple[Mapping[str, Any], ...]
    values: tuple[dict[str, ReportedValue], ...]
    listed: tuple[tuple[Enterprise, ...] | None, ...]
    extra_rows: tuple[int, ...]

    def __new__(cls, profiles: Sequence[BaseProfile] = ()) -> ProfileRows:
        rows = super().__new__(cls, profiles)
        ids: list[str] = []
        extras: list[dict[str, Any] | None] = []
        values: list[dict[str, ReportedValue]] = []
        listed: list[tuple[Enterprise, ...] | None] = []
        for profile in rows:  # one loop: each cold object is fetched once (a pass per attribute
            base = profile.base  # costs as much again; and no tuple per profile, whose 10⁵ new
            ids.append(base.id)  # containers would wake the garbage collector)
            extras.append(base.__pydantic_extra__)  # (model_extra, without a property call)
            values.append(profile.values)
            listed.append(profile.enterprises)
        rows.ids, rows.values, rows.listed = tuple(ids), tuple(values), tuple(listed)
        rows.extras = tuple(_NO_EXTRA if extra is None else extra for extra in extras)
        rows.extra_rows = tuple(compress(range(len(rows)), extras))
        return rows

    @classmethod
    def of(cls, profiles: Sequence[BaseProfile]) -> ProfileRows:
        """``profiles`` themselves where they are rows already, else read once."""
        return profiles if isinstance(profiles, ProfileRows) else cls(profiles)

    def replaced(self, changed: dict[int, BaseProfile]) -> ProfileRows:
        """These rows with the profiles of ``changed`` (row: profile) in place of theirs."""
        if not changed:
            return self
        profiles = list(self)
        for row, profile in changed.items():
            profiles[row] = profile
        return ProfileRows(profiles)


def attach(profile: BaseProfile, origin: Origin) -> BaseProfile:
    profile._origin = origin
    return profile


def _where(profile: BaseProfile) -> str:
    first = profile.problem(None, "")
    return f"{first.file}:{first.line}" if first.line else str(first.file)


def check_unique_ids(profiles: Sequence[BaseProfile]) -> None:
    """Refuse two profiles of the same base and year (results are keyed by them), a base given
    both with and without a year, and the years of one base naming different rubric versions
    (design point 15: a base is identified by ``base.id`` and ``base.year``)."""
    ids = profiles.ids if isinstance(profiles, ProfileRows) else [profile.base.id for profile in profiles]
    if len(set(ids)) == len(ids):
        return  # one profile per base: none of the rules below can be broken
    seen: dict[tuple[str, int | None], BaseProfile] = {}
    first_of: dict[str, BaseProfile] = {}
    versioned: dict[str, BaseProfile] = {}  # the first profile of each id that names a version
    problems: list[Problem] = []
    for profile in profiles:
        key = (profile.id, profile.base.year)
        other = first_of.setdefault(profile.id, profile)
        if key in seen:
            year = "" if key[1] is None else f" for year {key[1]}"
            problems.append(profile.problem(
                None, f"duplicate base id '{profile.id}'{year} (also in {_where(seen[key])})"))
        elif (profile.base.year is None) != (other.base.year is None):
            problems.append(profile.problem(
                None, f"base '{profile.id}' is given for several years: every profile of it needs "
                      f"base.year (the other is in {_where(other)})", "year"))
        elif _version(profile) is not None:
            problems.extend(_version_problem(profile, versioned.setdefault(profile.id, profile)))
        seen.setdefault(key, profile)
    if problems:
        raise UpgradeScoreError(problems)


def _version(profile: BaseProfile) -> str | None:
    version = (profile.base.model_extra or {}).get("rubric_version")
    return None if version is None else str(version)


def _version_problem(profile: BaseProfile, other: BaseProfile) -> list[Problem]:
    """The rubric versions two years of a base name, when they differ."""
    mine, theirs = _version(profile), _version(other)
    if profile is other or mine == theirs:
        return []
    return [profile.problem(
        None, f"rubric version '{mine}' of year {profile.base.year} disagrees with '{theirs}' of "
              f"year {other.base.year} (in {_where(other)}): score a base's years with one rubric",
        "rubric_version")]
