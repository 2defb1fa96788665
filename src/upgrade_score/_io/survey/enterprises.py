"""The enterprises sheet of a workbook (design point 13): one row per enterprise of a base, under a
header row of ``base_id`` (absent in a one-base template: every row is the template's base),
``id``, ``name`` and one column per enterprise field; ``#`` rows are hints. Read cell by cell,
every problem located at its sheet, row and column."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ..._errors import Problem, did_you_mean, known_list
from ..._model.profile import BaseProfile, Enterprise, Origin, attach
from ..._model.rubric import Rubric
from .cells import Cell, CellRowOrigin
from .numbers import _Bad, _parse_number
from .sheet import HEADER_SEARCH_ROWS, TEXT, _boolean_word, _fold
from .workbook import _Sheet, _text

BASE_COLUMN = "base_id"
ROW_COLUMNS = (BASE_COLUMN, "id", "name", "name_zh", "name_en")  # describe the row, not figures
# the titles of an enterprises sheet in each template language
ENTERPRISE_SHEETS = frozenset({TEXT["enterprises_sheet"][0], TEXT["enterprises_sheet"][1],
                               f"{TEXT['enterprises_sheet'][0]} {TEXT['enterprises_sheet'][1]}"})
MAX_REPORTED = 50


@dataclass(frozen=True)
class EnterpriseRow:
    """One enterprise read from a sheet: its base (None: not given), id, name and figures, and
    where it is (its cells are made when a problem needs one)."""

    base_id: str | None
    id: str | None
    name: dict[str, str] | None
    figures: dict[str, bool | float]  # reported figures only (booleans as True/False)
    cell: Cell  # the row's first cell (its base_id cell where there is one)
    columns: Mapping[str, int]  # column name -> 1-based column (shared by the rows of a sheet)

    def at(self, column: str) -> Cell:
        """The row's cell in ``column`` (the first cell when the sheet has no such column)."""
        found = self.columns.get(column)
        return self.cell if found is None else replace(self.cell, column=found)


def enterprise_header(sheet: _Sheet, fields: Sequence[str]) -> tuple[int, dict[int, str]] | None:
    """The header row of an enterprises sheet: its index and column -> name, when it names an
    enterprise field, or ``base_id`` on a sheet titled as a template's enterprises sheet."""
    titled = sheet.name is not None and " ".join(sheet.name.split()) in ENTERPRISE_SHEETS
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        names = {c: _text(value) for c, (value, _) in enumerate(row) if _text(value)}
        found = set(names.values())
        if found & set(fields) or (titled and BASE_COLUMN in found):
            return r, names
    return None


def read_enterprise_sheet(file: str, sheet: _Sheet, header: tuple[int, dict[int, str]],
                          rubric: Rubric, problems: list[Problem]) -> list[EnterpriseRow]:
    """The enterprise rows of a sheet; problems (unknown columns, values that are not numbers or
    yes/no) are added to ``problems``, each at its cell."""
    fields = {f.id: f.kind for f in rubric.enterprise_fields or ()}
    top, names = header
    columns: dict[str, int] = {}
    for c, name in names.items():
        here = Cell(file, sheet.name, top + 1, c + 1)
        if name in columns:
            problems.append(here.problem(f"duplicate column '{name}'"))
        elif name not in fields and name not in ROW_COLUMNS:
            problems.append(here.problem(
                f"unknown enterprise field '{name}'{did_you_mean(name, fields)} "
                f"(known: {known_list(list(fields))})"))
        columns.setdefault(name, c)
    where = {name: c + 1 for name, c in columns.items()}
    described = [(name, c) for name, c in columns.items() if name in ROW_COLUMNS]
    measured = [(field_id, kind, columns[field_id]) for field_id, kind in fields.items()
                if field_id in columns]
    width = max(names, default=-1) + 1
    rows: list[EnterpriseRow] = []
    for r in range(top + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if not any(_given(value) for value, _ in row) or _text(row[0][0]).startswith("#"):
            continue
        texts = {name: _text(row[c][0]) if c < len(row) else "" for name, c in described}
        figures: dict[str, bool | float] = {}
        for field_id, kind, c in measured:
            raw: Any = row[c][0] if c < len(row) else None
            if not _given(raw):
                continue
            if kind == "number" and type(raw) in (int, float) and math.isfinite(raw):
                figures[field_id] = float(raw)  # (most cells: a number as the spreadsheet saved it)
                continue
            try:
                figures[field_id] = _figure(raw, kind)
            except _Bad as bad:
                if len(problems) < MAX_REPORTED:
                    problems.append(Cell(file, sheet.name, r + 1, c + 1).problem(str(bad), (field_id,)))
        for c in range(width, len(row)) if len(row) > width else ():
            if _given(row[c][0]) and len(problems) < MAX_REPORTED:
                problems.append(Cell(file, sheet.name, r + 1, c + 1).problem(
                    "a value in a column without a header"))
        label = {lang: texts[f"name_{lang}"] for lang in ("zh", "en") if texts.get(f"name_{lang}")}
        if texts.get("name"):
            label = {"zh": texts["name"], "en": texts["name"]}
        first = Cell(file, sheet.name, r + 1, where.get(BASE_COLUMN, 1))
        rows.append(EnterpriseRow(texts.get(BASE_COLUMN) or None, texts.get("id") or None,
                                  label or None, figures, first, where))
    return rows


def _given(value: Any) -> bool:
    """A cell with something in it (not empty, not blank text)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=4096, typed=True)  # (yes/no words repeat; a bad cell raises, not remembered)
def _figure(raw: Any, kind: str) -> bool | float:
    """One cell as a figure of a number or boolean (yes/no) field."""
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return raw == 1
        word = _boolean_word(_fold(str(raw)))
        if word is None:
            raise _Bad(f"'{_text(raw)}' is not yes or no (是/否, yes/no, 1/0)")
        return word
    if isinstance(raw, bool):
        raise _Bad(f"expected a number, got {_text(raw)}")
    if isinstance(raw, (int, float)):
        number = float(raw)
        if not math.isfinite(number):
            raise _Bad(f"must be a finite number, got {raw}")
        return number
    if not isinstance(raw, str):
        raise _Bad(f"'{_text(raw)}' is not a number")
    folded = _fold(raw)
    return _parse_number(folded, raw.strip(), None)


def join_rows(file: str, profiles: list[BaseProfile], rows: list[EnterpriseRow], one_base: bool,
              problems: list[Problem]) -> list[BaseProfile]:
    """``profiles`` with the enterprise rows read from a template as their ``enterprises``: in a
    one-base template every row is the base's; otherwise each row names its base in ``base_id``
    (an empty or unknown one is a problem at its cell)."""
    owned = owned_rows([profile.id for profile in profiles], rows, one_base, problems)
    joined = list(profiles)
    for owner, found in owned.items():
        joined[owner] = with_rows(file, profiles[owner], found, problems)
    return joined


def owned_rows(ids: Sequence[str], rows: list[EnterpriseRow], one_base: bool,
               problems: list[Problem]) -> dict[int, list[EnterpriseRow]]:
    """The enterprise rows of each base (by its position in ``ids``), in the order of first
    appearance; a row with an empty or unknown ``base_id`` is a problem at its cell."""
    index = {base_id: k for k, base_id in enumerate(ids)}
    owned: dict[int, list[EnterpriseRow]] = {}
    for row in rows:
        if one_base and ids:
            if row.base_id is not None and row.base_id != ids[0]:
                problems.append(row.cell.problem(f"'{row.base_id}' is not the base of this template "
                                                 f"('{ids[0]}'): leave it blank", (BASE_COLUMN,)))
            owned.setdefault(0, []).append(row)
        elif row.base_id is None:
            problems.append(row.cell.problem("empty: every enterprise row names its base", (BASE_COLUMN,)))
        elif row.base_id not in index:
            hint = did_you_mean(row.base_id, index)
            problems.append(row.cell.problem(f"unknown base '{row.base_id}'{hint}: no row of the bases "
                                             "sheet has this id", (BASE_COLUMN,)))
        else:
            owned.setdefault(index[row.base_id], []).append(row)
    return owned


def enterprise_of(row: EnterpriseRow, problems: list[Problem]) -> Enterprise | None:
    """The enterprise of a row, validated (None: a problem at its cell is added to ``problems``)."""
    try:
        return Enterprise.model_validate({"id": row.id, "name": row.name, **row.figures})
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else "id"
        message = str(first["msg"]).removeprefix("Value error, ")
        problems.append(row.at(column).problem(message, (column,)))
        return None


def with_rows(file: str, profile: BaseProfile, found: list[EnterpriseRow],
              problems: list[Problem]) -> BaseProfile:
    """``profile`` with ``found`` as its enterprises, each located at its row (problems of rows
    that do not validate are added to ``problems``)."""
    enterprises = [enterprise for row in found if (enterprise := enterprise_of(row, problems)) is not None]
    origin = profile._origin or Origin(file, None)
    origins = tuple(CellRowOrigin(file, row.cell.row, ("enterprises", k), cell=row.cell,
                                  columns=row.columns) for k, row in enumerate(found))
    return attach(profile.model_copy(update={"enterprises": tuple(enterprises)}),
                  replace(origin, enterprises=origins))
