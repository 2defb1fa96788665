"""Which rubric reads a template: the marker in its first row names the rubric id, version and
layout it was written from."""

from __future__ import annotations

import functools
from dataclasses import replace

from ..._errors import Problem, UpgradeScoreError
from ..._model.rubric import Rubric
from ..rubrics import builtin_path, load_rubric
from .cells import Cell
from .sheet import MARKER, NUMBER, _fold
from .workbook import _Sheet, _text


def template_marker(sheets: list[_Sheet]) -> tuple[str, str, str] | None:
    """(rubric id, version, layout) from the first row of a template, None if not a template."""
    if not sheets or not sheets[0].rows:
        return None
    row = [_text(value) for value, _ in sheets[0].rows[0]] + ["", "", "", ""]
    if _fold(row[0]) != MARKER:
        return None
    return row[1], row[2], _fold(row[3])


def template_rubric(marker: tuple[str, str, str], rubric: Rubric | None, id_cell: Cell) -> Rubric:
    """The rubric that reads a template: the one its marker names (id and version), given or
    built in. Another rubric, or another version of it (its units, ranges or levels may differ),
    is refused at the marker cell that differs; never a silent fallback."""
    rubric_id, version = marker[0], marker[1]
    if rubric is None:
        found = builtin_path(f"{rubric_id}@{version}") or builtin_path(rubric_id)
        if found is None:
            raise UpgradeScoreError(Problem(
                f"this template was written from rubric '{rubric_id}' {version}, which is not built "
                "in: pass that rubric to read it (load_profiles(..., rubric=...); CLI: --rubric)",
                id_cell.file))
        stat = found.stat()
        rubric = _builtin(str(found), stat.st_mtime_ns, stat.st_size)
    if rubric_id != rubric.id or not _same_version(version, rubric.version, id_cell.sheet is None):
        where = id_cell if rubric_id != rubric.id else replace(id_cell, column=3)
        raise UpgradeScoreError(where.problem(
            f"this template was written from rubric '{rubric_id}' {version}, not from "
            f"'{rubric.id}' {rubric.version}: read it with the rubric it was written from "
            "(load_profiles(..., rubric=...); CLI: --rubric)"))
    return rubric


def _same_version(marked: str, version: str, csv_file: bool) -> bool:
    """The marker's version is the rubric's; in a CSV file also as a spreadsheet re-saves it (a
    version such as 1.0 becomes the number 1)."""
    if marked == version:
        return True
    if not csv_file or not NUMBER.fullmatch(version) or not NUMBER.fullmatch(marked):
        return False
    return float(marked) == float(version)


@functools.lru_cache(maxsize=8)
def _builtin(path: str, mtime_ns: int, size: int) -> Rubric:
    """A built-in rubric, loaded once for a directory full of returned templates."""
    return load_rubric(path)


