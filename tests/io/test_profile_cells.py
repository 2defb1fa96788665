"""Many profiles to the value matrix: the one-pass gathering (_io/profilecells.py) gives the
arrays and the problems (the same words, in the same order) of reading every profile on its own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score import BaseProfile, load_rubric
from upgrade_score._errors import UpgradeScoreError
from upgrade_score._io.tables import profile_inputs
from upgrade_score._model.profile import ReportedValue

DEFAULT = load_rubric()  # categories, n/a, applies_to, formulas, inputs and roll-ups
PLAIN = load_rubric("urban-mining-upgrade@2026.1")  # none of those
KEYS = ["resource_utilisation_rate", "key_discharger_monitoring", "water_reuse_rate",
        "waste_heat_recovery_rate", "product_standard_certification", "rd_intensity", "revenue",
        "rd_spending", "tonnes_processed", "firms", "colour", "no_major_incident", "high_value_product_share"]
VALUES: list[Any] = [12.5, 0.0, 100.0, 3.0, 1.0, 55.0, 250.0, -3.0, 2.5, True, False, "n/a", None, "不适用"]
RAW: list[Any] = [7, np.float64(4.0), "abc", float("nan"), float("inf"), 2]  # only in a constructed model
CATEGORIES = [None, "ferrous", "ewaste", "plastic", 5]


@st.composite
def profiles(draw: st.DrawFn, keys: list[str]) -> list[BaseProfile]:
    found = []
    for n in range(draw(st.integers(1, 6))):
        base: dict[str, Any] = {"id": f"b{n}"}
        if (category := draw(st.sampled_from(CATEGORIES))) is not None:
            base["category"] = category
        if draw(st.integers(0, 4)) == 0:
            base["rubric_version"] = draw(st.sampled_from(["2026.1", "2026.2", "1999"]))
        chosen = draw(st.lists(st.sampled_from(keys), max_size=6, unique=True))
        values = {}
        for key in chosen:
            confidence = draw(st.sampled_from([None, 0.0, 0.5, 1.0]))
            if draw(st.integers(0, 9)) == 0:
                raw = draw(st.sampled_from(RAW))
                values[key] = ReportedValue.model_construct(value=raw, confidence=confidence)
            else:
                value = draw(st.sampled_from(VALUES[:5]) if draw(st.booleans()) else st.sampled_from(VALUES))
                values[key] = ReportedValue.model_validate({"value": value,
                                                            "confidence": confidence})
        found.append(BaseProfile.model_validate({"base": base, "values": values}))
    return found


def _read(rubric: Any, bases: list[BaseProfile], by_row: bool) -> Any:
    try:
        values, na, categories, derived = profile_inputs(rubric, bases, by_row=by_row)
    except UpgradeScoreError as exc:
        return [str(p) for p in exc.problems]
    except (ValueError, TypeError) as exc:  # a constructed model holding text: neither path reads it
        return type(exc)
    return values, na, categories, None if derived is None else (derived.inputs, derived.rows)


def _same(one: Any, other: Any) -> None:
    if not isinstance(one, tuple) or not isinstance(other, tuple):
        assert one == other  # the same problems (or both None: no derivation)
        return
    for a, b in zip(one, other):
        if a is None or isinstance(a, tuple):
            _same(a, b)
        else:
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_one_pass_reads_as_one_profile_at_a_time(data: st.DataObject) -> None:
    rubric = data.draw(st.sampled_from([DEFAULT, PLAIN]))
    keys = KEYS + ([*PLAIN.indicator_ids[:4]] if rubric is PLAIN else [])
    bases = data.draw(profiles(keys))
    _same(_read(rubric, bases, by_row=False), _read(rubric, bases, by_row=True))


def test_every_kind_of_cell_hand_checked() -> None:
    """Numbers, true/false, n/a, blanks and a reported input in one pass; a base of a category an
    indicator does not apply to, bools for a number, an unknown id: the problems, in row order."""
    good = [BaseProfile.model_validate({"base": {"id": "a", "category": "ferrous"}, "values": {
        "resource_utilisation_rate": 40, "key_discharger_monitoring": True, "water_reuse_rate": "n/a",
        "waste_heat_recovery_rate": None, "revenue": 200, "rd_spending": 5}}),
        BaseProfile.model_validate({"base": {"id": "b"}, "values": {"no_major_incident": False}})]
    values, na, categories, derived = profile_inputs(DEFAULT, good)
    ids = DEFAULT.indicator_ids
    assert values[0, ids.index("resource_utilisation_rate")] == 40.0
    assert values[0, ids.index("key_discharger_monitoring")] == 1.0
    assert values[1, ids.index("no_major_incident")] == 0.0
    assert na[0, ids.index("water_reuse_rate")] and na.sum() == 1
    assert values[0, ids.index("rd_intensity")] == pytest.approx(2.5)  # 5 / 200 * 100
    assert categories.tolist() == [DEFAULT.category_ids.index("ferrous"), -1]
    assert derived is not None
    bad = [*good, BaseProfile.model_validate({"base": {"id": "c", "category": "ewaste"}, "values": {
        "waste_heat_recovery_rate": 3, "resource_utilisation_rate": True, "colour": 1}}),
        BaseProfile.model_validate({"base": {"id": "d", "category": "ewaste"}, "values": {
            "resource_utilisation_rate": 40, "waste_heat_recovery_rate": 3}}),
        BaseProfile.model_validate({"base": {"id": "e"}, "values": {"water_reuse_rate": "n/a",
                                                                   "product_standard_certification": "n/a"}})]
    with pytest.raises(UpgradeScoreError) as caught:
        profile_inputs(DEFAULT, bad)
    assert [str(p) for p in caught.value.problems] == [
        "base 'c': values.waste_heat_recovery_rate: does not apply to category 'ewaste' (applies to: "
        "ferrous, non_ferrous); leave it out",
        "base 'c': values.resource_utilisation_rate: expected a quantitative value (a number), got True",
        "base 'c': values.colour: unknown indicator or input for rubric 'urban-mining-upgrade'",
        "base 'd': values.waste_heat_recovery_rate: does not apply to category 'ewaste' (applies to: "
        "ferrous, non_ferrous); leave it out",
        "base 'e': values.product_standard_certification: 'n/a' is allowed only for indicators with "
        "allow_na: true"]


def test_numbers_true_false_and_empty_values_alone_hand_checked() -> None:
    """Without any n/a answer the values are converted in one go: a true/false is told from 1/0
    only outside boolean indicators, an empty value from NaN only where the number is NaN."""
    ids = PLAIN.indicator_ids
    boolean = next(i.id for i in PLAIN.indicators if i.kind == "boolean")
    number = next(i.id for i in PLAIN.indicators if i.kind == "quantitative")
    good = [BaseProfile.model_validate({"base": {"id": "a"}, "values": {boolean: True, number: 1}}),
            BaseProfile.model_validate({"base": {"id": "b"}, "values": {boolean: 0, number: None}}),
            BaseProfile.model_validate({"base": {"id": "c"}, "values": {
                boolean: ReportedValue.model_construct(value=float("nan")), number: 0.0}})]
    values, na, _, _ = profile_inputs(PLAIN, good)
    assert values[:2, ids.index(boolean)].tolist() == [1.0, 0.0] and np.isnan(values[2, ids.index(boolean)])
    assert values[0, ids.index(number)] == 1.0 and np.isnan(values[1, ids.index(number)])
    assert values[2, ids.index(number)] == 0.0 and not na.any()
    bad = [*good, BaseProfile.model_validate({"base": {"id": "d"}, "values": {number: False, boolean: 1.0}})]
    with pytest.raises(UpgradeScoreError) as caught:
        profile_inputs(PLAIN, bad)
    assert [str(p) for p in caught.value.problems] == [
        f"base 'd': values.{number}: expected a quantitative value (a number), got False"]
    _same(_read(PLAIN, bad, by_row=False), _read(PLAIN, bad, by_row=True))


def test_profile_rows_read_each_profile_once() -> None:
    from upgrade_score._model.profile import ProfileRows

    bases = [BaseProfile.model_validate({"base": {"id": "a", "category": "ferrous"}, "values": {"x": 1}}),
             BaseProfile.model_validate({"base": {"id": "b"}, "values": {},
                                         "enterprises": [{"id": "e1", "revenue": 3}]})]
    rows = ProfileRows(bases)
    assert rows == tuple(bases) and ProfileRows.of(rows) is rows and ProfileRows.of(bases) == rows
    assert rows.ids == ("a", "b") and rows.extra_rows == (0,) and rows.extras[0]["category"] == "ferrous"
    assert dict(rows.extras[1]) == {} and rows.values[0] is bases[0].values
    assert rows.listed[0] is None and rows.listed[1] == bases[1].enterprises
    other = BaseProfile.model_validate({"base": {"id": "c"}, "values": {}})
    changed = rows.replaced({1: other})
    assert changed.ids == ("a", "c") and changed.listed == (None, None) and rows.replaced({}) is rows
    assert ProfileRows().ids == () and ProfileRows().extra_rows == ()


def test_numbers_and_true_false_alone_hand_checked() -> None:
    """Floats and true/false only (converted by numpy's iterator): a true/false is 1/0 in a
    boolean indicator; in a qualitative one among many 0s and 1s it is found and worded, alone
    and beside another."""
    ids = PLAIN.indicator_ids
    boolean = next(i.id for i in PLAIN.indicators if i.kind == "boolean")
    level = next(i.id for i in PLAIN.indicators if i.kind == "qualitative")
    number = next(i.id for i in PLAIN.indicators if i.kind == "quantitative")
    good = [BaseProfile.model_validate({"base": {"id": f"b{n}"}, "values": {
        boolean: n % 2 == 0, level: float(n % 2), number: 1.0}}) for n in range(4)]
    values, na, _, _ = profile_inputs(PLAIN, good)
    assert values[:, ids.index(boolean)].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert values[:, ids.index(level)].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert values[:, ids.index(number)].tolist() == [1.0] * 4 and not na.any()
    for wrong in ([True], [False, True]):
        bad = [*good, *(BaseProfile.model_validate({"base": {"id": f"x{n}"}, "values": {level: value}})
                        for n, value in enumerate(wrong))]
        with pytest.raises(UpgradeScoreError) as caught:
            profile_inputs(PLAIN, bad)
        assert [str(p) for p in caught.value.problems] == [
            f"base 'x{n}': values.{level}: expected a qualitative value (a number), got {value}"
            for n, value in enumerate(wrong)]
        _same(_read(PLAIN, bad, by_row=False), _read(PLAIN, bad, by_row=True))
    alone = [BaseProfile.model_validate({"base": {"id": "a"}, "values": {boolean: True, number: 2.5}}),
             BaseProfile.model_validate({"base": {"id": "x0"}, "values": {level: False}})]  # the one 0/1
    with pytest.raises(UpgradeScoreError) as caught:
        profile_inputs(PLAIN, alone)
    assert [str(p) for p in caught.value.problems] == [
        f"base 'x0': values.{level}: expected a qualitative value (a number), got False"]
