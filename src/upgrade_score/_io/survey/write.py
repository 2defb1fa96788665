"""Writing survey templates: the tables of a template, saved as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

from ..._errors import Problem, UpgradeScoreError, one_line
from ..._model.derived import Input
from ..._model.profile import NA, BaseProfile, check_unique_ids
from ..._model.rubric import Indicator, Rubric
from ..arguments import check_path
from ..rubrics import load_rubric
from ..tables import profile_matrix
from .cells import _column_letters
from .inputs import (
    computed_hint,
    computed_note,
    enterprise_table,
    input_range,
    input_row,
    inputs_table,
    reported_inputs,
)
from .sheet import (
    COLUMNS,
    CONFIDENCE,
    FORMULA_FIRST,
    KEYS,
    MARKER,
    SOURCE,
    TEMPLATE_SUFFIXES,
    VALUE,
    Layout,
    TemplateLang,
    _allowed,
    _fraction_suspect,
    _inert,
    _label,
    _level_name,
    _notes,
    _number_text,
    _Row,
    _say,
    _Table,
    _title,
    _valid_range,
    _with_notes,
    _write_bytes,
    base_fields,
    category_items,
    level_items,
)
from .xlsx import _save_xlsx

# --- writing --------------------------------------------------------------------------------------







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
    target = check_path(path, "path")
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
    if lang == "zh":  # its readers need no English names (a bilingual template keeps them)
        tables = [_without_column(table, NAME_EN) if _has_names(table) else table for table in tables]
    # the enterprises: a sheet of the workbook; beside a CSV template, a CSV file of their own
    enterprises = enterprise_table(rubric, lang, bases, one_base=xlsx and layout == "one-base")
    if xlsx:
        _save_xlsx([*tables, *([enterprises] if enterprises else [])], target, rubric, lang)
    else:
        _save_csv(tables, target, layout)
        if enterprises is not None:
            _save_csv([enterprises], enterprises_path(target), "many-bases")
    return target


def enterprises_path(template: Path) -> Path:
    """The enterprise table written beside a CSV template: ``survey.csv`` -> ``survey.enterprises.csv``
    (read back with ``--enterprises``; in Python ``load_enterprises``)."""
    return template.with_name(f"{template.stem}.enterprises.csv")


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


def _value_cell(indicator: Indicator, value: bool | float | str | None, lang: TemplateLang,
                xlsx: bool) -> Any:
    """How a value is written so that it reads back unchanged."""
    if value is None:
        return None
    if isinstance(value, str):  # n/a: the reader takes both words
        return "不适用" if lang == "zh" else NA
    if isinstance(value, bool):
        return _say("yes" if value else "no", lang)
    if indicator.kind == "qualitative":
        return int(value)
    if _fraction_suspect(indicator, value):
        return f"{_number_text(value)}%"  # explicit: 0.35 % is meant, not 35 %
    if xlsx:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return _number_text(value)




def _better(indicator: Indicator, lang: TemplateLang) -> str:
    if indicator.kind == "quantitative":
        return _say(indicator.better, lang)
    return _say(indicator.kind, lang)




def _indicator_row(rubric: Rubric, indicator: Indicator, lang: TemplateLang,
                   reported: Any, xlsx: bool) -> _Row:
    value = source = confidence = None
    if reported is not None:
        value = _value_cell(indicator, reported.value, lang, xlsx)
        source = reported.source
        if reported.confidence is not None:
            confidence = reported.confidence if xlsx else _number_text(reported.confidence)
    note = computed_note(rubric, indicator, lang)  # a derived indicator is computed, not asked for
    cells = [indicator.id, indicator.name.zh or "", indicator.name.en or "", value,
             _label(indicator.unit, lang), source, confidence, _better(indicator, lang),
             _valid_range(rubric, indicator),
             note or _allowed(rubric, indicator, lang, "\n" if xlsx else " | "),
             one_line(_label(indicator.description, lang))]
    return _Row(cells, "indicator" if note is None else "computed")


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
    fields = base_fields(rubric)
    base_rows = [_Row([f"base.{key}", zh, en, known.get(key), *([None] * (len(KEYS) - 4))], "base")
                 for key, (zh, en) in fields.items()]
    first = _Table(_say("base_sheet", lang), [_marker_row(rubric, "one-base", lang), header,
                                             *base_rows],
                   ONE_BASE_WIDTHS, "B3", (VALUE,))
    first.checks.append(("year", f"D{3 + list(fields).index('year')}"))
    if rubric.categories:  # the ids to choose from (a drop-down in XLSX)
        row = list(fields).index("category")
        base_rows[row].cells[KEYS.index("allowed")] = ("\n" if xlsx else " | ").join(
            category_items(rubric, lang))
        first.checks.append(("category", f"D{3 + row}"))
    tables = [first]
    values = profile.values if profile is not None else {}
    for direction in rubric.directions:
        rows = [_Row([_label(direction.name, lang), one_line(_label(direction.description, lang))], "title"),
                header]
        table = _Table(_label(direction.name, lang) or direction.id, rows, ONE_BASE_WIDTHS, "B3",
                       (VALUE, SOURCE, CONFIDENCE))
        for indicator in direction.indicators:
            rows.append(_indicator_row(rubric, indicator, lang, values.get(indicator.id), xlsx))
            if indicator.formula is None:
                table.checks.append((indicator, f"D{len(rows)}"))
                table.checks.append(("confidence", f"G{len(rows)}"))
        tables.append(table)
    figures = inputs_table(rubric, lang, profile, xlsx, ONE_BASE_WIDTHS)
    if figures is not None:
        tables.append(figures)
    return tables


def _many_bases_tables(rubric: Rubric, lang: TemplateLang, profiles: Sequence[BaseProfile],
                       xlsx: bool) -> list[_Table]:
    fields = base_fields(rubric)
    meta = list(fields)
    indicators = [i for i in rubric.indicators if i.formula is None]  # (derived ones are computed)
    inputs = reported_inputs(rubric)
    lead = len(meta)

    def hint(key: str, meta_cells: list[str], cells: list[str]) -> _Row:
        return _Row([f"# {_say(key, lang)}", *meta_cells[1:], *cells], "hint")

    blank = [""] * lead
    items: list[Indicator | Input] = [*indicators, *inputs]  # the columns to fill in
    rows = [_marker_row(rubric, "many-bases", lang),
            _Row([*meta, *(i.id for i in items)], "header")]
    if lang in ("zh", "both"):
        rows.append(hint("names_zh", [fields[k][0] for k in meta],  # (zh only: en where no zh)
                         [i.name.zh or (i.name.en if lang == "zh" else "") or "" for i in items]))
    if lang in ("en", "both"):
        rows.append(hint("names_en", [fields[k][1] for k in meta],
                         [i.name.en or "" for i in items]))
    direction_of = {i.id: d for d in rubric.directions for i in d.indicators}
    rows.append(hint("direction", blank, [_label(direction_of[i.id].name, lang) for i in indicators]
                     + [_say("inputs_sheet", lang)] * len(inputs)))
    rows.append(hint("units", blank, [_label(i.unit, lang) for i in items]))
    rows.append(hint("better", blank, [_better(i, lang) for i in indicators] + [""] * len(inputs)))
    categories = [" | ".join(category_items(rubric, lang)) if key == "category" and rubric.categories
                  else "" for key in meta]
    rows.append(hint("allowed", categories, [_short_allowed(rubric, i, lang) for i in indicators]
                     + [input_range(i) or _say("number", lang) for i in inputs]))
    if computed_hint(rubric, lang):  # what has no column: derived indicators, rolled-up inputs
        rows.append(_Row([f"# {_say('computed_list', lang)}", computed_hint(rubric, lang)], "hint"))
    first_data = len(rows) + 1
    for profile in profiles:
        known = _base_values(profile)
        rows.append(_Row([known.get(key) for key in meta]
                         + [_value_cell(i, profile.value(i.id), lang, xlsx) for i in indicators]
                         + [_input_cell(profile.value(i.id), xlsx) for i in inputs], "data"))
    last = max(len(rows), first_data + 499)
    widths = (24.0, 18.0, 18.0, 8.0, 12.0, 12.0, *([16.0] * len(items)))
    table = _Table(_say("bases_sheet", lang), rows, widths, f"D{first_data}",
                   tuple(range(len(meta) + len(items))), (first_data, last))
    table.checks.append(("year", f"D{first_data}:D{last}"))
    if rubric.categories:
        letters = _column_letters(meta.index("category") + 1)
        table.checks.append(("category", f"{letters}{first_data}:{letters}{last}"))
    for m, item in enumerate(items):
        letters = _column_letters(lead + m + 1)
        table.checks.append((item, f"{letters}{first_data}:{letters}{last}"))
    tables = [table]
    if xlsx:  # a reference sheet with every indicator's definition and levels
        left_out = ("value", "source", "confidence", *(("name_en",) if lang == "zh" else ()))
        keys = [k for k in KEYS if k not in left_out]
        reference = [_Row([_title(k, lang) for k in keys], "header")]
        for every in rubric.indicators:
            cells = _indicator_row(rubric, every, lang, None, xlsx).cells
            reference.append(_Row([cells[KEYS.index(k)] for k in keys], "indicator"))
        for item in rubric.inputs or ():
            cells = input_row(rubric, item, lang, None, xlsx).cells
            reference.append(_Row([cells[KEYS.index(k)] for k in keys], "indicator"))
        tables.append(_Table(_say("indicators_sheet", lang), reference,
                             tuple(w for k, w in zip(KEYS, ONE_BASE_WIDTHS) if k in keys), "B2"))
    return tables


def _input_cell(value: bool | float | str | None, xlsx: bool) -> Any:
    """An input's value as written in a many-bases row (a number, or blank)."""
    if not isinstance(value, float):
        return None
    if xlsx:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return _number_text(value)


def _short_allowed(rubric: Rubric, indicator: Indicator, lang: TemplateLang) -> str:
    if indicator.kind == "boolean":
        return _allowed(rubric, indicator, lang, "")
    if indicator.kind == "qualitative":
        names = [f"{k} {_level_name(rubric, k, lang)}" for k in range(rubric.level_count + 1)]
        text = " | ".join(names + level_items(rubric, indicator, lang)[len(names):])  # (and n/a)
    else:
        text = _valid_range(rubric, indicator) or _say("number", lang)
    return _with_notes(text, _notes(rubric, indicator, lang), lang)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


NAME_EN = KEYS.index("name_en")
NAME_COLUMN_ROWS = ("header", "base", "indicator", "computed")  # the rows with one cell per column


def _has_names(table: _Table) -> bool:
    """A table of the one-base columns (id, name_zh, name_en, value ...) in Chinese."""
    titles = [COLUMNS[key][0] for key in KEYS]
    return any(row.kind == "header" and row.cells == titles for row in table.rows)


def _without_column(table: _Table, column: int) -> _Table:
    """``table`` with one of the one-base columns left out: cells, widths, input columns and the
    cells its checks name move left."""
    rows = [_Row(row.cells[:column] + row.cells[column + 1:], row.kind)
            if row.kind in NAME_COLUMN_ROWS else row for row in table.rows]
    widths = table.widths[:column] + table.widths[column + 1:]
    inputs = tuple(c - (c > column) for c in table.input_columns if c != column)
    checks = [(what, re.sub(r"[A-Z]+", lambda m: _shifted(m.group(), column), cells))
              for what, cells in table.checks]
    return replace(table, rows=rows, widths=widths, input_columns=inputs, checks=checks)


def _shifted(letters: str, column: int) -> str:
    """The letters of a column once ``column`` (0-based) is left out before it."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return _column_letters(index - 1 if index - 1 > column else index)


def _save_csv(tables: list[_Table], target: Path, layout: Layout) -> None:
    rows = list(tables[0].rows)
    if layout == "one-base":
        for table in tables[1:]:
            for row in table.rows:
                if row.kind == "title":
                    rows.append(_Row([f"# {row.cells[0]}"], "hint"))
                elif row.kind in ("indicator", "computed"):
                    rows.append(row)
    verbatim = {c for table in tables for c in table.input_columns}  # values (and sources) as given
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        cells = [_csv_cell(value) for value in row.cells]
        if row.kind in ("indicator", "computed", "base"):  # informative text on one line
            cells = [c if k in verbatim else one_line(c) for k, c in enumerate(cells)]
        # no cell runs as a formula (most cannot start one: their first character says so)
        writer.writerow([cell if cell[:1] not in FORMULA_FIRST else _inert(cell) for cell in cells])
    _write_bytes(target, buffer.getvalue().encode("utf-8-sig"))  # the BOM tells Excel it is UTF-8


