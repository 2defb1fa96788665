"""Where and how the command line writes results: ``--format text|json|markdown|csv``, ``--indent
N`` for JSON, and ``-o FILE`` whose suffix picks the format (``.csv``, ``.json``, ``.md``, ``.xlsx``
with the xlsx extra, ``.parquet`` with the parquet extra). Tables are written in chunks and JSON
lists one item at a time, so a large result is never held twice as text."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ._analysis.scorecard import ScoreTable
from ._analysis.scorecard_data import scorecard_data
from ._errors import Problem, UpgradeScoreError
from ._io.profiles import PROFILE_SUFFIXES, TABLE_SUFFIXES, WORKBOOK_SUFFIXES
from ._model.results import dumps
from ._optional import require, require_openpyxl, require_pandas
from ._progress import step
from ._render.dispatch import render
from ._render.tables_out import csv_chunks, json_list_chunks, result_columns

SUFFIXES = {".csv": "csv", ".json": "json", ".md": "markdown", ".xlsx": "xlsx", ".parquet": "parquet"}


def add_options(sub: argparse.ArgumentParser) -> None:
    """``-o FILE`` and ``--indent N`` (the formats are added with ``--format``)."""
    sub.add_argument("-o", "--output", metavar="FILE",
                     help="write the results to FILE instead of printing them; the suffix picks the "
                          "format: .csv, .json, .md, .xlsx (upgrade-score[xlsx]) or .parquet "
                          "(upgrade-score[parquet])")
    sub.add_argument("--indent", type=indent_type, default=None, metavar="N",
                     help="indent JSON by N spaces (0: compact); default: compact for many bases "
                          "(one base per line), 2 for one base or a gap report")
    sub.set_defaults(check_output=check_output)


def check_before_work(args: argparse.Namespace) -> None:
    """Run the command's check of its ``-o`` (``check_output``, set by the options that add
    one), so that an output that cannot be written is said before any work."""
    check = getattr(args, "check_output", None)
    if check is not None:
        check(args)


def check_output(args: argparse.Namespace) -> None:
    """Refuse, before any work, a ``-o FILE`` whose suffix names no format or whose format needs
    an extra that is not installed."""
    output = getattr(args, "output", None)
    if output is None:
        return
    style = format_of(output)
    refuse_to_overwrite_an_input(output, args)
    if style == "parquet":
        require("pyarrow", "parquet", "writing .parquet files")
    elif style == "xlsx":
        require_openpyxl()


def indent_type(text: str) -> int:
    """An argparse type: ``--indent N``, a whole number from 0 to 16."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 16:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 16, got '{text}'")
    return number


def format_of(output: str) -> str:
    """The format ``-o FILE`` asks for, by its suffix."""
    found = SUFFIXES.get(Path(output).suffix.lower())
    if found is None:
        raise UpgradeScoreError(Problem("-o: name the file .csv, .json, .md, .xlsx or .parquet (the "
                                        "suffix picks the format)", output))
    return found


def emit(result: Any, args: argparse.Namespace, text: Callable[[str], str],
         json_chunks: Callable[[int | None], Iterable[str]], many: bool = True) -> None:
    """Print ``result`` in ``--format``, or write it to ``-o FILE`` in the format of its suffix.
    ``text(style)`` renders text or Markdown; ``json_chunks(indent)`` yields its JSON (compact
    by default when the result is about ``many`` bases, else indented by 2)."""
    output = getattr(args, "output", None)
    style = args.format if output is None else format_of(output)
    if style == "xlsx" and output is not None:
        if not hasattr(result, "to_excel"):
            raise UpgradeScoreError(Problem(f"-o: no workbook view of a {type(result).__name__}: "
                                            "name the file .csv, .json or .md", output))
        result.to_excel(Path(output), lang=args.lang)
    elif style == "parquet" and output is not None:
        require("pyarrow", "parquet", "writing .parquet files")
        frame = require_pandas().DataFrame(result_columns(result))
        frame.to_parquet(output, index=False)
    else:
        given = getattr(args, "indent", None)
        indent = (None if many else 2) if given is None else (given or None)
        chunks: Iterable[str]
        if style == "json":
            chunks = itertools.chain(json_chunks(indent), ["\n"])
        elif style == "csv":
            chunks = csv_chunks(result_columns(result))
        else:
            chunks = [text(style), "\n"]
        write_chunks(chunks, output)
    if output is not None:
        sys.stderr.write(f"upgrade-score: wrote {output}\n")


def write_chunks(chunks: Iterable[str], output: str | None) -> None:
    """Text written a chunk at a time to ``output``, or to standard output (``None``)."""
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)


INPUTS = ("profiles", "profile", "group", "enterprises")  # the arguments naming what a command reads
READ_FROM_A_FOLDER = (*PROFILE_SUFFIXES, *TABLE_SUFFIXES, *WORKBOOK_SUFFIXES)


def refuse_to_overwrite_an_input(output: str, args: argparse.Namespace) -> None:
    """Refuse an ``-o`` in a folder that does not exist, or naming a file the command reads: an
    input named, or a file of a folder named (which the command would read, and the results
    replace)."""
    target = Path(output)
    if not target.parent.is_dir():
        raise UpgradeScoreError(Problem(f"-o: the folder '{target.parent}' does not exist", output))
    if not target.exists():
        return
    for name in INPUTS:
        given = getattr(args, name, None)
        for item in given if isinstance(given, list) else [given] if given else []:
            path = Path(item)
            if _same_file(target, path) or (path.is_dir() and _same_file(target.parent, path)
                                             and target.suffix.lower() in READ_FROM_A_FOLDER):
                raise UpgradeScoreError(Problem("-o: is one of the inputs: write the results elsewhere",
                                                output))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.exists() and other.exists() and one.samefile(other)
    except OSError:
        return False


def emit_scores(table: ScoreTable, args: argparse.Namespace, single: bool) -> None:
    """``score``'s output: a scorecard per base (``--detail`` or one base) or the table of bases
    in text and Markdown; in JSON one scorecard (``single``: one profile file given) or a list."""

    def text(style: str) -> str:
        if len(table) == 1 or args.detail:  # --detail: every base's full scorecard
            return "\n\n".join(render(card, style, lang=args.lang, detail=args.detail) for card in table)
        return str(render(table, style, lang=args.lang))

    def json_chunks(indent: int | None) -> Iterable[str]:
        if len(table) == 1 and single:
            return [dumps(next(scorecard_data(table)), indent, presorted=True)]
        return json_list_chunks(scorecard_dicts(table), indent, presorted=True)

    emit(table, args, text, json_chunks, many=not (len(table) == 1 and single))


def add_quiet(commands: Any) -> None:
    """``--quiet`` on the commands that may show a progress line."""
    for name in ("score", "gap", "compare", "sensitivity", "report", "diff", "progress"):
        commands.choices[name].add_argument("--quiet", action="store_true",
                                            help="no progress line on stderr (shown only on a terminal)")


def scorecard_dicts(table: ScoreTable) -> Iterator[dict[str, Any]]:
    """Each base's scorecard as plain data, one at a time (with a progress line)."""
    for row, data in enumerate(scorecard_data(table)):  # (no Scorecard model per base)
        yield data
        step("progress.bases", row + 1, len(table))
