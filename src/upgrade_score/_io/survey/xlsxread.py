"""Reading the cells of an .xlsx workbook: once, streaming, and bounded by what it costs.

An .xlsx file is a zip of XML parts. Before a part is parsed, its declared unpacked size counts
against a budget for the whole workbook (zipfile stops at the declared size and checks the CRC,
so a part cannot unpack to more than it declares). While parsing, the XML elements, shared
strings, cell formats, sheets and cells are counted, the length of every text and tag is bounded,
and a DTD (entity expansion) is refused. Each cell is read as the spreadsheet last saved it (the
saved result of a formula; the formula's text where no result was saved, so that it is reported
rather than read as blank), with its number format, so that percent and date cells are recognised.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..._errors import Problem, UpgradeScoreError, one_line
from .cells import Cell
from .sheet import LISTS_SHEET, MAX_CELLS, _openpyxl

RawCell = tuple[Any, str]  # value and number format ("" in a CSV)

# What reading may cost: these floors, or more in proportion to the file's (compressed) size,
# so that a large workbook reads and a small one that unpacks far (a zip bomb) is refused.
MAX_UNPACKED = 256_000_000  # bytes of XML parsed, all parts together
MAX_ELEMENTS = 3 * MAX_CELLS  # XML elements parsed, all parts together
MAX_SHARED_STRINGS = 500_000
MAX_KEPT_CHARACTERS = 32_000_000  # text kept from shared strings and cells
UNPACKED_PER_BYTE = 50  # bytes of XML per byte of the file (templates and Excel's files: 10-20)
CELLS_PER_BYTE = 0.4  # cells per byte of the file (templates: one per 4-6 bytes)
MAX_STYLES = 65_000  # cell formats and number formats (Excel allows 64,000)
MAX_SHEETS = 1_000
MAX_TEXT = 32_767  # characters in one cell (the most Excel holds)
MAX_TOKEN = 1_000_000  # bytes of one tag or text between tags
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_CHUNK = 65_536
_BLANK: RawCell = (None, "")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_XML_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_REL = "/relationships/"


class _Unreadable(Exception):
    """The workbook cannot be read: the message says why (a located problem, or a reason)."""


class _Budget:
    """What reading the workbook may still cost."""

    def __init__(self, size: int = 0) -> None:
        """The budget of a file of ``size`` bytes: the floors, or in proportion to the size."""
        cells = max(MAX_CELLS, int(CELLS_PER_BYTE * size))
        self.limits = {"unpacked": max(MAX_UNPACKED, UNPACKED_PER_BYTE * size), "cells": cells,
                       "elements": max(MAX_ELEMENTS, 3 * cells),
                       "strings": max(MAX_SHARED_STRINGS, cells // 4),
                       "kept": max(MAX_KEPT_CHARACTERS, 16 * cells)}
        self.unpacked = self.limits["unpacked"]
        self.elements = self.limits["elements"]
        self.cells = cells
        self.kept = self.limits["kept"]
        self.strings = self.limits["strings"]

    def keep(self, text: str) -> str:
        self.kept -= len(text)
        if self.kept < 0:
            raise _Unreadable(f"more than {self.limits['kept']:,} characters of text")
        return text

    def too_many_elements(self) -> _Unreadable:
        return _Unreadable(f"more than {self.limits['elements']:,} XML elements")


class _Handler:
    """Callbacks of one XML part. Names come as written (``c``, or ``x:c`` with a prefix)."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget

    def element(self, name: str) -> str:
        """Count one element against the budget; its name without a namespace prefix."""
        budget = self.budget
        budget.elements -= 1
        if budget.elements < 0:
            raise budget.too_many_elements()
        return name if ":" not in name else name.rpartition(":")[2]

    def bind(self, parser: Any) -> None:
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.element(name)

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def xlsx_sheets(path: Path) -> list[tuple[str, list[list[RawCell]]]]:
    """The name and rows of every worksheet (except the template's hidden lists), in order."""
    name = str(path)
    _openpyxl(name)  # the xlsx extra: number formats and dates are read as openpyxl reads them
    try:
        with zipfile.ZipFile(path) as archive:
            return _Book(archive, name, path.stat().st_size).sheets()
    except UpgradeScoreError:
        raise
    except _Unreadable as exc:
        raise UpgradeScoreError(Problem(f"not a readable .xlsx workbook ({exc})", name)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
            ValueError) as exc:  # (zipfile raises these for a damaged or odd archive)
        reason = one_line(str(exc) or type(exc).__name__)
        raise UpgradeScoreError(Problem(f"not a readable .xlsx workbook ({reason})", name)) from None


class _Book:
    def __init__(self, archive: zipfile.ZipFile, file: str, size: int = 0) -> None:
        self.archive, self.file = archive, file
        self.budget = _Budget(size)

    def sheets(self) -> list[tuple[str, list[list[RawCell]]]]:
        main = next((target for kind, target in self.rels("_rels/.rels").values()
                     if kind == "officeDocument"), "xl/workbook.xml")
        workbook = _Workbook(self.budget)
        self.parse(main, workbook)
        rels = self.rels(posixpath.join(posixpath.dirname(main), "_rels",
                                        posixpath.basename(main) + ".rels"), main)
        parts = {kind: target for kind, target in rels.values()}
        strings = _Strings(self.budget)
        if "sharedStrings" in parts:
            self.parse(parts["sharedStrings"], strings)
        styles = _Styles(self.budget)
        if "styles" in parts:
            self.parse(parts["styles"], styles)
        formats = _Formats(styles, workbook.date1904)
        found = []
        for title, rel_id in workbook.sheets:
            kind, target = rels.get(rel_id, ("", ""))
            if kind != "worksheet" or title == LISTS_SHEET:
                continue  # (chart sheets hold no cells)
            sheet = _Cells(self.file, title, strings.items, formats, self.budget)
            self.parse(target, sheet)
            found.append((title, sheet.rows))
        return found

    def rels(self, part: str, source: str = "") -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) of ``part`` (none if it is absent)."""
        if part not in self.archive.NameToInfo:
            return {}
        handler = _Rels(self.budget)
        self.parse(part, handler)
        base = posixpath.dirname(source)
        return {rel_id: (kind, posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                                  else posixpath.join(base, target)))
                for rel_id, (kind, target) in handler.found.items()}

    def parse(self, part: str, handler: _Handler) -> None:
        """Stream one part through ``handler`` within the budget."""
        info = self.archive.NameToInfo.get(part)
        if info is None:
            raise _Unreadable(f"part {part!r} is missing")
        if info.flag_bits & 0x1:
            raise _Unreadable("the workbook is encrypted")
        if info.file_size > self.budget.unpacked:
            raise _Unreadable(f"it unpacks to more than {self.budget.limits['unpacked']:,} bytes of XML "
                              f"({part}: {info.file_size:,} bytes)")
        self.budget.unpacked -= info.file_size
        parser = _parser(handler)
        run = 0  # bytes since the last '>': the tag or text being read
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    first = chunk.find(b">")
                    if first >= 0 and run + first <= MAX_TOKEN:
                        run = len(chunk) - chunk.rfind(b">") - 1
                    else:
                        run += len(chunk)
                    if run > MAX_TOKEN:
                        raise _Unreadable(f"{part}: a tag or text longer than {MAX_TOKEN:,} bytes")
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _Unreadable(f"{part}: {exc}") from None


def _parser(handler: _Handler) -> Any:
    parser = expat.ParserCreate()  # (no namespace processing: names as written, faster)
    parser.buffer_text = True
    parser.buffer_size = _CHUNK

    def refuse(*_: Any) -> None:
        raise _Unreadable("it declares a DTD (not allowed in .xlsx)")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    handler.bind(parser)
    return parser


def _attr(attrs: dict[str, str], name: str) -> str | None:
    """A namespaced attribute by its local name (``r:id``: ``id``)."""
    return next((value for key, value in attrs.items() if key.rpartition(":")[2] == name), None)


class _Rels(_Handler):
    def __init__(self, budget: _Budget) -> None:
        super().__init__(budget)
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.element(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        if len(self.found) >= 4 * MAX_SHEETS:
            raise _Unreadable(f"more than {4 * MAX_SHEETS:,} relationships")
        kind, target = attrs.get("Type", ""), attrs.get("Target", "")
        if len(target) > 1_000:
            raise _Unreadable("a part name longer than 1,000 characters")
        self.found[attrs.get("Id", "")] = (kind.rpartition(_REL)[2] if _REL in kind else kind, target)


class _Workbook(_Handler):
    def __init__(self, budget: _Budget) -> None:
        super().__init__(budget)
        self.sheets: list[tuple[str, str]] = []  # (title, relationship id)
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = self.element(name)
        if name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            title = attrs.get("name", "")
            if len(self.sheets) >= MAX_SHEETS:
                raise _Unreadable(f"more than {MAX_SHEETS:,} sheets")
            if len(title) > 255:
                raise _Unreadable("a sheet name longer than 255 characters")
            self.sheets.append((title, _attr(attrs, "id") or ""))


class _Strings(_Handler):
    """The shared strings: the text of each ``si`` (its runs, not its phonetic guide)."""

    def __init__(self, budget: _Budget) -> None:
        super().__init__(budget)
        self.items: list[str] = []
        self.parts: list[str] | None = None  # the text of the ``si`` being read
        self.into = False  # in a ``t`` of it
        self.length = 0
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = self.element(name)
        if name == "si":
            if len(self.items) >= self.budget.strings:
                raise _Unreadable(f"more than {self.budget.strings:,} shared strings")
            self.parts, self.length = [], 0
        elif name == "t":
            self.into = self.parts is not None and not self.phonetic
        elif name == "rPh":
            self.phonetic += 1
        elif name == "sst" and int(_digits(attrs.get("uniqueCount"))) > self.budget.strings:
            raise _Unreadable(f"more than {self.budget.strings:,} shared strings")

    def end(self, name: str) -> None:
        name = name if ":" not in name else name.rpartition(":")[2]
        if name == "t":
            self.into = False
        elif name == "si" and self.parts is not None:
            text = "".join(self.parts)  # (an escaped '_' as openpyxl reads it)
            self.items.append(self.budget.keep(text.replace("x005F_", "") if "x005F_" in text else text))
            self.parts = None
        elif name == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.into and self.parts is not None:
            self.length += len(data)
            if self.length > MAX_TEXT:
                raise _Unreadable(f"shared string {len(self.items)} is longer than {MAX_TEXT:,} characters")
            self.parts.append(data)


def _digits(text: str | None) -> str:
    return text if text is not None and text.isascii() and text.isdigit() and len(text) < 12 else "0"


class _Styles(_Handler):
    """Number formats: the custom ones by id, and the format id of each cell format (``xf``)."""

    def __init__(self, budget: _Budget) -> None:
        super().__init__(budget)
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = self.element(name)
        if name == "xf" and self.in_cell_xfs:
            if len(self.cell_formats) >= MAX_STYLES:
                raise _Unreadable(f"more than {MAX_STYLES:,} cell formats")
            self.cell_formats.append(int(_digits(attrs.get("numFmtId"))))
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "numFmt":
            code = attrs.get("formatCode", "")
            if len(self.custom) >= MAX_STYLES:
                raise _Unreadable(f"more than {MAX_STYLES:,} number formats")
            if len(code) > 1_000:
                raise _Unreadable("a number format longer than 1,000 characters")
            self.custom[int(_digits(attrs.get("numFmtId")))] = code

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "cellXfs":
            self.in_cell_xfs = False


class _Formats:
    """The number format of each style index, and which are dates or durations (as openpyxl)."""

    def __init__(self, styles: _Styles, date1904: bool) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.codes: list[str] = []
        dates, durations = set(), set()
        for style, number_format in enumerate(styles.cell_formats):
            code = styles.custom.get(number_format) or BUILTIN_FORMATS.get(number_format) or "General"
            self.codes.append(code)
            if is_date_format(code):
                dates.add(style)
            if is_timedelta_format(code):
                durations.add(style)
        self.dates, self.durations = frozenset(dates), frozenset(durations)
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900

    def date(self, number: float, style: int) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.epoch, timedelta=style in self.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # (as openpyxl reads a date out of range)


_NONE, _V, _F, _T = range(4)  # where the text of a cell goes


class _Cells(_Handler):
    """The rows of one worksheet, padded so that ``rows[r][c]`` is the cell at row r+1, column c+1.
    (The hot path of reading: one call per element, few lookups.)"""

    def __init__(self, file: str, title: str, strings: list[str], formats: _Formats,
                 budget: _Budget) -> None:
        super().__init__(budget)
        self.file, self.title, self.strings, self.formats = file, title, strings, formats
        self.rows: list[list[RawCell]] = []
        self.row = 0  # the current row and column (1-based)
        self.column = 0
        self.columns: dict[str, int] = {}  # column letters -> number
        self.kind: str | None = None
        self.style = 0
        self.saved: str | None = None  # the text of ``v``, ``f`` and the inline string
        self.formula: str | None = None
        self.inline: list[str] | None = None
        self.into = _NONE
        self.length = 0
        self.phonetic = 0
        self.parser: Any = None

    def bind(self, parser: Any) -> None:
        """Ends of elements and text only inside a cell (half the calls for everything else)."""
        self.parser = parser
        parser.StartElementHandler = self.start

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        budget = self.budget
        budget.elements -= 1
        if budget.elements < 0:
            raise budget.too_many_elements()
        if name == "c":
            self.start_cell(attrs)
        elif name == "v":
            self.into, self.saved = _V, ""
        elif name == "row":
            number = attrs.get("r")
            self.row = int(_digits(number)) if number is not None else self.row + 1
            self.column = 0
            if not 0 < self.row <= MAX_ROW:
                self.outside()
        elif name == "f":
            self.into, self.formula = _F, ""
        elif name == "is":
            self.inline = []
        elif name == "t":
            if self.inline is not None and not self.phonetic:
                self.into = _T
        elif name == "rPh":
            self.phonetic += 1

    def start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        match = _REF.fullmatch(ref) if ref is not None else None
        if match is not None:
            letters = match.group(1)
            column = self.columns.get(letters)
            if column is None:
                column = 0
                for letter in letters:
                    column = column * 26 + ord(letter) - 64
                self.columns[letters] = column
            self.row, self.column = int(match.group(2)), column
        else:
            self.column += 1
        if not (0 < self.row <= MAX_ROW and 0 < self.column <= MAX_COLUMN):
            self.outside()
        self.kind = attrs.get("t")
        style = attrs.get("s")
        self.style = int(style) if style is not None and style.isdigit() and len(style) < 10 else 0
        self.saved = self.formula = self.inline = None
        self.into = _NONE
        self.length = 0
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def outside(self) -> None:
        raise _Unreadable(f"sheet {self.title!r}: a cell outside the {MAX_ROW:,} rows and "
                          f"{MAX_COLUMN:,} columns of a sheet")

    def end(self, name: str) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.place(self.value())
            self.parser.EndElementHandler = self.parser.CharacterDataHandler = None
        elif name in ("v", "f", "t"):
            self.into = _NONE
        elif name == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        into = self.into
        if not into:
            return
        self.length += len(data)
        if self.length > MAX_TEXT:
            raise UpgradeScoreError(Cell(self.file, self.title, self.row, self.column).problem(
                f"the cell holds more than {MAX_TEXT:,} characters"))
        if into == _V:
            self.saved = data if not self.saved else self.saved + data
        elif into == _F:
            self.formula = data if not self.formula else self.formula + data
        elif self.inline is not None:
            self.inline.append(data)

    def value(self) -> Any:
        """The cell as openpyxl reads it with ``data_only``; a formula's text if no value was saved."""
        kind, saved = self.kind, self.saved or None
        value: Any = None
        if kind == "inlineStr":
            value = None if self.inline is None else self.budget.keep("".join(self.inline))
        elif saved is None:
            value = None
        elif kind is None or kind == "n":
            value = self.number(saved.strip())
        elif kind == "s":
            index = saved.strip()
            if not (index.isascii() and index.isdigit() and int(index) < len(self.strings)):
                self.unreadable(f"no shared string {index[:20]!r}")
            value = self.strings[int(index)]
        elif kind == "b":
            value = saved.strip().lower() in ("1", "true")
        elif kind == "d":
            value = self.iso_date(saved)
        else:  # str (a formula's text result), e (an error such as #N/A)
            value = self.budget.keep(saved)
        if value is None and self.formula is not None:
            value = self.budget.keep("=" + self.formula)
        return value

    def unreadable(self, reason: str) -> None:
        where = Cell(self.file, self.title, self.row, self.column)
        raise UpgradeScoreError(where.problem(f"not a readable cell: {reason}"))

    def number(self, text: str) -> Any:
        if not _XML_NUMBER.fullmatch(text):
            self.unreadable(f"{text[:20]!r} is not a number")
        number: float | int = (int(text) if len(text) < 16 and "." not in text and "e" not in text
                               and "E" not in text else float(text))
        if self.style in self.formats.dates:
            return self.formats.date(float(number), self.style)
        return number

    def iso_date(self, text: str) -> Any:
        from openpyxl.utils import datetime as dates

        parse: Any = dates.from_ISO8601  # (untyped)
        try:
            found: _dt.datetime = parse(text.strip()[:40])
        except (ValueError, TypeError, AttributeError):
            return self.budget.keep(text)
        return found

    def place(self, value: Any) -> None:
        rows, row, column = self.rows, self.row, self.column
        codes = self.formats.codes
        item = (value, codes[self.style] if self.style < len(codes) else "General")
        if row > len(rows):
            self.spend(row - len(rows))
            rows.extend([] for _ in range(row - len(rows)))
        cells = rows[row - 1]
        if column <= len(cells):
            cells[column - 1] = item
            return
        self.spend(column - len(cells))
        if column > len(cells) + 1:
            cells.extend([_BLANK] * (column - len(cells) - 1))
        cells.append(item)

    def spend(self, cells: int) -> None:
        self.budget.cells -= cells
        if self.budget.cells < 0:
            raise UpgradeScoreError(Problem(f"more than {self.budget.limits['cells']:,} cells", self.file))
