"""Shared test set-up: the tests folder on ``sys.path`` (for the ``jsoncheck`` helper, used from
every sub-folder), paths every stage's tests read, and the default rubric and example bases as
fixtures (immutable, so one copy serves the whole session)."""

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
    """The built-in default rubric."""
    return load_rubric()


@pytest.fixture(scope="session")
def profiles() -> tuple[BaseProfile, ...]:
    """The example bases, in file-name order."""
    return load_profiles(EXAMPLES)
