"""score_many: a ScoreTable owns the values it was computed from (issue 11). A caller that reuses
its buffer, or writes into the table, cannot change a result after the fact."""

from __future__ import annotations

import numpy as np
import pytest

from upgrade_score import Rubric, score_many


def _matrix(rubric: Rubric, rows: int) -> np.ndarray:
    """Valid values: every quantitative indicator at its first threshold, every other at 1."""
    row = [indicator.thresholds[0] if indicator.kind == "quantitative" and indicator.thresholds
           else 1.0 for indicator in rubric.indicators]
    return np.array([row] * rows, dtype=np.float64)


def test_reusing_the_input_buffer_leaves_the_table_unchanged(rubric: Rubric) -> None:
    buffer = _matrix(rubric, 3)
    table = score_many(rubric, buffer)
    before = table.scorecard(1).to_json()
    values_before = table.values.copy()
    buffer[:] = np.nan  # the next simulation step reuses the buffer
    assert table.scorecard(1).to_json() == before
    np.testing.assert_array_equal(table.values, values_before)
    assert not np.shares_memory(table.values, buffer)


def test_one_row_given_as_a_vector_is_copied_too(rubric: Rubric) -> None:
    vector = _matrix(rubric, 1)[0]
    table = score_many(rubric, vector)
    before = table.scorecard(0).to_json()
    vector[:] = np.nan
    assert table.scorecard(0).to_json() == before


def test_table_values_cannot_be_written(rubric: Rubric) -> None:
    table = score_many(rubric, _matrix(rubric, 2))
    assert not table.values.flags.writeable
    with pytest.raises(ValueError):
        table.values[0, 0] = np.inf  # would bypass the validation done while scoring
    with pytest.raises(ValueError):
        table.values.setflags(write=True)  # a read-only view of a read-only array


def test_lists_and_converted_arrays_are_owned_and_read_only(rubric: Rubric) -> None:
    """A list or an array of another dtype is converted into a new array: the table's own."""
    rows = _matrix(rubric, 2)
    table = score_many(rubric, rows.astype(np.float32))
    owner = table.values.base if table.values.base is not None else table.values
    assert owner.flags.owndata
    table = score_many(rubric, rows.tolist())
    np.testing.assert_array_equal(table.values, rows)
    assert not table.values.flags.writeable


def test_dataframe_input_is_owned(rubric: Rubric) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_matrix(rubric, 2), columns=list(rubric.indicator_ids), index=["a", "b"])
    table = score_many(rubric, frame)
    before = table.scorecard("a").to_json()
    frame.iloc[:, :] = np.nan
    assert table.scorecard("a").to_json() == before
    assert not table.values.flags.writeable


@pytest.mark.parametrize("layout", ["C", "F", "every other row"])
def test_a_buffer_of_several_chunks_is_copied_whole_in_any_layout(rubric: Rubric, layout: str) -> None:
    # the copy is made chunk by chunk while scoring (on every thread): each chunk lands in its place
    from upgrade_score._engine.core import CHUNK_ROWS

    rows = CHUNK_ROWS + 7
    rng = np.random.default_rng(3)
    base = _matrix(rubric, 2 * rows if layout == "every other row" else rows)
    quantitative = np.array([indicator.kind == "quantitative" for indicator in rubric.indicators])
    base[:, quantitative] *= rng.uniform(0.5, 1.0, size=(len(base), 1))  # every row different
    buffer = base[::2] if layout == "every other row" else np.asarray(base, order=layout)
    expected = np.array(buffer)
    table = score_many(rubric, buffer, workers=2)
    assert table.values.flags.c_contiguous and not np.shares_memory(table.values, buffer)
    np.testing.assert_array_equal(table.values, expected)
    buffer[:] = np.nan
    np.testing.assert_array_equal(table.values, expected)
    np.testing.assert_array_equal(table.overall, score_many(rubric, expected).overall)
