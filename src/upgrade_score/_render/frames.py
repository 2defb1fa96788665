"""pandas interop: results and rubrics as DataFrames, and DataFrames of values as input.

pandas is an optional extra (``pip install upgrade-score[pandas]``) and is imported only when a
DataFrame is asked for, so ``import upgrade_score`` never needs it. Frames use ids as index and
column labels (they are stable and unique); names in a language go in ``name`` columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._analysis.weights import weight_blocks
from .._errors import UpgradeScoreError
from .._model.label import text_in
from .._optional import require_pandas
from .._text import display_language

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport
    from .._analysis.scorecard import ScoreTable
    from .._model.results import Scorecard
    from .._model.rubric import Rubric
    from .._text import Lang



# --- results to frames -------------------------------------------------------------------------

def score_table_frame(table: ScoreTable, levels: bool = False) -> DataFrame:
    """One row per base (index ``base``): overall score, level, balanced level, completeness and
    the direction scores (columns named by direction id); ``levels`` adds ``<direction>_level``."""
    pd = require_pandas()
    columns = score_columns(table, levels)
    del columns["base"]
    return pd.DataFrame(columns, index=pd.Index(list(table.base_ids), name="base"))


def score_columns(table: ScoreTable, levels: bool = True) -> dict[str, Any]:
    """The columns of a score table (no pandas needed): base, overall, level, balanced_level,
    completeness, one score (and with ``levels`` one level) per direction, and the category,
    uncapped level and gate columns of rubrics that have them."""
    directions = table.rubric.direction_ids
    columns: dict[str, Any] = {
        "base": table.base_ids,
        "overall": table.overall,
        "level": table.overall_level,
        "balanced_level": table.balanced_level,
        "completeness": table.completeness,
    }
    columns.update({d: table.directions[:, j] for j, d in enumerate(directions)})
    if levels:
        columns.update({f"{d}_level": table.direction_levels[:, j] for j, d in enumerate(directions)})
    columns.update(_language_2_columns(table))
    return columns


def _language_2_columns(table: ScoreTable) -> dict[str, Any]:
    """``category`` (for a rubric with categories), ``uncapped_level`` and one ``gate:<id>`` status
    column per gate (for a rubric with gates)."""
    from .._engine.gates import STATUS_NAMES

    compiled = table.rubric.compiled
    columns: dict[str, Any] = {}
    if compiled.category_ids:
        codes = table.categories if table.categories is not None else np.full(len(table), -1)
        columns["category"] = [compiled.category_ids[c] if c >= 0 else None for c in codes.tolist()]
    status = table.scores.gate_status
    if compiled.gates and status is not None and table.scores.uncapped_overall_level is not None:
        columns["uncapped_level"] = table.scores.uncapped_overall_level
        names = np.array(STATUS_NAMES, dtype=object)
        for g, gate in enumerate(compiled.gates):
            columns[f"gate:{gate.id}"] = names[status[:, g]]
    return columns


def scorecard_frame(card: Scorecard) -> DataFrame:
    """One row per indicator (index ``indicator``): how its value became points."""
    pd = require_pandas()
    lang = display_language()
    rows = [{
        "direction": result.direction,
        "value": result.value,
        "unit": text_in(result.unit, lang),
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
    if any(result.not_applicable is not None for result in card.indicators.values()):
        frame.insert(3, "not_applicable", [bool(r.not_applicable) for r in card.indicators.values()])
    if any(result.derived is not None for result in card.indicators.values()):
        from .derived import derived_lines

        rubric = card.rubric.rubric  # how each derived value was reached, as the views show it
        frame["formula"] = ["; ".join(derived_lines(r.derived, rubric, lang)) if r.derived else None
                            for r in card.indicators.values()]
    return frame


def comparison_frame(result: Comparison) -> DataFrame:
    """One row per base, best first: rank, percentile, scores and levels."""
    frame = score_table_frame(result.table)
    frame.insert(0, "rank", result.rank)
    frame.insert(1, "percentile", result.percentile)
    return frame.iloc[result.order]


def gap_frame(report: GapReport, what: Literal["actions", "directions"] = "actions") -> DataFrame:
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
    if report.blocking_gates is not None:  # a rubric with gates: which action clears which gate
        columns[1:1] = ["required", "gate"]
    lang = display_language()
    rows = [{**action.model_dump(exclude={"indicator"}), "unit": text_in(action.unit, lang),
             "plan_step": step.get(action.indicator)} for action in report.actions]
    frame = pd.DataFrame(rows, index=pd.Index([a.indicator for a in report.actions], name="indicator"),
                         columns=columns)
    for column in ("current_level", "effort", "gain_per_effort", "gain"):
        frame[column] = frame[column].astype("float64")
    frame["plan_step"] = frame["plan_step"].astype("Int64")
    if "required" in frame:
        frame["required"] = frame["required"].fillna(False).astype(bool)
    return frame


def rubric_frame(rubric: Rubric, lang: Lang = "en") -> DataFrame:
    """One row per indicator (index ``indicator``): direction, name, kind, unit, weights and shares
    with where they come from (``weight_method`` ``ahp`` or ``direct`` and ``weight_cr`` for the
    indicator's weight within its direction, ``direction_weight_method`` and ``direction_weight_cr``
    for its direction's), the thresholds that reach levels 1..L (a tuple; ``floor`` scores level 0)
    and, in a rubric with formulas, each indicator's ``formula``."""
    pd = require_pandas()
    compiled = rubric.compiled
    within = compiled.within_shares
    overall = compiled.indicator_shares
    blocks = weight_blocks(rubric).blocks
    of_direction = {block.direction: block for block in blocks}
    formulas = any(i.formula is not None for i in rubric.indicators)
    rows = []
    for m, indicator in enumerate(rubric.indicators):
        direction = rubric.direction_ids[compiled.direction_of[m]]
        quantitative = indicator.kind == "quantitative"
        rows.append({
            "direction": direction,
            "name": indicator.name.text(lang),
            "kind": indicator.kind,
            "unit": text_in(indicator.unit, lang),
            "better": indicator.better if quantitative else None,
            "weight": indicator.weight,
            "direction_share": float(within[m]),
            "overall_share": float(overall[m]),
            "weight_method": of_direction[direction].method,
            "weight_cr": _cr(of_direction[direction].cr),
            "direction_weight_method": blocks[0].method,
            "direction_weight_cr": _cr(blocks[0].cr),
            "floor": indicator.effective_floor if quantitative else np.nan,
            "thresholds": indicator.thresholds,
            "interpolation": indicator.interpolation if quantitative else None,
            "effort": np.nan if indicator.effort is None else indicator.effort,
            "source": text_in(indicator.source, lang),
            **_language_2_fields(rubric, indicator),
            **({"formula": indicator.formula} if formulas else {}),
        })
    return pd.DataFrame(rows, index=pd.Index(list(rubric.indicator_ids), name="indicator"))


def _cr(cr: float | None) -> float:
    return np.nan if cr is None else cr


def _language_2_fields(rubric: Rubric, indicator: Any) -> dict[str, Any]:
    """``applies_to``, ``allow_na`` and per-category thresholds, for a rubric that uses them."""
    if not rubric.compiled.uses_language_2:
        return {}
    return {"applies_to": indicator.applies_to, "allow_na": indicator.allow_na,
            "thresholds_by_category": indicator.thresholds_by_category}
