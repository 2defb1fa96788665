"""The two rules every score goes through, each in one place:

* **missing policies**: what a direction's weighted mean divides by (``zero``: every indicator's
  weight, so a missing value counts as level 0; ``exclude``: only the weight of what is present);
* **aggregations**: how direction scores combine into the overall score. Each is a fold over the
  directions — ``term`` of one direction's score and share, ``combine`` into the running result,
  ``finish`` at the end — so the engine (fixed weights) and the sensitivity sweeps (sampled
  weights) run the very same arithmetic. Adding a method is one registry entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .compile import BoolArray, CompiledRubric, FloatArray

Binary = Callable[[FloatArray, FloatArray], FloatArray]


def _identity(out: FloatArray) -> FloatArray:
    return out


def _log_term(score: FloatArray, share: FloatArray) -> FloatArray:
    """share · ln(score), with a zero share of a zero score counting as D⁰ = 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term: FloatArray = np.log(score) * share
    term[np.isnan(term)] = 0.0
    return term


def _exp(out: FloatArray) -> FloatArray:
    result: FloatArray = np.exp(out)
    return result


@dataclass(frozen=True)
class Aggregation:
    """How direction scores D_j with shares W_j/ΣW fold into the overall score."""

    term: Binary       # one direction's contribution from (score, share)
    combine: Binary    # running result ⊕ contribution
    finish: Callable[[FloatArray], FloatArray]
    linear: bool = False  # the fold is the product directions @ shares (one BLAS call)


AGGREGATIONS: dict[str, Aggregation] = {
    "arithmetic": Aggregation(lambda score, share: score * share, np.add, _identity, linear=True),
    "geometric": Aggregation(_log_term, np.add, _exp),
    "weakest": Aggregation(lambda score, share: score, np.minimum, _identity),
}
MISSING_POLICIES = ("zero", "exclude")


def aggregate(method: str, directions: FloatArray, shares: FloatArray) -> FloatArray:
    """Overall scores (N,) from direction scores (N, D) and direction shares (D,), in [0, 100].

    A direction scored NaN (not applicable to a base) leaves that base's aggregate: the shares of
    the others are renormalised (arithmetic, geometric) and the minimum ignores it (weakest).
    """
    rule = AGGREGATIONS[method]
    absent = np.isnan(directions)
    if not absent.any():
        if rule.linear:
            return np.clip(directions @ shares, 0.0, 100.0)
        return _fold(rule, directions, np.broadcast_to(shares, directions.shape))
    row_shares = applicable_shares(shares, absent)
    return _fold(rule, np.where(absent, np.inf if method == "weakest" else 0.0, directions), row_shares)


def applicable_shares(shares: FloatArray, absent: BoolArray) -> FloatArray:
    """Direction shares (..., D) renormalised over the directions that apply: 0 where ``absent``
    (broadcast against ``shares``), the rest divided by their sum (the shares an aggregation of
    the directions that apply uses; no direction applies: NaN)."""
    row_shares = np.where(absent, 0.0, shares)
    with np.errstate(invalid="ignore", divide="ignore"):  # no direction applies: NaN, refused later
        renormalised: FloatArray = row_shares / row_shares.sum(axis=-1, keepdims=True)
    return renormalised


def _fold(rule: Aggregation, directions: FloatArray, shares: FloatArray) -> FloatArray:
    """Fold the directions (N, D) with per-base shares (N, D) into overall scores (N,)."""
    out = rule.term(directions[:, 0], shares[:, 0])
    for j in range(1, directions.shape[1]):
        out = rule.combine(out, rule.term(directions[:, j], shares[:, j]))
    finished: FloatArray = np.clip(rule.finish(out), 0.0, 100.0)
    return finished


def direction_denominators(rubric: CompiledRubric, present: FloatArray,
                           applicable: FloatArray | None = None) -> FloatArray:
    """What each direction's weighted mean divides by, per base (N, D), from the presence mask
    (N, M; 1 where a value is given): Σ w over every (``applicable``) indicator (``zero``) or over
    the present ones (``exclude``; 0 where a direction has no data)."""
    mask = denominator_mask(rubric, present, applicable)
    if mask is None:
        return np.broadcast_to(rubric.direction_weight_sums, (present.shape[0], rubric.block.shape[1]))
    used: FloatArray = mask @ rubric.block
    return used


def denominator_mask(rubric: CompiledRubric, present: FloatArray,
                     applicable: FloatArray | None = None) -> FloatArray | None:
    """Whose weights each direction's weighted mean divides by, per base (N, M): the present
    indicators (``exclude``), the applicable ones (``zero``), or ``None``: every indicator."""
    if rubric.missing == "exclude":
        return present
    return applicable


def within_shares(rubric: CompiledRubric, present: FloatArray,
                  applicable: FloatArray | None = None) -> FloatArray:
    """Each indicator's share w_i / Σw of its direction's score, per base (N, M); 0 where the
    direction divides by nothing."""
    denominators = direction_denominators(rubric, present, applicable)[:, rubric.direction_of]
    shares: FloatArray = np.divide(rubric.weights, denominators, out=np.zeros(denominators.shape),
                                   where=denominators > 0)
    return shares
