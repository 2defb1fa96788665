"""The command line's ``--enterprises FILE`` (design point 13): an enterprise table whose rows roll
up into the inputs of the bases they name, on score, gap, compare, report and sensitivity. Kept
beside ``_cli.py``, which registers it."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._errors import Problem, UpgradeScoreError
from ._io.enterprises import EnterpriseTable, joined_groups, load_enterprises
from ._model.profile import BaseProfile
from ._model.rubric import Rubric

COMMANDS = ("score", "gap", "compare", "report", "sensitivity")
HELP = "enterprise rows to roll up (a CSV with base_id, or an XLSX workbook's enterprises sheet)"


def add_option(commands: argparse._SubParsersAction[Any]) -> None:
    """``--enterprises FILE`` on every command that reads profiles."""
    for name in COMMANDS:
        commands.choices[name].add_argument("--enterprises", metavar="FILE", help=HELP)


def table(args: argparse.Namespace, rubric: Rubric) -> EnterpriseTable | None:
    """The table of ``--enterprises``, read against ``rubric`` (None without the option)."""
    path = getattr(args, "enterprises", None)
    if path is None:
        return None
    with contextlib.suppress(OSError):  # (a file that is not there: the reader says so)
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the reader
            raise UpgradeScoreError(Problem("not a regular file (a pipe, device or socket)", path))
    return load_enterprises(path, rubric)


def joined(args: argparse.Namespace, rubric: Rubric, profiles: Sequence[BaseProfile],
           load: Callable[[Sequence[str], Rubric], Sequence[BaseProfile]],
           ) -> tuple[tuple[BaseProfile, ...], tuple[BaseProfile, ...]]:
    """The profiles and the ``--group`` bases (loaded with ``load``), with the rows of the
    ``--enterprises`` table as their enterprises (a row may name a base of either)."""
    group = load(args.group, rubric) if args.group else ()
    profiles, group = joined_groups(rubric, table(args, rubric), profiles, group)
    return profiles, group


def _beside(output: Path, rubric: Rubric) -> Path | None:
    """The enterprise file a CSV template of ``rubric`` is written with (a CSV holds one table)."""
    if not rubric.enterprise_fields or output.suffix.lower() != ".csv":
        return None
    return output.with_name(f"{output.stem}.enterprises.csv")


def refuse_overwrite(output: Path, rubric: Rubric, force: bool) -> None:
    """A filled-in enterprise file beside a CSV template is not overwritten without --force."""
    beside = _beside(output, rubric)
    if beside is not None and beside.exists() and not force:
        raise UpgradeScoreError(Problem("exists already (filled-in enterprises?): use --force to "
                                        "overwrite it", str(beside)))


def note_written(output: Path, rubric: Rubric) -> str:
    """The line that says a CSV template's enterprise file was written too ('' when none was)."""
    beside = _beside(output, rubric)
    return "" if beside is None else (f"upgrade-score: wrote {beside} (the enterprises, one row "
                                      "each: read it back with --enterprises)\n")
