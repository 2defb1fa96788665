"""diff between a rubric that takes an indicator as reported and one that computes it by formula:
each base gets the computed value under both, so the move from reporting a ratio to computing it
from its parts shifts nobody (``computed`` says which indicators)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from upgrade_score import BaseProfile, Rubric, diff, score
from upgrade_score._render.diff import render_diff

LEVELS = [{"level": 1, "name": {"zh": "一级", "en": "One"}},
          {"level": 2, "name": {"zh": "二级", "en": "Two"}}]


def reported() -> Rubric:
    """``intensity`` reported (tce per 10k CNY), ``share`` reported."""
    return Rubric.model_validate({
        "id": "r", "version": "1", "title": "R", "levels": LEVELS,
        "directions": [{"id": "d", "name": "D", "indicators": [
            {"id": "intensity", "name": "I", "better": "lower", "thresholds": [2, 1], "floor": 3,
             "valid_range": [0, 10]},
            {"id": "share", "name": "S", "thresholds": [20, 60], "floor": 0, "valid_range": [0, 100]}]}]})


def computed() -> Rubric:
    """The same indicators, ``intensity`` now ``energy / value_added``."""
    data: dict[str, Any] = reported().model_dump(mode="json", exclude_none=True)
    data["version"] = "2"
    data["inputs"] = [{"id": "energy", "name": "E"}, {"id": "value_added", "name": "V"}]
    data["directions"][0]["indicators"][0]["formula"] = "energy / value_added"
    data["directions"][0]["indicators"][0]["valid_range"] = [0, 100]
    return Rubric.model_validate(data)


def base(base_id: str, energy: float, value_added: float, share: float) -> BaseProfile:
    return BaseProfile.model_validate({"base": {"id": base_id},
                                       "values": {"energy": energy, "value_added": value_added,
                                                  "share": share}})


def test_a_value_the_new_rubric_computes_is_given_to_the_old_one() -> None:
    bases = [base("a", 150, 100, 40), base("b", 500, 1000, 60)]  # intensity 1.5 and 0.5
    result = diff(reported(), computed(), bases)
    assert result.computed == {"old": ("intensity",), "new": ()}
    assert [row.shift for row in result.impact] == [0.0, 0.0]
    # by hand: a = mean(level 1.5 of 2, level 1.5 of 2) = 75; b = mean(2, 2) = 100
    assert {row.base: row.old for row in result.impact} == pytest.approx({"a": 75.0, "b": 100.0})
    assert score(computed(), bases[0]).overall.score == pytest.approx(75.0)
    assert "energy" in result.ignored["old"] and "intensity" not in result.ignored["old"]
    text = render_diff(result, "text")
    assert ("Values computed by the other rubric: old rubric takes intensity as the other computes "
            "them.") in text
    assert "取自另一评价体系计算结果的数值：原评价体系的 intensity 采用另一评价体系按公式计算的值。" in (
        render_diff(result, "text", lang="zh"))


def test_and_the_other_way_round() -> None:
    bases = [BaseProfile.model_validate({"base": {"id": "a"},
                                         "values": {"energy": 150, "value_added": 100, "share": 40}})]
    result = diff(computed(), reported(), bases)
    assert result.computed == {"old": (), "new": ("intensity",)} and result.impact[0].shift == 0.0


def test_a_computed_value_outside_the_old_range_stays_missing() -> None:
    bases = [base("a", 5000, 100, 40)]  # intensity 50, outside the old valid range [0, 10]
    result = diff(reported(), computed(), bases)
    # old: intensity missing (level 0) and share 40 → level 1.5: (0 + 0.75) / 2 = 37.5
    assert result.impact[0].old == pytest.approx(37.5)


def test_diffs_without_formulas_on_either_side_keep_their_json() -> None:
    plain = BaseProfile.model_validate({"base": {"id": "a"}, "values": {"intensity": 1.5, "share": 40}})
    data = json.loads(diff(reported(), reported(), [plain]).to_json())
    assert "computed" not in data and data["impact"][0]["shift"] == 0.0
