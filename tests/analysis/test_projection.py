"""Projection of a score series to a cutoff (design point 15): every case by hand, and a property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._analysis.projection import Projection, changes, project, project_many


def test_reached_latest_meets_cutoff() -> None:
    assert project([2022, 2023, 2024], [50, 58, 61], 60) == Projection("reached", 2024)


def test_reached_year_is_start_of_unbroken_run() -> None:
    years = [2020, 2021, 2022, 2023, 2024]
    assert project(years, [50, 65, 55, 62, 70], 60) == Projection("reached", 2023)
    assert project(years, [61, 65, 60, 62, 70], 60) == Projection("reached", 2020)


def test_reached_within_tolerance() -> None:
    assert project([2023, 2024], [50, 60 - 1e-12], 60) == Projection("reached", 2024)
    assert project([2023, 2024], [50, 59.99], 60).status == "on_track"


def test_on_track_exact_crossing() -> None:
    # slope 5 per year, line at 50 in 2025, reaches 60 at 2027.0 exactly
    assert project([2023, 2024, 2025], [40, 45, 50], 60) == Projection("on_track", 2027)


def test_on_track_fractional_crossing_rounds_up() -> None:
    # slope (50 - 40) / 2 = 5, mean 44.667 at 2024 so the line is at 49.667 in 2025;
    # 60 is reached at 2025 + 10.333 / 5 = 2027.07, so the first whole year is 2028
    assert project([2023, 2024, 2025], [40, 44, 50], 60) == Projection("on_track", 2028)


def test_on_track_two_years() -> None:
    assert project([2020, 2024], [30, 50], 61) == Projection("on_track", 2027)  # 5/yr: 2026.2


def test_crossing_before_latest_gives_next_year() -> None:
    # fitted line: slope 5, value 54.33 in 2025, so it crossed 52 in 2024.5; actual 2025 score is 50
    assert project([2023, 2024, 2025], [40, 58, 50], 52) == Projection("on_track", 2026)


def test_float_noise_does_not_push_year() -> None:
    # the plain crossing is 4.000000000000001 years after 2022; it must give 2026, not 2027
    assert project([2020, 2021, 2022], [0.1, 0.2, 0.3], 0.7) == Projection("on_track", 2026)
    assert project([2020, 2021, 2022], [1.1, 1.2, 1.3], 1.7) == Projection("on_track", 2026)


def test_flat_not_on_track() -> None:
    assert project([2022, 2023, 2024], [50, 50, 50], 60) == Projection("not_on_track", None)
    assert project([2020, 2023, 2024], [0.1, 0.1, 0.1], 0.7) == Projection("not_on_track", None)


def test_falling_not_on_track() -> None:
    assert project([2022, 2023, 2024], [55, 52, 50], 60) == Projection("not_on_track", None)
    # up the previous year, but the fitted slope over the three years is (41 - 45) / 2 < 0
    assert project([2022, 2023, 2024], [45, 30, 41], 60) == Projection("not_on_track", None)


def test_single_year_not_on_track() -> None:
    assert project([2024], [10], 60) == Projection("not_on_track", None)
    assert project([2024], [70], 60) == Projection("reached", 2024)


def test_only_last_three_years_are_fitted() -> None:
    years = [2020, 2021, 2022, 2023, 2024]
    # all five points fit a falling line (not on track); the last three rise by 5 a year
    assert project(years, [90, 80, 40, 45, 50], 60) == Projection("on_track", 2026)
    # all five would give a steep rise (on track soon); the last three are flat
    assert project(years, [0, 10, 50, 50, 50], 60) == Projection("not_on_track", None)


def test_uneven_years() -> None:
    # points (2018, 30), (2022, 42), (2024, 48): exactly 3 a year, 48 in 2024, 60 in 2028
    assert project([2018, 2022, 2024], [30, 42, 48], 60) == Projection("on_track", 2028)


@pytest.mark.parametrize(
    ("years", "scores"),
    [([2024, 2023], [1, 2]), ([2023, 2023], [1, 2]), ([2023, 2024], [1]), ([], []), ([2024], [float("nan")])],
)
def test_invalid_input(years: list[int], scores: list[float]) -> None:
    with pytest.raises(ValueError):
        project(years, scores, 60)


def test_changes() -> None:
    assert changes([40.0, 45.5, 50.0]) == (10.0, 4.5)
    assert changes([40.0, 35.0]) == (-5.0, -5.0)
    assert changes([40.0]) == (None, None)
    with pytest.raises(ValueError):
        changes([])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=5),  # gaps between years
    st.integers(min_value=1990, max_value=2030),
    st.integers(min_value=1, max_value=20),  # slope per year
    st.integers(min_value=-100, max_value=100),  # score in the first year
    st.integers(min_value=1, max_value=30),  # years after the latest at which the cutoff is reached
)
def test_linear_series_projected_exactly(
    gaps: list[int], start: int, slope: int, first: int, ahead: int
) -> None:
    years = [start]
    for gap in gaps:
        years.append(years[-1] + gap)
    scores = [float(first + slope * (y - start)) for y in years]
    target_year = years[-1] + ahead
    cutoff = float(first + slope * (target_year - start))
    assert project(years, scores, cutoff) == Projection("on_track", target_year)
    # a cutoff a fraction of a year's progress later still needs the following whole year
    assert project(years, scores, cutoff + slope * 0.25) == Projection("on_track", target_year + 1)


_SCORE = st.one_of(st.none(), st.integers(0, 100).map(float),
                   st.floats(0, 100, allow_nan=False), st.sampled_from([0.1, 0.2, 0.3, 1.1, 1.2, 1.3]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.tuples(st.integers(1, 4), _SCORE), min_size=1, max_size=6),
                          st.one_of(st.integers(0, 100).map(float), st.floats(0, 100))),
                min_size=1, max_size=6))
def test_project_many_agrees_with_project(series: list[tuple[list[tuple[int, float | None]], float]]) -> None:
    """The numpy pass over many series gives what the reference gives one series at a time (years
    without a score left out; a series with no score has no projection)."""
    width = max(len(points) for points, _ in series)
    years = np.zeros((len(series), width), dtype=np.int64)
    scores = np.full((len(series), width), np.nan)
    for s, (points, _) in enumerate(series):
        year = 2000
        for k in range(width):
            if k < len(points):
                year += points[k][0]
                scores[s, k] = np.nan if points[k][1] is None else points[k][1]
            years[s, k] = year
    cutoffs = np.array([cutoff for _, cutoff in series])
    found = project_many(years, scores, cutoffs)
    for s, (points, cutoff) in enumerate(series):
        kept = [(int(years[s, k]), p[1]) for k, p in enumerate(points) if p[1] is not None]
        if not kept:
            assert found.projection(s) is None
            continue
        assert found.projection(s) == project([y for y, _ in kept], [v for _, v in kept], cutoff)
        first, previous = changes([v for _, v in kept])
        assert (None if np.isnan(found.since_first[s]) else found.since_first[s]) == first
        assert (None if np.isnan(found.since_previous[s]) else found.since_previous[s]) == previous


def test_project_many_by_hand() -> None:
    years = np.array([[2023, 2024, 2025], [2023, 2024, 2024], [2023, 2024, 2025], [2020, 2021, 2022]])
    scores = np.array([[40, 44, 50], [61, 70, np.nan], [np.nan, np.nan, np.nan], [0.1, np.nan, 0.3]])
    found = project_many(years, scores, np.array([60.0, 60.0, 60.0, 0.7]))
    assert [found.projection(s) for s in range(4)] == [
        Projection("on_track", 2028), Projection("reached", 2023), None, Projection("on_track", 2026)]
    assert found.since_first.tolist()[:2] == [10.0, 9.0] and np.isnan(found.since_previous[2])
