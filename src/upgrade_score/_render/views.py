"""Views: what to show of a scorecard, score table, comparison, gap report or rubric.

Each result builds one :class:`View` (heading, summary lines, tables); text, Markdown and HTML are
renderings of it (``formats.py``), so the CLI, ``str()``, notebooks and reports show the same
figures in the same words. Labels come from the rubric and the word catalogue in ``lang``.

Results keep the rubric they were computed with; one read back from JSON finds a built-in
rubric by its hash, or takes the rubric passed in.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from .._analysis.scorecard import ScoreTable
from .._engine.compile import FloatArray
from .._errors import UpgradeScoreError
from .._io.rubrics import builtin_path, load_rubric
from .._model.display import instance_of
from .._model.label import Label, text_in
from .._model.results import DirectionResult, RubricRef, Scorecard
from .._model.rubric import Rubric
from .._text import display_language, word
from .derived import derived_table
from .formats import Cell, CellLike, Table, View, number, percent
from .provenance import source_tables, weights_line

if TYPE_CHECKING:  # (compare and gap are loaded with their stages: a view of a score needs neither)
    from .._analysis.compare import Comparison
    from .._analysis.gap import Action, GapReport
    from .._text import Lang


MAX_ROWS = 40          # longer tables show their head and tail
HEAD_ROWS, TAIL_ROWS = 20, 10
TOP_ACTIONS = 10
BAR_COLOUR = "#4c78a8"
TARGET_COLOUR = "#e45756"

def rubric_for(ref: RubricRef, rubric: Rubric | None = None) -> Rubric | None:
    """The rubric a result was computed with: ``rubric`` if its hash matches, the one the result
    keeps, or a built-in one with that hash (``None`` if none is found)."""
    if rubric is not None:
        if rubric.sha256 != ref.sha256:
            raise UpgradeScoreError(
                f"rubric: '{rubric.id}' {rubric.version} is not the rubric this result was computed "
                f"with ('{ref.id}' {ref.version}, sha256 {ref.sha256[:12]})")
        return rubric
    found = ref.rubric
    path = None if found is not None else builtin_path(f"{ref.id}@{ref.version}")
    if path is not None:
        builtin = load_rubric(path)
        found = builtin if builtin.sha256 == ref.sha256 else None
    return found


# --- cells -------------------------------------------------------------------------------------

def score_cell(score: float, target: float | None = None) -> Cell:
    """A score with a small bar (and a tick where the target is)."""
    width = max(0.0, min(100.0, score)) * 0.6
    tick = ""
    if target is not None:
        left = max(0.0, min(100.0, target)) * 0.6
        tick = (f'<span style="position:absolute;left:{left:.1f}px;top:-2px;width:2px;height:12px;'
                f'background:{TARGET_COLOUR}"></span>')
    bar = (f'<span style="display:inline-block;position:relative;width:60px;height:8px;'
           f'background:#e8e8e8;margin-right:0.4em;vertical-align:middle">'
           f'<span style="position:absolute;left:0;top:0;width:{width:.1f}px;height:8px;'
           f'background:{BAR_COLOUR}"></span>{tick}</span>')
    return Cell(f"{score:.1f}", f'<span style="white-space:nowrap">{bar}{score:.1f}</span>')


def level_label(rubric: Rubric | None, level: int, lang: Lang) -> str:
    """``3 Integrated`` (``3`` when the rubric is unknown)."""
    return f"{level} {rubric.level_name(level, lang)}" if rubric is not None else str(level)


def quantity(value: bool | float | str | None, unit: str | Label | None, lang: Lang) -> str:
    """``42 %``, ``9,800 CNY/t``, ``yes``; missing values are ``not reported``, N/A is ``n/a``."""
    if value is None:
        return word("missing", lang)
    if isinstance(value, str):
        return word("n/a", lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    shown = text_in(unit, lang)
    if not shown or shown in ("level", "yes/no", "count"):
        return number(value)
    return f"{number(value)} {shown}"


def _scores_text(scores: FloatArray, lang: Lang) -> list[str]:
    """Direction scores of one base, ``n/a`` where a direction does not apply."""
    return [word("n/a", lang) if math.isnan(value) else f"{value:.1f}" for value in scores.tolist()]


def direction_cells(result: DirectionResult, rubric: Rubric | None, lang: Lang,
                    goal: float | None = None) -> list[CellLike]:
    """Score (with its bar), level and completeness of one direction; ``n/a`` when it does not
    apply to the base."""
    if result.score is None or result.level is None or result.completeness is None:
        return [word("n/a", lang)] * 3
    return [score_cell(result.score, goal), level_label(rubric, result.level, lang),
            percent(result.completeness)]


def _limit(rows: list[list[CellLike]], lang: Lang) -> tuple[list[list[CellLike]], str | None]:
    if len(rows) <= MAX_ROWS:
        return rows, None
    hidden = len(rows) - HEAD_ROWS - TAIL_ROWS
    gap_row: list[CellLike] = ["…"] * len(rows[0])
    return [*rows[:HEAD_ROWS], gap_row, *rows[-TAIL_ROWS:]], word("more", lang).format(n=hidden)


def _rubric_line(ref: RubricRef, lang: Lang) -> str:
    return f"{word('rubric', lang)} {ref.id} {ref.version} (sha256 {ref.sha256[:12]})"


def _name(label: Any, fallback: str, lang: Lang) -> str:
    return label.text(lang) if label is not None else fallback


# --- views -------------------------------------------------------------------------------------

def scorecard_view(card: Scorecard, lang: Lang, rubric: Rubric | None = None, *,
                   detail: bool = False) -> View:
    """One base: headline, direction table and a collapsed indicator table."""
    rubric = rubric_for(card.rubric, rubric)
    name = _name(card.base.name, card.base.id, lang)
    heading = f"{name} ({card.base.id})" if name != card.base.id else name
    o = card.overall
    summary = (f"{word('Overall', lang)} {o.score:.1f} / 100 · {word('level', lang)} "
               f"{level_label(rubric, o.level, lang)} · {word('balanced level', lang)} "
               f"{level_label(rubric, o.balanced_level, lang)} · {word('completeness', lang)} "
               f"{percent(o.completeness)}")
    names = _direction_names(rubric, lang)
    rows: list[list[CellLike]] = [
        [d, names.get(d, d), *direction_cells(r, rubric, lang)] for d, r in card.directions.items()]
    directions = Table([word("direction", lang), word("name", lang), word("score", lang),
                        word("level", lang), word("data", lang)], rows, right=(2, 4))
    labels = {} if rubric is None else {i.id: i.name.text(lang) for i in rubric.indicators}
    indicator_rows: list[list[CellLike]] = []
    for indicator_id, r in card.indicators.items():
        label = labels.get(indicator_id, indicator_id)
        indicator_rows.append([
            Cell(indicator_id, title=label), label, r.direction,
            word("n/a", lang) if r.not_applicable else quantity(r.value, r.unit, lang),
            "—" if r.level is None else f"{r.level:.2f}", f"{r.direction_points:.1f}", r.source or ""])
    indicators = Table([word("indicator", lang), word("name", lang), word("direction", lang),
                        word("value", lang), word("level", lang), word("points", lang),
                        word("source", lang)], indicator_rows, right=(3, 4, 5),
                       caption=f"{word('indicators', lang)} ({len(indicator_rows)})", collapsed=not detail)
    derived = derived_table(card, rubric, lang, collapsed=not detail)
    gates = _gate_table(card, rubric, lang) if detail else None
    return View(heading, [summary, _rubric_line(card.rubric, lang)],
                [directions, indicators, *(t for t in (derived, gates) if t is not None)],
                alerts=gate_lines(card, rubric, lang))


def _gate_table(card: Scorecard, rubric: Rubric | None, lang: Lang) -> Table | None:
    """With ``detail``: every basic requirement's condition and status (None without gates)."""
    gates = {} if rubric is None else {g.id: g for g in rubric.gates or ()}
    rows: list[list[CellLike]] = []
    for gate_id, result in (card.gates or {}).items():
        gate = gates.get(gate_id)
        name = gate.name.text(lang) if gate is not None and gate.name is not None else gate_id
        condition = "" if gate is None or rubric is None else _condition(gate, rubric, lang)
        rows.append([Cell(gate_id, title=name), name, condition, word(f"status {result.status}", lang),
                     str(result.caps)])
    if not rows:
        return None
    return Table([word("gate", lang), word("name", lang), word("condition", lang), word("status", lang),
                  word("caps at level", lang)], rows, caption=word("basic requirements", lang))


def _condition(gate: Any, rubric: Rubric, lang: Lang) -> str:
    """``hazardous_waste_safe_disposal ≥ 100 %``, ``no_major_incident = yes``."""
    name, value = gate.condition
    sign = {"at_least": "≥", "at_most": "≤", "equals": "="}[name]
    return f"{gate.indicator} {sign} {quantity(value, rubric.indicator(gate.indicator).unit, lang)}"


def gate_lines(card: Scorecard, rubric: Rubric | None, lang: Lang) -> list[str]:
    """Basic requirements not passed, first of all: what each caps, and the level without it."""
    lines = []
    for gate_id, result in (card.gates or {}).items():
        if result.status not in ("failed", "unknown"):
            continue
        gate = next((g for g in rubric.gates or () if g.id == gate_id), None) if rubric else None
        name = gate.name.text(lang) if gate is not None and gate.name is not None else gate_id
        scope = (word("overall", lang) if result.scope == "overall"
                 else _direction_names(rubric, lang).get(result.scope, result.scope))
        lines.append(word(f"gate {result.status}", lang).format(name=name, scope=scope, caps=result.caps))
    uncapped = card.overall.uncapped_level
    if lines and uncapped is not None and uncapped != card.overall.level:
        lines.append(word("uncapped", lang).format(level=level_label(rubric, uncapped, lang)))
    return lines


def _direction_names(rubric: Rubric | None, lang: Lang) -> dict[str, str]:
    return {} if rubric is None else {d.id: d.name.text(lang) for d in rubric.directions}


def _direction_headers(rubric: Rubric, lang: Lang) -> list[CellLike]:
    return [Cell(d.id, f'<span title="{html.escape(d.id)}">{html.escape(d.name.text(lang))}</span>')
            for d in rubric.directions]


def base_cell(scores: ScoreTable, row: int, lang: Lang) -> Cell:
    """A base's id (plain text), shown by name with the id on hover in HTML when it has one."""
    base_id = scores.base_ids[row]
    profile = scores.profiles[row] if scores.profiles is not None else None
    if profile is None or profile.base.name is None:
        return Cell(base_id)
    return Cell(base_id, html.escape(profile.base.name.text(lang)), title=base_id)


def score_table_view(scores: ScoreTable, lang: Lang) -> View:
    """Many bases: one row each with overall and direction scores."""
    rubric = scores.rubric
    rows: list[list[CellLike]] = []
    for row in range(len(scores)):
        rows.append([
            base_cell(scores, row, lang), score_cell(float(scores.overall[row])),
            level_label(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            *_scores_text(scores.directions[row], lang)])
    rows, note = _limit(rows, lang)
    headers: list[CellLike] = [word("base", lang), word("overall", lang), word("level", lang),
                               word("balanced", lang), word("data", lang),
                               *_direction_headers(rubric, lang)]
    heading = (f"{word('rubric', lang)} {rubric.id} {rubric.version} · {len(scores)} "
               f"{word('bases', lang)}")
    return View(heading, tables=[Table(headers, rows, right=(1, 3, 4, *range(5, len(headers))),
                                       note=note)])


def comparison_view(result: Comparison, lang: Lang) -> View:
    """Bases best first: rank, percentile, overall and direction scores."""
    from .._analysis.compare import not_passed  # (loaded: a Comparison exists)

    scores = result.table
    rubric = scores.rubric
    rows: list[list[CellLike]] = []
    for row in result.order.tolist():
        rows.append([
            str(int(result.rank[row])), base_cell(scores, row, lang), score_cell(float(scores.overall[row])),
            level_label(rubric, int(scores.overall_level[row]), lang),
            str(int(scores.balanced_level[row])), percent(float(scores.completeness[row])),
            f"{result.percentile[row]:.0f}", *_scores_text(scores.directions[row], lang)])
    headers: list[CellLike] = [word("rank", lang), word("base", lang), word("overall", lang),
                               word("level", lang), word("balanced", lang), word("data", lang),
                               word("percentile", lang), *_direction_headers(rubric, lang)]
    alerts = []
    if rubric.gates:
        names = {g.id: g.name.text(lang) if g.name is not None else g.id for g in rubric.gates}
        failing = {row: not_passed(scores, row) for row in result.order.tolist()}
        for row, cells in zip(result.order.tolist(), rows):
            cells.append("⚠ " + "; ".join(names[g] for g in failing[row]) if failing[row] else "✓")
        headers.append(word("basic requirements", lang))
        count = sum(1 for gates in failing.values() if gates)
        if count:
            alerts.append(word("bases gated", lang).format(n=count, total=len(scores)))
    _group_columns(result, rows, headers, lang)
    rows, note = _limit(rows, lang)
    sort = (word("overall", lang) if result.sort_by == "overall"
            else _direction_names(rubric, lang)[result.sort_by])
    heading = (f"{word('rubric', lang)} {rubric.id} {rubric.version} · {len(scores)} "
               f"{word('bases', lang)} · {word('sorted by', lang)} {sort}")
    if result.by is not None:
        heading += f" · {word('grouped by', lang)} {word(f'field.{result.by}', lang)}"
    right = (0, 2, 4, 5, 6, *range(7, 7 + len(rubric.direction_ids)))
    if result.by is not None:
        right = (*right, len(headers) - 2, len(headers) - 1)
    return View(heading, tables=[Table(headers, rows, right=right, note=note)], alerts=alerts)


def _group_columns(result: Comparison, rows: list[list[CellLike]], headers: list[CellLike],
                   lang: Lang) -> None:
    """With ``by``: each base's group, rank and percentile within it (in place)."""
    if result.groups is None:
        return
    for row, cells in zip(result.order.tolist(), rows):
        group, rank = result.groups[row], result.group_rank[row]
        cells.extend(["—", "—", "—"] if group is None or math.isnan(rank) else
                     [group, f"{int(rank)}/{int(result.group_size[row])}",
                      f"{result.group_percentile[row]:.0f}"])
    headers.extend([word("group", lang), word("group rank", lang), word("group percentile", lang)])


def _peer_label(label: str, lang: Lang) -> str:
    """A peer target's label (``median of 12 bases``) in ``lang``."""
    found = re.fullmatch(r"(best|median|p75) of (\d+) bases", label)
    if found is None:
        return label
    return word("peer of", lang).format(statistic=word(f"peer {found[1]}", lang), n=found[2])


def target_text(report: GapReport, rubric: Rubric | None, lang: Lang) -> str:
    """The target in words: ``level 3 Integrated in every direction; overall score 60.0``."""
    target = report.target
    parts = []
    if "label" in target:
        parts.append(f"{word('peer', lang)} {_peer_label(str(target['label']), lang)}")
    if "level" in target:
        parts.append(f"{word('level', lang)} {level_label(rubric, target['level'], lang)} "
                     f"{word('every direction', lang)}")
    names = _direction_names(rubric, lang)
    if target.get("levels"):
        parts.append(", ".join(f"{names.get(d, d)} {word('level', lang)} {k}"
                               for d, k in target["levels"].items()))
    if report.target_score is not None:
        parts.append(f"{word('overall', lang)} {report.target_score:.1f}")
    return "; ".join(parts) or word("none", lang)


def gap_view(report: GapReport, lang: Lang, rubric: Rubric | None = None, top: int = TOP_ACTIONS) -> View:
    """Direction deficits, the top actions and the plan."""
    rubric = rubric_for(report.rubric, rubric)
    name = _name(report.base.name, report.base.id, lang)
    heading = f"{word('gap report', lang)}: {name} ({report.base.id})"
    status = word("met" if report.met else "not met", lang)
    summary = (f"{word('target', lang)}: {target_text(report, rubric, lang)} · {word('now', lang)} "
               f"{report.current_score:.1f} ({word('level', lang)} "
               f"{level_label(rubric, report.current_level, lang)}) · {status}")
    names = _direction_names(rubric, lang)
    rows: list[list[CellLike]] = [
        [names.get(d, d), *([word("n/a", lang)] * 5)] if g.current_score is None or g.current_level is None
        else [names.get(d, d), score_cell(g.current_score, g.target_score), str(g.current_level),
              f"{g.target_score:.1f}", str(g.target_level), f"{g.deficit:.1f}"]
        for d, g in report.directions.items()]
    tables = [Table([word("direction", lang), word("now", lang), word("level", lang), word("target", lang),
                     word("level", lang), word("deficit", lang)], rows, right=(1, 2, 3, 4, 5))]
    step = {indicator: k for k, indicator in enumerate(report.plan, 1)}
    action_rows: list[list[CellLike]] = []
    for k, action in enumerate(report.actions[:top], 1):
        label = rubric.indicator(action.indicator).name.text(lang) if rubric is not None else action.indicator
        action_rows.append([
            str(k), Cell(label, title=action.indicator), names.get(action.direction, action.direction),
            quantity(None if action.missing else action.current, action.unit, lang),
            quantity(action.target, action.unit, lang),
            f"{word('required', lang)} +{action.gain:.1f}" if action.required else f"+{action.gain:.1f}",
            str(step.get(action.indicator, ""))])
    footer = []
    if action_rows:
        more = len(report.actions) - len(action_rows)
        tables.append(Table(["#", word("indicator", lang), word("direction", lang), word("now", lang),
                             word("target", lang), word("gain", lang), word("plan", lang)],
                            action_rows, right=(0, 3, 4, 5, 6), caption=word("actions", lang),
                            note=word("more", lang).format(n=more) if more else None))
        footer.append(word("plan line", lang).format(n=len(report.plan), score=f"{report.plan_score:.1f}"))
        footer.extend(_via_lines(report.actions[:top], rubric, lang))
    return View(heading, [summary, _rubric_line(report.rubric, lang)], tables, footer,
                alerts=_blocking_lines(report, rubric, lang))


def _via_lines(actions: Sequence[Action], rubric: Rubric | None, lang: Lang) -> list[str]:
    """For each derived indicator to raise: the input values that would get it there."""
    names = {i.id: i.name.text(lang) for i in ((rubric.inputs if rubric is not None else None) or ())}
    lines = []
    for action in actions:
        if not action.via:
            continue
        indicator = rubric.indicator(action.indicator) if rubric is not None else None
        label = indicator.name.text(lang) if indicator is not None else action.indicator
        formula = (indicator.formula if indicator is not None else None) or ""
        absent = [names.get(c.input, c.input) for c in action.via if c.current is None]
        if absent:
            changes = word("via report", lang).format(names=", ".join(absent))
        else:
            changes = word("via or", lang).join(
                word("via change", lang).format(name=names.get(c.input, c.input),
                                                now=quantity(c.current, c.unit, lang),
                                                target=quantity(c.target, c.unit, lang))
                for c in action.via if c.target is not None) + word("via held", lang)
        lines.append(word("via line", lang).format(indicator=label, formula=formula, changes=changes))
    return lines


def _blocking_lines(report: GapReport, rubric: Rubric | None, lang: Lang) -> list[str]:
    """Gates in the way of the target, first of all: what each needs."""
    lines = []
    for gate_id in report.blocking_gates or ():
        gate = next((g for g in rubric.gates or () if g.id == gate_id), None) if rubric else None
        if gate is None:
            lines.append(word("gate blocks", lang).format(name=gate_id, need=""))
            continue
        name = gate.name.text(lang) if gate.name is not None else gate_id
        label = rubric.indicator(gate.indicator).name.text(lang) if rubric is not None else gate.indicator
        condition, value = gate.condition
        unit = rubric.indicator(gate.indicator).unit if rubric is not None else None
        need = f"{label} {word(condition, lang)} {quantity(value, unit, lang)}"
        lines.append(word("gate blocks", lang).format(name=name, need=need))
    return lines


def rubric_view(rubric: Rubric, lang: Lang) -> View:
    """Levels with their cutoffs, directions with their weight shares, and (collapsed) indicators."""
    compiled = rubric.compiled
    heading = f"{rubric.title.text(lang)} ({rubric.id} {rubric.version})"
    summary = (f"{len(rubric.levels)} {word('levels', lang)} · {len(rubric.directions)} "
               f"{word('directions', lang)} · {len(rubric.indicators)} {word('indicators', lang)} · "
               f"{word('aggregation', lang)}: {word(rubric.aggregation, lang)} · "
               f"{word('missing policy', lang)}: {word(rubric.missing, lang)}")
    levels = Table([word("level", lang), word("name", lang), word("cutoff", lang)],
                   [[str(level.level), level.name.text(lang), f"{cutoff:g}"]
                    for level, cutoff in zip(rubric.levels, rubric.cutoffs)], right=(0, 2))
    directions = Table(
        [word("direction", lang), word("name", lang), word("weight share", lang), word("indicators", lang)],
        [[d.id, d.name.text(lang), percent(float(share)), str(len(d.indicators))]
         for d, share in zip(rubric.directions, compiled.overall_shares)], right=(2, 3))
    rows: list[list[CellLike]] = []
    owners = [d.id for d in rubric.directions for _ in d.indicators]
    shares = compiled.indicator_shares.tolist()  # once: each access computes every share
    formulas = any(i.formula is not None for i in rubric.indicators)
    for m, indicator in enumerate(rubric.indicators):
        thresholds = ", ".join(f"{t:g}" for t in indicator.thresholds or ())
        rows.append([indicator.id, indicator.name.text(lang), owners[m],
                     word(indicator.kind, lang), text_in(indicator.unit, lang) or "",
                     word(indicator.better, lang) if thresholds else "",
                     thresholds, percent(shares[m]), *([indicator.formula or ""] if formulas else [])])
    indicators = Table([word("indicator", lang), word("name", lang), word("direction", lang),
                        word("kind", lang), word("unit", lang), word("better", lang),
                        word("thresholds", lang), word("weight share", lang),
                        *([word("prov.formula", lang)] if formulas else [])], rows, right=(7,),
                       caption=f"{word('indicators', lang)} ({len(rows)})", collapsed=True)
    return View(heading, [summary, weights_line(rubric, lang)],
                [levels, directions, indicators, *source_tables(rubric, lang)])


# --- entry point -------------------------------------------------------------------------------

def view_of(obj: Scorecard | ScoreTable | Comparison | GapReport | Rubric, lang: Lang | None = None,
            rubric: Rubric | None = None, *, detail: bool = False, top: int = TOP_ACTIONS) -> View:
    """The view of any displayable result or rubric (``detail``: a scorecard's indicator table
    shown, not folded away; ``top``: the actions a gap report lists)."""
    chosen = display_language(lang)
    if isinstance(obj, Scorecard):
        return scorecard_view(obj, chosen, rubric, detail=detail)
    if instance_of(obj, "upgrade_score._analysis.gap", "GapReport"):  # (loaded with its stage)
        return gap_view(cast("GapReport", obj), chosen, rubric, top=top)
    if isinstance(obj, ScoreTable):
        return score_table_view(obj, chosen)
    if instance_of(obj, "upgrade_score._analysis.compare", "Comparison"):
        return comparison_view(cast("Comparison", obj), chosen)
    if isinstance(obj, Rubric):
        return rubric_view(obj, chosen)
    raise UpgradeScoreError(f"cannot display a {type(obj).__name__}")
