"""Human-readable output: plain-text and Markdown tables of results (JSON lives with the models)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

from ._results import Scorecard, ScoreTable
from ._rubric import Lang, Rubric

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
