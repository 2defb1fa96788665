"""Benchmark: progress of many bases over the years (design point 15).

Makes ``--bases`` bases of the default rubric, each reported for ``--years`` years (the example
hub's values, scaled up a little every year), and times ``progress()`` end to end, the projection
of every series in one numpy pass (``project_many``) and the same projections one series at a
time in Python (``project``, the reference), checking that the two agree.

    python benchmarks/bench_progress.py [--bases 1000] [--years 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from bench_score import best_of

from upgrade_score import BaseProfile, load_profile, load_rubric, progress
from upgrade_score._analysis.projection import project, project_many

HUB = Path(__file__).resolve().parents[1] / "examples" / "bases" / "scrap_metal_hub.yaml"


def panel(bases: int, years: int) -> list[BaseProfile]:
    """``bases`` × ``years`` profiles: quantitative values grow 5 % a year (within their range)."""
    rubric = load_rubric()
    hub = load_profile(HUB)
    profiles = []
    for b in range(bases):
        for k in range(years):
            values = {}
            for indicator_id, reported in hub.values.items():
                value = reported.value
                indicator = rubric.indicator(indicator_id)
                if isinstance(value, float) and indicator.kind == "quantitative":
                    high = indicator.valid_range[1] if indicator.valid_range else None
                    value = value * (0.9 + 0.05 * k + 0.0001 * b)
                    value = min(value, high) if high is not None else value
                values[indicator_id] = value
            profiles.append(BaseProfile.model_validate(
                {"base": {"id": f"base-{b}", "year": 2020 + k}, "values": values}))
    return profiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rubric = load_rubric()
    profiles = panel(args.bases, args.years)
    end_to_end = best_of(args.repeat, lambda: progress(rubric, profiles, 3))
    rng = np.random.default_rng(1)
    series = args.bases * 7
    years = np.tile(np.arange(2020, 2020 + args.years), (series, 1))
    scores = np.cumsum(rng.uniform(-2, 6, (series, args.years)), axis=1) + 30
    cutoffs = np.full(series, 60.0)
    many = best_of(args.repeat, lambda: project_many(years, scores, cutoffs))
    listed_years, listed_scores = years.tolist(), scores.tolist()
    one = best_of(args.repeat, lambda: [project(y, s, 60.0) for y, s in zip(listed_years, listed_scores)])
    found = project_many(years, scores, cutoffs)
    agree = all(found.projection(k) == project(listed_years[k], listed_scores[k], 60.0)
                for k in range(series))
    print(f"{args.bases:,} bases × {args.years} years ({len(profiles):,} profiles, {series:,} series)")
    print(f"progress() end to end (scoring every year, projecting every series): {end_to_end:.3f} s")
    print(f"project_many, one numpy pass over {series:,} series:                 {many:.4f} s")
    print(f"project, one series at a time in Python:                           {one:.4f} s "
          f"({one / many:.0f}×)")
    print(f"the two agree on every series: {agree}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark ran {time.perf_counter() - start:.1f} s)")
