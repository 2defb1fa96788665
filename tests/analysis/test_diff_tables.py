"""diff of a CSV table (a ``ProfileTable``: arrays, no profile per row) agrees with diff of the
profiles of its rows: the same JSON, or the same problems in the same order."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_diff import CASES, CASES2, MINI, MINI2, Data, rubric
from test_diff_computed import computed, reported

from upgrade_score import UpgradeScoreError, diff
from upgrade_score._cli import main
from upgrade_score._io.csvtable import ProfileTable, read_with_csv

PAIRS = [(MINI, case[1]) for case in CASES] + [(MINI2, case[1]) for case in CASES2]
KINDS = [case[0] for case in CASES] + [case[0] for case in CASES2]
CELLS = ["", "", "1", "2", "3.5", "17", "45", "80", "-3", "1e9", "true", "false", "n/a", "N/A", "不适用"]
CATEGORIES = ["", "ferrous", "ewaste", "mixed"]


def _outcome(run: Callable[[], Any]) -> str:
    try:
        return str(run().to_json())
    except UpgradeScoreError as exc:
        return f"error: {exc}"


def _agree(old: Any, new: Any, text: str) -> str:
    """The outcome of diff on the table of ``text``, asserted equal to that on its profiles."""
    table = read_with_csv(text.splitlines(keepends=True), "t.csv")
    assert isinstance(table, ProfileTable)
    profiles = tuple(table)
    outcome = _outcome(lambda: diff(old, new, table))
    assert outcome == _outcome(lambda: diff(old, new, profiles))
    return outcome


@st.composite
def tables(draw: st.DrawFn, ids: list[str]) -> str:
    """A CSV table of a few bases over some of ``ids`` (and an id neither rubric knows), with
    categories and rubric versions, cells valid or not."""
    columns = draw(st.lists(st.sampled_from([*ids, "shar"]), min_size=1, max_size=5, unique=True))
    category, version = draw(st.booleans()), draw(st.integers(0, 4)) == 0
    header = ["id", *(["category"] if category else []), *(["rubric_version"] if version else []), *columns]
    rows = []
    for k in range(draw(st.integers(1, 5))):
        row = [f"base{k}"]
        if category:
            row.append(draw(st.sampled_from(CATEGORIES)))
        if version:
            row.append(draw(st.sampled_from(["", "1", "2"])))
        row.extend(draw(st.sampled_from(CELLS)) for _ in columns)
        rows.append(",".join(row))
    return "\n".join([",".join(header), *rows]) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_table_and_the_profiles_of_its_rows_give_the_same_diff(data: st.DataObject) -> None:
    base, change = data.draw(st.sampled_from(PAIRS))
    old, new = rubric(base=base), rubric(change, base)
    ids = sorted({*old.indicator_ids, *new.indicator_ids})
    _agree(old, new, data.draw(tables(ids)))


def test_valid_tables_diff_as_their_profiles() -> None:
    """Every change kind on a table every rubric accepts (so the numbers, not only errors, agree)."""
    text = ("id,category,share,rating,cost,certified,count\n"
            "a,ferrous,30,2,12.5,true,3\nb,ferrous,,0,40,false,\nc,ewaste,45.5,3,,true,\n")
    refused = [KINDS[k] for k, (base, change) in enumerate(PAIRS)
               if _agree(rubric(base=base), rubric(change, base), text).startswith("error")]
    # a level of 3 with 2 levels; a boolean as a level; base c's category removed; cost for ewaste
    assert refused == ["levels_changed", "kind_changed", "category_removed", "applies_to_changed"]


def test_a_table_s_matrix_mapped_from_the_old_one_is_the_matrix_read_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The new rubric's values of a table taken from the old rubric's checked matrix give the
    diff (or the error) that reading the table's columns again gives."""
    impact = importlib.import_module("upgrade_score._analysis.diff.impact")
    text = ("id,share,rating,cost,certified,count\n"
            "a,30,2,12.5,true,3\nb,,0,40,false,\nc,95.5,3,,true,5\n")
    table = read_with_csv(text.splitlines(keepends=True), "t.csv")
    pairs = [(rubric(base=base), rubric(change, base)) for base, change in PAIRS if base is MINI]
    mapped = [_outcome(lambda old=old, new=new: diff(old, new, table)) for old, new in pairs]
    monkeypatch.setattr(impact, "_mapped", lambda *_: None)
    assert mapped == [_outcome(lambda old=old, new=new: diff(old, new, table)) for old, new in pairs]
    assert sum(outcome.startswith("error") for outcome in mapped) == 3  # levels, kind, valid range


def test_errors_of_a_table_name_the_rubric_and_the_cell() -> None:
    text = "id,share,rating,count\na,30,2,\nb,,9,n/a\n"
    outcome = _agree(rubric(), rubric(lambda d: d.update(version="2")), text)
    assert outcome == ("error: t.csv:3: count: 'n/a' is allowed only for indicators with allow_na: true "
                       "(old rubric 'mini' 1) (and 1 more problem)")  # (then the level 9 of rating)


def test_a_panel_table_diffs_each_base_s_latest_year_as_its_profiles() -> None:
    text = ("id,year,share,rating,cost\na,2023,30,2,12.5\na,2024,35,3,10\nb,2024,,1,40\n"
            "c,2022,50,0,\n")
    data = json.loads(_agree(rubric(), rubric(lambda d: d["directions"][0].update(weight=3)), text))
    assert sorted(row["base"] for row in data["impact"]) == ["a", "b", "c"]
    assert _agree(rubric(), rubric(), "id,year,share\na,2023,30\na,2023,35\n").startswith(
        "error: t.csv:3: duplicate base id 'a'")


def test_a_value_computed_by_the_other_rubric_goes_into_the_table() -> None:
    text = "id,energy,value_added,share\na,150,100,40\nb,500,1000,60\nc,5000,100,40\n"
    outcome = _agree(reported(), computed(), text)
    data = json.loads(outcome)
    assert data["computed"] == {"old": ["intensity"], "new": []}
    assert {row["base"]: row["shift"] for row in data["impact"]}["a"] == 0.0
    _agree(computed(), reported(), text)
    # a table that reports the computed indicator itself (blank here): nothing is bridged
    _agree(reported(), computed(), "id,energy,value_added,share,intensity\na,150,100,40,\n")


def test_command_line_diff_of_a_csv_is_the_diff_of_its_profiles(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    data: Data = json.loads(json.dumps(MINI))
    old.write_text(json.dumps(data), encoding="utf-8")
    data["directions"][1]["weight"] = 5
    new.write_text(json.dumps(data), encoding="utf-8")
    table = tmp_path / "bases.csv"
    table.write_text("id,share,rating,cost,certified,count\na,30,2,12.5,true,3\nb,,0,40,false,\n",
                     encoding="utf-8")
    assert main(["diff", str(old), str(new), "--profiles", str(table), "--format", "json"]) == 0
    shown = capsys.readouterr().out
    profiles = tuple(read_with_csv(table.read_text(encoding="utf-8").splitlines(keepends=True), str(table)))
    assert shown == diff(str(old), str(new), profiles).to_json() + "\n"
