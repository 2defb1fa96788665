"""Plain-text and Markdown (PR comment) rendering of a :class:`RubricDiff`, in English or Chinese.

In Markdown every text that comes from a rubric or a profile (versions, labels, units, sources in
the change details, base ids, messages) goes through :func:`~.formats.markdown_text`: a version
with a line break and ``<!--`` cannot hide the tables or fake a verdict. Ids (which cannot hold a
backtick) are shown as code."""

from __future__ import annotations

from collections.abc import Sequence

from .._analysis.diff import BaseImpact, Change, DirectionShift, RubricDiff
from .._analysis.diff.impact import status_changed
from .._render.formats import Style, markdown_text, table
from .._text import Lang, word

MARKDOWN_MARKER = "<!-- upgrade-score-diff -->"  # lets CI find and update its own PR comment
MARKDOWN_MAX_ROWS = 50


def render_diff(result: RubricDiff, style: Style, max_rows: int | None = None, lang: Lang = "en",
                tripped: Sequence[str] = ()) -> str:
    """The change table and, with profiles, the impact, direction-shift and gate tables; in
    Markdown also the CI checks that ``tripped`` (messages of :func:`tripped_gates`)."""
    if max_rows is None and style == "markdown":
        max_rows = MARKDOWN_MAX_ROWS
    old, new = result.old, result.new
    count = len(result.changes)
    counted = (word("diff.one change", lang) if count == 1 else word("diff.changes", lang)).format(n=count)
    if style == "markdown":
        parts = [MARKDOWN_MARKER, word("diff.md heading", lang).format(
                     old=f"`{old.id}` {markdown_text(old.version)}",
                     new=f"`{new.id}` {markdown_text(new.version)}"),
                 f"**{counted}**" if count else word("diff.no changes", lang)]
    else:
        parts = [word("diff.heading", lang).format(old=f"{old.id} {old.version}",
                                                   new=f"{new.id} {new.version}", count=counted)]
    if count:
        parts.append(_change_table(result.changes, style, lang))
    if result.impact:
        parts.extend(_impact_parts(result, style, max_rows, lang))
        if result.gates is not None:
            parts.extend(_gate_parts(result, style, max_rows, lang))
    else:
        parts.append(word("diff.no profiles", lang))
    if style == "markdown":
        parts.extend(word("diff.tripped", lang).format(message=markdown_text(message)) for message in tripped)
    return "\n\n".join(parts)


def _text(text: str, style: Style) -> str:
    """Free text as ``style`` shows it safely: escaped in Markdown."""
    return markdown_text(text) if style == "markdown" else text


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], style: Style,
          right: Sequence[int] = (), markup: Sequence[int] = ()) -> str:
    """A table whose cells are text (escaped in Markdown), except the ``markup`` columns."""
    return table([_text(h, style) for h in headers],
                 [[cell if k in markup else _text(cell, style) for k, cell in enumerate(row)]
                  for row in rows], style, right=right)


def _where(change: Change, style: Style, lang: Lang) -> str:
    name = f"`{change.target}`" if style == "markdown" else change.target
    inside = word("diff.inside", lang).format(direction=change.direction) if change.direction else ""
    return f"{word(f'diff.scope.{change.scope}', lang)} {name}{inside}"


def _change_table(changes: Sequence[Change], style: Style, lang: Lang) -> str:
    rows = [[word(f"diff.kind.{change.kind}", lang), _where(change, style, lang), change.text(lang)]
            for change in changes]
    return _grid([word("diff.change column", lang), word("diff.where", lang), word("diff.detail", lang)],
                 rows, style, markup=(1,))


def _signed(value: float) -> str:
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _pair(before: int | None, after: int | None) -> str:
    shown = ["—" if v is None else str(v) for v in (before, after)]
    return shown[0] if before == after else f"{shown[0]} → {shown[1]}"


def _summary(result: RubricDiff, lang: Lang) -> str:
    tau = word("n/a", lang) if result.kendall_tau is None else f"{result.kendall_tau:.3f}"
    top = result.impact[0]
    return word("diff.summary", lang).format(shift=_signed(top.shift), base=top.base, tau=tau,
                                             levels=result.level_changes, ranks=result.max_rank_change)


def _heading(title: str, summary: str, style: Style) -> str:
    return f"#### {title}\n\n{summary}" if style == "markdown" else f"{title} · {summary}"


def _impact_parts(result: RubricDiff, style: Style, max_rows: int | None, lang: Lang) -> list[str]:
    shown = result.impact[:max_rows] if max_rows is not None else result.impact
    more = len(result.impact) - len(shown)
    title = (word("diff.impact", lang).format(n=len(result.impact)) if len(result.impact) != 1
             else word("diff.impact one", lang))
    parts = [_heading(title, _text(_summary(result, lang), style), style), _impact_table(shown, style, lang)]
    if more:
        parts.append(word("diff.more bases", lang).format(n=more))
    shifts = _direction_table(shown, style, lang)
    if not shifts:
        parts.append(word("diff.no direction moved", lang))
    elif style == "markdown":
        parts.append(f"<details><summary>{word('diff.direction shifts', lang)}</summary>\n\n{shifts}\n\n"
                     "</details>")
    else:
        parts.extend([word("diff.direction shifts", lang), shifts])
    ignored = [word("diff.ignores", lang).format(which=word(f"diff.which {which}", lang), ids=", ".join(ids))
               for which, ids in sorted(result.ignored.items()) if ids]
    if ignored:
        joined = word("diff.separator", lang).join(ignored)
        parts.append(_text(word("diff.values dropped", lang).format(list=joined), style))
    computed = [word("diff.takes computed", lang).format(which=word(f"diff.which {which}", lang),
                                                          ids=", ".join(ids))
                for which, ids in sorted((result.computed or {}).items()) if ids]
    if computed:
        joined = word("diff.separator", lang).join(computed)
        parts.append(_text(word("diff.values computed", lang).format(list=joined), style))
    return parts


def _impact_table(rows: Sequence[BaseImpact], style: Style, lang: Lang) -> str:
    body = [[row.base, f"{row.old:.2f}", f"{row.new:.2f}", _signed(row.shift), _level_cell(row, lang),
             _pair(row.old_rank, row.new_rank)] for row in rows]
    headers = [word("base", lang), word("diff.old", lang), word("diff.new", lang), word("diff.shift", lang),
               word("level", lang), word("rank", lang)]
    return _grid(headers, body, style, right=(1, 2, 3))


def _level_cell(row: BaseImpact, lang: Lang) -> str:
    """Old → new level, and the levels without gate caps where a gate lowered either."""
    levels = _pair(row.old_level, row.new_level)
    if (row.old_uncapped_level, row.new_uncapped_level) in ((None, None), (row.old_level, row.new_level)):
        return levels
    uncapped = _pair(row.old_uncapped_level, row.new_uncapped_level)
    return word("diff.uncapped", lang).format(levels=levels, uncapped=uncapped)


def _direction_cell(moved: DirectionShift, lang: Lang) -> str:
    """The shift, or what happened instead: added, removed, or n/a on one side or both."""
    na = word("n/a", lang)
    if moved.na == "still_na":
        return na
    if moved.na == "became_na":
        return word("diff.cell new", lang) if moved.old is None else f"{moved.old:.2f} → {na}"
    if moved.na == "no_longer_na":
        return word("diff.cell removed", lang) if moved.new is None else f"{na} → {moved.new:.2f}"
    if moved.old is None:
        return word("diff.cell new", lang)
    return word("diff.cell removed", lang) if moved.shift is None else _signed(moved.shift)


def _moved(moved: DirectionShift) -> bool:
    return moved.na != "still_na" and (moved.shift is None or _signed(moved.shift) != "0.00")


def _direction_table(rows: Sequence[BaseImpact], style: Style, lang: Lang) -> str:
    """Shifts of the directions where any shown base moved ('' if none did)."""
    keys = [key for key in (rows[0].directions if rows else ())
            if any(_moved(row.directions[key]) for row in rows)]
    if not keys:
        return ""
    body = [[row.base, *(_direction_cell(row.directions[key], lang) for key in keys)] for row in rows]
    return _grid([word("base", lang), *keys], body, style, right=tuple(range(1, len(keys) + 1)))


# --- gates ---------------------------------------------------------------------------------------

def _status(status: str | None, lang: Lang) -> str:
    return "—" if status is None else word(f"diff.status {status}", lang)


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def _gate_parts(result: RubricDiff, style: Style, max_rows: int | None, lang: Lang) -> list[str]:
    """Per gate, how many bases it caps before and after; then each base whose status changed."""
    summary = _text(word("diff.gates summary", lang).format(
        changes=result.gate_status_changes, total=len(result.impact), newly=result.newly_failing), style)
    rows = [[key, _count(gate.old_failing), _count(gate.new_failing), str(gate.newly_failing),
             str(gate.no_longer_failing)] for key, gate in (result.gates or {}).items()]
    headers = [word("diff.gate", lang), word("diff.old failing", lang), word("diff.new failing", lang),
               word("diff.newly failing", lang), word("diff.no longer failing", lang)]
    parts = [_heading(word("diff.gates", lang), summary, style),
             _grid(headers, rows, style, right=(1, 2, 3, 4)), word("diff.failing note", lang)]
    shown = result.impact[:max_rows] if max_rows is not None else result.impact
    changed = [[row.base, key, f"{_status(shift.old, lang)} → {_status(shift.new, lang)}"]
               for row in shown for key, shift in (row.gates or {}).items() if status_changed(shift)]
    if changed:
        parts.extend([_title(word("diff.gate changes", lang), style),
                      _grid([word("base", lang), word("diff.gate", lang), word("diff.status", lang)], changed,
                            style)])
    return parts


def _title(text: str, style: Style) -> str:
    return f"#### {text}" if style == "markdown" else text

