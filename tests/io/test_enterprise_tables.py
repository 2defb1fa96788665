"""Enterprise tables (design point 13): CSV files and the enterprises sheet of a workbook, read with
located errors, and joined to profiles with the same result as ``score_many(..., enterprises=)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derived_demo import demo
from upgrade_score import UpgradeScoreError, compare, score_many, sensitivity
from upgrade_score._io.enterprises import load_enterprises, with_enterprises

openpyxl = pytest.importorskip("openpyxl")


def _messages(error: pytest.ExceptionInfo[UpgradeScoreError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_csv_table_rows_ids_names_and_hint_rows(tmp_path: Path) -> None:
    rubric, _, path = demo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "# a note,,,,\n", encoding="utf-8")
    table = load_enterprises(path, rubric)
    assert table.base_ids == ("b1", "b1", "b1", "b2")
    assert table.lines == (2, 3, 4, 5)
    assert table.ids == ("e1", "e2", "e3", "f1")
    assert table.names[0] == {"zh": "一号", "en": "一号"}
    np.testing.assert_array_equal(table.figures, [[120, 1], [80, 0], [np.nan, 1], [300, 0]])


def test_csv_row_without_base_or_with_unknown_base_is_located(tmp_path: Path) -> None:
    rubric, profiles, path = demo(tmp_path)
    path.write_text("base_id,tonnes\n,5\nb9,6\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as error:
        load_enterprises(path, rubric)
    assert _messages(error) == [f"{path}:2: base_id: empty: every enterprise row names its base"]
    path.write_text("base_id,tonnes\nb1,5\nb9,6\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as error:
        score_many(rubric, list(profiles), enterprises=path)
    assert _messages(error) == [f"{path}:3: base_id: unknown base 'b9': no base has this id"]


def _workbook(path: Path, rows: list[list[object]], title: str = "企业") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "说明"
    sheet["A1"] = "notes"
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_sheet_reads_like_the_csv(tmp_path: Path) -> None:
    rubric, profiles, path = demo(tmp_path)
    book = _workbook(tmp_path / "e.xlsx", [
        ["base_id", "id", "name", "tonnes", "green_factory"],
        ["# 名称", "企业编号", "企业名称", "处理量", "绿色工厂"],
        ["b1", "e1", "一号", 120, "是"], ["b1", "e2", "二号", "80", "否"],
        ["b1", "e3", "三号", None, True], ["b2", "f1", "F1", 300, "no"]])
    sheet = load_enterprises(book, rubric)
    csv = load_enterprises(path, rubric)
    np.testing.assert_array_equal(sheet.figures, csv.figures)
    assert sheet.base_ids == csv.base_ids and sheet.lines == (3, 4, 5, 6)
    a = score_many(rubric, list(profiles), enterprises=sheet)
    b = score_many(rubric, list(profiles), enterprises=csv)
    assert a.to_dicts() == b.to_dicts()


def test_xlsx_problems_name_sheet_and_cell(tmp_path: Path) -> None:
    rubric, profiles, _ = demo(tmp_path)
    book = _workbook(tmp_path / "e.xlsx", [
        ["base_id", "id", "tonnes", "green_factory", "tonnage"],
        [None, "e1", 5, "是"], ["b1", "e2", "lots", "maybe"]])
    with pytest.raises(UpgradeScoreError) as error:
        load_enterprises(book, rubric)
    assert _messages(error) == [
        f"{book}:企业!E1: unknown enterprise field 'tonnage' (did you mean 'tonnes'?) "
        "(known: tonnes, green_factory)",
        f"{book}:企业!A2: base_id: empty: every enterprise row names its base",
        f"{book}:企业!C3: tonnes: 'lots' is not a number",
        f"{book}:企业!D3: green_factory: 'maybe' is not yes or no (是/否, yes/no, 1/0)"]
    book = _workbook(tmp_path / "f.xlsx", [["base_id", "tonnes"], ["b1", 5], ["b7", 6]])
    with pytest.raises(UpgradeScoreError) as error:
        score_many(rubric, list(profiles), enterprises=book)
    assert _messages(error) == [f"{book}:企业!A3: base_id: unknown base 'b7': no base has this id"]


def test_workbook_without_an_enterprises_sheet(tmp_path: Path) -> None:
    rubric, _, _ = demo(tmp_path)
    book = _workbook(tmp_path / "e.xlsx", [["id", "x"]], title="Other")
    with pytest.raises(UpgradeScoreError, match="no enterprises sheet"):
        load_enterprises(book, rubric)


def test_joined_profiles_score_as_the_table(tmp_path: Path) -> None:
    rubric, profiles, path = demo(tmp_path)
    table = load_enterprises(path, rubric)
    joined = with_enterprises(rubric, profiles, table)
    assert [len(p.enterprises or ()) for p in joined] == [3, 1]
    assert joined[0].enterprises[2].figures == {"green_factory": True}
    assert score_many(rubric, list(joined)).to_dicts() == \
        score_many(rubric, list(profiles), enterprises=table).to_dicts()
    card = score_many(rubric, list(joined)).scorecard("b1")
    assert card.indicators["green_share"].derived.enterprise_rows == {"green_count": 3, "firms": 3}
    assert card.indicators["throughput"].value == 200  # e3 reports no tonnes: left out
    with pytest.raises(UpgradeScoreError, match="lists its enterprises in its profile too"):
        with_enterprises(rubric, joined, table)


def test_compare_and_sensitivity_take_enterprises(tmp_path: Path) -> None:
    rubric, profiles, path = demo(tmp_path)
    expected = score_many(rubric, list(profiles), enterprises=path).overall
    result = compare(rubric, list(profiles), enterprises=path)
    assert [row["overall"] for row in result.to_dict()["bases"]] == pytest.approx(sorted(expected)[::-1])
    report = sensitivity(rubric, list(profiles), samples=20, seed=1, value_samples=0,
                         enterprises=path)
    assert {b.base: b.score for b in report.bases} == pytest.approx(dict(zip(("b1", "b2"), expected)))


_ROWS = st.lists(st.tuples(st.sampled_from(["b1", "b2"]),
                           st.none() | st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
                           st.none() | st.booleans()), max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS)
def test_table_joined_to_profiles_and_templates_round_trip(tmp_path: Path, rows: list[Any]) -> None:
    """The same rows give the same scores as a table, joined to the profiles, and written to a
    many-bases template and read back."""
    from upgrade_score import load_profiles, write_template

    rubric, profiles, path = demo(tmp_path)
    lines = ["base_id,id,tonnes,green_factory"] + [
        f"{base},e{k},{'' if tonnes is None else tonnes},{'' if green is None else str(green).lower()}"
        for k, (base, tonnes, green) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_enterprises(path, rubric)
    expected = score_many(rubric, list(profiles), enterprises=table).to_dicts()
    joined = with_enterprises(rubric, profiles, table)
    assert score_many(rubric, list(joined)).to_dicts() == expected
    book = write_template(rubric, tmp_path / "t.xlsx", "many-bases", "zh", profiles=joined)
    assert score_many(rubric, list(load_profiles(book, rubric=rubric))).to_dicts() == expected
