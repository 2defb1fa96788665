"""Benchmark: tables in and out through the command line, beside pandas in the same run.

1. A CSV of 300,000 bases → a CSV of results: ``upgrade-score score in.csv -o out.csv`` against
   pandas ``read_csv`` + ``score_many`` on the array + ``to_csv`` of the same columns (each in a
   child process, from start-up to exit). Targets: ≤ 2.5× the reference, peak memory ≤ 3 GB.
2. A CSV of 1,000,000 bases through the same command: it works; time and peak memory.
3. ``score --format json`` of 10,000 bases against pandas ``to_csv`` of the same table.
4. Survey templates of many bases (``write_template(..., layout="many-bases")`` and
   ``load_profiles`` of it, CSV and XLSX, the example bases repeated under new ids, with their
   enterprises) against pandas ``to_csv`` + ``read_csv`` of the same values (openpyxl-free), in
   this process, in CPU seconds (one thread).

Peak memory is the child's maximum resident set (``os.wait4``). The data (random valid values on
rubric 2026.1, 35 indicators, 5 % missing) are generated into a temporary directory and deleted.
Needs pandas.

    python benchmarks/bench_tables.py [--bases 300000] [--big 1000000] [--json-bases 10000]
                                      [--survey-bases 10000] [--parts tables,survey]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import random_values

from upgrade_score import load_rubric

RUBRIC = "urban-mining-upgrade@2026.1"

REFERENCE = """
import sys
import numpy as np
import pandas as pd
from upgrade_score import load_rubric, score_many
rubric = load_rubric(sys.argv[1])
frame = pd.read_csv(sys.argv[2])
values = frame[rubric.indicator_ids].to_numpy(dtype=np.float64)
table = score_many(rubric, values, ids=frame["id"].astype(str))
columns = {"base": table.base_ids, "overall": table.overall, "level": table.overall_level,
           "balanced_level": table.balanced_level, "completeness": table.completeness}
columns.update({d: table.directions[:, j] for j, d in enumerate(rubric.direction_ids)})
columns.update({d + "_level": table.direction_levels[:, j] for j, d in enumerate(rubric.direction_ids)})
pd.DataFrame(columns).to_csv(sys.argv[3], index=False)
"""

TO_CSV = """
import sys
import pandas as pd
from upgrade_score import load_rubric, score_many
rubric = load_rubric(sys.argv[1])
frame = pd.read_csv(sys.argv[2])
table = score_many(rubric, frame[rubric.indicator_ids].to_numpy(dtype=float), ids=frame["id"].astype(str))
import time
start = time.perf_counter()
table.to_dataframe(levels=True).to_csv(sys.argv[3])
print(time.perf_counter() - start)
"""


def write_bases(path: Path, count: int, seed: int = 0) -> None:
    """A CSV of ``count`` random valid bases: id, name and one column per indicator."""
    rubric = load_rubric(RUBRIC)
    values = random_values(rubric, count, seed=seed)
    frame = pd.DataFrame(values, columns=rubric.indicator_ids)
    for indicator in rubric.indicators:
        if indicator.kind == "boolean":
            frame[indicator.id] = frame[indicator.id].map({1.0: "true", 0.0: "false"})
        elif indicator.kind == "qualitative":
            frame[indicator.id] = frame[indicator.id].astype("Int64")
    frame.insert(0, "name", [f"Base {k}" for k in range(count)])
    frame.insert(0, "id", [f"b{k}" for k in range(count)])
    frame.to_csv(path, index=False)


def survey_part(tmp: Path, count: int) -> None:
    """Figure 4: a many-bases template of ``count`` bases written, read back and scored, CSV
    and XLSX (CPU seconds of this process: every path here runs on one thread)."""
    from upgrade_score import load_profiles, score_many, write_template

    root = Path(__file__).resolve().parents[1]
    rubric = load_rubric()
    examples = load_profiles(root / "examples" / "bases")
    bases = [profile.model_copy(update={"base": profile.base.model_copy(update={"id": f"{profile.id}-{k}"})})
             for k in range(count // len(examples) + 1) for profile in examples][:count]
    columns = ([i.id for i in rubric.indicators if i.formula is None]  # the template's columns
               + [i.id for i in rubric.inputs or () if i.rollup is None])
    rows: list[tuple[str, float]] = []
    totals: dict[str, float] = {}
    for suffix in (".csv", ".xlsx"):
        path = tmp / f"survey{suffix}"
        start = time.process_time()
        write_template(rubric, path, layout="many-bases", profiles=bases)
        rows.append((f"write_template(..., layout='many-bases') {suffix}", time.process_time() - start))
        start = time.process_time()
        table = score_many(rubric, path)
        rows.append((f"score_many(rubric, path): read into a table + score {suffix}",
                     time.process_time() - start))
        totals[suffix] = rows[-2][1] + rows[-1][1]
        assert len(table) == count and table.base_ids[-1] == bases[-1].id
        start = time.process_time()
        back = load_profiles(path)
        rows.append((f"load_profiles of it (a profile per base) {suffix}", time.process_time() - start))
        assert len(back) == count and all(back[-1].value(c) == bases[-1].value(c) for c in columns)
    frame = pd.DataFrame({"id": [b.id for b in bases],
                          **{c: [b.value(c) for b in bases] for c in columns}})
    start = time.process_time()
    frame.to_csv(tmp / "frame.csv", index=False)
    score_many(rubric, pd.read_csv(tmp / "frame.csv", na_values=["n/a"]))  # (n/a as missing)
    reference = time.process_time() - start
    print(f"\n4. survey template of {count:,} bases (the default rubric, {len(columns)} columns, "
          "enterprises beside; load average "
          f"{os.getloadavg()[0]:.1f})")
    print(f"{'path (CPU)':64} {'seconds':>8} {'ms/base':>8}")
    for name, seconds in rows:
        print(f"{name:64} {seconds:8.2f} {1000 * seconds / count:8.3f}")
    print(f"{'pandas to_csv + read_csv + score_many of the frame (reference)':64} {reference:8.2f} "
          f"{1000 * reference / count:8.3f}")
    print(f"write + read + score: CSV {totals['.csv'] / reference:.0f}×, "
          f"XLSX {totals['.xlsx'] / reference:.0f}× the reference")


def run(argv: list[str], stdout: Path | None = None) -> tuple[float, float, str]:
    """Seconds, peak resident memory (MB) and standard output of a child process."""
    start = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        child = subprocess.Popen(argv, stdout=out if stdout else subprocess.PIPE, stderr=subprocess.PIPE)
        captured = b""
        if stdout is None and child.stdout is not None:
            captured = child.stdout.read()
        err = child.stderr.read() if child.stderr is not None else b""
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(argv)}\n{err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024, captured.decode()


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "upgrade_score", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=300_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="0 skips the large run")
    parser.add_argument("--json-bases", type=int, default=10_000)
    parser.add_argument("--survey-bases", type=int, default=10_000)
    parser.add_argument("--parts", default="tables,survey", help="tables, survey or both (comma)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"pandas {pd.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; "
          f"{os.cpu_count()} cores; rubric {RUBRIC}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "tables" in parts:
            tables_part(tmp, args)
        if "survey" in parts:  # after the tables: a child's peak memory counts its parent's before exec
            survey_part(tmp, args.survey_bases)


def tables_part(tmp: Path, args: argparse.Namespace) -> None:
    """Figures 1–3, each path in a child process beside pandas."""
    source, out, ref = tmp / "bases.csv", tmp / "results.csv", tmp / "reference.csv"
    write_bases(source, args.bases)
    size = source.stat().st_size / 1e6
    ours = run(cli("score", "--rubric", RUBRIC, str(source), "-o", str(out), "--quiet"))
    theirs = run([sys.executable, "-c", REFERENCE, RUBRIC, str(source), str(ref)])
    check = pd.read_csv(out)["overall"].to_numpy() - pd.read_csv(ref)["overall"].to_numpy()
    print(f"\n1. CSV of {args.bases:,} bases ({size:.0f} MB) → CSV of results "
          f"(max |overall difference| {np.abs(check).max():.1e})")
    print(f"{'path':58} {'seconds':>8} {'peak MB':>8}")
    print(f"{'upgrade-score score in.csv -o out.csv':58} {ours[0]:8.2f} {ours[1]:8.0f}")
    print(f"{'pandas read_csv + score_many + to_csv (reference)':58} {theirs[0]:8.2f} {theirs[1]:8.0f}")
    ratio = ours[0] / theirs[0]
    print(f"ratio {ratio:.2f}× (target ≤ 2.5×: {'met' if ratio <= 2.5 else 'NOT met'}); peak "
          f"{ours[1] / 1024:.2f} GB (target ≤ 3 GB: {'met' if ours[1] <= 3072 else 'NOT met'})")
    if args.big:
        big = tmp / "big.csv"
        write_bases(big, args.big, seed=1)
        source.unlink()
        seconds, peak, _ = run(cli("score", "--rubric", RUBRIC, str(big), "-o", str(out), "--quiet"))
        with open(out, encoding="utf-8") as written:
            rows = sum(1 for _ in written) - 1
        print(f"\n2. CSV of {args.big:,} bases ({big.stat().st_size / 1e6:.0f} MB) → CSV of results: "
              f"{rows:,} rows in {seconds:.2f} s, peak {peak / 1024:.2f} GB")
        big.unlink()
    small = tmp / "small.csv"
    write_bases(small, args.json_bases, seed=2)
    seconds, peak, _ = run(cli("score", "--rubric", RUBRIC, str(small), "--format", "json",
                               "-o", str(tmp / "out.json"), "--quiet"))
    _, _, text = run([sys.executable, "-c", TO_CSV, RUBRIC, str(small), str(tmp / "frame.csv")])
    reference = float(text.strip())
    print(f"\n3. score --format json of {args.json_bases:,} bases: {seconds:.2f} s, peak {peak:.0f} MB; "
          f"pandas to_csv of the same table {reference:.2f} s ({seconds / reference:.0f}×)")


if __name__ == "__main__":
    main()
