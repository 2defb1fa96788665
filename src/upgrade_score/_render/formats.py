"""The renderings of a view (:class:`~upgrade_score._render.views.View`): plain text, Markdown and
HTML; and the aligned text / Markdown table every human-readable output uses."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .._errors import one_line
from .._text import display_width

if TYPE_CHECKING:
    from .._model.rubric import Rubric
    from .._text import Lang

Style = Literal["text", "markdown"]
ALERT_STYLE = ("margin:0.3em 0;padding:0.35em 0.6em;border-left:4px solid #d62728;"
               "background:#fdecea;color:#8b1a1a;font-weight:bold")


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
    if 1000 <= abs(value) < 1e15:  # 1,000,000 rather than 1e+06; six significant digits at least
        decimals = max(0, 6 - len(str(int(abs(value)))))
        text = f"{value:,.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.6g}"


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
    """A heading, summary lines and tables; ``alerts`` (e.g. a basic requirement not met) are
    shown before everything else and stand out in every format."""

    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


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
    return _render_plain(view, "text")


def render_html(view: View) -> str:
    """A view as a compact HTML fragment (inline styles only, so it survives notebook viewers)."""
    out = ['<div class="upgrade-score" style="font-size:0.9em">',
           f'<div style="font-weight:bold;font-size:1.1em;margin-bottom:0.2em">'
           f'{html.escape(view.heading)}</div>']
    if view.alerts:
        out.append(f'<div role="alert" style="{ALERT_STYLE}">'
                   + "<br>".join(html.escape(line) for line in view.alerts) + "</div>")
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


def render_markdown(view: View) -> str:
    """A view as Markdown: the heading as a title, tables as pipe tables (collapsed ones too).

    Free text (base names, labels) is escaped, so that it cannot open HTML comments, links or
    emphasis that hide or fake the rest of the output."""
    return _render_plain(view, "markdown")


_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*[]<>~"})
_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&lt;" would read as "<"


def markdown_text(text: str) -> str:
    """``text`` on one line with Markdown's active characters escaped: no HTML, link, emphasis,
    code span, strikethrough or character reference can start in it (a ``|`` is escaped by
    :func:`table`, the only place where it is active)."""
    return _ENTITY.sub(r"\\&", one_line(text).translate(_MARKDOWN_SPECIAL))


def _render_plain(view: View, style: Style) -> str:
    """Text or Markdown: heading, summary lines, tables (with caption and note), footer."""
    markdown = style == "markdown"
    esc = markdown_text if markdown else (lambda text: text)
    line_break = "  \n" if markdown else "\n"
    parts = [f"# {esc(view.heading)}" if markdown else view.heading]
    if view.alerts:
        parts.append("\n".join(f"> **{esc(line)}**" for line in view.alerts) if markdown
                     else "\n".join(view.alerts))
    if view.lines:
        parts.append(line_break.join(map(esc, view.lines)))
    for item in view.tables:
        if item.collapsed and not markdown:
            continue
        body = table([esc(_text(h)) for h in item.headers],
                     [[esc(_text(c)) for c in row] for row in item.rows], style, right=item.right)
        if item.note:
            body += ("\n\n" if markdown else "\n") + esc(item.note)
        if item.caption:
            body = f"**{esc(item.caption)}**\n\n{body}" if markdown else f"{item.caption}\n{body}"
        parts.append(body)
    if view.footer:
        parts.append(line_break.join(map(esc, view.footer)))
    return "\n\n".join(parts)


def render(view: View, style: Literal["text", "markdown", "html"]) -> str:
    """A view in one of the three formats."""
    if style == "markdown":
        return render_markdown(view)
    return render_html(view) if style == "html" else render_text(view)
