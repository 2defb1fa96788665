"""Rubric diff: every change kind, reorders, score impact against re-scoring, ranks, Kendall's tau."""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import re
from collections.abc import Callable
from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score import BaseProfile, RubricDiff, UpgradeScoreError, diff, load_rubric, score_many
from upgrade_score._analysis.compare import competition_ranks
from upgrade_score._analysis.diff import (
    CATEGORY_FIELDS,
    DIRECTION_FIELDS,
    ENTERPRISE_FIELD_FIELDS,
    GATE_CONDITION,
    GATE_FIELDS,
    INDICATOR_BY_CATEGORY,
    INDICATOR_FIELDS,
    INPUT_FIELDS,
    LEVEL_FIELDS,
    RUBRIC_FIELDS,
    RUBRIC_PARTS,
    ChangeKind,
    inversions,
    kendall_tau_b,
    tripped_gates,
)
from upgrade_score._model.derived import EnterpriseField, Input
from upgrade_score._model.rubric import Category, Direction, Gate, Indicator, Level, Rubric
from v1 import V1, V1_BASES

Data = dict[str, Any]

# A small rubric: 3 levels, 3 directions; quantitative (higher, lower, step), qualitative, boolean.
MINI: Data = {
    "id": "mini",
    "version": "1",
    "title": {"zh": "小", "en": "Mini"},
    "levels": [{"level": k, "name": {"en": f"L{k}"}} for k in (1, 2, 3)],
    "directions": [
        {"id": "alpha", "name": {"en": "Alpha"}, "weight": 1, "indicators": [
            {"id": "share", "name": {"en": "Share"}, "thresholds": [10, 20, 30], "floor": 0,
             "valid_range": [0, 100], "weight": 2, "source": "s"},
            {"id": "rating", "name": {"en": "Rating"}, "kind": "qualitative",
             "descriptors": {1: {"en": "Basic"}, 3: {"en": "Leading"}}},
        ]},
        {"id": "beta", "name": {"en": "Beta"}, "weight": 2, "indicators": [
            {"id": "cost", "name": {"en": "Cost"}, "better": "lower", "thresholds": [30, 20, 10],
             "weight": 1.5, "unit": "CNY"},
            {"id": "certified", "name": {"en": "Certified"}, "kind": "boolean", "effort": 2},
        ]},
        {"id": "gamma", "name": {"en": "Gamma"}, "weight": 1, "indicators": [
            {"id": "count", "name": {"en": "Count"}, "thresholds": [1, 2, 4], "floor": 0,
             "interpolation": "step"},
        ]},
    ],
}


# MINI in rubric language 2: two categories, per-category thresholds, applies_to and a gate.
MINI2: Data = copy.deepcopy(MINI)
MINI2["categories"] = [{"id": "ferrous", "name": {"zh": "黑色金属", "en": "Ferrous"}},
                       {"id": "ewaste", "name": {"zh": "电子废弃物", "en": "E-waste"}}]
MINI2["directions"][0]["indicators"][0]["thresholds_by_category"] = {"ferrous": [20, 30, 40]}
MINI2["directions"][1]["indicators"][0]["applies_to"] = ["ferrous", "ewaste"]
MINI2["gates"] = [{"id": "enough", "name": {"zh": "足够", "en": "Enough"}, "indicator": "share",
                   "at_least": 20, "caps": 1}]


def rubric(change: Callable[[Data], object] | None = None, base: Data = MINI) -> Rubric:
    data = copy.deepcopy(base)
    if change is not None:
        change(data)
    return Rubric.model_validate(data)


def ind(data: Data, j: int, i: int) -> Data:
    indicator: Data = data["directions"][j]["indicators"][i]
    return indicator


def profiles(rows: int, seed: int = 7) -> list[BaseProfile]:
    rng = np.random.default_rng(seed)
    out = []
    for n in range(rows):
        values: Data = {"share": float(rng.uniform(0, 100)), "rating": int(rng.integers(0, 4)),
                        "cost": float(rng.uniform(0, 50)), "certified": bool(rng.integers(0, 2)),
                        "count": int(rng.integers(0, 6))}
        if n % 4 == 3:
            values["share"] = None  # a missing value
        out.append(BaseProfile.model_validate({"base": {"id": f"base-{n:02d}"}, "values": values}))
    return out


# --- structural changes --------------------------------------------------------------------------

def _set(path: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return change


def _move_count_to_alpha(data: Data) -> None:
    data["directions"][0]["indicators"].append(data["directions"][2]["indicators"].pop())
    data["directions"][2]["indicators"].append({"id": "extra", "name": {"en": "Extra"},
                                                "kind": "boolean"})


def _add_direction(data: Data) -> None:
    data["directions"].append({"id": "delta", "name": {"en": "Delta"}, "indicators": [
        {"id": "new_flag", "name": {"en": "Flag"}, "kind": "boolean"}]})


def _drop_levels(data: Data) -> None:
    data["levels"] = data["levels"][:2]
    for indicator in (ind(data, 0, 0), ind(data, 1, 0), ind(data, 2, 0)):
        indicator["thresholds"] = indicator["thresholds"][:2]
    ind(data, 0, 1)["descriptors"] = {1: {"en": "Basic"}}


# kind, change, expected (kind, target, field) entries of the diff, in order
CASES: list[tuple[ChangeKind, Callable[[Data], object], list[tuple[str, str, str]]]] = [
    ("id_changed", _set("id", "mini2"), [("id_changed", "mini2", "id")]),
    ("version_changed", _set("version", "2"), [("version_changed", "mini", "version")]),
    ("label_changed", _set("title.en", "Mini!"), [("label_changed", "mini", "title")]),
    ("description_changed", _set("description", "About"), [("description_changed", "mini", "description")]),
    ("levels_changed", _drop_levels, [
        ("levels_changed", "mini", "levels"), ("level_cutoffs_changed", "mini", "level_cutoffs"),
        ("thresholds_changed", "share", "thresholds"), ("descriptors_changed", "rating", "descriptors"),
        ("thresholds_changed", "cost", "thresholds"), ("thresholds_changed", "count", "thresholds")]),
    ("level_cutoffs_changed", _set("level_cutoffs", [30, 60, 90]),
     [("level_cutoffs_changed", "mini", "level_cutoffs")]),
    ("aggregation_changed", _set("aggregation", "geometric"),
     [("aggregation_changed", "mini", "aggregation")]),
    ("missing_changed", _set("missing", "exclude"), [("missing_changed", "mini", "missing")]),
    ("direction_added", _add_direction,
     [("direction_added", "delta", ""), ("indicator_added", "new_flag", "")]),
    ("direction_removed", lambda d: d["directions"].pop(2),
     [("direction_removed", "gamma", ""), ("indicator_removed", "count", "")]),
    ("indicator_added", lambda d: d["directions"][1]["indicators"].append(
        {"id": "audit", "name": {"en": "Audit"}, "kind": "boolean"}), [("indicator_added", "audit", "")]),
    ("indicator_removed", lambda d: d["directions"][1]["indicators"].pop(0),
     [("indicator_removed", "cost", "")]),
    ("indicator_moved", _move_count_to_alpha,
     [("indicator_moved", "count", ""), ("indicator_added", "extra", "")]),
    ("weight_changed", _set("directions.1.indicators.0.weight", 3), [("weight_changed", "cost", "weight")]),
    ("thresholds_changed", _set("directions.0.indicators.0.thresholds", [10, 25, 30]),
     [("thresholds_changed", "share", "thresholds")]),
    ("floor_changed", _set("directions.0.indicators.0.floor", 5), [("floor_changed", "share", "floor")]),
    ("better_changed", lambda d: ind(d, 0, 0).update(better="lower", thresholds=[30, 20, 10], floor=40),
     [("better_changed", "share", "better"), ("thresholds_changed", "share", "thresholds"),
      ("floor_changed", "share", "floor")]),
    ("kind_changed", lambda d: ind(d, 1, 1).update(kind="qualitative"),
     [("kind_changed", "certified", "kind")]),
    ("interpolation_changed", _set("directions.2.indicators.0.interpolation", "linear"),
     [("interpolation_changed", "count", "interpolation")]),
    ("valid_range_changed", _set("directions.0.indicators.0.valid_range", [0, 50]),
     [("valid_range_changed", "share", "valid_range")]),
    ("unit_changed", _set("directions.1.indicators.0.unit", "kCNY"), [("unit_changed", "cost", "unit")]),
    ("effort_changed", _set("directions.1.indicators.1.effort", 3),
     [("effort_changed", "certified", "effort")]),
    ("source_changed", _set("directions.0.indicators.0.source", "t"),
     [("source_changed", "share", "source")]),
    ("descriptors_changed", _set("directions.0.indicators.1.descriptors.3", {"en": "Top"}),
     [("descriptors_changed", "rating", "descriptors")]),
]


def _drop_ewaste(data: Data) -> None:
    data["categories"].pop(1)
    ind(data, 1, 0)["applies_to"] = ["ferrous"]


def _gate(**changes: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        gate = data["gates"][0]
        if {"at_least", "at_most"} & set(changes):
            gate.pop("at_least")
        gate.update(changes)
    return change


# rubric-language-2 kinds, each on MINI2
CASES2: list[tuple[ChangeKind, Callable[[Data], object], list[tuple[str, str, str]]]] = [
    ("category_added", lambda d: d["categories"].append({"id": "mixed", "name": {"en": "Mixed"}}),
     [("category_added", "mixed", "")]),
    ("category_removed", _drop_ewaste,
     [("category_removed", "ewaste", ""), ("applies_to_changed", "cost", "applies_to")]),
    ("allow_na_changed", _set("directions.0.indicators.1.allow_na", True),
     [("allow_na_changed", "rating", "allow_na")]),
    ("applies_to_changed", _set("directions.2.indicators.0.applies_to", ["ewaste"]),
     [("applies_to_changed", "count", "applies_to")]),
    ("category_thresholds_changed",
     _set("directions.0.indicators.0.thresholds_by_category.ferrous", [15, 30, 40]),
     [("category_thresholds_changed", "share", "thresholds_by_category.ferrous")]),
    ("category_floor_changed", _set("directions.0.indicators.0.floor_by_category", {"ferrous": 5}),
     [("category_floor_changed", "share", "floor_by_category.ferrous")]),
    ("gate_added", lambda d: d["gates"].append({"id": "cheap", "indicator": "cost", "at_most": 25}),
     [("gate_added", "cheap", "")]),
    ("gate_removed", lambda d: d.pop("gates"), [("gate_removed", "enough", "")]),
    ("gate_indicator_changed", _gate(indicator="count"), [("gate_indicator_changed", "enough", "indicator")]),
    ("condition_changed", _gate(at_most=50), [("condition_changed", "enough", "condition")]),
    ("caps_changed", _gate(caps=0), [("caps_changed", "enough", "caps")]),
    ("gate_scope_changed", _gate(scope="alpha"), [("gate_scope_changed", "enough", "scope")]),
]


# MINI where numbers come from: enterprise fields, inputs (reported and rolled up), a formula and
# pairwise weights of the directions and of beta's indicators
MINI3: Data = copy.deepcopy(MINI)
for _direction in MINI3["directions"]:
    _direction.pop("weight")
    for _indicator in _direction["indicators"]:
        _indicator.pop("weight", None)
MINI3["direction_weights"] = {"method": "ahp", "order": ["alpha", "beta", "gamma"],
                              "pairwise": [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]}
MINI3["directions"][1]["indicator_weights"] = {"method": "ahp", "order": ["cost", "certified"],
                                               "pairwise": [[1, 2], [0.5, 1]]}
MINI3["enterprise_fields"] = [{"id": "tonnes", "name": {"en": "Tonnes", "zh": "吨数"}},
                              {"id": "staff", "name": {"en": "Staff", "zh": "职工"}}]
MINI3["inputs"] = [{"id": "energy", "name": {"en": "Energy", "zh": "能耗"}},
                   {"id": "processed", "name": {"en": "Processed", "zh": "处理量"},
                    "rollup": {"sum": "tonnes"}},
                   {"id": "spare", "name": {"en": "Spare", "zh": "备用"}}]
MINI3["directions"][0]["indicators"][0]["formula"] = "100 * energy / processed"


def _judge(data: Data) -> None:
    data["direction_weights"]["pairwise"][0][1] = 5
    data["direction_weights"]["pairwise"][1][0] = 1 / 5


# where-numbers-come-from kinds, each on MINI3
CASES3: list[tuple[ChangeKind, Callable[[Data], object], list[tuple[str, str, str]]]] = [
    ("formula_changed", _set("directions.0.indicators.0.formula", "energy / processed"),
     [("formula_changed", "share", "formula")]),
    ("input_added", lambda d: d["inputs"].append({"id": "water", "name": {"en": "Water", "zh": "水"}}),
     [("input_added", "water", "")]),
    ("input_removed", lambda d: d["inputs"].pop(2), [("input_removed", "spare", "")]),
    ("rollup_changed", _set("inputs.1.rollup", {"mean": "tonnes", "weight": "staff"}),
     [("rollup_changed", "processed", "rollup")]),
    ("enterprise_field_added",
     lambda d: d["enterprise_fields"].append({"id": "green", "name": {"en": "G", "zh": "绿"},
                                              "kind": "boolean"}),
     [("enterprise_field_added", "green", "")]),
    ("enterprise_field_removed", lambda d: d["enterprise_fields"].pop(1),
     [("enterprise_field_removed", "staff", "")]),
    ("pairwise_changed", _judge,
     [("pairwise_changed", "mini", "direction_weights"), ("weight_changed", "alpha", "weight"),
      ("weight_changed", "beta", "weight"), ("weight_changed", "gamma", "weight")]),
]
OPPOSITE = {f"{part}_{a}": f"{part}_{b}"
            for part in ("direction", "indicator", "category", "gate", "input", "enterprise_field")
            for a, b in (("added", "removed"), ("removed", "added"))}


def test_every_change_kind_has_a_case() -> None:
    kinds = [kind for kind, _, _ in (*CASES, *CASES2, *CASES3)]
    assert sorted(kinds) == sorted(get_args(ChangeKind)) and len(set(kinds)) == len(kinds)


@pytest.mark.parametrize(("kind", "change", "expected", "base"),
                         [(*case, MINI) for case in CASES] + [(*case, MINI2) for case in CASES2]
                         + [(*case, MINI3) for case in CASES3],
                         ids=[case[0] for case in (*CASES, *CASES2, *CASES3)])
def test_change_kind_detected(kind: ChangeKind, change: Callable[[Data], object],
                              expected: list[tuple[str, str, str]], base: Data) -> None:
    result = diff(rubric(base=base), rubric(change, base))
    assert [(c.kind, c.target, c.field) for c in result.changes] == expected
    assert result.changed
    reverse = diff(rubric(change, base), rubric(base=base))
    assert sorted(c.kind for c in reverse.changes) == sorted(OPPOSITE.get(k, k) for k, _, _ in expected)


def test_every_model_field_is_compared() -> None:
    special = {"id", "weight", "floor", "levels", "level_cutoffs", "directions", "indicators", "level"}
    assert set(Indicator.model_fields) == (set(INDICATOR_FIELDS) | set(INDICATOR_BY_CATEGORY)
                                           | {"id", "weight", "floor"})
    assert set(Direction.model_fields) == set(DIRECTION_FIELDS) | {"id", "weight", "indicators"}
    assert set(Level.model_fields) == set(LEVEL_FIELDS) | {"level"}
    assert set(Rubric.model_fields) <= set(RUBRIC_FIELDS) | set(RUBRIC_PARTS) | special
    assert set(Category.model_fields) == set(CATEGORY_FIELDS) | {"id"}
    assert set(Gate.model_fields) == set(GATE_FIELDS) | set(GATE_CONDITION) | {"id"}
    assert set(Input.model_fields) == set(INPUT_FIELDS) | {"id"}
    assert set(EnterpriseField.model_fields) == set(ENTERPRISE_FIELD_FIELDS) | {"id"}


def test_labels_and_descriptions_of_every_part() -> None:
    def change(data: Data) -> None:
        data["levels"][1]["name"]["zh"] = "二"
        data["levels"][2]["description"] = "top"
        data["directions"][1]["name"]["en"] = "Beta!"
        data["directions"][1]["description"] = "about beta"
        ind(data, 2, 0)["name"] = {"en": "Count", "zh": "数"}
        ind(data, 2, 0)["rationale"] = "why"

    result = diff(rubric(), rubric(change))
    assert [(c.kind, c.target, c.field) for c in result.changes] == [
        ("label_changed", "mini", "levels[1].name"), ("description_changed", "mini", "levels[2].description"),
        ("label_changed", "beta", "name"), ("description_changed", "beta", "description"),
        ("label_changed", "count", "name"), ("description_changed", "count", "rationale")]
    assert result.changes[0].old == {"en": "L2"} and result.changes[0].new == {"en": "L2", "zh": "二"}


def test_pure_reorder_is_no_change() -> None:
    def reorder(data: Data) -> None:
        data["directions"].reverse()
        for direction in data["directions"]:
            direction["indicators"].reverse()

    old, new = rubric(), rubric(reorder)
    assert old.indicator_ids != new.indicator_ids
    result = diff(old, new, profiles(8))
    assert result.changes == () and not result.changed
    assert all(row.shift == pytest.approx(0, abs=1e-9) and row.rank_change == 0 for row in result.impact)
    assert result.kendall_tau == pytest.approx(1.0)


def test_weight_change_reports_overall_shares() -> None:
    old, new = rubric(), rubric(_set("directions.1.weight", 6))
    (change,) = diff(old, new).changes
    assert (change.kind, change.scope, change.target, change.old, change.new) == (
        "weight_changed", "direction", "beta", 2.0, 6.0)
    assert change.old_share == pytest.approx(0.5) and change.new_share == pytest.approx(0.75)
    assert change.message == "weight: 2 → 6 (share of overall 50.0 % → 75.0 %)"
    (change,) = diff(old, rubric(_set("directions.0.indicators.0.weight", 1))).changes
    assert change.old_share == pytest.approx(old.compiled.indicator_shares[0])  # 2/3 of 1/4
    assert change.new_share == pytest.approx(0.125)


def test_moved_added_removed_carry_directions_and_shares() -> None:
    result = diff(rubric(), rubric(_move_count_to_alpha))
    moved, added = result.changes
    assert (moved.old, moved.new, moved.direction) == ("gamma", "alpha", "alpha")
    assert moved.old_share == pytest.approx(0.25) and moved.new_share == pytest.approx(0.25 / 4)
    assert added.direction == "gamma" and added.new_share == pytest.approx(0.25)
    removed = diff(rubric(), rubric(lambda d: d["directions"][1]["indicators"].pop(0))).changes[0]
    assert (removed.direction, removed.old) == ("beta", 1.5) and removed.old_share == pytest.approx(0.3)


def test_default_floor_follows_thresholds() -> None:
    result = diff(rubric(), rubric(_set("directions.1.indicators.0.thresholds", [40, 20, 10])))
    floor = result.changes[1]
    assert (floor.kind, floor.old, floor.new) == ("floor_changed", 40.0, 60.0)
    assert floor.message == "floor: 40 (default) → 60 (default)"
    explicit = diff(rubric(), rubric(_set("directions.1.indicators.0.floor", 40))).changes
    assert [(c.kind, c.message) for c in explicit] == [("floor_changed", "floor: 40 (default) → 40")]


def _v2(change: Callable[[Data], object]) -> tuple[Rubric, Rubric]:
    return rubric(base=MINI2), rubric(change, MINI2)


def test_category_thresholds_name_the_defaults_they_replace() -> None:
    old, new = _v2(_set("directions.0.indicators.0.thresholds_by_category", {"ewaste": [5, 10, 20]}))
    removed, added = diff(old, new).changes
    assert (removed.kind, removed.category, removed.old, removed.new) == (
        "category_thresholds_changed", "ferrous", [20.0, 30.0, 40.0], None)
    assert removed.message == "thresholds_by_category.ferrous: [20, 30, 40] → [10, 20, 30] (default)"
    assert added.message == "thresholds_by_category.ewaste: [10, 20, 30] (default) → [5, 10, 20]"
    assert added.text("zh") == "ewaste 类基地的等级阈值：[10, 20, 30]（默认） → [5, 10, 20]"
    # floor 0 is explicit, so it holds for both categories: no floor change


def test_category_floor_follows_category_thresholds() -> None:
    # cost (better: lower, thresholds 30, 20, 10) has no floor: one step before t_1, 40 by default
    old, new = _v2(_set("directions.1.indicators.0.thresholds_by_category", {"ferrous": [40, 30, 20]}))
    thresholds, floor = diff(old, new).changes
    assert thresholds.kind == "category_thresholds_changed"
    assert (floor.kind, floor.field, floor.category, floor.old, floor.new) == (
        "category_floor_changed", "floor_by_category.ferrous", "ferrous", 40.0, 50.0)
    assert floor.message == "floor_by_category.ferrous: 40 (default) → 50 (default)"
    (explicit,) = diff(old, rubric(_set("directions.1.indicators.0.floor_by_category", {"ewaste": 35},),
                                   MINI2)).changes
    assert explicit.message == "floor_by_category.ewaste: 40 (default) → 35"
    assert explicit.text("zh") == "ewaste 类基地的 0 级下限值：40（默认） → 35"


def test_applies_to_allow_na_and_gate_messages() -> None:
    old = rubric(base=MINI2)
    (applies,) = diff(old, rubric(_set("directions.2.indicators.0.applies_to", ["ewaste"]), MINI2)).changes
    assert applies.message == "applies_to: every base → [ewaste]"
    assert applies.text("zh") == "适用的基地类型：全部基地 → [ewaste]"
    (allow,) = diff(old, rubric(_set("directions.0.indicators.1.allow_na", True), MINI2)).changes
    assert (allow.old, allow.new, allow.message) == (False, True, "allow_na: false → true")
    assert allow.text("zh") == "允许填报“不适用”：否 → 是"
    (condition,) = diff(old, rubric(_gate(at_most=50), MINI2)).changes
    assert (condition.old, condition.new) == ({"at_least": 20.0}, {"at_most": 50.0})
    assert condition.message == "condition: at_least 20 → at_most 50"
    assert condition.text("zh") == "条件：≥ 20 → ≤ 50"
    (scope,) = diff(old, rubric(_gate(scope="alpha"), MINI2)).changes
    assert (scope.message, scope.text("zh")) == ("scope: overall → alpha", "作用范围：总分 → 方向 alpha")
    (caps,) = diff(old, rubric(_gate(caps=0), MINI2)).changes
    assert (caps.old, caps.new, caps.message) == (1, 0, "caps: 1 → 0")


def test_added_and_removed_gates_and_categories_carry_their_definition() -> None:
    old = rubric(base=MINI2)
    (added,) = diff(old, rubric(lambda d: d["gates"].append(
        {"id": "cheap", "indicator": "cost", "at_most": 25, "scope": "beta"}), MINI2)).changes
    assert added.scope == "gate" and added.new == {"indicator": "cost", "at_most": 25.0, "caps": 0,
                                                   "scope": "beta"}
    assert added.message == "added: at_most 25 on 'cost', caps direction 'beta' at level 0"
    assert added.text("zh") == "新增：指标 cost ≤ 25，未满足时方向 beta 的等级上限为 0 级"
    (removed,) = diff(old, rubric(lambda d: d.pop("gates"), MINI2)).changes
    assert removed.message == "removed (was: at_least 20 on 'share', caps overall at level 1)"
    assert removed.text("zh") == "删除（原为：指标 share ≥ 20，未满足时总分等级上限为 1 级）"
    category = diff(old, rubric(_drop_ewaste, MINI2)).changes[0]
    assert (category.kind, category.scope, category.old) == (
        "category_removed", "category", {"name": {"zh": "电子废弃物", "en": "E-waste"}})
    assert (category.message, category.text("zh")) == ("removed (was: E-waste)", "删除（原为：电子废弃物）")


def test_category_renamed_and_gate_name_are_label_changes() -> None:
    def change(data: Data) -> None:
        data["categories"][0]["name"] = {"zh": "钢铁", "en": "Steel"}
        data["categories"][1]["description"] = "Dismantling"
        data["gates"][0]["name"] = {"zh": "足够", "en": "Enough!"}

    result = diff(rubric(base=MINI2), rubric(change, MINI2))
    assert [(c.kind, c.scope, c.target, c.field) for c in result.changes] == [
        ("label_changed", "category", "ferrous", "name"),
        ("description_changed", "category", "ewaste", "description"),
        ("label_changed", "gate", "enough", "name")]
    assert result.changes[0].message == "name: zh: 黑色金属; en: Ferrous → zh: 钢铁; en: Steel"
    assert result.changes[0].text("zh") == "名称：中文：黑色金属；英文：Ferrous → 中文：钢铁；英文：Steel"


def test_bilingual_units_and_descriptions() -> None:
    same = diff(rubric(), rubric(_set("directions.1.indicators.0.unit", {"zh": "CNY", "en": "CNY"})))
    assert same.changes == ()  # one text in every language, written either way
    yuan = {"zh": "元", "en": "CNY"}
    (unit,) = diff(rubric(), rubric(_set("directions.1.indicators.0.unit", yuan))).changes
    assert (unit.kind, unit.old, unit.new) == ("unit_changed", "CNY", {"zh": "元", "en": "CNY"})
    assert unit.message == "unit: CNY → zh: 元; en: CNY"
    assert unit.text("zh") == "单位：CNY → 中文：元；英文：CNY"
    where = "directions.0.indicators.0.description"
    both = {"zh": "比例", "en": "Share"}
    (text,) = diff(rubric(_set(where, {"en": "Share"})), rubric(_set(where, both))).changes
    assert (text.kind, text.message) == ("description_changed",
                                         "description: en: Share → zh: 比例; en: Share")
    (descriptor,) = diff(rubric(), rubric(_set("directions.0.indicators.1.descriptors.1", "Basic"))).changes
    assert descriptor.message == "descriptors: level 1 changed"  # {en: Basic} is not "Basic" in zh


LATIN = re.compile(r"[A-Za-z]")
# values the displays translate (so they are not data to blank out)
ENUMS = {"quantitative", "qualitative", "boolean", "higher", "lower", "linear", "step", "arithmetic",
         "geometric", "weakest", "zero", "exclude", "overall"}


def _data_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [] if value in ENUMS else [value]
    if isinstance(value, dict):
        return [text for v in value.values() for text in _data_strings(v)]
    if isinstance(value, list):
        return [text for v in value for text in _data_strings(v)]
    return []


def _without_data(text: str, *data: object) -> str:
    """``text`` with every id and rubric text of ``data`` blanked out, longest first."""
    for item in sorted({t for d in data for t in _data_strings(d)}, key=len, reverse=True):
        text = text.replace(item, " ")
    return text


@pytest.mark.parametrize(("kind", "change", "base"),
                         [(case[0], case[1], MINI) for case in CASES]
                         + [(case[0], case[1], MINI2) for case in CASES2]
                         + [(case[0], case[1], MINI3) for case in CASES3],
                         ids=[case[0] for case in (*CASES, *CASES2, *CASES3)])
def test_chinese_messages_carry_no_english_prose(kind: str, change: Callable[[Data], object],
                                                  base: Data) -> None:
    new_data = copy.deepcopy(base)
    change(new_data)
    for old, new, data in ((rubric(base=base), rubric(change, base), (base, new_data)),
                           (rubric(change, base), rubric(base=base), (new_data, base))):
        for found in diff(old, new).changes:
            left = _without_data(found.text("zh"), *data, found.old, found.new)
            assert not LATIN.search(left), (found.kind, found.text("zh"))


def test_changes_are_json_and_deterministic() -> None:
    result = diff(rubric(), rubric(_drop_levels), profiles(5))
    assert result.to_json() == diff(rubric(), rubric(_drop_levels), profiles(5)).to_json()
    data = json.loads(result.to_json())
    assert {"changes", "impact", "max_shift", "kendall_tau"} <= set(data)
    assert set(data["impact"][0]) >= {"base", "old", "new", "shift", "old_rank", "new_rank", "directions"}
    plain = json.loads(diff(rubric(), rubric()).to_json())
    assert plain["changes"] == [] and plain["impact"] == []
    assert plain["max_shift"] is None and plain["kendall_tau"] is None


# --- impact --------------------------------------------------------------------------------------

# every case whose new rubric accepts the random profiles (fewer levels or a narrower range do not)
IMPACT_CASES = [case[:2] for case in CASES
                if case[0] not in ("kind_changed", "valid_range_changed", "levels_changed")]


@pytest.mark.parametrize(("kind", "change"), IMPACT_CASES, ids=[case[0] for case in IMPACT_CASES])
def test_shifts_equal_rescoring_with_each_rubric(kind: str, change: Callable[[Data], object]) -> None:
    old, new = rubric(), rubric(change)
    group = profiles(12)
    result = diff(old, new, group)

    def without(unknown: set[str]) -> list[BaseProfile]:
        return [BaseProfile.model_validate({"base": p.base.model_dump(), "values": {
            k: v.value for k, v in p.values.items() if k not in unknown}}) for p in group]

    before = score_many(old, without(set(new.indicator_ids) - set(old.indicator_ids)))
    after = score_many(new, without(set(old.indicator_ids) - set(new.indicator_ids)))
    rows = {row.base: row for row in result.impact}
    for n, base in enumerate(before.base_ids):
        row = rows[base]
        assert row.old == before.overall[n] and row.new == after.overall[n]
        assert row.shift == after.overall[n] - before.overall[n]
        assert (row.old_level, row.new_level) == (before.overall_level[n], after.overall_level[n])
        for j, key in enumerate(old.direction_ids):
            moved = row.directions[key]
            assert moved.old == before.directions[n, j] and moved.old_level == before.direction_levels[n, j]
            if key in new.direction_ids:
                assert moved.shift == after.directions[n, new.direction_ids.index(key)] - moved.old
            else:
                assert moved.new is None and moved.shift is None
    assert result.max_shift == max(abs(row.shift) for row in result.impact)


@pytest.mark.parametrize(("kind", "change"), [case[:2] for case in CASES], ids=[case[0] for case in CASES])
def test_new_matrix_mapped_from_the_old_one_is_the_matrix_read_again(
        kind: str, change: Callable[[Data], object], monkeypatch: pytest.MonkeyPatch) -> None:
    """The new rubric's values taken column by column from the old rubric's checked matrix give
    the diff (or the error) that reading every profile again gives."""
    impact = importlib.import_module("upgrade_score._analysis.diff.impact")
    old, new, group = rubric(), rubric(change), profiles(12)

    def outcome() -> str:
        try:
            return diff(old, new, group).to_json()
        except UpgradeScoreError as exc:
            return f"error: {exc}"

    mapped = outcome()
    monkeypatch.setattr(impact, "_mapped", lambda *_: None)
    assert mapped == outcome()


def test_ranks_levels_tau_and_sorting() -> None:
    group = profiles(20)
    old, new = rubric(), rubric(_set("directions.1.weight", 0.2))
    result = diff(old, new, group)
    before, after = score_many(old, group), score_many(new, group)
    old_rank, new_rank = competition_ranks(before.overall), competition_ranks(after.overall)
    rows = {row.base: row for row in result.impact}
    for n, base in enumerate(before.base_ids):
        assert (rows[base].old_rank, rows[base].new_rank) == (old_rank[n], new_rank[n])
        assert rows[base].rank_change == old_rank[n] - new_rank[n]
    assert result.kendall_tau == pytest.approx(kendall_tau_b(before.overall, after.overall))
    assert result.max_rank_change == int(np.abs(old_rank - new_rank).max())
    assert result.level_changes == int((before.overall_level != after.overall_level).sum())
    keys = [(-round(abs(row.shift), 9), row.base) for row in result.impact]
    assert keys == sorted(keys) and result.max_shift_base == result.impact[0].base


def test_values_only_the_other_rubric_knows_are_dropped() -> None:
    old = rubric()
    new = rubric(lambda d: d["directions"][1]["indicators"].append(
        {"id": "audit", "name": {"en": "Audit"}, "kind": "boolean"}))
    group = [BaseProfile.model_validate({"base": {"id": "a"}, "values": {"audit": True, "share": 30}}),
             BaseProfile.model_validate({"base": {"id": "b"}, "values": {"share": 30}})]
    result = diff(old, new, group)
    assert result.ignored == {"old": ("audit",), "new": ()}
    rows = {row.base: row for row in result.impact}
    assert rows["a"].old == rows["b"].old  # audit dropped for the old rubric
    assert rows["a"].new > rows["b"].new
    assert rows["a"].old_rank == rows["b"].old_rank == 1  # a tie shares the smallest rank
    assert (rows["a"].new_rank, rows["b"].new_rank) == (1, 2)
    typo = [BaseProfile.model_validate({"base": {"id": "c"}, "values": {"shar": 30}})]
    with pytest.raises(UpgradeScoreError, match=r"did you mean 'share'.*\(old rubric 'mini' 1\)"):
        diff(old, new, typo)


def test_value_the_new_rubric_rejects_names_the_rubric() -> None:
    new = rubric(_set("directions.0.indicators.0.valid_range", [0, 50]))
    group = [BaseProfile.model_validate({"base": {"id": "a"}, "values": {"share": 80}})]
    with pytest.raises(UpgradeScoreError, match=r"outside the valid range \[0, 50\] \(new rubric"):
        diff(rubric(), new, group)


def test_no_or_empty_profiles_give_no_impact() -> None:
    for group in (None, []):
        result = diff(rubric(), rubric(_set("version", "2")), group)
        assert result.impact == () and result.max_shift is None and result.kendall_tau is None


def test_single_base_has_no_tau() -> None:
    result = diff(rubric(), rubric(_set("directions.1.weight", 5)), profiles(1))
    assert len(result.impact) == 1 and result.kendall_tau is None and result.max_rank_change == 0


def test_builtin_rubric_against_itself_with_examples() -> None:
    from upgrade_score import load_profiles

    builtin = load_rubric(V1)
    result = diff(builtin, builtin, load_profiles(V1_BASES))
    assert result.changes == () and result.max_shift == 0 and result.kendall_tau == 1.0
    assert isinstance(result, RubricDiff)


# --- impact under rubric language 2: gates, n/a directions, profiles one rubric rejects ----------

# 2 levels at 40 and 80; green: licensed (50 → 100), water (n/a allowed); chain: dismantling lines
TINY: Data = {
    "id": "tiny", "version": "1", "title": {"zh": "小", "en": "Tiny"},
    "levels": [{"level": 1, "name": {"zh": "一级", "en": "One"}},
               {"level": 2, "name": {"zh": "二级", "en": "Two"}}],
    "level_cutoffs": [40, 80],
    "categories": [{"id": "ferrous", "name": {"zh": "黑色金属", "en": "Ferrous"}},
                   {"id": "ewaste", "name": {"zh": "电子废弃物", "en": "E-waste"}}],
    "directions": [
        {"id": "green", "name": {"zh": "绿色", "en": "Green"}, "indicators": [
            {"id": "licensed", "name": {"zh": "合规处置率", "en": "Licensed"}, "unit": "%",
             "thresholds": [50, 100], "floor": 0, "valid_range": [0, 100]},
            {"id": "water", "name": {"zh": "水重复利用率", "en": "Water reuse"}, "unit": "%",
             "thresholds": [40, 80], "floor": 0, "allow_na": True, "valid_range": [0, 100]}]},
        {"id": "chain", "name": {"zh": "链条", "en": "Chain"}, "indicators": [
            {"id": "lines", "name": {"zh": "拆解线", "en": "Lines"}, "thresholds": [1, 3], "floor": 0}]},
    ],
}
GATE = {"id": "all_licensed", "name": {"zh": "全部合规", "en": "All licensed"}, "indicator": "licensed",
        "at_least": 100, "caps": 1}


def tiny(change: Callable[[Data], object] | None = None) -> Rubric:
    return rubric(change, TINY)


def base(key: str, category: str | None, **values: Any) -> BaseProfile:
    return BaseProfile.model_validate({"base": {"id": key, "category": category}, "values": values})


# levels s: licensed 95 → 1.9, 99 → 1.98, 100 → 2; water 80 → 2, 40 → 1, 100 → 2; lines 3 → 2, 1 → 1
BASES = [
    base("b1", "ferrous", licensed=95, water=80),              # green 97.5, chain 0 → 48.75, level 1
    base("b2", "ewaste", licensed=100, water="n/a", lines=3),  # green 100, chain 100 → 100, level 2
    base("b3", "ewaste", water=40, lines=1),                   # green 25, chain 50 → 37.5, level 0
    base("b4", "ewaste", licensed=99, water=100, lines=3),     # green 99.5, chain 100 → 99.75, level 2
]


def test_gate_added_caps_levels_never_scores() -> None:
    result = diff(tiny(), tiny(lambda d: d.update(gates=[GATE])), BASES)
    rows = {row.base: row for row in result.impact}
    assert [rows[b].old for b in ("b1", "b2", "b3", "b4")] == pytest.approx([48.75, 100, 37.5, 99.75])
    assert result.max_shift == 0 and result.kendall_tau == pytest.approx(1.0)
    # b1 fails (95 < 100) but is at level 1 already; b3 has no value (unknown); b4 fails: 2 → 1
    assert {b: (r.old_level, r.new_level, r.old_uncapped_level, r.new_uncapped_level)
            for b, r in rows.items()} == {"b1": (1, 1, 1, 1), "b2": (2, 2, 2, 2), "b3": (0, 0, 0, 0),
                                          "b4": (2, 1, 2, 2)}
    assert {b: (r.gates or {})["all_licensed"].model_dump() for b, r in rows.items()} == {
        "b1": {"old": None, "new": "failed"}, "b2": {"old": None, "new": "passed"},
        "b3": {"old": None, "new": "unknown"}, "b4": {"old": None, "new": "failed"}}
    assert result.level_changes == 1 and tripped_gates(result, fail_on_level_change=True) == [
        "--fail-on-level-change: 1 base(s) change level, e.g. b4 2 → 1"]
    assert result.gates is not None and result.gates["all_licensed"].model_dump() == {
        "old_failing": None, "new_failing": 3, "newly_failing": 3, "no_longer_failing": 0}
    assert (result.gate_status_changes, result.newly_failing) == (3, 3)  # b2 passes: no news
    back = diff(tiny(lambda d: d.update(gates=[GATE])), tiny(), BASES)
    assert back.gates is not None and back.gates["all_licensed"].model_dump() == {
        "old_failing": 3, "new_failing": None, "newly_failing": 0, "no_longer_failing": 3}
    assert (back.gate_status_changes, back.newly_failing, back.level_changes) == (3, 0, 1)


def test_gate_changed_moves_bases_between_statuses() -> None:
    old = tiny(lambda d: d.update(gates=[GATE]))
    new = tiny(lambda d: d.update(gates=[{**GATE, "at_least": 96}]))
    result = diff(old, new, BASES)
    assert [c.kind for c in result.changes] == ["condition_changed"]
    rows = {row.base: row for row in result.impact}
    assert (rows["b4"].gates or {})["all_licensed"].model_dump() == {"old": "failed", "new": "passed"}
    assert (rows["b4"].old_level, rows["b4"].new_level) == (1, 2)
    assert result.gates is not None and result.gates["all_licensed"].model_dump() == {
        "old_failing": 3, "new_failing": 2, "newly_failing": 0, "no_longer_failing": 1}
    assert (result.gate_status_changes, result.newly_failing) == (1, 0)


def test_direction_that_becomes_na_is_no_numeric_shift() -> None:
    old, new = tiny(), tiny(_set("directions.1.indicators.0.applies_to", ["ewaste"]))
    group = BASES[:2]
    result = diff(old, new, group)
    rows = {row.base: row for row in result.impact}
    b1 = rows["b1"]  # chain counted 0 under the old rubric; n/a now, so overall = green alone
    assert (b1.old, b1.new, b1.shift, b1.old_level, b1.new_level) == pytest.approx((48.75, 97.5, 48.75, 1, 2))
    assert b1.directions["chain"].model_dump() == {"old": 0.0, "new": None, "shift": None, "old_level": 0,
                                                   "new_level": None, "na": "became_na"}
    assert b1.directions["green"].shift == 0 and b1.directions["green"].na is None
    assert rows["b2"].directions["chain"].na is None and result.max_shift == pytest.approx(48.75)
    assert json.loads(result.to_json())["impact"][0]["directions"]["chain"]["na"] == "became_na"
    back = diff(new, old, group)
    assert {row.base: row for row in back.impact}["b1"].directions["chain"].model_dump() == {
        "old": None, "new": 0.0, "shift": None, "old_level": None, "new_level": 0, "na": "no_longer_na"}
    still = diff(new, tiny(lambda d: (_set("directions.1.indicators.0.applies_to", ["ewaste"])(d),
                                      _set("directions.0.weight", 2)(d))), group)
    moved = {row.base: row for row in still.impact}["b1"]
    assert moved.directions["chain"].na == "still_na" and moved.shift == 0


def test_profiles_one_rubric_rejects_are_input_errors_naming_it() -> None:
    lines = [base("b1", "ferrous", licensed=95, lines=2)]  # valid while lines applies to every base
    with pytest.raises(UpgradeScoreError,
                       match=r"does not apply to category 'ferrous'.*\(new rubric 'tiny' 1\)"):
        diff(tiny(), tiny(_set("directions.1.indicators.0.applies_to", ["ewaste"])), lines)

    def no_ferrous(data: Data) -> None:
        data["categories"].pop(0)

    with pytest.raises(UpgradeScoreError, match=r"unknown category 'ferrous'.*\(new rubric"):
        diff(tiny(), tiny(no_ferrous), [base("b1", "ferrous", licensed=95)])
    answered = [base("b1", "ferrous", licensed="n/a", water=50)]
    with pytest.raises(UpgradeScoreError, match=r"'n/a' is allowed only .*\(old rubric 'tiny' 1\)"):
        diff(tiny(), tiny(_set("directions.0.indicators.0.allow_na", True)), answered)

    def nothing_applies(data: Data) -> None:
        _set("directions.1.indicators.0.applies_to", ["ewaste"])(data)
        _set("directions.0.indicators.0.applies_to", ["ewaste"])(data)

    with pytest.raises(UpgradeScoreError, match=r"no direction applies to this base.*\(new rubric"):
        diff(tiny(), tiny(nothing_applies), [base("b1", "ferrous", water="n/a")])


def test_language_1_json_has_no_language_2_keys() -> None:
    data = json.loads(diff(rubric(), rubric(_set("directions.1.weight", 3)), profiles(3)).to_json())
    assert not {"gates", "gate_status_changes", "newly_failing"} & set(data)
    assert all("category" not in change for change in data["changes"])
    for row in data["impact"]:
        assert not {"gates", "old_uncapped_level", "new_uncapped_level"} & set(row)
        assert all("na" not in shift for shift in row["directions"].values())


# --- ranks and Kendall's tau-b --------------------------------------------------------------------

def test_ranks_are_the_comparison_ranks() -> None:
    assert competition_ranks(np.array([3, 5, 5, 1, 3.0])).tolist() == [3, 1, 1, 5, 3]
    assert competition_ranks(np.array([1.0, 1.0 + 1e-12, 0.5])).tolist() == [1, 1, 3]  # a tie
    assert competition_ranks(np.array([])).tolist() == []


@pytest.mark.parametrize(("x", "y", "tau"), [
    ([1, 2, 3, 4], [1, 2, 3, 4], 1.0),
    ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
    ([1, 2, 3, 4], [1, 3, 2, 4], 4 / 6),         # 5 concordant, 1 discordant pair
    ([1, 1, 2, 3], [1, 2, 2, 3], 4 / 5),         # 4 c, 0 d; one tie in x, one in y: 4/√(5·5)
    ([1, 2, 2, 3], [3, 1, 1, 2], -1 / 5),        # 2 c, 3 d; one pair tied in both
    ([1, 2, 3], [1, 1, 2], 2 / (3 * 2) ** 0.5),  # 2 c, 0 d; one tie in y: 2/√(3·2)
])
def test_kendall_tau_b_hand_computed(x: list[float], y: list[float], tau: float) -> None:
    assert kendall_tau_b(x, y) == pytest.approx(tau, abs=1e-12)
    assert kendall_tau_b(y, x) == pytest.approx(tau, abs=1e-12)


def test_kendall_tau_b_undefined_cases() -> None:
    assert kendall_tau_b([], []) is None
    assert kendall_tau_b([1.0], [2.0]) is None
    assert kendall_tau_b([1, 1, 1], [1, 2, 3]) is None  # one sample all tied
    with pytest.raises(UpgradeScoreError, match="different sizes"):
        kendall_tau_b([1, 2], [1, 2, 3])


def _brute_tau(x: list[int], y: list[int]) -> float | None:
    pairs = [(np.sign(x[i] - x[j]), np.sign(y[i] - y[j]))
             for i, j in itertools.combinations(range(len(x)), 2)]
    concordant = sum(1 for a, b in pairs if a * b > 0)
    discordant = sum(1 for a, b in pairs if a * b < 0)
    untied_x = sum(1 for a, _ in pairs if a != 0)
    untied_y = sum(1 for _, b in pairs if b != 0)
    if untied_x == 0 or untied_y == 0:
        return None
    return float((concordant - discordant) / np.sqrt(untied_x * untied_y))


def test_kendall_tau_b_and_inversions_match_brute_force() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(0, 25))
        x = rng.integers(0, int(rng.integers(1, 6)), n).tolist()
        y = rng.integers(0, int(rng.integers(1, 6)), n).tolist()
        expected = _brute_tau(x, y) if n >= 2 else None
        got = kendall_tau_b(x, y)
        assert (got is None and expected is None) or got == pytest.approx(expected, abs=1e-12)
        values = rng.integers(0, max(n, 1), n)
        assert inversions(values) == sum(int(values[i] > values[j])
                                         for i, j in itertools.combinations(range(n), 2))


_TIED = st.lists(st.tuples(st.sampled_from([-2.5, 0.0, 1.0, 1.5, 7.0, 1e300]),
                            st.integers(-3, 3)), min_size=0, max_size=30)


@settings(max_examples=60, deadline=None)
@given(_TIED)
def test_kendall_tau_b_matches_brute_force_with_ties(pairs: list[tuple[float, int]]) -> None:
    """Floats (wide-spread or tied, numbered by sorting) and small integers (shifted as ranks)."""
    x, y = [a for a, _ in pairs], [b for _, b in pairs]
    expected = _brute_tau(x, y) if len(x) >= 2 else None  # type: ignore[arg-type]
    got = kendall_tau_b(x, y)
    assert (got is None and expected is None) or got == pytest.approx(expected, abs=1e-12)
    assert kendall_tau_b(y, x) == got


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40) | st.integers(0, 40), max_size=60))
def test_inversions_match_brute_force(values: list[int]) -> None:
    """Any integers: negative ones, values sparse beside the count, runs of equal ones."""
    expected = sum(int(values[i] > values[j]) for i, j in itertools.combinations(range(len(values)), 2))
    assert inversions(values) == expected
    assert inversions(np.array(values, dtype=np.int64)[::-1]) == sum(
        int(values[i] < values[j]) for i, j in itertools.combinations(range(len(values)), 2))


def test_kendall_tau_b_of_ranks_with_ties_by_hand() -> None:
    """Competition ranks as the diff passes them: x = [1, 1, 3, 4, 5], y = [2, 1, 3, 3, 5].
    Pairs: (0,1) tied in x; (2,3) tied in y; of the other 8, (0,2) (0,3) (0,4) (1,2) (1,3) (1,4)
    (2,4) (3,4) all concordant: tau-b = 8 / sqrt((10 - 1) * (10 - 1)) = 8 / 9."""
    assert kendall_tau_b([1, 1, 3, 4, 5], [2, 1, 3, 3, 5]) == pytest.approx(8 / 9, abs=1e-15)
    # y = [2, 1, 3, 5, 3]: (2,3) concordant, (2,4) tied in y, (3,4) discordant; 7 c, 1 d: 6 / 9
    assert kendall_tau_b([1, 1, 3, 4, 5], [2, 1, 3, 5, 3]) == pytest.approx(6 / 9, abs=1e-15)


def test_kendall_tau_b_large_sample_is_fast_and_exact_on_a_permutation() -> None:
    n = 200_000
    order = np.arange(n)
    swapped = order.copy()
    swapped[[0, 1]] = swapped[[1, 0]]  # exactly one discordant pair
    total = n * (n - 1) // 2
    assert kendall_tau_b(order, swapped) == pytest.approx((total - 2) / total, abs=1e-15)


# --- gates ---------------------------------------------------------------------------------------

def test_tripped_gates() -> None:
    result = diff(rubric(), rubric(_set("directions.1.weight", 0.2)), profiles(12))
    top = result.impact[0]
    assert tripped_gates(result) == []
    assert tripped_gates(result, max_shift=round(abs(top.shift), 6)) == []
    (message,) = tripped_gates(result, max_shift=abs(top.shift) - 0.01)
    assert message.startswith("--max-shift ") and top.base in message
    assert result.max_rank_change is not None and result.max_rank_change > 0
    assert tripped_gates(result, max_rank_change=result.max_rank_change) == []
    (message,) = tripped_gates(result, max_rank_change=result.max_rank_change - 1)
    assert message.startswith(f"--max-rank-change {result.max_rank_change - 1}: ")
    levels = tripped_gates(result, fail_on_level_change=True)
    assert bool(levels) == bool(result.level_changes)
    assert tripped_gates(diff(rubric(), rubric(), profiles(4)), max_shift=0, max_rank_change=0,
                         fail_on_level_change=True) == []


def test_render_marks_new_and_removed_directions() -> None:
    from upgrade_score._render.diff import render_diff

    group = profiles(3)
    added = render_diff(diff(rubric(), rubric(_add_direction), group), "text")
    assert "\ndirection_added  direction delta " in added
    assert "\nbase     delta\n" in added and added.rstrip().endswith("base-01    new")
    removed = render_diff(diff(rubric(), rubric(lambda d: d["directions"].pop(2)), group), "markdown")
    assert "| base | gamma |\n| --- | ---: |\n| base-01 | removed |" in removed
    assert removed.endswith("\n\nValues dropped: new rubric ignores count.")


# --- impact on profiles with inputs and enterprises ----------------------------------------------

def profiles3(rows: int, seed: int = 3, share: bool = False) -> list[BaseProfile]:
    """Profiles for MINI3 (inputs and enterprise rows); with ``share``, also the value MINI takes."""
    rng = np.random.default_rng(seed)
    out = []
    for n in range(rows):
        values: Data = {"rating": int(rng.integers(0, 4)), "cost": float(rng.uniform(0, 50)),
                        "certified": bool(rng.integers(0, 2)), "count": int(rng.integers(0, 6)),
                        "energy": float(rng.uniform(1, 30))}
        if share:
            values["share"] = float(rng.uniform(0, 100))
        enterprises = [{"id": f"e{k}", "tonnes": float(rng.uniform(10, 100)),
                        "staff": int(rng.integers(1, 50))} for k in range(int(rng.integers(1, 4)))]
        out.append(BaseProfile.model_validate({"base": {"id": f"base-{n:02d}"}, "values": values,
                                               "enterprises": enterprises}))
    return out


def _strip(group: list[BaseProfile], values: set[str], enterprises: bool) -> list[BaseProfile]:
    return [BaseProfile.model_validate({
        "base": p.base.model_dump(), "values": {k: v.value for k, v in p.values.items() if k not in values},
        "enterprises": [{"id": e.id, **e.figures} for e in p.enterprises or ()] if enterprises else None})
        for p in group]


@pytest.mark.parametrize(("kind", "change"), [case[:2] for case in CASES3], ids=[case[0] for case in CASES3])
def test_shifts_with_inputs_and_enterprises_equal_rescoring(kind: str,
                                                            change: Callable[[Data], object]) -> None:
    old, new = rubric(base=MINI3), rubric(change, MINI3)
    group = profiles3(9)
    if kind == "enterprise_field_removed":  # the new rubric no longer knows 'staff': its figures are dropped
        expected_new = score_many(new, [BaseProfile.model_validate({
            "base": p.base.model_dump(), "values": {k: v.value for k, v in p.values.items()},
            "enterprises": [{"id": e.id, "tonnes": e.figures["tonnes"]} for e in p.enterprises or ()]})
            for p in group])
    else:
        expected_new = score_many(new, group)
    result = diff(old, new, group)
    shifts = {row.base: row.shift for row in result.impact}
    expected = expected_new.overall - score_many(old, group).overall
    assert [shifts[p.id] for p in group] == pytest.approx(expected.tolist(), abs=1e-9)
    if kind in ("formula_changed", "pairwise_changed"):
        assert result.max_shift > 0


def test_indicator_turned_into_a_formula_drops_the_value_each_rubric_does_not_take() -> None:
    old, new = rubric(), rubric(base=MINI3)  # 'share' reported in MINI, computed in MINI3
    group = profiles3(6, share=True)
    result = diff(old, new, group)
    assert result.ignored == {"old": ("energy",), "new": ("share",)}
    before = score_many(old, _strip(group, {"energy"}, enterprises=False))
    after = score_many(new, _strip(group, {"share"}, enterprises=True))
    shifts = {row.base: row.shift for row in result.impact}
    assert [shifts[p.id] for p in group] == pytest.approx((after.overall - before.overall).tolist(), abs=1e-9)
    kinds = [c.kind for c in result.changes]
    assert kinds.count("pairwise_changed") == 2  # directions and beta's indicators: set directly → AHP
    assert {"formula_changed", "input_added", "enterprise_field_added"} <= set(kinds)
    [pairwise] = [c for c in result.changes if c.field == "direction_weights"]
    assert pairwise.message == ("direction_weights: set directly → AHP, CR 0.003 (alpha 0.648; beta 0.230; "
                                "gamma 0.122)")
    assert pairwise.old is None and pairwise.new["cr"] == pytest.approx(0.00318, abs=1e-5)  # type: ignore[index]


def test_pairwise_change_names_the_judgement_cr_and_weights() -> None:
    [change, *_] = diff(rubric(base=MINI3), rubric(_judge, MINI3)).changes
    assert change.message == ("direction_weights: AHP, CR 0.003 (alpha 0.648; beta 0.230; gamma 0.122) → "
                              "AHP, CR 0.046 (alpha 0.709; beta 0.179; gamma 0.113); judgements changed: "
                              "alpha vs beta 3 → 5")
    assert change.text("zh") == ("方向权重：层次分析法，一致性比率 0.003（alpha 0.648；beta 0.230；"
                                 "gamma 0.122） → 层次分析法，一致性比率 0.046（alpha 0.709；beta 0.179；"
                                 "gamma 0.113）；判断变化：alpha 比 beta：3 → 5")
    assert change.old["judgements"][0] == ["alpha", "beta", 3.0]  # type: ignore[index]


def test_reordered_pairwise_matrix_is_no_change() -> None:
    def reorder(data: Data) -> None:
        block = data["direction_weights"]
        block["order"] = ["gamma", "alpha", "beta"]
        block["pairwise"] = [[1, 1 / 5, 1 / 2], [5, 1, 3], [2, 1 / 3, 1]]

    assert diff(rubric(base=MINI3), rubric(reorder, MINI3)).changes == ()


def test_rollup_change_reads_in_both_languages() -> None:
    [change] = diff(rubric(base=MINI3), rubric(_set("inputs.1.rollup", {"mean": "tonnes", "weight": "staff"}),
                                               MINI3)).changes
    assert change.message == "rollup: sum of tonnes → mean of tonnes weighted by staff"
    assert change.text("zh") == "汇总方式：tonnes 之和 → tonnes 按 staff 加权的平均值"
