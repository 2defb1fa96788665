"""Rubric language 2 through the CLI: displays in both languages, the stages that support it, the
ones that refuse it cleanly, and exit 3 for an internal error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from upgrade_score import _cli
from upgrade_score._cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUBRIC = str(EXAMPLES / "rubrics" / "categories_and_gates.yaml")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")
IDS = {"v2-demo", "sha256", "green", "chain", "licensed", "water_reuse", "dismantling",
       "all_licensed"}  # (--detail lists the basic requirements by id)


@pytest.fixture
def bases(tmp_path: Path) -> Path:
    path = tmp_path / "bases.csv"
    path.write_text("id,name_zh,category,licensed,water_reuse\n"
                    "b1,基地一,ferrous,95,n/a\nb2,基地二,ewaste,100,不适用\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_scorecard_leads_with_the_failed_gate_in_chinese(bases: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", bases, "--rubric", RUBRIC, "--lang", "zh", "--format", "json")
    assert code == 0
    first = json.loads(out)[0]
    assert first["gates"]["all_licensed"] == {"caps": 1, "scope": "overall", "status": "failed"}
    assert first["directions"]["chain"] == {"completeness": None, "level": None, "score": None,
                                            "weight_share": 0.5}
    code, out, _ = run(capsys, "score", bases, "--rubric", RUBRIC, "--lang", "zh", "--detail")
    card = out.split("\n\n\n")[0] if "\n\n\n" in out else out
    lines = card.splitlines()
    assert lines[2] == "⚠ 未满足基本要求：危废全部合规——总分等级上限为 1 级"
    assert "不适用" in card and "n/a" not in card
    text = re.sub(r"sha256 [0-9a-f]{12}", "sha256", out)
    assert set(LATIN_WORD.findall(text)) <= IDS  # ids only: no English prose


def test_english_scorecard_says_n_a(bases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", bases, "--rubric", RUBRIC, "--detail")
    assert code == 0 and "Basic requirement not met: All licensed — overall capped at level 1" in out
    assert "  n/a  " in out


def test_compare_ranks_a_base_without_the_direction_last(bases: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", bases, "--rubric", RUBRIC, "--sort", "chain", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [(b["base"], b["rank"]) for b in data["bases"]] == [("b2", 1), ("b1", 2)]
    assert data["bases"][1]["directions"]["chain"] == {"level": None, "score": None}
    assert "water_reuse" not in data["bases"][1]["behind"]


@pytest.mark.parametrize("argv", [
    ["sensitivity", "{bases}", "--seed", "1"], ["report", "{bases}", "-o", "{out}"],
    ["diff", RUBRIC, RUBRIC, "--profiles", "{bases}"]])
def test_every_stage_takes_language_2(bases: Path, tmp_path: Path, argv: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    filled = [a.format(bases=bases, out=tmp_path / "r.html") for a in argv]
    if filled[0] != "diff":
        filled += ["--rubric", RUBRIC]
    if filled[0] == "report":
        pytest.importorskip("matplotlib")
    code, _, err = run(capsys, *filled)
    assert code == 0 and err in ("", f"upgrade-score: wrote {tmp_path / 'r.html'} (2 bases)\n")


def test_gap_puts_a_blocking_gate_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "b.yaml"
    base.write_text("base: {id: b1, category: ferrous}\nvalues: {licensed: 95, water_reuse: n/a}\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "gap", base, "--rubric", RUBRIC, "--target", "2", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["blocking_gates"] == ["all_licensed"] and not data["met"]
    assert data["actions"][0]["required"] is True and data["actions"][0]["target"] == 100.0
    assert data["directions"]["chain"]["current_score"] is None
    code, out, _ = run(capsys, "gap", base, "--rubric", RUBRIC, "--target", "2", "--lang", "zh")
    assert code == 0 and out.splitlines()[2].startswith("⚠ 基本要求阻碍达标：危废全部合规")


def test_an_unexpected_exception_is_exit_3_on_one_line(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    def broken(args: object) -> int:
        raise KeyError("a bug\nover two lines")

    monkeypatch.setattr(_cli, "_list_rubrics", broken)
    code, out, err = run(capsys, "rubrics")
    assert code == 3 and out == "" and err.count("\n") == 1
    assert err.startswith("upgrade-score: internal error (please report it): KeyError:")
