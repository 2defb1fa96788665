"""The command line: outputs, exit codes and one-line errors (run in-process, plus subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from upgrade_score._cli import main
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
HUB = BASES / "scrap_metal_hub.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_score_text_names_every_direction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", "--rubric", V1, HUB)
    assert code == 0 and err == ""
    assert "Jinhe Scrap-Metal Hub (jinhe-scrap-metal-hub)" in out
    assert "Overall 57.0 / 100 · level 2 Standardised · balanced level 1 Planning" in out
    for direction in ("high_value", "chain", "green", "low_carbon", "intelligent", "clustered"):
        assert f"\n{direction} " in out


def test_score_json_shape_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--rubric", V1, HUB, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"rubric", "base", "overall", "directions", "indicators"}
    assert data["rubric"]["id"] == "urban-mining-upgrade"
    assert data["overall"]["level"] == 2 and data["overall"]["balanced_level"] == 1
    assert data["directions"]["clustered"]["level"] == 4
    assert set(data["indicators"]["high_value_product_share"]) >= {"value", "level", "score"}
    assert list(data) == sorted(data)


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_score_json_is_byte_stable_across_processes() -> None:
    command = [sys.executable, "-m", "upgrade_score", "score", str(HUB), "--rubric", V1, "--format", "json"]
    first = subprocess.run(command, capture_output=True, check=True).stdout
    second = subprocess.run(command, capture_output=True, check=True,
                            env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout
    assert first == second


def test_score_markdown_and_zh_labels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--rubric", V1, HUB, "--format", "markdown", "--lang", "zh",
                       "--detail")
    assert code == 0
    assert out.startswith("# 金河再生金属产业园")
    assert "| high_value | 高质化利用 |" in out
    assert "| high_value_product_share | 高值化再生产品产值占比 | high_value | 48 % | 3.87 | 20.6 |" in out


def test_score_directory_prints_one_row_per_base(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--rubric", V1, BASES)
    assert code == 0 and "4 bases" in out
    assert out.count("-hub") + out.count("-park") + out.count("-base") >= 4
    code, out, _ = run(capsys, "score", "--rubric", V1, BASES, "--format", "json")
    assert [card["base"]["id"] for card in json.loads(out)] == [
        "songxi-mixed-recycling-base", "qinglan-ewaste-dismantling-park",
        "chenghu-circular-economy-park", "jinhe-scrap-metal-hub"]


def test_score_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "bases.csv"
    table.write_text("id,green_factory_share,digital_platform\nb1,30,3\nb2,,5\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", "--rubric", V1, table, "--format", "json")
    cards = json.loads(out)
    assert code == 0 and [c["base"]["id"] for c in cards] == ["b1", "b2"]
    assert cards[1]["indicators"]["green_factory_share"]["missing"] is True


@pytest.mark.parametrize("content, expected", [
    ("base: {id: x}\nvalues:\n  green_factory_share: 135\n",
     "bad.yaml:3: values.green_factory_share: 135 is outside the valid range [0, 100]"),
    ("base: {id: x}\nvalues:\n  green_factory_shar: 13\n",
     "bad.yaml:3: values.green_factory_shar: unknown indicator for rubric 'urban-mining-upgrade' "
     "(did you mean 'green_factory_share'?)"),
    ("base: {id: x}\nbase: {id: y}\n", "bad.yaml:2: base: duplicate key 'base' (first on line 1)"),
    ("base: {id: x}\nvalues: {digital_platform: 2.5}\n",
     "bad.yaml:2: values.digital_platform: must be a whole level from 0 to 5, got 2.5"),
])
def test_bad_profile_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        content: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "score", "--rubric", V1, path)
    assert code == 2 and out == ""
    assert err == f"upgrade-score: error: {path.parent}/{expected}\n"


def test_check_ok_problems_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", ROOT / "rubrics" / "urban_mining_upgrade.yaml")
    assert code == 0 and out.strip().endswith(": ok")
    bad = tmp_path / "r.yaml"
    bad.write_text((ROOT / "rubrics" / "urban_mining_upgrade.yaml").read_text(encoding="utf-8")
                   .replace("thresholds: [10, 20, 35, 50, 65]", "thresholds: [10, 20, 35, 30, 65]", 1)
                   .replace("aggregation: arithmetic", "aggregation: harmonic"), encoding="utf-8")
    code, out, _ = run(capsys, "check", bad)
    lines = out.strip().splitlines()
    assert code == 1
    assert any("aggregation" in line and str(bad) in line for line in lines)
    code, _, err = run(capsys, "check", tmp_path / "absent.yaml")
    assert code == 2 and err.count("\n") == 1 and "no such file or built-in rubric" in err


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("rubric", "profile"):
        code, out, _ = run(capsys, "schema", kind)
        assert code == 0 and json.loads(out)["type"] == "object"
        assert out == (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_schema_write_and_its_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "schema", "--write", tmp_path / "schemas")
    assert code == 0 and "rubric.schema.json" in err
    assert sorted(path.name for path in (tmp_path / "schemas").iterdir()) == [
        "profile.schema.json", "rubric.schema.json"]
    code, _, err = run(capsys, "schema")
    assert code == 2 and err == ("upgrade-score: error: schema: give a kind (rubric or profile) or "
                                 "--write DIR\n")
    code, _, err = run(capsys, "schema", "rubric", "--write", tmp_path)
    assert code == 2 and "not both" in err


def test_rubrics_lists_the_default_and_the_kept_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubrics")
    assert code == 0 and out == ("urban-mining-upgrade  2026.2  Urban-mining base upgrade maturity\n"
                                 "urban-mining-upgrade@2026.1  2026.1  Urban-mining base upgrade maturity\n")


def test_gap_text_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gap", "--rubric", V1, HUB, "--target", "3")
    assert code == 0
    assert "Low-carbon development   21.9      1    60.0      3     38.1" in out
    assert ("2  Share of recycled raw materials covered by verified carbon reductions  "
            "Low-carbon development                3 %             25 %  +1.7          2") in out
    code, out, _ = run(capsys, "gap", "--rubric", V1, HUB, "--target", "low_carbon=2", "--format", "json")
    data = json.loads(out)
    assert code == 0 and set(data["directions"]["low_carbon"]) == {
        "current_score", "target_score", "current_level", "target_level", "deficit"}
    gains = [a["gain"] for a in data["actions"]]
    assert gains == sorted(gains, reverse=True) and {a["direction"] for a in data["actions"]} == {
        "low_carbon"}
    for argv, message in [
        (("--target", "nowhere=3"), "target.nowhere: unknown direction"),
        (("--target", "7"), "target.level: level 7 is outside 0..5"),
        (("--peer", "best"), "--peer needs --group"),
        (("--target-score", "120"), "--target-score: 120 is outside 0..100"),
    ]:
        code, out, err = run(capsys, "gap", "--rubric", V1, HUB, *argv)
        assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_gap_peer_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gap", "--rubric", V1, BASES / "early_stage_mixed_base.yaml", "--peer",
                       "median", "--group", BASES, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["target"]["label"] == "median of 4 bases"
    assert not data["met"] and data["plan"]


def test_compare_sorts_and_rejects_unknown_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--rubric", V1, BASES, "--format", "json")
    data = json.loads(out)
    assert code == 0 and [b["rank"] for b in data["bases"]] == [1, 2, 3, 4]
    assert data["bases"][0]["base"] == "chenghu-circular-economy-park"
    code, out, _ = run(capsys, "compare", "--rubric", V1, BASES, "--sort", "high_value")
    assert code == 0 and out.index("jinhe-scrap-metal-hub") < out.index("qinglan")
    code, _, err = run(capsys, "compare", "--rubric", V1, BASES, "--sort", "nope")
    assert code == 2 and "sort: unknown 'nope'" in err


@pytest.mark.parametrize("argv", [[], ["score"], ["frobnicate"], ["score", "x.yaml", "--format", "pdf"]])
def test_usage_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    _, err = capsys.readouterr()
    assert info.value.code == 2 and err.count("\n") == 1 and err.startswith("upgrade-score")


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_console_script_runs_away_from_the_source_tree(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "upgrade_score", "score", str(HUB), "--rubric", V1],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Overall 57.0 / 100" in result.stdout


def test_check_of_a_version_not_built_in_lists_the_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "urban-mining-upgrade@2019.1"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("upgrade-score: error: urban-mining-upgrade@2019.1: the built-in rubric "
                          "'urban-mining-upgrade' has no version '2019.1' (versions: 2026.1, ")


@pytest.mark.system  # a fresh interpreter
def test_score_loads_only_the_stages_it_runs() -> None:
    """``score`` starts fast: it loads neither compare, gap, lint, progress, diff, sensitivity,
    the survey reader, the HTML report nor the workbook writer (nor pandas or openpyxl)."""
    script = ("import contextlib, io, sys\nfrom upgrade_score._cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              f"    code = main(['score', {str(ROOT / 'examples' / 'bases' / 'scrap_metal_hub.yaml')!r}])\n"
              "print(code, sorted(m for m in sys.modules if m.startswith(('upgrade_score', 'pandas', "
              "'openpyxl'))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          check=True)
    code, loaded = done.stdout.split(" ", 1)
    assert code == "0"
    stages = ("_analysis.compare", "_analysis.gap", "_analysis.lint", "_analysis.progress",
              "_analysis.diff", "_analysis.sensitivity", "_io.survey", "_render.report",
              "_render.excel", "_render.progress", "pandas", "openpyxl")
    assert [stage for stage in stages if stage in loaded] == []
    assert "upgrade_score._analysis.score" in loaded  # (what it does load)
