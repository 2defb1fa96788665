"""Scoring entry points: profiles or a value matrix in, a :class:`ScoreTable` out."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._analysis.panel import cross_section, table_cross_section
from .._analysis.scorecard import ScoreTable, sequence_of_ids
from .._engine.compile import BoolArray, FloatArray, IntArray
from .._engine.core import SMALL_ROWS, Scores, invalid_cells, score_matrix
from .._engine.derive import Derived
from .._errors import Problem, UpgradeScoreError
from .._io.arguments import ProfileLike, as_profile, as_profiles
from .._io.csvtable import ProfileTable
from .._io.enterprises import EnterpriseTable, load_enterprises
from .._io.rubrics import load_rubric
from .._io.tables import array_matrix, frame_matrix, profile_inputs
from .._model.profile import BaseProfile, ProfileRows
from .._model.results import Scorecard
from .._model.rubric import Rubric

MAX_REPORTED = 20
ArrayT = TypeVar("ArrayT", bound=np.ndarray[Any, Any])


def _refuse_invalid(rubric: Rubric, values: FloatArray) -> None:
    _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
    raise UpgradeScoreError([Problem(reason, None, None, ("data", row, rubric.indicator_ids[col]))
                             for row, col, reason in bad])


def score_many(rubric: Rubric | str | Path | None, data: Any, *,
               ids: Sequence[str] | None = None, workers: int | None = None,
               year: int | None = None,
               enterprises: EnterpriseTable | str | Path | None = None) -> ScoreTable:
    """Score many bases at once.

    ``data`` is a sequence of :class:`BaseProfile` (or paths of profile files, tables and
    directories, read with :func:`load_profiles`) or an N×M array whose columns follow
    ``rubric.indicator_ids`` (NaN = missing; booleans as 1/0; derived indicators' values taken
    as given). ``ids`` names the rows of an array. ``workers`` caps the threads used (default:
    one per core). A pandas DataFrame works too: columns are indicator or input ids (in any
    order; absent ones are missing; derived indicators are computed), index = base ids.
    The table owns its values: an array that may share memory with ``data`` is copied (chunk by
    chunk while it is scored) and kept read-only, so a buffer reused afterwards changes nothing.
    ``enterprises`` (with profiles) is an enterprise table, or the path of one (CSV with a
    ``base_id`` column), whose rows roll up into the inputs of the bases they name.
    Profiles of one base in several years (a panel) are scored at each base's latest year, or at
    ``year`` (bases without a profile for it are left out).
    """
    return scored_table(rubric, data, ids=ids, workers=workers, year=year, enterprises=enterprises)


def scored_table(rubric: Rubric | str | Path | None, data: Any, *, ids: Sequence[str] | None = None,
                 workers: int | None = None, year: int | None = None,
                 enterprises: EnterpriseTable | str | Path | None = None,
                 keep_levels: bool = False) -> ScoreTable:
    """:func:`score_many`; with ``keep_levels`` the table keeps its indicator levels at any size
    (else only up to one chunk of rows: an (N, M) array more), for callers that use them all."""
    rubric = load_rubric(rubric)
    if enterprises is not None and not isinstance(enterprises, EnterpriseTable):
        enterprises = load_enterprises(enterprises, rubric)
    if isinstance(data, BaseProfile):
        data = [data]
    if isinstance(data, (str, PathLike)) or (isinstance(data, (list, tuple)) and data and all(
            isinstance(item, (str, PathLike)) for item in data)):
        data = as_profiles(data, "data", rubric)  # paths of files, tables and directories
    if isinstance(data, ProfileTable):  # a CSV table: its arrays, no profile per row
        if ids is not None:
            raise UpgradeScoreError("ids: profiles carry their own ids")
        return score_profiles(rubric, table_cross_section(data, year), enterprises, keep_levels)
    if (isinstance(data, ProfileRows) and data) or (isinstance(data, (list, tuple)) and data and all(
            map(isinstance, data, repeat(BaseProfile)))):
        if ids is not None:
            raise UpgradeScoreError("ids: profiles carry their own ids")
        return score_profiles(rubric, cross_section(data, year), enterprises, keep_levels)
    if year is not None:
        raise UpgradeScoreError("year: only profiles carry years (not a matrix or a DataFrame)")
    derived = None
    if type(data).__module__.startswith("pandas"):  # a DataFrame; pandas is imported only then
        values, frame_ids, derived = frame_matrix(rubric, data, enterprises)  # a new array
        ids = frame_ids if ids is None else ids
    elif enterprises is not None:
        raise UpgradeScoreError("enterprises: give profiles or a DataFrame with them (an array holds "
                                "indicator values, derived ones included)")
    else:
        values = array_matrix(rubric, data)
    owned = None if _fresh(values, data) else np.empty_like(values, order="C")  # copied while scored
    scores = score_matrix(rubric.compiled, values, workers=workers, keep_levels=keep_levels,
                          copy_into=owned)
    values = _readonly(values if owned is None else owned)  # nobody changes it afterwards
    if scores.has_invalid:
        _refuse_invalid(rubric, values)
    return ScoreTable(rubric, values, scores, ids=sequence_of_ids(ids, values.shape[0]), derived=derived)


def score_profiles(rubric: Rubric, profiles: Sequence[BaseProfile],
                   enterprises: EnterpriseTable | None = None, keep_levels: bool = False) -> ScoreTable:
    """Score profiles as given, one row each (a panel's years too: ids may repeat)."""
    if not isinstance(profiles, (ProfileTable, ProfileRows)):  # (rows: a tuple already)
        profiles = tuple(profiles)
    # a few profiles: each read on its own costs less than the one pass over many (the same arrays
    # and problems, tested)
    few = not isinstance(profiles, ProfileTable) and len(profiles) <= SMALL_ROWS
    return score_checked(rubric, profiles, *profile_inputs(rubric, profiles, enterprises, by_row=few),
                         keep_levels=keep_levels)


def score_checked(rubric: Rubric, profiles: Sequence[BaseProfile], values: FloatArray, na: BoolArray,
                  categories: IntArray, derived: Derived | None = None,
                  keep_levels: bool = False) -> ScoreTable:
    """Score the checked inputs of ``profiles`` (what :func:`profile_inputs` gives), one row each."""
    scores = score_matrix(rubric.compiled, values, na=na, categories=categories,
                          keep_levels=keep_levels)
    _refuse_all_na(profiles, scores)
    return ScoreTable(rubric, _readonly(values), scores, profiles=profiles, na=_readonly(na),
                      categories=_readonly(categories), derived=derived)


def score(rubric: Rubric | str | Path | None, profile: ProfileLike) -> Scorecard:
    """Score one base: ``score_many`` with N = 1. ``profile`` is a profile, the path of a profile
    file, a mapping of indicator id to value or a pandas Series (index = indicator ids, name =
    base id)."""
    profile = as_profile(profile)
    return score_profiles(load_rubric(rubric), (profile,)).scorecard(0)  # (one profile: no panel)


def _refuse_all_na(profiles: Sequence[BaseProfile], scores: Scores) -> None:
    """A base to which no direction applies cannot be scored (design point 10)."""
    empty = np.flatnonzero(np.isnan(scores.directions).all(axis=1))
    if empty.size:
        raise UpgradeScoreError([profiles[row].problem(None, "no direction applies to this base (every "
                                                       "indicator is n/a or outside its category)")
                                 for row in empty.tolist()])


def _fresh(values: FloatArray, data: Any) -> bool:
    """Whether ``values`` is a new array (from a list, a DataFrame, or converted from another
    dtype), which the table may own; else the table keeps a copy, so that it does not show what
    the caller writes into its buffer later."""
    return isinstance(data, (list, tuple)) or (
        type(data).__module__.startswith("pandas")) or (
        isinstance(data, np.ndarray) and not np.may_share_memory(values, data))


def _readonly(values: ArrayT) -> ArrayT:
    """A read-only view of an array of ours, itself made read-only (so the view stays so)."""
    values.setflags(write=False)
    view: ArrayT = values.view()
    return view

