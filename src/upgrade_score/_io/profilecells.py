"""Many profiles' values gathered into the value matrix in one pass (no Python work per cell).

Every profile's ``values`` are chained into flat lists of keys and values; each key is looked up
once in a column index (indicator m, reported input M + k, else -1) and each value's type once in
a type code, so the whole check is a few numpy operations over those codes. A row with anything
out of the ordinary (an unknown id, a value its indicator does not take, an unknown category, a
rubric version of its own, a value of another type) is left to the caller, which reads and words
it exactly as one profile at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from itertools import count as numbers_from
from operator import attrgetter

import numpy as np

from .._engine.compile import BoolArray, FloatArray, IntArray
from .._model.profile import NA, BaseProfile
from .._model.rubric import Rubric

__all__ = ["Gathered", "gather"]

_NUMBER, _BOOL, _TEXT, _NONE, _OTHER = 0, 1, 2, 3, 4
_TYPE_CODES = {float: _NUMBER, int: _NUMBER, bool: _BOOL, str: _TEXT, type(None): _NONE}  # exact types


@dataclass(frozen=True)
class Gathered:
    """The value matrix (N, M), the reported inputs (N, K) and the n/a mask (N, M) of the regular
    rows, each base's category code (-1: none), and the rows left to read one at a time
    (ascending): those rows' cells are left empty here."""

    values: FloatArray
    reported: FloatArray
    na: BoolArray
    categories: IntArray
    irregular: IntArray


def gather(rubric: Rubric, profiles: Sequence[BaseProfile], inputs: dict[str, int],
           reported_inputs: dict[str, int], bulk: bool = True) -> Gathered:
    """Gather ``profiles``' values for ``rubric``: indicator values and n/a answers into their
    columns, reported numbers of the inputs in ``reported_inputs`` (id: column of ``inputs``).
    Not ``bulk``: nothing gathered, every row left to read one at a time."""
    count, width = len(profiles), len(rubric.indicator_ids)
    values = np.full((count, width), np.nan)
    reported = np.full((count, len(inputs)), np.nan)
    na = np.zeros(values.shape, dtype=bool)
    if not bulk:
        return Gathered(values, reported, na, np.full(count, -1, dtype=np.int64), np.arange(count))
    categories, odd_rows = _row_checks(rubric, profiles)
    dicts = [p.values for p in profiles]
    codes = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    codes.update({key: width + k for key, k in reported_inputs.items()})
    column, sizes = _columns(dicts, codes)
    given = list(map(attrgetter("value"), chain.from_iterable(map(dict.values, dicts))))
    kind = _kinds(given)
    rows = np.repeat(np.arange(count, dtype=np.int64), sizes)
    numbers = _numbers(given, kind)
    ok = _acceptable(rubric, column, kind, rows, categories, given)
    odd = np.zeros(count, dtype=bool)
    odd[rows[~ok]] = True
    odd |= odd_rows
    keep = ~odd[rows] & (kind != _NONE)
    cell_rows, cell_columns, cell_kinds = rows[keep], column[keep], kind[keep]
    indicator = cell_columns < width
    put = indicator & (cell_kinds != _TEXT)
    values[cell_rows[put], cell_columns[put]] = numbers[keep][put]
    answered = indicator & (cell_kinds == _TEXT)
    na[cell_rows[answered], cell_columns[answered]] = True
    reported[cell_rows[~indicator], cell_columns[~indicator] - width] = numbers[keep][~indicator]
    categories[odd] = -1  # (set when such a row is read)
    return Gathered(values, reported, na, categories, np.flatnonzero(odd))


def _row_checks(rubric: Rubric, profiles: Sequence[BaseProfile]) -> tuple[IntArray, BoolArray]:
    """Each base's category code (-1: none or unknown) and the rows to read one at a time for
    their base fields (a rubric version, or a category the rubric does not declare)."""
    count = len(profiles)
    extras = [p.base.__pydantic_extra__ or {} for p in profiles]  # (model_extra, without a property call)
    odd = np.fromiter((extra.get("rubric_version") is not None for extra in extras), dtype=bool, count=count)
    categories = np.full(count, -1, dtype=np.int64)
    if rubric.categories:
        codes = {category: c for c, category in enumerate(rubric.category_ids)}
        named = [extra.get("category") for extra in extras]
        for row, category in enumerate(named):
            if category is None:
                continue
            code = codes.get(category) if isinstance(category, str) else None
            if code is None:
                odd[row] = True
            else:
                categories[row] = code
    return categories, odd


def _columns(dicts: Sequence[Mapping[str, object]], codes: dict[str, int]) -> tuple[IntArray, IntArray]:
    """The column code of every key, the dicts chained (-1: none), and each dict's size. Profiles
    mostly report the same ids in the same order: each such list is looked up once."""
    lists: dict[tuple[str, ...], int] = {}
    first = np.fromiter(map(lists.setdefault, map(tuple, dicts), numbers_from()), dtype=np.int64,
                        count=len(dicts))  # the first row of each row's list of ids
    which = np.unique(first, return_inverse=True)[1].reshape(-1)  # (its place in ``lists``)
    looked_up = np.fromiter(map(codes.get, chain.from_iterable(lists), repeat(-1)), dtype=np.int64)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    starts = np.cumsum(lengths) - lengths
    sizes = lengths[which]
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return looked_up[np.repeat(starts[which], sizes) + within], sizes


def _kinds(given: list[object]) -> np.ndarray:
    """The type code of every value (numbers alone: no lookup per value)."""
    if set(map(type, given)) <= {float}:
        return np.zeros(len(given), dtype=np.int8)
    codes = map(_TYPE_CODES.get, map(type, given), repeat(_OTHER))
    return np.fromiter(codes, dtype=np.int8, count=len(given))


def _numbers(given: list[object], kind: np.ndarray) -> FloatArray:
    """Each value as a float where it is a number or true/false (NaN elsewhere)."""
    if not ((kind != _NUMBER) & (kind != _BOOL)).any():
        return np.array(given, dtype=np.float64)
    cells = np.empty(len(given), dtype=object)
    cells[:] = given
    numbers = np.full(len(given), np.nan)
    take = (kind == _NUMBER) | (kind == _BOOL)
    numbers[take] = cells[take].astype(np.float64)
    return numbers


def _acceptable(rubric: Rubric, column: IntArray, kind: np.ndarray, rows: IntArray, categories: IntArray,
                given: list[object]) -> BoolArray:
    """Cells read here without a word: a number, or nothing, for an indicator (for a base it
    applies to) or a reported input; true/false for a boolean indicator; n/a for one that allows
    it."""
    width = len(rubric.indicator_ids)
    indicators = rubric.indicators
    boolean = np.array([i.kind == "boolean" for i in indicators] + [False], dtype=bool)
    allow_na = np.array([i.allow_na for i in indicators] + [False], dtype=bool)
    known = column >= 0
    at = np.where(known & (column < width), column, width)  # (inputs and unknown ids: the last entry)
    ok: BoolArray = known & ((kind == _NUMBER) | (kind == _NONE))
    ok |= known & (kind == _BOOL) & boolean[at]
    text = np.flatnonzero(kind == _TEXT)
    if text.size:
        cells = np.empty(text.size, dtype=object)
        cells[:] = [given[k] for k in text.tolist()]
        ok[text] = known[text] & allow_na[at[text]] & (cells == NA)
    if rubric.categories:
        applies = np.array([[i.applies(c) for c in (*rubric.category_ids, None)] for i in indicators]
                           + [[True] * (len(rubric.category_ids) + 1)], dtype=bool)
        ok &= applies[at, categories[rows]] | (kind == _NONE)  # (code -1 picks the last: no category)
    return ok
