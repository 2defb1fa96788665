"""Base profiles: what a base reported, one per YAML/JSON file or many in one CSV."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .._errors import FieldPath, Problem, UpgradeScoreError
from .._model.rubric import Id, Label, Rubric, Text, load_rubric
from .._io.validate import FiniteFloat, Frozen, validate
from .._io.yaml import load_document, read_text

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv",)
WORKBOOK_SUFFIXES = (".xlsx",)  # read by _survey.py (openpyxl, the xlsx extra)
CSV_ID_COLUMNS = ("id", "base_id")
CSV_META_COLUMNS = ("name", "name_zh", "name_en", "year", "region", "category")


def _scalar(value: Any) -> Any:
    """A reported value is a finite number, true/false, or empty (missing)."""
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


ReportedScalar = Annotated[bool | float | None, BeforeValidator(_scalar)]


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
    if not isinstance(values, dict):
        return values
    return {k: v if isinstance(v, (dict, ReportedValue)) else {"value": v} for k, v in values.items()}


@dataclass(frozen=True)
class Origin:
    """Where a profile was read from, to locate problems found later against a rubric."""

    file: str
    base_line: int | None
    lines: Mapping[str, int] = field(default_factory=dict)
    prefix: FieldPath = ("values",)

    def problem(self, indicator_id: str | None, message: str) -> Problem:
        if indicator_id is None:
            return Problem(message, self.file, self.base_line, ("base",) if self.prefix else ())
        line = self.lines.get(indicator_id, self.base_line)
        return Problem(message, self.file, line, (*self.prefix, indicator_id))


class BaseInfo(Frozen):
    """Who the base is. Fields beyond these are kept as free metadata."""

    model_config = ConfigDict(extra="allow")

    id: Id
    name: Label | None = None
    year: int | None = None


class BaseProfile(Frozen):
    """One base and its reported indicator values (``None`` = not reported)."""

    base: BaseInfo
    values: Annotated[dict[str, ReportedValue], BeforeValidator(_wrap_scalars)] = Field(
        default_factory=dict)
    _origin: Origin | None = PrivateAttr(default=None)

    @property
    def id(self) -> str:
        """The base id."""
        return self.base.id

    def value(self, indicator_id: str) -> bool | float | None:
        """The reported value of an indicator, ``None`` when missing."""
        reported = self.values.get(indicator_id)
        return None if reported is None else reported.value

    def problem(self, indicator_id: str | None, message: str) -> Problem:
        """A problem located at this profile's value of ``indicator_id`` (or at the base)."""
        if self._origin is None:
            path: FieldPath = ("values", indicator_id) if indicator_id else ("base",)
            return Problem(message, f"base '{self.id}'", None, path)
        return self._origin.problem(indicator_id, message)




def _attach(profile: BaseProfile, origin: Origin) -> BaseProfile:
    profile._origin = origin
    return profile


def load_profile(path: str | Path) -> BaseProfile:
    """Load one base profile from a YAML or JSON file."""
    document = load_document(path)
    profile = validate(BaseProfile, document)
    value_lines = {str(key[1]): line for key, line in document.lines.items()
                   if len(key) == 2 and key[0] == "values"}
    return _attach(profile, Origin(document.file, document.line_of(("base",)), value_lines))


def load_profiles(*paths: str | Path,
                  rubric: Rubric | str | Path | None = None) -> tuple[BaseProfile, ...]:
    """Load bases from YAML/JSON files, CSV tables, XLSX workbooks and directories of those, in
    the given order.

    A directory contributes its profile, CSV and XLSX files in name order. Base ids must be unique.
    Survey templates (see :func:`~upgrade_score.write_template`) filled in and returned, as CSV
    or XLSX, are read cell by cell against ``rubric`` (default: the built-in rubric the template
    was written from), with every problem of a file reported at once. ``rubric`` is not used for
    YAML/JSON profiles and plain CSV tables.
    """
    resolved = None if rubric is None else load_rubric(rubric)
    profiles: list[BaseProfile] = []
    for path in _expand(paths):
        if path.suffix.lower() in (*TABLE_SUFFIXES, *WORKBOOK_SUFFIXES):
            profiles.extend(_load_table(path, resolved))
        else:
            profiles.append(load_profile(path))
    if not profiles:
        raise UpgradeScoreError(Problem("no base profiles found", ", ".join(map(str, paths))))
    check_unique_ids(profiles)
    return tuple(profiles)


def _load_table(path: Path, rubric: Rubric | None) -> list[BaseProfile]:
    from .._io.survey import read_survey  # imported here: _survey builds on this module

    found = read_survey(path, rubric)
    return _load_csv(path) if found is None else found  # None: a plain CSV table


def check_unique_ids(profiles: Sequence[BaseProfile]) -> None:
    """Refuse two bases with the same id: results are keyed by it."""
    seen: dict[str, BaseProfile] = {}
    for profile in profiles:
        if profile.id in seen:
            first = seen[profile.id].problem(None, "")
            where = f"{first.file}:{first.line}" if first.line else str(first.file)
            raise UpgradeScoreError(profile.problem(
                None, f"duplicate base id '{profile.id}' (also in {where})"))
        seen[profile.id] = profile


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        suffixes = (*PROFILE_SUFFIXES, *TABLE_SUFFIXES, *WORKBOOK_SUFFIXES)
        if path.is_dir():  # (not the '~$name.xlsx' lock files of a workbook open in Excel)
            found.extend(sorted(p for p in path.iterdir() if p.is_file()
                                and p.suffix.lower() in suffixes and not p.name.startswith("~$")))
        elif not path.exists():
            raise UpgradeScoreError(Problem("file not found", str(path)))
        elif path.suffix.lower() not in suffixes:
            raise UpgradeScoreError(Problem(
                "unsupported file type (expected .yaml, .yml, .json, .csv or .xlsx)", str(path)))
        else:
            found.append(path)
    return found


_CSV_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _csv_cell(text: str) -> bool | float | None:
    cell = text.strip()
    if not cell:
        return None
    if cell.lower() in ("true", "false"):
        return cell.lower() == "true"
    if not _CSV_NUMBER.fullmatch(cell) or not cell.isascii():
        raise ValueError  # reported by the caller with row and column
    number = float(cell)
    if not math.isfinite(number):
        raise ValueError
    return number


def _load_csv(path: Path) -> list[BaseProfile]:
    """Read a table with one row a base and one column an indicator id (blank = missing)."""
    name = str(path)
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise UpgradeScoreError(Problem("the file is empty", name, 1)) from None
    except csv.Error as exc:
        raise UpgradeScoreError(Problem(f"invalid CSV: {exc}", name, 1)) from None
    id_column = next((c for c in CSV_ID_COLUMNS if c in header), None)
    if id_column is None:
        raise UpgradeScoreError(Problem("needs an 'id' column naming each base", name, 1))
    while header and not header[-1]:  # spreadsheets often export trailing empty columns
        header.pop()
    for k, column in enumerate(header):
        if not column:
            raise UpgradeScoreError(Problem(f"column {k + 1} has no header", name, 1))
        if header.index(column) != k:
            raise UpgradeScoreError(Problem(f"duplicate column '{column}'", name, 1))
    profiles: list[BaseProfile] = []
    problems: list[Problem] = []
    try:
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1  # a quoted cell may span several lines
            if not any(cell.strip() for cell in row):
                continue
            profile = _csv_profile(header, row, id_column, name, line, problems)
            if profile is not None:
                profiles.append(profile)
    except csv.Error as exc:
        problems.append(Problem(f"invalid CSV: {exc}", name, reader.line_num))
    if problems:
        raise UpgradeScoreError(problems)
    return profiles


def _csv_profile(header: list[str], row: list[str], id_column: str, file: str, line: int,
                 problems: list[Problem]) -> BaseProfile | None:
    while len(row) > len(header) and not row[-1].strip():
        row = row[:-1]
    if len(row) != len(header):
        problems.append(Problem(f"row has {len(row)} cells, the header has {len(header)}",
                                file, line))
        return None
    cells = dict(zip(header, row))
    base: dict[str, Any] = {"id": cells[id_column].strip()}
    names = {lang: cells[f"name_{lang}"].strip() for lang in ("zh", "en")
             if cells.get(f"name_{lang}", "").strip()}
    if cells.get("name", "").strip():
        names.setdefault("en", cells["name"].strip())
    if names:
        base["name"] = names
    for meta in ("region", "category"):
        if cells.get(meta, "").strip():
            base[meta] = cells[meta].strip()
    values: dict[str, Any] = {}
    for column, text in cells.items():
        if column in (*CSV_ID_COLUMNS, *CSV_META_COLUMNS):
            continue
        try:
            values[column] = _csv_cell(text)
        except ValueError:
            problems.append(Problem(f"'{text.strip()}' is not a number, true/false or blank",
                                    file, line, (column,)))
    year = cells.get("year", "").strip()
    if year:
        if year.isdigit():
            base["year"] = int(year)
        else:
            problems.append(Problem(f"'{year}' is not a year", file, line, ("year",)))
    try:
        profile = BaseProfile.model_validate({"base": base, "values": values})
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][1]) if len(first["loc"]) > 1 else id_column
        column = id_column if first["loc"][:2] == ("base", "id") else column
        problems.append(Problem(str(first["msg"]).removeprefix("Value error, "), file, line,
                                (column,)))
        return None
    return _attach(profile, Origin(file, line, dict.fromkeys(values, line), prefix=()))
