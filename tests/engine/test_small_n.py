"""The small-N path is the batch path: same compiled rules, same numbers, to the bit.

A few bases are scored on Python floats (:mod:`upgrade_score._engine.scalar`: levels cell by
cell with :func:`column_levels_scalar`, then direction sums, levels and gates), more column by
column in numpy; a gap plan scores its
what-ifs on indicator levels (:func:`scores_from_levels`) instead of re-running the engine on
changed values. Each is checked here against the other path, on random rubrics with categories,
N/A answers, gates and every aggregation, and on the derived-indicator demo.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from derived_demo import demo
from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, Target, gap, load_profiles, load_rubric, score_many
from upgrade_score._analysis.score import score_profiles
from upgrade_score._engine.core import (
    SMALL_ROWS,
    _invalid_per_row,
    cell_levels,
    column_levels,
    column_levels_scalar,
    indicator_levels,
    invalid_cells,
    score_matrix,
    scores_from_levels,
)
from upgrade_score._engine.derive import derive
from upgrade_score._engine.gates import STATUS_NAMES
from upgrade_score._io.tables import _given, _out_of_range

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])


def _same(a: Any, b: Any) -> bool:
    """Equal arrays, NaN where NaN, to the bit."""
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


@st.composite
def _rubric_and_profiles(draw: st.DrawFn) -> tuple[Rubric, list[BaseProfile]]:
    data = draw(rubrics_v2())
    count = draw(st.integers(SMALL_ROWS + 1, SMALL_ROWS + 4))
    profiles = []
    for k in range(count):
        profile = draw(profiles_for(data))
        profile["base"]["id"] = f"base-{k}"
        profiles.append(BaseProfile.model_validate(profile))
    return Rubric.model_validate(data), profiles


@SETTINGS
@given(_rubric_and_profiles())
def test_one_base_at_a_time_scores_as_the_batch(case: tuple[Rubric, list[BaseProfile]]) -> None:
    rubric, profiles = case
    batch = score_profiles(rubric, profiles).scores  # numpy column path (more than SMALL_ROWS)
    for row, profile in enumerate(profiles):
        single = score_profiles(rubric, [profile]).scores  # Python-float path
        assert _same(batch.levels[row], single.levels[0])  # to the bit
        for name, array in vars(batch).items():  # (BLAS may sum a batch in another order)
            if isinstance(array, np.ndarray) and array.dtype == np.float64:
                assert np.allclose(array[row], getattr(single, name)[0], rtol=0, atol=1e-9,
                                   equal_nan=True), name
            elif isinstance(array, np.ndarray):
                assert _same(array[row], getattr(single, name)[0]), name
    table = score_profiles(rubric, profiles)
    assert _same(table.indicator_levels, indicator_levels(rubric.compiled, table.values, table.categories))


@st.composite
def _columns(draw: st.DrawFn) -> tuple[Rubric, list[float]]:
    rubric = Rubric.model_validate(draw(rubrics_v2()))
    cells = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-20, 120).map(float),
                      st.sampled_from([0.0, 0.5, 1.0, -0.0]))
    return rubric, draw(st.lists(cells, min_size=1, max_size=8))


@SETTINGS
@given(_columns())
def test_scalar_levels_are_numpy_levels_to_the_bit(case: tuple[Rubric, list[float]]) -> None:
    """Out-of-range, infinite and fractional values included: same levels, same verdict."""
    rubric, values = case
    compiled = rubric.compiled
    rules = [*compiled.column_rules, *(rule for _, _, rule in compiled.category_rules)]
    for rule in rules:
        array = np.array(values)
        level, oriented, term = np.empty(len(values)), np.empty(len(values)), np.empty(len(values))
        invalid = column_levels(rule, array, level, oriented, term, compiled.levels)
        scalar, scalar_invalid = column_levels_scalar(rule, values, compiled.levels)
        assert scalar_invalid == invalid
        finite = np.isfinite(array)
        assert _same(np.array(scalar)[finite], level[finite])


@SETTINGS
@given(_columns())
def test_invalid_cells_of_a_few_rows_are_the_batch_s(case: tuple[Rubric, list[float]]) -> None:
    """The same cells flagged whether a row is checked on Python floats or among many in numpy."""
    rubric, cells = case
    compiled = rubric.compiled
    width = len(compiled.indicator_ids)
    few = np.resize(np.array(cells), (2, width))  # (the cells repeated to fill two rows)
    batch = np.vstack([few] * (SMALL_ROWS + 1))
    assert invalid_cells(compiled, few)[0] * (SMALL_ROWS + 1) == invalid_cells(compiled, batch)[0]
    assert invalid_cells(compiled, few) == invalid_cells(compiled, batch[:2])
    assert _invalid_per_row(compiled, few).tolist() == _invalid_per_row(compiled, batch)[:2].tolist()


@st.composite
def _gap_cases(draw: st.DrawFn) -> tuple[Rubric, BaseProfile, Target]:
    data = draw(rubrics_v2())
    profile = BaseProfile.model_validate(draw(profiles_for(data)))
    target = Target(level=draw(st.integers(1, len(data["levels"]))))
    return Rubric.model_validate(data), profile, target


@SETTINGS
@given(_gap_cases())
def test_gains_and_plan_score_are_those_of_scoring_the_changed_values(
        case: tuple[Rubric, BaseProfile, Target]) -> None:
    """An action's gain is what re-scoring the base with its value gives (the engine from
    values), and the plan's score that of the base with every planned value."""
    rubric, profile, target = case
    report = gap(rubric, profile, target)
    table = score_many(rubric, [profile])
    columns = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    goals = {a.indicator: float(a.target) for a in report.actions}

    def rescored(changes: list[str]) -> float:
        values = np.array(table.values)
        for indicator_id in changes:
            values[0, columns[indicator_id]] = goals[indicator_id]
        scores = score_matrix(rubric.compiled, values, na=table.na, categories=table.categories)
        return float(scores.overall[0])

    for action in report.actions:
        assert math.isclose(action.gain, rescored([action.indicator]) - report.current_score, abs_tol=1e-9)
    assert math.isclose(report.plan_score, rescored(report.plan), abs_tol=1e-9)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rubrics"


def _tables(tmp_path: Path) -> list[Any]:
    rubric, bases, enterprises = demo(tmp_path)  # derived indicators from inputs and roll-ups
    language_2 = load_rubric(EXAMPLES / "categories_and_gates.yaml")  # categories, N/A, gates
    return [score_many(rubric, list(bases), enterprises=enterprises),
            score_many(language_2, load_profiles(EXAMPLES / "bases"))]


def test_levels_from_cells_and_scores_from_levels_are_the_engine_s(tmp_path: Path) -> None:
    for table in _tables(tmp_path):
        compiled = table.rubric.compiled
        for row in range(len(table)):
            category = -1 if table.categories is None else int(table.categories[row])
            cells = [(m, v) for m, v in enumerate(table.values[row].tolist()) if not math.isnan(v)]
            assert cells
            expected = [float(table.indicator_levels[row, m]) for m, _ in cells]
            assert cell_levels(compiled, cells, category) == expected
        directions, overall = scores_from_levels(compiled, np.array(table.indicator_levels), na=table.na,
                                                 categories=table.categories)
        assert _same(directions, table.directions)
        assert _same(overall, table.overall)


SPECIAL = (math.nan, 0.0, -0.0, 1.0, -2.5, 3e-310, 1e300, -1e308, 7.25)


@functools.cache
def _default() -> Rubric:
    return load_rubric()


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_formulas_of_one_base_are_the_batch_s_to_the_bit(seed: int) -> None:
    """Missing operands, zero denominators, overflow, subnormals: one row at a time on Python
    floats (:func:`evaluate_row`) gives what numpy gives for the batch."""
    rubric = _default()  # the default rubric: 17 formulas
    derivation = rubric.compiled.derivation
    assert derivation is not None and derivation.formulas
    rng = np.random.default_rng(seed)
    inputs = rng.choice(np.array(SPECIAL), size=(SMALL_ROWS + 3, len(derivation.input_ids)))
    width = len(rubric.indicator_ids)
    batch_values = np.full((len(inputs), width), np.nan)
    batch_zero = derive(derivation, inputs, batch_values)
    for k in range(len(inputs)):
        values = np.full((1, width), np.nan)
        zero = derive(derivation, inputs[k:k + 1], values)
        assert _same(values[0], batch_values[k]) and _same(zero[0], batch_zero[k])


@SETTINGS
@given(_gap_cases())
def test_what_ifs_of_one_base_score_as_rows_with_its_answers(
        case: tuple[Rubric, BaseProfile, Target]) -> None:
    """A gap plan gives the base's applicable indicators once (``applies``): the same bits as
    repeating its N/A answers and category on every what-if row."""
    rubric, profile, _ = case
    table = score_many(rubric, [profile])
    compiled = rubric.compiled
    rows = np.repeat(table.indicator_levels[:1], 3, axis=0)
    rows[1, 0], rows[2, -1] = compiled.levels, 0.0
    assert table.na is not None and table.categories is not None
    repeated = scores_from_levels(compiled, rows, na=np.repeat(table.na, 3, axis=0),
                                  categories=np.repeat(table.categories, 3))
    if compiled.uses_language_2 or bool(table.na.any()):
        given = scores_from_levels(compiled, rows, applies=table.applicable[0])
        assert _same(repeated[0], given[0]) and _same(repeated[1], given[1])
    plain = scores_from_levels(compiled, rows)
    if not compiled.uses_language_2 and not table.na.any():
        assert _same(repeated[0], plain[0]) and _same(repeated[1], plain[1])


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_input_checks_of_a_few_rows_are_the_batch_s(seed: int) -> None:
    """Inputs outside their valid range and values given for derived indicators: the same cells,
    in the same order, whether a few rows are checked on Python floats or many in numpy."""
    derivation = _default().compiled.derivation
    assert derivation is not None
    rng = np.random.default_rng(seed)
    edges = np.concatenate([derivation.low, derivation.high])
    edges = edges[np.abs(edges) < 1e300]  # (an unbounded side is ±max float)
    near = np.concatenate([edges, np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf),
                           SPECIAL, [np.inf, -np.inf]])
    inputs = rng.choice(near, size=(SMALL_ROWS, len(derivation.input_ids)))
    rows = np.zeros(inputs.shape, dtype=np.int64)
    found = _out_of_range(derivation, inputs, rows)
    outside = [(row, k) for row, k in np.argwhere((inputs < derivation.low) | (inputs > derivation.high))]
    assert [(row, k) for row, k, _ in found] == outside[:len(found)] and len(found) == min(len(outside), 20)
    assert found == _out_of_range(derivation, np.vstack([inputs] * 2), np.vstack([rows] * 2))[:len(found)]
    values = np.where(rng.random((SMALL_ROWS, 9)) < 0.3, rng.choice(near, (SMALL_ROWS, 9)), np.nan)
    given = _given(values)
    assert given == np.argwhere(~np.isnan(values)).tolist()
    assert given == _given(np.vstack([values] * 2))[:len(given)]


def _gated_rubric(*gates: dict[str, Any]) -> Rubric:
    """d0: a (quantitative 20..80) and f (boolean); d1: q (qualitative); the given gates."""
    def indicator(indicator_id: str, **fields: Any) -> dict[str, Any]:
        return {"id": indicator_id, "name": {"en": indicator_id}, **fields}

    return Rubric.model_validate({
        "id": "r", "version": "1", "title": {"en": "r"},
        "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in range(1, 6)],
        "directions": [
            {"id": "d0", "name": {"en": "d0"}, "indicators": [
                indicator("a", thresholds=[20, 35, 50, 65, 80]), indicator("f", kind="boolean")]},
            {"id": "d1", "name": {"en": "d1"}, "indicators": [indicator("q", kind="qualitative")]}],
        "gates": [{"name": {"en": g["id"]}, **g} for g in gates]})


@pytest.mark.parametrize(("gates", "levels", "status"), [
    # a direction gate on d0 (caps 2) fails: d0 at 2, overall 5, balanced min(2, 5) = 2
    ([{"id": "g", "indicator": "f", "equals": False, "caps": 2, "scope": "d0"}], ([2, 5], 5, 2), ["failed"]),
    # an overall gate (caps 3) fails: overall 3, directions 5, balanced capped too: 3
    ([{"id": "g", "indicator": "q", "at_most": 4, "caps": 3}], ([5, 5], 3, 3), ["failed"]),
    # both: overall 3, balanced min(min(2, 5), 3) = 2
    ([{"id": "g1", "indicator": "f", "equals": False, "caps": 2, "scope": "d0"},
      {"id": "g2", "indicator": "q", "at_most": 4, "caps": 3}], ([2, 5], 3, 2), ["failed", "failed"]),
    # a missing: d0 = 100·(0 + 1)/2 = 50, level 2; overall (50 + 100)/2 = 75, level 3; the gate
    # is unknown, which caps as a failure does (default caps 0): d1 at 0, balanced 0
    ([{"id": "g", "indicator": "a", "at_least": 10, "scope": "d1"}], ([2, 0], 3, 0), ["unknown"]),
])
def test_gate_caps_of_one_base_are_hand_computed_and_the_batch_s(
        gates: list[dict[str, Any]], levels: tuple[list[int], int, int], status: list[str]) -> None:
    """Every indicator at the top (a: 80, or missing; f: true; q: 5): the levels after the caps,
    worked out by hand, for a base scored alone (Python floats) and among many (numpy)."""
    rubric = _gated_rubric(*gates)
    values = {"f": True, "q": 5} if gates[0]["indicator"] == "a" else {"a": 80, "f": True, "q": 5}
    profile = BaseProfile.model_validate({"base": {"id": "b"}, "values": values})
    alone = score_profiles(rubric, [profile]).scores
    batch = score_profiles(rubric, [profile] * (SMALL_ROWS + 1)).scores
    for scores in (alone, batch):
        assert scores.direction_levels[0].tolist() == levels[0]
        assert (int(scores.overall_level[0]), int(scores.balanced_level[0])) == levels[1:]
        assert scores.gate_status is not None
        assert [STATUS_NAMES[code] for code in scores.gate_status[0].tolist()] == status
