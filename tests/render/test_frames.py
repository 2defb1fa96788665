"""pandas interop: results and rubrics as DataFrames, DataFrames of values into ``score_many``.

The frames must hold the same numbers as the results they come from, and a DataFrame of values
must score exactly like the profiles it was made from.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from upgrade_score import (
    BaseProfile,
    Target,
    UpgradeScoreError,
    compare,
    gap,
    score_many,
)
from v1 import V1, V1_BASES

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES


def value_frame(profiles: tuple[BaseProfile, ...]) -> pd.DataFrame:
    """The reported values of profiles as a DataFrame: index = base ids, columns = indicator ids."""
    return pd.DataFrame.from_dict({p.id: {k: v.value for k, v in p.values.items()} for p in profiles},
                                  orient="index")


# --- results to frames -------------------------------------------------------------------------

def test_score_table_frame_holds_the_arrays(rubric, profiles):
    table = score_many(rubric, profiles)
    frame = table.to_dataframe()
    assert list(frame.index) == list(table.base_ids)
    assert frame.index.name == "base"
    assert list(frame.columns) == ["overall", "level", "balanced_level", "completeness",
                                   *rubric.direction_ids]
    np.testing.assert_array_equal(frame["overall"].to_numpy(), table.overall)
    np.testing.assert_array_equal(frame[list(rubric.direction_ids)].to_numpy(), table.directions)
    np.testing.assert_array_equal(frame["level"].to_numpy(), table.overall_level)
    with_levels = table.to_dataframe(levels=True)
    assert [f"{d}_level" for d in rubric.direction_ids] == list(with_levels.columns[-6:])
    np.testing.assert_array_equal(with_levels[[f"{d}_level" for d in rubric.direction_ids]].to_numpy(),
                                  table.direction_levels)


def test_scorecard_frame_traces_every_point(rubric, profiles):
    card = score_many(rubric, profiles).scorecard("songxi-mixed-recycling-base")
    frame = card.to_dataframe()
    assert list(frame.index) == list(rubric.indicator_ids)
    # the points of a direction's indicators add up to its score (value → level → points)
    sums = frame.groupby("direction")["direction_points"].sum()
    for direction_id, result in card.directions.items():
        assert sums[direction_id] == pytest.approx(result.score)
    missing = frame[frame["missing"]]
    assert len(missing) > 0  # this example base leaves some indicators empty
    assert missing["level"].isna().all() and missing["value"].isna().all()
    sourced = frame.loc["resource_utilisation_rate"]
    assert sourced["source"] and sourced["confidence"] == pytest.approx(0.5)
    assert str(frame["attained_level"].dtype) == "Int64"


def test_comparison_frame_is_best_first(rubric, profiles):
    result = compare(rubric, profiles)
    frame = result.to_dataframe()
    assert list(frame["rank"]) == sorted(frame["rank"])
    assert frame["overall"].is_monotonic_decreasing
    assert frame.index[0] == "chenghu-circular-economy-park"
    assert frame["percentile"].iloc[0] == 100 and frame["percentile"].iloc[-1] == 0


def test_gap_frames(rubric, profiles):
    report = gap(rubric, profiles[0], Target(level=3))
    actions = report.to_dataframe()
    assert list(actions.index) == [a.indicator for a in report.actions]
    assert (actions["gain"].diff().dropna() <= 1e-9).all()  # ranked by gain (ties within 1e-9)
    in_plan = actions.dropna(subset=["plan_step"]).sort_values("plan_step")
    assert list(in_plan.index) == report.plan
    assert list(in_plan["plan_step"]) == list(range(1, len(report.plan) + 1))
    directions = report.to_dataframe("directions")
    assert list(directions.index) == list(rubric.direction_ids)
    assert (directions["target_score"] == 60).all()
    assert directions["deficit"].to_numpy() == pytest.approx(
        [g.deficit for g in report.directions.values()])
    with pytest.raises(UpgradeScoreError, match="actions"):
        report.to_dataframe("nonsense")  # type: ignore[arg-type]


def test_gap_frame_of_a_met_target_is_empty_but_typed(rubric, profiles):
    report = gap(rubric, profiles[2], Target(level=1))  # the leading park
    frame = report.to_dataframe()
    assert report.met and frame.empty
    assert "gain" in frame.columns and "plan_step" in frame.columns


def test_rubric_frame(rubric):
    frame = rubric.to_dataframe()
    assert list(frame.index) == list(rubric.indicator_ids)
    assert frame["overall_share"].sum() == pytest.approx(1.0)
    assert frame.groupby("direction")["direction_share"].sum().to_numpy() == pytest.approx(1.0)
    row = frame.loc["high_value_product_share"]
    assert row["thresholds"] == (10, 20, 35, 50, 65)
    assert row["unit"] == "%" and row["floor"] == 0 and row["direction"] == "high_value"
    assert row["name"] == "Share of high-value recycled products in output value"
    assert rubric.to_dataframe(lang="zh").loc["high_value_product_share", "name"] == "高值化再生产品产值占比"
    qualitative = frame[frame["kind"] != "quantitative"]
    assert qualitative["thresholds"].isna().all() and qualitative["floor"].isna().all()


# --- frames to scores --------------------------------------------------------------------------

def test_a_frame_scores_like_its_profiles(rubric, profiles):
    expected = score_many(rubric, profiles)
    frame = value_frame(profiles)
    shuffled = frame[sorted(frame.columns, reverse=True)]  # column order does not matter
    table = score_many(rubric, shuffled)
    assert table.base_ids == expected.base_ids
    np.testing.assert_array_equal(table.values, expected.values)
    np.testing.assert_array_equal(table.overall, expected.overall)
    np.testing.assert_array_equal(table.directions, expected.directions)
    np.testing.assert_array_equal(table.completeness, expected.completeness)


def test_absent_columns_and_empty_cells_are_missing(rubric, profiles):
    frame = value_frame(profiles).drop(columns=["rd_intensity"])
    frame.loc["jinhe-scrap-metal-hub", "energy_intensity"] = None
    table = score_many(rubric, frame)
    column = rubric.indicator_ids.index
    assert np.isnan(table.values[:, column("rd_intensity")]).all()
    assert np.isnan(table.values[table.index("jinhe-scrap-metal-hub"), column("energy_intensity")])


def test_nullable_dtypes_and_id_and_meta_columns(rubric):
    frame = pd.DataFrame({
        "id": ["a", "b"],
        "name": ["Base A", "Base B"],
        "year": [2024, 2025],
        "leading_enterprises": pd.array([3, pd.NA], dtype="Int64"),
        "third_party_carbon_verification": pd.array([True, pd.NA], dtype="boolean"),
        "renewable_energy_share": pd.array([12.5, None], dtype="Float64"),
    })
    table = score_many(rubric, frame)
    assert table.base_ids == ("a", "b")
    row = dict(zip(rubric.indicator_ids, table.values[0]))
    assert row["leading_enterprises"] == 3 and row["third_party_carbon_verification"] == 1
    assert row["renewable_energy_share"] == 12.5
    assert np.isnan(table.values[1]).all()


def test_object_columns_mixing_booleans_and_missing(rubric):
    frame = pd.DataFrame({"third_party_carbon_verification": [True, None, False]}, index=["a", "b", "c"])
    table = score_many(rubric, frame)
    column = rubric.indicator_ids.index("third_party_carbon_verification")
    assert table.values[:, column].tolist()[0] == 1.0 and table.values[2, column] == 0.0
    assert np.isnan(table.values[1, column])


def test_explicit_ids_override_the_index(rubric):
    frame = pd.DataFrame({"leading_enterprises": [1, 2]})
    assert score_many(rubric, frame).base_ids == ("0", "1")
    assert score_many(rubric, frame, ids=["x", "y"]).base_ids == ("x", "y")


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"leading_enterprise": [1]}, index=["a"]),
     "data.leading_enterprise: unknown indicator for rubric 'urban-mining-upgrade' "
     "(did you mean 'leading_enterprises'?)"),
    (pd.DataFrame({"leading_enterprises": [1, "many"]}, index=["a", "b"]),
     "data.b.leading_enterprises: expected a number, true/false or empty, got str 'many'"),
    (pd.DataFrame({"renewable_energy_share": [True, False]}, index=["a", "b"]),
     "data.renewable_energy_share: expected a quantitative value (a number), got a true/false column"),
    (pd.DataFrame({"renewable_energy_share": [10, True]}, index=["a", "b"], dtype=object),
     "data.b.renewable_energy_share: expected a quantitative value (a number), got True"),
    (pd.DataFrame({"renewable_energy_share": [10.0, 135.0]}, index=["a", "b"]),
     "data.b.renewable_energy_share: 135 is outside the valid range [0, 100]"),
    (pd.DataFrame({"renewable_energy_share": [10.0, float("inf")]}, index=["a", "b"]),
     "data.b.renewable_energy_share"),
    (pd.DataFrame({"leading_enterprises": [1, 2]}, index=["a", "a"]), "ids: base ids must be unique"),
])
def test_bad_frames_are_located_input_errors(rubric, frame, message):
    with pytest.raises(UpgradeScoreError) as caught:
        score_many(rubric, frame)
    assert str(caught.value).startswith(message)


def test_duplicate_columns_are_refused(rubric):
    frame = pd.DataFrame([[1, 2]], columns=["leading_enterprises", "leading_enterprises"], index=["a"])
    with pytest.raises(UpgradeScoreError, match="duplicate column 'leading_enterprises'"):
        score_many(rubric, frame)


def test_every_problem_is_reported_together(rubric):
    frame = pd.DataFrame({"leading_enterprise": [1], "annual_thruput": [2]}, index=["a"])
    with pytest.raises(UpgradeScoreError) as caught:
        score_many(rubric, frame)
    assert len(caught.value.problems) == 2


# --- pandas is optional --------------------------------------------------------------------------

@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_without_pandas_the_package_imports_and_asks_for_the_extra():
    """Run in a fresh interpreter in which pandas and matplotlib cannot be imported."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["pandas"] = None        # makes 'import pandas' raise ImportError
        sys.modules["matplotlib"] = None
        import upgrade_score as us
        table = us.score_many({V1!r}, us.load_profiles({str(BASES)!r}))
        print(table.overall.round(1).tolist())
        for call in (table.to_dataframe, us.load_rubric({V1!r}).to_dataframe,
                     lambda: us.plot_radar(table), lambda: us.render_report({V1!r}, table)):
            try:
                call()
            except us.UpgradeScoreError as error:
                print(error)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1:] == ["pandas is needed for DataFrames: install upgrade-score[pandas]"] * 2 + [
        "matplotlib is needed for charts: install upgrade-score[plot]"] * 2


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_importing_the_package_imports_neither_pandas_nor_matplotlib():
    script = ("import sys, upgrade_score; "
              "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]"
