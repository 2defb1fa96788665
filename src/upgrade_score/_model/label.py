"""Ids and bilingual texts (design point 8): the words every model is named and described in."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from .._text import Lang
from .base import Frozen

Id = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=100)]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]  # names to long descriptions; bounded


class Label(Frozen):
    """A bilingual label; at least one language must be given. A plain string is the same text in
    every language (design.md point 8)."""

    zh: Text | None = None
    en: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: object) -> object:
        return {"zh": value, "en": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = dict(handler.resolve_ref_schema(handler(core_schema)))
        return {"anyOf": [{"type": "string", "minLength": 1}, schema]}

    @model_validator(mode="after")
    def _not_empty(self) -> Label:
        if self.zh is None and self.en is None:
            raise ValueError("a label needs 'zh' or 'en' text")
        return self

    def text(self, lang: Lang = "en") -> str:
        """The label in ``lang``, falling back to the other language."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or ""


BilingualText = Text | Label  # a plain string (every language) or {zh, en}


def text_in(value: str | Label | None, lang: Lang = "en") -> str | None:
    """A bilingual text in ``lang`` (falling back to the other language); ``None`` stays ``None``."""
    return value.text(lang) if isinstance(value, Label) else value
