"""Every roll-up of enterprise rows at once (one bincount over owner × roll-up bins) gives, bit for
bit, what one bincount per roll-up gives: the old loop, kept here as the reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._engine.core import SMALL_ROWS
from upgrade_score._engine.derive import COUNT, COUNT_WHERE, MEAN, SUM, CompiledRollup, Derivation, roll_up


def one_at_a_time(derivation: Derivation, owners: np.ndarray, figures: np.ndarray, count: int,
                  width: int) -> tuple[np.ndarray, np.ndarray]:
    """The roll-ups one bincount each (the engine's loop before they were done together)."""
    inputs, rows = np.full((count, width), -7.0), np.full((count, width), -7, dtype=np.int64)
    for rollup in derivation.rollups:
        if rollup.form == COUNT:
            used = np.ones(owners.size, dtype=bool)
        else:
            used = ~np.isnan(figures[:, rollup.field])
            if rollup.weight >= 0:
                used &= ~np.isnan(figures[:, rollup.weight])
        fed = np.bincount(owners[used], minlength=count)
        if rollup.form == COUNT:
            total = fed.astype(np.float64)
        elif rollup.form == MEAN:
            values = figures[used, rollup.field]
            weights = figures[used, rollup.weight] if rollup.weight >= 0 else np.ones(values.size)
            numerator = np.bincount(owners[used], weights=values * weights, minlength=count)
            denominator = np.bincount(owners[used], weights=weights, minlength=count)
            nonzero = denominator != 0
            total = np.where(nonzero, numerator / np.where(nonzero, denominator, 1.0), np.nan)
        else:
            total = np.bincount(owners[used], weights=figures[used, rollup.field], minlength=count)
        inputs[:, rollup.input] = np.where(fed > 0, total, np.nan)
        rows[:, rollup.input] = fed
    return inputs, rows


def derivation_of(rollups: list[CompiledRollup], fields: int, width: int) -> Derivation:
    return Derivation(tuple(f"i{k}" for k in range(width)), tuple(f"f{f}" for f in range(fields)),
                      np.zeros(fields, dtype=bool), np.full(width, -1e300), np.full(width, 1e300),
                      tuple(rollups), ())


def rolled(derivation: Derivation, owners: np.ndarray, figures: np.ndarray, count: int,
           width: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`roll_up` of ``count`` bases, checked to the bit against the same bases among more
    than SMALL_ROWS (up to SMALL_ROWS bases are rolled up on Python floats, more with numpy)."""
    inputs, rows = np.full((count, width), -7.0), np.full((count, width), -7, dtype=np.int64)
    roll_up(derivation, owners, figures, inputs, rows)
    more = count + SMALL_ROWS  # (the bases past ``count`` own no rows)
    batch_inputs, batch_rows = np.full((more, width), -7.0), np.full((more, width), -7, dtype=np.int64)
    roll_up(derivation, owners, figures, batch_inputs, batch_rows)
    assert batch_inputs[:count].tobytes() == inputs.tobytes()
    assert np.array_equal(batch_rows[:count], rows)
    return inputs, rows


def test_by_hand() -> None:
    # inputs: 0 = sum of f0, 1 = count, 2 = count_where f1, 3 = mean of f0 weighted by f2, 4 = left alone
    rollups = [CompiledRollup(0, SUM, 0, -1), CompiledRollup(1, COUNT, -1, -1),
               CompiledRollup(2, COUNT_WHERE, 1, -1), CompiledRollup(3, MEAN, 0, 2)]
    nan = np.nan
    figures = np.array([[10.0, 1.0, 1.0], [30.0, 0.0, 3.0], [nan, 1.0, 5.0], [4.0, nan, 0.0]])
    owners = np.array([0, 0, 0, 2])  # base 1 has no rows; base 2 one whose weight is 0
    inputs, rows = rolled(derivation_of(rollups, 3, 5), owners, figures, 3, 5)
    assert inputs[0, :4].tolist() == [40.0, 3.0, 2.0, 25.0]  # mean (10·1 + 30·3) / 4
    assert rows[0, :4].tolist() == [2, 3, 3, 2]
    assert np.isnan(inputs[1, :4]).all() and rows[1, :4].tolist() == [0, 0, 0, 0]
    assert inputs[2, :2].tolist() == [4.0, 1.0] and np.isnan(inputs[2, 2:4]).all()  # weights sum to 0
    assert rows[2, :4].tolist() == [1, 1, 0, 1]
    assert inputs[:, 4].tolist() == [-7.0] * 3 and rows[:, 4].tolist() == [-7] * 3  # not a roll-up
    empty = rolled(derivation_of(rollups, 3, 5), np.zeros(0, dtype=np.int64), np.zeros((0, 3)), 2, 5)
    assert np.isnan(empty[0][:, :4]).all() and (empty[1][:, :4] == 0).all()


_CELL = st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 1.0]))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Derivation, np.ndarray, np.ndarray, int, int]:
    fields, count = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    forms = draw(st.lists(st.sampled_from([SUM, COUNT, COUNT_WHERE, MEAN]), min_size=1, max_size=5))
    rollups = []
    for k, form in enumerate(forms):
        field = -1 if form == COUNT else draw(st.integers(0, fields - 1))
        weight = draw(st.integers(-1, fields - 1)) if form == MEAN else -1
        rollups.append(CompiledRollup(k, form, field, weight))
    rows = draw(st.integers(0, 12))
    owners = np.array(draw(st.lists(st.integers(0, count - 1), min_size=rows, max_size=rows)), dtype=np.int64)
    figures = np.array(draw(st.lists(_CELL, min_size=rows * fields, max_size=rows * fields)),
                       dtype=np.float64).reshape(rows, fields)
    return derivation_of(rollups, fields, len(forms) + 1), owners, figures, count, len(forms) + 1


@settings(max_examples=60, deadline=None)
@given(_cases())
def test_all_at_once_is_one_at_a_time_to_the_bit(
        case: tuple[Derivation, np.ndarray, np.ndarray, int, int]) -> None:
    derivation, owners, figures, count, width = case
    inputs, rows = rolled(derivation, owners, figures, count, width)
    expected_inputs, expected_rows = one_at_a_time(derivation, owners, figures, count, width)
    assert inputs.tobytes() == expected_inputs.tobytes()
    assert np.array_equal(rows, expected_rows)
