"""What-ifs on one base: its direction scores after changing indicator levels, from two sums per
direction, without scoring the base again.

A direction's score is 100/L · Σ w·s over its indicators, divided by what the missing policy
divides by (``zero``: the weight of every indicator that applies; ``exclude``: of those with a
value). Both sums are sums of one term per indicator, so changing one indicator's level moves only
its own direction's two sums, by amounts that do not depend on the other indicators. A gap plan
tries every remaining action at every step: with the moves worked out once, a trial is two additions
and a division, and after a step only the trials of the direction it moved change (where scoring a
row per trial took some 25 numpy calls a step).

The sums come from the compiled rubric's ``block`` and the missing policy's own denominators
(:func:`~upgrade_score._engine.aggregate.direction_denominators`); tests check the scores against
:func:`~upgrade_score._engine.core.scores_from_levels` on random rubrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .aggregate import direction_denominators
from .compile import BoolArray, CompiledRubric, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class Moves:
    """K changes of one base, each of one indicator to a new level, as what each does to the two
    sums of the direction it belongs to (arrays (K,))."""

    direction: IntArray  # the direction each change moves
    weighted: FloatArray  # change of its Σ w·s
    divisor: FloatArray  # change of what its weighted mean divides by
    base: tuple[FloatArray, FloatArray]  # the base's own sums, (D,) each (see direction_sums)


def direction_sums(rubric: CompiledRubric, levels: FloatArray,
                   applies: BoolArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Σ w·s over each direction's indicators (a missing level counts 0) and what the direction's
    weighted mean divides by, (n, D) each, from rows of indicator levels (n, M; NaN = missing).
    ``applies`` (M,): the indicators that apply to the base (the others leave their directions);
    ``None``: all of them."""
    if applies is not None:
        levels = np.where(applies, levels, np.nan)
    present = ~np.isnan(levels)
    weighted: FloatArray = np.where(present, levels, 0.0) @ rubric.block
    applicable = None if applies is None else np.broadcast_to(applies, levels.shape).astype(np.float64)
    divisors = np.array(direction_denominators(rubric, present.astype(np.float64), applicable))
    return weighted, divisors


def moves(rubric: CompiledRubric, levels: FloatArray, cells: Sequence[tuple[int, float]],
          applies: BoolArray | None = None) -> Moves:
    """Each change (column, new level) to the base whose indicator levels are ``levels`` (M,),
    as a move of its direction's sums (and the base's own sums, worked out on the way). Columns
    must differ, and each must apply to the base; as each term is one indicator's, a move stays
    the same whichever other changes are made."""
    count = len(cells)
    columns = np.array([column for column, _ in cells], dtype=np.int64)
    rows = np.repeat(levels[None, :], count + 1, axis=0)  # row 0: the base; row k: change k − 1
    trials = np.arange(1, count + 1)
    rows[trials, columns] = [level for _, level in cells]
    weighted, divisors = direction_sums(rubric, rows, applies)
    direction = rubric.direction_of[columns]
    return Moves(direction=direction, weighted=weighted[trials, direction] - weighted[0, direction],
                 divisor=divisors[trials, direction] - divisors[0, direction],
                 base=(weighted[0], divisors[0]))


def moved_score(rubric: CompiledRubric, weighted: float, divisor: float) -> float:
    """The score of a direction that applies, from its two sums (Python floats: a gap plan moves
    one direction at a time): 100/L · Σ w·s / divisor (0 where it divides by nothing, as under
    ``exclude`` with no value in the direction), within [0, 100]."""
    score = (weighted / divisor if divisor > 0 else 0.0) * (100.0 / rubric.levels)
    return 0.0 if score < 0.0 else 100.0 if score > 100.0 else score
