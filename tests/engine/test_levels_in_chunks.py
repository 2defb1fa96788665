"""Indicator levels of a table larger than one chunk: computed chunk by chunk on every core, the
same bits as scoring keeps and as one base at a time (categories with their own thresholds too)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from upgrade_score import load_profiles, load_rubric, score_many
from upgrade_score._engine.core import CHUNK_ROWS, indicator_levels, score_matrix

ROOT = Path(__file__).resolve().parents[2]


def test_levels_across_chunks_are_those_of_scoring_and_of_one_base() -> None:
    rubric = load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")
    assert rubric.compiled.category_rules  # some bases are held to their category's own thresholds
    table = score_many(rubric, load_profiles(ROOT / "examples" / "rubrics" / "bases"))
    count = CHUNK_ROWS + 3
    picks = np.arange(count) % len(table)
    spread = np.random.default_rng(5).uniform(0.5, 1.5, size=(count, 1))  # rows differ
    quantitative = np.array([i.kind == "quantitative" for i in rubric.indicators])
    values = np.array(table.values)[picks]
    values[:, quantitative] *= spread
    categories = np.asarray(table.categories)[picks]
    levels = indicator_levels(rubric.compiled, values, categories)
    kept = score_matrix(rubric.compiled, values, categories=categories, keep_levels=True).levels
    assert kept is not None and np.array_equal(levels, kept, equal_nan=True)
    for row in (0, CHUNK_ROWS - 1, CHUNK_ROWS, count - 1):  # either side of the chunk boundary
        one = indicator_levels(rubric.compiled, values[row:row + 1], categories[row:row + 1])
        assert np.array_equal(levels[row], one[0], equal_nan=True)


def test_huge_values_give_levels_without_numpy_warnings() -> None:
    # (u − p)·r overflows to ±inf for a value near the float limit: clipped to a whole level, no
    # RuntimeWarning for the caller (the value is then refused or scored by its domain, as before)
    import warnings

    from upgrade_score._engine.compile import BOOLEAN, QUALITATIVE, STEP
    from upgrade_score._engine.core import column_levels

    compiled = load_rubric("urban-mining-upgrade@2026.1").compiled
    linear = max((rule for rule in compiled.column_rules if rule[0] not in (BOOLEAN, QUALITATIVE, STEP)),
                 key=lambda rule: max(rule[3]))  # the steepest: a rate over 1 overflows
    assert max(linear[3]) > 1
    values = np.array([1.7e308, -1.7e308, 0.0])
    level, oriented, term = np.empty(3), np.empty(3), np.empty(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert column_levels(linear, values, level, oriented, term, compiled.levels)  # out of range
    assert sorted(level[:2].tolist()) == [0.0, float(compiled.levels)]
