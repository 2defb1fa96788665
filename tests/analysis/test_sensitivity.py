"""Robustness analysis: weight, method and value-confidence sensitivity, and influence.

Rubrics are built in code. The "identity" indicator (floor 0, thresholds 20..100, five levels) has
level s = v / 20, so a direction of identity indicators scores the weighted mean of its values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgrade_score import (
    BaseProfile,
    Rubric,
    SensitivityReport,
    UpgradeScoreError,
    load_profile,
    load_profiles,
    load_rubric,
    score_many,
    sensitivity,
)
from upgrade_score._analysis.compare import competition_ranks
from upgrade_score._analysis.diff import kendall_tau_b
from upgrade_score._analysis.sensitivity.values import sample_values, value_scores
from upgrade_score._analysis.sensitivity.values import value_spread as _value_spread
from upgrade_score._analysis.sensitivity.weights import (
    parse_weights,
    row_ranks,
    sample_weights,
    sampled_scores,
    sorted_order_statistic,
    sorted_quantile,
)
from upgrade_score._cli import main
from v1 import V1, V1_BASES

EXAMPLES = V1_BASES
NAN = math.nan
IDENTITY = {"thresholds": [20, 40, 60, 80, 100], "floor": 0, "valid_range": [0, 100]}
VARIANTS = [(a, m) for a in ("arithmetic", "geometric", "weakest") for m in ("zero", "exclude")]
QUICK = dict(methods=False, influence=False, value_samples=0)


def ind(indicator_id: str, weight: float = 1.0, **fields: Any) -> dict[str, Any]:
    spec = {"id": indicator_id, "name": {"en": indicator_id}, "weight": weight}
    return {**spec, **(fields or IDENTITY)}


def direction(direction_id: str, *indicators: dict[str, Any], weight: float = 1.0) -> dict[str, Any]:
    return {"id": direction_id, "name": {"en": direction_id}, "weight": weight,
            "indicators": list(indicators)}


def make_rubric(*directions: dict[str, Any], **fields: Any) -> Rubric:
    return Rubric.model_validate({
        "id": "test-rubric", "version": "1", "title": {"en": "Test rubric"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, 6)],
        "directions": list(directions), **fields})


def three_by_two(**fields: Any) -> Rubric:
    """Three directions of two identity indicators with unequal weights."""
    return make_rubric(direction("a", ind("a1", 2), ind("a2", 1), weight=2),
                       direction("b", ind("b1", 1), ind("b2", 3)),
                       direction("c", ind("c1", 1), ind("c2", 1), weight=1.5), **fields)


def random_matrix(rows: int, columns: int, seed: int = 0, missing: float = 0.1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 100, (rows, columns)).round(1)
    values[rng.random(values.shape) < missing] = NAN
    return values


def examples() -> list[BaseProfile]:
    return list(load_profiles(EXAMPLES))


# --- weight specs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, parameter", [
    ("dirichlet:50", "dirichlet", 50.0), ("dirichlet:0.5", "dirichlet", 0.5),
    ("dirichlet:1e6", "dirichlet", 1e6), (" uniform:0.2 ", "uniform", 0.2), ("uniform:0", "uniform", 0.0),
    ("uniform:.25", "uniform", 0.25),
])
def test_weight_specs(text: str, kind: str, parameter: float) -> None:
    spec = parse_weights(text)
    assert (spec.kind, spec.parameter) == (kind, parameter)


@pytest.mark.parametrize("text, message", [
    ("dirichlet", "expected 'dirichlet:CONCENTRATION'"),
    ("Dirichlet:50", "expected 'dirichlet:CONCENTRATION'"),
    ("normal:0.2", "expected 'dirichlet:CONCENTRATION'"),
    ("uniform:0.2:3", "expected 'dirichlet:CONCENTRATION'"),
    ("uniform:-0.1", "expected 'dirichlet:CONCENTRATION'"),
    ("dirichlet:nan", "expected 'dirichlet:CONCENTRATION'"),
    ("dirichlet:0", "the Dirichlet concentration must be a positive number, got 0"),
    ("dirichlet:1e999", "the Dirichlet concentration must be a positive number, got 1e999"),
    ("uniform:1", "the uniform spread must be in [0, 1) (0.2 means ±20 %), got 1"),
    ("uniform:20", "the uniform spread must be in [0, 1) (0.2 means ±20 %), got 20"),
])
def test_bad_weight_specs(text: str, message: str) -> None:
    with pytest.raises(UpgradeScoreError) as caught:
        parse_weights(text)
    assert str(caught.value).startswith(f"weights: {message}")
    assert "\n" not in str(caught.value)


def test_sampled_shares_sum_to_one_and_centre_on_the_rubric() -> None:
    compiled = three_by_two().compiled
    for spec in ("dirichlet:50", "uniform:0.3"):
        directions, indicators = sample_weights(compiled, parse_weights(spec), 20_000,
                                                np.random.default_rng(3))
        assert np.allclose(directions.sum(axis=1), 1.0)
        assert np.allclose(indicators @ compiled.block.astype(bool), 1.0)
        assert (directions > 0).all() and (indicators > 0).all()
        assert np.allclose(directions.mean(axis=0), compiled.overall_shares, atol=0.01)
        within = compiled.weights / compiled.direction_weight_sums[compiled.direction_of]
        assert np.allclose(indicators.mean(axis=0), within, atol=0.01)


def test_dirichlet_spread_matches_its_concentration() -> None:
    # a share p under Dir(α·p) has sd √(p(1 − p)/(α + 1)): p = 1/2, α = 50 → 0.0700
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1")))
    directions, _ = sample_weights(rubric.compiled, parse_weights("dirichlet:50"), 40_000,
                                   np.random.default_rng(0))
    assert directions[:, 0].std() == pytest.approx(math.sqrt(0.25 / 51), rel=0.03)


# --- the weight sweep against the engine ----------------------------------------------------------

@pytest.mark.parametrize("aggregation, missing", VARIANTS)
def test_sampled_scores_equal_rescoring_with_the_sampled_weights(aggregation: str, missing: str) -> None:
    rubric = three_by_two(aggregation=aggregation, missing=missing)
    values = random_matrix(12, 6, seed=1, missing=0.25)
    values[3, :2] = NAN  # a direction with no data at all
    values[4] = values[5]  # a tie
    table = score_many(rubric, values)
    directions, indicators = sample_weights(rubric.compiled, parse_weights("dirichlet:10"), 8,
                                            np.random.default_rng(5))
    scores = sampled_scores(rubric.compiled, table.indicator_levels, directions, indicators)
    data = rubric.model_dump()
    for k in range(8):
        for j, spec in enumerate(data["directions"]):
            spec["weight"] = float(directions[k, j])
            for indicator in spec["indicators"]:
                indicator["weight"] = float(indicators[k, rubric.indicator_ids.index(indicator["id"])])
        expected = score_many(Rubric.model_validate(data), values).overall
        assert np.allclose(scores[:, k], expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("aggregation, missing", VARIANTS)
def test_zero_perturbation_collapses_to_the_point_result(aggregation: str, missing: str) -> None:
    rubric = three_by_two(aggregation=aggregation, missing=missing)
    values = random_matrix(30, 6, seed=2)
    values[7] = values[8]  # tied bases share a rank in every sample
    report = sensitivity(rubric, values, samples=300, weights="uniform:0", seed=1, **QUICK)
    table = score_many(rubric, values)
    assert [b.base for b in report.bases][:3] == [table.base_ids[n] for n in
                                                  np.argsort(-table.overall, kind="stable")[:3]]
    for row in report.bases:
        n = table.base_ids.index(row.base)
        assert row.score == table.overall[n]
        for figure in (row.score_interval.median, row.score_interval.low, row.score_interval.high):
            assert figure == pytest.approx(row.score, abs=1e-9)
        assert row.rank_interval.model_dump() == {"median": row.rank, "low": row.rank, "high": row.rank}
        assert row.level_probability[row.level] == 1.0
        assert row.top_probability == (1.0 if row.rank <= 3 else 0.0)


def test_huge_concentration_collapses_too() -> None:
    report = sensitivity(V1, examples(), samples=500, weights="dirichlet:1e12", seed=3, **QUICK)
    for row in report.bases:
        assert row.score_interval.low == pytest.approx(row.score, abs=1e-3)
        assert row.score_interval.high == pytest.approx(row.score, abs=1e-3)
        assert (row.rank_interval.low, row.rank_interval.high) == (row.rank, row.rank)


def test_perturbing_indicators_alone_changes_nothing_with_one_indicator_per_direction() -> None:
    rubric = make_rubric(direction("a", ind("a1"), weight=3), direction("b", ind("b1")))
    values = random_matrix(10, 2, seed=4, missing=0)
    moved = sensitivity(rubric, values, samples=200, seed=1, perturb="directions", **QUICK)
    still = sensitivity(rubric, values, samples=200, seed=1, perturb="indicators", **QUICK)
    assert any(r.score_interval.high - r.score_interval.low > 1 for r in moved.bases)
    assert all(r.score_interval.high == pytest.approx(r.score_interval.low, abs=1e-9) for r in still.bases)


def test_a_dominating_base_ranks_first_in_every_sample() -> None:
    rubric = three_by_two()
    others = random_matrix(40, 6, seed=6, missing=0.2) * 0.9
    best = np.nanmax(others, axis=0) + 0.5  # strictly better than every other base on every indicator
    values = np.vstack([others[:17], best, others[17:]])
    for aggregation, missing in VARIANTS:
        variant = three_by_two(aggregation=aggregation, missing=missing)
        report = sensitivity(variant, values, samples=2_000, weights="dirichlet:2", seed=9, **QUICK)
        first = report.base("row-18")
        assert report.bases[0] is first
        assert first.rank_interval.model_dump() == {"median": 1, "low": 1, "high": 1}
        assert first.top_probability == 1.0
    assert rubric.aggregation == "arithmetic"


def test_same_seed_same_bytes_and_the_drawn_seed_reproduces() -> None:
    profiles = examples()
    first = sensitivity(V1, profiles, samples=500, seed=42, value_samples=200)
    again = sensitivity(V1, profiles, samples=500, seed=42, value_samples=200)
    assert first.to_json() == again.to_json()
    other = sensitivity(V1, profiles, samples=500, seed=43, value_samples=200)
    assert other.to_json() != first.to_json()
    drawn = sensitivity(V1, profiles, samples=300, value_samples=0)
    assert drawn.seed > 0
    assert sensitivity(V1, profiles, samples=300, seed=drawn.seed, value_samples=0) == drawn


def test_results_do_not_depend_on_threads() -> None:
    values = random_matrix(300, 6, seed=8)
    one = sensitivity(three_by_two(), values, samples=1_500, seed=2, workers=1, **QUICK)
    two = sensitivity(three_by_two(), values, samples=1_500, seed=2, workers=2, **QUICK)
    assert one.to_json() == two.to_json()


def test_report_shape_and_probabilities() -> None:
    report = sensitivity(V1, examples(), samples=1_000, seed=5, top_k=2)
    assert isinstance(report, SensitivityReport)
    assert [r.rank for r in report.bases] == sorted(r.rank for r in report.bases)
    for row in report.bases:
        assert len(row.level_probability) == 6
        assert sum(row.level_probability) == pytest.approx(1.0)
        assert row.score_interval.low <= row.score_interval.median <= row.score_interval.high
        assert row.rank_interval.low <= row.rank_interval.median <= row.rank_interval.high
    assert sum(r.top_probability for r in report.bases) == pytest.approx(2.0)  # no ties: 2 in the top 2
    data = json.loads(report.to_json())
    assert data["weights"] == "dirichlet:50" and data["samples"] == 1_000 and data["seed"] == 5
    assert data["rubric"]["id"] == "urban-mining-upgrade"
    assert set(data) == {"rubric", "weights", "perturb", "samples", "seed", "top_k", "bases", "methods",
                         "influence", "value_samples", "values"}
    with pytest.raises(UpgradeScoreError, match="no base 'nope'"):
        report.base("nope")
    text = str(report)
    assert text.startswith("Sensitivity · rubric urban-mining-upgrade")
    assert "P(top 2)" in text and "Kendall's tau-b" in text and "Value confidence" in text
    assert report._repr_html_().startswith("<pre>")


# --- properties -------------------------------------------------------------------------------------

@st.composite
def groups(draw: st.DrawFn) -> tuple[Rubric, np.ndarray]:
    directions = []
    for j in range(draw(st.integers(1, 3))):
        indicators = [ind(f"i{j}_{i}", draw(st.integers(1, 4))) for i in range(draw(st.integers(1, 3)))]
        directions.append(direction(f"d{j}", *indicators, weight=draw(st.integers(1, 4))))
    rubric = make_rubric(*directions, missing=draw(st.sampled_from(["zero", "exclude"])))
    width = len(rubric.indicator_ids)
    cell = st.one_of(st.sampled_from([0.0, 20.0, 50.0, 100.0, NAN]), st.floats(0, 100))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=6))
    return rubric, np.array(rows, dtype=float)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups(), st.sampled_from(["dirichlet:50", "uniform:0.2"]))
def test_intervals_contain_the_point_estimate(group: tuple[Rubric, np.ndarray], weights: str) -> None:
    # Arithmetic aggregation: the sampled scores centre on the point score. (Under 'weakest' the
    # minimum of perturbed directions is biased low, so the point can lie above the interval.)
    rubric, values = group
    report = sensitivity(rubric, values, samples=400, weights=weights, seed=0, **QUICK)
    for row in report.bases:
        assert row.score_interval.low - 1e-9 <= row.score <= row.score_interval.high + 1e-9
        assert row.rank_interval.low <= row.rank <= row.rank_interval.high
        assert row.level_probability[row.level] > 0 or row.score_interval.low != row.score_interval.high


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, 1.0 + 1e-10, 2.5, 7.0]), min_size=1, max_size=8),
                min_size=1, max_size=5).filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_row_ranks_are_competition_ranks(rows: list[list[float]]) -> None:
    scores = np.array(rows)
    expected = np.stack([competition_ranks(row) for row in scores])
    assert (row_ranks(scores) == expected).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=30), st.sampled_from([0.05, 0.5, 0.95]))
def test_quantiles_of_sorted_rows_match_numpy(sample: list[float], q: float) -> None:
    rows = np.sort(np.array([sample]), axis=1)
    assert sorted_quantile(rows, q)[0] == pytest.approx(np.quantile(sample, q), abs=1e-9)
    assert sorted_order_statistic(rows, q)[0] == np.quantile(sample, q, method="inverted_cdf")


# --- Kendall's tau-b --------------------------------------------------------------------------------

@pytest.mark.parametrize("x, y, tau", [
    ([1, 2, 3, 4], [1, 2, 3, 4], 1.0),
    ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
    ([1, 2, 3, 4], [1, 3, 2, 4], 4 / 6),             # C = 5, D = 1 of 6 pairs
    ([1, 1, 2, 3], [1, 2, 2, 3], 4 / 5),             # C = 4, D = 0; one tie in each: 4/√(5·5)
    ([1, 2, 3], [3, 1, 2], -1 / 3),                  # C = 1, D = 2
    ([1, 1, 2, 2], [1, 2, 1, 2], 0.0),               # C = 1, D = 1 (x pairs tied: 2)
    ([1, 1, 1], [1, 2, 3], None),                    # x all tied: undefined
])
def test_kendall_tau_b_hand_cases(x: list[int], y: list[int], tau: float | None) -> None:
    found = kendall_tau_b(x, y)
    assert found == (None if tau is None else pytest.approx(tau))


# --- method sensitivity -------------------------------------------------------------------------------

def test_method_sensitivity_hand_case() -> None:
    # D = the value (one identity indicator per direction). A (90, 10): arithmetic 50, weakest 10,
    # geometric √900 = 30. B (40, 40): 40 everywhere. C (30, 30): 30 everywhere.
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1")))
    report = sensitivity(rubric, [[90, 10], [40, 40], [30, 30]], ids=["A", "B", "C"], samples=50,
                         seed=0, value_samples=0)
    methods = report.methods
    assert methods is not None
    assert methods.nominal == "arithmetic/zero"
    ranks = {b.base: b.ranks for b in methods.bases}
    assert ranks["A"]["arithmetic/zero"] == 1 and ranks["A"]["weakest/zero"] == 3
    assert ranks["A"]["geometric/zero"] == 2 and ranks["C"]["geometric/zero"] == 2  # tied at 30
    assert ranks["B"]["weakest/exclude"] == 1 and ranks["C"]["weakest/exclude"] == 2
    assert {b.base: b.rank_range for b in methods.bases} == {"A": 2, "B": 1, "C": 1}
    assert methods.fragile_range == 2 and methods.fragile == ("A",)
    assert methods.tau("arithmetic/zero", "weakest/zero") == pytest.approx(-1 / 3)
    assert methods.tau("arithmetic/zero", "arithmetic/exclude") == 1.0  # no missing data
    pair = next(p for p in methods.pairs if {p.a, p.b} == {"arithmetic/zero", "weakest/zero"})
    assert (pair.changed, pair.max_change) == (3, 2)
    assert methods.bases[0].scores["geometric/zero"] == pytest.approx(30.0)
    with pytest.raises(UpgradeScoreError, match="no method variants"):
        methods.tau("arithmetic/zero", "median/zero")


def test_missing_policy_variants_differ_where_data_are_missing() -> None:
    # A reports only a1 = 80 (a2 missing): zero → D_a = 40, exclude → 80. B: 60, 60.
    rubric = make_rubric(direction("a", ind("a1"), ind("a2")))
    report = sensitivity(rubric, [[80, NAN], [60, 60]], ids=["A", "B"], samples=20, seed=0)
    methods = report.methods
    assert methods is not None
    ranks = {b.base: b.ranks for b in methods.bases}
    assert ranks["A"]["arithmetic/zero"] == 2 and ranks["A"]["arithmetic/exclude"] == 1
    assert methods.fragile == ()  # a range of 1 place among 2 bases: below the threshold of 2
    assert sensitivity(rubric, [[80, NAN], [60, 60]], samples=20, seed=0,
                       fragile_range=1).methods.fragile == ("row-2", "row-1")  # type: ignore[union-attr]


def test_method_variants_keep_the_rubric_unchanged() -> None:
    rubric = three_by_two(aggregation="geometric", missing="exclude")
    before = rubric.sha256
    report = sensitivity(rubric, random_matrix(5, 6), samples=10, seed=0)
    assert report.methods is not None and report.methods.nominal == "geometric/exclude"
    assert rubric.sha256 == before and rubric.aggregation == "geometric"


# --- influence ------------------------------------------------------------------------------------------

def test_influence_hand_case() -> None:
    # D1 = (0, 100, 0, 100), D2 = (0, 0, 100, 100): O = (0, 50, 50, 100); r = 5000/√(10⁴·5000) = 0.707
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1")))
    report = sensitivity(rubric, [[0, 0], [100, 0], [0, 100], [100, 100]], samples=10, seed=0)
    assert report.influence is not None
    by_id = {i.component: i for i in report.influence}
    for component in ("a", "b", "a1", "b1"):
        assert by_id[component].correlation == pytest.approx(math.sqrt(0.5))
        assert by_id[component].effective_share == pytest.approx(0.5)
        assert by_id[component].nominal_share == pytest.approx(0.5)
    assert by_id["a1"].kind == "indicator" and by_id["a1"].direction == "a"


def test_a_constant_component_has_no_influence() -> None:
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1"), weight=3))
    report = sensitivity(rubric, [[10, 50], [60, 50], [30, 50]], samples=10, seed=0)
    assert report.influence is not None
    by_id = {i.component: i for i in report.influence}
    assert by_id["b"].correlation is None and by_id["b"].effective_share == 0.0
    assert by_id["b"].nominal_share == pytest.approx(0.75)
    assert by_id["a"].effective_share == pytest.approx(1.0)


def test_influence_needs_three_bases() -> None:
    report = sensitivity(three_by_two(), random_matrix(2, 6), samples=10, seed=0)
    assert report.influence is None
    assert report.to_dict()["influence"] is None


# --- value confidence -----------------------------------------------------------------------------------

def one_value_profile(value: Any, **extra: Any) -> BaseProfile:
    return BaseProfile.model_validate({"base": {"id": "b"}, "values": {"x": {"value": value, **extra}}})


@pytest.mark.parametrize("aggregation, missing", VARIANTS)
def test_value_scores_equal_rescoring_the_sampled_values(aggregation: str, missing: str) -> None:
    rubric = make_rubric(direction("a", ind("a1", 2), ind("a2"), ind("q", kind="qualitative")),
                         direction("b", ind("b1"), ind("flag", kind="boolean"), weight=2),
                         aggregation=aggregation, missing=missing)
    values = np.array([[30, NAN, 2, 55, 1], [80, 10, 4, NAN, 0], [5, 95, 0, 45, 1]], dtype=float)
    confidence = np.array([[0.5, NAN, 0.6, 0.7, 0.2], [0.8, NAN, NAN, NAN, 0.5], [NAN, 0.4, NAN, NAN, NAN]])
    table = score_many(rubric, values)
    spread = _value_spread(table, confidence)
    drawn = sample_values(rubric.compiled, table.values, spread, slice(None), 6, np.random.default_rng(1))
    joint, alone = value_scores(table, spread.rows, spread.columns, drawn)
    for s in range(6):
        together = values.copy()
        together[spread.rows, spread.columns] = drawn[:, s]
        assert np.allclose(joint[:, s], score_many(rubric, together).overall, rtol=0, atol=1e-9)
        for c, (n, m) in enumerate(zip(spread.rows, spread.columns)):
            one = values[n].copy()
            one[m] = drawn[c, s]
            assert alone[c, s] == pytest.approx(score_many(rubric, one[None, :]).overall[0], abs=1e-9)


def test_interval_is_sampled_uniformly() -> None:
    rubric = make_rubric(direction("d", ind("x")))  # overall = the value
    report = sensitivity(rubric, [one_value_profile(50.0, low=40.0, high=60.0)], samples=10, seed=1,
                         value_samples=20_000)
    (uncertain,) = report.values
    assert uncertain.score == pytest.approx(50.0)
    assert uncertain.interval.median == pytest.approx(50, abs=0.3)
    assert uncertain.interval.low == pytest.approx(41, abs=0.3)
    assert uncertain.interval.high == pytest.approx(59, abs=0.3)
    assert uncertain.sd == pytest.approx(20 / math.sqrt(12), rel=0.02)
    (only,) = uncertain.contributions
    assert (only.indicator, only.model, only.variance_share) == ("x", "interval", pytest.approx(1.0))


def test_confidence_sd_is_a_share_of_the_threshold_span() -> None:
    # span t_L − t_0 = 100 − 0; confidence 0.95 → sd 5 points of value = 5 points of score
    rubric = make_rubric(direction("d", ind("x")))
    report = sensitivity(rubric, [one_value_profile(50.0, confidence=0.95)], samples=10, seed=2,
                         value_samples=20_000)
    assert report.values[0].sd == pytest.approx(5.0, rel=0.03)
    assert report.values[0].contributions[0].model == "confidence"


def test_contributions_split_the_variance_of_an_additive_score() -> None:
    # O = (x + 3y)/4 in value units: sd_x = 10 → 2.5, sd_y = 5 → 3.75; shares 6.25 : 14.06
    rubric = make_rubric(direction("d", ind("x", 1), ind("y", 3)))
    profile = BaseProfile.model_validate({"base": {"id": "b"}, "values": {
        "x": {"value": 50.0, "confidence": 0.9}, "y": {"value": 50.0, "confidence": 0.95}}})
    report = sensitivity(rubric, [profile], samples=10, seed=3, value_samples=20_000)
    shares = {c.indicator: c.variance_share for c in report.values[0].contributions}
    assert shares["y"] == pytest.approx(14.0625 / 20.3125, abs=0.03)
    assert shares["x"] == pytest.approx(6.25 / 20.3125, abs=0.03)
    assert [c.indicator for c in report.values[0].contributions] == ["y", "x"]


def test_booleans_flip_and_levels_stay_whole() -> None:
    rubric = make_rubric(direction("d", ind("flag", kind="boolean"), ind("grade", kind="qualitative")))
    profile = BaseProfile.model_validate({"base": {"id": "b"}, "values": {
        "flag": {"value": True, "confidence": 0.0}, "grade": {"value": 3, "confidence": 0.7}}})
    table = score_many(rubric, [profile])
    spread = _value_spread(table, None)
    drawn = sample_values(rubric.compiled, table.values, spread, slice(None), 4_000,
                          np.random.default_rng(0))
    flags, grades = drawn
    assert set(np.unique(flags)) == {0.0, 1.0} and flags.mean() == pytest.approx(0.5, abs=0.03)
    assert (grades == np.round(grades)).all() and grades.min() >= 0 and grades.max() <= 5
    assert grades.std() > 0.5
    report = sensitivity(rubric, [profile], samples=10, seed=0, value_samples=500)
    assert report.values[0].interval.low < report.values[0].interval.high


def test_exact_values_give_no_value_results() -> None:
    rubric = make_rubric(direction("d", ind("x")))
    for extra in ({}, {"confidence": 1.0}, {"low": 50.0, "high": 50.0}):
        report = sensitivity(rubric, [one_value_profile(50.0, **extra)], samples=10, seed=0)
        assert report.values == () and report.value_samples == 0
        assert report.to_dict()["values"] == []


def test_confidence_array_for_matrix_data() -> None:
    rubric = make_rubric(direction("d", ind("x"), ind("y")))
    values = np.array([[50.0, 50.0], [20.0, NAN]])
    confidence = np.array([[0.9, NAN], [NAN, 0.5]])  # the missing value stays missing
    report = sensitivity(rubric, values, samples=10, seed=0, confidence=confidence, value_samples=300)
    assert [v.base for v in report.values] == ["row-1"]
    assert [c.indicator for c in report.values[0].contributions] == ["x"]
    with pytest.raises(UpgradeScoreError, match=r"confidence: expected shape \(2, 2\)"):
        sensitivity(rubric, values, samples=10, confidence=[0.5, 0.5])
    with pytest.raises(UpgradeScoreError, match=r"confidence: values must be in \[0, 1\]"):
        sensitivity(rubric, values, samples=10, confidence=[[2, 0], [0, 0]])
    with pytest.raises(UpgradeScoreError, match="confidence: only for array data"):
        sensitivity(rubric, [one_value_profile(1.0)], samples=10, confidence=[[1.0]])


def test_example_profiles_with_confidence_get_value_intervals() -> None:
    report = sensitivity(V1, examples(), samples=100, seed=0, value_samples=500)
    hub = next(v for v in report.values if v.base == "jinhe-scrap-metal-hub")
    assert {c.indicator for c in hub.contributions} == {
        "output_value_per_tonne", "energy_intensity", "renewable_energy_share", "annual_throughput"}
    assert hub.interval.low <= hub.interval.median <= hub.interval.high


# --- profile intervals ------------------------------------------------------------------------------------

def test_interval_in_a_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("base: {id: b}\nvalues:\n  x: {value: 50, low: 40, high: 65}\n", encoding="utf-8")
    value = load_profile(path).values["x"]
    assert (value.value, value.low, value.high) == (50.0, 40.0, 65.0)


@pytest.mark.parametrize("fields, message", [
    ("{value: 50, low: 40}", "an interval needs both 'low' and 'high'"),
    ("{value: 50, low: 55, high: 60}", "the interval [55, 60] must contain the value 50"),
    ("{value: true, low: 0, high: 1}", "an interval (low, high) needs a numeric value"),
    ("{value: null, low: 0, high: 1}", "an interval (low, high) needs a numeric value"),
])
def test_bad_interval_in_a_profile_file(tmp_path: Path, fields: str, message: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(f"base: {{id: b}}\nvalues:\n  x: {fields}\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as caught:
        load_profile(path)
    assert str(caught.value) == f"{path}:3: values.x: {message}"


@pytest.mark.parametrize("indicator, value, low, high, message", [
    ({"kind": "boolean"}, 1.0, 0.0, 1.0, "an interval (low, high) applies to numbers and levels"),
    ({"kind": "qualitative"}, 2.0, 1.5, 3.0, "the interval of a level must be whole levels, got [1.5, 3]"),
    ({}, 50.0, 40.0, 120.0, "interval [40, 120] is outside the valid range [0, 100]"),
])
def test_interval_checked_against_the_rubric(indicator: dict[str, Any], value: float, low: float,
                                            high: float, message: str) -> None:
    rubric = make_rubric(direction("d", ind("x", **indicator)))
    with pytest.raises(UpgradeScoreError) as caught:
        sensitivity(rubric, [one_value_profile(value, low=low, high=high)], samples=10)
    assert str(caught.value).startswith(f"base 'b': values.x: {message}")


# --- options ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"samples": 0}, "samples: must be a whole number ≥ 1, got 0"),
    ({"samples": 2.5}, "samples: must be a whole number ≥ 1, got 2.5"),
    ({"top_k": 0}, "top_k: must be a whole number ≥ 1, got 0"),
    ({"value_samples": 1}, "value_samples: needs 0 (skip) or at least 2 samples"),
    ({"seed": -1}, "seed: must be a whole number ≥ 0, got -1"),
    ({"perturb": "both"}, "perturb: expected all, directions or indicators, got 'both'"),
    ({"fragile_range": 0}, "fragile_range: must be a whole number ≥ 1, got 0"),
    ({"samples": 10**9}, "samples: 1,000,000,000 samples × 4 bases is more than 250,000,000"),
])
def test_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UpgradeScoreError) as caught:
        sensitivity(V1, examples(), **options)
    assert str(caught.value).startswith(message)


def test_empty_group() -> None:
    with pytest.raises(UpgradeScoreError, match="the group of bases is empty"):
        sensitivity(V1, [])


def test_a_score_table_is_accepted() -> None:
    rubric = load_rubric(V1)
    table = score_many(rubric, examples())
    assert (sensitivity(V1, table, samples=200, seed=1, value_samples=0)
            == sensitivity(rubric, examples(), samples=200, seed=1, value_samples=0))


# --- command line -------------------------------------------------------------------------------------------

def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "--rubric", V1, str(EXAMPLES), "--samples", "300", "--seed", "4",
                 "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sensitivity · rubric urban-mining-upgrade 2026.1 · 4 bases · 300 samples of "
                          "direction and indicator weights (dirichlet:50) · seed 4")
    for expected in ("score 5–95 %", "rank 5–95 %", "P(top 2)", "chenghu-circular-economy-park",
                     "4 Optimised", "Method sensitivity", "Fragile bases (rank range ≥ 2)",
                     "Influence", "Value confidence"):
        assert expected in out


def test_cli_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sensitivity", "--rubric", V1, str(EXAMPLES), "--samples", "200", "--seed", "1", "--weights",
            "uniform:0.3"]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["weights"] == "uniform:0.3" and len(data["bases"]) == 4
    assert main([*args, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Sensitivity") and "| rank | base |" in out and "## Method sensitivity" in out


@pytest.mark.parametrize("option, message", [
    (["--weights", "dirichlet"], "upgrade-score: error: weights: expected 'dirichlet:CONCENTRATION'"),
    (["--weights", "uniform:2"], "upgrade-score: error: weights: the uniform spread must be in [0, 1)"),
    (["--samples", "0"], "upgrade-score: error: samples: must be a whole number ≥ 1, got 0"),
    (["--samples", "many"], "upgrade-score sensitivity: error: argument --samples: invalid int value"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], option: list[str],
                                             message: str) -> None:
    try:
        code = main(["sensitivity", "--rubric", V1, str(EXAMPLES), *option])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_row_ranks_do_not_chain_near_ties() -> None:
    from upgrade_score._analysis.compare import competition_ranks
    from upgrade_score._analysis.sensitivity.weights import row_ranks

    scores = np.array([[1.0, 1.0 + 6e-10, 1.0 + 1.2e-9, 0.5], [3.0, 2.0, 2.0, 1.0]])
    assert row_ranks(scores).tolist() == [competition_ranks(row).tolist() for row in scores]
    assert row_ranks(scores).tolist() == [[2, 1, 1, 4], [1, 2, 2, 4]]
