"""A gap report's actions (and the input changes of derived indicators) are made without
validating them again: every report must equal its validated twin, field for field and type
for type, or its JSON would change."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.test_scorecard_models import same
from derived_demo import demo
from upgrade_score import Target, gap, load_profiles, load_rubric
from upgrade_score._analysis.gap import Action, GapReport, OperandChange

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bases"


def assert_validated(report: GapReport) -> None:
    twin = GapReport.model_validate(report.model_dump())
    assert twin == report
    same(report, twin)
    assert report.to_json() == twin.to_json()
    for action in report.actions:
        assert type(action) is Action
        assert all(type(change) is OperandChange for change in action.via or ())


@pytest.mark.parametrize("level", [2, 4])
def test_example_reports_equal_their_validated_twins(level: int) -> None:
    rubric = load_rubric()
    reports = [gap(rubric, profile, Target(level=level)) for profile in load_profiles(EXAMPLES)]
    assert any(action.via for report in reports for action in report.actions)  # derived ones too
    for report in reports:
        assert_validated(report)


def test_derived_reports_equal_their_validated_twins(tmp_path: Path) -> None:
    rubric, profiles, _ = demo(tmp_path)
    for profile in profiles:
        for target in (Target(level=2), Target(score=90.0)):
            assert_validated(gap(rubric, profile, target))


def test_language_2_reports_equal_their_validated_twins() -> None:
    """Categories, gates and directions that do not apply (their deficits made unvalidated too)."""
    rubric = load_rubric(EXAMPLES.parent / "rubrics" / "categories_and_gates.yaml")
    reports = [gap(rubric, profile, Target(level=level))
               for profile in load_profiles(EXAMPLES.parent / "rubrics" / "bases", rubric=rubric)
               for level in (1, 2)]
    assert any(d.current_score is None for report in reports for d in report.directions.values())
    for report in reports:
        assert_validated(report)
