"""The numeric core: a rubric compiled to arrays, and scoring of an N×M value matrix at once.

Every function here is pure and works on whole matrices (one row a base, one column an
indicator, NaN = missing). The semantics are those of ``design.md``:

* indicator level ``s`` in [0, L] (piecewise-linear or step between floor and thresholds,
  the assessed level for qualitative indicators, 0 or L for booleans); ``x = s / L``;
* direction score ``D = 100 · Σ w x / Σ w`` (missing: counted as 0, or dropped and renormalised);
* overall score: weighted arithmetic or geometric mean, or the minimum, of the direction scores;
* level: the largest ``k`` with score ``≥ c_k`` (tolerance 1e-9).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .aggregate import aggregate
from .compile import BOOLEAN, QUALITATIVE, STEP, BoolArray, ColumnRule, CompiledRubric, FloatArray, IntArray
from .gates import cap_levels, gate_status

LEVEL_TOLERANCE = 1e-9
CHUNK_ROWS = 65536
SMALL_ROWS = 4  # up to this many rows, levels are computed cell by cell on Python floats
SMALL_LEVELS = 256  # up to this many scores, maturity levels compare with every cutoff at once
SEGMENT_ROWS = 256  # from this many rows on, direction sums are a multiply-add per indicator
TRANSPOSE_ROWS = 512  # rows of a chunk transposed at a time (a block of them stays in cache)


def invalid_cells(rubric: CompiledRubric, values: FloatArray,
                  limit: int = 20) -> tuple[int, list[tuple[int, int, str]]]:
    """How many cells no indicator accepts (NaN is fine: missing), and the first ``limit``
    of them as (row, column, reason), in row order."""
    if values.shape[0] <= SMALL_ROWS:  # a few bases: Python floats, no chunks
        counts = _invalid_few(rubric, values.tolist())
        total, rows = sum(counts), [row for row, count in enumerate(counts) if count][:limit]
    else:
        flagged = np.zeros(values.shape[0], dtype=np.int64)

        def run(start: int, stop: int) -> None:
            flagged[start:stop] = _invalid_per_row(rubric, values[start:stop])

        for_chunks(values.shape[0], run)
        total, rows = int(flagged.sum()), np.flatnonzero(flagged)[:limit].tolist()
    found: list[tuple[int, int, str]] = []
    for row in rows:
        for column in range(values.shape[1]):
            reason = _reason(rubric, float(values[row, column]), column)
            if reason and len(found) < limit:
                found.append((row, column, reason))
    return total, found


def _invalid_per_row(rubric: CompiledRubric, chunk: FloatArray) -> IntArray:
    """Number of unacceptable cells in each row of ``chunk``."""
    if chunk.shape[0] <= SMALL_ROWS:  # a few bases: Python floats, no numpy call per step
        return np.array(_invalid_few(rubric, chunk.tolist()), dtype=np.int64)
    with np.errstate(invalid="ignore"):
        bad = (chunk < rubric.low) | (chunk > rubric.high)
        discrete = rubric.discrete_columns
        if discrete.size:
            chosen = chunk[:, discrete]
            bad[:, discrete] |= np.isfinite(chosen) & (chosen != np.floor(chosen))
    counts: IntArray = bad.sum(axis=1)
    return counts


def _invalid_few(rubric: CompiledRubric, rows: list[list[float]]) -> list[int]:
    """:func:`_invalid_per_row` of a few rows, on Python floats."""
    lists = rubric.as_lists
    bounds, whole = lists.bounds, lists.discrete
    return [sum(1 for m, (value, (low, high)) in enumerate(zip(row, bounds))
                if value < low or value > high or (m in whole and math.isfinite(value)
                                                   and value != math.floor(value)))
            for row in rows]


def _reason(rubric: CompiledRubric, value: float, column: int) -> str:
    """Why ``value`` is not acceptable in ``column`` ('' if it is)."""
    kind = int(rubric.kinds[column])
    if np.isnan(value):
        return ""
    if np.isinf(value):
        return f"must be a finite number, got {value}"
    if kind == BOOLEAN and value not in (0.0, 1.0):
        return f"must be true or false (1 or 0), got {value:g}"
    if kind == QUALITATIVE and (value != np.floor(value) or not 0 <= value <= rubric.levels):
        return f"must be a whole level from 0 to {rubric.levels}, got {value:g}"
    if not rubric.low[column] <= value <= rubric.high[column]:
        return (f"{value:g} is outside the valid range "
                f"[{rubric.low[column]:g}, {rubric.high[column]:g}]")
    return ""


def for_chunks(count: int, run: Callable[[int, int], None], workers: int | None = None) -> None:
    """Call ``run(start, stop)`` over cache-sized row chunks, on one thread per core.

    numpy releases the GIL inside its loops, so the chunks really run in parallel.
    """
    starts = range(0, count, CHUNK_ROWS)
    if len(starts) > 1:  # (os.cpu_count() costs a system call: asked only when it matters)
        workers = min(workers or os.cpu_count() or 1, len(starts))
    if len(starts) > 1 and workers is not None and workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda start: run(start, min(start + CHUNK_ROWS, count)), starts))
    else:
        for start in starts:
            run(start, min(start + CHUNK_ROWS, count))


def for_each(count: int, run: Callable[[int], None], workers: int | None = None) -> None:
    """Call ``run(k)`` for k in 0..count−1 on one thread per core (tasks that each run numpy
    loops long enough to pay for a thread: a column of many bases, say)."""
    workers = min(workers or os.cpu_count() or 1, count)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, range(count)))
    else:
        for k in range(count):
            run(k)


def indicator_levels(rubric: CompiledRubric, values: FloatArray,
                     categories: IntArray | None = None) -> FloatArray:
    """Level s ∈ [0, L] of every cell (bases of a category held to its own thresholds); NaN
    where the value is missing. Shape (N, M)."""
    count, width = values.shape
    levels = np.empty((width, count))
    codes = None
    if categories is not None and rubric.category_rules:
        codes = category_codes(rubric, categories, count)

    def run(start: int, stop: int) -> None:  # as score_matrix does: chunks on every core
        if stop - start <= SMALL_ROWS:
            oriented = term = transposed = np.empty(0)  # Python floats: no scratch used
        else:
            _, transposed, oriented, term = _scratch(width, stop - start)
        chunk, into = values[start:stop], levels[:, start:stop]
        _levels_into(rubric, chunk, into, oriented, term, transposed)
        if codes is not None:
            _category_levels(rubric, chunk, codes[start:stop], into)

    for_chunks(count, run)
    by_base: FloatArray = levels.T
    return by_base


def _levels_into(rubric: CompiledRubric, values: FloatArray, levels: FloatArray,
                 oriented: FloatArray, term: FloatArray, transposed: FloatArray | None = None,
                 copy_into: FloatArray | None = None) -> bool:
    """Write the levels of ``values`` (n, M) into ``levels`` (M, n); the (n,) others are scratch,
    and so is ``transposed`` (M, n), into which the values are first copied in one pass: each row
    read once, where a gather per column would read the whole chunk again for every column.
    ``copy_into`` (n, M), if given, receives a copy of ``values`` in the same pass (a block of
    rows copied, then transposed from the copy while it is in cache).

    A linear column takes s = Σ_k clip((u − p_{k−1}) · r_k, 0, 1) over the oriented value
    u = sign · v and breakpoints p_0..p_L, with r_k = 1 / (p_k − p_{k−1}) nudged up by 2⁻⁵⁰ so
    that u exactly on p_k gives exactly k. Columns are done one at a time with scalar operands:
    numpy's fastest loops, on rows short enough to stay in cache. Returns whether any cell lies
    outside its indicator's domain (out of range, infinite, or not whole where it must be);
    :func:`invalid_cells` then says which.
    """
    invalid = False
    if copy_into is not None and (transposed is None or values.shape[0] <= SMALL_ROWS):
        copy_into[...] = values
        copy_into = None
    if values.shape[0] <= SMALL_ROWS:  # a few bases: no numpy call per column
        count = rubric.levels
        for row, cells in enumerate(values.tolist()):
            found = [level_scalar(rule, value, count) for rule, value in zip(rubric.column_rules, cells)]
            levels[:, row] = [level for level, _ in found]
            invalid = invalid or any(bad for _, bad in found)
        return invalid
    columns = values.T
    if transposed is not None:
        for start in range(0, values.shape[0], TRANSPOSE_ROWS):  # in blocks that stay in cache
            block = values[start:start + TRANSPOSE_ROWS]
            if copy_into is not None:
                np.copyto(copy_into[start:start + TRANSPOSE_ROWS], block)
                block = copy_into[start:start + TRANSPOSE_ROWS]
            np.copyto(transposed[:, start:start + TRANSPOSE_ROWS], block.T)
        columns = transposed
    for m, rule in enumerate(rubric.column_rules):
        invalid |= column_levels(rule, columns[m], levels[m], oriented, term, rubric.levels)
    return invalid


def column_levels(rule: ColumnRule, values: FloatArray, level: FloatArray, oriented: FloatArray,
                  term: FloatArray, count: int) -> bool:
    """Write the levels of one column's ``values`` into ``level`` (``oriented`` and ``term`` are
    scratch of the same length); return whether any value lies outside the column's domain.
    ``values`` are only read (a column better higher is read as it is: its sign is 1)."""
    kind, sign, points, rates, low, high = rule
    if sign == 1.0:
        oriented = values  # (× 1 changes no bit)
    else:
        np.multiply(values, sign, out=oriented)
    if not len(values):
        return False
    invalid = bool(np.fmin.reduce(oriented) < low or np.fmax.reduce(oriented) > high)
    if kind in (QUALITATIVE, BOOLEAN):
        np.floor(oriented, out=term)
        with np.errstate(invalid="ignore"):  # ±inf − ±inf: NaN, an infinite value already invalid
            np.subtract(oriented, term, out=term)
        invalid |= bool(np.fmax.reduce(term) > 0.0)
        # points end at L (qualitative: s = v) or at 1 (boolean: s = L·v); a value so large that
        # this overflows lies outside the domain and is already flagged invalid
        with np.errstate(over="ignore"):
            np.multiply(oriented, count / points[-1], out=level)
        return invalid
    if kind == STEP:
        level.fill(0.0)
        for point in points[1:]:
            level += oriented >= point
        level[np.isnan(oriented)] = np.nan
        return invalid
    with np.errstate(over="ignore"):  # (u − p)·r of a huge value overflows to ±inf, clipped to 0 or 1
        for k in range(1, len(points)):
            np.subtract(oriented, points[k - 1], out=term)
            np.multiply(term, rates[k - 1], out=term)
            np.clip(term, 0.0, 1.0, out=term)
            if k == 1:
                np.add(term, 0.0, out=level)  # 0 + the first term, as the sum starts (no fill first)
            else:
                level += term
    return invalid


def column_levels_scalar(rule: ColumnRule, values: list[float], count: int) -> tuple[list[float], bool]:
    """:func:`column_levels` on Python floats, operation for operation (the same roundings, so
    the same bits): the levels of one column's ``values`` and whether any lies outside the
    column's domain. Used for a few bases, where a numpy call per column costs more than the
    arithmetic."""
    found = [level_scalar(rule, value, count) for value in values]
    return [level for level, _ in found], any(bad for _, bad in found)


def level_scalar(rule: ColumnRule, value: float, count: int) -> tuple[float, bool]:
    """One value of :func:`column_levels_scalar`: its level (NaN when missing) and whether it lies
    outside the column's domain."""
    kind, sign, points, rates, low, high = rule
    oriented = value * sign
    if oriented != oriented:  # NaN: missing
        return math.nan, False
    invalid = oriented < low or oriented > high
    if kind in (QUALITATIVE, BOOLEAN):
        invalid = invalid or (math.isfinite(oriented) and oriented != math.floor(oriented))
        return oriented * (count / points[-1]), invalid
    if kind == STEP:
        return 0.0 + sum(1.0 for point in points[1:] if oriented >= point), invalid
    level = 0.0
    for point, rate in zip(points, rates):  # (p_{k-1}, r_k) for k = 1..L
        term = (oriented - point) * rate
        level += 0.0 if term < 0.0 else 1.0 if term > 1.0 else term
    return level, invalid


_local = threading.local()


def _scratch(columns: int, rows: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Reusable work arrays of the calling thread: (columns, rows) twice, (rows,) twice."""
    cached: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = getattr(_local, "buffers", None)
    if cached is None or cached[0].shape != (columns, rows):
        cached = (np.empty((columns, rows)), np.empty((columns, rows)), np.empty(rows), np.empty(rows))
        _local.buffers = cached
    return cached


@dataclass(frozen=True, eq=False)
class Scores:
    """Every number of a scoring run, as arrays (N bases)."""

    directions: FloatArray             # (N, D) direction scores 0..100
    direction_levels: IntArray         # (N, D)
    direction_completeness: FloatArray  # (N, D) share of indicator weight with data
    overall: FloatArray                # (N,)
    overall_level: IntArray            # (N,)
    balanced_level: IntArray           # (N,)
    completeness: FloatArray           # (N,)
    has_invalid: bool = False          # cells outside their indicator's domain (see invalid_cells)
    # rubric language 2: N/A directions have score NaN and level -1; levels before gate caps;
    # gate status per base (PASSED | FAILED | UNKNOWN | NOT_APPLICABLE), (N, G)
    uncapped_direction_levels: IntArray | None = None
    uncapped_overall_level: IntArray | None = None
    gate_status: npt.NDArray[np.int8] | None = None
    # (N, M) indicator levels as :func:`indicator_levels` gives them, kept when the bases fit in
    # one chunk (so a scorecard or a gap plan does not compute them again); else None
    levels: FloatArray | None = None


def maturity_levels(scores: npt.ArrayLike, cutoffs: FloatArray) -> IntArray:
    """The largest k with score ≥ c_k (within 1e-9); 0 below c_1. Any shape."""
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim > 0 and values.size <= SMALL_LEVELS:  # a few: every comparison in one call
        counted: IntArray = (values[..., None] >= cutoffs - LEVEL_TOLERANCE).sum(axis=-1, dtype=np.int64)
        return counted
    levels = np.zeros(values.shape, dtype=np.int64)
    for cutoff in cutoffs - LEVEL_TOLERANCE:  # cutoffs increase, so the count is the level
        levels += values >= cutoff
    return levels


def direction_scores(rubric: CompiledRubric, levels: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Direction scores and completeness from indicator levels (N, M; NaN = missing).

    Returns two (N, D) arrays. ``levels`` is not modified.
    """
    scores, completeness = _direction_scores_t(rubric, np.array(levels.T))
    return np.array(scores.T), np.array(completeness.T)


def _block_sums(rubric: CompiledRubric, rows: npt.NDArray[Any], missing_as_zero: bool = False) -> FloatArray:
    """Σ w_i · rows[i] over each direction's indicators, (D, n) from (M, n): one matrix product
    (the fastest for a few bases). With ``missing_as_zero`` a NaN counts as 0 (levels are never
    negative: ``fmax(level, 0)``)."""
    filled = np.fmax(rows, 0.0) if missing_as_zero else rows.astype(np.float64, copy=False)
    sums: FloatArray = rubric.block.T @ filled
    return sums


def _segment_sums(rubric: CompiledRubric, rows: npt.NDArray[Any],
                  missing_as_zero: bool = False) -> FloatArray:
    """:func:`_block_sums` as a multiply-add per indicator, the first of each direction written in
    place: for many bases faster than the BLAS product, whose own threads contend with the
    engine's chunk threads (timings were bimodal, and twice as slow). ``rows`` are not changed."""
    sums = np.empty((len(rubric.direction_ids), rows.shape[1]))
    term = np.empty(rows.shape[1])
    started = [False] * len(rubric.direction_ids)
    for m, (j, weight) in enumerate(zip(rubric.direction_of.tolist(), rubric.weights.tolist())):
        target = term if started[j] else sums[j]
        if missing_as_zero:
            np.fmax(rows[m], 0.0, out=target)
            target *= weight
        else:
            np.multiply(rows[m], weight, out=target)
        if started[j]:
            sums[j] += term
        started[j] = True
    return sums


def _direction_scores_t(rubric: CompiledRubric, levels: FloatArray,
                        applicable: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Direction scores and completeness, both (D, n), from levels (M, n; not changed, so they
    may be the levels a caller keeps).

    With ``applicable`` (M, n; 0 where an indicator is N/A, whose level is NaN) an N/A
    indicator leaves its direction's weights, and a direction with no applicable indicator
    scores NaN (N/A) with completeness NaN.
    """
    block = rubric.block.T
    sums = _segment_sums if levels.shape[1] > SEGMENT_ROWS else _block_sums
    totals = rubric.direction_weight_sums[:, None] if applicable is None else sums(rubric, applicable)
    missing = np.isnan(levels)
    any_missing = bool(missing.any())
    if any_missing:
        present = sums(rubric, ~missing)
    elif totals.shape[1] == levels.shape[1]:
        present = totals  # (read only below)
    else:
        present = np.broadcast_to(totals, (block.shape[0], levels.shape[1]))
    weighted = sums(rubric, levels, any_missing)  # a missing level counts as 0
    with np.errstate(invalid="ignore", divide="ignore"):  # (the sums are this call's own: divided in place)
        if rubric.missing == "exclude":
            scores = np.where(present > 0, weighted / present, 0.0)
        else:
            scores = np.divide(weighted, totals, out=weighted)
        scores *= 100.0 / rubric.levels
        np.clip(scores, 0.0, 100.0, out=scores)
        completeness: FloatArray = np.divide(present, totals, out=present if any_missing else None)
        np.clip(completeness, 0.0, 1.0, out=completeness)
    if applicable is not None:
        none = totals == 0
        scores[none] = np.nan
        completeness[none] = np.nan
    return scores, completeness


def overall_scores(rubric: CompiledRubric, directions: FloatArray) -> FloatArray:
    """Aggregate direction scores (N, D) into overall scores (N,) with the rubric's method."""
    return aggregate(rubric.aggregation, directions, rubric.overall_shares)


def score_matrix(rubric: CompiledRubric, values: FloatArray, *, na: BoolArray | None = None,
                 categories: IntArray | None = None, workers: int | None = None,
                 keep_levels: bool = False, copy_into: FloatArray | None = None) -> Scores:
    """Score every base (row) of a value matrix, noting invalid cells on the way.

    ``na`` (N, M) marks values reported as not applicable and ``categories`` (N,) each base's
    category (an index into ``rubric.category_ids``, -1 for none); both matter only for rubrics
    that use categories, N/A or gates. Rows are processed in cache-sized chunks, on ``workers``
    threads (default: one per core); results are written direction by direction. Indicator
    levels are kept with the scores up to one chunk of rows, or at any size with ``keep_levels``.
    ``copy_into`` (N, M) receives a copy of ``values``, chunk by chunk as they are scored (the
    copy then costs no pass of its own, and runs on every thread).
    """
    count, width = values.shape[0], len(rubric.direction_ids)
    if count <= SMALL_ROWS:  # a few bases: the same steps on Python floats (far fewer numpy calls)
        from .scalar import score_few  # (built on this module)

        if copy_into is not None:
            copy_into[...] = values
        return score_few(rubric, values, na, categories)
    directions = np.empty((width, count))
    completeness = np.empty((width, count))
    direction_levels = np.empty((width, count), dtype=np.int64)
    invalid: list[bool] = []
    v2 = rubric.uses_language_2 or (na is not None and bool(na.any()))
    codes = category_codes(rubric, categories, count) if v2 else None
    kept = np.empty((values.shape[1], count)) if keep_levels or count <= CHUNK_ROWS else None

    def run(start: int, stop: int) -> None:
        levels, transposed, oriented, term = _scratch(values.shape[1], stop - start)
        if kept is not None and codes is None:  # scored as they are: written straight where kept
            levels = kept[:, start:stop]
        chunk, copied = values[start:stop], None if copy_into is None else copy_into[start:stop]
        invalid.append(_levels_into(rubric, chunk, levels, oriented, term, transposed, copied))
        chunk = chunk if copied is None else copied
        if codes is not None and rubric.category_rules:
            invalid.append(_category_levels(rubric, chunk, codes[start:stop], levels))
        if kept is not None and codes is not None:  # masked for scoring below: kept as they are
            kept[:, start:stop] = levels
        scores, complete = _chunk_scores(rubric, levels, None if codes is None else codes[start:stop],
                                         None if na is None else na[start:stop])
        directions[:, start:stop] = scores
        completeness[:, start:stop] = complete
        levels_now = maturity_levels(scores, rubric.cutoffs)
        if codes is not None:  # a direction that does not apply has no level
            levels_now[np.isnan(scores)] = -1
        direction_levels[:, start:stop] = levels_now

    for_chunks(count, run, workers)
    overall = overall_scores(rubric, directions.T)
    scores = Scores(
        directions=directions.T,
        direction_levels=direction_levels.T,
        direction_completeness=completeness.T,
        overall=overall,
        overall_level=maturity_levels(overall, rubric.cutoffs),
        balanced_level=balanced_levels(rubric, direction_levels.T),
        completeness=overall_completeness(rubric, directions.T, completeness.T),
        has_invalid=any(invalid),
        levels=None if kept is None else kept.T,
    )
    if not v2:
        return scores
    assert codes is not None
    return apply_gates(rubric, scores, values, codes, na)


def _chunk_scores(rubric: CompiledRubric, levels: FloatArray, codes: IntArray | None,
                  na: BoolArray | None) -> tuple[FloatArray, FloatArray]:
    """Direction scores and completeness (D, n) of a chunk's levels (M, n; with ``codes``,
    rubric language 2, changed in place): indicators that do not apply leave their directions."""
    if codes is None:
        return _direction_scores_t(rubric, levels)
    return _masked_scores(rubric, levels, applicable(rubric, codes, na).T)


def _masked_scores(rubric: CompiledRubric, levels: FloatArray,
                   mask: BoolArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_chunk_scores` where indicators apply (``mask``, (M, n)); ``levels`` changed in place."""
    levels[~mask] = np.nan
    return _direction_scores_t(rubric, levels, mask.astype(np.float64))


def scores_from_levels(rubric: CompiledRubric, levels: FloatArray, *, na: BoolArray | None = None,
                       categories: IntArray | None = None,
                       applies: BoolArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Direction scores (n, D) and overall scores (n,) of bases whose indicator levels (n, M;
    NaN = missing) are known: :func:`score_matrix` after its level step, the same arithmetic
    (so the same bits). What-ifs that change a few levels (a gap plan) score them in one pass.

    ``applies`` (M,): what-ifs of one base of rubric language 2 (or with N/A answers): where
    its indicators apply, the same for every row (instead of ``na`` and ``categories``)."""
    if applies is not None:
        mask = np.repeat(applies[:, None], levels.shape[0], axis=1)  # (M, n): each row's the same
        scores, _ = _masked_scores(rubric, np.array(levels.T), mask)
        return scores.T, overall_scores(rubric, scores.T)
    v2 = rubric.uses_language_2 or (na is not None and bool(na.any()))
    codes = category_codes(rubric, categories, levels.shape[0]) if v2 else None
    scores, _ = _chunk_scores(rubric, np.array(levels.T), codes, na)
    return scores.T, overall_scores(rubric, scores.T)


def cell_levels(rubric: CompiledRubric, cells: Sequence[tuple[int, float]], category: int) -> list[float]:
    """The level of each (column, value) for a base of ``category`` (an index into
    ``rubric.category_ids``, -1 for none), held to its category's thresholds where it has them."""
    own = rubric.rules_by_category.get(category, {})
    return [level_scalar(own.get(column, rubric.column_rules[column]), value, rubric.levels)[0]
            for column, value in cells]


def category_codes(rubric: CompiledRubric, categories: IntArray | None, count: int) -> IntArray:
    """Row of ``rubric.applies`` for each base: its category, or the last row for none."""
    none = len(rubric.category_ids)
    if categories is None:
        return np.full(count, none, dtype=np.int64)
    return np.where(categories < 0, none, categories).astype(np.int64)


def _category_levels(rubric: CompiledRubric, values: FloatArray, codes: IntArray,
                     levels: FloatArray) -> bool:
    """Overwrite the levels (M, n) of bases held to their category's own thresholds."""
    invalid = False
    if len(codes) <= SMALL_ROWS:  # a few bases: Python floats, as in _levels_into
        own = rubric.rules_by_category
        for row, code in enumerate(codes.tolist()):
            for column, rule in own.get(code, {}).items():
                level, bad = level_scalar(rule, float(values[row, column]), rubric.levels)
                levels[column, row] = level
                invalid = invalid or bad
        return invalid
    for category, column, rule in rubric.category_rules:
        rows = np.flatnonzero(codes == category)
        if rows.size:
            out, oriented, term = np.empty(rows.size), np.empty(rows.size), np.empty(rows.size)
            invalid |= column_levels(rule, values[rows, column], out, oriented, term, rubric.levels)
            levels[column, rows] = out
    return invalid


def applicable(rubric: CompiledRubric, codes: IntArray, na: BoolArray | None,
               columns: int | slice | list[int] = slice(None)) -> BoolArray:
    """Where indicators apply to bases: in the base's category (``codes`` from
    :func:`category_codes`) and not answered N/A. Shape (n, M), (n,) for one column or (n, K)
    for a list of K columns."""
    assert rubric.applies is not None
    mask: BoolArray = rubric.applies[:, columns][codes]  # (the columns first: a smaller table)
    if na is not None:
        mask = mask & ~na[:, columns]
    return mask


def balanced_levels(rubric: CompiledRubric, direction_levels: IntArray) -> IntArray:
    """The lowest level over each base's directions (N, D), N/A directions (-1) left out."""
    if not rubric.uses_language_2:
        plain: IntArray = direction_levels.min(axis=1, initial=rubric.levels)
        return plain
    shown = np.where(direction_levels < 0, rubric.levels, direction_levels)
    balanced: IntArray = shown.min(axis=1, initial=rubric.levels)
    return balanced


def overall_completeness(rubric: CompiledRubric, directions: FloatArray,
                         completeness: FloatArray) -> FloatArray:
    """Direction-weighted mean completeness (N,) over the directions that apply (N/A: NaN)."""
    absent = np.isnan(directions)
    if not absent.any():
        return np.asarray(completeness @ rubric.overall_shares)
    weights = np.where(absent, 0.0, rubric.overall_shares)
    weighted: FloatArray = np.where(absent, 0.0, completeness) * weights
    with np.errstate(invalid="ignore", divide="ignore"):  # no direction applies: NaN, refused later
        return np.asarray(weighted.sum(axis=1) / weights.sum(axis=1))


def apply_gates(rubric: CompiledRubric, scores: Scores, values: FloatArray, codes: IntArray,
                na: BoolArray | None) -> Scores:
    """The scores with every gate's status and the levels it caps (gates never change scores)."""
    columns = [gate.column for gate in rubric.gates]  # (their rows of the applies table taken once)
    status = gate_status(rubric, values, applicable(rubric, codes, na, columns).T)
    directions, overall = cap_levels(rubric, status, scores.direction_levels, scores.overall_level)
    balanced = balanced_levels(rubric, directions)
    _, balanced = cap_levels(rubric, status, directions, balanced)
    return replace(scores, direction_levels=directions, overall_level=overall, balanced_level=balanced,
                   uncapped_direction_levels=scores.direction_levels,
                   uncapped_overall_level=scores.overall_level, gate_status=status)
