"""Many-bases templates read straight into a table: a :class:`SurveyTable` of value columns (the
:class:`~upgrade_score._io.csvtable.ProfileTable` the scorers read), with no profile per row.

A column of plain numbers is parsed in one numpy step and checked against its indicator on the
whole column (kind, valid range, a fraction where % is meant); any other cell is read by the
reader's own function (remembered by column and cell). The table is built only when the file has
nothing to say: at the first cell, row or header the per-row reader would report (a bad value, a
missing or repeated id, a value in a column without a header, an indicator that does not apply to
the base's category...), the whole file is read row by row instead, which reports every problem
with its words, in its order. Profiles are built when one is asked for (by index), each the same
profile, with the same cells, as the per-row reader gives.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from ..._engine.compile import FloatArray, IntArray
from ..._errors import Problem
from ..._model.profile import NA, BaseProfile, attach
from ..._progress import step
from ..csvtable import (
    BLANK,
    BOOLEAN,
    ID_COLUMNS,
    NOT_APPLICABLE,
    NUMBER,
    ProfileTable,
    cell_value,
)
from .cells import Cell, CellOrigin
from .enterprises import EnterpriseRow, enterprise_of, owned_rows, with_rows
from .layout import no_bases_header
from .numbers import _Bad, base_year
from .sheet import BASE_FIELDS, BASE_ID, _fold, _is_percent
from .workbook import _Sheet, _text
from .xlsxread import RawCell

if TYPE_CHECKING:
    from .read import _Reader

CHUNK_ROWS = 5_000  # rows of a CSV template converted at a time (their cells: about 25 MB)
TABLE_READING = True  # False: every template read row by row into profiles (the path compared with)


def table_reading() -> bool:
    """Whether many-bases templates are read into tables (a switch for the agreement tests)."""
    return TABLE_READING

PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# lines each a plain number or empty: a column of a CSV file checked in one match
PLAIN_LINES = re.compile(rf"(?:{PLAIN_NUMBER.pattern})?(?:\n(?:{PLAIN_NUMBER.pattern})?)*")
TEXT_MAX = 10_000  # characters of a name the profile model takes
_BLANK: RawCell = (None, "")
_TEXT_FIELDS = ("name_zh", "name_en", "region")


class _Doubt(Exception):
    """The per-row reader has something to say about the file: it reads the file instead."""


class SurveyTable(ProfileTable):
    """The bases of a many-bases template as arrays: a :class:`ProfileTable` whose ``lines`` are
    sheet rows, whose problems are located at cells (``file:sheet!D7``) and whose profiles carry
    their cells and the enterprise rows of the workbook's enterprises sheet."""

    def __init__(self, file: str, columns: Sequence[str], values: FloatArray, kinds: np.ndarray,
                 lines: IntArray, meta: dict[str, list[str]], *, sheet: str | None,
                 value_at: Sequence[int], meta_at: dict[str, int],
                 owned: dict[int, list[EnterpriseRow]] | None = None) -> None:
        super().__init__(file, columns, values, kinds, lines, meta, "id")
        self.sheet = sheet
        self.value_at = tuple(value_at)  # 1-based sheet column of each value column (0: none)
        self.meta_at = meta_at  # base field -> 1-based sheet column
        self.owned = owned or {}  # row -> its enterprise rows
        self._index = {column: c for c, column in enumerate(self.columns)}

    def _cell(self, row: int, column: int) -> Cell:
        return Cell(self.file, self.sheet, self.line(row), column)

    def problem(self, row: int, column: str | None, message: str) -> Problem:
        """A problem at the cell of ``column`` in ``row`` (the id cell where it is blank), as
        the profile of the row would locate it."""
        if column is None:
            return self._cell(row, self.meta_at["id"]).problem(message)
        c = self._index.get(column)
        if c is not None and self.kinds[row, c] != BLANK and self.value_at[c]:
            return self._cell(row, self.value_at[c]).problem(message, (column,))
        return self._cell(row, self.meta_at["id"]).problem(message, (column,))

    def enterprise_rows(self, fields: Sequence[str]) -> tuple[IntArray, FloatArray]:
        owners = [row for row in sorted(self.owned) for _ in self.owned[row]]
        figures = np.full((len(owners), len(fields)), np.nan)
        if fields:
            position = {field_id: f for f, field_id in enumerate(fields)}
            k = 0
            for row in sorted(self.owned):
                for found in self.owned[row]:
                    for field_id, value in found.figures.items():
                        f = position.get(field_id)  # (a field only another rubric has: left out)
                        if f is not None and value is not None:
                            figures[k, f] = float(value)
                    k += 1
        return np.asarray(owners, dtype=np.int64), figures

    def replaced(self, columns: Sequence[str], values: FloatArray, kinds: np.ndarray,
                 meta: dict[str, list[str]]) -> ProfileTable:
        at = dict(zip(self.columns, self.value_at))
        return SurveyTable(self.file, columns, values, kinds, self.lines, meta, sheet=self.sheet,
                           value_at=[at.get(column, 0) for column in columns], meta_at=self.meta_at,
                           owned=self.owned)

    def take(self, rows: Sequence[int] | IntArray) -> ProfileTable:
        index = np.asarray(rows, dtype=np.int64)
        picked = index.tolist()
        meta = {name: [cells[k] for k in picked] for name, cells in self.meta.items()}
        owned = {new: self.owned[old] for new, old in enumerate(picked) if old in self.owned}
        return SurveyTable(self.file, self.columns, self.values[index], self.kinds[index],
                           self.lines[index], meta, sheet=self.sheet, value_at=self.value_at,
                           meta_at=self.meta_at, owned=owned)

    def _base(self, row: int) -> dict[str, Any]:
        base: dict[str, Any] = {"id": self.ids[row]}
        for name, cells in self.meta.items():
            text = cells[row]
            if name == "id" or not text:
                continue
            if name in ("name_zh", "name_en"):
                base.setdefault("name", {})[name[5:]] = text
            else:
                base[name] = int(text) if name == "year" else text
        return base

    def _profile(self, row: int) -> BaseProfile:
        values: dict[str, dict[str, Any]] = {}
        cells: dict[str, Cell] = {}
        for c, (column, kind, value) in enumerate(zip(self.columns, self.kinds[row].tolist(),
                                                      self.values[row].tolist())):
            if kind != BLANK:
                values[column] = {"value": cell_value(kind, value)}
                if self.value_at[c]:  # (else a value the file does not have: at the row)
                    cells[column] = self._cell(row, self.value_at[c])
        base_cells = {name: self._cell(row, self.meta_at[name]) for name, texts in self.meta.items()
                      if texts[row]}
        id_cell = base_cells["id"]
        profile = BaseProfile.model_validate({"base": self._base(row), "values": values})
        origin = CellOrigin(self.file, id_cell.row, {k: c.row for k, c in cells.items()}, (), cells,
                            id_cell, base_cells)
        profile = attach(profile, origin)
        found = self.owned.get(row)
        return profile if found is None else with_rows(self.file, profile, found, [])


def read_table(reader: _Reader, sheets: list[_Sheet]) -> SurveyTable | None:
    """The bases of a many-bases template as a table, or None when the per-row reader has
    anything to say about them (it then reads them: every problem in its words and order)."""
    start = len(reader.problems)
    try:
        return _Columns(reader).table(sheets)
    except _Doubt:
        del reader.problems[start:]
        return None


def read_streamed(reader: _Reader, head: _Sheet, rest: Iterator[list[RawCell]]) -> SurveyTable | None:
    """:func:`read_table` of a CSV template given as its first rows and an iterator of the rest."""
    try:
        return _Columns(reader).streamed(head, rest)
    except _Doubt:
        return None


def join_enterprises(table: SurveyTable, rows: list[EnterpriseRow], problems: list[Problem]) -> None:
    """Give the table's bases their enterprise rows (an empty or unknown ``base_id``, or a row
    the enterprise model refuses, is a problem, as in the per-row reader)."""
    table.owned = owned_rows(table.ids, rows, False, problems)
    for found in table.owned.values():
        for row in found:
            if not _plain_enterprise(row):
                enterprise_of(row, problems)


def _plain_enterprise(row: EnterpriseRow) -> bool:
    """Whether the enterprise model surely takes the row (else it is validated to say why)."""
    if row.id is not None and not 0 < len(row.id) <= TEXT_MAX:
        return False
    return row.name is None or all(0 < len(text) <= TEXT_MAX for text in row.name.values())


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


class _Columns:
    """One pass over a sheet's rows and one per column, raising :class:`_Doubt` at anything
    the per-row reader would report."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.file = reader.file

    def table(self, sheets: list[_Sheet]) -> SurveyTable:
        """The table of the one sheet of bases among ``sheets`` (all rows in memory)."""
        reader = self.reader
        before = len(reader.problems)
        headers = [reader._many_header(sheet) for sheet in sheets]
        found = [(sheet, header) for sheet, header in zip(sheets, headers) if header is not None]
        if len(reader.problems) > before or len(found) != 1 or any(
                header is None and no_bases_header(self.file, sheet) is not None
                for sheet, header in zip(sheets, headers)):
            raise _Doubt
        sheet, (top, header) = found[0]
        rows = list(enumerate(sheet.rows[top + 1:], top + 2))
        return self.build(sheet.name, header, [rows])

    def streamed(self, head: _Sheet, rest: Iterator[list[RawCell]]) -> SurveyTable:
        """The table of a CSV template whose first rows are ``head`` and the others ``rest``,
        read in chunks of rows (memory grows with the table, not with the file)."""
        found = self.reader._many_header(head)
        if self.reader.problems or found is None:
            raise _Doubt
        top, header = found

        def chunks() -> Iterator[list[tuple[int, list[RawCell]]]]:
            line = len(head.rows)
            yield list(enumerate(head.rows[top + 1:], top + 2))
            while chunk := list(islice(rest, CHUNK_ROWS)):
                yield list(enumerate(chunk, line + 1))
                line += len(chunk)
                step("progress.rows", line)

        return self.build(None, header, chunks())

    def build(self, sheet: str | None, header: dict[int, str],
              chunks: Iterable[list[tuple[int, list[RawCell]]]]) -> SurveyTable:
        """The table of the rows of bases under ``header`` (each chunk: (sheet row, cells))."""
        plan = self.reader._column_plan(header)
        id_column = next(c for c, key in header.items() if key.casefold() in ID_COLUMNS)
        chosen = [(c, column) for c, (kind, column, _) in sorted(plan.items()) if kind == "value"]
        unknown = [c for c, (kind, _, _) in sorted(plan.items()) if kind == "unknown"]
        seen: set[tuple[str, str]] = set()
        meta: dict[str, list[str]] = {}
        meta_at: dict[str, int] = {}
        lines: list[int] = []
        parts: list[tuple[np.ndarray, FloatArray]] = []
        for chunk in chunks:
            data, at = self._rows(chunk, id_column, plan)
            texts, meta_at = self._meta(data, plan)
            keys = set(zip(texts["id"], texts.get("year", [""] * len(data))))
            if len(keys) != len(data) or not seen.isdisjoint(keys):
                raise _Doubt  # (a base given twice)
            seen |= keys
            for c in unknown:
                if any(c < len(row) and _filled(row[c][0]) for row in data):
                    raise _Doubt
            found = [self._column(column, [row[c] if c < len(row) else _BLANK for row in data])
                     for c, column in chosen]
            kinds = np.zeros((len(data), len(chosen)), dtype=np.int8)
            values = np.full(kinds.shape, np.nan)
            for k, (column_kinds, column_values) in enumerate(found):
                kinds[:, k], values[:, k] = column_kinds, column_values
            self._check_applies([column for _, column in chosen], kinds, texts.get("category"))
            parts.append((kinds, values))
            lines.extend(at)
            for name, cells in texts.items():
                meta.setdefault(name, []).extend(cells)
        kinds = np.concatenate([k for k, _ in parts]) if parts else np.zeros((0, len(chosen)), np.int8)
        values = np.concatenate([v for _, v in parts]) if parts else np.zeros((0, len(chosen)))
        return SurveyTable(self.file, [column for _, column in chosen], values, kinds,
                           np.asarray(lines, dtype=np.int64), meta, sheet=sheet,
                           value_at=[c + 1 for c, _ in chosen], meta_at=meta_at)

    def _rows(self, chunk: list[tuple[int, list[RawCell]]], id_column: int,
              plan: dict[int, tuple[str, str, str]]) -> tuple[list[list[RawCell]], list[int]]:
        """The rows of bases (a row with an id; ``#`` rows and empty rows left out) and their
        sheet rows; a filled row without an id, or a filled cell without a header, is a doubt."""
        width = max(plan) + 1
        gaps = [c for c in range(width) if c not in plan]
        data: list[list[RawCell]] = []
        lines: list[int] = []
        for line, row in chunk:
            raw = row[id_column][0] if id_column < len(row) else None
            key = _text(raw) if _filled(raw) else ""
            if key.startswith("#"):
                continue
            if not key:
                if any(_filled(value) for value, _ in row):
                    raise _Doubt
                continue
            if (len(row) > width and any(_filled(value) for value, _ in row[width:])) or any(
                    c < len(row) and _filled(row[c][0]) for c in gaps):
                raise _Doubt
            data.append(row)
            lines.append(line)
        return data, lines

    def _meta(self, data: list[list[RawCell]], plan: dict[int, tuple[str, str, str]],
              ) -> tuple[dict[str, list[str]], dict[str, int]]:
        """The text of each base field of every row (ids, names, years, region, category as
        the reader takes them), and the sheet column of each."""
        fields = [(c, name) for c, (kind, _, name) in sorted(plan.items()) if kind == "meta"]
        names = [name for _, name in fields]
        if len(set(names)) != len(names):
            raise _Doubt  # (two columns of one field: given twice where both are filled)
        meta: dict[str, list[str]] = {}
        meta_at: dict[str, int] = {}
        for c, name in fields:
            cells = [row[c][0] if c < len(row) and _filled(row[c][0]) else None for row in data]
            if name not in BASE_FIELDS:
                if any(raw is not None for raw in cells):
                    raise _Doubt
                continue
            meta[name] = [self._field(name, raw) for raw in cells]
            meta_at[name] = c + 1
        return meta, meta_at

    def _field(self, name: str, raw: Any) -> str:
        """A base field's cell as the text the table keeps ('' when blank)."""
        if raw is None:
            return ""
        text = _text(raw).replace("\r\n", "\n")
        if name == "id":
            if not BASE_ID.fullmatch(text) or len(text) > 100:
                raise _Doubt
            return text
        if name == "year":
            year = base_year(raw, text)
            if year is None:
                raise _Doubt
            return str(year)
        if name == "category" and self.reader._categories is not None:
            category = self.reader._categories.get(_fold(text))
            if category is None:
                raise _Doubt
            return category
        if name in _TEXT_FIELDS and len(text) > TEXT_MAX:
            raise _Doubt
        return text

    def _column(self, column: str, cells: list[RawCell]) -> tuple[np.ndarray, FloatArray]:
        """What each cell of a value column holds (``BLANK``, ``NUMBER``...) and its number."""
        count = len(cells)
        kinds = np.zeros(count, dtype=np.int8)
        values = np.full(count, np.nan)
        text_at: list[int] = []
        texts: list[str] = []
        number_at: list[int] = []
        numbers: list[float] = []
        plain = _plain_texts(cells)
        if plain is not None:  # a column of plain numbers and blanks: nothing to look at cell by cell
            text_at, texts = plain
            cells = []
        value_of = self.reader._value_of
        for i, (raw, number_format) in enumerate(cells):
            if raw is None:
                continue
            kind = raw.__class__
            if kind is str:
                if PLAIN_NUMBER.fullmatch(raw):
                    text_at.append(i)
                    texts.append(raw)
                    continue
                if not raw.strip():
                    continue
            elif (kind is float or kind is int) and "%" not in number_format:
                number_at.append(i)
                numbers.append(raw)
                continue
            value = value_of(column, raw, number_format)
            if value is None or isinstance(value, _Bad):
                raise _Doubt
            if value.__class__ is bool:
                kinds[i], values[i] = BOOLEAN, float(value)
            elif value == NA:
                kinds[i] = NOT_APPLICABLE
            else:
                kinds[i], values[i] = NUMBER, value
        if text_at or number_at:
            try:  # (a number too large for a float: inf, or an error in older numpy; either way
                with np.errstate(all="ignore"), warnings.catch_warnings():  # the reader says so)
                    warnings.simplefilter("ignore")
                    parsed = np.concatenate([np.array(texts, dtype=str).astype(np.float64) if texts
                                             else np.zeros(0), np.array(numbers, dtype=np.float64)])
            except (ValueError, OverflowError):
                raise _Doubt from None
            at = np.array(text_at + number_at, dtype=np.int64)
            kinds[at], values[at] = self._numbers(column, parsed)
        return kinds, values

    def _numbers(self, column: str, numbers: FloatArray) -> tuple[int, FloatArray]:
        """The kind and values of a column's plain numbers, checked on the whole column as the
        reader checks each (a doubt at the first it would refuse)."""
        reader = self.reader
        if not np.isfinite(numbers).all():
            raise _Doubt
        item = reader.inputs.get(column)
        indicator = reader.indicators.get(column)
        limits = item.valid_range if item is not None else None
        kind = NUMBER
        if item is None and indicator is not None:
            if indicator.kind == "boolean":
                if not ((numbers == 0) | (numbers == 1)).all():
                    raise _Doubt
                return BOOLEAN, np.where(numbers == 1, 1.0, 0.0)
            if indicator.kind == "qualitative":
                levels = reader.rubric.level_count if reader.rubric is not None else 0
                if not ((numbers == np.floor(numbers)) & (numbers >= 0) & (numbers <= levels)).all():
                    raise _Doubt
                return kind, numbers
            thresholds = indicator.thresholds or ()
            if _is_percent(indicator) and thresholds and min(thresholds) > 1 and (
                    (numbers > 0) & (numbers <= 1)).any():
                raise _Doubt  # (a fraction where % is meant)
            limits = indicator.valid_range
        if limits is not None and not ((numbers >= limits[0]) & (numbers <= limits[1])).all():
            raise _Doubt
        return kind, numbers

    def _check_applies(self, columns: list[str], kinds: np.ndarray, categories: list[str] | None) -> None:
        """A doubt where a value is given for an indicator that does not apply to its base's
        category (the per-row reader says so at the cell)."""
        rubric = self.reader.rubric
        if rubric is None or not rubric.categories:
            return
        codes = {category: k for k, category in enumerate(rubric.category_ids)}
        rows = np.array([codes[text] if text else -1 for text in categories or [""] * kinds.shape[0]],
                        dtype=np.int64)
        every = (*rubric.category_ids, None)
        for c, column in enumerate(columns):
            indicator = self.reader.indicators.get(column)
            if indicator is None or not indicator.applies_to:
                continue
            applies = np.array([indicator.applies(category) for category in every], dtype=bool)
            if (~applies[rows] & (kinds[:, c] != BLANK)).any():
                raise _Doubt


def _plain_texts(cells: list[RawCell]) -> tuple[list[int], list[str]] | None:
    """Where a column's cells hold text (from a CSV file) that is a plain number, and those
    texts, when every other cell is empty; ``None`` when any cell is something else (a number
    from a workbook, a word, a blank of spaces, a line break...): then each is looked at on its
    own."""
    texts = [raw for raw, _ in cells]
    try:
        joined = "\n".join(texts)
    except TypeError:  # (a cell of a workbook: a number, a date...)
        return None
    if joined.count("\n") != max(len(texts) - 1, 0) or not PLAIN_LINES.fullmatch(joined):
        return None
    at = [i for i, text in enumerate(texts) if text]
    return at, [texts[i] for i in at]
