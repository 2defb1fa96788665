"""The parts of a template for rubric language 2's inputs and enterprises (design points 12–13):
rows for the reported inputs (name, unit in the template's language, valid range), a note where a
value is computed (a derived indicator) or rolled up (an input summed or counted from the
enterprise rows) instead of asked for, and the enterprises table (one row per enterprise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._errors import one_line
from ..._model.derived import Input
from ..._model.profile import BaseProfile
from ..._model.rubric import Indicator, Rubric
from ..._text import Lang
from .cells import _column_letters
from .sheet import KEYS, TemplateLang, _label, _number_text, _Row, _say, _say_each, _shown, _Table, _title

ENTERPRISE_LEAD = ("id", "name")  # the columns before the fields (after base_id in many-bases)
ENTERPRISE_WIDTHS = (16.0, 18.0, 28.0)
MANY_ENTERPRISE_ROWS = 2_000  # rows of a many-bases enterprises sheet given drop-downs
ONE_ENTERPRISE_ROWS = 500


def _text_side(lang: TemplateLang) -> Lang:
    return "zh" if lang == "zh" else "en"


def rollup_text(rubric: Rubric, item: Input, lang: TemplateLang) -> str:
    """How an input is rolled up, in words: ``处理量合计`` / ``sum of Tonnes processed``."""
    assert item.rollup is not None
    rollup = item.rollup
    names = {f.id: f.name for f in rubric.enterprise_fields or ()}

    def fill(language: Lang) -> dict[str, str]:
        return {"field": names[rollup.field].text(language) if rollup.field in names else "",
                "weight": names[rollup.weight].text(language) if rollup.weight in names else ""}

    key = f"rollup_{rollup.form}" + ("_weighted" if rollup.weight else "")
    return _say_each(key, lang, fill)


def computed_note(rubric: Rubric, item: Indicator | Input, lang: TemplateLang) -> str | None:
    """What the template says instead of asking for a value: computed by a formula, or rolled
    up from the enterprises (None: the value is asked for)."""
    if isinstance(item, Indicator):
        formula = item.formula
        return None if formula is None else _say_each("computed", lang, lambda _: {"formula": formula})
    if item.rollup is None:
        return None
    how = rollup_text(rubric, item, lang)
    return _say_each("rolled_up", lang, lambda _: {"how": how})


def input_range(item: Input) -> str:
    if item.valid_range is None:
        return ""
    low, high = item.valid_range
    return f"{_shown(low)}–{_shown(high)}"


def input_row(rubric: Rubric, item: Input, lang: TemplateLang, reported: Any, xlsx: bool) -> _Row:
    """The row of an input: asked for (a number in its unit and range), or noted as rolled up."""
    value = source = confidence = None
    if reported is not None and isinstance(reported.value, float):
        value = (int(reported.value) if reported.value.is_integer() and abs(reported.value) < 1e15
                 else reported.value) if xlsx else _number_text(reported.value)
        source = reported.source
        if reported.confidence is not None:
            confidence = reported.confidence if xlsx else _number_text(reported.confidence)
    note = computed_note(rubric, item, lang)
    cells = [item.id, item.name.zh or "", item.name.en or "", value, _label(item.unit, lang), source,
             confidence, "", input_range(item), note or _say("number", lang),
             one_line(_label(item.description, lang))]
    return _Row(cells, "indicator" if note is None else "computed")


def inputs_table(rubric: Rubric, lang: TemplateLang, profile: BaseProfile | None, xlsx: bool,
                 widths: tuple[float, ...]) -> _Table | None:
    """One-base: the sheet of the base's reported figures (None for a rubric without inputs)."""
    if not rubric.inputs:
        return None
    header = _Row([_title(key, lang) for key in KEYS], "header")
    rows = [_Row([_say("inputs_sheet", lang), _say("inputs_note", lang)], "title"), header]
    table = _Table(_say("inputs_sheet", lang), rows, widths, "B3",
                   (KEYS.index("value"), KEYS.index("source"), KEYS.index("confidence")))
    values = profile.values if profile is not None else {}
    for item in rubric.inputs:
        rows.append(input_row(rubric, item, lang, values.get(item.id), xlsx))
        if item.rollup is None:
            table.checks.append((item, f"D{len(rows)}"))
            table.checks.append(("confidence", f"G{len(rows)}"))
    return table


def reported_inputs(rubric: Rubric) -> tuple[Input, ...]:
    """The inputs a base fills in (not the rolled-up ones)."""
    return tuple(item for item in rubric.inputs or () if item.rollup is None)


def computed_hint(rubric: Rubric, lang: TemplateLang) -> str:
    """Many-bases: the derived indicators and rolled-up inputs, which have no column."""
    separator = "；" if lang == "zh" else "; "
    parts = [f"{i.id} {note}" for i in rubric.indicators if (note := computed_note(rubric, i, lang))]
    parts += [f"{i.id} {note}" for i in rubric.inputs or () if (note := computed_note(rubric, i, lang))]
    return separator.join(parts)


def _figure_cell(value: Any, words: tuple[str, str] | None) -> Any:
    """An enterprise figure as written: a number, or for a yes/no field one of ``words`` (no, yes)."""
    if value is None:
        return None
    if words is not None:
        return words[bool(value)]
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def enterprise_table(rubric: Rubric, lang: TemplateLang, profiles: Sequence[BaseProfile],
                     one_base: bool) -> _Table | None:
    """The enterprises sheet: a header of column ids, ``#`` rows of names, units and allowed
    values, then one row per enterprise (those of ``profiles``, when prefilled). In the one-base
    layout every row is the base's (no ``base_id`` column)."""
    fields = rubric.enterprise_fields or ()
    if not fields:
        return None
    lead = list(ENTERPRISE_LEAD) if one_base else ["base_id", *ENTERPRISE_LEAD]
    titles = [_say("enterprise_id", lang), _say("enterprise_name", lang)]
    if not one_base:
        titles.insert(0, _say("base_of", lang))
    side = _text_side(lang)

    def hint(key: str, cells: list[str]) -> _Row:
        return _Row([f"# {_say(key, lang)}", *cells], "hint")

    rows = [_Row([*lead, *(f.id for f in fields)], "header"),
            _Row([f"# {titles[0]}", *titles[1:], *(_label(f.name, lang) for f in fields)], "hint"),
            hint("units", [*[""] * (len(lead) - 1), *(_label(f.unit, lang) for f in fields)]),
            hint("allowed", [*[""] * (len(lead) - 1), *(
                f"{_say('yes', lang)} {_say('or', lang)} {_say('no', lang)}" if f.kind == "boolean"
                else _say("number", lang) for f in fields)])]
    first = len(rows) + 1
    yes_no = (_say("no", lang), _say("yes", lang))
    columns = [(f.id, yes_no if f.kind == "boolean" else None) for f in fields]
    for profile in profiles:
        for enterprise in profile.enterprises or ():
            figures = enterprise.model_extra or {}  # (its figures, not copied)
            name = enterprise.name.text(side) if enterprise.name is not None else None
            rows.append(_Row([*([profile.id] if not one_base else []),
                              None if enterprise.id is None else str(enterprise.id), name,
                              *[_figure_cell(figures.get(key), words) for key, words in columns]], "data"))
    last = max(len(rows), first + (ONE_ENTERPRISE_ROWS if one_base else MANY_ENTERPRISE_ROWS) - 1)
    widths = (*ENTERPRISE_WIDTHS[3 - len(lead):], *([16.0] * len(fields)))
    table = _Table(_say("enterprises_sheet", lang), rows, widths, f"{_column_letters(len(lead) + 1)}{first}",
                   tuple(range(len(lead) + len(fields))), (first, last))
    for f, field in enumerate(fields):
        letters = _column_letters(len(lead) + f + 1)
        table.checks.append((field, f"{letters}{first}:{letters}{last}"))
    return table
