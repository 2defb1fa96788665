"""One entry point for every rendering of every result: text, Markdown, HTML and DataFrames.

Results reach it through the display mixin (``str()``, ``to_html()``, ``to_dataframe()``), and the
CLI and the report call it directly, so each output is built from the same view.
"""

from __future__ import annotations

import html
from typing import Any

from .._analysis.compare import Comparison
from .._analysis.diff.results import RubricDiff
from .._analysis.gap import GapReport
from .._analysis.progress import Progress
from .._analysis.scorecard import ScoreTable
from .._analysis.sensitivity.results import SensitivityReport
from .._errors import UpgradeScoreError
from .._model.results import Scorecard
from .._model.rubric import Rubric
from .._text import display_language
from . import frames, more_frames
from .excel import write_excel
from .formats import render_html, render_markdown, render_text
from .progress import progress_frame, progress_view
from .sensitivity import render_sensitivity
from .views import view_of

_RENDERERS = {"text": render_text, "markdown": render_markdown, "html": render_html}
_FRAMES: dict[type, Any] = {
    Scorecard: frames.scorecard_frame, ScoreTable: frames.score_table_frame,
    Comparison: frames.comparison_frame, GapReport: frames.gap_frame, Rubric: frames.rubric_frame,
    Progress: lambda obj, **_: progress_frame(obj),
    RubricDiff: more_frames.diff_frame, SensitivityReport: more_frames.sensitivity_frame,
}


def render(obj: object, kind: str, **options: Any) -> Any:
    """``obj`` as ``kind``: ``text``, ``markdown`` or ``html`` (a string), or ``frame`` (pandas)."""
    if kind == "excel":
        return write_excel(obj, options["path"], options.get("lang"))
    if kind == "frame":
        build = next((f for cls, f in _FRAMES.items() if isinstance(obj, cls)), None)
        if build is None:
            raise UpgradeScoreError(f"no DataFrame view of a {type(obj).__name__}")
        return build(obj, **options)
    if isinstance(obj, SensitivityReport):
        lang = display_language(options.get("lang"))
        text = render_sensitivity(obj, "markdown" if kind == "markdown" else "text", lang,
                                  options.get("rubric"))
        if kind == "html":
            return f"<pre>{html.escape(text)}</pre>"
        return text
    if isinstance(obj, Progress):
        return _RENDERERS[kind](progress_view(obj, display_language(options.get("lang"))))
    return _RENDERERS[kind](view_of(obj, **options))  # type: ignore[arg-type]
