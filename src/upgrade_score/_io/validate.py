"""Validate parsed documents into pydantic models, turning every failure into located problems."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from .._errors import FieldPath, PathItem, Problem, UpgradeScoreError, did_you_mean
from .._model.base import RULES_ERROR
from .yaml import Document

ModelT = TypeVar("ModelT", bound=BaseModel)

def _data_path(data: Any, loc: Iterable[PathItem]) -> FieldPath:
    """Keep the parts of a pydantic ``loc`` that step through ``data`` (drops union tags)."""
    path: list[PathItem] = []
    node = data
    for item in loc:
        if isinstance(node, dict):
            key: Any = item
            if key not in node and isinstance(item, str) and item.lstrip("-").isdigit():
                key = int(item)
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
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(item, str) and item in current.model_fields:
                current = current.model_fields[item].annotation
            continue
        current = _inner_model(current)
        if current is not None and isinstance(item, str) and item in current.model_fields:
            current = current.model_fields[item].annotation
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return _inner_model(current)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The first pydantic model inside an annotation such as ``tuple[X, ...] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _message(error: Any, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1]) if error["loc"] else ""
        owner = _model_at(model, error["loc"])
        fields = sorted(owner.model_fields) if owner is not None else []
        return f"unknown field{did_you_mean(name, fields)}"
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
    """Validate ``data`` (default: the whole document) as ``model``, or raise located errors."""
    payload = doc.data if data is None else data
    if not isinstance(payload, dict):
        kind = "empty" if payload is None else f"a {type(payload).__name__}"
        raise UpgradeScoreError(doc.problem(root, f"expected a mapping of fields, got {kind}"))
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise UpgradeScoreError(problems_from(exc, doc, model, root)) from None
