"""Panels (design point 15): a base is identified by ``base.id`` and ``base.year``; profiles of one
id with different years are its history.

Cross-sectional stages (score, compare, gap, report) take one profile per base: each base's latest
year, or the profiles of one year asked for. Progress takes every year of every base.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TypeVar

from .._engine.core import SMALL_ROWS
from .._errors import Problem, UpgradeScoreError
from .._io.csvtable import ProfileTable
from .._model.profile import YEAR_RULE, YEARS, BaseProfile, ProfileRows, check_unique_ids

T = TypeVar("T")


def is_panel(profiles: Sequence[BaseProfile]) -> bool:
    """Whether some base appears in more than one year."""
    ids = profiles.ids if isinstance(profiles, ProfileRows) else [profile.base.id for profile in profiles]
    return len(set(ids)) < len(ids)


def histories(profiles: Sequence[BaseProfile]) -> list[tuple[str, list[BaseProfile]]]:
    """Every base (in order of first appearance) with its profiles from the earliest year to the
    latest; checked as a panel (unique id and year, one rubric version per base)."""
    check_unique_ids(profiles)
    found: dict[str, list[BaseProfile]] = {}
    for profile in profiles:
        found.setdefault(profile.id, []).append(profile)
    return [(base_id, sorted(group, key=lambda p: p.base.year or 0)) for base_id, group in found.items()]


def check_year(year: object, what: str = "--year") -> int:
    """A year given by the caller: a whole number from 1900 to 2100."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise UpgradeScoreError(Problem(f"expected {YEAR_RULE}, got {year!r}", what))
    return year


def cross_section(profiles: Sequence[BaseProfile], year: int | None = None) -> tuple[BaseProfile, ...]:
    """One profile per base: its latest year, or (``year`` given) the profile of that year.

    Without a panel and without ``year`` the profiles are returned as they are. With ``year``,
    bases that did not report for it are left out with a notice (a ``UserWarning``); a year no
    base has is an error.
    """
    if len(profiles) > SMALL_ROWS:  # many: each profile's fields read once here, for every later pass
        profiles = ProfileRows.of(profiles)
    if year is None and not is_panel(profiles):  # (then no two profiles share an id: nothing to check)
        return profiles if isinstance(profiles, ProfileRows) else tuple(profiles)
    groups = histories(profiles)
    if year is None:
        return tuple(group[-1] for _, group in groups)
    chosen = [next((p for p in group if p.base.year == year), None) for _, group in groups]
    years = {p.base.year for p in profiles if p.base.year is not None}
    return tuple(_of_year(year, [base_id for base_id, _ in groups], chosen, years))


def table_cross_section(table: ProfileTable, year: int | None = None) -> Sequence[BaseProfile]:
    """:func:`cross_section` of a CSV table, on its id and year columns: the table's rows of
    each base's latest year, or of ``year`` (a table itself, no profile object per row)."""
    ids = table.ids
    if year is None and len(set(ids)) == len(ids):  # (one row a base: nothing a panel check refuses)
        return table
    groups = table_histories(table)
    if year is None:
        return table.take([rows[-1] for rows in groups])
    years = table.years()
    chosen = [next((row for row in rows if years[row] == year), None) for rows in groups]
    return table.take(_of_year(year, [ids[rows[0]] for rows in groups], chosen,
                               {y for y in years if y is not None}))


def _of_year(year: int, ids: list[str], chosen: Sequence[T | None], years: set[int]) -> list[T]:
    """The profiles (or rows) chosen for ``year``, one per base id (``None``: the base has none
    for it, left out with a notice); an error when no base has one."""
    check_year(year)
    kept = [item for item in chosen if item is not None]
    if not kept:
        known = ", ".join(map(str, sorted(years))) if years else "none: no profile gives base.year"
        raise UpgradeScoreError(Problem(f"no base has a profile for {year} (years given: {known})",
                                        "--year"))
    left = [base_id for base_id, item in zip(ids, chosen) if item is None]
    if left:
        shown = ", ".join(left[:5]) + (f", … ({len(left)} in all)" if len(left) > 5 else "")
        warnings.warn(f"year {year}: {len(left)} base(s) without a profile for that year left out: "
                      f"{shown}", UserWarning, stacklevel=3)
    return kept


def table_histories(table: ProfileTable) -> list[list[int]]:
    """:func:`histories` of a CSV table, on its id and year columns: the rows of every base (in
    order of first appearance), from the earliest year to the latest; checked as a panel with
    the same messages."""
    table.check_unique_ids()
    years = table.years()
    found: dict[str, list[int]] = {}
    for row, base_id in enumerate(table.ids):
        found.setdefault(base_id, []).append(row)
    return [sorted(rows, key=lambda row: years[row] or 0) for rows in found.values()]
