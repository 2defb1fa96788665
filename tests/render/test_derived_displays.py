"""Displays of derived values (design points 12–13): ``score --detail`` (text and Markdown, en and
zh), the notebook scorecard, the HTML report and the scorecard DataFrame show each derived
indicator's formula with its operands' values, the enterprise rows behind each rolled-up operand,
and a division by zero."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derived_demo import demo
from upgrade_score import score_many
from upgrade_score._model.results import DerivedValue
from upgrade_score._render.derived import zero_denominators
from upgrade_score._render.dispatch import render

LATIN = re.compile(r"[A-Za-z][A-Za-z]{2,}")
IDS = {"energy_use", "value_added", "green_count", "firms", "processed", "energy_intensity",
       "green_share", "throughput", "licensed", "demo-derived", "sha256"}


@pytest.fixture
def table(tmp_path: Path):  # type: ignore[no-untyped-def]
    rubric, profiles, path = demo(tmp_path)
    return score_many(rubric, list(profiles), enterprises=path)


def test_detail_text_en(table) -> None:  # type: ignore[no-untyped-def]
    text = render(table.scorecard("b1"), "text", lang="en", detail=True)
    assert "energy_intensity  = energy_use / value_added = 4,200 tce / 1,700 10k yuan" in text
    assert "green_share       = green_count / firms = 2 / 3" in text
    assert "green_count: 2 (from 3 enterprise rows)" in text
    assert "processed: 200 t (from 2 enterprise rows)" in text
    other = render(table.scorecard("b2"), "text", lang="en", detail=True)
    assert "= energy_use / value_added = 900 tce / 0 10k yuan" in other
    assert "missing: division by zero (value_added = 0)" in other
    assert "firms: 1 (from 1 enterprise row)" in other
    assert "Derived values" not in render(table.scorecard("b1"), "text", lang="en")  # without --detail


def test_detail_zh_has_no_english_words(table) -> None:  # type: ignore[no-untyped-def]
    for style in ("text", "markdown"):
        text = render(table.scorecard("b2"), style, lang="zh", detail=True)
        assert "= energy_use / value_added = 900 吨标准煤 / 0 万元" in text
        assert "缺失：除数为零（value_added = 0）" in text
        assert "green_count: 0（由 1 条企业记录汇总）" in text.replace(" （", "（")
        words = {w for w in LATIN.findall(text.replace("\\_", "_"))}
        leftovers = {w for w in words if not any(w in i for i in IDS)}
        assert leftovers == set(), leftovers


def test_markdown_en(table) -> None:  # type: ignore[no-untyped-def]
    text = render(table.scorecard("b1"), "markdown", lang="en", detail=True)
    assert "| green_share | = green_count / firms = 2 / 3 |" in text.replace("\\_", "_")
    assert "|  | green_count: 2 (from 3 enterprise rows) |" in text.replace("\\_", "_")


def test_notebook_and_frame(table) -> None:  # type: ignore[no-untyped-def]
    html = table.scorecard("b2")._repr_html_()
    assert "<summary>Derived values</summary>" in html
    assert "missing: division by zero (value_added = 0)" in html
    pytest.importorskip("pandas")
    frame = table.scorecard("b1").to_dataframe()
    assert frame.loc["green_share", "formula"] == (
        "= green_count / firms = 2 / 3; green_count: 2 (from 3 enterprise rows); "
        "firms: 3 (from 3 enterprise rows)")
    assert frame["formula"].isna().tolist() == [False, False, True, False]  # (licensed: reported)


def test_report_base_section(table) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    from upgrade_score._render.report import render_report

    page = render_report(table.rubric, table, lang="zh", target=None)
    assert "计算得出的指标" in page and "缺失：除数为零（value_added = 0）" in page
    assert "green_count: 2（由 3 条企业记录汇总）" in page.replace(" （", "（")


def test_v1_scorecards_show_no_derived_table(rubric, profiles) -> None:  # type: ignore[no-untyped-def]
    card = score_many(rubric, list(profiles)).scorecard(0)
    assert "Derived" not in render(card, "text", lang="en", detail=True)
    pytest.importorskip("pandas")
    assert "formula" not in card.to_dataframe().columns


@pytest.mark.parametrize(("formula", "inputs", "expected"), [
    ("a / b", {"a": 1.0, "b": 0.0}, ["b"]),
    ("a / (b - c)", {"a": 1.0, "b": 2.0, "c": 2.0}, ["b - c"]),
    ("a / b + c / d", {"a": 1.0, "b": 3.0, "c": 1.0, "d": 0.0}, ["d"]),
    ("a / b", {"a": 1.0, "b": None}, []),
])
def test_zero_denominators(formula: str, inputs: dict[str, float | None], expected: list[str]) -> None:
    assert zero_denominators(DerivedValue(formula=formula, inputs=inputs)) == expected
