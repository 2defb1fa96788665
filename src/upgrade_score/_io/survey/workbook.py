"""Opening a filled-in template: the rows of a CSV file or of each sheet of a workbook."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._errors import Problem, UpgradeScoreError
from ..._io.yaml import MAX_BYTES, read_text
from .sheet import (
    MARKER,
    MAX_CELLS,
    _number_text,
    _shown,
    _uninert,
)
from .xlsxread import RawCell, xlsx_sheets


@dataclass(frozen=True)
class _Sheet:
    name: str | None  # None: a CSV file
    rows: list[list[RawCell]]


def _file_size(path: Path) -> int:
    """The size of a regular file; a pipe, device or socket is refused before it is opened (a
    FIFO would block the reader)."""
    try:
        found = path.stat()
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", str(path))) from None
    if not stat.S_ISREG(found.st_mode):
        raise UpgradeScoreError(Problem("not a regular file (a pipe, device or socket)", str(path)))
    return found.st_size


def _csv_rows(path: Path) -> list[list[RawCell]] | None:
    """The cells of a template CSV, or None if the file does not start with the marker."""
    name = str(path)
    _file_size(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(MARKER) + 16)
    except OSError:
        return None  # the plain CSV reader reports it
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b'"').lower()
    if not start.startswith(MARKER.encode()):
        return None
    rest = start[len(MARKER):].lstrip(b'"')
    delimiter = chr(rest[0]) if rest[:1] in (b",", b";", b"\t") else ","
    try:
        text = read_text(path)
    except UpgradeScoreError as exc:
        if "UTF-8" not in str(exc):
            raise
        # Excel on Chinese Windows saves "CSV" in GB18030 (GBK); the marker is ASCII either way.
        text = path.read_bytes()[:MAX_BYTES].decode("gb18030", errors="replace")
    rows: list[list[RawCell]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            end = len(row)  # trailing empty cells carry nothing (a spreadsheet pads rows)
            while end and not row[end - 1]:
                end -= 1
            cells += end + 1
            if cells > MAX_CELLS:
                raise UpgradeScoreError(Problem(f"more than {MAX_CELLS:,} cells", name))
            rows.append([(_uninert(value), "") for value in row[:end]])
    except csv.Error as exc:
        raise UpgradeScoreError(Problem(f"invalid CSV: {exc}", name)) from None
    return rows


def _xlsx_sheets(path: Path) -> list[_Sheet]:
    name = str(path)
    size = _file_size(path)
    if size > MAX_BYTES:
        raise UpgradeScoreError(Problem(f"file is larger than {MAX_BYTES:,} bytes", name))
    return [_Sheet(title, rows) for title, rows in xlsx_sheets(path)]


def _text(value: Any) -> str:
    """A cell as text: numbers without a trailing '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and math.isfinite(value):
        return _number_text(value) if value.is_integer() else _shown(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    return str(value).strip()
