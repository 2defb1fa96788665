"""A line chart of one base's direction scores over the years, the target as a dashed line
(optional extra ``plot``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._analysis.progress import BaseProgress, Progress
from .._errors import UpgradeScoreError
from .._optional import require_matplotlib
from .._text import word
from .plot import _figure_of, _new_figure, chart_language, literal, style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .._text import Lang

TARGET_COLOUR = "#555555"


def plot_progress(progress: Progress, base: str | None = None, *, lang: Lang | None = None,
                  title: str | None = None, ax: Axes | None = None) -> Figure:
    """The direction scores of one base (``base``: its id; default the first) over its years,
    one line per direction, with the target as a dashed line: one grey line when every direction
    aims at the same score, else a dashed line per direction in its colour."""
    require_matplotlib()
    lang = chart_language(lang)
    item = _base(progress, base)
    names = {d.id: literal(d.name.text(lang)) for d in progress.rubric.directions}
    years = list(item.years)
    targets = {d: s.target_score for d, s in item.directions.items() if s.target_score is not None}
    shared = len(set(targets.values())) == 1 and len(targets) == len(item.directions)
    with style():
        fig = _figure_of(ax) if ax is not None else _new_figure(7.2, 4.0)
        axes = ax if ax is not None else fig.add_subplot()
        for k, (direction, series) in enumerate(item.directions.items()):
            colour = f"C{k % 10}"
            points = [(y, s) for y, s in zip(years, series.scores) if s is not None]
            if points:
                axes.plot([y for y, _ in points], [s for _, s in points], marker="o", color=colour,
                          label=names.get(direction, literal(direction)))
            if direction in targets and not shared:
                axes.axhline(targets[direction], color=colour, linestyle="--", linewidth=1, alpha=0.8)
        if shared:
            value = next(iter(targets.values()))
            axes.axhline(value, color=TARGET_COLOUR, linestyle="--", linewidth=1.5,
                         label=literal(f"{word('progress.chart target', lang)} {value:.0f}"))
        axes.set_ylim(0, 100)
        axes.set_xticks(years)
        axes.set_xticklabels([str(y) for y in years])
        if len(years) == 1:
            axes.set_xlim(years[0] - 1, years[0] + 1)
        axes.set_xlabel(literal(word("progress.year axis", lang)), fontsize=9)
        axes.set_ylabel(literal(word("progress.score axis", lang)), fontsize=9)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        if title is None:
            name = item.base.name.text(lang) if item.base.name is not None else item.base.id
            title = word("progress.chart title", lang).format(base=name)
        axes.set_title(literal(title), fontsize=10)
    return fig


def _base(progress: Progress | BaseProgress, base: str | None) -> BaseProgress:
    if isinstance(progress, BaseProgress):
        return progress
    if not isinstance(progress, Progress):
        raise UpgradeScoreError(f"plot_progress: expected a Progress result, got {type(progress).__name__}")
    if base is None:
        if not progress.bases:
            raise UpgradeScoreError("plot_progress: no bases")
        return progress.bases[0]
    return progress[base]
