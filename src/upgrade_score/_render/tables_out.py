"""Results as tables of columns, written as CSV in chunks (no pandas needed for score tables and
comparisons), and JSON lists written one item at a time."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .._analysis.scorecard import ScoreTable
from .._errors import UpgradeScoreError
from .._model.display import instance_of
from .._model.results import DECIMALS, dumps
from .frames import score_columns

CHUNK_ROWS = 20_000  # rows formatted at a time

Column = Sequence[Any] | np.ndarray


def result_columns(result: Any) -> dict[str, Column]:
    """The columns of any result that has a table view (others through their DataFrame)."""
    if isinstance(result, ScoreTable):
        return score_columns(result)
    if instance_of(result, "upgrade_score._analysis.compare", "Comparison"):  # (loaded with it)
        order = np.asarray(result.order, dtype=np.int64)
        columns = {"rank": result.rank, "percentile": result.percentile,
                   **score_columns(result.table)}
        return {name: _take(column, order) for name, column in columns.items()}
    to_frame = getattr(result, "to_dataframe", None)
    if to_frame is None:
        raise UpgradeScoreError(f"no table view of a {type(result).__name__}")
    frame = to_frame().reset_index()
    found: dict[str, Column] = {str(name): frame[name].to_numpy() for name in frame.columns}
    return found


def _take(column: Column, order: np.ndarray) -> Column:
    if isinstance(column, np.ndarray):
        taken: np.ndarray = column[order]
        return taken
    items = list(column)
    return [items[k] for k in order.tolist()]


def csv_chunks(columns: dict[str, Column], rows: int = CHUNK_ROWS) -> Iterator[str]:
    """CSV text of ``columns`` (header first), ``rows`` rows at a time: floats rounded to 6
    decimals as JSON writes them, missing values (NaN, None) as empty cells."""
    names = list(columns)
    count = len(next(iter(columns.values()))) if columns else 0
    yield _csv_text([names])
    for start in range(0, count, rows):
        cells = [_cells(columns[name][start:start + rows]) for name in names]
        yield _csv_text(zip(*cells))


def _cells(part: Column) -> list[Any]:
    array = np.asarray(part)
    if array.dtype.kind == "f":
        values: list[Any] = (np.round(array, DECIMALS) + 0.0).tolist()
        if np.isnan(array).any() or np.isinf(array).any():
            values = [None if not math.isfinite(v) else v for v in values]
        return values
    if array.dtype.kind in "iub":
        numbers: list[Any] = array.tolist()
        return numbers
    return [None if _missing(v) else v for v in list(part)]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def json_list_chunks(items: Iterable[Any], indent: int | None, presorted: bool = False) -> Iterator[str]:
    """A JSON list written item by item, byte for byte what ``dumps(list(items), indent)`` gives
    (``indent=None``: one item per line, compact; ``presorted``: see :func:`dumps`)."""
    first = True
    for item in items:
        text = dumps(item, indent, presorted=presorted)
        if indent:
            pad = " " * indent
            text = pad + text.replace("\n", "\n" + pad)
            yield ("[\n" if first else ",\n") + text
        else:
            yield ("[" if first else ",\n") + text
        first = False
    if first:
        yield "[]"
    else:
        yield "\n]" if indent else "]"
