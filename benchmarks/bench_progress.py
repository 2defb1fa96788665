"""Benchmark: progress of many bases over the years (design point 15).

Makes ``--bases`` bases of the default rubric, each reported for ``--years`` years (the example
hub's values, scaled up a little every year), and times ``progress()`` end to end, the projection
of every series in one numpy pass (``project_many``) and the same projections one series at a
time in Python (``project``, the reference), checking that the two agree. With pandas installed,
it also writes a panel of ``--csv-bases`` bases × ``--years`` years as one CSV table and runs
``upgrade-score progress table.csv --format json`` through the command line (start to exit), with
the default indent and with ``--indent 0``.

    python benchmarks/bench_progress.py [--bases 1000] [--years 3] [--repeat 3] [--csv-bases 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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
    kinds = {i.id: i for i in rubric.indicators}  # (the hub reports inputs too: kept as they are)
    about = hub.base.model_dump(mode="json", exclude_none=True)  # (its category, name ...)
    enterprises = [e.model_dump(mode="json", exclude_none=True) for e in hub.enterprises or ()]
    profiles = []
    for b in range(bases):
        for k in range(years):
            values = {}
            for indicator_id, reported in hub.values.items():
                value = reported.value
                indicator = kinds.get(indicator_id)
                if isinstance(value, float) and indicator is not None and indicator.kind == "quantitative":
                    high = indicator.valid_range[1] if indicator.valid_range else None
                    value = value * (0.9 + 0.05 * k + 0.0001 * b)
                    value = min(value, high) if high is not None else value
                values[indicator_id] = value
            profiles.append(BaseProfile.model_validate(
                {"base": {**about, "id": f"base-{b}", "year": 2020 + k}, "values": values,
                 "enterprises": enterprises}))
    return profiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv-bases", type=int, default=10_000, help="0 leaves the command line out")
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
    if args.csv_bases:
        command_line(args.csv_bases, args.years)


def command_line(bases: int, years: int) -> None:
    """``progress`` of a CSV panel through the command line, start to exit (needs pandas)."""
    try:
        import pandas as pd
        from bench_tables import RUBRIC, run, write_bases
    except ImportError:
        print("(pandas not installed: the command line on a CSV panel left out)")
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        write_bases(tmp / "bases.csv", bases, seed=3)
        one_year = pd.read_csv(tmp / "bases.csv", dtype=str, keep_default_na=False)
        frames = [one_year.assign(year=str(2020 + k)) for k in range(years)]
        pd.concat(frames).to_csv(tmp / "panel.csv", index=False)
        print(f"\nCSV panel of {bases:,} bases × {years} years, rubric {RUBRIC}, through the command line:")
        for extra in ((), ("--indent", "0")):
            argv = [sys.executable, "-m", "upgrade_score", "progress", "--rubric", RUBRIC,
                    str(tmp / "panel.csv"), "--format", "json", *extra, "--quiet"]
            seconds, peak, _ = run(argv, tmp / "out.json")
            print(f"  progress --format json {' '.join(extra) or '(indent 2)':12} {seconds:6.2f} s, "
                  f"peak {peak:.0f} MB")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark ran {time.perf_counter() - start:.1f} s)")
