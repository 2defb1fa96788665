"""Gap and sensitivity reports as Excel workbooks (``to_excel``, ``-o FILE.xlsx``): their sheets,
figures matching the report, headers and words in the language asked for (no English in zh)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from upgrade_score import Target, gap, load_profiles, load_rubric, sensitivity
from upgrade_score._cli import main
from upgrade_score._model.label import text_in

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]
BASES = ROOT / "examples" / "bases"
EARLY = BASES / "early_stage_mixed_base.yaml"


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def english_words(cells: list[tuple[Any, ...]], ids: set[str]) -> list[str]:
    """Cells with a Latin word that is not an id, a unit or a number."""
    return [str(c) for row in cells for c in row
            if isinstance(c, str) and c not in ids and re.search(r"[A-Za-z]{3,}", c)]


def test_gap_workbook_in_english_and_chinese(tmp_path: Path) -> None:
    rubric = load_rubric()
    report = gap(rubric, EARLY, Target(level=2))
    path = report.to_excel(tmp_path / "gap.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["summary", "actions", "directions"]
    summary = rows(path, "summary")
    assert summary[0][:3] == ("base", "name", "current score")
    assert summary[1][0] == report.base.id and summary[1][2] == pytest.approx(report.current_score)
    actions = rows(path, "actions")
    assert len(actions) == 1 + len(report.actions)
    assert [row[1] for row in actions[1:]] == [a.indicator for a in report.actions]  # ranked by gain
    steps = {row[1]: row[0] for row in actions[1:]}
    assert [i for i, step in sorted(steps.items(), key=lambda kv: kv[1] or 99) if step] == report.plan
    directions = rows(path, "directions")
    assert [row[0] for row in directions[1:]] == list(report.directions)
    deficits = [g.deficit for g in report.directions.values()]
    assert [row[6] for row in directions[1:]] == pytest.approx(deficits)
    zh = report.to_excel(tmp_path / "gap_zh.xlsx", lang="zh")
    assert openpyxl.load_workbook(zh).sheetnames == ["概况", "改进措施", "各方向"]
    ids = {*rubric.indicator_ids, *rubric.direction_ids, *(g.id for g in rubric.gates or ()), report.base.id,
           *(text_in(i.unit, "zh") for i in rubric.indicators if i.unit is not None)}
    every = [*rows(zh, "概况"), *rows(zh, "改进措施"), *rows(zh, "各方向")]
    assert english_words(every, ids) == []
    assert rows(zh, "改进措施")[1][4] in ("是", "否")  # yes/no in words, not TRUE/FALSE


def test_sensitivity_workbook(tmp_path: Path) -> None:
    report = sensitivity(load_rubric(), load_profiles(BASES), samples=40, seed=3)
    path = report.to_excel(tmp_path / "s.xlsx", lang="zh")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "各基地"
    bases = rows(path, "各基地")
    assert bases[0][:4] == ("基地", "得分", "等级", "排名")
    assert [row[0] for row in bases[1:]] == [b.base for b in report.bases]
    assert [row[5] for row in bases[1:]] == pytest.approx([b.score_interval.low for b in report.bases])
    if report.influence:
        influence = rows(path, "影响力")
        assert len(influence) == 1 + len(report.influence)
        assert {row[1] for row in influence[1:]} <= {"方向", "指标"}


def test_gap_and_sensitivity_to_xlsx_from_the_command_line(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.xlsx"
    assert main(["gap", str(EARLY), "--target", "2", "--lang", "zh", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == ["概况", "改进措施", "各方向"]
    out = tmp_path / "robust.xlsx"
    assert main(["sensitivity", str(BASES), "--samples", "30", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "bases"
    assert capsys.readouterr().err.count("upgrade-score: wrote") == 2
