"""Survey templates: a fill-in sheet written from a rubric, and filled sheets read back.

:func:`write_template` writes CSV or XLSX (the ``xlsx`` extra, openpyxl) in two layouts:

* ``one-base``: one row per indicator (in XLSX one sheet per direction, after a sheet for the
  base's id, name and year), with id, Chinese and English names, the value to fill in, unit,
  source and confidence, what "better" means, the valid range, the allowed values (the level
  descriptors of qualitative indicators; a drop-down list in XLSX) and the indicator's definition;
* ``many-bases``: one row a base, one column an indicator, under a row of ids and a few
  ``#`` rows of names, units and allowed values.

The first row of every template marks it (``upgrade-score template``, rubric id, version,
layout), so :func:`read_survey` (through ``load_profiles``) knows how to read it back. Reading
checks every cell against the rubric and reports all problems of a file at once, each at its
sheet and cell (``survey.xlsx:绿色化发展!D7: green_factory_share: 135 is outside 0–100 %``).
Unambiguous slips are accepted (full-width digits, thousands separators, ``35%`` for a % indicator,
a level's name or drop-down text for its number, 是/否 or yes/no for booleans); ambiguous ones are
reported with the fix (a fraction such as 0.35 for a % indicator whose thresholds are all above 1,
a decimal comma, text after a number, "n/a" instead of a blank cell).
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import functools
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import ValidationError

from .._errors import FieldPath, Problem, UpgradeScoreError, format_path, one_line
from .._model.profile import BaseProfile, Origin, _attach, check_unique_ids
from .._model.rubric import Indicator, Label, Rubric, builtin_rubrics, load_rubric
from .._analysis.score import profile_matrix
from .._io.yaml import MAX_BYTES, read_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Layout = Literal["one-base", "many-bases"]
TemplateLang = Literal["zh", "en", "both"]

MARKER = "upgrade-score template"
LISTS_SHEET = "_lists"
TEMPLATE_SUFFIXES = (".csv", ".xlsx")
MAX_CELLS = 2_000_000
HEADER_SEARCH_ROWS = 30
XLSX_EXTRA = "install upgrade-score[xlsx] (openpyxl) to read and write .xlsx files"

# One-base columns: key -> (Chinese title, English title). The reader needs id and value (and
# reads source and confidence); the others only inform whoever fills the sheet in.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name_zh": ("中文名称", "name (Chinese)"),
    "name_en": ("英文名称", "name (English)"),
    "value": ("填报值", "value"),
    "unit": ("单位", "unit"),
    "source": ("数据来源", "source"),
    "confidence": ("可信度（0–1）", "confidence (0–1)"),
    "better": ("优劣方向", "better"),
    "valid_range": ("有效范围", "valid range"),
    "allowed": ("可填写的值", "allowed values"),
    "description": ("指标说明", "description"),
}
KEYS = tuple(COLUMNS)
VALUE, SOURCE, CONFIDENCE = KEYS.index("value"), KEYS.index("source"), KEYS.index("confidence")

# Base fields: one-base rows ``base.<key>``; many-bases columns ``<key>``.
BASE_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("基地编号：英文字母开头，可含字母、数字和 - _ .",
           "Base id: a letter, then letters, digits, - _ ."),
    "name_zh": ("基地中文名称", "Base name in Chinese"),
    "name_en": ("基地英文名称", "Base name in English"),
    "year": ("数据年份（如 2024）", "Year of the data (e.g. 2024)"),
    "region": ("所在地区", "Region"),
    "category": ("基地类型（如 废钢铁、电子废物、综合）", "Category (e.g. scrap metal, e-waste, mixed)"),
}
ID_COLUMNS = ("id", "base_id")
MANY_META = ("name", "name_zh", "name_en", "year", "region", "category")

TEXT: dict[str, tuple[str, str]] = {
    "one-base": (
        "请在“填报值”列填写（可同时填写数据来源和可信度）；百分数直接填数字（35 表示 35%）；"
        "无数据请留空；请勿修改第一行和编号列。",
        "Fill in the value column (and the source and confidence where known); give percentages "
        "as numbers (35 for 35 %); leave a cell blank if there is no figure; do not edit this "
        "first row or the id column."),
    "many-bases": (
        "每个基地一行：编号（英文字母开头）、名称、年份，再在各指标列填写数值；百分数直接填数字"
        "（35 表示 35%）；无数据请留空；请勿修改前两行和以 # 开头的行。",
        "One row per base: id (starting with a letter), names and year, then a value in each "
        "indicator column; give percentages as numbers (35 for 35 %); leave a cell blank if "
        "there is no figure; do not edit the first two rows or the rows starting with #."),
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
    "qualitative": ("等级越高越好", "a higher level is better"),
    "boolean": ("“是”为好", "yes is better"),
    "number": ("数字", "a number"),
    "percent": ("数字，百分数填 35 表示 35%", "a number: 35 for 35 %"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "or": ("或", "or"),
    "level": ("等级", "level"),
    "base_sheet": ("基本信息", "Base"),
    "bases_sheet": ("基地数据", "Bases"),
    "indicators_sheet": ("指标说明", "Indicators"),
    "direction": ("方向", "direction"),
    "names_zh": ("中文名称", "name (Chinese)"),
    "names_en": ("英文名称", "name (English)"),
    "units": ("单位", "unit"),
    "allowed": ("可填写的值", "allowed values"),
    "better": ("优劣方向", "better"),
    "pick": ("从列表中选择等级，或填写等级数字", "Pick a level from the list or type its number"),
}

TRUE_WORDS = frozenset({"true", "yes", "y", "是", "有", "对", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"false", "no", "n", "否", "无", "没有", "不是", "×", "✗", "✘"})
MISSING_WORDS = frozenset({"-", "--", "---", "—", "——", "–", "/", "n/a", "na", "n.a.", "none", "null",
                           "nan", "nil", "?", "无数据", "暂无", "暂无数据", "不详", "未知", "不适用",
                           "缺失", "空"})
NONE_WORDS = frozenset({"无", "没有"})  # "none": 0 or missing? Say so rather than guess
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
SPACED = re.compile(r"[+-]?\d+(?: \d+)+(?:\.\d+)?")
LEADING_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)")
LEVEL_WORD = re.compile(r"(?:level|l|等级)?\s*(\d+)\s*级?")
BASE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
YEAR = re.compile(r"(\d{1,4})\s*年?")


def _fold(text: str) -> str:
    """Text compared the way a reader compares it: full-width folded (NFKC), case and spacing."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return " ".join(text.split()).casefold()


def _both(zh: str | None, en: str | None) -> str:
    if zh and en and zh != en:
        return f"{zh} / {en}"
    return zh or en or ""


def _say(key: str, lang: TemplateLang) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en if lang == "en" else _both(zh, en)


def _label(label: Label | None, lang: TemplateLang) -> str:
    if label is None:
        return ""
    return label.text(lang) if lang != "both" else _both(label.zh, label.en)


def _title(key: str, lang: TemplateLang) -> str:
    zh, en = COLUMNS[key]
    return zh if lang == "zh" else en if lang == "en" else _both(zh, en)


def _number_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (whole numbers without '.0')."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _shown(value: float) -> str:
    return f"{value:.15g}"


def _is_percent(indicator: Indicator) -> bool:
    return indicator.kind == "quantitative" and _fold(indicator.unit or "") == "%"


def _fraction_suspect(indicator: Indicator, value: float) -> bool:
    """A value in (0, 1] of a % indicator whose thresholds are all above 1: 0.35 for 35 %?"""
    thresholds = indicator.thresholds or ()
    return (_is_percent(indicator) and bool(thresholds) and min(thresholds) > 1
            and 0 < value <= 1)


def _level_name(rubric: Rubric, level: int, lang: TemplateLang) -> str:
    if lang == "both":
        return _both(rubric.level_name(level, "zh"), rubric.level_name(level, "en"))
    return rubric.level_name(level, lang)


def level_items(rubric: Rubric, indicator: Indicator, lang: TemplateLang) -> list[str]:
    """The drop-down entries of a qualitative indicator: ``3 集成级: <descriptor>`` for 0..L."""
    items = []
    for level in range(rubric.level_count + 1):
        descriptor = (indicator.descriptors or {}).get(level)
        text = f"{level} {_level_name(rubric, level, lang)}"
        items.append(f"{text}: {one_line(_label(descriptor, lang))}" if descriptor else text)
    return items


def _boolean_word(folded: str) -> bool | None:
    """是/否, yes/no, Y/N, true/false... (``是 / yes`` too); None if not such a word."""
    found = set()
    for part in folded.split("/"):
        word = part.strip()
        if word in TRUE_WORDS:
            found.add(True)
        elif word in FALSE_WORDS:
            found.add(False)
        else:
            return None
    return found.pop() if len(found) == 1 else None


def _openpyxl(file: str) -> ModuleType:
    try:
        import openpyxl
    except ImportError:
        raise UpgradeScoreError(Problem(XLSX_EXTRA, file)) from None
    return openpyxl


# --- where a cell is ------------------------------------------------------------------------------

def _column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_ref(sheet: str) -> str:
    """A sheet name as a spreadsheet formula writes it: quoted when it has spaces or symbols."""
    if re.fullmatch(r"\w+", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem at a spreadsheet cell: ``line`` is the row; shown as ``file:sheet!D7``."""

    sheet: str | None = None
    cell: str = ""

    def __str__(self) -> str:
        where = self.file or ""
        if self.cell:
            where += ":" + (f"{_sheet_ref(self.sheet)}!" if self.sheet else "") + self.cell
        parts = [part for part in (where, format_path(self.path), self.message) if part]
        return one_line(": ".join(parts))


@dataclass(frozen=True)
class Cell:
    """The place of one cell: file, sheet (None in a CSV), 1-based row and column."""

    file: str
    sheet: str | None
    row: int
    column: int

    @property
    def ref(self) -> str:
        return f"{_column_letters(self.column)}{self.row}"

    @property
    def short(self) -> str:
        return (f"{_sheet_ref(self.sheet)}!" if self.sheet else "") + self.ref

    def problem(self, message: str, path: FieldPath = ()) -> CellProblem:
        return CellProblem(message, self.file, self.row, path, self.sheet, self.ref)


@dataclass(frozen=True)
class CellOrigin(Origin):
    """Where a base read from a template came from, cell by cell, for problems found later."""

    cells: Mapping[str, Cell] = field(default_factory=dict)
    base_cell: Cell | None = None

    def problem(self, indicator_id: str | None, message: str) -> Problem:
        cell = self.base_cell if indicator_id is None else self.cells.get(indicator_id,
                                                                          self.base_cell)
        path: FieldPath = () if indicator_id is None else (indicator_id,)
        if cell is None:
            return Problem(message, self.file, None, path)
        return cell.problem(message, path)


# --- writing --------------------------------------------------------------------------------------

RowKind = Literal["marker", "title", "header", "hint", "base", "indicator", "data"]


@dataclass
class _Row:
    cells: list[Any]
    kind: RowKind


@dataclass
class _Table:
    """One sheet of the template (the CSV holds the first table, or all of them in one-base)."""

    name: str
    rows: list[_Row]
    widths: tuple[float, ...]
    freeze: str
    input_columns: tuple[int, ...] = ()
    input_rows: tuple[int, int] | None = None  # many-bases: first and last data row to format
    checks: list[tuple[Indicator | str, str]] = field(default_factory=list)  # (what, cell range)


def write_template(rubric: Rubric | str | Path | None, path: str | Path,
                   layout: Layout = "one-base", lang: TemplateLang = "zh", *,
                   profiles: BaseProfile | Sequence[BaseProfile] | None = None) -> Path:
    """Write a data-collection template for ``rubric`` to ``path`` (``.csv`` or ``.xlsx``).

    ``layout="one-base"`` has one row per indicator (XLSX: a sheet per direction) with value,
    source and confidence to fill in; ``"many-bases"`` has one row a base and one column an
    indicator. ``lang`` sets the language of headers, hints and level descriptors (``"zh"``,
    ``"en"`` or ``"both"``). ``profiles`` pre-fills the template (one base for ``one-base``; the
    many-bases layout keeps values only, not source and confidence). Read a filled template
    back with ``load_profiles(path)``. XLSX needs openpyxl: ``pip install upgrade-score[xlsx]``.
    """
    rubric = load_rubric(rubric)
    target = Path(path)
    name = str(target)
    if layout not in get_args(Layout):
        raise UpgradeScoreError(Problem(f"layout must be one of {', '.join(get_args(Layout))}, "
                                        f"got {layout!r}", name))
    if lang not in get_args(TemplateLang):
        raise UpgradeScoreError(Problem(f"lang must be one of {', '.join(get_args(TemplateLang))}, "
                                        f"got {lang!r}", name))
    suffix = target.suffix.lower()
    if suffix not in TEMPLATE_SUFFIXES:
        raise UpgradeScoreError(Problem("unsupported template type (expected .csv or .xlsx)", name))
    bases = _checked_profiles(rubric, profiles, layout, name)
    xlsx = suffix == ".xlsx"
    if layout == "one-base":
        tables = _one_base_tables(rubric, lang, bases[0] if bases else None, xlsx)
    else:
        tables = _many_bases_tables(rubric, lang, bases, xlsx)
    if xlsx:
        _save_xlsx(tables, target, rubric, lang)
    else:
        _save_csv(tables, target, layout)
    return target


def _checked_profiles(rubric: Rubric, profiles: BaseProfile | Sequence[BaseProfile] | None,
                      layout: Layout, name: str) -> tuple[BaseProfile, ...]:
    if profiles is None:
        return ()
    bases = (profiles,) if isinstance(profiles, BaseProfile) else tuple(profiles)
    if layout == "one-base" and len(bases) > 1:
        raise UpgradeScoreError(Problem(
            f"the one-base layout holds one base, got {len(bases)} "
            "(use layout='many-bases', or write one template per base)", name))
    if bases:
        check_unique_ids(bases)
        profile_matrix(rubric, bases)  # every value valid for the rubric, or a located error
    return bases


def _marker_row(rubric: Rubric, layout: Layout, lang: TemplateLang) -> _Row:
    title = _label(rubric.title, lang)
    return _Row([MARKER, rubric.id, rubric.version, layout, lang,
                 f"{title} — {_say(layout, lang)}"], "marker")


def _value_cell(indicator: Indicator, value: bool | float | None, lang: TemplateLang,
                xlsx: bool) -> Any:
    """How a value is written so that it reads back unchanged."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _say("yes" if value else "no", lang)
    if indicator.kind == "qualitative":
        return int(value)
    if _fraction_suspect(indicator, value):
        return f"{_number_text(value)}%"  # explicit: 0.35 % is meant, not 35 %
    if xlsx:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return _number_text(value)


def _allowed(rubric: Rubric, indicator: Indicator, lang: TemplateLang, separator: str) -> str:
    if indicator.kind == "qualitative":
        return separator.join(level_items(rubric, indicator, lang))
    if indicator.kind == "boolean":
        return f"{_say('yes', lang)} {_say('or', lang)} {_say('no', lang)}"
    return _say("percent" if _is_percent(indicator) else "number", lang)


def _better(indicator: Indicator, lang: TemplateLang) -> str:
    if indicator.kind == "quantitative":
        return _say(indicator.better, lang)
    return _say(indicator.kind, lang)


def _valid_range(rubric: Rubric, indicator: Indicator) -> str:
    if indicator.kind == "qualitative":
        return f"0–{rubric.level_count}"
    if indicator.valid_range is None:
        return ""
    low, high = indicator.valid_range
    return f"{_shown(low)}–{_shown(high)}"


def _indicator_row(rubric: Rubric, indicator: Indicator, lang: TemplateLang,
                   reported: Any, xlsx: bool) -> _Row:
    value = source = confidence = None
    if reported is not None:
        value = _value_cell(indicator, reported.value, lang, xlsx)
        source = reported.source
        if reported.confidence is not None:
            confidence = reported.confidence if xlsx else _number_text(reported.confidence)
    cells = [indicator.id, indicator.name.zh or "", indicator.name.en or "", value,
             indicator.unit or "", source, confidence, _better(indicator, lang),
             _valid_range(rubric, indicator), _allowed(rubric, indicator, lang, "\n" if xlsx else " | "),
             one_line(indicator.description or "")]
    return _Row(cells, "indicator")


def _base_values(profile: BaseProfile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    info = profile.base
    extra = info.model_extra or {}
    found: dict[str, Any] = {
        "id": info.id,
        "name_zh": info.name.zh if info.name else None,
        "name_en": info.name.en if info.name else None,
        "year": info.year,
        "region": extra.get("region"),
        "category": extra.get("category"),
    }
    return {key: value if isinstance(value, (int, str)) or value is None else str(value)
            for key, value in found.items()}


ONE_BASE_WIDTHS = (30.0, 26.0, 34.0, 16.0, 10.0, 24.0, 12.0, 14.0, 12.0, 48.0, 60.0)


def _one_base_tables(rubric: Rubric, lang: TemplateLang, profile: BaseProfile | None,
                     xlsx: bool) -> list[_Table]:
    header = _Row([_title(key, lang) for key in KEYS], "header")
    known = _base_values(profile)
    base_rows = [_Row([f"base.{key}", zh, en, known.get(key), *([None] * (len(KEYS) - 4))], "base")
                 for key, (zh, en) in BASE_FIELDS.items()]
    first = _Table(_say("base_sheet", lang), [_marker_row(rubric, "one-base", lang), header,
                                             *base_rows],
                   ONE_BASE_WIDTHS, "B3", (VALUE,))
    first.checks.append(("year", f"D{3 + list(BASE_FIELDS).index('year')}"))
    tables = [first]
    values = profile.values if profile is not None else {}
    for direction in rubric.directions:
        rows = [_Row([_label(direction.name, lang), one_line(direction.description or "")], "title"),
                header]
        table = _Table(_label(direction.name, lang) or direction.id, rows, ONE_BASE_WIDTHS, "B3",
                       (VALUE, SOURCE, CONFIDENCE))
        for indicator in direction.indicators:
            rows.append(_indicator_row(rubric, indicator, lang, values.get(indicator.id), xlsx))
            table.checks.append((indicator, f"D{len(rows)}"))
            table.checks.append(("confidence", f"G{len(rows)}"))
        tables.append(table)
    return tables


def _many_bases_tables(rubric: Rubric, lang: TemplateLang, profiles: Sequence[BaseProfile],
                       xlsx: bool) -> list[_Table]:
    meta = list(BASE_FIELDS)
    indicators = rubric.indicators
    lead = len(meta)

    def hint(key: str, meta_cells: list[str], cells: list[str]) -> _Row:
        return _Row([f"# {_say(key, lang)}", *meta_cells[1:], *cells], "hint")

    blank = [""] * lead
    rows = [_marker_row(rubric, "many-bases", lang),
            _Row([*meta, *(i.id for i in indicators)], "header")]
    if lang in ("zh", "both"):
        rows.append(hint("names_zh", [BASE_FIELDS[k][0] for k in meta],
                         [i.name.zh or "" for i in indicators]))
    if lang in ("en", "both"):
        rows.append(hint("names_en", [BASE_FIELDS[k][1] for k in meta],
                         [i.name.en or "" for i in indicators]))
    direction_of = {i.id: d for d in rubric.directions for i in d.indicators}
    rows.append(hint("direction", blank, [_label(direction_of[i.id].name, lang) for i in indicators]))
    rows.append(hint("units", blank, [i.unit or "" for i in indicators]))
    rows.append(hint("better", blank, [_better(i, lang) for i in indicators]))
    rows.append(hint("allowed", blank, [_short_allowed(rubric, i, lang) for i in indicators]))
    first_data = len(rows) + 1
    for profile in profiles:
        known = _base_values(profile)
        rows.append(_Row([known.get(key) for key in meta]
                         + [_value_cell(i, profile.value(i.id), lang, xlsx) for i in indicators], "data"))
    last = max(len(rows), first_data + 499)
    widths = (24.0, 18.0, 18.0, 8.0, 12.0, 12.0, *([16.0] * len(indicators)))
    table = _Table(_say("bases_sheet", lang), rows, widths, f"D{first_data}",
                   tuple(range(len(meta) + len(indicators))), (first_data, last))
    table.checks.append(("year", f"D{first_data}:D{last}"))
    for m, indicator in enumerate(indicators):
        letters = _column_letters(lead + m + 1)
        table.checks.append((indicator, f"{letters}{first_data}:{letters}{last}"))
    tables = [table]
    if xlsx:  # a reference sheet with every indicator's definition and levels
        keys = [k for k in KEYS if k not in ("value", "source", "confidence")]
        reference = [_Row([_title(k, lang) for k in keys], "header")]
        for indicator in indicators:
            cells = _indicator_row(rubric, indicator, lang, None, xlsx).cells
            reference.append(_Row([cells[KEYS.index(k)] for k in keys], "indicator"))
        tables.append(_Table(_say("indicators_sheet", lang), reference,
                             tuple(w for k, w in zip(KEYS, ONE_BASE_WIDTHS) if k in keys), "B2"))
    return tables


def _short_allowed(rubric: Rubric, indicator: Indicator, lang: TemplateLang) -> str:
    if indicator.kind == "qualitative":
        names = " | ".join(f"{k} {_level_name(rubric, k, lang)}" for k in range(rubric.level_count + 1))
        return names
    if indicator.kind == "boolean":
        return _allowed(rubric, indicator, lang, "")
    return _valid_range(rubric, indicator) or _say("number", lang)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _save_csv(tables: list[_Table], target: Path, layout: Layout) -> None:
    rows = list(tables[0].rows)
    if layout == "one-base":
        for table in tables[1:]:
            for row in table.rows:
                if row.kind == "title":
                    rows.append(_Row([f"# {row.cells[0]}"], "hint"))
                elif row.kind == "indicator":
                    rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        cells = [_csv_cell(value) for value in row.cells]
        if row.kind in ("indicator", "base"):  # informative text on one line; values as given
            cells = [c if k in (VALUE, SOURCE) else one_line(c) for k, c in enumerate(cells)]
        writer.writerow(cells)
    _write_bytes(target, buffer.getvalue().encode("utf-8-sig"))  # the BOM tells Excel it is UTF-8


def _write_bytes(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot write file: {exc.strerror}", str(target))) from None


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


def _save_xlsx(tables: list[_Table], target: Path, rubric: Rubric, lang: TemplateLang) -> None:
    openpyxl = _openpyxl(str(target))
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    hint_font = Font(color="666666", italic=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken = {LISTS_SHEET}
    lists: Worksheet | None = None
    list_ranges: dict[str, str] = {}

    def list_range(indicator: Indicator) -> str:
        nonlocal lists
        if lists is None:
            lists = book.create_sheet(LISTS_SHEET)
            lists.sheet_state = "hidden"
        if indicator.id not in list_ranges:
            column = len(list_ranges) + 1
            items = level_items(rubric, indicator, lang)
            for row, item in enumerate(items, start=1):
                lists.cell(row, column, ILLEGAL_CHARACTERS_RE.sub("", item)).data_type = "s"
            letters = _column_letters(column)
            list_ranges[indicator.id] = f"'{LISTS_SHEET}'!${letters}$1:${letters}${len(items)}"
        return list_ranges[indicator.id]

    for n, table in enumerate(tables):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_title(table.name, taken)
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row.cells, start=1):
                is_input = row.kind in ("base", "indicator", "data") and c - 1 in table.input_columns
                if value is None or value == "":
                    if is_input:
                        sheet.cell(r, c).fill = input_fill
                    continue
                cell = sheet.cell(r, c)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.data_type = "s"  # text stays text, even when it starts with '='
                else:
                    cell.value = value
                if row.kind == "header":
                    cell.font = Font(bold=True)
                    cell.fill = header_fill
                    cell.alignment = wrap
                elif row.kind in ("hint", "marker"):
                    cell.font = hint_font
                    cell.alignment = wrap if row.kind == "hint" else Alignment()
                elif row.kind == "title":
                    cell.font = Font(bold=True, size=12)
                else:
                    cell.alignment = wrap
                if is_input:
                    cell.fill = input_fill
            if row.kind in ("header", "hint", "base", "indicator"):
                sheet.row_dimensions[r].height = _row_height(row.cells, table.widths,
                                                             5 if row.kind == "hint" else 12)
        if table.input_rows is not None:
            first, last = table.input_rows
            for r in range(len(table.rows) + 1, min(last, first + 49) + 1):
                for c in table.input_columns:
                    sheet.cell(r, c + 1).fill = input_fill
        for c, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[_column_letters(c)].width = width
        sheet.freeze_panes = table.freeze
        sheet.page_setup.orientation = "landscape"  # printed: as wide as the page, many pages
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for what, cells in table.checks:
            check = _validation(DataValidation, what, rubric, lang, list_range)
            sheet.add_data_validation(check)
            check.add(cells)
    if lists is not None:  # last, hidden: the drop-down entries
        book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.sheetnames.index(LISTS_SHEET))
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    _write_bytes(target, buffer.getvalue())


def _validation(factory: Any, what: Indicator | str, rubric: Rubric, lang: TemplateLang,
                list_range: Any) -> Any:
    """The data validation (drop-down, range check, input hint) of a value cell."""
    if what == "confidence":
        return factory(type="decimal", operator="between", formula1="0", formula2="1",
                       allow_blank=True, showErrorMessage=True, errorStyle="warning", error="0–1")
    if what == "year":
        return factory(type="whole", operator="between", formula1="1900", formula2="2100",
                       allow_blank=True, showErrorMessage=True, errorStyle="warning",
                       error="1900–2100")
    assert isinstance(what, Indicator)
    indicator = what
    name = _label(indicator.name, "zh" if lang == "zh" else "en")
    prompt_parts = [f"{_title('unit', lang)}: {indicator.unit}" if indicator.unit else "",
                    f"{_title('valid_range', lang)}: {_valid_range(rubric, indicator)}"
                    if _valid_range(rubric, indicator) else "",
                    one_line(indicator.description or "")]
    prompt = _clip("\n".join(p for p in prompt_parts if p), 255)
    common = dict(allow_blank=True, showInputMessage=True, promptTitle=_clip(name, 32), prompt=prompt)
    if indicator.kind == "qualitative":
        return factory(type="list", formula1=list_range(indicator), showErrorMessage=False, **common)
    if indicator.kind == "boolean":
        words = f'"{_say("yes", lang)},{_say("no", lang)}"'
        return factory(type="list", formula1=words, showErrorMessage=True, errorStyle="warning",
                       error=_clip(_allowed(rubric, indicator, lang, ""), 225), **common)
    if indicator.valid_range is not None:
        low, high = indicator.valid_range
        return factory(type="decimal", operator="between", formula1=repr(low), formula2=repr(high),
                       showErrorMessage=True, errorStyle="warning",
                       error=_clip(f"{_shown(low)}–{_shown(high)} {indicator.unit or ''}".strip(), 225),
                       **common)
    return factory(**common)


# --- reading --------------------------------------------------------------------------------------

RawCell = tuple[Any, str]  # value and number format ("" in a CSV)


@dataclass(frozen=True)
class _Sheet:
    name: str | None  # None: a CSV file
    rows: list[list[RawCell]]


class _Bad(Exception):
    """A cell that cannot be read: the message says why and how to fix it."""


def read_survey(path: Path, rubric: Rubric | None = None) -> list[BaseProfile] | None:
    """Read a filled template (CSV or XLSX) or a plain workbook; None for a CSV that is not a
    template (read it as a plain table). Every problem of the file is reported at once."""
    name = str(path)
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
        if rows is None:
            return None
        sheets = [_Sheet(None, rows)]
    else:
        sheets = _xlsx_sheets(path)
    marker = _marker(sheets)
    if marker is not None and rubric is None:
        rubric = _marker_rubric(marker, name)
    reader = _Reader(name, rubric)
    if marker is None:
        profiles = reader.many_bases(sheets[0] if sheets else _Sheet(None, []))
    elif marker[2] == "one-base" or (marker[2] != "many-bases" and _is_one_base(sheets)):
        profile = reader.one_base(sheets)
        profiles = [] if profile is None else [profile]
    else:
        profiles = reader.many_bases(sheets[0])
    if reader.problems:
        raise UpgradeScoreError(reader.problems)
    return profiles


def _marker(sheets: list[_Sheet]) -> tuple[str, str, str] | None:
    """(rubric id, version, layout) from the first row of a template, None if not a template."""
    if not sheets or not sheets[0].rows:
        return None
    row = [_text(value) for value, _ in sheets[0].rows[0]] + ["", "", "", ""]
    if _fold(row[0]) != MARKER:
        return None
    return row[1], row[2], _fold(row[3])


def _marker_rubric(marker: tuple[str, str, str], name: str) -> Rubric:
    rubric_id, version = marker[0], marker[1]
    found = builtin_rubrics().get(rubric_id)
    if found is not None:
        stat = found.stat()
        return _builtin(str(found), stat.st_mtime_ns, stat.st_size)
    raise UpgradeScoreError(Problem(
        f"this template was written from rubric '{rubric_id}' {version}, which is not built in: "
        "pass that rubric to read it (load_profiles(..., rubric=...); CLI: --rubric)", name))


@functools.lru_cache(maxsize=8)
def _builtin(path: str, mtime_ns: int, size: int) -> Rubric:
    """A built-in rubric, loaded once for a directory full of returned templates."""
    return load_rubric(path)


def _is_one_base(sheets: list[_Sheet]) -> bool:
    return any(_one_base_header(sheet) is not None for sheet in sheets)


def _csv_rows(path: Path) -> list[list[RawCell]] | None:
    """The cells of a template CSV, or None if the file does not start with the marker."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(MARKER) + 16)
    except OSError:
        return None  # the plain CSV reader reports it
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b'"').lower()
    if not start.startswith(MARKER.encode()):
        return None
    rest = start[len(MARKER):].lstrip(b'"')
    delimiter = chr(rest[0]) if rest[:1] in (b",", b";", b"\t") else ","
    try:
        text = read_text(path)
    except UpgradeScoreError as exc:
        if "UTF-8" not in str(exc):
            raise
        # Excel on Chinese Windows saves "CSV" in GB18030 (GBK); the marker is ASCII either way.
        text = path.read_bytes()[:MAX_BYTES].decode("gb18030", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UpgradeScoreError(Problem(f"invalid CSV: {exc}", name)) from None
    return [[(value, "") for value in row] for row in rows]


def _xlsx_sheets(path: Path) -> list[_Sheet]:
    name = str(path)
    openpyxl = _openpyxl(name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", name)) from None
    if size > MAX_BYTES:
        raise UpgradeScoreError(Problem(f"file is larger than {MAX_BYTES:,} bytes", name))
    sheets: list[_Sheet] = []
    cells = 0
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        reason = str(exc) or type(exc).__name__
        raise UpgradeScoreError(Problem(f"not a readable .xlsx workbook ({one_line(reason)})",
                                        name)) from None
    try:
        for sheet, written in zip(book.worksheets, formulas.worksheets):
            if sheet.title == LISTS_SHEET:
                continue
            sheet.reset_dimensions()  # rows as stored, not padded to a claimed size
            written.reset_dimensions()
            rows: list[list[RawCell]] = []
            for row, source in zip(sheet.iter_rows(), written.iter_rows()):
                # a formula that was never calculated has no cached value: keep its text, so
                # that it is reported as not a number instead of silently read as blank
                rows.append([(cell.value if cell.value is not None or not _is_formula(raw.value)
                              else raw.value, getattr(cell, "number_format", None) or "")
                             for cell, raw in zip(row, source)])
                cells += len(row) + 1
                if cells > MAX_CELLS:
                    raise UpgradeScoreError(Problem(f"more than {MAX_CELLS:,} cells", name))
            sheets.append(_Sheet(sheet.title, rows))
    except UpgradeScoreError:
        raise
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        raise UpgradeScoreError(Problem(f"not a readable .xlsx workbook ({one_line(reason)})",
                                        name)) from None
    finally:
        book.close()
        formulas.close()
    return sheets


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _text(value: Any) -> str:
    """A cell as text: numbers without a trailing '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and math.isfinite(value):
        return _number_text(value) if value.is_integer() else _shown(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    return str(value).strip()


def _header_key(text: str) -> str | None:
    for part in _fold(text).split("/"):
        key = _HEADER_FORMS.get(re.sub(r"\s*\(.*\)$", "", part.strip()))
        if key is not None:
            return key
    return None


_HEADER_FORMS = {re.sub(r"\s*\(.*\)$", "", _fold(title)): key
                 for key in ("id", "value", "source", "confidence") for title in COLUMNS[key]}


def _one_base_header(sheet: _Sheet) -> tuple[int, dict[str, int]] | None:
    """The row index and id/value/source/confidence columns of a one-base table."""
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        for c, (value, _) in enumerate(row):
            key = _header_key(value) if isinstance(value, str) else None
            if key is not None:
                keys.setdefault(key, c)
        if "id" in keys and "value" in keys:
            return r, keys
    return None


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
        self._words: dict[str, dict[str, int]] = {}
        self._items: dict[str, dict[int, list[str]]] = {}

    # --- layouts ----------------------------------------------------------------------------------

    def one_base(self, sheets: list[_Sheet]) -> BaseProfile | None:
        base: dict[str, Any] = {}
        base_cells: dict[str, Cell] = {}
        values: dict[str, dict[str, Any]] = {}
        cells: dict[str, Cell] = {}
        found_table = False
        for sheet in sheets:
            header = _one_base_header(sheet)
            if header is None:
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
            id_title, value_title = "/".join(COLUMNS["id"]), "/".join(COLUMNS["value"])
            self.problems.append(Problem(f"no table with '{id_title}' and '{value_title}' columns",
                                         self.file))
            return None
        if "id" not in base:
            where = base_cells.get("id")
            message = "the base id is missing: fill in the value of row 'base.id'"
            if where is None:
                self.problems.append(Problem(message, self.file))
            elif not any(p.path == ("base", "id") for p in self.problems):
                self.problems.append(where.problem(message, ("base", "id")))
            return None
        return self._profile(base, values, base_cells, cells)

    def many_bases(self, sheet: _Sheet) -> list[BaseProfile]:
        found = self._many_header(sheet)
        if found is None:
            self.problems.append(Problem("needs a header row with an 'id' column naming each base",
                                         self.file))
            return []
        top, header = found
        id_column = next(c for c, key in header.items() if key.casefold() in ID_COLUMNS)
        profiles: list[BaseProfile] = []
        seen: dict[str, Cell] = {}
        flagged: set[int] = set()
        for r in range(top + 1, len(sheet.rows)):
            row = sheet.rows[r]
            key = _text(_cell(row, id_column)[0])
            if key.startswith("#"):
                continue
            filled = [c for c in range(len(row)) if _cell(row, c)[0] is not None]
            if not filled:
                continue
            id_cell = Cell(self.file, sheet.name, r + 1, id_column + 1)
            base: dict[str, Any] = {}
            base_cells: dict[str, Cell] = {}
            values: dict[str, dict[str, Any]] = {}
            cells: dict[str, Cell] = {}
            for c in filled:
                here = Cell(self.file, sheet.name, r + 1, c + 1)
                raw, number_format = _cell(row, c)
                column = header.get(c)
                if column is None:
                    self.problems.append(here.problem("a value in a column without a header"))
                    continue
                meta = column.casefold()
                if meta in ID_COLUMNS or meta in MANY_META:
                    name = "id" if meta in ID_COLUMNS else "name_en" if meta == "name" else meta
                    self._base_field(base, base_cells, name, raw, here, (column,))
                    continue
                if self.rubric is not None and column not in self.indicators:
                    if c not in flagged:
                        flagged.add(c)
                        header_cell = Cell(self.file, sheet.name, top + 1, c + 1)
                        self.problems.append(header_cell.problem(self._unknown(column), (column,)))
                    continue
                cells[column] = here
                entry = self._entry(column, raw, number_format, None, None, here, here)
                if entry is not None:
                    values[column] = entry
            if "id" not in base:
                if "id" not in base_cells:  # (a bad id was reported where it was read)
                    self.problems.append(id_cell.problem("the row has values but no base id",
                                                         (header[id_column],)))
                continue
            base_cells.setdefault("id", id_cell)
            if base["id"] in seen:
                self.problems.append(id_cell.problem(
                    f"duplicate base id '{base['id']}' (also at {seen[base['id']].short})"))
                continue
            seen[base["id"]] = id_cell
            profile = self._profile(base, values, base_cells, cells)
            if profile is not None:
                profiles.append(profile)
        return profiles

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
        if self.rubric is not None and indicator is None:
            self.problems.append(here.problem(self._unknown(indicator_id), (indicator_id,)))
            return None
        entry: dict[str, Any] = {}
        ok = True
        try:
            entry["value"] = self.value(indicator, raw, number_format)
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

    def value(self, indicator: Indicator | None, raw: Any, number_format: str) -> bool | float | None:
        """One cell as a value of ``indicator`` (None: unknown, read as a number or yes/no)."""
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
            number = float(raw)
            if not math.isfinite(number):
                raise _Bad(f"must be a finite number, got {raw}")
            if "%" in number_format:  # Excel stores 35 % as 0.35 in a percent-formatted cell
                number = float(_shown(number * 100))
                return self._number(indicator, number, f"{_shown(number)}%", percent=True)
            return self._number(indicator, number, _shown(number), percent=False)
        folded = _fold(str(raw))
        if not folded:
            return None
        shown = str(raw).strip()
        word = _boolean_word(folded)
        if word is not None and (indicator is None or indicator.kind == "boolean"):
            return word
        if indicator is not None and indicator.kind == "qualitative" and not NUMBER.fullmatch(folded):
            level = self._level(indicator, folded)  # (a number is a number, whatever the labels)
            if level is not None:
                return self._number(indicator, float(level), shown, percent=False)
        if folded in MISSING_WORDS or folded in NONE_WORDS:
            raise _Bad(f"'{shown}' is not a value: leave the cell blank if there is no figure "
                       "(or enter 0 if it is zero)")
        if word is not None and indicator is not None:
            raise _Bad(f"'{shown}' is a yes/no answer, but this indicator takes "
                       f"{self._expected(indicator)}")
        percent = folded.endswith("%")
        try:
            number = _parse_number(folded.removesuffix("%").strip(), shown,
                                   indicator.unit if indicator is not None else None)
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
            unit = f"the unit is {indicator.unit}" if indicator.unit else "it has no unit"
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
                unit = f" {indicator.unit}" if indicator.unit else ""
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
        unit = f" (unit: {indicator.unit})" if indicator.unit else ""
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
                if descriptor is not None:
                    labels += [descriptor.zh, descriptor.en]
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
        match = re.match(r"(\d+)\b", folded)
        if match:
            level = int(match.group(1))
            items = self._items[indicator.id].get(level, [])
            if any(item.startswith(folded) for item in items):
                return level
        return None

    def _unknown(self, indicator_id: str) -> str:
        assert self.rubric is not None
        close = difflib.get_close_matches(indicator_id, self.rubric.indicator_ids, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown indicator for rubric '{self.rubric.id}'{hint}"

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
            match = YEAR.fullmatch(unicodedata.normalize("NFKC", text))
            if (isinstance(raw, float) and not raw.is_integer()) or match is None:
                self.problems.append(here.problem(f"'{text}' is not a year", path))
                return
            base["year"] = int(match.group(1))
        elif name in ("name_zh", "name_en"):
            base.setdefault("name", {})[name[5:]] = text
        else:
            base[name] = text

    def _profile(self, base: dict[str, Any], values: dict[str, dict[str, Any]],
                 base_cells: dict[str, Cell], cells: dict[str, Cell]) -> BaseProfile | None:
        id_cell = base_cells["id"]
        try:
            profile = BaseProfile.model_validate({"base": base, "values": values})
        except ValidationError as exc:  # checked above; anything left is named at the base id
            for error in exc.errors():
                loc = error["loc"]
                where = cells.get(str(loc[1])) if loc[:1] == ("values",) and len(loc) > 1 else None
                message = str(error["msg"]).removeprefix("Value error, ")
                self.problems.append((where or id_cell).problem(message, tuple(map(str, loc))))
            return None
        origin = CellOrigin(self.file, id_cell.row, {k: c.row for k, c in cells.items()}, (),
                            cells, id_cell)
        return _attach(profile, origin)


def _parse_number(text: str, shown: str, unit: str | None) -> float:
    """A number written by a person: ``1,200`` and full-width digits are fine; say what is not."""
    if NUMBER.fullmatch(text):
        number = float(text)
    elif THOUSANDS.fullmatch(text):
        number = float(text.replace(",", ""))
    elif DECIMAL_COMMA.fullmatch(text):
        raise _Bad(f"'{shown}' has a decimal comma: write {text.replace(',', '.')} "
                   "(commas are read only as thousands separators, as in 1,200)")
    elif SPACED.fullmatch(text):
        raise _Bad(f"'{shown}' has spaces inside the number: write {text.replace(' ', '')}")
    elif _has_text_beside(text):
        in_unit = f" (in {unit})" if unit else ""
        raise _Bad(f"'{shown}' has text beside the number: enter the number only{in_unit}")
    else:
        raise _Bad(f"'{shown}' is not a number")
    if not math.isfinite(number):
        raise _Bad(f"'{shown}' is too large")
    return number


def _has_text_beside(text: str) -> bool:
    match = LEADING_NUMBER.match(text)
    return match is not None and match.group(0) != text


def _confidence(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _Bad(f"must be a number from 0 to 1, got {_text(raw)}")
    shown = _text(raw)
    if isinstance(raw, str):
        folded = _fold(raw)
        percent = folded.endswith("%")
        number = _parse_number(folded.removesuffix("%").strip(), shown, None)
        if percent:
            number = float(_shown(number / 100))
    else:
        number = float(raw)
    if not (math.isfinite(number) and 0 <= number <= 1):
        hint = f" (write {_shown(number / 100)} for {shown} %)" if 1 < number <= 100 else ""
        raise _Bad(f"must be from 0 to 1, got {shown}{hint}")
    return number

