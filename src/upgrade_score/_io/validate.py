"""Validate parsed documents into pydantic models, turning every failure into located problems."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from .._errors import FieldPath, PathItem, Problem, UpgradeScoreError, did_you_mean, yaml11_boolean_hint
from .._model.base import RULES_ERROR
from .yaml import Document

ModelT = TypeVar("ModelT", bound=BaseModel)
SCHEMA_KEY = "$schema"  # a file's own pointer to its JSON Schema, for editors
# Sections of a document whose rules read other sections: a rule problem in the first found after
# leaving out a broken field of one of the others may be a consequence of leaving it out (a gate
# on an indicator whose `kind` was misspelt; applies_to naming categories of a broken list).
RULE_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "directions": ("categories", "levels"),
    "gates": ("directions", "categories", "levels"),
}


def _mapping_key(node: dict[Any, Any], item: PathItem) -> Any:
    """The key of ``node`` that a pydantic ``loc`` item names (YAML integer keys come as text)."""
    if item not in node and isinstance(item, str) and item.lstrip("-").isdigit():
        return int(item)
    return item


def _data_path(data: Any, loc: Iterable[PathItem]) -> FieldPath:
    """Keep the parts of a pydantic ``loc`` that step through ``data`` (drops union tags)."""
    path: list[PathItem] = []
    node = data
    for item in loc:
        if isinstance(node, dict):
            key = _mapping_key(node, item)
            if key in node:
                path.append(key)
                node = node[key]
            elif item not in ("[key]",) and not path_is_tag(item):
                path.append(item)  # a missing or unknown field: name it, stop walking
                node = None
        elif isinstance(node, (list, tuple)) and isinstance(item, int) and 0 <= item < len(node):
            path.append(item)
            node = node[item]
    return tuple(path)


def path_is_tag(item: PathItem) -> bool:
    """Pydantic adds type names (``function-after[...]``, ``float``) to union locations."""
    return isinstance(item, str) and ("[" in item or item in {"float", "int", "bool", "str"})


def _model_at(model: type[BaseModel], loc: Sequence[PathItem]) -> type[BaseModel] | None:
    """The model whose field ``loc[-1]`` is, following field annotations down ``loc[:-1]``."""
    current: Any = model
    for item in loc[:-1]:
        if _is_model(current):
            if isinstance(item, str) and item in current.model_fields:
                current = current.model_fields[item].annotation
            continue
        current = _inner_model(current)
        if current is not None and isinstance(item, str) and item in current.model_fields:
            current = current.model_fields[item].annotation
    if _is_model(current):
        return current  # type: ignore[no-any-return]
    return _inner_model(current)


def _is_model(annotation: Any) -> bool:
    """Whether an annotation is a pydantic model class. On Python 3.10 ``tuple[X, ...]`` passes
    ``isinstance(_, type)`` and then makes ``issubclass`` raise TypeError."""
    try:
        return isinstance(annotation, type) and issubclass(annotation, BaseModel)
    except TypeError:
        return False


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The first pydantic model inside an annotation such as ``tuple[X, ...] | None``."""
    if _is_model(annotation):
        return annotation  # type: ignore[no-any-return]
    for arg in reversed(get_args(annotation)):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _message(error: Any, model: type[BaseModel]) -> str:
    return _plain_message(error, model) + yaml11_boolean_hint(error.get("input"))


def _plain_message(error: Any, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1]) if error["loc"] else ""
        owner = _model_at(model, error["loc"])
        fields = sorted(owner.model_fields) if owner is not None else []
        return f"unknown field{did_you_mean(name, fields)}"
    if kind == "too_short":  # in our words: pydantic's wording changes between versions
        least = int((error.get("ctx") or {}).get("min_length", 1))
        given = error.get("input")
        count = len(given) if hasattr(given, "__len__") else 0
        return f"needs at least {least} item{'s' if least != 1 else ''}, got {count}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind in {"value_error", "assertion_error"}:
        return message
    value = error.get("input")
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{message[:1].lower()}{message[1:]}, got {shown}"


def problems_from(exc: ValidationError, doc: Document, model: type[BaseModel],
                  root: FieldPath = ()) -> list[Problem]:
    """Translate a pydantic ``ValidationError`` for ``doc.data`` into located problems, in file
    order."""
    problems: list[Problem] = []
    seen: set[tuple[FieldPath, str]] = set()
    errors = exc.errors()
    for error in errors:
        base = _data_path(doc.data, (*root, *error["loc"]))
        if error["type"] == "too_short" and len(errors) > 1 and error["input"]:
            continue  # items were given but failed; their own errors say why
        if error["type"] == RULES_ERROR:
            items = [(base + tuple(rel), msg) for rel, msg in error["ctx"]["problems"]]
        else:
            items = [(base, _message(error, model))]
        for path, message in items:
            if (path, message) not in seen:
                seen.add((path, message))
                problems.append(doc.problem(path, message))
    return sorted(problems, key=lambda problem: problem.line or 0)  # file order (stable)


def validate(model: type[ModelT], doc: Document, data: Any = None,
             root: FieldPath = ()) -> ModelT:
    """Validate ``data`` (default: the whole document) as ``model``, or raise located errors.

    Every problem is reported: a field that fails its type does not hide the rule problems
    (ranges, order, references) of the fields that are fine.
    """
    payload = doc.data if data is None else data
    if not isinstance(payload, dict):
        kind = "empty" if payload is None else f"a {type(payload).__name__}"
        raise UpgradeScoreError(doc.problem(root, f"expected a mapping of fields, got {kind}"))
    if data is None:
        payload = _without_schema_key(doc, payload)
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problems = problems_from(exc, doc, model, root)
        hidden = _rule_problems_behind(exc, doc, model, payload, root)
    known = {(problem.path, problem.message) for problem in problems}
    problems += [problem for problem in hidden if (problem.path, problem.message) not in known]
    raise UpgradeScoreError(sorted(problems, key=lambda problem: problem.line or 0))


def _without_schema_key(doc: Document, payload: dict[Any, Any]) -> dict[Any, Any]:
    """A file may name its JSON Schema in a top-level ``$schema`` key (editors read it); the
    key is not part of the rubric or profile."""
    if SCHEMA_KEY not in payload:
        return payload
    if not isinstance(payload[SCHEMA_KEY], str):
        raise UpgradeScoreError(doc.problem((SCHEMA_KEY,), "must be text: the path or URL of a "
                                                           "JSON Schema"))
    return {key: value for key, value in payload.items() if key != SCHEMA_KEY}


def _rule_problems_behind(exc: ValidationError, doc: Document, model: type[BaseModel],
                          payload: dict[Any, Any], root: FieldPath) -> list[Problem]:
    """The rule problems a model's checks find once the fields that failed are left out.

    Pydantic runs a model's rules only when all its fields are valid, so a type error in one
    field would hide (say) a descending threshold list elsewhere. Leaving out a field can cause
    rule problems of its own; those are dropped: problems inside the object that held the field,
    and in sections whose rules read that object's section (:data:`RULE_DEPENDENCIES`). Nothing
    is found when leaving the fields out leaves other errors (a required field).
    """
    dropped = {_owning_key(payload, error["loc"]) for error in exc.errors()}
    if () in dropped:
        return []
    try:
        model.model_validate(without_entries(payload, dropped))
        return []  # the fields left out were the only problems
    except ValidationError as again:
        if any(error["type"] != RULES_ERROR for error in again.errors()):
            return []
        found = problems_from(again, doc, model, root)
    suspect = [(*root, *(key if len(key) == 1 else key[:-1])) for key in dropped]
    broken_sections = {key[0] for key in dropped}
    return [problem for problem in found
            if not any(problem.path[: len(prefix)] == prefix for prefix in suspect)
            and not broken_sections.intersection(RULE_DEPENDENCIES.get(_section(problem, root), ()))]


def _section(problem: Problem, root: FieldPath) -> str:
    """The top-level field (below ``root``) a problem lies in."""
    inner = problem.path[len(root):]
    return str(inner[0]) if inner else ""


def _owning_key(data: Any, loc: Iterable[PathItem]) -> FieldPath:
    """The path of the deepest mapping entry of ``data`` on an error's ``loc``: the field to leave
    out so that the error goes away (``()``: none, the error is about the whole document)."""
    path: list[PathItem] = []
    owner: FieldPath = ()
    node = data
    for item in loc:
        if isinstance(node, dict):
            key = _mapping_key(node, item)
            if key not in node:
                break
            path.append(key)
            owner = tuple(path)
            node = node[key]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            path.append(item)
            node = node[item]
        elif not path_is_tag(item):
            break
    return owner


def without_entries(data: Any, paths: Collection[FieldPath]) -> Any:
    """A copy of ``data`` without the mapping entries at ``paths`` (only the mappings and lists
    on the way to them are copied)."""
    if not paths:
        return data
    children: dict[PathItem, list[FieldPath]] = {}
    drop = set()
    for path in paths:
        if len(path) == 1:
            drop.add(path[0])
        elif path:
            children.setdefault(path[0], []).append(path[1:])
    if isinstance(data, dict):
        return {key: without_entries(value, children.get(key, ())) for key, value in data.items()
                if key not in drop}
    if isinstance(data, list):
        return [without_entries(value, children.get(k, ())) for k, value in enumerate(data)]
    return data
