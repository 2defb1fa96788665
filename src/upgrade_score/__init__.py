"""upgrade-score: score urban-mining (城市矿产) recycling bases against YAML rubrics.

The public API::

    rubric = load_rubric()                      # built-in default, a built-in id, or a YAML path
    profile = load_profile("base.yaml")         # one base (YAML/JSON)
    card = score(rubric, profile)               # Scorecard: overall, directions, indicators
    table = score_many(rubric, load_profiles("bases/"))   # ScoreTable of numpy arrays
    report = gap(rubric, profile, Target(level=3))          # deficits and ranked actions
    ranking = compare(rubric, load_profiles("bases/"))      # ranks, percentiles, peer gaps

Every bad input raises :class:`UpgradeScoreError` naming file, line and field.
"""

from ._compare import Comparison, compare
from ._errors import Problem, UpgradeScoreError
from ._gap import Action, DirectionGap, GapReport, Target, gap
from ._profile import BaseInfo, BaseProfile, ReportedValue, load_profile, load_profiles
from ._results import DirectionResult, IndicatorResult, OverallResult, Scorecard, ScoreTable
from ._rubric import Direction, Indicator, Label, Level, Rubric, load_rubric
from ._score import score, score_many

__version__ = "0.1.0"

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
    "OverallResult",
    "Problem",
    "ReportedValue",
    "Rubric",
    "ScoreTable",
    "Scorecard",
    "Target",
    "UpgradeScoreError",
    "compare",
    "gap",
    "load_profile",
    "load_profiles",
    "load_rubric",
    "score",
    "score_many",
]
