"""Bases over the years on screen and on paper: the progress chart (target dashed), the report's
progress part for bases with several years, notebook HTML, DataFrames and Excel workbooks."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.image import imread  # noqa: E402

from upgrade_score import (  # noqa: E402
    Target,
    UpgradeScoreError,
    compare,
    load_profiles,
    plot_progress,
    progress,
    render_report,
    score,
    score_many,
)
from v1 import V1_BASES  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "examples" / "panel"
BASES = V1_BASES  # the bases of the golden v1 rubric, like the `rubric` fixture


@pytest.fixture(scope="module")
def panel():
    return load_profiles(PANEL)


@pytest.fixture(scope="module")
def moves(rubric, panel):
    return progress(rubric, panel, Target(level=3))


def test_the_chart_draws_six_lines_and_a_dashed_target(moves) -> None:
    fig = plot_progress(moves, "jinhe-scrap-metal-hub")
    axes = fig.axes[0]
    solid = [line for line in axes.get_lines() if line.get_linestyle() == "-"]
    dashed = [line for line in axes.get_lines() if line.get_linestyle() == "--"]
    assert len(solid) == 6 and len(dashed) == 1
    assert list(dashed[0].get_ydata()) == [60.0, 60.0]
    assert list(solid[3].get_xdata()) == [2023, 2024, 2025]  # low_carbon
    assert np.allclose(solid[3].get_ydata(), [8.67, 15.07, 21.87], atol=0.01)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    buffer.seek(0)
    assert (imread(buffer)[..., :3] < 0.95).any(axis=-1).mean() > 0.03


def test_per_direction_targets_are_dashed_in_each_colour(rubric, panel) -> None:
    fig = plot_progress(progress(rubric, panel, "high_value=4,green=3"))
    dashed = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert sorted(line.get_ydata()[0] for line in dashed) == [60.0, 80.0]


def test_the_chart_refuses_an_unknown_base(moves) -> None:
    with pytest.raises(UpgradeScoreError, match="no base 'nope'"):
        plot_progress(moves, "nope")


def test_the_report_has_a_progress_part_for_bases_with_several_years(rubric, panel) -> None:
    page = render_report(rubric, list(panel), target=3, charts="png")
    assert page.count("<h3>Progress over the years</h3>") == 2
    assert page.count('alt="progress ') == 2 and "on track: 2031" in page
    single = render_report(rubric, [panel[2]], charts="png")  # one year of one base
    assert "Progress over the years" not in single and "Overall <strong>57.0</strong>" in single
    zh = render_report(rubric, list(panel), target=3, lang="zh", charts="png", year=2023)
    assert "历年进展" in zh and "按当前趋势 2031 年达到" in zh
    assert "总分 <strong>53.0</strong>" in zh  # the base's page is of 2023, its progress of every year


def test_notebook_html_and_dataframe(moves) -> None:
    pytest.importorskip("pandas")
    html = moves._repr_html_()
    assert "Most improved" in html and "<table" in html
    frame = moves.to_dataframe()
    assert list(frame.columns)[:4] == ["base", "series", "year", "score"] and len(frame) == 42


def test_excel_workbooks(tmp_path: Path, rubric, panel, moves) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    table = score_many(rubric, panel)
    book = openpyxl.load_workbook(table.to_excel(tmp_path / "t.xlsx"))
    assert book.sheetnames == ["overall", "directions", "indicators"]
    overall = book["overall"]
    assert [c.value for c in overall[1]] == ["base", "name", "year", "Overall", "level", "balanced level",
                                             "completeness"]
    assert overall.freeze_panes == "B2" and overall["C2"].value == 2025
    assert overall["D2"].number_format == "0.0" and overall["G2"].number_format == "0%"
    assert book["directions"].max_row == 1 + 2 * 6 and book["indicators"].max_row == 1 + 2 * 35
    card = score(rubric, BASES / "scrap_metal_hub.yaml")
    sheet = openpyxl.load_workbook(card.to_excel(tmp_path / "c.xlsx", lang="zh"))["各方向"]
    assert [c.value for c in sheet[1]][:4] == ["基地", "方向", "名称", "得分"]
    assert sheet["C2"].value == "高质化利用"
    ranked = compare(rubric, list(load_profiles(BASES)), by="category")
    sheet = openpyxl.load_workbook(ranked.to_excel(tmp_path / "r.xlsx"))["overall"]
    assert [c.value for c in sheet[1]][-4:] == ["group", "rank in group", "percentile in group",
                                                "bases in group"]
    sheet = openpyxl.load_workbook(moves.to_excel(tmp_path / "p.xlsx", lang="zh")).active
    assert sheet.title == "历年进展" and sheet.max_row == 43
    assert [c.value for c in sheet[2]][:3] == ["jinhe-scrap-metal-hub", "总分", 2023]
    assert {sheet.cell(r, 10).value for r in range(2, 44)} <= {"已达到", "按进度", "未按进度"}


def test_excel_with_gates(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rubric = ROOT / "examples" / "rubrics" / "categories_and_gates.yaml"
    table = score_many(rubric, load_profiles(ROOT / "examples" / "rubrics" / "bases"))
    book = openpyxl.load_workbook(table.to_excel(tmp_path / "g.xlsx"))
    assert book.sheetnames == ["overall", "directions", "indicators", "gates"]
    assert [c.value for c in book["gates"][1]] == ["base", "gate", "name", "status",
                                                   "level cap if not met", "applies to"]
