"""The JSON of many scorecards is written from the table's arrays (``scorecard_data``), without a
Scorecard model per base: byte for byte what each scorecard's ``to_dict()`` gives, compact and
indented, on the examples, derived values, CSV rows, arrays, chunks and random rubrics."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derived_demo import demo
from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, ScoreTable, load_profiles, load_rubric, score_many
from upgrade_score._analysis import scorecard_data as module
from upgrade_score._analysis.scorecard_data import rounded, scorecard_data
from upgrade_score._io.csvtable import read_with_csv
from upgrade_score._model.results import dumps
from upgrade_score._render.tables_out import json_list_chunks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bases"


def assert_same_bytes(table: ScoreTable) -> None:
    expected = [card.to_dict() for card in table]
    found = list(scorecard_data(table))
    for indent in (None, 2, 4):  # the command line's list, compact (one base a line) and indented
        assert "".join(json_list_chunks(found, indent, presorted=True)) == "".join(
            json_list_chunks(expected, indent))
    for data, card in zip(found, expected):
        assert dumps(data, presorted=True) == dumps(card)
    assert table.to_dicts() == expected


def test_examples() -> None:
    assert_same_bytes(score_many(load_rubric(), load_profiles(EXAMPLES)))


def test_derived_values_and_enterprise_rows(tmp_path: Path) -> None:
    rubric, profiles, _ = demo(tmp_path)
    table = score_many(rubric, list(profiles))
    assert any("derived" in item for item in next(scorecard_data(table))["indicators"].values())
    assert_same_bytes(table)


def test_input_named_like_a_language_2_key(tmp_path: Path) -> None:
    """A missing input called ``gate`` is left out of a derived value's inputs, as ``to_dict()``
    leaves out every such key that carries nothing."""
    demo(tmp_path)
    for name, old, new in (("rubric.yaml", "value_added", "gate"), ("b1.yaml", "value_added", "gate"),
                           ("b2.yaml", "  value_added: 0\n", "")):
        path = tmp_path / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    table = score_many(tmp_path / "rubric.yaml", [tmp_path / "b1.yaml", tmp_path / "b2.yaml"])
    inputs = [data["indicators"]["energy_intensity"]["derived"]["inputs"] for data in scorecard_data(table)]
    assert inputs == [{"energy_use": 4200.0, "gate": 1700.0}, {"energy_use": 900.0}]
    assert_same_bytes(table)


def test_csv_rows_and_arrays() -> None:
    rubric = load_rubric("urban-mining-upgrade@2026.1")
    ids = rubric.indicator_ids[:3]
    text = "id,name,year," + ",".join(ids) + "\nb1,First,2024,12.5,,3\nb2,,,0,1,\n"
    table = score_many(rubric, read_with_csv(io.StringIO(text, newline=""), "t.csv"))
    assert next(scorecard_data(table))["base"] == {"id": "b1", "name": {"en": "First"}, "year": 2024}
    assert_same_bytes(table)
    values = np.full((3, len(rubric.indicator_ids)), np.nan)
    values[0, 0], values[1, :] = 50.0, 0.0
    assert_same_bytes(score_many(rubric, values, ids=["x", "y", "z"]))


def test_chunks_and_levels_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows in several chunks, and a table too large to keep its levels (computed per chunk)."""
    table = score_many(load_rubric(), load_profiles(EXAMPLES))
    monkeypatch.setattr(module, "CHUNK_ROWS", 2)
    assert_same_bytes(table)
    assert_same_bytes(replace(table, scores=replace(table.scores, levels=None)))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Rubric, list[BaseProfile]]:
    data = draw(rubrics_v2())
    profiles = []
    for k in range(draw(st.integers(1, 6))):
        profile = draw(profiles_for(data))
        profile["base"]["id"] = f"base-{k}"
        profiles.append(BaseProfile.model_validate(profile))
    return Rubric.model_validate(data), profiles


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_random_rubrics(case: tuple[Rubric, list[BaseProfile]]) -> None:
    rubric, profiles = case
    assert_same_bytes(score_many(rubric, profiles))


HALVES = [0.0000005, -0.0000005, 0.0000015, 0.0000025, 2.6749995, -140.0361815, 1.0000005, 0.1 + 0.2,
          -0.0, 1e-7, -1e-7, 999_999_999.9999995, 1e9, 1e15 + 0.5, 1e308, 5e-324, math.inf, -math.inf,
          math.nan, 100.0, 62.5]


def _python(value: float) -> float | None:
    return round(value, 6) + 0.0 if math.isfinite(value) else None


def _identical(found: list[float | None], expected: list[float | None]) -> bool:
    return all((a is None and b is None) or (a is not None and b is not None and a == b
                                           and math.copysign(1, a) == math.copysign(1, b))
               for a, b in zip(found, expected, strict=True))


def test_rounded_by_hand() -> None:
    """Exact ties (1/128 · 10⁶ = 7812.5) round half to even; -0.0 is 0.0; what is not finite is
    None; huge values are kept."""
    assert rounded(np.array([1 / 128, 3 / 128, -1 / 128, -0.0, 1e15 + 0.5, math.nan])) == [
        0.007812, 0.023438, -0.007812, 0.0, 1e15 + 0.5, None]
    assert _identical(rounded(np.array(HALVES)), [_python(x) for x in HALVES])
    grid = np.array([HALVES[:4], HALVES[4:8]])
    assert rounded(grid) == [[_python(x) for x in row] for row in grid.tolist()]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.integers(-10**12, 10**12).map(lambda k: (k + 0.5) / 1e6),
                          st.floats(-1000, 1000).map(lambda x: round(x, 7))), min_size=1, max_size=50))
def test_rounded_is_pythons_round(values: list[float]) -> None:
    assert _identical(rounded(np.array(values)), [_python(x) for x in values])
