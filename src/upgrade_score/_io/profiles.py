"""Reading base profiles: one per YAML/JSON file, many in one CSV table, or survey templates."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, cast

from .._errors import Problem, UpgradeScoreError, type_name
from .._model.profile import BaseProfile, Origin, RowOrigin, attach, check_unique_ids
from .._model.rubric import Rubric
from .csvtable import ProfileTable, read_table
from .rubrics import load_rubric
from .validate import validate
from .yaml import MAX_BYTES, Document, decode_text, load_document, open_regular, parse_document

STDIN = "-"  # the PROFILE argument that reads standard input
STDIN_NAME = "<stdin>"

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv",)
WORKBOOK_SUFFIXES = (".xlsx",)  # read by _survey.py (openpyxl, the xlsx extra)


def load_profile(path: str | Path) -> BaseProfile:
    """Load one base profile from a YAML or JSON file."""
    _check_path(path, "path")
    return _profile_of(load_document(path))


def _profile_of(document: Document) -> BaseProfile:
    profile = validate(BaseProfile, document)
    value_lines = {str(key[1]): line for key, line in document.lines.items()
                   if len(key) == 2 and key[0] == "values"}
    rows = tuple(RowOrigin(document.file, document.line_of(("enterprises", k)), ("enterprises", k),
                           {str(key[2]): line for key, line in document.lines.items()
                            if len(key) == 3 and key[:2] == ("enterprises", k)})
                 for k in range(len(profile.enterprises or ())))
    return attach(profile, Origin(document.file, document.line_of(("base",)), value_lines, enterprises=rows))


def load_profiles(*paths: str | Path,
                  rubric: Rubric | str | Path | None = None) -> tuple[BaseProfile, ...]:
    """Load bases from YAML/JSON files, CSV tables, XLSX workbooks and directories of those, in
    the given order.

    A directory contributes its profile, CSV and XLSX files in name order. Base ids must be unique.
    Survey templates (see :func:`~upgrade_score.write_template`) filled in and returned, as CSV
    or XLSX, are read cell by cell against ``rubric`` (default: the built-in rubric the template
    was written from), with every problem of a file reported at once. ``rubric`` is not used for
    YAML/JSON profiles and plain CSV tables.
    """
    for k, path in enumerate(paths):
        _check_path(path, f"paths[{k}]")
    resolved = None if rubric is None else load_rubric(rubric)
    profiles: list[BaseProfile] = []
    for path in _expand(paths):
        if path.suffix.lower() in (*TABLE_SUFFIXES, *WORKBOOK_SUFFIXES):
            profiles.extend(_load_table(path, resolved))
        else:
            profiles.append(load_profile(path))
    if not profiles:
        raise UpgradeScoreError(Problem("no base profiles found", ", ".join(map(str, paths))))
    check_unique_ids(profiles)
    return tuple(profiles)


def _check_path(value: object, argument: str) -> None:
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise UpgradeScoreError(f"{argument}: expected a file or directory path (str or "
                                f"pathlib.Path), got {type_name(value)}")


def _load_table(path: Path, rubric: Rubric | None) -> Sequence[BaseProfile]:
    from .survey import read_survey  # imported here: the survey reader builds on this module

    found = read_survey(path, rubric)
    return _load_csv(path) if found is None else found  # None: a plain CSV table


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        suffixes = (*PROFILE_SUFFIXES, *TABLE_SUFFIXES, *WORKBOOK_SUFFIXES)
        if path.is_dir():  # (not the '~$name.xlsx' lock files of a workbook open in Excel)
            found.extend(sorted(p for p in path.iterdir() if p.is_file()
                                and p.suffix.lower() in suffixes and not p.name.startswith("~$")))
        elif not path.exists():
            raise UpgradeScoreError(Problem("file not found", str(path)))
        elif path.suffix.lower() not in suffixes:
            raise UpgradeScoreError(Problem(
                "unsupported file type (expected .yaml, .yml, .json, .csv or .xlsx)", str(path)))
        else:
            found.append(path)
    return found


def _load_csv(path: Path) -> list[BaseProfile]:
    """Read a table with one row a base and one column an indicator id (blank = missing)."""
    return list(read_csv_table(path))


def read_csv_table(path: Path) -> ProfileTable:
    """A plain CSV table as a :class:`ProfileTable` (no size limit: memory grows with the matrix)."""
    with open_regular(path) as stream:
        return read_table(stream, str(path))


def load_bases(paths: Sequence[str], rubric: Rubric | None = None) -> Sequence[BaseProfile]:
    """:func:`read_bases` for the command line: ``-`` reads standard input, a CSV table or one
    YAML or JSON profile (told apart by its content)."""
    if STDIN in paths and len(paths) > 1:
        raise UpgradeScoreError(Problem("'-' (standard input) must be the only PROFILE argument",
                                        STDIN_NAME))
    if list(paths) != [STDIN]:
        return read_bases(paths, rubric)
    found = _read_stdin()
    if not found:
        raise UpgradeScoreError(Problem("no base profiles found", STDIN))
    return _checked(found)


def read_bases(paths: Sequence[str | Path], rubric: Rubric | None = None) -> Sequence[BaseProfile]:
    """:func:`load_profiles`, except that one plain CSV table, or one many-bases survey template
    (CSV or XLSX), comes back as a :class:`ProfileTable`, whose profiles are built only when
    asked for."""
    suffixes = (*TABLE_SUFFIXES, *WORKBOOK_SUFFIXES)
    if len(paths) != 1 or Path(paths[0]).suffix.lower() not in suffixes or not Path(paths[0]).is_file():
        return load_profiles(*paths, rubric=rubric)
    from .survey import read_survey  # imported here: the survey reader builds on this module

    survey = read_survey(Path(paths[0]), rubric)
    found = read_csv_table(Path(paths[0])) if survey is None else survey
    if not found:
        raise UpgradeScoreError(Problem("no base profiles found", str(paths[0])))
    return _checked(found)


def _checked(found: Sequence[BaseProfile]) -> Sequence[BaseProfile]:
    """Bases read from one table or document, their ids checked (a panel's: with their years)."""
    if isinstance(found, ProfileTable):  # a panel too: cross-sections pick rows on its columns
        found.check_unique_ids()
        return found
    profiles = tuple(found)
    check_unique_ids(profiles)
    return profiles


def _read_stdin() -> Sequence[BaseProfile]:
    """A CSV table or one YAML/JSON profile from standard input, told apart by its start; a table
    is read in chunks as it arrives (nothing copied to a file or kept whole in memory)."""
    stream = sys.stdin.buffer
    head = stream.read(SNIFF_BYTES)
    kind = sniff(head.decode("utf-8-sig", errors="replace"))
    if kind == "csv":
        return read_table(cast(BinaryIO, _Replayed(head, stream)), STDIN_NAME)
    raw = head + stream.read(MAX_BYTES + 1 - len(head))
    if len(raw) > MAX_BYTES:
        raise UpgradeScoreError(Problem(f"file is larger than {MAX_BYTES:,} bytes", STDIN_NAME))
    text = decode_text(raw, STDIN_NAME)
    return [_profile_of(parse_document(text, STDIN_NAME, as_json=kind == "json"))]


SNIFF_BYTES = 4096  # the start of standard input looked at to tell a table from a document


class _Replayed(io.RawIOBase):
    """``stream`` with ``head``, already read from it, put back in front (read-only, forward)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        head, self._head = self._head, b""
        if size < 0:
            return head + self._stream.read()
        return head + self._stream.read(max(size - len(head), 0)) if len(head) < size else head


_YAML_KEY = re.compile(r"""^(?:---|%|[-\w"'$.]+\s*:(?:\s|$))""")


def sniff(head: str) -> str:
    """``csv``, ``json`` or ``yaml``: what the start of a text holds."""
    for line in head.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped[0] in "{[":
            return "json"
        return "yaml" if _YAML_KEY.match(stripped) else "csv"
    return "yaml"
