"""The report's heat map written as SVG text: colours on ColorBrewer's red-yellow-green scale, a
row per base in ranking order with its score in the cell, n/a cells grey and empty, the level
cutoffs on the colour bar, labels in the page's language, the same bytes for the same inputs."""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from upgrade_score import compare, load_profiles, load_rubric, render_report
from upgrade_score._render.svgcharts import RED_YELLOW_GREEN, heat_colour, heatmap_svg

NAN = math.nan
BASES = Path(__file__).resolve().parents[2] / "examples" / "bases"


def test_heat_colours_at_the_ends_and_between_classes() -> None:
    assert heat_colour(0.0) == RED_YELLOW_GREEN[0] == "#a50026"
    assert heat_colour(100.0) == RED_YELLOW_GREEN[-1] == "#006837"
    assert heat_colour(50.0) == RED_YELLOW_GREEN[5] == "#ffffbf"  # the middle class
    # halfway between class 0 (#a50026) and class 1 (#d73027): (165+215)/2, (0+48)/2, (38+39)/2
    assert heat_colour(5.0) == "#be1826"
    assert heat_colour(-3.0) == heat_colour(0.0) and heat_colour(130.0) == heat_colour(100.0)


def chart() -> bytes:
    return heatmap_svg(["Alpha", "澄湖园"], ["high value", "链条化"], [[10.0, 92.5], [55.0, NAN]],
                       [20, 40, 60, 80, 100], ["L1", "L2", "L3", "L4", "L5"])


def test_heatmap_cells_texts_and_colour_bar() -> None:
    data = chart()
    root = ElementTree.fromstring(data)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert {"Alpha", "澄湖园", "high value", "链条化"} <= set(texts)
    assert [t for t in texts if t in ("10", "92", "55", "nan")] == ["10", "92", "55"]  # n/a: no number
    fills = [r.get("fill") for r in root.iter(f"{ns}rect")]
    assert heat_colour(10.0) in fills and heat_colour(92.5) in fills and heat_colour(55.0) in fills
    assert "#eeeeee" in fills  # the n/a cell
    assert [t for t in texts if t and t[0].isdigit() and " " in t] == ["20 L1", "40 L2", "60 L3", "80 L4",
                                                                          "100 L5"]
    assert data == chart()  # same inputs, same bytes


def test_the_report_heat_map_follows_the_ranking_in_the_page_language() -> None:
    rubric = load_rubric()
    profiles = load_profiles(BASES)
    page = render_report(rubric, profiles, lang="zh")
    svg = base64.b64decode(re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)[0])
    root = ElementTree.fromstring(svg)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    ranking = compare(rubric, profiles)
    names = [profiles[row].base.name.zh for row in ranking.order.tolist()]  # type: ignore[union-attr]
    assert [t for t in texts if t in names] == names  # one row per base, best first
    assert not any(re.fullmatch(r"[A-Za-z ]+", t) for t in texts if t)  # no English words


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_heat_map_needs_no_matplotlib_figure(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from upgrade_score._render import report

    def refuse(*args: object, **options: object) -> None:
        raise AssertionError("the SVG report draws its heat map as text")

    monkeypatch.setattr(report, "plot_heatmap", refuse)
    page = render_report(load_rubric(), load_profiles(BASES), lang=lang)
    assert f'alt="{report.report_word("heat", lang)}"' in page
