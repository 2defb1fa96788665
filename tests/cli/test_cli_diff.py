"""The ``diff`` command: outputs, gates and exit codes, ``REF:path`` through git, the CI recipe."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from upgrade_score import diff, load_profiles, load_rubric
from upgrade_score._cli import main
from v1 import V1, V1_BASES, V1_PATH

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = V1_PATH  # the golden v1 rubric (tests/v1.py)
BASES = V1_BASES
TEXT = BUILTIN.read_text(encoding="utf-8")

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def heavier(direction: str, weight: str = "3") -> str:
    """The built-in rubric with one direction's weight raised (and a new version)."""
    start = TEXT.index(f"  - id: {direction}\n")
    at = TEXT.index("    weight: 1\n", start)
    text = TEXT[:at] + f"    weight: {weight}\n" + TEXT[at + len("    weight: 1\n"):]
    return text.replace('version: "2026.1"', 'version: "2026.2"')


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def new_rubric(tmp_path: Path) -> Path:
    """high_value weight 1 → 3: jinhe climbs from rank 3 to 2 and from level 2 to 3."""
    path = tmp_path / "new.yaml"
    path.write_text(heavier("high_value"), encoding="utf-8")
    return path


def test_text_output(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES)
    assert code == 0 and err == ""
    assert out.startswith("Rubric diff: urban-mining-upgrade 2026.1 → urban-mining-upgrade 2026.2 · "
                          "2 changes")
    row = "\nweight_changed   direction high_value         weight: 1 → 3 (share of overall 16.7 % → 37.5 %)"
    assert row in out
    assert ("Impact on 4 bases · largest shift +4.96 (jinhe-scrap-metal-hub) · Kendall's tau-b 0.667 · "
            "level changes 1 · largest rank change 1") in out
    assert "jinhe-scrap-metal-hub            57.04  62.00  +4.96  2 → 3  3 → 2" in out
    assert "No direction score moved (to 2 decimals)." in out  # only direction weights changed


def test_json_output_matches_the_api(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES, "--format", "json")
    data = json.loads(out)
    expected = diff(load_rubric(BUILTIN), load_rubric(new_rubric), load_profiles(BASES))
    assert code == 0 and data == expected.to_dict()
    assert [c["kind"] for c in data["changes"]] == ["version_changed", "weight_changed"]
    top = data["impact"][0]
    assert (top["base"], top["old_rank"], top["new_rank"], top["old_level"], top["new_level"]) == (
        "jinhe-scrap-metal-hub", 3, 2, 2, 3)
    assert data["max_shift"] == round(abs(top["shift"]), 6) and data["kendall_tau"] == pytest.approx(2 / 3)


def test_markdown_is_a_pr_comment(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES, "--format", "markdown")
    assert code == 0
    assert out.startswith("<!-- upgrade-score-diff -->\n\n### Rubric diff: `urban-mining-upgrade` 2026.1")
    assert "| change | where | detail |" in out
    assert ("| weight_changed | direction `high_value` | weight: 1 → 3 (share of overall 16.7 % → 37.5 %) |"
            in out)
    assert "| base | old | new | shift | level | rank |" in out
    assert "| jinhe-scrap-metal-hub | 57.04 | 62.00 | +4.96 | 2 → 3 | 3 → 2 |" in out
    assert "No direction score moved" in out and "Gate failed" not in out


def test_direction_shifts_table_lists_moved_directions(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rd.yaml"  # rd_intensity (in high_value) weight 1 → 3
    at = TEXT.index("weight: 1", TEXT.index("- id: rd_intensity"))
    path.write_text(TEXT[:at] + "weight: 3" + TEXT[at + len("weight: 1"):], encoding="utf-8")
    code, out, _ = run(capsys, "diff", BUILTIN, path, "--profiles", BASES, "--format", "markdown")
    assert code == 0
    assert ("<details><summary>Direction shifts</summary>\n\n| base | high_value |\n| --- | ---: |\n"
            "| qinglan-ewaste-dismantling-park | +2.10 |") in out
    code, out, _ = run(capsys, "diff", BUILTIN, path, "--profiles", BASES)
    assert "Direction shifts\n\nbase                             high_value\n" in out


def test_no_changes_and_no_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", BUILTIN, V1)
    assert code == 0
    assert out == ("Rubric diff: urban-mining-upgrade 2026.1 → urban-mining-upgrade 2026.1 · 0 changes\n\n"
                   "No profiles given: impact on bases not computed.\n")
    code, out, _ = run(capsys, "diff", BUILTIN, BUILTIN, "--format", "json")
    data = json.loads(out)
    assert data["changes"] == [] and data["impact"] == [] and data["kendall_tau"] is None


@pytest.mark.parametrize(("options", "tripped"), [
    (["--max-shift", "5"], []),
    (["--max-shift", "4.9"],
     ["--max-shift 4.9: 1 base(s) shift by more, largest +4.96 (jinhe-scrap-metal-hub)"]),
    (["--max-rank-change", "1"], []),
    (["--max-rank-change", "0"], ["--max-rank-change 0: 2 base(s) move more, largest 3 → 2 "
                                  "(jinhe-scrap-metal-hub)"]),
    (["--fail-on-level-change"], ["--fail-on-level-change: 1 base(s) change level, e.g. "
                                  "jinhe-scrap-metal-hub 2 → 3"]),
    (["--max-shift", "1", "--max-rank-change", "0"], ["--max-shift 1: ", "--max-rank-change 0: "]),
])
def test_gates_and_exit_codes(new_rubric: Path, capsys: pytest.CaptureFixture[str], options: list[str],
                              tripped: list[str]) -> None:
    code, out, err = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES, *options)
    assert code == (1 if tripped else 0) and out
    lines = err.splitlines()
    assert len(lines) == len(tripped)
    for line, expected in zip(lines, tripped):
        assert line.startswith(f"upgrade-score: gate failed: {expected}")


def test_level_gate_without_rank_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "green.yaml"
    path.write_text(heavier("green"), encoding="utf-8")
    code, _, _ = run(capsys, "diff", BUILTIN, path, "--profiles", BASES, "--max-rank-change", "0")
    assert code == 0
    code, out, err = run(capsys, "diff", BUILTIN, path, "--profiles", BASES, "--fail-on-level-change",
                         "--format", "markdown")
    assert code == 1 and "qinglan-ewaste-dismantling-park 2 → 3" in err
    assert out.rstrip().endswith("**Gate failed:** --fail-on-level-change: 1 base(s) change level, e.g. "
                                 "qinglan-ewaste-dismantling-park 2 → 3")


@pytest.mark.parametrize(("argv", "message"), [
    (["--max-shift", "1"], "need --profiles"),
    (["--fail-on-level-change"], "need --profiles"),
    (["--profiles", str(BASES), "--max-shift", "-1"], "--max-shift: expected a finite number >= 0"),
    (["--profiles", str(BASES), "--max-shift", "nan"], "--max-shift: expected a finite number >= 0"),
    (["--profiles", str(BASES), "--max-rank-change", "-2"], "--max-rank-change: expected a whole number"),
    (["--profiles", str(BASES / "absent")], "file not found"),
])
def test_bad_input_exits_2(new_rubric: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                           message: str) -> None:
    code, out, err = run(capsys, "diff", BUILTIN, new_rubric, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_bad_rubrics_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diff", BUILTIN, tmp_path / "absent.yaml")
    assert code == 2 and "no such file or built-in rubric" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEXT.replace("aggregation: arithmetic", "aggregation: harmonic"), encoding="utf-8")
    code, _, err = run(capsys, "diff", bad, BUILTIN)
    assert code == 2 and f"{bad}:" in err and "aggregation" in err
    with pytest.raises(SystemExit) as usage:
        main(["diff", str(BUILTIN)])
    assert usage.value.code == 2


def test_profiles_given_twice_are_combined(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES / "scrap_metal_hub.yaml",
                       "--profiles", BASES / "leading_circular_park.yaml", "--format", "json")
    assert code == 0 and len(json.loads(out)["impact"]) == 2


# --- REF:path through git ------------------------------------------------------------------------

def git(repo: Path, *args: str) -> None:
    config = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *config, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the built-in rubric committed, then edited in the working tree."""
    repo = tmp_path / "repo"
    (repo / "rubrics").mkdir(parents=True)
    rubric = repo / "rubrics" / "x.yaml"
    rubric.write_text(TEXT, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "rubric")
    rubric.write_text(heavier("high_value"), encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


@needs_git
def test_ref_path_reads_the_committed_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "main:rubrics/x.yaml", "rubrics/x.yaml", "--profiles", BASES,
                         "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert [c["kind"] for c in data["changes"]] == ["version_changed", "weight_changed"]
    assert data["old"]["version"] == "2026.1" and data["new"]["version"] == "2026.2"
    code, out, _ = run(capsys, "diff", "HEAD:rubrics/x.yaml", "HEAD:rubrics/x.yaml")
    assert code == 0 and "0 changes" in out


@needs_git
def test_ref_path_errors_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", "nope:rubrics/x.yaml", "rubrics/x.yaml")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("upgrade-score: error: nope:rubrics/x.yaml: git show failed: fatal: ")
    code, _, err = run(capsys, "diff", "main:rubrics/absent.yaml", "rubrics/x.yaml")
    assert code == 2 and "main:rubrics/absent.yaml: git show failed" in err
    code, _, err = run(capsys, "diff", "--", "-x:rubrics/x.yaml", "rubrics/x.yaml")
    assert code == 2 and "cannot start with '-'" in err


@needs_git
def test_problems_in_a_git_blob_name_ref_and_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = TEXT.replace("missing: zero", "missing: never")
    (repo / "rubrics" / "x.yaml").write_text(broken, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    line = TEXT[:TEXT.index("missing: zero")].count("\n") + 1
    code, _, err = run(capsys, "diff", "HEAD:rubrics/x.yaml", BUILTIN)
    assert code == 2 and err.startswith(f"upgrade-score: error: HEAD:rubrics/x.yaml:{line}: missing: ")


def test_missing_git_is_an_input_error(new_rubric: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    code, _, err = run(capsys, "diff", "main:rubrics/x.yaml", new_rubric)
    assert code == 2 and "main:rubrics/x.yaml: cannot read from git: git is not installed" in err


# --- subprocess smoke test and the CI recipe -----------------------------------------------------

@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_subprocess_smoke(new_rubric: Path) -> None:
    command = [sys.executable, "-m", "upgrade_score", "diff", str(BUILTIN), str(new_rubric),
               "--profiles", str(BASES), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["max_shift_base"] == "jinhe-scrap-metal-hub"
    gated = subprocess.run([*command, "--max-shift", "1"], capture_output=True, text=True, check=False)
    assert gated.returncode == 1 and "gate failed: --max-shift 1" in gated.stderr


def _workflow() -> dict[object, object]:
    data: dict[object, object] = yaml.safe_load((ROOT / "examples" / "ci" / "rubric-check.yml").read_text(
        encoding="utf-8"))
    return data


def _steps() -> list[dict[str, str]]:
    jobs = _workflow()["jobs"]
    assert isinstance(jobs, dict)
    steps: list[dict[str, str]] = jobs["rubric-check"]["steps"]
    return steps


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_ci_recipe_runs_check_and_diff() -> None:
    workflow = _workflow()
    assert "pull_request" in workflow.get("on", workflow.get(True))  # type: ignore[operator]
    scripts = "\n".join(step.get("run", "") for step in _steps())
    assert "upgrade-score check --strict" in scripts
    assert 'upgrade-score diff "origin/$BASE_REF:$rubric" "$rubric"' in scripts
    assert "--profiles $profiles" in scripts and "--format markdown" in scripts
    assert any(step.get("uses", "").startswith("actions/github-script") for step in _steps())


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
@needs_git
@pytest.mark.skipif(shutil.which("upgrade-score") is None, reason="console script not on PATH")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_recipe_diff_step_against_a_target_branch(tmp_path: Path) -> None:
    """Run the recipe's diff script in a clone whose origin has the old rubric on main."""
    origin = tmp_path / "origin"
    (origin / "rubrics").mkdir(parents=True)
    (origin / "rubrics" / "x.yaml").write_text(TEXT, encoding="utf-8")
    shutil.copytree(BASES, origin / "examples" / "bases")
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "base")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    (clone / "rubrics" / "x.yaml").write_text(heavier("high_value"), encoding="utf-8")
    (step,) = [step for step in _steps() if step.get("id") == "diff"]
    output = tmp_path / "github_output"
    env = {**os.environ, "PROFILES": "examples/bases", "MAX_SHIFT": "3", "BASE_REF": "main",
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}
    (clone / "rubrics" / "new.yaml").write_text(TEXT, encoding="utf-8")
    git(clone, "add", "rubrics")
    git(clone, "commit", "-q", "-m", "the pull request")  # the step diffs commits, as in a PR
    (clone / "rubrics.txt").write_text("rubrics/x.yaml\nrubrics/new.yaml\n", encoding="utf-8")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=clone, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert output.read_text() == "status=1\n"  # the +4.96 shift trips --max-shift 3
    comment = (clone / "diff.md").read_text(encoding="utf-8")
    assert "| weight_changed | direction `high_value` |" in comment
    assert "**Gate failed:** --max-shift 3" in comment
    assert "New rubric `rubrics/new.yaml`: nothing to diff against." in comment


# --- rubric language 2: categories, n/a directions, gates; Chinese output -------------------------

TINY = """\
id: tiny
version: "1"
title: {zh: 小, en: Tiny}
levels:
  - {level: 1, name: {zh: 一级, en: One}}
  - {level: 2, name: {zh: 二级, en: Two}}
categories:
  - {id: ferrous, name: {zh: 黑色金属, en: Ferrous}}
  - {id: ewaste, name: {zh: 电子废弃物, en: E-waste}}
directions:
  - id: green
    name: {zh: 绿色, en: Green}
    indicators:
      - id: licensed
        name: {zh: 合规处置率, en: Licensed share}
        unit: "%"
        thresholds: [50, 100]
        floor: 0
        valid_range: [0, 100]
      - id: water
        name: {zh: 水重复利用率, en: Water reuse}
        unit: "%"
        thresholds: [40, 80]
        floor: 0
        allow_na: true
        valid_range: [0, 100]
  - id: chain
    name: {zh: 链条, en: Chain}
    indicators:
      - id: lines
        name: {zh: 拆解线, en: Dismantling lines}
        unit: {zh: 条, en: lines}
        thresholds: [1, 3]
        floor: 0
"""
# version 2: water has its own bars for ferrous bases, lines applies to e-waste bases only, and
# all hazardous waste must be licensed (else level 0)
BARS = "        thresholds_by_category: {ferrous: [60, 90]}\n"
GATES = """\
gates:
  - id: all_licensed
    name: {zh: 全部合规, en: All licensed}
    indicator: licensed
    at_least: 100
    caps: 0
"""
TINY2 = (TINY.replace('version: "1"', 'version: "2"').replace("allow_na: true\n", "allow_na: true\n" + BARS)
         .replace("en: lines}\n", "en: lines}\n        applies_to: [ewaste]\n") + GATES)
# levels: licensed 95 → 1.9, 100 → 2; water 80 → 2 (ferrous bars: 1 + 20/30); 40 → 1; lines 3 → 2, 1 → 1
TINY_BASES = {
    "b1.yaml": "base: {id: b1, category: ferrous}\nvalues: {licensed: 95, water: 80}\n",
    "b2.yaml": "base: {id: b2, category: ewaste}\nvalues: {licensed: 100, water: n/a, lines: 3}\n",
    "b3.yaml": "base: {id: b3, category: ewaste}\nvalues: {water: 40, lines: 1}\n",
}


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Old and new rubric files and a directory of three bases."""
    old, new, bases = tmp_path / "old.yaml", tmp_path / "new.yaml", tmp_path / "bases"
    old.write_text(TINY, encoding="utf-8")
    new.write_text(TINY2, encoding="utf-8")
    bases.mkdir()
    for name, text in TINY_BASES.items():
        (bases / name).write_text(text, encoding="utf-8")
    return old, new, bases


def test_language_2_text_output(tiny: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new, bases = tiny
    code, out, err = run(capsys, "diff", old, new, "--profiles", bases)
    assert code == 0 and err == ""
    assert out.startswith("Rubric diff: tiny 1 → tiny 2 · 4 changes\n")
    rows = [row.split("  ")[0] for row in out.split("\n\n")[1].splitlines()[2:]]
    assert rows == ["version_changed", "category_thresholds_changed", "applies_to_changed", "gate_added"]
    for detail in ("thresholds_by_category.ferrous: [40, 80] (default) → [60, 90]",
                   "applies_to: every base → [ewaste]",
                   "gate all_licensed        added: at_least 100 on 'licensed', caps overall at level 0"):
        assert detail in out
    # b1: old green 97.5, chain 0 → 48.75 (level 0); new green (1.9 + 1.667)/4 = 89.17, chain n/a →
    # 89.17, level 1 without the caps, 0 with them (95 % licensed fails the gate)
    assert "b1     48.75   89.17  +40.42  0 (uncapped 0 → 1)  2\n" in out
    assert "b2    100.00  100.00    0.00  2                   1\n" in out
    assert "b1    -8.33  0.00 → n/a\n" in out  # the chain direction no longer applies to b1
    assert ("Basic requirements (gates) · status changed for 2 of 3 bases · 2 newly fail a gate\n\n"
            "gate          failing before  failing now  newly failing  no longer failing\n"
            "------------  --------------  -----------  -------------  -----------------\n"
            "all_licensed               —            2              2                  0\n") in out
    assert out.endswith("b1    all_licensed  — → failed\nb3    all_licensed  — → unknown\n")


def test_language_2_json_and_gates(tiny: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new, bases = tiny
    code, out, _ = run(capsys, "diff", old, new, "--profiles", bases, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data == diff(load_rubric(old), load_rubric(new), load_profiles(bases)).to_dict()
    assert (data["gate_status_changes"], data["newly_failing"]) == (2, 2)
    b1 = next(row for row in data["impact"] if row["base"] == "b1")
    assert b1["directions"]["chain"] == {"old": 0.0, "new": None, "shift": None, "old_level": 0,
                                         "new_level": None, "na": "became_na"}
    assert (b1["gates"], b1["new_level"], b1["new_uncapped_level"]) == (
        {"all_licensed": {"old": None, "new": "failed"}}, 0, 1)
    assert data["changes"][1]["category"] == "ferrous"
    # the gate caps b1 at 0, so its level did not change: --fail-on-level-change holds
    code, _, err = run(capsys, "diff", old, new, "--profiles", bases, "--fail-on-level-change")
    assert code == 0 and err == ""


def test_language_1_json_keeps_its_keys(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES, "--format", "json")
    data = json.loads(out)
    assert set(data) == {"old", "new", "changes", "impact", "max_shift", "max_shift_base", "max_rank_change",
                         "level_changes", "kendall_tau", "ignored"}
    assert set(data["impact"][0]) == {"base", "old", "new", "shift", "old_level", "new_level", "old_rank",
                                      "new_rank", "rank_change", "directions"}
    assert set(data["impact"][0]["directions"]["green"]) == {"old", "new", "shift", "old_level", "new_level"}


def _english_left(text: str, *allowed: str) -> list[str]:
    """Latin words in ``text`` once ids, CLI options and names like Kendall's tau-b are taken out."""
    for token in sorted(allowed, key=len, reverse=True):
        text = text.replace(token, " ")
    return re.findall(r"[A-Za-z]+", text)


IDS = ("tiny", "green", "chain", "licensed", "water", "lines", "ferrous", "ewaste", "all_licensed",
       "b1", "b2", "b3", "Kendall tau-b", "upgrade-score-diff", "--max-shift", "details", "summary")


@pytest.mark.parametrize("style", ["text", "markdown"])
def test_chinese_output_has_no_english_prose(tiny: tuple[Path, Path, Path], style: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    old, new, bases = tiny
    code, out, _ = run(capsys, "diff", old, new, "--profiles", bases, "--lang", "zh", "--format", style)
    assert code == 0 and _english_left(out, *IDS) == []
    assert "新增基本要求" in out and "新增：指标 licensed ≥ 100，未满足时总分等级上限为 0 级" in out
    assert "0.00 → 不适用" in out and "0（不计上限 0 → 1）" in out
    back = run(capsys, "diff", new, old, "--profiles", bases, "--lang", "zh", "--format", style,
               "--max-shift", "1")
    assert back[0] == 1 and _english_left(back[1], *IDS) == []
    assert "删除基本要求" in back[1] and "不适用 → 0.00" in back[1]
    if style == "markdown":
        assert back[1].rstrip().endswith("**检查未通过：**--max-shift 1：1 个基地的变动超过上限，"
                                         "最大 -40.42（b1）")
    assert back[2] == ("upgrade-score: gate failed: --max-shift 1: 1 base(s) shift by more, largest -40.42 "
                       "(b1)\n")  # stderr stays English, as every error


def test_builtin_diff_in_chinese(new_rubric: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", BUILTIN, new_rubric, "--profiles", BASES, "--lang", "zh")
    assert code == 0
    assert out.startswith("评价体系对比：urban-mining-upgrade 2026.1 → urban-mining-upgrade 2026.2 · "
                          "2 处变化")
    assert "权重变化" in out and "权重：1 → 3（占总分 16.7 % → 37.5 %）" in out
    assert "对 4 个基地的影响 · 最大变动 +4.96（jinhe-scrap-metal-hub）" in out
    assert "各方向得分均无变化（保留两位小数）。" in out


def test_profile_the_new_rubric_rejects_exits_2(tiny: tuple[Path, Path, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    old, new, bases = tiny
    b1 = bases / "b1.yaml"
    b1.write_text("base: {id: b1, category: ferrous}\nvalues: {licensed: 95, water: 80, lines: 2}\n",
                  encoding="utf-8")
    code, out, err = run(capsys, "diff", old, new, "--profiles", bases)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"upgrade-score: error: {b1}:2: values.lines: does not apply to category 'ferrous'")
    assert err.endswith("(new rubric 'tiny' 2)\n")
    b1.write_text("base: {id: b1, category: steel}\nvalues: {licensed: 95}\n", encoding="utf-8")
    code, _, err = run(capsys, "diff", old, new, "--profiles", bases)
    assert code == 2
    assert err.startswith(f"upgrade-score: error: {b1}:1: base.category: unknown category 'steel'")
