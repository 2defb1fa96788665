"""Benchmark: the engine figures of issue 12, each measured beside its reference in the same run.

* ``score`` of one base vs the plain-Python scorer of ``reference_scorer.py``, its rubric prepared
  once (formulas parsed, scales per category) as ours is compiled once (target ≤ 3×);
* ``gap`` of one base vs that scorer (target ≤ 20×), and gap of many bases vs ``score_many``;
* ``score_many`` at 10⁶ vs a plain segment-sum numpy scorer of the same semantics on two threads
  (target ≤ 0.8×; agreement to 1e-9);
* ``compare`` with every derived array vs ``score_many`` (target ≤ 2×); both engine figures also in
  CPU seconds, their rounds taken in turn (another process's load moves them least);
* ``diff`` of two rubrics over 10⁵ bases vs two ``score_many`` calls on arrays (target ≤ 3×): of a
  CSV table read into arrays (reading not timed), and of as many ``BaseProfile`` objects (with
  ``score_many`` of them beside one call on arrays, and the bare read of those profiles: ids, keys
  and values in C loops, no check, a floor for any reader of profile objects); and the command
  line ``diff --profiles bases.csv --format json`` (start to exit) vs pandas ``read_csv`` + two
  ``score_many`` + ``to_csv`` in a child process (needs pandas and PyYAML);
* the HTML report of 100 bases (target ≤ 3 s);
* ``import upgrade_score`` in a fresh interpreter vs ``import numpy, pydantic, yaml`` (≤ 1.5×).

Timings are medians of ``--repeat`` runs (CPU time would hide the thread pool, so wall time);
the machine's load average is printed with them.

    python benchmarks/bench_engine.py [--quick] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_score import random_values  # noqa: E402
from reference_scorer import Prepared, score_base  # noqa: E402

from upgrade_score import (  # noqa: E402
    BaseProfile,
    Rubric,
    Target,
    compare,
    diff,
    gap,
    load_profiles,
    load_rubric,
    render_report,
    score,
    score_many,
)

EXAMPLES = HERE.parent / "examples" / "bases"
Row = tuple[str, float, str, float, str]  # what, seconds, reference, its seconds, target


def median_time(repeat: int, run: Callable[[], object], number: int = 1,
                clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of one call, over ``repeat`` rounds of ``number`` calls: wall time, or with
    ``clock=time.process_time`` the CPU time of this process (single-threaded work on a shared
    machine: other processes' load does not count)."""
    times = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            run()
        times.append((clock() - start) / number)
    return statistics.median(times)


# --- the plain segment-sum numpy reference ---------------------------------------------------

def segment_reference(rubric: Rubric, values: np.ndarray, threads: int = 2,
                      chunk: int = 65536) -> dict[str, np.ndarray]:
    """Scores of a rubric without categories, N/A or gates (rubric language 1), written plainly:
    per indicator its level (piecewise-linear, step, qualitative, boolean; missing = 0), per
    direction the weighted sum over its indicators, then the weighted mean, levels and
    completeness. Rows in chunks on ``threads`` threads."""
    levels = rubric.level_count
    cutoffs = np.array(rubric.cutoffs) - 1e-9
    directions = rubric.directions
    shares = np.array([d.weight for d in directions]) / sum(d.weight for d in directions)
    count = values.shape[0]
    out = {"directions": np.empty((count, len(directions))), "overall": np.empty(count),
           "completeness": np.empty(count)}
    specs = []
    column = 0
    for direction in directions:
        members = []
        for indicator in direction.indicators:
            sign = -1.0 if indicator.better == "lower" else 1.0
            points = [] if indicator.kind != "quantitative" else [
                sign * p for p in (indicator.effective_floor, *(indicator.thresholds or ()))]
            members.append((column, indicator.kind, indicator.interpolation, sign, points,
                            indicator.weight))
            column += 1
        specs.append((members, sum(m[5] for m in members)))

    def level_of(kind: str, interpolation: str, sign: float, points: list[float],
                 column: np.ndarray) -> np.ndarray:
        if kind == "qualitative":
            return column
        if kind == "boolean":
            return column * levels
        oriented = sign * column
        s = np.zeros(len(column))
        for k in range(1, len(points)):
            if interpolation == "step":
                s += oriented >= points[k]
            else:
                s += np.clip((oriented - points[k - 1]) / (points[k] - points[k - 1]), 0.0, 1.0)
        return s

    def run(start: int) -> None:
        rows = values[start:start + chunk]
        overall = np.zeros(len(rows))
        complete = np.zeros(len(rows))
        for j, (members, total) in enumerate(specs):
            points_sum = np.zeros(len(rows))
            present = np.zeros(len(rows))
            for m, kind, interpolation, sign, points, weight in members:
                column = rows[:, m]
                s = level_of(kind, interpolation, sign, points, column)
                given = ~np.isnan(column)
                points_sum += weight * np.where(given, s, 0.0)
                present += weight * given
            score = np.clip(100.0 * points_sum / (levels * total), 0.0, 100.0)
            out["directions"][start:start + chunk, j] = score
            overall += shares[j] * score
            complete += shares[j] * present / total
        out["overall"][start:start + chunk] = np.clip(overall, 0.0, 100.0)
        out["completeness"][start:start + chunk] = complete

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, range(0, count, chunk)))
    level = np.zeros(count, dtype=np.int64)
    direction_levels = np.zeros(out["directions"].shape, dtype=np.int64)
    for cutoff in cutoffs:
        level += out["overall"] >= cutoff
        direction_levels += out["directions"] >= cutoff
    out["overall_level"], out["direction_levels"] = level, direction_levels
    out["balanced_level"] = direction_levels.min(axis=1)
    return out


def engine_rows(bases: int, repeat: int) -> list[Row]:
    rubric = load_rubric("urban-mining-upgrade@2026.1")  # language 1: what the reference covers
    values = random_values(rubric, bases)
    table = score_many(rubric, values)
    reference = segment_reference(rubric, values)
    worst = max(float(np.max(np.abs(table.overall - reference["overall"]))),
                float(np.max(np.abs(table.directions - reference["directions"]))),
                float(np.max(np.abs(table.completeness - reference["completeness"]))))
    same_levels = bool((table.overall_level == reference["overall_level"]).all()
                       and (table.direction_levels == reference["direction_levels"]).all()
                       and (table.balanced_level == reference["balanced_level"]).all())
    print(f"  score_many vs segment-sum reference: max |difference| {worst:.1e}, "
          f"levels {'identical' if same_levels else 'DIFFER'}")
    # wall time of ours and the reference's, taken in turn in each round (the machine's speed drifts,
    # and 2-thread timings are bimodal: apart, the two sides of a ratio could see different machines)
    wall = _side_by_side(repeat, {"ours": (lambda: score_many(rubric, values, workers=2), 1),
                                  "theirs": (lambda: segment_reference(rubric, values, threads=2), 1)},
                         time.perf_counter)
    ours, theirs = wall["ours"], wall["theirs"]
    full = median_time(repeat, lambda: _compare_all(rubric, values))  # (rounds of its own: see README)
    # the same work in CPU seconds (of every thread): what another process's load changes least
    cpu = time.process_time
    alone = _side_by_side(repeat, {"ours": (lambda: score_many(rubric, values, workers=1), 1),
                                   "theirs": (lambda: segment_reference(rubric, values, threads=1), 1)}, cpu)
    both = _side_by_side(repeat, {"score_many": (lambda: score_many(rubric, values, workers=2), 1),
                                  "compare": (lambda: _compare_all(rubric, values), 1)}, cpu)
    return [(f"score_many, {bases:,} bases (2 threads)", ours,
             "segment-sum numpy reference (2 threads)", theirs, "≤ 0.8×"),
            (f"compare, {bases:,} bases, every derived array", full, "score_many", ours, "≤ 2×"),
            ("  the same, score_many on 1 thread (CPU)", alone["ours"], "the reference on 1 thread (CPU)",
             alone["theirs"], ""),
            ("  the same, compare (CPU of both threads)", both["compare"], "score_many (CPU of both threads)",
             both["score_many"], "")]


def _compare_all(rubric: Rubric, values: np.ndarray) -> None:
    result = compare(rubric, values)
    for name in ("rank", "percentile", "order", "indicator_best", "indicator_median", "gap_to_best",
                 "gap_to_median"):
        getattr(result, name)


# --- small N ---------------------------------------------------------------------------------

def small_rows(repeat: int, many: int) -> list[Row]:
    rubric = load_rubric()
    profiles = load_profiles(EXAMPLES)
    plain = Prepared(rubric.model_dump())  # the rubric read once, as our compiled rubric is
    data = [p.model_dump() for p in profiles]
    number = 50 if repeat > 1 else 1
    cpu = time.process_time  # one thread each: CPU time, so the machine's load does not count
    level_4 = Target(level=4)
    # each example base in turn, ours and the reference's rounds interleaved (the machine's speed
    # drifts: timed apart, the two sides of a ratio could see different machines); the figure is
    # the median over the five examples
    timings = [_side_by_side(repeat, {"score": (lambda one=one: score(rubric, one), number),
                                      "arrays": (lambda one=one: score_many(rubric, [one]), number),
                                      "gap": (lambda one=one: gap(rubric, one, level_4), 10),
                                      "reference": (lambda plain_one=plain_one: score_base(plain, plain_one),
                                                    number)}, cpu)
               for one, plain_one in zip(profiles, data)]
    ours, arrays, planned, reference = (statistics.median(t[name] for t in timings)
                                        for name in ("score", "arrays", "gap", "reference"))
    group = [p.model_copy(update={"base": p.base.model_copy(update={"id": f"{p.id}-{k}"})})
             for k in range(many // len(profiles) + 1) for p in profiles][:many]
    gaps = median_time(max(1, repeat // 2), lambda: [gap(rubric, p, Target(level=4)) for p in group],
                       clock=cpu)
    scored = median_time(repeat, lambda: score_many(rubric, group, workers=1), clock=cpu)
    # the reference returns plain numbers: what score_many's arrays hold; score adds the scorecard's
    # explanation models (74 pydantic models for the default rubric)
    return [("score of one base (default rubric; CPU)", ours, "plain-Python scorer", reference, "≤ 3×"),
            ("score_many of that one base: its arrays (CPU)", arrays, "plain-Python scorer", reference, ""),
            ("gap of one base (level 4; CPU)", planned, "plain-Python scorer", reference, "≤ 20×"),
            (f"gap of {many:,} bases, a call each (CPU)", gaps, f"score_many of those {many:,}", scored, "")]


def _side_by_side(repeat: int, runs: dict[str, tuple[Callable[[], object], int]],
                  clock: Callable[[], float]) -> dict[str, float]:
    """Median time of one call of each run, their rounds taken in turn."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, (run, number) in runs.items():
            start = clock()
            for _ in range(number):
                run()
            times[name].append((clock() - start) / number)
    return {name: statistics.median(found) for name, found in times.items()}


# --- diff and report -------------------------------------------------------------------------

def _changed(rubric: Rubric) -> Rubric:
    """The rubric with one direction weight doubled and one indicator's thresholds moved."""
    data = rubric.model_dump(exclude_none=True)
    data["version"] = data["version"] + "-b"
    data["directions"][0]["weight"] = 2 * data["directions"][0].get("weight", 1)
    indicator = next(i for d in data["directions"] for i in d["indicators"] if i.get("thresholds"))
    indicator["thresholds"] = [t * 1.1 if indicator.get("better") != "lower" else t * 0.9
                               for t in indicator["thresholds"]]
    return Rubric.model_validate(data)


DIFF_REFERENCE = """
import sys
import numpy as np
import pandas as pd
from upgrade_score import load_rubric, score_many
old, new = load_rubric(sys.argv[1]), load_rubric(sys.argv[2])
frame = pd.read_csv(sys.argv[3])
ids = frame["id"].astype(str)
before = score_many(old, frame[old.indicator_ids].to_numpy(dtype=np.float64), ids=ids)
after = score_many(new, frame[new.indicator_ids].to_numpy(dtype=np.float64), ids=ids)
pd.DataFrame({"base": ids, "old": before.overall, "new": after.overall,
              "shift": after.overall - before.overall, "old_level": before.overall_level,
              "new_level": after.overall_level}).to_csv(sys.argv[4], index=False)
"""


def diff_report_rows(profiles_count: int, report_bases: int, repeat: int) -> list[Row]:
    rows = diff_rows(profiles_count, repeat)
    default = load_rubric()
    examples = load_profiles(EXAMPLES)
    group = [p.model_copy(update={"base": p.base.model_copy(update={"id": f"{p.id}-{k}"})})
             for k in range(report_bases // len(examples) + 1) for p in examples][:report_bases]
    report = median_time(max(1, repeat // 2), lambda: render_report(default, group))
    return [*rows, (f"HTML report of {report_bases} bases", report, "(3 s)", 3.0, "≤ 1×")]


def diff_rows(count: int, repeat: int) -> list[Row]:
    """diff of two rubrics over ``count`` bases: of a CSV table (read into arrays beforehand), of
    as many BaseProfile objects, and through the command line (a CSV in, JSON out), each beside
    its reference in the same run."""
    old = load_rubric("urban-mining-upgrade@2026.1")
    new = _changed(old)
    values = random_values(old, count, seed=1)
    twice = median_time(repeat, lambda: (score_many(old, values), score_many(new, values)))
    rows: list[Row] = []
    try:
        import pandas  # noqa: F401  (the CSV is written, and the command line's reference run, with pandas)
        import yaml
        from bench_tables import run, write_bases

        from upgrade_score._io.profiles import load_bases
    except ImportError:
        print("  (pandas not installed: diff of a CSV table and through the command line left out)")
        table = None
    else:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            source, rubric = tmp / "bases.csv", tmp / "new.yaml"
            write_bases(source, count, seed=1)
            rubric.write_text(yaml.safe_dump(new.model_dump(mode="json", exclude_none=True),
                                             allow_unicode=True), encoding="utf-8")
            table = load_bases([str(source)])
            moved = median_time(max(1, repeat // 2), lambda: diff(old, new, table))
            rows.append((f"diff of two rubrics: CSV table, {count:,} bases", moved,
                         "two score_many calls on arrays", twice, "≤ 3×"))
            command = [sys.executable, "-m", "upgrade_score", "diff", "urban-mining-upgrade@2026.1",
                       str(rubric), "--profiles", str(source), "--format", "json"]
            ours = statistics.median(run(command, tmp / "out.json")[0] for _ in range(max(1, repeat // 2)))
            reference = [sys.executable, "-c", DIFF_REFERENCE, "urban-mining-upgrade@2026.1", str(rubric),
                         str(source), str(tmp / "reference.csv")]
            theirs = statistics.median(run(reference)[0] for _ in range(max(1, repeat // 2)))
            cli_row: Row = (f"CLI diff --profiles CSV --format json, {count:,}", ours,
                            "pandas read_csv + 2 score_many + to_csv", theirs, "")
    ids = old.indicator_ids
    kinds = {i.id: i.kind for i in old.indicators}
    profiles = [BaseProfile.model_validate({"base": {"id": f"b{n}"}, "values": {
        k: (bool(v) if kinds[k] == "boolean" else v) for k, v in zip(ids, row) if v == v}})
        for n, row in enumerate(values.tolist())]
    moved = median_time(max(1, repeat // 2), lambda: diff(old, new, profiles))
    rows.append((f"diff of two rubrics: {count:,} BaseProfile", moved, "two score_many calls on arrays",
                 twice, "≤ 3×"))
    many = median_time(max(1, repeat // 2), lambda: score_many(old, profiles))
    once = median_time(repeat, lambda: score_many(old, values))
    rows.append((f"score_many of {count:,} BaseProfile", many, "one score_many call on arrays", once, ""))
    bare = median_time(max(1, repeat // 2), lambda: read_bare(profiles, old.indicator_ids))
    rows.append((f"  the bare read of those {count:,} profiles", bare, "two score_many calls on arrays",
                 twice, "(a floor)"))
    if table is not None:
        rows.append(cli_row)
    return rows


def read_bare(profiles: list[BaseProfile], ids: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """The least any reader of profile objects does, with no check at all: each profile's id and
    values dict in one loop, every key's column and every value's ``.value`` in C loops (map,
    chain, fromiter), the numbers converted by numpy and put into an N×M matrix."""
    names: list[str] = []
    dicts: list[dict[str, Any]] = []
    for profile in profiles:
        names.append(profile.base.id)
        dicts.append(profile.values)
    codes = {key: m for m, key in enumerate(ids)}
    sizes = np.fromiter(map(len, dicts), dtype=np.int64, count=len(dicts))
    total = int(sizes.sum())
    column = np.fromiter(map(codes.__getitem__, chain.from_iterable(dicts)), dtype=np.int64, count=total)
    given = list(map(attrgetter("value"), chain.from_iterable(map(dict.values, dicts))))
    matrix = np.full((len(dicts), len(ids)), np.nan)
    rows = np.repeat(np.arange(len(dicts)), sizes)
    matrix.reshape(-1)[rows * len(ids) + column] = np.fromiter(given, dtype=np.float64, count=total)
    return names, matrix


# --- import ----------------------------------------------------------------------------------

def import_rows(repeat: int) -> list[Row]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}

    def fresh(code: str) -> float:
        return median_time(repeat, lambda: subprocess.run([sys.executable, "-c", code], env=env, check=True))

    floor = fresh("import numpy, pydantic, yaml")
    package = fresh("import upgrade_score")
    first = fresh("from upgrade_score import score; import upgrade_score._cli")
    one_base = [sys.executable, "-m", "upgrade_score", "score", str(EXAMPLES / "scrap_metal_hub.yaml")]
    command = median_time(repeat, lambda: subprocess.run(one_base, env=env, check=True,
                                                         stdout=subprocess.DEVNULL))
    return [("import upgrade_score (fresh interpreter)", package, "import numpy, pydantic, yaml", floor,
             "≤ 1.5×"),
            ("import score and the command line", first, "import numpy, pydantic, yaml", floor, ""),
            ("upgrade-score score of one base (a process)", command, "import numpy, pydantic, yaml", floor,
             "")]


def print_rows(rows: list[Row]) -> None:
    for what, seconds, reference, theirs, target in rows:
        print(f"  {what:48s} {_time(seconds):>10s}   {reference:40s} {_time(theirs):>10s}   "
              f"{seconds / theirs:6.2f}×  {target}")


def _time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not figures")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--parts", default="small,engine,diff,import",
                        help="figures: small, engine (score_many, compare), diff (and the report), import")
    parser.add_argument("--profiles", type=int, default=None, help="profiles for diff (default 100,000)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    quick: dict[str, Any] = {"bases": 2_000, "many": 5, "profiles": 50, "report": 1, "repeat": 1}
    full: dict[str, Any] = {"bases": 1_000_000, "many": 1000, "profiles": 100_000, "report": 100,
                            "repeat": args.repeat}
    size = quick if args.quick else full
    if args.profiles is not None:
        size["profiles"] = args.profiles
    print(f"engine figures (load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs)")
    if "small" in parts:
        print_rows(small_rows(size["repeat"], size["many"]))
    if "engine" in parts:
        print_rows(engine_rows(size["bases"], size["repeat"]))
    if "diff" in parts:
        print_rows(diff_report_rows(size["profiles"], size["report"], size["repeat"]))
    if "import" in parts:
        print_rows(import_rows(size["repeat"]))
    print(f"  (load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
