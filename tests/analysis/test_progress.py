"""Progress of bases over the years (design point 15): hand-computed series, changes, targets and
projections through the whole API, the JSON shape, "most improved", and a linear property."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score import BaseProfile, Rubric, Target, UpgradeScoreError, load_rubric
from upgrade_score._analysis.progress import progress
from upgrade_score._analysis.projection import Projection

# Two directions of one indicator each, thresholds 20..100 from a floor of 0: a direction's score
# is its indicator's value, and the overall score is the mean of the two (levels: cutoffs 20k).
TINY = """
id: tiny
version: "1"
title: Tiny
levels: [{level: 1, name: One}, {level: 2, name: Two}, {level: 3, name: Three}, {level: 4, name: Four},
         {level: 5, name: Five}]
directions:
  - id: a
    name: A
    indicators:
      - {id: x, name: X, thresholds: [20, 40, 60, 80, 100], floor: 0, valid_range: [0, 100]}
  - id: b
    name: B
    indicators:
      - {id: y, name: Y, thresholds: [20, 40, 60, 80, 100], floor: 0, valid_range: [0, 100]}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Rubric:
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return load_rubric(path)


def base(base_id: str, year: int, x: float, y: float) -> BaseProfile:
    return BaseProfile.model_validate({"base": {"id": base_id, "year": year}, "values": {"x": x, "y": y}})


def test_scores_changes_and_projections_by_hand(tiny: Rubric) -> None:
    # a: 40, 45, 50 → level 3 (60) at 5 a year: 2027.  b: 70, 65, 61 → already at 60: reached
    # since 2023.  overall: 55, 55, 55.5 → slope 0.25, 55.33 in 2025: 60 in 2025 + 18.67 → 2044.
    panel = [base("p", 2023, 40, 70), base("p", 2024, 45, 65), base("p", 2025, 50, 61)]
    result = progress(tiny, panel, Target(level=3))
    (item,) = result.bases
    assert item.years == (2023, 2024, 2025)
    a, b = item.directions["a"], item.directions["b"]
    assert a.scores == pytest.approx((40, 45, 50)) and a.levels == (2, 2, 2)
    assert a.change_since_first == pytest.approx(10) and a.change_since_previous == pytest.approx(5)
    assert a.target_score == 60 and a.target_level == 3
    assert a.projection == Projection("on_track", 2027)
    assert b.projection == Projection("reached", 2023)
    assert b.change_since_first == pytest.approx(-9) and b.change_since_previous == pytest.approx(-4)
    assert item.overall.scores == pytest.approx((55, 55, 55.5))
    assert item.overall.projection == Projection("on_track", 2044)


def test_flat_falling_and_single_year(tiny: Rubric) -> None:
    panel = [base("flat", 2022, 30, 50), base("flat", 2024, 30, 45), base("one", 2024, 10, 10)]
    result = progress(tiny, panel, Target(level=3), order="base")
    flat, one = result.bases
    assert flat.directions["a"].projection == Projection("not_on_track", None)
    assert flat.directions["b"].projection == Projection("not_on_track", None)
    assert one.directions["a"].projection == Projection("not_on_track", None)
    assert one.directions["a"].change_since_first is None
    assert one.directions["a"].change_since_previous is None
    assert result.not_on_track() == [("flat", "overall"), ("flat", "a"), ("flat", "b"),
                                     ("one", "overall"), ("one", "a"), ("one", "b")]


def test_only_the_last_three_years_are_fitted(tiny: Rubric) -> None:
    scores = [90, 80, 40, 45, 50]  # all five fall; the last three rise 5 a year
    panel = [base("p", 2020 + k, s, 0) for k, s in enumerate(scores)]
    (item,) = progress(tiny, panel, Target(levels={"a": 3})).bases
    assert item.directions["a"].projection == Projection("on_track", 2026)
    assert item.directions["b"].projection is None and item.directions["b"].target_score is None
    assert item.overall.projection is None  # levels per direction only: no overall target


def test_fractional_crossing_rounds_up(tiny: Rubric) -> None:
    # slope 5, line at 49.67 in 2025: 60 at 2027.07 → 2028
    panel = [base("p", 2023, 40, 0), base("p", 2024, 44, 0), base("p", 2025, 50, 0)]
    (item,) = progress(tiny, panel, Target(level=3)).bases
    assert item.directions["a"].projection == Projection("on_track", 2028)


def test_target_score_and_default_target(tiny: Rubric) -> None:
    panel = [base("p", 2023, 10, 30), base("p", 2024, 30, 30)]
    (item,) = progress(tiny, panel, Target(score=25)).bases
    assert item.overall.target_score == 25 and item.overall.target_level == 1
    assert item.overall.projection == Projection("reached", 2024)  # 20 → 30
    # default: the next level above the latest balanced level (1 → 2, cutoff 40)
    (item,) = progress(tiny, panel).bases
    assert {s.target_score for s in item.series().values()} == {40}
    assert item.directions["a"].projection == Projection("on_track", 2025)  # 20 a year: 30 → 50


def test_json_shape(tiny: Rubric) -> None:
    panel = [base("p", 2023, 40, 70), base("p", 2024, 45, 65)]
    (data,) = json.loads(progress(tiny, panel, "3").to_json())
    assert set(data) == {"base", "years", "overall", "directions"}
    assert data["base"] == {"id": "p", "year": 2024} and data["years"] == [2023, 2024]
    assert set(data["directions"]) == {"a", "b"}
    a = data["directions"]["a"]
    assert set(a) == {"scores", "levels", "change_since_first", "change_since_previous", "projection",
                      "target"}
    assert a["scores"] == {"2023": 40.0, "2024": 45.0} and a["levels"] == {"2023": 2, "2024": 2}
    assert a["projection"] == {"status": "on_track", "year": 2027}
    assert a["target"] == {"level": 3, "score": 60.0}
    # overall 55 in both years (40+70, 45+65): flat, not on track
    assert data["overall"]["projection"] == {"status": "not_on_track", "year": None}
    assert data["overall"]["change_since_first"] == 0.0


def test_most_improved_order(tiny: Rubric) -> None:
    panel = [base("slow", 2023, 10, 10), base("slow", 2024, 12, 12),
             base("fast", 2023, 10, 10), base("fast", 2025, 30, 30),
             base("down", 2023, 50, 50), base("down", 2024, 40, 40), base("single", 2024, 90, 90)]
    result = progress(tiny, panel, Target(level=5))
    assert result.most_improved() == ["fast", "slow", "down", "single"]
    assert [b.base.id for b in result.bases] == ["fast", "slow", "down", "single"]
    assert [b.base.id for b in progress(tiny, panel, 5, order="base").bases] == [
        "slow", "fast", "down", "single"]


def test_bad_inputs(tiny: Rubric, tmp_path: Path) -> None:
    with pytest.raises(UpgradeScoreError, match="progress needs the year of every profile"):
        progress(tiny, [BaseProfile.model_validate({"base": {"id": "p"}, "values": {"x": 1}})])
    with pytest.raises(UpgradeScoreError, match="duplicate base id 'p' for year 2024"):
        progress(tiny, [base("p", 2024, 1, 1), base("p", 2024, 2, 2)])
    with pytest.raises(UpgradeScoreError, match="unknown direction"):
        progress(tiny, [base("p", 2024, 1, 1)], Target(levels={"zz": 2}))
    with pytest.raises(UpgradeScoreError, match=r"outside 0\.\.5"):
        progress(tiny, [base("p", 2024, 1, 1)], Target(level=7))
    with pytest.raises(UpgradeScoreError, match="order"):
        progress(tiny, [base("p", 2024, 1, 1)], order="worst")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=4),
       st.integers(min_value=1990, max_value=2040),
       st.tuples(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=6)),
       st.integers(min_value=1, max_value=5))
def test_linear_rise_is_projected_exactly(tiny: Rubric, gaps: list[int], start: int,
                                          slopes: tuple[int, int], level: int) -> None:
    """Every direction rising linearly from 0 reaches the cutoff 20·level exactly when the line
    does: in year start + ceil(20·level / slope) (or it has reached it already)."""
    years = [start]
    for gap in gaps:
        years.append(years[-1] + gap)
    panel = [base("p", y, *(min(100.0, s * (y - start)) for s in slopes)) for y in years]
    if any(min(100.0, s * (years[-1] - start)) >= 100.0 for s in slopes):
        return  # the valid range caps the line: no longer linear
    (item,) = progress(tiny, panel, Target(level=level)).bases
    cutoff = 20 * level
    for slope, key in zip(slopes, ("a", "b")):
        crossing = start - (-cutoff // slope)  # start + ceil(cutoff / slope)
        latest = slope * (years[-1] - start)
        expected = (Projection("reached", _since(years, start, slope, cutoff)) if latest >= cutoff
                    else Projection("on_track", crossing))
        assert item.directions[key].projection == expected


def _since(years: list[int], start: int, slope: int, cutoff: int) -> int:
    return next(y for y in years if slope * (y - start) >= cutoff)


# --- a CSV panel: read as a table, no profile object per row -------------------------------------

def _panel_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("id,year,name_zh,region,x,y\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_a_csv_panel_progresses_as_its_profiles_without_building_them(
        tiny: Rubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from upgrade_score._io.csvtable import ProfileTable
    from upgrade_score._io.profiles import load_profiles, read_bases

    path = _panel_csv(tmp_path / "panel.csv", [  # years out of order, bases interleaved
        "b2,2024,乙,North,30,10", "b1,2025,甲,South,70,40", "b1,2023,甲,South,50,20",
        "b2,2023,乙,North,20,", "b1,2024,甲,South,60,30", "b3,2024,丙,,,55"])
    profiles = list(load_profiles(path, rubric=tiny))  # (built here, before the table is used)
    table = read_bases([path], tiny)
    assert isinstance(table, ProfileTable)
    monkeypatch.setattr(ProfileTable, "_profile", lambda self, row: pytest.fail("a profile was built"))
    for order in ("improved", "base"):
        from_table = progress(tiny, table, Target(level=3), order=order)  # type: ignore[arg-type]
        from_path = progress(tiny, path, Target(level=3), order=order)
        from_profiles = progress(tiny, profiles, Target(level=3), order=order)
        assert from_table.to_json() == from_path.to_json() == from_profiles.to_json()
    hub = from_table["b1"]
    assert hub.years == (2023, 2024, 2025) and hub.base.region == "South"
    assert hub.overall.scores == pytest.approx((35.0, 45.0, 55.0))  # (x + y) / 2 per year, in year order


@pytest.mark.parametrize("rows, expected", [
    (["b1,2023,甲,,10,10", "b2,,乙,,20,20", "b3,,丙,,20,20"],
     ["panel.csv:3: year: progress needs the year of every profile (base.year)",
      "panel.csv:4: year: progress needs the year of every profile (base.year)"]),
    (["b1,2023,甲,,10,10", "b1,2023,甲,,20,20"],
     ["panel.csv:3: duplicate base id 'b1' for year 2023 (also in panel.csv:2)"]),
])
def test_a_csv_panel_is_refused_as_its_profiles_are(tiny: Rubric, tmp_path: Path, rows: list[str],
                                                    expected: list[str]) -> None:
    from upgrade_score._io.profiles import read_csv_table

    path = _panel_csv(tmp_path / "panel.csv", rows)
    found = []
    for data in (read_csv_table(path), list(read_csv_table(path))):  # (a table, and its profiles)
        with pytest.raises(UpgradeScoreError) as info:
            progress(tiny, data)
        found.append([str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems])
    assert found == [expected, expected]
