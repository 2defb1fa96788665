"""A self-contained HTML report for base managers: scores, radar, gap actions, completeness and
sources, one section per base, readable in a browser and printable (one base per page).

The file loads nothing from the network: charts are inline images (SVG by default, or PNG) and
the styles are in the page. The same inputs give the same bytes (no timestamps).
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._analysis.compare import Comparison, compare
from .._analysis.gap import GapReport, Target, gap
from .._analysis.progress import BaseProgress, Progress, progress
from .._analysis.score import score_many
from .._analysis.scorecard import ScoreTable
from .._errors import UpgradeScoreError
from .._io.arguments import check_path
from .._io.enterprises import EnterpriseTable, load_enterprises, with_enterprises
from .._io.rubrics import load_rubric
from .._model.label import text_in
from .._model.profile import BaseProfile
from .._model.rubric import Rubric
from .._optional import require_matplotlib
from .._progress import step
from .._text import Lang, display_language, word
from .._version import __version__
from .derived import derived_table
from .formats import Cell, CellLike, Table, percent, table_html
from .plot import chart_language, figure_bytes, plot_actions, plot_heatmap, plot_radar
from .progress import base_table
from .progress_plot import plot_progress
from .svgcharts import actions_svg, heatmap_svg, radar_svg
from .views import (
    comparison_view,
    direction_cells,
    gap_view,
    gate_lines,
    level_label,
    quantity,
    rubric_view,
    target_text,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


    ReportData = BaseProfile | Sequence[BaseProfile] | ScoreTable
    ReportTarget = Target | str | int | None

ChartFormat = Literal["svg", "png"]
MAX_OVERVIEW_RADAR = 8


MAX_CHART_LABEL = 40  # characters of an indicator name on an action chart


@dataclass(frozen=True)
class _Charts:
    """How the report draws its charts: inline SVG or PNG, with labels in ``lang`` (the page's
    language, or English when no font can draw it)."""

    format: ChartFormat
    lang: Lang


CSS = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", "WenQuanYi Zen Hei", "Helvetica Neue", Arial, sans-serif;
       color: #222; background: #fff; margin: 0 auto; max-width: 1080px; padding: 24px 32px;
       font-size: 14px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 6px; padding-bottom: 4px; border-bottom: 2px solid #4c78a8; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #333; }
.meta { color: #555; font-size: 12px; }
.summary { font-size: 15px; margin: 6px 0 10px; }
.summary strong { font-size: 18px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 12.5px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.row > figure { flex: 0 0 auto; }
.row > div { flex: 1 1 360px; }
figure { margin: 4px 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 11px; color: #666; }
.notice { margin: 8px 0; padding: 6px 12px; border-left: 5px solid #999; background: #f4f4f4;
          color: #444; font-size: 12.5px; }
.alert { margin: 8px 0; padding: 8px 12px; border-left: 5px solid #d62728; background: #fdecea;
         color: #8b1a1a; font-weight: 600; font-size: 15px; }
.met { color: #2ca02c; font-weight: 600; }
.unmet { color: #d62728; font-weight: 600; }
.small { font-size: 12px; color: #444; }
ul.missing { margin: 4px 0 8px; padding-left: 20px; font-size: 12.5px; }
footer { margin-top: 32px; color: #777; font-size: 11px; border-top: 1px solid #ddd; padding-top: 6px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  section.base, section.appendix { break-before: page; }
  table, figure, .row { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


def report_word(key: str, lang: Lang) -> str:
    """A word of the report in ``lang`` (the ``report.`` entries of the catalogue)."""
    return word(f"report.{key}", lang)


def _esc(text: object) -> str:
    return html.escape(str(text))


def _image(fig: Figure, charts: _Charts, alt: str, width: int) -> str:
    """A figure as an inline ``<img>`` (data URI), so the page needs no other file."""

    data = figure_bytes(fig, charts.format, dpi=110)
    mime = "image/svg+xml" if charts.format == "svg" else "image/png"
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure><img alt="{_esc(alt)}" width="{width}" '
            f'src="data:{mime};base64,{encoded}"></figure>')


def _svg_image(data: bytes, alt: str, width: int) -> str:
    """An SVG written as text (:mod:`.svgcharts`) as an inline ``<img>``."""
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure><img alt="{_esc(alt)}" width="{width}" '
            f'src="data:image/svg+xml;base64,{encoded}"></figure>')


def _radar(card: Any, report: GapReport | None, rubric: Rubric, lang: Lang, charts: _Charts,
           alt: str) -> str:
    """A base's radar against its target: SVG text (labels in the page's language, drawn by the
    browser's fonts), or a matplotlib PNG when PNG charts are asked for."""
    if charts.format != "svg":
        return _image(plot_radar(card, target=report, lang=charts.lang, title=""), charts, alt, 520)
    ids = rubric.direction_ids
    scores = [float("nan") if card.directions[d].score is None else card.directions[d].score for d in ids]
    goal = None if report is None else [report.directions[d].target_score for d in ids]
    return _svg_image(radar_svg([d.name.text(lang) for d in rubric.directions], scores, goal, rubric.cutoffs,
                                [rubric.level_name(k + 1, lang) for k in range(len(rubric.cutoffs))],
                                word("Target", lang)), alt, 520)


def _heatmap(result: Comparison, lang: Lang, charts: _Charts) -> str:
    """The group's direction scores, a row per base in ranking order: SVG text (or a matplotlib
    PNG, as for the radar)."""
    alt = report_word("heat", lang)
    if charts.format != "svg":
        return _image(plot_heatmap(result, lang=charts.lang), charts, alt, 640)
    table, rubric = result.table, result.table.rubric
    rows = result.order.tolist()
    labels = [_base_label(table, row, lang) for row in rows]
    scores = table.directions[rows].tolist()
    chart = heatmap_svg(labels, [d.name.text(lang) for d in rubric.directions], scores, rubric.cutoffs,
                        [rubric.level_name(k + 1, lang) for k in range(len(rubric.cutoffs))])
    return _svg_image(chart, alt, 640)


def _base_label(table: ScoreTable, row: int, lang: Lang) -> str:
    """A base's name in ``lang`` (its id when it has no name)."""
    profile = table.profiles[row] if table.profiles is not None else None
    name = profile.base.name if profile is not None else None
    return name.text(lang) if name else table.row_id(row)


def _actions_chart(report: GapReport, rubric: Rubric, lang: Lang, top: int, charts: _Charts,
                   alt: str) -> str:
    """A base's top actions by gain, as SVG text (or a matplotlib PNG, as for the radar)."""
    if charts.format != "svg":
        chart = plot_actions(report, top=top, rubric=rubric, lang=charts.lang, title="")
        return _image(chart, charts, alt, 620)
    actions = report.actions[:max(0, top)]
    directions = list(report.directions)
    names = [rubric.indicator(a.indicator).name.text(lang) for a in actions]
    labels = [name if len(name) <= MAX_CHART_LABEL else name[:MAX_CHART_LABEL - 1] + "…" for name in names]
    seen = list(dict.fromkeys(a.direction for a in actions))
    legend = [(directions.index(d), rubric.direction(d).name.text(lang)) for d in seen]
    chart_bytes = actions_svg(labels, [a.gain for a in actions],
                              [directions.index(a.direction) for a in actions],
                              [a.indicator in report.plan for a in actions], word("gain axis", lang), legend)
    return _svg_image(chart_bytes, alt, 620)


def _table(data: ReportData, rubric: Rubric, year: int | None = None,
           enterprises: EnterpriseTable | str | Path | None = None) -> ScoreTable:

    if isinstance(data, ScoreTable):
        if enterprises is not None:
            raise UpgradeScoreError("report: enterprises go with profiles, not with a ScoreTable")
        if data.rubric.sha256 != rubric.sha256:
            raise UpgradeScoreError("report: the ScoreTable was scored with another rubric")
        return data
    profiles = [data] if isinstance(data, BaseProfile) else list(data)
    if not profiles:
        raise UpgradeScoreError("report: no bases to report on")
    if enterprises is not None:  # joined to the profiles, so that each base's gap rolls them up too
        rows = (enterprises if isinstance(enterprises, EnterpriseTable)
                else load_enterprises(enterprises, rubric))
        profiles = list(with_enterprises(rubric, profiles, rows))
    return score_many(rubric, profiles, year=year)


def _histories(data: ReportData, rubric: Rubric, target: ReportTarget) -> dict[str, BaseProgress]:
    """The progress of every base given for several years (a panel), by base id."""
    if isinstance(data, (ScoreTable, BaseProfile)):
        return {}
    profiles = list(data)
    counts = Counter(profile.id for profile in profiles)
    several = [profile for profile in profiles if counts[profile.id] > 1]
    if not several:
        return {}
    wanted = None if target is None or (isinstance(target, str) and target == "next") else target
    result = progress(rubric, several, wanted)
    return {item.base.id: item for item in result.bases}


def _progress_part(result: Progress, item: BaseProgress, lang: Lang, charts: _Charts) -> str:
    """Scores over the years with the target dashed, and the table of changes and projections."""
    chart = plot_progress(result, item.base.id, lang=charts.lang, title="")
    return (f"<h3>{_esc(report_word('progress', lang))}</h3>"
            + '<div class="row">' + _image(chart, charts, f"progress {item.base.id}", 560)
            + f"<div>{table_html(base_table(result, item, lang))}</div></div>")


def _profile(table: ScoreTable, row: int) -> BaseProfile:
    """The profile of a row (made from the value matrix when the table has none)."""

    if table.profiles is not None:
        return table.profiles[row]
    values = {i: float(v) for i, v in zip(table.rubric.indicator_ids, table.values[row]) if v == v}
    return BaseProfile.model_validate({"base": {"id": table.base_ids[row]}, "values": values})


def _target_for(target: ReportTarget, rubric: Rubric, balanced: int) -> Target | None:

    if target is None:
        return None
    if isinstance(target, Target):
        return target
    if isinstance(target, str) and target == "next":
        return Target(level=min(balanced + 1, rubric.level_count))
    return Target.parse(str(target))


def render_report(rubric: Rubric | str | Path | None, data: ReportData, *, target: ReportTarget = "next",
                  lang: Lang | None = None, title: str | None = None, top: int = 10,
                  charts: ChartFormat = "svg", year: int | None = None,
                  enterprises: EnterpriseTable | str | Path | None = None) -> str:
    """The HTML report of one or more bases (profiles, or a ScoreTable).

    ``target``: a :class:`Target`, a level or ``"high_value=4,green=3"``, ``"next"`` (default: the
    next level up from each base's balanced level) or ``None`` (no gap section). ``top`` actions
    are listed per base. ``charts`` are inline SVG (sharp in print) or PNG (smaller for many bases).
    Profiles of a base in several years (a panel) are reported at its latest year (or ``year``),
    with a "progress over the years" part: the scores of every year charted against the target,
    the changes and the projected year to reach it.
    ``enterprises`` (with profiles): an enterprise table (or its path) whose rows roll up into
    the inputs of the bases they name, as in :func:`score_many`.
    """

    require_matplotlib()
    if charts not in ("svg", "png"):
        raise UpgradeScoreError(f"charts: expected 'svg' or 'png', got {charts!r}")
    rubric = load_rubric(rubric)
    lang = display_language(lang)  # the page's language, always the one asked for
    drawn = _Charts(charts, chart_language(lang))  # labels in English without a font to draw them
    table = _table(data, rubric, year, enterprises)
    histories = _histories(data, rubric, target)
    heading = title or f"{rubric.title.text(lang)} · {report_word('report', lang)}"
    target_line = (report_word("next level", lang) if isinstance(target, str) and target == "next"
                   else None)
    sections = []
    if len(table) > 1:
        sections.append(_overview(compare(rubric, table), lang, drawn))
    reports: list[GapReport | None] = []
    for row in range(len(table)):
        profile = _profile(table, row)
        wanted = _target_for(target, rubric, int(table.balanced_level[row]))
        report = gap(rubric, profile, wanted) if wanted is not None else None
        reports.append(report)
        sections.append(_base_section(table, row, profile, report, lang, top, drawn))
        step("progress.bases", row + 1, len(table))
        history = histories.get(profile.id)
        if history is not None:
            single = Progress(rubric, (history,))
            sections[-1] = sections[-1].replace(
                "</section>", _progress_part(single, history, lang, drawn) + "\n</section>")
    if target_line is None and reports and reports[0] is not None:
        target_line = target_text(reports[0], rubric, lang)
    meta = [f"{word('rubric', lang)} {rubric.id} {rubric.version} (sha256 {rubric.sha256[:12]})",
            report_word("bases count" if len(table) != 1 else "one base", lang).format(n=len(table))]
    if target_line:
        meta.append(f"{word('target', lang)}: {target_line}")
    footer = (f"{report_word('generated', lang).format(version=__version__)} · "
              f"{word('rubric', lang)} sha256 {rubric.sha256}")
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(heading)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_esc(heading)}</h1><div class=\"meta\">{_esc(' · '.join(meta))}</div></header>",
        *([f'<div class="notice" role="note">{_esc(word("charts in English", lang))}</div>']
          if drawn.lang != lang else []),
        *sections,
        _appendix(rubric, lang),
        f"<footer>{_esc(footer)}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(page) + "\n"


def write_report(rubric: Rubric | str | Path | None, path: str | Path, data: ReportData, *,
                 target: ReportTarget = "next", lang: Lang | None = None, title: str | None = None,
                 top: int = 10, charts: ChartFormat = "svg", year: int | None = None,
                 enterprises: EnterpriseTable | str | Path | None = None) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8); returns the path.

    The arguments come in the order of :func:`write_template`: the rubric, then the file to
    write, then the bases. The order of upgrade-score 0.1 (the path first) is refused with an
    error that says so.
    """
    if isinstance(path, Rubric) or (isinstance(rubric, (str, PathLike))
                                    and Path(rubric).suffix.lower() in (".html", ".htm")):
        raise UpgradeScoreError(
            "write_report: the arguments are (rubric, path, data), in the order of write_template; "
            "the path came first (the order of upgrade-score 0.1): write "
            "write_report(rubric, 'report.html', data)")
    out = check_path(path, "path")
    text = render_report(rubric, data, target=target, lang=lang, title=title, top=top, charts=charts,
                         year=year, enterprises=enterprises)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UpgradeScoreError(f"{out}: cannot write the report ({exc.strerror})") from None
    return out


# --- sections ----------------------------------------------------------------------------------

def _overview(result: Any, lang: Lang, charts: _Charts) -> str:

    view = comparison_view(result, lang)
    parts = ['<section class="overview">', f"<h2>{_esc(report_word('overview', lang))}</h2>"]
    parts.extend(table_html(t) for t in view.tables)
    figures = [_heatmap(result, lang, charts)]
    if len(result.table) <= MAX_OVERVIEW_RADAR:
        figures.append(_image(plot_radar(result, lang=charts.lang, title=""), charts,
                              report_word("radar all", lang), 480))
    parts.append('<div class="row">' + "".join(figures) + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _base_section(table: ScoreTable, row: int, profile: BaseProfile, report: GapReport | None,
                  lang: Lang, top: int, charts: _Charts) -> str:

    rubric = table.rubric
    card = table.scorecard(row)
    base = profile.base
    name = base.name.text(lang) if base.name else base.id
    o = card.overall
    summary = (f"{_esc(word('Overall', lang))} <strong>{o.score:.1f}</strong> / 100 · "
               f"{_esc(word('level', lang))} {_esc(level_label(rubric, o.level, lang))} · "
               f"{_esc(word('balanced level', lang))} {_esc(level_label(rubric, o.balanced_level, lang))} · "
               f"{_esc(word('completeness', lang))} {percent(o.completeness)}")
    if o.uncapped_level is not None and o.uncapped_level != o.level:
        uncapped = word("uncapped", lang).format(level=level_label(rubric, o.uncapped_level, lang))
        summary += f" · {_esc(uncapped)}"
    extra = base.model_extra or {}
    facts = [f"{report_word(key, lang)}: {value}" for key, value in
             (("year", base.year), ("region", extra.get("region")),
              ("category", _category_name(rubric, extra.get("category"), lang)))
             if value is not None]
    parts = ['<section class="base">', f"<h2>{_esc(name)} <span class=\"meta\">({_esc(base.id)})</span></h2>"]
    alerts = gate_lines(card, rubric, lang)
    if alerts:
        parts.append('<div class="alert" role="alert">' + "<br>".join(map(_esc, alerts)) + "</div>")
    if facts:
        parts.append(f'<div class="meta">{_esc(" · ".join(facts))}</div>')
    parts.append(f'<div class="summary">{summary}</div>')
    if card.gates:
        parts.append(table_html(_gates_table(card, rubric, lang)))
    rows: list[list[CellLike]] = []
    for direction in rubric.directions:
        result = card.directions[direction.id]
        goal = report.directions[direction.id].target_score if report is not None else None
        rows.append([direction.name.text(lang), *direction_cells(result, rubric, lang, goal)])
    directions = Table([word("direction", lang), word("score", lang), word("level", lang),
                        word("data", lang)], rows, right=(1, 3), caption=report_word("directions", lang))
    parts.append('<div class="row">' + _radar(card, report, rubric, lang, charts, f"radar {base.id}")
                 + f"<div>{table_html(directions)}</div></div>")
    derived = derived_table(card, rubric, lang, collapsed=False)
    if derived is not None:  # each derived value's formula, operands and enterprise rows
        parts.append(table_html(derived))
    if report is not None:
        parts.append(_gap_part(report, rubric, lang, top, charts))
    parts.append(_completeness_part(card, rubric, lang))
    parts.append(_sources_part(profile, rubric, lang))
    parts.append("</section>")
    return "\n".join(parts)


def _category_name(rubric: Rubric, category: object, lang: Lang) -> object:
    """A declared category by its name in ``lang``; free text (a rubric without categories) as is."""
    found = next((c for c in rubric.categories or () if c.id == category), None)
    return f"{found.name.text(lang)} ({found.id})" if found is not None else category


def _gates_table(card: Any, rubric: Rubric, lang: Lang) -> Table:
    """Every gate of the rubric for this base: its condition, status, scope and cap."""
    rows: list[list[CellLike]] = []
    for gate in rubric.gates or ():
        result = card.gates[gate.id]
        indicator = rubric.indicator(gate.indicator)
        condition, value = gate.condition
        need = f"{indicator.name.text(lang)} {word(condition, lang)} {quantity(value, indicator.unit, lang)}"
        scope = (word("overall", lang) if gate.scope == "overall"
                 else rubric.direction(gate.scope).name.text(lang))
        status = word(f"status {result.status}", lang)
        mark = status if result.status in ("passed", "n/a") else f"⚠ {status}"
        rows.append([Cell(gate.name.text(lang) if gate.name else gate.id, title=gate.id), need, mark,
                     scope, str(gate.caps)])
    return Table([word("name", lang), report_word("condition", lang), report_word("status", lang),
                  report_word("scope", lang), report_word("caps", lang)], rows, right=(4,),
                 caption=report_word("gates", lang))


def _gap_part(report: GapReport, rubric: Rubric, lang: Lang, top: int, charts: _Charts) -> str:

    status = ('<span class="met">' if report.met else '<span class="unmet">') + _esc(
        word("met" if report.met else "not met", lang)) + "</span>"
    parts = [f"<h3>{_esc(report_word('gap', lang))}</h3>",
             f"<div>{_esc(word('target', lang))}: {_esc(target_text(report, rubric, lang))} · {status}</div>"]
    view = gap_view(report, lang, rubric, top=top)
    if view.alerts:
        parts.append('<div class="alert" role="alert">' + "<br>".join(map(_esc, view.alerts)) + "</div>")
    deficits, *actions = view.tables
    parts.append(table_html(deficits))
    if actions:
        more = len(report.actions) - min(top, len(report.actions))
        actions[0].note = report_word("more actions", lang).format(n=more) if more else None
        parts.append(table_html(actions[0]))
        parts.append(_actions_chart(report, rubric, lang, top, charts, f"actions {report.base.id}"))
    parts.extend(f'<div class="small">{_esc(line)}</div>' for line in view.footer)
    return "\n".join(parts)


def _completeness_part(card: Any, rubric: Rubric, lang: Lang) -> str:
    parts = [f"<h3>{_esc(report_word('completeness', lang))}</h3>"]
    missing = [(d, i) for d in rubric.directions for i in d.indicators if card.indicators[i.id].missing]
    not_applicable = [i for i in rubric.indicators if card.indicators[i.id].not_applicable]
    if not_applicable:
        names = "、".join if lang == "zh" else ", ".join
        parts.append(f'<div class="small">{_esc(report_word("not applicable", lang))} '
                     f"{_esc(names(i.name.text(lang) for i in not_applicable))}</div>")
    if not missing:
        parts.append(f'<div class="small">{_esc(report_word("all reported", lang))}</div>')
        return "\n".join(parts)
    key = "missing list" if rubric.missing == "zero" else "missing list exclude"
    parts.append(f'<div class="small">{_esc(report_word(key, lang))}</div><ul class="missing">')
    parts.extend(f"<li>{_esc(d.name.text(lang))}: {_esc(i.name.text(lang))} <span class=\"meta\">"
                 f"({_esc(i.id)})</span></li>" for d, i in missing)
    parts.append("</ul>")
    return "\n".join(parts)


def _sources_part(profile: BaseProfile, rubric: Rubric, lang: Lang) -> str:
    parts = [f"<h3>{_esc(report_word('sources', lang))}</h3>"]
    reported = [(i, profile.values[i.id]) for i in rubric.indicators
                if i.id in profile.values and profile.values[i.id].value is not None]
    sourced = [(i, v) for i, v in reported if v.source]
    if not sourced:
        parts.append(f'<div class="small">{_esc(report_word("no sources", lang))}</div>')
        return "\n".join(parts)
    rows: list[list[CellLike]] = [
        [Cell(i.name.text(lang), title=i.id), quantity(v.value, i.unit, lang), v.source or "",
         "" if v.confidence is None else f"{v.confidence:.2f}"] for i, v in sourced]
    parts.append(table_html(Table([word("indicator", lang), word("value", lang), word("source", lang),
                                   report_word("confidence", lang)], rows, right=(1, 3))))
    unsourced = len(reported) - len(sourced)
    if unsourced:
        note = report_word("unsourced", lang).format(n=unsourced, total=len(reported))
        parts.append(f'<div class="small">{_esc(note)}</div>')
    return "\n".join(parts)


def _rule_text(rubric: Rubric, indicator: Any, lang: Lang) -> str:
    """``higher is better: 50, 90; Ferrous: 60, 90 · applies to: E-waste``."""
    names = {c.id: c.name.text(lang) for c in rubric.categories or ()}
    thresholds = ", ".join(f"{t:g}" for t in indicator.thresholds or ())
    rule = f"{word(indicator.better, lang)}: {thresholds}" if thresholds else word(indicator.kind, lang)
    if indicator.formula is not None and indicator.kind == "quantitative":
        rule = f"{report_word('computed', lang).format(formula=indicator.formula)} · {rule}"
    for category in indicator.categories_with_own_bars:
        own = ", ".join(f"{t:g}" for t in indicator.thresholds_for(category) or ())
        rule += f"; {names[category]}: {own}"
    if indicator.applies_to is not None:
        rule += f" · {report_word('applies to', lang)} {'、'.join(names[c] for c in indicator.applies_to)}"
    if indicator.allow_na:
        rule += f" · {report_word('may be n/a', lang)}"
    return rule


def _appendix(rubric: Rubric, lang: Lang) -> str:

    view = rubric_view(rubric, lang)
    levels, directions, _, *sources = view.tables
    rows: list[list[CellLike]] = []
    for direction in rubric.directions:
        for indicator in direction.indicators:
            rule = _rule_text(rubric, indicator, lang)
            rows.append([Cell(indicator.name.text(lang), title=indicator.id), direction.name.text(lang),
                         text_in(indicator.unit, lang) or "", rule, text_in(indicator.source, lang) or ""])
    indicators = Table([word("indicator", lang), word("direction", lang), word("unit", lang),
                        word("thresholds", lang), word("source", lang)], rows,
                       caption=report_word("rubric sources", lang))
    parts = ['<section class="appendix">', f"<h2>{_esc(report_word('appendix', lang))}: "
             f"{_esc(view.heading)}</h2>", f'<div class="small">{_esc(" ".join(view.lines))}</div>',
             '<div class="row"><div>' + table_html(levels) + "</div><div>" + table_html(directions)
             + "</div></div>", table_html(indicators), *map(table_html, sources), "</section>"]
    return "\n".join(parts)
