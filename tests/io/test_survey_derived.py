"""Survey templates for rubrics with inputs, formulas and enterprise roll-ups (design points
12–13): the template asks for every reported input and no derived or rolled-up value (it says
they are computed), an enterprises sheet (CSV: a file beside the template) reads back into
``BaseProfile.enterprises`` with every problem at its sheet, row and column."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from derived_demo import demo
from surveycsv import csv_rows, fill_csv, write_csv_rows
from upgrade_score import BaseProfile, Rubric, UpgradeScoreError, load_profiles, score_many
from upgrade_score._io.enterprises import load_enterprises, with_enterprises
from upgrade_score._io.survey import write_template

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Rubric, tuple[BaseProfile, ...]]:
    rubric, profiles, table = demo(tmp_path)
    return rubric, with_enterprises(rubric, profiles, load_enterprises(table, rubric))


def _problems(path: Path, rubric: Rubric) -> list[str]:
    with pytest.raises(UpgradeScoreError) as error:
        score_many(rubric, list(load_profiles(path, rubric=rubric)))
    return [str(problem) for problem in error.value.problems]


def _read_problems(path: Path, rubric: Rubric) -> list[str]:
    with pytest.raises(UpgradeScoreError) as error:
        load_profiles(path, rubric=rubric)
    return [str(problem) for problem in error.value.problems]


def _validations(book: Any) -> dict[tuple[str, str], Any]:
    return {(sheet.title, str(dv.sqref)): dv for sheet in book.worksheets
            for dv in sheet.data_validations.dataValidation}


def test_one_base_xlsx_asks_for_reported_inputs_only(tmp_path: Path, setup: Any) -> None:
    rubric, _ = setup
    book = openpyxl.load_workbook(write_template(rubric, tmp_path / "s.xlsx"))
    assert book.sheetnames == ["基本信息", "甲方向", "乙方向", "填报数据", "企业"]
    a = [[c.value for c in row] for row in book["甲方向"].iter_rows(min_row=3)]
    assert a[0][0] == "energy_intensity" and a[0][2] is None
    assert a[0][8] == "由公式计算，无需填写：= energy_use / value_added"
    figures = {row[0]: row for row in book["填报数据"].iter_rows(min_row=3, values_only=True)}
    assert list(figures) == ["energy_use", "value_added", "processed", "green_count", "firms"]
    assert figures["energy_use"][3] == "吨标准煤" and figures["energy_use"][7] == "0–1000000000"
    assert figures["energy_use"][8] == "数字"
    assert figures["processed"][8] == "由企业表汇总（各企业“处理量”之和），无需填写"
    assert figures["green_count"][8] == "由企业表汇总（“绿色工厂”为“是”的企业数），无需填写"
    checks = _validations(book)
    assert ("甲方向", "C3") not in checks and ("甲方向", "C5") in checks  # licensed is asked for
    energy = checks["填报数据", "C3"]
    assert (energy.type, energy.formula1, energy.formula2) == ("decimal", "0.0", "1000000000.0")
    assert ("填报数据", "C5") not in checks  # processed: rolled up
    assert checks["企业", "D5:D504"].formula1 == '"是,否"'
    assert checks["企业", "C5:C504"].type == "decimal"
    sheet = [[c.value for c in row] for row in book["企业"].iter_rows(max_row=4)]
    assert sheet == [["id", "name", "tonnes", "green_factory"],
                     ["# 企业编号", "企业名称", "处理量", "绿色工厂"],
                     ["# 单位", None, "吨", None], ["# 可填写的值", None, "数字", "是 或 否"]]


def test_many_bases_has_no_column_for_computed_values(tmp_path: Path, setup: Any) -> None:
    rubric, _ = setup
    path = write_template(rubric, tmp_path / "s.csv", "many-bases", "en")
    rows = csv_rows(path)
    assert rows[1] == ["id", "name_zh", "name_en", "year", "region", "category", "licensed",
                       "energy_use", "value_added"]
    computed = next(row for row in rows if row[0] == "# computed, not filled in")
    assert ("energy_intensity computed by its formula, not filled in: = energy_use / value_added"
            in computed[1])
    assert "firms rolled up from the enterprise table (number of enterprises), not filled in" in computed[1]
    beside = csv_rows(tmp_path / "s.enterprises.csv")
    assert beside == [["base_id", "id", "name", "tonnes", "green_factory"],
                      ["# base id", "enterprise id", "enterprise name", "Tonnes processed", "Green factory"],
                      ["# unit", "", "", "t", ""], ["# allowed values", "", "", "a number", "yes or no"]]


@pytest.mark.parametrize("layout", ["one-base", "many-bases"])
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_xlsx_round_trip_scores_the_same(tmp_path: Path, setup: Any, layout: str, lang: str) -> None:
    rubric, profiles = setup
    bases = profiles[:1] if layout == "one-base" else profiles
    path = write_template(rubric, tmp_path / "s.xlsx", layout, lang, profiles=bases)  # type: ignore[arg-type]
    back = load_profiles(path, rubric=rubric)
    assert [len(p.enterprises or ()) for p in back] == [len(p.enterprises or ()) for p in bases]
    assert score_many(rubric, list(back)).to_dicts() == score_many(rubric, list(bases)).to_dicts()


def test_csv_template_and_its_enterprise_file_round_trip(tmp_path: Path, setup: Any) -> None:
    rubric, profiles = setup
    path = write_template(rubric, tmp_path / "s.csv", "many-bases", "zh", profiles=profiles)
    beside = tmp_path / "s.enterprises.csv"
    assert [row[:2] for row in csv_rows(beside)[4:]] == [["b1", "e1"], ["b1", "e2"], ["b1", "e3"],
                                                         ["b2", "f1"]]
    back = load_profiles(path, rubric=rubric)
    expected = score_many(rubric, list(profiles)).to_dicts()
    assert score_many(rubric, list(back), enterprises=beside).to_dicts() == expected
    one = write_template(rubric, tmp_path / "one.csv", "one-base", "zh")
    fill_csv(one, {"base.id": "b1", "energy_use": "4,200", "value_added": "1700", "licensed": "是"})
    rows = csv_rows(tmp_path / "one.enterprises.csv")
    write_csv_rows(tmp_path / "one.enterprises.csv",
                   [*rows, ["b1", "e1", "一号", "120", "是"], ["b1", "e2", "", "80", "否"],
                    ["b1", "e3", "", "", "是"]])
    (base,) = load_profiles(one, rubric=rubric)
    table = score_many(rubric, [base], enterprises=tmp_path / "one.enterprises.csv")
    assert table.to_dicts()[0]["overall"] == expected[0]["overall"]


def _fill(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value
    book.save(path)


def test_enterprise_sheet_problems_are_located(tmp_path: Path, setup: Any) -> None:
    rubric, _ = setup
    path = write_template(rubric, tmp_path / "s.xlsx", "many-bases", "zh")
    first = 10  # (marker, header, zh names, direction, units, better, allowed, computed: data from row 10)
    _fill(path, {("基地数据", f"A{first}"): "b1", ("基地数据", f"H{first}"): "4200",
                 ("企业", "A5"): "b1", ("企业", "D5"): "很多", ("企业", "E5"): "也许",
                 ("企业", "A6"): "b9", ("企业", "D6"): 5,
                 ("企业", "B7"): "e7", ("企业", "D7"): 5})
    assert _read_problems(path, rubric) == [
        f"{path}:企业!D5: tonnes: '很多' is not a number",
        f"{path}:企业!E5: green_factory: '也许' is not yes or no (是/否, yes/no, 1/0)",
        f"{path}:企业!A6: base_id: unknown base 'b9': no row of the bases sheet has this id",
        f"{path}:企业!A7: base_id: empty: every enterprise row names its base"]


def test_values_where_none_are_asked_for_are_located(tmp_path: Path, setup: Any) -> None:
    rubric, _ = setup
    path = write_template(rubric, tmp_path / "s.xlsx")
    _fill(path, {("基本信息", "C3"): "b1", ("甲方向", "C3"): 2.5, ("填报数据", "C3"): -5,
                 ("填报数据", "C5"): 100, ("企业", "C5"): 10})
    assert _read_problems(path, rubric) == [f"{path}:填报数据!C3: energy_use: -5 is outside 0–1000000000 tce"]
    _fill(path, {("填报数据", "C3"): "4200"})
    messages = _problems(path, rubric)
    assert sorted(messages) == [
        f"{path}:填报数据!C5: processed: is rolled up from the base's enterprises (sum of tonnes): list the "
        "enterprises instead of reporting it",
        f"{path}:甲方向!C3: energy_intensity: is computed by its formula 'energy_use / value_added': "
        "report its inputs (energy_use, value_added) instead"]


LATIN = re.compile(r"[A-Za-z]+")


def test_zh_templates_carry_no_english(tmp_path: Path, setup: Any) -> None:
    rubric, _ = setup
    fields = [f.id for f in rubric.enterprise_fields or ()]
    neutral = sorted({*rubric.indicator_ids, *rubric.input_ids, *fields,
                      *rubric.direction_ids, rubric.id, "base_id", "name_zh", "name_en", "base.", "year",
                      "region", "category", "name", "id", "upgrade-score template", "one-base",
                      "many-bases", "zh"}, key=len, reverse=True)
    for layout in ("one-base", "many-bases"):
        path = write_template(rubric, tmp_path / f"{layout}.xlsx", layout, "zh")  # type: ignore[arg-type]
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
            assert "英文名称" not in texts  # no column of English names either
            texts += [getattr(dv, name) or "" for dv in sheet.data_validations.dataValidation
                      for name in ("prompt", "error", "promptTitle")]
            for text in texts:
                for allowed in neutral:
                    text = text.replace(allowed, " ")
                assert LATIN.findall(text) == [], (sheet.title, text)
