"""Comparison of a group of bases: ranks, percentiles and each base's gap to the group's best.

Ranks use competition ranking ("1224"): a base's rank is one more than the number of bases that
score more than 1e-9 higher, so tied bases share a rank and the next rank counts every base ahead. The
percentile of a base is the share of the *other* bases it scores strictly above (best → 100,
worst → 0; 100 for a group of one).

``by`` (``region``, ``province``, ``city`` or ``category``) ranks each base within the bases that
share its value of that field too, by the same rules; a base without the field has no group rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._analysis.score import scored_table
from .._analysis.scorecard import ScoreTable, readonly
from .._engine.compile import FloatArray, IntArray
from .._engine.core import CHUNK_ROWS, LEVEL_TOLERANCE, for_chunks, for_each
from .._engine.gates import capping
from .._errors import Problem, UpgradeScoreError
from .._io.csvtable import ProfileTable
from .._io.enterprises import EnterpriseTable
from .._model.display import HtmlDisplay, _dispatch
from .._model.profile import BaseProfile
from .._model.results import RubricRef, dumps, rounded_data
from .._model.rubric import Rubric

if TYPE_CHECKING:
    from pandas import DataFrame

    from .._text import Lang

TOLERANCE = LEVEL_TOLERANCE  # one tolerance for levels, ties and targets
GROUP_FIELDS = ("region", "province", "city", "category")


def group_value(profile: BaseProfile, by: str) -> str | None:
    """A base's value of a group field (as text), ``None`` when it has none."""
    value = (profile.base.model_extra or {}).get(by)
    return None if value is None else str(value)


def group_values(profiles: Sequence[BaseProfile], by: str) -> list[str | None]:
    """Every base's value of a group field: :func:`group_value` of each profile, or of a CSV
    table's rows read from its column (no profile built)."""
    if isinstance(profiles, ProfileTable):
        return [text or None for text in profiles.meta.get(by, [""] * len(profiles))]
    return [group_value(profile, by) for profile in profiles]


def check_by(by: str, profiles: Sequence[BaseProfile]) -> None:
    """``by`` is a group field that some base has."""
    if by not in GROUP_FIELDS:
        raise UpgradeScoreError(Problem(f"unknown field '{by}' (known: {', '.join(GROUP_FIELDS)})",
                                        "--by"))
    if all(value is None for value in group_values(profiles, by)):
        raise UpgradeScoreError(Problem(f"no base has a {by}", "--by"))


def same_group(group: Sequence[BaseProfile], base: BaseProfile, by: str) -> list[BaseProfile]:
    """The bases of ``group`` that share ``base``'s value of ``by``."""
    check_by(by, [*group, base])
    value = group_value(base, by)
    if value is None:
        raise UpgradeScoreError(base.problem(None, f"has no {by}, which --by {by} needs", by))
    members = [profile for profile in group if group_value(profile, by) == value]
    if not members:
        raise UpgradeScoreError(Problem(f"no base of the group has {by} '{value}'", "--by"))
    return members


def competition_ranks(scores: FloatArray, ascending: IntArray | None = None,
                      ordered: FloatArray | None = None) -> IntArray:
    """Rank 1 = highest: 1 + the number of bases scoring more than 1e-9 higher ("1224").
    ``ascending`` (the rows by score, lowest first) and ``ordered`` (the scores sorted) save the
    sorts when they are known."""
    ordered, ascending = _sorted(scores, ascending, ordered)
    ranks: IntArray = np.empty(len(scores), dtype=np.int64)
    ranks[ascending] = len(scores) + 1 - _past_each(ordered)
    return ranks


def percentiles(scores: FloatArray, ascending: IntArray | None = None,
                ordered: FloatArray | None = None) -> FloatArray:
    """Share (0–100) of the other bases that score strictly lower (within 1e-9)."""
    count = len(scores)
    if count <= 1:
        return np.full(count, 100.0)
    ordered, ascending = _sorted(scores, ascending, ordered)
    result: FloatArray = np.empty(count)
    result[ascending] = 100.0 * _below_each(ordered) / (count - 1)
    return result


def _past_each(ordered: FloatArray) -> IntArray:
    """How many of the ascending ``ordered`` are at most 1e-9 above each one:
    ``searchsorted(ordered, ordered + 1e-9, "right")``, searched only where the next value is
    that close (elsewhere it is one more than the value's own index)."""
    limits = ordered + TOLERANCE
    found: IntArray = np.arange(1, len(ordered) + 1)
    near = np.flatnonzero(~(ordered[1:] > limits[:-1]))  # NaN compares False: searched too
    found[near] = np.searchsorted(ordered, limits[near], side="right")
    return found


def _below_each(ordered: FloatArray) -> IntArray:
    """How many of the ascending ``ordered`` are more than 1e-9 below each one:
    ``searchsorted(ordered, ordered - 1e-9, "left")``, searched only where the previous value is
    that close (elsewhere it is the value's own index)."""
    limits = ordered - TOLERANCE
    found: IntArray = np.arange(len(ordered))
    near = np.flatnonzero(~(ordered[:-1] < limits[1:])) + 1
    found[near] = np.searchsorted(ordered, limits[near], side="left")
    return found


def _sorted(scores: FloatArray, ascending: IntArray | None,
            ordered: FloatArray | None = None) -> tuple[FloatArray, IntArray]:
    """The scores in ascending order and the rows they come from: each base's rank is then
    searched for in order (binary searches in random order miss the cache: 3× slower at 10⁶).
    The values are sorted on their own (a sequential sort, not a gather in random order): the
    same values in the same order as ``scores[ascending]`` for any ascending ``ascending``."""
    ascending = ascending_order(scores) if ascending is None else ascending
    return (np.sort(scores) if ordered is None else ordered), ascending


PACKED_ROWS = 1 << 14  # from this many scores on, the rows are sorted as packed integer keys
_SIGNLESS = np.int64(0x7FFF_FFFF_FFFF_FFFF)


def ascending_order(scores: FloatArray) -> IntArray:
    """Rows by score, lowest first, ties in row order: ``np.argsort(scores, kind="stable")``,
    for many scores through :func:`packed_order` (numpy's argsort does not use the vector sort,
    and costs 5-10× a plain sort at 10⁶)."""
    values = np.ascontiguousarray(scores, dtype=np.float64)
    if len(values) < PACKED_ROWS or bool(np.isnan(values).any()):
        found: IntArray = np.argsort(values, kind="stable")
        return found
    return packed_order(values)


def packed_order(scores: FloatArray) -> IntArray:
    """``np.argsort(scores, kind="stable")`` of NaN-free contiguous float64 ``scores``: each score
    becomes an integer key in the same order (the bits of a float, the rest of a negative one
    flipped), its lowest bits replaced by the row number; one plain sort of the keys then gives the
    rows. Rows whose keys share their value part (scores that close, or equal) are checked against
    the scores themselves, and any run among them out of order is sorted again by score."""
    count = len(scores)
    shift = max(1, (count - 1).bit_length())
    rows = np.int64((1 << shift) - 1)
    bits = (scores + 0.0).view(np.int64)  # -0.0 as +0.0: they tie, as in argsort
    keys = bits >> 63  # -1 for a negative score, 0 else
    keys &= _SIGNLESS
    keys ^= bits  # integers in the order of the scores
    keys &= ~rows
    keys |= np.arange(count, dtype=np.int64)
    keys.sort()
    order: IntArray = keys & rows
    keys >>= shift  # the value parts, in order
    shared = np.flatnonzero(keys[1:] == keys[:-1])  # row pairs whose order the value part left to the row
    if shared.size:
        _sort_close_runs(scores, order, keys, shared)
    return order


def _sort_close_runs(scores: FloatArray, order: IntArray, parts: IntArray, shared: IntArray) -> None:
    """Sort again, by score (ties in row order), each run of equal value ``parts`` in which a
    neighbouring pair at ``shared`` is out of order; ``order`` changed in place."""
    wrong = shared[scores[order[shared + 1]] < scores[order[shared]]]
    for part in np.unique(parts[wrong]).tolist():
        start = int(np.searchsorted(parts, part, side="left"))
        stop = int(np.searchsorted(parts, part, side="right"))
        run = np.sort(order[start:stop])  # row order first: a stable sort keeps it among ties
        order[start:stop] = run[np.argsort(scores[run], kind="stable")]


@dataclass(frozen=True, eq=False)
class Comparison(HtmlDisplay):
    """A group of bases side by side (rows in ``order``: sorted by ``sort_by``, best first)."""

    table: ScoreTable
    sort_by: str
    by: str | None = None

    @cached_property
    def groups(self) -> tuple[str | None, ...] | None:
        """Each base's group (its value of ``by``; ``None``: it has none), or ``None`` without ``by``."""
        if self.by is None or self.table.profiles is None:
            return None
        return tuple(group_values(self.table.profiles, self.by))

    @cached_property
    def group_rank(self) -> FloatArray:
        """Rank of each base within its group (NaN without one); ``rank`` if ``by`` is not set."""
        return readonly(self._within_groups(competition_ranks))

    @cached_property
    def group_percentile(self) -> FloatArray:
        """Percentile of each base within its group (NaN without one)."""
        return readonly(self._within_groups(percentiles))

    @cached_property
    def group_size(self) -> FloatArray:
        """Number of bases in each base's group (NaN without one)."""
        return readonly(self._within_groups(lambda scores: np.full(len(scores), float(len(scores)))))

    def _within_groups(self, statistic: Any) -> FloatArray:
        groups = self.groups
        if groups is None:
            return np.asarray(statistic(self.sort_scores), dtype=np.float64)
        numbers: dict[str, int] = {}  # each group numbered, then its rows taken in one sort
        codes = np.array([len(groups) if g is None else numbers.setdefault(g, len(numbers)) for g in groups],
                         dtype=np.int64)
        by_group = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[by_group], np.arange(len(numbers) + 1))
        result = np.full(len(codes), np.nan)
        for code in range(len(numbers)):
            members = by_group[bounds[code]:bounds[code + 1]]
            result[members] = statistic(self.sort_scores[members])
        return result

    @cached_property
    def sort_scores(self) -> FloatArray:
        """The scores the ranking uses: overall, or one direction's (a direction that does not
        apply to a base ranks it last, below every score)."""
        if self.sort_by == "overall":
            return self.table.overall
        column: FloatArray = self.table.directions[:, self.table.rubric.direction_ids.index(
            self.sort_by)]
        return readonly(np.nan_to_num(column, nan=-np.inf))

    @cached_property
    def _ascending(self) -> IntArray:
        """Rows by sort score, lowest first: one sort for ranks, percentiles and the order."""
        return readonly(ascending_order(self.sort_scores))

    @cached_property
    def _ordered(self) -> FloatArray:
        """The sort scores in ascending order (the ranks and percentiles read them)."""
        return readonly(np.sort(self.sort_scores))

    @cached_property
    def rank(self) -> IntArray:
        """Rank of each base (input order), 1 = best."""
        return readonly(competition_ranks(self.sort_scores, self._ascending, self._ordered))

    @cached_property
    def percentile(self) -> FloatArray:
        """Percentile of each base (input order) within the group."""
        return readonly(percentiles(self.sort_scores, self._ascending, self._ordered))

    @cached_property
    def order(self) -> IntArray:
        """Row numbers from best to worst (ties by base id)."""
        return readonly(best_first(self.rank, self._ascending[::-1], self.table))

    @cached_property
    def indicator_best(self) -> FloatArray:
        """The group's best level of each indicator (NaN if nobody reported it), shape (M,)."""
        best = _column_best(self.table.indicator_levels)
        return readonly(best)

    @cached_property
    def indicator_median(self) -> FloatArray:
        """The group's median level of each indicator, shape (M,)."""
        median = _column_medians(self.table.indicator_levels)
        return readonly(median)

    @cached_property
    def gap_to_best(self) -> FloatArray:
        """Levels each base is behind the group's best, per indicator (missing = from 0)."""
        return self._gaps[0]

    @cached_property
    def gap_to_median(self) -> FloatArray:
        """Levels each base is behind the group's median, per indicator (missing = from 0)."""
        return self._gaps[1]

    @cached_property
    def _gaps(self) -> tuple[FloatArray, FloatArray]:
        """The gaps to the best and to the median, made together: each level read once for both
        (every reader of one, the JSON first, reads the other too)."""
        to_best, to_median = self._behind(self.indicator_best, self.indicator_median)
        return readonly(to_best), readonly(to_median)

    def _behind(self, best: FloatArray, median: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Levels below the group's ``best`` and ``median`` (M,), per base and indicator; 0 where
        an indicator does not apply to the base. Written an indicator at a time, in cache-sized
        runs of bases, into (M, N) arrays returned as (N, M): the layout of the levels they read.

        With the level counted from 0 when missing, ``u = fmax(level, 0)``, the gap to a
        reference ``r`` is ``max(r − u, 0)`` (equal, bit for bit, to ``max(fmin(r − level, r),
        0)``: levels are never negative); the best is no lower than any level, so its gap is
        ``r − u`` itself."""
        levels = self.table.indicator_levels.T
        table, compiled = self.table, self.table.rubric.compiled
        everywhere = bool(compiled.applies is None or compiled.applies.all()) and (
            table.na is None or not table.na.any())
        outside = None if everywhere else ~table.applicable.T
        tops, middles = np.nan_to_num(best).tolist(), np.nan_to_num(median).tolist()
        to_best: FloatArray = np.empty(levels.shape)
        to_median: FloatArray = np.empty(levels.shape)

        def run(start: int, stop: int) -> None:
            counted = np.empty(stop - start)
            for m, (top, middle) in enumerate(zip(tops, middles)):
                np.fmax(levels[m, start:stop], 0.0, out=counted)  # missing (NaN) counts from 0
                np.subtract(top, counted, out=to_best[m, start:stop])
                block = to_median[m, start:stop]
                np.subtract(middle, counted, out=block)
                np.maximum(block, 0.0, out=block)
                if outside is not None:
                    np.copyto(to_best[m, start:stop], 0.0, where=outside[m, start:stop])
                    np.copyto(block, 0.0, where=outside[m, start:stop])

        for_chunks(levels.shape[1], run)
        return to_best.T, to_median.T

    def to_dataframe(self) -> DataFrame:
        """One row per base, best first: rank, percentile, scores and levels (needs pandas)."""
        return self._frame()

    def __repr__(self) -> str:
        rubric = self.table.rubric
        return (f"<Comparison of {len(self.table)} bases sorted by {self.sort_by}, rubric "
                f"{rubric.id} {rubric.version}>")

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON of :meth:`to_dict`."""
        return dumps(self.to_dict(), indent)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: bases best first, and the group's indicator statistics (rounded)."""
        rubric, table = self.table.rubric, self.table
        ids, directions = rubric.indicator_ids, rubric.direction_ids
        to_best, to_median = _rounded(self.gap_to_best), _rounded(self.gap_to_median)
        scores, levels = _rounded(table.directions), table.direction_levels.tolist()
        overall, percentile = _rounded(table.overall), _rounded(self.percentile)
        completeness = _rounded(table.completeness)
        bases = []
        for row in self.order.tolist():
            behind = {ids[m]: {"to_best": to_best[row][m], "to_median": to_median[row][m]}
                      for m in np.flatnonzero(self.gap_to_best[row] > TOLERANCE).tolist()}
            bases.append({
                "base": table.base_ids[row],
                "rank": int(self.rank[row]),
                "percentile": percentile[row],
                "overall": overall[row],
                "level": int(table.overall_level[row]),
                "balanced_level": int(table.balanced_level[row]),
                "completeness": completeness[row],
                "directions": {d: {"score": scores[row][j],
                                   "level": levels[row][j] if levels[row][j] >= 0 else None}
                               for j, d in enumerate(directions)},
                "behind": behind,
                **_gate_fields(table, row),
                **self._group_fields(row),
            })
        indicators = {i: {"best_level": _maybe(self.indicator_best[m]),
                          "median_level": _maybe(self.indicator_median[m])}
                      for m, i in enumerate(ids)}
        by = {} if self.by is None else {"by": self.by}
        return {"rubric": RubricRef.of(rubric).model_dump(), "sort": self.sort_by,
                "count": len(table), "bases": bases, "indicators": rounded_data(indicators), **by}

    def _group_fields(self, row: int) -> dict[str, Any]:
        """With ``by``: the base's group, its rank and percentile in it and the group's size."""
        if self.groups is None:
            return {}
        rank, size = self.group_rank[row], self.group_size[row]
        return {"group": self.groups[row],
                "group_rank": None if np.isnan(rank) else int(rank),
                "group_percentile": _maybe(round(float(self.group_percentile[row]), 6) + 0.0),
                "group_size": None if np.isnan(size) else int(size)}

    def to_excel(self, path: str | Path, lang: Lang | None = None) -> Path:
        """Write the comparison as an Excel workbook (needs the ``[xlsx]`` extra)."""
        return Path(_dispatch(self, "excel", path=path, lang=lang))


def best_first(rank: IntArray, descending: IntArray, table: ScoreTable) -> IntArray:
    """Rows by ``rank`` then base id, given the rows by score from highest (ranks are counted
    from the scores, so they never decrease along it, NaN scores first with rank 1 included):
    only the bases that share a rank are sorted again, by id."""
    ranked = rank[descending]
    order: IntArray = descending.copy()
    same = ranked[1:] == ranked[:-1]
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        rows = order[tied]
        ids = np.array([table.row_id(row) for row in rows.tolist()])
        order[tied] = rows[np.lexsort((ids, rank[rows]))]
    return order


def not_passed(table: ScoreTable, row: int) -> list[str]:
    """Ids of the gates a base fails or cannot show (no data), in rubric order."""
    status = table.scores.gate_status
    if status is None:
        return []
    gates = table.rubric.compiled.gates
    return [gates[g].id for g in np.flatnonzero(capping(status[row])).tolist()]


def _gate_fields(table: ScoreTable, row: int) -> dict[str, Any]:
    """For a rubric with gates: the gates not passed and the overall level before their caps."""
    uncapped = table.scores.uncapped_overall_level
    if not table.rubric.compiled.gates or uncapped is None:
        return {}
    return {"gates_not_passed": not_passed(table, row), "uncapped_level": int(uncapped[row])}


def _rounded(array: FloatArray) -> Any:
    """Nested lists of floats rounded to 6 decimals (no -0.0), like every JSON figure; NaN (a
    direction that does not apply) and ±inf become ``None``."""
    rounded = (np.round(array, 6) + 0.0).tolist()
    return rounded_data(rounded) if not np.isfinite(array).all() else rounded


def _maybe(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _column_best(levels: FloatArray) -> FloatArray:
    """The highest level present in each column (NaN where none is): one pass, no copy."""
    if not len(levels):
        return np.full(levels.shape[1], np.nan)
    best: FloatArray = np.fmax.reduce(levels, axis=0)  # fmax skips NaN
    return best


def _column_medians(levels: FloatArray) -> FloatArray:
    """The median level present in each column (NaN where none is)."""
    medians = np.empty(levels.shape[1])

    def run(m: int) -> None:
        medians[m] = column_median(levels[:, m])

    for_each(len(medians), run, None if len(levels) > CHUNK_ROWS else 1)  # threads pay off for long columns
    return medians


def column_median(column: FloatArray) -> float:
    """``np.nanmedian`` of one column, bit for bit, without picking out the values present (a
    boolean selection costs 3× the median): NaN goes last as +inf, then one partial sort at the
    middle of the values present (the lower middle of an even count is the largest left of it).
    Levels are finite, so no value present is +inf itself."""
    values = np.fmin(column, np.inf)  # a contiguous copy to partition, NaN → +inf (fmin skips NaN)
    count = len(values) - int(np.count_nonzero(values == np.inf))
    if count == 0:
        return float("nan")
    upper = count // 2
    values.partition(upper)  # one partial sort: what lies left of the middle is no larger
    if count % 2:
        return float(values[upper])
    return float(np.mean(np.array([values[:upper].max(), values[upper]])))  # as np.median does


def compare(rubric: Rubric | str | Path | None, data: Sequence[BaseProfile] | ScoreTable | Any,
            *, sort_by: str = "overall", ids: Sequence[str] | None = None, by: str | None = None,
            year: int | None = None, enterprises: EnterpriseTable | str | Path | None = None,
            ) -> Comparison:
    """Compare a group of bases (profiles, a value matrix, or an existing :class:`ScoreTable`).

    ``by`` (``region``, ``province``, ``city`` or ``category``) also ranks each base within its
    group; profiles of several years (a panel) are compared at each base's latest year, or ``year``.
    ``enterprises`` as in :func:`score_many` (an enterprise table whose rows roll up into the
    inputs of the profiles they name).
    """
    if not isinstance(data, ScoreTable) and hasattr(data, "__len__") and len(data) == 0:
        raise UpgradeScoreError("compare: the group of bases is empty")
    table = data if isinstance(data, ScoreTable) else scored_table(
        rubric, data, ids=ids, year=year, enterprises=enterprises, keep_levels=True)
    if len(table) == 0:
        raise UpgradeScoreError("compare: the group of bases is empty")
    if sort_by != "overall" and sort_by not in table.rubric.direction_ids:
        known = ", ".join(("overall", *table.rubric.direction_ids))
        raise UpgradeScoreError(f"sort: unknown '{sort_by}' (known: {known})")
    if by is not None:
        if table.profiles is None:
            raise UpgradeScoreError("by: groups come from the bases' profiles (not a matrix)")
        check_by(by, table.profiles)
    return Comparison(table, sort_by, by)
