"""Survey templates: written from a rubric (CSV, XLSX), filled in, read back with located problems."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveycsv import csv_rows, fill_csv, write_csv_rows
from upgrade_score import (
    BaseProfile,
    Rubric,
    UpgradeScoreError,
    load_profile,
    load_profiles,
    load_rubric,
    score_many,
    write_template,
)
from upgrade_score._cli import main
from upgrade_score._io.survey import MARKER, CellProblem
from v1 import V1, V1_BASES

openpyxl = pytest.importorskip("openpyxl")

EXAMPLES = V1_BASES
HUB = EXAMPLES / "scrap_metal_hub.yaml"
DEFAULT = load_rubric(V1)  # the golden v1 behaviour (tests/v1.py)


def fill_xlsx(path: Path, cells: dict[tuple[str, str], Any], formats: dict[str, str] | None = None) -> None:
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value
        if formats and ref in formats:
            book[sheet][ref].number_format = formats[ref]
    book.save(path)


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path, **kwargs)
    return [str(problem) for problem in info.value.problems]


def spec_of(rubric: Rubric) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(rubric.model_dump_json(exclude_none=True))
    return spec


def dump(profile: BaseProfile, values_only: bool = False) -> dict[str, Any]:
    data = profile.model_dump()
    data["base"].pop("illustrative", None)
    if values_only:
        data["values"] = {k: v["value"] for k, v in data["values"].items() if v["value"] is not None}
    return data


# --- the template -----------------------------------------------------------------------------------

def test_one_base_csv_has_a_row_per_indicator(tmp_path: Path, rubric: Rubric) -> None:
    path = write_template(rubric, tmp_path / "survey.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # so that Excel reads UTF-8
    rows = csv_rows(path)
    assert rows[0][:5] == [MARKER, rubric.id, rubric.version, "one-base", "zh"]
    assert rows[1] == ["编号", "中文名称", "填报值", "单位", "数据来源", "可信度（0–1）",  # no English
                       "优劣方向", "有效范围", "可填写的值", "指标说明"]
    assert [r[0] for r in rows[2:8]] == ["base.id", "base.name_zh", "base.name_en", "base.year",
                                        "base.region", "base.category"]
    by_id = {r[0]: r for r in rows if r and r[0] in rubric.indicator_ids}
    assert list(by_id) == list(rubric.indicator_ids)  # rubric order
    assert [r[0] for r in rows if r[0].startswith("#")] == [f"# {d.name.zh}" for d in rubric.directions]
    share = by_id["high_value_product_share"]
    assert share[1:] == ["高值化再生产品产值占比", "", "%", "", "", "越高越好", "0–100",
                         "数字，百分数填 35 表示 35%", share[9]]
    assert share[9].startswith("Output value of high-value recycled products")  # (v1: en only)
    levels = by_id["product_standard_certification"][8].split(" | ")
    assert levels[0] == "0 未达规划级: 未执行任何产品标准，再生产品按未分级废料销售"
    assert levels[2].startswith("2 规范级: 主要产品执行国家或行业再生原料标准")
    assert len(levels) == rubric.level_count + 1
    assert by_id["third_party_carbon_verification"][6:9] == ["“是”为好", "", "是 或 否"]
    assert by_id["energy_intensity"][6] == "越低越好"


@pytest.mark.parametrize("lang, header, yes", [("en", "value", "yes or no"),
                                                ("both", "填报值 / value", "是 / yes 或 / or 否 / no")])
def test_header_language(tmp_path: Path, rubric: Rubric, lang: str, header: str, yes: str) -> None:
    rows = csv_rows(write_template(rubric, tmp_path / "s.csv", lang=lang))  # type: ignore[arg-type]
    assert rows[1][3] == header
    boolean = next(r for r in rows if r[0] == "third_party_carbon_verification")
    assert boolean[9] == yes
    qualitative = next(r for r in rows if r[0] == "collection_network")
    planning = "Planning" if lang == "en" else "规划级 / Planning"
    assert qualitative[9].split(" | ")[1].startswith(f"1 {planning}")


def test_many_bases_csv(tmp_path: Path, rubric: Rubric) -> None:
    rows = csv_rows(write_template(rubric, tmp_path / "bases.csv", "many-bases", "en"))
    assert rows[1] == ["id", "name_zh", "name_en", "year", "region", "category", *rubric.indicator_ids]
    assert [r[0] for r in rows[2:]] == ["# name (English)", "# direction", "# unit", "# better",
                                       "# allowed values"]
    units = rows[4]
    assert units[6] == "%" and units[6 + rubric.indicator_ids.index("annual_throughput")] == "10k t/yr"
    assert rows[6][6:8] == ["0–100", "0–100"]


def test_a_new_indicator_is_a_new_row(tmp_path: Path, rubric: Rubric) -> None:
    spec = spec_of(rubric)
    spec["directions"][2]["indicators"].append({
        "id": "noise_complaints", "name": {"zh": "噪声投诉", "en": "Noise complaints"}, "unit": "count",
        "better": "lower", "thresholds": [10, 8, 6, 4, 2], "floor": 12, "valid_range": [0, 1000]})
    newer = Rubric.model_validate(spec)
    old_rows = csv_rows(write_template(rubric, tmp_path / "old.csv"))
    new_rows = csv_rows(write_template(newer, tmp_path / "new.csv"))
    added = [r for r in new_rows[1:] if r not in old_rows[1:]]
    assert [r[:2] for r in added] == [["noise_complaints", "噪声投诉"]]
    assert new_rows.index(added[0]) == next(
        k for k, r in enumerate(new_rows) if r[0] == "environmental_violations") + 1
    wide = csv_rows(write_template(newer, tmp_path / "wide.csv", "many-bases"))
    assert wide[1].index("noise_complaints") == wide[1].index("environmental_violations") + 1
    # an old answer sheet still reads with the new rubric: the new indicator is missing
    fill_csv(tmp_path / "old.csv", {"base.id": "b1", "green_factory_share": "30"})
    (base,) = load_profiles(tmp_path / "old.csv", rubric=newer)
    assert base.value("green_factory_share") == 30 and base.value("noise_complaints") is None
    assert score_many(newer, [base]).completeness[0] < 1


def test_xlsx_sheets_drop_downs_and_hints(tmp_path: Path, rubric: Rubric) -> None:
    path = write_template(rubric, tmp_path / "survey.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["基本信息", *(d.name.zh for d in rubric.directions), "_lists"]
    assert book["_lists"].sheet_state == "hidden"
    assert book["基本信息"]["A1"].value == MARKER
    green = book["绿色化发展"]
    assert [green.cell(2, c).value for c in (1, 3)] == ["编号", "填报值"]
    assert green["A7"].value == "green_factory_share"
    checks = {(sheet.title, str(dv.sqref)): dv for sheet in book.worksheets
              for dv in sheet.data_validations.dataValidation}
    rows = {sheet.cell(r, 1).value: (sheet.title, f"C{r}") for sheet in book.worksheets[1:-1]
            for r in range(3, sheet.max_row + 1)}
    for indicator in rubric.indicators:
        check = checks[rows[indicator.id]]
        assert check.showInputMessage and check.promptTitle == indicator.name.zh
        if indicator.kind == "qualitative":
            assert check.type == "list" and check.formula1.startswith("'_lists'!$")
            column = check.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
            items = [book["_lists"][f"{column}{k}"].value for k in range(1, rubric.level_count + 2)]
            assert items[3].startswith("3 集成级: ")
            assert book["_lists"][f"{column}{rubric.level_count + 2}"].value is None
        elif indicator.kind == "boolean":
            assert check.type == "list" and check.formula1 == '"是,否"'
        elif indicator.valid_range is not None:
            assert (check.type, check.operator) == ("decimal", "between")
            assert (float(check.formula1), float(check.formula2)) == indicator.valid_range
            assert check.errorStyle == "warning"
    assert checks["基本信息", "C6"].type == "whole"  # base.year


def test_xlsx_many_bases(tmp_path: Path, rubric: Rubric) -> None:
    hub = load_profile(HUB)
    path = write_template(rubric, tmp_path / "bases.xlsx", "many-bases", "both", profiles=[hub])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["基地数据 Bases", "指标说明 Indicators", "_lists"]
    sheet = book.worksheets[0]
    assert [sheet.cell(2, c).value for c in (1, 7)] == ["id", "high_value_product_share"]
    assert sheet["A3"].value == "# 中文名称 / name (Chinese)" and sheet["A4"].value.startswith("# 英文")
    first = next(r for r in range(3, 20) if sheet.cell(r, 1).value == hub.id)
    assert sheet.freeze_panes == f"D{first}"
    qualitative = 7 + rubric.indicator_ids.index("collection_network")
    letters = openpyxl.utils.get_column_letter(qualitative)
    check = next(dv for dv in sheet.data_validations.dataValidation
                 if str(dv.sqref).startswith(f"{letters}{first}:"))
    assert check.type == "list"
    assert sheet.cell(first, qualitative).value == 3
    (back,) = load_profiles(path)
    assert dump(back, values_only=True) == dump(hub, values_only=True)


def test_prefilled_one_base_round_trip_keeps_source_and_confidence(tmp_path: Path) -> None:
    hub = load_profile(HUB)
    for name in ("hub.csv", "hub.xlsx"):
        (back,) = load_profiles(write_template(DEFAULT, tmp_path / name, profiles=hub))
        assert dump(back) == dump(hub)
        assert back.values["output_value_per_tonne"].confidence == 0.9


@pytest.mark.parametrize("kwargs, message", [
    ({"layout": "wide"}, "layout must be one of one-base, many-bases, got 'wide'"),
    ({"lang": "fr"}, "lang must be one of zh, en, both, got 'fr'"),
    ({"path": "survey.ods"}, "unsupported template type (expected .csv or .xlsx)"),
])
def test_write_template_refuses_bad_options(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    path = tmp_path / kwargs.pop("path", "survey.csv")
    with pytest.raises(UpgradeScoreError) as info:
        write_template(DEFAULT, path, **kwargs)
    assert str(info.value) == f"{path}: {message}"


def test_write_template_checks_the_profiles(tmp_path: Path) -> None:
    hub = load_profile(HUB)
    with pytest.raises(UpgradeScoreError, match="the one-base layout holds one base, got 2"):
        write_template(DEFAULT, tmp_path / "s.csv", profiles=[hub, hub])
    bad = BaseProfile.model_validate({"base": {"id": "x"}, "values": {"high_value_product_share": 200}})
    with pytest.raises(UpgradeScoreError, match="200 is outside the valid range"):
        write_template(DEFAULT, tmp_path / "s.csv", profiles=bad)


# --- reading answers: all problems at once, each at its sheet and cell ------------------------------

def test_xlsx_problems_are_located_at_sheet_and_cell(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "survey.xlsx")
    fill_xlsx(path, {("基本信息", "C3"): "base-x", ("绿色化发展", "C7"): 135,
                     ("绿色化发展", "C3"): "0.35", ("绿色化发展", "F3"): 80,
                     ("绿色化发展", "C6"): "是", ("高质化利用", "C4"): "1,5",
                     ("高质化利用", "C5"): datetime.datetime(2024, 3, 5),
                     ("高质化利用", "C6"): "35 元/吨", ("高质化利用", "C8"): "7",
                     ("低碳化发展", "C8"): "maybe", ("链条化利用", "C3"): "n/a"})
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    problems = [str(p) for p in info.value.problems]
    assert problems == [f"{path}:{where}" for where in [
        "高质化利用!C4: same_grade_recycling_rate: '1,5' has a decimal comma: write 1.5 "
        "(commas are read only as thousands separators, as in 1,200)",
        "高质化利用!C5: resource_utilisation_rate: '2024-03-05' was read as a date or time: "
        "format the cell as a number (or text) and enter the value again",
        "高质化利用!C6: output_value_per_tonne: '35 元/吨' has text beside the number: "
        "enter the number only (in CNY/t)",
        "高质化利用!C8: product_standard_certification: '7' is not a level: a whole number from 0 "
        "to 5, a level name such as '规划级', or an entry of the drop-down list",
        "链条化利用!C3: offtake_agreement_share: 'n/a' is not a value: leave the cell blank if there "
        "is no figure (or enter 0 if it is zero)",
        "绿色化发展!C3: licensed_processing_share: 0.35 looks like a fraction, but this indicator "
        "is in %: enter 35 for 35 % (or '0.35%' if 0.35 % is meant)",
        "绿色化发展!F3: licensed_processing_share.confidence: must be from 0 to 1, got 80 "
        "(write 0.8 for 80 %)",
        "绿色化发展!C6: water_reuse_rate: '是' is a yes/no answer, but this indicator takes a "
        "number (unit: %)",
        "绿色化发展!C7: green_factory_share: 135 is outside 0–100 %",
        "低碳化发展!C8: third_party_carbon_verification: 'maybe' is not yes or no (是/否, yes/no, 1/0)",
    ]]
    assert str(info.value) == problems[0] + " (and 9 more problems)"
    first = info.value.problems[0]
    assert isinstance(first, CellProblem)
    assert (first.file, first.sheet, first.cell, first.line, first.path) == (
        str(path), "高质化利用", "C4", 4, ("same_grade_recycling_rate",))


@pytest.mark.parametrize("typed, expected", [
    ("３５", 35.0), ("３５．５", 35.5), ("35%", 35.0), ("３５％", 35.0), (" 35 ", 35.0),
    ("0.35%", 0.35), ("0", 0.0), ("", None), ("  ", None),
])
def test_percent_slips_accepted(tmp_path: Path, typed: str, expected: float | None) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "green_factory_share": typed})
    (base,) = load_profiles(path)
    assert base.value("green_factory_share") == expected


@pytest.mark.parametrize("indicator, typed, expected", [
    ("output_value_per_tonne", "1,200", 1200.0),
    ("output_value_per_tonne", "１２，０００．５", 12000.5),
    ("output_value_per_tonne", "1.2e3", 1200.0),
    ("energy_intensity", "－0", 0.0),
    ("rd_intensity", "0.8", 0.8),  # thresholds start at 0.5: a small percentage is plausible
    ("third_party_carbon_verification", "是", True),
    ("third_party_carbon_verification", "否", False),
    ("third_party_carbon_verification", "Y", True),
    ("third_party_carbon_verification", "no", False),
    ("third_party_carbon_verification", "是 / yes", True),
    ("third_party_carbon_verification", "1", True),
    ("third_party_carbon_verification", "TRUE", True),
    ("product_standard_certification", "规范级", 2.0),
    ("product_standard_certification", "Standardised", 2.0),
    ("product_standard_certification", "3级", 3.0),
    ("product_standard_certification", "L4", 4.0),
    ("product_standard_certification", "５", 5.0),
    ("product_standard_certification", "未达规划级", 0.0),
    ("product_standard_certification", "3 集成级", 3.0),
    ("product_standard_certification", "3 Integrated: Main products are third-party certified", 3.0),
    ("product_standard_certification",  # a descriptor without its level
     "主要产品获得第三方认证（如绿色产品认证），满足下游制造企业采购规范", 3.0),
])
def test_common_slips_accepted(tmp_path: Path, indicator: str, typed: str, expected: Any) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", indicator: typed})
    (base,) = load_profiles(path)
    assert base.value(indicator) == expected


@pytest.mark.parametrize("indicator, typed, message", [
    ("green_factory_share", "1", "1 looks like a fraction, but this indicator is in %: enter 100 for "
                                 "100 % (or '1%' if 1 % is meant)"),
    ("output_value_per_tonne", "35%", "'35%' is a percentage, but the unit is CNY/t: enter a number "
                                      "(unit: CNY/t)"),
    ("output_value_per_tonne", "1 200", "'1 200' has spaces inside the number: write 1200"),
    ("output_value_per_tonne", "约1200", "'约1200' is not a number"),
    ("output_value_per_tonne", "无", "'无' is not a value: leave the cell blank if there is no "
                                     "figure (or enter 0 if it is zero)"),
    ("output_value_per_tonne", "1e999", "'1e999' is too large"),
    ("third_party_carbon_verification", "是/否", "'是/否' is not yes or no (是/否, yes/no, 1/0)"),
    ("third_party_carbon_verification", "2", "'2' is not yes or no (是/否, yes/no, 1/0)"),
    ("product_standard_certification", "2.5", "'2.5' is not a level: a whole number from 0 to 5"),
    ("product_standard_certification", "3 或 4", "'3 或 4' is not a level"),
    ("product_standard_certification", "是", "'是' is a yes/no answer, but this indicator takes a level"),
])
def test_common_slips_named(tmp_path: Path, indicator: str, typed: str, message: str) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", indicator: typed})
    row = next(k for k, r in enumerate(csv_rows(path), start=1) if r[0] == indicator)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:C{row}: {indicator}: {message}")


def test_excel_percent_cells_and_booleans(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.xlsx", lang="en")
    sheets = openpyxl.load_workbook(path).sheetnames
    fill_xlsx(path, {(sheets[0], "D3"): "b1", (sheets[0], "D6"): 2024.0,
                     (sheets[3], "D7"): 0.35, (sheets[3], "D6"): 0.0042,
                     (sheets[4], "D8"): True, (sheets[1], "D8"): "2 Standardised"},
              formats={"D7": "0%", "D6": "0.00%"})
    (base,) = load_profiles(path)
    assert base.value("green_factory_share") == 35.0  # Excel keeps 35 % as 0.35 in a % cell
    assert base.value("water_reuse_rate") == 0.42  # 0.42 %, written explicitly as a percentage
    assert base.value("third_party_carbon_verification") is True
    assert base.value("product_standard_certification") == 2.0
    assert base.base.year == 2024


@pytest.mark.parametrize("cells, message", [
    ({}, "base.id: the base id is missing: fill in the value of row 'base.id'"),
    ({"base.id": "3 bases"}, "base.id: '3 bases' is not a valid base id: start with a letter, then "
                             "use letters, digits, '-', '_' or '.'"),
    ({"base.id": "b", "base.year": "20x4"}, "base.year: '20x4' is not a year (a whole number from 1900 "
                                                     "to 2100)"),
    ({"base.id": "b", "base.year": "1850"}, "base.year: '1850' is not a year (a whole number from 1900 "
                                                     "to 2100)"),
    ({"base.id": "b", "base.colour": "red"}, "base.colour: unknown base field (known: base.id, "
                                             "base.name_zh, base.name_en, base.year, base.region, "
                                             "base.category)"),
    ({"base.id": "b", "green_factory_shar": "3"}, "green_factory_shar: unknown indicator for rubric "
                                                  "'urban-mining-upgrade' (did you mean "
                                                  "'green_factory_share'?)"),
])
def test_one_base_problems(tmp_path: Path, cells: dict[str, str], message: str) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    rows = csv_rows(path)
    if "base.colour" in cells:
        rows.insert(8, ["base.colour", "", "", ""])
    if "green_factory_shar" in cells:
        rows.append(["green_factory_shar", "", "", ""])
    write_csv_rows(path, rows)
    fill_csv(path, cells)
    (problem,) = problems_of(path)
    assert problem.split(": ", 1)[1] == message


def test_base_year_written_as_year(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "base.year": "２０２４年", "base.name_zh": "甲基地"})
    (base,) = load_profiles(path)
    assert base.base.year == 2024 and base.base.name is not None and base.base.name.zh == "甲基地"


def test_indicator_given_twice_and_value_without_id(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    rows = csv_rows(path)
    rows += [["green_factory_share", "", "20"], ["", "", "30"]]  # (the value column is C in zh)
    write_csv_rows(path, rows)
    fill_csv(path, {"base.id": "b"})
    first = next(k for k, r in enumerate(rows, start=1) if r[0] == "green_factory_share")
    assert problems_of(path) == [
        f"{path}:C{len(rows) - 1}: green_factory_share: given twice (also at C{first})",
        f"{path}:C{len(rows)}: a value in a row without an id"]


def test_many_bases_problems(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "bases.csv", "many-bases")
    rows = csv_rows(path)
    header = rows[1]
    width = len(header)

    def row(**cells: str) -> list[str]:
        out = [""] * width
        for key, value in cells.items():
            out[header.index(key)] = value
        return out

    rows[1] = [*header, "typo_indicator"]
    rows += [[*row(id="b1", green_factory_share="30"), "1"],
             [*row(id="b1", green_factory_share="135"), ""],
             [*row(name_zh="无编号", green_factory_share="3"), ""],
             [*row(id="b3", year="2024", green_factory_share=""), ""]]
    write_csv_rows(path, rows)
    n = len(rows)
    g = openpyxl.utils.get_column_letter(header.index("green_factory_share") + 1)
    typo = openpyxl.utils.get_column_letter(width + 1)
    assert problems_of(path) == [
        f"{path}:{typo}2: typo_indicator: unknown indicator for rubric 'urban-mining-upgrade'",
        f"{path}:{g}{n - 2}: green_factory_share: 135 is outside 0–100 %",
        f"{path}:A{n - 2}: duplicate base id 'b1' (also at A{n - 3})",
        f"{path}:A{n - 1}: id: the row has values but no base id",
    ]
    rows[1] = [*header, ""]
    rows[-4][-1] = ""
    rows[-3:-1] = []
    write_csv_rows(path, rows)
    b1, b3 = load_profiles(path)
    assert (b1.value("green_factory_share"), b3.base.year, b3.values) == (30.0, 2024, {})


def test_blank_template_has_no_base(tmp_path: Path) -> None:
    many = write_template(DEFAULT, tmp_path / "bases.csv", "many-bases")
    assert problems_of(many) == [f"{many}: no base profiles found"]


# --- which rubric reads a template -------------------------------------------------------------------

def test_template_of_a_custom_rubric_needs_that_rubric(tmp_path: Path, rubric: Rubric) -> None:
    spec = spec_of(rubric)
    spec["id"], spec["version"] = "my-rubric", "0.1"
    custom = Rubric.model_validate(spec)
    path = write_template(custom, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "product_standard_certification": "集成级"})
    assert problems_of(path) == [
        f"{path}: this template was written from rubric 'my-rubric' 0.1, which is not built in: "
        "pass that rubric to read it (load_profiles(..., rubric=...); CLI: --rubric)"]
    (base,) = load_profiles(path, rubric=custom)
    assert base.value("product_standard_certification") == 3.0
    rubric_file = tmp_path / "my.yaml"
    rubric_file.write_text(custom.model_dump_json(exclude_none=True), encoding="utf-8")
    (again,) = load_profiles(path, rubric=rubric_file)
    assert dump(again) == dump(base)


@pytest.mark.parametrize("suffix, where", [("csv", "C1"), ("xlsx", "基本信息!C1")])
def test_template_of_another_version_needs_that_version(tmp_path: Path, suffix: str, where: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # same id, another version: its units or thresholds may differ, so never read with the built-in
    spec = spec_of(DEFAULT)
    spec["version"] = "2025.1"
    older = Rubric.model_validate(spec)
    returned = tmp_path / "returned"
    returned.mkdir()
    path = write_template(older, returned / f"s.{suffix}")
    if suffix == "csv":
        fill_csv(path, {"base.id": "b", "green_factory_share": "30"})
    else:
        fill_xlsx(path, {("基本信息", "C3"): "b", ("绿色化发展", "C7"): 30})
    def message(version: str) -> str:
        return (f"{path}:{where}: this template was written from rubric 'urban-mining-upgrade' 2025.1, "
                f"not from 'urban-mining-upgrade' {version}: read it with the rubric it was "
                "written from (load_profiles(..., rubric=...); CLI: --rubric)")
    current = load_rubric().version  # no built-in version 2025.1: the current one refuses it
    assert problems_of(path) == [message(current)]
    assert problems_of(path, rubric=DEFAULT) == [message(DEFAULT.version)]
    capsys.readouterr()
    assert main(["score", str(returned)]) == 2  # the CLI's default rubric: refused, not scored
    err = capsys.readouterr().err
    assert err == f"upgrade-score: error: {message(current)}\n"
    (base,) = load_profiles(path, rubric=older)
    assert base.value("green_factory_share") == 30.0


def test_a_csv_template_saved_again_by_a_spreadsheet_keeps_its_version(tmp_path: Path) -> None:
    spec = spec_of(DEFAULT)
    spec["version"] = "1.0"
    rubric = Rubric.model_validate(spec)
    path = write_template(rubric, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b"})
    rows = csv_rows(path)
    rows[0][2] = "1"  # the version cell, read as the number 1 and saved so
    write_csv_rows(path, rows)
    assert load_profiles(path, rubric=rubric)[0].id == "b"
    rows[0][2] = "1.5"
    write_csv_rows(path, rows)
    assert "written from rubric 'urban-mining-upgrade' 1.5, not from 'urban-mining-upgrade' 1.0" in (
        problems_of(path, rubric=rubric)[0])


def test_later_problems_point_at_the_cell(tmp_path: Path, rubric: Rubric) -> None:
    path = write_template(DEFAULT, tmp_path / "s.xlsx")
    fill_xlsx(path, {("基本信息", "C3"): "b1", ("绿色化发展", "C7"): 30})
    (base,) = load_profiles(path)
    spec = spec_of(rubric)
    spec["directions"][2]["indicators"] = [i for i in spec["directions"][2]["indicators"]
                                           if i["id"] != "green_factory_share"]
    with pytest.raises(UpgradeScoreError) as info:
        score_many(Rubric.model_validate(spec), [base])
    assert str(info.value).startswith(f"{path}:绿色化发展!C7: green_factory_share: unknown indicator")


# --- files -------------------------------------------------------------------------------------------

def test_excel_csv_exports_gbk_and_semicolons(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "base.name_zh": "甲基地", "green_factory_share": "30"})
    rows = csv_rows(path)
    write_csv_rows(path, rows, encoding="gb18030")
    (base,) = load_profiles(path)
    assert base.base.name is not None and base.base.name.zh == "甲基地"
    write_csv_rows(path, rows, delimiter=";")
    (base,) = load_profiles(path)
    assert base.value("green_factory_share") == 30.0


def test_plain_workbook_and_directory(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "year", "green_factory_share", "third_party_carbon_verification"])
    sheet.append(["w1", "Workbook base", 2024, "30%", "是"])
    sheet.append(["w2", None, None, 1200, None])
    book.save(tmp_path / "plain.xlsx")
    (tmp_path / "~$plain.xlsx").write_bytes(b"lock")  # Excel's lock file is not a workbook
    w1, w2 = load_profiles(tmp_path)
    assert (w1.value("green_factory_share"), w1.value("third_party_carbon_verification")) == (30.0, True)
    assert w1.base.name is not None and w1.base.name.en == "Workbook base"
    with pytest.raises(UpgradeScoreError) as info:  # without a rubric, checked when scored
        score_many(V1, [w1, w2])
    assert str(info.value) == (f"{tmp_path / 'plain.xlsx'}:Sheet!D3: green_factory_share: 1200 is outside "
                               "the valid range [0, 100]")
    assert problems_of(tmp_path / "plain.xlsx", rubric=V1) == [
        f"{tmp_path / 'plain.xlsx'}:Sheet!D3: green_factory_share: 1200 is outside 0–100 %"]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "bases.xlsx"
    path.write_text("base: {id: x}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: not a readable .xlsx workbook (")


def test_without_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = write_template(DEFAULT, tmp_path / "s.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    for action in (lambda: write_template(DEFAULT, tmp_path / "t.xlsx"), lambda: load_profiles(written)):
        with pytest.raises(UpgradeScoreError) as info:
            action()
        assert "install upgrade-score[xlsx]" in str(info.value)
    write_template(DEFAULT, tmp_path / "t.csv")  # CSV needs nothing more


def test_openpyxl_is_imported_only_when_needed() -> None:
    code = "import sys, upgrade_score; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="the 'libreoffice' binary is not installed "
                                                "(Debian package libreoffice-calc-nogui)")
def test_libreoffice_opens_the_workbook(tmp_path: Path) -> None:
    hub = load_profile(HUB)
    path = write_template(DEFAULT, tmp_path / "survey.xlsx", profiles=hub)
    out = tmp_path / "out"
    profile_dir = (tmp_path / "lo-profile").as_uri()
    command = [str(LIBREOFFICE), f"-env:UserInstallation={profile_dir}", "--headless",
               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(path)]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    rows = csv_rows(out / "survey.csv")  # the first sheet
    assert rows[0][:4] == [MARKER, "urban-mining-upgrade", load_rubric(V1).version, "one-base"]
    assert rows[2][:4] == ["base.id", "基地编号：英文字母开头，可含字母、数字和 - _ .",
                           "Base id: a letter, then letters, digits, - _ .", hub.id]
    # saved again by LibreOffice: still read back the same, drop-downs kept
    command[4], command[6] = "xlsx", str(tmp_path / "resaved")
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    resaved = tmp_path / "resaved" / "survey.xlsx"
    (back,) = load_profiles(resaved)
    assert dump(back) == dump(hub)
    sheet = openpyxl.load_workbook(resaved)["高质化利用"]
    assert any(dv.type == "list" and "_lists" in dv.formula1
               for dv in sheet.data_validations.dataValidation)


# --- CLI ----------------------------------------------------------------------------------------------

def test_cli_template_then_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "survey.xlsx"
    assert main(["template", "--rubric", V1, "--layout", "many-bases", "--lang", "en", "--from",
                 str(EXAMPLES), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert main(["template", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"upgrade-score: error: {out}: exists already (a filled-in "
                                       "survey?): use --force to overwrite it\n")
    assert main(["score", "--rubric", V1, str(out), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["template", "--rubric", V1, "--force", "-o", str(tmp_path / "s.csv")]) == 0
    fill_csv(tmp_path / "s.csv", {"base.id": "b", "green_factory_share": "135"})
    capsys.readouterr()
    assert main(["score", "--rubric", V1, str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "green_factory_share: 135 is outside 0–100 %" in err


# --- round trip ---------------------------------------------------------------------------------------

finite = {"allow_nan": False, "allow_infinity": False, "allow_subnormal": False}
words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def labels(draw: st.DrawFn) -> dict[str, str]:
    langs = draw(st.sampled_from([("zh",), ("en",), ("zh", "en")]))
    return {lang: draw(words) for lang in langs}


@st.composite
def indicators(draw: st.DrawFn, levels: int, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["quantitative", "quantitative", "qualitative", "boolean"]))
    spec: dict[str, Any] = {"id": name, "name": draw(labels()), "kind": kind}
    if kind == "qualitative":
        if draw(st.booleans()):
            keys = draw(st.sets(st.integers(0, levels), min_size=1))
            spec["descriptors"] = {k: draw(labels()) for k in sorted(keys)}
        return spec
    if kind == "boolean":
        return spec
    spec["unit"] = draw(st.sampled_from(["%", "t", "CNY/t", None]))
    better = draw(st.sampled_from(["higher", "lower"]))
    sign = 1 if better == "higher" else -1
    start = draw(st.floats(2, 50, **finite) if spec["unit"] == "%" else st.floats(-100, 1000, **finite))
    thresholds = [start]
    for _ in range(levels - 1):
        thresholds.append(thresholds[-1] + sign * draw(st.floats(0.5, 10, **finite)))
    spec.update(better=better, thresholds=thresholds)
    if better == "lower" or levels == 1:
        spec["floor"] = thresholds[0] - sign * draw(st.floats(0.5, 10, **finite))
    if draw(st.booleans()):
        low, high = min(thresholds) - 20, max(thresholds) + 20
        spec["valid_range"] = [low, high]
    return spec


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    levels = draw(st.integers(2, 6))
    directions = []
    count = 0
    for j in range(draw(st.integers(1, 3))):
        specs = []
        for _ in range(draw(st.integers(1, 4))):
            specs.append(draw(indicators(levels, f"i{count}")))
            count += 1
        directions.append({"id": f"d{j}", "name": draw(labels()), "indicators": specs})
    return Rubric.model_validate({
        "id": "random", "version": "1", "title": draw(labels()),
        "levels": [{"level": k, "name": draw(labels())} for k in range(1, levels + 1)],
        "directions": directions})


def value_of(draw: st.DrawFn, rubric: Rubric, indicator: Any, digits: int | None) -> Any:
    if indicator.kind == "qualitative":
        return float(draw(st.integers(0, rubric.level_count)))
    if indicator.kind == "boolean":
        return draw(st.booleans())
    low, high = indicator.valid_range or (-1e6, 1e6)
    if indicator.unit == "%" and low <= 0.05 and draw(st.booleans()):
        low, high = 0.0001, min(high, 1.0)  # a small percentage, easily taken for a fraction
    value = draw(st.floats(low, high, **finite))
    if digits is not None:
        value = float(f"{value:.{digits}g}")
        if not low <= value <= high:  # rounded past a bound
            value = float(f"{(low + high) / 2:.{digits}g}")
    return value


@st.composite
def surveys(draw: st.DrawFn, layout: str, digits: int | None) -> tuple[Rubric, list[BaseProfile]]:
    rubric = draw(rubrics())
    ids = draw(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,11}", fullmatch=True),
                        min_size=1, max_size=1 if layout == "one-base" else 3, unique=True))
    profiles = []
    for base_id in ids:
        base: dict[str, Any] = {"id": base_id}
        name = {lang: draw(words) for lang in draw(st.sampled_from([(), ("zh",), ("en",), ("zh", "en")]))}
        if name:
            base["name"] = name
        if draw(st.booleans()):
            base["year"] = draw(st.integers(1990, 2100))
        for extra in ("region", "category"):
            if draw(st.booleans()):
                base[extra] = draw(words)
        values: dict[str, Any] = {}
        for indicator in rubric.indicators:
            if not draw(st.integers(0, 3)):
                continue  # missing
            reported: dict[str, Any] = {"value": value_of(draw, rubric, indicator, digits)}
            if layout == "one-base":
                if draw(st.booleans()):
                    reported["source"] = draw(words)
                if draw(st.booleans()):
                    confidence = draw(st.floats(0, 1, **finite))
                    if digits is not None:
                        confidence = float(f"{confidence:.{digits}g}")
                    reported["confidence"] = confidence
                if reported.keys() != {"value"} and not draw(st.integers(0, 4)):
                    reported["value"] = None  # a source without a figure
            values[indicator.id] = reported
        profiles.append(BaseProfile.model_validate({"base": base, "values": values}))
    return rubric, profiles


# whole profiles of every indicator are large by design (hypothesis 6.85 flags them as too large)
ROUND_TRIP = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                             HealthCheck.data_too_large])


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["one-base", "many-bases"])
def test_round_trip(tmp_path: Path, suffix: str, layout: str) -> None:
    # CSV and XLSX keep every float exactly (all 17 significant digits)
    @ROUND_TRIP
    @given(survey=surveys(layout, None),
           lang=st.sampled_from(["zh", "en", "both"]))
    def check(survey: tuple[Rubric, list[BaseProfile]], lang: str) -> None:
        rubric, profiles = survey
        path = write_template(rubric, tmp_path / f"survey.{suffix}", layout, lang,  # type: ignore[arg-type]
                              profiles=profiles)
        back = load_profiles(path, rubric=rubric)
        one = layout == "one-base"
        assert [dump(p, values_only=not one) for p in back] == [
            dump(p, values_only=not one) for p in profiles]

    check()


EXACT = Rubric.model_validate({
    "id": "exact", "version": "1", "title": {"en": "Exact"},
    "levels": [{"level": 1, "name": {"en": "one"}}, {"level": 2, "name": {"en": "two"}}],
    "directions": [{"id": "d", "name": {"en": "D"}, "indicators": [
        {"id": "x", "name": {"en": "x"}, "kind": "quantitative", "better": "higher",
         "thresholds": [1, 2]}]}]})


@pytest.mark.parametrize("layout", ["one-base", "many-bases"])
def test_xlsx_prefilled_values_read_back_exactly(tmp_path: Path, layout: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(value=st.floats(allow_nan=False, allow_infinity=False),
           confidence=st.floats(0, 1))
    def check(value: float, confidence: float) -> None:
        reported: dict[str, Any] = {"value": value}
        if layout == "one-base":
            reported["confidence"] = confidence
        base = BaseProfile.model_validate({"base": {"id": "b"}, "values": {"x": reported}})
        path = write_template(EXACT, tmp_path / "s.xlsx", layout, "en",  # type: ignore[arg-type]
                              profiles=base)
        (back,) = load_profiles(path, rubric=EXACT)
        assert back.values["x"].value == value  # the same float: all 17 significant digits
        assert back.values["x"].confidence == reported.get("confidence")

    check()
