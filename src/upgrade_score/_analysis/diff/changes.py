"""Structural changes between two rubrics, matched by id (a pure reorder is no change).

Order: rubric fields, levels, categories, directions, indicators, gates, enterprise fields, inputs;
within each, the new rubric's order with removals last. Pairwise (AHP) weights are compared by the
ids they compare, so a reordered matrix with the same judgements is no change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, JsonValue

from ..._model.derived import EnterpriseField, Input, PairwiseWeights
from ..._model.label import Label
from ..._model.rubric import Category, Direction, Gate, Indicator, Rubric
from ..._text import LANGUAGES, word
from . import words
from .results import Change, ChangeKind, Scope
from .words import Texts, in_every_language, percent

# Fields compared one to one (the others, ids, weights, floors, levels and children, are special).
RUBRIC_FIELDS: dict[str, ChangeKind] = {
    "id": "id_changed", "version": "version_changed", "title": "label_changed",
    "description": "description_changed", "aggregation": "aggregation_changed",
    "missing": "missing_changed", "direction_weights": "pairwise_changed",
}
LEVEL_FIELDS: dict[str, ChangeKind] = {"name": "label_changed", "description": "description_changed"}
DIRECTION_FIELDS: dict[str, ChangeKind] = {"name": "label_changed", "description": "description_changed",
                                           "indicator_weights": "pairwise_changed"}
INDICATOR_FIELDS: dict[str, ChangeKind] = {
    "name": "label_changed", "description": "description_changed", "rationale": "description_changed",
    "unit": "unit_changed", "kind": "kind_changed", "better": "better_changed",
    "thresholds": "thresholds_changed", "interpolation": "interpolation_changed",
    "valid_range": "valid_range_changed", "effort": "effort_changed", "source": "source_changed",
    "descriptors": "descriptors_changed", "allow_na": "allow_na_changed", "applies_to": "applies_to_changed",
    "formula": "formula_changed",
}
CATEGORY_FIELDS: dict[str, ChangeKind] = {"name": "label_changed", "description": "description_changed"}
GATE_FIELDS: dict[str, ChangeKind] = {
    "name": "label_changed", "indicator": "gate_indicator_changed", "caps": "caps_changed",
    "scope": "gate_scope_changed",
}
INPUT_FIELDS: dict[str, ChangeKind] = {
    "name": "label_changed", "unit": "unit_changed", "description": "description_changed",
    "source": "source_changed", "valid_range": "valid_range_changed", "rollup": "rollup_changed",
}
ENTERPRISE_FIELD_FIELDS: dict[str, ChangeKind] = {
    "name": "label_changed", "unit": "unit_changed", "description": "description_changed",
    "kind": "kind_changed",
}
PAIRWISE_FIELDS = ("direction_weights", "indicator_weights")  # compared by the ids they compare
# Compared as a whole: per category (indicators), one condition (gates), item by item (rubric).
INDICATOR_BY_CATEGORY: dict[str, ChangeKind] = {
    "thresholds_by_category": "category_thresholds_changed", "floor_by_category": "category_floor_changed",
}
GATE_CONDITION: tuple[str, ...] = ("at_least", "at_most", "equals")
RUBRIC_PARTS: dict[str, tuple[ChangeKind, ChangeKind]] = {
    "directions": ("direction_added", "direction_removed"),
    "categories": ("category_added", "category_removed"),
    "gates": ("gate_added", "gate_removed"),
    "inputs": ("input_added", "input_removed"),
    "enterprise_fields": ("enterprise_field_added", "enterprise_field_removed"),
}


def structural_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    """Rubric-level changes, then levels, categories, directions, indicators and gates."""
    yield from _fields(old, new, RUBRIC_FIELDS, "rubric", new.id)
    yield from _level_changes(old, new)
    yield from _category_changes(old, new)
    yield from _direction_changes(old, new)
    yield from _indicator_changes(old, new)
    yield from _gate_changes(old, new)
    yield from _source_changes(old, new)


def plain(value: Any) -> JsonValue:
    """A field value as JSON data (labels as dicts, tuples as lists)."""
    if isinstance(value, BaseModel):
        dumped: JsonValue = value.model_dump(mode="json", exclude_none=True)
        return dumped
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    same: JsonValue = value
    return same


def _change(texts: Texts, **fields: Any) -> Change:
    """A change whose message is ``texts`` (English, and the other languages for displays)."""
    return Change(message=texts["en"], **fields).with_texts(texts)


def _same(before: Any, after: Any) -> bool:
    """Equal, or the same text written as a plain string and as ``{zh: s, en: s}``."""
    if before == after:
        return True
    pair = (before, after) if isinstance(before, str) else (after, before)
    return isinstance(pair[0], str) and isinstance(pair[1], Label) and pair[1].zh == pair[1].en == pair[0]


def _texts(name: str, field: str, before: Any, after: Any) -> Texts:
    if name == "descriptors":
        return _descriptors_texts(before, after)
    if name in ("applies_to", "rollup"):
        show = words.applies_to if name == "applies_to" else words.rollup
        values = show(plain(before)), show(plain(after))
    else:
        values = words.shown(plain(before), name), words.shown(plain(after), name)
    return in_every_language("diff.change", field=words.field_name(field), old=values[0], new=values[1])


def _fields(old: BaseModel, new: BaseModel, fields: dict[str, ChangeKind], scope: Scope, target: str,
            direction: str | None = None, prefix: str = "") -> Iterator[Change]:
    for name, kind in fields.items():
        before, after = getattr(old, name), getattr(new, name)
        if name in PAIRWISE_FIELDS:
            yield from _pairwise_change(before, after, scope, target, prefix + name, old, new)
        elif not _same(before, after):
            field = prefix + name
            yield _change(_texts(name, field, before, after), kind=kind, scope=scope, target=target,
                          field=field, direction=direction, old=plain(before), new=plain(after))


def _descriptors_texts(old: dict[int, Any] | None, new: dict[int, Any] | None) -> Texts:
    before, after = old or {}, new or {}
    changed = sorted(k for k in {*before, *after} if not _same(before.get(k), after.get(k)))
    template = "diff.descriptors" if len(changed) > 1 else "diff.descriptor"
    return in_every_language(template, levels=", ".join(map(str, changed)))


def _level_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    if old.level_count != new.level_count:
        yield _change(in_every_language("diff.change", field=words.field_name("levels"), old=old.level_count,
                                        new=new.level_count),
                      kind="levels_changed", scope="rubric", target=new.id, field="levels",
                      old=old.level_count, new=new.level_count)
    for k, (before, after) in enumerate(zip(old.levels, new.levels)):
        yield from _fields(before, after, LEVEL_FIELDS, "rubric", new.id, prefix=f"levels[{k}].")
    if old.level_cutoffs != new.level_cutoffs or old.cutoffs != new.cutoffs:
        texts = in_every_language(
            "diff.change", field=words.field_name("level_cutoffs"),
            old=words.shown(list(old.cutoffs), default=old.level_cutoffs is None),
            new=words.shown(list(new.cutoffs), default=new.level_cutoffs is None))
        yield _change(texts, kind="level_cutoffs_changed", scope="rubric", target=new.id,
                      field="level_cutoffs", old=list(old.cutoffs), new=list(new.cutoffs))


def _direction_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    before = {d.id: d for d in old.directions}
    after = {d.id: d for d in new.directions}
    old_shares = dict(zip(old.direction_ids, old.compiled.overall_shares.tolist()))
    new_shares = dict(zip(new.direction_ids, new.compiled.overall_shares.tolist()))
    for direction in new.directions:
        share = new_shares[direction.id]
        if direction.id not in before:
            yield _change(in_every_language("diff.direction added", weight=f"{direction.weight:g}",
                                            share=percent(share)),
                          kind="direction_added", scope="direction", target=direction.id,
                          new=direction.weight, new_share=share)
            continue
        previous = before[direction.id]
        yield from _fields(previous, direction, DIRECTION_FIELDS, "direction", direction.id)
        if previous.weight != direction.weight:
            yield _weight_change("direction", direction.id, None, previous, direction,
                                 old_shares[direction.id], share)
    for direction in old.directions:
        if direction.id not in after:
            share = old_shares[direction.id]
            yield _change(in_every_language("diff.direction removed", weight=f"{direction.weight:g}",
                                            share=percent(share)),
                          kind="direction_removed", scope="direction", target=direction.id,
                          old=direction.weight, old_share=share)


def _weight_change(scope: Scope, target: str, direction: str | None, before: Direction | Indicator,
                   after: Direction | Indicator, old_share: float, new_share: float) -> Change:
    texts = in_every_language("diff.weight", old=f"{before.weight:g}", new=f"{after.weight:g}",
                              old_share=percent(old_share), new_share=percent(new_share))
    return _change(texts, kind="weight_changed", scope=scope, target=target, field="weight",
                   direction=direction, old=before.weight, new=after.weight, old_share=old_share,
                   new_share=new_share)


def _direction_of(rubric: Rubric) -> dict[str, str]:
    return {i.id: d.id for d in rubric.directions for i in d.indicators}


def _indicator_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    before = {i.id: i for i in old.indicators}
    old_direction, new_direction = _direction_of(old), _direction_of(new)
    old_shares = dict(zip(old.indicator_ids, old.compiled.indicator_shares.tolist()))
    new_shares = dict(zip(new.indicator_ids, new.compiled.indicator_shares.tolist()))
    for indicator in new.indicators:
        key, where, share = indicator.id, new_direction[indicator.id], new_shares[indicator.id]
        if key not in before:
            yield _change(in_every_language("diff.indicator added", direction=where,
                                            weight=f"{indicator.weight:g}", share=percent(share)),
                          kind="indicator_added", scope="indicator", target=key, direction=where,
                          new=indicator.weight, new_share=share)
            continue
        previous = before[key]
        if old_direction[key] != where:
            yield _change(in_every_language("diff.indicator moved", old=old_direction[key], new=where,
                                            old_share=percent(old_shares[key]), new_share=percent(share)),
                          kind="indicator_moved", scope="indicator", target=key, direction=where,
                          old=old_direction[key], new=where, old_share=old_shares[key], new_share=share)
        yield from _fields(previous, indicator, INDICATOR_FIELDS, "indicator", key, where)
        yield from _floor_change(previous, indicator, where)
        yield from _category_bar_changes(previous, indicator, where)
        if previous.weight != indicator.weight:
            yield _weight_change("indicator", key, where, previous, indicator, old_shares[key], share)
    for indicator in old.indicators:
        if indicator.id not in new_shares:
            share, where = old_shares[indicator.id], old_direction[indicator.id]
            yield _change(in_every_language("diff.indicator removed", direction=where,
                                            weight=f"{indicator.weight:g}", share=percent(share)),
                          kind="indicator_removed", scope="indicator", target=indicator.id, direction=where,
                          old=indicator.weight, old_share=share)


def _floor_change(old: Indicator, new: Indicator, direction: str) -> Iterator[Change]:
    """The value that scores level 0: the ``floor`` field, or its default, for quantitative ones."""
    def effective(indicator: Indicator) -> float | None:
        return indicator.effective_floor if indicator.kind == "quantitative" else indicator.floor

    before, after = effective(old), effective(new)
    if old.floor == new.floor and before == after:
        return
    texts = in_every_language("diff.change", field=words.field_name("floor"),
                              old=words.shown(before, default=old.floor is None and before is not None),
                              new=words.shown(after, default=new.floor is None and after is not None))
    yield _change(texts, kind="floor_changed", scope="indicator", target=new.id, field="floor",
                  direction=direction, old=before, new=after)


def _category_bar_changes(old: Indicator, new: Indicator, direction: str) -> Iterator[Change]:
    """Per category with its own bars in either version: its thresholds (``None``: the default
    ones) and the value that scores level 0 for it (its own floor, or the default that applies)."""
    for category in dict.fromkeys([*old.categories_with_own_bars, *new.categories_with_own_bars]):
        field = f"thresholds_by_category.{category}"
        own = [(i.thresholds_by_category or {}).get(category) for i in (old, new)]
        if own[0] != own[1]:
            values = [words.shown(plain(mine if mine is not None else i.thresholds), default=mine is None)
                      for mine, i in zip(own, (old, new))]
            yield _change(in_every_language("diff.change", field=words.field_name(field), old=values[0],
                                            new=values[1]),
                          kind="category_thresholds_changed", scope="indicator", target=new.id, field=field,
                          direction=direction, category=category, old=plain(own[0]), new=plain(own[1]))
        floors = [(i.floor_by_category or {}).get(category) for i in (old, new)]
        effective = [i.floor_for(category) if i.kind == "quantitative" else None for i in (old, new)]
        if floors[0] == floors[1] and effective[0] == effective[1]:
            continue
        field = f"floor_by_category.{category}"
        values = [words.shown(value, default=mine is None and value is not None)
                  for mine, value in zip(floors, effective)]
        yield _change(in_every_language("diff.change", field=words.field_name(field), old=values[0],
                                        new=values[1]),
                      kind="category_floor_changed", scope="indicator", target=new.id, field=field,
                      direction=direction, category=category, old=effective[0], new=effective[1])


# --- categories and gates ----------------------------------------------------------------------

def _matched(old: tuple[Any, ...], new: tuple[Any, ...], kinds: tuple[ChangeKind, ChangeKind], scope: Scope,
             compare: Callable[[Any, Any], Iterator[Change]],
             summary: Callable[[Any], Texts]) -> Iterator[Change]:
    """Items matched by id: additions and field changes in new order, then removals."""
    before = {item.id: item for item in old}
    after = {item.id for item in new}
    for item in new:
        if item.id not in before:
            yield _change(in_every_language("diff.added", what=summary(item)), kind=kinds[0], scope=scope,
                          target=item.id, new=_without_id(item))
        else:
            yield from compare(before[item.id], item)
    for item in old:
        if item.id not in after:
            yield _change(in_every_language("diff.removed", what=summary(item)), kind=kinds[1], scope=scope,
                          target=item.id, old=_without_id(item))


def _without_id(item: Category | Gate | Input | EnterpriseField) -> JsonValue:
    data = plain(item)
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if k != "id"}


def _category_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    def compare(before: Category, after: Category) -> Iterator[Change]:
        yield from _fields(before, after, CATEGORY_FIELDS, "category", after.id)

    def name(category: Category) -> Texts:
        return {lang: category.name.text(lang) for lang in LANGUAGES}

    yield from _matched(old.categories or (), new.categories or (), RUBRIC_PARTS["categories"], "category",
                        compare, name)


def _condition(gate: Gate) -> JsonValue:
    name, value = gate.condition
    return {name: value}


def gate_summary(gate: Gate) -> Texts:
    """``at_least 100 on 'licensed', caps overall at level 1``, in every language."""
    scope = (in_every_language("overall") if gate.scope == "overall"
             else in_every_language("diff.gate direction", id=gate.scope))
    return in_every_language("diff.gate summary", condition=words.condition(_condition(gate)),
                             indicator=gate.indicator, scope=scope, caps=gate.caps)


def _gate_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    def compare(before: Gate, after: Gate) -> Iterator[Change]:
        yield from _fields(before, after, GATE_FIELDS, "gate", after.id)
        conditions = _condition(before), _condition(after)
        if conditions[0] != conditions[1]:
            texts = in_every_language("diff.change", field=words.field_name("condition"),
                                      old=words.condition(conditions[0]), new=words.condition(conditions[1]))
            yield _change(texts, kind="condition_changed", scope="gate", target=after.id, field="condition",
                          old=conditions[0], new=conditions[1])

    yield from _matched(old.gates or (), new.gates or (), RUBRIC_PARTS["gates"], "gate", compare,
                        gate_summary)


# --- where numbers come from: enterprise fields, inputs and roll-ups, pairwise weights ------------

def _source_changes(old: Rubric, new: Rubric) -> Iterator[Change]:
    def fields(before: EnterpriseField, after: EnterpriseField) -> Iterator[Change]:
        yield from _fields(before, after, ENTERPRISE_FIELD_FIELDS, "enterprise_field", after.id)

    def inputs(before: Input, after: Input) -> Iterator[Change]:
        yield from _fields(before, after, INPUT_FIELDS, "input", after.id)

    def name(item: Input | EnterpriseField) -> Texts:
        return {lang: item.name.text(lang) for lang in LANGUAGES}

    yield from _matched(old.enterprise_fields or (), new.enterprise_fields or (),
                        RUBRIC_PARTS["enterprise_fields"], "enterprise_field", fields, name)
    yield from _matched(old.inputs or (), new.inputs or (), RUBRIC_PARTS["inputs"], "input", inputs, name)


def _judgements(block: PairwiseWeights) -> dict[tuple[str, str], float]:
    """Each comparison by the ids it compares, in both directions."""
    return {(a, b): block.pairwise[i][j] for i, a in enumerate(block.order) for j, b in enumerate(block.order)
            if i != j}


def _pairwise_data(block: PairwiseWeights | None) -> JsonValue:
    """What a diff shows of a pairwise block: CR, weights and judgements (``None``: set directly)."""
    if block is None:
        return None
    judgements: list[JsonValue] = [[a, b, block.pairwise[i][j]] for i, a in enumerate(block.order)
                                   for j, b in enumerate(block.order) if i < j]
    weights: dict[str, JsonValue] = dict(block.weights.items())
    return {"cr": block.result.cr, "weights": weights, "judgements": judgements}


def _same_judgements(old: PairwiseWeights | None, new: PairwiseWeights | None) -> bool:
    if old is None or new is None:
        return old is new
    return (old.source == new.source and set(old.order) == set(new.order)
            and all(abs(value - _judgements(new)[pair]) <= 1e-9 * value
                    for pair, value in _judgements(old).items()))


def _pairwise_change(before: PairwiseWeights | None, after: PairwiseWeights | None, scope: Scope, target: str,
                     field: str, old: BaseModel, new: BaseModel) -> Iterator[Change]:
    """Weights set directly ↔ by pairwise comparison, or changed judgements: which, from what to
    what, and the CR and derived weights before and after."""
    if _same_judgements(before, after):
        return
    texts = in_every_language("diff.pairwise", field=words.field_name(field), old=_block_summary(before),
                              new=_block_summary(after), judgements=_changed_judgements(before, after))
    direction = target if scope == "direction" else None
    yield _change(texts, kind="pairwise_changed", scope=scope, target=target, field=field,
                  direction=direction, old=_pairwise_data(before), new=_pairwise_data(after))


def _block_summary(block: PairwiseWeights | None) -> Texts:
    """``AHP, CR 0.003 (a 0.648, b 0.230)``, or ``set directly``."""
    if block is None:
        return in_every_language("weights.direct")
    shown = [f"{key} {weight:.3f}" for key, weight in block.weights.items()]
    weights = {lang: word("diff.separator", lang).join(shown) for lang in LANGUAGES}
    return in_every_language("diff.ahp", cr=f"{block.result.cr:.3f}", weights=weights)


def _changed_judgements(before: PairwiseWeights | None, after: PairwiseWeights | None) -> Texts:
    """``; judgements changed: a vs b 3 → 5`` for comparisons of ids both blocks compare."""
    if before is None or after is None:
        return dict.fromkeys(LANGUAGES, "")
    old = _judgements(before)
    changed = [(a, b, old[a, b], value) for (a, b), value in _judgements(after).items()
               if after.order.index(a) < after.order.index(b) and (a, b) in old
               and abs(old[a, b] - value) > 1e-9 * value]
    if not changed:
        return dict.fromkeys(LANGUAGES, "")
    listed = {lang: word("diff.separator", lang).join(
        word("diff.judgement", lang).format(a=a, b=b, old=words.ratio(x), new=words.ratio(y))
        for a, b, x, y in changed) for lang in LANGUAGES}
    return in_every_language("diff.judgements", list=listed)
