"""Benchmark: score 1,000,000 bases on the default rubric through ``score_many``.

Compares with (a) a plain numpy weighted sum over the same matrix — the floor any vectorised
scorer pays just to read the data — (b) a per-base pure-Python loop on a sample and (c) one
``score_many`` call per base on a smaller sample, both extrapolated to the full count.
Targets (2-core machine): score_many ≤ 1.5 s for 1M bases, ≥ 100× the Python loop.

    python benchmarks/bench_score.py [--bases 1000000] [--sample 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np

from upgrade_score import Rubric, load_rubric, score_many


def random_values(rubric: Rubric, count: int, seed: int = 0, missing: float = 0.05) -> np.ndarray:
    """A valid N×M matrix: each column drawn over its indicator's plausible span, some missing."""
    rng = np.random.default_rng(seed)
    levels = rubric.level_count
    columns = []
    for indicator in rubric.indicators:
        if indicator.kind == "qualitative":
            column = rng.integers(0, levels + 1, count).astype(np.float64)
        elif indicator.kind == "boolean":
            column = rng.integers(0, 2, count).astype(np.float64)
        else:
            ends = [indicator.effective_floor, *(indicator.thresholds or ())]
            low, high = min(ends), max(ends)
            span = high - low
            column = rng.uniform(low - 0.2 * span, high + 0.2 * span, count)
            if indicator.valid_range is not None:
                column = np.clip(column, *indicator.valid_range)
        columns.append(column)
    values = np.column_stack(columns)
    values[rng.random(values.shape) < missing] = np.nan
    return values


def python_loop(rubric: Rubric, values: np.ndarray) -> list[float]:
    """Score base by base, indicator by indicator, in plain Python (arithmetic, missing = zero)."""
    levels = rubric.level_count
    overall = []
    for row in values.tolist():
        column = 0
        total_weight = sum(d.weight for d in rubric.directions)
        result = 0.0
        for direction in rubric.directions:
            points = 0.0
            weights = 0.0
            for indicator in direction.indicators:
                value = row[column]
                column += 1
                weights += indicator.weight
                if math.isnan(value):
                    continue
                points += indicator.weight * _level(indicator, value, levels) / levels
            result += direction.weight * 100.0 * points / weights
        overall.append(result / total_weight)
    return overall


def _level(indicator, value: float, levels: int) -> float:  # type: ignore[no-untyped-def]
    if indicator.kind == "qualitative":
        return value
    if indicator.kind == "boolean":
        return levels * value
    sign = 1.0 if indicator.better == "higher" else -1.0
    points = [sign * p for p in (indicator.effective_floor, *indicator.thresholds)]
    oriented = sign * value
    if indicator.interpolation == "step":
        return float(sum(oriented >= p for p in points[1:]))
    if oriented <= points[0]:
        return 0.0
    for k in range(1, len(points)):
        if oriented <= points[k]:
            return k - 1 + (oriented - points[k - 1]) / (points[k] - points[k - 1])
    return float(levels)


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Fastest wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rubric = load_rubric("urban-mining-upgrade@2026.1")  # the reference workload of the README figures
    values = random_values(rubric, args.bases)
    compiled = rubric.compiled
    effective = compiled.indicator_shares
    print(f"rubric {rubric.id} {rubric.version}: {len(rubric.indicator_ids)} indicators, "
          f"{len(rubric.directions)} directions; matrix {values.shape[0]:,} × {values.shape[1]} "
          f"({values.nbytes / 1e6:.0f} MB)")

    table = score_many(rubric, values)
    sample = values[: args.sample]
    loop = python_loop(rubric, sample)
    error = float(np.max(np.abs(np.asarray(loop) - table.overall[: args.sample])))
    print(f"check: max |score_many − python loop| over {args.sample:,} bases = {error:.2e}")

    vectorised = best_of(args.repeat, lambda: score_many(rubric, values))
    weighted_sum = best_of(args.repeat, lambda: np.nan_to_num(values) @ effective)
    loop_time = best_of(1, lambda: python_loop(rubric, sample)) * args.bases / args.sample
    few = values[: max(args.sample // 10, 1)]
    per_call = best_of(1, lambda: [score_many(rubric, row[None, :]) for row in few])
    per_call *= args.bases / len(few)

    rows = [("score_many (validate + score)", vectorised),
            ("plain numpy weighted sum", weighted_sum),
            (f"python loop (from {args.sample:,})", loop_time),
            (f"score_many per base (from {len(few):,})", per_call)]
    print(f"\n{'method':34s} {'seconds':>9s} {'bases/s':>14s}")
    for name, seconds in rows:
        print(f"{name:34s} {seconds:9.3f} {args.bases / seconds:14,.0f}")
    print(f"\nscore_many / weighted sum: {vectorised / weighted_sum:.1f}×  (cost of the full "
          "semantics over a bare weighted sum)")
    print(f"python loop / score_many:  {loop_time / vectorised:.0f}×  (target ≥ 100×)")
    print(f"per-base calls / score_many: {per_call / vectorised:.0f}×")
    target = "met" if vectorised <= 1.5 else "NOT met"
    print(f"target ≤ 1.5 s for 1M bases: {target} ({vectorised:.3f} s for {args.bases:,})")


if __name__ == "__main__":
    main()
