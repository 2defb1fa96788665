"""Results as Excel workbooks (``-o results.xlsx``; ``to_excel`` on results; extra ``[xlsx]``).

One sheet per table — overall, directions, indicators, gates (when the rubric has them), progress —
with the header row frozen, number formats on every figure (scores ``0.0``, shares ``0%``, levels
and years whole numbers) and headers in the language asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._analysis.compare import Comparison
from .._analysis.gap import GapReport
from .._analysis.progress import Progress
from .._analysis.scorecard import ScoreTable
from .._analysis.sensitivity.results import SensitivityReport
from .._errors import Problem, UpgradeScoreError
from .._model.label import text_in
from .._model.results import Scorecard
from .._model.rubric import Rubric
from .._optional import require_openpyxl
from .._text import display_language, display_width, word
from .progress import long_rows, series_name
from .views import rubric_for

if TYPE_CHECKING:
    from .._text import Lang

SCORE, SHARE, WHOLE = "0.0", "0%", "0"
MAX_WIDTH = 48


@dataclass
class Sheet:
    """A table to write: its name, headers, rows and the number format of each column."""

    name: str
    headers: list[str]
    formats: list[str | None]
    rows: list[list[Any]] = field(default_factory=list)


def _h(key: str, lang: Lang) -> str:
    return word(key, lang)


def _headers(lang: Lang, *keys: str) -> list[str]:
    return [word(key, lang) for key in keys]


def write_excel(obj: object, path: str | Path, lang: Lang | None = None) -> Path:
    """Write a result (scorecard, score table, comparison, progress, gap report, sensitivity
    report) as a workbook."""
    openpyxl = require_openpyxl()
    chosen = display_language(lang)
    sheets = sheets_of(obj, chosen)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _write_sheet(book.create_sheet(sheet.name), sheet)
    out = Path(path)
    try:
        book.save(out)
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot write the workbook ({exc.strerror or exc})",
                                        str(out))) from None
    return out


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Font  # (the extra is there: write_excel required it)

    ws.append(sheet.headers)
    for row in sheet.rows:
        ws.append(row)
    bold = Font(bold=True)
    for k, header in enumerate(sheet.headers, 1):
        ws.cell(1, k).font = bold
        fmt = sheet.formats[k - 1]
        letter = ws.cell(1, k).column_letter
        if fmt is not None:
            for (cell,) in ws.iter_rows(min_row=2, min_col=k, max_col=k):
                cell.number_format = fmt
        widest = max([display_width(header), *(display_width(str(r[k - 1])) for r in sheet.rows[:200]
                                               if r[k - 1] is not None)])
        ws.column_dimensions[letter].width = min(MAX_WIDTH, widest + 2)
    ws.freeze_panes = "B2"


def sheets_of(obj: object, lang: Lang) -> list[Sheet]:
    """The tables of a result, in the order of the workbook."""
    if isinstance(obj, Progress):
        return [progress_sheet(obj, lang)]
    if isinstance(obj, GapReport):
        return gap_sheets(obj, lang)
    if isinstance(obj, SensitivityReport):
        return sensitivity_sheets(obj, lang)
    if isinstance(obj, Comparison):
        order = obj.order.tolist()
        cards = [obj.table.scorecard(row) for row in order]
        overall = _overall_sheet(cards, obj.table.rubric, lang)
        _add_ranks(overall, obj, order, lang)
        return [overall, *_detail_sheets(cards, obj.table.rubric, lang)]
    if isinstance(obj, ScoreTable):
        cards = list(obj)
        rubric: Rubric | None = obj.rubric
    elif isinstance(obj, Scorecard):
        cards, rubric = [obj], rubric_for(obj.rubric)
    else:
        raise UpgradeScoreError(f"no Excel view of a {type(obj).__name__}")
    if rubric is None:
        raise UpgradeScoreError("to_excel: the rubric of this result is not known")
    return [_overall_sheet(cards, rubric, lang), *_detail_sheets(cards, rubric, lang)]


def _name(card: Scorecard, lang: Lang) -> str:
    return card.base.name.text(lang) if card.base.name is not None else ""


def _overall_sheet(cards: Sequence[Scorecard], rubric: Rubric, lang: Lang) -> Sheet:
    gated = bool(rubric.gates)
    sheet = Sheet(word("xlsx.overall", lang),
                  [_h("base", lang), _h("name", lang), _h("report.year", lang), _h("Overall", lang),
                   _h("level", lang), _h("balanced level", lang), _h("completeness", lang),
                   *([_h("xlsx.uncapped level", lang)] if gated else [])],
                  [None, None, WHOLE, SCORE, WHOLE, WHOLE, SHARE, *([WHOLE] if gated else [])])
    for card in cards:
        o = card.overall
        sheet.rows.append([card.base.id, _name(card, lang), card.base.year, o.score, o.level,
                           o.balanced_level, o.completeness, *([o.uncapped_level] if gated else [])])
    return sheet


def _add_ranks(sheet: Sheet, result: Comparison, order: Sequence[int], lang: Lang) -> None:
    """Rank and percentile first; with ``by`` the group, its rank, percentile and size last."""
    sheet.headers[:0] = [_h("rank", lang), _h("xlsx.percentile", lang)]
    sheet.formats[:0] = [WHOLE, SCORE]
    for row, cells in zip(order, sheet.rows):
        cells[:0] = [int(result.rank[row]), float(result.percentile[row])]
    if result.groups is None:
        return
    sheet.headers.extend([_h("group", lang), _h("group rank", lang), _h("xlsx.group percentile", lang),
                          _h("xlsx.group size", lang)])
    sheet.formats.extend([None, WHOLE, SCORE, WHOLE])
    for row, cells in zip(order, sheet.rows):
        group = result.groups[row]
        cells.extend([group, *(None if group is None else value for value in (
            int(result.group_rank[row]), float(result.group_percentile[row]),
            int(result.group_size[row])))])


def _detail_sheets(cards: Sequence[Scorecard], rubric: Rubric, lang: Lang) -> list[Sheet]:
    names = {d.id: d.name.text(lang) for d in rubric.directions}
    directions = Sheet(word("xlsx.directions", lang),
                       [_h("base", lang), _h("direction", lang), _h("name", lang), _h("score", lang),
                        _h("level", lang), _h("completeness", lang), _h("weight share", lang)],
                       [None, None, None, SCORE, WHOLE, SHARE, SHARE])
    indicators = Sheet(word("xlsx.indicators", lang),
                       [_h("base", lang), _h("indicator", lang), _h("name", lang), _h("direction", lang),
                        _h("value", lang), _h("unit", lang), _h("level", lang), _h("points", lang),
                        _h("weight share", lang), _h("source", lang)],
                       [None, None, None, None, None, None, "0.00", SCORE, SHARE, None])
    labels = {i.id: i.name.text(lang) for i in rubric.indicators}
    for card in cards:
        for d, direction in card.directions.items():
            directions.rows.append([card.base.id, d, names.get(d, d), direction.score, direction.level,
                                    direction.completeness, direction.weight_share])
        for i, result in card.indicators.items():
            value: Any = word("n/a", lang) if result.not_applicable else result.value
            indicators.rows.append([card.base.id, i, labels.get(i, i), result.direction, value,
                                    text_in(result.unit, lang), result.level, result.direction_points,
                                    result.weight_share, text_in(result.source, lang)])
    sheets = [directions, indicators]
    if rubric.gates:
        sheets.append(_gates_sheet(cards, rubric, lang))
    return sheets


def _gates_sheet(cards: Sequence[Scorecard], rubric: Rubric, lang: Lang) -> Sheet:
    sheet = Sheet(word("xlsx.gates", lang),
                  [_h("base", lang), _h("xlsx.gate", lang), _h("name", lang), _h("report.status", lang),
                   _h("report.caps", lang), _h("report.scope", lang)],
                  [None, None, None, None, WHOLE, None])
    names = {g.id: g.name.text(lang) if g.name is not None else g.id for g in rubric.gates or ()}
    directions = {d.id: d.name.text(lang) for d in rubric.directions}
    for card in cards:
        for gate_id, result in (card.gates or {}).items():
            scope = word("overall", lang) if result.scope == "overall" else directions.get(result.scope)
            sheet.rows.append([card.base.id, gate_id, names.get(gate_id, gate_id),
                               word(f"status {result.status}", lang), result.caps, scope])
    return sheet


def progress_sheet(progress: Progress, lang: Lang) -> Sheet:
    """The long table of :func:`long_rows`, with the series named and the status in words."""
    sheet = Sheet(word("report.progress", lang),
                  [_h("base", lang), _h("direction", lang), _h("report.year", lang), _h("score", lang),
                   _h("level", lang), _h("progress.since previous", lang),
                   _h("progress.since first", lang), _h("xlsx.target level", lang),
                   _h("xlsx.target score", lang), _h("progress.projection", lang),
                   _h("xlsx.projected year", lang)],
                  [None, None, WHOLE, SCORE, WHOLE, SCORE, SCORE, WHOLE, SCORE, None, WHOLE])
    for row in long_rows(progress):
        status = row[9]
        sheet.rows.append([row[0], series_name(progress, row[1], lang), *row[2:9],
                           None if status is None else word(f"xlsx.{status}", lang), row[10]])
    return sheet


def gap_sheets(report: GapReport, lang: Lang) -> list[Sheet]:
    """A gap report: the summary, the actions ranked by gain with their plan step, and each
    direction's current and target score."""
    rubric = rubric_for(report.rubric)
    names = {d.id: d.name.text(lang) for d in rubric.directions} if rubric is not None else {}
    labels = {i.id: i.name.text(lang) for i in rubric.indicators} if rubric is not None else {}
    gated = report.blocking_gates is not None
    summary = Sheet(word("xlsx.summary", lang),
                    [_h("base", lang), _h("name", lang), _h("xlsx.current score", lang),
                     _h("xlsx.current level", lang), _h("xlsx.target score", lang), _h("xlsx.status", lang),
                     _h("xlsx.plan score", lang), *([_h("xlsx.blocking gates", lang)] if gated else [])],
                    [None, None, SCORE, WHOLE, SCORE, None, SCORE, *([None] if gated else [])])
    name = report.base.name.text(lang) if report.base.name is not None else ""
    summary.rows.append([report.base.id, name, report.current_score, report.current_level,
                         report.target_score, word("met" if report.met else "not met", lang),
                         report.plan_score, *([_gate_names(report.blocking_gates or [], rubric, lang)]
                                              if gated else [])])
    return [summary, _actions_sheet(report, labels, names, lang), _direction_gaps_sheet(report, names, lang)]


def _gate_names(gates: Sequence[str], rubric: Rubric | None, lang: Lang) -> str:
    """The names of gates in ``lang`` (their ids where the rubric is not known or names none)."""
    named = {g.id: g.name.text(lang) for g in (rubric.gates or ()) if g.name is not None} if rubric else {}
    return ("、" if lang == "zh" else ", ").join(named.get(gate, gate) for gate in gates)


def _actions_sheet(report: GapReport, labels: dict[str, str], names: dict[str, str], lang: Lang) -> Sheet:
    gated = report.blocking_gates is not None
    sheet = Sheet(word("xlsx.actions", lang),
                  _headers(lang, "plan", "indicator", "name", "direction",
                           *(("required", "gate") if gated else ()), "kind", "xlsx.current value",
                           "xlsx.current level", "xlsx.target value", "xlsx.target level", "unit", "gain",
                           "xlsx.effort", "xlsx.gain per effort"),
                  [WHOLE, None, None, None, *([None, None] if gated else []), None, None, "0.00", None,
                   WHOLE, None, SCORE, "0.0", "0.00"])
    step = {indicator: k for k, indicator in enumerate(report.plan, 1)}
    for action in report.actions:
        current = word("missing", lang) if action.missing else _cell(action.current, lang)
        sheet.rows.append([step.get(action.indicator), action.indicator, labels.get(action.indicator, ""),
                           names.get(action.direction, action.direction),
                           *([_cell(bool(action.required), lang), action.gate] if gated else []),
                           word(action.kind, lang), current, action.current_level, _cell(action.target, lang),
                           action.target_level, text_in(action.unit, lang), action.gain, action.effort,
                           action.gain_per_effort])
    return sheet


def _direction_gaps_sheet(report: GapReport, names: dict[str, str], lang: Lang) -> Sheet:
    sheet = Sheet(word("xlsx.directions", lang),
                  _headers(lang, "direction", "name", "xlsx.current score", "xlsx.current level",
                           "xlsx.target score", "xlsx.target level", "deficit"),
                  [None, None, SCORE, WHOLE, SCORE, WHOLE, SCORE])
    for direction, gap in report.directions.items():
        sheet.rows.append([direction, names.get(direction, direction), gap.current_score, gap.current_level,
                           gap.target_score, gap.target_level, gap.deficit])
    return sheet


def _cell(value: Any, lang: Lang) -> Any:
    """A value as a cell: yes/no in words (a workbook's TRUE/FALSE is English), numbers as they are."""
    if isinstance(value, bool):
        return word("xlsx.yes" if value else "xlsx.no", lang)
    return value


def sensitivity_sheets(report: SensitivityReport, lang: Lang) -> list[Sheet]:
    """A sensitivity report: each base's nominal and sampled score and rank; the influence of
    each direction or indicator and the value uncertainty of each base when they were sampled."""
    top = word("sens.top", lang).format(k=report.top_k)
    rubric = rubric_for(report.rubric)
    names = {d.id: d.name.text(lang) for d in rubric.directions} if rubric is not None else {}
    bases = Sheet(word("xlsx.bases", lang),
                  [_h("base", lang), _h("score", lang), _h("level", lang), _h("rank", lang),
                   _h("xlsx.score median", lang), _h("xlsx.score low", lang), _h("xlsx.score high", lang),
                   _h("sens.median rank", lang), _h("xlsx.rank low", lang), _h("xlsx.rank high", lang), top],
                  [None, SCORE, WHOLE, WHOLE, SCORE, SCORE, SCORE, WHOLE, WHOLE, WHOLE, SHARE])
    for row in report.bases:
        score, rank = row.score_interval, row.rank_interval
        bases.rows.append([row.base, row.score, row.level, row.rank, score.median, score.low, score.high,
                           rank.median, rank.low, rank.high, row.top_probability])
    sheets = [bases]
    if report.influence:
        influence = Sheet(word("xlsx.influence", lang),
                          [_h("xlsx.component", lang), _h("kind", lang), _h("direction", lang),
                           _h("xlsx.nominal share", lang), _h("xlsx.correlation", lang),
                           _h("xlsx.effective share", lang)],
                          [None, None, None, SHARE, "0.00", SHARE])
        for item in report.influence:
            influence.rows.append([item.component, word(f"sens.{item.kind}s", lang),
                                   names.get(item.direction, item.direction),
                                   item.nominal_share, item.correlation, item.effective_share])
        sheets.append(influence)
    if report.values:
        values = Sheet(word("xlsx.values", lang),
                       [_h("base", lang), _h("score", lang), _h("xlsx.score median", lang),
                        _h("xlsx.score low", lang), _h("xlsx.score high", lang), _h("xlsx.sd", lang)],
                       [None, SCORE, SCORE, SCORE, SCORE, "0.00"])
        for spread in report.values:
            values.rows.append([spread.base, spread.score, spread.interval.median, spread.interval.low,
                                spread.interval.high, spread.sd])
        sheets.append(values)
    return sheets
