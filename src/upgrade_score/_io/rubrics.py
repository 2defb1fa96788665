"""Where rubrics come from: one resolver for a file, a built-in id, or a blob on a git revision
(``REF:path``), returning the rubric with its document (for line numbers)."""

from __future__ import annotations

import subprocess
from importlib import resources
from pathlib import Path

from .._errors import Problem, UpgradeScoreError
from .._model.rubric import DEFAULT_RUBRIC_ID, Rubric
from .validate import validate
from .yaml import Document, load_document, parse_document

GIT_TIMEOUT_SECONDS = 60


def _builtin_dir() -> Path:
    packaged = Path(str(resources.files("upgrade_score"))) / "_rubrics"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rubrics"  # running from a source checkout


def builtin_rubrics() -> dict[str, Path]:
    """Built-in rubric ids and their files."""
    found = sorted(_builtin_dir().glob("*.yaml"))
    return {path.stem.replace("_", "-"): path for path in found}


def load_rubric(source: str | Path | Rubric | None = None) -> Rubric:
    """Load a rubric from a YAML file, or a built-in one by id (default: the urban-mining rubric).

    Raises :class:`UpgradeScoreError` naming file, line and field for every problem.
    """
    if isinstance(source, Rubric):
        return source
    return load_rubric_document(DEFAULT_RUBRIC_ID if source is None else source)[0]


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
