"""Weights with their provenance (set directly, or by pairwise comparison with CR), inputs,
enterprise fields and formulas in the rubric view, the report appendix and the rubric DataFrame."""

from __future__ import annotations

import re
from typing import Any

import pytest

from upgrade_score import load_rubric
from upgrade_score._model.rubric import Rubric
from upgrade_score._render.dispatch import render
from v1 import V1

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")

DERIVED: dict[str, Any] = {
    "id": "demo-derived", "version": "1", "title": {"zh": "演示", "en": "Demo"},
    "levels": [{"level": 1, "name": {"zh": "一级", "en": "L1"}},
               {"level": 2, "name": {"zh": "二级", "en": "L2"}}],
    "enterprise_fields": [
        {"id": "tonnes", "name": {"zh": "处理量", "en": "Tonnes processed"}, "unit": "t"},
        {"id": "green_factory", "name": {"zh": "绿色工厂", "en": "Green factory"}, "kind": "boolean"}],
    "inputs": [
        {"id": "energy_use", "name": {"zh": "综合能耗", "en": "Energy use"}, "unit": "tce"},
        {"id": "value_added", "name": {"zh": "工业增加值", "en": "Value added"}, "unit": "万元"},
        {"id": "processed", "name": {"zh": "园区处理量", "en": "Tonnes processed in the park"}, "unit": "t",
         "rollup": {"sum": "tonnes"}},
        {"id": "green_count", "name": {"zh": "绿色工厂数", "en": "Green factories"},
         "rollup": {"count_where": "green_factory"}},
        {"id": "firms", "name": {"zh": "企业数", "en": "Enterprises"}, "rollup": {"count": "all"}}],
    "direction_weights": {"method": "ahp", "order": ["a", "b"], "pairwise": [[1, 3], [1 / 3, 1]]},
    "directions": [
        {"id": "a", "name": {"zh": "甲", "en": "A"}, "indicators": [
            {"id": "energy_intensity", "name": {"zh": "能耗强度", "en": "Energy intensity"},
             "better": "lower", "thresholds": [2, 1], "formula": "energy_use / value_added"},
            {"id": "green_share", "name": {"zh": "绿色工厂占比", "en": "Green share"},
             "thresholds": [0.2, 0.5], "formula": "green_count / firms"}]},
        {"id": "b", "name": {"zh": "乙", "en": "B"}, "indicators": [
            {"id": "throughput", "name": {"zh": "处理量", "en": "Throughput"}, "thresholds": [100, 300],
             "formula": "processed"}]}],
}


@pytest.fixture
def derived() -> Rubric:
    return Rubric.model_validate(DERIVED)


def test_rubric_view_says_how_weights_were_set(derived: Rubric) -> None:
    text = render(derived, "text", lang="en")
    assert ("Weights: directions by pairwise comparison (AHP), CR 0.000 ≤ 0.10: consistent; the others set "
            "directly.") in text
    assert re.search(r"^a +A +75 % +2$", text, re.M)  # the derived weight 3/4 is the share shown
    assert "Weights: set directly." in render(load_rubric(), "text", lang="en")


def test_rubric_view_lists_inputs_fields_and_formulas(derived: Rubric) -> None:
    text = render(derived, "markdown", lang="en")
    assert "| processed | Tonnes processed in the park | t | sum of tonnes | throughput |" in text
    assert "| firms | Enterprises |  | count of enterprises | green_share |" in text
    assert "| green_factory | Green factory |  | yes/no | green_count |" in text
    assert re.search(r"\| energy_intensity \|.*\| energy_use / value_added \|$", text, re.M)
    zh = render(derived, "markdown", lang="zh")
    assert "| processed | 园区处理量 | t | tonnes 之和 | throughput |" in zh
    assert ("权重：各方向由两两比较（层次分析法）得出，一致性比率 CR 0.000 ≤ 0.10：通过一致性检验；"
            "其余直接设定。") in zh
    ids = {"demo-derived", "tce", "formula", *derived.input_ids, *derived.indicator_ids, "tonnes",
           "green_factory", "energy_use", "value_added"}
    assert set(LATIN_WORD.findall(zh)) <= ids  # ids only: no English prose


def test_report_appendix_shows_weights_formulas_and_inputs(derived: Rubric) -> None:
    pytest.importorskip("matplotlib")
    from upgrade_score import BaseProfile
    from upgrade_score._render.report import render_report

    base = BaseProfile.model_validate({
        "base": {"id": "b1"}, "values": {"energy_use": 4200, "value_added": 1700},
        "enterprises": [{"id": "e1", "tonnes": 120, "green_factory": True}, {"id": "e2", "tonnes": 80}]})
    page = render_report(derived, [base], lang="en")
    appendix = page[page.index('<section class="appendix">'):]
    assert "directions by pairwise comparison (AHP), CR 0.000 ≤ 0.10: consistent" in appendix
    assert "= energy_use / value_added · lower is better: 2, 1" in appendix
    assert "Inputs (reported quantities, not scored themselves)" in appendix
    assert "count where green_factory" in appendix
    zh = render_report(derived, [base], lang="zh")
    assert "企业填报项（每家企业一行）" in zh and "green_factory 为“是”的企业数" in zh


def test_rubric_frame_carries_weight_method_cr_and_formula(derived: Rubric) -> None:
    pytest.importorskip("pandas")
    frame = derived.to_dataframe()
    assert frame["direction_weight_method"].tolist() == ["ahp"] * 3
    assert frame["direction_weight_cr"].tolist() == [0.0] * 3
    assert frame["weight_method"].tolist() == ["direct"] * 3 and frame["weight_cr"].isna().all()
    assert frame.loc["green_share", "formula"] == "green_count / firms"
    assert frame["overall_share"].tolist() == pytest.approx([0.375, 0.375, 0.25])
    plain = load_rubric(V1).to_dataframe()  # rubric 2026.1: weights set directly, no formulas
    assert set(plain["weight_method"]) == {"direct"} and "formula" not in plain
