"""Tables of values: profiles, arrays and DataFrames turned into the N×M value matrix the engine
scores (one column per indicator, in ``rubric.indicator_ids`` order; NaN = missing), checked."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._engine.compile import BoolArray, FloatArray, IntArray
from .._engine.core import SMALL_ROWS, invalid_cells
from .._engine.derive import Derivation, Derived, derive, roll_up
from .._errors import Problem, UpgradeScoreError, did_you_mean, known_list, one_line
from .._model.profile import NA, BaseProfile, ProfileRows
from .._model.rubric import Indicator, Rubric
from .._optional import require_pandas
from .csvtable import (
    BLANK,
    BOOLEAN,
    ID_COLUMNS,
    META_COLUMNS,
    NOT_APPLICABLE,
    NUMBER,
    ProfileTable,
    cell_value,
)
from .enterprises import EnterpriseTable, profile_rows, table_owners, table_rows
from .profilecells import Gathered, gather
from .rubrics import builtin_path

MAX_REPORTED = 20  # problems listed from one table
MAX_HINTED = 50  # unknown ids given a "did you mean" (as many as the command line shows)
_NUMBERS = (float, int)  # by exact type: a bool is not one
__all__ = ["ID_COLUMNS", "META_COLUMNS", "profile_inputs", "profile_matrix"]


def profile_matrix(rubric: Rubric, profiles: Sequence[BaseProfile]) -> FloatArray:
    """The N×M value matrix of ``profiles`` (NaN = missing or N/A), checked against ``rubric``."""
    return profile_inputs(rubric, profiles)[0]


def profile_inputs(rubric: Rubric, profiles: Sequence[BaseProfile],
                   enterprises: EnterpriseTable | None = None, *, by_row: bool = False,
                   ) -> tuple[FloatArray, BoolArray, IntArray, Derived | None]:
    """The value matrix (N, M), the N/A mask (N, M), each base's category (N,; -1 = none) and,
    for rubrics with inputs or formulas, what derivation found, of ``profiles`` (and the
    enterprise rows of ``enterprises``), checked against ``rubric``.

    Booleans become 1/0. Derived indicators are computed from the inputs. Every problem of
    every profile is reported together, each located at the file and line where it was given.
    A :class:`ProfileTable` (a CSV table) is checked column by column on its arrays. Profiles are
    gathered in one pass (:mod:`.profilecells`); a row with anything to say is read on its own
    (``by_row``: every row so, as a cross-check of the one pass).
    """
    if isinstance(profiles, ProfileTable):
        return table_inputs(rubric, profiles, enterprises)
    derivation = rubric.compiled.derivation
    if derivation is None and enterprises is not None:
        raise UpgradeScoreError(Problem(f"rubric '{rubric.id}' declares no enterprise_fields: it rolls "
                                        "nothing up from enterprises", enterprises.file))
    inputs = {} if derivation is None else derivation.input_columns
    reported_inputs = {} if derivation is None else derivation.reported_columns
    if not by_row:
        profiles = ProfileRows.of(profiles)  # (each profile's fields read once, for every pass below)
    found = gather(rubric, profiles, inputs, reported_inputs, bulk=not by_row)
    values, reported, na, categories = found.values, found.reported, found.na, found.categories
    problems: list[Problem] = []
    reader = _RowReader(rubric, inputs, reported_inputs, found, problems)
    for row in (range(len(profiles)) if by_row else found.irregular.tolist()):
        reader.read(row, profiles[row])
    derived = None
    if derivation is not None:
        derived = _derive(rubric, derivation, profiles, enterprises, reported, values, problems)
    elif any(profiles.listed if isinstance(profiles, ProfileRows) else (p.enterprises for p in profiles)):
        first = next(p for p in profiles if p.enterprises)
        problems.append(first.problem(None, f"rubric '{rubric.id}' declares no enterprise_fields: leave "
                                            "'enterprises' out", base_field=None))
    _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
    problems.extend(profiles[row].problem(rubric.indicator_ids[col], _derived_reason(rubric, col, reason))
                    for row, col, reason in bad)
    if problems:
        raise UpgradeScoreError(problems)
    return values, na, categories, derived


class _RowReader:
    """Reads one profile's values into the arrays of ``found``, wording its problems."""

    def __init__(self, rubric: Rubric, inputs: dict[str, int], reported_inputs: dict[str, int],
                 found: Gathered, problems: list[Problem]) -> None:
        self.rubric, self.inputs, self.reported_inputs = rubric, inputs, reported_inputs
        self.found, self.problems = found, problems
        self.columns = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
        self.codes = {category: c for c, category in enumerate(rubric.category_ids)}
        self.indicators = rubric.indicators  # (a property that builds a tuple: once, not per value)
        applies = rubric.compiled.applies
        # per category code (-1, the last: none), where an indicator applies: there a number (not a
        # bool) needs no check (see _cell_problem)
        self.plain = [[True] * len(self.indicators)] if applies is None or not rubric.categories \
            else applies.tolist()
        self.unknown = 0  # unknown ids met so far (a hint for the first MAX_HINTED)

    def read(self, row: int, profile: BaseProfile) -> None:
        """Read the row ``row`` (its cells are empty until now), appending its problems."""
        rubric, found, problems = self.rubric, self.found, self.problems
        mismatch = version_mismatch(rubric, (profile.base.model_extra or {}).get("rubric_version"))
        if mismatch:  # its values were written for another version: nothing else is checked
            problems.append(profile.problem(None, mismatch, base_field="rubric_version"))
            return
        category = _category(rubric, self.codes, profile, problems)
        code = -1 if category is None else self.codes[category]
        found.categories[row] = code
        plain = self.plain[code]
        for key, given in profile.values.items():
            column = self.columns.get(key)
            value = given.value
            if column is None and key in self.reported_inputs and isinstance(value, float | int) \
                    and type(value) in _NUMBERS:  # a number (not a bool): nothing to check
                found.reported[row, self.reported_inputs[key]] = float(value)
                continue
            if column is None and key in self.inputs:
                problem = _input_problem(rubric, key, value)
                if problem:
                    problems.append(profile.problem(key, problem))
                elif value is not None:
                    found.reported[row, self.inputs[key]] = float(value)
                continue
            if column is None:
                self.unknown += 1  # a hint costs a comparison with every id: only for what is shown
                message = unknown_indicator(rubric, key, hint=self.unknown <= MAX_HINTED)
                problems.append(profile.problem(key, message))
                continue
            if plain[column] and type(value) in _NUMBERS:  # the common case: nothing to check
                found.values[row, column] = float(value)  # type: ignore[arg-type]  # (a number)
                continue
            problem = _cell_problem(self.indicators[column], value, category, bool(rubric.categories))
            if problem:
                problems.append(profile.problem(key, problem))
            elif value == NA:
                found.na[row, column] = True
            elif value is not None:
                found.values[row, column] = float(value)


def table_inputs(rubric: Rubric, table: ProfileTable, enterprises: EnterpriseTable | None = None,
                 ) -> tuple[FloatArray, BoolArray, IntArray, Derived | None]:
    """:func:`profile_inputs` of a CSV table, on its columns (the indicators' all at once): the same
    arrays and the same problems in the same order (row by row, then column by column), without a
    profile per row."""
    derivation = rubric.compiled.derivation
    if derivation is None and enterprises is not None:
        raise UpgradeScoreError(Problem(f"rubric '{rubric.id}' declares no enterprise_fields: it rolls "
                                        "nothing up from enterprises", enterprises.file))
    count = len(table)
    columns = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    inputs = {} if derivation is None else {input_id: k for k, input_id in enumerate(derivation.input_ids)}
    reported = np.full((count, len(inputs)), np.nan)
    categories, unknown_category = _table_categories(rubric, table)
    values, na, refused = _indicator_block(rubric, table, columns, categories)
    checks: list[tuple[str, BoolArray, Callable[[int], str]]] = []
    for c, key in enumerate(table.columns):
        kinds, numbers = table.kinds[:, c], table.values[:, c]
        if key in columns:
            if refused is not None:  # (else no cell of an indicator column has anything to say)
                m = columns[key]
                checks.append((key, refused[:, c], _cell_message(rubric, rubric.indicators[m], kinds,
                                                                    numbers, categories)))
            continue
        if key in inputs:
            bad, message = _input_column(rubric, key, kinds, numbers)
            given = ~bad & (kinds == NUMBER)
            reported[given, inputs[key]] = numbers[given]
        else:
            bad, message = np.ones(count, dtype=bool), _unknown_messages(rubric, key)
        checks.append((key, bad, message))
    versions = {row: mismatch for row, text in enumerate(table.meta.get("rubric_version", ()))
                if text and (mismatch := version_mismatch(rubric, text))}
    if versions:  # values written for another version: nothing else of those rows is checked
        rows = list(versions)
        values[rows], reported[rows], na[rows], categories[rows] = np.nan, np.nan, False, -1
    unknown = set(table.columns) - set(columns) - set(inputs)
    problems = _table_problems(table, checks, {**unknown_category, **versions}, unknown, versions)
    derived = None
    if derivation is not None:
        derived = _derive(rubric, derivation, table, enterprises, reported, values, problems)
    _, bad_cells = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
    problems.extend(table.problem(row, rubric.indicator_ids[col], _derived_reason(rubric, col, reason))
                    for row, col, reason in bad_cells)
    if problems:
        raise UpgradeScoreError(problems)
    return values, na, categories, derived


def _table_categories(rubric: Rubric, table: ProfileTable) -> tuple[IntArray, dict[int, str]]:
    """Each row's category code (-1: none) and the problems of rows naming an unknown one."""
    categories = np.full(len(table), -1, dtype=np.int64)
    unknown: dict[int, str] = {}
    texts = table.meta.get("category")
    if not rubric.categories or texts is None:
        return categories, unknown
    codes = {category: c for c, category in enumerate(rubric.category_ids)}
    for row, text in enumerate(texts):
        if not text:
            continue
        code = codes.get(text)
        if code is None:
            unknown[row] = (f"unknown category '{text}'{did_you_mean(text, rubric.category_ids)}"
                            f" (known: {known_list(rubric.category_ids)})")
        else:
            categories[row] = code
    return categories, unknown


def _indicator_block(rubric: Rubric, table: ProfileTable, columns: dict[str, int], categories: IntArray,
                     ) -> tuple[FloatArray, BoolArray, BoolArray | None]:
    """The value matrix and n/a mask of the table's indicator columns, all columns at once, and
    the cells that cannot stand for their indicator ((N, C) by table column; ``None``: none):
    n/a where it is not allowed, true/false for an indicator that is not boolean, anything but a
    blank for a base the indicator does not apply to. Those cells stay empty."""
    count = len(table)
    at = [c for c, key in enumerate(table.columns) if key in columns]
    targets = [columns[table.columns[c]] for c in at]
    every = len(at) == len(table.columns)
    kinds = table.kinds if every else table.kinds[:, at]
    indicators = rubric.indicators
    chosen = [indicators[m] for m in targets]
    bad = np.zeros(kinds.shape, dtype=bool)
    if not all(i.allow_na for i in chosen):
        bad |= (kinds == NOT_APPLICABLE) & np.array([not i.allow_na for i in chosen], dtype=bool)
    if not all(i.kind == "boolean" for i in chosen):
        bad |= (kinds == BOOLEAN) & np.array([i.kind != "boolean" for i in chosen], dtype=bool)
    if rubric.categories:
        every_category = (*rubric.category_ids, None)
        applies = np.array([[i.applies(c) for c in every_category] for i in chosen],
                           dtype=bool).reshape(len(chosen), len(every_category))
        bad |= ~applies.T[categories] & (kinds != BLANK)  # (code -1 picks the last row: no category)
    bad_cells: BoolArray | None = None
    given = (kinds == NUMBER) | (kinds == BOOLEAN)
    answered = kinds == NOT_APPLICABLE
    if bad.any():
        given &= ~bad
        answered &= ~bad
        bad_cells = np.zeros(table.kinds.shape, dtype=bool)
        bad_cells[:, at] = bad
    block = np.where(given, table.values if every else table.values[:, at], np.nan)
    if targets == list(range(len(indicators))):  # the rubric's columns in its order: as they are
        return block, answered, bad_cells
    values = np.full((count, len(indicators)), np.nan)
    na = np.zeros(values.shape, dtype=bool)
    values[:, targets], na[:, targets] = block, answered
    return values, na, bad_cells


def _cell_message(rubric: Rubric, indicator: Indicator, kinds: np.ndarray, numbers: FloatArray,
                  categories: IntArray) -> Callable[[int], str]:
    """The message of a row whose cell cannot stand for ``indicator``."""
    has_categories = bool(rubric.categories)

    def message(row: int) -> str:
        category = None if categories[row] < 0 else rubric.category_ids[int(categories[row])]
        value = cell_value(int(kinds[row]), float(numbers[row]))
        return _cell_problem(indicator, value, category, has_categories)

    return message


def _input_column(rubric: Rubric, key: str, kinds: np.ndarray,
                  numbers: FloatArray) -> tuple[BoolArray, Callable[[int], str]]:
    """Rows whose cell cannot stand for the input ``key``, and the message of such a row."""
    item = next(i for i in rubric.inputs or () if i.id == key)
    bad = kinds != BLANK if item.rollup is not None else (kinds == NOT_APPLICABLE) | (kinds == BOOLEAN)
    return bad, lambda row: _input_problem(rubric, key, cell_value(int(kinds[row]), float(numbers[row])))


def _unknown_messages(rubric: Rubric, key: str) -> Callable[[int], str]:
    """The message of an unknown column: with a hint while hints are given (see below)."""
    hinted = unknown_indicator(rubric, key)
    plain = unknown_indicator(rubric, key, hint=False)
    return lambda shown: hinted if shown <= MAX_HINTED else plain


def _table_problems(table: ProfileTable, checks: list[tuple[str, BoolArray, Callable[[int], str]]],
                    unknown_category: dict[int, str], unknown_columns: set[str],
                    versions: dict[int, str]) -> list[Problem]:
    """The problems of the rows that have any, row by row, in the order of the header (a row
    collected for another rubric version: that problem only)."""
    problems: list[Problem] = []
    if not checks and not unknown_category:
        return problems
    rows = np.zeros(len(table), dtype=bool)
    for _, bad, _ in checks:
        rows |= bad
    rows[list(unknown_category)] = True
    unknown = 0
    for row in np.flatnonzero(rows).tolist():
        if row in versions:
            problems.append(table.problem(row, "rubric_version", versions[row]))
            continue
        if row in unknown_category:
            problems.append(table.problem(row, "category", unknown_category[row]))
        for key, bad, message in checks:
            if not bad[row]:
                continue
            if key in unknown_columns:
                unknown += 1  # a hint costs a comparison with every id: only for what is shown
                problems.append(table.problem(row, key, message(unknown)))
            elif text := message(row):
                problems.append(table.problem(row, key, text))
    return problems


def _input_problem(rubric: Rubric, input_id: str, value: bool | float | str | None) -> str:
    """Why a reported value cannot stand for an input ('' when it can)."""
    item = next(i for i in rubric.inputs or () if i.id == input_id)
    if item.rollup is not None and value is not None:
        field = item.rollup.field or "every row"
        return (f"is rolled up from the base's enterprises ({item.rollup.form} of {field}): list the "
                "enterprises instead of reporting it")
    if value == NA:
        return "'n/a' is not an answer for an input: leave it empty when it is not known"
    if isinstance(value, bool):
        return f"an input is a number, got {str(value).lower()}"
    return ""


def _derive(rubric: Rubric, derivation: Derivation, profiles: Sequence[BaseProfile],
            enterprises: EnterpriseTable | None, inputs: FloatArray, values: FloatArray,
            problems: list[Problem]) -> Derived:
    """Roll up enterprise rows, check every input's range and compute the derived indicators."""
    formulas = derivation.formula_of
    columns = list(formulas)  # (in column order)
    for row, k in _given(values[:, columns])[:MAX_REPORTED]:
        formula = formulas[columns[k]]  # a value reported for a derived indicator
        operands = ", ".join(formula.operands) or "none"
        problems.append(profiles[row].problem(rubric.indicator_ids[formula.column], (
            f"is computed by its formula '{formula.text}': report its inputs ({operands}) instead")))
    owners, figures = profile_rows(rubric, derivation, profiles, problems)
    if enterprises is not None:
        owners = np.concatenate([owners, table_rows(enterprises, profiles, problems)])
        figures = np.concatenate([figures, enterprises.figures])
    rows = np.zeros(inputs.shape, dtype=np.int64)
    if problems:
        return Derived(inputs, rows, np.zeros(values.shape, dtype=bool))
    roll_up(derivation, owners, figures, inputs, rows)
    problems.extend(profiles[row].problem(derivation.input_ids[k], message)
                    for row, k, message in _out_of_range(derivation, inputs, rows))
    zero_division = derive(derivation, inputs, values)
    return Derived(inputs, rows, zero_division)


def _out_of_range(derivation: Derivation, inputs: FloatArray,
                  rows: IntArray) -> list[tuple[int, int, str]]:
    """(row, input column, message) of the first input values outside their valid range."""
    if inputs.shape[0] <= SMALL_ROWS:  # a few bases: Python floats
        low, high = derivation.low.tolist(), derivation.high.tolist()
        at: list[list[int]] = [[row, k] for row, found in enumerate(inputs.tolist())
                               for k, value in enumerate(found) if value < low[k] or value > high[k]]
    else:
        with np.errstate(invalid="ignore"):
            at = np.argwhere((inputs < derivation.low) | (inputs > derivation.high)).tolist()
    found = []
    for row, k in at[:MAX_REPORTED]:
        fed = f" (rolled up from {rows[row, k]} enterprise rows)" if k in derivation.rolled_up else ""
        found.append((row, k, f"{inputs[row, k]:g}{fed} is outside the valid range "
                              f"[{derivation.low[k]:g}, {derivation.high[k]:g}]"))
    return found


def _given(values: FloatArray) -> list[list[int]]:
    """(row, column) of the cells of ``values`` that are not NaN, row by row."""
    if values.shape[0] <= SMALL_ROWS:  # a few bases: Python floats
        return [[row, k] for row, cells in enumerate(values.tolist())
                for k, value in enumerate(cells) if value == value]
    found: list[list[int]] = np.argwhere(~np.isnan(values)).tolist()
    return found


def _derived_reason(rubric: Rubric, column: int, reason: str) -> str:
    """A reason why a value is not acceptable, saying so when the value was computed."""
    formula = rubric.indicators[column].formula
    return reason if formula is None else f"computed by '{formula}': {reason}"


MAX_VERSION_SHOWN = 40  # characters of a declared rubric version an error repeats


def version_mismatch(rubric: Rubric, declared: object) -> str:
    """Why values cannot be scored with ``rubric`` when the ``rubric_version`` they were collected
    for (``declared``) is another version ('' when it is ``None`` or this one): never a silent
    fallback."""
    if declared is None or str(declared) == rubric.version:
        return ""
    declared = one_line(str(declared))
    declared = declared if len(declared) <= MAX_VERSION_SHOWN else declared[:MAX_VERSION_SHOWN] + "…"
    kept = builtin_path(f"{rubric.id}@{declared}")
    fix = (f"--rubric {rubric.id}@{declared}" if kept is not None
           else f"--rubric with the file of version {declared}")
    return (f"collected for version {declared} of rubric '{rubric.id}', not for {rubric.version}: "
            f"score it with that version (CLI: {fix}) or update the values to {rubric.version}")


def _category(rubric: Rubric, codes: dict[str, int], profile: BaseProfile,
              problems: list[Problem]) -> str | None:
    """The base's category, checked when the rubric declares categories (else free text)."""
    category = getattr(profile.base, "category", None)
    if not rubric.categories or category is None:
        return None
    if category not in codes:
        problems.append(profile.problem(None, (
            f"unknown category '{category}'{did_you_mean(str(category), rubric.category_ids)}"
            f" (known: {known_list(rubric.category_ids)})"), base_field="category"))
        return None
    return str(category)


def _cell_problem(indicator: Indicator, value: bool | float | str | None, category: str | None,
                  has_categories: bool) -> str:
    """Why a reported value cannot stand for ``indicator`` ('' when it can)."""
    if has_categories and not indicator.applies(category) and value is not None:
        which = f"category '{category}'" if category else "a base without a category"
        return (f"does not apply to {which} (applies to: {', '.join(indicator.applies_to or ())}); "
                "leave it out")
    if value == NA:
        return "" if indicator.allow_na else "'n/a' is allowed only for indicators with allow_na: true"
    if isinstance(value, bool) and indicator.kind != "boolean":
        return f"expected a {indicator.kind} value (a number), got {value}"
    return ""


def unknown_indicator(rubric: Rubric, indicator_id: str, hint: bool = True) -> str:
    """The message for a value reported under an id the rubric does not have (``hint``: with the
    closest id, if one is close)."""
    close = did_you_mean(indicator_id, (*rubric.indicator_ids, *rubric.input_ids)) if hint else ""
    what = "indicator or input" if rubric.inputs else "indicator"
    return f"unknown {what} for rubric '{rubric.id}'{close}"


def array_matrix(rubric: Rubric, data: Any) -> FloatArray:
    """An N×M float array in ``rubric.indicator_ids`` order (NaN = missing), shape-checked.

    Cell values are checked while scoring (see :func:`score_many`)."""
    try:
        if np.iscomplexobj(data):
            raise TypeError
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise UpgradeScoreError("data: expected profiles or a numeric N×M array") from None
    width = len(rubric.indicator_ids)
    if values.ndim == 1 and values.size == width:
        values = values.reshape(1, width)
    if values.ndim != 2 or values.shape[1] != width:
        raise UpgradeScoreError(
            f"data: expected an array of shape (N, {width}) in rubric.indicator_ids order, "
            f"got shape {values.shape}")
    return values


def frame_matrix(rubric: Rubric, frame: Any, enterprises: EnterpriseTable | None = None,
                 ) -> tuple[FloatArray, tuple[str, ...], Derived | None]:
    """The N×M value matrix of a DataFrame (columns = indicator or input ids, index = base ids),
    checked, and what derivation found (rubrics with inputs or formulas).

    An ``id`` or ``base_id`` column names the bases instead of the index; the descriptive columns
    of CSV tables (``name``, ``year``, ``region``...) are ignored. Absent columns and empty cells
    are missing values. Every problem is reported together, located by base id and column.
    """
    pd = require_pandas()
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise UpgradeScoreError(Problem(f"duplicate column '{dupes[0]}'", None, None, ("data",)))
    id_column = next((c for c in ID_COLUMNS if c in columns), None)
    ids_source = frame[id_column] if id_column is not None else frame.index
    ids = tuple(str(i) for i in ids_source)
    known = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    derivation = rubric.compiled.derivation
    input_columns = {} if derivation is None else {i: k for k, i in enumerate(derivation.input_ids)}
    kinds = [indicator.kind for indicator in rubric.indicators]
    values = np.full((len(frame), len(known)), np.nan)
    inputs = np.full((len(frame), len(input_columns)), np.nan)
    if "rubric_version" in columns and (mismatch := _frame_version_problems(rubric, frame, ids)):
        raise UpgradeScoreError(mismatch)  # its columns were written for another version
    problems: list[Problem] = []
    for label, name in zip(frame.columns, columns):
        if name in (*ID_COLUMNS, *META_COLUMNS):
            continue
        m = known.get(name)
        k = input_columns.get(name)
        if m is None and k is None:
            problems.append(Problem(unknown_indicator(rubric, name), None, None, ("data", name)))
        elif (message := _frame_column_problem(rubric, m, k)):
            problems.append(Problem(message, None, None, ("data", name)))
        elif m is not None:
            problems.extend(_fill_column(pd, frame[label], values[:, m], kinds[m], ids, name))
        elif k is not None:
            problems.extend(_fill_column(pd, frame[label], inputs[:, k], "quantitative", ids, name))
        if len(problems) >= MAX_REPORTED:
            break
    derived = None
    if derivation is not None and not problems:
        derived = _derive_table(rubric, derivation, ids, enterprises, inputs, values, problems)
    if not problems:
        _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
        problems.extend(Problem(_derived_reason(rubric, col, reason), None, None,
                                ("data", ids[row], rubric.indicator_ids[col])) for row, col, reason in bad)
    if problems:
        raise UpgradeScoreError(problems[:MAX_REPORTED])
    return values, ids, derived


def _frame_version_problems(rubric: Rubric, frame: Any, ids: Sequence[str]) -> list[Problem]:
    """The first row of a DataFrame whose ``rubric_version`` names another version."""
    declared = frame["rubric_version"]
    other = np.flatnonzero((declared.notna() & (declared.astype(str) != rubric.version)).to_numpy())
    if not other.size:
        return []
    row = int(other[0])
    return [Problem(version_mismatch(rubric, declared.iloc[row]), None, None,
                    ("data", ids[row], "rubric_version"))]


def _frame_column_problem(rubric: Rubric, m: int | None, k: int | None) -> str:
    """Why a column of a DataFrame cannot be read (a derived indicator, a rolled-up input)."""
    derivation = rubric.compiled.derivation
    if derivation is None:
        return ""
    if m is not None and m in derivation.derived_columns:
        return f"is computed by its formula '{rubric.indicators[m].formula}': give its inputs instead"
    if k is not None and k in derivation.rolled_up:
        return "is rolled up from enterprise rows: pass them as enterprises= instead"
    return ""


def _derive_table(rubric: Rubric, derivation: Derivation, ids: Sequence[str],
                  enterprises: EnterpriseTable | None, inputs: FloatArray, values: FloatArray,
                  problems: list[Problem]) -> Derived:
    """Roll up, range-check the inputs and compute the derived indicators of a table's rows."""
    rows = np.zeros(inputs.shape, dtype=np.int64)
    if enterprises is not None:
        owners = table_owners(enterprises, ids, problems)
        if problems:
            return Derived(inputs, rows, np.zeros(values.shape, dtype=bool))
        roll_up(derivation, owners, enterprises.figures, inputs, rows)
    problems.extend(Problem(message, None, None, ("data", ids[row], derivation.input_ids[k]))
                    for row, k, message in _out_of_range(derivation, inputs, rows))
    return Derived(inputs, rows, derive(derivation, inputs, values))


def _fill_column(pd: Any, column: Any, out: FloatArray, kind: str, ids: Sequence[str],
                 name: str) -> list[Problem]:
    """Write one column's values into ``out``; return the problems found."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        if kind != "boolean":
            return [Problem(f"expected a {kind} value (a number), got a true/false column", None, None,
                            ("data", name))]
        out[:] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return []
    if pd.api.types.is_numeric_dtype(dtype):
        out[:] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return []
    problems: list[Problem] = []
    for row, cell in enumerate(column.tolist()):
        number = _cell(cell, kind)
        if isinstance(number, str):
            problems.append(Problem(number, None, None, ("data", ids[row], name)))
        else:
            out[row] = number
    return problems


def _cell(cell: Any, kind: str) -> float | str:
    """A cell of a column of mixed types as a float (NaN = missing), or a problem message."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or _is_na(cell):
        return math.nan
    if isinstance(cell, (bool, np.bool_)):
        if kind != "boolean":
            return f"expected a {kind} value (a number), got {bool(cell)}"
        return float(cell)
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    return f"expected a number, true/false or empty, got {type(cell).__name__} {cell!r}"


def _is_na(cell: Any) -> bool:
    """pandas.NA and NaT, without importing pandas here."""
    return type(cell).__name__ in ("NAType", "NaTType")
