"""More pandas views: a rubric diff, a sensitivity report, and base profiles as a table of values.

Like :mod:`.frames`, pandas is imported only when a DataFrame is asked for; ids are the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._errors import UpgradeScoreError, type_name
from .._model.profile import BaseProfile
from .._optional import require_pandas
from .._text import display_language

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._analysis.diff.results import RubricDiff
    from .._analysis.sensitivity.results import SensitivityReport
    from .._model.rubric import Rubric
    from .._text import Lang

DiffFrame = Literal["impact", "changes"]
BASE_COLUMNS = ("name", "year", "region", "category")  # base facts shown beside the values


def diff_frame(result: RubricDiff, what: DiffFrame = "impact") -> DataFrame:
    """``impact``: one row per base (index ``base``), old and new score, shift, levels and ranks
    (empty without profiles); ``changes``: one row per structural change, in diff order."""
    pd = require_pandas()
    if what == "changes":
        fields = ("kind", "scope", "target", "field", "direction", "old", "new", "old_share",
                  "new_share", "message")
        rows = [[getattr(change, name) for name in fields] for change in result.changes]
        return pd.DataFrame(rows, columns=list(fields))
    if what != "impact":
        raise UpgradeScoreError(f"what: expected 'impact' or 'changes', got {what!r}")
    columns = ("old", "new", "shift", "old_level", "new_level", "old_rank", "new_rank", "rank_change")
    from .._analysis.diff.rows import ImpactRows  # (loaded with the diff that holds it)

    if isinstance(result.impact, ImpactRows):  # from its arrays, without a model per base
        c = result.impact.columns
        arrays = (c.old, c.new, c.shift, c.old_level, c.new_level, c.old_rank, c.new_rank,
                  c.old_rank - c.new_rank)
        frame = pd.DataFrame({name: array.astype(np.float64 if k < 3 else np.int64)
                              for k, (name, array) in enumerate(zip(columns, arrays))}, index=list(c.bases))
        frame.index.name = "base"
        return frame
    frame = pd.DataFrame([[getattr(row, name) for name in columns] for row in result.impact],
                         columns=list(columns), index=[row.base for row in result.impact])
    frame.index.name = "base"
    return frame


def sensitivity_frame(report: SensitivityReport) -> DataFrame:
    """One row per base (index ``base``, best first): nominal score, level and rank, the median
    and 5–95 % interval of the sampled score and rank, and the probability of the top k."""
    pd = require_pandas()
    rows = [[row.score, row.level, row.rank, row.score_interval.median, row.score_interval.low,
             row.score_interval.high, row.rank_interval.median, row.rank_interval.low,
             row.rank_interval.high, row.top_probability] for row in report.bases]
    columns = ["score", "level", "rank", "score_median", "score_low", "score_high", "rank_median",
               "rank_low", "rank_high", f"top_{report.top_k}_probability"]
    frame = pd.DataFrame(rows, columns=columns, index=[row.base for row in report.bases])
    frame.index.name = "base"
    return frame


def profiles_frame(profiles: Sequence[BaseProfile], rubric: Rubric | None = None,
                   lang: Lang | None = None) -> DataFrame:
    """Base profiles as a DataFrame: one row per base (index ``id``), the base facts any of them
    gives (``name`` in ``lang``, ``year``, ``region``, ``category``), then one column per
    indicator: the rubric's in rubric order, or (without a rubric) every reported id in first-seen
    order. Cells are the reported values (numbers, true/false, ``"n/a"``; missing = NaN), so
    ``score_many(rubric, profiles_frame(profiles, rubric))`` scores what the profiles report."""
    pd = require_pandas()
    if isinstance(profiles, BaseProfile):
        profiles = [profiles]
    if not isinstance(profiles, Sequence) or not all(isinstance(p, BaseProfile) for p in profiles):
        raise UpgradeScoreError(f"profiles: expected a sequence of BaseProfile, got {type_name(profiles)}")
    lang = display_language(lang)
    ids = list(rubric.indicator_ids) if rubric is not None else list(
        dict.fromkeys(key for profile in profiles for key in profile.values))
    facts = [name for name in BASE_COLUMNS if any(_fact(p, name, lang) is not None for p in profiles)]
    columns: dict[str, list[Any]] = {name: [_fact(p, name, lang) for p in profiles] for name in facts}
    for indicator_id in ids:
        cells = [profile.value(indicator_id) for profile in profiles]
        columns[indicator_id] = [float("nan") if cell is None else cell for cell in cells]
    frame = pd.DataFrame(columns, index=pd.Index([p.id for p in profiles], name="id"))
    for indicator_id in ids:  # a column of numbers only is numeric (NaN = missing)
        if all(isinstance(cell, float) for cell in columns[indicator_id]):
            frame[indicator_id] = frame[indicator_id].astype("float64")
    return frame


def _fact(profile: BaseProfile, name: str, lang: Lang) -> Any:
    if name == "name":
        label = profile.base.name
        return None if label is None else label.text(lang)
    if name == "year":
        return profile.base.year
    return (profile.base.model_extra or {}).get(name)
