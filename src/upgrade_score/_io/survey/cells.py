"""Where a cell is: sheet, row and column, for located problems."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..._errors import FieldPath, Problem
from ..._model.profile import Origin, RowOrigin

# --- where a cell is ------------------------------------------------------------------------------

def _column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_ref(sheet: str) -> str:
    """A sheet name as a spreadsheet formula writes it: quoted when it has spaces or symbols."""
    if re.fullmatch(r"\w+", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem at a spreadsheet cell: ``line`` is the row; shown as ``file:sheet!D7``."""

    sheet: str | None = None
    cell: str = ""

    def __str__(self) -> str:
        where = self.file or ""
        if self.cell:
            where += ":" + (f"{_sheet_ref(self.sheet)}!" if self.sheet else "") + self.cell
        return self.shown_at(where)


@dataclass(frozen=True)
class Cell:
    """The place of one cell: file, sheet (None in a CSV), 1-based row and column."""

    file: str
    sheet: str | None
    row: int
    column: int

    @property
    def ref(self) -> str:
        return f"{_column_letters(self.column)}{self.row}"

    @property
    def short(self) -> str:
        return (f"{_sheet_ref(self.sheet)}!" if self.sheet else "") + self.ref

    def problem(self, message: str, path: FieldPath = ()) -> CellProblem:
        return CellProblem(message, self.file, self.row, path, self.sheet, self.ref)


@dataclass(frozen=True)
class CellOrigin(Origin):
    """Where a base read from a template came from, cell by cell, for problems found later."""

    cells: Mapping[str, Cell] = field(default_factory=dict)
    base_cell: Cell | None = None
    base_cells: Mapping[str, Cell] = field(default_factory=dict)  # base field -> its cell

    def problem(self, indicator_id: str | None, message: str, base_field: str | None = None) -> Problem:
        if indicator_id is None:
            cell = self.base_cells.get(base_field or "", self.base_cell)
        else:
            cell = self.cells.get(indicator_id, self.base_cell)
        path: FieldPath = (indicator_id,) if indicator_id else (base_field,) if base_field else ()
        if cell is None:
            return Problem(message, self.file, None, path)
        return cell.problem(message, path)


@dataclass(frozen=True)
class CellRowOrigin(RowOrigin):
    """An enterprise row read from a sheet: problems found later are located at its cells."""

    cell: Cell | None = None
    columns: Mapping[str, int] = field(default_factory=dict)  # column name -> 1-based column

    def problem(self, field_id: str | None, message: str) -> Problem:
        if self.cell is None:
            return super().problem(field_id, message)
        column = self.columns.get(field_id or "")
        place = self.cell if column is None else replace(self.cell, column=column)
        return place.problem(message, (field_id,) if field_id else ())
