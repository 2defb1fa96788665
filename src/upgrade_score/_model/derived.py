"""Where numbers come from: reported quantities (inputs), enterprise fields and their roll-ups
(design points 12–13), and weights from pairwise comparison (AHP, point 14)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from .._errors import FieldPath, did_you_mean, known_list
from .ahp import AhpResult, ahp_weights, matrix_problems
from .base import FiniteFloat, FloatPair, Frozen, as_tuple, rules_error
from .label import BilingualText, Id, Label

FieldKind = Literal["number", "boolean"]
ROLLUP_FORMS = ("sum", "count", "count_where", "mean")
WEIGHT_TOLERANCE = 1e-9  # a 'weight:' written beside AHP weights must agree with them this closely


class EnterpriseField(Frozen):
    """A figure each enterprise of a base reports (tonnes processed, a green-factory title...)."""

    id: Id
    name: Label
    unit: BilingualText | None = None
    description: BilingualText | None = None
    kind: Annotated[FieldKind, Field(description="number, or boolean (yes/no, e.g. a certified "
                                                 "green factory)")] = "number"


class Rollup(Frozen):
    """How an input is rolled up from the base's enterprise rows: exactly one of ``sum: field``,
    ``count: all``, ``count_where: boolean_field``, ``mean: field`` (optionally ``weight: field``)."""

    model_config = ConfigDict(**Frozen.model_config, json_schema_extra={
        "oneOf": [{"required": [name]} for name in ROLLUP_FORMS]})

    sum: Annotated[Id | None, Field(description="the sum of a number field over the rows")] = None
    count: Annotated[Literal["all"] | None, Field(description="'all': the number of rows")] = None
    count_where: Annotated[Id | None, Field(
        description="the number of rows where a boolean field is true")] = None
    mean: Annotated[Id | None, Field(description="the mean of a number field over the rows")] = None
    weight: Annotated[Id | None, Field(
        description="with 'mean': weight each row by this number field")] = None

    @model_validator(mode="after")
    def _one_form(self) -> Rollup:
        given = [name for name in ROLLUP_FORMS if getattr(self, name) is not None]
        if len(given) != 1:
            got = ", ".join(given) or "none"
            raise ValueError(f"needs exactly one of {', '.join(ROLLUP_FORMS)} (got {got})")
        if self.weight is not None and self.mean is None:
            raise ValueError("'weight' goes only with 'mean'")
        return self

    @property
    def form(self) -> str:
        """``sum``, ``count``, ``count_where`` or ``mean``."""
        return next(name for name in ROLLUP_FORMS if getattr(self, name) is not None)

    @property
    def field(self) -> str | None:
        """The enterprise field rolled up (``None`` for ``count: all``)."""
        value = getattr(self, self.form)
        return None if self.form == "count" else str(value)

    def fields_used(self) -> tuple[tuple[str, str, FieldKind], ...]:
        """(role, field id, kind it must have) for every field the roll-up reads."""
        used: list[tuple[str, str, FieldKind]] = []
        if self.field is not None:
            used.append((self.form, self.field, "boolean" if self.form == "count_where" else "number"))
        if self.weight is not None:
            used.append(("weight", self.weight, "number"))
        return tuple(used)


class Input(Frozen):
    """A quantity a base reports (or rolls up from its enterprises) that formulas use but that is
    not scored itself: energy use, value added, tonnes processed."""

    id: Id
    name: Label
    unit: BilingualText | None = None
    description: BilingualText | None = None
    source: BilingualText | None = None
    valid_range: Annotated[FloatPair | None, Field(
        description="[low, high]: a reported or rolled-up value outside is an input error")] = None
    rollup: Annotated[Rollup | None, Field(
        description="rolled up from the base's enterprise rows instead of reported")] = None

    def _problems(self, fields: dict[str, EnterpriseField]) -> Iterator[tuple[FieldPath, str]]:
        if self.valid_range is not None and self.valid_range[0] >= self.valid_range[1]:
            yield ("valid_range",), "must be [low, high] with low < high"
        for role, field_id, kind in self.rollup.fields_used() if self.rollup else ():
            field = fields.get(field_id)
            if field is None:
                known = known_list(list(fields)) or "none: the rubric declares no enterprise_fields"
                yield ("rollup", role), (f"unknown enterprise field '{field_id}'"
                                         f"{did_you_mean(field_id, fields)} (known: {known})")
            elif field.kind != kind:
                yield ("rollup", role), (f"'{role}' needs a {kind} field; '{field_id}' is a "
                                         f"{field.kind} field")


class PairwiseWeights(Frozen):
    """Weights from expert pairwise comparison (AHP, 层次分析法): ``pairwise[i][j]`` says how much
    more important ``order[i]`` is than ``order[j]`` on Saaty's 1–9 scale (reciprocal matrix)."""

    method: Annotated[Literal["ahp"], Field(description="'ahp': principal eigenvector")]
    order: Annotated[tuple[Id, ...], Field(min_length=1, description="the compared ids, in the "
                                                                     "order of the matrix rows"),
                     BeforeValidator(as_tuple)]
    pairwise: Annotated[tuple[tuple[FiniteFloat, ...], ...], Field(
        description="reciprocal n×n matrix of positive judgements, 1 on the diagonal"),
        BeforeValidator(lambda rows: tuple(as_tuple(r) for r in rows) if isinstance(rows, list) else rows)]
    source: Annotated[BilingualText | None, Field(description="who judged, and when")] = None

    @model_validator(mode="after")
    def _reciprocal(self) -> PairwiseWeights:
        problems = matrix_problems([list(row) for row in self.pairwise])
        if problems:
            raise rules_error([(("pairwise", *path), message) for path, message in problems])
        if len(self.order) != len(self.pairwise):
            raise ValueError(f"'order' lists {len(self.order)} ids but the matrix is "
                             f"{len(self.pairwise)}×{len(self.pairwise)}")
        return self

    @cached_property
    def result(self) -> AhpResult:
        """Weights (in ``order``), λ_max, CI, CR and the most inconsistent comparisons."""
        return ahp_weights([list(row) for row in self.pairwise])

    @property
    def weights(self) -> dict[str, float]:
        """Each compared id's weight (they sum to 1)."""
        return dict(zip(self.order, self.result.weights))

    def order_problems(self, ids: Sequence[str], what: str) -> Iterator[tuple[FieldPath, str]]:
        """The order must list exactly ``ids`` (the directions, or a direction's indicators)."""
        for k, item in enumerate(self.order):
            if item not in ids:
                yield ("order", k), (f"unknown {what} '{item}'{did_you_mean(item, ids)} "
                                     f"(known: {known_list(ids)})")
            elif item in self.order[:k]:
                yield ("order", k), f"'{item}' is listed twice"
        missing = [i for i in ids if i not in self.order]
        if missing:
            yield ("order",), f"must list every {what}; missing: {', '.join(missing)}"


def inject_weights(items: Any, block: Any) -> Any:
    """``items`` (directions or indicators, as mappings or models) with ``weight`` set from a
    valid pairwise block where it is not written; left as is when the block is not usable yet
    (its problems are reported by validation)."""
    try:
        weights = PairwiseWeights.model_validate(block).weights
    except ValueError:
        return items
    if not isinstance(items, (list, tuple)):
        return items
    return [_with_weight(item, weights) for item in items]


def _with_weight(item: Any, weights: dict[str, float]) -> Any:
    if isinstance(item, dict) and "weight" not in item and item.get("id") in weights:
        return {**item, "weight": weights[item["id"]]}
    if isinstance(item, Frozen) and "weight" not in item.model_fields_set:
        weight = weights.get(getattr(item, "id", ""))
        return item if weight is None else item.model_copy(update={"weight": weight})
    return item


def weight_conflicts(items: Sequence[Any], block: PairwiseWeights) -> Iterator[tuple[FieldPath, str]]:
    """A ``weight:`` written beside pairwise weights must be the derived one (or be left out)."""
    weights = block.weights
    for k, item in enumerate(items):
        derived = weights.get(item.id)
        if derived is not None and abs(item.weight - derived) > WEIGHT_TOLERANCE * max(1.0, derived):
            yield (k, "weight"), (f"{item.weight:g} contradicts the weight {derived:.6g} derived by "
                                  "pairwise comparison: leave 'weight' out")
