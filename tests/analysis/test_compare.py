"""Comparison of a group of bases (issue 3): competition ranks, percentiles, peer statistics.

Ranks: competition ranking ("1224"): one more than the number of bases scoring more than 1e-9
higher. Percentile: the share of the *other* bases a base scores strictly above (by more than
1e-9; best 100, worst 0; 100 for a group of one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score import (
    BaseProfile,
    Comparison,
    Rubric,
    UpgradeScoreError,
    compare,
    load_profiles,
    load_rubric,
    score_many,
)
from upgrade_score._analysis.compare import (
    _below_each,
    _past_each,
    ascending_order,
    column_median,
    competition_ranks,
    packed_order,
    percentiles,
)
from upgrade_score._engine.core import CHUNK_ROWS, indicator_levels
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
TOL = 1e-9
NAN = float("nan")


def ranks(values: list[float]) -> list[int]:
    return competition_ranks(np.array(values, dtype=float)).tolist()


def pcts(values: list[float]) -> list[float]:
    return percentiles(np.array(values, dtype=float)).tolist()


# --- competition ranks -------------------------------------------------------------------------

def test_ranks_1224() -> None:
    # sorted 10, 8, 8, 5: 10 is 1st; the two 8s share 2nd; 5 has three bases ahead -> 4th
    assert ranks([10, 8, 8, 5]) == [1, 2, 2, 4]


def test_ranks_follow_input_order() -> None:
    # 3, 1, 3, 2: the 3s share 1st, then 2 is 3rd (two ahead), 1 is 4th
    assert ranks([3, 1, 3, 2]) == [1, 4, 1, 3]
    assert ranks([1, 2, 3, 4, 5]) == [5, 4, 3, 2, 1]


def test_ranks_all_tied_and_small_groups() -> None:
    assert ranks([7, 7, 7]) == [1, 1, 1]
    assert ranks([42.0]) == [1]
    assert ranks([]) == []
    assert ranks([0.0, 100.0]) == [2, 1]
    assert competition_ranks(np.array([5.0, 6.0])).dtype.kind == "i"


def test_ranks_tolerance() -> None:
    # within 1e-9: tied; 1e-8 apart: not
    assert ranks([1.0, 1.0 + 5e-10, 0.5]) == [1, 1, 3]
    assert ranks([1.0, 1.0 + 1e-8, 0.5]) == [2, 1, 3]
    assert ranks([60.0, 60.0 - 4e-10, 60.0, 59.0, 59.0]) == [1, 1, 1, 4, 4]


def test_ranks_do_not_chain_near_ties() -> None:
    scores = [1.0, 1.0 + 6e-10, 1.0 + 1.2e-9]
    # rank = 1 + number of bases ahead by more than 1e-9: 1.0 has one (1.0 + 1.2e-9) -> 2
    assert ranks(scores) == [2, 1, 1]


# --- percentiles -------------------------------------------------------------------------------

def test_percentiles_hand() -> None:
    # 10, 8, 8, 5 (N - 1 = 3 others): 10 beats 3 -> 100; each 8 beats only 5 -> 33.3; 5 -> 0
    assert pcts([10, 8, 8, 5]) == pytest.approx([100.0, 100 / 3, 100 / 3, 0.0])
    # 1, 2: the better one beats its one other -> 100, the worse -> 0
    assert pcts([1, 2]) == [0.0, 100.0]
    # 1..5: 0, 25, 50, 75, 100
    assert pcts([3, 1, 5, 2, 4]) == pytest.approx([50.0, 0.0, 100.0, 25.0, 75.0])


def test_percentiles_ties_and_group_of_one() -> None:
    assert pcts([7, 7, 7]) == [0.0, 0.0, 0.0]  # nobody is strictly above anyone
    assert pcts([1.0, 1.0 + 5e-10]) == [0.0, 0.0]  # tied within 1e-9
    assert pcts([42.0]) == [100.0]  # a group of one
    assert pcts([]) == []


# scores on a coarse grid, some nudged by less or more than the 1e-9 tolerance
nudged = st.tuples(st.integers(0, 20), st.sampled_from([0.0, 0.0, 4e-10, 7e-10, 1.5e-9, -6e-10])).map(
    lambda pair: pair[0] * 5.0 + pair[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(nudged, min_size=1, max_size=40))
def test_ranks_and_percentiles_by_counting(scores: list[float]) -> None:
    s = np.array(scores)
    n = len(scores)
    found_ranks, found_pcts = competition_ranks(s), percentiles(s)
    for i in range(n):
        ahead = int(np.sum(s > s[i] + TOL))
        behind = int(np.sum(s < s[i] - TOL))
        assert found_ranks[i] == 1 + ahead
        assert found_pcts[i] == pytest.approx(100.0 if n == 1 else 100.0 * behind / (n - 1))


@settings(max_examples=150, deadline=None)
@given(st.lists(nudged | st.sampled_from([np.nan, -np.inf, np.inf]), max_size=40))
def test_counts_past_and_below_are_searchsorted(scores: list[float]) -> None:
    # the searches skipped where no neighbour is within 1e-9 give searchsorted's counts, NaN and ±inf too
    ordered = np.sort(np.array(scores, dtype=float))
    assert _past_each(ordered).tolist() == np.searchsorted(ordered, ordered + TOL, side="right").tolist()
    assert _below_each(ordered).tolist() == np.searchsorted(ordered, ordered - TOL, side="left").tolist()


# --- compare on the example bases --------------------------------------------------------------

EXPECTED_ORDER = ["chenghu-circular-economy-park", "qinglan-ewaste-dismantling-park",
                  "jinhe-scrap-metal-hub", "songxi-mixed-recycling-base"]


def example() -> Comparison:
    return compare(load_rubric(V1), list(load_profiles(BASES)))


def test_examples_ranks_order_percentiles() -> None:
    comparison = example()
    table = comparison.table
    ids = list(table.base_ids)
    assert [ids[i] for i in comparison.order] == EXPECTED_ORDER
    by_id = {ids[i]: (int(comparison.rank[i]), float(comparison.percentile[i])) for i in range(4)}
    # four distinct overall scores: ranks 1..4, percentiles 100, 66.7, 33.3, 0 (of 3 others)
    assert by_id == {
        EXPECTED_ORDER[0]: (1, pytest.approx(100.0)),
        EXPECTED_ORDER[1]: (2, pytest.approx(200 / 3)),
        EXPECTED_ORDER[2]: (3, pytest.approx(100 / 3)),
        EXPECTED_ORDER[3]: (4, pytest.approx(0.0)),
    }
    # and against the overall scores themselves
    overall = table.overall
    assert list(np.argsort(-overall)) == list(comparison.order)
    assert np.all(np.diff(overall[comparison.order]) < 0)
    assert comparison.sort_by == "overall"
    assert np.array_equal(comparison.sort_scores, overall)


@pytest.mark.parametrize("direction_id", load_rubric(V1).direction_ids)
def test_sort_by_direction(direction_id: str) -> None:
    rubric = load_rubric(V1)
    comparison = compare(rubric, list(load_profiles(BASES)), sort_by=direction_id)
    column = comparison.table.directions[:, rubric.direction_ids.index(direction_id)]
    assert np.array_equal(comparison.sort_scores, column)
    for i in range(4):
        assert comparison.rank[i] == 1 + int(np.sum(column > column[i] + TOL))
        below = int(np.sum(column < column[i] - TOL))
        assert comparison.percentile[i] == pytest.approx(100.0 * below / 3)
    ids = comparison.table.base_ids
    expected = sorted(range(4), key=lambda i: (comparison.rank[i], ids[i]))
    assert comparison.order.tolist() == expected
    data = comparison.to_dict()
    assert data["sort"] == direction_id
    assert [b["base"] for b in data["bases"]] == [ids[i] for i in expected]
    assert [b["rank"] for b in data["bases"]] == sorted(b["rank"] for b in data["bases"])


def test_sort_by_green_on_examples() -> None:
    comparison = compare(V1, list(load_profiles(BASES)), sort_by="green")
    ids = comparison.table.base_ids
    green = comparison.table.directions[:, 2]
    assert [ids[i] for i in comparison.order] == [ids[i] for i in np.argsort(-green)]


@pytest.mark.parametrize("key", ["greenness", "Overall", "", "high_value "])
def test_unknown_sort_key(key: str) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        compare(V1, list(load_profiles(BASES)), sort_by=key)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"sort: unknown '{key}'")
    assert "overall, high_value, chain, green, low_carbon, intelligent, clustered" in message


def test_empty_group() -> None:
    rubric = load_rubric(V1)
    with pytest.raises(UpgradeScoreError, match="compare: the group of bases is empty"):
        compare(rubric, np.empty((0, len(rubric.indicator_ids))))
    with pytest.raises(UpgradeScoreError) as info:
        compare(rubric, [])
    assert "\n" not in str(info.value)


# --- ties, ids and inputs ----------------------------------------------------------------------

def ind(indicator_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": indicator_id, "name": {"en": indicator_id}, **fields}


def small_rubric() -> Rubric:
    # L = 5; d1: x (identity: floor 0, thresholds 20..100 -> s = v/20), q (qualitative);
    # d2: z (identity), nobody ever reports it in the tests below
    identity = {"thresholds": [20, 40, 60, 80, 100], "floor": 0}
    return Rubric.model_validate({
        "id": "small", "version": "1", "title": {"en": "small"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, 6)],
        "directions": [
            {"id": "d1", "name": {"en": "d1"}, "indicators": [ind("x", **identity),
                                                                ind("q", kind="qualitative")]},
            {"id": "d2", "name": {"en": "d2"}, "indicators": [ind("z", **identity)]},
        ],
    })


# columns x, q, z; levels: x/20, q, z/20
SMALL = np.array([
    [50.0, 2.0, NAN],  # b1: x level 2.5, q 2
    [90.0, NAN, NAN],  # b2: x level 4.5, q missing
    [10.0, 4.0, NAN],  # b3: x level 0.5, q 4
    [50.0, 2.0, NAN],  # b4: same as b1
])
SMALL_IDS = ["b1", "b2", "b3", "b4"]


def test_ties_share_rank_and_order_by_id() -> None:
    comparison = compare(small_rubric(), SMALL[[3, 0, 1, 2]], ids=["b4", "b1", "b2", "b3"])
    # d1 = 100 (s_x + s_q) / (2·5); d2 = 0 -> overall = d1 / 2 (zero policy)
    # b1, b4: 100 (2.5 + 2) / 10 = 45 -> 22.5; b2: 100 (4.5 + 0) / 10 = 45 -> 22.5;
    # b3: 100 (0.5 + 4) / 10 = 45 -> 22.5. All four tie: rank 1 for everyone, percentile 0, order by id
    assert comparison.table.overall == pytest.approx([22.5] * 4)
    assert comparison.rank.tolist() == [1, 1, 1, 1]
    assert comparison.percentile.tolist() == [0.0] * 4
    assert [comparison.table.base_ids[i] for i in comparison.order] == ["b1", "b2", "b3", "b4"]


def test_ties_then_a_gap() -> None:
    values = SMALL.copy()
    values[2, 0] = 30.0  # b3: x level 1.5, q 4 -> d1 = 55 -> overall 27.5 (best)
    values[1, 0] = 70.0  # b2: x level 3.5       -> d1 = 35 -> overall 17.5 (worst)
    comparison = compare(small_rubric(), values, ids=SMALL_IDS)
    # overall: b1 22.5, b2 17.5, b3 27.5, b4 22.5 -> ranks 2, 4, 1, 2
    assert comparison.rank.tolist() == [2, 4, 1, 2]
    # percentiles: b1 and b4 beat b2 only: 100/3; b2 0; b3 100
    assert comparison.percentile.tolist() == pytest.approx([100 / 3, 0.0, 100.0, 100 / 3])
    assert [comparison.table.base_ids[i] for i in comparison.order] == ["b3", "b1", "b4", "b2"]


def test_indicator_statistics_hand() -> None:
    comparison = compare(small_rubric(), SMALL, ids=SMALL_IDS)
    # levels: x 2.5, 4.5, 0.5, 2.5 -> best 4.5, median of (0.5, 2.5, 2.5, 4.5) = 2.5
    #         q 2, -, 4, 2        -> best 4, median of (2, 2, 4) = 2 (missing left out)
    #         z nobody            -> NaN
    best, median = comparison.indicator_best, comparison.indicator_median
    assert best[:2].tolist() == pytest.approx([4.5, 4.0], abs=1e-12) and np.isnan(best[2])
    assert median[:2].tolist() == pytest.approx([2.5, 2.0], abs=1e-12) and np.isnan(median[2])
    # gap to best (missing counts from 0; no gap where nobody reported):
    #   b1: x 4.5 - 2.5 = 2, q 4 - 2 = 2;  b2: x 0, q 4 - 0 = 4;  b3: x 4, q 0;  b4 = b1
    assert comparison.gap_to_best == pytest.approx(np.array([[2, 2, 0], [0, 4, 0], [4, 0, 0], [2, 2, 0]]),
                                                   abs=1e-12)
    # gap to median: b1: 0, 0;  b2: x 0 (above), q 2 - 0 = 2;  b3: x 2.5 - 0.5 = 2, q 0
    assert comparison.gap_to_median == pytest.approx(np.array([[0, 0, 0], [0, 2, 0], [2, 0, 0], [0, 0, 0]]),
                                                     abs=1e-12)


def test_to_dict_hand() -> None:
    data = compare(small_rubric(), SMALL, ids=SMALL_IDS).to_dict()
    assert set(data) == {"rubric", "sort", "count", "bases", "indicators"}
    assert data["rubric"]["id"] == "small" and data["count"] == 4 and data["sort"] == "overall"
    assert data["indicators"] == {"x": {"best_level": 4.5, "median_level": 2.5},
                                  "q": {"best_level": 4.0, "median_level": 2.0},
                                  "z": {"best_level": None, "median_level": None}}
    bases = {b["base"]: b for b in data["bases"]}
    assert [b["base"] for b in data["bases"]] == SMALL_IDS  # all tied -> by id
    b2 = bases["b2"]
    assert set(b2) == {"base", "rank", "percentile", "overall", "level", "balanced_level",
                       "completeness", "directions", "behind"}
    # b2: d1 = 100·4.5/10 = 45 (level 2), d2 = 0 (level 0); overall 22.5 (level 1)
    assert b2["directions"] == {"d1": {"score": 45.0, "level": 2}, "d2": {"score": 0.0, "level": 0}}
    assert (b2["overall"], b2["level"], b2["balanced_level"], b2["rank"]) == (22.5, 1, 0, 1)
    # completeness: d1 has x only (1 of 2 weights) -> 0.5, d2 none -> 0; overall (0.5 + 0)/2
    assert b2["completeness"] == 0.25
    # behind: only indicators with a gap to the best
    assert b2["behind"] == {"q": {"to_best": 4.0, "to_median": 2.0}}
    assert bases["b1"]["behind"] == {"x": {"to_best": 2.0, "to_median": 0.0},
                                     "q": {"to_best": 2.0, "to_median": 0.0}}
    assert bases["b3"]["behind"] == {"x": {"to_best": 4.0, "to_median": 2.0}}


def test_inputs_profiles_matrix_and_table_agree() -> None:
    rubric = load_rubric(V1)
    profiles = list(load_profiles(BASES))
    table = score_many(rubric, profiles)
    from_profiles = compare(rubric, profiles).to_json()
    from_table = compare(V1, table).to_json()
    from_matrix = compare(rubric, np.array(table.values), ids=list(table.base_ids)).to_json()
    assert from_profiles == from_table == from_matrix


def test_profiles_with_an_unknown_indicator_are_refused() -> None:
    bad = BaseProfile.model_validate({"base": {"id": "bad"}, "values": {"no_such_indicator": 1}})
    with pytest.raises(UpgradeScoreError, match="unknown indicator"):
        compare(V1, [*load_profiles(BASES), bad])


# --- statistics against numpy, structure and determinism on the examples -----------------------

def test_indicator_statistics_against_numpy() -> None:
    comparison = example()
    levels = comparison.table.indicator_levels
    for m in range(levels.shape[1]):
        column = levels[:, m]
        present = column[~np.isnan(column)]
        if present.size:
            assert comparison.indicator_best[m] == pytest.approx(present.max())
            assert comparison.indicator_median[m] == pytest.approx(np.median(present))
        else:
            assert np.isnan(comparison.indicator_best[m]) and np.isnan(comparison.indicator_median[m])
    filled = np.nan_to_num(levels)
    best = np.nan_to_num(comparison.indicator_best)
    median = np.nan_to_num(comparison.indicator_median)
    assert np.allclose(comparison.gap_to_best, np.maximum(best - filled, 0.0), atol=TOL)
    assert np.allclose(comparison.gap_to_median, np.maximum(median - filled, 0.0), atol=TOL)
    assert np.all(comparison.gap_to_best >= comparison.gap_to_median - TOL)
    # the best base of each indicator has no gap to the best
    for m in range(levels.shape[1]):
        if not np.all(np.isnan(levels[:, m])):
            assert comparison.gap_to_best[int(np.nanargmax(levels[:, m])), m] == 0.0


def test_gaps_are_zero_where_an_indicator_does_not_apply() -> None:
    # categories and n/a answers (rubric language 2): an indicator that does not apply has no gap;
    # elsewhere the gap counts a missing value from 0, bit for bit the formula
    rubric = load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")
    comparison = compare(rubric, list(load_profiles(ROOT / "examples" / "rubrics" / "bases")))
    table = comparison.table
    applies = table.applicable
    assert not applies.all()
    assert table.scores.levels is not None  # kept while scoring, before n/a indicators were masked
    unmasked = indicator_levels(rubric.compiled, table.values, table.categories)
    assert np.array_equal(table.indicator_levels, unmasked, equal_nan=True)
    filled = np.nan_to_num(comparison.table.indicator_levels)
    for reference, gap in ((comparison.indicator_best, comparison.gap_to_best),
                           (comparison.indicator_median, comparison.gap_to_median)):
        expected = np.where(applies, np.maximum(np.nan_to_num(reference) - filled, 0.0), 0.0)
        assert gap.tolist() == expected.tolist()


def test_to_dict_examples() -> None:
    comparison = example()
    rubric = comparison.table.rubric
    data = comparison.to_dict()
    assert data["count"] == 4 and data["sort"] == "overall"
    assert data["rubric"] == {"id": rubric.id, "version": rubric.version, "sha256": rubric.sha256}
    assert [b["base"] for b in data["bases"]] == EXPECTED_ORDER
    assert [b["rank"] for b in data["bases"]] == [1, 2, 3, 4]
    assert [b["percentile"] for b in data["bases"]] == [100.0, 66.666667, 33.333333, 0.0]
    table = comparison.table
    for entry in data["bases"]:
        row = table.base_ids.index(entry["base"])
        assert entry["overall"] == round(float(table.overall[row]), 6)
        assert entry["level"] == int(table.overall_level[row])
        assert entry["balanced_level"] == int(table.balanced_level[row])
        assert entry["completeness"] == round(float(table.completeness[row]), 6)
        assert list(entry["directions"]) == list(rubric.direction_ids)
        for j, d in enumerate(rubric.direction_ids):
            assert entry["directions"][d] == {"score": round(float(table.directions[row, j]), 6),
                                              "level": int(table.direction_levels[row, j])}
        behind = {rubric.indicator_ids[m] for m in np.flatnonzero(comparison.gap_to_best[row] > TOL)}
        assert set(entry["behind"]) == behind
        for name, gaps in entry["behind"].items():
            m = rubric.indicator_ids.index(name)
            assert gaps == {"to_best": round(float(comparison.gap_to_best[row, m]), 6),
                            "to_median": round(float(comparison.gap_to_median[row, m]), 6)}
    assert list(data["indicators"]) == list(rubric.indicator_ids)


def test_to_dict_is_deterministic_and_order_free() -> None:
    profiles = list(load_profiles(BASES))
    first = compare(V1, profiles).to_json()
    assert first == compare(V1, profiles).to_json()
    # the input order changes nothing: bases come best first, statistics ignore order
    assert compare(V1, profiles[::-1]).to_json() == first
    assert compare(V1, [profiles[i] for i in (2, 0, 3, 1)]).to_json() == first
    data = json.loads(first)
    assert first == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)


# --- 10,000 bases ------------------------------------------------------------------------------

def random_matrix(rubric: Rubric, count: int, seed: int) -> np.ndarray:
    """Valid values for every column (near and beyond the thresholds), 10 % missing, with ties."""
    rng = np.random.default_rng(seed)
    levels = rubric.level_count
    columns = []
    for indicator in rubric.indicators:
        if indicator.kind == "qualitative":
            column = rng.integers(0, levels + 1, count).astype(float)
        elif indicator.kind == "boolean":
            column = rng.integers(0, 2, count).astype(float)
        else:
            points = np.array([indicator.effective_floor, *(indicator.thresholds or ())])
            low, high = points.min(), points.max()
            span = high - low
            column = rng.uniform(low - 0.3 * span, high + 0.3 * span, count)
            exact = rng.random(count) < 0.2
            column[exact] = rng.choice(points, int(exact.sum()))
            if indicator.valid_range is not None:
                column = np.clip(column, *indicator.valid_range)
        column[rng.random(count) < 0.1] = NAN
        columns.append(column)
    values = np.column_stack(columns)
    values[count // 2: count // 2 + 200] = values[:200]  # exact duplicates: ties
    values[-50:] = NAN  # bases that reported nothing: all score 0, tied last
    return values


def reference_levels(rubric: Rubric, values: np.ndarray) -> np.ndarray:
    """Indicator levels by design.md item 1, written independently of the engine."""
    levels = rubric.level_count
    out = np.empty_like(values)
    for m, indicator in enumerate(rubric.indicators):
        v = values[:, m]
        if indicator.kind == "qualitative":
            out[:, m] = v
        elif indicator.kind == "boolean":
            out[:, m] = v * levels
        else:
            sign = 1.0 if indicator.better == "higher" else -1.0
            points = sign * np.array([indicator.effective_floor, *(indicator.thresholds or ())])
            if indicator.interpolation == "step":
                s = (sign * v[:, None] >= points[None, 1:]).sum(axis=1).astype(float)
            else:
                s = np.interp(sign * v, points, np.arange(levels + 1, dtype=float))
            out[:, m] = np.where(np.isnan(v), NAN, s)
    return out


def test_ten_thousand_bases() -> None:
    rubric = load_rubric(V1)
    assert rubric.aggregation == "arithmetic" and rubric.missing == "zero"
    count = 10_000
    values = random_matrix(rubric, count, seed=20240611)
    comparison = compare(rubric, values)
    table = comparison.table
    assert len(table) == count
    # scores: design.md items 1-3, arithmetic mean, missing = 0
    levels = reference_levels(rubric, values)
    assert np.allclose(table.indicator_levels, levels, atol=1e-9, equal_nan=True)
    compiled = rubric.compiled
    x = np.nan_to_num(levels) / rubric.level_count
    directions = np.zeros((count, len(rubric.directions)))
    for j, d in enumerate(rubric.directions):
        cols = [rubric.indicator_ids.index(i.id) for i in d.indicators]
        w = np.array([i.weight for i in d.indicators])
        directions[:, j] = 100 * x[:, cols] @ w / w.sum()
    weights = np.array([d.weight for d in rubric.directions])
    overall = directions @ weights / weights.sum()
    assert np.allclose(table.directions, directions, atol=1e-9)
    assert np.allclose(table.overall, overall, atol=1e-9)
    assert np.array_equal(compiled.cutoffs, [20, 40, 60, 80, 100])
    assert np.array_equal(table.overall_level, np.floor((table.overall + 1e-9) / 20).astype(int))
    # ranks: 1 + bases ahead (by more than 1e-9); percentiles: share of others strictly below
    ordered = np.sort(table.overall)
    ahead = count - np.searchsorted(ordered, table.overall + TOL, side="right")
    below = np.searchsorted(ordered, table.overall - TOL, side="left")
    assert np.array_equal(comparison.rank, 1 + ahead)
    assert np.allclose(comparison.percentile, 100.0 * below / (count - 1))
    # the duplicated rows tie with their originals; the 50 empty bases tie last
    half = count // 2
    assert np.array_equal(comparison.rank[half:half + 200], comparison.rank[:200])
    assert np.all(comparison.rank[-50:] == comparison.rank.max())
    assert np.all(table.overall[-50:] == 0.0)
    # order: by rank, then id
    order = comparison.order
    assert np.all(np.diff(comparison.rank[order]) >= 0)
    ids = np.array(table.base_ids)
    same = np.diff(comparison.rank[order]) == 0
    assert np.all(ids[order][1:][same] > ids[order][:-1][same])
    # group statistics against numpy
    best = np.nanmax(np.where(np.isnan(levels), -np.inf, levels), axis=0)
    assert np.allclose(comparison.indicator_best, best, atol=1e-9)
    assert np.allclose(comparison.indicator_median, np.nanmedian(levels, axis=0), atol=1e-9)
    filled = np.nan_to_num(levels)
    assert np.allclose(comparison.gap_to_best, np.maximum(best - filled, 0), atol=1e-9)
    assert np.allclose(comparison.gap_to_median,
                       np.maximum(np.nanmedian(levels, axis=0) - filled, 0), atol=1e-9)
    # plain data
    data = comparison.to_dict()
    assert data["count"] == count and len(data["bases"]) == count
    assert [b["base"] for b in data["bases"]] == ids[order].tolist()
    for k in (0, 1, 777, half, count - 1):
        entry, row = data["bases"][k], int(order[k])
        assert entry["rank"] == int(comparison.rank[row])
        assert entry["overall"] == round(float(overall[row]), 6)
        assert entry["percentile"] == round(float(100.0 * below[row] / (count - 1)), 6)
        assert set(entry["behind"]) == {rubric.indicator_ids[m]
                                        for m in np.flatnonzero(best - filled[row] > TOL)}
    assert compare(rubric, values).to_dict() == data


# --- the fast paths: one sort shared, medians without selection, levels kept at any size -------

levels_column = st.lists(st.one_of(st.just(NAN), st.sampled_from([0.0, 1.0, 2.5, 5.0]),
                                   st.floats(0.0, 5.0)), max_size=60)


@settings(max_examples=150, deadline=None)
@given(levels_column)
def test_column_median_is_numpys_nanmedian_bit_for_bit(column: list[float]) -> None:
    values = np.array(column, dtype=float)
    found = column_median(values)
    if np.isnan(values).all():
        assert np.isnan(found)
    else:
        assert found == float(np.median(values[~np.isnan(values)]))  # exactly, not approximately
    assert np.array_equal(values, np.array(column, dtype=float), equal_nan=True)  # not changed


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(nudged, st.sampled_from(["a", "b", "c", "d", "e", "f"])), min_size=1,
                max_size=30, unique_by=lambda pair: pair[1] + str(pair[0])))
def test_order_is_rank_then_id(rows: list[tuple[float, str]]) -> None:
    ids = [f"{name}{n}" for n, (_, name) in enumerate(rows)]
    comparison = compare(small_rubric(), np.array([[score, NAN, NAN] for score, _ in rows]), ids=ids)
    expected = np.lexsort((np.array(ids), comparison.rank))  # the plain definition
    assert comparison.order.tolist() == expected.tolist()
    scores = comparison.table.overall
    assert comparison.rank.tolist() == competition_ranks(scores, np.argsort(scores)).tolist()


def test_compare_keeps_levels_beyond_one_chunk() -> None:
    rubric = load_rubric(V1)
    values = random_matrix(rubric, CHUNK_ROWS + 10, seed=7)
    table = compare(rubric, values).table
    assert table.scores.levels is not None  # computed once, while scoring
    assert score_many(rubric, values).scores.levels is None  # score_many alone does not keep them
    assert np.array_equal(table.indicator_levels, indicator_levels(rubric.compiled, values),
                          equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(nudged, st.sampled_from(["north", "south", "east", None])), min_size=1,
                max_size=25))
def test_group_ranks_are_ranks_within_each_group(rows: list[tuple[float, str | None]]) -> None:
    profiles = [BaseProfile.model_validate({"base": {"id": f"b{n}", **({"region": region} if region else {})},
                                            "values": {"x": score}})
                for n, (score, region) in enumerate(rows)]
    if all(region is None for _, region in rows):
        return
    comparison = compare(small_rubric(), profiles, by="region")
    overall = comparison.table.overall
    for n, (_, region) in enumerate(rows):
        if region is None:
            assert np.isnan(comparison.group_rank[n]) and np.isnan(comparison.group_size[n])
            continue
        mates = [m for m, (_, other) in enumerate(rows) if other == region]
        assert comparison.group_size[n] == len(mates)
        assert comparison.group_rank[n] == 1 + sum(overall[m] > overall[n] + TOL for m in mates)


# --- the sort of many scores: packed integer keys, the order of a stable argsort ----------------

def _ulps_apart(start: float, steps: list[int]) -> np.ndarray:
    """``start`` moved by each number of ulps: scores whose keys share all but their last bits."""
    return start + np.array(steps, dtype=float) * np.spacing(start)


scores_to_sort = st.one_of(
    st.lists(nudged | st.sampled_from([0.0, -0.0, -np.inf, np.inf, -3.5, 1e300, -1e-300, 5e-324]),
             min_size=1, max_size=60),
    st.builds(_ulps_apart, st.sampled_from([1.0, 37.5, -2.0, 99.99999]),
              st.lists(st.integers(-70, 70), min_size=1, max_size=60)))


@settings(max_examples=120, deadline=None)
@given(scores_to_sort)
def test_packed_order_is_a_stable_argsort(scores: Any) -> None:
    values = np.array(scores, dtype=float)
    expected = np.argsort(values, kind="stable")  # the plain definition: by score, ties by row
    assert packed_order(values).tolist() == expected.tolist()
    assert ascending_order(values).tolist() == expected.tolist()
    with_nan = np.append(values, [np.nan, values[0]])  # NaN: numpy's own sort (last)
    assert ascending_order(with_nan).tolist() == np.argsort(with_nan, kind="stable").tolist()


def test_packed_order_of_many_close_scores() -> None:
    # 40,000 scores (the packed path) in runs a few ulps apart, exact ties and ±0.0 among them
    rng = np.random.default_rng(12)
    base = np.repeat(rng.uniform(-100, 100, 400), 100)
    values = base + rng.integers(-3, 4, base.size) * np.spacing(base)
    values[::7] = 0.0
    values[::11] = -0.0
    values = values[rng.permutation(values.size)]
    expected = np.argsort(values, kind="stable")
    assert ascending_order(values).tolist() == expected.tolist()
    comparison = compare(small_rubric(), np.column_stack([np.abs(values) % 100, np.full(values.size, NAN),
                                                          np.full(values.size, NAN)]))
    scores = comparison.table.overall
    assert comparison.rank.tolist() == competition_ranks(scores, np.argsort(scores)).tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.just(NAN), st.floats(0, 100)),
                          st.one_of(st.just(NAN), st.integers(0, 5).map(float)),
                          st.one_of(st.just(NAN), st.floats(0, 100))), min_size=1, max_size=30))
def test_gaps_are_the_plain_formula_bit_for_bit(rows: list[tuple[float, float, float]]) -> None:
    comparison = compare(small_rubric(), np.array(rows, dtype=float))
    levels = comparison.table.indicator_levels
    for reference, gap in ((comparison.indicator_best, comparison.gap_to_best),
                           (comparison.indicator_median, comparison.gap_to_median)):
        goal = np.nan_to_num(reference)
        expected = np.maximum(np.fmin(goal - levels, goal), 0.0)  # missing: the whole goal
        assert gap.tolist() == expected.tolist()
        assert not gap.flags.writeable
