"""Where rubrics come from, for the CI commands: a file with its document (for line numbers),
a built-in id, or a blob on a git revision (``REF:path``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .._errors import Problem, UpgradeScoreError
from .._model.rubric import Rubric, builtin_rubrics
from .._io.validate import validate
from .._io.yaml import Document, load_document, parse_document

GIT_TIMEOUT_SECONDS = 60


def rubric_path(source: str | Path) -> Path:
    """The file of a rubric given as a path or a built-in id (like :func:`load_rubric`)."""
    path = Path(source)
    builtins = builtin_rubrics()
    if not path.exists() and str(source) in builtins:
        return builtins[str(source)]
    if not path.exists():
        known = ", ".join(sorted(builtins)) or "none"
        raise UpgradeScoreError(Problem(f"no such file or built-in rubric (built-in: {known})",
                                        str(source)))
    return path


def load_rubric_document(source: str | Path) -> tuple[Rubric, Document]:
    """Load a rubric file (or built-in id) together with its parsed document."""
    document = load_document(rubric_path(source))
    return validate(Rubric, document), document


def is_git_spec(spec: str) -> bool:
    """``REF:path`` and not an existing file or built-in id (so ``C:\\x`` files still work)."""
    if Path(spec).exists() or spec in builtin_rubrics():
        return False
    ref, sep, path = spec.partition(":")
    return bool(sep and ref and path)


def git_show(spec: str) -> str:
    """The text of ``REF:path`` from ``git show`` in the current directory (no shell)."""
    if spec.startswith("-"):
        raise UpgradeScoreError(Problem("a git revision cannot start with '-'", spec))
    try:
        done = subprocess.run(["git", "show", spec], capture_output=True, check=False,
                              timeout=GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise UpgradeScoreError(Problem("cannot read from git: git is not installed", spec)) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UpgradeScoreError(Problem(f"cannot read from git: {exc}", spec)) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else f"exit code {done.returncode}"
        raise UpgradeScoreError(Problem(f"git show failed: {detail}", spec))
    try:
        return bytes(done.stdout).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = done.stdout[: exc.start].count(b"\n") + 1
        raise UpgradeScoreError(Problem("not valid UTF-8 text", spec, line)) from None


def load_rubric_source(spec: str) -> tuple[Rubric, Document]:
    """A rubric from a file, a built-in id, or ``REF:path`` (read with ``git show``).

    Problems in a git blob are located as ``REF:path:line``.
    """
    if not is_git_spec(spec):
        return load_rubric_document(spec)
    document = parse_document(git_show(spec), spec)
    return validate(Rubric, document), document
