"""Where the tables of a returned file are: header rows, the sheets that hold bases, and the
tables a one-base template wrote. A sheet is read, or the reason it is not is reported at a cell:
nothing a person filled in is dropped silently."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from ..._errors import Problem
from ..._model.rubric import Direction, Rubric
from .cells import Cell, _column_letters
from .sheet import COLUMNS, HEADER_SEARCH_ROWS, KEYS, _fold, _say
from .workbook import _Sheet, _text
from .xlsx import _sheet_title

VALUE_TITLES = "/".join(COLUMNS["value"])
ID_TITLES = "/".join(COLUMNS["id"])
# the titles of the reference sheet of a many-bases XLSX template (indicator definitions, no bases)
REFERENCE_SHEETS = frozenset(_sheet_title(_say("indicators_sheet", lang), set())
                             for lang in ("zh", "en", "both"))


def header_key(text: str) -> str | None:
    """The one-base column a header cell names (``编号``, ``id``, ``填报值 / value`` ...)."""
    for part in _fold(text).split("/"):
        key = _HEADER_FORMS.get(re.sub(r"\s*\(.*\)$", "", part.strip()))
        if key is not None:
            return key
    return None


_HEADER_FORMS = {re.sub(r"\s*\(.*\)$", "", _fold(title)): key
                 for key in ("id", "value", "source", "confidence") for title in COLUMNS[key]}


def _header_rows(sheet: _Sheet) -> Iterable[tuple[int, dict[str, int]]]:
    """Rows near the top with an id column: (row index, one-base columns found in it)."""
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        for c, (value, _) in enumerate(row):
            key = header_key(value) if isinstance(value, str) else None
            if key is not None:
                keys.setdefault(key, c)
        if "id" in keys:
            yield r, keys


def one_base_header(sheet: _Sheet) -> tuple[int, dict[str, int]] | None:
    """The row index and id/value/source/confidence columns of a one-base table."""
    return next(((r, keys) for r, keys in _header_rows(sheet) if "value" in keys), None)


def is_one_base(sheets: list[_Sheet]) -> bool:
    return any(one_base_header(sheet) is not None for sheet in sheets)


def unread_table(file: str, sheet: _Sheet, ids: Collection[str]) -> Problem | None:
    """Why a sheet of a one-base template without a table is not read (None: it holds nothing
    of the template, such as a sheet of notes): its value column lost its title, or its header
    row is gone while rows of indicator (or ``base.``) ids remain."""
    header = next(iter(_header_rows(sheet)), None)
    if header is not None:  # an id column but no value column: the title was edited
        top, keys = header
        row = sheet.rows[top]
        column = keys["id"] + KEYS.index("value") - KEYS.index("id") - _without_english(row, keys["id"])
        now = _text(row[column][0]) if column < len(row) else ""
        template = _template_title(_text(row[keys["id"]][0]))
        return Cell(file, sheet.name, top + 1, column + 1).problem(
            f"this table has no '{VALUE_TITLES}' column, so its values are not read: restore the "
            f"title '{template}' of column {_column_letters(column + 1)}"
            + (f" (now '{now}')" if now else " (now blank)"))
    for r, row in enumerate(sheet.rows):
        for c, (value, _) in enumerate(row):
            if isinstance(value, str) and (value.strip() in ids or value.strip().startswith("base.")):
                return Cell(file, sheet.name, r + 1, c + 1).problem(
                    f"rows of the template without their header row ('{ID_TITLES}' and "
                    f"'{VALUE_TITLES}' columns), so they are not read: restore the header row")
    return None


def _without_english(row: list[tuple[Any, Any]], id_column: int) -> int:
    """1 when the header row has no English-name column after the name (a zh template), else 0."""
    english = KEYS.index("name_en") - KEYS.index("id") + id_column
    return 0 if english < len(row) and _title_key(_text(row[english][0])) == "name_en" else 1


def _title_key(text: str) -> str | None:
    """The one-base column any title names (of every column, not only those read)."""
    folded = _fold(text)
    return next((key for key, titles in COLUMNS.items() if folded in (_fold(t) for t in titles)
                 or folded == _fold(f"{titles[0]} / {titles[1]}")), None)


def _template_title(id_title: str) -> str:
    """The value column's title in the language of the table's id title."""
    zh, en = COLUMNS["value"]
    folded = _fold(id_title)
    return zh if folded == _fold(COLUMNS["id"][0]) else en if folded == _fold(COLUMNS["id"][1]) \
        else f"{zh} / {en}"


def missing_directions(file: str, rubric: Rubric, found: Collection[str]) -> list[Problem]:
    """A problem for each direction none of whose indicator rows is in the file (its sheet, or
    its rows, deleted)."""
    return [Problem(f"the rows of direction '{direction.id}' ({_name(direction)}) are missing "
                    f"({_listed(direction)}): restore its sheet or rows from the template", file)
            for direction in rubric.directions
            if not any(indicator.id in found for indicator in direction.indicators)]


def _name(direction: Direction) -> str:
    return direction.name.zh or direction.name.en or direction.id


def _listed(direction: Direction) -> str:
    ids = [indicator.id for indicator in direction.indicators]
    return ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")


def no_bases_header(file: str, sheet: _Sheet) -> Problem | None:
    """A sheet of a workbook of bases that has values but no id header (None: an empty sheet)."""
    for r, row in enumerate(sheet.rows):
        for c, (value, _) in enumerate(row):
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return Cell(file, sheet.name, r + 1, c + 1).problem(
                    f"this sheet has values but no header row with an 'id' column naming each base "
                    f"in its first {HEADER_SEARCH_ROWS} rows, so its rows are not read: add the "
                    "header, or move the bases to a sheet that has one")
    return None
