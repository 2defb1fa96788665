"""Many-bases survey templates read straight into a table (a SurveyTable, no profile per row):
the same profiles, scores and problems (words, order, cells) as the per-row reader, a CSV read
in chunks, the read caps in proportion to the file, and another rubric version refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveycsv import csv_rows, write_csv_rows
from upgrade_score import (
    BaseProfile,
    Rubric,
    UpgradeScoreError,
    load_profiles,
    load_rubric,
    score_many,
    write_template,
)
from upgrade_score._io.profiles import read_bases
from upgrade_score._io.survey import read as survey_read
from upgrade_score._io.survey import table as survey_table
from upgrade_score._io.survey import xlsxread
from upgrade_score._io.survey.table import SurveyTable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "bases"
RUBRIC = load_rubric()
V2 = load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")


def _bases(count: int, source: Path = EXAMPLES, rubric: Any = None) -> list[BaseProfile]:
    found = load_profiles(source, rubric=rubric)
    return [p.model_copy(update={"base": p.base.model_copy(update={"id": f"{p.id}-{k}"})})
            for k in range(count // len(found) + 1) for p in found][:count]


def _by_rows(path: Path, rubric: Any = None) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey_table, "TABLE_READING", False)
        return read_bases([path], rubric)


def _outcome(read: Any) -> tuple[list[str], list[tuple[Any, Any]]]:
    """The problems of a reading, or its profiles with where each came from."""
    try:
        found = read()
    except UpgradeScoreError as error:
        return [str(problem) for problem in error.problems], []
    return [], [(p.model_dump(), p._origin) for p in found]


def _agree(path: Path, rubric: Any = None) -> tuple[list[str], Any]:
    """Read ``path`` both ways; they must agree on problems, profiles and their cells (and
    scores); the problems, and what the table path gave."""
    fast = _outcome(lambda: read_bases([path], rubric))
    rows = _outcome(lambda: _by_rows(path, rubric))
    assert fast == rows
    if fast[0]:
        return fast[0], None
    table = read_bases([path], rubric)
    scoring = rubric or RUBRIC
    assert score_many(scoring, table).to_json() == score_many(scoring, list(_by_rows(path, rubric))).to_json()
    return [], table


def _edit_csv(path: Path, edits: dict[tuple[int, str], str], extra: dict[str, str] | None = None) -> None:
    """Set cells of a many-bases CSV template: (data row, column) -> text; ``extra``: a column
    added to the header (name -> the first row's value; '' as the name: no header)."""
    rows = csv_rows(path)
    top = next(k for k, row in enumerate(rows) if row[:1] == ["id"])
    data = [k for k in range(top + 1, len(rows)) if rows[k] and not rows[k][0].startswith("#")]
    for (k, column), text in edits.items():
        rows[data[k]][rows[top].index(column)] = text
    for name, text in (extra or {}).items():
        rows[top].append(name)
        rows[data[0]] += [""] * (len(rows[top]) - len(rows[data[0]]) - 1) + [text]
    write_csv_rows(path, rows)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("t") / "t.csv"
    write_template(RUBRIC, path, layout="many-bases", profiles=_bases(10), lang="en")
    return path.read_bytes()


GOOD = [
    {(1, "high_value_product_share"): "35%", (2, "high_value_product_share"): " 35 ",
     (3, "high_value_product_share"): "", (4, "high_value_product_share"): "12.50"},
    {(0, "water_reuse_rate"): "不适用", (1, "water_reuse_rate"): "N/A", (2, "water_reuse_rate"): "5e1"},
    {(0, "product_standard_certification"): "3级", (1, "product_standard_certification"): "L2",
     (2, "product_standard_certification"): "3.0"},
    {(0, "key_discharger_monitoring"): "是", (1, "key_discharger_monitoring"): "否",
     (2, "key_discharger_monitoring"): "1", (3, "key_discharger_monitoring"): "-0"},
    {(0, "year"): "2024年", (1, "year"): "２０２３", (0, "name_zh"): "长" * 10_000},
]
BAD = [
    {(1, "high_value_product_share"): "0.35"},  # a fraction where % is meant
    {(1, "high_value_product_share"): "101", (4, "high_value_product_share"): "abc"},
    {(2, "high_value_product_share"): "n/a"},  # (no allow_na)
    {(0, "product_standard_certification"): "6"},
    {(0, "product_standard_certification"): "2.5"},
    {(3, "key_discharger_monitoring"): "2"},
    {(3, "key_discharger_monitoring"): "也许"},
    {(5, "tonnes_processed"): "x"},
    {(6, "tonnes_processed"): "1e999"},
    {(7, "year"): "2024.5"},
    {(8, "category"): "nonsense"},
    {(9, "id"): "DUPLICATE"},  # (the first base's id: set below)
    {(9, "id"): "9bad"},
    {(9, "id"): ""},
    {(1, "name_zh"): "长" * 10_001},
    {(2, "high_value_product_share"): "-"},
]


@pytest.mark.parametrize("edits", GOOD)
def test_good_cells_read_into_a_table_as_row_by_row(tmp_path: Path, template: bytes,
                                                     edits: dict[tuple[int, str], str]) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(template)
    _edit_csv(path, edits)
    problems, table = _agree(path)
    assert problems == [] and isinstance(table, SurveyTable)


@pytest.mark.parametrize("edits", BAD)
def test_bad_cells_are_reported_as_row_by_row(tmp_path: Path, template: bytes,
                                              edits: dict[tuple[int, str], str]) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(template)
    if list(edits.values()) == ["DUPLICATE"]:
        first = csv_rows(path)
        top = next(k for k, row in enumerate(first) if row[:1] == ["id"])
        edits = {(9, "id"): next(row[0] for row in first[top + 1:] if not row[0].startswith("#"))}
    _edit_csv(path, edits)
    problems, _ = _agree(path)
    assert problems and all(str(path) in problem for problem in problems)


@pytest.mark.parametrize("extra", [{"nonsense_column": "1"}, {"": "5"}])
def test_a_value_outside_the_known_columns_is_reported(tmp_path: Path, template: bytes,
                                                       extra: dict[str, str]) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(template)
    _edit_csv(path, {}, extra)
    problems, _ = _agree(path)
    assert len(problems) == 1


def test_problems_of_many_rows_in_order(tmp_path: Path, template: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(template)
    edits: dict[tuple[int, str], str] = {}
    for edit in BAD[:9]:
        edits.update(edit)
    _edit_csv(path, edits)
    problems, _ = _agree(path)
    assert len(problems) >= 7
    assert problems[0].startswith(f"{path}:") and "is outside 0–100 %" in " ".join(problems)


def test_categories_and_applies_to(tmp_path: Path) -> None:
    bases = _bases(6, ROOT / "examples" / "rubrics" / "bases", V2)
    path = tmp_path / "v2.csv"
    write_template(V2, path, layout="many-bases", profiles=bases, lang="zh")
    assert _agree(path, V2)[1] is not None
    only = next(i for i in V2.indicators if i.applies_to)
    other = next(c for c in V2.category_ids if c not in (only.applies_to or ()))
    _edit_csv(path, {(0, "category"): other, (0, only.id): "1" if only.kind != "quantitative" else "5"})
    problems, _ = _agree(path, V2)
    assert any("does not apply" in p for p in problems)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_builds_no_profile_to_be_scored(tmp_path: Path, suffix: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openpyxl")
    bases = _bases(12)
    path = tmp_path / f"t{suffix}"
    write_template(RUBRIC, path, layout="many-bases", profiles=bases)
    by_rows = score_many(RUBRIC, list(_by_rows(path)))

    def refused(self: Any, row: int) -> BaseProfile:
        raise AssertionError("a profile was built")

    monkeypatch.setattr(SurveyTable, "_profile", refused)
    if suffix == ".csv":  # read in chunks, never whole
        monkeypatch.setattr(survey_read, "_csv_rows", refused)
    table = score_many(RUBRIC, path)
    assert table.to_json() == by_rows.to_json()
    if suffix == ".xlsx":  # (a CSV template's enterprises are in a file of their own)
        assert np.array_equal(table.overall, score_many(RUBRIC, bases).overall)


def test_xlsx_typed_cells_and_enterprises(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "t.xlsx"
    write_template(RUBRIC, path, layout="many-bases", profiles=_bases(10), lang="en")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    top = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "id")
    titles = {sheet.cell(top, c).value: c for c in range(1, sheet.max_column + 1)}
    first = next(r for r in range(top + 1, top + 40) if not str(sheet.cell(r, 1).value).startswith("#"))
    for k, (column, value, number_format) in enumerate([
            ("high_value_product_share", 0.35, "0%"), ("high_value_product_share", 35, "General"),
            ("key_discharger_monitoring", True, "General"), ("key_discharger_monitoring", 1, "General"),
            ("product_standard_certification", 2, "General"), ("high_value_product_share", 12.5, "0.0")]):
        cell = sheet.cell(first + k, titles[column])
        cell.value, cell.number_format = value, number_format
    book.save(path)
    problems, table = _agree(path)
    assert problems == [] and isinstance(table, SurveyTable) and table.owned
    cell = sheet.cell(first + 7, titles["high_value_product_share"])
    cell.value, cell.number_format = True, "General"
    book.save(path)
    problems, _ = _agree(path)
    assert len(problems) == 1


def test_enterprises_given_twice_are_refused_as_for_profiles(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "t.xlsx"
    write_template(RUBRIC, path, layout="many-bases", profiles=_bases(5))
    extra = tmp_path / "e.csv"
    field = (RUBRIC.enterprise_fields or ())[0]
    value = "是" if field.kind == "boolean" else "5"
    buffer = io.StringIO()
    table = read_bases([path])
    assert isinstance(table, SurveyTable)
    listing = table.ids[min(table.owned)]  # a base that lists its enterprises in the workbook
    csv.writer(buffer).writerows([["base_id", "id", field.id], [listing, "x", value]])
    extra.write_text(buffer.getvalue(), encoding="utf-8")
    outcomes = []
    for data in (read_bases([path]), list(_by_rows(path))):
        with pytest.raises(UpgradeScoreError) as info:
            score_many(RUBRIC, data, enterprises=extra)
        outcomes.append([str(p) for p in info.value.problems])
    assert outcomes[0] == outcomes[1] and "lists its enterprises in its profile too" in outcomes[0][0]


def test_a_template_of_another_version_is_refused_when_scored(tmp_path: Path) -> None:
    old = load_rubric("urban-mining-upgrade@2026.1")
    path = tmp_path / "old.csv"
    write_template(old, path, layout="many-bases")
    rows = csv_rows(path)
    top = next(k for k, row in enumerate(rows) if row[:1] == ["id"])
    rows.append(["b1"] + [""] * (len(rows[top]) - 1))
    write_csv_rows(path, rows)
    assert len(score_many(old, path)) == 1
    for rubric in (None, RUBRIC):  # (the default rubric is 2026.2)
        with pytest.raises(UpgradeScoreError) as info:
            score_many(rubric, path)
        assert str(info.value) == (
            f"{path}:C1: this template was written from rubric 'urban-mining-upgrade' 2026.1, not from "
            "'urban-mining-upgrade' 2026.2: read it with the rubric it was written from "
            "(load_profiles(..., rubric=...); CLI: --rubric)")


# --- the read caps: in proportion to the file, so that what write_template writes reads back ------

def test_what_write_template_writes_reads_back_over_the_floors(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openpyxl")
    for name, floor in (("MAX_CELLS", 1_000), ("MAX_ELEMENTS", 3_000), ("MAX_UNPACKED", 50_000),
                        ("MAX_SHARED_STRINGS", 100), ("MAX_KEPT_CHARACTERS", 10_000)):
        monkeypatch.setattr(xlsxread, name, floor)
    bases = _bases(40)
    path = tmp_path / "t.xlsx"
    write_template(RUBRIC, path, layout="many-bases", profiles=bases)
    floors = xlsxread._Budget(0)
    assert floors.limits["cells"] == 1_000 and floors.limits["unpacked"] == 50_000
    sized = xlsxread._Budget(path.stat().st_size)
    assert sized.limits["cells"] > 1_000 and sized.limits["unpacked"] > 50_000
    back = load_profiles(path)  # (40 bases and their enterprises: far over the floors)
    assert [p.id for p in back] == [p.id for p in bases]
    assert back[-1].enterprises == bases[-1].enterprises
    monkeypatch.setattr(xlsxread, "CELLS_PER_BYTE", 0.001)  # a file with more cells than its size allows
    with pytest.raises(UpgradeScoreError, match=r"more than 1,000 cells"):
        load_profiles(path)


def test_a_csv_template_of_many_rows_is_read_in_chunks(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(survey_table, "CHUNK_ROWS", 4)
    bases = _bases(11)
    path = tmp_path / "t.csv"
    write_template(RUBRIC, path, layout="many-bases", profiles=bases)
    table = _agree(path)[1]
    assert isinstance(table, SurveyTable) and table.ids == [p.id for p in bases]
    _edit_csv(path, {(10, "high_value_product_share"): "0.5", (10, "id"): bases[0].id})
    assert len(_agree(path)[0]) == 2  # (in the third chunk: a fraction, and a duplicate id)


def test_problems_found_when_scored_are_located_at_their_cells(tmp_path: Path, template: bytes) -> None:
    """A value for a rolled-up input, and one for a derived indicator, refused when scored: at the
    cell of each (the id cell where a base gives none), the same from the table as from profiles."""
    rolled = next(i.id for i in RUBRIC.inputs or () if i.rollup is not None)
    derived = next(i.id for i in RUBRIC.indicators if i.formula is not None)
    path = tmp_path / "t.csv"
    path.write_bytes(template)
    _edit_csv(path, {}, {rolled: "5", derived: "50"})
    outcomes = []
    for data in (read_bases([path]), list(_by_rows(path))):
        with pytest.raises(UpgradeScoreError) as info:
            score_many(RUBRIC, data)
        outcomes.append([str(p) for p in info.value.problems])
    assert outcomes[0] == outcomes[1]
    letters = {problem.split(":")[1].rstrip("0123456789") for problem in outcomes[0]}
    assert len(outcomes[0]) == 2 and "A" not in letters  # (at the value cells, not the id cells)


def test_diff_of_a_template_with_enterprises_as_of_its_profiles(tmp_path: Path) -> None:
    """``diff`` restricts and bridges a table for each rubric: the enterprises go along (figures of
    fields one rubric lacks left out), and the result is that of the profiles."""
    pytest.importorskip("openpyxl")
    from upgrade_score import diff

    path = tmp_path / "t.xlsx"
    write_template(RUBRIC, path, layout="many-bases", profiles=_bases(10))
    table = read_bases([path])
    assert isinstance(table, SurveyTable) and table.owned
    spec = json.loads(RUBRIC.model_dump_json(exclude_none=True))  # without one indicator
    gated = {gate["indicator"] for gate in spec.get("gates", ())}
    direction = spec["directions"][0]
    direction["indicators"] = [i for i in direction["indicators"] if i["id"] in gated
                               or i.get("formula")] + [next(i for i in direction["indicators"]
                                                           if i["id"] not in gated and not i.get("formula"))]
    spec["version"] = "fewer"
    fewer = Rubric.model_validate(spec)
    by_rows = list(_by_rows(path))
    for old, new in ((RUBRIC, fewer), ("urban-mining-upgrade@2026.1", RUBRIC)):
        assert diff(old, new, table).to_json() == diff(old, new, by_rows).to_json()
        assert diff(new, old, path).to_json() == diff(new, old, by_rows).to_json()


_CELL_TEXTS = ["", "0", "-0", "+.5", "5.", "12.25", "1e5", "1E-3", "1e400", "007", " 1", "1 ", " ",
               "1\n", "\n1", "1\n2", "\r", "n/a", "是", "35%", "1,5", "--1", "1e", ".", "+", "٣"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_CELL_TEXTS), max_size=12), st.booleans())
def test_a_column_is_plain_exactly_when_each_cell_is_a_plain_number_or_empty(
        texts: list[str], from_workbook: bool) -> None:
    """The one-match check of a CSV column (``_plain_texts``) says what the cell-by-cell check
    says: plain when every cell is empty or a plain number on its own, and then where those are;
    any other cell, or a cell of a workbook (not text), sends the column cell by cell."""
    cells: list[Any] = [(text, "") for text in texts]
    if from_workbook and cells:
        cells[-1] = (1.5, "General")
    found = survey_table._plain_texts(cells)
    plain = not (from_workbook and cells) and all(
        text == "" or survey_table.PLAIN_NUMBER.fullmatch(text) for text in texts)
    assert (found is not None) == plain
    if found is not None:
        at = [i for i, text in enumerate(texts) if text]
        assert found == (at, [texts[i] for i in at])
