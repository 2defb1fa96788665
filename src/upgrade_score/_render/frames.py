"""pandas interop: results and rubrics as DataFrames, and DataFrames of values as input.

pandas is an optional extra (``pip install upgrade-score[pandas]``) and is imported only when a
DataFrame is asked for, so ``import upgrade_score`` never needs it. Frames use ids as index and
column labels (they are stable and unique); names in a language go in ``name`` columns.
"""

from __future__ import annotations

import difflib
import importlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._errors import Problem, UpgradeScoreError

if TYPE_CHECKING:
    from .._analysis.compare import Comparison
    from .._engine.core import FloatArray
    from .._analysis.gap import GapReport
    from .._model.results import Scorecard, ScoreTable
    from .._model.rubric import Lang, Rubric

MAX_REPORTED = 20
# Columns of a base table that describe the base rather than report a value (as in CSV files).
ID_COLUMNS = ("id", "base_id")
META_COLUMNS = ("name", "name_zh", "name_en", "year", "region", "category")


def require_pandas() -> Any:
    """The pandas module, or a clear error naming the extra to install."""
    try:
        return importlib.import_module("pandas")  # untyped, so not a static import
    except ImportError:
        raise UpgradeScoreError(
            "pandas is needed for DataFrames: install upgrade-score[pandas]") from None


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
    within = compiled.weights / compiled.direction_weight_sums[compiled.direction_of]
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


# --- frames to values --------------------------------------------------------------------------

def frame_matrix(rubric: Rubric, frame: Any) -> tuple[FloatArray, tuple[str, ...]]:
    """The N×M value matrix of a DataFrame (columns = indicator ids, index = base ids), checked.

    An ``id`` or ``base_id`` column names the bases instead of the index; the descriptive columns
    of CSV tables (``name``, ``year``, ``region``...) are ignored. Absent columns and empty cells
    are missing values. Every problem is reported together, located by base id and indicator id.
    """
    pd = require_pandas()
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise UpgradeScoreError(Problem(f"duplicate column '{dupes[0]}'", None, None, ("data",)))
    id_column = next((c for c in ID_COLUMNS if c in columns), None)
    ids_source = frame[id_column] if id_column is not None else frame.index
    ids = tuple(str(i) for i in ids_source)
    known = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    kinds = [indicator.kind for indicator in rubric.indicators]
    values = np.full((len(frame), len(known)), np.nan)
    problems: list[Problem] = []
    for label, name in zip(frame.columns, columns):
        if name in (*ID_COLUMNS, *META_COLUMNS):
            continue
        m = known.get(name)
        if m is None:
            close = difflib.get_close_matches(name, rubric.indicator_ids, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(f"unknown indicator for rubric '{rubric.id}'{hint}", None, None,
                                    ("data", name)))
            continue
        problems.extend(_fill_column(pd, frame[label], values[:, m], kinds[m], ids, name))
        if len(problems) >= MAX_REPORTED:
            break
    if not problems:
        from .._engine.core import invalid_cells

        _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
        problems.extend(Problem(reason, None, None, ("data", ids[row], rubric.indicator_ids[col]))
                        for row, col, reason in bad)
    if problems:
        raise UpgradeScoreError(problems[:MAX_REPORTED])
    return values, ids


def _fill_column(pd: Any, column: Any, out: FloatArray, kind: str, ids: Sequence[str],
                 name: str) -> list[Problem]:
    """Write one column's values into ``out``; return the problems found."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        if kind != "boolean":
            return [Problem(f"expected a {kind} value (a number), got a true/false column", None, None,
                            ("data", name))]
        out[:] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return []
    if pd.api.types.is_numeric_dtype(dtype):
        out[:] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return []
    problems: list[Problem] = []
    for row, cell in enumerate(column.tolist()):
        number = _cell(cell, kind)
        if isinstance(number, str):
            problems.append(Problem(number, None, None, ("data", ids[row], name)))
        else:
            out[row] = number
    return problems


def _cell(cell: Any, kind: str) -> float | str:
    """A cell of a column of mixed types as a float (NaN = missing), or a problem message."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or _is_na(cell):
        return math.nan
    if isinstance(cell, (bool, np.bool_)):
        if kind != "boolean":
            return f"expected a {kind} value (a number), got {bool(cell)}"
        return float(cell)
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    return f"expected a number, true/false or empty, got {type(cell).__name__} {cell!r}"


def _is_na(cell: Any) -> bool:
    """pandas.NA and NaT, without importing pandas here."""
    return type(cell).__name__ in ("NAType", "NaTType")
