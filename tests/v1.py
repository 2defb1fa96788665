"""The golden v1 behaviour: rubric 2026.1 (kept built in as ``urban-mining-upgrade@2026.1``) and the
four example bases written for it (kept under ``tests/data/v1_bases``). Tests of behaviour (scoring,
gap, compare, diff, sensitivity, rendering, the CLI) pin these, so their hand-computed figures stay
meaningful whatever the default rubric becomes; tests of the default rubric's content use
``load_rubric()`` and ``examples/bases``."""

from __future__ import annotations

from pathlib import Path

V1 = "urban-mining-upgrade@2026.1"
V1_PATH = Path(__file__).resolve().parents[1] / "rubrics" / "urban_mining_upgrade@2026.1.yaml"
V1_BASES = Path(__file__).resolve().parent / "data" / "v1_bases"
