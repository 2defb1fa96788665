"""Scorecards are made from the table's arrays without validating each part again: each must
equal its validated twin, field for field and type for type (a float a float, an int an int,
a nested result its model), or its JSON would change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from derived_demo import demo
from engine.strategies_v2 import profiles_for, rubrics_v2
from upgrade_score import BaseProfile, Rubric, load_profiles, load_rubric, score_many
from upgrade_score._model.results import DirectionResult, Result, Scorecard, constructed

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bases"


def same(a: Any, b: Any, path: str = "$") -> None:
    """Equal and of the same type all the way down (1 == 1.0 == True in Python, not in JSON)."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, Result):  # (made with every field given, as the validated twin is)
        assert a.model_fields_set == b.model_fields_set == set(type(a).model_fields), path
    if isinstance(a, BaseModel):
        same(dict(a), dict(b), path)
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{k}]")
    else:
        assert a == b or (a != a and b != b), f"{path}: {a!r} vs {b!r}"


def assert_validated(card: Scorecard) -> None:
    twin = Scorecard.model_validate(card.model_dump())
    assert twin == card
    same(card, twin)
    assert card.to_json() == twin.to_json()
    assert repr(card) == repr(twin)


def test_constructed_equals_validated_by_hand() -> None:
    fields = {"score": 62.5, "level": 3, "completeness": 1.0, "weight_share": 0.25, "uncapped_level": None}
    made = constructed(DirectionResult, dict(fields))
    assert made == DirectionResult(**fields)
    same(made, DirectionResult(**fields))
    with pytest.raises(ValidationError):  # immutable like any result
        made.score = 1.0  # type: ignore[misc]


def test_example_scorecards_equal_their_validated_twins() -> None:
    for card in score_many(load_rubric(), load_profiles(EXAMPLES)):
        assert_validated(card)


def test_derived_scorecards_equal_their_validated_twins(tmp_path: Path) -> None:
    rubric, profiles, _ = demo(tmp_path)
    for card in score_many(rubric, list(profiles)):
        assert card.indicators["energy_intensity"].derived is not None
        assert_validated(card)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Rubric, list[BaseProfile]]:
    data = draw(rubrics_v2())
    profiles = []
    for k in range(draw(st.integers(1, 3))):
        profile = draw(profiles_for(data))
        profile["base"]["id"] = f"base-{k}"
        profiles.append(BaseProfile.model_validate(profile))
    return Rubric.model_validate(data), profiles


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_random_scorecards_equal_their_validated_twins(case: tuple[Rubric, list[BaseProfile]]) -> None:
    rubric, profiles = case
    for card in score_many(rubric, profiles):
        assert_validated(card)
