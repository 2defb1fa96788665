"""Edge inputs found in review: each must give a located one-line error or the right numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from upgrade_score import Rubric, UpgradeScoreError, lint, load_profiles, load_rubric, score, score_many
from upgrade_score._cli import main
from upgrade_score._io.yaml import parse_document
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
HUB = V1_BASES / "scrap_metal_hub.yaml"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_huge_integer_in_a_profile_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "base: {id: b}\nvalues:\n  rd_intensity: 1" + "0" * 400 + "\n")
    with pytest.raises(UpgradeScoreError) as info:
        score(None, path)
    assert str(info.value).startswith(f"{path}:3: values.rd_intensity: must be a finite number, got 1")
    assert "(401 digits)" in str(info.value)


@pytest.mark.parametrize("text, value", [("a: 010", 10), ("a: +7", 7), ("a: 1e-05", 1e-05)])
def test_yaml_numbers_are_decimal(text: str, value: float) -> None:
    assert parse_document(text).data == {"a": value}


@pytest.mark.parametrize("text", ["a: 0x1F", "a: 1:30", "a: 1_000", "a: 0o17"])
def test_yaml_11_number_forms_stay_text_and_are_refused_as_values(text: str) -> None:
    assert isinstance(parse_document(text).data["a"], str)


def test_csv_cells_must_be_plain_decimal_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", 'id,rd_intensity\nb1,1_5\nb2,"1\n2"\nb3,１.５\n')
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    where = [(p.line, p.path) for p in info.value.problems]
    assert where == [(2, ("rd_intensity",)), (3, ("rd_intensity",)), (5, ("rd_intensity",))]


def test_csv_trailing_empty_columns_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,rd_intensity,,\nb1,1.5,,\nb2,2,\n")
    profiles = load_profiles(path)
    assert [p.value("rd_intensity") for p in profiles] == [1.5, 2.0]


def test_duplicate_descriptor_levels_are_refused() -> None:
    rubric = load_rubric(V1).model_dump()
    indicator = rubric["directions"][0]["indicators"][5]
    indicator["descriptors"] = {1: {"en": "first"}, "1": {"en": "second"}}
    with pytest.raises(Exception, match="descriptor level 1 is given twice"):
        Rubric.model_validate(rubric)


def test_a_single_direction_rubric_is_lint_clean() -> None:
    data = load_rubric(V1).model_dump()
    heavy = Rubric.model_validate({**data, "directions": [
        {**data["directions"][0], "weight": 10}, *data["directions"][1:]]})
    assert "direction-weight-share" in [f.id for f in lint(heavy)]  # the rule still works
    data["directions"] = data["directions"][:1]
    assert [f.id for f in lint(Rubric.model_validate(data))] == []


def test_scorecard_index_must_be_a_row_number_or_id() -> None:
    table = score_many(V1, np.full((2, 35), np.nan))
    with pytest.raises(UpgradeScoreError, match="expected a row number or a base id"):
        table.scorecard(1.0)  # type: ignore[arg-type]
    assert table.scorecard(np.int64(1)).base.id == "row-2"


def test_complex_arrays_are_refused() -> None:
    with pytest.raises(UpgradeScoreError, match="numeric"):
        score_many(V1, np.ones((1, 35)) * 1j)


def test_detail_prints_every_scorecard(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--rubric", V1, str(HUB.parent), "--detail"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nRubric urban-mining-upgrade") == 4 and "high_value_product_share" in out


def test_empty_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gap", "--rubric", V1, str(HUB), "--target", ""]) == 2
    assert "target: '' is not a level or DIRECTION=LEVEL" in capsys.readouterr().err


def test_an_uncalculated_xlsx_formula_is_not_read_as_blank(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    template = tmp_path / "bases.xlsx"
    assert main(["template", "--rubric", V1, "--layout", "many-bases", "-o", str(template)]) == 0
    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    header = next(row for row in sheet.iter_rows() if "rd_intensity" in [c.value for c in row])
    names = [c.value for c in header]
    row = sheet.max_row + 1
    sheet.cell(row=row, column=names.index("id") + 1, value="b1")
    sheet.cell(row=row, column=names.index("rd_intensity") + 1, value="=1+1")  # never calculated
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(filled)
    problem = info.value.problems[0]
    assert problem.line == row and "rd_intensity: '=1+1' is not a number" in str(problem)
