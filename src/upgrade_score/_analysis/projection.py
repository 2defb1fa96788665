"""Projection of score series (design point 15): when a base reaches a target's cutoff.

:func:`project` takes one series (the reference, in plain Python); :func:`project_many` takes
every series of every base at once as numpy arrays (what :func:`~upgrade_score.progress` uses),
and a property test checks that the two agree.

A least-squares line is fitted through the last (up to) three years' scores. The projection is

- ``reached`` when the latest score already meets the cutoff (within 1e-9, the level tolerance).
  Its ``year`` is a documented choice (point 15 leaves it open): the first year of the unbroken
  run of years, ending with the latest, whose scores all meet the cutoff ("reached since") — so a
  base that met it in 2022, fell below in 2023 and met it again in 2024 has reached it in 2024;
- ``not_on_track`` (``year`` null) with a single year, or when the fitted slope is ≤ 0;
- otherwise ``on_track`` with ``year`` the first whole year in which the line reaches the cutoff:
  the ceiling of the crossing point (rounded to 9 decimals first, so floating-point noise such
  as 2026.0000000001 does not push it a year on), and at least the year after the latest (a line
  that crossed in the past while the latest score is still short gives next year).
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._engine.compile import FloatArray, IntArray

FIT_POINTS = 3
_CROSSING_DECIMALS = 9  # the crossing is rounded before ceil, so 2029.0000000001 counts as 2029
_FLAT = 64 * sys.float_info.epsilon  # slope numerators this small relative to their terms are 0


@dataclass(frozen=True)
class Projection:
    """``reached`` (year: the first year of the unbroken run, up to the latest, that meets the
    cutoff), ``on_track`` (year: the first whole year the fitted line reaches it) or
    ``not_on_track`` (year None)."""

    status: Literal["reached", "on_track", "not_on_track"]
    year: int | None

    def to_dict(self) -> dict[str, object]:
        """``{"status": ..., "year": ...}``."""
        return {"status": self.status, "year": self.year}


def _check(years: Sequence[int], scores: Sequence[float]) -> None:
    if len(years) != len(scores):
        raise ValueError(f"{len(years)} years but {len(scores)} scores")
    if not years:
        raise ValueError("a panel needs at least one year")
    if any(later <= earlier for earlier, later in itertools.pairwise(years)):
        raise ValueError(f"years must be strictly increasing, got {list(years)}")
    if not all(math.isfinite(s) for s in scores):
        raise ValueError("scores must be finite")


def _reached_since(years: Sequence[int], scores: Sequence[float], bar: float) -> int:
    """The earliest year from which every later score meets the bar (the latest one does)."""
    k = len(scores) - 1
    while k > 0 and scores[k - 1] >= bar:
        k -= 1
    return years[k]


def _fit(dx: Sequence[int], ys: Sequence[float]) -> tuple[float, float] | None:
    """Least-squares line y = b + slope * dx in closed form; None when the slope is <= 0.

    With integer offsets dx the weights n*dx_i - sum(dx) are exact integers, so linear data with
    integer slope and intercept is fitted exactly; a numerator within rounding error of 0 is 0.
    """
    n = len(dx)
    sx = sum(dx)
    terms = [(n * x - sx) * y for x, y in zip(dx, ys, strict=True)]
    numerator = math.fsum(terms)
    denominator = n * sum(x * x for x in dx) - sx * sx
    if numerator <= _FLAT * math.fsum(abs(t) for t in terms):
        return None
    slope = numerator / denominator
    return (math.fsum(ys) - slope * sx) / n, slope


def project(
    years: Sequence[int], scores: Sequence[float], cutoff: float, tolerance: float = 1e-9
) -> Projection:
    """Project when the score reaches `cutoff` from a line fitted to the last (up to) three years.

    `reached` if the latest score >= cutoff - tolerance; `not_on_track` with one year or a fitted
    slope <= 0; else `on_track` in the ceiling of the crossing year (rounded to 9 decimals first),
    at least the year after the latest. Raises ValueError for unequal lengths, no years, years not
    strictly increasing, or non-finite scores.
    """
    _check(years, scores)
    bar = cutoff - tolerance
    if scores[-1] >= bar:
        return Projection("reached", _reached_since(years, scores, bar))
    latest = years[-1]
    dx = [y - latest for y in years[-FIT_POINTS:]]
    fit = _fit(dx, scores[-FIT_POINTS:]) if len(dx) > 1 else None
    if fit is None:
        return Projection("not_on_track", None)
    intercept, slope = fit
    crossing = round((cutoff - intercept) / slope, _CROSSING_DECIMALS)
    if not math.isfinite(crossing):
        return Projection("not_on_track", None)
    return Projection("on_track", latest + max(math.ceil(crossing), 1))


def changes(scores: Sequence[float]) -> tuple[float | None, float | None]:
    """(change since the first year, change since the previous year); both None for one year."""
    if not scores:
        raise ValueError("a panel needs at least one year")
    if len(scores) == 1:
        return None, None
    return scores[-1] - scores[0], scores[-1] - scores[-2]


@dataclass(frozen=True)
class Projections:
    """Projections of S series at once (see :func:`project_many`): ``status`` codes
    (:data:`STATUSES` index, -1 where a series has no score at all), ``year`` (-1 where none),
    and the change since the first and the previous year with a score (NaN where none)."""

    status: IntArray
    year: IntArray
    since_first: FloatArray
    since_previous: FloatArray
    far: dict[int, Projection]  # lines so flat they cross beyond 2**52 years: exact Python ints

    def projection(self, s: int) -> Projection | None:
        """Series ``s`` as a :class:`Projection` (``None``: no score in any year)."""
        if s in self.far:
            return self.far[s]
        code = int(self.status[s])
        if code < 0:
            return None
        year = int(self.year[s])
        return Projection(STATUSES[code], None if year < 0 else year)


STATUSES: tuple[Literal["reached", "on_track", "not_on_track"], ...] = ("reached", "on_track",
                                                                        "not_on_track")


def project_many(years: IntArray, scores: FloatArray, cutoffs: FloatArray,
                 tolerance: float = 1e-9) -> Projections:
    """:func:`project` and :func:`changes` for S series at once, as numpy arrays.

    ``years`` (S, Y): strictly increasing whole years of each row (pad a shorter row by
    repeating its last year, with NaN scores); ``scores`` (S, Y), NaN where a series has no score
    that year (those years are left out, as :func:`project` would be given only the others);
    ``cutoffs`` (S,). The same rules as :func:`project`, checked against it by a property test.
    """
    valid = ~np.isnan(scores)
    count = valid.sum(axis=1)
    rows = np.arange(len(scores))
    column = np.arange(scores.shape[1])
    last = np.where(count > 0, scores.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1), 0)
    first = np.argmax(valid, axis=1)
    latest_score = scores[rows, last]
    latest_year = years[rows, last]
    bar = cutoffs - tolerance
    from_end = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]  # valid points at or after each year
    fitted = valid & (from_end <= FIT_POINTS)
    n = fitted.sum(axis=1)
    dx = np.where(fitted, years - latest_year[:, None], 0)
    sx = dx.sum(axis=1)
    sxx = (dx * dx).sum(axis=1)
    y = np.where(fitted, scores, 0.0)
    terms = np.where(fitted, (n[:, None] * dx - sx[:, None]) * y, 0.0)
    numerator = terms.sum(axis=1)
    rising = (n > 1) & (numerator > _FLAT * np.abs(terms).sum(axis=1))
    denominator = np.where(rising, n * sxx - sx * sx, 1)
    slope = np.where(rising, numerator / denominator, 1.0)
    intercept = (y.sum(axis=1) - slope * sx) / np.maximum(n, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        crossing = np.round((cutoffs - intercept) / slope, _CROSSING_DECIMALS)
    rising &= np.isfinite(crossing)
    far = rising & (np.abs(crossing) >= 2.0**52)
    ahead = np.maximum(np.ceil(np.where(rising & ~far, crossing, 1.0)), 1).astype(np.int64)
    reached = (count > 0) & (latest_score >= bar)
    misses = valid & ~(scores >= bar[:, None])
    last_miss = np.where(misses.any(axis=1), scores.shape[1] - 1 - np.argmax(misses[:, ::-1], axis=1), -1)
    since = np.argmax(valid & (column[None, :] > last_miss[:, None]), axis=1)
    status = np.where(count == 0, -1, np.where(reached, 0, np.where(rising, 1, 2)))
    year = np.where(reached, years[rows, since], np.where(status == 1, latest_year + ahead, -1))
    previous = np.argmax(valid & (from_end == 2), axis=1)
    since_first = np.where(count > 1, latest_score - scores[rows, first], np.nan)
    since_previous = np.where(count > 1, latest_score - scores[rows, previous], np.nan)
    exact = {s: project(years[s, valid[s]].tolist(), scores[s, valid[s]].tolist(), float(cutoffs[s]),
                        tolerance) for s in np.flatnonzero(far & ~reached).tolist()}
    return Projections(status.astype(np.int64), year.astype(np.int64), since_first, since_previous, exact)
