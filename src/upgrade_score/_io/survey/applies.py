"""Reading rubric language 2 back from a template: the base's category, and which indicators
apply to it (design.md points 9 and 10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._errors import FieldPath, Problem, did_you_mean, known_list
from ..._model.rubric import Rubric
from .cells import Cell
from .sheet import _category_item, _fold


def category_words(rubric: Rubric) -> dict[str, str]:
    """What a person may write for a category (folded) → its id: the id, its names, and the
    ``id（name）`` items the template lists, in every language; words shared by two categories
    are left out."""
    words: dict[str, str] = {}
    clashes: set[str] = set()
    for category in rubric.categories or ():
        forms = [category.name.zh, category.name.en,
                 *(_category_item(category, lang) for lang in ("zh", "en", "both"))]
        for form in forms:
            key = _fold(form) if form else ""
            if key and words.setdefault(key, category.id) != category.id:
                clashes.add(key)
    for key in clashes:
        del words[key]
    for category in rubric.categories or ():  # an id is always itself
        words[_fold(category.id)] = category.id
    return words


def unknown_category(rubric: Rubric, text: str) -> str:
    """The message for a category the rubric does not declare."""
    return (f"unknown category '{text}'{did_you_mean(text, rubric.category_ids)} "
            f"(known: {known_list(rubric.category_ids)})")


def applicability_problems(rubric: Rubric, category: str | None, values: Mapping[str, Mapping[str, Any]],
                           cells: Mapping[str, Cell]) -> list[Problem]:
    """A problem at each value (n/a included) given for an indicator that does not apply to a base
    of ``category`` (``None``: a base without a category, outside every ``applies_to``)."""
    if not rubric.categories:
        return []
    problems: list[Problem] = []
    indicators = {i.id: i for i in rubric.indicators}
    for indicator_id, entry in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None or indicator.applies(category) or entry.get("value") is None:
            continue
        which = f"category '{category}'" if category else "a base without a category"
        fix = "leave the cell blank" if category else "give the base's category, or leave the cell blank"
        path: FieldPath = (indicator_id,)
        problems.append(cells[indicator_id].problem(
            f"does not apply to {which} (applies to: {', '.join(indicator.applies_to or ())}): "
            f"{fix}", path))
    return problems
