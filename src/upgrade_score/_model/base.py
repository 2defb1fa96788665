"""Model building blocks shared by every file format: immutable models and checked number types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .._errors import FieldPath, format_path

RULES_ERROR = "upgrade_score_rules"


class Frozen(BaseModel):
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
