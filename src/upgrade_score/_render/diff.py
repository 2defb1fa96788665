"""Plain-text and Markdown (PR comment) rendering of a :class:`RubricDiff`."""

from __future__ import annotations

from collections.abc import Sequence

from .._analysis.diff import BaseImpact, Change, RubricDiff
from .._render.formats import Style, table

MARKDOWN_MARKER = "<!-- upgrade-score-diff -->"  # lets CI find and update its own PR comment
MARKDOWN_MAX_ROWS = 50


def render_diff(result: RubricDiff, style: Style, max_rows: int | None = None) -> str:
    """The change table and, with profiles, the impact and direction-shift tables."""
    if max_rows is None and style == "markdown":
        max_rows = MARKDOWN_MAX_ROWS
    old, new = result.old, result.new
    count = len(result.changes)
    noun = "change" if count == 1 else "changes"
    if style == "markdown":
        parts = [MARKDOWN_MARKER, f"### Rubric diff: `{old.id}` {old.version} → `{new.id}` {new.version}",
                 f"**{count} {noun}**" if count else "No structural changes."]
    else:
        parts = [f"Rubric diff: {old.id} {old.version} → {new.id} {new.version} · {count} {noun}"]
    if count:
        parts.append(_change_table(result.changes, style))
    if result.impact:
        parts.extend(_impact_parts(result, style, max_rows))
    else:
        parts.append("No profiles given: impact on bases not computed.")
    return "\n\n".join(parts)


def _where(change: Change, style: Style) -> str:
    name = f"`{change.target}`" if style == "markdown" else change.target
    inside = f" ({change.direction})" if change.direction else ""
    return f"{change.scope} {name}{inside}"


def _change_table(changes: Sequence[Change], style: Style) -> str:
    rows = [[change.kind, _where(change, style), change.message] for change in changes]
    return table(["change", "where", "detail"], rows, style)


def _signed(value: float) -> str:
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _pair(before: int | None, after: int | None) -> str:
    shown = ["—" if v is None else str(v) for v in (before, after)]
    return shown[0] if before == after else f"{shown[0]} → {shown[1]}"


def _summary(result: RubricDiff) -> str:
    tau = "n/a" if result.kendall_tau is None else f"{result.kendall_tau:.3f}"
    top = result.impact[0]
    return (f"largest shift {_signed(top.shift)} ({top.base}) · Kendall's tau-b {tau} · "
            f"level changes {result.level_changes} · largest rank change {result.max_rank_change}")


def _impact_parts(result: RubricDiff, style: Style, max_rows: int | None) -> list[str]:
    shown = result.impact[:max_rows] if max_rows is not None else result.impact
    more = len(result.impact) - len(shown)
    title = f"Impact on {len(result.impact)} bases"
    header = f"#### {title}\n\n{_summary(result)}" if style == "markdown" else f"{title} · {_summary(result)}"
    parts = [header, _impact_table(shown, style)]
    if more:
        parts.append(f"… and {more} more bases with smaller shifts (see --format json).")
    shifts = _direction_table(shown, style)
    if not shifts:
        parts.append("No direction score moved (to 2 decimals).")
    elif style == "markdown":
        parts.append(f"<details><summary>Direction shifts</summary>\n\n{shifts}\n\n</details>")
    else:
        parts.extend(["Direction shifts", shifts])
    ignored = [f"{which} rubric ignores {', '.join(ids)}" for which, ids in sorted(result.ignored.items())
               if ids]
    if ignored:
        parts.append("Values dropped: " + "; ".join(ignored) + ".")
    return parts


def _impact_table(rows: Sequence[BaseImpact], style: Style) -> str:
    body = [[row.base, f"{row.old:.2f}", f"{row.new:.2f}", _signed(row.shift),
             _pair(row.old_level, row.new_level), _pair(row.old_rank, row.new_rank)] for row in rows]
    return table(["base", "old", "new", "shift", "level", "rank"], body, style, right=(1, 2, 3))


def _direction_cell(row: BaseImpact, key: str) -> str:
    moved = row.directions[key]
    return "new" if moved.old is None else "removed" if moved.shift is None else _signed(moved.shift)


def _direction_table(rows: Sequence[BaseImpact], style: Style) -> str:
    """Shifts of the directions where any shown base moved ('' if none did)."""
    keys = [key for key in (rows[0].directions if rows else ())
            if any(_direction_cell(row, key) != "0.00" for row in rows)]
    if not keys:
        return ""
    body = [[row.base, *(_direction_cell(row, key) for key in keys)] for row in rows]
    return table(["base", *keys], body, style, right=tuple(range(1, len(keys) + 1)))
