"""The rubric: the built-in one, and one test per validation rule with exact file:line and path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from upgrade_score import Label, Rubric, UpgradeScoreError, load_rubric
from upgrade_score._io.rubrics import builtin_path, builtin_rubrics, builtin_versions, rubric_path
from v1 import V1_PATH

BUILTIN_PATH = Path(__file__).resolve().parents[2] / "rubrics" / "urban_mining_upgrade.yaml"
DIRECTION_IDS = ("high_value", "chain", "green", "low_carbon", "intelligent", "clustered")

# A small valid rubric: 3 levels, 2 directions; a quantitative (higher), a qualitative,
# a quantitative (lower) and a boolean indicator. Line numbers are on the right.
BASE = """\
id: mini
version: "1"
title: {en: Mini rubric}
levels:
  - {level: 1, name: {en: One}}
  - {level: 2, name: {en: Two}}
  - {level: 3, name: {en: Three}}
directions:
  - id: alpha
    name: {en: Alpha}
    weight: 1
    indicators:
      - id: share
        name: {en: Share}
        kind: quantitative
        better: higher
        thresholds: [10, 20, 30]
        floor: 0
        valid_range: [0, 100]
        weight: 2
      - id: rating
        name: {en: Rating}
        kind: qualitative
        descriptors:
          1: {en: Basic}
          3: {en: Leading}
  - id: beta
    name: {en: Beta}
    weight: 3
    indicators:
      - id: cost
        name: {zh: 成本, en: Cost}
        better: lower
        thresholds: [30, 20, 10]
        floor: 40
        weight: 1.5
      - id: certified
        name: {zh: 认证, en: Certified}
        kind: boolean
"""
#  1 id            9 - id: alpha      17 thresholds (share)   27 - id: beta        35 floor (cost)
#  2 version      10 name             18 floor (share)        28 name              36 weight (cost)
#  3 title        11 weight (alpha)   19 valid_range          29 weight (beta)     37 - id: certified
#  4 levels:      12 indicators:      20 weight (share)       30 indicators:       38 name
#  5 level 1      13 - id: share      21 - id: rating         31 - id: cost        39 kind: boolean
#  6 level 2      14 name             22 name                 32 name
#  7 level 3      15 kind             23 kind: qualitative    33 better: lower
#  8 directions:  16 better           24 descriptors:         34 thresholds (cost)
#                                     25/26 descriptors 1, 3
END = 40  # the line of anything appended to BASE

SINGLE_LEVEL = """\
id: one
version: "1"
title: {en: One level}
levels:
  - {level: 1, name: {en: Done}}
directions:
  - id: only
    name: {en: Only}
    indicators:
      - id: share
        name: {en: Share}
        thresholds: [50]
"""


def edit(changes: dict[int, str | None], text: str = BASE) -> str:
    """``text`` with line N replaced by ``changes[N]`` (which may hold several lines; None deletes)."""
    lines = text.splitlines()
    assert all(1 <= n <= len(lines) for n in changes)
    out = []
    for n, line in enumerate(lines, start=1):
        if n not in changes:
            out.append(line)
        elif changes[n] is not None:
            out.append(changes[n])
    return "\n".join(out) + "\n"


def rubric_error(tmp_path: Path, text: str) -> tuple[Path, UpgradeScoreError]:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    return path, info.value


def expect(tmp_path: Path, text: str, line: int, field: str, message: str) -> UpgradeScoreError:
    """Loading ``text`` fails first at ``file:line: field: message`` (``message`` is a prefix)."""
    path, err = rubric_error(tmp_path, text)
    first = str(err.problems[0])
    where = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    assert first.startswith(where), first
    assert first[len(where):].startswith(message), first
    assert str(err).startswith(first)
    assert "\n" not in str(err)
    return err


# --- the built-in rubric ------------------------------------------------------------------------

def test_base_rubric_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(BASE, encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.id == "mini"
    assert rubric.level_count == 3
    assert rubric.direction_ids == ["alpha", "beta"]
    assert rubric.indicator_ids == ["share", "rating", "cost", "certified"]
    assert [i.kind for i in rubric.indicators] == ["quantitative", "qualitative",
                                                    "quantitative", "boolean"]
    assert len(BASE.splitlines()) == END - 1


def test_builtin_rubric_loads_three_ways() -> None:
    default = load_rubric()
    by_id = load_rubric("urban-mining-upgrade")
    by_path = load_rubric(BUILTIN_PATH)
    by_str_path = load_rubric(str(BUILTIN_PATH))
    assert default.id == "urban-mining-upgrade"
    assert default == by_id == by_path == by_str_path
    assert default.sha256 == by_path.sha256
    assert load_rubric(default) is default


def test_builtin_rubric_shape() -> None:
    rubric = load_rubric()
    assert rubric.direction_ids == list(DIRECTION_IDS)
    assert rubric.level_count == 5
    assert [level.level for level in rubric.levels] == [1, 2, 3, 4, 5]
    for direction in rubric.directions:
        assert 5 <= len(direction.indicators) <= 10, direction.id
        assert direction.name.zh and direction.name.en
        for indicator in direction.indicators:
            assert indicator.name.zh and indicator.name.en, indicator.id
            assert isinstance(indicator.source, Label) and indicator.source.zh and indicator.source.en
            assert indicator.rationale and str(indicator.rationale).strip(), indicator.id
    assert len(set(rubric.indicator_ids)) == len(rubric.indicator_ids)


@pytest.mark.parametrize("source", ["no-such-rubric", "missing/rubric.yaml"])
def test_unknown_builtin_or_missing_file(source: str) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(source)
    assert str(info.value) == (f"{source}: no such file or built-in rubric "
                               "(built-in: urban-mining-upgrade, urban-mining-upgrade@2026.1)")


def test_a_kept_version_is_built_in_as_id_at_version() -> None:
    older = load_rubric("urban-mining-upgrade@2026.1")
    assert (older.id, older.version, len(older.indicators)) == ("urban-mining-upgrade", "2026.1", 35)
    assert older == load_rubric(V1_PATH) and older != load_rubric()
    # the current version answers to its own version too
    assert load_rubric("urban-mining-upgrade@2026.2") == load_rubric("urban-mining-upgrade")
    assert builtin_versions("urban-mining-upgrade") == ("2026.1", "2026.2")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric("urban-mining-upgrade@2025.9")
    assert str(info.value) == ("urban-mining-upgrade@2025.9: the built-in rubric 'urban-mining-upgrade' "
                               "has no version '2025.9' (versions: 2026.1, 2026.2)")
    assert builtin_path("urban-mining-upgrade@") is None and builtin_path("@2026.1") is None


def test_every_kept_file_holds_the_version_its_name_says() -> None:
    for name, path in builtin_rubrics().items():
        rubric_id, at, version = name.partition("@")
        rubric = load_rubric(path)
        assert rubric.id == rubric_id, path
        if at:
            assert rubric.version == version, path


def test_missing_file_path(tmp_path: Path) -> None:
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(tmp_path / "nope.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'nope.yaml'}: no such file")


# --- one test per validation rule ---------------------------------------------------------------

def test_unknown_field_with_hint(tmp_path: Path) -> None:
    expect(tmp_path, edit({20: "        wieght: 2"}), 20, "directions[0].indicators[0].wieght",
           "unknown field (did you mean 'weight'?)")


def test_unknown_top_level_field_with_hint(tmp_path: Path) -> None:
    expect(tmp_path, BASE + "level_cutof: [10, 20, 30]\n", END, "level_cutof",
           "unknown field (did you mean 'level_cutoffs'?)")


def test_unknown_field_in_label(tmp_path: Path) -> None:
    expect(tmp_path, edit({14: "        name: {en: Share, fr: Part}"}), 14,
           "directions[0].indicators[0].name.fr", "unknown field")


def test_unknown_field_hint_comes_from_the_right_model(tmp_path: Path) -> None:
    err = expect(tmp_path, BASE + "weight: 2\n", END, "weight", "unknown field")
    assert "did you mean 'weight'" not in str(err)
    expect(tmp_path, BASE + "levl: 3\n", END, "levl", "unknown field (did you mean 'levels'?)")


@pytest.mark.parametrize("changes, line, field", [
    ({22: None}, 21, "directions[0].indicators[1].name"),
    ({2: None}, 1, "version"),
    ({10: None}, 9, "directions[0].name"),
    ({5: "  - {name: {en: One}}"}, 5, "levels[0].level"),
])
def test_missing_required_field(tmp_path: Path, changes, line: int, field: str) -> None:
    expect(tmp_path, edit(changes), line, field, "required field is missing")


def test_missing_indicators(tmp_path: Path) -> None:
    text = "\n".join(BASE.splitlines()[:29]) + "\n"  # beta without indicators
    expect(tmp_path, text, 27, "directions[1].indicators", "required field is missing")


def test_quantitative_without_thresholds(tmp_path: Path) -> None:
    expect(tmp_path, edit({17: None}), 13, "directions[0].indicators[0].thresholds",
           "a quantitative indicator needs 3 thresholds")


def test_duplicate_direction_id(tmp_path: Path) -> None:
    expect(tmp_path, edit({27: "  - id: alpha"}), 27, "directions[1].id",
           "duplicate direction id 'alpha' (also directions[0])")


def test_duplicate_indicator_id_across_directions(tmp_path: Path) -> None:
    expect(tmp_path, edit({31: "      - id: share"}), 31, "directions[1].indicators[0].id",
           "duplicate indicator id 'share' (also directions[0].indicators[0])")


def test_duplicate_indicator_id_within_direction(tmp_path: Path) -> None:
    expect(tmp_path, edit({21: "      - id: share"}), 21, "directions[0].indicators[1].id",
           "duplicate indicator id 'share' (also directions[0].indicators[0])")


@pytest.mark.parametrize("line, text, field, shown", [
    (11, "    weight: 0", "directions[0].weight", "0"),
    (29, "    weight: -3", "directions[1].weight", "-3"),
    (20, "        weight: 0", "directions[0].indicators[0].weight", "0"),
    (36, "        weight: -1.5", "directions[1].indicators[0].weight", "-1.5"),
])
def test_non_positive_weight(tmp_path: Path, line: int, text: str, field: str, shown: str) -> None:
    expect(tmp_path, edit({line: text}), line, field,
           f"input should be greater than or equal to 0.000000001, got {shown}")


def test_weight_too_large_for_exact_sums(tmp_path: Path) -> None:
    expect(tmp_path, edit({11: "    weight: 1.0e12"}), 11, "directions[0].weight",
           "input should be less than or equal to 1000000000, got 1000000000000.0")


@pytest.mark.parametrize("thresholds, index, detail", [
    ("[10, 20, 20]", 2, "20 follows 20"),
    ("[10, 5, 30]", 1, "5 follows 10"),
])
def test_thresholds_must_increase_for_higher(tmp_path: Path, thresholds, index, detail) -> None:
    expect(tmp_path, edit({17: f"        thresholds: {thresholds}"}), 17,
           f"directions[0].indicators[0].thresholds[{index}]",
           f"must strictly increase (better: higher); {detail}")


def test_threshold_problem_points_at_the_item_line(tmp_path: Path) -> None:
    block = "        thresholds:\n          - 10\n          - 20\n          - 15"
    expect(tmp_path, edit({17: block}), 20, "directions[0].indicators[0].thresholds[2]",
           "must strictly increase (better: higher); 15 follows 20")


@pytest.mark.parametrize("thresholds, index, detail", [
    ("[30, 35, 10]", 1, "35 follows 30"),
    ("[30, 20, 20]", 2, "20 follows 20"),
])
def test_thresholds_must_decrease_for_lower(tmp_path: Path, thresholds, index, detail) -> None:
    expect(tmp_path, edit({34: f"        thresholds: {thresholds}"}), 34,
           f"directions[1].indicators[0].thresholds[{index}]",
           f"must strictly decrease (better: lower); {detail}")


@pytest.mark.parametrize("thresholds, count", [("[10, 20]", 2), ("[10, 20, 30, 40]", 4), ("[]", 0)])
def test_wrong_number_of_thresholds(tmp_path: Path, thresholds: str, count: int) -> None:
    expect(tmp_path, edit({17: f"        thresholds: {thresholds}"}), 17,
           "directions[0].indicators[0].thresholds",
           f"needs exactly 3 values (one per level), got {count}")


@pytest.mark.parametrize("line, floor, field, message", [
    (18, "10", "directions[0].indicators[0].floor",
     "must be below the first threshold 10 (better: higher)"),
    (18, "15", "directions[0].indicators[0].floor",
     "must be below the first threshold 10 (better: higher)"),
    (35, "30", "directions[1].indicators[0].floor",
     "must be above the first threshold 30 (better: lower)"),
    (35, "25", "directions[1].indicators[0].floor",
     "must be above the first threshold 30 (better: lower)"),
])
def test_floor_on_the_wrong_side(tmp_path: Path, line, floor, field, message) -> None:
    expect(tmp_path, edit({line: f"        floor: {floor}"}), line, field, message)


def test_empty_indicators(tmp_path: Path) -> None:
    text = "\n".join(BASE.splitlines()[:29]) + "\n    indicators: []\n"
    expect(tmp_path, text, 30, "directions[1].indicators", "needs at least 1 item, got 0")


def test_empty_directions(tmp_path: Path) -> None:
    text = "\n".join(BASE.splitlines()[:7]) + "\ndirections: []\n"
    expect(tmp_path, text, 8, "directions", "needs at least 1 item, got 0")


def test_empty_levels(tmp_path: Path) -> None:
    expect(tmp_path, edit({4: "levels: []", 5: None, 6: None, 7: None}), 4, "levels",
           "needs at least 1 item, got 0")


@pytest.mark.parametrize("changes, line, index, expected", [
    ({6: "  - {level: 3, name: {en: Two}}"}, 6, 1, 2),
    ({5: "  - {level: 0, name: {en: One}}"}, 5, 0, 1),
    ({7: "  - {level: 4, name: {en: Three}}"}, 7, 2, 3),
])
def test_levels_numbered_one_to_l(tmp_path: Path, changes, line, index, expected) -> None:
    expect(tmp_path, edit(changes), line, f"levels[{index}].level",
           f"levels must be numbered 1..3 in order; expected {expected}")


@pytest.mark.parametrize("cutoffs, field, message", [
    ("[20, 40]", "level_cutoffs", "needs exactly 3 values (one per level), got 2"),
    ("[20, 40, 60, 80]", "level_cutoffs", "needs exactly 3 values (one per level), got 4"),
    ("[20, 60, 40]", "level_cutoffs[2]", "must strictly increase; 40 follows 60"),
    ("[20, 20, 40]", "level_cutoffs[1]", "must strictly increase; 20 follows 20"),
    ("[0, 50, 100]", "level_cutoffs[0]", "must be in (0, 100], got 0"),
    ("[-5, 50, 100]", "level_cutoffs[0]", "must be in (0, 100], got -5"),
    ("[20, 50, 100.5]", "level_cutoffs[2]", "must be in (0, 100], got 100.5"),
])
def test_level_cutoffs(tmp_path: Path, cutoffs: str, field: str, message: str) -> None:
    expect(tmp_path, BASE + f"level_cutoffs: {cutoffs}\n", END, field, message)


def test_valid_level_cutoffs(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(BASE + "level_cutoffs: [16, 36, 100]\n", encoding="utf-8")
    assert load_rubric(path).cutoffs == (16.0, 36.0, 100.0)


@pytest.mark.parametrize("line, text, field", [
    (14, "        name: {}", "directions[0].indicators[0].name"),
    (5, "  - {level: 1, name: {}}", "levels[0].name"),
    (3, "title: {zh: null, en: null}", "title"),
])
def test_label_needs_zh_or_en(tmp_path: Path, line: int, text: str, field: str) -> None:
    expect(tmp_path, edit({line: text}), line, field, "a label needs 'zh' or 'en' text")


def test_label_text_must_not_be_empty(tmp_path: Path) -> None:
    expect(tmp_path, edit({10: "    name: {en: ''}"}), 10, "directions[0].name.en",
           "string should have at least 1 character")


@pytest.mark.parametrize("line, text, field, message", [
    (20, "        weight: two", "directions[0].indicators[0].weight",
     "input should be a valid number, got 'two'"),
    (20, "        weight: '2'", "directions[0].indicators[0].weight",
     "input should be a valid number, got '2'"),
    (20, "        weight: true", "directions[0].indicators[0].weight",
     "input should be a valid number, got True"),
    (11, "    weight: [1]", "directions[0].weight", "input should be a valid number"),
    (2, "version: 2024.1", "version", "input should be a valid string, got 2024.1"),
    (2, "version: 1", "version", "input should be a valid string, got 1"),
    (5, "  - {level: true, name: {en: One}}", "levels[0].level", "input should be a valid integer"),
    (17, "        thresholds: [10, '20', 30]", "directions[0].indicators[0].thresholds[1]",
     "input should be a valid number, got '20'"),
])
def test_wrong_types(tmp_path: Path, line: int, text: str, field: str, message: str) -> None:
    expect(tmp_path, edit({line: text}), line, field, message)


@pytest.mark.parametrize("line, text, field, shown", [
    (17, "        thresholds: [10, .nan, 30]", "directions[0].indicators[0].thresholds[1]", "nan"),
    (17, "        thresholds: [10, 20, .inf]", "directions[0].indicators[0].thresholds[2]", "inf"),
    (17, "        thresholds: [-.Inf, 20, 30]", "directions[0].indicators[0].thresholds[0]", "-inf"),
    (18, "        floor: .NaN", "directions[0].indicators[0].floor", "nan"),
    (19, "        valid_range: [0, .inf]", "directions[0].indicators[0].valid_range[1]", "inf"),
    (20, "        weight: .inf", "directions[0].indicators[0].weight", "inf"),
])
def test_nan_and_inf(tmp_path: Path, line: int, text: str, field: str, shown: str) -> None:
    expect(tmp_path, edit({line: text}), line, field,
           f"input should be a finite number, got {shown}")


@pytest.mark.parametrize("extra, name", [
    ("        thresholds: [1, 2, 3]", "thresholds"),
    ("        floor: 0", "floor"),
    ("        valid_range: [0, 3]", "valid_range"),
    ("        better: lower", "better"),
])
def test_quantitative_fields_on_qualitative(tmp_path: Path, extra: str, name: str) -> None:
    text = edit({23: "        kind: qualitative\n" + extra})
    expect(tmp_path, text, 24, f"directions[0].indicators[1].{name}",
           f"only quantitative indicators take '{name}' (kind is qualitative)")


def test_thresholds_on_boolean(tmp_path: Path) -> None:
    text = BASE + "        thresholds: [1, 2, 3]\n"
    expect(tmp_path, text, END, "directions[1].indicators[1].thresholds",
           "only quantitative indicators take 'thresholds' (kind is boolean)")


def test_descriptors_on_quantitative(tmp_path: Path) -> None:
    text = edit({20: "        weight: 2\n        descriptors: {1: {en: Some}}"})
    expect(tmp_path, text, 21, "directions[0].indicators[0].descriptors",
           "only qualitative indicators take descriptors")


def test_descriptors_on_boolean(tmp_path: Path) -> None:
    text = BASE + "        descriptors: {1: {en: Certified}}\n"
    expect(tmp_path, text, END, "directions[1].indicators[1].descriptors",
           "boolean indicators take no descriptors")


@pytest.mark.parametrize("key", [4, -1])
def test_descriptor_level_out_of_range(tmp_path: Path, key: int) -> None:
    expect(tmp_path, edit({26: f"          {key}: {{en: Leading}}"}), 26,
           f"directions[0].indicators[1].descriptors[{key}]", "descriptor level must be in 0..3")


def test_descriptor_level_zero_and_top_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(edit({25: "          0: {en: None yet}"}), encoding="utf-8")
    assert sorted(load_rubric(path).indicator("rating").descriptors or {}) == [0, 3]


@pytest.mark.parametrize("line, text, field, message", [
    (END, "aggregation: median", "aggregation",
     "input should be 'arithmetic', 'geometric' or 'weakest', got 'median'"),
    (END, "missing: skip", "missing", "input should be 'zero' or 'exclude', got 'skip'"),
    (39, "        kind: yesno", "directions[1].indicators[1].kind",
     "input should be 'quantitative', 'qualitative' or 'boolean', got 'yesno'"),
    (33, "        better: smaller", "directions[1].indicators[0].better",
     "input should be 'higher' or 'lower', got 'smaller'"),
    (16, "        interpolation: cubic", "directions[0].indicators[0].interpolation",
     "input should be 'linear' or 'step', got 'cubic'"),
])
def test_unknown_enum_values(tmp_path: Path, line: int, text: str, field: str, message: str) -> None:
    source = BASE + text + "\n" if line == END else edit({line: text})
    expect(tmp_path, source, line, field, message)


@pytest.mark.parametrize("text, kind", [
    ("- a\n- b\n", "a list"),
    ("just a string\n", "a str"),
    ("42\n", "a int"),
    ("---\n", "empty"),
])
def test_top_level_not_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    path, err = rubric_error(tmp_path, text)
    assert str(err) == f"{path}:1: expected a mapping of fields, got {kind}"


@pytest.mark.parametrize("valid_range", ["[100, 0]", "[5, 5]"])
def test_valid_range_low_below_high(tmp_path: Path, valid_range: str) -> None:
    expect(tmp_path, edit({19: f"        valid_range: {valid_range}"}), 19,
           "directions[0].indicators[0].valid_range", "must be [low, high] with low < high")


def test_valid_range_needs_two_values(tmp_path: Path) -> None:
    expect(tmp_path, edit({19: "        valid_range: [0, 50, 100]"}), 19,
           "directions[0].indicators[0].valid_range", "tuple should have at most 2 items")


def test_single_level_rubric_needs_floor(tmp_path: Path) -> None:
    expect(tmp_path, SINGLE_LEVEL, 10, "directions[0].indicators[0].floor",
           "a rubric with a single level needs an explicit floor")
    path = tmp_path / "single.yaml"
    path.write_text(SINGLE_LEVEL + "        floor: 0\n", encoding="utf-8")
    assert load_rubric(path).level_count == 1


def test_bad_id(tmp_path: Path) -> None:
    expect(tmp_path, edit({13: "      - id: 'share of output'"}), 13,
           "directions[0].indicators[0].id", "string should match pattern")


# --- several problems, one line -----------------------------------------------------------------

def test_several_field_problems_are_all_listed(tmp_path: Path) -> None:
    text = edit({2: "version: 1", 29: "    weight: 0", 36: "        wieght: 1.5"})
    path, err = rubric_error(tmp_path, text)
    assert [(p.line, p.path) for p in err.problems] == [
        (2, ("version",)),
        (29, ("directions", 1, "weight")),
        (36, ("directions", 1, "indicators", 0, "wieght")),
    ]
    assert all(p.file == str(path) for p in err.problems)
    assert str(err) == f"{path}:2: version: input should be a valid string, got 1 (and 2 more problems)"


@pytest.mark.parametrize("changes, paths", [
    ({20: "        weight: 0", 36: "        weight: 0"},
     [("directions", 0, "indicators", 0, "weight"), ("directions", 1, "indicators", 0, "weight")]),
    ({20: "        weight: 0", 22: "        name: {}"},
     [("directions", 0, "indicators", 0, "weight"), ("directions", 0, "indicators", 1, "name")]),
])
def test_no_spurious_empty_list_problem(tmp_path: Path, changes, paths) -> None:
    _, err = rubric_error(tmp_path, edit(changes))
    assert [p.path for p in err.problems] == paths


def test_several_rule_problems_are_all_listed(tmp_path: Path) -> None:
    text = edit({6: "  - {level: 5, name: {en: Two}}", 27: "  - id: alpha",
                 34: "        thresholds: [30, 35, 10]"})
    path, err = rubric_error(tmp_path, text)
    assert [str(p) for p in err.problems] == [
        f"{path}:6: levels[1].level: levels must be numbered 1..3 in order; expected 2",
        f"{path}:27: directions[1].id: duplicate direction id 'alpha' (also directions[0])",
        f"{path}:34: directions[1].indicators[0].thresholds[1]: must strictly decrease "
        "(better: lower); 35 follows 30",
    ]
    assert str(err).endswith(" (and 2 more problems)")
    assert len(str(err).splitlines()) == 1


def test_one_more_problem_is_singular(tmp_path: Path) -> None:
    path, err = rubric_error(tmp_path, BASE + "level_cutoffs: [0, 50, 101]\n")
    assert len(err.problems) == 2
    assert str(err) == (f"{path}:{END}: level_cutoffs[0]: must be in (0, 100], got 0 "
                        "(and 1 more problem)")


@pytest.mark.parametrize("escape", ["\\r", "\\u2028", "\\x85"])
def test_message_is_one_line_even_with_line_breaks_in_keys(tmp_path: Path, escape: str) -> None:
    _path, err = rubric_error(tmp_path, edit({20: f'        "wei{escape}ght": 2'}))
    assert err.problems[0].line == 20
    assert len(str(err).splitlines()) == 1


# --- rules apply to rubrics built in code; rubrics are frozen -----------------------------------

def test_model_validate_applies_the_rules() -> None:
    data = yaml.safe_load(BASE)
    assert Rubric.model_validate(data).id == "mini"
    data["directions"][0]["indicators"][0]["thresholds"] = [10, 30, 20]
    with pytest.raises(ValidationError) as info:
        Rubric.model_validate(data)
    assert ("directions[0].indicators[0].thresholds[2]: must strictly increase "
            "(better: higher); 20 follows 30") in str(info.value)


def test_model_validate_duplicate_ids() -> None:
    data = yaml.safe_load(BASE)
    data["directions"][1]["indicators"][1]["id"] = "rating"
    with pytest.raises(ValidationError) as info:
        Rubric.model_validate(data)
    assert ("directions[1].indicators[1].id: duplicate indicator id 'rating' "
            "(also directions[0].indicators[1])") in str(info.value)


def test_model_validate_field_error_names_the_field() -> None:
    data = yaml.safe_load(BASE)
    data["directions"][1]["weight"] = -1
    with pytest.raises(ValidationError) as info:
        Rubric.model_validate(data)
    assert "directions.1.weight" in str(info.value)
    assert "greater than or equal to 0.000000001" in str(info.value)


def test_rubric_is_frozen() -> None:
    rubric = load_rubric()
    with pytest.raises(ValidationError, match="frozen"):
        rubric.id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        rubric.directions[0].weight = 5.0  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        rubric.indicators[0].thresholds = (1.0, 2.0, 3.0, 4.0, 5.0)  # type: ignore[misc]
    assert isinstance(rubric.directions, tuple)
    assert isinstance(rubric.directions[0].indicators, tuple)
    assert rubric.id == "urban-mining-upgrade"


def test_json_rubric_round_trip(tmp_path: Path) -> None:
    rubric = load_rubric()
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(rubric.model_dump(mode="json"), ensure_ascii=False),
                    encoding="utf-8")
    assert load_rubric(path) == rubric


def test_model_copy_with_update_is_validated_and_rehashed() -> None:
    rubric = load_rubric()
    before, compiled = rubric.sha256, rubric.compiled
    changed = rubric.model_copy(update={"aggregation": "weakest"})
    assert changed.aggregation == "weakest" and changed.compiled.aggregation == "weakest"
    assert changed.sha256 != before and compiled.aggregation == "arithmetic"
    assert rubric.model_copy().sha256 == before
    with pytest.raises(ValidationError):
        rubric.model_copy(update={"levels": []})


def test_equal_rubrics_stay_equal_once_one_is_compiled(tmp_path: Path) -> None:
    """Cached values (``compiled``, ``sha256``) are not fields: pydantic 2.5 compared them too."""
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(rubric_path("urban-mining-upgrade").read_bytes())
    first, second = load_rubric(copy), load_rubric(copy)
    assert first is not second and first.compiled is not None and first.sha256
    assert first == second
    assert first != load_rubric("urban-mining-upgrade@2026.1")
