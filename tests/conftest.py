"""Shared test set-up: the tests folder on ``sys.path`` (for the ``jsoncheck`` helper, used from
every sub-folder), paths every stage's tests read, and a rubric and bases as fixtures (immutable,
so one copy serves the whole session): the golden v1 behaviour, rubric 2026.1 with the bases
written for it (``tests/v1.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from upgrade_score import BaseProfile, Rubric, load_profiles, load_rubric

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples" / "bases"
SHARED = ROOT.parent / "shared"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from v1 import V1, V1_BASES  # noqa: E402  (the tests folder is on sys.path from here)

# UPGRADE_SCORE_EXAMPLES=0.1 runs every property test with a tenth of its examples (at least 10):
# the run of the suite on the declared floor versions in .ci/run checks that everything works
# there, while the main run keeps the full depth.
EXAMPLE_SCALE = float(os.environ.get("UPGRADE_SCORE_EXAMPLES", "1"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Scale the examples of every hypothesis test by ``UPGRADE_SCORE_EXAMPLES``."""
    if EXAMPLE_SCALE == 1:
        return
    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is None or getattr(test, "_upgrade_score_scaled", False):
            continue
        examples = max(10, round(chosen.max_examples * EXAMPLE_SCALE))
        test._hypothesis_internal_use_settings = settings(chosen, max_examples=examples)  # type: ignore[union-attr]
        test._upgrade_score_scaled = True  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    """Rubric 2026.1, the golden v1 behaviour rubric (see ``tests/v1.py``)."""
    return load_rubric(V1)


@pytest.fixture(scope="session")
def profiles() -> tuple[BaseProfile, ...]:
    """The four bases written for rubric 2026.1, in file-name order."""
    return load_profiles(V1_BASES)
