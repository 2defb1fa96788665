"""Sensitivity analysis with rubric language 2 (design.md points 9-11): categories with their own
thresholds, n/a indicators and directions, and gates.

Every sample must follow the engine: an n/a indicator leaves its direction's weighted mean, an n/a
direction leaves the overall aggregate (its weight, however it is perturbed, moves nothing for that
base), gates cap levels and never scores, and perturbed values go through the base's category bars.
The checks: zero perturbation reproduces ``score_many``; every sampled weighting equals re-scoring
with a rubric that carries those weights; hand-computed cases on tiny rubrics ("identity"
indicators: floor 0, thresholds 20..100, so level s = v / 20 and a direction of one such indicator
scores its value); hypothesis properties on random language-2 rubrics; and the command line.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, load_profiles, score_many, sensitivity
from upgrade_score._analysis.compare import competition_ranks
from upgrade_score._analysis.sensitivity import applicability, method_variants
from upgrade_score._analysis.sensitivity.values import sample_values, value_scores, value_spread
from upgrade_score._analysis.sensitivity.weights import parse_weights, sample_weights, sampled_scores
from upgrade_score._cli import main
from upgrade_score._render.sensitivity import render_sensitivity
from v1 import V1, V1_BASES

pytestmark = pytest.mark.filterwarnings("error")  # no numpy warnings from n/a cells or directions

ROOT = Path(__file__).resolve().parents[2]
V2_RUBRIC = ROOT / "examples" / "rubrics" / "categories_and_gates.yaml"
IDENTITY = {"thresholds": [20, 40, 60, 80, 100], "floor": 0, "valid_range": [0, 100]}
VARIANTS = [(a, m) for a in ("arithmetic", "geometric", "weakest") for m in ("zero", "exclude")]
QUICK: dict[str, Any] = dict(methods=False, influence=False, value_samples=0)
TOL = 1e-9


def ind(indicator_id: str, weight: float = 1.0, **fields: Any) -> dict[str, Any]:
    return {"id": indicator_id, "name": {"en": indicator_id}, "weight": weight, **IDENTITY, **fields}


def direction(direction_id: str, *indicators: dict[str, Any], weight: float = 1.0) -> dict[str, Any]:
    return {"id": direction_id, "name": {"en": direction_id}, "weight": weight,
            "indicators": list(indicators)}


def make_rubric(*directions: dict[str, Any], **fields: Any) -> Rubric:
    """Five levels (cutoffs 20, 40, 60, 80, 100), categories ferrous and ewaste."""
    return Rubric.model_validate({
        "id": "sens-v2", "version": "1", "title": {"en": "Sensitivity v2"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, 6)],
        "categories": [{"id": "ferrous", "name": {"en": "Ferrous"}},
                       {"id": "ewaste", "name": {"en": "E-waste"}}],
        "directions": list(directions), **fields})


def profile(base_id: str, category: str | None = None, **values: Any) -> BaseProfile:
    base: dict[str, Any] = {"id": base_id}
    if category is not None:
        base["category"] = category
    return BaseProfile.model_validate({"base": base, "values": values})


def reweighted(rubric: Rubric, directions: np.ndarray, indicators: np.ndarray) -> Rubric:
    """The rubric with direction weights ``directions`` (D,) and indicator weights (M,)."""
    data = rubric.model_dump()
    for j, spec in enumerate(data["directions"]):
        spec["weight"] = float(directions[j])
        for indicator in spec["indicators"]:
            indicator["weight"] = float(indicators[rubric.indicator_ids.index(indicator["id"])])
    return Rubric.model_validate(data)


# --- a group that uses everything ------------------------------------------------------------------

def mixed_rubric(aggregation: str = "arithmetic", missing: str = "zero") -> Rubric:
    """Three directions: ``c`` applies only to e-waste bases; ``w``, ``b1`` and ``b2`` may be n/a
    (``w`` has ferrous bars); a gate on ``a1`` caps the overall level at 2, one on ``b1`` caps
    direction b at 1."""
    return make_rubric(
        direction("a", ind("a1", 2), ind("w", 1, allow_na=True,
                                         thresholds_by_category={"ferrous": [30, 50, 70, 90, 100]}),
                  weight=2),
        direction("b", ind("b1", allow_na=True), ind("b2", 3, allow_na=True)),
        direction("c", ind("c1", applies_to=["ewaste"]), ind("c2", 2, applies_to=["ewaste"]), weight=1.5),
        gates=[{"id": "a1_high", "name": {"en": "a1 high"}, "indicator": "a1", "at_least": 70, "caps": 2},
               {"id": "b1_some", "name": {"en": "b1 some"}, "indicator": "b1", "at_least": 10, "caps": 1,
                "scope": "b"}],
        aggregation=aggregation, missing=missing)


def mixed_profiles(count: int = 24, seed: int = 0) -> list[BaseProfile]:
    rng = np.random.default_rng(seed)
    profiles = []
    for n in range(count):
        category = [None, "ferrous", "ewaste"][n % 3]
        values: dict[str, Any] = {}
        for indicator in ("a1", "w", "b1", "b2", "c1", "c2"):
            if indicator.startswith("c") and category != "ewaste":
                continue
            draw = rng.random()
            if indicator in ("w", "b1", "b2") and draw < 0.25:
                values[indicator] = "n/a"
            elif draw < 0.45 and indicator != "a1":
                continue  # missing
            else:
                values[indicator] = round(float(rng.uniform(0, 100)), 1)
        if n % 5 == 0:  # direction b does not apply at all
            values["b1"] = values["b2"] = "n/a"
        profiles.append(profile(f"base-{n:02d}", category, **values))
    profiles.append(profile("tied", getattr(profiles[1].base, "category", None), **dict(profiles[1].values)))
    return profiles


def test_the_mixed_group_has_na_directions_caps_and_categories() -> None:
    table = score_many(mixed_rubric(), mixed_profiles())
    assert np.isnan(table.directions).any(axis=0).tolist() == [False, True, True]
    uncapped = table.scores.uncapped_overall_level
    assert uncapped is not None and (uncapped > table.overall_level).any()
    assert not table.applicable.all() and applicability(table) is not None
    assert not np.isnan(table.overall).any()


@pytest.mark.parametrize("aggregation, missing", VARIANTS)
def test_zero_perturbation_reproduces_score_many(aggregation: str, missing: str) -> None:
    rubric = mixed_rubric(aggregation, missing)
    profiles = mixed_profiles()
    table = score_many(rubric, profiles)
    report = sensitivity(rubric, profiles, samples=200, weights="uniform:0", seed=1, value_samples=0)
    ranks = competition_ranks(table.overall)
    assert [r.base for r in report.bases] == [table.base_ids[n] for n in
                                              np.lexsort((np.array(table.base_ids), ranks))]
    for row in report.bases:
        n = table.base_ids.index(row.base)
        card = table.scorecard(n)
        assert row.score == table.overall[n] and row.rank == ranks[n]
        for figure in (row.score_interval.median, row.score_interval.low, row.score_interval.high):
            assert figure == pytest.approx(row.score, abs=TOL)
        assert row.rank_interval.model_dump() == {"median": row.rank, "low": row.rank, "high": row.rank}
        assert row.level == card.overall.level and row.uncapped_level == card.overall.uncapped_level
        assert row.level_probability[row.level] == 1.0
        assert row.top_probability == (1.0 if row.rank <= 3 else 0.0)
        absent = tuple(d for d, result in card.directions.items() if result.score is None)
        assert row.not_applicable == (absent or None)
    assert report.base("tied").rank == report.base("base-01").rank
    assert report.methods is not None
    nominal = f"{aggregation}/{missing}"
    for method_row in report.methods.bases:
        n = table.base_ids.index(method_row.base)
        assert method_row.scores[nominal] == table.overall[n] and method_row.ranks[nominal] == ranks[n]


@pytest.mark.parametrize("aggregation, missing", VARIANTS)
def test_sampled_scores_equal_rescoring_with_the_sampled_weights(aggregation: str, missing: str) -> None:
    rubric = mixed_rubric(aggregation, missing)
    profiles = mixed_profiles(seed=2)
    table = score_many(rubric, profiles)
    directions, indicators = sample_weights(rubric.compiled, parse_weights("dirichlet:4"), 6,
                                            np.random.default_rng(5))
    scores = sampled_scores(rubric.compiled, table.indicator_levels, directions, indicators,
                            applicability(table))
    for k in range(6):
        expected = score_many(reweighted(rubric, directions[k], indicators[k]), profiles).overall
        assert np.allclose(scores[:, k], expected, rtol=0, atol=TOL)


def test_array_data_and_a_score_table_give_the_same_report() -> None:
    rubric = mixed_rubric()
    profiles = [p for p in mixed_profiles() if getattr(p.base, "category", None) is None and "n/a" not in
                [v.value for v in p.values.values()]]
    assert len(profiles) >= 3
    values = score_many(rubric, profiles).values  # no category: direction c does not apply
    from_profiles = sensitivity(rubric, profiles, samples=300, seed=3, **QUICK)
    from_array = sensitivity(rubric, values, ids=[p.id for p in profiles], samples=300, seed=3, **QUICK)
    from_table = sensitivity(V1, score_many(rubric, profiles), samples=300, seed=3, **QUICK)
    assert from_profiles.to_json() == from_array.to_json() == from_table.to_json()
    assert all(row.not_applicable == ("c",) for row in from_array.bases)


# --- hand-computed cases ---------------------------------------------------------------------------

def two_directions(aggregation: str = "arithmetic", missing: str = "zero") -> Rubric:
    return make_rubric(direction("a", ind("a1")), direction("b", ind("b1", allow_na=True)),
                       aggregation=aggregation, missing=missing)


@pytest.mark.parametrize("aggregation, y_nominal, y_low, y_high", [
    # y = 40·W_a + 80·W_b with shares W in [0.4, 0.6] (uniform:0.2 on equal weights: 0.8/2 .. 1.2/2)
    ("arithmetic", 60.0, 40 * 0.6 + 80 * 0.4, 40 * 0.4 + 80 * 0.6),
    ("geometric", math.sqrt(40 * 80), 40 ** 0.6 * 80 ** 0.4, 40 ** 0.4 * 80 ** 0.6),
    ("weakest", 40.0, 40.0, 40.0),
])
def test_an_na_direction_leaves_the_overall_so_its_weight_moves_nothing(
        aggregation: str, y_nominal: float, y_low: float, y_high: float) -> None:
    # x: b is n/a, so its overall is a's score, 60, under every weighting and every aggregation
    profiles = [profile("x", a1=60, b1="n/a"), profile("y", a1=40, b1=80)]
    report = sensitivity(two_directions(aggregation), profiles, samples=4_000, weights="uniform:0.2",
                         seed=7, perturb="directions", **QUICK)
    x, y = report.base("x"), report.base("y")
    assert x.score == pytest.approx(60.0, abs=TOL)  # geometric: exp(ln 60 · 1) within rounding
    assert x.not_applicable == ("b",) and y.not_applicable is None
    for figure in (x.score_interval.low, x.score_interval.median, x.score_interval.high):
        assert figure == pytest.approx(60.0, abs=TOL)
    assert x.level_probability == (0.0, 0.0, 0.0, 1.0, 0.0, 0.0)  # level 3 (cutoff 60) every time
    assert y.score == pytest.approx(y_nominal, abs=TOL)
    assert y_low - TOL <= y.score_interval.low <= y.score_interval.high <= y_high + TOL
    if aggregation == "weakest":
        assert (x.rank, y.rank) == (1, 2) and x.rank_interval.high == 1
    else:
        assert y.score_interval.high - y.score_interval.low > 1  # y moves, x does not
    if aggregation == "arithmetic":  # y ties x nominally and overtakes it in about half the samples
        assert (x.rank, y.rank) == (1, 1) and y.score_interval.high > 60 > y.score_interval.low
        assert x.rank_interval.model_dump() == {"median": 2, "low": 1, "high": 2} or \
            x.rank_interval.model_dump() == {"median": 1, "low": 1, "high": 2}


@pytest.mark.parametrize("missing, z_nominal, z_low, z_high", [
    # zero: z's a2 is missing (level 0), D_a = 60·q1 with q1 = f1/(f1 + 3 f2), f in [0.8, 1.2]:
    # q1 in [0.8/4.4, 1.2/3.6]; overall = (D_a + 20)/2
    ("zero", (15 + 20) / 2, (60 * 0.8 / 4.4 + 20) / 2, (60 * 1.2 / 3.6 + 20) / 2),
    ("exclude", 40.0, 40.0, 40.0),  # exclude: a2 leaves D_a, which is a1's 60
])
def test_an_na_indicator_leaves_its_direction_under_either_policy(missing: str, z_nominal: float,
                                                                  z_low: float, z_high: float) -> None:
    rubric = make_rubric(direction("a", ind("a1"), ind("a2", 3, allow_na=True)), direction("b", ind("b1")),
                         missing=missing)
    profiles = [profile("x", a1=60, a2="n/a", b1=20), profile("z", a1=60, b1=20)]
    report = sensitivity(rubric, profiles, samples=3_000, weights="uniform:0.2", seed=2,
                         perturb="indicators", **QUICK)
    x, z = report.base("x"), report.base("z")
    # x: a2 is n/a, D_a = 60 whatever the weights (not 60/4 = 15 as if it were missing)
    assert x.score == 40.0
    assert x.score_interval.low == pytest.approx(40.0, abs=TOL)
    assert x.score_interval.high == pytest.approx(40.0, abs=TOL)
    assert x.not_applicable is None  # a direction with one applicable indicator still applies
    assert z.score == pytest.approx(z_nominal, abs=TOL)
    assert z_low - TOL <= z.score_interval.low <= z.score_interval.high <= z_high + TOL


def gated_rubric() -> Rubric:
    return make_rubric(direction("a", ind("a1")), direction("b", ind("b1")), gates=[
        {"id": "a1_full", "name": {"en": "a1 full"}, "indicator": "a1", "at_least": 100, "caps": 1},
        {"id": "b1_high", "name": {"en": "b1 high"}, "indicator": "b1", "at_least": 95, "caps": 0,
         "scope": "b"}])


def test_gates_cap_levels_not_scores_and_ranks_follow_scores() -> None:
    profiles = [profile("p", a1=90, b1=90),    # score 90 (level 4), fails a1_full: level 1
                profile("q", a1=100, b1=40),   # score 70 in [64, 76] under uniform:0.2: level 3
                profile("r", a1=100, b1=80)]   # score 90 in [88, 92]; only direction b is capped
    report = sensitivity(gated_rubric(), profiles, samples=2_000, weights="uniform:0.2", seed=4,
                         perturb="directions", **QUICK)
    p, q, r = (report.base(b) for b in "pqr")
    assert [(row.base, row.rank) for row in report.bases] == [("p", 1), ("r", 1), ("q", 3)]
    assert (p.score, p.level, p.uncapped_level) == (90.0, 1, 4)
    assert p.level_probability == (0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert (q.level, q.uncapped_level) == (3, 3) and q.level_probability[3] == 1.0
    assert (r.level, r.uncapped_level) == (4, 4) and r.level_probability[4] == 1.0
    text = render_sensitivity(report, "text", "en", gated_rubric())
    assert "Levels capped by basic requirements (scores unchanged; the likely levels above are capped): " \
           "p 4 L4 → 1 L1." in text
    assert "1 L1 (100 %)" in text
    markdown = render_sensitivity(report, "markdown", "zh", gated_rubric())
    assert markdown.endswith("\n\n受基本要求限制的等级（得分不变；上表最可能等级为限制后的等级）："
                             "p 4 L4 → 1 L1。")
    data = json.loads(report.to_json())
    assert data["bases"][0]["uncapped_level"] == 4 and "not_applicable" not in data["bases"][0]


def test_value_confidence_follows_category_bars_and_never_samples_na() -> None:
    # x has ferrous bars 40..200 (level s = v/40) against the default 20..100 (s = v/20)
    rubric = make_rubric(
        direction("a", ind("x", thresholds_by_category={"ferrous": [40, 80, 120, 160, 200]},
                           valid_range=[0, 200]), ind("y", 2, allow_na=True)),
        direction("b", ind("z")))
    profiles = [
        profile("f", "ferrous", x={"value": 100, "confidence": 0.9}, y={"value": "n/a", "confidence": 0.5},
                z={"value": 30, "confidence": 0.8}),
        profile("e", "ewaste", x={"value": 50, "confidence": 0.7}, y={"value": 60, "confidence": 0.6}, z=10),
        profile("g", None, x={"value": 150, "low": 120, "high": 180}, y="n/a", z=50),
    ]
    table = score_many(rubric, profiles)
    spread = value_spread(table, None)
    cells = {(table.base_ids[n], rubric.indicator_ids[m]): k
             for k, (n, m) in enumerate(zip(spread.rows.tolist(), spread.columns.tolist()))}
    assert set(cells) == {("f", "x"), ("f", "z"), ("e", "x"), ("e", "y"), ("g", "x")}  # no n/a cell
    assert spread.span[cells["f", "x"]] == 200.0 and spread.span[cells["e", "x"]] == 100.0
    drawn = sample_values(rubric.compiled, table.values, spread, slice(None), 5, np.random.default_rng(3))
    joint, alone = value_scores(table, spread.rows, spread.columns, drawn)
    for s in range(5):
        changed = []
        for base in profiles:
            values = {k: v.value for k, v in base.values.items()}
            for (b, indicator), k in cells.items():
                if b == base.id:
                    values[indicator] = float(drawn[k, s])
            changed.append(profile(base.id, getattr(base.base, "category", None), **values))
        assert np.allclose(joint[:, s], score_many(rubric, changed).overall, rtol=0, atol=TOL)
    # f's x alone: D_a = (s_x · 1 + 0 · 2) / 1 under the ferrous bars (y is n/a), overall = mean of a, b
    k = cells["f", "x"]
    expected = (100 * np.clip(drawn[k], 0, 200) / 200 + 30) / 2
    assert np.allclose(alone[k], expected, rtol=0, atol=TOL)
    report = sensitivity(rubric, profiles, samples=100, seed=1, value_samples=400)
    assert [v.base for v in report.values] == [r.base for r in report.bases]
    assert {c.indicator for c in report.values[[v.base for v in report.values].index("f")].contributions} \
        == {"x", "z"}


def test_method_variants_of_a_v2_rubric_match_the_engine() -> None:
    rubric = mixed_rubric()
    profiles = mixed_profiles(seed=4)
    report = sensitivity(rubric, profiles, samples=50, seed=1, value_samples=0)
    assert report.methods is not None
    for name, variant in method_variants(rubric).items():
        expected = score_many(variant, profiles).overall
        ranks = competition_ranks(expected)
        for row in report.methods.bases:
            n = [p.id for p in profiles].index(row.base)
            assert row.scores[name] == expected[n] and row.ranks[name] == ranks[n]


def test_influence_leaves_na_cells_and_directions_out() -> None:
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1", allow_na=True)),
                         direction("c", ind("c1", applies_to=["ewaste"])))
    profiles = [profile("p1", "ewaste", a1=10, b1=80, c1=30), profile("p2", "ewaste", a1=50, b1=20, c1=90),
                profile("p3", None, a1=70, b1=60), profile("p4", "ewaste", a1=90, b1="n/a", c1=40),
                profile("p5", "ewaste", a1=30, b1=40, c1=60)]
    table = score_many(rubric, profiles)
    report = sensitivity(rubric, profiles, samples=50, seed=1, value_samples=0)
    assert report.influence is not None
    found = {i.component: i.correlation for i in report.influence if i.kind == "indicator"}

    def r(values: list[float], rows: list[int]) -> float:
        return float(np.corrcoef(values, table.overall[rows])[0, 1])

    assert found["a1"] == pytest.approx(r([10, 50, 70, 90, 30], [0, 1, 2, 3, 4]), abs=1e-12)
    assert found["b1"] == pytest.approx(r([80, 20, 60, 40], [0, 1, 2, 4]), abs=1e-12)  # p4 left out
    assert found["c1"] == pytest.approx(r([30, 90, 40, 60], [0, 1, 3, 4]), abs=1e-12)  # p3 left out
    directions = {i.component: i.correlation for i in report.influence if i.kind == "direction"}
    assert directions["c"] == pytest.approx(found["c1"], abs=1e-12)


def test_array_values_outside_applies_to_are_neither_sampled_nor_correlated() -> None:
    # array rows have no category, so c1 (e-waste only) does not apply to them: the engine ignores
    # whatever sits in its column, and so must every part of the analysis
    rubric = make_rubric(direction("a", ind("a1")), direction("b", ind("b1")),
                         direction("c", ind("c1", applies_to=["ewaste"])))
    values = np.array([[10, 80, 5], [50, 20, 95], [70, 60, 40], [90, 30, 70]], dtype=float)
    confidence = np.full(values.shape, np.nan)
    confidence[:, 2] = 0.5  # only the c1 column is uncertain
    table = score_many(rubric, values)
    assert np.isnan(table.directions[:, 2]).all()
    report = sensitivity(rubric, values, samples=100, seed=1, confidence=confidence, value_samples=200)
    assert report.values == () and report.value_samples == 0
    assert value_spread(table, confidence).rows.size == 0
    assert report.influence is not None
    c1 = next(i for i in report.influence if i.component == "c1")
    assert c1.correlation is None and c1.effective_share == 0.0


def test_v1_reports_keep_their_keys() -> None:
    report = sensitivity(V1, load_profiles(V1_BASES), samples=200, seed=1)
    for row in json.loads(report.to_json())["bases"]:
        assert set(row) == {"base", "level", "level_probability", "rank", "rank_interval", "score",
                            "score_interval", "top_probability"}
    assert all(row.uncapped_level is None and row.not_applicable is None for row in report.bases)


# --- properties on random language-2 rubrics ----------------------------------------------------------

@st.composite
def v2_groups(draw: st.DrawFn) -> tuple[Rubric, list[BaseProfile]]:
    spec = draw(rubrics_v2())
    profiles = []
    for n in range(draw(st.integers(2, 6))):
        data = draw(profiles_for(spec))
        data["base"]["id"] = f"base-{n}"
        profiles.append(BaseProfile.model_validate(data))
    return Rubric.model_validate(spec), profiles


def _caps(table: Any, n: int) -> int:
    """The overall cap of base n from its scorecard's gate statuses (independent of the analysis)."""
    card = table.scorecard(n)
    caps: list[int] = [table.rubric.level_count]
    for gate in (card.gates or {}).values():
        if gate.scope == "overall" and gate.status in ("failed", "unknown"):
            caps.append(gate.caps)
    return min(caps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_groups(), st.sampled_from(["dirichlet:20", "uniform:0.3"]))
def test_random_v2_groups_bounds_caps_and_fixed_bases(group: tuple[Rubric, list[BaseProfile]],
                                                      weights: str) -> None:
    rubric, profiles = group
    table = score_many(rubric, profiles)
    count = len(profiles)
    report = sensitivity(rubric, profiles, samples=300, weights=weights, seed=1, perturb="directions",
                         value_samples=50)
    data = json.loads(report.to_json())  # allow_nan=False: no NaN anywhere
    assert len(data["bases"]) == count
    for row in report.bases:
        n = table.base_ids.index(row.base)
        assert 0.0 <= row.score_interval.low <= row.score_interval.median <= row.score_interval.high <= 100.0
        assert 1 <= row.rank_interval.low <= row.rank_interval.median <= row.rank_interval.high <= count
        assert sum(row.level_probability) == pytest.approx(1.0)
        cap = _caps(table, n)
        assert row.level <= cap and all(p == 0.0 for p in row.level_probability[cap + 1:])
        applies = ~np.isnan(table.directions[n])
        assert row.not_applicable == (tuple(d for d, a in zip(rubric.direction_ids, applies) if not a)
                                      or None)
        if applies.sum() == 1:  # one direction applies: direction weights cannot move this base
            assert row.score_interval.low == pytest.approx(row.score, abs=TOL)
            assert row.score_interval.high == pytest.approx(row.score, abs=TOL)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_groups(), st.integers(0, 2**32 - 1))
def test_random_v2_groups_match_the_engine(group: tuple[Rubric, list[BaseProfile]], seed: int) -> None:
    rubric, profiles = group
    table = score_many(rubric, profiles)
    still = sensitivity(rubric, profiles, samples=20, weights="uniform:0", seed=1, **QUICK)
    ranks = competition_ranks(table.overall)
    for row in still.bases:
        n = table.base_ids.index(row.base)
        assert row.score_interval.low == pytest.approx(table.overall[n], abs=TOL)
        assert row.score_interval.high == pytest.approx(table.overall[n], abs=TOL)
        assert (row.rank, row.rank_interval.low, row.rank_interval.high) == (ranks[n],) * 3
        assert row.level == table.overall_level[n] and row.level_probability[row.level] == 1.0
    directions, indicators = sample_weights(rubric.compiled, parse_weights("dirichlet:50"), 3,
                                            np.random.default_rng(seed))
    scores = sampled_scores(rubric.compiled, table.indicator_levels, directions, indicators,
                            applicability(table))
    for k in range(3):
        expected = score_many(reweighted(rubric, directions[k], indicators[k]), profiles).overall
        assert np.allclose(scores[:, k], expected, rtol=0, atol=TOL)


# --- command line ---------------------------------------------------------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")
# ids, the method variants (rubric field values), the weight spec and a statistic's name
ALLOWED = {"v2-demo", "green", "chain", "licensed", "water_reuse", "dismantling", "arithmetic", "geometric",
           "weakest", "zero", "exclude", "Kendall", "tau-b", "dirichlet"}


@pytest.fixture
def v2_bases(tmp_path: Path) -> Path:
    folder = tmp_path / "bases"
    folder.mkdir()
    bases = {
        "b1": "base: {id: b1, category: ferrous}\nvalues: {licensed: 95, water_reuse: n/a}\n",
        "b2": "base: {id: b2, category: ewaste}\nvalues: {licensed: 100, water_reuse: 70, dismantling: 2}\n",
        "b3": "base: {id: b3, category: ewaste}\nvalues: {licensed: 100, water_reuse: n/a, dismantling: 3}\n",
        "b4": "base: {id: b4}\nvalues: {licensed: {value: 80, confidence: 0.8}, water_reuse: 60}\n",
    }
    for name, text in bases.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_sensitivity_with_a_v2_rubric(v2_bases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sensitivity", v2_bases, "--rubric", V2_RUBRIC, "--samples", "500", "--seed", "1"]
    code, out, err = run(capsys, *args)
    assert code == 0 and err == ""
    assert out.startswith("Sensitivity · rubric v2-demo 1 · 4 bases · 500 samples")
    assert "Directions that do not apply (n/a, left out of the overall score): b1 (chain), b4 (chain)." in out
    assert not re.search(r"\bnan\b", out, re.IGNORECASE)

    code, out, _ = run(capsys, *args, "--format", "json")
    data = json.loads(out)
    assert code == 0 and "NaN" not in out
    rows = {row["base"]: row for row in data["bases"]}
    assert rows["b1"]["not_applicable"] == ["chain"] and "not_applicable" not in rows["b2"]
    assert rows["b1"]["level"] == 1 and rows["b1"]["uncapped_level"] == 1  # licensed 95: gate failed
    # b1's overall is green alone: licensed 95 → level 1.9, water_reuse n/a: 95 under every weighting
    assert rows["b1"]["score"] == 95.0 and rows["b1"]["score_interval"] == {"high": 95.0, "low": 95.0,
                                                                            "median": 95.0}
    assert [v["base"] for v in data["values"]] == ["b4"]

    code, out, _ = run(capsys, *args, "--lang", "zh")
    assert code == 0 and "不适用的方向（不计入总分）：" in out and "n/a" not in out
    assert set(LATIN_WORD.findall(out)) <= ALLOWED  # ids and method names only: no English prose

    code, out, _ = run(capsys, *args, "--format", "markdown", "--lang", "zh")
    assert code == 0 and out.startswith("# 敏感性分析") and "b1（chain）" in out
