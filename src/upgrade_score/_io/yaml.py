"""Safe YAML/JSON reading that keeps line numbers and refuses what a config file never needs.

The document is built from the parser's event stream with an explicit stack, so deep nesting
cannot overflow the interpreter stack; duplicate keys, merge keys, tags (every one: ``!!float``
as much as ``!!python/object``) and alias bombs (by the nodes and the characters a document
expands to) are rejected with a located :class:`UpgradeScoreError`. A ``.json`` file is read as
JSON (see :mod:`.jsondoc`).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from .._errors import FieldPath, PathItem, Problem, UpgradeScoreError
from .jsondoc import parse_json

MAX_BYTES = 20_000_000
MAX_DEPTH = 64
MAX_NODES = 1_000_000
MAX_CHARS = 20_000_000  # characters of keys and scalars once aliases are expanded

_MERGE_TAG, _STR_TAG = "tag:yaml.org,2002:merge", "tag:yaml.org,2002:str"


class _Loader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 scalars: booleans are ``true``/``false`` only (``yes``,
    ``no``, ``on`` and ``off`` are text: ``_errors.yaml11_boolean_hint``), numbers are decimal
    only (no octal ``010``, hex ``0x1F``, sexagesimal ``1:30`` or ``1_000``), and JSON-style
    exponent floats (``1e-05``)."""


_YAML12_REPLACED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML12_REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    return int(str(node.value), 10)  # "010" is ten, as in YAML 1.2 and JSON


_Loader.add_constructor("tag:yaml.org,2002:int", _decimal_int)


@dataclass(frozen=True)
class Document:
    """A parsed document: plain Python data plus the line of every key and list item."""

    data: Any
    file: str
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: FieldPath, message: str) -> Problem:
        """A problem located at ``path`` in this document."""
        return Problem(message, self.file, self.line_of(path), tuple(path))


@dataclass
class _Open:
    """A collection under construction on the builder's stack."""

    value: dict[PathItem, Any] | list[Any]
    path: FieldPath
    anchor: str | None
    pending_key: PathItem | None = None
    key_line: int = 0
    nodes: int = 1
    chars: int = 0


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file with a size limit; every failure is an :class:`UpgradeScoreError`.

    Only a regular file is read: a pipe, device or directory is refused without blocking.
    """
    name = str(path)
    raw = _read_regular_file(path, max_bytes)
    if len(raw) > max_bytes:
        raise UpgradeScoreError(Problem(f"file is larger than {max_bytes:,} bytes", name))
    return decode_text(raw, name)


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or a located error at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UpgradeScoreError(Problem("not valid UTF-8 text", name, line)) from None


def _read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of a regular file (see :func:`open_regular`)."""
    name = str(path)
    with open_regular(path) as handle:
        try:
            return handle.read(max_bytes + 1)
        except OSError as exc:
            raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", name)) from None


def open_regular(path: str | Path) -> BinaryIO:
    """A regular file opened for reading bytes. The file is opened without blocking (a FIFO
    named ``x.yaml`` would wait for a writer forever) and checked before it is read."""
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except IsADirectoryError:
        raise UpgradeScoreError(Problem("is a directory, expected a file", name)) from None
    except FileNotFoundError:
        raise UpgradeScoreError(Problem("file not found", name)) from None
    except OSError as exc:
        raise UpgradeScoreError(Problem(f"cannot read file: {exc.strerror}", name)) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise UpgradeScoreError(Problem("is a directory, expected a file", name))
        if not stat.S_ISREG(mode):
            raise UpgradeScoreError(Problem("not a regular file (a pipe, device or socket)", name))
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def load_document(path: str | Path) -> Document:
    """Parse a YAML or JSON file into a :class:`Document`."""
    return parse_document(read_text(path), str(path))


def parse_document(text: str, file: str = "<string>", *, as_json: bool | None = None) -> Document:
    """Parse YAML text holding exactly one document (JSON when ``file`` ends in ``.json``, or
    when ``as_json`` says so)."""
    if len(text) > MAX_BYTES:
        raise UpgradeScoreError(Problem(f"text is longer than {MAX_BYTES:,} characters", file))
    if as_json if as_json is not None else file.lower().endswith(".json"):
        data, lines = parse_json(text, file, max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
        return Document(data, file, lines)
    if _FastParser is not None and not _PYTHON_ONLY.search(text, 1 if text.startswith("\ufeff") else 0):
        try:
            return _built(text, file, _FastParser)
        except _TooLarge:
            raise  # (the same limit, met at the same event: reading it again would only take longer)
        except (yaml.YAMLError, UpgradeScoreError, UnicodeEncodeError):  # (libyaml reads UTF-8)
            pass  # any problem is found again, and worded, by the Python parser (as it always was)
    try:
        return _built(text, file, _Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise UpgradeScoreError(Problem(f"invalid YAML: {reason}", file, line)) from None
    except yaml.YAMLError as exc:
        raise UpgradeScoreError(Problem(f"invalid YAML: {exc}", file)) from None
    except (RecursionError, MemoryError):  # pragma: no cover - guarded by MAX_DEPTH/MAX_NODES
        raise UpgradeScoreError(Problem("document is too deeply nested or too large", file)) from None


# libyaml's parser (when PyYAML has it) gives the same events as PyYAML's Python parser, about ten
# times faster; a document with any problem is parsed again by the Python one, which words it. The
# two differ around characters a config file seldom holds (tabs, control characters, a byte-order
# mark past the start, the line breaks U+0085, U+2028 and U+2029; a lone surrogate, which libyaml
# cannot take, fails and goes to the Python parser too): text with any of them is left to
# the Python parser, and so is text with a directive (``%YAML``) or a comment right after a block
# scalar's indicator (``|#``), which libyaml accepts and the Python parser refuses. Elsewhere libyaml
# accepts a little more than the Python parser (``a?b`` in a flow mapping, as YAML allows); where
# both accept a document they give the same data and lines (tests: the yaml-test-suite corpus,
# hypothesis, and edited copies of an example base).
_FastParser: type[Any] | None = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None
_PYTHON_ONLY = re.compile(  # (a small class: a negated one of all Unicode took 12 ms to compile)
    "[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[|>][-+0-9]*#|^%", re.MULTILINE)


class _TooLarge(UpgradeScoreError):
    """A document over a size limit (nesting, nodes, characters): refused where the builder
    meets the limit, whichever parser fed it."""


def _built(text: str, file: str, loader: type[Any]) -> Document:
    """The document of ``text``, built from the events of ``loader``'s parser."""
    builder = _Builder(file)
    for event in yaml.parse(text, Loader=loader):
        builder.feed(event)
    if builder.documents == 0:
        raise UpgradeScoreError(Problem("the file is empty", file, 1))
    return Document(builder.result, file, builder.lines)


def _shown(text: str) -> str:
    """A scalar as an error quotes it (a long one cut)."""
    return repr(text) if len(text) <= 40 else f"{text[:37]!r}... ({len(text):,} characters)"


def _line(event: yaml.Event) -> int:
    """1-based line where an event starts."""
    return event.start_mark.line + 1 if event.start_mark is not None else 1


class _Builder:
    """Turns parser events into Python data, recording where each key and item starts."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.loader = _Loader("")
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, characters
        self.lines: dict[FieldPath, int] = {(): 1}
        self.result: Any = None
        self.documents = 0
        self.total_nodes = 0
        self.total_chars = 0

    def fail(self, event: yaml.Event, message: str, path: FieldPath | None = None) -> None:
        raise UpgradeScoreError(Problem(message, self.file, _line(event), path or ()))

    def too_large(self, event: yaml.Event, message: str) -> None:
        raise _TooLarge(Problem(message, self.file, _line(event)))

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(event, "expected a single YAML document, found several")
        elif isinstance(event, yaml.ScalarEvent):
            self.add(event, self.scalar(event), event.anchor, 1, len(event.value))
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            if anchor not in self.anchors:
                self.fail(event, f"unknown alias *{anchor}")
            value, nodes, chars = self.anchors[anchor]
            self.add(event, value, None, nodes, chars)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.open(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = self.stack.pop()
            if isinstance(done.value, dict) and done.pending_key is not None:  # pragma: no cover
                self.fail(event, "mapping key without a value")
            self.add(event, done.value, done.anchor, done.nodes, done.chars, placed=True)

    def open(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag is not None:
            self.fail(event, f"unsupported YAML tag {event.tag}", self.tag_path())
        if len(self.stack) >= MAX_DEPTH:
            self.too_large(event, f"nesting deeper than {MAX_DEPTH} levels")
        path = self.child_path(event)
        self.total_nodes += 1
        self.stack.append(_Open({} if is_map else [], path, event.anchor))

    def child_path(self, event: yaml.Event) -> FieldPath:
        """The path of the value that ``event`` starts, recording its line."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
            self.lines.setdefault(path, _line(event))
            return path
        if parent.pending_key is None:
            self.fail(event, "mapping keys must be plain strings or integers", parent.path)
        return (*parent.path, parent.pending_key or "")

    def tag_path(self) -> FieldPath:
        """The path of the value about to start (for a tag refused before it is placed)."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        return parent.path if parent.pending_key is None else (*parent.path, parent.pending_key)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        if event.tag is not None:  # YAML tags are refused, standard ones included
            self.fail(event, f"unsupported YAML tag {event.tag}", self.tag_path())
        tag = self.loader.resolve(yaml.ScalarNode, event.value,  # type: ignore[no-untyped-call]
                                  event.implicit)
        if tag == _STR_TAG:  # (what the constructor returns for text: the text)
            return event.value
        if tag == _MERGE_TAG:
            self.fail(event, "merge keys (<<) are not supported; write the fields out")
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            self.fail(event, f"invalid YAML scalar {_shown(event.value)}: {reason}")
        except (ValueError, OverflowError) as exc:
            self.fail(event, f"invalid YAML scalar {_shown(event.value)}: {str(exc).split(';')[0]}")
        return None  # pragma: no cover - fail() always raises

    def add(self, event: yaml.Event, value: Any, anchor: str | None, nodes: int, chars: int,
            placed: bool = False) -> None:
        """Attach a finished value to its parent (or make it the document)."""
        if not placed:  # a closed collection's nodes and characters were counted as they arrived
            self.total_nodes += nodes
            self.total_chars += chars
        if self.total_nodes > MAX_NODES:
            self.too_large(event, f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)")
        if self.total_chars > MAX_CHARS:
            self.too_large(event, f"document expands to more than {MAX_CHARS:,} characters (alias bomb?)")
        if anchor is not None:
            self.anchors[anchor] = (value, nodes, chars)
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        parent.nodes += nodes
        parent.chars += chars
        if isinstance(parent.value, list):
            if not placed:
                self.child_path(event)
            parent.value.append(value)
        elif parent.pending_key is None:
            self.set_key(event, parent, value)
        else:
            key = parent.pending_key
            parent.value[key] = value
            parent.pending_key = None

    def set_key(self, event: yaml.Event, parent: _Open, key: Any) -> None:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            shown = key.isoformat() if isinstance(key, (_dt.date, _dt.datetime)) else repr(key)
            self.fail(event, f"mapping key {shown} must be a string or an integer", parent.path)
        assert isinstance(parent.value, dict)
        path = (*parent.path, key)
        if key in parent.value:
            self.fail(event, f"duplicate key {key!r} (first on line {self.lines[path]})",
                      path)
        parent.value[key] = None
        parent.pending_key = key
        self.lines[path] = _line(event)

