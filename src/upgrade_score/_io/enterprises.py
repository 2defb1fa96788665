"""Enterprise rows (design point 13): from profiles (``enterprises:``) or an enterprise table (CSV
with a ``base_id`` column) into arrays, checked against the rubric's enterprise fields, and the
reported inputs of profiles — everything the derivation stage needs."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._engine.compile import FloatArray, IntArray
from .._engine.derive import Derivation
from .._errors import Problem, UpgradeScoreError, did_you_mean, known_list, one_line
from .._model.profile import BaseProfile, Enterprise, Origin, RowOrigin, attach
from .._model.rubric import Rubric
from .csvtable import ProfileTable
from .yaml import read_text

MAX_REPORTED = 20
MAX_TABLE_BYTES = 1 << 30  # an enterprise table of a national survey: millions of rows
BASE_COLUMN = "base_id"
ROW_COLUMNS = (BASE_COLUMN, "id", "name", "name_zh", "name_en")  # describe the row, not figures


@dataclass(frozen=True, eq=False)
class EnterpriseTable:
    """Enterprise rows read from a table: the base each belongs to, and its figures (R, F) in
    the rubric's ``enterprise_fields`` order (NaN = not reported; booleans as 1/0); each row's
    enterprise id and name where given, and (read from a workbook) where its cells are."""

    file: str
    base_ids: tuple[str, ...]   # (R,)
    lines: tuple[int, ...]      # (R,) line (a workbook: row) of each row in the file
    figures: FloatArray         # (R, F)
    ids: tuple[str | None, ...] = ()                 # (R,) or () when the table has no 'id'
    names: tuple[dict[str, str] | None, ...] = ()    # (R,) {zh, en} or () when none
    sheet: str | None = None    # the worksheet the rows were read from (None: a CSV file)
    columns: Mapping[str, int] = field(default_factory=dict)  # column name -> 1-based column

    def __len__(self) -> int:
        return len(self.base_ids)

    def problem(self, row: int, message: str, column: str = BASE_COLUMN) -> Problem:
        """A problem at row ``row`` (its ``column``): ``file:line: column: …`` for a CSV file,
        ``file:sheet!C7: column: …`` for a workbook."""
        if self.sheet is None:
            return Problem(message, self.file, self.lines[row], (column,))
        from .survey.cells import Cell  # (the survey package reads tables: imported when used)

        place = Cell(self.file, self.sheet, self.lines[row], self.columns.get(column, 1))
        return place.problem(message, (column,))


@dataclass(frozen=True)
class TableRowOrigin(RowOrigin):
    """An enterprise row of a profile that came from an enterprise table: located in the table."""

    table: EnterpriseTable | None = None
    row: int = 0

    def problem(self, field_id: str | None, message: str) -> Problem:
        if self.table is None:
            return super().problem(field_id, message)
        return self.table.problem(self.row, message, field_id or BASE_COLUMN)


_NUMBERS, _BOOLEAN = frozenset({float, int}), frozenset({bool})  # by exact type: a bool is not a number


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
    if isinstance(profiles, ProfileTable):  # (a survey table's rows were checked when read)
        return profiles.enterprise_rows(fields)
    column = {field_id: f for f, field_id in enumerate(fields)}
    kinds = ["boolean" if b else "number" for b in derivation.boolean_fields.tolist()]
    fine = [_BOOLEAN if kind == "boolean" else _NUMBERS for kind in kinds]  # types needing no check
    owners: list[int] = []
    rows: list[list[float]] = []
    for row, profile in enumerate(profiles):
        for k, enterprise in enumerate(profile.enterprises or ()):
            figures = [math.nan] * len(fields)
            for key, value in (enterprise.model_extra or {}).items():  # (its figures, not copied)
                f = column.get(key)
                if f is not None and type(value) in fine[f]:  # the common case (see _field_problem)
                    figures[f] = float(value)  # (a number or a bool)
                elif f is None:
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
    ids = profiles.ids if isinstance(profiles, ProfileTable) else [profile.id for profile in profiles]
    owners = table_owners(table, ids, problems)
    listing = np.zeros(len(profiles), dtype=bool)  # the bases that list enterprises themselves
    if isinstance(profiles, ProfileTable):  # (a plain CSV table of bases lists none)
        listing[profiles.enterprise_rows(())[0]] = True
    else:
        listing[[row for row, p in enumerate(profiles) if p.enterprises]] = True
    listed = np.bincount(owners, minlength=len(profiles)) > 0
    both = [ids[row] for row in np.flatnonzero(listing & listed).tolist()]
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
        problems.append(table.problem(r, f"unknown base '{base_id}'{did_you_mean(base_id, index)}: no "
                                         "base has this id"))
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
    field of ``rubric`` (``id`` and ``name`` columns describe the row; rows whose first cell
    starts with ``#`` are hints), or the enterprises sheet of an XLSX workbook (such as a
    template's) with the same columns. Every problem is reported at once, located by file and
    line (a workbook: sheet, row and column)."""
    file = str(path)
    derivation = rubric.compiled.derivation
    if derivation is None or not derivation.field_ids:
        raise UpgradeScoreError(Problem(f"rubric '{rubric.id}' declares no enterprise_fields: it rolls "
                                        "nothing up from enterprises", file))
    fields = derivation.field_ids
    if Path(path).suffix.lower() == ".xlsx":
        return _load_sheet(Path(path), rubric, fields)
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
    texts = {key: [row[header.index(key)] for row in rows] for key in ("id", "name", "name_zh", "name_en")
             if key in header}
    ids = tuple(text.strip() or None for text in texts["id"]) if "id" in texts else ()
    names = tuple(_row_name({key: column[r] for key, column in texts.items() if key != "id"})
                  for r in range(len(rows))) if len(texts) > ("id" in texts) else ()
    return EnterpriseTable(file, tuple(base_ids), tuple(lines), figures, ids, names)


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
            if "".join(cells).strip() and not cells[0].strip().startswith("#"):  # (# rows: hints)
                rows.append(cells if len(cells) == width else cells[:width] + [""] * (width - len(cells)))
                lines.append(line)
    except csv.Error as error:
        raise UpgradeScoreError(Problem(f"invalid CSV: {error}", file, reader.line_num)) from None
    return rows, lines


def _row_name(texts: Mapping[str, str]) -> dict[str, str] | None:
    """An enterprise's name from the ``name`` (both languages), ``name_zh`` and ``name_en`` cells."""
    given = {key: text.strip() for key, text in texts.items() if text.strip()}
    if "name" in given:
        return {"zh": given["name"], "en": given["name"]}
    name = {lang: given[f"name_{lang}"] for lang in ("zh", "en") if f"name_{lang}" in given}
    return name or None


def _load_sheet(path: Path, rubric: Rubric, fields: tuple[str, ...]) -> EnterpriseTable:
    """The enterprises sheet of a workbook as an enterprise table (every row names its base)."""
    from .survey.enterprises import BASE_COLUMN as SHEET_BASE
    from .survey.enterprises import enterprise_header, read_enterprise_sheet
    from .survey.workbook import _xlsx_sheets

    file = str(path)
    found = [(sheet, header) for sheet in _xlsx_sheets(path)
             if (header := enterprise_header(sheet, fields)) is not None]
    if not found:
        raise UpgradeScoreError(Problem(
            f"no enterprises sheet: a sheet with a header row of '{BASE_COLUMN}', 'id', 'name' and "
            f"the enterprise fields ({known_list(fields)})", file))
    if len(found) > 1:
        raise UpgradeScoreError(Problem(
            f"{len(found)} enterprises sheets ({', '.join(str(s.name) for s, _ in found)}): keep the "
            "enterprises on one sheet", file))
    sheet, header = found[0]
    columns = {name: c + 1 for c, name in header[1].items()}
    from .survey.cells import Cell

    problems: list[Problem] = []
    if SHEET_BASE not in columns:
        problems.append(Cell(file, sheet.name, header[0] + 1, 1).problem(
            f"needs a '{BASE_COLUMN}' column naming the base of each enterprise"))
    rows = read_enterprise_sheet(file, sheet, header, rubric, problems)
    for row in rows:
        if row.base_id is None and SHEET_BASE in columns and len(problems) < MAX_REPORTED:
            problems.append(row.cell.problem("empty: every enterprise row names its base", (BASE_COLUMN,)))
    if problems:
        raise UpgradeScoreError(sorted(problems, key=lambda p: (p.line or 0, str(p)))[:MAX_REPORTED])
    figures = np.array([[float(row.figures.get(f, math.nan)) for f in fields] for row in rows],
                       dtype=np.float64).reshape(len(rows), len(fields))
    return EnterpriseTable(file, tuple(row.base_id or "" for row in rows),
                           tuple(row.cell.row for row in rows),
                           figures, tuple(row.id for row in rows), tuple(row.name for row in rows),
                           sheet.name or "", columns)


def with_enterprises(rubric: Rubric, profiles: Sequence[BaseProfile],
                     table: EnterpriseTable) -> tuple[BaseProfile, ...]:
    """``profiles`` with the rows of ``table`` as their ``enterprises`` (each row joins the base
    its ``base_id`` names), so that anything that takes profiles rolls them up. The same
    semantics as ``score_many(..., enterprises=table)``: an unknown base, or a base that lists
    enterprises in its profile too, is a located error."""
    problems: list[Problem] = []
    owners = table_rows(table, profiles, problems)
    if problems:
        raise UpgradeScoreError(problems)
    derivation = rubric.compiled.derivation
    fields = derivation.field_ids if derivation is not None else ()
    boolean = derivation.boolean_fields.tolist() if derivation is not None else []
    rows: dict[int, list[int]] = {}
    for r, owner in enumerate(owners.tolist()):
        rows.setdefault(owner, []).append(r)
    merged = list(profiles)
    for owner, found in rows.items():
        enterprises = []
        for r in found:
            figures: dict[str, object] = {
                field_id: bool(value) if boolean[f] else float(value)
                for f, (field_id, value) in enumerate(zip(fields, table.figures[r].tolist()))
                if not math.isnan(value)}
            row = {"id": table.ids[r] if table.ids else None,
                   "name": table.names[r] if table.names else None, **figures}
            try:
                enterprises.append(Enterprise.model_validate(row))
            except ValueError as exc:
                problems.append(table.problem(r, one_line(str(exc).splitlines()[-1]), "id"))
        profile = profiles[owner]
        origin = profile._origin or Origin(f"base '{profile.id}'", None)
        origins = tuple(TableRowOrigin(table.file, table.lines[r], ("enterprises", k), table=table, row=r)
                        for k, r in enumerate(found))
        merged[owner] = attach(profile.model_copy(update={"enterprises": tuple(enterprises)}),
                               replace(origin, enterprises=origins))
    if problems:
        raise UpgradeScoreError(problems[:MAX_REPORTED])
    return tuple(merged)


def joined_groups(rubric: Rubric, table: EnterpriseTable | None, *groups: Sequence[BaseProfile],
                  ) -> list[tuple[BaseProfile, ...]]:
    """Each group of profiles (e.g. a base and its peer group) with the rows of ``table`` as
    their enterprises: a row may name a base of any group. A base id in two groups is one base:
    the first profile of that id, with its rows, stands in every group."""
    if table is None:
        return [tuple(group) for group in groups]
    union: dict[str, BaseProfile] = {}
    for group in groups:
        for profile in group:
            union.setdefault(profile.id, profile)
    joined = {profile.id: profile for profile in with_enterprises(rubric, list(union.values()), table)}
    return [tuple(joined[profile.id] for profile in group) for group in groups]


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
