"""Optional dependencies (extras), imported only when a feature needs them.

A missing one raises :class:`MissingExtraError`, an ``ImportError`` that names the extra to
install (the pandas convention), so callers can catch it either way.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._errors import UpgradeScoreError


class MissingExtraError(UpgradeScoreError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``upgrade-score[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{module} is needed for {purpose}: install upgrade-score[{extra}]") from None


def require_pandas() -> ModuleType:
    """The pandas module (extra ``pandas``)."""
    return require("pandas", "pandas", "DataFrames")


def require_matplotlib() -> ModuleType:
    """The matplotlib module (extra ``plot``)."""
    return require("matplotlib", "plot", "charts")


def require_openpyxl() -> ModuleType:
    """The openpyxl module (extra ``xlsx``)."""
    return require("openpyxl", "xlsx", "reading and writing .xlsx files")
