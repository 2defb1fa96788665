"""The words of a change's message, in every language (English keeps the rubric's field names).

Each change is described once per language from the same parts, so the English ``message`` and
its Chinese rendering always say the same thing.
"""

from __future__ import annotations

import re

from pydantic import JsonValue

from ..._errors import one_line
from ..._text import LANGUAGES, Lang, word

Texts = dict[Lang, str]
ENUM_FIELDS = ("kind", "better", "aggregation", "missing", "interpolation")
CONDITIONS = {"at_least": "≥", "at_most": "≤", "equals": "="}
_LEVEL_FIELD = re.compile(r"^levels\[(\d+)\]\.(\w+)$")
_BY_CATEGORY = re.compile(r"^(thresholds|floor)_by_category\.(.+)$")


def in_every_language(template: str, **parts: object) -> Texts:
    """A catalogue ``template`` filled with the same ``parts`` in every language; a part may be a
    :data:`Texts` (its text in each language)."""
    return {lang: word(template, lang).format(**{k: v[lang] if isinstance(v, dict) else v
                                                  for k, v in parts.items()})
            for lang in LANGUAGES}


def show(value: JsonValue, width: int = 60, lang: Lang = "en", name: str = "") -> str:
    """A compact one-line rendering of a changed value (``name``: the field it belongs to)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower() if lang == "en" else word("diff.yes" if value else "diff.no", lang)
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, list):
        text = "[" + ", ".join(show(v, width, lang) for v in value) + "]"
    elif isinstance(value, dict):
        text = _mapping(value, width, lang)
    elif lang != "en" and name in ENUM_FIELDS:
        text = word(f"diff.{value}" if name == "interpolation" else str(value), lang)
    elif lang != "en" and name == "scope":
        text = word("overall", lang) if value == "overall" else f"{word('direction', lang)} {value}"
    else:
        text = one_line(str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


def _mapping(value: dict[str, JsonValue], width: int, lang: Lang) -> str:
    if lang == "en":
        return "; ".join(f"{k}: {show(v, width)}" for k, v in value.items())
    names = {"zh": word("diff.zh", lang), "en": word("diff.en", lang)}
    return "；".join(f"{names.get(k, k)}：{show(v, width, lang)}" for k, v in value.items())


def shown(value: JsonValue, name: str = "", default: bool = False) -> Texts:
    """``value`` in every language, marked as a default where it is one."""
    note = {lang: word("diff.default", lang) if default else "" for lang in LANGUAGES}
    return {lang: show(value, lang=lang, name=name) + note[lang] for lang in LANGUAGES}


def applies_to(value: JsonValue) -> Texts:
    """An ``applies_to`` list, or every base when there is none."""
    return {lang: word("diff.every base", lang) if value is None else show(value, lang=lang)
            for lang in LANGUAGES}


def rollup(value: JsonValue) -> Texts:
    """A roll-up, ``{"sum": "tonnes"}``: ``sum of tonnes``; none: reported directly."""
    if not isinstance(value, dict):
        return {lang: word("diff.reported", lang) for lang in LANGUAGES}
    form = next(key for key in value if key != "weight")
    key = "diff.rollup.mean weighted" if "weight" in value else f"diff.rollup.{form}"
    return {lang: word(key, lang).format(field=value[form], weight=value.get("weight")) for lang in LANGUAGES}


def field_name(field: str) -> Texts:
    """The changed field: its path in English, its name in the other languages."""
    names: Texts = {"en": field}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        level, by_category = _LEVEL_FIELD.match(field), _BY_CATEGORY.match(field)
        if level:
            names[lang] = word("diff.level field", lang).format(
                level=int(level[1]) + 1, field=word(f"diff.f.{level[2]}", lang))
        elif by_category:
            names[lang] = word(f"diff.f.{by_category[1]} by category", lang).format(category=by_category[2])
        else:
            names[lang] = word(f"diff.f.{field}", lang)
    return names


def condition(value: JsonValue) -> Texts:
    """A gate condition, ``{"at_least": 100}``: ``at_least 100`` in English, ``≥ 100`` otherwise."""
    assert isinstance(value, dict)
    return {lang: " ".join(f"{name if lang == 'en' else CONDITIONS[name]} {show(limit, lang=lang)}"
                           for name, limit in value.items()) for lang in LANGUAGES}


def ratio(value: float) -> str:
    """A pairwise judgement as written: ``5``, ``1/3``, ``0.4``."""
    if value < 1 and abs(1 / value - round(1 / value)) < 1e-6:
        return f"1/{round(1 / value)}"
    return f"{value:g}"


def percent(share: float) -> str:
    """``16.7 %``."""
    return f"{100 * share:.1f} %"
