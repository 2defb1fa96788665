"""One entry point for every rendering of every result: text, Markdown, HTML and DataFrames.

Results reach it through the display mixin (``str()``, ``to_html()``, ``to_dataframe()``), and the
CLI and the report call it directly, so each output is built from the same view.
"""

from __future__ import annotations

import html
from typing import Any

from .._analysis.scorecard import ScoreTable
from .._errors import UpgradeScoreError
from .._model.display import instance_of
from .._model.results import Scorecard
from .._model.rubric import Rubric
from .._text import display_language
from . import frames, more_frames
from .formats import render_html, render_markdown, render_text
from .views import view_of

_RENDERERS = {"text": render_text, "markdown": render_markdown, "html": render_html}
_FRAMES: dict[type, Any] = {
    Scorecard: frames.scorecard_frame, ScoreTable: frames.score_table_frame, Rubric: frames.rubric_frame,
}
_PROGRESS = ("upgrade_score._analysis.progress", "Progress")


def _progress_frame(obj: Any, **_: Any) -> Any:
    from .progress import progress_frame  # (loaded with the progress stage only)

    return progress_frame(obj)


# results of stages a command may not load (compare, gap, progress, diff, sensitivity):
# (module, class) -> frame
_LATE_FRAMES: dict[tuple[str, str], Any] = {
    ("upgrade_score._analysis.compare", "Comparison"): frames.comparison_frame,
    ("upgrade_score._analysis.gap", "GapReport"): frames.gap_frame,
    _PROGRESS: _progress_frame,
    ("upgrade_score._analysis.diff.results", "RubricDiff"): more_frames.diff_frame,
    ("upgrade_score._analysis.sensitivity.results", "SensitivityReport"): more_frames.sensitivity_frame,
}


def render(obj: object, kind: str, **options: Any) -> Any:
    """``obj`` as ``kind``: ``text``, ``markdown`` or ``html`` (a string), or ``frame`` (pandas)."""
    if kind == "excel":
        from .excel import write_excel  # (it knows every result: loaded for a workbook only)

        return write_excel(obj, options["path"], options.get("lang"))
    if kind == "frame":
        build = next((f for cls, f in _FRAMES.items() if isinstance(obj, cls)), None) or next(
            (f for (module, name), f in _LATE_FRAMES.items() if instance_of(obj, module, name)), None)
        if build is None:
            raise UpgradeScoreError(f"no DataFrame view of a {type(obj).__name__}")
        return build(obj, **options)
    if instance_of(obj, "upgrade_score._analysis.sensitivity.results", "SensitivityReport"):
        from .sensitivity import render_sensitivity  # loaded with the sensitivity stage only

        lang = display_language(options.get("lang"))
        text = render_sensitivity(obj, "markdown" if kind == "markdown" else "text",  # type: ignore[arg-type]
                                  lang, options.get("rubric"))
        if kind == "html":
            return f"<pre>{html.escape(text)}</pre>"
        return text
    if instance_of(obj, *_PROGRESS):
        from .progress import progress_view  # (loaded with the progress stage only)

        view = progress_view(obj, display_language(options.get("lang")))  # type: ignore[arg-type]
        return _RENDERERS[kind](view)
    return _RENDERERS[kind](view_of(obj, **options))  # type: ignore[arg-type]
