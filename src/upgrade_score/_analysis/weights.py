"""Where a rubric's weights come from: per block (the directions, and each direction's indicators)
the weights, their shares of the overall score, and for pairwise comparison (AHP, design point 14)
λ_max, CI, CR and the comparisons most at odds with the derived weights.

``check`` fails a rubric whose consistency ratio exceeds :data:`MAX_CR`; ``upgrade-score weights``
prints these blocks; the rubric view, report appendix and DataFrame show the method and CR.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from .._errors import FieldPath, format_path
from .._model.derived import PairwiseWeights
from .._model.results import Result, RubricRef
from .._model.rubric import Rubric
from .._text import LANGUAGES, Lang, word

MAX_CR = 0.10  # Saaty: a consistency ratio above 10 % means the judgements need revisiting
Method = Literal["ahp", "direct"]


class Judgement(Result):
    """One pairwise comparison: ``a`` against ``b`` was judged ``judged`` (a_ab); the derived
    weights imply ``implied`` (w_a / w_b)."""

    a: str
    b: str
    judged: float
    implied: float


class WeightBlock(Result):
    """The weights of one block: the directions (``direction`` is ``None``) or one direction's
    indicators. ``weights`` are as the engine uses them (derived ones for AHP), ``shares`` each
    item's share of the overall (arithmetic) score. For ``method: ahp`` also λ_max, CI, CR,
    whether CR ≤ 0.10, and up to three comparisons most at odds with the weights."""

    path: str
    direction: str | None = None
    method: Method
    weights: dict[str, float]
    shares: dict[str, float]
    lambda_max: float | None = None
    ci: float | None = None
    cr: float | None = None
    consistent: bool = True
    worst: tuple[Judgement, ...] = ()


class WeightsReport(Result):
    """Every weight block of a rubric, directions first, then each direction in rubric order."""

    rubric: RubricRef
    blocks: tuple[WeightBlock, ...]

    @property
    def consistent(self) -> bool:
        """Whether every pairwise block has CR ≤ 0.10."""
        return all(block.consistent for block in self.blocks)


def _judgements(block: PairwiseWeights) -> tuple[Judgement, ...]:
    result, order = block.result, block.order
    return tuple(Judgement(a=order[i], b=order[j], judged=block.pairwise[i][j],
                           implied=result.weights[i] / result.weights[j])
                 for i, j, _ in result.worst)


def _block(path: FieldPath, direction: str | None, pairwise: PairwiseWeights | None,
           weights: dict[str, float], shares: dict[str, float]) -> WeightBlock:
    where = format_path(path)
    if pairwise is None:  # the weights are written on the items themselves
        items = ("directions",) if direction is None else (*path[:2], "indicators")
        return WeightBlock(path=format_path(items), direction=direction, method="direct", weights=weights,
                           shares=shares)
    result = pairwise.result
    return WeightBlock(path=where, direction=direction, method="ahp", weights=weights, shares=shares,
                       lambda_max=result.lambda_max, ci=result.ci, cr=result.cr,
                       consistent=result.cr <= MAX_CR, worst=_judgements(pairwise))


def located_blocks(rubric: Rubric) -> Iterator[tuple[FieldPath, WeightBlock]]:
    """Each weight block with the field path of its pairwise matrix (where one would be)."""
    compiled = rubric.compiled
    overall = dict(zip(rubric.direction_ids, compiled.overall_shares.tolist()))
    indicator_shares = dict(zip(rubric.indicator_ids, compiled.indicator_shares.tolist()))
    path: FieldPath = ("direction_weights", "pairwise")
    yield path, _block(path, None, rubric.direction_weights,
                       {d.id: d.weight for d in rubric.directions}, overall)
    for j, direction in enumerate(rubric.directions):
        path = ("directions", j, "indicator_weights", "pairwise")
        yield path, _block(path, direction.id, direction.indicator_weights,
                           {i.id: i.weight for i in direction.indicators},
                           {i.id: indicator_shares[i.id] for i in direction.indicators})


def weight_blocks(rubric: Rubric) -> WeightsReport:
    """The weight blocks of ``rubric``: how each weight was set, and for AHP how consistently."""
    blocks = tuple(block for _, block in located_blocks(rubric))
    return WeightsReport(rubric=RubricRef.of(rubric), blocks=blocks)


def ratio(value: float) -> str:
    """A judgement or ratio as read: ``5``, ``1/3``, ``1.4``, ``0.71``."""
    if value < 1 and abs(1 / value - round(1 / value)) < 1e-6:
        return f"1/{round(1 / value)}"
    return f"{value:.2g}" if value < 10 else f"{value:.3g}"


def judgement_text(judgement: Judgement, lang: Lang) -> str:
    """``high_value vs chain: judged 5, the weights imply 1.4``."""
    return word("weights.judgement", lang).format(a=judgement.a, b=judgement.b,
                                                  judged=ratio(judgement.judged),
                                                  implied=ratio(judgement.implied))


def consistency_text(block: WeightBlock, lang: Lang, worst: bool | None = None) -> str:
    """``CR 0.153 > 0.10: the comparisons are inconsistent; most inconsistent: a vs b: judged …``
    (``worst``: list the worst comparisons; by default only when CR > 0.10)."""
    if block.cr is None:
        return word("weights.direct", lang)
    key = "weights.consistent" if block.consistent else "weights.inconsistent"
    text = word(key, lang).format(cr=f"{block.cr:.3f}", limit=f"{MAX_CR:.2f}")
    if block.worst and (not block.consistent if worst is None else worst):
        separator = word("diff.separator", lang)
        text += word("weights.worst", lang).format(
            list=separator.join(judgement_text(j, lang) for j in block.worst))
    return text


def consistency_texts(block: WeightBlock) -> dict[Lang, str]:
    """:func:`consistency_text` in every language."""
    return {lang: consistency_text(block, lang) for lang in LANGUAGES}
