"""The ``upgrade-score`` command line: score, gap, compare, check, diff, sensitivity, template,
report, weights, schema, rubrics, completion.

Exit codes: 0 success, 1 a check failed, 2 bad input or usage (every problem on stderr, one line
each, no traceback), 3 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import _cli_enterprises as enterprises
from . import _cli_output as output
from . import _cli_panel as panel
from ._analysis.score import score_many
from ._cli_tools import add_tool_commands
from ._errors import Problem, UpgradeScoreError, one_line
from ._io.csvtable import ProfileTable
from ._io.profiles import PROFILE_SUFFIXES, load_bases
from ._io.rubrics import builtin_rubrics, load_rubric, load_rubric_source
from ._model.profile import BaseProfile
from ._model.rubric import Rubric
from ._progress import showing
from ._render.dispatch import render
from ._version import __version__

if TYPE_CHECKING:  # (each command loads the stages it runs: score needs no compare, gap or lint)
    from ._analysis.gap import Target

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
MAX_SHOWN_PROBLEMS = 50  # problem lines on stderr; then how many more
MAX_NOTES = 10  # distinct notices (warnings of the package) shown per run


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got '{text}'")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="upgrade-score",
                     description="Score urban-mining recycling bases against YAML rubrics.")
    parser.add_argument("--version", action="version", version=f"upgrade-score {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)

    def output_options(sub: argparse.ArgumentParser, tables: bool = True) -> None:
        formats = ("text", "json", "markdown", "csv") if tables else ("text", "json", "markdown")
        sub.add_argument("--format", choices=formats, default="text",
                         help="output format (default: text)")
        if tables:
            output.add_options(sub)
        sub.add_argument("--lang", choices=("en", "zh"), default="en",
                         help="language of labels in text and Markdown output")

    score = commands.add_parser("score", help="score one or more bases",
                                description="Score bases (YAML/JSON profiles, CSV tables or "
                                            "directories of them) with a rubric.")
    score.add_argument("profiles", nargs="+", metavar="PROFILE")
    score.add_argument("--rubric", metavar="R",
                       help="rubric file or built-in id (default: the built-in rubric)")
    score.add_argument("--detail", action="store_true",
                       help="print each base's scorecard with every indicator")
    output_options(score)
    panel.add_options(score)
    score.set_defaults(run=_score)

    gap = commands.add_parser("gap", help="what a base must change to reach a target",
                              description="Direction deficits and the actions that close them, "
                                          "ranked by the overall points each gains on its own.")
    gap.add_argument("profile", metavar="PROFILE")
    gap.add_argument("--rubric", metavar="R", help="rubric file or built-in id")
    add_target_options(gap)
    gap.add_argument("--top", type=positive_int, default=10, metavar="N",
                     help="actions shown in text and Markdown (default 10)")
    output_options(gap)
    panel.add_options(gap, by="with --peer: the peer is one of the bases of --group that share the base's")
    gap.set_defaults(run=_gap)

    compare = commands.add_parser("compare", help="rank a group of bases",
                                  description="Ranks, percentiles and direction scores of bases "
                                              "(files, CSV tables, directories).")
    compare.add_argument("profiles", nargs="+", metavar="PROFILE_OR_DIR_OR_CSV")
    compare.add_argument("--rubric", metavar="R", help="rubric file or built-in id")
    compare.add_argument("--sort", default="overall", metavar="KEY",
                         help="overall (default) or a direction id")
    output_options(compare)
    panel.add_options(compare, by="also rank each base within the bases that share its")
    compare.set_defaults(run=_compare)


    listing = commands.add_parser("rubrics", help="list the built-in rubrics")
    listing.set_defaults(run=_list_rubrics)
    add_tool_commands(commands)
    _add_diff_command(commands)
    _add_report_command(commands)
    _add_template_command(commands)
    _add_sensitivity_command(commands)
    weights = commands.add_parser("weights", help="the weights of a rubric and where they come from",
                                  description="Each weight block (directions, each direction's indicators): "
                                              "weights, shares of the overall score and, for pairwise "
                                              "comparison (AHP), λ_max, CI and CR. Exit 1 when CR > 0.10.")
    weights.add_argument("rubric", metavar="RUBRIC", help="rubric file or built-in id")
    output_options(weights, tables=False)
    weights.set_defaults(run=_weights)
    panel.add_progress_command(commands)
    enterprises.add_option(commands)
    output.add_quiet(commands)
    return parser


def _weights(args: argparse.Namespace) -> int:
    from ._analysis.weights import weight_blocks
    from ._render.weights import render_weights

    _refuse_special_file(args.rubric)
    rubric = load_rubric(args.rubric)
    report = weight_blocks(rubric)
    _print(render_weights(report, rubric, args.format, args.lang))
    return EXIT_OK if report.consistent else EXIT_FAILED


def _score(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    profiles = panel.select(_load(args.profiles, rubric), args)
    table = score_many(rubric, profiles, enterprises=enterprises.table(args, rubric))

    output.emit_scores(table, args, _single(args.profiles) or (
        args.profiles == ["-"] and not isinstance(profiles, ProfileTable)))
    return EXIT_OK


def add_target_options(sub: argparse.ArgumentParser) -> None:
    """``--target``, ``--target-score``, ``--peer`` and ``--group`` (see :func:`target_from_args`)."""
    sub.add_argument("--target", metavar="LEVELS",
                     help="a level for every direction (4) or per direction (high_value=4,green=3)")
    sub.add_argument("--target-score", type=float, metavar="S", help="an overall score to reach")
    sub.add_argument("--peer", choices=("best", "median", "p75"),
                     help="target the best, median or 75th-percentile base of --group")
    sub.add_argument("--group", nargs="+", metavar="PROFILE_OR_DIR",
                     help="the peer group (files, CSV tables, directories)")


def target_from_args(args: argparse.Namespace, rubric: Rubric,
                     base: BaseProfile | None = None,
                     group: Sequence[BaseProfile] | None = None) -> Target | None:
    """The target the options describe, or None when none is given (``--by``: the peer is drawn
    from the bases of the group that share ``base``'s region or category; ``group``: --group)."""
    if args.peer and not args.group:
        raise UpgradeScoreError("--peer needs --group")
    if args.group and not args.peer:
        raise UpgradeScoreError("--group needs --peer")
    if getattr(args, "by", None) and not args.peer:
        raise UpgradeScoreError("--by needs --peer and --group")
    if args.target_score is not None and not 0 <= args.target_score <= 100:
        raise UpgradeScoreError(f"--target-score: {args.target_score:g} is outside 0..100")
    from ._analysis.compare import same_group
    from ._analysis.gap import Target
    parts: dict[str, Any] = {}
    if args.peer:
        group = panel.select(group or _load(args.group, rubric), args)
        by = getattr(args, "by", None)
        peer = Target.from_group(rubric, score_many(rubric, group) if by is None or base is None else
                                 same_group(group, base, by), args.peer)
        parts.update(direction_scores=peer.direction_scores, score=peer.score, label=peer.label)
    if args.target is not None:
        parsed = Target.parse(args.target)
        parts.update(level=parsed.level, levels=parsed.levels)
    if args.target_score is not None:
        parts["score"] = args.target_score
    return Target(**parts) if parts else None


def _gap(args: argparse.Namespace) -> int:
    from ._analysis.gap import Target, gap
    rubric = load_rubric(args.rubric)
    profiles = panel.select(_load([args.profile], rubric), args)
    if len(profiles) != 1:
        raise UpgradeScoreError(Problem(f"holds {len(profiles)} bases; gap takes one", args.profile))
    group: Sequence[BaseProfile] = ()
    if getattr(args, "enterprises", None):
        profiles, group = enterprises.joined(args, rubric, profiles, _load)
    elif args.group:
        group = _load(args.group, rubric)
    profile = profiles[0]
    target = target_from_args(args, rubric, profile, group)
    if target is None:  # default: the next level up from the base's balanced level
        balanced = score_many(rubric, [profile]).balanced_level[0]
        target = Target(level=min(int(balanced) + 1, rubric.level_count))
    report = gap(rubric, profile, target)
    output.emit(report, args, lambda style: str(render(report, style, lang=args.lang, top=args.top)),
                lambda indent: [report.to_json(indent)], many=False)
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from ._analysis.compare import compare
    rubric = load_rubric(args.rubric)
    result = compare(rubric, panel.select(_load(args.profiles, rubric), args), sort_by=args.sort,
                     by=args.by, enterprises=enterprises.table(args, rubric))
    output.emit(result, args, lambda style: str(render(result, style, lang=args.lang)),
                lambda indent: [result.to_json(indent)])
    return EXIT_OK


def _add_template_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    sub = commands.add_parser(
        "template", help="write a survey template to fill in (CSV or XLSX)",
        description="Write a data-collection template from a rubric: one row per indicator "
                    "(one-base) or one row per base (many-bases). Read it back, filled in, with "
                    "'upgrade-score score survey.xlsx'. XLSX needs: pip install upgrade-score[xlsx].")
    sub.add_argument("--rubric", metavar="R",
                     help="rubric file or built-in id (default: the built-in rubric)")
    sub.add_argument("--layout", choices=("one-base", "many-bases"), default="one-base",
                     help="one row per indicator (default) or one row per base")
    sub.add_argument("--lang", choices=("zh", "en", "both"), default="zh",
                     help="language of headers, hints and level descriptors (default: zh)")
    sub.add_argument("--from", dest="prefill", nargs="+", metavar="PROFILE",
                     help="pre-fill with these bases (e.g. last year's figures)")
    sub.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="the template to write: survey.xlsx or survey.csv")
    sub.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    sub.set_defaults(run=_template_command)


def _template_command(args: argparse.Namespace) -> int:
    from ._io.survey import write_template

    rubric = load_rubric(args.rubric)
    output = Path(args.output)
    if output.exists() and not args.force:
        raise UpgradeScoreError(Problem("exists already (a filled-in survey?): use --force to "
                                        "overwrite it", args.output))
    enterprises.refuse_overwrite(output, rubric, args.force)
    profiles = _load(args.prefill, rubric) if args.prefill else None
    write_template(rubric, output, args.layout, args.lang, profiles=profiles)
    count = len(rubric.indicators)
    sys.stderr.write(f"upgrade-score: wrote {args.output} ({args.layout}, {args.lang}; "
                     f"{count} indicators of rubric '{rubric.id}' {rubric.version})\n")
    sys.stderr.write(enterprises.note_written(output, rubric))
    return EXIT_OK


def _single(paths: Sequence[str]) -> bool:
    """One profile file given (not a table or a directory): JSON is one object, not a list."""
    return len(paths) == 1 and Path(paths[0]).suffix.lower() in (".yaml", ".yml", ".json")


def _list_rubrics(args: argparse.Namespace) -> int:
    for rubric_id, path in builtin_rubrics().items():
        rubric = load_rubric(path)
        _print(f"{rubric_id}  {rubric.version}  {rubric.title.text('en')}")
    return EXIT_OK


def _print(text: str) -> None:
    sys.stdout.writelines((text, "\n"))  # (not text + "\n": a large result is not copied again)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        output.check_before_work(args)
        with _notices(), showing(sys.stderr, getattr(args, "lang", "en"), getattr(args, "quiet", False)):
            return run(args)
    except UpgradeScoreError as exc:
        _report(exc.problems)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # a file the command reads or writes: bad input, never a bug
        name = os.fsdecode(exc.filename) if isinstance(exc.filename, (str, bytes)) else None
        _report([Problem(f"cannot access the file ({exc.strerror or exc})", name)])
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so on one line, never with the exit code of a failed gate
        detail = one_line(f"{type(exc).__name__}: {exc}")[:300]
        sys.stderr.write(f"upgrade-score: internal error (please report it): {detail}\n")
        return EXIT_INTERNAL


def _report(problems: Sequence[Problem]) -> None:
    """Every problem on its own line, in the order given (file order), at most
    :data:`MAX_SHOWN_PROBLEMS`, then how many more."""
    lines = [f"upgrade-score: error: {problem}\n" for problem in problems[:MAX_SHOWN_PROBLEMS]]
    more = len(problems) - MAX_SHOWN_PROBLEMS
    if more > 0:
        lines.append(f"upgrade-score: error: … and {more} more problem{'s' if more > 1 else ''} "
                     f"({len(problems)} in all)\n")
    sys.stderr.write("".join(lines))


@contextlib.contextmanager
def _notices() -> Iterator[None]:
    """Warnings while a command runs. The package's own (a UserWarning such as "charts use the
    English labels") become one ``upgrade-score: note:`` line each; those of the libraries it
    uses (numpy, matplotlib, openpyxl: a missing glyph, a NaN compared) are not shown. With
    ``-W`` or ``PYTHONWARNINGS`` the user's own warning settings apply instead."""
    if sys.warnoptions:
        yield
        return
    shown: set[str] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = one_line(str(message))[:300]
        if issubclass(category, UserWarning) and _warned_by_package() and text not in shown:
            if len(shown) < MAX_NOTES:
                sys.stderr.write(f"upgrade-score: note: {text}\n")
            shown.add(text)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


def _warned_by_package() -> bool:
    """Whether the code that issued the warning being shown is this package's (CPython: the
    first frame above the handler outside the ``warnings`` module)."""
    frame = sys._getframe(2) if hasattr(sys, "_getframe") else None
    while frame is not None and frame.f_globals.get("__name__") == "warnings":
        frame = frame.f_back
    module = str(frame.f_globals.get("__name__", "")) if frame is not None else ""
    return module == "upgrade_score" or module.startswith("upgrade_score.")


def _load(paths: Sequence[str], rubric: Rubric | None,
          check: Rubric | None = None) -> Sequence[BaseProfile]:
    """``load_profiles(*paths, rubric=rubric)`` (one CSV table: as a table, its profiles built on
    demand; ``-``: standard input), refusing pipes and devices first. When a profile
    file has values of the wrong type, its other values are checked against ``check`` (default:
    ``rubric``) too, so a type error does not hide the range errors of other values."""
    for path in paths:
        _refuse_special_file(path)
    try:
        return load_bases(paths, rubric)
    except UpgradeScoreError as exc:
        against = check or rubric
        if against is None:
            raise
        raise UpgradeScoreError(_with_range_problems(exc.problems, against)) from None


def _refuse_special_file(path: str) -> None:
    """Refuse a pipe, device or socket before a reader opens it (a FIFO would block it)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return  # reported by the reader, with the built-in ids where a rubric is expected
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot access the file ({exc.strerror})", path)) from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UpgradeScoreError(Problem("not a regular file (a pipe, device or socket)", path))


def _with_range_problems(problems: Sequence[Problem], rubric: Rubric) -> list[Problem]:
    """``problems`` of one profile file's values, plus what its other values break in ``rubric``
    (out of range, unknown indicator, ...), in file order."""
    files = {problem.file for problem in problems}
    file = files.pop() if len(files) == 1 else None
    if (file is None or Path(file).suffix.lower() not in PROFILE_SUFFIXES
            or not all(problem.path[:1] == ("values",) and len(problem.path) > 1 for problem in problems)):
        return list(problems)
    from ._io.validate import validate, without_entries
    from ._io.yaml import load_document
    from ._model.profile import Origin, attach
    try:
        document = load_document(file)
        rest = validate(BaseProfile, document, without_entries(document.data, {p.path[:2] for p in problems}))
        lines = {str(key[1]): line for key, line in document.lines.items()
                 if len(key) == 2 and key[0] == "values"}
        score_many(rubric, [attach(rest, Origin(file, document.line_of(("base",)), lines))])
    except UpgradeScoreError as exc:
        known = set(problems)  # a problem of the document itself comes back on the second read
        more = [problem for problem in exc.problems if problem.file == file and problem not in known]
        return sorted([*problems, *more], key=lambda problem: problem.line or 0)
    return list(problems)


# --- CI commands: diff (check: see _cli_tools) ------------------------------------------------------

def _add_diff_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    sub = commands.add_parser(
        "diff", help="compare two rubric versions and their impact on bases",
        description="Show what changed between two rubrics and, with --profiles, how it moves each "
                    "base's score, level and rank. OLD and NEW are rubric files, built-in ids or "
                    "REF:path (read with 'git show', e.g. origin/main:rubrics/x.yaml; the path is "
                    "relative to the repository root, or to the current directory as REF:./x.yaml). "
                    "Exit 1 when a gate trips, 2 on bad input.")
    sub.add_argument("old", metavar="OLD", help="old rubric: file, built-in id or REF:path")
    sub.add_argument("new", metavar="NEW", help="new rubric: file, built-in id or REF:path")
    sub.add_argument("--profiles", nargs="+", action="extend", default=[], metavar="DIR_OR_CSV",
                     help="base profiles (YAML/JSON files, CSV tables or directories) to score")
    sub.add_argument("--max-shift", type=float, metavar="X",
                     help="fail if any base's overall score moves by more than X points")
    sub.add_argument("--max-rank-change", type=int, metavar="K",
                     help="fail if any base's rank moves by more than K places")
    sub.add_argument("--fail-on-level-change", action="store_true",
                     help="fail if any base's overall maturity level changes")
    sub.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                     help="output format; markdown is a PR comment (default: text)")
    sub.add_argument("--lang", choices=("en", "zh"), default="en",
                     help="language of text and Markdown output (JSON keeps English messages)")
    sub.set_defaults(run=_diff_command)


def _diff_command(args: argparse.Namespace) -> int:
    """Diff two rubrics; print the result; exit 1 (naming the gate on stderr) if a gate trips."""
    _check_gate_options(args)
    old, _ = load_rubric_source(args.old)
    new, _ = load_rubric_source(args.new)
    profiles = _load(args.profiles, None) if args.profiles else None
    from ._analysis.diff import diff, tripped_gates  # loaded by this command only
    from ._render.diff import render_diff

    result = diff(old, new, profiles)
    tripped = tripped_gates(result, max_shift=args.max_shift, max_rank_change=args.max_rank_change,
                            fail_on_level_change=args.fail_on_level_change)
    if args.format == "json":  # (written in parts: the JSON of many bases is never one text)
        sys.stdout.writelines(result.json_parts())
        sys.stdout.write("\n")
    else:
        shown = tripped_gates(result, max_shift=args.max_shift, max_rank_change=args.max_rank_change,
                              fail_on_level_change=args.fail_on_level_change, lang=args.lang)
        _print(render_diff(result, args.format, lang=args.lang, tripped=shown))
    for message in tripped:
        sys.stderr.write(f"upgrade-score: gate failed: {message}\n")
    return EXIT_FAILED if tripped else EXIT_OK


def _check_gate_options(args: argparse.Namespace) -> None:
    if args.max_shift is not None and not 0 <= args.max_shift < float("inf"):
        raise UpgradeScoreError(f"--max-shift: expected a finite number >= 0, got {args.max_shift}")
    if args.max_rank_change is not None and args.max_rank_change < 0:
        raise UpgradeScoreError(
            f"--max-rank-change: expected a whole number >= 0, got {args.max_rank_change}")
    gated = args.max_shift is not None or args.max_rank_change is not None or args.fail_on_level_change
    if gated and not args.profiles:
        raise UpgradeScoreError("--max-shift, --max-rank-change and --fail-on-level-change need --profiles")


# --- report: a self-contained HTML file ------------------------------------------------------------

def _add_report_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    sub = commands.add_parser(
        "report", help="write an HTML report of one or more bases",
        description="Write one self-contained HTML file (inline charts, no network; printable) with "
                    "each base's scores, radar chart, gap actions, data completeness and sources. "
                    "Without a target option, each base is compared with the next level up from its "
                    "balanced level. Needs matplotlib (pip install 'upgrade-score[plot]').")
    sub.add_argument("profiles", nargs="+", metavar="PROFILE_OR_DIR",
                     help="base profiles: YAML/JSON files, CSV tables or directories")
    sub.add_argument("--rubric", metavar="R", help="rubric file or built-in id")
    add_target_options(sub)
    panel.add_options(sub)
    sub.add_argument("--top", type=positive_int, default=10, metavar="N",
                     help="actions listed per base (default 10)")
    sub.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the report")
    sub.add_argument("--title", help="the report's title (default: the rubric's title)")
    sub.add_argument("--charts", choices=("svg", "png"), default="svg",
                     help="inline SVG (sharp in print, default) or PNG (smaller for many bases)")
    sub.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="the HTML file to write ('-' for standard output)")
    sub.set_defaults(run=_report_command)


def _report_command(args: argparse.Namespace) -> int:
    from ._render.report import render_report

    if args.top < 0:
        raise UpgradeScoreError(f"--top: expected a whole number >= 0, got {args.top}")
    rubric = load_rubric(args.rubric)
    profiles = _load(args.profiles, None, check=rubric)
    profiles, group = enterprises.joined(args, rubric, profiles, _load)
    target = target_from_args(args, rubric, group=group)
    text = render_report(rubric, list(profiles), target=target or "next", lang=args.lang,
                         title=args.title, top=args.top, charts=args.charts, year=args.year)
    if args.output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot write the report ({exc.strerror})", args.output)) from None
    count = len({profile.id for profile in profiles})
    sys.stderr.write(f"upgrade-score: wrote {args.output} ({count} base{'s' if count != 1 else ''})\n")
    return EXIT_OK


# --- sensitivity: robustness of scores and ranks -------------------------------------------------

def _add_sensitivity_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    sub = commands.add_parser(
        "sensitivity", help="how robust scores and ranks are to weights, method and data",
        description="Score bases under sampled weights, under every aggregation and missing-data "
                    "policy, and with sampled values where profiles give a confidence or a low/high "
                    "interval; print score and rank intervals, P(top K), the method-sensitivity "
                    "summary and each direction's influence.")
    sub.add_argument("profiles", nargs="+", metavar="PROFILE_OR_DIR_OR_CSV")
    sub.add_argument("--rubric", metavar="R",
                     help="rubric file or built-in id (default: the built-in rubric)")
    sub.add_argument("--samples", type=int, default=10_000, metavar="N",
                     help="weightings sampled (default 10000)")
    sub.add_argument("--weights", default="dirichlet:50", metavar="SPEC",
                     help="dirichlet:CONCENTRATION (default dirichlet:50) or uniform:SPREAD "
                          "(uniform:0.2 = each weight ±20 %%, then renormalised)")
    sub.add_argument("--seed", type=int, metavar="S",
                     help="random seed for a reproducible run (default: drawn, and printed)")
    sub.add_argument("--top", type=positive_int, default=3, metavar="K",
                     help="report the probability of a rank within the top K (default 3)")
    sub.add_argument("--format", choices=("text", "json", "markdown", "csv"), default="text",
                     help="output format (default: text)")
    sub.add_argument("--lang", choices=("en", "zh"), default="en",
                     help="language of level names in text and Markdown output")
    output.add_options(sub)
    sub.set_defaults(run=_sensitivity_command)


def _sensitivity_command(args: argparse.Namespace) -> int:
    from ._analysis.sensitivity import sensitivity
    from ._analysis.sensitivity.weights import parse_weights

    parse_weights(args.weights)  # a bad spec fails before any file is read
    rubric = load_rubric(args.rubric)
    profiles = _load(args.profiles, rubric)
    report = sensitivity(rubric, profiles, samples=args.samples, weights=args.weights,
                         seed=args.seed, top_k=args.top, enterprises=enterprises.table(args, rubric))
    output.emit(report, args, lambda style: str(render(report, style, lang=args.lang, rubric=rubric)),
                lambda indent: [report.to_json(indent)])
    return EXIT_OK
