"""Scoring entry points: profiles or a value matrix in, a :class:`ScoreTable` out."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._engine.core import FloatArray, invalid_cells, score_matrix
from .._errors import Problem, UpgradeScoreError
from .._model.profile import BaseProfile, check_unique_ids, load_profile
from .._model.results import Scorecard, ScoreTable, sequence_of_ids
from .._model.rubric import Rubric, load_rubric

MAX_REPORTED = 20


def profile_matrix(rubric: Rubric, profiles: Sequence[BaseProfile]) -> FloatArray:
    """The N×M value matrix of ``profiles`` (NaN = missing), checked against ``rubric``.

    Booleans become 1/0. Every problem of every profile is reported together, each located at
    the file and line where the value was given.
    """
    columns = {indicator_id: m for m, indicator_id in enumerate(rubric.indicator_ids)}
    kinds = [indicator.kind for indicator in rubric.indicators]
    values = np.full((len(profiles), len(columns)), np.nan)
    problems: list[Problem] = []
    for row, profile in enumerate(profiles):
        for indicator_id, reported in profile.values.items():
            column = columns.get(indicator_id)
            if column is None:
                problems.append(profile.problem(indicator_id, _unknown(rubric, indicator_id)))
                continue
            value = reported.value
            if value is None:
                continue
            if isinstance(value, bool) and kinds[column] != "boolean":
                problems.append(profile.problem(
                    indicator_id, f"expected a {kinds[column]} value (a number), got {value}"))
                continue
            values[row, column] = float(value)
    _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
    problems.extend(profiles[row].problem(rubric.indicator_ids[col], reason)
                    for row, col, reason in bad)
    if problems:
        raise UpgradeScoreError(problems)
    return values


def _unknown(rubric: Rubric, indicator_id: str) -> str:
    close = difflib.get_close_matches(indicator_id, rubric.indicator_ids, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown indicator for rubric '{rubric.id}'{hint}"


def array_matrix(rubric: Rubric, data: Any) -> FloatArray:
    """An N×M float array in ``rubric.indicator_ids`` order (NaN = missing), shape-checked.

    Cell values are checked while scoring (see :func:`score_many`)."""
    try:
        if np.iscomplexobj(data):
            raise TypeError
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise UpgradeScoreError("data: expected profiles or a numeric N×M array") from None
    width = len(rubric.indicator_ids)
    if values.ndim == 1 and values.size == width:
        values = values.reshape(1, width)
    if values.ndim != 2 or values.shape[1] != width:
        raise UpgradeScoreError(
            f"data: expected an array of shape (N, {width}) in rubric.indicator_ids order, "
            f"got shape {values.shape}")
    return values


def _refuse_invalid(rubric: Rubric, values: FloatArray) -> None:
    _, bad = invalid_cells(rubric.compiled, values, limit=MAX_REPORTED)
    raise UpgradeScoreError([Problem(reason, None, None, ("data", row, rubric.indicator_ids[col]))
                             for row, col, reason in bad])


def score_many(rubric: Rubric | str | Path | None, data: Any, *,
               ids: Sequence[str] | None = None, workers: int | None = None) -> ScoreTable:
    """Score many bases at once.

    ``data`` is a sequence of :class:`BaseProfile` or an N×M array whose columns follow
    ``rubric.indicator_ids`` (NaN = missing; booleans as 1/0). ``ids`` names the rows of an
    array. ``workers`` caps the threads used (default: one per core). A pandas DataFrame works
    too: columns are indicator ids (in any order; absent ones are missing), index = base ids.
    """
    rubric = load_rubric(rubric)
    if isinstance(data, BaseProfile):
        data = [data]
    if isinstance(data, (list, tuple)) and data and all(isinstance(p, BaseProfile) for p in data):
        profiles = tuple(data)
        check_unique_ids(profiles)
        values = profile_matrix(rubric, profiles)
        if ids is not None:
            raise UpgradeScoreError("ids: profiles carry their own ids")
        return ScoreTable(rubric, _readonly(values), score_matrix(rubric.compiled, values),
                          profiles=profiles)
    if type(data).__module__.startswith("pandas"):  # a DataFrame; pandas is imported only then
        from .._render.frames import frame_matrix

        data, frame_ids = frame_matrix(rubric, data)
        ids = frame_ids if ids is None else ids
    values = array_matrix(rubric, data)
    scores = score_matrix(rubric.compiled, values, workers=workers)
    if scores.has_invalid:
        _refuse_invalid(rubric, values)
    return ScoreTable(rubric, _readonly(values), scores, ids=sequence_of_ids(ids, values.shape[0]))


def score(rubric: Rubric | str | Path | None, profile: BaseProfile | str | Path) -> Scorecard:
    """Score one base (a profile, or the path of a profile file): ``score_many`` with N = 1."""
    if not isinstance(profile, BaseProfile):
        profile = load_profile(profile)
    return score_many(rubric, [profile]).scorecard(0)


def _readonly(values: FloatArray) -> FloatArray:
    view: FloatArray = values.view()
    view.setflags(write=False)
    return view
