"""Robustness of scores and ranks: weights, method, value confidence and influence.

A ranking of bases is only as credible as its robustness to the choices behind it (the OECD/JRC
*Handbook on Constructing Composite Indicators* makes uncertainty and sensitivity analysis a
required step). :func:`sensitivity` answers four questions for a group of bases:

**Weights.** The committee's weights are perturbed ``samples`` times and every base is scored
under every sample. Both levels of the hierarchy move: the direction shares ``W_j / ΣW`` and,
within each direction, the indicator shares ``w_i / Σw``. ``weights`` says how:

* ``dirichlet:α`` — shares drawn from a Dirichlet distribution centred on the rubric's shares
  with concentration α (the direction shares from Dir(α·p), each direction's indicator shares
  independently from Dir(α·q)). A share p varies with standard deviation √(p(1 − p)/(α + 1)):
  with α = 50 a share of 1/6 moves by ±0.052 (31 % of itself); larger α, smaller moves.
* ``uniform:x`` — every weight multiplied by a factor drawn uniformly from [1 − x, 1 + x]
  (0 ≤ x < 1), then renormalised (``uniform:0.2`` is ±20 %; ``uniform:0`` changes nothing).

Indicator levels do not depend on weights, so they are computed once; each sample is then a
matrix product (levels × sampled weights), in chunks of samples on one thread per core. Per
base the report gives the median score and its 5–95 % interval, the median rank and its 5–95 %
interval (competition ranks "1224" within each sample, ties within 1e-9, as :func:`compare`),
the probability of each overall maturity level and of a rank within the top ``top_k``. Score
quantiles interpolate linearly between order statistics (numpy's default); rank quantiles are
order statistics (the smallest rank r with P(rank ≤ r) ≥ q), so they are whole ranks.

**Method.** The same bases under each aggregation (arithmetic, geometric, weakest) and each
missing-data policy (zero, exclude), with nominal weights: each base's rank under every variant,
Kendall's tau-b between every two variants' rankings, and the *fragile* bases, whose rank range
across the variants (worst minus best rank) is at least ``fragile_range`` places (default: a
tenth of the group, and at least 2).

**Value confidence.** A reported value may carry ``confidence`` c in [0, 1] or an interval
``low``..``high`` (the interval wins when both are given; c = 1 means exact). Values are sampled
``value_samples`` times, independently per value, from this model:

* quantitative, confidence c: a normal around the value with standard deviation
  (1 − c) · |t_L − t_0| (the value span from the floor to the top threshold; with five levels
  c = 0.9 is half a level, c = 0.8 one level), clipped to the indicator's ``valid_range``;
* qualitative level k, confidence c: k plus normal noise of (1 − c) · L levels, rounded to a
  whole level and clipped to 0..L;
* boolean, confidence c: flipped with probability (1 − c) / 2 (c = 0 is a coin toss);
* an interval: uniform on [low, high] (qualitative: a whole level drawn uniformly from it).

Missing values stay missing. Each uncertain base gets its score interval and, per uncertain
value, the standard deviation of the overall score when that value alone varies (the others at
their reported values) and its share of the variance when all vary together: a first-order,
one-at-a-time contribution (shares sum to about 1 where the score is additive in the values).

**Influence.** Does a 20 % nominal weight really drive 20 % of the spread? For each direction
and indicator, the squared Pearson correlation of its score (level) with the overall score across
the group, normalised to sum to 1 over directions (over indicators), next to its nominal share of
the overall score (the correlation-based check of composite-indicator practice). Needs at least
three bases; a component that does not vary has no correlation and an effective share of 0.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from .._analysis.compare import TOLERANCE, competition_ranks
from .._analysis.diff import kendall_tau_b
from .._engine.core import (
    BOOLEAN,
    LEVEL_TOLERANCE,
    QUALITATIVE,
    QUANTITATIVE,
    CompiledRubric,
    FloatArray,
    IntArray,
    direction_scores,
    indicator_levels,
    overall_scores,
)
from .._errors import Problem, UpgradeScoreError
from .._model.profile import BaseProfile
from .._render.formats import Style, level_text, table
from .._model.results import Result, RubricRef, ScoreTable
from .._model.rubric import Lang, Rubric
from .._analysis.score import score_many

Perturb = Literal["all", "directions", "indicators"]

LOW, HIGH = 0.05, 0.95
RANK_TOLERANCE = TOLERANCE  # the tie rule of compare
CONSTANT = 1e-9       # a component whose range is this small does not vary
AGGREGATIONS = ("arithmetic", "geometric", "weakest")
MISSING_POLICIES = ("zero", "exclude")
CHUNK_CELLS = 1 << 18   # bases × samples per chunk when ranking (2 MB of float64)
PRODUCT_CELLS = 1 << 18  # bases × samples per chunk of the weighted products (2 MB)
VALUE_ROWS = 1 << 17    # rows scored per block of the value-confidence sweep
MAX_CELLS = 250_000_000  # bases × samples kept for the quantiles (12 bytes each: about 3 GB)

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
        raise _option_error("weights", f"{_SPEC_HELP}, got {spec!r}")
    value = float(match[2])
    if match[1] == "dirichlet":
        if not 0 < value < math.inf:
            raise _option_error("weights", f"the Dirichlet concentration must be a positive number, "
                                           f"got {match[2]}")
        return WeightSpec("dirichlet", value)
    if not 0 <= value < 1:
        raise _option_error("weights", f"the uniform spread must be in [0, 1) (0.2 means ±20 %), "
                                       f"got {match[2]}")
    return WeightSpec("uniform", value)


def _option_error(option: str, message: str) -> UpgradeScoreError:
    return UpgradeScoreError(Problem(message, None, None, (option,)))


def sample_weights(compiled: CompiledRubric, spec: WeightSpec, count: int,
                   rng: np.random.Generator,
                   perturb: Perturb = "all") -> tuple[FloatArray, FloatArray]:
    """``count`` sampled weightings: direction shares (count, D) summing to 1, and indicator
    shares within their direction (count, M), summing to 1 over each direction's indicators."""
    direction_shares = compiled.overall_shares
    within = compiled.weights / compiled.direction_weight_sums[compiled.direction_of]
    width = len(direction_shares)
    if perturb in ("all", "directions"):
        directions = _perturbed(direction_shares, np.zeros(width, dtype=np.int64), 1, spec, count, rng)
    else:
        directions = np.broadcast_to(direction_shares, (count, width))
    if perturb in ("all", "indicators"):
        indicators = _perturbed(within, compiled.direction_of, width, spec, count, rng)
    else:
        indicators = np.broadcast_to(within, (count, len(within)))
    return directions, indicators


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

@dataclass(frozen=True, eq=False)
class _Sweep:
    """The levels as the products need them: x = s with NaN → 0, by direction, and where data
    are present (only for ``missing: exclude`` directions with gaps)."""

    compiled: CompiledRubric
    levels: FloatArray                      # (N, M), NaN → 0
    by_direction: tuple[FloatArray, ...]    # each direction's columns of ``levels``, contiguous
    columns: tuple[IntArray, ...]           # each direction's indicator columns
    present: tuple[FloatArray | None, ...]  # each direction's presence mask (exclude with gaps)
    linear: bool                            # arithmetic and nothing to renormalise: one product

    @classmethod
    def of(cls, compiled: CompiledRubric, levels: FloatArray) -> _Sweep:
        missing = np.isnan(levels)
        clean = np.where(missing, 0.0, levels)
        columns = tuple(np.flatnonzero(compiled.direction_of == j)
                        for j in range(len(compiled.direction_ids)))
        exclude = compiled.missing == "exclude"
        present = tuple((~missing[:, cols]).astype(np.float64)
                        if exclude and missing[:, cols].any() else None for cols in columns)
        linear = compiled.aggregation == "arithmetic" and all(p is None for p in present)
        return cls(compiled, clean, tuple(np.ascontiguousarray(clean[:, c]) for c in columns), columns,
                   present, linear)

    def overall(self, directions: FloatArray, indicators: FloatArray, out: FloatArray) -> None:
        """Write the overall scores (N, k) under k sampled weightings (k, D), (k, M) into ``out``.

        Direction scores are not clipped to 100 one by one (they exceed it by rounding error at
        most); the overall score is.
        """
        compiled = self.compiled
        scale = 100.0 / compiled.levels
        aggregation = compiled.aggregation
        if self.linear:  # O = x · (R_j(i) · Q_i)ᵀ · 100/L, one product for every sample
            effective = indicators * (directions * scale)[:, compiled.direction_of]
            np.matmul(self.levels, effective.T, out=out)
        else:
            first = True
            for levels, cols, mask, share in zip(self.by_direction, self.columns, self.present,
                                                 directions.T):
                weights = indicators[:, cols]
                factor = share * scale if aggregation == "arithmetic" else np.full(len(share), scale)
                score: FloatArray = levels @ (weights * factor[:, None]).T
                if mask is not None:  # renormalise over what is present (no data: 0 / tiny = 0)
                    used = mask @ weights.T
                    np.maximum(used, np.finfo(np.float64).tiny, out=used)
                    score /= used
                if aggregation == "geometric":
                    with np.errstate(divide="ignore", invalid="ignore"):
                        np.log(score, out=score)
                        score *= share
                    score[np.isnan(score)] = 0.0  # a zero share of a zero score: D^0 = 1
                if first:
                    out[...] = score
                    first = False
                elif aggregation == "weakest":
                    np.minimum(out, score, out=out)
                else:
                    out += score
            if aggregation == "geometric":
                np.exp(out, out=out)
        np.clip(out, 0.0, 100.0, out=out)


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
                   indicators: FloatArray) -> FloatArray:
    """Overall scores (N, K) of every base (levels (N, M), NaN = missing) under every sampled
    weighting (K, D) and (K, M), in chunks of samples that bound the temporary arrays."""
    sweep = _Sweep.of(compiled, levels)
    count, samples = levels.shape[0], directions.shape[0]
    scores = np.empty((count, samples))
    # one product for a linear sweep (it writes straight into the result); otherwise chunks that
    # bound the per-direction temporaries. The products use every core through BLAS.
    step = samples if sweep.linear else max(16, PRODUCT_CELLS // max(count, 1))
    for start in range(0, samples, step):
        stop = min(start + step, samples)
        sweep.overall(directions[start:stop], indicators[start:stop], scores[:, start:stop])
    return scores


def weight_sweep(compiled: CompiledRubric, levels: FloatArray, directions: FloatArray,
                 indicators: FloatArray, top_k: int, workers: int | None = None) -> WeightSweep:
    """Score every base (levels (N, M), NaN = missing) under every sampled weighting, and
    summarise: per-sample ranks, level and top-k counts, each base's sorted scores and ranks."""
    scores = sampled_scores(compiled, levels, directions, indicators)
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


# --- results ----------------------------------------------------------------------------------

class Interval(Result):
    """Median and 5–95 % interval of a sampled score."""

    median: float
    low: float
    high: float


class RankInterval(Result):
    """Median and 5–95 % interval of a sampled rank (whole ranks; 1 = best)."""

    median: int
    low: int
    high: int


class BaseSensitivity(Result):
    """One base under weight perturbation, next to its point result (nominal weights).

    ``level_probability[k]`` is the probability of overall level k (0..L); ``top_probability``
    the probability of a rank within the report's ``top_k`` (bases tied at the edge all count).
    """

    base: str
    score: float
    level: int
    rank: int
    score_interval: Interval
    rank_interval: RankInterval
    level_probability: tuple[float, ...]
    top_probability: float


class MethodBase(Result):
    """One base's score and rank under every method variant (``aggregation/missing``)."""

    base: str
    scores: dict[str, float]
    ranks: dict[str, int]
    rank_range: int
    fragile: bool


class MethodPair(Result):
    """Two method variants' rankings: Kendall's tau-b, bases that moved, the largest move."""

    a: str
    b: str
    kendall_tau: float | None
    changed: int
    max_change: int


class MethodSensitivity(Result):
    """Ranks under each aggregation and missing-data policy, and the bases they disagree on."""

    nominal: str
    variants: tuple[str, ...]
    bases: tuple[MethodBase, ...]
    pairs: tuple[MethodPair, ...]
    fragile_range: int
    fragile: tuple[str, ...]

    def tau(self, a: str, b: str) -> float | None:
        """Kendall's tau-b between two variants."""
        if a == b and a in self.variants:
            return 1.0
        for pair in self.pairs:
            if {pair.a, pair.b} == {a, b}:
                return pair.kendall_tau
        raise UpgradeScoreError(f"no method variants '{a}' and '{b}' (known: {', '.join(self.variants)})")


class Influence(Result):
    """A direction's or indicator's effective share of the overall score vs its nominal share."""

    component: str
    kind: Literal["direction", "indicator"]
    direction: str
    nominal_share: float
    correlation: float | None
    effective_share: float


class ValueContribution(Result):
    """How much one uncertain value moves its base's overall score on its own."""

    indicator: str
    model: Literal["confidence", "interval"]
    sd: float
    variance_share: float


class ValueUncertainty(Result):
    """A base's overall score when its uncertain values are sampled, and what drives the spread."""

    base: str
    score: float
    interval: Interval
    sd: float
    contributions: tuple[ValueContribution, ...]


class SensitivityReport(Result):
    """Robustness of a group's scores and ranks (see :func:`sensitivity`); bases best first."""

    rubric: RubricRef
    weights: str
    perturb: Perturb
    samples: int
    seed: int
    top_k: int
    bases: tuple[BaseSensitivity, ...]
    methods: MethodSensitivity | None = None
    influence: tuple[Influence, ...] | None = None
    value_samples: int = 0
    values: tuple[ValueUncertainty, ...] = ()

    def base(self, base_id: str) -> BaseSensitivity:
        """The result of one base, by id."""
        for row in self.bases:
            if row.base == base_id:
                return row
        raise UpgradeScoreError(f"no base '{base_id}' in this report")

    def __str__(self) -> str:
        return render_sensitivity(self, "text")

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(render_sensitivity(self, 'text'))}</pre>"


# --- the analysis -----------------------------------------------------------------------------

def sensitivity(rubric: Rubric | str | Path | None,
                data: Sequence[BaseProfile] | ScoreTable | Any, *,
                samples: int = 10_000,
                weights: str = "dirichlet:50",
                seed: int | None = None,
                top_k: int = 3,
                perturb: Perturb = "all",
                methods: bool = True,
                influence: bool = True,
                value_samples: int = 2_000,
                confidence: npt.ArrayLike | None = None,
                fragile_range: int | None = None,
                ids: Sequence[str] | None = None,
                workers: int | None = None) -> SensitivityReport:
    """How robust are the scores and ranks of a group of bases? (The module docs give the models.)

    ``data`` is like :func:`score_many`'s (profiles, or an N×M array in ``rubric.indicator_ids``
    order named by ``ids``) or a :class:`ScoreTable` (whose rubric is then used).

    * ``samples`` weightings are drawn as ``weights`` says (``"dirichlet:α"`` or ``"uniform:x"``),
      for the direction and indicator weights (``perturb="all"``) or only one level of them
      (``"directions"``, ``"indicators"``); ``top_k`` sets the "top k" whose probability is given.
    * ``seed`` makes the run reproducible; without one, the seed drawn is in the report.
    * ``methods``: rank every base under every aggregation × missing policy; a base is fragile when
      its ranks span ``fragile_range`` places or more (default: a tenth of the group, at least 2).
    * ``influence``: effective vs nominal shares (needs 3 bases or more).
    * ``value_samples`` (0 = skip): samples of the values that carry a ``confidence`` below 1 or a
      ``low``/``high`` interval; for array data, ``confidence`` is an N×M array (NaN = exact).
    * ``workers`` caps the threads used (default: one per core); results do not depend on it.

    Memory: 12 bytes per base and sample (10,000 samples of 1,000 bases: 120 MB).
    """
    spec = parse_weights(weights)
    samples = _count("samples", samples, 1)
    top_k = _count("top_k", top_k, 1)
    value_samples = _count("value_samples", value_samples, 0)
    if value_samples == 1:
        raise _option_error("value_samples", "needs 0 (skip) or at least 2 samples")
    if perturb not in ("all", "directions", "indicators"):
        raise _option_error("perturb", f"expected all, directions or indicators, got {perturb!r}")
    if fragile_range is not None:
        fragile_range = _count("fragile_range", fragile_range, 1)
    if seed is not None:
        seed = _count("seed", seed, 0)
    if isinstance(data, ScoreTable):
        if ids is not None:
            raise _option_error("ids", "a score table carries its own ids")
        table = data
    else:
        if isinstance(data, (list, tuple)) and not data:
            raise UpgradeScoreError("sensitivity: the group of bases is empty")
        table = score_many(rubric, data, ids=ids)
    count = len(table)
    if count == 0:
        raise UpgradeScoreError("sensitivity: the group of bases is empty")
    if count * samples > MAX_CELLS:
        raise _option_error("samples", f"{samples:,} samples × {count:,} bases is more than "
                                       f"{MAX_CELLS:,} sampled scores; use fewer samples")
    spread = _value_spread(table, confidence)

    seeds = np.random.SeedSequence(seed)
    entropy = cast(int, seeds.entropy)  # the seed given, or the one drawn: recorded to reproduce the run
    weight_seed, value_seed = seeds.spawn(2)
    compiled = table.rubric.compiled
    levels = table.indicator_levels
    directions, indicators = sample_weights(compiled, spec, samples, np.random.default_rng(weight_seed),
                                            perturb)
    sweep = weight_sweep(compiled, levels, directions, indicators, top_k, workers)
    ranks = competition_ranks(table.overall)
    order = np.lexsort((np.array(table.base_ids), ranks)).tolist()
    bases = _base_results(table, ranks, sweep, samples, order)
    fragile = fragile_range or max(2, math.ceil(count / 10))
    uncertain = (_value_uncertainty(table, spread, value_samples, np.random.default_rng(value_seed), order)
                 if value_samples and spread.rows.size else ())
    return SensitivityReport(
        rubric=RubricRef.of(table.rubric), weights=spec.text, perturb=perturb, samples=samples,
        seed=entropy, top_k=top_k, bases=bases,
        methods=method_sensitivity(table, fragile, order) if methods else None,
        influence=influence_shares(table) if influence and count >= 3 else None,
        value_samples=value_samples if uncertain else 0, values=uncertain)


def _count(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise _option_error(name, f"must be a whole number ≥ {least}, got {value!r}")
    return int(value)


def _base_results(table: ScoreTable, ranks: IntArray, sweep: WeightSweep, samples: int,
                  order: list[int]) -> tuple[BaseSensitivity, ...]:
    median, low, high = (sorted_quantile(sweep.scores, q) for q in (0.5, LOW, HIGH))
    rank_median, rank_low, rank_high = (sorted_order_statistic(sweep.ranks, q) for q in (0.5, LOW, HIGH))
    counts = np.concatenate([np.full((len(table), 1), samples), sweep.at_least,
                             np.zeros((len(table), 1), dtype=np.int64)], axis=1)
    probability = (counts[:, :-1] - counts[:, 1:]) / samples
    return tuple(BaseSensitivity(
        base=table.base_ids[n], score=float(table.overall[n]), level=int(table.overall_level[n]),
        rank=int(ranks[n]),
        score_interval=Interval(median=float(median[n]), low=float(low[n]), high=float(high[n])),
        rank_interval=RankInterval(median=int(rank_median[n]), low=int(rank_low[n]),
                                   high=int(rank_high[n])),
        level_probability=tuple(probability[n].tolist()), top_probability=float(sweep.top[n] / samples),
    ) for n in order)


# --- method sensitivity -----------------------------------------------------------------------

def method_variants(rubric: Rubric) -> dict[str, Rubric]:
    """The rubric under every aggregation × missing-data policy, by ``aggregation/missing``."""
    base = rubric.model_dump()
    return {f"{a}/{m}": rubric if (a, m) == (rubric.aggregation, rubric.missing)
            else Rubric.model_validate({**base, "aggregation": a, "missing": m})
            for a in AGGREGATIONS for m in MISSING_POLICIES}


def method_sensitivity(table: ScoreTable, fragile_range: int,
                       order: Sequence[int] | None = None) -> MethodSensitivity:
    """Scores and ranks of ``table``'s bases under each method variant, with nominal weights."""
    rubric = table.rubric
    levels = table.indicator_levels
    scores: dict[str, FloatArray] = {}
    for name, variant in method_variants(rubric).items():
        compiled = variant.compiled
        scores[name] = overall_scores(compiled, direction_scores(compiled, levels)[0])
    ranks = {name: competition_ranks(values) for name, values in scores.items()}
    names = tuple(scores)
    stacked = np.stack([ranks[name] for name in names])
    spread = stacked.max(axis=0) - stacked.min(axis=0)
    rows = range(len(table)) if order is None else order
    bases = tuple(MethodBase(
        base=table.base_ids[n], scores={name: float(scores[name][n]) for name in names},
        ranks={name: int(ranks[name][n]) for name in names}, rank_range=int(spread[n]),
        fragile=bool(spread[n] >= fragile_range)) for n in rows)
    pairs = []
    for k, a in enumerate(names):
        for b in names[k + 1:]:
            moved = np.abs(ranks[a] - ranks[b])
            pairs.append(MethodPair(a=a, b=b, kendall_tau=kendall_tau_b(ranks[a], ranks[b]),
                                    changed=int((moved > 0).sum()), max_change=int(moved.max())))
    return MethodSensitivity(nominal=f"{rubric.aggregation}/{rubric.missing}", variants=names,
                             bases=bases, pairs=tuple(pairs), fragile_range=fragile_range,
                             fragile=tuple(b.base for b in bases if b.fragile))


# --- influence --------------------------------------------------------------------------------

def _correlations(columns: FloatArray, target: FloatArray) -> list[float | None]:
    """Pearson correlation of each column (N, C; NaN rows skipped per column) with ``target``."""
    found: list[float | None] = []
    for column in columns.T:
        keep = ~np.isnan(column)
        x, y = column[keep], target[keep]
        if x.size < 3:
            found.append(None)
            continue
        if np.ptp(x) <= CONSTANT or np.ptp(y) <= CONSTANT:
            found.append(None)  # a constant has no correlation
            continue
        dx, dy = x - x.mean(), y - y.mean()
        r = float(dx @ dy) / math.sqrt(float(dx @ dx) * float(dy @ dy))
        found.append(max(-1.0, min(1.0, r)))
    return found


def influence_shares(table: ScoreTable) -> tuple[Influence, ...]:
    """Effective shares (normalised squared correlations with the overall score) of every
    direction and indicator of ``table``'s rubric, next to their nominal shares."""
    rubric, compiled = table.rubric, table.rubric.compiled
    levels = table.indicator_levels
    if rubric.missing == "zero":
        levels = np.where(np.isnan(levels), 0.0, levels)
    overall = table.overall
    directions = _influence("direction", rubric.direction_ids, rubric.direction_ids,
                            _correlations(table.directions, overall), compiled.overall_shares)
    owners = tuple(rubric.direction_ids[j] for j in compiled.direction_of.tolist())
    indicators = _influence("indicator", rubric.indicator_ids, owners, _correlations(levels, overall),
                            compiled.indicator_shares)
    return directions + indicators


def _influence(kind: Literal["direction", "indicator"], ids: Sequence[str], owners: Sequence[str],
               correlations: list[float | None], nominal: FloatArray) -> tuple[Influence, ...]:
    squares = np.array([0.0 if r is None else r * r for r in correlations])
    total = squares.sum()
    effective = squares / total if total > 0 else squares
    return tuple(Influence(component=component, kind=kind, direction=owners[k],
                           nominal_share=float(nominal[k]), correlation=correlations[k],
                           effective_share=float(effective[k])) for k, component in enumerate(ids))


# --- value confidence -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ValueSpread:
    """The uncertain cells of a value matrix: where, and their confidence or interval."""

    rows: IntArray
    columns: IntArray
    confidence: FloatArray   # NaN where an interval is given
    low: FloatArray          # NaN where a confidence is given
    high: FloatArray


def _value_spread(table: ScoreTable, confidence: npt.ArrayLike | None) -> ValueSpread:
    """Collect the uncertain cells (confidence < 1, or an interval), checking intervals."""
    compiled = table.rubric.compiled
    shape = table.values.shape
    confidences = np.full(shape, np.nan)
    low, high = np.full(shape, np.nan), np.full(shape, np.nan)
    if confidence is not None:
        if table.profiles is not None:
            raise _option_error("confidence", "only for array data (profiles carry their own)")
        confidences = _confidence_array(confidence, shape)
    elif table.profiles is not None:
        column_of = {i: m for m, i in enumerate(table.rubric.indicator_ids)}
        problems: list[Problem] = []
        for n, profile in enumerate(table.profiles):
            for indicator_id, reported in profile.values.items():
                m = column_of.get(indicator_id)
                if m is None or reported.value is None:
                    continue
                if reported.low is not None and reported.high is not None:
                    reason = _interval_problem(compiled, m, reported.low, reported.high)
                    if reason:
                        problems.append(profile.problem(indicator_id, reason))
                    low[n, m], high[n, m] = reported.low, reported.high
                elif reported.confidence is not None:
                    confidences[n, m] = reported.confidence
        if problems:
            raise UpgradeScoreError(problems)
    present = ~np.isnan(table.values)
    uncertain = present & ((confidences < 1) | (high > low))
    rows, columns = np.nonzero(uncertain)
    return ValueSpread(rows, columns, confidences[rows, columns], low[rows, columns], high[rows, columns])


def _confidence_array(confidence: npt.ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    try:
        array = np.array(confidence, dtype=np.float64)
    except (TypeError, ValueError):
        raise _option_error("confidence", "expected an array of numbers in [0, 1]") from None
    if array.shape != shape:
        raise _option_error("confidence", f"expected shape {shape} like the values, got {array.shape}")
    with np.errstate(invalid="ignore"):
        if ((array < 0) | (array > 1)).any() or np.isinf(array).any():
            raise _option_error("confidence", "values must be in [0, 1] (NaN = exact)")
    return array


def _interval_problem(compiled: CompiledRubric, column: int, low: float, high: float) -> str:
    kind = int(compiled.kinds[column])
    if kind == BOOLEAN:
        return "an interval (low, high) applies to numbers and levels, not to a yes/no value"
    if kind == QUALITATIVE and (low != math.floor(low) or high != math.floor(high)):
        return f"the interval of a level must be whole levels, got [{low:g}, {high:g}]"
    if low < compiled.low[column] or high > compiled.high[column]:
        return (f"interval [{low:g}, {high:g}] is outside the valid range "
                f"[{compiled.low[column]:g}, {compiled.high[column]:g}]")
    return ""


def sample_values(compiled: CompiledRubric, values: FloatArray, spread: ValueSpread,
                  cells: slice | IntArray, samples: int, rng: np.random.Generator) -> FloatArray:
    """Sampled values (C, samples) of the uncertain ``cells`` (see the module docs for the model)."""
    rows, columns = spread.rows[cells], spread.columns[cells]
    value = values[rows, columns][:, None]
    confidence = spread.confidence[cells][:, None]
    low, high = spread.low[cells][:, None], spread.high[cells][:, None]
    kinds = compiled.kinds[columns][:, None]
    span = (compiled.points[columns, -1] - compiled.points[columns, 0])[:, None]
    noise = rng.standard_normal((len(rows), samples))
    uniform = rng.random((len(rows), samples))
    interval = ~np.isnan(low)
    with np.errstate(invalid="ignore"):
        moved = value + (1.0 - confidence) * span * noise
        qualitative = np.rint(moved)
        flipped = np.where(uniform < (1.0 - confidence) / 2, 1.0 - value, value)
        drawn = low + (high - low) * uniform
        levels_drawn = np.minimum(np.floor(low + (high - low + 1.0) * uniform), high)
    out = np.where(kinds == QUANTITATIVE, moved, np.where(kinds == QUALITATIVE, qualitative, flipped))
    out = np.where(interval, np.where(kinds == QUALITATIVE, levels_drawn, drawn), out)
    lower, upper = compiled.low[columns][:, None], compiled.high[columns][:, None]
    clipped: FloatArray = np.clip(out, lower, upper)
    return clipped


def _blocks(sizes: IntArray, limit: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) runs of items whose sizes add up to at most ``limit`` (or one item)."""
    found: list[tuple[int, int]] = []
    start, total = 0, 0
    for k, size in enumerate(sizes.tolist()):
        if k > start and total + size > limit:
            found.append((start, k))
            start, total = k, 0
        total += size
    if len(sizes):
        found.append((start, len(sizes)))
    return found


def sampled_levels(compiled: CompiledRubric, columns: IntArray, drawn: FloatArray) -> FloatArray:
    """Indicator levels (C, S) of sampled values ``drawn`` (C, S) of the given columns (C,).

    The samples are packed column by column into one value matrix (NaN elsewhere), so that the
    engine computes every level in one pass."""
    count, samples = drawn.shape
    order = np.argsort(columns, kind="stable")
    ordered = columns[order]
    slot = np.empty(count, dtype=np.int64)
    slot[order] = np.arange(count) - np.searchsorted(ordered, ordered, side="left")
    height = int(slot.max()) + 1 if count else 0
    rows = slot[:, None] * samples + np.arange(samples)
    packed = np.full((height * samples, len(compiled.indicator_ids)), np.nan)
    packed[rows, columns[:, None]] = drawn
    levels: FloatArray = indicator_levels(compiled, packed)[rows, columns[:, None]]
    return levels


def value_scores(table: ScoreTable, rows: IntArray, columns: IntArray,
                 drawn: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Overall scores when the values at (``rows``, ``columns``) take the sampled ``drawn``
    (C, S): each base's values all together, (B, S) for the B distinct rows in increasing order,
    and each value alone, (C, S).

    Only the directions of the sampled values are rescored: with its weights (and, for
    ``missing: exclude``, the set of present values) fixed, a direction score moves linearly with
    the level of one of its indicators, by 100/L · w_i / Σw · Δs.
    """
    compiled = table.rubric.compiled
    samples = drawn.shape[1]
    owner = compiled.direction_of[columns]
    nominal = table.indicator_levels[rows, columns]
    if compiled.missing == "exclude":  # Σ w over the present indicators of the value's direction
        present = ~np.isnan(table.indicator_levels[rows])
        used = ((present * compiled.weights) @ compiled.block.astype(bool))[np.arange(len(rows)), owner]
    else:
        used = compiled.direction_weight_sums[owner]
    scale = 100.0 / compiled.levels * compiled.weights[columns] / used
    delta = scale[:, None] * (sampled_levels(compiled, columns, drawn) - nominal[:, None])
    directions = table.directions
    width = directions.shape[1]
    alone = np.repeat(directions[rows], samples, axis=0)
    alone[np.arange(alone.shape[0]), np.repeat(owner, samples)] += delta.ravel()
    bases, position = np.unique(rows, return_inverse=True)
    together = np.repeat(directions[bases], samples, axis=0)
    at = ((position[:, None] * samples + np.arange(samples)) * width + owner[:, None]).ravel()
    together += np.bincount(at, weights=delta.ravel(), minlength=together.size).reshape(together.shape)
    joint = overall_scores(compiled, np.clip(together, 0.0, 100.0, out=together))
    each = overall_scores(compiled, np.clip(alone, 0.0, 100.0, out=alone))
    return joint.reshape(len(bases), samples), each.reshape(len(rows), samples)


def _value_uncertainty(table: ScoreTable, spread: ValueSpread, samples: int, rng: np.random.Generator,
                       order: Sequence[int]) -> tuple[ValueUncertainty, ...]:
    """Sample the uncertain values of each base: jointly, and one at a time (same draws)."""
    compiled = table.rubric.compiled
    bases, first = np.unique(spread.rows, return_index=True)
    bounds = [*first.tolist(), len(spread.rows)]
    results: dict[int, ValueUncertainty] = {}
    for start, stop in _blocks(samples * (1 + np.diff(bounds)), VALUE_ROWS):
        cells = np.arange(bounds[start], bounds[stop])
        drawn = sample_values(compiled, table.values, spread, cells, samples, rng)
        joint, alone = value_scores(table, spread.rows[cells], spread.columns[cells], drawn)
        joint.sort(axis=1)
        for b, n in enumerate(bases[start:stop].tolist()):
            variance = float(joint[b].var())
            contributions = sorted((
                ValueContribution(
                    indicator=table.rubric.indicator_ids[int(spread.columns[k])],
                    model="interval" if not np.isnan(spread.low[k]) else "confidence",
                    sd=float(alone[k - bounds[start]].std()),
                    variance_share=float(alone[k - bounds[start]].var()) / variance if variance > 0 else 0.0)
                for k in range(bounds[start + b], bounds[start + b + 1])),
                key=lambda c: (-round(c.variance_share, 9), c.indicator))
            row = joint[b:b + 1]
            results[n] = ValueUncertainty(
                base=table.base_ids[n], score=float(table.overall[n]),
                interval=Interval(median=float(sorted_quantile(row, 0.5)[0]),
                                  low=float(sorted_quantile(row, LOW)[0]),
                                  high=float(sorted_quantile(row, HIGH)[0])),
                sd=math.sqrt(variance), contributions=tuple(contributions))
    return tuple(results[n] for n in order if n in results)


# --- rendering --------------------------------------------------------------------------------

def _span(low: float, high: float, digits: int = 1) -> str:
    return f"{low:.{digits}f}–{high:.{digits}f}"


_PERTURBED = {"all": "direction and indicator", "directions": "direction", "indicators": "indicator"}


def _likely_level(row: BaseSensitivity, rubric: Rubric | None, lang: Lang) -> str:
    """The most probable overall level (the lower on a tie) and its probability."""
    chances = row.level_probability
    level = max(range(len(chances)), key=lambda k: (chances[k], -k))
    name = str(level) if rubric is None else level_text(rubric, level, lang)
    return f"{name} ({100 * chances[level]:.0f} %)"


def render_sensitivity(report: SensitivityReport, style: Style = "text", lang: Lang = "en",
                       rubric: Rubric | None = None) -> str:
    """The report as text or Markdown: the weight table, then method, influence and values.

    With ``rubric``, levels are shown with their names."""
    count = len(report.bases)
    heading = (f"Sensitivity · rubric {report.rubric.id} {report.rubric.version} · {count} "
               f"base{'s' if count != 1 else ''} · {report.samples:,} samples of "
               f"{_PERTURBED[report.perturb]} weights ({report.weights}) · seed {report.seed}")
    parts = [f"# {heading}" if style == "markdown" else heading]
    rows = []
    for row in report.bases:
        rank = row.rank_interval
        rows.append([str(row.rank), row.base, f"{row.score:.1f}",
                     _span(row.score_interval.low, row.score_interval.high),
                     str(rank.low) if rank.low == rank.high else f"{rank.low}–{rank.high}",
                     str(rank.median), f"{100 * row.top_probability:.0f} %",
                     _likely_level(row, rubric, lang)])
    parts.append(table(["rank", "base", "score", "score 5–95 %", "rank 5–95 %", "median rank",
                        f"P(top {report.top_k})", "likely level"], rows, style, right=(0, 2, 3, 4, 5, 6)))
    if report.methods is not None:
        parts.append(_methods_text(report.methods, style))
    if report.influence is not None:
        parts.append(_influence_text(report.influence, style))
    if report.values:
        parts.append(_values_text(report, style))
    return "\n\n".join(parts)


def _title(text: str, style: Style) -> str:
    return f"## {text}" if style == "markdown" else text


def _methods_text(methods: MethodSensitivity, style: Style) -> str:
    names = methods.variants
    headers = ["base", *(f"{n}*" if n == methods.nominal else n for n in names), "range"]
    rows = [[b.base, *(str(b.ranks[n]) for n in names), str(b.rank_range)] for b in methods.bases]
    taus = ", ".join(f"{n} {_tau(methods.tau(methods.nominal, n))}" for n in names if n != methods.nominal)
    fragile = ", ".join(methods.fragile) or "none"
    return "\n".join([
        _title("Method sensitivity: rank under each aggregation/missing policy (* = the rubric's)", style),
        "", table(headers, rows, style, right=tuple(range(1, len(headers)))), "",
        f"Kendall's tau-b with {methods.nominal}: {taus}.",
        f"Fragile bases (rank range ≥ {methods.fragile_range}): {fragile}."])


def _tau(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _influence_text(influence: tuple[Influence, ...], style: Style) -> str:
    directions = [i for i in influence if i.kind == "direction"]
    rows = [[i.component, f"{100 * i.nominal_share:.1f} %", f"{100 * i.effective_share:.1f} %",
             "—" if i.correlation is None else f"{i.correlation:.2f}"] for i in directions]
    indicators = sorted((i for i in influence if i.kind == "indicator"),
                        key=lambda i: (-round(abs(i.effective_share - i.nominal_share), 9), i.component))
    shown = ", ".join(f"{i.component} {100 * i.effective_share:.1f} % (nominal {100 * i.nominal_share:.1f} %)"
                      for i in indicators[:5])
    return "\n".join([
        _title("Influence: effective share of the overall spread (squared correlation) vs nominal weight",
               style), "",
        table(["direction", "nominal", "effective", "r"], rows, style, right=(1, 2, 3)), "",
        f"Indicators furthest from their nominal share: {shown}."])


def _values_text(report: SensitivityReport, style: Style) -> str:
    rows = []
    for value in report.values:
        sources = ", ".join(f"{c.indicator} {100 * c.variance_share:.0f} %" for c in value.contributions[:3])
        rows.append([value.base, f"{value.score:.1f}", _span(value.interval.low, value.interval.high),
                     f"{value.sd:.2f}", sources])
    return "\n".join([
        _title(f"Value confidence: {report.value_samples:,} samples of the uncertain values", style), "",
        table(["base", "score", "score 5–95 %", "sd", "main sources (share of variance)"], rows, style,
              right=(1, 2, 3))])
