"""CSV survey templates in tests: read their rows, write rows back as a spreadsheet would, and
fill a one-base template's value column (shared by the survey test files)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig",
                   delimiter: str = ",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


VALUE_TITLES = ("填报值", "value", "填报值 / value")


def value_column(rows: list[list[str]]) -> int:
    """The value column of a one-base template (C in zh, which has no English-name column; D in
    en and bilingual ones)."""
    return next(row.index(title) for row in rows for title in VALUE_TITLES if title in row)


def fill_csv(path: Path, cells: dict[str, Any], column: int | None = None) -> None:
    """Fill a one-base CSV template: the value (or another column) of the rows with these ids."""
    rows = csv_rows(path)
    column = value_column(rows) if column is None else column
    for row in rows:
        if row and row[0] in cells:
            row[column] = str(cells[row[0]])
    write_csv_rows(path, rows)
