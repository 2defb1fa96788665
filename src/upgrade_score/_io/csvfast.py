"""The fast CSV reader: pandas' C parser over plain text (imported only when pandas is).

It accepts only what the csv-module reader accepts with the same result, and reports nothing
itself: at anything else (quotes, a row of another width, a cell that is not a plain number,
true/false, n/a or blank, an id or year that would not validate) it stops, and the csv module
goes on from the start of that chunk (chunks end at line breaks, and no quote came before), so
it locates every problem; the rows read until then are kept.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from .._errors import UpgradeScoreError
from .._progress import step
from .csvtable import (
    BLANK,
    BOOLEAN,
    NUMBER,
    ProfileTable,
    Stopped,
    _described,
    _kind_of,
    _row_fits,
    parse_header,
)

MAX_COLUMNS = 2_000  # wider tables: the csv module (pandas' cost grows faster than the width)
# pandas before 3.1 parses floats exactly (as Python's float()) only when asked to
_EXACT: dict[str, Any] = ({"float_precision": "round_trip"}
                          if tuple(int(p) for p in pd.__version__.split(".")[:2]) < (3, 1) else {})


def read_plain(chunks: Iterable[str], name: str) -> ProfileTable | Stopped:
    """The table, or where its text stopped being plain enough for this reader (the rows read
    until then, and the text from there on, for the csv module to go on with)."""
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    meta: dict[str, list[str]] = {}
    lines: list[np.ndarray] = []
    header: list[str] = []
    id_column = ""
    line = 0  # lines read so far
    chunks = iter(chunks)

    def stopped(text: str, before: int) -> Stopped:
        read = sum(len(n) for n in lines)
        kept = {column: cells[:read] for column, cells in meta.items()}
        rest = chain([text], chunks) if text else chunks
        return Stopped(header, id_column, parts, kept, lines, before, rest)

    for chunk in chunks:
        text = chunk
        if not header:
            end = text.find("\n") + 1 or len(text)
            first, text = text[:end], text[end:]
            cells = first.rstrip("\r\n").split(",")
            if '"' in first or "\r" in first.rstrip("\r\n"):
                return Stopped([], "", [], {}, [], 0, chain([chunk], chunks))
            try:
                header, id_column = parse_header(cells, name)
            except UpgradeScoreError:
                return Stopped([], "", [], {}, [], 0, chain([chunk], chunks))
            if len(header) != len(cells) or len(header) > MAX_COLUMNS:
                return Stopped([], "", [], {}, [], 0, chain([chunk], chunks))
            meta = {c: [] for c in _described(header)}
            line = 1
        rows = _row_lines(text, len(header), line)
        if rows is None:
            return stopped(text, line)
        if not rows.size:
            line += text.count("\n")
            continue
        frame = _frame(text, header, meta)
        if frame is None or len(frame) != rows.size:
            return stopped(text, line)
        start = sum(len(n) for n in lines)
        for column in meta:
            meta[column].extend(cell.strip() for cell in frame[column].tolist())
        if not all(_row_fits(meta, id_column, row) for row in range(start, start + rows.size)):
            return stopped(text, line)
        converted = _numbers(frame, [c for c in header if c not in meta])
        if converted is None:
            return stopped(text, line)
        line += text.count("\n")
        parts.append(converted)
        lines.append(rows)
        step("progress.rows", start + rows.size)
    if not header:
        return Stopped([], "", [], {}, [], 0, iter(()))
    columns = [c for c in header if c not in meta]
    values = np.concatenate([p[0] for p in parts]) if parts else np.empty((0, len(columns)))
    kinds = (np.concatenate([p[1] for p in parts]) if parts
             else np.empty((0, len(columns)), dtype=np.int8))
    every = np.concatenate(lines) if lines else np.empty(0, dtype=np.int64)
    return ProfileTable(name, columns, values, kinds, every, meta, id_column)


def _row_lines(text: str, width: int, before: int) -> np.ndarray | None:
    """The line of each row of ``text`` (blank lines skipped), or None if a line is not a plain
    row of ``width`` cells."""
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    found: list[int] = []
    commas = width - 1
    for number, line in enumerate(text.split("\n"), start=before + 1):
        if line in ("", "\r"):
            continue
        if line.count(",") != commas:
            return None
        found.append(number)
    return np.asarray(found, dtype=np.int64)


def _frame(text: str, header: list[str], meta: dict[str, list[str]]) -> Any:
    values = [c for c in header if c not in meta]
    try:
        return pd.read_csv(io.StringIO(text), header=None, names=header, engine="c",
                           dtype=dict.fromkeys(meta, str), keep_default_na=False,
                           na_values={c: [""] for c in values}, skip_blank_lines=True,
                           quoting=3, **_EXACT)  # 3: csv.QUOTE_NONE
    except (ValueError, pd.errors.ParserError):
        return None


def _numbers(frame: Any, columns: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Values (n, C) and what each cell held, or None if a cell needs the exact reader."""
    count = len(frame)
    values = np.empty((count, len(columns)))
    kinds = np.empty((count, len(columns)), dtype=np.int8)
    for m, column in enumerate(columns):
        series = frame[column]
        kind = series.dtype.kind
        if kind in "fiu":
            numbers = series.to_numpy(dtype=np.float64)
            blank = np.isnan(numbers)
            if not np.isfinite(numbers[~blank]).all():
                return None
            values[:, m] = numbers
            kinds[:, m] = np.where(blank, BLANK, NUMBER)
        elif kind == "b":
            values[:, m] = series.to_numpy(dtype=np.float64)
            kinds[:, m] = BOOLEAN
        else:
            codes, uniques = pd.factorize(series)
            mapped = _mapped(list(uniques))
            if mapped is None:
                return None
            table_kinds = np.append(mapped[0], np.int8(BLANK))  # code -1: a blank cell
            table_values = np.append(mapped[1], np.nan)
            values[:, m] = table_values[codes]
            kinds[:, m] = table_kinds[codes]
    return values, kinds


def _mapped(uniques: list[Any]) -> tuple[np.ndarray, np.ndarray] | None:
    kinds = np.empty(len(uniques), dtype=np.int8)
    values = np.empty(len(uniques))
    for k, cell in enumerate(uniques):
        if isinstance(cell, (bool, np.bool_)):
            kinds[k], values[k] = BOOLEAN, float(cell)
        elif isinstance(cell, str):
            try:
                kinds[k], values[k] = _kind_of(cell)
            except ValueError:
                return None
        else:
            return None  # (numbers in a column of text: let the exact reader decide)
    return kinds, values
