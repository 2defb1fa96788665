"""Where rubrics come from: one resolver for a file, a built-in id, or a blob on a git revision
(``REF:path``), returning the rubric with its document (for line numbers)."""

from __future__ import annotations

import os
import subprocess
import threading
from importlib import resources
from pathlib import Path

from .._errors import Problem, UpgradeScoreError, type_name
from .._model.rubric import DEFAULT_RUBRIC_ID, Rubric
from .validate import validate
from .yaml import MAX_BYTES, Document, decode_text, load_document, parse_document

GIT_TIMEOUT_SECONDS = 60
GIT_MAX_BYTES = MAX_BYTES  # a blob read from git is bounded like a file
GIT_MAX_ERROR_BYTES = 4096  # of git's stderr, kept for the message


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


def check_rubric_source(source: object, argument: str = "rubric") -> None:
    """Refuse, naming the argument, what is neither a rubric id nor a path (nor a Rubric)."""
    if isinstance(source, Rubric) or (isinstance(source, (str, os.PathLike))
                                      and not isinstance(source, bytes)):
        return
    raise UpgradeScoreError(f"{argument}: expected a Rubric, a built-in rubric id or a file path, "
                            f"got {type_name(source)}")


def rubric_path(source: str | Path) -> Path:
    """The file of a rubric given as a path or a built-in id (like :func:`load_rubric`)."""
    path = Path(source)
    builtins = builtin_rubrics()
    try:
        exists = path.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", str(source))) from None
    if not exists and str(source) in builtins:
        return builtins[str(source)]
    if not exists:
        known = ", ".join(sorted(builtins)) or "none"
        raise UpgradeScoreError(Problem(f"no such file or built-in rubric (built-in: {known})",
                                        str(source)))
    return path


def load_rubric_document(source: str | Path) -> tuple[Rubric, Document]:
    """Load a rubric file (or built-in id) together with its parsed document."""
    check_rubric_source(source)
    document = load_document(rubric_path(source))
    return validate(Rubric, document), document


def is_git_spec(spec: str) -> bool:
    """``REF:path`` and not an existing file or built-in id (so ``C:\\x`` files still work)."""
    try:
        if Path(spec).exists() or spec in builtin_rubrics():
            return False
    except OSError:  # not a file this system can name: a REF:path, or an error when read
        pass
    ref, sep, path = spec.partition(":")
    return bool(sep and ref and path)


def git_show(spec: str) -> str:
    """The text of ``REF:path`` from ``git show`` in the current directory (no shell); at most
    :data:`GIT_MAX_BYTES` are read, then git is stopped."""
    if spec.startswith("-"):
        raise UpgradeScoreError(Problem("a git revision cannot start with '-'", spec))
    code, output, errors = _run_bounded(["git", "show", spec], spec)
    if code != 0:
        reason = errors.decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else f"exit code {code}"
        raise UpgradeScoreError(Problem(f"git show failed: {detail}", spec))
    return decode_text(output, spec)


def _run_bounded(command: list[str], spec: str) -> tuple[int, bytes, bytes]:
    """Exit code, stdout (at most :data:`GIT_MAX_BYTES`) and the start of stderr of a command;
    a longer output or a run over :data:`GIT_TIMEOUT_SECONDS` stops it with an error."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise UpgradeScoreError(Problem("cannot read from git: git is not installed", spec)) from None
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot read from git: {exc.strerror}", spec)) from None
    errors = bytearray()
    expired = threading.Event()

    def drain() -> None:  # read all of stderr (git must never block on it), keep its start
        assert process.stderr is not None
        while chunk := process.stderr.read(65536):
            errors.extend(chunk[: max(0, GIT_MAX_ERROR_BYTES - len(errors))])

    def expire() -> None:
        expired.set()
        process.kill()

    reader = threading.Thread(target=drain, daemon=True)
    timer = threading.Timer(GIT_TIMEOUT_SECONDS, expire)
    with process:
        reader.start()
        timer.start()
        try:
            assert process.stdout is not None
            output = process.stdout.read(GIT_MAX_BYTES + 1)
            if len(output) > GIT_MAX_BYTES:
                process.kill()
            code = process.wait()
            reader.join(timeout=5)
        finally:
            timer.cancel()
    if expired.is_set():
        raise UpgradeScoreError(Problem(f"cannot read from git: no answer in {GIT_TIMEOUT_SECONDS} s",
                                        spec))
    if len(output) > GIT_MAX_BYTES:
        raise UpgradeScoreError(Problem(f"the file in git is larger than {GIT_MAX_BYTES:,} bytes", spec))
    return code, output, bytes(errors)


def load_rubric_source(spec: str) -> tuple[Rubric, Document]:
    """A rubric from a file, a built-in id, or ``REF:path`` (read with ``git show``).

    Problems in a git blob are located as ``REF:path:line``.
    """
    if not is_git_spec(spec):
        return load_rubric_document(spec)
    document = parse_document(git_show(spec), spec)
    return validate(Rubric, document), document
