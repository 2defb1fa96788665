"""upgrade-score: score urban-mining (城市矿产) recycling bases against YAML rubrics.

The public API::

    rubric = load_rubric()                      # built-in default, a built-in id, or a YAML path
    profile = load_profile("base.yaml")         # one base (YAML/JSON)
    card = score(rubric, profile)               # Scorecard: overall, directions, indicators
    table = score_many(rubric, load_profiles("bases/"))   # ScoreTable of numpy arrays
    report = gap(rubric, profile, Target(level=3))          # deficits and ranked actions
    ranking = compare(rubric, load_profiles("bases/"))      # ranks, percentiles, peer gaps
    robust = sensitivity(rubric, load_profiles("bases/"), seed=1)  # rank intervals, fragility
    moves = progress(rubric, load_profiles("panel.csv"), target=4)  # bases over the years
    frame = table.to_dataframe()                # pandas, with the extra upgrade-score[pandas]
    values = profiles_frame(load_profiles("bases/"), rubric)  # profiles as a DataFrame
    fig = plot_radar(ranking, target=Target(level=3))       # matplotlib, upgrade-score[plot]
    write_report(rubric, "report.html", load_profiles("bases/"))   # self-contained HTML

Every bad input or argument raises :class:`UpgradeScoreError` naming file, line and field; a
missing optional dependency raises :class:`MissingExtraError` (an ``ImportError``) naming the
extra to install.
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import Problem, UpgradeScoreError
from ._optional import MissingExtraError
from ._version import __version__ as __version__

if TYPE_CHECKING:  # what type checkers and editors see; at run time each loads on first use
    from ._analysis.compare import Comparison, compare
    from ._analysis.diff import RubricDiff, diff
    from ._analysis.gap import Action, DirectionGap, GapReport, Target, gap
    from ._analysis.lint import LintFinding, lint
    from ._analysis.progress import Progress, progress
    from ._analysis.score import score, score_many
    from ._analysis.scorecard import ScoreTable
    from ._analysis.sensitivity import sensitivity
    from ._analysis.sensitivity.results import SensitivityReport
    from ._io.profiles import load_profile, load_profiles
    from ._io.rubrics import load_rubric
    from ._io.survey import write_template
    from ._model.label import Label
    from ._model.profile import BaseInfo, BaseProfile, ReportedValue
    from ._model.results import DirectionResult, IndicatorResult, OverallResult, Scorecard
    from ._model.rubric import Direction, Indicator, Level, Rubric
    from ._render.more_frames import profiles_frame
    from ._render.plot import plot_actions, plot_heatmap, plot_radar
    from ._render.progress_plot import plot_progress
    from ._render.report import render_report, write_report
    from ._text import set_display_language


# name -> module: loaded on first use (``import upgrade_score`` stays light; ``score`` does not
# load the survey reader, sensitivity, diff, the HTML report, plotting, pandas or openpyxl)
_LAZY = {
    "Action": "._analysis.gap",
    "BaseInfo": "._model.profile",
    "BaseProfile": "._model.profile",
    "Comparison": "._analysis.compare",
    "Direction": "._model.rubric",
    "DirectionGap": "._analysis.gap",
    "DirectionResult": "._model.results",
    "GapReport": "._analysis.gap",
    "Indicator": "._model.rubric",
    "IndicatorResult": "._model.results",
    "Label": "._model.label",
    "Level": "._model.rubric",
    "LintFinding": "._analysis.lint",
    "OverallResult": "._model.results",
    "Progress": "._analysis.progress",
    "ReportedValue": "._model.profile",
    "Rubric": "._model.rubric",
    "RubricDiff": "._analysis.diff",
    "ScoreTable": "._analysis.scorecard",
    "Scorecard": "._model.results",
    "SensitivityReport": "._analysis.sensitivity.results",
    "Target": "._analysis.gap",
    "compare": "._analysis.compare",
    "diff": "._analysis.diff",
    "gap": "._analysis.gap",
    "lint": "._analysis.lint",
    "load_profile": "._io.profiles",
    "load_profiles": "._io.profiles",
    "load_rubric": "._io.rubrics",
    "plot_actions": "._render.plot",
    "plot_heatmap": "._render.plot",
    "plot_progress": "._render.progress_plot",
    "plot_radar": "._render.plot",
    "profiles_frame": "._render.more_frames",
    "progress": "._analysis.progress",
    "render_report": "._render.report",
    "score": "._analysis.score",
    "score_many": "._analysis.score",
    "sensitivity": "._analysis.sensitivity",
    "set_display_language": "._text",
    "write_report": "._render.report",
    "write_template": "._io.survey",
}

__all__ = [
    "Action",
    "BaseInfo",
    "BaseProfile",
    "Comparison",
    "Direction",
    "DirectionGap",
    "DirectionResult",
    "GapReport",
    "Indicator",
    "IndicatorResult",
    "Label",
    "Level",
    "LintFinding",
    "MissingExtraError",
    "OverallResult",
    "Problem",
    "Progress",
    "ReportedValue",
    "Rubric",
    "RubricDiff",
    "ScoreTable",
    "Scorecard",
    "SensitivityReport",
    "Target",
    "UpgradeScoreError",
    "compare",
    "diff",
    "gap",
    "lint",
    "load_profile",
    "load_profiles",
    "load_rubric",
    "plot_actions",
    "plot_heatmap",
    "plot_progress",
    "plot_radar",
    "profiles_frame",
    "progress",
    "render_report",
    "score",
    "score_many",
    "sensitivity",
    "set_display_language",
    "write_report",
    "write_template",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562); the name is then an ordinary attribute."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
