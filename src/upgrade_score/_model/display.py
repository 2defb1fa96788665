"""Notebook and terminal display shared by every result (the views themselves live in ``_html``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .._model.rubric import Lang, Rubric


class HtmlDisplay:
    """``to_html()``, ``_repr_html_()`` for Jupyter and a readable ``str()``; pandas-free."""

    def to_html(self, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
        """An HTML view for notebooks, with names in ``lang`` (default: the display language).

        ``rubric`` is only needed when the result's rubric cannot be found by its hash.
        """
        from .._render.views import to_html

        return to_html(cast(Any, self), lang, rubric)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        from .._render.views import to_text

        return to_text(cast(Any, self))
