"""A rubric compiled to arrays: thresholds, signs, valid ranges and weights in column order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._errors import UpgradeScoreError

if TYPE_CHECKING:
    from .._model.rubric import Gate, Indicator, Rubric
    from .derive import Derivation

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

QUANTITATIVE, QUALITATIVE, BOOLEAN, STEP = 0, 1, 2, 3
_KIND_CODES = {"quantitative": QUANTITATIVE, "qualitative": QUALITATIVE, "boolean": BOOLEAN}


def _floats(array: npt.ArrayLike) -> FloatArray:
    out: FloatArray = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out


def _ints(array: npt.ArrayLike) -> IntArray:
    out: IntArray = np.array(array, dtype=np.int64)
    out.setflags(write=False)
    return out


ColumnRule = tuple[int, float, tuple[float, ...], tuple[float, ...], float, float]
AT_LEAST, AT_MOST, EQUALS = 0, 1, 2


@dataclass(frozen=True)
class CompiledGate:
    """A gate as numbers: its column, condition, threshold, cap and scope (-1 = overall)."""

    id: str
    column: int
    condition: int   # AT_LEAST | AT_MOST | EQUALS
    value: float
    caps: int
    scope: int
    scope_id: str


class RubricLists(NamedTuple):
    """Arrays of a :class:`CompiledRubric` as Python lists, for loops over a few bases."""

    weights: list[float]
    direction_of: list[int]
    direction_weight_sums: list[float]
    cutoffs: list[float]
    bounds: list[tuple[float, float]]  # each column's (low, high)
    discrete: frozenset[int]           # qualitative and boolean columns
    applies: list[list[bool]] | None   # ``applies`` by row


@dataclass(frozen=True, eq=False)
class CompiledRubric:
    """A rubric as arrays: M indicators in ``indicator_ids`` order, D directions, L levels."""

    indicator_ids: tuple[str, ...]
    direction_ids: tuple[str, ...]
    levels: int
    kinds: IntArray            # (M,) QUANTITATIVE | QUALITATIVE | BOOLEAN
    points: FloatArray         # (M, L+1) floor and thresholds, sign-adjusted so they increase
    discrete_columns: IntArray  # qualitative and boolean columns (values must be whole)
    column_rules: tuple[tuple[int, float, tuple[float, ...], tuple[float, ...], float, float], ...]
    # per column as Python scalars (fast in loops): (kind or STEP, sign, points, rates,
    # oriented low, oriented high) — the valid range in the oriented (higher-is-better) scale
    signs: FloatArray          # (M,) +1 where higher is better, -1 where lower is
    low: FloatArray            # (M,) smallest valid value (-max float if unbounded)
    high: FloatArray           # (M,) largest valid value (+max float if unbounded)
    weights: FloatArray        # (M,) indicator weights w_i
    direction_of: IntArray     # (M,) column of each indicator's direction
    block: FloatArray          # (M, D) w_i in row i, column direction_of[i]
    direction_weights: FloatArray  # (D,) W_j
    cutoffs: FloatArray        # (L,) score needed for level 1..L
    aggregation: str
    missing: str
    # rubric language 2 (empty for rubrics that do not use it)
    category_ids: tuple[str, ...] = ()
    category_rules: tuple[tuple[int, int, ColumnRule], ...] = ()  # (category, column, rule)
    applies: BoolArray | None = None   # (C + 1, M): row c for category c, row C for no category
    allow_na: BoolArray | None = None  # (M,)
    gates: tuple[CompiledGate, ...] = ()
    derivation: Derivation | None = None  # inputs, roll-ups and formulas (design points 12–13)

    @cached_property
    def uses_language_2(self) -> bool:
        """Whether categories, N/A or gates can change a result."""
        has_na = self.allow_na is not None and bool(self.allow_na.any())
        return bool(self.category_ids or self.gates) or has_na

    @cached_property
    def rules_by_category(self) -> dict[int, dict[int, ColumnRule]]:
        """``category_rules`` grouped: category → {column: its own rule}."""
        grouped: dict[int, dict[int, ColumnRule]] = {}
        for category, column, rule in self.category_rules:
            grouped.setdefault(category, {})[column] = rule
        return grouped

    @cached_property
    def as_lists(self) -> RubricLists:
        """The arrays the few-bases paths loop over, as Python lists (made once: a rubric is
        immutable)."""
        return RubricLists(
            weights=self.weights.tolist(), direction_of=self.direction_of.tolist(),
            direction_weight_sums=self.direction_weight_sums.tolist(), cutoffs=self.cutoffs.tolist(),
            bounds=list(zip(self.low.tolist(), self.high.tolist())),
            discrete=frozenset(self.discrete_columns.tolist()),
            applies=None if self.applies is None else self.applies.tolist())

    @cached_property
    def direction_weight_sums(self) -> FloatArray:
        """Σ w_i over each direction's indicators, shape (D,)."""
        return _floats(self.block.sum(axis=0))

    @cached_property
    def overall_shares(self) -> FloatArray:
        """Each direction's share W_j / ΣW of the overall score, shape (D,)."""
        return _floats(self.direction_weights / self.direction_weights.sum())

    @cached_property
    def within_shares(self) -> FloatArray:
        """Each indicator's share w_i / Σw of its direction's score, shape (M,)."""
        return _floats(self.weights / self.direction_weight_sums[self.direction_of])

    @cached_property
    def indicator_shares(self) -> FloatArray:
        """Each indicator's share of the overall arithmetic score, shape (M,)."""
        return _floats(self.within_shares * self.overall_shares[self.direction_of])


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """Turn a validated rubric into the arrays the engine works on."""
    from .derive import compile_derivation  # (derive builds on this module's array types)

    indicators = rubric.indicators
    count, levels = len(indicators), rubric.level_count
    points = np.zeros((count, levels + 1))
    signs = np.ones(count)
    low = np.full(count, -np.finfo(np.float64).max)  # finite, so that ±inf is out of range
    high = np.full(count, np.finfo(np.float64).max)
    direction_of = np.zeros(count, dtype=np.int64)
    column = 0
    for j, direction in enumerate(rubric.directions):
        for indicator in direction.indicators:
            direction_of[column] = j
            if indicator.kind == "quantitative":
                sign = 1.0 if indicator.better == "higher" else -1.0
                signs[column] = sign
                points[column] = sign * np.array([indicator.effective_floor,
                                                  *(indicator.thresholds or ())])
                if indicator.valid_range is not None:
                    low[column], high[column] = indicator.valid_range
            else:
                top = levels if indicator.kind == "qualitative" else 1.0
                points[column] = np.linspace(0.0, top, levels + 1)
                low[column], high[column] = 0.0, top
            column += 1
    bounds = np.sort(np.column_stack([low, high]) * signs[:, None], axis=1)
    rules = tuple(_rule(i, signs[m], points[m], bounds[m]) for m, i in enumerate(indicators))
    weights = np.array([i.weight for i in indicators])
    block = np.zeros((count, len(rubric.directions)))
    block[np.arange(count), direction_of] = weights
    return CompiledRubric(
        indicator_ids=tuple(rubric.indicator_ids),
        direction_ids=tuple(rubric.direction_ids),
        levels=levels,
        kinds=_ints([_KIND_CODES[i.kind] for i in indicators]),
        points=_floats(points),
        discrete_columns=_ints([m for m, i in enumerate(indicators) if i.kind != "quantitative"]),
        column_rules=rules,
        signs=_floats(signs),
        low=_floats(low),
        high=_floats(high),
        weights=_floats(weights),
        direction_of=_ints(direction_of),
        block=_floats(block),
        direction_weights=_floats([d.weight for d in rubric.directions]),
        cutoffs=_floats(rubric.cutoffs),
        aggregation=rubric.aggregation,
        missing=rubric.missing,
        **_language_2(rubric, signs, bounds),
        derivation=compile_derivation(rubric),
    )


def _rule(indicator: Indicator, sign: float, points: FloatArray, bounds: FloatArray) -> ColumnRule:
    """The per-column scalars of :func:`~upgrade_score._engine.core.column_levels`."""
    with np.errstate(all="ignore"):  # (non-finite results are refused just below)
        rates = (1.0 + 2.0**-50) / np.diff(points)  # a value exactly on t_k gives exactly k
    if not (np.isfinite(points).all() and np.isfinite(rates).all() and (rates > 0).all()):
        # refused by rubric validation; this catches rubrics built without it (model_construct)
        raise UpgradeScoreError(f"indicator '{indicator.id}': its thresholds cannot be computed with "
                                "(a floor or step that is not a finite number, or a subnormal step)")
    kind = STEP if indicator.interpolation == "step" else _KIND_CODES[indicator.kind]
    return (kind, float(sign), tuple(points.tolist()), tuple(rates.tolist()), float(bounds[0]),
            float(bounds[1]))


def _language_2(rubric: Rubric, signs: FloatArray, bounds: FloatArray) -> dict[str, Any]:
    """Categories (their own thresholds and applicability), N/A and gates as arrays."""
    categories = rubric.category_ids
    code = {category: c for c, category in enumerate(categories)}
    indicators = rubric.indicators
    rules = []
    for m, indicator in enumerate(indicators):
        for category in indicator.categories_with_own_bars:
            points = signs[m] * np.array([indicator.floor_for(category),
                                          *(indicator.thresholds_for(category) or ())])
            rules.append((code[category], m, _rule(indicator, signs[m], points, bounds[m])))
    applies = np.ones((len(categories) + 1, len(indicators)), dtype=bool)
    for m, indicator in enumerate(indicators):
        if indicator.applies_to is not None:
            applies[:, m] = False
            applies[[code[c] for c in indicator.applies_to], m] = True
    gates = tuple(_gate(rubric, gate) for gate in rubric.gates or ())
    return {"category_ids": categories, "category_rules": tuple(rules), "applies": applies,
            "allow_na": np.array([i.allow_na for i in indicators], dtype=bool), "gates": gates}


def _gate(rubric: Rubric, gate: Gate) -> CompiledGate:
    name, value = gate.condition
    scope = -1 if gate.scope == "overall" else rubric.direction_ids.index(gate.scope)
    return CompiledGate(gate.id, rubric.indicator_ids.index(gate.indicator),
                        {"at_least": AT_LEAST, "at_most": AT_MOST, "equals": EQUALS}[name],
                        float(value), gate.caps, scope, gate.scope)


