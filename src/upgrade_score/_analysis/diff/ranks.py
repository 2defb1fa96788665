"""Kendall's tau-b between two rankings, with ties, in O(n log n)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ..._errors import UpgradeScoreError


def _tied_pairs(*columns: npt.NDArray[Any]) -> int:
    """Pairs of rows equal in every given column (runs of equal rows once sorted)."""
    order = np.lexsort(columns[::-1])
    new_run = np.zeros(order.size, dtype=bool)
    new_run[:1] = True
    for column in columns:
        ordered = column[order]
        new_run[1:] |= ordered[1:] != ordered[:-1]
    counts = np.diff(np.append(np.flatnonzero(new_run), order.size))
    return int((counts * (counts - 1) // 2).sum())


def inversions(values: npt.ArrayLike) -> int:
    """Pairs i < j with ``values[i] > values[j]`` for integers in [0, n), in O(n log² n).

    A bottom-up merge sort, one vectorised pass per level: for each element of a right block,
    count the elements of its left partner block that are larger (``searchsorted`` on keys
    ``pair · n + value``, which are sorted because every block is), then merge by sorting the keys.
    """
    current = np.asarray(values, dtype=np.int64)
    n = current.size
    position = np.arange(n, dtype=np.int64)
    total, width = 0, 1
    while width < n:
        block = position // width
        pair = block // 2
        keys = pair * n + current
        right = (block % 2).astype(bool)
        left_keys = keys[~right]
        left_end = np.searchsorted(left_keys, (pair[right] + 1) * n, side="left")
        total += int((left_end - np.searchsorted(left_keys, keys[right], side="right")).sum())
        current = np.sort(keys) % n  # pair groups keep their positions, so this merges blocks
        width *= 2
    return total


def kendall_tau_b(x: npt.ArrayLike, y: npt.ArrayLike) -> float | None:
    """Kendall's tau-b of two paired samples, with ties; None for fewer than 2 items or when one
    sample is all tied (undefined). Knight's O(n log n)-style algorithm in numpy."""
    a, b = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if a.size != b.size:
        raise UpgradeScoreError(f"kendall_tau_b: samples of different sizes ({a.size}, {b.size})")
    n = a.size
    if n < 2:
        return None
    order = np.lexsort((b, a))
    _, dense = np.unique(b[order], return_inverse=True)
    discordant = inversions(dense.ravel())
    total = n * (n - 1) // 2
    ties_a, ties_b, ties_both = _tied_pairs(a), _tied_pairs(b), _tied_pairs(a, b)
    if ties_a == total or ties_b == total:
        return None
    score = total - ties_a - ties_b + ties_both - 2 * discordant
    tau = score / math.sqrt((total - ties_a) * (total - ties_b))
    return min(1.0, max(-1.0, tau))
