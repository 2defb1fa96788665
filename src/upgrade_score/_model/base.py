"""Model building blocks shared by every file format: immutable models and checked number types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .._errors import FieldPath, format_path

RULES_ERROR = "upgrade_score_rules"


REPR_LIMIT = 200  # characters of repr(): one short line, whatever the size of the model


class ShortRepr:
    """``repr()`` in one short line: pydantic's while it is short, else ``<Name summary>``."""

    def __repr__(self) -> str:
        text = super().__repr__()
        if len(text) <= REPR_LIMIT and "\n" not in text:
            return text
        return f"<{type(self).__name__} {self._repr_summary()}>"

    def _repr_summary(self) -> str:
        """What identifies the object (its id or base), for :meth:`__repr__`."""
        for name in ("id", "base", "indicator", "rubric"):
            value = getattr(self, name, None)
            key = getattr(value, "id", value)
            if isinstance(key, str):
                return f"{key[:60]} …"
        return "…"


class Frozen(ShortRepr, BaseModel):
    """Base of every model: immutable, strict types, unknown fields rejected."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, strict=True, extra="forbid")


def as_tuple(value: Any) -> Any:
    """Accept a YAML list where a (frozen) tuple is stored."""
    return tuple(value) if isinstance(value, list) else value


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
# weights and efforts: positive, and bounded so that sums and ratios stay exact in float64
PositiveFloat = Annotated[float, Field(ge=1e-9, le=1e9, allow_inf_nan=False)]
FloatTuple = Annotated[tuple[FiniteFloat, ...], BeforeValidator(as_tuple)]
FloatPair = Annotated[tuple[FiniteFloat, FiniteFloat], BeforeValidator(as_tuple)]


def rules_error(problems: Sequence[tuple[FieldPath, str]]) -> PydanticCustomError:
    """An error for cross-field rules, carrying each broken rule with its relative path."""
    path, message = problems[0]
    first = f"{format_path(path)}: {message}" if path else message
    return PydanticCustomError(RULES_ERROR, "{first}", {"first": first, "problems": problems})
