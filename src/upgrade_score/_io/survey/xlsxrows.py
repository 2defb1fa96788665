"""The data rows of a many-bases sheet written as XML text in one pass.

openpyxl spends about 0.1 ms on a cell (a cell object, style look-ups, its XML serialiser), 9 ms a
base of the default rubric. The rows of bases are written here instead, byte for byte as openpyxl
writes the same cells (inline strings, the same escaping, style ids given in the same order), and
spliced into the sheet openpyxl writes around them; tests compare the two writers' files.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .cells import _column_letters

TESTED = ("3", "1")  # the openpyxl series whose writers this imitates (the tests compare the bytes)
PLACEHOLDER = "upgrade-score-rows"  # an element openpyxl writes where the rows go (then replaced)
STYLE = "\x01"  # around a style's number in the text until its id is known (never in a cell)
TEXT_LIMIT = 32767  # the longest text a cell holds (openpyxl cuts there)


def _escaped(text: str) -> str:
    """Character data as ElementTree (and so openpyxl) escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _text_cell(ref: str, style: str, text: str) -> str:
    if not text:  # (nothing left once characters a cell cannot hold are dropped)
        return f'<c r="{ref}" s="{style}" t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_escaped(text)}</t></is></c>'


def imitates(openpyxl: Any) -> bool:
    """Whether this writer was checked against ``openpyxl``'s version (its series): it reuses
    openpyxl's private writers, so another series is left to openpyxl's own cells."""
    return tuple(str(getattr(openpyxl, "__version__", "")).split(".")[:2]) == TESTED


class DataRows:
    """The data rows of one sheet: their XML with a placeholder per style, and the styles (openpyxl
    style arrays) in the order the rows first use them, for ids given when the sheet is written."""

    def __init__(self, style_of: Callable[[tuple[bool, bool, bool]], Any]) -> None:
        self.style_of = style_of  # (has a value, is an input cell, quoted) -> style array
        self.styles: list[Any] = []
        self.keys: dict[tuple[bool, bool, bool], str] = {}
        self.parts: list[str] = []
        self.rows: list[int] = []
        self.columns: set[int] = set()
        self.letters: dict[int, str] = {}

    def _style(self, key: tuple[bool, bool, bool]) -> str:
        found = self.keys.get(key)
        if found is None:  # the first cell of this look: styled now, as openpyxl's cells would be
            self.styles.append(self.style_of(key))
            found = self.keys[key] = f"{STYLE}{len(self.styles) - 1}{STYLE}"
        return found

    def add(self, r: int, cells: Iterable[Any], inputs: frozenset[int],
            clean: Callable[[str], str], inert: Callable[[str], str]) -> None:
        """One row (``r``, 1-based) of values: text, numbers or blanks (``inputs``: the 0-based
        columns shaded as input cells; ``clean`` drops characters a cell cannot hold; ``inert``
        quotes text that would run as a formula)."""
        out: list[str] = []
        for c, value in enumerate(cells):
            is_input = c in inputs
            if value is None or value == "":
                if not is_input:
                    continue
                letters = self.letters.get(c) or self.letters.setdefault(c, _column_letters(c + 1))
                out.append(f'<c r="{letters}{r}" s="{self._style((False, True, False))}" t="n" />')
                self.columns.add(c)
                continue
            letters = self.letters.get(c) or self.letters.setdefault(c, _column_letters(c + 1))
            if isinstance(value, str):
                style = self._style((True, is_input, inert(value) != value))
                out.append(_text_cell(f"{letters}{r}", style, clean(value)[:TEXT_LIMIT]))
            else:
                style = self._style((True, is_input, False))
                kind, number = _number(value)
                out.append(f'<c r="{letters}{r}" s="{style}" t="{kind}"><v>{number}</v></c>')
            self.columns.add(c)
        if out:
            self.rows.append(r)
            self.parts.append(f'<row r="{r}">{"".join(out)}</row>')

    def extent(self) -> tuple[int, int, int, int] | None:
        """(first row, last row, first column, last column) of the cells, 1-based."""
        if not self.rows:
            return None
        return self.rows[0], self.rows[-1], min(self.columns) + 1, max(self.columns) + 1

    def text(self, ids: list[int]) -> bytes:
        """The rows' XML with the style ids the workbook gave (``ids[k]`` for style ``k``)."""
        text = "".join(self.parts)
        for k, style_id in enumerate(ids):
            text = text.replace(f"{STYLE}{k}{STYLE}", str(style_id))
        return text.encode("utf-8")


def _number(value: Any) -> tuple[str, str]:
    """A number's cell type and text as openpyxl writes it (a float in full: 17 digits)."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, float):
        return "n", repr(value)
    return "n", f"{value:.16g}"


def save_with_rows(book: Any, rows: dict[str, DataRows]) -> bytes:
    """``book`` saved as openpyxl's ``save`` does, with the data rows of the sheets named in
    ``rows`` written as text."""
    import importlib

    # openpyxl's writers, as they are (their private parts typed as Any)
    sheet_writer: Any = importlib.import_module("openpyxl.worksheet._writer").WorksheetWriter
    book_writer: Any = importlib.import_module("openpyxl.writer.excel").ExcelWriter
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import Element

    class RowsWriter(sheet_writer):  # type: ignore[misc]
        def __init__(self, ws: Any, data: DataRows) -> None:
            self.data = data
            self.ids: list[int] = []
            super().__init__(ws)

        def write_dimensions(self) -> None:
            extent = self.data.extent()
            if extent is None:
                super().write_dimensions()
                return
            cells = [*self.ws._cells, (extent[0], extent[2]), (extent[1], extent[3])]
            rows, columns = [r for r, _ in cells], [c for _, c in cells]
            ref = (f"{_column_letters(min(columns))}{min(rows)}:"
                   f"{_column_letters(max(columns))}{max(rows)}")
            self.xf.send(SheetDimension(ref).to_tree())

        def write_rows(self) -> None:
            xf = self.xf.send(True)
            extent = self.data.extent()
            last = extent[1] if extent is not None else None
            with xf.element("sheetData"):
                for row_idx, row in self.rows():
                    if last is not None and row_idx > last:
                        self._place(xf)
                        last = None
                    self.write_row(xf, row, row_idx)
                if last is not None:
                    self._place(xf)
            self.xf.send(None)

        def _place(self, xf: Any) -> None:
            # the style ids now, in the order openpyxl would give them writing these cells
            self.ids = [self.ws.parent._cell_styles.add(style) for style in self.data.styles]
            xf.write(Element(PLACEHOLDER))

        def write(self) -> None:
            super().write()
            if self.data.rows:
                path = Path(self.out)
                text = path.read_bytes()
                start = text.index(f"<{PLACEHOLDER}".encode())
                end = text.index(b">", start) + 1
                path.write_bytes(text[:start] + self.data.text(self.ids) + text[end:])

    class Writer(book_writer):  # type: ignore[misc]
        def write_worksheet(self, ws: Any) -> None:
            data = rows.get(ws.title)
            if data is None:
                super().write_worksheet(ws)
                return
            ws._drawing = SpreadsheetDrawing()  # as ExcelWriter.write_worksheet does
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = RowsWriter(ws, data)
            writer.write()
            ws._rels = writer._rels
            self._archive.write(writer.out, ws.path[1:])
            self.manifest.append(ws)
            writer.cleanup()

    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    book.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    Writer(book, archive).save()
    return buffer.getvalue()
