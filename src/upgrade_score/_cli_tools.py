"""The command line's commands for editors and shells: ``schema`` (the JSON Schemas of the file
formats, printed or written) and ``completion`` (a bash or zsh script generated from the parser).
Kept beside ``_cli.py``, which registers them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._errors import Problem, UpgradeScoreError
from ._io.schema import SCHEMA_KINDS, schema_text, write_schemas
from ._optional import require


def add_tool_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``schema`` and ``completion``."""
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
