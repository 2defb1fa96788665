"""Weight perturbation: sampled weightings and the sweep that scores every base under each of them."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..._analysis.compare import TOLERANCE, competition_ranks
from ..._engine.aggregate import AGGREGATIONS, applicable_shares, denominator_mask
from ..._engine.compile import BoolArray, CompiledRubric, FloatArray, IntArray
from ..._engine.core import LEVEL_TOLERANCE
from ..._errors import Problem, UpgradeScoreError
from ..._progress import step as step_progress

Perturb = Literal["all", "directions", "indicators"]

LOW, HIGH = 0.05, 0.95
RANK_TOLERANCE = TOLERANCE  # the tie rule of compare
CONSTANT = 1e-9       # a component whose range is this small does not vary
CHUNK_CELLS = 1 << 18   # bases × samples per chunk when ranking (2 MB of float64)
PRODUCT_CELLS = 1 << 18  # bases × samples per chunk of the weighted products (2 MB)
WEIGHT_CELLS = 1 << 21  # samples × indicators of sampled weights held at once (16 MB of float64)
VALUE_ROWS = 1 << 17    # rows scored per block of the value-confidence sweep
VALUE_CELLS = 1 << 23   # rows × (indicators + directions) of one block of it (64 MB of float64)
# What a request may cost: each bound is checked before anything is sampled.
MAX_CELLS = 250_000_000  # bases × samples kept for the quantiles (12 bytes each: about 3 GB)
MAX_WEIGHTS = 20_000_000  # samples × (indicators + directions) drawn: a few seconds of draws
MAX_PRODUCTS = 10_000_000_000  # bases × samples × indicators multiplied: about 15 s on two cores

_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"
_SPEC = re.compile(rf"(dirichlet|uniform):({_NUMBER})")
_SPEC_HELP = "expected 'dirichlet:CONCENTRATION' (e.g. dirichlet:50) or 'uniform:SPREAD' (e.g. uniform:0.2)"


# --- weight perturbation ----------------------------------------------------------------------

@dataclass(frozen=True)
class WeightSpec:
    """How weights are perturbed: ``dirichlet`` with a concentration, or ``uniform`` ±spread."""

    kind: Literal["dirichlet", "uniform"]
    parameter: float

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.parameter:g}"


def parse_weights(spec: str) -> WeightSpec:
    """Read ``dirichlet:50`` or ``uniform:0.2``; anything else is an :class:`UpgradeScoreError`."""
    match = _SPEC.fullmatch(spec.strip()) if isinstance(spec, str) else None
    if match is None:
        raise option_error("weights", f"{_SPEC_HELP}, got {spec!r}")
    value = float(match[2])
    if match[1] == "dirichlet":
        if not 0 < value < math.inf:
            raise option_error("weights", f"the Dirichlet concentration must be a positive number, "
                                           f"got {match[2]}")
        return WeightSpec("dirichlet", value)
    if not 0 <= value < 1:
        raise option_error("weights", f"the uniform spread must be in [0, 1) (0.2 means ±20 %), "
                                       f"got {match[2]}")
    return WeightSpec("uniform", value)


def option_error(option: str, message: str) -> UpgradeScoreError:
    return UpgradeScoreError(Problem(message, None, None, (option,)))


def check_sweep_cost(compiled: CompiledRubric, count: int, samples: int) -> None:
    """Refuse a weight sweep of ``count`` bases × ``samples`` that would cost more than the limits
    allow (memory for the scores kept, time for the weights drawn and multiplied), naming the
    largest number of samples that fits."""
    indicators, directions = len(compiled.indicator_ids), len(compiled.direction_ids)
    width = indicators + directions
    if count * samples > MAX_CELLS:
        raise option_error("samples", f"{samples:,} samples × {count:,} bases is more than "
                                       f"{MAX_CELLS:,} sampled scores; use at most "
                                       f"{MAX_CELLS // count:,} samples")
    if samples * width > MAX_WEIGHTS:
        raise option_error("samples", f"{samples:,} samples × {width:,} weights ({indicators:,} "
                                       f"indicators, {directions:,} directions) is more than "
                                       f"{MAX_WEIGHTS:,} sampled weights; use at most "
                                       f"{MAX_WEIGHTS // width:,} samples")
    if count * samples * indicators > MAX_PRODUCTS:
        raise option_error("samples", f"{samples:,} samples × {count:,} bases × {indicators:,} "
                                       f"indicators is more than {MAX_PRODUCTS:,} weighted terms; "
                                       f"use at most {MAX_PRODUCTS // (count * indicators):,} samples")


@dataclass(eq=False)
class SampledWeights:
    """``count`` sampled weightings: direction shares (count, D) summing to 1, all drawn first, and
    indicator shares within their direction (count, M) drawn a chunk of rows at a time, in order,
    as the sweep asks for them, so that the (count, M) matrix never exists whole. The chunks
    continue one random stream: the same numbers as one draw of every row."""

    directions: FloatArray
    _rows: Callable[[int, int], FloatArray]  # rows start:stop of the indicator shares
    _drawn: int = 0

    @classmethod
    def of(cls, directions: FloatArray, indicators: FloatArray) -> SampledWeights:
        """Weightings already drawn."""
        return cls(directions, lambda start, stop: indicators[start:stop])

    @property
    def count(self) -> int:
        return len(self.directions)

    def indicators(self, start: int, stop: int) -> FloatArray:
        """Rows ``start:stop`` of the indicator shares; each row is asked for once, in order."""
        if start != self._drawn or not start <= stop <= self.count:
            raise ValueError(f"sampled weights are drawn in order: row {self._drawn} next, "
                             f"not {start}:{stop}")
        self._drawn = stop
        return self._rows(start, stop)


def draw_weights(compiled: CompiledRubric, spec: WeightSpec, count: int, rng: np.random.Generator,
                 perturb: Perturb = "all") -> SampledWeights:
    """``count`` sampled weightings (``perturb``: both levels of the hierarchy or one of them)."""
    direction_shares, within = compiled.overall_shares, compiled.within_shares
    width = len(direction_shares)
    if perturb in ("all", "directions"):
        directions = np.empty((count, width))
        step = max(1, WEIGHT_CELLS // width)
        for start in range(0, count, step):
            stop = min(start + step, count)
            directions[start:stop] = _perturbed(direction_shares, np.zeros(width, dtype=np.int64), 1,
                                                spec, stop - start, rng)
    else:
        directions = np.broadcast_to(direction_shares, (count, width))
    if perturb == "directions":
        return SampledWeights(directions, lambda start, stop: np.broadcast_to(
            within, (stop - start, len(within))))
    return SampledWeights(directions, lambda start, stop: _perturbed(
        within, compiled.direction_of, width, spec, stop - start, rng))


def sample_weights(compiled: CompiledRubric, spec: WeightSpec, count: int,
                   rng: np.random.Generator,
                   perturb: Perturb = "all") -> tuple[FloatArray, FloatArray]:
    """Every one of ``count`` sampled weightings at once (see :class:`SampledWeights`):
    directions (count, D) and indicators (count, M)."""
    sampled = draw_weights(compiled, spec, count, rng, perturb)
    return sampled.directions, sampled.indicators(0, count)


def _perturbed(shares: FloatArray, groups: IntArray, group_count: int, spec: WeightSpec, count: int,
               rng: np.random.Generator) -> FloatArray:
    """Perturbed ``shares``, renormalised within each group; a degenerate draw (a group whose
    draws all underflow to 0, possible only for tiny concentrations) keeps the nominal shares."""
    if spec.kind == "dirichlet":
        draws: FloatArray = rng.standard_gamma(spec.parameter * shares, size=(count, len(shares)))
    else:
        draws = shares * rng.uniform(1.0 - spec.parameter, 1.0 + spec.parameter,
                                     size=(count, len(shares)))
    membership = np.zeros((len(shares), group_count))
    membership[np.arange(len(shares)), groups] = 1.0
    totals = (draws @ membership)[:, groups]
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(totals > 0, draws / totals, shares)
    return out


# --- the weight sweep -------------------------------------------------------------------------

@dataclass(frozen=True)
class Applicability:
    """Where indicators (N, M) and directions (N, D) apply to each base (rubric language 2): an
    N/A indicator leaves its direction's weighted mean, an N/A direction the overall aggregate."""

    cells: BoolArray
    directions: BoolArray


@dataclass(frozen=True, eq=False)
class _Part:
    """Bases to which the same directions apply, with their levels as the products need them:
    x = s with NaN → 0, by direction, and whose weights each direction divides by (only where that
    is not every indicator of the direction: present values under ``missing: exclude`` with gaps,
    the applicable ones where some are n/a)."""

    rows: IntArray | None                          # the bases (None: every base)
    absent: BoolArray | None                       # (D,) the directions that do not apply
    directions: tuple[int, ...]                    # the directions that apply
    levels: FloatArray                             # (n, M), NaN → 0
    by_direction: tuple[FloatArray | None, ...]    # each direction's columns of ``levels``
    present: tuple[FloatArray | None, ...]         # each direction's denominator mask, if any
    linear: bool                                   # arithmetic, nothing to renormalise: one product

    @classmethod
    def of(cls, compiled: CompiledRubric, columns: tuple[IntArray, ...], levels: FloatArray,
           applicable: FloatArray | None, rows: IntArray | None, absent: BoolArray | None) -> _Part:
        missing = np.isnan(levels)
        clean = np.where(missing, 0.0, levels)
        mask = denominator_mask(compiled, (~missing).astype(np.float64), applicable)
        applies = tuple(j for j in range(len(columns)) if absent is None or not absent[j])
        present = tuple(None if mask is None or j not in applies or mask[:, cols].all()
                        else np.ascontiguousarray(mask[:, cols]) for j, cols in enumerate(columns))
        linear = compiled.aggregation == "arithmetic" and all(p is None for p in present)
        return cls(rows, absent, applies, clean,
                   tuple(np.ascontiguousarray(clean[:, c]) if j in applies else None
                         for j, c in enumerate(columns)), present, linear)


@dataclass(frozen=True, eq=False)
class _Sweep:
    """Every base's levels, in parts of bases to which the same directions apply (one part, of
    every base, unless some direction does not apply to some base)."""

    compiled: CompiledRubric
    columns: tuple[IntArray, ...]   # each direction's indicator columns
    parts: tuple[_Part, ...]

    @classmethod
    def of(cls, compiled: CompiledRubric, levels: FloatArray,
           applies: Applicability | None = None) -> _Sweep:
        columns = tuple(np.flatnonzero(compiled.direction_of == j)
                        for j in range(len(compiled.direction_ids)))
        if applies is None:
            return cls(compiled, columns, (_Part.of(compiled, columns, levels, None, None, None),))
        levels = np.where(applies.cells, levels, np.nan)
        cells = applies.cells.astype(np.float64)
        patterns, which = np.unique(applies.directions, axis=0, return_inverse=True)
        which = which.reshape(-1)
        parts = []
        for k, pattern in enumerate(patterns):
            absent = None if pattern.all() else ~pattern
            if len(patterns) == 1:
                parts.append(_Part.of(compiled, columns, levels, cells, None, absent))
                continue
            rows = np.flatnonzero(which == k)
            parts.append(_Part.of(compiled, columns, levels[rows], cells[rows], rows, absent))
        return cls(compiled, columns, tuple(parts))

    @property
    def linear(self) -> bool:
        """One product writes every base's scores straight into the result."""
        return len(self.parts) == 1 and self.parts[0].rows is None and self.parts[0].linear

    def overall(self, directions: FloatArray, indicators: FloatArray, out: FloatArray) -> None:
        """Write the overall scores (N, k) under k sampled weightings (k, D), (k, M) into ``out``.

        A part of bases to which some directions do not apply aggregates the others, with the
        sampled direction shares renormalised over them (the engine's rule). Direction scores are
        not clipped to 100 one by one (they exceed it by rounding error at most); the overall
        score is.
        """
        for part in self.parts:
            target = out if part.rows is None else np.empty((len(part.rows), out.shape[1]))
            shares = directions if part.absent is None else applicable_shares(directions, part.absent)
            self._part_overall(part, shares, indicators, target)
            if part.rows is not None:
                out[part.rows] = target
        np.clip(out, 0.0, 100.0, out=out)

    def _part_overall(self, part: _Part, directions: FloatArray, indicators: FloatArray,
                      out: FloatArray) -> None:
        compiled = self.compiled
        scale = 100.0 / compiled.levels
        aggregation = compiled.aggregation
        if part.linear:  # O = x · (R_j(i) · Q_i)ᵀ · 100/L, one product for every sample
            effective = indicators * (directions * scale)[:, compiled.direction_of]
            np.matmul(part.levels, effective.T, out=out)
            return
        rule = AGGREGATIONS[aggregation]
        for first, j in enumerate(part.directions):
            share = directions[:, j]
            factor = share * scale if aggregation == "arithmetic" else np.full(len(share), scale)
            score = self._direction(part, j, indicators, factor)
            if aggregation != "arithmetic":  # (arithmetic: the share is already in the product)
                score = rule.term(score, share)
            out[...] = score if first == 0 else rule.combine(out, score)
        out[...] = rule.finish(out)

    def _direction(self, part: _Part, j: int, indicators: FloatArray, factor: FloatArray) -> FloatArray:
        """Direction j's scores (n, k) times ``factor`` (k,) under sampled indicator shares (k, M)."""
        levels = part.by_direction[j]
        assert levels is not None
        weights = indicators[:, self.columns[j]]
        score: FloatArray = levels @ (weights * factor[:, None]).T
        mask = part.present[j]
        if mask is not None:  # renormalise over what counts (nothing counts: 0 / tiny = 0)
            used = mask @ weights.T
            np.maximum(used, np.finfo(np.float64).tiny, out=used)
            score /= used
        return score


def row_ranks(scores: FloatArray) -> npt.NDArray[np.int32]:
    """Competition ranks ("1224", ties within 1e-9) within each row of ``scores`` (k, N)."""
    order = np.argsort(-scores, axis=1)
    ranked = np.take_along_axis(scores, order, axis=1)
    count = scores.shape[1]
    starts = np.ones(ranked.shape, dtype=bool)  # where a group of (near-)equal scores starts
    np.greater(ranked[:, :-1] - ranked[:, 1:], RANK_TOLERANCE, out=starts[:, 1:])
    positions = np.arange(1, count + 1, dtype=np.int32)
    if starts.all():  # no ties: the rank is the position
        group = np.broadcast_to(positions, ranked.shape)
    else:
        group = np.where(starts, positions, np.int32(0))
        np.maximum.accumulate(group, axis=1, out=group)
    ranks = np.empty(ranked.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, group, axis=1)
    if not starts.all():
        # a run of near-ties may chain past the tolerance (1, 1+6e-10, 1+1.2e-9): such rows
        # (rare) take the exact rule of compare, one base ahead by more than 1e-9 = one rank
        first = np.take_along_axis(ranked, np.asarray(group, dtype=np.intp) - 1, axis=1)
        for row in np.flatnonzero((first - ranked > RANK_TOLERANCE).any(axis=1)):
            ranks[row] = competition_ranks(scores[row])
    return ranks


def _in_parallel(count: int, run: Callable[[int], Any], workers: int | None) -> list[Any]:
    """``run(0..count-1)``, in order, on one thread per core (numpy releases the GIL)."""
    threads = min(workers or os.cpu_count() or 1, count)
    if threads <= 1:
        return [run(k) for k in range(count)]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(count)))


@dataclass(frozen=True, eq=False)
class WeightSweep:
    """Per base (N): sorted sampled scores and ranks, level counts and top-k counts."""

    scores: FloatArray                 # (N, K) each row sorted
    ranks: npt.NDArray[np.int32]       # (N, K) each row sorted
    at_least: IntArray                 # (N, L) samples with overall level ≥ k (k = 1..L)
    top: IntArray                      # (N,) samples ranked within the top k


def sampled_scores(compiled: CompiledRubric, levels: FloatArray, directions: FloatArray,
                   indicators: FloatArray, applies: Applicability | None = None) -> FloatArray:
    """Overall scores (N, K) of every base (levels (N, M), NaN = missing) under every sampled
    weighting (K, D) and (K, M). ``applies`` says which indicators and directions apply to each
    base (default: all)."""
    return _sampled_scores(compiled, levels, SampledWeights.of(directions, indicators), applies)


def _sampled_scores(compiled: CompiledRubric, levels: FloatArray, weights: SampledWeights,
                    applies: Applicability | None) -> FloatArray:
    """:func:`sampled_scores`, in chunks of samples that bound the temporary arrays and the
    sampled weights held at once."""
    sweep = _Sweep.of(compiled, levels, applies)
    count, samples = levels.shape[0], weights.count
    scores = np.empty((count, samples))
    # one product for a linear sweep (it writes straight into the result); otherwise chunks that
    # bound the per-direction temporaries; either way at most WEIGHT_CELLS sampled weights at
    # once. The products use every core through BLAS.
    step = samples if sweep.linear else max(16, PRODUCT_CELLS // max(count, 1))
    step = min(step, max(16, WEIGHT_CELLS // max(levels.shape[1], 1)))
    for start in range(0, samples, step):
        stop = min(start + step, samples)
        sweep.overall(weights.directions[start:stop], weights.indicators(start, stop),
                      scores[:, start:stop])
        step_progress("progress.samples", stop, samples)
    return scores


def weight_sweep(compiled: CompiledRubric, levels: FloatArray, weights: SampledWeights, top_k: int,
                 workers: int | None = None, applies: Applicability | None = None) -> WeightSweep:
    """Score every base (levels (N, M), NaN = missing) under every sampled weighting, and
    summarise: per-sample ranks, level and top-k counts, each base's sorted scores and ranks."""
    scores = _sampled_scores(compiled, levels, weights, applies)
    count, samples = scores.shape
    ranks = np.empty((count, samples), dtype=np.int32)
    cutoffs = compiled.cutoffs - LEVEL_TOLERANCE
    step = max(16, CHUNK_CELLS // max(count, 1))
    starts = range(0, samples, step)

    def summarise(chunk: int) -> tuple[IntArray, IntArray]:
        start = starts[chunk]
        stop = min(start + step, samples)
        overall = scores[:, start:stop]
        chunk_ranks = row_ranks(np.ascontiguousarray(overall.T))
        ranks[:, start:stop] = chunk_ranks.T
        at_least = np.stack([(overall >= cutoff).sum(axis=1) for cutoff in cutoffs], axis=1)
        return at_least, (chunk_ranks <= top_k).sum(axis=0)

    counted = _in_parallel(len(starts), summarise, workers)
    at_least = np.asarray(np.sum([c[0] for c in counted], axis=0, dtype=np.int64))
    top = np.asarray(np.sum([c[1] for c in counted], axis=0, dtype=np.int64))
    rows = max(1, CHUNK_CELLS // samples)

    def sort(block: int) -> None:
        scores[block * rows:(block + 1) * rows].sort(axis=1)
        ranks[block * rows:(block + 1) * rows].sort(axis=1)

    _in_parallel(-(-count // rows), sort, workers)
    return WeightSweep(scores, ranks, at_least.reshape(count, len(cutoffs)), top)


def sorted_quantile(rows: FloatArray, q: float) -> FloatArray:
    """The q-quantile of each sorted row, interpolating linearly (numpy's default method)."""
    position = (rows.shape[1] - 1) * q
    below = math.floor(position)
    above = min(below + 1, rows.shape[1] - 1)
    low, high = rows[:, below], rows[:, above]
    result: FloatArray = low + (position - below) * (high - low)
    return result


def sorted_order_statistic(rows: npt.NDArray[Any], q: float) -> npt.NDArray[Any]:
    """The smallest value v of each sorted row with a share ≥ q of the row at or below v."""
    index = min(max(math.ceil(q * rows.shape[1] - 1e-9) - 1, 0), rows.shape[1] - 1)
    column: npt.NDArray[Any] = rows[:, index]
    return column
