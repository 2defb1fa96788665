"""Opening a filled-in template: the rows of a CSV file or of each sheet of a workbook."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._errors import Problem, UpgradeScoreError
from ..._io.csvtable import decoded_chunks
from ..._io.yaml import open_regular, read_text
from .sheet import (
    MARKER,
    _number_text,
    _shown,
    _uninert,
)
from .xlsxread import RawCell, xlsx_sheets

# The largest CSV template read as a whole (a one-base template, or one with problems to report;
# a many-bases template is read in chunks, without a limit), and the largest XLSX workbook (a
# national survey of about 300,000 bases with a dozen enterprises each). What reading a workbook
# costs is bounded in proportion to its size (cells, unpacked XML: see xlsxread).
MAX_TEMPLATE_BYTES = 1 << 30
MAX_WORKBOOK_BYTES = 200_000_000
_EMPTY: RawCell = ("", "")  # (one for every empty cell of a CSV file)


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


def _csv_delimiter(path: Path) -> str | None:
    """The delimiter of a template CSV (after its marker), or None if the file does not start
    with the marker."""
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
    return chr(rest[0]) if rest[:1] in (b",", b";", b"\t") else ","


def csv_row_stream(path: Path) -> Iterator[list[RawCell]] | None:
    """The rows of a template CSV in UTF-8, read as they are needed (None if the file is not a
    template); invalid UTF-8 or CSV raises as it is met (the whole file is then read by
    :func:`_csv_rows`, which reads GB18030 too and says where and why)."""
    delimiter = _csv_delimiter(path)
    return None if delimiter is None else _streamed_rows(path, delimiter)


def _streamed_rows(path: Path, delimiter: str) -> Iterator[list[RawCell]]:
    with open_regular(path) as stream:
        lines = (line for chunk in decoded_chunks(stream, str(path))
                 for line in io.StringIO(chunk, newline=""))
        for row in csv.reader(lines, delimiter=delimiter):
            yield _template_cells(row)


def _template_cells(row: list[str]) -> list[RawCell]:
    """A CSV row's cells up to the last that is not empty (a spreadsheet pads rows)."""
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return [((_uninert(value) if value[0] == "'" else value), "") if value else _EMPTY
            for value in row[:end]]  # (only a cell that starts with a quote was made inert)


def _csv_rows(path: Path) -> list[list[RawCell]] | None:
    """The cells of a template CSV, or None if the file does not start with the marker."""
    name = str(path)
    delimiter = _csv_delimiter(path)
    if delimiter is None:
        return None
    try:
        text = read_text(path, max_bytes=MAX_TEMPLATE_BYTES)
    except UpgradeScoreError as exc:
        if "UTF-8" not in str(exc):
            raise
        # Excel on Chinese Windows saves "CSV" in GB18030 (GBK); the marker is ASCII either way.
        text = path.read_bytes()[:MAX_TEMPLATE_BYTES].decode("gb18030", errors="replace")
    try:
        return [_template_cells(row) for row in csv.reader(io.StringIO(text, newline=""),
                                                            delimiter=delimiter)]
    except csv.Error as exc:
        raise UpgradeScoreError(Problem(f"invalid CSV: {exc}", name)) from None


def _xlsx_sheets(path: Path) -> list[_Sheet]:
    name = str(path)
    size = _file_size(path)
    if size > MAX_WORKBOOK_BYTES:
        raise UpgradeScoreError(Problem(f"file is larger than {MAX_WORKBOOK_BYTES:,} bytes", name))
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
