"""How a derived value was reached (design points 12–13), in words: each derived indicator's
formula with its operands' values (``= energy_use / value_added = 4,200 tce / 1,700 万元``), how
many enterprise rows fed each rolled-up operand, and why a value is missing (a denominator of 0).
One source for the scorecard view, the HTML report and the scorecard DataFrame."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .._engine.formula import evaluate
from .._model.formula import Binary, Expr, Unary, operands, parse
from .._model.label import text_in
from .._model.results import DerivedValue, Scorecard
from .._text import word
from .formats import CellLike, Table, number

if TYPE_CHECKING:
    from .._model.rubric import Rubric
    from .._text import Lang

DIVISION_BY_ZERO = "division_by_zero"


def operand_text(name: str, value: float | None, rubric: Rubric | None, lang: Lang) -> str:
    """An operand's value with its input's unit (``4,200 tce``), ``not reported`` when missing."""
    if value is None:
        return word("missing", lang)
    unit = None
    if rubric is not None:
        unit = next((i.unit for i in rubric.inputs or () if i.id == name), None)
    shown = text_in(unit, lang) if unit is not None else ""
    return f"{number(value)} {shown}" if shown else number(value)


def formula_text(derived: DerivedValue, rubric: Rubric | None, lang: Lang) -> str:
    """``= energy_use / value_added = 4,200 tce / 1,700 万元``: the formula, then the formula with
    each operand replaced by its value."""
    written = _written(derived.formula)
    if written is None:  # (a formula the result was computed with always parses)
        return f"= {derived.formula}"
    text, names, pattern = written
    if pattern is None:
        return f"= {derived.formula}"
    values = {name: operand_text(name, derived.inputs.get(name), rubric, lang) for name in names}
    return f"= {derived.formula} = {pattern.sub(lambda m: values[m.group(1)], text)}"


@lru_cache(maxsize=1024)
def _written(formula: str) -> tuple[str, tuple[str, ...], re.Pattern[str] | None] | None:
    """A formula as :func:`str` of its tree writes it, its operands and a pattern that finds them
    in that text (worked out once per formula: a report writes the same formulas for every base);
    ``None`` if it does not parse."""
    try:
        expr = parse(formula)
    except ValueError:
        return None
    names = operands(expr)
    pattern = re.compile(r"(?<![A-Za-z0-9_.-])(" + "|".join(
        re.escape(name) for name in sorted(names, key=len, reverse=True)) + r")(?![A-Za-z0-9_.-])") \
        if names else None
    return str(expr), names, pattern


def zero_denominators(derived: DerivedValue) -> list[str]:
    """The denominators of a formula that are 0 with the operands' values (``value_added``, or
    ``(a - b)`` for a difference)."""
    try:
        expr = parse(derived.formula)
    except ValueError:
        return []
    columns = {name: np.array([np.nan if v is None else v], dtype=np.float64)
               for name, v in derived.inputs.items()}
    found = []
    for node in _divisions(expr):
        needed = operands(node.right)
        if any(np.isnan(columns[name][0]) for name in needed if name in columns):
            continue
        value, _ = evaluate(node.right, {name: columns[name] for name in needed} or {"": np.zeros(1)})
        if float(value[0]) == 0.0:
            found.append(str(node.right))
    return list(dict.fromkeys(found))


def _divisions(expr: Expr) -> Iterator[Binary]:
    if isinstance(expr, Binary):
        if expr.op == "/":
            yield expr
        yield from _divisions(expr.left)
        yield from _divisions(expr.right)
    elif isinstance(expr, Unary):
        yield from _divisions(expr.operand)


def derived_lines(derived: DerivedValue, rubric: Rubric | None, lang: Lang) -> list[str]:
    """The formula line, one line per rolled-up operand (``green_count: 2 (from 3 enterprise
    rows)``) and, when a denominator was 0, ``missing: division by zero (value_added = 0)``."""
    lines = [formula_text(derived, rubric, lang)]
    for name, rows in (derived.enterprise_rows or {}).items():
        value = operand_text(name, derived.inputs.get(name), rubric, lang)
        fed = word("from one enterprise row", lang) if rows == 1 else \
            word("from enterprise rows", lang).format(n=rows)
        lines.append(f"{name}: {value}{'' if lang == 'zh' else ' '}{fed}")
    if derived.missing_reason == DIVISION_BY_ZERO:
        zero = ", ".join(f"{text} = 0" for text in zero_denominators(derived))
        lines.append(word("division by zero at", lang).format(zero=zero) if zero
                     else word("division by zero", lang))
    return lines


def derived_table(card: Scorecard, rubric: Rubric | None, lang: Lang, *, collapsed: bool) -> Table | None:
    """One row per derived indicator (its formula with values) and a row under it for each
    rolled-up operand and a missing reason; None when the scorecard has no derived values."""
    rows: list[list[CellLike]] = []
    for indicator_id, result in card.indicators.items():
        if result.derived is None:
            continue
        lines = derived_lines(result.derived, rubric, lang)
        rows.append([indicator_id, lines[0]])
        rows.extend(["", line] for line in lines[1:])
    if not rows:
        return None
    return Table([word("indicator", lang), word("computed as", lang)], rows,
                 caption=word("derived values", lang), collapsed=collapsed)
