"""Rich display: compact HTML tables for notebooks (``_repr_html_``) and readable plain text
(``__str__``) of scorecards, score tables, comparisons, gap reports and rubrics.

Both come from one description of what to show (a :class:`View`: heading, summary lines, tables),
so a notebook and a terminal show the same figures. Labels (direction, indicator and level names,
and the few words around them) are printed in English or Chinese: ``lang="en"`` or ``"zh"``, or
the display language set with :func:`set_display_language` (English by default).

Results record only the rubric's id, version and hash; the rubric itself (for names and levels)
is found among the rubrics recently used for scoring, or the built-in ones, or passed in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import UpgradeScoreError
from .._render.formats import number, table

if TYPE_CHECKING:
    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport
    from .._model.results import RubricRef, Scorecard, ScoreTable
    from .._model.rubric import Lang, Rubric

    Displayable = Scorecard | ScoreTable | Comparison | GapReport | Rubric

MAX_ROWS = 40          # longer tables show their head and tail
HEAD_ROWS, TAIL_ROWS = 20, 10
TOP_ACTIONS = 10
BAR_COLOUR = "#4c78a8"
TARGET_COLOUR = "#e45756"

_display: dict[str, Lang] = {"lang": "en"}

WORDS: dict[str, dict[str, str]] = {
    "Overall": {"en": "Overall", "zh": "总分"},
    "overall": {"en": "overall", "zh": "总分"},
    "level": {"en": "level", "zh": "等级"},
    "balanced level": {"en": "balanced level", "zh": "均衡等级"},
    "balanced": {"en": "balanced", "zh": "均衡等级"},
    "data": {"en": "data", "zh": "数据完整度"},
    "completeness": {"en": "completeness", "zh": "数据完整度"},
    "direction": {"en": "direction", "zh": "方向"},
    "name": {"en": "name", "zh": "名称"},
    "score": {"en": "score", "zh": "得分"},
    "indicator": {"en": "indicator", "zh": "指标"},
    "indicators": {"en": "indicators", "zh": "指标"},
    "value": {"en": "value", "zh": "数值"},
    "unit": {"en": "unit", "zh": "单位"},
    "points": {"en": "points", "zh": "得分贡献"},
    "source": {"en": "source", "zh": "数据来源"},
    "base": {"en": "base", "zh": "基地"},
    "bases": {"en": "bases", "zh": "个基地"},
    "rank": {"en": "rank", "zh": "排名"},
    "percentile": {"en": "pctl", "zh": "百分位"},
    "sorted by": {"en": "sorted by", "zh": "排序依据"},
    "rubric": {"en": "Rubric", "zh": "评价体系"},
    "gap report": {"en": "Gap report", "zh": "差距分析"},
    "target": {"en": "target", "zh": "目标"},
    "now": {"en": "now", "zh": "现状"},
    "deficit": {"en": "deficit", "zh": "差距"},
    "met": {"en": "target met", "zh": "已达到目标"},
    "not met": {"en": "target not met", "zh": "未达到目标"},
    "actions": {"en": "Top actions by overall points gained", "zh": "按总分提升排序的改进措施"},
    "gain": {"en": "gain", "zh": "总分提升"},
    "gain axis": {"en": "overall points gained on its own", "zh": "单项措施带来的总分提升"},
    "Target": {"en": "Target", "zh": "目标"},
    "plan": {"en": "plan step", "zh": "计划步骤"},
    "plan line": {"en": "Plan: {n} action(s) reach the target → overall {score}",
                  "zh": "计划：{n} 项措施即可达到目标 → 总分 {score}"},
    "missing": {"en": "not reported", "zh": "未填报"},
    "weight share": {"en": "weight share", "zh": "权重占比"},
    "cutoff": {"en": "score needed", "zh": "所需得分"},
    "levels": {"en": "levels", "zh": "等级"},
    "directions": {"en": "directions", "zh": "方向"},
    "kind": {"en": "kind", "zh": "类型"},
    "better": {"en": "better", "zh": "方向性"},
    "thresholds": {"en": "thresholds (level 1..L)", "zh": "等级阈值（1..L 级）"},
    "aggregation": {"en": "aggregation", "zh": "汇总方法"},
    "missing policy": {"en": "missing values", "zh": "缺失值处理"},
    "more": {"en": "… {n} more (to_dataframe() has every row)",
             "zh": "…… 另有 {n} 行（to_dataframe() 含全部）"},
    "every direction": {"en": "in every direction", "zh": "（所有方向）"},
    "peer": {"en": "peer", "zh": "对标"},
    "none": {"en": "none", "zh": "无"},
}


def word(key: str, lang: Lang) -> str:
    """A word of the displays in ``lang``."""
    return WORDS[key][lang]


def set_display_language(lang: Lang) -> None:
    """Language of labels in notebook displays and ``str()`` of results: ``"en"`` or ``"zh"``."""
    if lang not in ("en", "zh"):
        raise UpgradeScoreError(f"lang: expected 'en' or 'zh', got {lang!r}")
    _display["lang"] = lang


def display_language(lang: Lang | None = None) -> Lang:
    """``lang``, or the display language when ``None``."""
    if lang is None:
        return _display["lang"]
    if lang not in ("en", "zh"):
        raise UpgradeScoreError(f"lang: expected 'en' or 'zh', got {lang!r}")
    return lang


def rubric_for(ref: RubricRef, rubric: Rubric | None = None) -> Rubric | None:
    """The rubric a result was computed with: ``rubric`` if its hash matches, one used recently,
    or a built-in one with that hash (``None`` if none is found)."""
    from .._model.rubric import builtin_rubrics, load_rubric, recall_rubric

    if rubric is not None:
        if rubric.sha256 != ref.sha256:
            raise UpgradeScoreError(
                f"rubric: '{rubric.id}' {rubric.version} is not the rubric this result was computed "
                f"with ('{ref.id}' {ref.version}, sha256 {ref.sha256[:12]})")
        return rubric
    found = recall_rubric(ref.sha256)
    if found is None and ref.id in builtin_rubrics():
        builtin = load_rubric(ref.id)
        found = builtin if builtin.sha256 == ref.sha256 else None
    return found


# --- what to show ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and optionally richer HTML (already escaped)."""

    text: str
    html: str | None = None
    title: str | None = None


CellLike = str | Cell


@dataclass
class Table:
    """Headers, rows and the columns to right-align; ``collapsed`` tables fold away in HTML and
    are left out of plain text."""

    headers: list[CellLike]
    rows: list[list[CellLike]]
    right: tuple[int, ...] = ()
    caption: str | None = None
    collapsed: bool = False
    note: str | None = None


@dataclass
class View:
    """A heading, summary lines and tables."""

    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def _text(cell: CellLike) -> str:
    return cell if isinstance(cell, str) else cell.text


def _html_cell(cell: CellLike, tag: str, right: bool) -> str:
    style = ' style="text-align:right"' if right else ' style="text-align:left"'
    if isinstance(cell, str):
        return f"<{tag}{style}>{html.escape(cell)}</{tag}>"
    title = f' title="{html.escape(cell.title)}"' if cell.title else ""
    body = cell.html if cell.html is not None else html.escape(cell.text)
    return f"<{tag}{style}{title}>{body}</{tag}>"


def render_text(view: View) -> str:
    """A view as plain text (collapsed tables left out)."""
    parts = [view.heading, *(["\n".join(view.lines)] if view.lines else [])]
    for item in view.tables:
        if item.collapsed:
            continue
        body = table([_text(h) for h in item.headers], [[_text(c) for c in row] for row in item.rows],
                     "text", right=item.right)
        if item.note:
            body += "\n" + item.note
        parts.append(f"{item.caption}\n{body}" if item.caption else body)
    if view.footer:
        parts.append("\n".join(view.footer))
    return "\n\n".join(parts)


def render_html(view: View) -> str:
    """A view as a compact HTML fragment (inline styles only, so it survives notebook viewers)."""
    out = ['<div class="upgrade-score" style="font-size:0.9em">',
           f'<div style="font-weight:bold;font-size:1.1em;margin-bottom:0.2em">'
           f'{html.escape(view.heading)}</div>']
    out.extend(f'<div style="margin:0.1em 0">{html.escape(line)}</div>' for line in view.lines)
    for item in view.tables:
        out.append(table_html(item))
    out.extend(f'<div style="margin:0.3em 0">{html.escape(line)}</div>' for line in view.footer)
    out.append("</div>")
    return "\n".join(out)


def table_html(item: Table) -> str:
    """One table as HTML, inside ``<details>`` when collapsed."""
    head = "".join(_html_cell(h, "th", k in item.right) for k, h in enumerate(item.headers))
    body = "\n".join("<tr>" + "".join(_html_cell(c, "td", k in item.right) for k, c in enumerate(row))
                     + "</tr>" for row in item.rows)
    note = (f'<tr><td colspan="{len(item.headers)}" style="text-align:left;font-style:italic">'
            f"{html.escape(item.note)}</td></tr>") if item.note else ""
    caption = (f'<caption style="text-align:left;font-weight:bold">{html.escape(item.caption)}</caption>'
               if item.caption and not item.collapsed else "")
    markup = (f'<table style="border-collapse:collapse;margin:0.4em 0">{caption}'
              f"<thead><tr>{head}</tr></thead><tbody>\n{body}{note}\n</tbody></table>")
    if item.collapsed:
        summary = html.escape(item.caption or "")
        return f"<details><summary>{summary}</summary>{markup}</details>"
    return markup


# --- cells -------------------------------------------------------------------------------------

def score_cell(score: float, target: float | None = None) -> Cell:
    """A score with a small bar (and a tick where the target is)."""
    width = max(0.0, min(100.0, score)) * 0.6
    tick = ""
    if target is not None:
        left = max(0.0, min(100.0, target)) * 0.6
        tick = (f'<span style="position:absolute;left:{left:.1f}px;top:-2px;width:2px;height:12px;'
                f'background:{TARGET_COLOUR}"></span>')
    bar = (f'<span style="display:inline-block;position:relative;width:60px;height:8px;'
           f'background:#e8e8e8;margin-right:0.4em;vertical-align:middle">'
           f'<span style="position:absolute;left:0;top:0;width:{width:.1f}px;height:8px;'
           f'background:{BAR_COLOUR}"></span>{tick}</span>')
    return Cell(f"{score:.1f}", f'<span style="white-space:nowrap">{bar}{score:.1f}</span>')


def level_label(rubric: Rubric | None, level: int, lang: Lang) -> str:
    """``3 Integrated`` (``3`` when the rubric is unknown)."""
    return f"{level} {rubric.level_name(level, lang)}" if rubric is not None else str(level)


def percent(share: float) -> str:
    """``87 %``."""
    return f"{100 * share:.0f} %"


def quantity(value: bool | float | None, unit: str | None, lang: Lang) -> str:
    """``42 %``, ``9,800 CNY/t``, ``yes``; missing values are ``not reported``."""
    if value is None:
        return word("missing", lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if not unit or unit in ("level", "yes/no", "count"):
        return number(value)
    return f"{number(value)} {unit}"


def _limit(rows: list[list[CellLike]], lang: Lang) -> tuple[list[list[CellLike]], str | None]:
    if len(rows) <= MAX_ROWS:
        return rows, None
    hidden = len(rows) - HEAD_ROWS - TAIL_ROWS
    gap_row: list[CellLike] = ["…"] * len(rows[0])
    return [*rows[:HEAD_ROWS], gap_row, *rows[-TAIL_ROWS:]], word("more", lang).format(n=hidden)


def _rubric_line(ref: RubricRef, lang: Lang) -> str:
    return f"{word('rubric', lang)} {ref.id} {ref.version} (sha256 {ref.sha256[:12]})"


def _name(label: Any, fallback: str, lang: Lang) -> str:
    return label.text(lang) if label is not None else fallback


# --- views -------------------------------------------------------------------------------------

def scorecard_view(card: Scorecard, lang: Lang, rubric: Rubric | None = None) -> View:
    """One base: headline, direction table and a collapsed indicator table."""
    rubric = rubric_for(card.rubric, rubric)
    name = _name(card.base.name, card.base.id, lang)
    heading = f"{name} ({card.base.id})" if name != card.base.id else name
    o = card.overall
    summary = (f"{word('Overall', lang)} {o.score:.1f} / 100 · {word('level', lang)} "
               f"{level_label(rubric, o.level, lang)} · {word('balanced level', lang)} "
               f"{level_label(rubric, o.balanced_level, lang)} · {word('completeness', lang)} "
               f"{percent(o.completeness)}")
    names = _direction_names(rubric, lang)
    rows: list[list[CellLike]] = [
        [d, names.get(d, d), score_cell(r.score), level_label(rubric, r.level, lang), percent(r.completeness)]
        for d, r in card.directions.items()]
    directions = Table([word("direction", lang), word("name", lang), word("score", lang),
                        word("level", lang), word("data", lang)], rows, right=(2, 4))
    indicator_rows: list[list[CellLike]] = []
    for indicator_id, r in card.indicators.items():
        label = rubric.indicator(indicator_id).name.text(lang) if rubric is not None else indicator_id
        indicator_rows.append([
            Cell(indicator_id, title=label), label, r.direction, quantity(r.value, r.unit, lang),
            "—" if r.level is None else f"{r.level:.2f}", f"{r.direction_points:.1f}", r.source or ""])
    indicators = Table([word("indicator", lang), word("name", lang), word("direction", lang),
                        word("value", lang), word("level", lang), word("points", lang),
                        word("source", lang)], indicator_rows, right=(3, 4, 5),
                       caption=f"{word('indicators', lang)} ({len(indicator_rows)})", collapsed=True)
    return View(heading, [summary, _rubric_line(card.rubric, lang)], [directions, indicators])


def _direction_names(rubric: Rubric | None, lang: Lang) -> dict[str, str]:
    return {} if rubric is None else {d.id: d.name.text(lang) for d in rubric.directions}


def _direction_headers(rubric: Rubric, lang: Lang) -> list[CellLike]:
    return [Cell(d.id, f'<span title="{html.escape(d.id)}">{html.escape(d.name.text(lang))}</span>')
            for d in rubric.directions]


def base_cell(scores: ScoreTable, row: int, lang: Lang) -> Cell:
    """A base's id (plain text), shown by name with the id on hover in HTML when it has one."""
    base_id = scores.base_ids[row]
    profile = scores.profiles[row] if scores.profiles is not None else None
    if profile is None or profile.base.name is None:
        return Cell(base_id)
    return Cell(base_id, html.escape(profile.base.name.text(lang)), title=base_id)


def score_table_view(scores: ScoreTable, lang: Lang) -> View:
    """Many bases: one row each with overall and direction scores."""
    rubric = scores.rubric
    rows: list[list[CellLike]] = []
    for row in range(len(scores)):
        rows.append([
            base_cell(scores, row, lang), score_cell(float(scores.overall[row])),
            level_label(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            *(f"{value:.1f}" for value in scores.directions[row])])
    rows, note = _limit(rows, lang)
    headers: list[CellLike] = [word("base", lang), word("overall", lang), word("level", lang),
                               word("balanced", lang), word("data", lang),
                               *_direction_headers(rubric, lang)]
    heading = (f"{word('rubric', lang)} {rubric.id} {rubric.version} · {len(scores)} "
               f"{word('bases', lang)}")
    return View(heading, tables=[Table(headers, rows, right=(1, 3, 4, *range(5, len(headers))),
                                       note=note)])


def comparison_view(result: Comparison, lang: Lang) -> View:
    """Bases best first: rank, percentile, overall and direction scores."""
    scores = result.table
    rubric = scores.rubric
    rows: list[list[CellLike]] = []
    for row in result.order.tolist():
        rows.append([
            str(int(result.rank[row])), base_cell(scores, row, lang), score_cell(float(scores.overall[row])),
            level_label(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            f"{result.percentile[row]:.0f}", *(f"{value:.1f}" for value in scores.directions[row])])
    rows, note = _limit(rows, lang)
    headers: list[CellLike] = [word("rank", lang), word("base", lang), word("overall", lang),
                               word("level", lang), word("balanced", lang), word("data", lang),
                               word("percentile", lang), *_direction_headers(rubric, lang)]
    sort = result.sort_by if result.sort_by == "overall" else _direction_names(rubric, lang)[result.sort_by]
    heading = (f"{word('rubric', lang)} {rubric.id} {rubric.version} · {len(scores)} "
               f"{word('bases', lang)} · {word('sorted by', lang)} {sort}")
    return View(heading, tables=[Table(headers, rows, right=(0, 2, 4, 5, 6, *range(7, len(headers))),
                                       note=note)])


def target_text(report: GapReport, rubric: Rubric | None, lang: Lang) -> str:
    """The target in words: ``level 3 Integrated in every direction; overall score 60.0``."""
    target = report.target
    parts = []
    if "label" in target:
        parts.append(f"{word('peer', lang)} {target['label']}")
    if "level" in target:
        parts.append(f"{word('level', lang)} {level_label(rubric, target['level'], lang)} "
                     f"{word('every direction', lang)}")
    names = _direction_names(rubric, lang)
    if target.get("levels"):
        parts.append(", ".join(f"{names.get(d, d)} {word('level', lang)} {k}"
                               for d, k in target["levels"].items()))
    if report.target_score is not None:
        parts.append(f"{word('overall', lang)} {report.target_score:.1f}")
    return "; ".join(parts) or word("none", lang)


def gap_view(report: GapReport, lang: Lang, rubric: Rubric | None = None, top: int = TOP_ACTIONS) -> View:
    """Direction deficits, the top actions and the plan."""
    rubric = rubric_for(report.rubric, rubric)
    name = _name(report.base.name, report.base.id, lang)
    heading = f"{word('gap report', lang)}: {name} ({report.base.id})"
    status = word("met" if report.met else "not met", lang)
    summary = (f"{word('target', lang)}: {target_text(report, rubric, lang)} · {word('now', lang)} "
               f"{report.current_score:.1f} ({word('level', lang)} "
               f"{level_label(rubric, report.current_level, lang)}) · {status}")
    names = _direction_names(rubric, lang)
    rows: list[list[CellLike]] = [
        [names.get(d, d), score_cell(g.current_score, g.target_score), str(g.current_level),
         f"{g.target_score:.1f}", str(g.target_level), f"{g.deficit:.1f}"]
        for d, g in report.directions.items()]
    tables = [Table([word("direction", lang), word("now", lang), word("level", lang), word("target", lang),
                     word("level", lang), word("deficit", lang)], rows, right=(1, 2, 3, 4, 5))]
    step = {indicator: k for k, indicator in enumerate(report.plan, 1)}
    action_rows: list[list[CellLike]] = []
    for k, action in enumerate(report.actions[:top], 1):
        label = rubric.indicator(action.indicator).name.text(lang) if rubric is not None else action.indicator
        action_rows.append([
            str(k), Cell(label, title=action.indicator), names.get(action.direction, action.direction),
            quantity(None if action.missing else action.current, action.unit, lang),
            quantity(action.target, action.unit, lang), f"+{action.gain:.1f}",
            str(step.get(action.indicator, ""))])
    footer = []
    if action_rows:
        more = len(report.actions) - len(action_rows)
        tables.append(Table(["#", word("indicator", lang), word("direction", lang), word("now", lang),
                             word("target", lang), word("gain", lang), word("plan", lang)],
                            action_rows, right=(0, 3, 4, 5, 6), caption=word("actions", lang),
                            note=word("more", lang).format(n=more) if more else None))
        footer.append(word("plan line", lang).format(n=len(report.plan), score=f"{report.plan_score:.1f}"))
    return View(heading, [summary, _rubric_line(report.rubric, lang)], tables, footer)


def rubric_view(rubric: Rubric, lang: Lang) -> View:
    """Levels with their cutoffs, directions with their weight shares, and (collapsed) indicators."""
    compiled = rubric.compiled
    heading = f"{rubric.title.text(lang)} ({rubric.id} {rubric.version})"
    summary = (f"{len(rubric.levels)} {word('levels', lang)} · {len(rubric.directions)} "
               f"{word('directions', lang)} · {len(rubric.indicators)} {word('indicators', lang)} · "
               f"{word('aggregation', lang)}: {rubric.aggregation} · {word('missing policy', lang)}: "
               f"{rubric.missing}")
    levels = Table([word("level", lang), word("name", lang), word("cutoff", lang)],
                   [[str(level.level), level.name.text(lang), f"{cutoff:g}"]
                    for level, cutoff in zip(rubric.levels, rubric.cutoffs)], right=(0, 2))
    directions = Table(
        [word("direction", lang), word("name", lang), word("weight share", lang), word("indicators", lang)],
        [[d.id, d.name.text(lang), percent(float(share)), str(len(d.indicators))]
         for d, share in zip(rubric.directions, compiled.overall_shares)], right=(2, 3))
    rows: list[list[CellLike]] = []
    for m, indicator in enumerate(rubric.indicators):
        thresholds = ", ".join(f"{t:g}" for t in indicator.thresholds or ())
        rows.append([indicator.id, indicator.name.text(lang), rubric.direction_ids[compiled.direction_of[m]],
                     indicator.kind, indicator.unit or "", indicator.better if thresholds else "",
                     thresholds, percent(float(compiled.indicator_shares[m]))])
    indicators = Table([word("indicator", lang), word("name", lang), word("direction", lang),
                        word("kind", lang), word("unit", lang), word("better", lang),
                        word("thresholds", lang), word("weight share", lang)], rows, right=(7,),
                       caption=f"{word('indicators', lang)} ({len(rows)})", collapsed=True)
    return View(heading, [summary], [levels, directions, indicators])


# --- entry points used by the result classes -----------------------------------------------------

def view_of(obj: Displayable, lang: Lang | None = None, rubric: Rubric | None = None) -> View:
    """The view of any displayable result or rubric."""
    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport
    from .._model.results import Scorecard, ScoreTable
    from .._model.rubric import Rubric as RubricModel

    chosen = display_language(lang)
    if isinstance(obj, Scorecard):
        return scorecard_view(obj, chosen, rubric)
    if isinstance(obj, GapReport):
        return gap_view(obj, chosen, rubric)
    if isinstance(obj, ScoreTable):
        return score_table_view(obj, chosen)
    if isinstance(obj, Comparison):
        return comparison_view(obj, chosen)
    if isinstance(obj, RubricModel):
        return rubric_view(obj, chosen)
    raise UpgradeScoreError(f"cannot display a {type(obj).__name__}")


def to_html(obj: Displayable, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
    """An HTML fragment for notebooks and reports."""
    return render_html(view_of(obj, lang, rubric))


def to_text(obj: Displayable, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
    """Plain text for terminals (``str()`` of results)."""
    return render_text(view_of(obj, lang, rubric))


def short_repr(obj: ScoreTable | Comparison) -> str:
    """A one-line ``repr`` of the array-backed results."""
    from .._analysis.compare import Comparison

    if isinstance(obj, Comparison):
        table_ = obj.table
        return (f"<Comparison of {len(table_)} bases sorted by {obj.sort_by}, rubric "
                f"{table_.rubric.id} {table_.rubric.version}>")
    rubric = obj.rubric
    return (f"<ScoreTable: {len(obj)} bases × {len(rubric.direction_ids)} directions, rubric "
            f"{rubric.id} {rubric.version}>")

