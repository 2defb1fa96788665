"""The numeric core: a rubric compiled to arrays, and scoring of an N×M value matrix at once.

Every function here is pure and works on whole matrices (one row a base, one column an
indicator, NaN = missing). The semantics are those of ``design.md``:

* indicator level ``s`` in [0, L] (piecewise-linear or step between floor and thresholds,
  the assessed level for qualitative indicators, 0 or L for booleans); ``x = s / L``;
* direction score ``D = 100 · Σ w x / Σ w`` (missing: counted as 0, or dropped and renormalised);
* overall score: weighted arithmetic or geometric mean, or the minimum, of the direction scores;
* level: the largest ``k`` with score ``≥ c_k`` (tolerance 1e-9).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ._rubric import Rubric

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LEVEL_TOLERANCE = 1e-9
CHUNK_ROWS = 2048
QUANTITATIVE, QUALITATIVE, BOOLEAN = 0, 1, 2
_KIND_CODES = {"quantitative": QUANTITATIVE, "qualitative": QUALITATIVE, "boolean": BOOLEAN}


def _floats(array: npt.ArrayLike) -> FloatArray:
    out: FloatArray = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out


def _ints(array: npt.ArrayLike) -> IntArray:
    out: IntArray = np.array(array, dtype=np.int64)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class CompiledRubric:
    """A rubric as arrays: M indicators in ``indicator_ids`` order, D directions, L levels."""

    indicator_ids: tuple[str, ...]
    direction_ids: tuple[str, ...]
    levels: int
    kinds: IntArray            # (M,) QUANTITATIVE | QUALITATIVE | BOOLEAN
    points: FloatArray         # (M, L+1) floor and thresholds, sign-adjusted so they increase
    signs: FloatArray          # (M,) +1 where higher is better, -1 where lower is
    step_columns: IntArray     # columns scored by step instead of linear interpolation
    low: FloatArray            # (M,) smallest valid value (-max float if unbounded)
    high: FloatArray           # (M,) largest valid value (+max float if unbounded)
    weights: FloatArray        # (M,) indicator weights w_i
    direction_of: IntArray     # (M,) column of each indicator's direction
    block: FloatArray          # (M, D) w_i in row i, column direction_of[i]
    direction_weights: FloatArray  # (D,) W_j
    cutoffs: FloatArray        # (L,) score needed for level 1..L
    aggregation: str
    missing: str

    @property
    def direction_weight_sums(self) -> FloatArray:
        """Σ w_i over each direction's indicators, shape (D,)."""
        return np.asarray(self.block.sum(axis=0))

    @property
    def overall_shares(self) -> FloatArray:
        """Each direction's share W_j / ΣW of the overall score, shape (D,)."""
        shares: FloatArray = self.direction_weights / self.direction_weights.sum()
        return shares

    @property
    def indicator_shares(self) -> FloatArray:
        """Each indicator's share of the overall arithmetic score, shape (M,)."""
        within = self.weights / self.direction_weight_sums[self.direction_of]
        return np.asarray(within * self.overall_shares[self.direction_of])


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """Turn a validated rubric into the arrays the engine works on."""
    indicators = rubric.indicators
    count, levels = len(indicators), rubric.level_count
    points = np.zeros((count, levels + 1))
    signs = np.ones(count)
    low = np.full(count, -np.finfo(np.float64).max)  # finite, so that ±inf is out of range
    high = np.full(count, np.finfo(np.float64).max)
    direction_of = np.zeros(count, dtype=np.int64)
    column = 0
    for j, direction in enumerate(rubric.directions):
        for indicator in direction.indicators:
            direction_of[column] = j
            if indicator.kind == "quantitative":
                sign = 1.0 if indicator.better == "higher" else -1.0
                signs[column] = sign
                points[column] = sign * np.array([indicator.effective_floor,
                                                  *(indicator.thresholds or ())])
                if indicator.valid_range is not None:
                    low[column], high[column] = indicator.valid_range
            else:
                top = levels if indicator.kind == "qualitative" else 1.0
                points[column] = np.linspace(0.0, top, levels + 1)
                low[column], high[column] = 0.0, top
            column += 1
    weights = np.array([i.weight for i in indicators])
    block = np.zeros((count, len(rubric.directions)))
    block[np.arange(count), direction_of] = weights
    return CompiledRubric(
        indicator_ids=rubric.indicator_ids,
        direction_ids=rubric.direction_ids,
        levels=levels,
        kinds=_ints([_KIND_CODES[i.kind] for i in indicators]),
        points=_floats(points),
        signs=_floats(signs),
        step_columns=_ints([m for m, i in enumerate(indicators) if i.interpolation == "step"]),
        low=_floats(low),
        high=_floats(high),
        weights=_floats(weights),
        direction_of=_ints(direction_of),
        block=_floats(block),
        direction_weights=_floats([d.weight for d in rubric.directions]),
        cutoffs=_floats(rubric.cutoffs),
        aggregation=rubric.aggregation,
        missing=rubric.missing,
    )


def invalid_cells(rubric: CompiledRubric, values: FloatArray,
                  limit: int = 20) -> tuple[int, list[tuple[int, int, str]]]:
    """How many cells no indicator accepts (NaN is fine: missing), and the first ``limit``
    of them as (row, column, reason), in row order."""
    count = values.shape[0]
    flagged = np.zeros(count, dtype=np.int64)
    discrete = np.flatnonzero(rubric.kinds != QUANTITATIVE)

    def run(start: int, stop: int) -> None:
        chunk = values[start:stop]
        bad = (chunk < rubric.low) | (chunk > rubric.high)
        if discrete.size:
            chosen = chunk[:, discrete]
            bad[:, discrete] |= np.isfinite(chosen) & (chosen != np.floor(chosen))
        flagged[start:stop] = bad.sum(axis=1)

    with np.errstate(invalid="ignore"):
        for_chunks(count, run)
        found: list[tuple[int, int, str]] = []
        for row in np.flatnonzero(flagged)[:limit].tolist():
            for column in range(values.shape[1]):
                if len(found) < limit and _reason(rubric, float(values[row, column]), column):
                    found.append((row, column, _reason(rubric, float(values[row, column]), column)))
    return int(flagged.sum()), found


def _reason(rubric: CompiledRubric, value: float, column: int) -> str:
    """Why ``value`` is not acceptable in ``column`` ('' if it is)."""
    kind = int(rubric.kinds[column])
    if np.isnan(value):
        return ""
    if np.isinf(value):
        return f"must be a finite number, got {value}"
    if kind == BOOLEAN and value not in (0.0, 1.0):
        return f"must be true or false (1 or 0), got {value:g}"
    if kind == QUALITATIVE and (value != np.floor(value) or not 0 <= value <= rubric.levels):
        return f"must be a whole level from 0 to {rubric.levels}, got {value:g}"
    if not rubric.low[column] <= value <= rubric.high[column]:
        return (f"{value:g} is outside the valid range "
                f"[{rubric.low[column]:g}, {rubric.high[column]:g}]")
    return ""


def for_chunks(count: int, run: Callable[[int, int], None], workers: int | None = None) -> None:
    """Call ``run(start, stop)`` over cache-sized row chunks, on one thread per core.

    numpy releases the GIL inside its loops, so the chunks really run in parallel.
    """
    starts = range(0, count, CHUNK_ROWS)
    workers = min(workers or os.cpu_count() or 1, len(starts))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda start: run(start, min(start + CHUNK_ROWS, count)), starts))
    else:
        for start in starts:
            run(start, min(start + CHUNK_ROWS, count))


def indicator_levels(rubric: CompiledRubric, values: FloatArray) -> FloatArray:
    """Level s ∈ [0, L] of every cell; NaN where the value is missing. Shape (N, M).

    One formula serves every linear column: s = Σ_k clip((u − p_{k−1}) / (p_k − p_{k−1}), 0, 1)
    over the oriented value u and breakpoints p_0..p_L (qualitative: p_k = k; boolean: k/L).
    Division (not a reciprocal) keeps s exactly k when u sits exactly on p_k. The work runs on
    the transposed (M, N) layout, so that every numpy inner loop runs along a long row.
    """
    points = rubric.points[:, :, None]
    oriented = np.multiply(values.T, rubric.signs[:, None])
    levels = np.zeros_like(oriented)
    term = np.empty_like(oriented)
    for k in range(1, rubric.levels + 1):
        np.subtract(oriented, points[:, k - 1], out=term)
        np.divide(term, points[:, k] - points[:, k - 1], out=term)
        np.clip(term, 0.0, 1.0, out=term)
        levels += term
    step = rubric.step_columns
    if step.size:
        chosen = oriented[step]
        counts = (chosen[:, None, :] >= points[step, 1:]).sum(axis=1)
        levels[step] = np.where(np.isnan(chosen), np.nan, counts)
    transposed: FloatArray = levels.T
    return transposed


@dataclass(frozen=True, eq=False)
class Scores:
    """Every number of a scoring run, as arrays (N bases)."""

    directions: FloatArray             # (N, D) direction scores 0..100
    direction_levels: IntArray         # (N, D)
    direction_completeness: FloatArray  # (N, D) share of indicator weight with data
    overall: FloatArray                # (N,)
    overall_level: IntArray            # (N,)
    balanced_level: IntArray           # (N,)
    completeness: FloatArray           # (N,)


def maturity_levels(scores: npt.ArrayLike, cutoffs: FloatArray) -> IntArray:
    """The largest k with score ≥ c_k (within 1e-9); 0 below c_1. Any shape."""
    return np.searchsorted(cutoffs - LEVEL_TOLERANCE, np.asarray(scores, dtype=np.float64),
                           side="right").astype(np.int64)


def direction_scores(rubric: CompiledRubric, levels: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Direction scores and completeness from indicator levels (NaN = missing). Shapes (N, D)."""
    missing = np.isnan(levels)
    normalised = np.where(missing, 0.0, levels) if missing.any() else levels
    weighted = normalised @ rubric.block
    totals = rubric.direction_weight_sums
    if missing.any():
        present = (~missing).astype(np.float64) @ rubric.block
    else:
        present = np.broadcast_to(totals, weighted.shape)
    completeness = present / totals
    if rubric.missing == "exclude":
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(present > 0, weighted / present, 0.0)
    else:
        scores = weighted / totals
    scores *= 100.0 / rubric.levels
    np.clip(scores, 0.0, 100.0, out=scores)
    return scores, np.array(completeness, dtype=np.float64)


def overall_scores(rubric: CompiledRubric, directions: FloatArray) -> FloatArray:
    """Aggregate direction scores (N, D) into overall scores (N,)."""
    shares = rubric.overall_shares
    if rubric.aggregation == "weakest":
        overall = directions.min(axis=1)
    elif rubric.aggregation == "geometric":
        with np.errstate(divide="ignore"):
            overall = np.exp(np.log(directions) @ shares)
    else:
        overall = directions @ shares
    clipped: FloatArray = np.clip(overall, 0.0, 100.0)
    return clipped


def score_matrix(rubric: CompiledRubric, values: FloatArray, *,
                 workers: int | None = None) -> Scores:
    """Score every base (row) of a validated value matrix.

    Rows are processed in cache-sized chunks, on ``workers`` threads (default: one per core).
    """
    count = values.shape[0]
    directions = np.empty((count, len(rubric.direction_ids)))
    completeness = np.empty_like(directions)

    def run(start: int, stop: int) -> None:
        levels = indicator_levels(rubric, values[start:stop])
        directions[start:stop], completeness[start:stop] = direction_scores(rubric, levels)

    for_chunks(count, run, workers)
    overall = overall_scores(rubric, directions)
    direction_levels = maturity_levels(directions, rubric.cutoffs)
    return Scores(
        directions=directions,
        direction_levels=direction_levels,
        direction_completeness=completeness,
        overall=overall,
        overall_level=maturity_levels(overall, rubric.cutoffs),
        balanced_level=direction_levels.min(axis=1, initial=rubric.levels),
        completeness=completeness @ rubric.overall_shares,
    )
