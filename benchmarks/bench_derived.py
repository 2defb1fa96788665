"""Benchmark: derived indicators and enterprise roll-ups (design points 12–13).

(a) Score 1,000,000 bases whose indicators are ratios of reported inputs (energy use / value
    added, green factories / enterprises, ...) given as a DataFrame of inputs, against the same
    rubric without formulas fed the same indicator values directly. Target: ≤ 1.5×.
(b) Roll 1,000,000 enterprise rows up into 10,000 bases: the roll-up itself (every form: sum,
    count, count_where, weighted mean), ``score_many`` of 10,000 profiles with an enterprise
    table of 1,000,000 rows, and reading that table from CSV. Target: roll-up well under a second.

    python benchmarks/bench_derived.py [--bases 1000000] [--rows 1000000] [--with-rows 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from upgrade_score import BaseProfile, Rubric, score_many
from upgrade_score._engine.derive import roll_up
from upgrade_score._io.enterprises import EnterpriseTable, load_enterprises

LEVELS = [{"level": k, "name": f"L{k}"} for k in range(1, 5)]
RATIOS = {  # indicator: (formula, thresholds, better)
    "energy_intensity": ("energy / value_added", [2.0, 1.5, 1.0, 0.5], "lower"),
    "water_intensity": ("water / value_added", [8.0, 6.0, 4.0, 2.0], "lower"),
    "green_share": ("greens / firms", [0.1, 0.2, 0.4, 0.6], "higher"),
    "recycled_share": ("recycled / (recycled + landfilled)", [0.5, 0.7, 0.85, 0.95], "higher"),
    "throughput": ("processed", [30.0, 60.0, 100.0, 200.0], "higher"),
    "yield_per_staff": ("processed / staff", [1.0, 2.0, 3.0, 4.0], "higher"),
}
INPUTS = ("energy", "value_added", "water", "greens", "firms", "recycled", "landfilled", "processed",
          "staff")


def rubric_data(formulas: bool) -> dict[str, Any]:
    indicators = []
    for indicator_id, (formula, thresholds, better) in RATIOS.items():
        indicator: dict[str, Any] = {"id": indicator_id, "name": indicator_id, "thresholds": thresholds,
                                     "better": better}
        if formulas:
            indicator["formula"] = formula
        indicators.append(indicator)
    data: dict[str, Any] = {
        "id": "bench-derived", "version": "1", "title": "bench", "levels": LEVELS,
        "directions": [{"id": "a", "name": "A", "indicators": indicators[:3]},
                       {"id": "b", "name": "B", "indicators": indicators[3:]}]}
    if formulas:
        data["inputs"] = [{"id": i, "name": i, "valid_range": [0, 1e12]} for i in INPUTS]
    return data


def rollup_rubric() -> Rubric:
    data = rubric_data(formulas=False)
    data["enterprise_fields"] = [{"id": "tonnes", "name": "t"}, {"id": "staff_count", "name": "s"},
                                 {"id": "green", "name": "g", "kind": "boolean"}]
    data["inputs"] = [{"id": "t_sum", "name": "x", "rollup": {"sum": "tonnes"}},
                      {"id": "n", "name": "x", "rollup": {"count": "all"}},
                      {"id": "g", "name": "x", "rollup": {"count_where": "green"}},
                      {"id": "t_mean", "name": "x", "rollup": {"mean": "tonnes", "weight": "staff_count"}}]
    data["directions"][0]["indicators"][2]["formula"] = "g / n"
    data["directions"][1]["indicators"][1]["formula"] = "t_sum / 1000"
    data["directions"][1]["indicators"][2]["formula"] = "t_mean / 100"
    return Rubric.model_validate(data)


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def bench_formulas(count: int, repeat: int) -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    inputs = {name: rng.uniform(1.0, 1000.0, count) for name in INPUTS}
    inputs["greens"] = rng.integers(0, 20, count).astype(np.float64)
    inputs["firms"] = inputs["greens"] + rng.integers(1, 20, count)
    frame = pd.DataFrame({"id": np.arange(count).astype(str), **inputs})
    derived_rubric = Rubric.model_validate(rubric_data(formulas=True))
    plain_rubric = Rubric.model_validate(rubric_data(formulas=False))
    table = score_many(derived_rubric, frame)
    direct = pd.DataFrame({"id": frame["id"], **{i: table.values[:, m]
                                                 for m, i in enumerate(plain_rubric.indicator_ids)}})
    check = score_many(plain_rubric, direct)
    error = float(np.max(np.abs(check.overall - table.overall)))
    with_formulas = best_of(repeat, lambda: score_many(derived_rubric, frame))
    given = best_of(repeat, lambda: score_many(plain_rubric, direct))
    print(f"(a) {count:,} bases, {len(RATIOS)} derived indicators from {len(INPUTS)} inputs "
          f"(max |difference| of overall scores {error:.1e})")
    print(f"    score_many, inputs + formulas:  {with_formulas:7.3f} s")
    print(f"    score_many, values given:       {given:7.3f} s")
    ratio = with_formulas / given
    print(f"    ratio {ratio:.2f}×  (target ≤ 1.5×: {'met' if ratio <= 1.5 else 'NOT met'})")


def bench_rollup(rows: int, bases: int, repeat: int) -> None:
    rubric = rollup_rubric()
    derivation = rubric.compiled.derivation
    assert derivation is not None
    rng = np.random.default_rng(1)
    owners = rng.integers(0, bases, rows)
    figures = np.column_stack([rng.uniform(0, 500, rows), rng.integers(1, 200, rows).astype(np.float64),
                               rng.integers(0, 2, rows).astype(np.float64)])
    figures[rng.random(figures.shape) < 0.05] = np.nan
    inputs = np.full((bases, len(derivation.input_ids)), np.nan)
    counts = np.zeros(inputs.shape, dtype=np.int64)
    alone = best_of(repeat, lambda: roll_up(derivation, owners, figures, inputs, counts))
    expected = np.zeros(bases)
    np.add.at(expected, owners[~np.isnan(figures[:, 0])], figures[~np.isnan(figures[:, 0]), 0])
    error = float(np.max(np.abs(np.nan_to_num(inputs[:, 0]) - expected)))
    profiles = [BaseProfile.model_validate({"base": {"id": f"b{k}"}, "values": {}}) for k in range(bases)]
    table = EnterpriseTable("bench", tuple(f"b{k}" for k in owners.tolist()), tuple(range(2, rows + 2)),
                            figures)
    whole = best_of(repeat, lambda: score_many(rubric, profiles, enterprises=table))
    print(f"(b) {rows:,} enterprise rows into {bases:,} bases, {len(derivation.rollups)} roll-ups "
          f"(max |sum − numpy add.at| {error:.1e})")
    print(f"    roll_up alone:                  {alone:7.3f} s  (target well under 1 s: "
          f"{'met' if alone < 0.5 else 'NOT met'})")
    print(f"    score_many with the table:      {whole:7.3f} s  (profiles, base ids matched, checks)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "enterprises.csv"
        cells = np.where(np.isnan(figures), "", figures.astype(str))
        green = np.where(np.isnan(figures[:, 2]), "", np.where(figures[:, 2] == 1, "是", "否"))
        lines = [f"b{o},{t},{s},{g}" for o, t, s, g in zip(owners.tolist(), cells[:, 0].tolist(),
                                                            cells[:, 1].tolist(), green.tolist())]
        path.write_text("base_id,tonnes,staff_count,green\n" + "\n".join(lines) + "\n", encoding="utf-8")
        reading = best_of(1, lambda: load_enterprises(path, rubric))
        size = path.stat().st_size / 1e6
    print(f"    load_enterprises of the CSV:    {reading:7.3f} s  ({size:.0f} MB, every cell checked)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--with-rows", type=int, default=10_000, help="bases the rows roll up into")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_formulas(args.bases, args.repeat)
    bench_rollup(args.rows, args.with_rows, args.repeat)


if __name__ == "__main__":
    main()
