"""Display shared by every result and the rubric: ``str()``, notebook HTML and DataFrames.

The views themselves live in the render layer; this mixin is the one door the model layer opens
upward to it (see ``tests/test_layers.py``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._text import Lang
    from .rubric import Rubric


def _dispatch(obj: object, kind: str, **options: Any) -> Any:
    from .._render import dispatch  # the door upward: rendering builds on every lower layer

    return dispatch.render(obj, kind, **options)


def instance_of(obj: object, module: str, name: str) -> bool:
    """Whether ``obj`` is a ``module.name``, without loading that module (an object of a class
    exists only once its module is loaded): a command loads the stages it runs, not every stage
    whose results it could show."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(obj, getattr(loaded, name))


def frame_of(obj: object, **options: Any) -> Any:
    """``obj`` as a pandas DataFrame (the ``to_dataframe()`` of results without HTML display)."""
    return _dispatch(obj, "frame", **options)


class HtmlDisplay:
    """``to_html()``, ``_repr_html_()`` for Jupyter, a readable ``str()``, and ``_frame()`` for the
    ``to_dataframe()`` of each result (pandas, imported only then)."""

    def to_html(self, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
        """An HTML view for notebooks, with names in ``lang`` (default: the display language).

        ``rubric`` is only needed when the result's rubric cannot be found by its hash.
        """
        html: str = _dispatch(self, "html", lang=lang, rubric=rubric)
        return html

    def to_text(self, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
        """Plain text for terminals (what ``str()`` prints), in ``lang``."""
        text: str = _dispatch(self, "text", lang=lang, rubric=rubric)
        return text

    def to_markdown(self, lang: Lang | None = None, rubric: Rubric | None = None) -> str:
        """Markdown (headings and pipe tables), in ``lang``."""
        text: str = _dispatch(self, "markdown", lang=lang, rubric=rubric)
        return text

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()

    def _frame(self, **options: Any) -> Any:
        return _dispatch(self, "frame", **options)
