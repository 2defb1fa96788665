"""Base profiles: loading YAML/JSON/CSV, and every bad value is a located input error."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from upgrade_score import (
    BaseProfile,
    UpgradeScoreError,
    load_profile,
    load_profiles,
    score,
    score_many,
)
from v1 import V1_BASES

EXAMPLES = V1_BASES
EXAMPLE_IDS = {  # in file-name order
    "early_stage_mixed_base.yaml": "songxi-mixed-recycling-base",
    "ewaste_dismantling_park.yaml": "qinglan-ewaste-dismantling-park",
    "leading_circular_park.yaml": "chenghu-circular-economy-park",
    "scrap_metal_hub.yaml": "jinhe-scrap-metal-hub",
}
EARLY_STAGE_MISSING = {"same_grade_recycling_rate", "symbiosis_exchange_rate", "water_reuse_rate",
                       "carbon_accounting_coverage", "equipment_networking_rate"}

PROFILE = """\
base:
  id: test-base
  name: {zh: 测试基地, en: Test base}
  year: 2024
values:
  high_value_product_share: 42.0
  product_standard_certification: 3
  third_party_carbon_verification: true
  resource_utilisation_rate: {value: 91.5, source: "plant statistics", confidence: 0.8}
  energy_intensity: 0.6
"""
#  6 high_value_product_share (quantitative, [0, 100])   9 resource_utilisation_rate (long form)
#  7 product_standard_certification (qualitative 0..5)  10 energy_intensity (lower, [0, 10])
#  8 third_party_carbon_verification (boolean)

CSV_TEXT = """\
id,name,year,region,high_value_product_share,third_party_carbon_verification,product_standard_certification
b1,Base One,2024,East,42.5,true,3
b2,,2023,,,FALSE,
"""


def edit(changes: dict[int, str | None], text: str = PROFILE) -> str:
    lines = text.splitlines()
    assert all(1 <= n <= len(lines) for n in changes)
    out = [changes.get(n, line) for n, line in enumerate(lines, start=1)]
    return "\n".join(line for line in out if line is not None) + "\n"


def write(tmp_path: Path, text: str, name: str = "base.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(UpgradeScoreError) as info:
        load_profile(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def score_error(rubric, path: Path) -> str:
    profile = load_profile(path)
    with pytest.raises(UpgradeScoreError) as info:
        score(rubric, profile)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- loading ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXAMPLE_IDS))
def test_load_each_example(rubric, name: str) -> None:
    profile = load_profile(EXAMPLES / name)
    assert isinstance(profile, BaseProfile)
    assert profile.id == EXAMPLE_IDS[name]
    assert profile.base.year == 2025
    assert profile.base.name is not None and profile.base.name.zh and profile.base.name.en
    assert (profile.base.model_extra or {}).get("illustrative") is True
    assert set(profile.values) <= set(rubric.indicator_ids)
    missing = set(rubric.indicator_ids) - set(profile.values)
    assert missing == (EARLY_STAGE_MISSING if name.startswith("early") else set())
    card = score(rubric, profile)
    assert 0 <= card.overall.score <= 100


def test_example_values_short_and_long_form() -> None:
    profile = load_profile(EXAMPLES / "scrap_metal_hub.yaml")
    assert profile.value("high_value_product_share") == 48.0
    assert profile.value("third_party_carbon_verification") is False
    assert profile.value("not_reported_anywhere") is None
    long_form = profile.values["output_value_per_tonne"]
    assert long_form.value == 9800
    assert long_form.source == "2024 statistical yearbook of the base (fictional)"
    assert long_form.confidence == 0.9


def test_load_profile_reads_everything(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, PROFILE))
    assert profile.id == "test-base"
    assert profile.base.name is not None and profile.base.name.zh == "测试基地"
    assert profile.base.year == 2024
    assert {k: v.value for k, v in profile.values.items()} == {
        "high_value_product_share": 42.0,
        "product_standard_certification": 3.0,
        "third_party_carbon_verification": True,
        "resource_utilisation_rate": 91.5,
        "energy_intensity": 0.6,
    }
    assert profile.values["resource_utilisation_rate"].confidence == 0.8


def test_json_profile(tmp_path: Path) -> None:
    data = {"base": {"id": "json-base"}, "values": {"high_value_product_share": 42.5,
                                                   "third_party_carbon_verification": True}}
    profile = load_profile(write(tmp_path, json.dumps(data), "b.json"))
    assert profile.id == "json-base"
    assert profile.value("high_value_product_share") == 42.5


def test_json_numbers_with_exponent(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"base": {"id": "j"},
                                       "values": {"rd_intensity": 0.00001}}), "b.json")
    assert "1e-05" in path.read_text()
    assert load_profile(path).value("rd_intensity") == 0.00001
    path.write_text('{"base": {"id": "j"}, "values": {"high_value_product_share": 4.2e1}}')
    assert load_profile(path).value("high_value_product_share") == 42.0


def test_load_profiles_directory_sorted_by_file_name() -> None:
    profiles = load_profiles(EXAMPLES)
    assert [p.id for p in profiles] == list(EXAMPLE_IDS.values())
    assert isinstance(profiles, tuple)


def test_load_profiles_keeps_argument_order() -> None:
    names = ["scrap_metal_hub.yaml", "early_stage_mixed_base.yaml"]
    profiles = load_profiles(*(EXAMPLES / n for n in names))
    assert [p.id for p in profiles] == [EXAMPLE_IDS[n] for n in names]


def test_load_profiles_csv(tmp_path: Path, rubric) -> None:
    profiles = load_profiles(write(tmp_path, CSV_TEXT, "bases.csv"))
    assert [p.id for p in profiles] == ["b1", "b2"]
    b1, b2 = profiles
    assert b1.base.name is not None and b1.base.name.en == "Base One"
    assert (b1.base.year, b2.base.year) == (2024, 2023)
    assert b2.base.name is None
    assert (b1.base.model_extra or {}).get("region") == "East"
    assert {k: v.value for k, v in b1.values.items()} == {
        "high_value_product_share": 42.5,
        "third_party_carbon_verification": True,
        "product_standard_certification": 3.0,
    }
    assert b2.value("high_value_product_share") is None  # blank = missing
    assert b2.value("product_standard_certification") is None
    assert b2.value("third_party_carbon_verification") is False
    table = score_many(rubric, profiles)
    assert table.values.shape == (2, len(rubric.indicator_ids))
    hv = rubric.indicator_ids.index("high_value_product_share")
    assert table.values[0, hv] == 42.5 and math.isnan(table.values[1, hv])


def test_csv_base_id_column_blank_lines_and_bom(tmp_path: Path) -> None:
    text = "\ufeffbase_id,high_value_product_share\n\nx1,1\n  ,  \ny2,2\n"
    profiles = load_profiles(write(tmp_path, text, "t.csv"))
    assert [(p.id, p.value("high_value_product_share")) for p in profiles] == [("x1", 1.0),
                                                                            ("y2", 2.0)]


def test_directory_with_csv_and_yaml(tmp_path: Path) -> None:
    write(tmp_path, CSV_TEXT, "a_table.csv")
    write(tmp_path, PROFILE, "b_base.yaml")
    write(tmp_path, "not a profile", "notes.txt")
    assert [p.id for p in load_profiles(tmp_path)] == ["b1", "b2", "test-base"]


# --- profile errors: file:line: field: message --------------------------------------------------

def test_unknown_indicator_with_hint(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, PROFILE + "  high_value_product_shar: 3\n")
    assert score_error(rubric, path) == (
        f"{path}:11: values.high_value_product_shar: unknown indicator for rubric "
        "'urban-mining-upgrade' (did you mean 'high_value_product_share'?)")


def test_unknown_indicator_without_hint(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, edit({10: "  zzz_qqq: 1"}))
    assert score_error(rubric, path) == (
        f"{path}:10: values.zzz_qqq: unknown indicator for rubric 'urban-mining-upgrade'")


def test_boolean_for_quantitative(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, edit({6: "  high_value_product_share: true"}))
    assert score_error(rubric, path) == (
        f"{path}:6: values.high_value_product_share: expected a quantitative value (a number), "
        "got True")


def test_boolean_for_qualitative(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, edit({7: "  product_standard_certification: false"}))
    assert score_error(rubric, path) == (
        f"{path}:7: values.product_standard_certification: expected a qualitative value "
        "(a number), got False")


@pytest.mark.parametrize("value, shown", [("2.5", "2.5"), ("6", "6"), ("-1", "-1"), ("0.999", "0.999")])
def test_qualitative_level_must_be_whole_and_in_range(tmp_path: Path, rubric, value, shown) -> None:
    path = write(tmp_path, edit({7: f"  product_standard_certification: {value}"}))
    assert score_error(rubric, path) == (
        f"{path}:7: values.product_standard_certification: must be a whole level from 0 to 5, "
        f"got {shown}")


@pytest.mark.parametrize("value", ["0", "5"])
def test_qualitative_bounds_are_fine(tmp_path: Path, rubric, value: str) -> None:
    path = write(tmp_path, edit({7: f"  product_standard_certification: {value}"}))
    card = score(rubric, load_profile(path))
    assert card.overall.score >= 0


@pytest.mark.parametrize("value", ["0.5", "2", "-1"])
def test_boolean_given_a_number(tmp_path: Path, rubric, value: str) -> None:
    path = write(tmp_path, edit({8: f"  third_party_carbon_verification: {value}"}))
    assert score_error(rubric, path) == (
        f"{path}:8: values.third_party_carbon_verification: must be true or false (1 or 0), "
        f"got {value}")


@pytest.mark.parametrize("line, text, field, shown", [
    (6, "  high_value_product_share: .nan", "values.high_value_product_share", "nan"),
    (6, "  high_value_product_share: .inf", "values.high_value_product_share", "inf"),
    (10, "  energy_intensity: -.Inf", "values.energy_intensity", "-inf"),
    (9, "  resource_utilisation_rate: {value: .NaN, confidence: 0.8}",
     "values.resource_utilisation_rate.value", "nan"),
])
def test_nan_and_inf_values(tmp_path: Path, line, text, field, shown) -> None:
    path = write(tmp_path, edit({line: text}))
    assert load_error(path) == f"{path}:{line}: {field}: must be a finite number, got {shown}"


@pytest.mark.parametrize("line, text, field, shown, valid", [
    (6, "  high_value_product_share: 142", "values.high_value_product_share", "142", "[0, 100]"),
    (6, "  high_value_product_share: -0.5", "values.high_value_product_share", "-0.5", "[0, 100]"),
    (10, "  energy_intensity: 12", "values.energy_intensity", "12", "[0, 10]"),
    (9, "  resource_utilisation_rate: {value: 161.5}", "values.resource_utilisation_rate",
     "161.5", "[0, 100]"),
])
def test_value_outside_valid_range(tmp_path: Path, rubric, line, text, field, shown, valid) -> None:
    path = write(tmp_path, edit({line: text}))
    assert score_error(rubric, path) == (
        f"{path}:{line}: {field}: {shown} is outside the valid range {valid}")


def test_every_bad_value_is_reported(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, edit({6: "  high_value_product_share: 142",
                                 8: "  third_party_carbon_verification: 0.5"}))
    with pytest.raises(UpgradeScoreError) as info:
        score(rubric, load_profile(path))
    assert sorted((p.line, p.path) for p in info.value.problems) == [
        (6, ("values", "high_value_product_share")),
        (8, ("values", "third_party_carbon_verification")),
    ]
    assert str(info.value).endswith(" (and 1 more problem)")


@pytest.mark.parametrize("value, shown", [
    ("'forty'", "str 'forty'"),
    ("'42'", "str '42'"),
    ("2024-01-01", "date datetime.date(2024, 1, 1)"),
    ("[1, 2]", "list [1, 2]"),
])
def test_non_numeric_value(tmp_path: Path, value: str, shown: str) -> None:
    path = write(tmp_path, edit({6: f"  high_value_product_share: {value}"}))
    assert load_error(path) == (f"{path}:6: values.high_value_product_share: "
                                f"must be a number, true/false or empty, got {shown}")


def test_null_value_is_missing(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, edit({6: "  high_value_product_share: null"})))
    assert "high_value_product_share" in profile.values
    assert profile.value("high_value_product_share") is None


@pytest.mark.parametrize("confidence, message", [
    ("1.5", "input should be less than or equal to 1, got 1.5"),
    ("-0.1", "input should be greater than or equal to 0, got -0.1"),
    (".nan", "input should be a finite number, got nan"),
])
def test_confidence_outside_zero_one(tmp_path: Path, confidence: str, message: str) -> None:
    line = f'  resource_utilisation_rate: {{value: 91.5, confidence: {confidence}}}'
    path = write(tmp_path, edit({9: line}))
    assert load_error(path) == (
        f"{path}:9: values.resource_utilisation_rate.confidence: {message}")


def test_unknown_field_in_long_form(tmp_path: Path) -> None:
    path = write(tmp_path, edit({9: "  resource_utilisation_rate: {value: 91.5, confidance: 0.8}"}))
    assert load_error(path) == (f"{path}:9: values.resource_utilisation_rate.confidance: "
                                "unknown field (did you mean 'confidence'?)")


def test_top_level_typo_hint(tmp_path: Path) -> None:
    path = write(tmp_path, edit({5: "valuse:"}))
    assert load_error(path) == f"{path}:5: valuse: unknown field (did you mean 'values'?)"


def test_missing_base_id(tmp_path: Path) -> None:
    path = write(tmp_path, edit({2: None}))
    assert load_error(path) == f"{path}:1: base.id: required field is missing"


def test_missing_base(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join(PROFILE.splitlines()[4:]) + "\n")
    assert load_error(path) == f"{path}:1: base: required field is missing"


def test_bad_base_id(tmp_path: Path) -> None:
    path = write(tmp_path, edit({2: "  id: 'base a'"}))
    assert load_error(path).startswith(f"{path}:2: base.id: string should match pattern")


def test_profile_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    assert load_error(path) == f"{path}:1: expected a mapping of fields, got a list"


def test_duplicate_base_ids_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, PROFILE, "a.yaml")
    second = write(tmp_path, "# same base again\n" + PROFILE, "b.yaml")
    for paths in ((first, second), (tmp_path,)):
        with pytest.raises(UpgradeScoreError) as info:
            load_profiles(*paths)
        assert str(info.value) == (
            f"{second}:2: base: duplicate base id 'test-base' for year 2024 (also in {first}:1)")


def test_duplicate_base_ids_in_score_many(tmp_path: Path, rubric) -> None:
    first = load_profile(write(tmp_path, PROFILE, "a.yaml"))
    second = load_profile(write(tmp_path, PROFILE, "b.yaml"))
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, [first, second])
    assert "duplicate base id 'test-base'" in str(info.value)


# --- CSV problems ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, field, message", [
    pytest.param(CSV_TEXT.replace("id,", "ident,", 1), 1, None,
                 "needs an 'id' column naming each base", id="no-id-column"),
    pytest.param(CSV_TEXT.replace("year,", "name,", 1), 1, None, "duplicate column 'name'",
                 id="duplicate-column"),
    pytest.param(CSV_TEXT.replace("year,", ",", 1), 1, None, "column 3 has no header",
                 id="blank-header"),
    pytest.param(CSV_TEXT.replace("b2,,2023,,,FALSE,", "b2,,2023,,,FALSE"), 3, None,
                 "row has 6 cells, the header has 7", id="ragged-row"),
    pytest.param(CSV_TEXT.replace("42.5", "4x"), 2, "high_value_product_share",
                 "'4x' is not a number, true/false or blank", id="non-numeric"),
    pytest.param(CSV_TEXT.replace("42.5", "nan"), 2, "high_value_product_share",
                 "'nan' is not a number, true/false or blank", id="nan"),
    pytest.param(CSV_TEXT.replace("FALSE", "inf"), 3, "third_party_carbon_verification",
                 "'inf' is not a number, true/false or blank", id="inf"),
    pytest.param(CSV_TEXT.replace("2024", "20x4"), 2, "year", "'20x4' is not a year",
                 id="bad-year"),
    pytest.param("", 1, None, "the file is empty", id="empty-file"),
])
def test_csv_problems(tmp_path: Path, text: str, line: int, field, message: str) -> None:
    path = write(tmp_path, text, "bases.csv")
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    where = f"{path}:{line}: " + (f"{field}: " if field else "")
    assert str(info.value).startswith(where + message), str(info.value)


def test_csv_duplicate_base_id(tmp_path: Path) -> None:
    path = write(tmp_path, CSV_TEXT.replace("b2,,2023", "b1,,2024"), "bases.csv")
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert str(info.value) == f"{path}:3: duplicate base id 'b1' for year 2024 (also in {path}:2)"


def test_csv_several_bad_cells_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, CSV_TEXT.replace("42.5", "4x").replace("FALSE", "maybe"), "t.csv")
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (2, ("high_value_product_share",)), (3, ("third_party_carbon_verification",))]


def test_csv_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "id,high_value_product_share\n", "t.csv")
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert str(info.value) == f"{path}: no base profiles found"


def test_csv_value_errors_are_located_at_row_and_column(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, CSV_TEXT.replace("42.5", "142.5").replace(",3\n", ",true\n"), "t.csv")
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, load_profiles(path))
    assert sorted(str(p) for p in info.value.problems) == sorted([
        f"{path}:2: high_value_product_share: 142.5 is outside the valid range [0, 100]",
        f"{path}:2: product_standard_certification: expected a qualitative value (a number), "
        "got True",
    ])


def test_csv_unknown_column(tmp_path: Path, rubric) -> None:
    path = write(tmp_path, "id,high_value_product_shar\nb1,3\n", "t.csv")
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, load_profiles(path))
    assert str(info.value) == (
        f"{path}:2: high_value_product_shar: unknown indicator for rubric 'urban-mining-upgrade' "
        "(did you mean 'high_value_product_share'?)")


def test_csv_bad_id_names_the_real_column(tmp_path: Path) -> None:
    path = write(tmp_path, "base_id,high_value_product_share\n1 b,3\n", "t.csv")
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert str(info.value).startswith(f"{path}:2: base_id: ")


@pytest.mark.parametrize("name", ["bases.txt", "bases.xls", "bases"])  # .xlsx: test_survey.py
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, PROFILE, name)
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path)
    assert str(info.value) == (
        f"{path}: unsupported file type (expected .yaml, .yml, .json, .csv or .xlsx)")


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_directory_with_nothing_in_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no bases here")
    (empty / "sub").mkdir()
    (empty / "sub" / "base.yaml").write_text(PROFILE)  # subdirectories are not searched
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(empty)
    assert str(info.value) == f"{empty}: no base profiles found"


# --- score_many with an array ---------------------------------------------------------------------

@pytest.mark.parametrize("make_shape", [
    pytest.param(lambda m: (2, m - 1), id="one-column-short"),
    pytest.param(lambda m: (2, m + 1), id="one-column-long"),
    pytest.param(lambda m: (m, 2), id="transposed"),
    pytest.param(lambda m: (2, m, 1), id="three-dimensional"),
    pytest.param(lambda m: (m + 1,), id="flat-wrong-length"),
])
def test_array_of_wrong_shape(rubric, make_shape) -> None:
    width = len(rubric.indicator_ids)
    shape = make_shape(width)
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, np.zeros(shape))
    assert str(info.value) == (
        f"data: expected an array of shape (N, {width}) in rubric.indicator_ids order, "
        f"got shape {shape}")


def test_array_out_of_range_cell(rubric) -> None:
    data = np.full((3, len(rubric.indicator_ids)), np.nan)
    data[2, rubric.indicator_ids.index("high_value_product_share")] = 150
    data[1, rubric.indicator_ids.index("product_standard_certification")] = 2.5
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, data)
    assert sorted(str(p) for p in info.value.problems) == [
        "data[1].product_standard_certification: must be a whole level from 0 to 5, got 2.5",
        "data[2].high_value_product_share: 150 is outside the valid range [0, 100]",
    ]


def test_array_inf_cell(rubric) -> None:
    data = np.full((1, len(rubric.indicator_ids)), np.nan)
    data[0, rubric.indicator_ids.index("energy_intensity")] = -np.inf
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, data)
    assert str(info.value) == "data[0].energy_intensity: must be a finite number, got -inf"


@pytest.mark.parametrize("ids", [["a", "b"], ["a", "b", "c", "d"], []])
def test_array_ids_of_wrong_length(rubric, ids) -> None:
    data = np.full((3, len(rubric.indicator_ids)), np.nan)
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, data, ids=ids)
    assert str(info.value) == f"ids: {len(ids)} ids given for 3 rows"


def test_array_ids_of_right_length(rubric) -> None:
    data = np.full((3, len(rubric.indicator_ids)), np.nan)
    table = score_many(rubric, data, ids=["a", "b", "c"])
    assert tuple(table.ids) == ("a", "b", "c")


def test_array_of_strings(rubric) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, [["x"] * len(rubric.indicator_ids)])
    assert str(info.value) == "data: expected profiles or a numeric N×M array"
