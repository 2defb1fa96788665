"""Derived indicators and enterprise roll-ups (design points 12–13), and AHP weights on a rubric
(point 14): hand-computed values, located errors for every bad input, and a property test that
a rubric with formulas scores exactly like one fed the computed values."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score import (
    BaseProfile,
    Rubric,
    UpgradeScoreError,
    gap,
    load_profile,
    load_rubric,
    score,
    score_many,
)
from upgrade_score._io.enterprises import load_enterprises

LEVELS = [{"level": 1, "name": {"zh": "一级", "en": "L1"}}, {"level": 2, "name": {"zh": "二级", "en": "L2"}}]


def rubric_data() -> dict[str, Any]:
    return {
        "id": "derived", "version": "1", "title": "Derived", "levels": copy.deepcopy(LEVELS),
        "enterprise_fields": [
            {"id": "tonnes", "name": {"zh": "处理量", "en": "Tonnes"}, "unit": "t"},
            {"id": "staff", "name": "Staff"},
            {"id": "green", "name": {"zh": "绿色工厂", "en": "Green factory"}, "kind": "boolean"},
        ],
        "inputs": [
            {"id": "energy", "name": "Energy use", "unit": "tce", "valid_range": [0, 1e9]},
            {"id": "value_added", "name": "Value added", "unit": "万元", "valid_range": [0, 1e9]},
            {"id": "processed", "name": "Processed", "rollup": {"sum": "tonnes"}},
            {"id": "firms", "name": "Firms", "rollup": {"count": "all"}},
            {"id": "greens", "name": "Green factories", "rollup": {"count_where": "green"}},
            {"id": "mean_tonnes", "name": "Mean tonnes", "rollup": {"mean": "tonnes"}},
            {"id": "staff_weighted", "name": "Tonnes per firm, weighted by staff",
             "rollup": {"mean": "tonnes", "weight": "staff"}},
        ],
        "directions": [
            {"id": "a", "name": "A", "indicators": [
                {"id": "intensity", "name": "Energy intensity", "better": "lower", "thresholds": [2, 1],
                 "formula": "energy / value_added"},
                {"id": "green_share", "name": "Green share", "thresholds": [0.2, 0.5],
                 "formula": "greens / firms"},
            ]},
            {"id": "b", "name": "B", "indicators": [
                {"id": "throughput", "name": "Throughput", "thresholds": [100, 300], "formula": "processed"},
                {"id": "scale", "name": "Scale", "thresholds": [50, 150],
                 "formula": "(mean_tonnes + staff_weighted) / 2"},
            ]},
        ],
    }


def profile(values: dict[str, Any], enterprises: list[dict[str, Any]] | None = None,
            base_id: str = "b1") -> BaseProfile:
    data: dict[str, Any] = {"base": {"id": base_id}, "values": values}
    if enterprises is not None:
        data["enterprises"] = enterprises
    return BaseProfile.model_validate(data)


FIRMS = [
    {"id": "e1", "tonnes": 120, "staff": 10, "green": True},
    {"id": "e2", "tonnes": 80, "staff": 30, "green": False},
    {"id": "e3", "staff": 5, "green": True},    # no tonnes: left out of the tonnes roll-ups
]


def test_every_rollup_form_and_formula_by_hand() -> None:
    card = score(Rubric.model_validate(rubric_data()),
                 profile({"energy": 4200, "value_added": 1700}, FIRMS))
    ind = card.indicators
    assert ind["intensity"].value == pytest.approx(4200 / 1700)
    assert ind["intensity"].level == pytest.approx(3 - 4200 / 1700)  # floor 3 (one step above 2)
    assert ind["green_share"].value == pytest.approx(2 / 3)
    assert ind["throughput"].value == 200.0                          # 120 + 80
    mean = (120 + 80) / 2
    weighted = (120 * 10 + 80 * 30) / 40
    assert ind["scale"].value == pytest.approx((mean + weighted) / 2)
    derived = ind["green_share"].derived
    assert derived is not None and derived.formula == "greens / firms"
    assert derived.inputs == {"greens": 2.0, "firms": 3.0}
    assert derived.enterprise_rows == {"greens": 3, "firms": 3}
    assert ind["throughput"].derived is not None
    assert ind["throughput"].derived.enterprise_rows == {"processed": 2}
    assert ind["intensity"].derived is not None and ind["intensity"].derived.enterprise_rows is None


def test_division_by_zero_is_missing_with_its_reason() -> None:
    card = score(Rubric.model_validate(rubric_data()), profile({"energy": 10, "value_added": 0}))
    intensity = card.indicators["intensity"]
    assert intensity.value is None and intensity.missing
    assert intensity.derived is not None and intensity.derived.missing_reason == "division_by_zero"
    assert card.to_dict()["indicators"]["intensity"]["derived"]["missing_reason"] == "division_by_zero"


def test_missing_operand_or_no_enterprise_rows_is_missing_without_reason() -> None:
    card = score(Rubric.model_validate(rubric_data()), profile({"energy": 10}))
    for indicator in ("intensity", "green_share", "throughput", "scale"):
        result = card.indicators[indicator]
        assert result.value is None and result.missing
        assert result.derived is not None and result.derived.missing_reason is None
    share = card.indicators["green_share"].derived
    assert share is not None and share.inputs == {"greens": None, "firms": None}


def test_weighted_mean_with_zero_weights_is_missing() -> None:
    card = score(Rubric.model_validate(rubric_data()),
                 profile({}, [{"tonnes": 5, "staff": 0}, {"tonnes": 7, "staff": 0}]))
    assert card.indicators["scale"].value is None
    assert card.indicators["throughput"].value == 12.0


def test_v1_results_do_not_change_shape() -> None:
    data = rubric_data()
    for key in ("inputs", "enterprise_fields"):
        del data[key]
    for direction in data["directions"]:
        for indicator in direction["indicators"]:
            del indicator["formula"]
    card = score(Rubric.model_validate(data), profile({"intensity": 1.5}))
    assert "derived" not in card.to_dict()["indicators"]["intensity"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.one_of(st.just(0.0), st.floats(1e-3, 1e6)),
                          st.lists(st.tuples(st.floats(0, 500), st.floats(0, 50), st.booleans()),
                                   max_size=6)),
                min_size=1, max_size=8))
def test_formulas_score_like_the_computed_values_fed_directly(bases: list[Any]) -> None:
    rubric = Rubric.model_validate(rubric_data())
    plain_data = rubric_data()
    del plain_data["inputs"], plain_data["enterprise_fields"]
    for direction in plain_data["directions"]:
        for indicator in direction["indicators"]:
            del indicator["formula"]
    plain = Rubric.model_validate(plain_data)
    profiles, fed = [], []
    for k, (energy, value_added, firms) in enumerate(bases):
        rows = [{"tonnes": t, "staff": s, "green": g} for t, s, g in firms]
        profiles.append(profile({"energy": energy, "value_added": value_added}, rows, base_id=f"b{k}"))
        tonnes = [t for t, _, _ in firms]
        staff = sum(s for _, s, _ in firms)
        values = {
            "intensity": energy / value_added if value_added else None,
            "green_share": sum(g for _, _, g in firms) / len(firms) if firms else None,
            "throughput": math.fsum(tonnes) if firms else None,
            "scale": ((math.fsum(tonnes) / len(tonnes) + math.fsum(t * s for t, s, _ in firms) / staff) / 2
                      if firms and staff else None),
        }
        fed.append(profile(values, base_id=f"b{k}"))
    derived, direct = score_many(rubric, profiles), score_many(plain, fed)
    np.testing.assert_allclose(derived.values, direct.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(derived.directions, direct.directions, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(derived.overall, direct.overall, rtol=1e-9, atol=1e-9)
    assert (derived.overall_level == direct.overall_level).all()


def test_gap_names_the_input_to_change() -> None:
    base = profile({"energy": 4200, "value_added": 1700}, FIRMS)
    report = gap(Rubric.model_validate(rubric_data()), base, 2)
    action = next(a for a in report.actions if a.indicator == "intensity")
    assert action.target == pytest.approx(1.0)
    assert action.via is not None
    via = {change.input: change for change in action.via}
    assert via["energy"].current == 4200 and via["energy"].target == pytest.approx(1700)  # 1700 / 1700 = 1
    assert via["value_added"].target == pytest.approx(4200)                               # 4200 / 4200 = 1
    assert via["energy"].unit == "tce"


# --- bad rubrics ----------------------------------------------------------------------------------

def rubric_error(change: Any, tmp_path: Path) -> str:
    """The errors of the changed rubric, loaded from a YAML file as users do (file:line: path)."""
    data = rubric_data()
    change(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    assert all(str(problem).startswith(f"{path}:") for problem in info.value.problems)
    return "\n".join(str(problem) for problem in info.value.problems)


def ind(data: dict[str, Any], j: int, i: int) -> dict[str, Any]:
    indicator: dict[str, Any] = data["directions"][j]["indicators"][i]
    return indicator


@pytest.mark.parametrize(("formula", "expected"), [
    ("energy ** 2", "unexpected '**'"),
    ("abs(energy)", "function calls are not allowed"),
    ("energy.real", "unexpected '.'"),
    ("energy / intensity", "unknown input 'intensity'"),
    ("__import__('os')", "unexpected '_'"),
    ("energy / (value_added", "missing ')'"),
])
def test_formula_syntax_errors_are_located(formula: str, expected: str, tmp_path: Path) -> None:
    message = rubric_error(lambda d: ind(d, 0, 0).update(formula=formula), tmp_path)
    assert ": directions[0].indicators[0].formula: column " in message
    assert expected in message


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["inputs"].append({"id": "intensity", "name": "x"}),
     "inputs[7].id: id 'intensity' is already used by directions[0].indicators[0]"),
    (lambda d: d["inputs"][2].update(rollup={"sum": "tonnage"}),
     "inputs[2].rollup.sum: unknown enterprise field 'tonnage' (did you mean 'tonnes'?)"),
    (lambda d: d["inputs"][2].update(rollup={"sum": "green"}),
     "inputs[2].rollup.sum: 'sum' needs a number field; 'green' is a boolean field"),
    (lambda d: d["inputs"][4].update(rollup={"count_where": "tonnes"}),
     "inputs[4].rollup.count_where: 'count_where' needs a boolean field; 'tonnes' is a number field"),
    (lambda d: d["inputs"][2].update(rollup={"sum": "tonnes", "count": "all"}),
     "needs exactly one of sum, count, count_where, mean (got sum, count)"),
    (lambda d: ind(d, 0, 0).update(kind="boolean", thresholds=None, better="higher"),
     "only quantitative indicators take 'formula'"),
])
def test_bad_derivations_are_located(change: Any, expected: str, tmp_path: Path) -> None:
    assert expected in rubric_error(change, tmp_path)


# --- bad profiles and enterprise tables ------------------------------------------------------------

def profile_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "base.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        score(Rubric.model_validate(rubric_data()), load_profile(path))
    return "\n".join(str(p) for p in info.value.problems)


@pytest.mark.parametrize(("text", "expected"), [
    ("base: {id: b}\nvalues:\n  intensity: 1.5\n",
     "base.yaml:3: values.intensity: is computed by its formula 'energy / value_added': report its inputs "
     "(energy, value_added) instead"),
    ("base: {id: b}\nvalues:\n  processed: 10\n",
     "base.yaml:3: values.processed: is rolled up from the base's enterprises (sum of tonnes)"),
    ("base: {id: b}\nvalues:\n  energy: -5\n",
     "base.yaml:3: values.energy: -5 is outside the valid range [0, 1e+09]"),
    ("base: {id: b}\nvalues: {}\nenterprises:\n  - {id: e1, tonage: 5}\n",
     "base.yaml:4: enterprises[0].tonage: unknown enterprise field (did you mean 'tonnes'?)"),
    ("base: {id: b}\nvalues: {}\nenterprises:\n  - {id: e1, green: 1}\n",
     "base.yaml:4: enterprises[0].green: must be true or false (a yes/no field), got 1"),
    ("base: {id: b}\nvalues: {}\nenterprises:\n  - {id: e1, tonnes: yes please}\n",
     "enterprises[0].tonnes: must be a number, true/false or empty"),
])
def test_bad_profiles_are_located(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in profile_error(tmp_path, text)


def test_enterprise_table_rows_roll_up_and_bad_rows_are_located(tmp_path: Path) -> None:
    rubric = Rubric.model_validate(rubric_data())
    table = tmp_path / "firms.csv"
    table.write_text("base_id,id,tonnes,staff,green\nb1,e1,120,10,是\nb1,e2,80,30,否\nb2,e9,5,,true\n",
                     encoding="utf-8")
    bases = [profile({"energy": 1}, base_id="b1"), profile({}, base_id="b2")]
    result = score_many(rubric, bases, enterprises=table)
    assert result.scorecard("b1").indicators["throughput"].value == 200.0
    assert result.scorecard("b1").indicators["green_share"].value == 0.5
    assert result.scorecard("b2").indicators["green_share"].value == 1.0
    table.write_text("base_id,tonnes,green\nb1,12,maybe\n,3,true\nb7,1,false\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, bases, enterprises=load_enterprises(table, rubric))
    messages = [str(p) for p in info.value.problems]
    assert messages == [f"{table}:2: green: 'maybe' is not true/false (是/否)",
                        f"{table}:3: base_id: empty: every enterprise row names its base"]
    table.write_text("base_id,tonnes\nb7,1\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        score_many(rubric, bases, enterprises=table)
    assert str(info.value) == f"{table}:2: base_id: unknown base 'b7': no base has this id"
    table.write_text("base_id,tones\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError, match=r"firms.csv:1: unknown enterprise field 'tones' \(did you"):
        load_enterprises(table, rubric)


# --- AHP weights on a rubric ----------------------------------------------------------------------

def test_ahp_weights_are_written_into_the_weights() -> None:
    data = rubric_data()
    data["directions"].append({"id": "c", "name": "C", "indicators": [
        {"id": "c1", "name": "C1", "thresholds": [1, 2]}]})
    data["direction_weights"] = {"method": "ahp", "order": ["a", "b", "c"],
                                 "pairwise": [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]}
    rubric = Rubric.model_validate(data)
    weights = [d.weight for d in rubric.directions]
    assert weights == pytest.approx([0.648, 0.230, 0.122], abs=5e-4)
    assert rubric.direction_weights is not None
    assert rubric.direction_weights.result.cr == pytest.approx(0.003, abs=1e-3)
    assert rubric.model_copy(update={"version": "2"}).directions[0].weight == weights[0]  # round trip
    data["directions"][0]["weight"] = 2.0
    with pytest.raises(ValueError, match=r"directions\[0\]\.weight: 2 contradicts the weight 0\.648"):
        Rubric.model_validate(data)


@pytest.mark.parametrize(("block", "expected"), [
    ({"order": ["a", "b"], "pairwise": [[1, 3], [0.5, 1]]},
     "direction_weights.pairwise[0][1]: is 3 but pairwise[1][0] is 0.5: it must be 1/3 (0.333333)"),
    ({"order": ["a", "b"], "pairwise": [[1, 3, 1], [1 / 3, 1]]},
     "direction_weights.pairwise[0]: has 3 entries; the matrix must be square (2×2)"),
    ({"order": ["a", "b"], "pairwise": [[1, -3], [-1 / 3, 1]]}, "must be positive"),
    ({"order": ["a", "c"], "pairwise": [[1, 3], [1 / 3, 1]]},
     "direction_weights.order[1]: unknown direction 'c'"),
    ({"order": ["a"], "pairwise": [[1]]},
     "direction_weights.order: must list every direction; missing: b"),
])
def test_bad_pairwise_blocks_are_located(block: dict[str, Any], expected: str, tmp_path: Path) -> None:
    ahp = {"method": "ahp", **block}
    assert expected in rubric_error(lambda d: d.update(direction_weights=ahp), tmp_path)


def test_dataframes_give_inputs_and_take_enterprise_tables(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    rubric = Rubric.model_validate(rubric_data())
    table = tmp_path / "firms.csv"
    table.write_text("base_id,tonnes,staff,green\nb1,120,10,true\nb1,80,30,false\nb2,5,1,true\n",
                     encoding="utf-8")
    frame = pd.DataFrame({"id": ["b1", "b2"], "energy": [4200.0, 10.0], "value_added": [1700.0, 0.0]})
    result = score_many(rubric, frame, enterprises=table)
    profiles = [profile({"energy": 4200, "value_added": 1700}, base_id="b1"),
                profile({"energy": 10, "value_added": 0}, base_id="b2")]
    expected = score_many(rubric, profiles, enterprises=table)
    np.testing.assert_array_equal(result.values, expected.values)
    np.testing.assert_array_equal(result.overall, expected.overall)
    assert result.scorecard("b2").indicators["intensity"].derived.missing_reason == "division_by_zero"  # type: ignore[union-attr]
    for column, message in (("intensity", "is computed by its formula 'energy / value_added'"),
                            ("processed", "is rolled up from enterprise rows")):
        with pytest.raises(UpgradeScoreError, match=f"data.{column}: {message}"):
            score_many(rubric, pd.DataFrame({"id": ["b1"], column: [1.0]}))
    with pytest.raises(UpgradeScoreError, match=r"data.b1.energy: -1 is outside the valid range"):
        score_many(rubric, pd.DataFrame({"id": ["b1"], "energy": [-1.0]}))


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Energy intensity is computed by energy / value_added: Energy use from 4,200 tce to 1,700 tce, "
           "or Value added from 1,700 万元 to 4,200 万元 (the other inputs as they are)"),
    ("zh", "Energy intensity 由公式 energy / value_added 计算：Energy use 由 4,200 tce 调整为 1,700 tce；"
           "或 Value added 由 1,700 万元 调整为 4,200 万元（其他数据不变）"),
])
def test_gap_text_says_which_input_to_change(tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str,
                                             expected: str) -> None:
    from upgrade_score._cli import main

    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(yaml.safe_dump(rubric_data(), allow_unicode=True), encoding="utf-8")
    base = tmp_path / "base.yaml"
    base.write_text("base: {id: b1}\nvalues: {energy: 4200, value_added: 1700}\n", encoding="utf-8")
    assert main(["gap", "--rubric", str(rubric), str(base), "--target", "2", "--lang", lang]) == 0
    assert expected in capsys.readouterr().out.splitlines()


def test_sensitivity_carries_input_intervals_through_formulas() -> None:
    from upgrade_score import sensitivity
    from upgrade_score._analysis.sensitivity.values import value_spread

    rubric = Rubric.model_validate(rubric_data())
    base = profile({"energy": {"value": 4200, "low": 3400, "high": 5100}, "value_added": 1700})
    table = score_many(rubric, [base])
    spread = value_spread(table, None)
    m = rubric.indicator_ids.index("intensity")
    assert spread.columns.tolist() == [m]
    assert spread.low[0] == pytest.approx(3400 / 1700) and spread.high[0] == pytest.approx(5100 / 1700)
    assert sensitivity(rubric, [base], seed=1, samples=200).to_dict()  # runs end to end
    with pytest.raises(UpgradeScoreError, match=r"values\.energy: a confidence on an input is not used"):
        sensitivity(rubric, [profile({"energy": {"value": 1, "confidence": 0.5}})], seed=1, samples=50)


def test_the_json_schemas_accept_the_stocktaking_example() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from upgrade_score._io.yaml import load_document
    from upgrade_score._model.profile import BaseProfile as ProfileModel

    example = Path(__file__).resolve().parents[2] / "examples" / "stocktaking"
    rubric_schema = Rubric.model_json_schema()
    jsonschema.validate(load_document(example / "rubric.yaml").data, rubric_schema)
    for path in sorted((example / "bases").glob("*.yaml")):
        jsonschema.validate(load_document(path).data, ProfileModel.model_json_schema())
    rollup = jsonschema.Draft202012Validator(rubric_schema["$defs"]["Rollup"])
    assert rollup.is_valid({"sum": "t"}) and not rollup.is_valid({"sum": "t", "count": "all"})


def test_gap_takes_an_enterprise_table_and_credit_codes_are_ids(tmp_path: Path) -> None:
    rubric = Rubric.model_validate(rubric_data())
    table = tmp_path / "firms.csv"
    table.write_text("base_id,id,tonnes,green\nb1,91110000MA01ABCD2X,120,true\nb1,2,80,false\n",
                     encoding="utf-8")
    base = profile({"energy": 4200, "value_added": 1700})
    report = gap(rubric, base, 2, enterprises=table)
    expected = gap(rubric, profile({"energy": 4200, "value_added": 1700},
                                   [{"id": "91110000MA01ABCD2X", "tonnes": 120, "green": True},
                                    {"id": 2, "tonnes": 80, "green": False}]), 2)
    assert report.to_dict()["actions"] == expected.to_dict()["actions"]
    assert report.current_score == expected.current_score


def test_the_stocktaking_example_passes_strict_check_and_scores(capsys: pytest.CaptureFixture[str]) -> None:
    from upgrade_score._cli import main

    example = Path(__file__).resolve().parents[2] / "examples" / "stocktaking"
    assert main(["check", "--strict", str(example / "rubric.yaml")]) == 0
    assert main(["score", "--rubric", str(example / "rubric.yaml"), str(example / "bases"),
                 "--enterprises", str(example / "enterprises.csv"), "--format", "json"]) == 0
    assert '"park_throughput"' in capsys.readouterr().out
