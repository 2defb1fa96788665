"""Plain CSV tables of bases (a row a base, a column an indicator id) read straight into columns
of numbers, in chunks, without a model object per row: a :class:`ProfileTable`.

The table is a sequence of :class:`BaseProfile` whose profiles are built only when one is asked
for (by index); the scoring paths read its arrays instead. Two readers fill it and give the same
table: the csv module (always there), and pandas' C parser (when installed) for chunks whose text
is plain (no quotes, one cell per header column on every line, ASCII-free of surprises). The pandas
reader never reports a problem itself: at the first chunk it does not accept, the csv reader
goes on from there to the end of the file, and reports every problem, located at its line and
column (a file is read once: standard input is not copied anywhere).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, overload

import numpy as np
from pydantic import ValidationError

from .._engine.compile import FloatArray, IntArray
from .._errors import Problem, UpgradeScoreError
from .._model.profile import (
    NA,
    NA_WORDS,
    YEAR_RULE,
    YEARS,
    BaseInfo,
    BaseProfile,
    Origin,
    attach,
    check_unique_ids,
)
from .._progress import step

CHUNK_ROWS = 20_000  # rows converted at a time by the csv reader
CHUNK_BYTES = 8 << 20  # text handed to pandas at a time
BLANK, NUMBER, BOOLEAN, NOT_APPLICABLE = 0, 1, 2, 3  # what a value cell holds (``ProfileTable.kinds``)

_CSV_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")  # (no nested repeats)
_CSV_YEAR = re.compile(r"[0-9]{1,4}")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,99}")  # the rule of ``Id``, checked per row here
_TEXT_MAX = 10_000
# Columns of a base table that describe the base rather than report a value (CSV, DataFrames, surveys).
ID_COLUMNS = ("id", "base_id")
META_COLUMNS = ("name", "name_zh", "name_en", "year", "region", "category", "rubric_version")


class ProfileTable(Sequence[BaseProfile]):
    """The bases of one CSV table, as arrays: ``values`` (N, C) in the order of ``columns`` (the
    value columns of the header), what each cell held (``kinds``: blank, number, true/false or
    n/a), the line each row starts on, and the text of the id and descriptive columns."""

    def __init__(self, file: str, columns: Sequence[str], values: FloatArray, kinds: np.ndarray,
                 lines: IntArray, meta: dict[str, list[str]], id_column: str) -> None:
        self.file = file
        self.columns = tuple(columns)
        self.values = values
        self.kinds = kinds
        self.lines = lines
        self.meta = meta
        self.id_column = id_column

    def __len__(self) -> int:
        return int(self.lines.shape[0])

    @overload
    def __getitem__(self, index: int) -> BaseProfile: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BaseProfile]: ...

    def __getitem__(self, index: int | slice) -> BaseProfile | Sequence[BaseProfile]:
        if isinstance(index, slice):
            return self.take(np.arange(len(self))[index])
        return self._profile(range(len(self))[index])  # built anew: memory stays with the arrays

    def __iter__(self) -> Iterator[BaseProfile]:
        return (self[row] for row in range(len(self)))

    @property
    def ids(self) -> list[str]:
        """The base id of each row."""
        return self.meta[self.id_column]

    def text(self, column: str, row: int) -> str:
        """The (stripped) text of a descriptive column in ``row`` ('' when absent or blank)."""
        cells = self.meta.get(column)
        return cells[row] if cells is not None else ""

    def line(self, row: int) -> int:
        """The line ``row`` starts on."""
        return int(self.lines[row])

    def take(self, rows: Sequence[int] | IntArray) -> ProfileTable:
        """The table of ``rows`` (in that order)."""
        index = np.asarray(rows, dtype=np.int64)
        meta = {name: [cells[k] for k in index.tolist()] for name, cells in self.meta.items()}
        return ProfileTable(self.file, self.columns, self.values[index], self.kinds[index],
                            self.lines[index], meta, self.id_column)

    def has_years(self) -> bool:
        """Whether any row gives a year (a panel, or years to select by)."""
        return any(self.meta.get("year", ()))

    def check_unique_ids(self) -> None:
        """Refuse what :func:`~upgrade_score._model.profile.check_unique_ids` refuses in the
        table's profiles (a base id on two rows of one year; with years, a base both with and
        without a year, or its years naming different rubric versions), with the same messages:
        checked on the id, year and version columns, profiles built only to say what is wrong."""
        if self.has_years():
            if not self._plain_panel():
                check_unique_ids(tuple(self))
            return
        if len(set(self.ids)) == len(self.ids):
            return  # (no duplicate: one pass in C)
        first: dict[str, int] = {}
        problems = []
        for row, base_id in enumerate(self.ids):
            seen = first.setdefault(base_id, row)
            if seen != row:
                where = f"{self.file}:{self.line(seen)}"
                problems.append(self.problem(row, None, f"duplicate base id '{base_id}' (also in {where})"))
        if problems:
            raise UpgradeScoreError(problems)

    def years(self) -> list[int | None]:
        """The year of each row (``None`` where none is given)."""
        return [int(text) if text else None for text in self.meta.get("year", [""] * len(self))]

    def _plain_panel(self) -> bool:
        """No base and year twice, no base both with and without a year, one rubric version per
        base (checked on the columns)."""
        ids, years = self.ids, self.years()
        if len(set(zip(ids, years))) < len(ids):
            return False
        dated: dict[str, bool] = {}
        version_of: dict[str, str] = {}
        versions = self.meta.get("rubric_version")
        for row, base_id in enumerate(ids):
            if dated.setdefault(base_id, years[row] is not None) != (years[row] is not None):
                return False
            version = versions[row] if versions is not None else ""
            if version and version_of.setdefault(base_id, version) != version:
                return False
        return True

    def problem(self, row: int, column: str | None, message: str) -> Problem:
        """A problem at a cell of ``row`` (or at the row), located as a profile of it would be."""
        return Problem(message, self.file, self.line(row), (column,) if column else ())

    def enterprise_rows(self, fields: Sequence[str]) -> tuple[IntArray, FloatArray]:
        """The enterprise rows the bases list: the row of the base of each (R,), and their
        figures of ``fields`` (R, F; others left out) (a CSV table of bases lists none)."""
        return np.zeros(0, dtype=np.int64), np.zeros((0, len(fields)))

    def replaced(self, columns: Sequence[str], values: FloatArray, kinds: np.ndarray,
                 meta: dict[str, list[str]]) -> ProfileTable:
        """The table's rows with other value columns and descriptive cells (a column the file
        does not have is located at its row)."""
        return ProfileTable(self.file, columns, values, kinds, self.lines, meta, self.id_column)

    def base_info(self, row: int) -> BaseInfo:
        """Who the base of ``row`` is (its profile's ``base``, without building the profile)."""
        return BaseInfo.model_validate(self._base(row))

    def _base(self, row: int) -> dict[str, Any]:
        base: dict[str, Any] = {"id": self.ids[row]}
        names = {lang: self.text(f"name_{lang}", row) for lang in ("zh", "en")
                 if self.text(f"name_{lang}", row)}
        if self.text("name", row):
            names.setdefault("en", self.text("name", row))
        if names:
            base["name"] = names
        for meta in ("region", "category", "rubric_version"):
            if self.text(meta, row):
                base[meta] = self.text(meta, row)
        if self.text("year", row):
            base["year"] = int(self.text("year", row))
        return base

    def _profile(self, row: int) -> BaseProfile:
        base = self._base(row)
        values = {column: cell_value(int(kind), float(value)) for column, kind, value
                  in zip(self.columns, self.kinds[row].tolist(), self.values[row].tolist())}
        line = self.line(row)
        profile = BaseProfile.model_validate({"base": base, "values": values})
        return attach(profile, Origin(self.file, line, dict.fromkeys(values, line), prefix=()))


def cell_value(kind: int, value: float) -> bool | float | str | None:
    """A cell of a table (its kind and number) as the value a profile of the row holds."""
    if kind == NUMBER:
        return value
    if kind == BOOLEAN:
        return value == 1.0
    return NA if kind == NOT_APPLICABLE else None


class NumberTooLarge(ValueError):
    """A cell written as a number that no float holds (beyond ±1.8e308)."""


def csv_cell(text: str) -> bool | float | str | None:
    """A CSV cell as a reported value (``None``: blank; ``'n/a'``); ValueError when it is none."""
    cell = text.strip()
    if not cell:
        return None
    if cell.casefold() in NA_WORDS:
        return NA
    if cell.lower() in ("true", "false"):
        return cell.lower() == "true"
    if not _CSV_NUMBER.fullmatch(cell) or not cell.isascii():
        raise ValueError  # reported by the caller with row and column
    number = float(cell)
    if not math.isfinite(number):  # (the pattern has no inf or nan: a number too large to hold)
        raise NumberTooLarge(cell)
    return number


def _not_a_value(cell: str, error: ValueError) -> str:
    """What is wrong with a cell :func:`csv_cell` refuses."""
    if isinstance(error, NumberTooLarge):
        return f"'{cell}' is too large a number (beyond ±1.8e308, the largest a float holds)"
    return f"'{cell}' is not a number, true/false or blank"


def _kind_of(text: str) -> tuple[int, float]:
    value = csv_cell(text)
    if value is None:
        return BLANK, math.nan
    if value == NA:
        return NOT_APPLICABLE, math.nan
    if isinstance(value, bool):
        return BOOLEAN, float(value)
    return NUMBER, float(value)


# --- the header ------------------------------------------------------------------------------------

def parse_header(cells: list[str], name: str) -> tuple[list[str], str]:
    """The header's column names (trailing empty columns dropped) and the id column, checked."""
    header = [cell.strip() for cell in cells]
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    if id_column is None:
        raise UpgradeScoreError(Problem("needs an 'id' column naming each base", name, 1))
    while header and not header[-1]:  # spreadsheets often export trailing empty columns
        header.pop()
    seen: set[str] = set()
    for k, column in enumerate(header):
        if not column:
            raise UpgradeScoreError(Problem(f"column {k + 1} has no header", name, 1))
        if column in seen:
            raise UpgradeScoreError(Problem(f"duplicate column '{column}'", name, 1))
        seen.add(column)
    return header, id_column


def _described(header: Sequence[str]) -> list[str]:
    return [c for c in header if c in (*ID_COLUMNS, *META_COLUMNS)]


def _row_fits(meta: dict[str, list[str]], id_column: str, row: int) -> bool:
    """Whether the descriptive cells of ``row`` surely validate (else the row is read the slow,
    exact way, which says what is wrong)."""
    if not _ID.fullmatch(meta[id_column][row]):
        return False
    for column, cells in meta.items():
        text = cells[row]
        if column == "year":
            if text and not (_CSV_YEAR.fullmatch(text) and YEARS[0] <= int(text) <= YEARS[1]):
                return False
        elif len(text) > _TEXT_MAX:
            return False
    return True


# --- the csv-module reader -------------------------------------------------------------------------

class _Builder:
    """Rows of one table gathered chunk by chunk into arrays."""

    def __init__(self, header: list[str], id_column: str, name: str) -> None:
        self.header, self.id_column, self.name = header, id_column, name
        described = set(_described(header))
        self.value_index = [k for k, c in enumerate(header) if c not in described]
        self.meta_index = {c: k for k, c in enumerate(header) if c in described}
        self.columns = [header[k] for k in self.value_index]
        self.meta: dict[str, list[str]] = {c: [] for c in self.meta_index}
        self.values: list[FloatArray] = []
        self.kinds: list[np.ndarray] = []
        self.lines: list[int] = []
        self.problems: list[tuple[int, list[Problem]]] = []
        self.memo: dict[str, tuple[int, float]] = {}

    def add_rows(self, rows: list[list[str]], lines: list[int]) -> None:
        """Convert a chunk of rows (each as long as the header); bad rows are read the exact way."""
        count, width = len(rows), len(self.value_index)
        values = np.empty((count, width))
        kinds = np.empty((count, width), dtype=np.int8)
        bad: set[int] = set()
        memo = self.memo
        for m, k in enumerate(self.value_index):
            for i, row in enumerate(rows):
                text = row[k]
                found = memo.get(text)
                if found is None:
                    try:
                        found = _kind_of(text)
                    except ValueError:
                        bad.add(i)
                        continue
                    if found[0] != NUMBER and len(memo) < 10_000:
                        memo[text] = found
                kinds[i, m], values[i, m] = found
        start = len(self.lines)
        for column, k in self.meta_index.items():
            self.meta[column].extend(row[k].strip() for row in rows)
        self.lines.extend(lines)
        bad.update(i for i in range(count) if not _row_fits(self.meta, self.id_column, start + i))
        for i in sorted(bad):
            row_problems: list[Problem] = []
            _csv_profile(self.header, rows[i], self.id_column, self.name, lines[i], row_problems)
            self.problems.append((lines[i], row_problems))
        self.values.append(values)
        self.kinds.append(kinds)

    def table(self) -> ProfileTable:
        problems = [p for _, found in sorted(self.problems, key=lambda item: item[0]) for p in found]
        if problems:
            raise UpgradeScoreError(problems)
        width = len(self.value_index)
        values = np.concatenate(self.values) if self.values else np.empty((0, width))
        kinds = np.concatenate(self.kinds) if self.kinds else np.empty((0, width), dtype=np.int8)
        return ProfileTable(self.name, self.columns, values, kinds,
                            np.asarray(self.lines, dtype=np.int64), self.meta, self.id_column)


def read_with_csv(text: Iterable[str], name: str) -> ProfileTable:
    """Read a table from lines of text with the csv module (every problem located)."""
    reader = csv.reader(text)
    try:
        header, id_column = parse_header(next(reader), name)
    except StopIteration:
        raise UpgradeScoreError(Problem("the file is empty", name, 1)) from None
    except csv.Error as exc:
        raise UpgradeScoreError(Problem(f"invalid CSV: {exc}", name, 1)) from None
    builder = _Builder(header, id_column, name)
    _read_rows(reader, builder, 0)
    return builder.table()


def _read_rows(reader: Any, builder: _Builder, before: int) -> None:
    """Read the rows of ``reader`` (its first line is line ``before`` + 1 of the file) into
    ``builder``, noting every problem at its line."""
    header, name = builder.header, builder.name
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        start = before + reader.line_num + 1
        for row in reader:
            line, start = start, before + reader.line_num + 1  # a quoted cell may span several lines
            if not any(cell.strip() for cell in row):
                continue
            end = len(row)  # trailing empty cells beyond the header are ignored
            while end > len(header) and not row[end - 1].strip():
                end -= 1
            if end != len(header):
                builder.problems.append((line, [Problem(
                    f"row has {end} cells, the header has {len(header)}", name, line)]))
                continue
            rows.append(row)
            lines.append(line)
            if len(rows) >= CHUNK_ROWS:
                builder.add_rows(rows, lines)
                step("progress.rows", len(builder.lines))
                rows, lines = [], []
    except csv.Error as exc:
        builder.problems.append((before + reader.line_num + 1, [Problem(
            f"invalid CSV: {exc}", name, before + reader.line_num)]))
    if rows:
        builder.add_rows(rows, lines)


@dataclass(frozen=True)
class Stopped:
    """Where the fast reader stopped: the header (empty: not read), the rows it read (values and
    kinds in parts, descriptive cells, lines), the lines before ``rest`` and the text from there."""

    header: list[str]
    id_column: str
    parts: list[tuple[FloatArray, np.ndarray]]
    meta: dict[str, list[str]]
    lines: list[IntArray]
    before: int
    rest: Iterator[str]


def _go_on(stopped: Stopped, name: str) -> ProfileTable:
    """The csv module's reading from where the fast reader stopped, with the rows it read."""
    if not stopped.header:
        return read_with_csv(_lines(stopped.rest), name)
    builder = _Builder(stopped.header, stopped.id_column, name)
    for values, kinds in stopped.parts:
        builder.values.append(values)
        builder.kinds.append(kinds)
    for column, cells in stopped.meta.items():
        builder.meta[column].extend(cells)
    for lines in stopped.lines:
        builder.lines.extend(lines.tolist())
    _read_rows(csv.reader(_lines(stopped.rest)), builder, stopped.before)
    return builder.table()


def _csv_profile(header: list[str], row: list[str], id_column: str, file: str, line: int,
                 problems: list[Problem]) -> BaseProfile | None:
    """One row as a profile the exact (slow) way, its problems added to ``problems``."""
    row = row[:len(header)]
    cells = dict(zip(header, row))
    base: dict[str, Any] = {"id": cells[id_column].strip()}
    names = {lang: cells[f"name_{lang}"].strip() for lang in ("zh", "en")
             if cells.get(f"name_{lang}", "").strip()}
    if cells.get("name", "").strip():
        names.setdefault("en", cells["name"].strip())
    if names:
        base["name"] = names
    for meta in ("region", "category", "rubric_version"):
        if cells.get(meta, "").strip():
            base[meta] = cells[meta].strip()
    values: dict[str, Any] = {}
    for column, text in cells.items():
        if column in (*ID_COLUMNS, *META_COLUMNS):
            continue
        try:
            values[column] = csv_cell(text)
        except ValueError as error:
            problems.append(Problem(_not_a_value(text.strip(), error), file, line, (column,)))
    year = cells.get("year", "").strip()
    if year:
        if _CSV_YEAR.fullmatch(year):
            base["year"] = int(year)
        else:
            problems.append(Problem(f"'{year}' is not a year ({YEAR_RULE})", file, line, ("year",)))
    try:
        profile = BaseProfile.model_validate({"base": base, "values": values})
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][1]) if len(first["loc"]) > 1 else id_column
        column = id_column if first["loc"][:2] == ("base", "id") else column
        problems.append(Problem(str(first["msg"]).removeprefix("Value error, "), file, line,
                                (column,)))
        return None
    return attach(profile, Origin(file, line, dict.fromkeys(values, line), prefix=()))


# --- reading a stream: text chunks, the pandas reader, the fallback ------------------------------

def decoded_chunks(stream: BinaryIO, name: str, size: int = CHUNK_BYTES) -> Iterator[str]:
    """UTF-8 text of ``stream`` in pieces that end at a line break (a byte-order mark dropped);
    invalid UTF-8 is an error at its line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending, seen_lines = "", 0
    while True:
        raw = stream.read(size)
        try:
            text = pending + decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            line = seen_lines + pending.count("\n") + raw[:exc.start].count(b"\n") + 1
            raise UpgradeScoreError(Problem("not valid UTF-8 text", name, line)) from None
        if not raw:
            if text:
                yield text
            return
        cut = text.rfind("\n") + 1
        if cut:
            seen_lines += text.count("\n", 0, cut)
            yield text[:cut]
        pending = text[cut:]


def read_table(stream: BinaryIO, name: str) -> ProfileTable:
    """A CSV table from a binary stream, read once from start to end (standard input too): pandas'
    C parser while the text is plain, when pandas is installed, and the csv module from the first
    chunk that is not (and throughout without pandas)."""
    chunks = decoded_chunks(stream, name, CHUNK_BYTES)
    fast = _fast_reader()
    if fast is None:
        return read_with_csv(_lines(chunks), name)
    found = fast(chunks, name)
    return found if isinstance(found, ProfileTable) else _go_on(found, name)


def _fast_reader() -> Callable[[Iterable[str], str], ProfileTable | Stopped] | None:
    """The pandas reader, when pandas is installed."""
    try:
        import pandas  # noqa: F401  (the fast reader needs it)
    except ImportError:
        return None
    from .csvfast import read_plain

    return read_plain


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    for chunk in chunks:
        yield from io.StringIO(chunk, newline="")
