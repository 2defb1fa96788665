"""Rubric language 2 (design points 8–11) as input: every malformed rubric or profile is one
located line, and the CLI exits 2 (``check`` exits 1 for rubric problems)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upgrade_score import UpgradeScoreError, load_profile, load_profiles, load_rubric, score
from upgrade_score._cli import main

RUBRIC = Path(__file__).resolve().parents[2] / "examples" / "rubrics" / "categories_and_gates.yaml"
TEXT = RUBRIC.read_text(encoding="utf-8")


def _line_of(path: Path, new: str, expected: str) -> int:
    """The line the error must name: the changed line, or for a second field added beside it
    (``scope``, ``floor_by_category``) that line; a rule over the whole gate names its first line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "gates[0]: needs exactly one" in expected:
        return next(k for k, line in enumerate(lines, 1) if "id: all_licensed" in line)
    wanted = new.splitlines()[-1] if any(f in expected for f in ("scope", "floor_by_category")) else \
        new.splitlines()[0]
    return next(k for k, line in enumerate(lines, 1) if line == wanted or line.endswith(wanted.strip()))


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in TEXT
    path = tmp_path / "rubric.yaml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    return path


RUBRIC_CASES = [
    ("applies_to: [ewaste]", "applies_to: [ewast]",
     "directions[1].indicators[0].applies_to[0]: unknown category 'ewast'"),
    ("thresholds_by_category: {ferrous: [60, 90]}", "thresholds_by_category: {ferrous: [90, 60]}",
     "directions[0].indicators[1].thresholds_by_category.ferrous[1]: must strictly increase"),
    ("thresholds_by_category: {ferrous: [60, 90]}", "thresholds_by_category: {ferrous: [60]}",
     "directions[0].indicators[1].thresholds_by_category.ferrous: needs exactly 2 values"),
    ("thresholds_by_category: {ferrous: [60, 90]}", "thresholds_by_category: {steel: [60, 90]}",
     "directions[0].indicators[1].thresholds_by_category.steel: unknown category 'steel'"),
    ("thresholds_by_category: {ferrous: [60, 90]}",
     "thresholds_by_category: {ferrous: [60, 90]}\n        floor_by_category: {ferrous: 70}",
     "directions[0].indicators[1].floor_by_category.ferrous: "
     "must be below the first threshold 60"),
    ("indicator: licensed", "indicator: licenced",
     "gates[0].indicator: unknown indicator 'licenced' (did you mean 'licensed'?)"),
    ("at_least: 100", "equals: 100",
     "gates[0].equals: a gate on a quantitative indicator needs 'at_least' or 'at_most'"),
    ("caps: 1", "caps: 7", "gates[0].caps: must be a level from 0 to 2, got 7"),
    ("    caps: 1", "    caps: 1\n    scope: greem",
     "gates[0].scope: unknown scope 'greem': 'overall' or a direction id "
     "(did you mean 'green'?)"),
    ("    at_least: 100", "    at_least: 100\n    at_most: 3",
     "gates[0]: needs exactly one of at_least, at_most, equals (got at_least, at_most)"),
    ("  - {id: ewaste, name: {zh: 电子废弃物, en: E-waste}}", "  - {id: ferrous, name: {zh: 电子, en: E}}",
     "categories[1].id: duplicate id 'ferrous' (also categories[0])"),
    ("        allow_na: true", "        allow_na: maybe",
     "directions[0].indicators[1].allow_na: input should be a valid boolean"),
]


@pytest.mark.parametrize(("old", "new", "expected"), RUBRIC_CASES)
def test_bad_rubric_is_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         old: str, new: str, expected: str) -> None:
    path = _variant(tmp_path, old, new)
    expected = f"rubric.yaml:{_line_of(path, new, expected)}: {expected}"
    with pytest.raises(UpgradeScoreError) as caught:
        load_rubric(path)
    assert any(str(p).startswith(str(tmp_path / expected.split(":")[0])) for p in caught.value.problems)
    assert expected.split(": ", 1)[1] in str(caught.value)
    code = main(["score", str(tmp_path / "missing.yaml"), "--rubric", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err
    assert all(line.startswith("upgrade-score: error: ") for line in err.splitlines())


def test_a_gate_on_a_boolean_needs_equals_true_or_false(tmp_path: Path) -> None:
    text = TEXT.replace("  - id: chain\n", "      - id: permit\n        name: {en: Permit}\n"
                                          "        kind: boolean\n  - id: chain\n", 1)
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace("indicator: licensed", "indicator: permit"), encoding="utf-8")
    with pytest.raises(UpgradeScoreError, match=r"rubric\.yaml:\d+: gates\[0\]\.at_least: a gate on a "
                                                r"boolean indicator needs 'equals: true' or 'equals: false'"):
        load_rubric(path)


def _profile(tmp_path: Path, text: str, name: str = "base.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PROFILE_CASES = [
    ("base: {id: b1, category: feros}\nvalues:\n  licensed: 95\n",
     "base.yaml:1: base.category: unknown category 'feros' (did you mean 'ferrous'?)"),
    ("base: {id: b1, category: ferrous}\nvalues:\n  licensed: n/a\n",
     "base.yaml:3: values.licensed: 'n/a' is allowed only for indicators with allow_na: true"),
    ("base: {id: b1, category: ferrous}\nvalues:\n  licensed: 90\n  dismantling: 2\n",
     "base.yaml:4: values.dismantling: does not apply to category 'ferrous' (applies to: ewaste)"),
    ("base: {id: b1}\nvalues:\n  licensed: 90\n  dismantling: 2\n",
     "base.yaml:4: values.dismantling: does not apply to a base without a category"),
]


@pytest.mark.parametrize(("text", "expected"), PROFILE_CASES)
def test_bad_profile_is_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          text: str, expected: str) -> None:
    path = _profile(tmp_path, text)
    code = main(["score", str(path), "--rubric", str(RUBRIC)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and expected in err


def test_a_base_to_which_no_direction_applies_is_refused(tmp_path: Path) -> None:
    rubric = _variant(tmp_path, "        floor: 0\n        valid_range: [0, 100]\n",
                      "        floor: 0\n        valid_range: [0, 100]\n        allow_na: true\n")
    profile = _profile(tmp_path, "base: {id: b1, category: ferrous}\nvalues:\n  licensed: n/a\n"
                                 "  water_reuse: N/A\n")
    with pytest.raises(UpgradeScoreError, match=r"base\.yaml:1: base: no direction applies to this base"):
        score(load_rubric(rubric), load_profile(profile))


def test_csv_reads_na_words_and_checks_the_category_column(tmp_path: Path) -> None:
    table = _profile(tmp_path, "id,category,licensed,water_reuse\nb1,ferrous,95,n/a\nb2,ewaste,100,不适用\n",
                     "bases.csv")
    cards = [score(load_rubric(RUBRIC), p).to_dict() for p in load_profiles(table)]
    assert [c["indicators"]["water_reuse"].get("not_applicable") for c in cards] == [True, True]
    bad = _profile(tmp_path, "id,category,licensed\nb1,feros,95\n", "bad.csv")
    with pytest.raises(UpgradeScoreError, match=r"bad\.csv:2: category: unknown category 'feros'"):
        score(load_rubric(RUBRIC), load_profiles(bad)[0])


def test_json_profiles_take_na_too(tmp_path: Path) -> None:
    path = _profile(tmp_path, json.dumps({"base": {"id": "b1", "category": "ferrous"},
                                          "values": {"licensed": 100, "water_reuse": "N/A"}}), "b.json")
    card = score(load_rubric(RUBRIC), load_profile(path)).to_dict()
    assert card["indicators"]["water_reuse"]["not_applicable"] is True
    assert card["gates"]["all_licensed"]["status"] == "passed"


def test_messages_name_a_few_known_categories_not_all(tmp_path: Path) -> None:
    many = "".join(f"  - {{id: c{k}, name: {{en: C{k}}}}}\n" for k in range(40))
    path = _variant(tmp_path, "  - {id: ewaste, name: {zh: 电子废弃物, en: E-waste}}\n",
                    "  - {id: ewaste, name: {zh: 电子废弃物, en: E-waste}}\n" + many)
    path.write_text(path.read_text(encoding="utf-8").replace("applies_to: [ewaste]", "applies_to: [ewast]"),
                    encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as caught:
        load_rubric(path)
    assert "(known: ferrous, ewaste, c0, c1, c2, c3, c4, c5, … (42 in all))" in str(caught.value)


# --- JSON Schema (what editors check a rubric or profile against) ----------------------------------

def _schema(kind: str) -> dict[str, Any]:
    from upgrade_score._model.profile import BaseProfile as ProfileModel
    from upgrade_score._model.rubric import Rubric as RubricModel

    return (RubricModel if kind == "rubric" else ProfileModel).model_json_schema()


def test_the_json_schemas_accept_language_2_files() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from upgrade_score._io.yaml import load_document

    project = Path(__file__).resolve().parents[2]
    root = project / "examples" / "rubrics"
    for rubric in (root / "categories_and_gates.yaml", project / "rubrics" / "urban_mining_upgrade.yaml"):
        jsonschema.validate(load_document(rubric).data, _schema("rubric"))
    for path in sorted([*(root / "bases").glob("*.yaml"), *(project / "examples" / "bases").glob("*.yaml")]):
        jsonschema.validate(load_document(path).data, _schema("profile"))
    for bare in (42, True, "n/a", "N/A", "不适用", None, {"value": 1, "source": "s"}):
        jsonschema.validate({"base": {"id": "b"}, "values": {"x": bare}}, _schema("profile"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"base": {"id": "b"}, "values": {"x": "lots"}}, _schema("profile"))


def test_the_rubric_schema_wants_exactly_one_gate_condition() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    gate = {"id": "g", "indicator": "x", "at_least": 1, "at_most": 2}
    validator = jsonschema.Draft202012Validator(_schema("rubric")["$defs"]["Gate"])
    assert not validator.is_valid(gate)
    assert validator.is_valid({"id": "g", "indicator": "x", "at_least": 1})
    assert not validator.is_valid({"id": "g", "indicator": "x"})
