"""Charts (optional extra ``plot``): a radar of direction scores, a bar chart of gap actions and a
heat map of many bases. Each function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state; display it in a notebook, or ``fig.savefig(...)``).

Chinese labels need a font with CJK glyphs. The first installed of :data:`CJK_FAMILIES` is used
(on Debian/Ubuntu: ``apt-get install fonts-noto-cjk``; fonts installed after matplotlib built its
font cache are found too). Without one, charts asked for ``lang="zh"`` fall back to the English
labels and warn (in Chinese), so that no label is drawn as empty boxes.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from .._errors import UpgradeScoreError
from .._optional import require_matplotlib
from .._text import display_language, word
from .views import rubric_for

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.projections.polar import PolarAxes

    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport, Target
    from .._analysis.scorecard import ScoreTable
    from .._model.results import Scorecard
    from .._model.rubric import Rubric
    from .._text import Lang

    RadarData = Scorecard | Sequence[Scorecard] | ScoreTable | Comparison | GapReport
    TargetLike = Target | GapReport | Mapping[str, float] | int | None

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Arial Unicode MS",
    "Droid Sans Fallback",
)
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "notosanssc", "sourcehansans", "wqy-", "wqy_",
                   "droidsansfallback", "simhei", "msyh", "pingfang")
MAX_RADAR_BASES = 12
MAX_HEATMAP_ANNOTATED = 40
MAX_LABEL = 60  # characters of an indicator name on the action chart
TARGET_COLOUR = "#d62728"
SVG_SALT = "upgrade-score"


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or ``None``."""
    require_matplotlib()
    from matplotlib import font_manager

    def installed() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    found = installed()
    if found is None:  # installed after matplotlib cached its font list: register the files
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = installed()
    return found


def literal(text: str) -> str:
    """``text`` as matplotlib draws it unchanged: every ``$`` escaped, so that no name, unit or
    title is parsed as mathtext (``a$x^2$b`` and ``US$/t`` are drawn as written, and a name that
    is not valid mathtext cannot make drawing fail). Every text of every chart goes through it."""
    return text.replace("$", r"\$")


def _direction_names(known: Rubric | None, lang: Lang) -> dict[str, str]:
    """Direction names in ``lang``, ready to draw (by id)."""
    return {d.id: literal(d.name.text(lang)) for d in known.directions} if known is not None else {}


def _level_names(known: Rubric, count: int, lang: Lang) -> list[str]:
    """The names of levels 1..count, ready to draw."""
    return [literal(known.level_name(k + 1, lang)) for k in range(count)]


def chart_language(lang: Lang | None, *, stacklevel: int = 3) -> Lang:
    """The language of chart labels: ``lang`` (or the display language), but English when no CJK
    font is installed, with one warning in the language asked for."""
    chosen = display_language(lang)
    if chosen == "zh" and cjk_font() is None:
        warnings.warn(word("charts in English", chosen), UserWarning, stacklevel=stacklevel)
        return "en"
    return chosen


@contextmanager
def style() -> Iterator[None]:
    """Fonts (with CJK fallback) and deterministic SVG output for the figures made inside."""
    matplotlib = require_matplotlib()
    cjk = cjk_font()
    families = ["sans-serif", cjk] if cjk else ["sans-serif"]
    with matplotlib.rc_context({"font.family": families, "svg.hashsalt": SVG_SALT,
                                "svg.fonttype": "path", "axes.unicode_minus": False}):
        yield


@functools.lru_cache(maxsize=1)
def _chart_class() -> type[Figure]:
    """``Chart``: a matplotlib Figure that shows itself in notebooks without pyplot."""
    from matplotlib.figure import Figure

    def _repr_png_(self: Figure) -> bytes:
        return figure_bytes(self, "png", dpi=100)

    chart = type("Chart", (Figure,), {"_repr_png_": _repr_png_, "__module__": __name__,
                                      "__doc__": _chart_class.__doc__})
    return cast("type[Figure]", chart)


def __getattr__(name: str) -> Any:
    """``Chart`` is made on first use (matplotlib is imported only then); pickles find it here."""
    if name == "Chart":
        return _chart_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _new_figure(width: float, height: float, layout: Literal["constrained"] | None = "constrained") -> Figure:
    return _chart_class()(figsize=(width, height), layout=layout)


def _figure_of(ax: Axes) -> Figure:
    """The figure an axes given by the caller belongs to (the top one, for sub-figures)."""
    fig: Any = ax.figure
    while getattr(fig, "figure", fig) is not fig:  # a SubFigure's .figure is its parent figure
        fig = fig.figure
    return cast("Figure", fig)


# --- radar -------------------------------------------------------------------------------------

def _series(data: RadarData, bases: Sequence[int | str] | None, lang: Lang
            ) -> tuple[Rubric | None, tuple[str, ...], list[tuple[str, list[float]]], GapReport | None]:
    """Direction ids and one (label, scores) pair per base."""
    from .._analysis.compare import Comparison
    from .._analysis.gap import GapReport
    from .._analysis.scorecard import ScoreTable
    from .._model.results import Scorecard

    if isinstance(data, GapReport):
        rubric = rubric_for(data.rubric)
        label = data.base.name.text(lang) if data.base.name else data.base.id
        return (rubric, tuple(data.directions),
                [(label, [_or_nan(g.current_score) for g in data.directions.values()])], data)
    if isinstance(data, Comparison):
        order = data.order.tolist()
        chosen = [data.table.base_ids[row] for row in order]
        return _table_series(data.table, bases if bases is not None else chosen, lang)
    if isinstance(data, ScoreTable):
        return _table_series(data, bases, lang)
    cards = [data] if isinstance(data, Scorecard) else list(data)
    if not cards or not all(isinstance(card, Scorecard) for card in cards):
        raise UpgradeScoreError("radar: expected scorecards, a ScoreTable, a Comparison or a GapReport")
    if bases is not None:
        raise UpgradeScoreError("radar: 'bases' selects rows of a ScoreTable or Comparison")
    rubric = rubric_for(cards[0].rubric)
    directions = tuple(cards[0].directions)
    series = [(card.base.name.text(lang) if card.base.name else card.base.id,
               [_or_nan(card.directions[d].score) for d in directions]) for card in cards]
    return rubric, directions, series, None


def _table_series(table: ScoreTable, bases: Sequence[int | str] | None, lang: Lang
                  ) -> tuple[Rubric, tuple[str, ...], list[tuple[str, list[float]]], None]:
    rows = [table.index(b) for b in bases] if bases is not None else list(range(len(table)))
    series = []
    for row in rows:
        profile = table.profiles[row] if table.profiles is not None else None
        name = profile.base.name if profile is not None else None
        series.append((name.text(lang) if name else table.base_ids[row],
                       [float(v) for v in table.directions[row]]))
    return table.rubric, tuple(table.rubric.direction_ids), series, None


def _target_scores(target: TargetLike, rubric: Rubric | None, directions: tuple[str, ...],
                   report: GapReport | None) -> list[float] | None:
    from .._analysis.gap import GapReport, Target, direction_targets

    if target is None and report is not None:
        target = report
    if target is None:
        return None
    if isinstance(target, GapReport):
        return [target.directions[d].target_score for d in directions]
    if isinstance(target, Mapping):
        unknown = sorted(set(target) - set(directions))
        if unknown:
            raise UpgradeScoreError(f"target: unknown direction '{unknown[0]}'")
        return [float(target.get(d, 0.0)) for d in directions]
    if rubric is None:
        raise UpgradeScoreError("target: pass rubric= to turn a level target into scores")
    if isinstance(target, int):
        target = Target(level=target)
    if not isinstance(target, Target):
        raise UpgradeScoreError("target: expected a Target, a GapReport, scores by direction or a level")
    wanted = direction_targets(rubric, target)
    return [float(wanted[rubric.direction_ids.index(d)]) for d in directions]


def plot_radar(data: RadarData, *, target: TargetLike = None, bases: Sequence[int | str] | None = None,
               rubric: Rubric | None = None, lang: Lang | None = None, title: str | None = None,
               ax: Axes | None = None) -> Figure:
    """A radar (spider) chart of the direction scores of one or several bases.

    ``data``: a Scorecard or a list of them, a ScoreTable or a Comparison (``bases`` picks rows by
    id or position), or a GapReport (its target is drawn too). ``target`` (a Target, a level, a
    GapReport or scores by direction) is drawn as a dashed outline. Rings mark the level cutoffs.
    """
    require_matplotlib()
    lang = chart_language(lang)
    known, directions, series, report = _series(data, bases, lang)
    if rubric is not None:
        known = rubric
    if len(series) > MAX_RADAR_BASES:
        raise UpgradeScoreError(f"radar: {len(series)} bases is too many to read on one radar "
                                f"(at most {MAX_RADAR_BASES}); pick some with bases=, or use plot_heatmap")
    goal = _target_scores(target, known, directions, report)
    names = _direction_names(known, lang)
    angles = np.linspace(0.0, 2 * np.pi, len(directions), endpoint=False)
    closed = np.append(angles, angles[0])
    entries = len(series) + (goal is not None)
    with style():
        fig, axes = _radar_axes(ax, legend_rows=math.ceil(entries / 2) if entries > 1 else 0,
                                titled=bool(title) or (title is None and len(series) == 1))
        axes.set_theta_offset(np.pi / 2)
        axes.set_theta_direction(-1)
        colours = [f"C{k % 10}" for k in range(len(series))]
        for (label, scores), colour in zip(series, colours):
            values = np.append(scores, scores[0])
            axes.plot(closed, values, color=colour, linewidth=2, label=literal(label))
            axes.fill(closed, values, color=colour, alpha=0.12)
        if goal is not None:
            axes.plot(closed, np.append(goal, goal[0]), color=TARGET_COLOUR, linewidth=1.6,
                      linestyle="--", label=literal(word("Target", lang)))
        axes.set_xticks(angles)
        axes.set_xticklabels([names.get(d, literal(d)) for d in directions], fontsize=9)
        for name, angle in zip(axes.get_xticklabels(), angles):  # names start at the circle, outwards
            side = math.sin(angle)
            name.set_horizontalalignment("left" if side > 0.1 else "right" if side < -0.1 else "center")
        axes.tick_params(axis="x", pad=6)
        axes.set_ylim(0, 100)
        rings = list(known.cutoffs) if known is not None else [20.0, 40.0, 60.0, 80.0, 100.0]
        axes.set_yticks(rings)
        ring_labels = (_level_names(known, len(rings), lang) if known is not None
                       else [f"{r:g}" for r in rings])
        axes.set_yticklabels(ring_labels, fontsize=7, color="#555555")
        for ring in axes.get_yticklabels():
            ring.set_bbox({"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6})
        axes.set_rlabel_position(180 / len(directions))
        axes.grid(color="#cccccc", linewidth=0.8)
        if entries > 1 and ax is None:
            fig.legend(loc="lower center", ncol=2, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.01))
        elif entries > 1:
            axes.legend(loc="upper right", bbox_to_anchor=(1.3, 1.1), fontsize=8, frameon=False)
        if title is None and len(series) == 1:
            title = series[0][0]
        if title:
            axes.set_title(literal(title), fontsize=11, pad=30)
    return fig


def _radar_axes(ax: Axes | None, legend_rows: int, titled: bool) -> tuple[Figure, PolarAxes]:
    """The caller's polar axes, or a new figure laid out by hand: a square radar with room for the
    direction names around it, a title above and the legend below (polar tick labels sit outside
    the axes, where automatic layouts do not look)."""
    if ax is not None:
        return _figure_of(ax), cast("PolarAxes", ax)
    size, side = 4.2, 1.75                        # inches: the radar, and the room for names
    top = 0.45 + (0.4 if titled else 0.0)
    bottom = 0.45 + 0.2 * legend_rows
    width, height = size + 2 * side, size + top + bottom
    fig = _new_figure(width, height, layout=None)
    axes = fig.add_axes((side / width, bottom / height, size / width, size / height), projection="polar")
    return fig, cast("PolarAxes", axes)


# --- gap actions -------------------------------------------------------------------------------

def plot_actions(report: GapReport, *, top: int = 10, rubric: Rubric | None = None,
                 lang: Lang | None = None, title: str | None = None, ax: Axes | None = None) -> Figure:
    """A bar chart of the top ``top`` gap actions by the overall points each gains on its own.

    Bars are coloured by direction; actions in the plan are solid, the others hatched.
    """
    require_matplotlib()
    lang = chart_language(lang)
    known = rubric_for(report.rubric, rubric)
    actions = report.actions[:max(0, top)]
    plan = set(report.plan)
    directions = list(report.directions)
    names = _direction_names(known, lang)
    with style():
        fig = _figure_of(ax) if ax is not None else _new_figure(7.2, 1.2 + 0.38 * max(len(actions), 2))
        axes = ax if ax is not None else fig.add_subplot()
        if not actions:
            axes.text(0.5, 0.5, literal(word("met", lang)), ha="center", va="center", fontsize=12,
                      transform=axes.transAxes)
            axes.set_axis_off()
        else:
            labels = [known.indicator(a.indicator).name.text(lang) if known is not None else a.indicator
                      for a in actions]
            labels = [literal(label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…")
                      for label in labels]
            gains = [a.gain for a in actions]
            positions = np.arange(len(actions))[::-1]
            colours = [f"C{directions.index(a.direction) % 10}" for a in actions]
            bars = axes.barh(positions, gains, color=colours, edgecolor=colours, height=0.7)
            for bar, action in zip(bars, actions):
                if action.indicator not in plan:
                    bar.set_hatch("///")
                    bar.set_facecolor("white")
            for y, gain in zip(positions, gains):
                axes.text(gain, y, f" +{gain:.1f}", va="center", fontsize=8)
            axes.set_yticks(positions)
            axes.set_yticklabels(labels, fontsize=8)
            axes.set_xlabel(literal(word("gain axis", lang)), fontsize=9)
            axes.set_xlim(0, max(gains) * 1.18 if max(gains) > 0 else 1)
            axes.spines[["top", "right"]].set_visible(False)
            from matplotlib.patches import Patch

            seen = list(dict.fromkeys(a.direction for a in actions))
            handles = [Patch(color=f"C{directions.index(d) % 10}", label=names.get(d, literal(d)))
                       for d in seen]
            axes.legend(handles=handles, fontsize=7, frameon=False, loc="lower right")
        if title is None:
            name = report.base.name.text(lang) if report.base.name else report.base.id
            title = f"{word('actions', lang)}: {name}"
        axes.set_title(literal(title), fontsize=10)
    return fig


# --- heat map ----------------------------------------------------------------------------------

def plot_heatmap(data: ScoreTable | Comparison | Sequence[Scorecard], *, lang: Lang | None = None,
                 title: str | None = None, ax: Axes | None = None) -> Figure:
    """A heat map of direction scores: one row per base (a Comparison keeps its ranking), one
    column per direction, coloured 0–100 with the level cutoffs marked on the colour bar."""
    require_matplotlib()
    lang = chart_language(lang)
    from .._analysis.compare import Comparison
    from .._analysis.scorecard import ScoreTable

    if isinstance(data, Comparison):
        known, directions, series, _ = _table_series(data.table, [data.table.base_ids[r]
                                                                  for r in data.order.tolist()], lang)
    elif isinstance(data, ScoreTable):
        known, directions, series, _ = _table_series(data, None, lang)
    else:
        found, directions, series, _ = _series(list(data), None, lang)
        known = found  # type: ignore[assignment]
    if not series:
        raise UpgradeScoreError("heat map: no bases to show")
    names = _direction_names(known, lang)
    matrix = np.array([scores for _, scores in series])
    rows, cols = matrix.shape
    with style():
        fig = _figure_of(ax) if ax is not None else _new_figure(1.6 + 1.05 * cols, 1.4 + 0.32 * rows)
        axes = ax if ax is not None else fig.add_subplot()
        image = axes.imshow(matrix, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
        axes.set_xticks(range(cols))
        axes.set_xticklabels([names.get(d, literal(d)) for d in directions], rotation=30, ha="right",
                             fontsize=8)
        axes.set_yticks(range(rows))
        axes.set_yticklabels([literal(label) for label, _ in series], fontsize=8)
        if rows <= MAX_HEATMAP_ANNOTATED:
            for (i, j), value in np.ndenumerate(matrix):
                axes.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=7,
                          color="white" if value < 20 or value > 85 else "black")
        bar = fig.colorbar(image, ax=axes, shrink=0.8)
        if known is not None:
            bar.set_ticks(list(known.cutoffs))
            levels = _level_names(known, len(known.cutoffs), lang)
            bar.set_ticklabels([f"{c:g} {name}" for c, name in zip(known.cutoffs, levels)], fontsize=7)
        if title:
            axes.set_title(literal(title), fontsize=10)
    return fig


# --- output ------------------------------------------------------------------------------------

def figure_bytes(fig: Figure, fmt: str = "svg", dpi: int = 110) -> bytes:
    """A figure as SVG or PNG bytes, without timestamps (same figure, same bytes)."""
    import io

    if fig.get_layout_engine() is not None:  # settle the layout once: later saves give the same bytes
        with style():
            fig.draw_without_rendering()
        fig.set_layout_engine("none")
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    with style():
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return _numbered_ids(buffer.getvalue()) if fmt == "svg" else buffer.getvalue()


def _numbered_ids(svg: bytes) -> bytes:
    """Clip-path ids numbered in order of appearance: older matplotlib derives them from object
    identities, so that two saves of one figure differ."""
    import re

    names: dict[bytes, bytes] = {}
    for found in re.finditer(rb'<clipPath id="([^"]+)"', svg):
        names.setdefault(found[1], b"clip%d" % (len(names) + 1))
    if not names:
        return svg
    pattern = re.compile(rb'(id="|url\(#)(' + b"|".join(map(re.escape, names)) + rb")([\")])")
    return pattern.sub(lambda m: m[1] + names[m[2]] + m[3], svg)


def _or_nan(score: float | None) -> float:
    """A direction score for a chart: NaN (a gap in the line) where it does not apply."""
    return math.nan if score is None else score
