"""What a rubric diff returns: structural changes and, with profiles, the impact on each base.

Keys added for rubric language 2 (categories, n/a answers, gates) are left out of the JSON form
while they are ``None``, so that the diff of two rubrics that do not use them reads as it always did.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    JsonValue,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    WrapSerializer,
    WrapValidator,
    model_serializer,
)

from ..._model.display import frame_of
from ..._model.results import Result, RubricRef, dumps, rounded_data
from ..._text import Lang
from .rows import ImpactRows

if TYPE_CHECKING:
    from pandas import DataFrame

ChangeKind = Literal[
    "id_changed", "version_changed", "label_changed", "description_changed", "levels_changed",
    "level_cutoffs_changed", "aggregation_changed", "missing_changed",
    "direction_added", "direction_removed", "indicator_added", "indicator_removed", "indicator_moved",
    "weight_changed", "thresholds_changed", "floor_changed", "better_changed", "kind_changed",
    "interpolation_changed", "valid_range_changed", "unit_changed", "effort_changed",
    "source_changed", "descriptors_changed",
    # rubric language 2
    "category_added", "category_removed", "allow_na_changed", "applies_to_changed",
    "category_thresholds_changed", "category_floor_changed",
    "gate_added", "gate_removed", "gate_indicator_changed", "condition_changed", "caps_changed",
    "gate_scope_changed",
    # where numbers come from: formulas, inputs, enterprise fields, roll-ups, pairwise weights
    "formula_changed", "input_added", "input_removed", "rollup_changed", "enterprise_field_added",
    "enterprise_field_removed", "pairwise_changed",
]
Scope = Literal["rubric", "direction", "indicator", "category", "gate", "input", "enterprise_field"]
NaChange = Literal["became_na", "no_longer_na", "still_na"]


class _Omitting(Result):
    """A result whose ``OPTIONAL_KEYS`` keys are left out of its data (and JSON) while ``None``."""

    OPTIONAL_KEYS: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in self.OPTIONAL_KEYS and v is None)}


class Change(_Omitting):
    """One structural change. ``target`` is the rubric, direction, indicator, category or gate id;
    ``field`` the changed field within it ('' for added, removed and moved); ``direction`` the
    indicator's direction (in the new rubric, or the old one if removed); ``category`` the category
    of a per-category threshold or floor. ``old_share``/``new_share`` are shares of the overall
    score (weights, additions, removals and moves)."""

    kind: ChangeKind
    scope: Scope
    target: str
    field: str = ""
    direction: str | None = None
    category: str | None = None
    old: JsonValue = None
    new: JsonValue = None
    old_share: float | None = None
    new_share: float | None = None
    message: str

    OPTIONAL_KEYS: ClassVar[tuple[str, ...]] = ("category",)
    _texts: dict[Lang, str] = PrivateAttr(default_factory=dict)

    def text(self, lang: Lang = "en") -> str:
        """The message in ``lang`` (``message`` is the English one)."""
        return self._texts.get(lang, self.message)

    def with_texts(self, texts: dict[Lang, str]) -> Change:
        """This change, described in every language of ``texts``."""
        self._texts.update(texts)
        return self


class DirectionShift(_Omitting):
    """One base's score and level on one direction under each rubric. ``old``/``new`` are ``None``
    where the direction is not in that rubric or does not apply to the base (all its indicators
    n/a); ``na`` then says which: ``became_na``, ``no_longer_na`` or ``still_na``."""

    old: float | None = None
    new: float | None = None
    shift: float | None = None
    old_level: int | None = None
    new_level: int | None = None
    na: NaChange | None = None

    OPTIONAL_KEYS: ClassVar[tuple[str, ...]] = ("na",)


class GateShift(Result):
    """One gate for one base: its status (``passed | failed | unknown | n/a``) under each rubric,
    ``None`` where that rubric has no such gate."""

    old: str | None = None
    new: str | None = None


class BaseImpact(_Omitting):
    """How the new rubric moves one base. Rank 1 is the best; ``rank_change`` = old − new rank
    (positive: the base climbed). Levels are after gate caps; with gates in either rubric the
    uncapped levels and every gate's status are given too."""

    base: str
    old: float
    new: float
    shift: float
    old_level: int
    new_level: int
    old_rank: int
    new_rank: int
    rank_change: int
    directions: dict[str, DirectionShift]
    old_uncapped_level: int | None = None
    new_uncapped_level: int | None = None
    gates: dict[str, GateShift] | None = None

    OPTIONAL_KEYS: ClassVar[tuple[str, ...]] = ("old_uncapped_level", "new_uncapped_level", "gates")


class GateImpact(Result):
    """One gate over every base: how many it caps (failed or unknown) under each rubric (``None``
    where the rubric has no such gate), how many it newly caps and how many it no longer caps."""

    old_failing: int | None = None
    new_failing: int | None = None
    newly_failing: int
    no_longer_failing: int


def _impact_rows(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Rows of a diff as they are (built from its arrays), or validated into a tuple of models."""
    return value if isinstance(value, ImpactRows) else tuple(handler(value))


def _dump_rows(value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
    """Rows built from arrays dump what their models would (a tuple of dicts; JSON: a list)."""
    if not isinstance(value, ImpactRows):  # (a list: pydantic 2.5 warns of a tuple in a Sequence)
        dumped = handler(list(value))
        return dumped if info.mode_is_json() else tuple(dumped)
    rows = value.dump()
    return rows if info.mode_is_json() else tuple(rows)


Impact = Annotated[Sequence[BaseImpact], WrapValidator(_impact_rows), WrapSerializer(_dump_rows)]
_ROWS = "\x00impact rows\x00"  # stands for the rows in a JSON document until they are written


def _nothing_ignored() -> dict[str, tuple[str, ...]]:
    return {"old": (), "new": ()}


class RubricDiff(_Omitting):
    """Structural changes from ``old`` to ``new`` and, with profiles, their impact on the bases.

    ``impact`` is sorted by absolute shift (largest first), then base id: a read-only sequence of
    :class:`BaseImpact` (a tuple when given one; from :func:`diff`, each model is built when first
    asked for, and ``to_json`` writes the rows without building them). ``ignored`` lists the
    indicator ids whose profile values were dropped for each rubric (known only to the other);
    ``computed`` (only when there are some) the indicators one rubric takes as reported and the
    other computes by formula: each base gets the computed value under both.
    With gates in either rubric: ``gates`` per gate, ``gate_status_changes`` (bases whose status
    on some gate changed; a gate only one rubric has counts when the base fails it) and
    ``newly_failing`` (bases some gate caps under the new rubric but did not under the old).
    """

    old: RubricRef
    new: RubricRef
    changes: tuple[Change, ...]
    impact: Impact = ()
    max_shift: float | None = None
    max_shift_base: str | None = None
    max_rank_change: int | None = None
    level_changes: int | None = None
    kendall_tau: float | None = None
    ignored: dict[str, tuple[str, ...]] = Field(default_factory=_nothing_ignored)
    computed: dict[str, tuple[str, ...]] | None = None
    gates: dict[str, GateImpact] | None = None
    gate_status_changes: int | None = None
    newly_failing: int | None = None

    OPTIONAL_KEYS: ClassVar[tuple[str, ...]] = ("computed", "gates", "gate_status_changes", "newly_failing")

    def _repr_summary(self) -> str:
        return (f"{self.old.id} {self.old.version} → {self.new.id} {self.new.version}: "
                f"{len(self.changes)} changes, {len(self.impact)} bases")

    def to_dataframe(self, what: Literal["impact", "changes"] = "impact") -> DataFrame:
        """``impact``: one row per base (old and new score, shift, levels, ranks); ``changes``:
        one row per structural change (needs pandas)."""
        frame: DataFrame = frame_of(self, what=what)
        return frame

    @property
    def changed(self) -> bool:
        """Whether anything in the rubric changed."""
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        return self._stable_keys(data)

    @staticmethod
    def _stable_keys(data: dict[str, Any]) -> dict[str, Any]:
        for key in ("max_shift", "max_shift_base", "max_rank_change", "level_changes", "kendall_tau"):
            data.setdefault(key, None)  # stable keys for machines, with or without profiles
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON, as for every result; rows built from arrays are written from them."""
        if not isinstance(self.impact, ImpactRows):
            return super().to_json(indent)
        return "".join(self.json_parts(indent))

    def json_parts(self, indent: int | None = 2) -> Iterator[str]:
        """:meth:`to_json` in parts (their concatenation is it), to write the JSON of many bases
        without making one text of it all (each part a few MB at most)."""
        if not isinstance(self.impact, ImpactRows):
            yield super().to_json(indent)
            return
        data = self._stable_keys(rounded_data(self.model_dump(mode="json", exclude={"impact"})))
        text = dumps({**data, "impact": _ROWS}, indent)
        marker = dumps(_ROWS)
        if text.count(marker) != 1:  # (a text of the rubric holding the marker: the slow way)
            yield super().to_json(indent)
            return
        head, tail = text.split(marker)
        yield head
        yield from self.impact.json_parts(indent, level=1)
        yield tail
