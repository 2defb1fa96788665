"""Kendall's tau-b between two rankings, with ties, in O(n log n)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..._errors import UpgradeScoreError


def _codes(values: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes in [0, size) that order and tie as ``values`` do, and ``size``: whole
    numbers in a range not much wider than the sample (ranks) are shifted, others numbered by
    sorting (``np.unique``)."""
    if values.size and np.isfinite(low := values.min()) and np.isfinite(high := values.max()) \
            and high - low < 4 * values.size + 16:
        shifted = values - low
        codes = shifted.astype(np.int64)
        if np.array_equal(codes, shifted):
            return codes, int(high - low) + 1
    found, codes = np.unique(values, return_inverse=True)
    return codes.reshape(-1).astype(np.int64, copy=False), max(int(found.size), 1)


def _tied_pairs(counts: npt.NDArray[np.int64]) -> int:
    """Pairs within groups of the given sizes."""
    return int((counts * (counts - 1) // 2).sum())


def inversions(values: npt.ArrayLike) -> int:
    """Pairs i < j with ``values[i] > values[j]`` for integers, in O(n log n) numpy passes.

    A stable radix partition from the highest bit down: the array is kept ordered by the bits
    above the current one (within a group of equal higher bits, in the original order), so every
    inversion is counted at the highest bit where its two values differ, as the pairs of a 1
    before a 0 within one group. Partitioning a group stably (0s first) moves each 1 right by the
    number of 0s after it in the group: that level's count is the sum of those moves.
    """
    current = np.asarray(values, dtype=np.int64).ravel()
    n = current.size
    if n < 2:
        return 0
    current = current - current.min()
    top = int(current.max())
    if top >= 4 * n:  # sparse values: their order alone counts
        current = np.unique(current, return_inverse=True)[1].reshape(-1).astype(np.int64)
        top = int(current.max())
    kind = np.int64  # (what numpy indexes with: no conversion per pass)
    current = current.astype(kind)
    position = np.arange(1, n + 1, dtype=kind)  # (1-based: the count of elements so far)
    total = 0
    for bit in range(top.bit_length() - 1, -1, -1):
        keys = current >> bit  # (the higher bits, then this one: groups are runs of keys >> 1)
        ones = keys & 1
        zeros_so_far = np.cumsum(ones ^ 1, dtype=kind)
        counts = np.bincount(keys, minlength=2 * ((top >> (bit + 1)) + 1))
        by_group = counts.reshape(-1, 2)
        before = np.cumsum(by_group, axis=0) - by_group  # 0s and 1s of earlier groups
        first = (np.cumsum(counts) - counts - before.reshape(-1) - 1).astype(kind)  # (see below)
        # where an element goes: its key's start, less its bit's count in earlier groups, plus
        # how many of its bit came so far (itself included, hence the - 1 above)
        moved = first[keys] + np.where(ones == 1, position - zeros_so_far, zeros_so_far)
        total += int(np.abs(moved - position + 1).sum(dtype=np.int64)) // 2  # (1s move right as 0s move left)
        partitioned = np.empty_like(current)
        partitioned[moved] = current
        current = partitioned
    return total


def kendall_tau_b(x: npt.ArrayLike, y: npt.ArrayLike) -> float | None:
    """Kendall's tau-b of two paired samples, with ties; None for fewer than 2 items or when one
    sample is all tied (undefined). Knight's O(n log n) algorithm in numpy: rows sorted by x then
    y, the discordant pairs are the inversions of y."""
    a, b = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if a.size != b.size:
        raise UpgradeScoreError(f"kendall_tau_b: samples of different sizes ({a.size}, {b.size})")
    n = a.size
    if n < 2:
        return None
    (code_a, size_a), (code_b, size_b) = _codes(a), _codes(b)
    total = n * (n - 1) // 2
    ties_a = _tied_pairs(np.bincount(code_a, minlength=size_a))
    ties_b = _tied_pairs(np.bincount(code_b, minlength=size_b))
    if ties_a == total or ties_b == total:
        return None
    keys = np.sort(code_a * size_b + code_b)  # (size_a · size_b ≤ (4n + 16)², exact in int64)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_run[1:])
    ties_both = _tied_pairs(np.diff(np.append(np.flatnonzero(new_run), n)))
    discordant = inversions(keys % size_b)
    score = total - ties_a - ties_b + ties_both - 2 * discordant
    tau = score / math.sqrt((total - ties_a) * (total - ties_b))
    return min(1.0, max(-1.0, tau))
