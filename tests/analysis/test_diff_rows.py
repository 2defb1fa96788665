"""A diff's impact built from arrays (``ImpactRows``) is the tuple of ``BaseImpact`` models it
stands for: equal to it, dumped and written as JSON byte for byte as a diff holding that tuple."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_diff import BASES, GATE, MINI, profiles, rubric, tiny

from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, RubricDiff, UpgradeScoreError, diff
from upgrade_score._analysis.diff import BaseImpact, tripped_gates
from upgrade_score._analysis.diff.impact import rounded
from upgrade_score._analysis.diff.rows import ImpactRows, _numbers, _numbers_beside
from upgrade_score._model.results import rounded_data
from upgrade_score._render.diff import render_diff


def _as_tuple(result: RubricDiff) -> RubricDiff:
    """The same diff holding the tuple of its rows' models (what diff returned before)."""
    slow = result.model_copy(update={"impact": tuple(result.impact)})
    assert not isinstance(slow.impact, ImpactRows)
    return slow


def _same(result: RubricDiff) -> None:
    assert isinstance(result.impact, ImpactRows)
    slow = _as_tuple(result)
    for indent in (None, 0, 2, 3):
        assert result.to_json(indent) == slow.to_json(indent)
    assert result.model_dump() == slow.model_dump() and result.model_dump(mode="json") == slow.model_dump(
        mode="json")
    assert result.to_dict() == slow.to_dict()
    assert result == slow and slow == result
    for options in ({"max_shift": 0.0}, {"max_shift": 1.5}, {"max_rank_change": 0}, {"max_rank_change": 1},
                    {"fail_on_level_change": True}):
        assert tripped_gates(result, **options) == tripped_gates(slow, **options)  # type: ignore[arg-type]
    for style in ("text", "markdown"):
        assert render_diff(result, style, lang="zh") == render_diff(slow, style, lang="zh")


@st.composite
def changed(draw: st.DrawFn, old: dict[str, Any]) -> dict[str, Any]:
    """``old`` with changes its profiles stay valid for: weights, the missing policy, the
    aggregation, a direction or the gates dropped, an indicator moved to another direction."""
    new = copy.deepcopy(old)
    new["version"] = "2"
    for direction in new["directions"]:
        if draw(st.booleans()):
            direction["weight"] = draw(st.sampled_from([0.5, 1, 4]))
    if draw(st.booleans()):
        new["missing"] = draw(st.sampled_from(["zero", "exclude"]))
    if draw(st.booleans()):
        new["aggregation"] = draw(st.sampled_from(["arithmetic", "geometric", "weakest"]))
    if len(new["directions"]) > 1 and draw(st.booleans()):
        gone = new["directions"].pop(draw(st.integers(1, len(new["directions"]) - 1)))
        kept = {i["id"] for d in new["directions"] for i in d["indicators"]}
        new["gates"] = [g for g in new.get("gates", []) if g["indicator"] in kept
                        and g.get("scope", "overall") != gone["id"]] or None
    if new.get("gates") and draw(st.booleans()):
        new["gates"] = new["gates"][:-1] or None
    if len(new["directions"]) > 1 and len(new["directions"][-1]["indicators"]) > 1 and draw(st.booleans()):
        new["directions"][0]["indicators"].append(new["directions"][-1]["indicators"].pop())
    if new.get("gates") is None:
        new.pop("gates", None)
    return new


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rows_from_arrays_are_the_models_byte_for_byte(data: st.DataObject) -> None:
    old = data.draw(rubrics_v2())
    new = data.draw(changed(old))
    group = [data.draw(profiles_for(old)) for _ in range(data.draw(st.integers(1, 6)))]
    for n, profile in enumerate(group):
        profile["base"]["id"] = f"b{(n * 7) % 10}x{n}"
    try:
        result = diff(Rubric.model_validate(old), Rubric.model_validate(new),
                      [BaseProfile.model_validate(p) for p in group])
    except UpgradeScoreError:
        return  # a profile the changed rubric refuses (e.g. a category's last direction removed)
    _same(result)


def test_rows_of_the_examples_with_gates_and_na() -> None:
    _same(diff(rubric(), rubric(lambda d: d["directions"][1].update(weight=0.2)), profiles(20)))
    with_gate = tiny(lambda d: d.update(gates=[GATE]))
    moved = tiny(lambda d: (d.update(gates=[{**GATE, "at_least": 90}]),
                            d["directions"][0]["indicators"][1].update(allow_na=True)))
    _same(diff(with_gate, moved, BASES))
    _same(diff(tiny(), with_gate, BASES))


def test_rows_index_slice_and_compare_as_a_tuple() -> None:
    result = diff(rubric(), rubric(lambda d: d["directions"][1].update(weight=0.2)), profiles(5))
    rows = result.impact
    assert isinstance(rows, ImpactRows) and len(rows) == 5 and repr(rows) == "ImpactRows(5 bases)"
    models = tuple(rows)
    assert all(isinstance(row, BaseImpact) for row in models)
    assert rows[-1] == models[4] and rows[0] is rows[0]  # built once, then kept
    assert rows[1:3] == models[1:3] and rows[::-2] == models[::-2] and rows[:] is rows
    assert rows[1:3][1] == models[2] and len(rows[5:]) == 0
    assert rows == models and models == rows and rows != models[:4] and rows != "abcde"
    with pytest.raises(IndexError):
        rows[5]
    assert json.loads(result.to_json())["impact"][0]["base"] == models[0].base == result.max_shift_base


def test_a_diff_built_from_its_json_equals_it() -> None:
    result = diff(rubric(), rubric(lambda d: d["directions"][0].update(weight=3)), profiles(4))
    again = RubricDiff.model_validate(json.loads(result.to_json()))
    assert isinstance(again.impact, tuple) and len(again.impact) == 4  # (floats rounded: not equal)
    with warnings.catch_warnings():  # pydantic 2.5 warned of a tuple where a Sequence is dumped
        warnings.simplefilter("error")
        assert again.to_json() == result.to_json()
        dumped, plain = again.model_dump(), again.model_dump(mode="json")
    assert isinstance(dumped["impact"], tuple) and isinstance(plain["impact"], list)
    assert [row["base"] for row in plain["impact"]] == [row.base for row in result.impact]


def test_a_rubric_text_holding_the_marker_is_written_the_slow_way() -> None:
    data = copy.deepcopy(MINI)
    data["version"] = "1\x00impact rows\x00"
    result = diff(rubric(), Rubric.model_validate(data), profiles(3))
    assert result.to_json() == _as_tuple(result).to_json()


def test_the_impact_frame_from_arrays_is_the_frame_of_the_models() -> None:
    pd = pytest.importorskip("pandas")
    result = diff(tiny(), tiny(lambda d: d.update(gates=[GATE])), BASES)
    frame = result.to_dataframe()
    pd.testing.assert_frame_equal(frame, _as_tuple(result).to_dataframe())
    assert frame.loc["b1", "old_level"] == 1 and frame.index.name == "base"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.floats(-1e3, 1e3),
                          st.integers(-10**9, 10**9).map(lambda k: k / 1e6),
                          st.integers(-10**8, 10**8).map(lambda k: (k + 0.5) / 1e6),  # ties
                          st.sampled_from([0.0, -0.0, 5e-7, -5e-7, 2e-4, 1e-4, 0.0001235, 999999999.9999996,
                                           1e9, 1e16, 0.1 + 0.2, 2.5e-7, 1.0000005])), max_size=30))
def test_numbers_are_written_as_rounded_data_and_json_write_them(values: list[float]) -> None:
    expected = [json.dumps(rounded) for rounded in rounded_data(values)]
    assert _numbers(np.array(values, dtype=np.float64)) == expected


def test_numbers_beside_known_ones_take_their_texts_hand_checked() -> None:
    """A value equal to its known one, missing alike, takes the known text (0.0 and -0.0 too);
    the others are written (a value missing here only, a NaN, a new number)."""
    known, known_missing = np.array([1.5, 2.0, 2.5, np.nan, 0.0]), np.array([0, 0, 0, 1, 0], dtype=bool)
    texts = ["1.5", "2.0", "2.5", "null", "0.0"]
    values, missing = np.array([1.5, 2.0, 3.0, np.nan, -0.0]), np.array([0, 1, 0, 1, 0], dtype=bool)
    beside = (known, known_missing)
    assert _numbers_beside(values, missing, *beside, ["K"] * 5) == ["K", "null", "3.0", "null", "K"]
    assert _numbers_beside(values, missing, *beside, texts) == ["1.5", "null", "3.0", "null", "0.0"]
    assert _numbers_beside(values + 1, missing, *beside, ["K"] * 5) == [
        "2.5", "null", "4.0", "null", "1.0"]  # (most rows differ: all written)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 200), st.floats(0, 1e300),
                          st.integers(0, 10**11).map(lambda k: (k + 0.5) / 1e9),  # halves
                          st.integers(0, 10**11).map(lambda k: k / 1e9)), max_size=30))
def test_shifts_are_rounded_as_python_rounds_them(values: list[float]) -> None:
    assert rounded(np.array(values, dtype=np.float64), 9).tolist() == [round(x, 9) for x in values]


def test_json_in_parts_is_the_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from upgrade_score._analysis.diff import rows as rows_module

    result = diff(rubric(), rubric(lambda d: d["directions"][1].update(weight=0.2)), profiles(5))
    slow = _as_tuple(result)
    monkeypatch.setattr(rows_module, "PART_ROWS", 2)
    for indent in (None, 0, 2):
        parts = list(result.json_parts(indent))
        assert len(parts) == 9  # the head, "[", 3 parts of rows and 2 separators, "]", the tail
        assert "".join(parts) == slow.to_json(indent) == result.to_json(indent)
    assert list(slow.json_parts()) == [slow.to_json()]
