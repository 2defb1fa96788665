"""Survey templates of many bases at table speed: the rows of bases written as XML text give the
same workbook as openpyxl's cells, and the reader's fast path gives the same values and the same
problems as reading cell by cell."""

from __future__ import annotations

import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from surveycsv import csv_rows, write_csv_rows
from upgrade_score import BaseProfile, UpgradeScoreError, load_profiles, load_rubric, write_template
from upgrade_score._io.survey import read as survey_read
from upgrade_score._io.survey import write as survey_write
from upgrade_score._io.survey import xlsx as survey_xlsx

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "bases"
V2 = load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")
RUBRIC = load_rubric()


def members(path: Path) -> dict[str, bytes]:
    """A workbook's parts, but the one with the time it was saved."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()
                if info.filename != "docProps/core.xml"}


def both_writers(tmp_path: Path, rubric: Any, profiles: Any, lang: str) -> tuple[dict[str, bytes],
                                                                                  dict[str, bytes]]:
    fast, cells = tmp_path / "fast.xlsx", tmp_path / "cells.xlsx"
    write_template(rubric, fast, layout="many-bases", profiles=profiles, lang=lang)  # type: ignore[arg-type]
    slow = partial(survey_xlsx._save_xlsx, fast_rows=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey_write, "_save_xlsx", slow)
        write_template(rubric, cells, layout="many-bases", profiles=profiles, lang=lang)  # type: ignore[arg-type]
    return members(fast), members(cells)


def renamed(profile: BaseProfile, base_id: str, name: str | None, region: str | None) -> BaseProfile:
    data = profile.model_dump(exclude_none=True)
    data["base"] = {**data["base"], "id": base_id, **({"region": region} if region is not None else {}),
                    **({"name": {"zh": name, "en": name}} if name else {})}
    return BaseProfile.model_validate(data)


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_rows_as_text_are_the_bytes_openpyxl_writes(tmp_path: Path, lang: str) -> None:
    bases = load_profiles(EXAMPLES)
    names = ["=1+2", "\x1f", " lead", "trail ", "a & b < c > d \"q\" 'r'", "two\nlines", "中文 基地",
             "-5", "   "]
    profiles = [renamed(p, f"{p.id}-{k}", names[k % len(names)], names[(k + 3) % len(names)])
                for k in range(3) for p in bases]
    fast, cells = both_writers(tmp_path, RUBRIC, profiles, lang)
    assert list(fast) == list(cells)
    assert fast == cells
    sheet = fast["xl/worksheets/sheet1.xml"]
    assert b"&amp; b &lt; c &gt;" in sheet and b'xml:space="preserve"> lead' in sheet  # (tested)


def test_another_openpyxl_series_writes_its_own_cells(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from upgrade_score._io.survey import xlsxrows

    def refused(*args: object) -> bytes:
        raise AssertionError("the rows were written as text for an untested openpyxl")

    monkeypatch.setattr(openpyxl, "__version__", "3.2.0")
    monkeypatch.setattr(survey_xlsx, "save_with_rows", refused)
    assert not xlsxrows.imitates(openpyxl)
    profiles = load_profiles(EXAMPLES)
    path = tmp_path / "t.xlsx"
    write_template(RUBRIC, path, layout="many-bases", profiles=profiles)
    assert [p.id for p in load_profiles(path, rubric=RUBRIC)] == [p.id for p in profiles]


def test_rows_as_text_with_categories_and_none(tmp_path: Path) -> None:
    assert both_writers(tmp_path, V2, None, "zh")[0] == both_writers(tmp_path, V2, None, "zh")[1]
    profiles = load_profiles(ROOT / "examples" / "rubrics" / "bases", rubric=V2)
    fast, cells = both_writers(tmp_path, V2, profiles, "both")
    assert fast == cells


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                min_size=1, max_size=4))
def test_any_names_are_written_as_openpyxl_writes_them(tmp_path: Path, names: list[str]) -> None:
    bases = load_profiles(EXAMPLES)
    try:
        profiles = [renamed(bases[k % len(bases)], f"b{k}", name or None, name or None)
                    for k, name in enumerate(names)]
    except ValueError:  # a name the profile model refuses (pydantic's error is a ValueError)
        assume(False)
    fast, cells = both_writers(tmp_path, RUBRIC, profiles, "en")
    assert fast == cells


# --- reading: a column's cells read once each, remembered -------------------------------------------

COLUMNS_OF = {  # a column of each kind, and cells for it: good, odd and bad ones
    "high_value_product_share": ["35%", "0.35", "35", "101", "1,200", "1,2", "abc", "n/a", "-", "无",
                                 "是", "12 %", "3.5e1", "'=1", "３５"],
    "water_reuse_rate": ["n/a", "N/A", "不适用", "0.5", "50", "None"],  # (allows n/a)
    "product_standard_certification": ["3", "3级", "L2", "6", "2.5", "是", "n/a", "abc"],
    "key_discharger_monitoring": ["是", "否", "yes", "1", "0", "2", "不适用", "是 / yes"],
    "tonnes_processed": ["12", "6000", "n/a", "1,200", "x"],  # an input
    "year": ["2024", "2024.5", "1800", "二〇二四"],
    "category": ["ferrous", "nonsense"],
}
XLSX_ONLY = {  # cells a spreadsheet types: the same number is other values in other formats
    "high_value_product_share": [(0.35, "0%"), (0.35, "General"), (35, "General"), (True, "General"),
                                 (1, "General"), (1.0, "General"), (-0.0, "General")],
    "key_discharger_monitoring": [(True, "General"), (1, "General"), (False, "General"), (0.0, "0%")],
}


def _filled_template(tmp_path: Path, suffix: str, rows: int) -> Path:
    """A many-bases template of ``rows`` bases whose cells cycle through the values above, each
    value on several rows (so that a remembered reading is used)."""
    path = tmp_path / f"many{suffix}"
    bases = load_profiles(EXAMPLES)
    write_template(RUBRIC, path, layout="many-bases", lang="en",
                   profiles=[renamed(bases[k % len(bases)], f"b{k}", None, None) for k in range(rows)])
    if suffix == ".csv":
        table = csv_rows(path)
        top = next(k for k, row in enumerate(table) if row and row[0] == "id")
        data = [row for row in table[top + 1:] if row and not row[0].startswith("#")]
        for k, row in enumerate(data):
            for column, cells in COLUMNS_OF.items():
                if column in table[top]:
                    row[table[top].index(column)] = cells[k % len(cells)]
        write_csv_rows(path, table)
        return path
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "id")
    titles = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    first = next(r for r in range(header + 1, header + 40)
                 if not str(sheet.cell(r, 1).value or "").startswith("#"))
    for k in range(rows):
        for column, cells in COLUMNS_OF.items():
            extra = XLSX_ONLY.get(column, [])
            pool: list[tuple[Any, str]] = [(text, "General") for text in cells] + extra
            value, number_format = pool[k % len(pool)]
            cell = sheet.cell(first + k, titles[column])
            cell.value = value
            cell.number_format = number_format
    book.save(path)
    return path


def _read(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        profiles = load_profiles(path)
    except UpgradeScoreError as error:
        return [str(problem) for problem in error.problems], []
    return [], [p.model_dump() for p in profiles]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_remembered_cells_read_as_each_cell_alone(tmp_path: Path, suffix: str) -> None:
    path = _filled_template(tmp_path, suffix, 48)
    remembered = _read(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey_read, "MEMO_CELLS", 0)  # every cell read on its own
        alone = _read(path)
    assert remembered == alone
    problems = remembered[0]
    assert len(problems) > 48  # (several bad cells a row)
    assert any("'35%'" not in p and "looks like a fraction" in p for p in problems)
    assert any("nonsense" in p for p in problems) and any("'2024.5' is not a year" in p for p in problems)


def test_remembered_cells_of_good_values(tmp_path: Path) -> None:
    """Only good cells: the profiles, with the values hand-checked on two rows."""
    good = {"high_value_product_share": ["35%", "35", "12.5"],
            "product_standard_certification": ["3", "3级", "L2"],
            "key_discharger_monitoring": ["是", "否", "yes"],
            "water_reuse_rate": ["n/a", "不适用", "50"]}
    path = tmp_path / "good.csv"
    bases = load_profiles(EXAMPLES)
    write_template(RUBRIC, path, layout="many-bases", lang="en",
                   profiles=[renamed(bases[k % len(bases)], f"b{k}", None, None) for k in range(9)])
    table = csv_rows(path)
    top = next(k for k, row in enumerate(table) if row and row[0] == "id")
    data = [row for row in table[top + 1:] if row and not row[0].startswith("#")]
    for k, row in enumerate(data):
        for column, cells in good.items():
            row[table[top].index(column)] = cells[k % 3]
    write_csv_rows(path, table)
    remembered = _read(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey_read, "MEMO_CELLS", 0)
        assert _read(path) == remembered
    profiles = {p["base"]["id"]: p["values"] for p in remembered[1]}
    assert profiles["b3"]["high_value_product_share"]["value"] == 35.0
    assert profiles["b5"]["high_value_product_share"]["value"] == 12.5
    assert [profiles[f"b{k}"]["product_standard_certification"]["value"] for k in range(3)] == [3, 3, 2]
    assert [profiles[f"b{k}"]["key_discharger_monitoring"]["value"] for k in range(3)] == [True, False, True]
    assert [profiles[f"b{k}"]["water_reuse_rate"]["value"] for k in range(3)] == ["n/a", "n/a", 50.0]


def test_a_base_field_the_profile_refuses_is_named_at_its_own_cell(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "t.csv"
    write_template(RUBRIC, path, layout="many-bases", profiles=load_profiles(EXAMPLES), lang="zh")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    header = rows.index(next(row for row in rows if row[:1] == ["id"]))
    column = rows[header].index("name_zh")
    rows[header + 8][column] = "长" * 10_001  # (the second base: header, 6 hint rows, the first base)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path, rubric=RUBRIC)
    letter = "ABCDEFGHIJ"[column]
    assert [str(p) for p in info.value.problems] == [
        f"{path}:{letter}{header + 9}: name_zh: String should have at most 10000 characters"]


def test_a_problem_at_a_cell_is_cut_as_every_problem_is() -> None:
    from upgrade_score._errors import MAX_MESSAGE, Problem
    from upgrade_score._io.survey.cells import CellProblem

    message = f"'{'9' * 100_000}' is too large"
    at_cell = str(CellProblem(message, "t.csv", 10, ("share",), sheet=None, cell="I10"))
    assert at_cell == Problem(message, "t.csv", 10, ("share",)).shown_at("t.csv:I10")
    assert at_cell.startswith("t.csv:I10: share: '999") and at_cell.endswith("…' is too large")
    assert len(at_cell) < MAX_MESSAGE + 40
