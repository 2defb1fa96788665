"""Shared test set-up: the tests folder on ``sys.path`` (for the ``jsoncheck`` helper, used from
every sub-folder), paths every stage's tests read, and the default rubric and example bases as
fixtures (immutable, so one copy serves the whole session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from upgrade_score import BaseProfile, Rubric, load_profiles, load_rubric

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples" / "bases"
SHARED = ROOT.parent / "shared"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    """The built-in default rubric."""
    return load_rubric()


@pytest.fixture(scope="session")
def profiles() -> tuple[BaseProfile, ...]:
    """The example bases, in file-name order."""
    return load_profiles(EXAMPLES)
