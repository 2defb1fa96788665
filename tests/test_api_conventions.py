"""One convention for every entry point of the public API: rubrics as a Rubric, an id or a path;
one base in every documented form; every bad argument an UpgradeScoreError; the same argument
order for the writers; to_dict/to_json/to_dataframe on every result; read-only arrays; short
reprs; ids that index a DataFrame; profiles as a DataFrame; missing extras named."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import upgrade_score as us
from upgrade_score import BaseProfile, Rubric, UpgradeScoreError
from v1 import V1, V1_BASES, V1_PATH

# the golden v1 behaviour, like the `rubric` and `profiles` fixtures (tests/v1.py)
RUBRIC_FILE = V1_PATH
EXAMPLES = V1_BASES
HUB = EXAMPLES / "scrap_metal_hub.yaml"


def test_diff_and_lint_take_a_rubric_id_or_path_like_the_others(rubric: Rubric,
                                                                profiles: tuple[BaseProfile, ...]) -> None:
    by_object = us.diff(rubric, rubric, list(profiles))
    assert us.diff(V1, RUBRIC_FILE, EXAMPLES).to_json() == by_object.to_json()
    assert us.diff(str(RUBRIC_FILE), rubric, [str(HUB)]).impact[0].base == "jinhe-scrap-metal-hub"
    assert [f.id for f in us.lint(V1)] == [f.id for f in us.lint(rubric)]
    assert all(f.file == str(RUBRIC_FILE) for f in us.lint(RUBRIC_FILE))


def test_one_base_may_be_a_dict_a_document_or_a_series(rubric: Rubric) -> None:
    pd = pytest.importorskip("pandas")
    profile = us.load_profile(HUB)
    values = {key: profile.value(key) for key in profile.values}
    expected = us.score(rubric, profile).to_dict()
    as_dict = us.score(rubric, values).to_dict()
    assert as_dict["directions"] == expected["directions"] and as_dict["base"]["id"] == "base"
    document = {"base": {"id": profile.id}, "values": values}
    assert us.score(rubric, document).to_dict()["overall"] == expected["overall"]
    series = pd.Series(values, name=profile.id)
    assert us.score(rubric, series).to_dict()["overall"] == expected["overall"]
    with_nan = pd.Series({**values, "rd_intensity": np.nan, "renewable_energy_share": np.float64(12.5)},
                         name=profile.id)
    assert us.score(rubric, with_nan).indicators["rd_intensity"].value is None
    gap = us.gap(rubric, series, 3)
    assert gap.to_dict()["actions"] == us.gap(rubric, HUB, 3).to_dict()["actions"]
    with pytest.raises(UpgradeScoreError) as info:
        us.score(rubric, {"renewable_energy_share": "lots"})
    assert str(info.value).startswith("profile: values.renewable_energy_share: must be a number")


JUNK: list[Any] = [42, 3.5, object(), b"bytes", [object()], {"x": object()}, True]


def _calls(rubric: Rubric, profiles: tuple[BaseProfile, ...],
           tmp: Path) -> list[tuple[str, Callable[[Any], Any]]]:
    table = us.score_many(rubric, profiles)
    return [
        ("load_rubric", lambda x: us.load_rubric(x)),
        ("load_profile", lambda x: us.load_profile(x)),
        ("load_profiles", lambda x: us.load_profiles(x)),
        ("score.rubric", lambda x: us.score(x, profiles[0])),
        ("score.profile", lambda x: us.score(rubric, x)),
        ("score_many.rubric", lambda x: us.score_many(x, profiles)),
        ("score_many.data", lambda x: us.score_many(rubric, x)),
        ("gap.profile", lambda x: us.gap(rubric, x, 3)),
        ("gap.target", lambda x: us.gap(rubric, profiles[0], x)),
        ("compare.data", lambda x: us.compare(rubric, x)),
        ("diff.old", lambda x: us.diff(x, rubric)),
        ("diff.profiles", lambda x: us.diff(rubric, rubric, x)),
        ("lint", lambda x: us.lint(x)),
        ("sensitivity.data", lambda x: us.sensitivity(rubric, x, samples=50, seed=1)),
        ("write_template.path", lambda x: us.write_template(rubric, x)),
        ("write_report.path", lambda x: us.write_report(rubric, x, profiles[:1])),
        ("table.scorecard", lambda x: table.scorecard(x)),
    ]


def test_every_bad_argument_is_an_upgrade_score_error(tmp_path: Path, rubric: Rubric,
                                                      profiles: tuple[BaseProfile, ...]) -> None:
    pytest.importorskip("matplotlib")
    wrong: list[str] = []
    for name, call in _calls(rubric, profiles, tmp_path):
        for junk in JUNK:
            try:
                call(junk)
            except UpgradeScoreError as exc:
                assert "\n" not in str(exc)
            except Exception as exc:
                wrong.append(f"{name}({junk!r}): {type(exc).__name__}: {exc}")
            else:
                if not (name == "gap.target" and junk is True):
                    wrong.append(f"{name}({junk!r}) was accepted")
    assert wrong == []


def test_write_report_and_write_template_take_rubric_then_path(tmp_path: Path, rubric: Rubric,
                                                               profiles: tuple[BaseProfile, ...]) -> None:
    pytest.importorskip("matplotlib")
    written = us.write_report(rubric, tmp_path / "r.html", profiles[:1], target=3)
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert us.write_template(rubric, tmp_path / "t.csv").is_file()
    with pytest.raises(UpgradeScoreError) as info:
        us.write_report(tmp_path / "old.html", rubric, profiles[:1])  # type: ignore[arg-type]
    assert str(info.value) == ("write_report: the arguments are (rubric, path, data), in the order "
                               "of write_template; the path came first (the order of upgrade-score "
                               "0.1): write write_report(rubric, 'report.html', data)")
    assert not (tmp_path / "old.html").exists()


def _results(rubric: Rubric, profiles: tuple[BaseProfile, ...]) -> dict[str, Any]:
    return {
        "Scorecard": us.score(rubric, profiles[0]),
        "ScoreTable": us.score_many(rubric, profiles),
        "Comparison": us.compare(rubric, list(profiles)),
        "GapReport": us.gap(rubric, profiles[0], 3),
        "RubricDiff": us.diff(rubric, rubric, list(profiles)),
        "SensitivityReport": us.sensitivity(rubric, list(profiles), samples=200, seed=1),
    }


def test_every_result_has_to_dict_to_json_and_to_dataframe(rubric: Rubric,
                                                           profiles: tuple[BaseProfile, ...]) -> None:
    pytest.importorskip("pandas")
    for name, result in _results(rubric, profiles).items():
        data = result.to_dict()
        assert isinstance(data, dict), name
        text = result.to_json()
        assert json.loads(text) == json.loads(json.dumps(data)), name
        assert result.to_json() == text, name  # deterministic
        frame = result.to_dataframe()
        rows = (len(rubric.indicators) if name == "Scorecard" else len(result.actions)
                if name == "GapReport" else len(profiles))
        assert len(frame) == rows, name
    table = us.score_many(rubric, profiles)
    assert [base["base"]["id"] for base in table.to_dict()["bases"]] == list(table.base_ids)
    assert table.to_dict()["rubric"] == {"id": rubric.id, "version": rubric.version, "sha256": rubric.sha256}
    directions = [d.model_copy(update={"weight": 3.0}) if d.id == "high_value" else d
                  for d in rubric.directions]
    heavier = rubric.model_copy(update={"directions": tuple(directions)})
    changes = us.diff(rubric, heavier, list(profiles)).to_dataframe("changes")
    assert changes[["kind", "target", "old", "new"]].values.tolist() == [
        ["weight_changed", "high_value", 1.0, 3.0]]


def test_result_arrays_are_read_only(rubric: Rubric, profiles: tuple[BaseProfile, ...]) -> None:
    table = us.score_many(rubric, profiles)
    before = table.scorecard(0).to_json()
    with pytest.raises(ValueError, match="read-only"):
        table.overall[0] = 100.0
    with pytest.raises(ValueError, match="read-only"):
        table.directions[0, 0] = 100.0
    assert table.scorecard(0).to_json() == before
    comparison = us.compare(rubric, list(profiles))
    for owner in (table, table.scores, comparison):
        for name in dir(owner):
            value = getattr(owner, name, None)
            if isinstance(value, np.ndarray):
                assert not value.flags.writeable, f"{type(owner).__name__}.{name} is writeable"


def test_reprs_are_one_short_line(rubric: Rubric, profiles: tuple[BaseProfile, ...]) -> None:
    objects: list[Any] = [rubric, rubric.directions[0], rubric.indicators[0], rubric.levels[0],
                          profiles[0], profiles[0].base, *_results(rubric, profiles).values()]
    card = objects[-6]
    objects += [card.overall, next(iter(card.directions.values())), next(iter(card.indicators.values()))]
    for obj in objects:
        text = repr(obj)
        assert len(text) <= 200 and "\n" not in text, text[:300]
    assert repr(rubric) == "<Rubric urban-mining-upgrade 2026.1: 6 directions, 35 indicators>"
    assert repr(us.score(rubric, HUB)) == ("<Scorecard jinhe-scrap-metal-hub: overall 57.0, level 2, "
                                          "rubric urban-mining-upgrade 2026.1>")


def test_rubric_ids_index_a_dataframe(rubric: Rubric, profiles: tuple[BaseProfile, ...]) -> None:
    pytest.importorskip("pandas")
    frame = us.score_many(rubric, profiles).to_dataframe()
    assert frame[rubric.direction_ids].shape == (len(profiles), len(rubric.directions))
    values = us.profiles_frame(profiles, rubric)
    assert list(values[rubric.indicator_ids].columns) == rubric.indicator_ids
    assert rubric.indicator_ids is not rubric.indicator_ids  # a new list each time: nothing shared


def test_profiles_frame_scores_like_the_profiles(rubric: Rubric, profiles: tuple[BaseProfile, ...]) -> None:
    pytest.importorskip("pandas")
    frame = us.profiles_frame(profiles, rubric)
    assert frame.index.name == "id" and list(frame.index) == [p.id for p in profiles]
    assert list(frame.columns[:4]) == ["name", "year", "region", "category"]
    from_frame = us.score_many(rubric, frame)
    direct = us.score_many(rubric, profiles)
    np.testing.assert_array_equal(from_frame.overall, direct.overall)
    np.testing.assert_array_equal(from_frame.directions, direct.directions)
    assert list(from_frame.base_ids) == list(direct.base_ids)
    loose = us.profiles_frame(profiles)  # without a rubric: the ids reported, first seen first
    assert set(loose.columns) - {"name", "year", "region", "category"} == {
        key for profile in profiles for key in profile.values}


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_profiles_frame_round_trip_property(rubric: Rubric, data: st.DataObject) -> None:
    pytest.importorskip("pandas")
    chosen: list[BaseProfile] = []
    for n in range(data.draw(st.integers(1, 4))):
        values: dict[str, Any] = {}
        for indicator in rubric.indicators:
            if not data.draw(st.booleans()):
                continue
            if indicator.kind == "boolean":
                values[indicator.id] = data.draw(st.booleans())
            elif indicator.kind == "qualitative":
                values[indicator.id] = data.draw(st.integers(0, rubric.level_count))
            else:
                low, high = indicator.valid_range or (-1e6, 1e6)
                values[indicator.id] = data.draw(st.floats(low, high, allow_nan=False))
        chosen.append(BaseProfile.model_validate({"base": {"id": f"b{n}"}, "values": values}))
    table = us.score_many(rubric, us.profiles_frame(chosen, rubric))
    direct = us.score_many(rubric, chosen)
    np.testing.assert_array_equal(table.overall, direct.overall)
    np.testing.assert_array_equal(table.completeness, direct.completeness)


def test_a_missing_extra_is_an_import_error_naming_it(monkeypatch: pytest.MonkeyPatch, rubric: Rubric,
                                                      profiles: tuple[BaseProfile, ...]) -> None:
    table = us.score_many(rubric, profiles)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"install upgrade-score\[pandas\]") as info:
        table.to_dataframe()
    assert isinstance(info.value, us.MissingExtraError) and isinstance(info.value, UpgradeScoreError)
    assert not math.isnan(float(table.overall[0]))
