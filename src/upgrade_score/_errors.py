"""The one exception type for bad input, and the located problems it carries."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PathItem = str | int
FieldPath = tuple[PathItem, ...]

MAX_QUOTED = 80  # characters of one quoted value in a message (a whole cell can be megabytes)
MAX_MESSAGE = 400  # characters of a message after its quoted values are cut
MAX_PATH_ITEM = 200  # characters of a field name: twice the longest id, so no valid name is cut
# a value in quotes: the quote opens and closes outside a word, so "the base's" is no quote
_LONG = f"{{{MAX_QUOTED + 1},}}"
_QUOTED = re.compile(rf"(?<!\w)'([^'\n]{_LONG})'(?!\w)|(?<!\w)\"([^\"\n]{_LONG})\"(?!\w)")


def format_path(path: Sequence[PathItem]) -> str:
    """Render a field path the way a reader writes it: ``directions[2].indicators[0].id``."""
    text = ""
    for item in path:
        if isinstance(item, int):
            text += f"[{item}]"
        else:
            text += f".{item}" if text else str(item)
    return text


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``''`` when none is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def known_list(ids: Sequence[str], limit: int = 8) -> str:
    """``a, b, c`` — at most ``limit`` ids, then how many there are in all (messages stay short)."""
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown}, … ({len(ids)} in all)"


# YAML 1.1 booleans, which YAML 1.2 (and this reader) take as text
YAML11_BOOLEANS = {"yes": True, "on": True, "y": True, "no": False, "off": False, "n": False}


def yaml11_boolean_hint(value: object) -> str:
    """For ``yes``/``no``/``on``/``off`` (read as text): how to write the boolean, else ``''``."""
    if not isinstance(value, str) or value.strip().lower() not in YAML11_BOOLEANS:
        return ""
    meant = "true" if YAML11_BOOLEANS[value.strip().lower()] else "false"
    return (f" ('{value}' is text: YAML 1.2 reads only true and false as booleans; "
            f"write {meant})")


def type_name(value: object) -> str:
    """``int``, ``dict``, ``pandas.DataFrame``: how an argument's type is named in messages."""
    kind = type(value)
    module = kind.__module__.split(".")[0]
    return kind.__name__ if module == "builtins" else f"{module}.{kind.__name__}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_message(message: str) -> str:
    """``message`` with every quoted value over :data:`MAX_QUOTED` characters cut (``'abc…'``),
    then cut to :data:`MAX_MESSAGE` characters: a problem stays readable whatever the input."""
    if len(message) <= MAX_QUOTED:
        return message

    def cut(match: re.Match[str]) -> str:
        quote = match.group(0)[0]
        return f"{quote}{_cut(match.group(1) or match.group(2), MAX_QUOTED)}{quote}"

    return _cut(_QUOTED.sub(cut, message), MAX_MESSAGE)


def one_line(text: str) -> str:
    """Collapse every kind of line break (\\r, U+2028, ...) so a message stays on one line."""
    return " ".join(text.splitlines())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line, field path) and what.

    ``str(problem)`` is one line, ``file:line: field: message``; quoted values in the message are
    cut to :data:`MAX_QUOTED` characters and the message to :data:`MAX_MESSAGE` (the file and
    line never are; a field name only beyond :data:`MAX_PATH_ITEM`, longer than any valid id).
    """

    message: str
    file: str | None = None
    line: int | None = None
    path: FieldPath = ()

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        return self.shown_at(where)

    def shown_at(self, where: str) -> str:
        """``where: field: message`` on one line, the field and message cut as ``str`` does (for
        problems located another way, such as at a spreadsheet cell)."""
        field = format_path([item if isinstance(item, int) else _cut(item, MAX_PATH_ITEM)
                             for item in self.path])
        parts = [part for part in (where, field, short_message(self.message)) if part]
        return one_line(": ".join(parts))


class UpgradeScoreError(ValueError):
    """Raised for every bad input: a malformed rubric, base profile, target or option.

    ``str(error)`` is one line naming the file, line and field path of the first problem;
    ``error.problems`` lists every problem found.
    """

    def __init__(self, problems: Problem | str | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            problems = Problem(problems)
        if isinstance(problems, Problem):
            problems = (problems,)
        self.problems: tuple[Problem, ...] = tuple(problems) or (Problem("invalid input"),)
        super().__init__(self._summary())

    def _summary(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if more:
            first += f" (and {more} more problem{'s' if more > 1 else ''})"
        return one_line(first)
