"""Benchmark: weight sensitivity of 1,000 bases under 10,000 sampled weightings.

Times :func:`upgrade_score.sensitivity` on the default rubric (35 indicators, 6 directions) with a
random valid value matrix (5 % missing), for the weight sweep alone (``methods``, ``influence``
and value confidence off) under each perturbation and aggregation / missing policy, and for the
full report. Target (2-core machine): the weight sweep ≤ 2 s for 10,000 samples × 1,000 bases.

    python benchmarks/bench_sensitivity.py [--bases 1000] [--samples 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse

from bench_score import best_of, random_values

from upgrade_score import Rubric, load_rubric
from upgrade_score._analysis.sensitivity import sensitivity


def variant(rubric: Rubric, aggregation: str, missing: str) -> Rubric:
    return rubric.model_copy(update={"aggregation": aggregation, "missing": missing})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rubric = load_rubric("urban-mining-upgrade@2026.1")  # the reference workload of the README figures
    values = random_values(rubric, args.bases)
    print(f"rubric {rubric.id} {rubric.version}: {len(rubric.indicator_ids)} indicators, "
          f"{len(rubric.directions)} directions; {args.bases:,} bases × {args.samples:,} samples")

    cases = [
        ("dirichlet:50, arithmetic/zero", rubric, "dirichlet:50"),
        ("uniform:0.2, arithmetic/zero", rubric, "uniform:0.2"),
        ("dirichlet:50, arithmetic/exclude", variant(rubric, "arithmetic", "exclude"), "dirichlet:50"),
        ("dirichlet:50, geometric/zero", variant(rubric, "geometric", "zero"), "dirichlet:50"),
        ("dirichlet:50, weakest/exclude", variant(rubric, "weakest", "exclude"), "dirichlet:50"),
    ]
    print(f"\n{'weight sweep only':36s} {'seconds':>8s}")
    first = 0.0
    for name, chosen, spec in cases:
        seconds = best_of(args.repeat, lambda chosen=chosen, spec=spec: sensitivity(
            chosen, values, samples=args.samples, weights=spec, seed=1, methods=False,
            influence=False))
        first = first or seconds
        print(f"{name:36s} {seconds:8.3f}")
    full = best_of(args.repeat, lambda: sensitivity(rubric, values, samples=args.samples, seed=1))
    print(f"{'full report (+ methods, influence)':36s} {full:8.3f}")
    target = "met" if first <= 2.0 else "NOT met"
    print(f"\ntarget ≤ 2 s for {args.samples:,} samples × {args.bases:,} bases (default rubric, "
          f"dirichlet:50): {target} ({first:.3f} s)")


if __name__ == "__main__":
    main()
