"""Displays of rubric language 2 (issue 13): a basic requirement (gate) not met is the first thing
a base manager sees — in text, Markdown, notebook HTML and the report — N/A shows as "n/a" /
"不适用", and the Chinese displays carry no English prose.

Works on the example rubric ``examples/rubrics/categories_and_gates.yaml`` and its example bases in
``examples/rubrics/bases``: the ferrous yard fails the gate (95 % licensed, 100 % needed), the
e-waste park answers n/a for water reuse, the mixed base has no category (so "chain" is N/A).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from upgrade_score import compare, gap, load_profiles, load_rubric, render_report, score_many
from upgrade_score._render.dispatch import render
from upgrade_score._render.formats import View, render_html, render_markdown, render_text

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "examples" / "rubrics" / "categories_and_gates.yaml"
BASES = ROOT / "examples" / "rubrics" / "bases"
FERROUS = "tieshan-ferrous-yard"
# ids, units and the data's own free text (sources) may be Latin in a Chinese display
ALLOWED_LATIN = {"sha", "n", "a"}


def render_as(obj: object, kind: str, lang: str) -> str:
    text: str = render(obj, kind, lang=lang)
    return text


@pytest.fixture(scope="module")
def table():
    return score_many(load_rubric(RUBRIC), load_profiles(BASES))


def latin_words(text: str, table) -> set[str]:
    """Latin words of ``text`` that are not ids of the rubric or the bases, nor rubric sources."""
    rubric = table.rubric
    ids = {rubric.id, *rubric.indicator_ids, *rubric.direction_ids, *rubric.category_ids,
           *(g.id for g in rubric.gates or ()), *table.base_ids}
    for identifier in list(ids):
        ids.update(re.split(r"[-_.]", identifier))
    sources = " ".join(str(i.source) for i in rubric.indicators)
    sources += " ".join(str(v.source) for p in table.profiles for v in p.values.values())
    # the tool's name, hashes, and the font package a machine without CJK glyphs is told to install
    text = re.sub(r"\bupgrade-score\b|\b[0-9a-f]{12,64}\b|\bfonts-noto-cjk\b", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text)
            if w not in ids and w not in sources and w.lower() not in ALLOWED_LATIN}


def test_the_example_bases_show_every_language_2_feature(table) -> None:
    rows = {base: table.index(base) for base in table.base_ids}
    card = table.scorecard(FERROUS)
    assert card.gates is not None and card.gates["all_licensed"].status == "failed"
    park = table.scorecard("lvgu-ewaste-park")
    assert park.indicators["water_reuse"].not_applicable
    assert table.directions[rows["hexi-mixed-base"], table.rubric.direction_ids.index("chain")] != \
        table.directions[rows["hexi-mixed-base"], 0]  # NaN: chain is N/A for a base without category


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failed_gate_comes_first_in_text_and_markdown(table, lang: str) -> None:
    card = table.scorecard(FERROUS)
    text = render_as(card, "text", lang)
    lines = text.splitlines()
    assert lines[0].startswith("铁山" if lang == "zh" else "Tieshan")
    assert lines[2].startswith("⚠")  # right under the heading, before the scores
    markdown = render_as(card, "markdown", lang)
    assert markdown.splitlines()[2].startswith("> **⚠")


def test_a_failed_gate_is_an_alert_in_notebook_html(table) -> None:
    page = table.scorecard(FERROUS)._repr_html_()
    alert = page.index('role="alert"')
    assert alert < page.index("85.0")  # before the overall score
    assert "Basic requirement not met" in page[alert:alert + 400]
    passed = table.scorecard("lvgu-ewaste-park")._repr_html_()
    assert 'role="alert"' not in passed


def test_alerts_render_in_every_format() -> None:
    view = View("Heading", ["summary"], alerts=["⚠ first <b>", "⚠ second"])
    assert render_text(view).splitlines()[:4] == ["Heading", "", "⚠ first <b>", "⚠ second"]
    assert "> **⚠ first \\<b\\>**\n> **⚠ second**" in render_markdown(view)
    assert '<div role="alert"' in render_html(view) and "⚠ first &lt;b&gt;" in render_html(view)
    assert 'role="alert"' not in render_html(View("Heading", ["summary"]))


def test_compare_shows_gate_failures_and_capped_levels(table) -> None:
    result = compare(table.rubric, table)
    data = json.loads(result.to_json())
    by_base = {b["base"]: b for b in data["bases"]}
    assert by_base[FERROUS]["gates_not_passed"] == ["all_licensed"]
    assert by_base["lvgu-ewaste-park"]["gates_not_passed"] == []
    for base in by_base.values():
        assert base["level"] <= base["uncapped_level"]
    text = render_as(result, "text", "zh")
    assert "⚠ 3 个基地中有 1 个未满足基本要求" in text
    row = next(line for line in text.splitlines() if FERROUS in line)
    assert row.endswith("⚠ 危废全部合规")


def test_v1_compare_json_has_no_gate_keys(rubric, profiles) -> None:
    data = json.loads(compare(rubric, profiles).to_json())
    assert all("gates_not_passed" not in b and "uncapped_level" not in b for b in data["bases"])


def test_gap_view_puts_the_blocking_gate_first(table) -> None:
    report = gap(table.rubric, table.profiles[table.index(FERROUS)], 2)
    text = render_as(report, "text", "en")
    assert text.splitlines()[2] == ("⚠ Basic requirement in the way of the target: All licensed — "
                                    "required first: Licensed share at least 100 %")
    assert "required +" in text
    zh = render_as(report, "text", "zh")
    assert "⚠ 基本要求阻碍达标：危废全部合规——须首先做到：合规处置率 不低于 100 %" in zh


@pytest.fixture(scope="module")
def reports(table) -> dict[str, str]:
    pytest.importorskip("matplotlib")
    return {lang: render_report(table.rubric, table, lang=lang, target=2) for lang in ("en", "zh")}


def _section(page: str, base_id: str) -> str:
    start = page.index(f"({base_id})</span></h2>")
    end = page.find('<section class="base">', start)
    return page[start:end if end > 0 else len(page)]


def test_report_alerts_a_failed_gate_before_the_scores(reports) -> None:
    section = _section(reports["en"], FERROUS)
    assert section.index('class="alert"') < section.index('class="summary"')
    assert "Basic requirement not met: All licensed — overall capped at level 1" in section
    assert "not met" in section and "level cap if not met" in section  # the gates table
    assert "Basic requirement in the way of the target" in section  # and in the gap part
    assert 'class="alert"' not in _section(reports["en"], "lvgu-ewaste-park")


def test_report_names_categories_and_n_a_answers(reports) -> None:
    park = _section(reports["zh"], "lvgu-ewaste-park")
    assert "类型: 电子废弃物 (ewaste)" in park
    assert "对本基地不适用（不计入得分）： 水重复利用率" in html.unescape(park)
    appendix = reports["zh"][reports["zh"].index('<section class="appendix">'):]
    assert "黑色金属: 60, 90" in appendix and "仅适用于： 电子废弃物" in appendix


def test_chinese_report_and_displays_carry_no_english_prose(table, reports) -> None:
    page = re.sub(r"<(style|svg)\b.*?</\1>", "", reports["zh"], flags=re.S)
    page = re.sub(r'<img[^>]*>|<[^>]+>', " ", page)
    assert latin_words(html.unescape(page), table) == set()
    shown = [render_as(table.scorecard(b), "text", "zh") for b in table.base_ids]
    shown.append(render_as(compare(table.rubric, table), "text", "zh"))
    shown.append(render_as(gap(table.rubric, table.profiles[0], 2), "text", "zh"))
    for text in shown:
        assert latin_words(text, table) == set(), text


def test_frames_carry_categories_gate_status_and_n_a(table) -> None:
    pytest.importorskip("pandas")
    frame = table.to_dataframe()
    assert frame.loc[FERROUS, "category"] == "ferrous" and frame["category"].isna().sum() == 1
    assert frame.loc[FERROUS, "gate:all_licensed"] == "failed"
    assert frame.loc["lvgu-ewaste-park", "gate:all_licensed"] == "passed"
    assert (frame["level"] <= frame["uncapped_level"]).all()
    indicators = table.scorecard("lvgu-ewaste-park").to_dataframe()
    assert indicators.loc["water_reuse", "not_applicable"]
    assert indicators.loc["dismantling", "unit"] == "lines"
    actions = gap(table.rubric, table.profiles[table.index(FERROUS)], 2).to_dataframe()
    assert actions.loc["licensed", "required"] and actions.loc["licensed", "gate"] == "all_licensed"
    assert not actions.loc["water_reuse", "required"]


def test_v1_frames_have_no_language_2_columns(rubric, profiles) -> None:
    pytest.importorskip("pandas")
    frame = score_many(rubric, profiles).to_dataframe()
    assert not {"category", "uncapped_level"} & set(frame.columns)
    assert "not_applicable" not in score_many(rubric, profiles).scorecard(0).to_dataframe()
    assert "required" not in gap(rubric, profiles[0], 4).to_dataframe()


def test_level_zero_is_named_after_the_rubric_s_own_level_1(table, rubric) -> None:
    assert table.rubric.level_name(0, "zh") == "未达一级"
    assert rubric.level_name(0, "zh") == "未达规划级"
    for name in ("One", {"en": "One"}):  # a plain string is the same text in every language
        bare = table.rubric.model_copy(update={"levels": [{"level": 1, "name": name},
                                                          {"level": 2, "name": "Two"}]})
        assert bare.level_name(0, "zh") == "未达 1 级" and bare.level_name(0, "en") == "Below level 1"
        assert bare.level_name(1, "zh") == "One"


def test_chinese_sensitivity_names_methods_in_chinese(rubric, profiles) -> None:
    from upgrade_score import sensitivity

    report = sensitivity(rubric, profiles, seed=1, samples=200)
    text = render_as(report, "text", "zh")
    assert "加权平均/缺失计零*" in text and "肯德尔" in text
    ids = {*rubric.indicator_ids, *rubric.direction_ids, rubric.id, *(p.id for p in profiles)}
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z_-]+", text) if w not in ids}
    assert words <= {"dirichlet"}, words  # the sampling scheme's name, as given on the command line
