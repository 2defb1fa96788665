"""pandas interop: results and rubrics as DataFrames, and DataFrames of values as input.

pandas is an optional extra (``pip install upgrade-score[pandas]``) and is imported only when a
DataFrame is asked for, so ``import upgrade_score`` never needs it. Frames use ids as index and
column labels (they are stable and unique); names in a language go in ``name`` columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._errors import UpgradeScoreError
from .._optional import require_pandas

if TYPE_CHECKING:
    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport
    from .._analysis.scorecard import ScoreTable
    from .._model.results import Scorecard
    from .._model.rubric import Rubric
    from .._text import Lang



# --- results to frames -------------------------------------------------------------------------

def score_table_frame(table: ScoreTable, levels: bool = False) -> Any:
    """One row per base (index ``base``): overall score, level, balanced level, completeness and
    the direction scores (columns named by direction id); ``levels`` adds ``<direction>_level``."""
    pd = require_pandas()
    directions = table.rubric.direction_ids
    columns: dict[str, Any] = {
        "overall": table.overall,
        "level": table.overall_level,
        "balanced_level": table.balanced_level,
        "completeness": table.completeness,
    }
    columns.update({d: table.directions[:, j] for j, d in enumerate(directions)})
    if levels:
        columns.update({f"{d}_level": table.direction_levels[:, j] for j, d in enumerate(directions)})
    return pd.DataFrame(columns, index=pd.Index(list(table.base_ids), name="base"))


def scorecard_frame(card: Scorecard) -> Any:
    """One row per indicator (index ``indicator``): how its value became points."""
    pd = require_pandas()
    rows = [{
        "direction": result.direction,
        "value": result.value,
        "unit": result.unit,
        "missing": result.missing,
        "level": np.nan if result.level is None else result.level,
        "attained_level": result.attained_level,
        "score": np.nan if result.score is None else result.score,
        "direction_points": result.direction_points,
        "weight_share": result.weight_share,
        "source": result.source,
        "confidence": np.nan if result.confidence is None else result.confidence,
    } for result in card.indicators.values()]
    frame = pd.DataFrame(rows, index=pd.Index(list(card.indicators), name="indicator"))
    frame["attained_level"] = frame["attained_level"].astype("Int64")
    return frame


def comparison_frame(result: Comparison) -> Any:
    """One row per base, best first: rank, percentile, scores and levels."""
    frame = score_table_frame(result.table)
    frame.insert(0, "rank", result.rank)
    frame.insert(1, "percentile", result.percentile)
    return frame.iloc[result.order]


def gap_frame(report: GapReport, what: Literal["actions", "directions"] = "actions") -> Any:
    """Actions (index ``indicator``, ranked by gain) with their step in the plan, or, with
    ``what="directions"``, one row per direction with current and target score and level."""
    pd = require_pandas()
    if what == "directions":
        rows = [gap.model_dump() for gap in report.directions.values()]
        return pd.DataFrame(rows, index=pd.Index(list(report.directions), name="direction"),
                            columns=["current_score", "target_score", "current_level",
                                     "target_level", "deficit"])
    if what != "actions":
        raise UpgradeScoreError(f"what: expected 'actions' or 'directions', got '{what}'")
    step = {indicator: k for k, indicator in enumerate(report.plan, 1)}
    columns = ["direction", "kind", "missing", "current", "current_level", "target", "target_level",
               "unit", "gain", "effort", "gain_per_effort", "plan_step"]
    rows = [{**action.model_dump(exclude={"indicator"}), "plan_step": step.get(action.indicator)}
            for action in report.actions]
    frame = pd.DataFrame(rows, index=pd.Index([a.indicator for a in report.actions], name="indicator"),
                         columns=columns)
    for column in ("current_level", "effort", "gain_per_effort", "gain"):
        frame[column] = frame[column].astype("float64")
    frame["plan_step"] = frame["plan_step"].astype("Int64")
    return frame


def rubric_frame(rubric: Rubric, lang: Lang = "en") -> Any:
    """One row per indicator (index ``indicator``): direction, name, kind, unit, weights and shares,
    and the thresholds that reach levels 1..L (a tuple; ``floor`` scores level 0)."""
    pd = require_pandas()
    compiled = rubric.compiled
    within = compiled.within_shares
    overall = compiled.indicator_shares
    rows = []
    for m, indicator in enumerate(rubric.indicators):
        quantitative = indicator.kind == "quantitative"
        rows.append({
            "direction": rubric.direction_ids[compiled.direction_of[m]],
            "name": indicator.name.text(lang),
            "kind": indicator.kind,
            "unit": indicator.unit,
            "better": indicator.better if quantitative else None,
            "weight": indicator.weight,
            "direction_share": float(within[m]),
            "overall_share": float(overall[m]),
            "floor": indicator.effective_floor if quantitative else np.nan,
            "thresholds": indicator.thresholds,
            "interpolation": indicator.interpolation if quantitative else None,
            "effort": np.nan if indicator.effort is None else indicator.effort,
            "source": indicator.source,
        })
    return pd.DataFrame(rows, index=pd.Index(list(rubric.indicator_ids), name="indicator"))
