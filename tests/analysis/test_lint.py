"""Lint rules: one test per rule with exact ids, severities, lines and paths; ``check`` and the hook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from upgrade_score import LintFinding, Rubric, lint, load_rubric
from upgrade_score._analysis.lint import RULES, lint_file
from upgrade_score._cli import main
from upgrade_score._io.validate import validate
from upgrade_score._io.yaml import parse_document

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "rubrics" / "urban_mining_upgrade.yaml"

# A clean rubric (no findings). Line numbers are on the right.
CLEAN = """\
id: mini-rubric
version: "1"
title: {zh: 小, en: Mini}
levels:
  - {level: 1, name: {zh: 一, en: One}}
  - {level: 2, name: {zh: 二, en: Two}}
  - {level: 3, name: {zh: 三, en: Three}}
directions:
  - id: alpha
    name: {zh: 甲, en: Alpha}
    weight: 1
    indicators:
      - id: share
        name: {zh: 比例, en: Share}
        thresholds: [10, 20, 30]
        floor: 0
        valid_range: [0, 100]
        weight: 2
        source: "Design choice."
      - id: rating
        name: {zh: 评级, en: Rating}
        kind: qualitative
        source: "Assessor's rating."
        descriptors:
          1: {zh: 基础, en: Basic}
          3: {zh: 领先, en: Leading}
  - id: beta
    name: {zh: 乙, en: Beta}
    weight: 1
    indicators:
      - id: cost
        name: {zh: 成本, en: Cost}
        better: lower
        thresholds: [30, 20, 10]
        floor: 40
        valid_range: [0, 1000]
        source: "Design choice."
"""
#  1 id     3 title   6 level 2   9 alpha   11 weight   13 share   15 thresholds   16 floor   19 source
# 20 rating   25 descriptor 1   27 beta   29 weight   31 cost   34 thresholds   35 floor   36 valid_range

Found = tuple[str, str, int | None, str]  # id, severity, line, path


def findings(tmp_path: Path, *edits: tuple[str, str], clean: str = CLEAN) -> list[Found]:
    """Lint ``clean`` with text edits (each edit keeps the line count), from a file."""
    text = clean
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    assert text.count("\n") == clean.count("\n")
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    found = lint_file(path)
    assert all(f.file == str(path) for f in found)
    return [(f.id, f.severity, f.line, f.path) for f in found]


def test_clean_rubric_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path) == []


def test_missing_source(tmp_path: Path) -> None:
    edit = ('        source: "Design choice."\n      - id: rating', '        unit: "%"\n      - id: rating')
    assert findings(tmp_path, edit) == [
        ("missing-source", "warning", 13, "directions[0].indicators[0].source")]


BETA_WEIGHT = "    weight: 1\n    indicators:\n      - id: cost"


def beta_weight(weight: str) -> tuple[str, str]:
    return BETA_WEIGHT, BETA_WEIGHT.replace("1", weight, 1)


def test_direction_weight_share_over_half(tmp_path: Path) -> None:
    edit = beta_weight("1.5")
    assert findings(tmp_path, edit) == [("direction-weight-share", "warning", 29, "directions[1].weight")]


def test_direction_weight_share_under_five_percent(tmp_path: Path) -> None:
    edit = beta_weight("0.05")
    found = lint_file(_write(tmp_path, CLEAN.replace(*edit)))
    assert [(f.id, f.line, f.path) for f in found] == [
        ("direction-weight-share", 11, "directions[0].weight"),
        ("direction-weight-share", 29, "directions[1].weight")]
    assert "95.2 % of the overall weight (over 50 %)" in found[0].message
    assert "4.8 % of the overall weight (under 5 %)" in found[1].message


def test_direction_weight_share_is_ignored_under_weakest() -> None:
    text = CLEAN.replace("directions:\n", "aggregation: weakest\ndirections:\n").replace(*beta_weight("9"))
    assert lint(_rubric(text)) == []


def test_threshold_step_ratio(tmp_path: Path) -> None:
    edit = ("thresholds: [10, 20, 30]", "thresholds: [10, 11, 30]")
    assert findings(tmp_path, edit) == [
        ("threshold-step-ratio", "warning", 15, "directions[0].indicators[0].thresholds")]
    found = lint_file(tmp_path / "rubric.yaml")[0]
    assert found.message.startswith("steps 10 → 11 → 30 differ by 19× (more than 10×)")
    assert findings(tmp_path, ("thresholds: [10, 20, 30]", "thresholds: [10, 19, 100]")) == []  # 9× ok


def test_threshold_step_ratio_decreasing(tmp_path: Path) -> None:
    edit = ("thresholds: [30, 20, 10]", "thresholds: [30, 20, 19.5]")
    assert findings(tmp_path, edit) == [
        ("threshold-step-ratio", "warning", 34, "directions[1].indicators[0].thresholds")]


def test_valid_range_excludes_a_threshold(tmp_path: Path) -> None:
    assert findings(tmp_path, ("valid_range: [0, 100]", "valid_range: [0, 25]")) == [
        ("range-excludes-threshold", "error", 15, "directions[0].indicators[0].thresholds[2]")]
    message = lint_file(tmp_path / "rubric.yaml")[0].message
    assert message == ("threshold 30 of level 3 is outside valid_range [0, 25]: "
                       "no valid value reaches level 3")
    assert findings(tmp_path, ("valid_range: [0, 1000]", "valid_range: [15, 1000]")) == [
        ("range-excludes-threshold", "error", 34, "directions[1].indicators[0].thresholds[2]")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message.endswith("no valid value reaches level 3")
    assert findings(tmp_path, ("valid_range: [0, 100]", "valid_range: [15, 100]")) == [
        ("range-excludes-threshold", "error", 15, "directions[0].indicators[0].thresholds[0]"),
        ("range-excludes-threshold", "error", 16, "directions[0].indicators[0].floor")]
    first, floor = lint_file(tmp_path / "rubric.yaml")
    assert first.message.endswith("every valid value reaches level 1")
    assert floor.message == "floor 0 is outside valid_range [15, 100]: no valid value scores level 0"


def test_valid_range_excludes_the_floor(tmp_path: Path) -> None:
    assert findings(tmp_path, ("floor: 40", "floor: 1040")) == [
        ("range-excludes-threshold", "error", 35, "directions[1].indicators[0].floor")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message.endswith("no valid value scores level 0")


def test_labels_missing_a_language(tmp_path: Path) -> None:
    edits = [("title: {zh: 小, en: Mini}", "title: {en: Mini}"),
             ("name: {zh: 二, en: Two}", "name: {en: Two}"),
             ("name: {zh: 甲, en: Alpha}", "name: {zh: 甲}"),
             ("name: {zh: 比例, en: Share}", "name: {en: Share}"),
             ("1: {zh: 基础, en: Basic}", "1: {en: Basic}")]
    assert findings(tmp_path, *edits) == [
        ("label-missing-language", "warning", 3, "title"),
        ("label-missing-language", "warning", 6, "levels[1].name"),
        ("label-missing-language", "warning", 10, "directions[0].name"),
        ("label-missing-language", "warning", 14, "directions[0].indicators[0].name"),
        ("label-missing-language", "warning", 25, "directions[0].indicators[1].descriptors[1]")]
    messages = [f.message for f in lint_file(tmp_path / "rubric.yaml")]
    assert messages[0] == "title has no 'zh' text"
    assert messages[2] == "direction 'alpha' name has no 'en' text"


def test_ids_not_snake_case(tmp_path: Path) -> None:
    edits = [("id: mini-rubric", "id: Mini.Rubric"), ("- id: alpha", "- id: alpha-one"),
             ("- id: share", "- id: Share"), ("- id: cost", "- id: cost__x")]
    assert findings(tmp_path, *edits) == [
        ("id-not-snake-case", "warning", 1, "id"),
        ("id-not-snake-case", "warning", 9, "directions[0].id"),
        ("id-not-snake-case", "warning", 13, "directions[0].indicators[0].id"),
        ("id-not-snake-case", "warning", 31, "directions[1].indicators[0].id")]
    assert findings(tmp_path, ("id: mini-rubric", "id: mini_rubric_2")) == []


# --- rubric language 2: categories, units, gates --------------------------------------------------

# A clean rubric that uses categories, n/a, applies_to, a bilingual unit and a gate.
CLEAN2 = """\
id: mini-rubric
version: "1"
title: {zh: 小, en: Mini}
levels:
  - {level: 1, name: {zh: 一, en: One}}
  - {level: 2, name: {zh: 二, en: Two}}
  - {level: 3, name: {zh: 三, en: Three}}
categories:
  - {id: ferrous, name: {zh: 黑色金属, en: Ferrous}}
  - {id: ewaste, name: {zh: 电子废弃物, en: E-waste}}
directions:
  - id: alpha
    name: {zh: 甲, en: Alpha}
    weight: 1
    indicators:
      - id: share
        name: {zh: 比例, en: Share}
        unit: "%"
        thresholds: [10, 20, 30]
        thresholds_by_category: {ferrous: [15, 25, 35]}
        floor: 0
        valid_range: [0, 100]
        weight: 2
        source: "Design choice."
      - id: rating
        name: {zh: 评级, en: Rating}
        kind: qualitative
        source: "Assessor's rating."
        allow_na: true
        descriptors:
          1: {zh: 基础, en: Basic}
          3: {zh: 领先, en: Leading}
  - id: beta
    name: {zh: 乙, en: Beta}
    weight: 1
    indicators:
      - id: cost
        name: {zh: 成本, en: Cost}
        unit: {zh: 元/吨, en: CNY/t}
        applies_to: [ferrous, ewaste]
        better: lower
        thresholds: [30, 20, 10]
        floor: 40
        valid_range: [0, 1000]
        source: "Design choice."
gates:
  - id: enough
    name: {zh: 足够, en: Enough}
    indicator: share
    at_least: 20
    caps: 1
"""
#  9 ferrous   10 ewaste   16 share   18 unit   20 thresholds_by_category   25 rating   29 allow_na
# 37 cost   39 unit   40 applies_to   47 gate enough   48 name   49 indicator   50 at_least   51 caps


def test_clean_language_2_rubric_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, clean=CLEAN2) == []
    assert lint(load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")) == []


def test_category_unused(tmp_path: Path) -> None:
    edit = ("applies_to: [ferrous, ewaste]", "applies_to: [ferrous]")
    assert findings(tmp_path, edit, clean=CLEAN2) == [("category-unused", "warning", 10, "categories[1].id")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message == (
        "category 'ewaste' is named by no indicator's applies_to, thresholds_by_category or "
        "floor_by_category: its bases score exactly as bases without a category")
    # named only by thresholds_by_category (ewaste) is a use too
    assert findings(tmp_path, edit, ("{ferrous: [15, 25, 35]}", "{ewaste: [15, 25, 35]}"), clean=CLEAN2) == []


def test_category_bar_outside_applies_to(tmp_path: Path) -> None:
    edits = [('        unit: "%"\n        thresholds: [10, 20, 30]',
              '        applies_to: [ewaste]\n        thresholds: [10, 20, 30]'),
             ("unit: {zh: 元/吨, en: CNY/t}", "floor_by_category: {ferrous: 45}"),
             ("applies_to: [ferrous, ewaste]", "applies_to: [ewaste]")]
    assert findings(tmp_path, *edits, clean=CLEAN2) == [
        ("category-bar-outside-applies-to", "error", 20,
         "directions[0].indicators[0].thresholds_by_category.ferrous"),
        ("category-bar-outside-applies-to", "error", 39,
         "directions[1].indicators[0].floor_by_category.ferrous")]
    first, second = (f.message for f in lint_file(tmp_path / "rubric.yaml"))
    assert first == ("indicator 'share' does not apply to category 'ferrous' (applies_to: ewaste), so these "
                     "thresholds are never used: add 'ferrous' to applies_to or remove these")
    assert second.endswith("so this floor is never used: add 'ferrous' to applies_to or remove this")
    # bars for a category inside applies_to are used
    inside = ("[ewaste]\n        thresholds: [10", "[ferrous]\n        thresholds: [10")
    assert findings(tmp_path, edits[0], inside, clean=CLEAN2) == []


def test_unit_missing_zh(tmp_path: Path) -> None:
    edit = ("unit: {zh: 元/吨, en: CNY/t}", 'unit: "CNY/t"')
    assert findings(tmp_path, edit, clean=CLEAN2) == [
        ("unit-missing-zh", "warning", 39, "directions[1].indicators[0].unit")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message == (
        "unit 'CNY/t' of indicator 'cost' has no 'zh' text, so a Chinese survey shows it in English: "
        "give {zh: …, en: …}")
    for english in ("unit: {en: 10k t/yr}", "unit: t", "unit: m³"):  # SI symbols too: 吨, 立方米
        assert findings(tmp_path, ("unit: {zh: 元/吨, en: CNY/t}", english), clean=CLEAN2) == [
            ("unit-missing-zh", "warning", 39, "directions[1].indicators[0].unit")], english
    for fine in ('unit: "‰"', "unit: {en: '%'}", "unit: {zh: 万吨/年}", 'unit: "10⁴ ¥"'):
        assert findings(tmp_path, ("unit: {zh: 元/吨, en: CNY/t}", fine), clean=CLEAN2) == [], fine


def test_unit_missing_zh_only_in_language_2_rubrics(tmp_path: Path) -> None:
    plain = ('        source: "Design choice."\n      - id: rating',
             '        unit: CNY/t\n      - id: rating')
    missing = ("missing-source", "warning", 13, "directions[0].indicators[0].source")
    assert findings(tmp_path, ("valid_range: [0, 1000]", "unit: CNY/t")) == []
    assert findings(tmp_path, plain) == [missing]
    opted_in = ("valid_range: [0, 1000]", "unit: {zh: 元, en: CNY}")  # one bilingual unit opts in
    assert findings(tmp_path, plain, opted_in) == [
        missing, ("unit-missing-zh", "warning", 19, "directions[0].indicators[0].unit")]


def test_gate_on_an_indicator_that_allows_na(tmp_path: Path) -> None:
    edits = [("indicator: share", "indicator: rating"), ("at_least: 20", "at_least: 2")]
    assert findings(tmp_path, *edits, clean=CLEAN2) == [
        ("gate-indicator-may-be-na", "warning", 49, "gates[0].indicator")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message == (
        "gate 'enough' is on 'rating', which allows n/a: any base can answer n/a, and an n/a gate neither "
        "passes nor caps, so every base can step around this requirement")
    applies = ("applies_to: [ferrous, ewaste]", "applies_to: [ewaste]")  # cannot dodge: not flagged
    on_cost = [("indicator: share", "indicator: cost"), ("at_least: 20", "at_most: 20")]
    assert findings(tmp_path, applies, *on_cost,
                    clean=CLEAN2.replace("{ferrous: [15, 25, 35]}", "{ewaste: [15, 25, 35]}")) == [
        ("category-unused", "warning", 9, "categories[0].id")]


def test_gate_caps_top_level(tmp_path: Path) -> None:
    assert findings(tmp_path, ("caps: 1", "caps: 3"), clean=CLEAN2) == [
        ("gate-caps-top-level", "warning", 51, "gates[0].caps")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message.startswith(
        "gate 'enough' caps at level 3, the top level: it never lowers a level")
    assert findings(tmp_path, ("caps: 1", "caps: 2"), clean=CLEAN2) == []


def test_gate_scope_excludes_its_indicator(tmp_path: Path) -> None:
    name = "    name: {zh: 足够, en: Enough}"
    assert findings(tmp_path, (name, "    scope: beta"), clean=CLEAN2) == [
        ("gate-scope-excludes-indicator", "warning", 48, "gates[0].scope")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message == (
        "gate 'enough' caps direction 'beta' but its indicator 'share' belongs to 'alpha': "
        "did you mean scope 'alpha' (or overall)?")
    assert findings(tmp_path, (name, "    scope: alpha"), clean=CLEAN2) == []


def test_range_excludes_gate(tmp_path: Path) -> None:
    assert findings(tmp_path, ("at_least: 20", "at_least: 120"), clean=CLEAN2) == [
        ("range-excludes-gate", "error", 50, "gates[0].at_least")]
    assert lint_file(tmp_path / "rubric.yaml")[0].message == (
        "gate 'enough' needs at_least 120 but valid_range of 'share' is [0, 100]: no valid value passes, "
        "so every base is capped")
    cost = ("indicator: share", "indicator: cost")
    assert findings(tmp_path, cost, ("at_least: 20", "at_most: -5"), clean=CLEAN2) == [
        ("range-excludes-gate", "error", 50, "gates[0].at_most")]
    assert findings(tmp_path, ("at_least: 20", "at_least: 100"), clean=CLEAN2) == []  # 100 itself passes
    assert findings(tmp_path, cost, ("at_least: 20", "at_most: 0"), clean=CLEAN2) == []


def test_check_exits_1_on_language_2_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN2.replace("at_least: 20", "at_least: 120").replace("caps: 1", "caps: 3"))
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    assert out == (f"{path}:50: gates[0].at_least: error [range-excludes-gate]: gate 'enough' needs "
                   "at_least 120 but valid_range of 'share' is [0, 100]: no valid value passes, so every "
                   "base is capped\n"
                   f"{path}:51: gates[0].caps: warning [gate-caps-top-level]: gate 'enough' caps at level 3, "
                   "the top level: it never lowers a level (use a lower caps, or drop the gate)\n"
                   f"{path}: 1 error, 1 warning\n")


def test_pure_lint_has_paths_but_no_lines() -> None:
    text = CLEAN.replace('        source: "Design choice."\n      - id: rating', "      - id: rating")
    (found,) = lint(_rubric(text))
    assert isinstance(found, LintFinding)
    assert (found.id, found.path, found.file, found.line) == (
        "missing-source", "directions[0].indicators[0].source", None, None)
    assert str(found) == ("directions[0].indicators[0].source: warning [missing-source]: indicator 'share' "
                          "has no source: say where it and its thresholds come from")
    assert found.to_dict()["line"] is None


def test_every_rule_has_a_severity() -> None:
    assert set(RULES) == {"missing-source", "direction-weight-share", "threshold-step-ratio",
                          "range-excludes-threshold", "label-missing-language", "id-not-snake-case",
                          "category-unused", "category-bar-outside-applies-to", "unit-missing-zh",
                          "gate-indicator-may-be-na", "gate-caps-top-level", "gate-scope-excludes-indicator",
                          "range-excludes-gate", "pairwise-inconsistent", "input-unused",
                          "enterprise-field-unused", "formula-without-input"}
    assert {severity for severity, _ in RULES.values()} == {"error", "warning"}


def test_builtin_rubric_is_lint_free() -> None:
    assert lint(load_rubric()) == []
    assert lint_file("urban-mining-upgrade") == []


# --- the check command ---------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_rubric_passes_check_strict(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--strict", BUILTIN) == (0, f"{BUILTIN}: ok\n", "")
    code, out, _ = run(capsys, "check", "--strict", "urban-mining-upgrade", "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_check_warnings_fail_only_when_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN.replace("name: {zh: 乙, en: Beta}", "name: {en: Beta}"))
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert out == (f"{path}:28: directions[1].name: warning [label-missing-language]: "
                   f"direction 'beta' name has no 'zh' text\n{path}: 1 warning\n")
    code, out, _ = run(capsys, "check", "--strict", path)
    assert code == 1 and out.endswith(f"{path}: 1 warning\n")


def test_check_errors_fail_without_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN.replace("valid_range: [0, 100]", "valid_range: [0, 25]")
                  .replace("name: {zh: 乙, en: Beta}", "name: {en: Beta}"))
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and out.endswith(f"{path}: 1 error, 1 warning\n")


def test_check_json_lists_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN.replace("floor: 40", "floor: 1040"))
    code, out, _ = run(capsys, "check", path, BUILTIN, "--format", "json", "--strict")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["strict"] is True
    assert data["problems"] == {str(path): [], str(BUILTIN): []}
    assert data["findings"] == [{
        "id": "range-excludes-threshold", "severity": "error", "file": str(path), "line": 35,
        "path": "directions[1].indicators[0].floor",
        "message": "floor 1040 is outside valid_range [0, 1000]: no valid value scores level 0"}]


def test_check_schema_problems_are_error_findings(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, CLEAN.replace("thresholds: [10, 20, 30]", "thresholds: [10, 20]"))
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    assert out == (f"{path}:15: directions[0].indicators[0].thresholds: "
                   f"needs exactly 3 values (one per level), got 2\n{path}: 1 error\n")
    code, out, _ = run(capsys, "check", path, "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert (finding["id"], finding["severity"], finding["line"]) == ("schema", "error", 15)


# --- pre-commit hook -----------------------------------------------------------------------------

def test_pre_commit_hook_definition() -> None:
    hook, profiles = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], profiles["id"]) == ("upgrade-score-check", "upgrade-score-profiles")
    assert hook["entry"] == "upgrade-score check --strict"
    assert hook["language"] == profiles["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("rubrics/urban_mining_upgrade.yaml", "policy/rubrics/x.yml", "rubrics/v2.yaml"):
        assert files.search(name), name
    for name in ("examples/bases/scrap_metal_hub.yaml", "rubrics/readme.md", ".github/workflows/ci.yml",
                 ".github/workflows/rubric-check.yml", "my_rubric.yaml", "rubrics/bases/b.yaml"):
        assert not files.search(name), name


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _rubric(text: str) -> Rubric:
    return validate(Rubric, parse_document(text, "mini.yaml"))
