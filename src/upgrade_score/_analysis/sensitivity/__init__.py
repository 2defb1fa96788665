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

**Rubric language 2** (categories, n/a, gates; design points 9–11). Every sample follows the
engine's rules: an indicator that does not apply to a base (n/a, or outside its category) leaves
its direction's weighted mean, so the sampled indicator shares are renormalised over what applies
to that base; a direction none of whose indicators apply leaves the aggregate (the sampled
direction shares are renormalised over the rest, and ``weakest`` ignores it), so its weight moves
nothing for that base. Levels are capped by the gates a base does not pass (gates change levels,
never scores): the level probabilities are those of the capped level, ranks follow the scores.
Method variants are scored by the engine with the table's categories and n/a answers. Only values
that apply are sampled (an n/a cell is not a value), each through the thresholds of its base's
category, with the span of those thresholds in the confidence model; influence correlations
skip the bases to which a direction or indicator does not apply.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from ..._analysis.compare import competition_ranks
from ..._analysis.diff import kendall_tau_b
from ..._analysis.score import score_many
from ..._analysis.scorecard import ScoreTable
from ..._engine.aggregate import AGGREGATIONS, MISSING_POLICIES
from ..._engine.compile import FloatArray, IntArray
from ..._engine.core import direction_scores, overall_scores, score_matrix
from ..._engine.gates import cap_levels
from ..._errors import UpgradeScoreError
from ..._io.enterprises import EnterpriseTable
from ..._model.profile import BaseProfile
from ..._model.results import RubricRef
from ..._model.rubric import Rubric
from .results import (
    BaseSensitivity,
    Influence,
    Interval,
    MethodBase,
    MethodPair,
    MethodSensitivity,
    RankInterval,
    SensitivityReport,
)
from .values import check_value_cost, value_spread, value_uncertainty
from .weights import (
    CONSTANT,
    HIGH,
    LOW,
    Applicability,
    Perturb,
    WeightSweep,
    check_sweep_cost,
    draw_weights,
    option_error,
    parse_weights,
    sorted_order_statistic,
    sorted_quantile,
    weight_sweep,
)

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
                workers: int | None = None,
                enterprises: EnterpriseTable | str | Path | None = None) -> SensitivityReport:
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
    * ``enterprises`` (with profiles): an enterprise table, as in :func:`score_many`.

    Memory: 12 bytes per base and sample (10,000 samples of 1,000 bases: 120 MB), and the
    sampled weights a chunk at a time. A request that would cost more than the limits of
    :mod:`.weights` (bases × samples, samples × weights, bases × samples × indicators, value
    samples × a base's uncertain values) is refused before anything is sampled.
    """
    spec = parse_weights(weights)
    samples = _count("samples", samples, 1)
    top_k = _count("top_k", top_k, 1)
    value_samples = _count("value_samples", value_samples, 0)
    if value_samples == 1:
        raise option_error("value_samples", "needs 0 (skip) or at least 2 samples")
    if perturb not in ("all", "directions", "indicators"):
        raise option_error("perturb", f"expected all, directions or indicators, got {perturb!r}")
    if fragile_range is not None:
        fragile_range = _count("fragile_range", fragile_range, 1)
    if seed is not None:
        seed = _count("seed", seed, 0)
    if isinstance(data, ScoreTable):
        if ids is not None:
            raise option_error("ids", "a score table carries its own ids")
        table = data
    else:
        if isinstance(data, (list, tuple)) and not data:
            raise UpgradeScoreError("sensitivity: the group of bases is empty")
        table = score_many(rubric, data, ids=ids, enterprises=enterprises)
    count = len(table)
    if count == 0:
        raise UpgradeScoreError("sensitivity: the group of bases is empty")
    check_sweep_cost(table.rubric.compiled, count, samples)
    spread = value_spread(table, confidence)
    if value_samples:
        check_value_cost(table.rubric.compiled, spread, value_samples)

    seeds = np.random.SeedSequence(seed)
    entropy = cast(int, seeds.entropy)  # the seed given, or the one drawn: recorded to reproduce the run
    weight_seed, value_seed = seeds.spawn(2)
    compiled = table.rubric.compiled
    levels = table.indicator_levels
    weightings = draw_weights(compiled, spec, samples, np.random.default_rng(weight_seed), perturb)
    sweep = weight_sweep(compiled, levels, weightings, top_k, workers, applicability(table))
    ranks = competition_ranks(table.overall)
    order = np.lexsort((np.array(table.base_ids), ranks)).tolist()
    bases = _base_results(table, ranks, sweep, samples, order)
    fragile = fragile_range or max(2, math.ceil(count / 10))
    uncertain = (value_uncertainty(table, spread, value_samples, np.random.default_rng(value_seed), order)
                 if value_samples and spread.rows.size else ())
    return SensitivityReport(
        rubric=RubricRef.of(table.rubric), weights=spec.text, perturb=perturb, samples=samples,
        seed=entropy, top_k=top_k, bases=bases,
        methods=method_sensitivity(table, fragile, order) if methods else None,
        influence=influence_shares(table) if influence and count >= 3 else None,
        value_samples=value_samples if uncertain else 0, values=uncertain)


def _count(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise option_error(name, f"must be a whole number ≥ {least}, got {value!r}")
    return int(value)


def _base_results(table: ScoreTable, ranks: IntArray, sweep: WeightSweep, samples: int,
                  order: list[int]) -> tuple[BaseSensitivity, ...]:
    median, low, high = (sorted_quantile(sweep.scores, q) for q in (0.5, LOW, HIGH))
    rank_median, rank_low, rank_high = (sorted_order_statistic(sweep.ranks, q) for q in (0.5, LOW, HIGH))
    at_least = sweep.at_least
    caps = overall_caps(table)
    if caps is not None:  # gates cap levels, never scores: no level above a base's cap
        at_least = np.where(np.arange(1, at_least.shape[1] + 1) > caps[:, None], 0, at_least)
    counts = np.concatenate([np.full((len(table), 1), samples), at_least,
                             np.zeros((len(table), 1), dtype=np.int64)], axis=1)
    probability = (counts[:, :-1] - counts[:, 1:]) / samples
    uncapped = table.scores.uncapped_overall_level
    absent = np.isnan(table.directions)
    direction_ids = table.rubric.direction_ids
    return tuple(BaseSensitivity(
        base=table.base_ids[n], score=float(table.overall[n]), level=int(table.overall_level[n]),
        rank=int(ranks[n]),
        score_interval=Interval(median=float(median[n]), low=float(low[n]), high=float(high[n])),
        rank_interval=RankInterval(median=int(rank_median[n]), low=int(rank_low[n]),
                                   high=int(rank_high[n])),
        level_probability=tuple(probability[n].tolist()), top_probability=float(sweep.top[n] / samples),
        uncapped_level=None if uncapped is None else int(uncapped[n]),
        not_applicable=tuple(direction_ids[j] for j in np.flatnonzero(absent[n]).tolist()) or None,
    ) for n in order)


def applicability(table: ScoreTable) -> Applicability | None:
    """Where the indicators and directions of ``table``'s rubric apply to its bases (categories,
    n/a answers; as the engine decided), or ``None`` when everything applies everywhere."""
    if not table.rubric.compiled.uses_language_2:
        return None
    cells, directions = table.applicable, ~np.isnan(table.directions)
    if cells.all() and directions.all():
        return None
    return Applicability(cells, directions)


def overall_caps(table: ScoreTable) -> IntArray | None:
    """The highest overall level each base may reach under the gates it does not pass (``None``
    for a rubric without gates): the engine's caps applied to the top level."""
    compiled, scores = table.rubric.compiled, table.scores
    if scores.gate_status is None or not compiled.gates:
        return None
    top = np.full(len(table), compiled.levels, dtype=np.int64)
    return cap_levels(compiled, scores.gate_status, scores.direction_levels, top)[1]


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
    scores: dict[str, FloatArray] = {}
    for name, variant in method_variants(rubric).items():
        compiled = variant.compiled
        if compiled.uses_language_2:  # categories, n/a and gates: the engine's whole run
            scores[name] = score_matrix(compiled, table.values, na=table.na,
                                        categories=table.categories).overall
        else:
            scores[name] = overall_scores(compiled, direction_scores(compiled, table.indicator_levels)[0])
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
    applies = applicability(table)
    if applies is not None:  # an indicator that does not apply has no level (not even 0)
        levels = np.where(applies.cells, levels, np.nan)
    if rubric.missing == "zero":
        levels = np.where(np.isnan(levels) & (True if applies is None else applies.cells), 0.0, levels)
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
