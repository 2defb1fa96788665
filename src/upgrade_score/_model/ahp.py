"""Analytic hierarchy process (AHP): weights and consistency from a pairwise comparison matrix.

Design point 14: weights are the principal eigenvector normalised to sum 1, and the consistency
ratio is CR = ((lambda_max - n) / (n - 1)) / RI(n) with Saaty's random indices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, TypeGuard

RANDOM_INDEX: tuple[float, ...] = (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
"""Saaty's random consistency index RI(n) for n = 1..10 (index n - 1)."""

MAX_SIZE = len(RANDOM_INDEX)
RECIPROCAL_TOLERANCE = 1e-6
WORST_COUNT = 3
_NEGLIGIBLE = 1e-9  # discrepancies at or below this are float noise, not inconsistency
_MAX_ITERATIONS = 10_000
_CONVERGED = 1e-15

Path = tuple[int, ...]
Problem = tuple[Path, str]


@dataclass(frozen=True)
class AhpResult:
    """Weights (sum 1), principal eigenvalue, consistency index and ratio, and worst comparisons.

    `worst` holds up to three (i, j, discrepancy) with i < j, largest |ln(a_ij * w_j / w_i)| first;
    comparisons whose discrepancy is negligible (<= 1e-9) are left out.
    """

    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    worst: tuple[tuple[int, int, float], ...]


def _fmt(x: float) -> str:
    """Short human form of a number: 5, 0.25, 0.333333."""
    return f"{x:.6g}"


def _is_number(x: object) -> TypeGuard[Real]:
    return isinstance(x, Real) and not isinstance(x, bool)


def _is_row_list(x: object) -> TypeGuard[Sequence[Any]]:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _shape_problems(matrix: object) -> list[Problem]:
    """Problems with the outer shape; an empty list means a square list of lists of size 1..10."""
    if not _is_row_list(matrix):
        return [((), "must be a list of rows (one per compared item)")]
    n = len(matrix)
    if n < 1:
        return [((), "must have at least 1 row")]
    if n > MAX_SIZE:
        return [((), f"has {n} rows; at most {MAX_SIZE} items can be compared (Saaty's random "
                     "indices stop at 10)")]
    problems: list[Problem] = []
    for i, row in enumerate(matrix):
        if not _is_row_list(row):
            problems.append(((i,), "must be a list of numbers"))
        elif len(row) != n:
            problems.append(((i,), f"has {len(row)} entries; the matrix must be square ({n}×{n})"))
    return problems


def _entry_problem(i: int, j: int, x: object) -> str | None:
    """Why one entry is unusable (not a positive finite number, or a diagonal entry other than 1)."""
    if not _is_number(x):
        return f"must be a number, got {x!r}"
    value = float(x)
    if not math.isfinite(value):
        return f"must be finite, got {_fmt(value)}"
    if value <= 0:
        return f"must be positive (Saaty's scale runs from 1/9 to 9), got {_fmt(value)}"
    if i == j and value != 1:
        return f"must be 1 (an item compared with itself), got {_fmt(value)}"
    return None


def _reciprocal_problem(i: int, j: int, a: float, b: float) -> str | None:
    """Check a_ij * a_ji == 1 (within 1e-6); the message names both entries and the fix."""
    if abs(a * b - 1) <= RECIPROCAL_TOLERANCE:
        return None
    return f"is {_fmt(a)} but pairwise[{j}][{i}] is {_fmt(b)}: it must be 1/{_fmt(a)} ({1 / a:.6g})"


def matrix_problems(matrix: object) -> list[Problem]:
    """Validate a pairwise matrix; return (path, message) pairs, empty when it is usable.

    Checks, in order: a list of lists, square, 1 <= n <= 10, entries positive finite numbers,
    diagonal 1, and reciprocity (each bad pair i < j is reported once).
    """
    problems = _shape_problems(matrix)
    if problems or not _is_row_list(matrix):
        return problems
    n = len(matrix)
    bad: set[tuple[int, int]] = set()
    for i in range(n):
        for j in range(n):
            message = _entry_problem(i, j, matrix[i][j])
            if message is not None:
                bad.add((i, j))
                problems.append(((i, j), message))
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) in bad or (j, i) in bad:
                continue
            message = _reciprocal_problem(i, j, float(matrix[i][j]), float(matrix[j][i]))
            if message is not None:
                problems.append(((i, j), message))
    return problems


def _principal(a: list[list[float]]) -> tuple[list[float], float]:
    """Principal eigenvector (normalised to sum 1) and eigenvalue of a positive matrix, by power
    iteration in plain floats: the same bits on every machine (LAPACK's eig may differ in the
    last place), so that a rubric's derived weights, and its hash, are reproducible."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(_MAX_ITERATIONS):
        product = [math.fsum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        total = math.fsum(product)
        nxt = [x / total for x in product]
        converged = max(abs(x - y) for x, y in zip(nxt, w)) <= _CONVERGED
        w = nxt
        if converged:
            break
    product = [math.fsum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
    return w, math.fsum(product[i] / w[i] for i in range(n)) / n


def _worst(a: list[list[float]], w: list[float]) -> tuple[tuple[int, int, float], ...]:
    """The comparisons most at odds with the weights, ranked by |ln(a_ij * w_j / w_i)|."""
    n = len(w)
    pairs = [(i, j, abs(math.log(a[i][j] * w[j] / w[i]))) for i in range(n) for j in range(i + 1, n)]
    pairs = [p for p in pairs if p[2] > _NEGLIGIBLE]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return tuple(pairs[:WORST_COUNT])


def ahp_weights(matrix: Sequence[Sequence[float]]) -> AhpResult:
    """Weights, lambda_max, CI, CR and worst comparisons of a valid pairwise matrix.

    Raises ValueError (all problems, one per line) if `matrix_problems` finds any. CI is clamped
    at 0 against float noise; CR is 0 for n <= 2, where every reciprocal matrix is consistent.
    """
    problems = matrix_problems(matrix)
    if problems:
        raise ValueError("\n".join(message for _, message in problems))
    a = [[float(x) for x in row] for row in matrix]
    n = len(a)
    if n == 1:
        return AhpResult(weights=(1.0,), lambda_max=1.0, ci=0.0, cr=0.0, worst=())
    w, lambda_max = _principal(a)
    ci = max(0.0, (lambda_max - n) / (n - 1))
    cr = ci / RANDOM_INDEX[n - 1] if n > 2 else 0.0
    weights = tuple(float(x) for x in w)
    return AhpResult(weights=weights, lambda_max=lambda_max, ci=ci, cr=cr, worst=_worst(a, w))
