"""A progress line on stderr for long work (large tables, many samples, reports of many bases).

The command line opens a meter with :func:`showing` — only when stderr is a terminal, ``CI`` is
not set and ``--quiet`` is not given — and the long loops report how far they got with
:func:`step`, which does nothing when no meter is open (pipes, CI, the library's own callers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ._text import Lang, display_width, word

_open: list[Meter] = []


class Meter:
    """One progress line, rewritten in place (``\\r``) at most every ``every`` seconds."""

    def __init__(self, stream: TextIO, lang: Lang = "en", every: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.lang, self.every, self.clock = stream, lang, every, clock
        self.last = -every
        self.width = 0
        self.what, self.done = "", 0

    def show(self, what: str, done: int, total: int | None = None) -> None:
        """Show that ``done`` (of ``total``) ``what`` (a WORDS key) are done."""
        if what == self.what and done < self.done:
            return  # (a part finished out of order: the line never goes back)
        now = self.clock()
        if now - self.last < self.every and done != total:
            return
        self.last, self.what, self.done = now, what, done
        count = f"{done:,}" if total is None else f"{done:,} / {total:,}"
        text = f"upgrade-score: {word(what, self.lang)} {count}"
        columns = display_width(text)  # (a Chinese character takes two columns)
        self.stream.write("\r" + text + " " * max(0, self.width - columns))
        self.stream.flush()
        self.width = max(self.width, columns)

    def close(self) -> None:
        """Clear the line (nothing is left behind in the terminal)."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def wanted(stream: TextIO, quiet: bool = False) -> bool:
    """Whether a progress line belongs on ``stream``: a terminal, outside CI, not ``--quiet``."""
    if quiet or os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):
        return False


@contextmanager
def showing(stream: TextIO, lang: Lang = "en", quiet: bool = False) -> Iterator[Meter | None]:
    """A meter on ``stream`` while the block runs (None when :func:`wanted` says no)."""
    if not wanted(stream, quiet):
        yield None
        return
    meter = Meter(stream, lang)
    _open.append(meter)
    try:
        yield meter
    finally:
        _open.remove(meter)
        meter.close()


def step(what: str, done: int, total: int | None = None) -> None:
    """Report progress of ``what`` to the open meter, if any."""
    if _open:
        _open[-1].show(what, done, total)
