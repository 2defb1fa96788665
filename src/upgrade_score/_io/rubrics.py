"""Where rubrics come from: one resolver for a file, a built-in id, or a blob on a git revision
(``REF:path``), returning the rubric with its document (for line numbers)."""

from __future__ import annotations

import functools
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
    """Built-in rubric ids and their files: ``urban_mining_upgrade.yaml`` is the current version
    of ``urban-mining-upgrade``; ``urban_mining_upgrade@2026.1.yaml`` keeps an earlier one as
    ``urban-mining-upgrade@2026.1``."""
    found = sorted(_builtin_dir().glob("*.yaml"))
    return {_builtin_id(path.stem): path for path in found}


def _builtin_id(stem: str) -> str:
    name, at, version = stem.partition("@")
    return name.replace("_", "-") + at + version


def builtin_path(name: str) -> Path | None:
    """The file of the built-in rubric ``id`` or ``id@version`` (``None`` if there is none).
    ``id@version`` names a kept earlier version, or the current file when that is its version."""
    builtins = builtin_rubrics()
    if name in builtins:
        return builtins[name]
    rubric_id, at, version = name.partition("@")
    current = builtins.get(rubric_id)
    if at and current is not None and _version_of(current) == version:
        return current
    return None


def builtin_versions(rubric_id: str) -> tuple[str, ...]:
    """Every version of a built-in rubric that ``id@version`` can name, oldest first by name."""
    builtins = builtin_rubrics()
    kept = [name.partition("@")[2] for name in builtins if name.partition("@")[0] == rubric_id
            and "@" in name]
    current = builtins.get(rubric_id)
    return tuple(sorted({*kept, *((_version_of(current),) if current is not None else ())}))


def _version_of(path: Path) -> str:
    """The ``version`` written in a built-in rubric file (read, not validated)."""
    stat = path.stat()
    return _cached_version(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _cached_version(path: str, mtime_ns: int, size: int) -> str:
    data = load_document(Path(path)).data
    return str(data.get("version", "")) if isinstance(data, dict) else ""


def load_rubric(source: str | Path | Rubric | None = None) -> Rubric:
    """Load a rubric from a YAML file, or a built-in one by id (default: the urban-mining rubric).

    Raises :class:`UpgradeScoreError` naming file, line and field for every problem.
    """
    if isinstance(source, Rubric):
        return source
    name = DEFAULT_RUBRIC_ID if source is None else source
    check_rubric_source(name)
    path = rubric_path(name)
    if path.resolve().parent != _builtin_dir().resolve():
        return validate(Rubric, load_document(path))
    stat = path.stat()  # a built-in: validated (and compiled) once per file state
    return _cached_builtin(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _cached_builtin(path: str, mtime_ns: int, size: int) -> Rubric:
    """A built-in rubric, kept while its file is unchanged (a Rubric is immutable, and its
    compiled arrays are cached on it)."""
    return validate(Rubric, load_document(Path(path)))


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
    try:
        exists = path.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", str(source))) from None
    builtin = None if exists else builtin_path(str(source))
    if builtin is not None:
        return builtin
    if not exists:
        rubric_id, at, version = str(source).partition("@")
        versions = builtin_versions(rubric_id) if at else ()
        if versions:
            raise UpgradeScoreError(Problem(
                f"the built-in rubric '{rubric_id}' has no version '{version}' (versions: "
                f"{', '.join(versions)})", str(source)))
        known = ", ".join(sorted(builtin_rubrics())) or "none"
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
        if Path(spec).exists() or builtin_path(spec) is not None:
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
