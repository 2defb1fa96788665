"""Rubric and profile inputs that used to pass silently (issue 11): derived numbers that are not
finite, profiles without values, unknown base fields. Each is one located line (file, line, field)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from upgrade_score import UpgradeScoreError, load_rubric, score_many

RUBRIC = """\
id: tiny
version: "1"
title: Tiny
levels:
  - {level: 1, name: One}
  - {level: 2, name: Two}
  - {level: 3, name: Three}
categories:
  - {id: big, name: Big}
directions:
  - id: only
    name: Only
    indicators:
      - id: x
        name: X
"""
# line 14: "- id: x"; the fields added below it are on lines 16, 17, ...


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rubric_error(tmp_path: Path, fields: str) -> tuple[Path, UpgradeScoreError]:
    path = write(tmp_path, RUBRIC + fields)
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    return path, info.value


X = "directions[0].indicators[0]"


@pytest.mark.parametrize("fields, line, where, fragment", [
    # the default floor t1 - (t2 - t1) overflows to -inf
    ("        thresholds: [-9e307, 8e307, 1.7e308]\n", 16, "thresholds",
     "the default floor (one step before -9e+307) overflows to -inf; give an explicit 'floor'"),
    # better: lower mirrors it: the default floor overflows to +inf
    ("        better: lower\n        thresholds: [9e307, -8e307, -1.7e308]\n", 17, "thresholds",
     "the default floor (one step before 9e+307) overflows to inf; give an explicit 'floor'"),
    # a step (threshold to threshold) that overflows
    ("        thresholds: [-1e308, 1e308, 1.5e308]\n        floor: -1.1e308\n", 16, "thresholds",
     "the span from -1.1e+308 to 1.5e+308 is too large to compute with"),
    # every step finite, the span floor..t_L not
    ("        thresholds: [0, 9e307, 1.7e308]\n        floor: -1e308\n", 16, "thresholds",
     "the span from -1e+308 to 1.7e+308 is too large to compute with"),
    # subnormal steps: 1 / step overflows in the compiled rates
    ("        thresholds: [0, 1e-310, 2e-310]\n", 16, "thresholds[1]",
     "the step from 0 to 1e-310 is too small to compute with"),
    ("        thresholds: [1e-300, 2e-300, 3e-300]\n        floor: 9.999999999e-301\n", 17, "floor",
     "the step from 9.999999999e-301 to 1e-300 is too small to compute with"),
])
def test_non_finite_derived_values_are_refused(tmp_path: Path, fields: str, line: int, where: str,
                                               fragment: str) -> None:
    path, err = rubric_error(tmp_path, fields)
    assert str(err).startswith(f"{path}:{line}: {X}.{where}: {fragment}"), str(err)
    assert "\n" not in str(err)


def test_category_bars_are_checked_too(tmp_path: Path) -> None:
    path, err = rubric_error(tmp_path, "        thresholds: [1, 2, 3]\n"
                                       "        thresholds_by_category:\n"
                                       "          big: [-9e307, 8e307, 1.7e308]\n")
    assert str(err).startswith(f"{path}:18: {X}.thresholds_by_category.big: the default floor "
                               "(one step before -9e+307) overflows to -inf"), str(err)
    path, err = rubric_error(tmp_path, "        thresholds: [1e-300, 2e-300, 3e-300]\n"
                                       "        floor_by_category: {big: 9.999999999e-301}\n")
    assert str(err).startswith(f"{path}:17: {X}.floor_by_category.big: the step from 9.999999999e-301 "
                               "to 1e-300 is too small to compute with"), str(err)


def test_extreme_but_computable_thresholds_still_score(tmp_path: Path) -> None:
    """The rules refuse only what cannot be computed: huge and tiny units that fit are fine."""
    for fields, value in (("        thresholds: [-4e307, 0, 4e307]\n", 2e307),
                          ("        thresholds: [1e-300, 2e-300, 3e-300]\n", 2.5e-300)):
        rubric = load_rubric(write(tmp_path, RUBRIC + fields))
        table = score_many(rubric, np.array([[value]]))
        assert table.indicator_levels[0, 0] == pytest.approx(2.5)
        assert np.isfinite(np.array(rubric.compiled.column_rules[0][3])).all()


def test_compiling_an_unchecked_rubric_refuses_non_finite_arrays() -> None:
    """A rubric built without validation (model_construct) cannot reach the engine either."""
    from upgrade_score import Rubric
    from upgrade_score._model.rubric import Direction, Indicator, Label, Level

    indicator = Indicator.model_construct(id="x", name=Label(en="X"), kind="quantitative",
                                          better="higher", thresholds=(-9e307, 8e307, 1.7e308),
                                          floor=None, interpolation="linear", valid_range=None,
                                          weight=1.0, allow_na=False, applies_to=None,
                                          thresholds_by_category=None, floor_by_category=None)
    rubric = Rubric.model_construct(
        id="raw", version="1", title=Label(en="Raw"), level_cutoffs=None,
        levels=tuple(Level(level=k, name=Label(en=str(k))) for k in (1, 2, 3)),
        aggregation="arithmetic", missing="zero", categories=None, gates=None,
        directions=(Direction.model_construct(id="d", name=Label(en="D"), weight=1.0,
                                              indicators=(indicator,)),))
    with pytest.raises(UpgradeScoreError, match="indicator 'x': its thresholds cannot be computed with"):
        score_many(rubric, np.array([[1.0]]))


# --- profiles: a values section, and only the documented base fields ---------------------------

PROJECT = Path(__file__).resolve().parents[2]


def profile_error(tmp_path: Path, text: str, name: str = "b.yaml") -> tuple[Path, UpgradeScoreError]:
    from upgrade_score import load_profile

    path = write(tmp_path, text, name)
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    assert "\n" not in str(info.value)
    return path, info.value


def test_a_profile_without_values_is_an_error(tmp_path: Path) -> None:
    path, err = profile_error(tmp_path, "base:\n  id: x\n  name: X\n")
    assert str(err) == f"{path}:1: values: required field is missing"
    path, err = profile_error(tmp_path, "base: {id: x}\nvalues:\n")
    assert str(err) == (f"{path}:2: values: is empty: list the values the base reports here "
                        "(write 'values: {}' for a base that reports none)")
    path, err = profile_error(tmp_path, '{"base": {"id": "x"},\n "values": null}', "b.json")
    assert str(err).startswith(f"{path}:2: values: is empty")


def test_explicitly_empty_values_is_a_base_with_every_value_missing(tmp_path: Path, rubric) -> None:
    from upgrade_score import load_profile, score

    card = score(rubric, load_profile(write(tmp_path, "base: {id: x}\nvalues: {}\n", "b.yaml")))
    assert card.overall.completeness == 0.0 and card.overall.score == 0.0


@pytest.mark.parametrize("field, line, message", [
    ("  nmae: Jinhe\n", 3, "unknown field (did you mean 'name'?)"),
    ("  yaer: 2025\n", 3, "unknown field (did you mean 'year'?)"),
    ("  regoin: East\n", 3, "unknown field (did you mean 'region'?)"),
    ("  colour: red\n", 3, "unknown field (allowed: id, name, year, region, province, city, category, "
                           "notes, rubric_version, illustrative, meta; put anything else under "
                           "'meta')"),
    ("  category: [ferrous, ewaste]\n", 3, "must be text or a whole number, got list ['ferrous', 'ewaste']"),
    ("  region: 1.5\n", 3, "must be text or a whole number, got float 1.5"),
    ("  illustrative: 'yes'\n", 3, "must be true or false, got str 'yes' ('yes' is text: YAML 1.2 "
                                   "reads only true and false as booleans; write true)"),
    ("  illustrative: 3\n", 3, "must be true or false, got int 3"),
    ("  meta: [1, 2]\n", 3, "must be a mapping of names to values, got list [1, 2]"),
    ("  meta:\n    sizes: {big: .nan}\n", 4, "must be plain data (text, numbers, true/false, lists, "
                                            "mappings), got float nan"),
])
def test_base_fields_are_the_documented_ones(tmp_path: Path, field: str, line: int, message: str) -> None:
    path, err = profile_error(tmp_path, "base:\n  id: x\n" + field + "values: {}\n")
    where = field.split(":")[0].strip()
    if where == "meta" and "sizes" in field:
        where = "meta.sizes.big"
    assert str(err) == f"{path}:{line}: base.{where}: {message}"


def test_documented_base_fields_are_kept_as_given(tmp_path: Path) -> None:
    from upgrade_score import load_profile

    text = ("base:\n  id: x\n  name: X\n  year: 2025\n  region: 华东\n  province: 江苏\n  city: 苏州\n"
            "  category: ferrous\n  notes: visited in May\n  illustrative: true\n  meta:\n"
            "    admin_code: 320500\n    sources: [survey, site visit]\n    contact: {unit: 发改委}\n"
            "values: {}\n")
    base = load_profile(write(tmp_path, text)).base
    assert base.model_extra == {"region": "华东", "province": "江苏", "city": "苏州", "category": "ferrous",
                                "notes": "visited in May", "illustrative": True,
                                "meta": {"admin_code": 320500, "sources": ["survey", "site visit"],
                                         "contact": {"unit": "发改委"}}}
    assert base.region == "华东"  # extra fields read as attributes too
    code = load_profile(write(tmp_path, "base: {id: x, region: 320000}\nvalues: {}\n")).base
    assert (code.model_extra or {})["region"] == 320000  # an administrative code


def test_every_shipped_profile_and_rubric_is_valid() -> None:
    from upgrade_score import load_profiles, score_many

    examples = load_profiles(PROJECT / "examples" / "bases")
    assert len(examples) == 5 and len(score_many(load_rubric(), examples)) == 5  # the default scores them
    rubric = load_rubric(PROJECT / "examples" / "rubrics" / "categories_and_gates.yaml")
    assert len(load_profiles(PROJECT / "examples" / "rubrics" / "bases", rubric=rubric)) == 3
    for path in (PROJECT / "rubrics").glob("*.yaml"):
        load_rubric(path)


def test_the_profile_schema_lists_the_base_fields() -> None:
    from upgrade_score import BaseProfile

    schema = BaseProfile.model_json_schema()
    info = schema["$defs"]["BaseInfo"]
    assert info["additionalProperties"] is False
    assert list(info["properties"]) == ["id", "name", "year", "region", "province", "city", "category",
                                        "notes", "rubric_version", "illustrative", "meta"]
    assert "values" in schema["required"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate({"base": {"id": "b", "region": "East", "meta": {"k": [1]}}, "values": {}}, schema)
    for bad in ({"base": {"id": "b", "nmae": "B"}, "values": {}}, {"base": {"id": "b"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_a_misspelt_values_section_is_one_problem(tmp_path: Path) -> None:
    path, err = profile_error(tmp_path, "base: {id: x}\nvaleus:\n  a: 1\n")
    assert str(err) == f"{path}:2: valeus: unknown field (did you mean 'values'?)"
    path, err = profile_error(tmp_path, "base: {id: x}\nindicators:\n  a: 1\n")
    assert [str(p) for p in err.problems] == [f"{path}:1: values: required field is missing",
                                              f"{path}:2: indicators: unknown field"]


def test_a_text_longer_than_ten_thousand_characters_is_refused_at_its_field(tmp_path: Path) -> None:
    """A 5 MB base name would otherwise be printed whole as the heading of every output."""
    from upgrade_score import load_profile

    path = write(tmp_path, f"base: {{id: big, name: {'a' * 20_000}}}\nvalues: {{}}\n", "p.yaml")
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (1, ("base", "name"))
    assert str(problem).startswith(f"{path}:1: base.name: string should have at most 10000 characters")
    assert len(str(problem)) < 300
