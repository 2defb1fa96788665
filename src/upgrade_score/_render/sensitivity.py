"""Sensitivity reports as text and Markdown: the weight table, then methods, influence and values.

In Markdown every line and cell goes through :func:`~.formats.markdown_text`, so that no base id,
level name or rubric version can open HTML, a link or emphasis, or break a line or a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._analysis.sensitivity.results import BaseSensitivity, Influence, MethodSensitivity, SensitivityReport
from .._model.rubric import Rubric
from .._text import Lang, word
from .formats import Style, level_text, markdown_text, table


def _escape(style: Style) -> Callable[[str], str]:
    """What shows a line of text safely in ``style``: escaped in Markdown, as is in plain text."""
    return markdown_text if style == "markdown" else (lambda text: text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: Style,
           right: Sequence[int] = ()) -> str:
    esc = _escape(style)
    return table([esc(h) for h in headers], [[esc(cell) for cell in row] for row in rows], style,
                 right=right)


def _span(low: float, high: float, digits: int = 1) -> str:
    return f"{low:.{digits}f}–{high:.{digits}f}"


def _likely_level(row: BaseSensitivity, rubric: Rubric | None, lang: Lang) -> str:
    """The most probable overall level (the lower on a tie) and its probability."""
    chances = row.level_probability
    level = max(range(len(chances)), key=lambda k: (chances[k], -k))
    name = str(level) if rubric is None else level_text(rubric, level, lang)
    return f"{name} ({100 * chances[level]:.0f} %)"


def render_sensitivity(report: SensitivityReport, style: Style = "text", lang: Lang = "en",
                       rubric: Rubric | None = None) -> str:
    """The report as text or Markdown in ``lang``: the weight table, then method, influence and
    values. With ``rubric``, levels are shown with their names."""
    count = len(report.bases)
    bases = word("sens.bases", lang).format(n=count) if count != 1 else word("sens.base", lang)
    heading = word("sens.heading", lang).format(
        rubric=f"{report.rubric.id} {report.rubric.version}", bases=bases, samples=f"{report.samples:,}",
        what=word(f"sens.{report.perturb}", lang), spec=report.weights, seed=report.seed)
    esc = _escape(style)
    parts = [f"# {esc(heading)}" if style == "markdown" else heading]
    rows = []
    for row in report.bases:
        rank = row.rank_interval
        rows.append([str(row.rank), row.base, f"{row.score:.1f}",
                     _span(row.score_interval.low, row.score_interval.high),
                     str(rank.low) if rank.low == rank.high else f"{rank.low}–{rank.high}",
                     str(rank.median), f"{100 * row.top_probability:.0f} %",
                     _likely_level(row, rubric, lang)])
    headers = [word("rank", lang), word("base", lang), word("score", lang), word("sens.score band", lang),
               word("sens.rank band", lang), word("sens.median rank", lang),
               word("sens.top", lang).format(k=report.top_k), word("sens.likely level", lang)]
    parts.append(_table(headers, rows, style, right=(0, 2, 3, 4, 5, 6)))
    notes = _language_2_notes(report, rubric, lang)
    if notes:  # (Markdown: one paragraph each)
        parts.append(("\n\n" if style == "markdown" else "\n").join(map(esc, notes)))
    if report.methods is not None:
        parts.append(_methods_text(report.methods, style, lang))
    if report.influence is not None:
        parts.append(_influence_text(report.influence, style, lang))
    if report.values:
        parts.append(_values_text(report, style, lang))
    return "\n\n".join(parts)


def _language_2_notes(report: SensitivityReport, rubric: Rubric | None, lang: Lang) -> list[str]:
    """Under the weight table: the directions that do not apply to a base (left out of its
    overall score), and the levels gates cap (the likely levels above are the capped ones)."""
    notes = []
    absent = [word("sens.na item", lang).format(base=row.base, directions=", ".join(row.not_applicable))
              for row in report.bases if row.not_applicable]
    if absent:
        notes.append(word("sens.na directions", lang).format(bases=", ".join(absent)))

    def name(level: int) -> str:
        return str(level) if rubric is None else level_text(rubric, level, lang)

    capped = [f"{row.base} {name(row.uncapped_level)} → {name(row.level)}" for row in report.bases
              if row.uncapped_level is not None and row.uncapped_level != row.level]
    if capped:
        notes.append(word("sens.capped", lang).format(bases=", ".join(capped)))
    return notes


def _title(text: str, style: Style) -> str:
    return f"## {markdown_text(text)}" if style == "markdown" else text


def _variant(name: str, lang: Lang) -> str:
    """A method variant ``aggregation/missing``: as its ids in English, in words in Chinese."""
    if lang == "en":
        return name
    return "/".join(word(f"variant.{part}", lang) for part in name.split("/"))


def _methods_text(methods: MethodSensitivity, style: Style, lang: Lang) -> str:
    names = methods.variants
    headers = [word("base", lang),
               *(f"{_variant(n, lang)}*" if n == methods.nominal else _variant(n, lang) for n in names),
               word("sens.range", lang)]
    rows = [[b.base, *(str(b.ranks[n]) for n in names), str(b.rank_range)] for b in methods.bases]
    taus = ", ".join(f"{_variant(n, lang)} {_tau(methods.tau(methods.nominal, n), lang)}" for n in names
                     if n != methods.nominal)
    fragile = ", ".join(methods.fragile) or word("none", lang)
    esc = _escape(style)
    return "\n".join([
        _title(word("sens.methods", lang), style),
        "", _table(headers, rows, style, right=tuple(range(1, len(headers)))), "",
        esc(word("sens.tau", lang).format(nominal=_variant(methods.nominal, lang), taus=taus)),
        esc(word("sens.fragile", lang).format(k=methods.fragile_range, bases=fragile))])


def _tau(value: float | None, lang: Lang) -> str:
    return word("n/a", lang) if value is None else f"{value:.2f}"


def _influence_text(influence: tuple[Influence, ...], style: Style, lang: Lang) -> str:
    directions = [i for i in influence if i.kind == "direction"]
    rows = [[i.component, f"{100 * i.nominal_share:.1f} %", f"{100 * i.effective_share:.1f} %",
             "—" if i.correlation is None else f"{i.correlation:.2f}"] for i in directions]
    indicators = sorted((i for i in influence if i.kind == "indicator"),
                        key=lambda i: (-round(abs(i.effective_share - i.nominal_share), 9), i.component))
    shown = ", ".join(word("sens.share", lang).format(
        id=i.component, effective=f"{100 * i.effective_share:.1f} %",
        nominal=f"{100 * i.nominal_share:.1f} %") for i in indicators[:5])
    headers = [word("direction", lang), word("sens.nominal", lang), word("sens.effective", lang), "r"]
    return "\n".join([
        _title(word("sens.influence", lang), style), "",
        _table(headers, rows, style, right=(1, 2, 3)), "",
        _escape(style)(word("sens.furthest", lang).format(list=shown))])


def _values_text(report: SensitivityReport, style: Style, lang: Lang) -> str:
    rows = []
    for value in report.values:
        sources = ", ".join(f"{c.indicator} {100 * c.variance_share:.0f} %" for c in value.contributions[:3])
        rows.append([value.base, f"{value.score:.1f}", _span(value.interval.low, value.interval.high),
                     f"{value.sd:.2f}", sources])
    headers = [word("base", lang), word("score", lang), word("sens.score band", lang), word("sens.sd", lang),
               word("sens.sources", lang)]
    return "\n".join([
        _title(word("sens.values", lang).format(n=f"{report.value_samples:,}"), style), "",
        _table(headers, rows, style, right=(1, 2, 3))])
