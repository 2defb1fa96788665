"""Survey templates and rubric language 2 (design.md points 8-10): the base's category (listed, a
drop-down in XLSX, checked when read), n/a offered and accepted only where an indicator allows it,
indicators that apply to some categories only, Chinese templates in Chinese, and round trips of
profiles with categories and n/a answers."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveycsv import csv_rows, fill_csv
from upgrade_score import (
    BaseProfile,
    Label,
    Rubric,
    UpgradeScoreError,
    load_profile,
    load_profiles,
    load_rubric,
    score,
    score_many,
    write_template,
)
from upgrade_score._cli import main
from upgrade_score._io.survey import MARKER
from v1 import V1, V1_BASES

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]
V2_PATH = ROOT / "examples" / "rubrics" / "categories_and_gates.yaml"
V2 = load_rubric(V2_PATH)
DEFAULT = load_rubric(V1)  # the golden v1 behaviour (tests/v1.py)
EXAMPLES = ROOT / "examples" / "bases"
CURRENT = load_rubric()  # the default rubric 2026.2: its zh templates are checked too


def _extended() -> Rubric:
    """The example rubric and a direction with a qualitative and a boolean indicator that allow
    n/a, and a boolean that does not."""
    spec: dict[str, Any] = json.loads(V2.model_dump_json(exclude_none=True))
    spec["id"] = "v2-extended"
    spec["directions"].append({"id": "manage", "name": {"zh": "管理", "en": "Management"}, "indicators": [
        {"id": "plan", "name": {"zh": "规划质量", "en": "Plan quality"}, "kind": "qualitative",
         "allow_na": True, "descriptors": {"1": {"zh": "有规划", "en": "A plan exists"}}},
        {"id": "certified", "name": {"zh": "体系认证", "en": "Certified"}, "kind": "boolean",
         "allow_na": True,
         "description": {"zh": "是否通过管理体系认证", "en": "Management system certified"}},
        {"id": "audited", "name": {"zh": "已审计", "en": "Audited"}, "kind": "boolean"},
    ]})
    return Rubric.model_validate(spec)


V2X = _extended()


def fill_xlsx(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value
    book.save(path)


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path, **kwargs)
    return [str(problem) for problem in info.value.problems]


def by_id(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows if row}


# --- writing: the category ------------------------------------------------------------------------

def test_one_base_csv_lists_the_categories_and_notes(tmp_path: Path) -> None:
    rows = csv_rows(write_template(V2, tmp_path / "s.csv"))
    assert rows[0][:5] == [MARKER, "v2-demo", "1", "one-base", "zh"]
    found = by_id(rows)
    assert found["base.category"] == [
        "base.category", "基地类型（填写类型编号，见“可填写的值”）", "", "", "", "", "", "",
        "ferrous（黑色金属） | ewaste（电子废弃物）", ""]
    #                id             zh            value unit  (a zh template has no English names)
    assert found["licensed"] == ["licensed", "合规处置率", "", "%", "", "", "越高越好",
                                 "0–100", "数字，百分数填 35 表示 35%", ""]
    assert found["water_reuse"][8] == "数字，百分数填 35 表示 35%；不适用时填写“不适用”"
    assert found["dismantling"][3] == "条"  # the zh side of {zh: 条, en: lines}
    assert found["dismantling"][8] == "数字；仅适用于 ewaste（电子废弃物） 类基地，其他基地留空"


def test_english_and_bilingual_templates(tmp_path: Path) -> None:
    en = by_id(csv_rows(write_template(V2, tmp_path / "en.csv", lang="en")))
    assert en["base.category"][9] == "ferrous (Ferrous) | ewaste (E-waste)"
    assert en["water_reuse"][9] == "a number: 35 for 35 %; n/a where it does not apply"
    assert en["dismantling"][4] == "lines"
    assert en["dismantling"][9] == "a number; applies only to ewaste (E-waste) bases; others leave it blank"
    both = by_id(csv_rows(write_template(V2, tmp_path / "both.csv", lang="both")))
    assert both["base.category"][9] == "ferrous（黑色金属 / Ferrous） | ewaste（电子废弃物 / E-waste）"
    assert both["dismantling"][4] == "条 / lines"
    assert both["dismantling"][9] == (
        "数字 / a number; 仅适用于 ewaste（电子废弃物） 类基地，其他基地留空 / "
        "applies only to ewaste (E-waste) bases; others leave it blank")


def test_qualitative_and_boolean_n_a(tmp_path: Path) -> None:
    zh = by_id(csv_rows(write_template(V2X, tmp_path / "zh.csv")))
    assert zh["plan"][8] == "0 未达一级 | 1 一级: 有规划 | 2 二级 | 不适用"
    assert zh["certified"][8] == "是 或 否；不适用时填写“不适用”"
    assert zh["certified"][9] == "是否通过管理体系认证"
    assert zh["audited"][8] == "是 或 否"
    wide = csv_rows(write_template(V2X, tmp_path / "wide.csv", "many-bases", "en"))
    allowed = wide[-1]
    assert allowed[0] == "# allowed values"
    columns = wide[1]
    assert allowed[columns.index("plan")] == "0 Below level 1 | 1 One | 2 Two | n/a"
    assert allowed[columns.index("certified")] == "yes or no; n/a where it does not apply"
    assert allowed[columns.index("audited")] == "yes or no"


def test_many_bases_csv_lists_the_categories(tmp_path: Path) -> None:
    rows = csv_rows(write_template(V2, tmp_path / "bases.csv", "many-bases"))
    assert rows[1] == ["id", "name_zh", "name_en", "year", "region", "category",
                       "licensed", "water_reuse", "dismantling"]
    names, allowed = rows[2], rows[-1]
    assert names[0] == "# 中文名称" and names[5] == "基地类型（填写类型编号，见“可填写的值”）"
    assert allowed == ["# 可填写的值", "", "", "", "", "ferrous（黑色金属） | ewaste（电子废弃物）",
                       "0–100", "0–100；不适用时填写“不适用”",
                       "数字；仅适用于 ewaste（电子废弃物） 类基地，其他基地留空"]


def test_many_categories_are_listed_up_to_fifty(tmp_path: Path) -> None:
    spec: dict[str, Any] = json.loads(V2.model_dump_json(exclude_none=True))
    spec["categories"] += [{"id": f"c{k:02d}", "name": {"en": f"Kind {k}"}} for k in range(58)]
    spec["directions"][0]["indicators"][0]["name"] = {"en": "Licensed share"}  # no zh name
    many = Rubric.model_validate(spec)
    found = by_id(csv_rows(write_template(many, tmp_path / "s.csv")))
    items = found["base.category"][8].split(" | ")
    assert items[:3] == ["ferrous（黑色金属）", "ewaste（电子废弃物）", "c00（Kind 0）"]
    assert len(items) == 51 and items[-1] == "……共 60 类"
    wide = csv_rows(write_template(many, tmp_path / "wide.csv", "many-bases"))
    assert wide[2][6] == "Licensed share"  # the zh names row falls back to the English name
    book = openpyxl.load_workbook(write_template(many, tmp_path / "s.xlsx"))
    check = _validations(book)["基本信息", "C8"]
    assert len(_list_items(book, check.formula1)) == 60  # the drop-down has them all


def test_a_rubric_without_categories_keeps_the_free_text_hint(tmp_path: Path) -> None:
    found = by_id(csv_rows(write_template(DEFAULT, tmp_path / "s.csv")))
    assert found["base.category"][1:3] == ["基地类型（如 废钢铁、电子废物、综合）", ""]
    assert found["base.category"][8] == ""
    assert not any("不适用" in cell for row in csv_rows(tmp_path / "s.csv") for cell in row)


def _validations(book: Any) -> dict[tuple[str, str], Any]:
    return {(sheet.title, str(dv.sqref)): dv for sheet in book.worksheets
            for dv in sheet.data_validations.dataValidation}


def _list_items(book: Any, formula: str) -> list[str]:
    column = formula.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    lists = book["_lists"]
    return [c.value for c in lists[column] if c.value is not None]


def test_xlsx_category_drop_down_and_n_a_checks(tmp_path: Path) -> None:
    path = write_template(V2X, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["基本信息", "绿色", "链条", "管理", "_lists"]
    assert book["基本信息"]["A8"].value == "base.category"
    assert book["基本信息"]["I8"].value == "ferrous（黑色金属）\newaste（电子废弃物）"
    checks = _validations(book)
    category = checks["基本信息", "C8"]
    assert category.type == "list" and _list_items(book, category.formula1) == ["ferrous", "ewaste"]
    assert (category.errorStyle, category.error) == ("warning", "请从列表中选择基地类型编号")
    licensed = checks["绿色", "C3"]  # no n/a: a number in range only
    assert (licensed.type, licensed.formula1, licensed.formula2) == ("decimal", "0.0", "100.0")
    water = checks["绿色", "C4"]  # a number in range, or n/a
    assert water.type == "custom"
    assert water.formula1 == ('OR(AND(ISNUMBER(C4),C4>=0.0,C4<=100.0),'
                              'C4="n/a",C4="不适用")')
    assert water.error == "0–100 %；不适用时填写“不适用”"
    assert "不适用时填写“不适用”" in water.prompt
    dismantling = checks["链条", "C3"]
    assert "仅适用于 ewaste（电子废弃物） 类基地，其他基地留空" in dismantling.prompt
    plan = checks["管理", "C3"]
    assert _list_items(book, plan.formula1) == ["0 未达一级", "1 一级: 有规划", "2 二级", "不适用"]
    assert checks["管理", "C4"].formula1 == '"是,否,不适用"'
    assert checks["管理", "C5"].formula1 == '"是,否"'


def test_xlsx_many_bases_category_column(tmp_path: Path) -> None:
    path = write_template(V2X, tmp_path / "bases.xlsx", "many-bases", "en")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    checks = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    first = int(sheet.freeze_panes[1:])
    assert _list_items(book, checks[f"F{first}"].formula1) == ["ferrous", "ewaste"]
    water = checks[f"H{first}"]
    assert water.formula1 == (f'OR(AND(ISNUMBER(H{first}),H{first}>=0.0,H{first}<=100.0),'
                              f'H{first}="n/a",H{first}="不适用")')
    assert checks[f"K{first}"].formula1 == '"yes,no,n/a"'


# --- reading: the category ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["ferrous", "Ferrous", "黑色金属", "ferrous（黑色金属）",
                                   "ferrous (Ferrous)"])
def test_category_read_by_id_or_name(tmp_path: Path, typed: str) -> None:
    path = write_template(V2, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "base.category": typed, "licensed": "80"})
    (base,) = load_profiles(path, rubric=V2)
    assert getattr(base.base, "category") == "ferrous"  # noqa: B009


def test_unknown_category_is_located(tmp_path: Path) -> None:
    path = write_template(V2, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "base.category": "ferous", "dismantling": "2"})
    # (the value of dismantling is not judged against a category that is not known)
    assert problems_of(path, rubric=V2) == [
        f"{path}:C8: base.category: unknown category 'ferous' (did you mean 'ferrous'?) "
        "(known: ferrous, ewaste)"]
    xlsx = write_template(V2, tmp_path / "s.xlsx", "many-bases")
    fill_xlsx(xlsx, {("基地数据", "A9"): "b1", ("基地数据", "F9"): "steel"})
    assert problems_of(xlsx, rubric=V2) == [
        f"{xlsx}:基地数据!F9: category: unknown category 'steel' (known: ferrous, ewaste)"]


def test_category_of_a_rubric_without_categories_is_free_text(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "base.category": "whatever kind", "green_factory_share": "30"})
    (base,) = load_profiles(path)
    assert getattr(base.base, "category") == "whatever kind"  # noqa: B009


# --- reading: n/a and indicators that do not apply ----------------------------------------------------

@pytest.mark.parametrize("typed", ["n/a", "N/A", "不适用", " N/a ", "不适用 / n/a"])
def test_n_a_where_allowed(tmp_path: Path, typed: str) -> None:
    path = write_template(V2X, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "licensed": "80", "water_reuse": typed, "plan": typed,
                    "certified": typed})
    (base,) = load_profiles(path, rubric=V2X)
    assert [base.value(i) for i in ("licensed", "water_reuse", "plan", "certified")] == [
        80.0, "n/a", "n/a", "n/a"]


def test_n_a_where_not_allowed_and_values_that_do_not_apply(tmp_path: Path) -> None:
    path = write_template(V2X, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "base.category": "ferrous", "licensed": "n/a",
                    "water_reuse": "-", "dismantling": "2", "audited": "不适用"})
    message = ("'{}' (does not apply) is allowed only for indicators that allow n/a; leave the cell "
               "blank if there is no figure")
    assert problems_of(path, rubric=V2X) == [
        f"{path}:C10: licensed: " + message.format("n/a"),
        f"{path}:C11: water_reuse: '-' is not a value: leave the cell blank if there is no figure "
        "(or enter 0 if it is zero or 不适用 (n/a) if it does not apply)",
        f"{path}:C13: dismantling: does not apply to category 'ferrous' (applies to: ewaste): "
        "leave the cell blank",
        f"{path}:C17: audited: " + message.format("不适用")]


@pytest.mark.parametrize("typed, message", [
    (3, "does not apply to a base without a category (applies to: ewaste): give the base's category, "
        "or leave the cell blank"),
    ("不适用", "'不适用' (does not apply) is allowed only for indicators that allow n/a; leave the cell "
              "blank if there is no figure")])
def test_a_base_without_a_category(tmp_path: Path, typed: Any, message: str) -> None:
    path = write_template(V2, tmp_path / "s.xlsx")
    fill_xlsx(path, {("基本信息", "C3"): "b1", ("链条", "C3"): typed})
    assert problems_of(path, rubric=V2) == [f"{path}:链条!C3: dismantling: {message}"]


def test_cli_reports_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_template(V2, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b1", "base.category": "ferrous", "dismantling": "2"})
    capsys.readouterr()
    assert main(["score", "--rubric", V1, str(path), "--rubric", str(V2_PATH)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{path}:C13: dismantling: does not apply to category 'ferrous'" in err


def test_a_later_category_problem_points_at_the_category_cell(tmp_path: Path) -> None:
    path = write_template(DEFAULT, tmp_path / "s.xlsx")  # read with a rubric without categories
    fill_xlsx(path, {("基本信息", "C3"): "b1", ("基本信息", "C8"): "steel", ("绿色化发展", "C7"): 30})
    (base,) = load_profiles(path)
    spec: dict[str, Any] = json.loads(DEFAULT.model_dump_json(exclude_none=True))
    spec["categories"] = [{"id": "ferrous", "name": {"zh": "黑色金属"}}]
    with pytest.raises(UpgradeScoreError) as info:
        score_many(Rubric.model_validate(spec), [base])
    assert str(info.value).startswith(f"{path}:基本信息!C8: category: unknown category 'steel'")


# --- the rubric a template was written from ------------------------------------------------------------

def test_a_template_is_read_only_with_its_rubric(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_template(V2, tmp_path / "s.xlsx")
    fill_xlsx(path, {("基本信息", "C3"): "b1", ("绿色", "C3"): 80})
    message = (f"{path}:基本信息!B1: this template was written from rubric 'v2-demo' 1, not from "
               f"'urban-mining-upgrade' {DEFAULT.version}: read it with the rubric it was written "
               "from (load_profiles(..., rubric=...); CLI: --rubric)")
    assert problems_of(path, rubric=DEFAULT) == [message]
    capsys.readouterr()
    assert main(["score", "--rubric", V1, str(path)]) == 2  # the CLI's default rubric is the built-in one
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    (base,) = load_profiles(path, rubric=V2_PATH)
    assert base.value("licensed") == 80.0


# --- Chinese templates are in Chinese ------------------------------------------------------------------

LATIN = re.compile(r"[A-Za-z]+")


def _neutral_texts(rubric: Rubric) -> list[str]:
    """What a zh template may show in Latin letters: ids, and texts the rubric gives as plain
    strings (the same text in every language, design point 8), longest first."""
    texts: set[str] = {*rubric.indicator_ids, *rubric.direction_ids, *rubric.category_ids, rubric.id,
                       "base.id", "base.name_zh", "base.name_en", "base.year", "base.region",
                       "base.category", "id", "name_zh", "name_en", "year", "region", "category"}
    # ids of inputs and enterprise fields, and the keys of the enterprise sheet's header row
    texts.update([*rubric.input_ids, *(f.id for f in rubric.enterprise_fields or ()), "base_id", "name"])
    owners: list[Any] = [rubric, *rubric.levels, *rubric.directions, *rubric.indicators,
                         *(rubric.categories or ()), *(rubric.inputs or ()),
                         *(rubric.enterprise_fields or ())]
    for owner in owners:
        for name in ("title", "name", "unit", "description", "source", "rationale"):
            texts.update(_chinese_side(getattr(owner, name, None)))
        for descriptor in (getattr(owner, "descriptors", None) or {}).values():
            texts.update(_chinese_side(descriptor))
    return sorted(texts, key=len, reverse=True)


def _chinese_side(text: str | Label | None) -> list[str]:
    """The text a zh template prints for a rubric text (a Chinese text may hold 'ISO 14001')."""
    shown = text.zh if isinstance(text, Label) else text
    return [shown, " ".join(shown.split())] if shown else []


def _latin_words(text: str, neutral: list[str]) -> list[str]:
    if text.endswith("…"):  # an XLSX prompt clipped to 255 characters: the start of a neutral text
        text = text[:-1]
        cut = max((k for allowed in neutral for k in range(10, len(allowed) + 1)
                   if text.endswith(allowed[:k])), default=0)
        text = text[:len(text) - cut]
    for allowed in neutral:
        text = text.replace(allowed, " ")
    return LATIN.findall(text)


ENGLISH_NAMES = "英文名称"  # the column of English names, in every template language


def _english_columns(rows: list[list[Any]]) -> set[int]:
    return {c for row in rows[:3] for c, value in enumerate(row) if value == ENGLISH_NAMES}


def _cells(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every text cell, and of every XLSX input prompt and error message; the
    marker (A1:E1) and the columns of English names are left out."""
    found: list[tuple[str, str]] = []
    if path.suffix == ".csv":
        rows = csv_rows(path)
        english = _english_columns(rows)
        for r, row in enumerate(rows):
            found.extend((f"{r + 1}:{c + 1}", cell) for c, cell in enumerate(row)
                         if not (r == 0 and c < 5) and c not in english)
        return found
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        english = _english_columns([[c.value for c in row] for row in sheet.iter_rows(max_row=3)])
        for row in sheet.iter_rows():
            for cell in row:
                marker = sheet is book.worksheets[0] and cell.row == 1 and cell.column <= 5
                if isinstance(cell.value, str) and not marker and cell.column - 1 not in english:
                    found.append((f"{sheet.title}!{cell.coordinate}", cell.value))
        for check in sheet.data_validations.dataValidation:
            found.extend((f"{sheet.title}!{check.sqref} {name}", getattr(check, name) or "")
                         for name in ("promptTitle", "prompt", "error"))
    return found


@pytest.mark.parametrize("layout", ["one-base", "many-bases"])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("rubric", [V2, V2X, DEFAULT, CURRENT], ids=["v2", "v2x", "v1", "default"])
def test_zh_templates_carry_no_english(tmp_path: Path, rubric: Rubric, suffix: str, layout: str) -> None:
    neutral = _neutral_texts(rubric)
    zh = write_template(rubric, tmp_path / f"zh.{suffix}", layout, "zh")  # type: ignore[arg-type]
    latin = [(where, words) for where, text in _cells(zh) if (words := _latin_words(text, neutral))]
    assert latin == []
    # the check sees English where there is some: the English template is full of it
    en = write_template(rubric, tmp_path / f"en.{suffix}", layout, "en")  # type: ignore[arg-type]
    assert len([text for _, text in _cells(en) if _latin_words(text, neutral)]) > 5


@pytest.mark.parametrize(("rubric", "bases"), [(DEFAULT, V1_BASES), (CURRENT, EXAMPLES)],
                         ids=["v1", "default"])
def test_a_zh_template_of_the_hub_prefilled(tmp_path: Path, rubric: Rubric, bases: Path) -> None:
    hub = load_profile(bases / "scrap_metal_hub.yaml")
    neutral = _neutral_texts(rubric)
    zh = write_template(rubric, tmp_path / "hub.csv", profiles=hub)
    # (what the base reported is its own text: its English name, region, the sources of values)
    filled = {f"{r}:{c}" for r in range(1, len(csv_rows(zh)) + 1) for c in (3, 5)}  # value, source
    assert [w for w, text in _cells(zh) if w not in filled and _latin_words(text, neutral)] == []


# --- round trips -----------------------------------------------------------------------------------------

FERROUS = {"base": {"id": "jinan-ferrous", "name": {"zh": "济南钢铁再生基地", "en": "Jinan ferrous"},
                    "year": 2025, "region": "山东", "category": "ferrous"},
           "values": {"licensed": {"value": 95.0, "source": "2025 环评台账", "confidence": 0.9},
                      "water_reuse": "n/a"}}
EWASTE = {"base": {"id": "ewaste-park", "category": "ewaste"},
          "values": {"licensed": 100, "water_reuse": {"value": 72.5, "source": "水平衡测试"},
                     "dismantling": 2}}


def values_only(profile: BaseProfile) -> BaseProfile:
    """The profile as a many-bases template keeps it: values without source and confidence."""
    return BaseProfile.model_validate({"base": profile.base.model_dump(exclude_none=True),
                                       "values": {k: v.value for k, v in profile.values.items()}})


def dump(profile: BaseProfile, values_only: bool = False) -> dict[str, Any]:
    data = profile.model_dump()
    if values_only:
        data["values"] = {k: v["value"] for k, v in data["values"].items() if v["value"] is not None}
    return data


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_round_trip_of_v2_profiles(tmp_path: Path, suffix: str, lang: str) -> None:
    profiles = [BaseProfile.model_validate(p) for p in (FERROUS, EWASTE)]
    expected = score_many(V2, [values_only(p) for p in profiles]).to_dicts()  # (no sources)
    for profile in profiles:
        path = write_template(V2, tmp_path / f"{profile.id}.{suffix}", "one-base", lang,  # type: ignore[arg-type]
                              profiles=profile)
        (back,) = load_profiles(path, rubric=V2)
        assert dump(back) == dump(profile)
        assert score(V2, back).to_json() == score(V2, profile).to_json()
    wide = write_template(V2, tmp_path / f"bases.{suffix}", "many-bases", lang,  # type: ignore[arg-type]
                          profiles=profiles)
    back_all = load_profiles(wide, rubric=V2)
    assert [dump(p, values_only=True) for p in back_all] == [dump(p, values_only=True) for p in profiles]
    assert json.dumps(score_many(V2, list(back_all)).to_dicts(), sort_keys=True) == json.dumps(
        expected, sort_keys=True)


def test_round_trip_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ferrous.json"
    source.write_text(json.dumps(FERROUS, ensure_ascii=False), encoding="utf-8")
    outputs = []
    for target in (source, tmp_path / "ferrous.xlsx", tmp_path / "ferrous.csv"):
        if target != source:
            assert main(["template", "--rubric", str(V2_PATH), "--from", str(source), "-o",
                         str(target)]) == 0
        capsys.readouterr()
        assert main(["score", "--rubric", V1, str(target), "--rubric", str(V2_PATH), "--format", "json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        outputs.append(printed if isinstance(printed, dict) else printed[0])
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]["directions"]["green"]["score"] is not None


# --- a property: random language-2 rubrics and profiles survive the round trip ----------------------------

def _strategies() -> Any:
    """tests/engine/strategies_v2.py (not a package: put its folder on the path)."""
    engine = str(Path(__file__).resolve().parents[1] / "engine")
    if engine not in sys.path:
        sys.path.insert(0, engine)
    return importlib.import_module("strategies_v2")


def _rounded(value: Any) -> Any:
    """Values of 12 significant digits (a workbook keeps 15)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


@st.composite
def surveys(draw: st.DrawFn) -> tuple[Rubric, list[BaseProfile]]:
    strategies = _strategies()
    spec = draw(strategies.rubrics_v2())
    rubric = Rubric.model_validate(spec)
    profiles = []
    for k in range(draw(st.integers(1, 3))):
        data = draw(strategies.profiles_for(spec))
        data["base"]["id"] = f"base-{k}"
        # (a blank value without a source is no row at all in a template: leave such values out)
        data["values"] = {i: _rounded(v) for i, v in data["values"].items() if v is not None}
        profiles.append(BaseProfile.model_validate(data))
    return rubric, profiles


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(survey=surveys(), suffix=st.sampled_from(["csv", "xlsx"]), lang=st.sampled_from(["zh", "en", "both"]))
def test_round_trip_property(tmp_path: Path, survey: tuple[Rubric, list[BaseProfile]], suffix: str,
                             lang: str) -> None:
    rubric, profiles = survey
    path = write_template(rubric, tmp_path / f"one.{suffix}", "one-base", lang,  # type: ignore[arg-type]
                          profiles=profiles[0])
    (back,) = load_profiles(path, rubric=rubric)
    assert dump(back) == dump(profiles[0])
    assert score(rubric, back).to_json() == score(rubric, profiles[0]).to_json()
    wide = write_template(rubric, tmp_path / f"many.{suffix}", "many-bases", lang,  # type: ignore[arg-type]
                          profiles=profiles)
    back_all = load_profiles(wide, rubric=rubric)
    assert [dump(p, values_only=True) for p in back_all] == [dump(p, values_only=True) for p in profiles]
    expected = score_many(rubric, [values_only(p) for p in profiles]).to_dicts()
    assert score_many(rubric, list(back_all)).to_dicts() == expected
