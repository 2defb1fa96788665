"""Rich display: ``_repr_html_`` for notebooks and ``str()`` for terminals, in English and Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import upgrade_score as us
from upgrade_score import (
    BaseProfile,
    Scorecard,
    Target,
    UpgradeScoreError,
    compare,
    gap,
    score,
    score_many,
    set_display_language,
)
from upgrade_score._model.results import RubricRef
from v1 import V1_BASES

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
VOID = {"br", "img", "meta", "hr", "input", "link", "col", "wbr"}


class Balance(HTMLParser):
    """Checks that every element is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_formed(markup: str) -> str:
    """Assert the HTML fragment is balanced; return its visible text."""
    parser = Balance()
    parser.feed(markup)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    return " ".join(parser.text)


@pytest.fixture(autouse=True)
def english_display():
    set_display_language("en")
    yield
    set_display_language("en")


def test_scorecard_html_and_text(rubric, profiles):
    card = score(rubric, profiles[3])  # Jinhe: overall 57.0, level 2, balanced level 1
    text = well_formed(card._repr_html_())
    assert "Jinhe Scrap-Metal Hub (jinhe-scrap-metal-hub)" in text
    assert "Overall 57.0 / 100 · level 2 Standardised · balanced level 1 Planning" in text
    assert "Low-carbon development" in text and "21.9" in text and "1 Planning" in text
    assert "<details>" in card._repr_html_()  # the indicator table folds away
    plain = str(card)
    assert plain.startswith("Jinhe Scrap-Metal Hub (jinhe-scrap-metal-hub)\n")
    assert re.search(r"\nlow_carbon +Low-carbon development +21\.9  1 Planning +100 %\n", plain)
    assert "IndicatorResult(" not in plain and "<" not in plain


def test_chinese_labels(rubric, profiles):
    card = score(rubric, profiles[3])
    text = well_formed(card.to_html(lang="zh"))
    assert "金河再生金属产业园" in text and "2 规范级" in text and "低碳化发展" in text
    assert "总分 57.0 / 100" in text
    assert "集成级" in str(rubric.to_html(lang="zh"))
    set_display_language("zh")
    assert "2 规范级" in str(card) and "2 规范级" in card._repr_html_()
    with pytest.raises(UpgradeScoreError, match="lang"):
        set_display_language("fr")  # type: ignore[arg-type]
    with pytest.raises(UpgradeScoreError, match="lang"):
        card.to_html(lang="de")  # type: ignore[arg-type]


def test_score_table_and_comparison(rubric, profiles):
    table = score_many(rubric, profiles)
    assert repr(table) == "<ScoreTable: 4 bases × 6 directions, rubric urban-mining-upgrade 2026.1>"
    text = well_formed(table._repr_html_())
    assert "Chenghu Circular Economy Park" in text and "95.6" in text and "4 Optimised" in text
    assert 'title="chenghu-circular-economy-park"' in table._repr_html_()  # names shown, ids on hover
    assert "chenghu-circular-economy-park" in str(table)
    result = compare(rubric, profiles)
    assert repr(result).startswith("<Comparison of 4 bases sorted by overall")
    rows = str(result).splitlines()[4:]
    assert [row.split()[1] for row in rows] == [table.base_ids[r] for r in result.order]
    html = result._repr_html_()
    well_formed(html)
    assert html.index("Chenghu") < html.index("Qinglan") < html.index("Jinhe") < html.index("Songxi")
    by_green = compare(rubric, profiles, sort_by="green").to_html(lang="zh")
    assert "排序依据 绿色化发展" in by_green


def test_long_tables_show_head_and_tail(rubric):
    values = np.full((100, len(rubric.indicator_ids)), np.nan)
    table = score_many(rubric, values)
    text = well_formed(table._repr_html_())
    assert "row-1" in text and "row-20" in text and "row-21" not in text.split()
    assert "row-100" in text and "70 more" in text
    assert len(str(table).splitlines()) < 40


def test_gap_report(rubric, profiles):
    report = gap(rubric, profiles[0], Target(level=3))
    html = report._repr_html_()
    text = well_formed(html)
    assert "Gap report: Songxi Mixed Recycling Base" in text
    assert "level 3 Integrated in every direction" in text and "target not met" in text
    first = rubric.indicator(report.actions[0].indicator).name.en
    assert first in text and f"+{report.actions[0].gain:.1f}" in text
    assert f"Plan: {len(report.plan)} action(s) reach the target" in text
    assert "25 more" in text  # 35 actions, 10 shown
    plain = str(report)
    assert "deficit" in plain and first in plain
    zh = str(gap(rubric, profiles[0], Target(level=3)).to_html(lang="zh"))
    assert "差距分析" in zh and "未达到目标" in zh and "未填报" in zh  # a missing value


def test_met_gap_report_lists_no_actions(rubric, profiles):
    report = gap(rubric, profiles[2], Target(level=1))
    text = well_formed(report._repr_html_())
    assert "target met" in text and "Plan:" not in text and "Top actions" not in text


def test_rubric_display(rubric):
    text = well_formed(rubric._repr_html_())
    assert "Urban-mining base upgrade maturity (urban-mining-upgrade 2026.1)" in text
    assert "5 levels · 6 directions · 35 indicators" in text
    plain = str(rubric)
    assert "Integrated" in plain and "high_value" in plain and "17 %" in plain
    assert "Rubric(id=" not in plain
    assert repr(rubric) == "<Rubric urban-mining-upgrade 2026.1: 6 directions, 35 indicators>"  # one line


def test_text_is_escaped_in_html(rubric):
    profile = BaseProfile.model_validate({"base": {"id": "x", "name": {"en": "<script>alert(1)</script>"}},
                                         "values": {}})
    html = score(rubric, profile)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_results_find_their_rubric(rubric, profiles):
    card = score(rubric, profiles[3])
    copy = Scorecard.model_validate(card.model_dump())  # e.g. read back from JSON
    assert "2 Standardised" in copy._repr_html_()
    # a custom rubric that is no longer known: levels as numbers, ids for names
    unknown = card.model_copy(update={"rubric": RubricRef(id="gone", version="1", sha256="0" * 64)})
    text = well_formed(unknown._repr_html_())
    assert "level 2 · balanced level 1" in text and "low_carbon" in text
    # a rubric passed explicitly must be the one the result was computed with
    other = us.Rubric.model_validate({**rubric.model_dump(), "version": "other"})
    with pytest.raises(UpgradeScoreError, match="not the rubric this result was computed with"):
        card.to_html(rubric=other)


def test_custom_rubrics_are_remembered(rubric, profiles):
    data = rubric.model_dump()
    data["levels"][1]["name"] = {"en": "Tidy"}
    custom = us.Rubric.model_validate(data)
    card = score(custom, profiles[3])
    assert "2 Tidy" in card._repr_html_()
    assert "2 Tidy" in card.to_html(rubric=custom)


# --- displays of large rubrics grow linearly ----------------------------------------------------

def wide_rubric(rubric, per_direction: int):
    """The default rubric with ``per_direction`` copies of each direction's first indicator."""
    from upgrade_score import Rubric

    data = rubric.model_dump(mode="json", exclude_none=True)
    for d, direction in enumerate(data["directions"]):
        first = direction["indicators"][0]
        direction["indicators"] = [{**first, "id": f"{direction['id']}_{k}",
                                    "name": {"en": f"Indicator {d}.{k}", "zh": f"指标 {d}.{k}"}}
                                   for k in range(per_direction)]
    data.pop("gates", None)
    return Rubric.model_validate(data)


WHOLE_RUBRIC_ACCESSORS = [  # each of these costs O(indicators) per call
    ("upgrade_score._engine.compile.CompiledRubric", name)
    for name in ("indicator_shares", "within_shares", "direction_weight_sums", "overall_shares")
] + [("upgrade_score._model.rubric.Rubric", name)
     for name in ("indicators", "indicator_ids", "direction_ids", "indicator")]


def accessor_calls(monkeypatch, show) -> int:
    """How often ``show()`` reaches a whole-rubric accessor (each call walks every indicator)."""
    import importlib

    calls = [0]

    def counted(function):
        def wrapper(*args, **kwargs):
            calls[0] += 1
            return function(*args, **kwargs)
        return wrapper

    with monkeypatch.context() as patch:
        for where, name in WHOLE_RUBRIC_ACCESSORS:
            module, cls_name = where.rsplit(".", 1)
            cls = getattr(importlib.import_module(module), cls_name)
            found = cls.__dict__[name]
            patch.setattr(cls, name, property(counted(found.fget)) if isinstance(found, property)
                          else counted(found))
        show()
    return calls[0]


@pytest.mark.parametrize("show", ["text", "html", "card text", "card html"])
def test_displays_of_a_large_rubric_walk_it_a_fixed_number_of_times(rubric, monkeypatch, show):
    """str(rubric), _repr_html_ and scorecards were quadratic in the indicators (an O(M)
    accessor per row: 20,000 indicators took 34 s); now the whole-rubric accessors are called as
    often for 60 indicators as for 600, so the work per row is constant."""
    counts = []
    for per_direction in (10, 100):
        wide = wide_rubric(rubric, per_direction)
        wide.compiled  # noqa: B018 - compiled once, outside what is counted
        card = score(wide, BaseProfile.model_validate({"base": {"id": "b"}, "values": {}}))
        target = {"text": wide.to_text, "html": wide._repr_html_,
                  "card text": card.to_text,
                  "card html": card._repr_html_}[show]
        counts.append(accessor_calls(monkeypatch, target))
    assert counts[0] == counts[1], counts
