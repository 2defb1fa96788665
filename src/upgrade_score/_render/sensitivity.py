"""Sensitivity reports as text and Markdown: the weight table, then methods, influence and values."""

from __future__ import annotations

from .._analysis.sensitivity.results import BaseSensitivity, Influence, MethodSensitivity, SensitivityReport
from .._model.rubric import Rubric
from .._text import Lang
from .formats import Style, level_text, table


def _span(low: float, high: float, digits: int = 1) -> str:
    return f"{low:.{digits}f}–{high:.{digits}f}"


_PERTURBED = {"all": "direction and indicator", "directions": "direction", "indicators": "indicator"}


def _likely_level(row: BaseSensitivity, rubric: Rubric | None, lang: Lang) -> str:
    """The most probable overall level (the lower on a tie) and its probability."""
    chances = row.level_probability
    level = max(range(len(chances)), key=lambda k: (chances[k], -k))
    name = str(level) if rubric is None else level_text(rubric, level, lang)
    return f"{name} ({100 * chances[level]:.0f} %)"


def render_sensitivity(report: SensitivityReport, style: Style = "text", lang: Lang = "en",
                       rubric: Rubric | None = None) -> str:
    """The report as text or Markdown: the weight table, then method, influence and values.

    With ``rubric``, levels are shown with their names."""
    count = len(report.bases)
    heading = (f"Sensitivity · rubric {report.rubric.id} {report.rubric.version} · {count} "
               f"base{'s' if count != 1 else ''} · {report.samples:,} samples of "
               f"{_PERTURBED[report.perturb]} weights ({report.weights}) · seed {report.seed}")
    parts = [f"# {heading}" if style == "markdown" else heading]
    rows = []
    for row in report.bases:
        rank = row.rank_interval
        rows.append([str(row.rank), row.base, f"{row.score:.1f}",
                     _span(row.score_interval.low, row.score_interval.high),
                     str(rank.low) if rank.low == rank.high else f"{rank.low}–{rank.high}",
                     str(rank.median), f"{100 * row.top_probability:.0f} %",
                     _likely_level(row, rubric, lang)])
    parts.append(table(["rank", "base", "score", "score 5–95 %", "rank 5–95 %", "median rank",
                        f"P(top {report.top_k})", "likely level"], rows, style, right=(0, 2, 3, 4, 5, 6)))
    if report.methods is not None:
        parts.append(_methods_text(report.methods, style))
    if report.influence is not None:
        parts.append(_influence_text(report.influence, style))
    if report.values:
        parts.append(_values_text(report, style))
    return "\n\n".join(parts)


def _title(text: str, style: Style) -> str:
    return f"## {text}" if style == "markdown" else text


def _methods_text(methods: MethodSensitivity, style: Style) -> str:
    names = methods.variants
    headers = ["base", *(f"{n}*" if n == methods.nominal else n for n in names), "range"]
    rows = [[b.base, *(str(b.ranks[n]) for n in names), str(b.rank_range)] for b in methods.bases]
    taus = ", ".join(f"{n} {_tau(methods.tau(methods.nominal, n))}" for n in names if n != methods.nominal)
    fragile = ", ".join(methods.fragile) or "none"
    return "\n".join([
        _title("Method sensitivity: rank under each aggregation/missing policy (* = the rubric's)", style),
        "", table(headers, rows, style, right=tuple(range(1, len(headers)))), "",
        f"Kendall's tau-b with {methods.nominal}: {taus}.",
        f"Fragile bases (rank range ≥ {methods.fragile_range}): {fragile}."])


def _tau(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _influence_text(influence: tuple[Influence, ...], style: Style) -> str:
    directions = [i for i in influence if i.kind == "direction"]
    rows = [[i.component, f"{100 * i.nominal_share:.1f} %", f"{100 * i.effective_share:.1f} %",
             "—" if i.correlation is None else f"{i.correlation:.2f}"] for i in directions]
    indicators = sorted((i for i in influence if i.kind == "indicator"),
                        key=lambda i: (-round(abs(i.effective_share - i.nominal_share), 9), i.component))
    shown = ", ".join(f"{i.component} {100 * i.effective_share:.1f} % (nominal {100 * i.nominal_share:.1f} %)"
                      for i in indicators[:5])
    return "\n".join([
        _title("Influence: effective share of the overall spread (squared correlation) vs nominal weight",
               style), "",
        table(["direction", "nominal", "effective", "r"], rows, style, right=(1, 2, 3)), "",
        f"Indicators furthest from their nominal share: {shown}."])


def _values_text(report: SensitivityReport, style: Style) -> str:
    rows = []
    for value in report.values:
        sources = ", ".join(f"{c.indicator} {100 * c.variance_share:.0f} %" for c in value.contributions[:3])
        rows.append([value.base, f"{value.score:.1f}", _span(value.interval.low, value.interval.high),
                     f"{value.sd:.2f}", sources])
    return "\n".join([
        _title(f"Value confidence: {report.value_samples:,} samples of the uncertain values", style), "",
        table(["base", "score", "score 5–95 %", "sd", "main sources (share of variance)"], rows, style,
              right=(1, 2, 3))])
