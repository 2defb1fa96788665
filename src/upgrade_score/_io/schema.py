"""JSON Schemas of the two file formats (rubric, base profile), for editors and validators.

The schemas are generated from the pydantic models; this module adds what an editor shows and
needs: a description on every property (hover text: the model's own ``Field(description=...)``
where it has one, else :data:`DESCRIPTIONS`), ``$schema`` and ``$id``, and the ``$schema`` key
that a file may carry at its top to name its schema. The committed copies under ``schemas/``
are written by ``upgrade-score schema --write schemas`` (a test says when they are stale).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from .._model.profile import BaseProfile
from .._model.results import dumps
from .._model.rubric import Rubric

SchemaKind = Literal["rubric", "profile"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("rubric", "profile")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_KEY_DESCRIPTION = ("the JSON Schema this file follows, for editors (a path or URL); "
                          "ignored when the file is read")

_LABEL = "text in every language, or {zh, en}"
_ID = "stable id: a letter, then letters, digits, '_', '.' or '-'"

# Hover text for the properties whose model field has no description of its own, by model.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Rubric": {
        "id": f"the rubric's {_ID}",
        "version": 'the rubric version, a string such as "2026.1" (quote it)',
        "title": f"the rubric's title: {_LABEL}",
        "description": "what the rubric is for",
        "levels": "the maturity levels, numbered 1..L in order",
        "level_cutoffs": "L scores in (0, 100], strictly increasing: the score needed for level "
                         "1..L (default 100·k/L)",
        "aggregation": "how direction scores make the overall score: arithmetic (weighted mean), "
                       "geometric (weighted geometric mean) or weakest (the minimum)",
        "missing": "a missing value: zero (level 0, no evidence no credit) or exclude (its weight "
                   "is left out)",
        "directions": "the upgrade directions, each with its indicators",
        "categories": "kinds of base that may have their own bars (base.category names one)",
        "gates": "basic requirements: a base that does not pass one is capped at its level 'caps'",
    },
    "Level": {
        "level": "the level number, 1..L in order",
        "name": f"the level's name: {_LABEL}",
        "description": "what a base at this level looks like",
    },
    "Direction": {
        "id": f"the direction's {_ID}",
        "name": f"the direction's name: {_LABEL}",
        "description": "what the direction covers",
        "weight": "weight W_j of the direction in the overall score (1e-9 to 1e9, default 1)",
        "indicators": "the direction's indicators (at least one)",
    },
    "Indicator": {
        "id": f"the indicator's {_ID}; unique in the rubric, the column name in CSV profiles",
        "name": f"the indicator's name: {_LABEL}",
        "description": "what is measured",
        "unit": 'the unit of the values: "%", "CNY/t", "level", ...',
        "kind": "quantitative (a number through the thresholds), qualitative (a level 0..L) or "
                "boolean (true: level L)",
        "better": "higher or lower values are better (quantitative indicators)",
        "thresholds": "L values reaching level 1..L: strictly increasing (better: higher) or "
                      "decreasing (better: lower); required for a quantitative indicator",
        "floor": "the value that scores level 0 (default: one threshold step before t_1)",
        "interpolation": "linear (default: levels between thresholds) or step (whole levels only)",
        "valid_range": "[low, high]: values outside are input errors",
        "weight": "weight w_i of the indicator within its direction (1e-9 to 1e9, default 1)",
        "effort": "relative effort to improve it: gap ranks actions by gain per effort",
        "source": "where the indicator and its thresholds come from",
        "rationale": "why the indicator matters",
        "descriptors": "qualitative only: {level: text}, what each level 0..L looks like",
    },
    "Category": {
        "id": f"the category's {_ID}",
        "name": f"the category's name: {_LABEL}",
        "description": "which bases belong to it",
    },
    "Gate": {
        "id": f"the gate's {_ID}",
        "name": f"the gate's name: {_LABEL}",
    },
    "Input": {
        "id": f"the input's {_ID}; unique across indicators, inputs and enterprise fields",
        "name": f"the input's name: {_LABEL}",
        "unit": "the unit of the reported quantity",
        "description": "what the quantity is",
        "source": "where the quantity comes from",
    },
    "EnterpriseField": {
        "id": f"the field's {_ID}; a key of each enterprise row of a profile",
        "name": f"the field's name: {_LABEL}",
        "unit": "the unit of the field's values",
        "description": "what the field records",
    },
    "Enterprise": {
        "name": f"the enterprise's name: {_LABEL}",
    },
    "Label": {
        "zh": "the Chinese text",
        "en": "the English text",
    },
    "BaseProfile": {
        "base": "who the base is: id, name, year and other facts",
    },
    "BaseInfo": {
        "id": f"the base's {_ID}",
        "name": f"the base's name: {_LABEL}",
        "year": "the year the values describe",
        "region": "the region, as text or a whole number (an administrative code)",
        "province": "the province, as text or a whole number (an administrative code)",
        "city": "the city, as text or a whole number (an administrative code)",
        "category": "the base's category: one of the rubric's category ids",
        "notes": "free notes",
        "rubric_version": "the version of the rubric the values were collected for",
    },
    "ReportedValue": {
        "value": "the value: a number in the indicator's unit, a level 0..L (qualitative), "
                 "true/false (boolean), n/a (does not apply) or null (missing)",
        "source": "where the value comes from",
        "confidence": "how sure the assessor is, 0 to 1 (sensitivity propagates it)",
        "low": "the low end of an interval around the value",
        "high": "the high end of an interval around the value",
    },
}


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a rubric or base profile file."""
    model = Rubric if kind == "rubric" else BaseProfile
    schema = model.model_json_schema()
    for title, properties in _object_schemas(schema):
        for name, prop in properties.items():
            text = DESCRIPTIONS.get(title, {}).get(name) or _inner_description(prop)
            if "description" not in prop and text is not None:
                prop["description"] = text
    schema["properties"] = {"$schema": {"type": "string", "description": SCHEMA_KEY_DESCRIPTION},
                            **schema["properties"]}
    _same_in_every_pydantic(schema)
    return {"$schema": DIALECT, "$id": schema_id(kind), **schema}


def _same_in_every_pydantic(node: Any) -> None:
    """Write what older pydantic releases (2.5) write differently as newer ones do, in place: a
    list's length bounds are ``minItems``/``maxItems`` (2.5 wrote the string keywords, which
    validators ignore on lists), a text constant says ``type: string``, and a whole-number bound
    is written as an integer."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "array" or "items" in item or "prefixItems" in item:
                for old, new in (("minLength", "minItems"), ("maxLength", "maxItems")):
                    if old in item:
                        item[new] = item.pop(old)
            if isinstance(item.get("const"), str) and "type" not in item:
                item["type"] = "string"
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = item.get(bound)
                if isinstance(value, float) and value.is_integer():
                    item[bound] = int(value)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _inner_description(prop: dict[str, Any]) -> str | None:
    """The description pydantic put on a member of ``anyOf`` (an optional field's own)."""
    for member in prop.get("anyOf", ()):
        if isinstance(member, dict) and isinstance(member.get("description"), str):
            return str(member["description"])
    return None


def schema_id(kind: SchemaKind) -> str:
    """The schema's ``$id``: a name, not an address (the schema ships with the package)."""
    return f"urn:upgrade-score:schema:{kind}"


def _object_schemas(node: Any, title: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(model title, properties) of every object schema in ``node``, nested ones included."""
    stack: list[tuple[str, Any]] = [(title, node)]
    while stack:
        owner, item = stack.pop()
        if isinstance(item, dict):
            owner = item.get("title", owner) if isinstance(item.get("title"), str) else owner
            properties = item.get("properties")
            if isinstance(properties, dict):
                yield owner, properties
            for key, child in item.items():
                if key in ("$defs", "definitions") and isinstance(child, dict):
                    stack.extend((name, value) for name, value in child.items())
                elif key != "properties":
                    stack.append((owner, child))
            if isinstance(properties, dict):
                stack.extend((owner, value) for value in properties.values())
        elif isinstance(item, list):
            stack.extend((owner, child) for child in item)


def schema_text(kind: SchemaKind) -> str:
    """The schema as written to ``schemas/<kind>.schema.json``: sorted keys, a final newline."""
    return dumps(json_schema(kind)) + "\n"


def write_schemas(folder: str | Path) -> list[Path]:
    """Write ``rubric.schema.json`` and ``profile.schema.json`` into ``folder``; the paths written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in SCHEMA_KINDS:
        path = target / f"{kind}.schema.json"
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written
