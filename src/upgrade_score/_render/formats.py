"""Human-readable output: plain-text and Markdown tables of results (JSON lives with the models)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

from .._analysis.compare import Comparison
from .._analysis.gap import Action, GapReport
from .._model.results import Scorecard, ScoreTable
from .._model.rubric import Lang, Rubric

Style = Literal["text", "markdown"]


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: Style,
          right: Sequence[int] = ()) -> str:
    """A table as aligned plain text or as Markdown; ``right`` lists right-aligned columns."""
    if style == "markdown":
        rule = ["---:" if k in right else "---" for k in range(len(headers))]
        lines = [headers, rule, *rows]
        return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"
                         for line in lines)
    widths = [max(display_width(str(line[k])) for line in (headers, *rows))
              for k in range(len(headers))]

    def fit(line: Sequence[str]) -> str:
        cells = []
        for k, cell in enumerate(line):
            pad = " " * (widths[k] - display_width(cell))
            cells.append(pad + cell if k in right else cell + pad)
        return "  ".join(cells).rstrip()

    return "\n".join([fit(headers), fit(["-" * w for w in widths]), *map(fit, rows)])


def level_text(rubric: Rubric, level: int, lang: Lang) -> str:
    """``3 Integrated``."""
    return f"{level} {rubric.level_name(level, lang)}"


def percent(share: float) -> str:
    """``87 %``."""
    return f"{100 * share:.0f} %"


def number(value: float | bool | None) -> str:
    """A reported value as a reader writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


def scorecard(card: Scorecard, rubric: Rubric, style: Style, lang: Lang = "en",
              detail: bool = False) -> str:
    """One base: headline, direction table and (with ``detail``) the indicator table."""
    overall = card.overall
    name = card.base.name.text(lang) if card.base.name else card.base.id
    heading = f"{name} ({card.base.id})" if name != card.base.id else name
    summary = (f"Overall {overall.score:.1f} / 100 · level {level_text(rubric, overall.level, lang)}"
               f" · balanced level {level_text(rubric, overall.balanced_level, lang)}"
               f" · completeness {percent(overall.completeness)}")
    source = f"Rubric {card.rubric.id} {card.rubric.version}"
    rows = [[direction.id, direction.name.text(lang), f"{card.directions[direction.id].score:.1f}",
             level_text(rubric, card.directions[direction.id].level, lang),
             percent(card.directions[direction.id].completeness)]
            for direction in rubric.directions]
    parts = [f"# {heading}" if style == "markdown" else heading,
             f"{source} · {summary}" if style == "markdown" else f"{source}\n{summary}",
             table(["direction", "name", "score", "level", "data"], rows, style, right=(2, 4))]
    if detail:
        parts.append(_indicator_table(card, rubric, style, lang))
    return "\n\n".join(parts)


def _indicator_table(card: Scorecard, rubric: Rubric, style: Style, lang: Lang) -> str:
    rows = []
    for indicator in rubric.indicators:
        result = card.indicators[indicator.id]
        rows.append([
            indicator.id, result.direction, number(result.value), indicator.unit or "",
            "—" if result.level is None else f"{result.level:.2f}",
            f"{result.direction_points:.1f}",
        ])
    return table(["indicator", "direction", "value", "unit", "level", "points"], rows, style,
                 right=(2, 4, 5))


def score_table(scores: ScoreTable, style: Style, lang: Lang = "en") -> str:
    """Many bases: one row each with overall and direction scores."""
    rubric = scores.rubric
    headers = ["base", "overall", "level", "balanced", "data", *rubric.direction_ids]
    rows = []
    for row, base_id in enumerate(scores.base_ids):
        rows.append([
            base_id, f"{scores.overall[row]:.1f}",
            level_text(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            *(f"{score:.1f}" for score in scores.directions[row]),
        ])
    right = (1, 3, 4, *range(5, len(headers)))
    title = f"Rubric {rubric.id} {rubric.version} · {len(scores)} bases"
    return f"{title}\n\n{table(headers, rows, style, right=right)}"


def quantity(value: bool | float | None, unit: str | None) -> str:
    """A value with its unit: ``42 %``, ``9,800 CNY/t``, ``yes``."""
    if value is None or isinstance(value, bool) or not unit or unit in ("level", "yes/no", "count"):
        return number(value)
    return f"{number(value)} {unit}"


def action_text(action: Action, rubric: Rubric, lang: Lang = "en") -> str:
    """One action as a sentence: ``raise X from 42 % to 65 % (+3.1 points)``."""
    indicator = rubric.indicator(action.indicator)
    name = indicator.id if lang == "en" else indicator.name.text(lang)
    gain = f"(+{action.gain:.1f} points)"
    if action.kind == "boolean":
        return f"make {name} yes {gain}"
    if action.kind == "qualitative":
        start = "not reported" if action.missing else f"level {number(action.current)}"
        return f"raise {name} from {start} to level {action.target_level} {gain}"
    verb = "lower" if indicator.better == "lower" else "raise"
    target = quantity(float(action.target), action.unit)
    if action.missing:
        return f"report {name} (missing) at {target} or better {gain}"
    return f"{verb} {name} from {quantity(action.current, action.unit)} to {target} {gain}"


def _target_text(report: GapReport, rubric: Rubric, lang: Lang) -> str:
    target = report.target
    parts = []
    if "label" in target:
        parts.append(f"peer {target['label']}")
    if "level" in target:
        parts.append(f"level {level_text(rubric, target['level'], lang)} in every direction")
    if target.get("levels"):
        parts.append(", ".join(f"{d} level {k}" for d, k in target["levels"].items()))
    if report.target_score is not None:
        parts.append(f"overall score {report.target_score:.1f}")
    return "; ".join(parts) or "none"


def gap_report(report: GapReport, rubric: Rubric, style: Style, lang: Lang = "en",
               top: int = 10) -> str:
    """A short report a base manager can act on: directions, top actions and the plan."""
    name = report.base.name.text(lang) if report.base.name else report.base.id
    heading = f"Gap report: {name} ({report.base.id})"
    status = "target met" if report.met else "target not met"
    summary = (f"Target: {_target_text(report, rubric, lang)} · now {report.current_score:.1f} "
               f"(level {level_text(rubric, report.current_level, lang)}) · {status}")
    rows = [[d, f"{g.current_score:.1f}", str(g.current_level), f"{g.target_score:.1f}",
             str(g.target_level), f"{g.deficit:.1f}"] for d, g in report.directions.items()]
    parts = [f"# {heading}" if style == "markdown" else heading, summary,
             table(["direction", "now", "level", "target", "level", "deficit"], rows, style,
                   right=(1, 2, 3, 4, 5))]
    if report.actions:
        shown = report.actions[:top]
        lines = [f"{k}. {action_text(a, rubric, lang)}" for k, a in enumerate(shown, 1)]
        more = len(report.actions) - len(shown)
        if more:
            lines.append(f"… and {more} more (see --format json)")
        title = "Top actions by overall points gained on their own:"
        parts.append(title + "\n" + "\n".join(lines))
        parts.append(f"Plan: {len(report.plan)} action{'s' if len(report.plan) != 1 else ''} "
                     f"reach the target ({', '.join(report.plan)}) → overall "
                     f"{report.plan_score:.1f}")
    return "\n\n".join(parts)


def comparison(result: Comparison, style: Style, lang: Lang = "en") -> str:
    """Bases best first: rank, percentile, overall and direction scores."""
    scores = result.table
    rubric = scores.rubric
    headers = ["rank", "base", "overall", "level", "balanced", "data", "pctl", *rubric.direction_ids]
    rows = []
    for row in result.order.tolist():
        rows.append([
            str(int(result.rank[row])), scores.base_ids[row], f"{scores.overall[row]:.1f}",
            level_text(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            f"{result.percentile[row]:.0f}",
            *(f"{value:.1f}" for value in scores.directions[row]),
        ])
    right = (0, 2, 4, 5, 6, *range(7, len(headers)))
    title = (f"Rubric {rubric.id} {rubric.version} · {len(scores)} bases · sorted by "
             f"{result.sort_by}")
    return f"{title}\n\n{table(headers, rows, style, right=right)}"
