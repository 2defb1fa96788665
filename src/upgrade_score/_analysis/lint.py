"""Lint rules: what a valid rubric may still get wrong (weights, thresholds, labels, ids, sources).

Every rule has a stable id and a severity. ``error`` findings are defects (``check`` fails);
``warning`` findings are suspicious or incomplete (``check --strict`` fails). The rules:

===============================  ========  ==========================================================
id                               severity  finding
===============================  ========  ==========================================================
missing-source                   warning   an indicator without ``source``
direction-weight-share           warning   a direction carries < 5 % or > 50 % of the overall weight
threshold-step-ratio             warning   two consecutive threshold steps differ by more than 10×
range-excludes-threshold         error     ``valid_range`` excludes a threshold or the explicit floor
label-missing-language           warning   a title, level, direction, indicator or descriptor label
                                           lacks ``zh`` or ``en``
id-not-snake-case                warning   a direction or indicator id that is not snake_case (the
                                           rubric id may also use hyphens)
category-unused                  warning   a declared category that no indicator's ``applies_to``,
                                           ``thresholds_by_category`` or ``floor_by_category`` names
category-bar-outside-applies-to  error     thresholds or a floor for a category the indicator's
                                           ``applies_to`` leaves out (never used)
unit-missing-zh                  warning   a unit with Latin letters and no ``zh`` text (only in
                                           rubrics that use rubric language 2, see below)
gate-indicator-may-be-na         warning   a gate on an indicator with ``allow_na: true``
gate-caps-top-level              warning   a gate whose ``caps`` is the top level: it caps nothing
gate-scope-excludes-indicator    warning   a gate capping one direction on an indicator of another
range-excludes-gate              error     ``valid_range`` leaves no value that meets a gate's condition
pairwise-inconsistent            error     a pairwise (AHP) matrix whose consistency ratio CR > 0.10;
                                           the finding names the most inconsistent comparisons
input-unused                     warning   an input no formula uses
enterprise-field-unused          warning   an enterprise field no roll-up uses
formula-without-input            warning   a formula that uses no input (a constant)
===============================  ========  ==========================================================

Decisions behind the rubric-language-2 rules:

* ``gate-indicator-may-be-na``: any base may answer ``n/a`` to such an indicator, and an n/a gate
  neither passes nor caps, so every base can step around the basic requirement. ``applies_to``
  alone is not flagged: bases of the listed categories cannot answer n/a, and the gate not
  applying to other kinds of base is what ``applies_to`` says.
* ``unit-missing-zh``: a unit made only of symbols and digits (``%``, ``‰``) reads the same in
  Chinese; a plain unit with Latin letters (``10k t/yr``, and SI symbols such as ``t`` or ``m³``,
  written 吨 and 立方米 on Chinese forms) or an ``{en: …}``-only one would show English in a Chinese
  survey, inviting 10⁴-fold entry errors. Rubrics that do not use rubric language 2 (no
  categories, gates, n/a, ``applies_to`` nor any bilingual or plain-string text where rubric
  language 1 took the other form) are not checked, so that their findings stay as they were:
  writing one ``{zh, en}`` unit opts a rubric in.
* ``gate-scope-excludes-indicator``: a gate may cap another direction than its indicator's, but
  that is rare enough to be a likely slip (use ``overall`` for a requirement on the whole base).
* ``gate-caps-top-level``: ``caps: L`` still reports the gate's status but never lowers a level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import PrivateAttr

from .._errors import FieldPath, Problem, format_path
from .._io.rubrics import load_rubric_document
from .._io.yaml import Document
from .._model.formula import operands, parse
from .._model.label import Label
from .._model.results import Result
from .._model.rubric import Gate, Indicator, Rubric
from .._text import Lang
from .weights import WeightBlock, consistency_texts, located_blocks

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
    "category-unused": ("warning", "a category no indicator names in `applies_to`, "
                                   "`thresholds_by_category` or `floor_by_category`"),
    "category-bar-outside-applies-to": ("error", "thresholds or a floor for a category the indicator's "
                                                 "`applies_to` leaves out"),
    "unit-missing-zh": ("warning", "a unit with Latin letters and no `zh` text (rubric language 2)"),
    "gate-indicator-may-be-na": ("warning", "a gate on an indicator with `allow_na: true`"),
    "gate-caps-top-level": ("warning", "a gate whose `caps` is the top level (it caps nothing)"),
    "gate-scope-excludes-indicator": ("warning", "a gate capping one direction on an indicator of another"),
    "range-excludes-gate": ("error", "`valid_range` leaves no value that meets a gate's condition"),
    "pairwise-inconsistent": ("error", "a pairwise (AHP) matrix whose consistency ratio CR > 0.10"),
    "input-unused": ("warning", "an input no formula uses"),
    "enterprise-field-unused": ("warning", "an enterprise field no roll-up uses"),
    "formula-without-input": ("warning", "a formula that uses no input (a constant)"),
}
SCHEMA_RULE = "schema"  # id given to schema-validation problems reported next to lint findings

MIN_DIRECTION_SHARE = 0.05
MAX_DIRECTION_SHARE = 0.50
MAX_STEP_RATIO = 10.0
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
RUBRIC_ID = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")
LATIN = re.compile(r"[A-Za-z]")

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
    consistency: WeightBlock | None = None  # pairwise-inconsistent: CR, weights, worst comparisons

    _texts: dict[Lang, str] = PrivateAttr(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.setdefault("file", None)  # stable keys for machines
        data.setdefault("line", None)
        if data.get("consistency") is None:
            data.pop("consistency", None)
        return data

    def text(self, lang: Lang = "en") -> str:
        """The message in ``lang`` where the rule has words in it (``message`` is English)."""
        return self._texts.get(lang, self.message)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [part for part in (where, self.path, f"{self.severity} [{self.id}]", self.message)
                 if part]
        return ": ".join(parts)


def lint(rubric: Rubric | str | Path, document: Document | None = None) -> list[LintFinding]:
    """Every lint finding of ``rubric`` (a rubric, a built-in id or a path), in rubric order.

    Pure: without ``document`` findings carry only the field path; with the document the
    rubric was validated from, they also carry its file and line (a path gives both).
    """
    if not isinstance(rubric, Rubric):
        rubric, document = load_rubric_document(rubric)
    found = [_finding(rule, path, message, document) for rule, path, message in _hits(rubric)]
    return [*found, *(_pairwise_finding(path, block, document) for path, block in located_blocks(rubric)
                      if not block.consistent)]


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
    yield from _category_hits(rubric)
    yield from _share_hits(rubric)
    units = _language_2(rubric)
    for j, direction in enumerate(rubric.directions):
        here: FieldPath = ("directions", j)
        yield from _id_hits(direction.id, (*here, "id"), "direction")
        yield from _label_hits(direction.name, (*here, "name"), f"direction '{direction.id}' name")
        for i, indicator in enumerate(direction.indicators):
            yield from _indicator_hits(indicator, (*here, "indicators", i))
            yield from _bar_hits(indicator, (*here, "indicators", i))
            if units:
                yield from _unit_hits(indicator, (*here, "indicators", i))
    for g, gate in enumerate(rubric.gates or ()):
        yield from _gate_hits(rubric, gate, ("gates", g))
    yield from _derived_hits(rubric)


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


# --- rubric language 2: categories, units, gates ------------------------------------------------

def _category_hits(rubric: Rubric) -> Iterator[Hit]:
    """Declared categories that no indicator names: their bases score as bases without one."""
    used = {category for i in rubric.indicators
            for category in (*(i.applies_to or ()), *i.categories_with_own_bars)}
    for c, category in enumerate(rubric.categories or ()):
        if category.id not in used:
            yield ("category-unused", ("categories", c, "id"),
                   f"category '{category.id}' is named by no indicator's applies_to, thresholds_by_category "
                   "or floor_by_category: its bases score exactly as bases without a category")


_WHAT = {"thresholds_by_category": "these thresholds are", "floor_by_category": "this floor is"}


def _bar_hits(indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    """Category thresholds or floors that never apply: the category is outside ``applies_to``."""
    if indicator.applies_to is None:
        return
    for name in ("thresholds_by_category", "floor_by_category"):
        for category in getattr(indicator, name) or {}:
            if category not in indicator.applies_to:
                yield ("category-bar-outside-applies-to", (*here, name, category),
                       f"indicator '{indicator.id}' does not apply to category '{category}' (applies_to: "
                       f"{', '.join(indicator.applies_to)}), so {_WHAT[name]} never used: "
                       f"add '{category}' to applies_to or remove {_WHAT[name].split()[0]}")


def _language_2(rubric: Rubric) -> bool:
    """Whether the rubric uses rubric language 2: categories, gates, n/a, ``applies_to``, or a
    ``{zh, en}`` text where rubric language 1 took a plain string (units, descriptions, sources,
    rationales) or a plain string where it took ``{zh, en}`` (descriptors)."""
    if rubric.categories or rubric.gates:
        return True
    texts: list[object] = [rubric.description, *(level.description for level in rubric.levels),
                           *(d.description for d in rubric.directions)]
    for indicator in rubric.indicators:
        if indicator.allow_na or indicator.applies_to is not None:
            return True
        if any(isinstance(label, str) for label in (indicator.descriptors or {}).values()):
            return True
        texts.extend([indicator.unit, indicator.description, indicator.source, indicator.rationale])
    return any(isinstance(text, Label) for text in texts)


def _unit_hits(indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    """A unit a Chinese reader would see in English: Latin letters and no ``zh`` text."""
    unit = indicator.unit
    if unit is None:
        return
    english = unit if isinstance(unit, str) else None if unit.zh is not None else unit.en
    if english is not None and LATIN.search(english):
        yield ("unit-missing-zh", (*here, "unit"),
               f"unit '{english}' of indicator '{indicator.id}' has no 'zh' text, so a Chinese survey shows "
               "it in English: give {zh: …, en: …}")


def _gate_hits(rubric: Rubric, gate: Gate, here: FieldPath) -> Iterator[Hit]:
    indicator = rubric.indicator(gate.indicator)
    if indicator.allow_na:
        yield ("gate-indicator-may-be-na", (*here, "indicator"),
               f"gate '{gate.id}' is on '{indicator.id}', which allows n/a: any base can answer n/a, and an "
               "n/a gate neither passes nor caps, so every base can step around this requirement")
    yield from _gate_range_hits(gate, indicator, here)
    if gate.caps >= rubric.level_count:
        yield ("gate-caps-top-level", (*here, "caps"),
               f"gate '{gate.id}' caps at level {gate.caps}, the top level: it never lowers a level "
               "(use a lower caps, or drop the gate)")
    home = next(d.id for d in rubric.directions if any(i.id == indicator.id for i in d.indicators))
    if gate.scope not in ("overall", home):
        yield ("gate-scope-excludes-indicator", (*here, "scope"),
               f"gate '{gate.id}' caps direction '{gate.scope}' but its indicator '{indicator.id}' belongs "
               f"to '{home}': did you mean scope '{home}' (or overall)?")


def _gate_range_hits(gate: Gate, indicator: Indicator, here: FieldPath) -> Iterator[Hit]:
    """A gate no value inside ``valid_range`` can pass: every base that reports fails it."""
    name, value = gate.condition
    if indicator.valid_range is None or isinstance(value, bool) or name == "equals":
        return
    low, high = indicator.valid_range
    if (name == "at_least" and value > high) or (name == "at_most" and value < low):
        yield ("range-excludes-gate", (*here, name),
               f"gate '{gate.id}' needs {name} {value:g} but valid_range of '{indicator.id}' is "
               f"[{low:g}, {high:g}]: no valid value passes, so every base is capped")


# --- where numbers come from: inputs, enterprise fields, formulas, pairwise weights -------------

def _pairwise_finding(path: FieldPath, block: WeightBlock, document: Document | None) -> LintFinding:
    """A pairwise block with CR > 0.10: its CR and most inconsistent comparisons, located at the
    matrix, with the message in every language."""
    texts = consistency_texts(block)
    finding = _finding("pairwise-inconsistent", path, texts["en"], document)
    finding = finding.model_copy(update={"consistency": block})
    finding._texts.update(texts)
    return finding


def _derived_hits(rubric: Rubric) -> Iterator[Hit]:
    """Inputs no formula uses, enterprise fields no roll-up uses, formulas that use no input."""
    used: set[str] = set()
    for j, direction in enumerate(rubric.directions):
        for i, indicator in enumerate(direction.indicators):
            if indicator.formula is None or indicator.kind != "quantitative":
                continue
            names = operands(parse(indicator.formula, rubric.input_ids))
            used.update(names)
            if not names:
                yield ("formula-without-input", ("directions", j, "indicators", i, "formula"),
                       f"the formula '{indicator.formula}' of indicator '{indicator.id}' uses no input: "
                       "every base gets the same value")
    for k, item in enumerate(rubric.inputs or ()):
        if item.id not in used:
            yield ("input-unused", ("inputs", k, "id"),
                   f"input '{item.id}' is used by no formula: bases report it for nothing")
    rolled = {field for item in rubric.inputs or () if item.rollup
              for _, field, _ in item.rollup.fields_used()}
    for k, field in enumerate(rubric.enterprise_fields or ()):
        if field.id not in rolled:
            yield ("enterprise-field-unused", ("enterprise_fields", k, "id"),
                   f"enterprise field '{field.id}' is rolled up by no input: enterprises report it for "
                   "nothing")
