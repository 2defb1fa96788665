"""Many profiles' values gathered into the value matrix in one pass (no Python work per cell).

Each profile's fields are read once (:class:`ProfileRows`); every profile's ``values`` are chained
into flat lists of keys and values; each key is looked up in a column index (indicator m,
reported input M + k, else -1) by one C loop, and each value's type is told by its identity, so
the whole check is a few numpy operations over those codes. A row with anything out of the
ordinary (an unknown id, a value its indicator does not take, an unknown category, a rubric
version of its own, a value of another type) is left to the caller, which reads and words it
exactly as one profile at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter, itemgetter

import numpy as np

from .._engine.compile import BoolArray, FloatArray, IntArray
from .._model.profile import NA, BaseProfile, ProfileRows, ReportedValue
from .._model.rubric import Rubric

__all__ = ["Gathered", "gather"]

_NUMBER, _BOOL, _TEXT, _NONE, _OTHER = 0, 1, 2, 3, 4
_VALUE = attrgetter("value")
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
    rows_read = ProfileRows.of(profiles)
    categories, odd_rows = _row_checks(rubric, rows_read)
    dicts = rows_read.values
    codes = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    codes.update({key: width + k for key, k in reported_inputs.items()})
    sizes = np.fromiter(map(len, dicts), dtype=np.int64, count=count)
    total = int(sizes.sum())
    column = _column_codes(codes, dicts, total)
    given = list(map(_VALUE, chain.from_iterable(map(dict.values, dicts))))
    kind, numbers = _typed(rubric, given, column)
    rows = np.repeat(np.arange(count, dtype=np.int64), sizes)
    ok = _acceptable(rubric, column, kind, rows, categories, given)
    odd = odd_rows.copy()
    odd[rows[~ok]] = True
    if not odd.any() and not (column >= width).any():  # indicator cells alone, every row regular
        at = rows * width + column
        if kind.any():  # (not numbers alone: true/false, n/a answers, empty values)
            na.reshape(-1)[at[kind == _TEXT]] = True
            put = (kind == _NUMBER) | (kind == _BOOL)
            at, numbers = at[put], numbers[put]
        values.reshape(-1)[at] = numbers
        return Gathered(values, reported, na, categories, np.flatnonzero(odd))
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


def _row_checks(rubric: Rubric, profiles: ProfileRows) -> tuple[IntArray, BoolArray]:
    """Each base's category code (-1: none or unknown) and the rows to read one at a time for
    their base fields (a rubric version, or a category the rubric does not declare): only rows
    whose base has extra fields have either."""
    count = len(profiles)
    odd = np.zeros(count, dtype=bool)
    categories = np.full(count, -1, dtype=np.int64)
    codes = {category: c for c, category in enumerate(rubric.category_ids)}
    for row in profiles.extra_rows:
        extra = profiles.extras[row]
        if extra.get("rubric_version") is not None:
            odd[row] = True
        category = extra.get("category") if rubric.categories else None
        if category is None:
            continue
        code = codes.get(category) if isinstance(category, str) else None
        if code is None:
            odd[row] = True
        else:
            categories[row] = code
    return categories, odd


def _column_codes(codes: dict[str, int], dicts: Sequence[dict[str, ReportedValue]], total: int) -> IntArray:
    """The column code of every key of ``dicts`` (chained): one C loop of plain lookups; only
    where some key is unknown (a problem to word), again with -1 for those."""
    keys = chain.from_iterable(dicts)
    try:
        return np.fromiter(map(codes.__getitem__, keys), dtype=np.int64, count=total)
    except KeyError:
        keys = chain.from_iterable(dicts)
        return np.fromiter(map(codes.get, keys, repeat(-1)), dtype=np.int64, count=total)


def _typed(rubric: Rubric, given: list[object], column: IntArray) -> tuple[np.ndarray, FloatArray]:
    """The type code (exact types) and the number of every value (NaN where none). Numbers,
    true/false and empty values (the usual) are converted by numpy in one go, the types checked
    by one C loop over the values; a true/false is told apart from a number only where that
    matters (outside boolean indicators) and could be one (the number is 0 or 1), and an empty
    value only where the number is NaN. Anything else (n/a answers): a dict lookup per value."""
    types = set(map(type, given))
    if not types <= {float, int, bool, type(None)}:
        kind = np.fromiter(map(_TYPE_CODES.get, map(type, given), repeat(_OTHER)), dtype=np.int8,
                           count=len(given))
        return kind, _numbers(given, kind)
    if types <= {float, bool}:  # (numpy's iterator reads these as the array of them would)
        numbers = np.fromiter(given, dtype=np.float64, count=len(given))
    else:
        numbers = np.array(given, dtype=np.float64)  # (true/false as 1/0, None as NaN)
    kind = np.zeros(len(given), dtype=np.int8)
    if type(None) in types:
        _mark(kind, given, np.flatnonzero(np.isnan(numbers)), (None,), _NONE)
    if bool in types:
        width = len(rubric.indicator_ids)
        boolean = np.array([i.kind == "boolean" for i in rubric.indicators] + [False], dtype=bool)
        at = np.where((column >= 0) & (column < width), column, width)
        could_be = ((numbers == 0) | (numbers == 1)) & ~boolean[at]
        _mark(kind, given, np.flatnonzero(could_be), (True, False), _BOOL)
    return kind, numbers


def _mark(kind: np.ndarray, given: list[object], cells: IntArray, singletons: tuple[object, ...],
          code: int) -> None:
    """Code ``code`` for those of ``cells`` whose value is one of ``singletons`` (True and False,
    or None: the only values of their types): the cells' values picked in one C call, their
    types looked at in one C loop (usually none is of that type: the numbers 0 and 1 are
    common, a true/false outside a boolean indicator is not), and only then told by identity."""
    picked = _picked(given, cells)
    if type(singletons[0]) not in set(map(type, picked)):
        return
    found = np.fromiter(map(id, picked), dtype=np.intp, count=len(picked))
    kind[cells[np.isin(found, [id(one) for one in singletons])]] = code


def _picked(given: list[object], cells: IntArray) -> list[object]:
    """The values of ``given`` at ``cells`` (one ``itemgetter`` call, not a call per cell)."""
    if cells.size < 2:
        return [given[cell] for cell in cells.tolist()]
    return list(itemgetter(*cells.tolist())(given))


def _numbers(given: list[object], kind: np.ndarray) -> FloatArray:
    """Each value as a float where it is a number or true/false (NaN elsewhere)."""
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
