"""Reading filled-in survey templates back, cell by cell, with every problem located."""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..._errors import FieldPath, Problem, UpgradeScoreError
from ..._model.label import Label, text_in
from ..._model.profile import NA, YEAR_RULE, BaseProfile, attach
from ..._model.rubric import Indicator, Rubric
from ..tables import ID_COLUMNS, META_COLUMNS, unknown_indicator
from .applies import applicability_problems, category_words, unknown_category
from .cells import Cell, CellOrigin, CellProblem
from .enterprises import enterprise_header, join_rows, read_enterprise_sheet
from .layout import (
    ID_TITLES,
    REFERENCE_SHEETS,
    VALUE_TITLES,
    is_one_base,
    missing_directions,
    no_bases_header,
    one_base_header,
    unread_table,
)
from .marker import template_marker, template_rubric
from .numbers import _Bad, _confidence, _parse_number, base_year, cell_number, input_number
from .sheet import (
    BASE_FIELDS,
    BASE_ID,
    HEADER_SEARCH_ROWS,
    LEVEL_WORD,
    MISSING_WORDS,
    NA_CELL_WORDS,
    NONE_WORDS,
    NUMBER,
    _boolean_word,
    _fold,
    _fraction_suspect,
    _is_percent,
    _shown,
    level_items,
)
from .table import SurveyTable, join_enterprises, read_streamed, read_table, table_reading
from .workbook import _csv_rows, _Sheet, _text, _xlsx_sheets, csv_row_stream
from .xlsxread import RawCell

# --- reading --------------------------------------------------------------------------------------


def read_survey(path: Path, rubric: Rubric | None = None) -> Sequence[BaseProfile] | None:
    """Read a filled template (CSV or XLSX) or a plain workbook; None for a CSV that is not a
    template (read it as a plain table). Every problem of the file is reported at once. The bases
    of a many-bases template come as a :class:`~.table.SurveyTable` (no profile per row) when
    the file has nothing to report; otherwise (and a one-base template, a plain workbook) as
    profiles read row by row."""
    name = str(path)
    if path.suffix.lower() == ".csv":
        streamed = _streamed_table(path, rubric) if table_reading() else None
        if streamed is not None:
            return streamed
        rows = _csv_rows(path)
        if rows is None:
            return None
        sheets = [_Sheet(None, rows)]
    else:
        sheets = _xlsx_sheets(path)
    marker = template_marker(sheets)
    if marker is not None:
        rubric = template_rubric(marker, rubric, Cell(name, sheets[0].name, 1, 2))
    reader = _Reader(name, rubric)
    fields = tuple(f.id for f in rubric.enterprise_fields or ()) if rubric is not None else ()
    enterprise_sheets = [(sheet, header) for k, sheet in enumerate(sheets) if k and fields
                         and (header := enterprise_header(sheet, fields)) is not None]
    sheets = [sheet for sheet in sheets if all(sheet is not s for s, _ in enterprise_sheets)]
    one_base = marker is not None and (marker[2] == "one-base"
                                       or (marker[2] != "many-bases" and is_one_base(sheets)))
    profiles: Sequence[BaseProfile]
    if one_base:
        profile = reader.one_base(sheets)
        profiles = [] if profile is None else [profile]
    else:  # bases on every sheet (a template's reference sheet of indicators left out)
        chosen = sheets if marker is None else [s for k, s in enumerate(sheets)
                                                if not k or s.name not in REFERENCE_SHEETS]
        table = read_table(reader, chosen) if marker is not None and table_reading() else None
        profiles = reader.bases(chosen) if table is None else table
    if rubric is not None and enterprise_sheets:  # the enterprises sheet: rows joined to their bases
        found = [row for sheet, header in enterprise_sheets
                 for row in read_enterprise_sheet(name, sheet, header, rubric, reader.problems)]
        if isinstance(profiles, SurveyTable):
            join_enterprises(profiles, found, reader.problems)
        else:
            profiles = join_rows(name, list(profiles), found, one_base, reader.problems)
    if reader.problems:
        raise UpgradeScoreError(reader.problems)
    return profiles


def _streamed_table(path: Path, rubric: Rubric | None) -> SurveyTable | None:
    """A many-bases CSV template read row by row into a table (None: it is not one, or it has
    something to report: it is then read as a whole, which says what)."""
    stream = csv_row_stream(path)
    if stream is None:
        return None
    name = str(path)
    try:
        head = _Sheet(None, list(islice(stream, HEADER_SEARCH_ROWS)))
        marker = template_marker([head])
        if marker is None or marker[2] != "many-bases":
            return None
        return read_streamed(_Reader(name, template_rubric(marker, rubric, Cell(name, None, 1, 2))),
                             head, stream)
    except (UpgradeScoreError, csv.Error):  # (reading the whole file says where and why)
        return None
    finally:
        stream.close()  # type: ignore[attr-defined]  # (a generator)


MEMO_CELLS = 1 << 18  # distinct cells whose reading is remembered (memory stays bounded)
_UNSEEN = object()
_NO_HEADER = ("", "", "")


def _cell(row: list[RawCell], column: int | None) -> RawCell:
    if column is None or column >= len(row):
        return (None, "")
    value, number_format = row[column]
    if isinstance(value, str) and not value.strip():
        value = None
    return value, number_format


class _Reader:
    """Reads the cells of one file against a rubric, collecting every problem."""

    def __init__(self, file: str, rubric: Rubric | None) -> None:
        self.file = file
        self.rubric = rubric
        self.problems: list[Problem] = []
        self.indicators = {i.id: i for i in rubric.indicators} if rubric else {}
        self.inputs = {i.id: i for i in rubric.inputs or ()} if rubric else {}
        self._words: dict[str, dict[str, int]] = {}
        self._items: dict[str, dict[int, list[str]]] = {}
        self._categories = category_words(rubric) if rubric is not None and rubric.categories else None
        self._bad_category: set[Cell] = set()  # (its values are not checked against a wrong category)
        self._any_na = rubric is not None and any(i.allow_na for i in rubric.indicators)
        self._sheets: dict[str | None, int] = {}  # sheet name -> position, to list problems in order
        self._base_start = 0  # the first problem of the base being read
        self._memo: dict[tuple[str, type, Any, str], Any] = {}  # (column, cell) -> value or _Bad

    # --- layouts ----------------------------------------------------------------------------------

    def one_base(self, sheets: list[_Sheet]) -> BaseProfile | None:
        base: dict[str, Any] = {}
        base_cells: dict[str, Cell] = {}
        values: dict[str, dict[str, Any]] = {}
        cells: dict[str, Cell] = {}
        found_table = False
        self._sheets = {sheet.name: k for k, sheet in enumerate(sheets)}
        unread = False  # a table of the template not read (reported)
        for sheet in sheets:
            header = one_base_header(sheet)
            if header is None:
                problem = unread_table(self.file, sheet, self.indicators)
                if problem is not None:
                    self.problems.append(problem)
                    unread = True
                continue
            found_table = True
            top, columns = header
            for r in range(top + 1, len(sheet.rows)):
                row = sheet.rows[r]
                key = _text(_cell(row, columns["id"])[0])
                here = Cell(self.file, sheet.name, r + 1, columns["value"] + 1)
                raw, number_format = _cell(row, columns["value"])
                source = _cell(row, columns.get("source"))[0]
                confidence = _cell(row, columns.get("confidence"))[0]
                if not key or key.startswith("#"):
                    if not key and (raw, source, confidence) != (None, None, None):
                        self.problems.append(here.problem("a value in a row without an id"))
                    continue
                if key.casefold().startswith("base."):
                    field_name = key[5:].casefold()
                    self._base_field(base, base_cells, field_name, raw, here, ("base", field_name))
                    continue
                if key in cells:
                    self.problems.append(here.problem(f"given twice (also at {cells[key].short})",
                                                      (key,)))
                    continue
                cells[key] = here
                confidence_cell = Cell(self.file, sheet.name, r + 1,
                                       columns.get("confidence", columns["value"]) + 1)
                entry = self._entry(key, raw, number_format, source, confidence, here,
                                    confidence_cell)
                if entry is not None:
                    values[key] = entry
        if not found_table:
            if not unread:
                self.problems.append(Problem(
                    f"no table with '{ID_TITLES}' and '{VALUE_TITLES}' columns", self.file))
            return None
        if self.rubric is not None and not unread:  # (rows of a table not read are not missing)
            self.problems.extend(missing_directions(self.file, self.rubric, cells))
        if "id" not in base:
            where = base_cells.get("id")
            message = "the base id is missing: fill in the value of row 'base.id'"
            if where is None:
                self.problems.append(Problem(message, self.file))
            elif not any(p.path == ("base", "id") for p in self.problems):
                self.problems.append(where.problem(message, ("base", "id")))
            return None
        return self._profile(base, values, base_cells, cells)

    def bases(self, sheets: list[_Sheet]) -> list[BaseProfile]:
        """The bases of every sheet with an id header; a sheet of values without one is reported."""
        self._sheets = {sheet.name: k for k, sheet in enumerate(sheets)}
        headers = [self._many_header(sheet) for sheet in sheets]
        if not any(headers):
            self.problems.append(Problem("needs a header row with an 'id' column naming each base",
                                         self.file))
            return []
        profiles: list[BaseProfile] = []
        seen: dict[tuple[str, int | None], Cell] = {}  # (base id, year), unique in the file
        for sheet, header in zip(sheets, headers):
            if header is not None:
                profiles.extend(self.many_bases(sheet, header, seen))
            elif (problem := no_bases_header(self.file, sheet)) is not None:
                self.problems.append(problem)
        return profiles

    def many_bases(self, sheet: _Sheet, found: tuple[int, dict[int, str]],
                   seen: dict[tuple[str, int | None], Cell]) -> list[BaseProfile]:
        top, header = found
        id_column = next(c for c, key in header.items() if key.casefold() in ID_COLUMNS)
        plan = self._column_plan(header)  # what each column holds, decided once
        profiles: list[BaseProfile] = []
        flagged: set[int] = set()
        for r in range(top + 1, len(sheet.rows)):
            row = sheet.rows[r]
            key = _text(_cell(row, id_column)[0])
            if key.startswith("#"):
                continue
            filled = [(c, value, number_format) for c, (value, number_format) in enumerate(row)
                      if value is not None and not (isinstance(value, str) and not value.strip())]
            if not filled:
                continue
            self._base_start = len(self.problems)
            id_cell = Cell(self.file, sheet.name, r + 1, id_column + 1)
            base: dict[str, Any] = {}
            base_cells: dict[str, Cell] = {}
            values: dict[str, dict[str, Any]] = {}
            cells: dict[str, Cell] = {}
            for c, raw, number_format in filled:
                here = Cell(self.file, sheet.name, r + 1, c + 1)
                kind, column, name = plan.get(c, _NO_HEADER)
                if kind == "value":
                    cells[column] = here
                    value = self._value_of(column, raw, number_format)
                    if isinstance(value, _Bad):
                        self.problems.append(here.problem(str(value), (column,)))
                    else:
                        values[column] = {"value": value}
                elif kind == "meta":
                    self._base_field(base, base_cells, name, raw, here, (column,))
                elif kind == "unknown":
                    if c not in flagged:
                        flagged.add(c)
                        header_cell = Cell(self.file, sheet.name, top + 1, c + 1)
                        self.problems.append(header_cell.problem(self._unknown(column), (column,)))
                else:
                    self.problems.append(here.problem("a value in a column without a header"))
            if "id" not in base:
                if "id" not in base_cells:  # (a bad id was reported where it was read)
                    self.problems.append(id_cell.problem("the row has values but no base id",
                                                         (header[id_column],)))
                continue
            base_cells.setdefault("id", id_cell)
            base_key: tuple[str, int | None] = (base["id"], base.get("year"))
            if base_key in seen:
                year = "" if base_key[1] is None else f" for year {base_key[1]}"
                self.problems.append(id_cell.problem(
                    f"duplicate base id '{base['id']}'{year} (also at {seen[base_key].short})"))
                continue
            seen[base_key] = id_cell
            profile = self._profile(base, values, base_cells, cells)
            if profile is not None:
                profiles.append(profile)
        return profiles

    def _column_plan(self, header: dict[int, str]) -> dict[int, tuple[str, str, str]]:
        """Each header column: ("meta", column, base field), ("value", column, "") for an
        indicator or input (any column without a rubric), or ("unknown", column, "")."""
        plan: dict[int, tuple[str, str, str]] = {}
        for c, column in header.items():
            meta = column.casefold()
            if meta in ID_COLUMNS or meta in META_COLUMNS:
                name = "id" if meta in ID_COLUMNS else "name_en" if meta == "name" else meta
                plan[c] = ("meta", column, name)
            elif self.rubric is not None and column not in self.indicators and column not in self.inputs:
                plan[c] = ("unknown", column, "")
            else:
                plan[c] = ("value", column, "")
        return plan

    def _value_of(self, column: str, raw: Any, number_format: str) -> bool | float | str | _Bad | None:
        """A filled cell of a many-bases column as its value, or the problem (a pure function of
        the column and the cell, remembered: surveys repeat their words, levels and numbers; a
        float by its repr, so that -0.0 stays itself)."""
        key = (column, raw.__class__, repr(raw) if isinstance(raw, float) else raw, number_format)
        found = self._memo.get(key, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[no-any-return]
        item = self.inputs.get(column)
        try:  # an input is a number in its unit; an indicator a value of its kind
            result: bool | float | str | _Bad | None = (
                input_number(item, raw, number_format) if item is not None
                else self.value(self.indicators.get(column), raw, number_format))
        except _Bad as bad:
            result = bad
        if len(self._memo) < MEMO_CELLS:
            self._memo[key] = result
        return result

    def _many_header(self, sheet: _Sheet) -> tuple[int, dict[int, str]] | None:
        for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            names = {c: _text(value) for c, (value, _) in enumerate(row) if _text(value)}
            if not any(name.casefold() in ID_COLUMNS for name in names.values()):
                continue
            seen: dict[str, int] = {}
            for c, name in names.items():
                if name in seen:
                    self.problems.append(Cell(self.file, sheet.name, r + 1, c + 1).problem(
                        f"duplicate column '{name}'"))
                seen.setdefault(name, c)
            return r, names
        return None

    # --- values -----------------------------------------------------------------------------------

    def _entry(self, indicator_id: str, raw: Any, number_format: str, source: Any,
               confidence: Any, here: Cell, confidence_cell: Cell) -> dict[str, Any] | None:
        """The reported value of one indicator (None when the row is blank or bad)."""
        indicator = self.indicators.get(indicator_id)
        if raw is None and source is None and confidence is None:
            return None
        item = self.inputs.get(indicator_id)
        if self.rubric is not None and indicator is None and item is None:
            self.problems.append(here.problem(self._unknown(indicator_id), (indicator_id,)))
            return None
        entry: dict[str, Any] = {}
        ok = True
        try:  # an input is a number in its unit; an indicator a value of its kind
            entry["value"] = (input_number(item, raw, number_format) if item is not None and raw is not None
                              else self.value(indicator, raw, number_format))
        except _Bad as bad:
            self.problems.append(here.problem(str(bad), (indicator_id,)))
            ok = False
        if source is not None:
            entry["source"] = _text(source).replace("\r\n", "\n")
        if confidence is not None:
            try:
                entry["confidence"] = _confidence(confidence)
            except _Bad as bad:
                self.problems.append(confidence_cell.problem(str(bad), (indicator_id, "confidence")))
                ok = False
        return entry if ok else None

    def value(self, indicator: Indicator | None, raw: Any,
              number_format: str) -> bool | float | str | None:
        """One cell as a value of ``indicator`` (None: unknown, read as a number, yes/no or n/a)."""
        if raw is None:
            return None
        if isinstance(raw, bool):
            if indicator is None or indicator.kind == "boolean":
                return raw
            raise _Bad(f"expected {self._expected(indicator)}, got {_text(raw)}")
        if isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
            raise _Bad(f"'{_text(raw)}' was read as a date or time: format the cell as a number "
                       "(or text) and enter the value again")
        if isinstance(raw, (int, float)):
            number, percent = cell_number(raw, number_format)
            return self._number(indicator, number, _shown(number) + ("%" if percent else ""),
                                percent=percent)
        folded = _fold(str(raw))
        if not folded:
            return None
        shown = str(raw).strip()
        if folded in NA_CELL_WORDS and (indicator is None or indicator.allow_na):
            return NA  # (without a rubric: checked when scored, as in a plain CSV table)
        if folded in NA_CELL_WORDS and self._any_na:
            raise _Bad(f"'{shown}' (does not apply) is allowed only for indicators that allow n/a; "
                       "leave the cell blank if there is no figure")
        word = _boolean_word(folded)
        if word is not None and (indicator is None or indicator.kind == "boolean"):
            return word
        if indicator is not None and indicator.kind == "qualitative" and not NUMBER.fullmatch(folded):
            level = self._level(indicator, folded)  # (a number is a number, whatever the labels)
            if level is not None:
                return self._number(indicator, float(level), shown, percent=False)
        if folded in MISSING_WORDS or folded in NONE_WORDS:
            na = " or 不适用 (n/a) if it does not apply" if indicator and indicator.allow_na else ""
            raise _Bad(f"'{shown}' is not a value: leave the cell blank if there is no figure "
                       f"(or enter 0 if it is zero{na})")
        if word is not None and indicator is not None:
            raise _Bad(f"'{shown}' is a yes/no answer, but this indicator takes "
                       f"{self._expected(indicator)}")
        percent = folded.endswith("%")
        try:
            number = _parse_number(folded.removesuffix("%").strip(), shown,
                                   text_in(indicator.unit) if indicator is not None else None)
        except _Bad:
            if indicator is not None and indicator.kind != "quantitative":
                raise _Bad(f"'{shown}' is not {self._expected(indicator)}") from None
            raise
        return self._number(indicator, number, shown, percent=percent)

    def _number(self, indicator: Indicator | None, number: float, shown: str, *,
                percent: bool) -> bool | float:
        if indicator is None:
            return number
        levels = self.rubric.level_count if self.rubric is not None else 0
        if percent and not _is_percent(indicator):
            unit = f"the unit is {text_in(indicator.unit)}" if indicator.unit else "it has no unit"
            raise _Bad(f"'{shown}' is a percentage, but {unit}: enter {self._expected(indicator)}")
        if indicator.kind == "boolean":
            if number in (0.0, 1.0):
                return number == 1.0
            raise _Bad(f"'{shown}' is not {self._expected(indicator)}")
        if indicator.kind == "qualitative":
            if number.is_integer() and 0 <= number <= levels:
                return number
            raise _Bad(f"'{shown}' is not {self._expected(indicator)}")
        if not percent and _fraction_suspect(indicator, number):
            as_percent = _shown(number * 100)
            raise _Bad(f"{shown} looks like a fraction, but this indicator is in %: enter "
                       f"{as_percent} for {as_percent} % (or '{shown}%' if {shown} % is meant)")
        if indicator.valid_range is not None:
            low, high = indicator.valid_range
            if not low <= number <= high:
                unit = f" {text_in(indicator.unit)}" if indicator.unit else ""
                raise _Bad(f"{_shown(number)} is outside {_shown(low)}–{_shown(high)}{unit}")
        return number

    def _expected(self, indicator: Indicator) -> str:
        if indicator.kind == "boolean":
            return "yes or no (是/否, yes/no, 1/0)"
        if indicator.kind == "qualitative":
            levels = self.rubric.level_count if self.rubric is not None else 0
            name = self.rubric.levels[0].name.text("zh") if self.rubric is not None else ""
            return f"a level: a whole number from 0 to {levels}, a level name such as '{name}', " \
                   "or an entry of the drop-down list"
        unit = f" (unit: {text_in(indicator.unit)})" if indicator.unit else ""
        return f"a number{unit}"

    def _level(self, indicator: Indicator, folded: str) -> int | None:
        """A level given by name, by descriptor, as '3级'/'L3', or as a drop-down entry."""
        assert self.rubric is not None
        rubric = self.rubric
        if indicator.id not in self._words:
            words: dict[str, int] = {}
            clashes: set[str] = set()
            for level in range(rubric.level_count + 1):
                labels: list[str | None] = [rubric.level_name(level, "zh"), rubric.level_name(level, "en")]
                if level:
                    labels += [rubric.levels[level - 1].name.zh, rubric.levels[level - 1].name.en]
                descriptor = (indicator.descriptors or {}).get(level)
                if isinstance(descriptor, Label):
                    labels += [descriptor.zh, descriptor.en]
                elif descriptor is not None:
                    labels.append(str(descriptor))
                for label in labels:
                    if label:
                        key = _fold(label)
                        if words.get(key, level) != level:
                            clashes.add(key)
                        words[key] = level
            self._words[indicator.id] = {k: v for k, v in words.items() if k not in clashes}
            self._items[indicator.id] = {
                level: [_fold(item) for lang in ("zh", "en", "both")
                        for item in [level_items(rubric, indicator, lang)[level]]]
                for level in range(rubric.level_count + 1)}
        if folded in self._words[indicator.id]:
            return self._words[indicator.id][folded]
        match = LEVEL_WORD.fullmatch(folded)
        if match:
            return int(match.group(1))
        match = re.match(r"(\d{1,3})\b", folded)
        if match:
            level = int(match.group(1))
            items = self._items[indicator.id].get(level, [])
            if any(item.startswith(folded) for item in items):
                return level
        return None

    def _position(self, problem: Problem) -> tuple[int, int, int]:
        if not isinstance(problem, CellProblem):
            return (-1, 0, 0)
        letters = re.match(r"[A-Z]*", problem.cell)
        column = 0
        for letter in letters.group(0) if letters else "":
            column = column * 26 + ord(letter) - 64
        return self._sheets.get(problem.sheet, 0), problem.line or 0, column

    def _unknown(self, indicator_id: str) -> str:
        assert self.rubric is not None
        return unknown_indicator(self.rubric, indicator_id)

    # --- the base -----------------------------------------------------------------------------------

    def _base_field(self, base: dict[str, Any], cells: dict[str, Cell], name: str, raw: Any,
                    here: Cell, path: FieldPath) -> None:
        if name not in BASE_FIELDS:
            known = ", ".join(f"base.{key}" for key in BASE_FIELDS)
            self.problems.append(here.problem(f"unknown base field (known: {known})", path))
            return
        if name in cells:
            self.problems.append(here.problem(f"given twice (also at {cells[name].short})", path))
            return
        cells[name] = here
        if raw is None:
            return
        text = _text(raw).replace("\r\n", "\n")
        if name == "id":
            if not BASE_ID.fullmatch(text) or len(text) > 100:
                self.problems.append(here.problem(
                    f"'{text}' is not a valid base id: start with a letter, then use letters, "
                    "digits, '-', '_' or '.'", path))
                return
            base["id"] = text
        elif name == "year":
            year = base_year(raw, text)
            if year is None:
                self.problems.append(here.problem(f"'{text}' is not a year ({YEAR_RULE})", path))
                return
            base["year"] = year
        elif name in ("name_zh", "name_en"):
            base.setdefault("name", {})[name[5:]] = text
        elif name == "category" and self._categories is not None and self.rubric is not None:
            category = self._categories.get(_fold(text))
            if category is None:
                self._bad_category.add(here)
                self.problems.append(here.problem(unknown_category(self.rubric, text), path))
                return
            base[name] = category
        else:
            base[name] = text

    def _profile(self, base: dict[str, Any], values: dict[str, dict[str, Any]],
                 base_cells: dict[str, Cell], cells: dict[str, Cell]) -> BaseProfile | None:
        id_cell = base_cells["id"]
        if self.rubric is not None and base_cells.get("category") not in self._bad_category:
            found = applicability_problems(self.rubric, base.get("category"), values, cells)
            if found:  # listed in file order with the base's other problems
                self.problems[self._base_start:] = sorted([*self.problems[self._base_start:], *found],
                                                          key=self._position)
                return None
        try:
            profile = BaseProfile.model_validate({"base": base, "values": values})
        except ValidationError as exc:  # checked above; anything left is named at its cell
            for error in exc.errors():
                loc = tuple(map(str, error["loc"]))
                message = str(error["msg"]).removeprefix("Value error, ")
                if loc[:1] == ("base",) and "_".join(loc[1:3]) in base_cells:  # ("name", "zh"): name_zh
                    field = "_".join(loc[1:3])
                    self.problems.append(base_cells[field].problem(message, (field,)))
                    continue
                where = cells.get(loc[1]) if loc[:1] == ("values",) and len(loc) > 1 else None
                self.problems.append((where or id_cell).problem(message, loc))
            return None
        origin = CellOrigin(self.file, id_cell.row, {k: c.row for k, c in cells.items()}, (),
                            cells, id_cell, base_cells)
        return attach(profile, origin)
