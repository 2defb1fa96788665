"""Enterprise rows (design point 13): from profiles (``enterprises:``) or an enterprise table (CSV
with a ``base_id`` column) into arrays, checked against the rubric's enterprise fields, and the
reported inputs of profiles — everything the derivation stage needs."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._engine.compile import FloatArray, IntArray
from .._engine.derive import Derivation
from .._errors import Problem, UpgradeScoreError, did_you_mean, known_list
from .._model.profile import BaseProfile
from .._model.rubric import Rubric
from .yaml import read_text

MAX_REPORTED = 20
BASE_COLUMN = "base_id"
ROW_COLUMNS = (BASE_COLUMN, "id", "name", "name_zh", "name_en")  # describe the row, not figures


@dataclass(frozen=True, eq=False)
class EnterpriseTable:
    """Enterprise rows read from a table: the base each belongs to, and its figures (R, F) in
    the rubric's ``enterprise_fields`` order (NaN = not reported; booleans as 1/0)."""

    file: str
    base_ids: tuple[str, ...]   # (R,)
    lines: tuple[int, ...]      # (R,) line of each row in the file
    figures: FloatArray         # (R, F)

    def __len__(self) -> int:
        return len(self.base_ids)


def _field_problem(kind: str, value: object) -> str:
    """Why ``value`` cannot be a figure of a ``kind`` field ('' when it can)."""
    if value is None:
        return ""
    if kind == "boolean" and not isinstance(value, bool):
        shown = f"{value:g}" if isinstance(value, float) else repr(value)
        return f"must be true or false (a yes/no field), got {shown}"
    if kind == "number" and isinstance(value, bool):
        return f"must be a number, got {str(value).lower()}"
    return ""


def profile_rows(rubric: Rubric, derivation: Derivation, profiles: Sequence[BaseProfile],
                 problems: list[Problem]) -> tuple[IntArray, FloatArray]:
    """The enterprise rows of ``profiles``: the row of the base each belongs to (R,), and
    figures (R, F). Unknown fields and values of the wrong kind are added to ``problems``."""
    fields = derivation.field_ids
    column = {field_id: f for f, field_id in enumerate(fields)}
    kinds = ["boolean" if b else "number" for b in derivation.boolean_fields.tolist()]
    owners: list[int] = []
    rows: list[list[float]] = []
    for row, profile in enumerate(profiles):
        for k, enterprise in enumerate(profile.enterprises or ()):
            figures = [math.nan] * len(fields)
            for key, value in enterprise.figures.items():
                f = column.get(key)
                if f is None:
                    known = known_list(fields) or "none: the rubric declares no enterprise_fields"
                    problems.append(profile.enterprise_problem(
                        k, key, f"unknown enterprise field{did_you_mean(key, fields)} (known: {known})"))
                elif message := _field_problem(kinds[f], value):
                    problems.append(profile.enterprise_problem(k, key, message))
                elif value is not None:
                    figures[f] = float(value)
            owners.append(row)
            rows.append(figures)
    return (np.array(owners, dtype=np.int64),
            np.array(rows, dtype=np.float64).reshape(len(rows), len(fields)))


def table_rows(table: EnterpriseTable, profiles: Sequence[BaseProfile],
               problems: list[Problem]) -> IntArray:
    """The base row of each enterprise of ``table``; rows naming an unknown base are problems, and
    so are bases that list enterprises in their profile as well."""
    owners = table_owners(table, [profile.id for profile in profiles], problems)
    listed = {profiles[row].id for row in np.unique(owners).tolist()} if len(owners) else set()
    for base_id in sorted(listed & {p.id for p in profiles if p.enterprises})[:MAX_REPORTED]:
        problems.append(Problem(f"base '{base_id}' lists its enterprises in its profile too: give them in "
                                "one place", table.file, None, (BASE_COLUMN,)))
    return owners


def table_owners(table: EnterpriseTable, ids: Sequence[str], problems: list[Problem]) -> IntArray:
    """The row (in ``ids``) of the base of each enterprise of ``table``; unknown ids are problems."""
    index = {base_id: row for row, base_id in enumerate(ids)}
    owners = np.zeros(len(table), dtype=np.int64)
    for r, base_id in enumerate(table.base_ids):
        row = index.get(base_id)
        if row is not None:
            owners[r] = row
        elif len(problems) < MAX_REPORTED:
            problems.append(Problem(f"unknown base '{base_id}'{did_you_mean(base_id, index)}: no base has "
                                    "this id", table.file, table.lines[r], (BASE_COLUMN,)))
    return owners


def _csv_figure(text: str, kind: str) -> float | str:
    """A cell of an enterprise table as a float (NaN = empty), or why it cannot be one."""
    cell = text.strip()
    if not cell:
        return math.nan
    if kind == "boolean":
        word = cell.casefold()
        if word in ("true", "是", "yes"):
            return 1.0
        if word in ("false", "否", "no"):
            return 0.0
        return f"'{cell}' is not true/false (是/否)"
    try:
        number = float(cell)
    except ValueError:
        return f"'{cell}' is not a number"
    return number if math.isfinite(number) else f"'{cell}' is not a finite number"


def load_enterprises(path: str | Path, rubric: Rubric) -> EnterpriseTable:
    """Read an enterprise table: a CSV with a ``base_id`` column and one column per enterprise
    field of ``rubric`` (``id`` and ``name`` columns describe the row). Every problem is
    reported at once, located by file, line and column."""
    file = str(path)
    derivation = rubric.compiled.derivation
    fields = derivation.field_ids if derivation is not None else ()
    if not fields:
        raise UpgradeScoreError(Problem(f"rubric '{rubric.id}' declares no enterprise_fields: it rolls "
                                        "nothing up from enterprises", file))
    reader = csv.reader(io.StringIO(read_text(Path(path)), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except (StopIteration, csv.Error):
        raise UpgradeScoreError(Problem("the file is empty or not CSV", file, 1)) from None
    problems = _header_problems(header, fields, file)
    if problems:
        raise UpgradeScoreError(problems)
    kinds = ["boolean" if b else "number" for b in derivation.boolean_fields.tolist()] if derivation else []
    at = {name: c for c, name in enumerate(header)}
    wanted = [(f, at[field_id]) for f, field_id in enumerate(fields) if field_id in at]
    base_ids: list[str] = []
    lines: list[int] = []
    rows: list[list[float]] = []
    start = 2
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        base_id = cells[at[BASE_COLUMN]].strip()
        if not base_id:
            problems.append(Problem("empty: every enterprise row names its base", file, line, (BASE_COLUMN,)))
        figures = [math.nan] * len(fields)
        for f, c in wanted:
            value = _csv_figure(cells[c], kinds[f])
            if isinstance(value, str):
                problems.append(Problem(value, file, line, (fields[f],)))
            else:
                figures[f] = value
        if len(problems) >= MAX_REPORTED:
            break
        base_ids.append(base_id)
        lines.append(line)
        rows.append(figures)
    if problems:
        raise UpgradeScoreError(problems[:MAX_REPORTED])
    return EnterpriseTable(file, tuple(base_ids), tuple(lines),
                           np.array(rows, dtype=np.float64).reshape(len(rows), len(fields)))


def _header_problems(header: list[str], fields: tuple[str, ...], file: str) -> list[Problem]:
    if BASE_COLUMN not in header:
        return [Problem(f"needs a '{BASE_COLUMN}' column naming the base of each enterprise", file, 1)]
    problems = []
    for k, name in enumerate(header):
        if name in header[:k]:
            problems.append(Problem(f"duplicate column '{name}'", file, 1))
        elif name and name not in (*ROW_COLUMNS, *fields):
            problems.append(Problem(f"unknown enterprise field '{name}'{did_you_mean(name, fields)} "
                                    f"(known: {known_list(fields)})", file, 1))
    return problems
