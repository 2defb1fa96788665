"""The public surface: ``upgrade_score.__all__`` is pinned, so a change to it is deliberate."""

from __future__ import annotations

import upgrade_score

PUBLIC = [
    "Action", "BaseInfo", "BaseProfile", "Comparison", "Direction", "DirectionGap", "DirectionResult",
    "GapReport", "Indicator", "IndicatorResult", "Label", "Level", "LintFinding", "MissingExtraError",
    "OverallResult", "Problem", "Progress", "ReportedValue", "Rubric", "RubricDiff", "ScoreTable",
    "Scorecard", "SensitivityReport", "Target", "UpgradeScoreError", "compare", "diff", "gap", "lint",
    "load_profile", "load_profiles", "load_rubric", "plot_actions", "plot_heatmap", "plot_progress",
    "plot_radar", "profiles_frame", "progress", "render_report", "score", "score_many", "sensitivity",
    "set_display_language", "write_report", "write_template",
]


def test_all_is_pinned() -> None:
    assert sorted(upgrade_score.__all__) == sorted(PUBLIC)


def test_every_public_name_exists_and_is_documented() -> None:
    for name in upgrade_score.__all__:
        obj = getattr(upgrade_score, name)
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


def test_version_is_a_string() -> None:
    assert isinstance(upgrade_score.__version__, str) and upgrade_score.__version__.count(".") == 2
