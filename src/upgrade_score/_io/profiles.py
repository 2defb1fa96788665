"""Reading base profiles: one per YAML/JSON file, many in one CSV table, or survey templates."""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._errors import Problem, UpgradeScoreError, type_name
from .._model.profile import (
    NA,
    NA_WORDS,
    YEAR_RULE,
    BaseProfile,
    Origin,
    RowOrigin,
    attach,
    check_unique_ids,
)
from .._model.rubric import Rubric
from .rubrics import load_rubric
from .tables import ID_COLUMNS, META_COLUMNS
from .validate import validate
from .yaml import load_document, read_text

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv",)
WORKBOOK_SUFFIXES = (".xlsx",)  # read by _survey.py (openpyxl, the xlsx extra)


def load_profile(path: str | Path) -> BaseProfile:
    """Load one base profile from a YAML or JSON file."""
    _check_path(path, "path")
    document = load_document(path)
    profile = validate(BaseProfile, document)
    value_lines = {str(key[1]): line for key, line in document.lines.items()
                   if len(key) == 2 and key[0] == "values"}
    rows = tuple(RowOrigin(document.file, document.line_of(("enterprises", k)), ("enterprises", k),
                           {str(key[2]): line for key, line in document.lines.items()
                            if len(key) == 3 and key[:2] == ("enterprises", k)})
                 for k in range(len(profile.enterprises or ())))
    return attach(profile, Origin(document.file, document.line_of(("base",)), value_lines, enterprises=rows))


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
    for k, path in enumerate(paths):
        _check_path(path, f"paths[{k}]")
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


def _check_path(value: object, argument: str) -> None:
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise UpgradeScoreError(f"{argument}: expected a file or directory path (str or "
                                f"pathlib.Path), got {type_name(value)}")


def _load_table(path: Path, rubric: Rubric | None) -> list[BaseProfile]:
    from .survey import read_survey  # imported here: the survey reader builds on this module

    found = read_survey(path, rubric)
    return _load_csv(path) if found is None else found  # None: a plain CSV table


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


_CSV_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")  # (no nested repeats)
_CSV_YEAR = re.compile(r"[0-9]{1,4}")


def _csv_cell(text: str) -> bool | float | str | None:
    cell = text.strip()
    if not cell:
        return None
    if cell.casefold() in NA_WORDS:
        return NA
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
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    if id_column is None:
        raise UpgradeScoreError(Problem("needs an 'id' column naming each base", name, 1))
    while header and not header[-1]:  # spreadsheets often export trailing empty columns
        header.pop()
    seen: set[str] = set()
    for k, column in enumerate(header):
        if not column:
            raise UpgradeScoreError(Problem(f"column {k + 1} has no header", name, 1))
        if column in seen:
            raise UpgradeScoreError(Problem(f"duplicate column '{column}'", name, 1))
        seen.add(column)
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
    end = len(row)  # trailing empty cells beyond the header are ignored (cut once: linear)
    while end > len(header) and not row[end - 1].strip():
        end -= 1
    row = row[:end]
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
    for meta in ("region", "category", "rubric_version"):
        if cells.get(meta, "").strip():
            base[meta] = cells[meta].strip()
    values: dict[str, Any] = {}
    for column, text in cells.items():
        if column in (*ID_COLUMNS, *META_COLUMNS):
            continue
        try:
            values[column] = _csv_cell(text)
        except ValueError:
            problems.append(Problem(f"'{text.strip()}' is not a number, true/false or blank",
                                    file, line, (column,)))
    year = cells.get("year", "").strip()
    if year:
        if _CSV_YEAR.fullmatch(year):
            base["year"] = int(year)
        else:
            problems.append(Problem(f"'{year}' is not a year ({YEAR_RULE})", file, line, ("year",)))
    try:
        profile = BaseProfile.model_validate({"base": base, "values": values})
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][1]) if len(first["loc"]) > 1 else id_column
        column = id_column if first["loc"][:2] == ("base", "id") else column
        problems.append(Problem(str(first["msg"]).removeprefix("Value error, "), file, line,
                                (column,)))
        return None
    return attach(profile, Origin(file, line, dict.fromkeys(values, line), prefix=()))
