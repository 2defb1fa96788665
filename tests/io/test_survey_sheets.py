"""Every sheet is read or reported: bases on any sheet of a plain workbook, and every table a
template wrote, even when a header was edited or a sheet deleted. Nothing is dropped silently."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from upgrade_score import UpgradeScoreError, load_profiles, write_template
from upgrade_score._cli import main

openpyxl = pytest.importorskip("openpyxl")


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path, **kwargs)
    return [str(problem) for problem in info.value.problems]


def plain_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    for n, (title, rows) in enumerate(sheets.items()):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# --- plain workbooks: bases on every sheet ------------------------------------------------------------

def test_bases_on_every_sheet_are_read(tmp_path: Path) -> None:
    path = plain_workbook(tmp_path / "plain.xlsx", {
        "东部": [["id", "green_factory_share"], ["e1", 30], ["e2", 40]],
        "Empty": [],
        "西部": [["备注：西部基地"], [], ["id", "name", "green_factory_share"], ["w1", "West", 50]]})
    bases = load_profiles(path)
    assert [(b.id, b.value("green_factory_share")) for b in bases] == [
        ("e1", 30.0), ("e2", 40.0), ("w1", 50.0)]
    assert [b.problem("green_factory_share", "x").line for b in bases] == [2, 3, 4]
    assert str(bases[2].problem("green_factory_share", "x")).startswith(f"{path}:西部!C4:")


def test_a_sheet_with_values_but_no_id_header_is_reported(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = plain_workbook(tmp_path / "plain.xlsx", {
        "Sheet": [["id", "green_factory_share"], ["e1", 30]],
        "More": [[None, None], [None, "基地编号", "green_factory_share"], [None, "w1", 50]]})
    message = (f"{path}:More!B2: this sheet has values but no header row with an 'id' column naming "
               "each base in its first 30 rows, so its rows are not read: add the header, or move "
               "the bases to a sheet that has one")
    assert problems_of(path) == [message]
    assert main(["score", str(path)]) == 2
    assert capsys.readouterr().err == f"upgrade-score: error: {message}\n"


def test_base_ids_are_unique_across_sheets(tmp_path: Path) -> None:
    path = plain_workbook(tmp_path / "plain.xlsx", {
        "A": [["id", "green_factory_share"], ["b1", 30]],
        "B": [["id", "green_factory_share"], ["b2", 20], ["b1", 40]]})
    assert problems_of(path) == [f"{path}:B!A3: duplicate base id 'b1' (also at A!A2)"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_many_bases_template_with_a_second_sheet_of_bases(tmp_path: Path, lang: str) -> None:
    path = write_template(None, tmp_path / "bases.xlsx", "many-bases", lang)  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    first = book.worksheets[0]
    first.append(["b1", None, None, 2024])
    copy = book.copy_worksheet(first)
    for row in copy.iter_rows(min_row=first.max_row):
        row[0].value = "b2"
    book.save(path)
    assert [b.id for b in load_profiles(path)] == ["b1", "b2"]  # (not the Indicators sheet)


# --- one-base templates: every table the template wrote ----------------------------------------------

def test_an_edited_value_header_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_template(None, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    book["基本信息"]["C3"] = "b1"
    book["绿色化发展"]["C3"] = 90
    book["绿色化发展"]["C2"] = "2025年填报值"
    book.save(path)
    message = (f"{path}:绿色化发展!C2: this table has no '填报值/value' column, so its values are not "
               "read: restore the title '填报值' of column C (now '2025年填报值')")
    assert problems_of(path) == [message]
    assert main(["score", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"upgrade-score: error: {message}\n"


def test_a_deleted_header_row_is_reported(tmp_path: Path) -> None:
    path = write_template(None, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    book["基本信息"]["C3"] = "b1"
    book["低碳化发展"].delete_rows(2)
    book.save(path)
    assert problems_of(path) == [
        f"{path}:低碳化发展!A2: rows of the template without their header row ('编号/id' and "
        "'填报值/value' columns), so they are not read: restore the header row"]


def test_a_deleted_direction_sheet_is_reported(tmp_path: Path) -> None:
    path = write_template(None, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    book["基本信息"]["C3"] = "b1"
    del book["智能化发展"]
    notes = book.create_sheet("说明")  # a sheet of notes is fine
    notes["A1"] = "填表人：张三"
    book.save(path)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: the rows of direction 'intelligent' (智能化发展) are missing "
                              "(")
    assert problem.endswith("): restore its sheet or rows from the template")


def test_deleted_rows_of_a_direction_in_a_csv_template(tmp_path: Path) -> None:
    path = write_template(None, tmp_path / "s.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    start = next(k for k, row in enumerate(rows) if row and row[0] == "# 集聚化发展")
    rows = [row if row[:1] != ["base.id"] else ["base.id", "", "b1"] for row in rows[:start]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: the rows of direction 'clustered' (集聚化发展) are missing (")
