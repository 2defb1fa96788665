"""The command line's commands for CI, editors and shells: ``check`` (validate and lint rubrics),
``schema`` (the JSON Schemas of the file formats, printed or written) and ``completion`` (a bash or
zsh script generated from the parser). Kept beside ``_cli.py``, which registers them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import Problem, UpgradeScoreError
from ._io.rubrics import rubric_path
from ._io.schema import SCHEMA_KINDS, schema_text, write_schemas
from ._model.results import dumps
from ._optional import require

if TYPE_CHECKING:
    from ._analysis.lint import LintFinding


def add_tool_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``check``, ``schema`` and ``completion``."""
    check = commands.add_parser("check", help="validate rubric files",
                                description="Validate rubrics; print one line per problem.")
    check.add_argument("rubrics", nargs="+", metavar="RUBRIC")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="lint warnings fail the check too (exit 1)")
    check.set_defaults(run=check_command)
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a file format",
        description="Print the JSON Schema of rubric or profile files (draft 2020-12, for editors "
                    "and validators), or write both into a folder with --write.")
    schema.add_argument("kind", choices=SCHEMA_KINDS, nargs="?", help="the file format to print")
    schema.add_argument("--write", metavar="DIR",
                        help="write rubric.schema.json and profile.schema.json into DIR")
    schema.set_defaults(run=schema_command)
    completion = commands.add_parser(
        "completion", help="print the shell completion script (bash or zsh)",
        description="Print a completion script generated from this command line (shtab; "
                    "pip install upgrade-score[completion]). bash: upgrade-score completion bash "
                    "> ~/.local/share/bash-completion/completions/upgrade-score; zsh: "
                    "upgrade-score completion zsh > ~/.zfunc/_upgrade-score (with ~/.zfunc in "
                    "fpath).")
    completion.add_argument("shell", choices=("bash", "zsh"))
    completion.set_defaults(run=completion_command)


def schema_command(args: argparse.Namespace) -> int:
    """Print one schema, or write both into ``--write DIR``."""
    from ._cli import EXIT_OK, _print

    if args.write is not None:
        if args.kind is not None:
            raise UpgradeScoreError("schema: give a kind to print, or --write DIR, not both")
        try:
            written = write_schemas(args.write)
        except OSError as exc:
            raise UpgradeScoreError(Problem(f"cannot write: {exc.strerror}", args.write)) from None
        sys.stderr.write(f"upgrade-score: wrote {', '.join(str(path) for path in written)}\n")
    elif args.kind is None:
        raise UpgradeScoreError("schema: give a kind (rubric or profile) or --write DIR")
    else:
        _print(schema_text(args.kind).rstrip("\n"))
    return EXIT_OK


def completion_command(args: argparse.Namespace) -> int:
    """Print the completion script of the whole command line for ``args.shell``."""
    from ._cli import EXIT_OK, _parser, _print

    shtab = require("shtab", "completion", "shell completion")
    _print(shtab.complete(_parser(), shell=args.shell).rstrip("\n"))
    return EXIT_OK


def check_command(args: argparse.Namespace) -> int:
    """Validate and lint each rubric; errors fail, warnings fail with ``--strict``."""
    from ._cli import EXIT_FAILED, EXIT_OK, _print, _refuse_special_file
    problems: dict[str, list[str]] = {}
    findings: dict[str, list[LintFinding]] = {}
    for name in args.rubrics:
        _refuse_special_file(name)
        if Path(name).is_dir():
            raise UpgradeScoreError(Problem("is a directory, expected a rubric file", name))
        rubric_path(name)  # a file, a built-in id or version, or a one-line error saying which
        problems[name], findings[name] = _lint_one(name)
    every = [finding for found in findings.values() for finding in found]
    failing = {"error", "warning"} if args.strict else {"error"}
    failed = any(finding.severity in failing for finding in every)
    if args.format == "json":
        _print(dumps({"ok": not failed, "strict": args.strict, "problems": problems,
                      "findings": [finding.to_dict() for finding in every]}))
    else:
        for name in args.rubrics:
            _print(_check_text(name, problems[name], findings[name]))
    return EXIT_FAILED if failed else EXIT_OK


def _lint_one(name: str) -> tuple[list[str], list[LintFinding]]:
    """Schema problems (as text, and as ``schema`` error findings) or lint findings of one rubric."""
    from ._analysis.lint import lint_file, schema_finding  # (loaded by this command only)
    try:
        return [], lint_file(name)
    except UpgradeScoreError as exc:
        return [str(problem) for problem in exc.problems], [schema_finding(p) for p in exc.problems]


def _check_text(name: str, problems: list[str], findings: list[LintFinding]) -> str:
    if problems:
        return "\n".join([*problems, f"{name}: {len(problems)} error{'s' if len(problems) > 1 else ''}"])
    counts = [f"{n} {severity}{'s' if n > 1 else ''}" for severity in ("error", "warning")
              if (n := sum(finding.severity == severity for finding in findings))]
    summary = f"{name}: {', '.join(counts)}" if counts else f"{name}: ok"
    return "\n".join([*map(str, findings), summary])
