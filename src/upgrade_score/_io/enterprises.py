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
from typing import Any

import numpy as np

from .._engine.compile import FloatArray, IntArray
from .._engine.derive import Derivation
from .._errors import Problem, UpgradeScoreError, did_you_mean, known_list
from .._model.profile import BaseProfile
from .._model.rubric import Rubric
from .yaml import read_text

MAX_REPORTED = 20
MAX_TABLE_BYTES = 1 << 30  # an enterprise table of a national survey: millions of rows
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
    listed = np.bincount(owners, minlength=len(profiles)) > 0
    both = [p.id for row, p in enumerate(profiles) if p.enterprises and listed[row]]
    for base_id in both[:MAX_REPORTED]:
        problems.append(Problem(f"base '{base_id}' lists its enterprises in its profile too: give them in "
                                "one place", table.file, None, (BASE_COLUMN,)))
    return owners


def table_owners(table: EnterpriseTable, ids: Sequence[str], problems: list[Problem]) -> IntArray:
    """The row (in ``ids``) of the base of each enterprise of ``table``; unknown ids are problems."""
    index = {base_id: row for row, base_id in enumerate(ids)}
    owners = np.array([index.get(base_id, -1) for base_id in table.base_ids], dtype=np.int64)
    for r in np.flatnonzero(owners < 0)[:MAX_REPORTED].tolist():
        base_id = table.base_ids[r]
        problems.append(Problem(f"unknown base '{base_id}'{did_you_mean(base_id, index)}: no base has "
                                "this id", table.file, table.lines[r], (BASE_COLUMN,)))
    owners[owners < 0] = 0  # (refused above: the caller raises)
    return owners


_TRUE, _FALSE = frozenset({"true", "是", "yes"}), frozenset({"false", "否", "no"})


def _boolean_cell(cell: str) -> float | str:
    """A cell of a yes/no column as 1/0 (NaN = empty), or why it cannot be one."""
    word = cell.strip().casefold()
    if not word:
        return math.nan
    if word in _TRUE or word in _FALSE:
        return float(word in _TRUE)
    return f"'{cell.strip()}' is not true/false (是/否)"


def _number_cell(cell: str) -> float | str:
    """A cell of a number column as a float (NaN = empty), or why it cannot be one."""
    text = cell.strip()
    if not text:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        return f"'{text}' is not a number"
    return number if math.isfinite(number) else f"'{text}' is not a finite number"


def _column(cells: list[str], boolean: bool) -> tuple[FloatArray, list[tuple[int, str]]]:
    """A column's cells as floats, and (row, why) for the cells that are not acceptable. Number
    columns are parsed by numpy in one step; cell by cell only when that finds a bad cell."""
    if boolean:
        distinct = {cell: _boolean_cell(cell) for cell in set(cells)}
        parsed = [distinct[cell] for cell in cells]
    else:
        text = np.char.strip(np.array(cells, dtype=str))
        empty = text == ""
        out = np.full(len(cells), np.nan)
        try:
            with np.errstate(all="ignore"):
                out[~empty] = text[~empty].astype(np.float64)
            if np.isfinite(out[~empty]).all():
                return out, []
        except ValueError:
            pass
        parsed = [_number_cell(cell) for cell in cells]
    bad = [(row, value) for row, value in enumerate(parsed) if isinstance(value, str)]
    return np.array([math.nan if isinstance(v, str) else v for v in parsed], dtype=np.float64), bad


def load_enterprises(path: str | Path, rubric: Rubric) -> EnterpriseTable:
    """Read an enterprise table: a CSV with a ``base_id`` column and one column per enterprise
    field of ``rubric`` (``id`` and ``name`` columns describe the row). Every problem is
    reported at once, located by file, line and column."""
    file = str(path)
    derivation = rubric.compiled.derivation
    if derivation is None or not derivation.field_ids:
        raise UpgradeScoreError(Problem(f"rubric '{rubric.id}' declares no enterprise_fields: it rolls "
                                        "nothing up from enterprises", file))
    fields = derivation.field_ids
    reader = csv.reader(io.StringIO(read_text(Path(path), max_bytes=MAX_TABLE_BYTES), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except (StopIteration, csv.Error):
        raise UpgradeScoreError(Problem("the file is empty or not CSV", file, 1)) from None
    problems = _header_problems(header, fields, file)
    if problems:
        raise UpgradeScoreError(problems)
    rows, lines = _rows(reader, len(header), file)
    at = header.index(BASE_COLUMN)
    base_ids = [row[at].strip() for row in rows]
    for row in [r for r, base_id in enumerate(base_ids) if not base_id][:MAX_REPORTED]:
        problems.append(Problem("empty: every enterprise row names its base", file, lines[row],
                                (BASE_COLUMN,)))
    figures = np.full((len(rows), len(fields)), np.nan)
    for f, field_id in enumerate(fields):
        if field_id in header:
            at = header.index(field_id)
            figures[:, f], bad = _column([row[at] for row in rows], bool(derivation.boolean_fields[f]))
            problems.extend(Problem(why, file, lines[row], (field_id,)) for row, why in bad[:MAX_REPORTED])
    if problems:
        raise UpgradeScoreError(sorted(problems, key=lambda p: p.line or 0)[:MAX_REPORTED])
    return EnterpriseTable(file, tuple(base_ids), tuple(lines), figures)


def _rows(reader: Any, width: int, file: str) -> tuple[list[list[str]], list[int]]:
    """The non-empty rows of a table, padded to ``width`` cells, and the line each starts on."""
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 2
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                raise UpgradeScoreError(Problem(f"row has {len(cells)} cells, the header has {width}",
                                                file, line))
            if "".join(cells).strip():
                rows.append(cells if len(cells) == width else cells[:width] + [""] * (width - len(cells)))
                lines.append(line)
    except csv.Error as error:
        raise UpgradeScoreError(Problem(f"invalid CSV: {error}", file, reader.line_num)) from None
    return rows, lines


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
