"""The benchmark runner still runs: ``benchmarks/run_all.py --quick`` on small sizes (a smoke test
of every benchmark script and of the references they measure against; no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_the_runner_s_quick_mode_runs_every_benchmark() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== bench_engine.py --quick" in done.stdout
    for figure in ("score of one base", "gap of one base", "score_many", "compare", "diff of two rubrics",
                   "HTML report", "import upgrade_score"):
        assert figure in done.stdout, figure
    assert "levels identical" in done.stdout  # score_many agrees with the segment-sum reference
