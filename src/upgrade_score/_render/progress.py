"""What to show of bases over the years (:class:`Progress`): directions not on track first, the
most improved bases, then one table per base; the long table behind CSV, DataFrames and Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._analysis.progress import OVERALL, BaseProgress, Progress, Series
from .._analysis.projection import Projection
from .._text import word
from .formats import Cell, CellLike, Table, View

if TYPE_CHECKING:
    from .._text import Lang

MAX_ALERTS = 20
LONG_COLUMNS = ("base", "series", "year", "score", "level", "change_since_previous",
                "change_since_first", "target_level", "target_score", "projection", "projection_year")


def _w(key: str, lang: Lang) -> str:
    return word(f"progress.{key}", lang)


def projection_text(projection: Projection | None, lang: Lang) -> str:
    """``on track: 2027``, ``reached (since 2024)``, ``not on track``; ``—`` without a target."""
    if projection is None:
        return "—"
    return _w(projection.status, lang).format(year=projection.year)


def change_text(change: float | None) -> str:
    """``+3.2``, ``-1.0``, ``0.0``; ``—`` for a single year."""
    if change is None:
        return "—"
    rounded = round(change, 1) + 0.0
    return f"+{rounded:.1f}" if rounded > 0 else f"{rounded:.1f}"


def _score(value: float | None, lang: Lang) -> str:
    return word("n/a", lang) if value is None else f"{value:.1f}"


def series_name(progress: Progress, key: str, lang: Lang) -> str:
    """``Overall`` or a direction's name."""
    if key == OVERALL:
        return word("Overall", lang)
    return next((d.name.text(lang) for d in progress.rubric.directions if d.id == key), key)


def base_name(item: BaseProgress, lang: Lang) -> str:
    """A base's name in ``lang`` (its id when it has none)."""
    return item.base.name.text(lang) if item.base.name is not None else item.base.id


def target_text(series: Series, lang: Lang) -> str:
    """``level 3 (60.0)``, or the target score alone."""
    if series.target_score is None:
        return "—"
    if series.target_level is None:
        return f"{series.target_score:.1f}"
    return _w("target level", lang).format(level=series.target_level, score=f"{series.target_score:.1f}")


def _years(progress: Progress) -> str:
    years = [y for b in progress.bases for y in b.years]
    if not years:
        return ""
    low, high = min(years), max(years)
    return str(low) if low == high else f"{low}–{high}"


def attention_lines(progress: Progress, lang: Lang) -> list[str]:
    """One line per series projected not on track (at most :data:`MAX_ALERTS`, then how many)."""
    lines = []
    for item in progress.bases:
        for key, series in item.series().items():
            if series.projection is None or series.projection.status != "not_on_track":
                continue
            year = next(y for y, s in zip(reversed(item.years), reversed(series.scores)) if s is not None)
            lines.append(_w("attention line", lang).format(
                base=base_name(item, lang), series=series_name(progress, key, lang),
                score=_score(series.latest, lang), year=year, target=target_text(series, lang)))
    if len(lines) > MAX_ALERTS:
        more = _w("attention more", lang).format(n=len(lines) - MAX_ALERTS)
        lines = [*lines[:MAX_ALERTS], more]
    return lines


def progress_view(progress: Progress, lang: Lang) -> View:
    """Alerts (not on track), the most improved bases, then each base over its years."""
    rubric = progress.rubric
    count = len(progress.bases)
    bases = word("report.bases count" if count != 1 else "report.one base", lang).format(n=count)
    heading = _w("heading", lang).format(rubric=f"{word('rubric', lang)} {rubric.id} {rubric.version}",
                                         bases=bases, years=_years(progress))
    alerts = attention_lines(progress, lang)
    lines = [_w("target", lang).format(target=_target_line(progress, lang))]
    if not alerts:
        lines.append(_w("all on track", lang))
    tables = [_improved_table(progress, lang)] if count > 1 else []
    tables.extend(base_table(progress, item, lang) for item in progress.bases)
    return View(heading, lines, tables, alerts=alerts)


def _target_line(progress: Progress, lang: Lang) -> str:
    target = progress.target
    if target is None:
        return _w("next level", lang)
    parts = []
    if target.level is not None:
        parts.append(f"{word('level', lang)} {target.level} {word('every direction', lang)}")
    names = {d.id: d.name.text(lang) for d in progress.rubric.directions}
    parts.extend(f"{names.get(d, d)} {word('level', lang)} {k}" for d, k in target.levels.items())
    if target.score is not None:
        parts.append(f"{word('overall', lang)} {target.score:.1f}")
    return word("diff.separator", lang).join(parts) or word("none", lang)


def _improved_table(progress: Progress, lang: Lang) -> Table:
    rows: list[list[CellLike]] = []
    ranked = {base_id: k for k, base_id in enumerate(progress.most_improved(), 1)}
    for item in sorted(progress.bases, key=lambda b: ranked[b.base.id]):
        overall = item.overall
        first = next((s for s in overall.scores if s is not None), None)
        span = f"{item.years[0]}–{item.years[-1]}" if len(item.years) > 1 else str(item.years[0])
        rows.append([str(ranked[item.base.id]), Cell(item.base.id), span, _score(first, lang),
                     _score(overall.latest, lang), change_text(overall.change_since_first),
                     change_text(overall.change_since_previous),
                     projection_text(overall.projection, lang)])
    headers: list[CellLike] = ["#", word("base", lang), _w("years", lang), _w("first", lang),
                               _w("latest", lang), _w("since first", lang),
                               _w("since previous", lang), _w("projection", lang)]
    return Table(headers, rows, right=(0, 3, 4, 5, 6), caption=_w("most improved", lang))


def base_table(progress: Progress, item: BaseProgress, lang: Lang) -> Table:
    name = base_name(item, lang)
    caption = f"{name} ({item.base.id})" if name != item.base.id else name
    rows: list[list[CellLike]] = []
    for key, series in item.series().items():
        rows.append([series_name(progress, key, lang), *(_score(s, lang) for s in series.scores),
                     change_text(series.change_since_first), change_text(series.change_since_previous),
                     target_text(series, lang), projection_text(series.projection, lang)])
    headers: list[CellLike] = [word("direction", lang), *map(str, item.years), _w("since first", lang),
                               _w("since previous", lang), word("target", lang), _w("projection", lang)]
    years = len(item.years)
    return Table(headers, rows, right=tuple(range(1, years + 3)), caption=caption)


def long_rows(progress: Progress) -> Iterator[list[Any]]:
    """One row per base, series (``overall`` first) and year, as :data:`LONG_COLUMNS`: the change
    from the previous and from the first year with a score, and the series' target and projection."""
    for item in progress.bases:
        for key, series in item.series().items():
            first: float | None = None
            previous: float | None = None
            projection = series.projection
            for year, score, level in zip(item.years, series.scores, series.levels):
                since_previous = None if score is None or previous is None else score - previous
                since_first = None if score is None or first is None else score - first
                yield [item.base.id, key, year, score, level, since_previous, since_first,
                       series.target_level, series.target_score,
                       None if projection is None else projection.status,
                       None if projection is None else projection.year]
                if score is not None:
                    previous = score
                    first = score if first is None else first


def progress_csv(progress: Progress) -> str:
    """The long table as CSV (scores rounded to 6 decimals, blank = none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LONG_COLUMNS)
    for row in long_rows(progress):
        writer.writerow(["" if v is None else repr(round(v, 6) + 0.0) if isinstance(v, float) else v
                         for v in row])
    return out.getvalue().rstrip("\n")


def progress_frame(progress: Progress) -> Any:
    """The long table as a pandas DataFrame."""
    from .._optional import require_pandas

    pandas = require_pandas()
    return pandas.DataFrame(list(long_rows(progress)), columns=list(LONG_COLUMNS))
