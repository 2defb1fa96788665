"""``upgrade-score weights``: each weight block of a rubric (the directions, each direction's
indicators) with its weights, shares of the overall score and, for pairwise comparison (AHP),
λ_max, CI, CR and the most inconsistent comparisons."""

from __future__ import annotations

from .._analysis.weights import MAX_CR, WeightBlock, WeightsReport, consistency_text
from .._model.rubric import Rubric
from .._text import Lang, word
from .formats import CellLike, Table, View, render


def block_caption(block: WeightBlock, rubric: Rubric, lang: Lang) -> str:
    """``Directions · pairwise comparison (AHP)`` or ``Indicators of Green · set directly``."""
    if block.direction is None:
        what = word("weights.directions", lang)
    else:
        what = word("weights.indicators of", lang).format(
            direction=rubric.direction(block.direction).name.text(lang))
    return f"{what} · {word('weights.ahp' if block.method == 'ahp' else 'weights.direct', lang)}"


def block_note(block: WeightBlock, lang: Lang) -> str | None:
    """``λ_max 3.004 · CI 0.002 · CR 0.003 ≤ 0.10: consistent; most inconsistent: …`` (AHP only)."""
    if block.method != "ahp" or block.lambda_max is None or block.ci is None:
        return None
    eigen = word("weights.eigen", lang).format(lambda_max=f"{block.lambda_max:.3f}", ci=f"{block.ci:.3f}")
    return f"{eigen} · {consistency_text(block, lang, worst=True)}"


def weight_text(block: WeightBlock, weight: float) -> str:
    """A derived weight to 3 decimals; a written one as written."""
    return f"{weight:.3f}" if block.method == "ahp" else f"{weight:g}"


def weights_view(report: WeightsReport, rubric: Rubric, lang: Lang) -> View:
    """One table per block: id, name, weight and share of the overall score."""
    names = {**{d.id: d.name.text(lang) for d in rubric.directions},
             **{i.id: i.name.text(lang) for i in rubric.indicators}}
    tables = []
    for block in report.blocks:
        rows: list[list[CellLike]] = [
            [item, names[item], weight_text(block, weight), f"{100 * block.shares[item]:.1f} %"]
            for item, weight in block.weights.items()]
        what = word("direction" if block.direction is None else "indicator", lang)
        tables.append(Table([what, word("name", lang),
                             word("weights.weight", lang), word("weights.share", lang)], rows, right=(2, 3),
                            caption=block_caption(block, rubric, lang), note=block_note(block, lang)))
    pairwise = [block for block in report.blocks if block.method == "ahp"]
    failed = [block for block in pairwise if not block.consistent]
    limit = f"{MAX_CR:.2f}"
    if not pairwise:
        summary = word("weights.all direct", lang)
    elif failed:
        summary = word("weights.failed", lang).format(n=len(failed), limit=limit)
    else:
        summary = word("weights.passed", lang).format(limit=limit)
    heading = word("weights.heading", lang).format(title=rubric.title.text(lang), id=rubric.id,
                                                   version=rubric.version)
    return View(heading, [summary], tables)


def render_weights(report: WeightsReport, rubric: Rubric, kind: str, lang: Lang) -> str:
    """The report as ``json``, ``text`` or ``markdown``."""
    if kind == "json":
        return report.to_json()
    return render(weights_view(report, rubric, lang), "markdown" if kind == "markdown" else "text")
