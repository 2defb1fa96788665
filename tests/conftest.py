"""Shared test set-up: the tests folder on ``sys.path`` (for the ``jsoncheck`` helper, used from
every sub-folder) and paths every stage's tests read."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples" / "bases"
SHARED = ROOT.parent / "shared"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
