"""The JSON Schemas of the file formats: committed under schemas/, current, described for
editors, and accepting every shipped rubric, example profile and README profile form."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from upgrade_score import UpgradeScoreError, load_profile, load_rubric, score
from upgrade_score._io.schema import DIALECT, SCHEMA_KINDS, json_schema, schema_text, write_schemas
from upgrade_score._io.yaml import load_document, parse_document

SCHEMAS = ROOT / "schemas"
REGENERATE = "upgrade-score schema --write schemas"
RUBRICS = sorted([*(ROOT / "rubrics").glob("*.yaml"), *(ROOT / "examples" / "rubrics").glob("*.yaml")])
PROFILES = sorted([*(ROOT / "examples" / "bases").glob("*.yaml"),
                   *(ROOT / "examples" / "rubrics" / "bases").glob("*.yaml")])


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_the_committed_schemas_are_current(kind: str) -> None:
    committed = SCHEMAS / f"{kind}.schema.json"
    assert committed.is_file(), f"{committed} is missing: run `{REGENERATE}` in the repository root"
    assert committed.read_text(encoding="utf-8") == schema_text(kind), (  # type: ignore[arg-type]
        f"schemas/{kind}.schema.json is stale (the models changed): run `{REGENERATE}` in the "
        "repository root and commit the result")


def _properties(node: Any, owner: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    if isinstance(node, dict):
        owner = node["title"] if isinstance(node.get("title"), str) else owner
        for name, prop in (node.get("properties") or {}).items():
            yield owner, name, prop
        for child in node.values():
            yield from _properties(child, owner)
    elif isinstance(node, list):
        for child in node:
            yield from _properties(child, owner)


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_property_has_hover_text_and_the_schema_names_itself(kind: str) -> None:
    schema = json_schema(kind)  # type: ignore[arg-type]
    assert schema["$schema"] == DIALECT and schema["$id"] == f"urn:upgrade-score:schema:{kind}"
    missing = [f"{owner}.{name}" for owner, name, prop in _properties(schema)
               if not prop.get("description")]
    assert not missing, ("properties without a description (give the field one, or add it to "
                         f"_io/schema.py DESCRIPTIONS): {missing}")
    assert schema["properties"]["$schema"]["type"] == "string"


def test_enums_and_defaults_stay_in_the_rubric_schema() -> None:
    schema = json_schema("rubric")
    assert schema["properties"]["aggregation"]["enum"] == ["arithmetic", "geometric", "weakest"]
    assert schema["properties"]["aggregation"]["default"] == "arithmetic"
    indicator = schema["$defs"]["Indicator"]["properties"]
    assert indicator["kind"]["enum"] == ["quantitative", "qualitative", "boolean"]
    assert indicator["weight"]["default"] == 1.0


def _validator(kind: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", RUBRICS, ids=lambda path: path.name)
def test_every_shipped_rubric_validates_against_the_schema(path: Path) -> None:
    errors = [error.message for error in _validator("rubric").iter_errors(load_document(path).data)]
    assert errors == []


@pytest.mark.parametrize("path", PROFILES, ids=lambda path: path.name)
def test_every_example_profile_validates_against_the_schema(path: Path) -> None:
    errors = [error.message for error in _validator("profile").iter_errors(load_document(path).data)]
    assert errors == []


def _readme_profiles() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    return [block for block in blocks if re.match(r"(#[^\n]*\n)*base:", block)]


def test_every_profile_form_the_readme_shows_validates_and_loads(tmp_path: Path) -> None:
    blocks = _readme_profiles()
    assert blocks, "the README shows a base profile"
    validator = _validator("profile")
    for number, block in enumerate(blocks):
        assert [error.message for error in validator.iter_errors(parse_document(block).data)] == []
        path = tmp_path / f"readme{number}.yaml"
        path.write_text(block, encoding="utf-8")
        assert load_profile(path).id


def test_the_profile_schema_takes_every_value_form_and_refuses_others() -> None:
    validator = _validator("profile")
    for value in (42, 4.5, True, None, "n/a", "N/A", "不适用", {"value": 3, "source": "audit"},
                  {"value": 78, "low": 72, "high": 82}, {"value": True, "confidence": 0.8}):
        assert validator.is_valid({"base": {"id": "b"}, "values": {"x": value}}), value
    for value in ("yes", "lots", [1], {"value": 1, "colour": "red"}):
        assert not validator.is_valid({"base": {"id": "b"}, "values": {"x": value}}), value


def test_a_schema_key_at_the_top_of_a_file_is_allowed(tmp_path: Path) -> None:
    rubric_text = (ROOT / "rubrics" / "urban_mining_upgrade.yaml").read_text(encoding="utf-8")
    with_key = tmp_path / "rubric.yaml"
    with_key.write_text("# yaml-language-server: $schema=../schemas/rubric.schema.json\n"
                        "$schema: ../schemas/rubric.schema.json\n" + rubric_text, encoding="utf-8")
    assert load_rubric(with_key).sha256 == load_rubric().sha256
    profile_text = (ROOT / "examples" / "bases" / "scrap_metal_hub.yaml").read_text(encoding="utf-8")
    profile = tmp_path / "base.yaml"
    profile.write_text("$schema: https://example.org/profile.schema.json\n" + profile_text,
                       encoding="utf-8")
    plain = score(load_rubric(), ROOT / "examples" / "bases" / "scrap_metal_hub.yaml")
    assert score(load_rubric(), profile).to_json() == plain.to_json()
    assert _validator("profile").is_valid(load_document(profile).data)
    profile.write_text("$schema: 3\n" + profile_text, encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(profile)
    assert str(info.value) == (f"{profile}:1: $schema: must be text: the path or URL of a JSON "
                               "Schema")


@pytest.mark.parametrize(("word", "meant"), [("yes", "true"), ("no", "false"), ("on", "true"),
                                             ("Off", "false"), ("YES", "true")])
def test_yaml_booleans_are_yaml_1_2_and_the_error_names_the_fix(tmp_path: Path, word: str,
                                                                meant: str) -> None:
    assert parse_document(f"a: {word}\nb: true\nc: False\n").data == {"a": word, "b": True, "c": False}
    path = tmp_path / "base.yaml"
    path.write_text(f"base: {{id: b}}\nvalues:\n  third_party_carbon_verification: {word}\n",
                    encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        score(load_rubric(), path)
    assert str(info.value) == (
        f"{path}:3: values.third_party_carbon_verification: must be a number, true/false or empty, "
        f"got str '{word}' ('{word}' is text: YAML 1.2 reads only true and false as booleans; "
        f"write {meant})")


def test_a_rubric_boolean_written_yes_names_the_fix(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "rubrics" / "categories_and_gates.yaml").read_text(encoding="utf-8")
    assert "allow_na: true" in text
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace("allow_na: true", "allow_na: yes", 1), encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    assert "allow_na: " in str(info.value)
    assert str(info.value).endswith("('yes' is text: YAML 1.2 reads only true and false as booleans; "
                                    "write true)")


def test_schema_write_writes_what_the_tests_compare(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "out")
    assert [path.name for path in written] == ["rubric.schema.json", "profile.schema.json"]
    for path in written:
        assert path.read_text(encoding="utf-8") == (SCHEMAS / path.name).read_text(encoding="utf-8")
