"""The command line for bases over the years and in groups: ``--year``, ``--by``, ``-o
results.xlsx`` and the ``progress`` command (design point 15). Kept beside ``_cli.py``, which
registers them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from ._analysis.panel import check_year, cross_section, table_cross_section
from ._cli_output import indent_type, refuse_to_overwrite_an_input, write_chunks
from ._errors import Problem, UpgradeScoreError
from ._io.csvtable import ProfileTable
from ._io.rubrics import load_rubric
from ._model.profile import BaseProfile
from ._optional import require_openpyxl
from ._render.dispatch import render
from ._render.tables_out import json_list_chunks


def year_type(text: str) -> int:
    """An argparse type: a year, a whole number from 1900 to 2100."""
    try:
        return check_year(int(text))
    except (ValueError, UpgradeScoreError):
        raise argparse.ArgumentTypeError(f"expected a whole number from 1900 to 2100, got '{text}'") from None


def add_year_option(sub: argparse.ArgumentParser) -> None:
    """``--year Y``: which year of a panel to use (default: each base's latest)."""
    sub.add_argument("--year", type=year_type, metavar="Y",
                     help="profiles of several years (a panel): use year Y (default: each base's "
                          "latest year)")


def add_options(sub: argparse.ArgumentParser, *, output: bool = False, by: str | None = None) -> None:
    """``--year`` (and ``-o FILE.xlsx``, ``--by FIELD`` with its help text ``by``)."""
    add_year_option(sub)
    if output:
        add_output_option(sub)
    if by is not None:
        add_by_option(sub, by)


def add_by_option(sub: argparse.ArgumentParser, what: str) -> None:
    """``--by FIELD``: region, province, city or category."""
    sub.add_argument("--by", metavar="FIELD", help=f"{what} region, province, city or category")


def add_output_option(sub: argparse.ArgumentParser) -> None:
    """``-o results.xlsx``: write the results as an Excel workbook (extra ``[xlsx]``)."""
    sub.add_argument("-o", "--output", metavar="FILE.xlsx",
                     help="write the results to an Excel workbook instead of printing them "
                          "(headers follow --lang; needs upgrade-score[xlsx])")
    sub.set_defaults(check_output=check_workbook_output)


def check_workbook_output(args: argparse.Namespace) -> None:
    """Refuse, before any work, a ``-o`` that is not an ``.xlsx`` file, or without the extra."""
    output = getattr(args, "output", None)
    if output is None:
        return
    if Path(output).suffix.lower() != ".xlsx":
        raise UpgradeScoreError(Problem("-o: results are written as an Excel workbook: name it "
                                        "FILE.xlsx", output))
    refuse_to_overwrite_an_input(output, args)
    require_openpyxl()


def select(profiles: Sequence[BaseProfile], args: argparse.Namespace) -> Sequence[BaseProfile]:
    """One profile per base: the latest year of each, or ``--year`` (a CSV table stays one)."""
    if isinstance(profiles, ProfileTable):
        return table_cross_section(profiles, getattr(args, "year", None))
    return cross_section(profiles, getattr(args, "year", None))


def write_output(result: Any, args: argparse.Namespace) -> bool:
    """Write ``result`` to ``-o FILE.xlsx`` when given (and say so on stderr); False when not.
    (The file was checked before any work: :func:`check_workbook_output`.)"""
    output = getattr(args, "output", None)
    if output is None:
        return False
    result.to_excel(Path(output), lang=args.lang)
    sys.stderr.write(f"upgrade-score: wrote {output}\n")
    return True




def add_progress_command(commands: Any) -> None:
    """``progress PROFILES... [--target ...] [--format text|json|markdown|csv] [-o FILE.xlsx]``."""
    sub = commands.add_parser(
        "progress", help="bases over the years: change and projected year to a target",
        description="Score every year of every base (profiles of one id with different "
                    "base.year: files, one CSV with a year column, survey templates) and show, "
                    "per direction and overall, the score per year, the change since the "
                    "previous and the first year, and the year a line through the last three "
                    "years reaches the target. Directions not on track come first.")
    sub.add_argument("profiles", nargs="+", metavar="PROFILE_OR_DIR_OR_CSV")
    sub.add_argument("--rubric", metavar="R", help="rubric file or built-in id")
    sub.add_argument("--target", metavar="LEVELS",
                     help="a level for every direction (4) or per direction (high_value=4,green=3); "
                          "default: the next level above each base's latest balanced level")
    sub.add_argument("--sort", choices=("improved", "base"), default="improved",
                     help="most improved first (default) or by base id")
    sub.add_argument("--format", choices=("text", "json", "markdown", "csv"), default="text",
                     help="output format (default: text)")
    sub.add_argument("--lang", choices=("en", "zh"), default="en",
                     help="language of text, Markdown and workbook headers")
    sub.add_argument("--indent", type=indent_type, default=2, metavar="N",
                     help="indent JSON by N spaces (default: 2; 0: compact, one base per line, "
                          "much faster for large panels)")
    add_output_option(sub)
    sub.set_defaults(run=_progress_command)


def _progress_command(args: argparse.Namespace) -> int:
    from ._analysis.gap import Target  # (this command's stages, loaded when it runs)
    from ._analysis.progress import progress
    from ._cli import EXIT_OK, _load, _print
    from ._render.progress import progress_csv

    target = Target.parse(args.target) if args.target is not None else None
    rubric = load_rubric(args.rubric)
    result = progress(rubric, _load(args.profiles, rubric), target, order=args.sort)  # (a CSV: a table)
    if write_output(result, args):
        return EXIT_OK
    if args.format == "json":  # a base at a time: the bytes of result.to_json(indent)
        write_chunks(chain(json_list_chunks(result.to_dicts(), args.indent or None), ["\n"]), None)
    elif args.format == "csv":
        _print(progress_csv(result))
    else:
        _print(render(result, args.format, lang=args.lang))
    return EXIT_OK
