"""Panels (design point 15): a base is (id, year); duplicates name both places; years are whole
numbers from 1900 to 2100; cross-sectional stages take each base's latest year or --year; the
years of a base agree on the rubric version."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from upgrade_score import BaseProfile, UpgradeScoreError, compare, load_profiles, score_many
from upgrade_score._analysis.compare import group_values
from upgrade_score._analysis.panel import cross_section, histories, table_cross_section
from upgrade_score._io.csvtable import read_table
from v1 import V1

PROFILE = """base:
  id: {id}
  year: {year}{extra}
values:
  high_value_product_share: {value}
"""


def write(tmp_path: Path, name: str, base_id: str = "b1", year: object = 2024, value: float = 40,
          extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(PROFILE.format(id=base_id, year=year, value=value, extra=extra), encoding="utf-8")
    return path


def message(*paths: Path) -> str:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(*paths)
    return str(info.value)


def test_same_id_and_year_names_both_places(tmp_path: Path) -> None:
    first, second = write(tmp_path, "a.yaml"), write(tmp_path, "b.yaml")
    assert message(first, second) == (
        f"{second}:1: base: duplicate base id 'b1' for year 2024 (also in {first}:1)")


def test_same_id_and_year_in_one_csv(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,year,rd_intensity\nb1,2023,1\nb1,2024,2\nb1,2023,3\n", encoding="utf-8")
    assert message(path) == f"{path}:4: duplicate base id 'b1' for year 2023 (also in {path}:2)"


def test_a_base_with_and_without_a_year(tmp_path: Path) -> None:
    first, second = write(tmp_path, "a.yaml"), write(tmp_path, "b.yaml", year="null")
    assert message(first, second) == (
        f"{second}:1: base.year: base 'b1' is given for several years: every profile of it needs "
        f"base.year (the other is in {first}:1)")


@pytest.mark.parametrize("year, shown", [("1899", "1899"), ("2101", "2101"), ("2024.5", "float 2024.5"),
                                         ("'2024'", "str '2024'"), ("true", "bool True"),
                                         ("2024.0", "float 2024.0")])
def test_years_are_whole_numbers_from_1900_to_2100(tmp_path: Path, year: str, shown: str) -> None:
    path = write(tmp_path, "a.yaml", year=year)
    assert message(path) == f"{path}:3: base.year: must be a whole number from 1900 to 2100, got {shown}"


def test_csv_year_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,year\nb1,1850\n", encoding="utf-8")
    assert message(path) == (f"{path}:2: year: must be a whole number from 1900 to 2100, got 1850")


def test_years_disagreeing_on_the_rubric_version(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", year=2023, extra="\n  rubric_version: '2026.1'")
    second = write(tmp_path, "b.yaml", year=2024, extra="\n  rubric_version: '2026.2'")
    assert message(first, second) == (
        f"{second}:1: base.rubric_version: rubric version '2026.2' of year 2024 disagrees with "
        f"'2026.1' of year 2023 (in {first}:1): score a base's years with one rubric")
    same = write(tmp_path, "c.yaml", year=2025, extra="\n  rubric_version: '2026.1'")
    assert len(load_profiles(first, same)) == 2


def test_cross_section_latest_or_year(tmp_path: Path, rubric) -> None:
    paths = [write(tmp_path, f"{k}.yaml", base_id, year, value) for k, (base_id, year, value) in
             enumerate([("b1", 2023, 10), ("b1", 2025, 30), ("b1", 2024, 20), ("b2", 2024, 50)])]
    panel = load_profiles(*paths)
    assert [(p.id, p.base.year) for p in cross_section(panel)] == [("b1", 2025), ("b2", 2024)]
    assert [(p.id, p.base.year) for p in cross_section(panel, 2024)] == [("b1", 2024), ("b2", 2024)]
    with pytest.warns(UserWarning, match="year 2023: 1 base.* left out: b2"):
        assert [p.id for p in cross_section(panel, 2023)] == ["b1"]
    with pytest.raises(UpgradeScoreError, match=r"--year: no base has a profile for 2019 \(years "
                                                r"given: 2023, 2024, 2025\)"):
        cross_section(panel, 2019)
    table = score_many(rubric, panel)
    assert table.base_ids == ("b1", "b2") and [p.base.year for p in table.profiles] == [2025, 2024]
    assert compare(rubric, panel, year=2024).table.profiles[0].base.year == 2024
    assert [(b, [p.base.year for p in group]) for b, group in histories(panel)] == [
        ("b1", [2023, 2024, 2025]), ("b2", [2024])]


def test_no_panel_is_unchanged(profiles: tuple[BaseProfile, ...]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_section(profiles) == profiles


def test_a_many_bases_survey_holds_a_panel(tmp_path: Path) -> None:
    from surveycsv import csv_rows, write_csv_rows
    from upgrade_score import write_template

    path = write_template(V1, tmp_path / "bases.csv", "many-bases")  # rd_intensity is reported there
    rows = csv_rows(path)
    header = rows[1]

    def row(**cells: str) -> list[str]:
        out = [""] * len(header)
        for key, value in cells.items():
            out[header.index(key)] = value
        return out

    rows += [row(id="b1", year="2023", rd_intensity="1"), row(id="b1", year="2024", rd_intensity="2")]
    write_csv_rows(path, rows)
    assert [(p.id, p.base.year) for p in load_profiles(path)] == [("b1", 2023), ("b1", 2024)]
    write_csv_rows(path, [*rows, row(id="b1", year="2023", rd_intensity="3")])
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert str(info.value) == (f"{path}:A{len(rows) + 1}: duplicate base id 'b1' for year 2023 "
                               f"(also at A{len(rows) - 1})")


# --- a CSV panel picked on its id and year columns agrees with the profiles' rules -------------

panel_rows = st.lists(st.tuples(st.sampled_from(["b1", "b2", "b3"]),
                                st.sampled_from(["", "2022", "2023", "2024"]),
                                st.sampled_from(["", "", "2026.1", "2026.2"]),
                                st.integers(0, 100)), min_size=1, max_size=8)


def _outcome(pick: Any) -> tuple[str, Any]:
    """What a cross-section gives: the chosen rows (id, year, value) and any notice, or the error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chosen = pick()
        except UpgradeScoreError as exc:
            return "error", str(exc)
    rows = [(p.id, p.base.year, p.values["high_value_product_share"].value) for p in chosen]
    return "rows", (rows, [str(w.message) for w in caught])


@settings(max_examples=120, deadline=None)
@given(panel_rows, st.sampled_from([None, 2023, 2025]))
@example([("b1", "2022", "2026.1", 1), ("b1", "2023", "2026.2", 2)], None)  # versions disagree
@example([("b1", "2022", "2026.1", 1), ("b1", "2023", "", 2), ("b2", "", "", 3)], 2023)
@example([("b1", "2022", "", 1), ("b1", "", "", 2)], None)  # with and without a year
def test_csv_panel_cross_section_agrees_with_profiles(rows: list[tuple[str, str, str, int]],
                                                      year: int | None) -> None:
    text = "base_id,year,rubric_version,high_value_product_share\n" + "".join(
        f"{base_id},{when},{version},{value}\n" for base_id, when, version, value in rows)
    table = read_table(io.BytesIO(text.encode("utf-8")), "panel.csv")
    assert _outcome(lambda: table_cross_section(table, year)) == \
        _outcome(lambda: cross_section(list(table), year))


@pytest.mark.parametrize("by", ["region", "category", "province"])
def test_groups_of_a_csv_table_are_read_from_its_columns(by: str) -> None:
    text = ("base_id,region,category,high_value_product_share\n"
            "a,north,x,30\nb,north,,20\nc,south,y,40\nd,,x,10\n")
    table = read_table(io.BytesIO(text.encode("utf-8")), "g.csv")
    assert group_values(table, by) == group_values(list(table), by)
    if by == "province":  # not a column the table can hold: no base has one, either way
        with pytest.raises(UpgradeScoreError, match="no base has a province"):
            compare(V1, table, by=by)
        return
    fast, slow = compare(V1, table, by=by), compare(V1, list(table), by=by)
    assert fast.groups == slow.groups and fast.groups is not None and None in fast.groups
    assert fast.to_dict() == slow.to_dict()
