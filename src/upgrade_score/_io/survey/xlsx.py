"""Saving a template as an XLSX workbook: styles, widths, drop-down lists."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from copy import copy
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._errors import one_line
from ..._model.derived import EnterpriseField, Input
from ..._model.rubric import Indicator, Rubric

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

from .cells import _column_letters
from .sheet import (
    LISTS_SHEET,
    Checked,
    TemplateLang,
    _allowed,
    _inert,
    _label,
    _notes,
    _openpyxl,
    _say,
    _shown,
    _Table,
    _title,
    _valid_range,
    _with_notes,
    _write_bytes,
    level_items,
)
from .xlsxrows import DataRows, imitates, save_with_rows


def _sheet_title(name: str, taken: set[str]) -> str:
    title = " ".join(re.sub(r"[\\/?*\[\]:]", " ", name).split()).strip("'")[:31].strip() or "Sheet"
    candidate, n = title, 2
    while candidate.casefold() in taken:
        suffix = f" {n}"
        candidate, n = title[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _row_height(cells: list[Any], widths: tuple[float, ...], max_lines: int) -> float:
    """Points for a row whose wrapped cells all show (spreadsheets do not grow rows on opening)."""
    lines = 1
    for value, width in zip(cells, widths):
        if isinstance(value, str) and value:
            chars = max(width - 1, 1)
            needed = sum(math.ceil(max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1
                                           for ch in part), 1) / chars)
                         for part in value.split("\n"))
            lines = max(lines, needed)
    return 15.0 * min(lines, max_lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Lists:
    """The hidden sheet of drop-down entries: an indicator's levels, or the category ids."""

    def __init__(self, book: Any, rubric: Rubric, lang: TemplateLang) -> None:
        self.book, self.rubric, self.lang = book, rubric, lang
        self.sheet: Worksheet | None = None
        self.ranges: dict[str, str] = {}

    def range(self, what: Indicator | str) -> str:
        """The cells of one list, written on first use."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if self.sheet is None:
            self.sheet = self.book.create_sheet(LISTS_SHEET)
            self.sheet.sheet_state = "hidden"
        key = what.id if isinstance(what, Indicator) else f" {what}"  # (no indicator id has a space)
        if key not in self.ranges:
            column = len(self.ranges) + 1
            items = (level_items(self.rubric, what, self.lang) if isinstance(what, Indicator)
                     else list(self.rubric.category_ids))
            for row, item in enumerate(items, start=1):
                self.sheet.cell(row, column, ILLEGAL_CHARACTERS_RE.sub("", item)).data_type = "s"
            letters = _column_letters(column)
            self.ranges[key] = f"'{LISTS_SHEET}'!${letters}$1:${letters}${len(items)}"
        return self.ranges[key]


class _Styles:
    """The looks of template cells (one object each, shared by every cell that has it)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.header_fill = PatternFill("solid", fgColor="DDEBF7")
        self.input_fill = PatternFill("solid", fgColor="FFF2CC")
        self.hint_font = Font(color="666666", italic=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.plain, self.bold, self.title = Alignment(), Font(bold=True), Font(bold=True, size=12)

    def apply(self, cell: Any, kind: str, is_input: bool) -> None:
        """Style a cell that holds a value, in a row of ``kind``."""
        if kind == "header":
            cell.font = self.bold
            cell.fill = self.header_fill
            cell.alignment = self.wrap
        elif kind in ("hint", "marker"):
            cell.font = self.hint_font
            cell.alignment = self.wrap if kind == "hint" else self.plain
        elif kind == "title":
            cell.font = self.title
        else:
            cell.alignment = self.wrap
        if is_input:
            cell.fill = self.input_fill

    def data_style(self, sheet: Any, key: tuple[bool, bool, bool]) -> Any:
        """The style array of a data cell (has a value, is an input cell, quoted), found by
        styling a cell outside the sheet as a cell of the sheet would be."""
        from openpyxl.cell.cell import Cell

        cell: Any = Cell(sheet)  # type: ignore[call-arg]  # (row and column default to None)
        has_value, is_input, quoted = key
        if quoted:
            cell.quotePrefix = True
        if has_value:
            self.apply(cell, "data", is_input)
        elif is_input:
            cell.fill = self.input_fill
        return copy(cell._style)


def _save_xlsx(tables: list[_Table], target: Path, rubric: Rubric, lang: TemplateLang,
               fast_rows: bool = True) -> None:
    """Save the template's tables as a workbook (``fast_rows``: the rows of bases written as text,
    the same bytes as openpyxl's cells; False for the tests that compare the two)."""
    openpyxl = _openpyxl(str(target))
    from openpyxl.worksheet.datavalidation import DataValidation

    fast_rows = fast_rows and imitates(openpyxl)

    book = openpyxl.Workbook()
    styles = _Styles()
    taken = {LISTS_SHEET}
    lists = _Lists(book, rubric, lang)
    data: dict[str, DataRows] = {}
    for n, table in enumerate(tables):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title(table.name, taken)
        if fast_rows and any(row.kind == "data" for row in table.rows):
            data[sheet.title] = DataRows(partial(styles.data_style, sheet))
        _write_cells(sheet, table, styles, data.get(sheet.title))
        if table.input_rows is not None:
            first, last = table.input_rows
            for r in range(len(table.rows) + 1, min(last, first + 49) + 1):
                for c in table.input_columns:
                    sheet.cell(r, c + 1).fill = styles.input_fill
        for c, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[_column_letters(c)].width = width
        sheet.freeze_panes = table.freeze
        sheet.page_setup.orientation = "landscape"  # printed: as wide as the page, many pages
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for what, cells in table.checks:
            check = _validation(DataValidation, what, rubric, lang, lists.range, cells.split(":")[0])
            sheet.add_data_validation(check)
            check.add(cells)
    if lists.sheet is not None:  # last, hidden: the drop-down entries
        book.move_sheet(lists.sheet, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LISTS_SHEET))
    book.active = 0
    if data:
        _write_bytes(target, save_with_rows(book, data))
        return
    buffer = io.BytesIO()
    book.save(buffer)
    _write_bytes(target, buffer.getvalue())


def _write_cells(sheet: Any, table: _Table, styles: _Styles, data: DataRows | None) -> None:
    """The table's cells into the sheet (its rows of bases into ``data`` when given)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    inputs = frozenset(table.input_columns)
    clean = partial(ILLEGAL_CHARACTERS_RE.sub, "")
    for r, row in enumerate(table.rows, start=1):
        if data is not None and row.kind == "data":
            data.add(r, row.cells, inputs, clean, _inert)
            continue
        for c, value in enumerate(row.cells, start=1):
            is_input = row.kind in ("base", "indicator", "data") and c - 1 in inputs
            if value is None or value == "":
                if is_input:
                    sheet.cell(r, c).fill = styles.input_fill
                continue
            cell = sheet.cell(r, c)
            if isinstance(value, str):
                cell.value = clean(value)
                cell.data_type = "s"  # text stays text, even when it starts with '='
                if _inert(value) != value:  # and stays text when edited
                    cell.quotePrefix = True
            else:
                cell.value = value
                if isinstance(value, float):  # written in full: openpyxl keeps 16 digits, a
                    cell._value = repr(value)  # float needs 17 to read back the same
            styles.apply(cell, row.kind, is_input)
        if row.kind in ("header", "hint", "base", "indicator", "computed"):
            sheet.row_dimensions[r].height = _row_height(row.cells, table.widths,
                                                         5 if row.kind == "hint" else 12)


def _validation(factory: Any, what: Checked, rubric: Rubric, lang: TemplateLang,
                list_range: Any, first: str) -> Any:
    """The data validation (drop-down, range check, input hint) of a value cell (``first``: the
    top-left cell of the range it covers)."""
    if what == "confidence":
        return factory(type="decimal", operator="between", formula1="0", formula2="1",
                       allow_blank=True, showErrorMessage=True, errorStyle="warning", error="0–1")
    if what == "year":
        return factory(type="whole", operator="between", formula1="1900", formula2="2100",
                       allow_blank=True, showErrorMessage=True, errorStyle="warning",
                       error="1900–2100")
    if what == "category":
        return factory(type="list", formula1=list_range("category"), allow_blank=True,
                       showErrorMessage=True, errorStyle="warning",
                       error=_clip(_say("category_pick", lang), 225))
    if isinstance(what, (Input, EnterpriseField)):
        return _figure_validation(factory, what, lang)
    assert isinstance(what, Indicator)
    indicator = what
    name = _label(indicator.name, "zh" if lang == "zh" else "en")
    prompt_parts = [f"{_title('unit', lang)}: {_label(indicator.unit, lang)}" if indicator.unit else "",
                    f"{_title('valid_range', lang)}: {_valid_range(rubric, indicator)}"
                    if _valid_range(rubric, indicator) else "",
                    *_notes(rubric, indicator, lang),
                    one_line(_label(indicator.description, lang))]
    prompt = _clip("\n".join(p for p in prompt_parts if p), 255)
    common = dict(allow_blank=True, showInputMessage=True, promptTitle=_clip(name, 32), prompt=prompt)
    if indicator.kind == "qualitative":
        return factory(type="list", formula1=list_range(indicator), showErrorMessage=False, **common)
    na_words = [_say("na", lang)] if indicator.allow_na else []
    if indicator.kind == "boolean":
        words = f'"{",".join([_say("yes", lang), _say("no", lang), *na_words])}"'
        return factory(type="list", formula1=words, showErrorMessage=True, errorStyle="warning",
                       error=_clip(_allowed(rubric, indicator, lang, ""), 225), **common)
    if indicator.valid_range is not None:
        low, high = indicator.valid_range
        unit = _label(indicator.unit, lang)
        error = _clip(_with_notes(f"{_shown(low)}–{_shown(high)} {unit}".strip(),
                                  [_say("na_note", lang)] if na_words else [], lang), 225)
        if na_words:  # a number in range, or the n/a word (Excel compares text case-insensitively)
            words = ",".join(f'{first}="{word}"' for word in dict.fromkeys(["n/a", "不适用", *na_words]))
            formula = f"OR(AND(ISNUMBER({first}),{first}>={low!r},{first}<={high!r}),{words})"
            return factory(type="custom", formula1=formula, showErrorMessage=True,
                           errorStyle="warning", error=error, **common)
        return factory(type="decimal", operator="between", formula1=repr(low), formula2=repr(high),
                       showErrorMessage=True, errorStyle="warning", error=error, **common)
    return factory(**common)


FIGURE_LIMIT = "1E+307"  # a number field of an enterprise: any number (the largest Excel shows)


def _figure_validation(factory: Any, what: Input | EnterpriseField, lang: TemplateLang) -> Any:
    """An input's value cell (a number in its valid range) or an enterprise's figure (yes/no
    from a drop-down, or a number)."""
    name = _label(what.name, "zh" if lang == "zh" else "en")
    unit = _label(what.unit, lang)
    prompt = _clip("\n".join(p for p in (f"{_title('unit', lang)}: {unit}" if unit else "",
                                          one_line(_label(what.description, lang))) if p), 255)
    common = dict(allow_blank=True, showInputMessage=bool(prompt), promptTitle=_clip(name, 32),
                  prompt=prompt or None)
    if isinstance(what, EnterpriseField) and what.kind == "boolean":
        words = f'"{_say("yes", lang)},{_say("no", lang)}"'
        return factory(type="list", formula1=words, showErrorMessage=True, errorStyle="warning",
                       error=f"{_say('yes', lang)} {_say('or', lang)} {_say('no', lang)}", **common)
    low, high = (what.valid_range if isinstance(what, Input) and what.valid_range is not None
                 else (None, None))
    error = f"{_shown(low)}–{_shown(high)} {unit}".strip() if low is not None and high is not None \
        else _say("number", lang)
    return factory(type="decimal", operator="between",
                   formula1=repr(low) if low is not None else f"-{FIGURE_LIMIT}",
                   formula2=repr(high) if high is not None else FIGURE_LIMIT,
                   showErrorMessage=True, errorStyle="warning", error=_clip(error, 225), **common)
