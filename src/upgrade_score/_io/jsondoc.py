"""JSON files read as JSON (not as YAML): the standard ``json`` parser for the data, and one
light scan of the text for the line of every key and list item.

JSON is not quite a subset of what a YAML parser accepts: surrogate-pair escapes (Python's default
``json.dumps`` output for characters beyond U+FFFF) and C1 control characters are valid JSON.
The scan also refuses what JSON does not allow but Python's parser does (``NaN``, ``Infinity``),
lone surrogate escapes, duplicate keys and numbers too long to convert, each at its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .._errors import FieldPath, Problem, UpgradeScoreError

Fail = Callable[[str, FieldPath], NoReturn]

# a string, a structural character, a line break, or a bare word (number, true, false, null)
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[{}\[\],:\n]|[^\s{}\[\],:"]+')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NOT_JSON_NUMBERS = ("NaN", "Infinity", "-Infinity")
MAX_NUMBER_CHARS = 4300  # Python's default limit for converting digits to an int


@dataclass
class _Open:
    """An object or array being scanned."""

    path: FieldPath
    is_object: bool
    keys: dict[str, int] = field(default_factory=dict)  # key -> line (objects)
    items: int = 0                                       # items so far (arrays)
    value_path: FieldPath = ()                           # the path of the next value (objects)


def parse_json(text: str, file: str, *, max_depth: int,
               max_nodes: int) -> tuple[Any, dict[FieldPath, int]]:
    """The data of a JSON document and the line of every key and list item."""
    if not text.strip():
        raise UpgradeScoreError(Problem("the file is empty", file, 1))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UpgradeScoreError(Problem(f"invalid JSON: {exc.msg}", file, exc.lineno)) from None
    except (RecursionError, ValueError):  # too deep, or a number too long: the scan says where
        _scan(text, file, max_depth, max_nodes)
        raise UpgradeScoreError(Problem("invalid JSON", file)) from None  # pragma: no cover
    return data, _scan(text, file, max_depth, max_nodes)


def _scan(text: str, file: str, max_depth: int, max_nodes: int) -> dict[FieldPath, int]:
    """Lines of keys and items, walking the tokens of (syntactically valid) JSON."""
    lines: dict[FieldPath, int] = {(): 1}
    stack: list[_Open] = []
    line, nodes, expect_key = 1, 0, False

    def fail(message: str, path: FieldPath = ()) -> NoReturn:
        raise UpgradeScoreError(Problem(message, file, line, path))

    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "\n":
            line += 1
        elif first == ",":
            expect_key = bool(stack) and stack[-1].is_object
        elif first in "]}":
            stack.pop()
            expect_key = False
        elif first == ":":
            pass
        elif expect_key:
            parent = stack[-1]
            key = _string(token, fail, parent.path)
            path = (*parent.path, key)
            if key in parent.keys:
                fail(f"duplicate key {key!r} (first on line {parent.keys[key]})", path)
            parent.keys[key] = lines[path] = line
            parent.value_path, expect_key = path, False
        else:
            nodes += 1
            path = _value_path(stack, lines, line)
            if nodes > max_nodes:
                fail(f"document has more than {max_nodes:,} nodes")
            if first in "[{":
                if len(stack) >= max_depth:
                    fail(f"nesting deeper than {max_depth} levels")
                stack.append(_Open(path, first == "{"))
                expect_key = first == "{"
            elif first == '"':
                _string(token, fail, path)
            else:
                _bare(token, fail, path)
    return lines


def _value_path(stack: list[_Open], lines: dict[FieldPath, int], line: int) -> FieldPath:
    """The path of a value starting here, recording the line of an array item."""
    if not stack:
        return ()
    parent = stack[-1]
    if parent.is_object:
        return parent.value_path
    path: FieldPath = (*parent.path, parent.items)
    parent.items += 1
    lines[path] = line
    return path


def _string(token: str, fail: Fail, path: FieldPath) -> str:
    """A string token's text; a lone surrogate escape (no character) is refused."""
    if "\\" not in token:
        return token[1:-1]
    text: str = json.loads(token)
    if _SURROGATE_ESCAPE.search(token):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            shown = f"\\u{ord(text[exc.start]):04x}"
            fail(f"invalid JSON: a lone surrogate escape ({shown}) is not a character", path)
    return text


def _bare(token: str, fail: Fail, path: FieldPath) -> None:
    """A number, ``true``, ``false`` or ``null``; Python's extras and huge numbers are refused."""
    if token in _NOT_JSON_NUMBERS:
        fail(f"invalid JSON: {token} is not a JSON number", path)
    if len(token) > MAX_NUMBER_CHARS:
        fail(f"invalid JSON: a number of {len(token):,} characters (at most {MAX_NUMBER_CHARS:,})",
             path)
