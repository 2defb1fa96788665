"""Where a rubric's numbers come from, as displays show it: how each weight was set (directly, or by
pairwise comparison with its CR), the inputs bases report or roll up, the enterprise fields, and
the formula of each derived indicator (rubric view, report appendix)."""

from __future__ import annotations

from .._analysis.weights import consistency_text, weight_blocks
from .._model.derived import Input
from .._model.formula import operands, parse
from .._model.label import text_in
from .._model.rubric import Rubric
from .._text import Lang, word
from .formats import CellLike, Table


def weights_line(rubric: Rubric, lang: Lang) -> str:
    """``Weights: directions by pairwise comparison (AHP), CR 0.003 ≤ 0.10: consistent; the
    others set directly.`` (or ``Weights: set directly.``)."""
    parts = []
    blocks = weight_blocks(rubric).blocks
    for block in blocks:
        if block.method != "ahp":
            continue
        what = (word("weights.of directions", lang) if block.direction is None else
                word("weights.of indicators", lang).format(
                    direction=rubric.direction(block.direction).name.text(lang)))
        consistency = consistency_text(block, lang)
        parts.append(word("weights.by ahp", lang).format(what=what, consistency=consistency))
    if not parts:
        parts.append(word("weights.direct", lang))
    elif len(parts) < len(blocks):
        parts.append(word("weights.others direct", lang))
    return word("weights.view", lang).format(blocks=word("diff.separator", lang).join(parts))


def users(rubric: Rubric) -> dict[str, list[str]]:
    """Input id: the derived indicators whose formula uses it, in rubric order."""
    used: dict[str, list[str]] = {item.id: [] for item in rubric.inputs or ()}
    for indicator in rubric.indicators:
        if indicator.formula is not None and indicator.kind == "quantitative":
            for name in operands(parse(indicator.formula, rubric.input_ids)):
                used[name].append(indicator.id)
    return used


def obtained(item: Input, lang: Lang) -> str:
    """``reported directly`` or the roll-up, ``sum of tonnes``."""
    from .._analysis.diff.words import rollup  # (loading diff/ only when an input is shown)

    return rollup(None if item.rollup is None else item.rollup.model_dump(exclude_none=True))[lang]


def inputs_table(rubric: Rubric, lang: Lang) -> Table | None:
    """The inputs: name, unit, how each is obtained (reported or rolled up) and which formulas use it."""
    if not rubric.inputs:
        return None
    used = users(rubric)
    rows: list[list[CellLike]] = [
        [item.id, item.name.text(lang), text_in(item.unit, lang) or "", obtained(item, lang),
         ", ".join(used[item.id]) or "—"] for item in rubric.inputs]
    return Table([word("prov.input", lang), word("name", lang), word("unit", lang),
                  word("prov.obtained", lang), word("prov.used by", lang)], rows,
                 caption=word("prov.inputs", lang))


def fields_table(rubric: Rubric, lang: Lang) -> Table | None:
    """The enterprise fields: name, unit, kind and the inputs rolled up from each."""
    if not rubric.enterprise_fields:
        return None
    into: dict[str, list[str]] = {field.id: [] for field in rubric.enterprise_fields}
    for item in rubric.inputs or ():
        for _, field, _ in item.rollup.fields_used() if item.rollup else ():
            into[field].append(item.id)
    rows: list[list[CellLike]] = [
        [field.id, field.name.text(lang), text_in(field.unit, lang) or "", word(field.kind, lang),
         ", ".join(into[field.id]) or "—"] for field in rubric.enterprise_fields]
    return Table([word("prov.field", lang), word("name", lang), word("unit", lang), word("kind", lang),
                  word("prov.rolled into", lang)], rows, caption=word("prov.fields", lang))


def source_tables(rubric: Rubric, lang: Lang) -> list[Table]:
    """The inputs and enterprise-field tables a rubric has (none for a rubric without them)."""
    return [t for t in (inputs_table(rubric, lang), fields_table(rubric, lang)) if t is not None]
