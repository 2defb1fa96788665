"""The ``upgrade-score`` command line: check, score, schema.

Exit codes: 0 success, 1 a check failed, 2 bad input or usage (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from ._errors import Problem, UpgradeScoreError
from ._profile import BaseProfile, load_profiles
from ._render import score_table, scorecard
from ._results import dumps
from ._rubric import Rubric, builtin_rubrics, load_rubric
from ._score import score_many

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="upgrade-score",
                     description="Score urban-mining recycling bases against YAML rubrics.")
    parser.add_argument("--version", action="version", version=f"upgrade-score {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)

    def output_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                         help="output format (default: text)")
        sub.add_argument("--lang", choices=("en", "zh"), default="en",
                         help="language of labels in text and Markdown output")

    score = commands.add_parser("score", help="score one or more bases",
                                description="Score bases (YAML/JSON profiles, CSV tables or "
                                            "directories of them) with a rubric.")
    score.add_argument("profiles", nargs="+", metavar="PROFILE")
    score.add_argument("--rubric", metavar="R",
                       help="rubric file or built-in id (default: the built-in rubric)")
    score.add_argument("--detail", action="store_true",
                       help="also list every indicator (one base only)")
    output_options(score)
    score.set_defaults(run=_score)

    check = commands.add_parser("check", help="validate rubric files",
                                description="Validate rubrics; print one line per problem.")
    check.add_argument("rubrics", nargs="+", metavar="RUBRIC")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=_check)

    schema = commands.add_parser("schema", help="print the JSON Schema of a file format")
    schema.add_argument("kind", choices=("rubric", "profile"))
    schema.set_defaults(run=_schema)

    listing = commands.add_parser("rubrics", help="list the built-in rubrics")
    listing.set_defaults(run=_list_rubrics)
    return parser


def _score(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    profiles = load_profiles(*args.profiles)
    table = score_many(rubric, list(profiles))
    if args.format == "json":
        cards = table.to_dicts()
        _print(dumps(cards[0] if len(cards) == 1 and _single(args.profiles) else cards))
    elif len(table) == 1:
        _print(scorecard(table.scorecard(0), rubric, args.format, args.lang, args.detail))
    else:
        _print(score_table(table, args.format, args.lang))
    return EXIT_OK


def _single(paths: Sequence[str]) -> bool:
    """One profile file given (not a table or a directory): JSON is one object, not a list."""
    return len(paths) == 1 and Path(paths[0]).suffix.lower() in (".yaml", ".yml", ".json")


def _check(args: argparse.Namespace) -> int:
    report: dict[str, list[str]] = {}
    for name in args.rubrics:
        path = Path(name)
        if not path.is_file() and name not in builtin_rubrics():
            raise UpgradeScoreError(Problem("file not found", name))
        try:
            load_rubric(name)
            report[name] = []
        except UpgradeScoreError as exc:
            report[name] = [str(problem) for problem in exc.problems]
    failed = any(report.values())
    if args.format == "json":
        _print(dumps({"ok": not failed, "problems": report}))
    else:
        for name, problems in report.items():
            _print("\n".join(problems) if problems else f"{name}: ok")
    return EXIT_FAILED if failed else EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    model: type[Rubric] | type[BaseProfile] = Rubric if args.kind == "rubric" else BaseProfile
    _print(dumps(model.model_json_schema()))
    return EXIT_OK


def _list_rubrics(args: argparse.Namespace) -> int:
    for rubric_id, path in builtin_rubrics().items():
        rubric = load_rubric(path)
        _print(f"{rubric_id}  {rubric.version}  {rubric.title.text('en')}")
    return EXIT_OK


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UpgradeScoreError as exc:
        sys.stderr.write(f"upgrade-score: error: {exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
