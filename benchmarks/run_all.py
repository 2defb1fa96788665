"""Every figure of issue 12 in one command, each beside its reference, as ratios.

Runs ``bench_engine.py`` (small N, the engine, compare, diff, the report, import) and, when it is
there, ``bench_tables.py`` (tables in and out), each in its own interpreter so that one's memory
does not weigh on the other's timings.

    python benchmarks/run_all.py [--quick] [--repeat 5]

``--quick`` runs every benchmark on small sizes: a smoke test that each still runs, not figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_engine.py", "bench_tables.py")
QUICK = {"bench_engine.py": ("--quick",),  # small sizes for the smoke test
         "bench_tables.py": ("--bases", "2000", "--big", "0", "--json-bases", "200",
                                            "--survey-bases", "20")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not figures")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (median)")
    args = parser.parse_args(argv)
    failed = 0
    for script in SCRIPTS:
        path = HERE / script
        if not path.exists():
            print(f"({script} not found: its figures are left out)")
            continue
        options = list(QUICK[script]) if args.quick else []
        if args.repeat is not None and script == "bench_engine.py":
            options += ["--repeat", str(args.repeat)]
        print(f"== {script} {' '.join(options)}", flush=True)
        done = subprocess.run([sys.executable, str(path), *options], env=os.environ.copy(), check=False)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
