"""Lint rules: what a valid rubric may still get wrong (weights, thresholds, labels, ids, sources).

Every rule has a stable id and a severity. ``error`` findings are defects (``check`` fails);
``warning`` findings are suspicious or incomplete (``check --strict`` fails). The rules:

=========================  ========  ==========================================================
id                         severity  finding
=========================  ========  ==========================================================
missing-source             warning   an indicator without ``source``
direction-weight-share     warning   a direction carries < 5 % or > 50 % of the overall weight
threshold-step-ratio       warning   two consecutive threshold steps differ by more than 10×
range-excludes-threshold   error     ``valid_range`` excludes a threshold or the explicit floor
label-missing-language     warning   a title, level, direction, indicator or descriptor label
                                     lacks ``zh`` or ``en``
id-not-snake-case          warning   a direction or indicator id that is not snake_case (the
                                     rubric id may also use hyphens)
=========================  ========  ==========================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from .._errors import FieldPath, Problem, format_path
from .._io.rubrics import load_rubric_document
from .._io.yaml import Document
from .._model.results import Result
from .._model.rubric import Indicator, Label, Rubric

Severity = Literal["error", "warning"]

RULES: dict[str, tuple[Severity, str]] = {
    "missing-source": ("warning", "an indicator without `source`"),
    "direction-weight-share": ("warning", "a direction carries < 5 % or > 50 % of the overall weight"),
    "threshold-step-ratio": ("warning", "two consecutive threshold steps differ by more than 10×"),
    "range-excludes-threshold": ("error", "`valid_range` excludes a threshold or the floor"),
    "label-missing-language": ("warning", "a label (title, level, direction, indicator, descriptor) "
                                          "lacks `zh` or `en`"),
    "id-not-snake-case": ("warning", "a direction or indicator id is not snake_case "
                                     "(the rubric id may use hyphens)"),
}
SCHEMA_RULE = "schema"  # id given to schema-validation problems reported next to lint findings

MIN_DIRECTION_SHARE = 0.05
MAX_DIRECTION_SHARE = 0.50
MAX_STEP_RATIO = 10.0
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
RUBRIC_ID = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")

Hit = tuple[str, FieldPath, str]  # rule id, field path, message


class LintFinding(Result):
    """One lint finding: rule ``id``, ``severity``, ``message`` and where (field ``path``, and
    ``file``/``line`` when the rubric was read from a file)."""

    id: str
    severity: Severity
    message: str
    path: str
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.setdefault("file", None)  # stable keys for machines
        data.setdefault("line", None)
        return data

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [part for part in (where, self.path, f"{self.severity} [{self.id}]", self.message)
                 if part]
        return ": ".join(parts)


def lint(rubric: Rubric, document: Document | None = None) -> list[LintFinding]:
    """Every lint finding of ``rubric``, in rubric order.

    Pure: without ``document`` findings carry only the field path; with the document the
    rubric was validated from, they also carry its file and line.
    """
    return [_finding(rule, path, message, document) for rule, path, message in _hits(rubric)]


def lint_file(source: str | Path) -> list[LintFinding]:
    """Load a rubric file (or built-in id) and lint it, locating findings by file and line.

    Raises :class:`UpgradeScoreError` if the file is not a valid rubric.
    """
    rubric, document = load_rubric_document(source)
    return lint(rubric, document)


def schema_finding(problem: Problem) -> LintFinding:
    """A schema-validation problem as an ``error`` finding with id ``schema``."""
    return LintFinding(id=SCHEMA_RULE, severity="error", message=problem.message,
                       path=format_path(problem.path), file=problem.file, line=problem.line)


def _finding(rule: str, path: FieldPath, message: str, document: Document | None) -> LintFinding:
    severity = RULES[rule][0]
    if document is None:
        return LintFinding(id=rule, severity=severity, message=message, path=format_path(path))
    return LintFinding(id=rule, severity=severity, message=message, path=format_path(path),
                       file=document.file, line=document.line_of(path))


def _hits(rubric: Rubric) -> Iterator[Hit]:
    if not RUBRIC_ID.match(rubric.id):
        yield ("id-not-snake-case", ("id",),
               f"rubric id '{rubric.id}' should be lower case words joined by '_' or '-'")
    yield from _label_hits(rubric.title, ("title",), "title")
    for k, level in enumerate(rubric.levels):
        yield from _label_hits(level.name, ("levels", k, "name"), f"level {level.level} name")
    yield from _share_hits(rubric)
    for j, direction in enumerate(rubric.directions):
        here: FieldPath = ("directions", j)
        yield from _id_hits(direction.id, (*here, "id"), "direction")
        yield from _label_hits(direction.name, (*here, "name"), f"direction '{direction.id}' name")
        for i, indicator in enumerate(direction.indicators):
            yield from _indicator_hits(indicator, (*here, "indicators", i))


def _indicator_hits(indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    yield from _id_hits(indicator.id, (*here, "id"), "indicator")
    yield from _label_hits(indicator.name, (*here, "name"), f"indicator '{indicator.id}' name")
    for key, label in sorted((indicator.descriptors or {}).items()):
        if isinstance(label, str):
            continue  # one text for every language
        yield from _label_hits(label, (*here, "descriptors", key),
                               f"indicator '{indicator.id}' descriptor {key}")
    if indicator.source is None:
        yield ("missing-source", (*here, "source"),
               f"indicator '{indicator.id}' has no source: say where it and its thresholds come from")
    yield from _step_hits(indicator, here)
    yield from _range_hits(indicator, here)


def _label_hits(label: Label, path: FieldPath, what: str) -> Iterator[Hit]:
    for lang in ("zh", "en"):
        if getattr(label, lang) is None:
            yield "label-missing-language", path, f"{what} has no '{lang}' text"


def _id_hits(value: str, path: FieldPath, what: str) -> Iterator[Hit]:
    if not SNAKE_CASE.match(value):
        yield "id-not-snake-case", path, f"{what} id '{value}' is not snake_case (e.g. 'recycled_share')"


def _share_hits(rubric: Rubric) -> Iterator[Hit]:
    """Direction shares of the overall weight; skipped under ``weakest``, which ignores weights."""
    if rubric.aggregation == "weakest":
        return
    shares = rubric.compiled.overall_shares
    for j, direction in enumerate(rubric.directions):
        share = float(shares[j])
        if len(shares) > 1 and not MIN_DIRECTION_SHARE <= share <= MAX_DIRECTION_SHARE:
            side = "under 5 %" if share < MIN_DIRECTION_SHARE else "over 50 %"
            yield ("direction-weight-share", ("directions", j, "weight"),
                   f"direction '{direction.id}' carries {100 * share:.1f} % of the overall weight "
                   f"({side})")


def _step_hits(indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    """The worst pair of consecutive threshold steps, if their sizes differ by more than 10×."""
    t = indicator.thresholds or ()
    steps = [abs(t[k] - t[k - 1]) for k in range(1, len(t))]
    ratios = [max(steps[k], steps[k - 1]) / min(steps[k], steps[k - 1]) for k in range(1, len(steps))]
    if not ratios or max(ratios) <= MAX_STEP_RATIO:
        return
    k = ratios.index(max(ratios)) + 1  # steps k-1 and k: t[k-1] → t[k] → t[k+1]
    yield ("threshold-step-ratio", (*here, "thresholds"),
           f"steps {t[k - 1]:g} → {t[k]:g} → {t[k + 1]:g} differ by {ratios[k - 1]:.3g}× "
           f"(more than {MAX_STEP_RATIO:g}×): check the units or the scale")


def _range_hits(indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    """Thresholds (and an explicit floor) outside ``valid_range``."""
    if indicator.valid_range is None or indicator.thresholds is None:
        return
    low, high = indicator.valid_range
    shown = f"valid_range [{low:g}, {high:g}]"
    sign = 1 if indicator.better == "higher" else -1
    for k, threshold in enumerate(indicator.thresholds):
        if not low <= threshold <= high:
            beyond_best = sign * threshold > sign * (high if sign > 0 else low)
            effect = (f"no valid value reaches level {k + 1}" if beyond_best
                      else f"every valid value reaches level {k + 1}")
            yield ("range-excludes-threshold", (*here, "thresholds", k),
                   f"threshold {threshold:g} of level {k + 1} is outside {shown}: {effect}")
    floor = indicator.floor
    if floor is not None and not low <= floor <= high:
        beyond_best = sign * floor > sign * (high if sign > 0 else low)
        effect = "every valid value scores level 0" if beyond_best else "no valid value scores level 0"
        yield ("range-excludes-threshold", (*here, "floor"), f"floor {floor:g} is outside {shown}: {effect}")
