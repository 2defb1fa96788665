"""Charts: radar, gap actions and heat map render to non-blank images with the Agg backend, show
the right data, and draw Chinese labels with a CJK font (or fall back to English without one)."""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from upgrade_score import (  # noqa: E402
    Target,
    UpgradeScoreError,
    compare,
    gap,
    plot_actions,
    plot_heatmap,
    plot_radar,
    score,
    score_many,
)
from upgrade_score._render import plot as _plot  # noqa: E402
from v1 import V1_BASES  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES


def pixels(fig: Figure) -> np.ndarray:
    """The figure rendered to PNG by Agg, as an RGB(A) array."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return imread(buffer)


def assert_not_blank(image: np.ndarray) -> None:
    """Drawn on: a fair share of non-white pixels, in several colours."""
    rgb = image[..., :3]
    ink = (rgb < 0.95).any(axis=-1).mean()
    colours = len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert ink > 0.03, f"only {ink:.1%} of the image is drawn on"
    assert colours > 20


@pytest.fixture(scope="module")
def weakest_gap(rubric, profiles):
    return gap(rubric, profiles[0], Target(level=3))


def dashed(fig: Figure) -> list:
    return [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]


def test_radar_of_several_bases_with_a_target(rubric, profiles):
    result = compare(rubric, profiles)
    fig = plot_radar(result, target=Target(level=3))
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines[:4]] == [
        "Chenghu Circular Economy Park", "Qinglan E-waste Dismantling Park", "Jinhe Scrap-Metal Hub",
        "Songxi Mixed Recycling Base"]  # best first
    (target,) = dashed(fig)
    assert target.get_ydata().tolist() == [60.0] * 7  # six directions, closed
    best = lines[0].get_ydata()[:6]
    row = result.table.index("chenghu-circular-economy-park")
    assert best.tolist() == pytest.approx(result.table.directions[row].tolist())
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == [d.name.en for d in rubric.directions]
    assert_not_blank(pixels(fig))


@pytest.mark.parametrize("target", [
    4,
    {"high_value": 80, "chain": 60, "green": 60, "low_carbon": 40, "intelligent": 40, "clustered": 80},
])
def test_radar_targets_as_level_or_scores(rubric, profiles, target):
    fig = plot_radar(score(rubric, profiles[3]), target=target, rubric=rubric)
    (line,) = dashed(fig)
    expected = [80.0] * 6 if target == 4 else list(target.values())
    assert line.get_ydata()[:6].tolist() == expected
    assert fig.axes[0].get_title() == "Jinhe Scrap-Metal Hub"


def test_radar_of_a_gap_report_draws_its_target(weakest_gap):
    fig = plot_radar(weakest_gap)
    (line,) = dashed(fig)
    assert line.get_ydata()[:6].tolist() == [60.0] * 6
    assert_not_blank(pixels(fig))


def test_radar_of_table_rows_and_scorecards(rubric, profiles):
    table = score_many(rubric, profiles)
    fig = plot_radar(table, bases=["jinhe-scrap-metal-hub", 0])
    assert len(fig.axes[0].get_lines()) == 2 and not dashed(fig)
    cards = [score(rubric, p) for p in profiles[:2]]
    assert len(plot_radar(cards).axes[0].get_lines()) == 2


def test_radar_refuses_unreadable_input(rubric):
    table = score_many(rubric, np.full((13, len(rubric.indicator_ids)), np.nan))
    with pytest.raises(UpgradeScoreError, match="too many"):
        plot_radar(table)
    with pytest.raises(UpgradeScoreError, match="unknown direction 'greenish'"):
        plot_radar(table, bases=[0], target={"greenish": 50})
    with pytest.raises(UpgradeScoreError, match="expected scorecards"):
        plot_radar([])


def test_radar_draws_into_given_axes(profiles, rubric):
    parent = Figure()
    sub = parent.subfigures(1, 2)[1]
    ax = sub.add_subplot(projection="polar")
    assert plot_radar(score(rubric, profiles[1]), ax=ax) is parent


def test_action_bars(weakest_gap, rubric):
    fig = plot_actions(weakest_gap, top=6)
    bars = fig.axes[0].patches
    assert len(bars) == 6
    widths = [bar.get_width() for bar in bars]
    assert widths == pytest.approx([a.gain for a in weakest_gap.actions[:6]])
    ticks = dict(zip(fig.axes[0].get_yticks(), (t.get_text() for t in fig.axes[0].get_yticklabels())))
    assert ticks[max(ticks)] == rubric.indicator(weakest_gap.actions[0].indicator).name.en  # on top
    assert_not_blank(pixels(fig))


def test_action_bars_when_the_target_is_met(rubric, profiles):
    fig = plot_actions(gap(rubric, profiles[2], Target(level=1)))
    assert [t.get_text() for t in fig.axes[0].texts] == ["target met"]


def test_heatmap(rubric, profiles):
    result = compare(rubric, profiles)
    fig = plot_heatmap(result, title="Bases")
    data = fig.axes[0].images[0].get_array()
    assert np.asarray(data) == pytest.approx(result.table.directions[result.order])
    assert len(fig.axes[0].texts) == 4 * 6  # every cell annotated
    assert_not_blank(pixels(fig))
    many = score_many(rubric, np.random.default_rng(1).uniform(0, 1, (60, len(rubric.indicator_ids)))
                      * np.nan)
    assert len(plot_heatmap(many).axes[0].texts) == 0  # too many rows to annotate


@pytest.mark.skipif(_plot.cjk_font() is None,
                    reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_chinese_labels_render_without_missing_glyphs(rubric, profiles, weakest_gap):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
        radar = plot_radar(compare(rubric, profiles), target=3, rubric=rubric, lang="zh")
        bars = plot_actions(weakest_gap, lang="zh")
        heat = plot_heatmap(score_many(rubric, profiles), lang="zh")
        images = [pixels(fig) for fig in (radar, bars, heat)]
    labels = [t.get_text() for t in radar.axes[0].get_xticklabels()]
    assert labels == [d.name.zh for d in rubric.directions]
    assert radar.axes[0].get_lines()[0].get_label() == "澄湖循环经济产业园"
    for image in images:
        assert_not_blank(image)


def test_without_a_cjk_font_charts_fall_back_to_english(monkeypatch, rubric, profiles):
    monkeypatch.setattr(_plot, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        fig = plot_radar(score(rubric, profiles[3]), lang="zh")
    assert fig.axes[0].get_xticklabels()[0].get_text() == "High-value use"


def test_svg_output_is_deterministic(rubric, profiles):
    fig = plot_radar(score(rubric, profiles[3]), target=3, rubric=rubric)
    first, second = _plot.figure_bytes(fig, "svg"), _plot.figure_bytes(fig, "svg")
    assert first == second and first.startswith(b"<?xml")
    assert _plot.figure_bytes(fig, "png").startswith(b"\x89PNG")


def test_figures_show_themselves_in_notebooks(rubric, profiles):
    fig = plot_radar(score(rubric, profiles[3]))
    assert fig._repr_png_().startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_without_matplotlib_charts_ask_for_the_extra(monkeypatch, rubric, profiles):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(UpgradeScoreError, match=r"install upgrade-score\[plot\]"):
        plot_radar(score(rubric, profiles[3]))


# --- text is drawn as written, never as mathtext ------------------------------------------------

HOSTILE = "a$x^2$b"         # two dollars: mathtext would draw x² in italics
BROKEN = r"c $\oops{$ d"    # not even valid mathtext: drawing it would raise


def _hostile(rubric):
    from upgrade_score import BaseProfile, Rubric

    data = rubric.model_dump(mode="json", exclude_none=True)
    data["directions"][0]["name"] = {"en": HOSTILE, "zh": HOSTILE}
    data["directions"][1]["name"] = BROKEN
    first = data["directions"][0]["indicators"][0]
    first["name"] = {"en": "price in US$/t $x$", "zh": "价格 US$/t $x$"}
    data["levels"][0]["name"] = {"en": "$1$ level", "zh": "$1$ 级"}
    hostile = Rubric.model_validate(data)
    bases = [BaseProfile.model_validate({"base": {"id": f"b{k}", "name": name}, "values": {}})
             for k, name in enumerate((HOSTILE, BROKEN, "plain"))]
    return hostile, bases, first["id"]


def _texts_as_drawn(fig: Figure) -> list[str]:
    """Every text of the figure as matplotlib will draw it; fails on any it would parse as math."""
    from matplotlib.text import Text

    assert _plot.figure_bytes(fig, "svg").startswith(b"<?xml")  # drawn: every tick label exists
    drawn = []
    for text in fig.findobj(Text):
        shown, math = text._preprocess_math(text.get_text())
        assert not math, text.get_text()
        drawn.append(shown)
    return drawn


def test_names_with_dollars_are_drawn_literally(rubric):
    hostile, bases, first = _hostile(rubric)
    table = score_many(hostile, bases)
    report = gap(hostile, bases[0], Target(level=3))
    assert first in [action.indicator for action in report.actions]
    radar = plot_radar(compare(hostile, bases), target=3, rubric=hostile, title=HOSTILE)
    bars = plot_actions(report, top=len(report.actions), rubric=hostile)
    heat = plot_heatmap(table, title=BROKEN)
    drawn = [_texts_as_drawn(fig) for fig in (radar, bars, heat)]
    assert {HOSTILE, BROKEN, "$1$ level"} <= set(drawn[0])  # direction, base names, ring label
    assert {"price in US$/t $x$", HOSTILE, BROKEN} <= set(drawn[1])  # indicator, direction names
    assert any(text.endswith(f": {HOSTILE}") for text in drawn[1])  # the title names the base
    assert {HOSTILE, BROKEN, "20 $1$ level"} <= set(drawn[2])
    for fig in (radar, bars, heat):
        assert _plot.figure_bytes(fig, "png").startswith(b"\x89PNG")
