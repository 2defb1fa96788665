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

from ._analysis.compare import Comparison, compare
from ._analysis.diff import RubricDiff, diff
from ._analysis.gap import Action, DirectionGap, GapReport, Target, gap
from ._analysis.lint import LintFinding, lint
from ._analysis.progress import Progress, progress
from ._analysis.score import score, score_many
from ._analysis.scorecard import ScoreTable
from ._analysis.sensitivity import sensitivity
from ._analysis.sensitivity.results import SensitivityReport
from ._errors import Problem, UpgradeScoreError
from ._io.profiles import load_profile, load_profiles
from ._io.rubrics import load_rubric
from ._io.survey import write_template
from ._model.label import Label
from ._model.profile import BaseInfo, BaseProfile, ReportedValue
from ._model.results import DirectionResult, IndicatorResult, OverallResult, Scorecard
from ._model.rubric import Direction, Indicator, Level, Rubric
from ._optional import MissingExtraError
from ._render.more_frames import profiles_frame
from ._render.plot import plot_actions, plot_heatmap, plot_radar
from ._render.progress_plot import plot_progress
from ._render.report import render_report, write_report
from ._text import set_display_language
from ._version import __version__ as __version__

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
