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
from .._analysis.progress import Progress
from .._analysis.scorecard import ScoreTable
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


def write_excel(obj: object, path: str | Path, lang: Lang | None = None) -> Path:
    """Write a result (scorecard, score table, comparison, progress) as a workbook."""
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
