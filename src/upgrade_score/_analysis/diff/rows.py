"""Every base's impact as arrays (:class:`ImpactColumns`), shown to Python users as the sequence of
:class:`BaseImpact` models it stands for (:class:`ImpactRows`: a model is built when a row is
asked for), and written as JSON straight from the arrays, byte for byte what the models give.

A diff of 10⁵ bases would otherwise validate 10⁵ models with 10⁶ nested ones before anyone asked
for one, and the JSON writer would walk them all in pure Python (indented JSON has no C encoder).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # (what json.dumps uses with ensure_ascii=False)
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from ..._engine.compile import BoolArray, FloatArray, IntArray
from ..._engine.gates import FAILED, STATUS_NAMES, UNKNOWN
from ..._model.results import DECIMALS

if TYPE_CHECKING:
    from .results import BaseImpact

PART_ROWS = 4096  # rows of JSON text joined into one part (about 5 MB with indentation)
_TRAILING = re.compile(r"0+(?=\n)")  # trailing zeros of fixed-point texts, one a line
_SLOT = re.compile(r'"\\u0000(\d+)\\u0000"')  # a leaf of a skeleton, as json.dumps writes it


@dataclass(frozen=True, eq=False)
class DirectionColumn:
    """One direction of either rubric over every base: scores and levels under each rubric
    (``None``: not in that rubric) and where it does not apply to the base (n/a)."""

    key: str
    old: FloatArray | None
    new: FloatArray | None
    old_level: IntArray | None
    new_level: IntArray | None
    old_na: BoolArray
    new_na: BoolArray


@dataclass(frozen=True, eq=False)
class GateColumn:
    """One gate of either rubric over every base: its status code under each rubric (``None``:
    not in that rubric)."""

    key: str
    old: IntArray | None
    new: IntArray | None

    def failing(self) -> tuple[BoolArray, BoolArray]:
        """Where the gate caps the base under the old and the new rubric (a missing gate: nowhere)."""
        count = len(self.old if self.old is not None else self.new if self.new is not None else ())
        return _failing(self.old, count), _failing(self.new, count)

    def changed(self) -> BoolArray:
        """Where the base's status changed (a gate only one rubric has: where it caps)."""
        old_failing, new_failing = self.failing()
        if self.old is None or self.new is None:
            return old_failing | new_failing
        changed: BoolArray = self.old != self.new
        return changed


def _failing(codes: IntArray | None, count: int) -> BoolArray:
    if codes is None:
        return np.zeros(count, dtype=bool)
    failing: BoolArray = (codes == FAILED) | (codes == UNKNOWN)
    return failing


@dataclass(frozen=True, eq=False)
class ImpactColumns:
    """Every base's impact, one array per field, rows in the order of ``RubricDiff.impact``
    (uncapped levels and gates ``None`` when neither rubric has gates)."""

    bases: tuple[str, ...]
    old: FloatArray
    new: FloatArray
    shift: FloatArray
    old_level: IntArray
    new_level: IntArray
    old_rank: IntArray
    new_rank: IntArray
    directions: tuple[DirectionColumn, ...]
    old_uncapped: IntArray | None = None
    new_uncapped: IntArray | None = None
    gates: tuple[GateColumn, ...] | None = None

    def __len__(self) -> int:
        return len(self.bases)

    def fields(self, row: int) -> dict[str, Any]:
        """The fields of one row's :class:`BaseImpact` (its ``model_dump``: ``None`` keys left out)."""
        data: dict[str, Any] = {
            "base": self.bases[row], "old": float(self.old[row]), "new": float(self.new[row]),
            "shift": float(self.shift[row]), "old_level": int(self.old_level[row]),
            "new_level": int(self.new_level[row]), "old_rank": int(self.old_rank[row]),
            "new_rank": int(self.new_rank[row]), "rank_change": int(self.old_rank[row] - self.new_rank[row]),
            "directions": {column.key: _direction_fields(column, row) for column in self.directions}}
        if self.old_uncapped is not None and self.new_uncapped is not None:
            data["old_uncapped_level"] = int(self.old_uncapped[row])
            data["new_uncapped_level"] = int(self.new_uncapped[row])
        if self.gates is not None:
            data["gates"] = {gate.key: {"old": _status(gate.old, row), "new": _status(gate.new, row)}
                             for gate in self.gates}
        return data

    def take(self, rows: IntArray) -> ImpactColumns:
        """The columns of ``rows`` (in that order)."""
        def pick(array: Any) -> Any:
            return None if array is None else array[rows]

        return ImpactColumns(
            tuple(self.bases[k] for k in rows.tolist()), self.old[rows], self.new[rows], self.shift[rows],
            self.old_level[rows], self.new_level[rows], self.old_rank[rows], self.new_rank[rows],
            tuple(DirectionColumn(d.key, pick(d.old), pick(d.new), pick(d.old_level), pick(d.new_level),
                                  d.old_na[rows], d.new_na[rows]) for d in self.directions),
            pick(self.old_uncapped), pick(self.new_uncapped),
            None if self.gates is None else tuple(GateColumn(g.key, pick(g.old), pick(g.new))
                                                  for g in self.gates))


def _direction_fields(column: DirectionColumn, row: int) -> dict[str, Any]:
    old_na, new_na = bool(column.old_na[row]), bool(column.new_na[row])
    old = None if column.old is None or old_na else float(column.old[row])
    new = None if column.new is None or new_na else float(column.new[row])
    data: dict[str, Any] = {
        "old": old, "new": new, "shift": None if old is None or new is None else new - old,
        "old_level": None if old is None or column.old_level is None else int(column.old_level[row]),
        "new_level": None if new is None or column.new_level is None else int(column.new_level[row])}
    if old_na or new_na:
        data["na"] = "still_na" if old_na and new_na else "became_na" if new_na else "no_longer_na"
    return data


def _status(codes: IntArray | None, row: int) -> str | None:
    return None if codes is None else STATUS_NAMES[int(codes[row])]


class ImpactRows(Sequence["BaseImpact"]):
    """``RubricDiff.impact`` of a diff with profiles: a read-only sequence of :class:`BaseImpact`
    whose models are built (and kept) when asked for. It equals the tuple of those models, and a
    diff holding it dumps and writes JSON exactly as one holding that tuple."""

    def __init__(self, columns: ImpactColumns) -> None:
        self.columns = columns
        self._built: dict[int, BaseImpact] = {}

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, index: int) -> BaseImpact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BaseImpact]: ...

    def __getitem__(self, index: int | slice) -> BaseImpact | Sequence[BaseImpact]:
        if isinstance(index, slice):
            rows = np.arange(len(self))[index]
            return self if len(rows) == len(self) and index.step in (None, 1) else ImpactRows(
                self.columns.take(rows))
        row = range(len(self))[index]
        built = self._built.get(row)
        if built is None:
            from .results import BaseImpact  # (the models import this module)

            built = self._built[row] = BaseImpact.model_validate(self.columns.fields(row))
        return built

    def __iter__(self) -> Iterator[BaseImpact]:
        return (self[row] for row in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # (as the models: they hold dicts)

    def __repr__(self) -> str:
        return f"ImpactRows({len(self)} bases)"

    def dump(self) -> list[dict[str, Any]]:
        """Every row's ``model_dump``, from the arrays."""
        return [self.columns.fields(row) for row in range(len(self))]

    def json(self, indent: int | None, level: int) -> str:
        """The JSON list of every row's data (floats rounded) as :func:`~.._model.results.dumps`
        writes it at nesting ``level`` of a document."""
        return "".join(self.json_parts(indent, level))

    def json_parts(self, indent: int | None, level: int) -> Iterator[str]:
        """:meth:`json` in parts (their concatenation is it): ``PART_ROWS`` rows each."""
        rows = _row_texts(self.columns, indent, level + 1)
        if indent is None:
            first, between, last = "[", ", ", "]"
        else:
            between = "," + "\n" + " " * (indent * (level + 1))
            first, last = "[" + between[1:], "\n" + " " * (indent * level) + "]"
        yield first
        for start in range(0, len(rows), PART_ROWS):
            if start:
                yield between
            yield between.join(rows[start:start + PART_ROWS])
        yield last


# --- JSON from the arrays ------------------------------------------------------------------------

def _template(skeleton: Any, indent: int | None, level: int) -> tuple[str, list[int]]:
    """A %-template of ``skeleton`` (leaves: slot numbers as marker strings) as json.dumps writes
    it at nesting ``level`` (sorted keys), and the slots in the order they appear."""
    text = json.dumps(skeleton, sort_keys=True, ensure_ascii=False, indent=indent)
    if indent is not None:
        text = text.replace("\n", "\n" + " " * (indent * level))
    parts = _SLOT.split(text)
    literals, slots = parts[0::2], [int(slot) for slot in parts[1::2]]
    return "%s".join(literal.replace("%", "%%") for literal in literals), slots


def _slot(number: int) -> str:
    return f"\x00{number}\x00"


def _fill(template: tuple[str, list[int]], columns: Sequence[Sequence[str]]) -> list[str]:
    """One text per row: ``template`` with each slot taken from its column."""
    text, slots = template
    return [text % values for values in zip(*(columns[slot] for slot in slots))]


def _numbers(values: FloatArray, missing: BoolArray | None = None) -> list[str]:
    """JSON of floats rounded as ``rounded_data`` rounds them (``null``: missing or not finite).

    ``repr(round(x, 6))`` is the fixed-point text of x to 6 decimals without trailing zeros when
    it has at most 15 significant digits (it round-trips, and no shorter text does) and no
    exponent: so for 10⁻⁴ ≤ |x| < 10⁹ (and 0) the texts are made in one formatting call; other
    values (tiny, huge, not finite) go through ``round`` and ``repr`` one by one."""
    count = values.shape[0]
    fixed = _TRAILING.sub("", ("%.6f\n" * count) % tuple(values.tolist())).replace(".\n", ".0\n")
    shown = fixed.split("\n")[:count]
    size = np.abs(values)
    plain = ((size >= 2e-4) & (size < 1e9)) | ((values == 0) & ~np.signbit(values))
    for row in np.flatnonzero(~plain).tolist():
        x = float(values[row])
        shown[row] = repr(round(x, DECIMALS) + 0.0) if math.isfinite(x) else "null"
    if missing is not None:
        for row in np.flatnonzero(missing).tolist():
            shown[row] = "null"
    return shown


def _numbers_beside(values: FloatArray, missing: BoolArray, known: FloatArray, known_missing: BoolArray,
                    known_texts: list[str]) -> list[str]:
    """``_numbers(values, missing)``, where ``known_texts`` are the texts of ``known`` (missing
    where ``known_missing``): a row whose value equals its known one, missing alike, takes the
    known text (equal numbers have one text); only the other rows are formatted."""
    fresh = (values != known) | (missing != known_missing)
    rows = np.flatnonzero(fresh)
    if len(rows) > 0.75 * len(values):  # (most rows differ: formatting them all costs less)
        return _numbers(values, missing)
    texts = list(known_texts)
    for row, text in zip(rows.tolist(), _numbers(values[rows], missing[rows])):
        texts[row] = text
    return texts


def _integers(values: IntArray, missing: BoolArray | None = None) -> list[str]:
    count = int(values.shape[0])
    shown: list[str] = ("%d\n" * count % tuple(values.tolist())).split("\n")[:count]
    if missing is not None:
        for row in np.flatnonzero(missing).tolist():
            shown[row] = "null"
    return shown


def _direction_texts(column: DirectionColumn, indent: int | None, level: int) -> list[str]:
    """The JSON of one direction's shift for every base."""
    count = column.old_na.shape[0]
    none = ["null"] * count
    old_gone = column.old_na if column.old is not None else np.ones(count, dtype=bool)
    new_gone = column.new_na if column.new is not None else np.ones(count, dtype=bool)
    old = none if column.old is None else _numbers(column.old, old_gone)
    new = shift = none
    if column.new is not None and column.old is not None:  # (a direction the change leaves alone: its
        new = _numbers_beside(column.new, new_gone, column.old, old_gone, old)  # texts written once)
        gone = old_gone | new_gone
        shift = _numbers_beside(column.new - column.old, gone, np.zeros(count), gone, ["0.0"] * count)
    elif column.new is not None:
        new = _numbers(column.new, new_gone)
    old_level = none if column.old_level is None else _integers(column.old_level, old_gone)
    new_level = none if column.new_level is None else _integers(column.new_level, new_gone)
    fields = [old, new, shift, old_level, new_level]
    names = ("old", "new", "shift", "old_level", "new_level")
    plain = _template({name: _slot(k) for k, name in enumerate(names)}, indent, level)
    texts = _fill(plain, fields)
    marked = np.flatnonzero(column.old_na | column.new_na).tolist()
    if marked:
        with_na = _template({**{name: _slot(k) for k, name in enumerate(names)}, "na": _slot(5)},
                            indent, level)
        na = ['"still_na"' if o and w else '"became_na"' if w else '"no_longer_na"'
              for o, w in zip(column.old_na[marked].tolist(), column.new_na[marked].tolist())]
        picked = [[field[row] for row in marked] for field in fields]
        for row, text in zip(marked, _fill(with_na, [*picked, na])):
            texts[row] = text
    return texts


def _row_texts(columns: ImpactColumns, indent: int | None, level: int) -> list[str]:
    """The JSON of every row, at nesting ``level``."""
    names: list[str] = ["base", "old", "new", "shift", "old_level", "new_level", "old_rank", "new_rank",
                        "rank_change"]
    fields: list[Sequence[str]] = [
        [encode_basestring(base) for base in columns.bases],
        _numbers(columns.old), _numbers(columns.new), _numbers(columns.shift),
        _integers(columns.old_level), _integers(columns.new_level), _integers(columns.old_rank),
        _integers(columns.new_rank), _integers(columns.old_rank - columns.new_rank)]
    skeleton: dict[str, Any] = {name: _slot(k) for k, name in enumerate(names)}
    skeleton["directions"] = {}
    for column in columns.directions:
        skeleton["directions"][column.key] = _slot(len(fields))
        fields.append(_direction_texts(column, indent, level + 2))
    if columns.old_uncapped is not None and columns.new_uncapped is not None:
        skeleton["old_uncapped_level"] = _slot(len(fields))
        skeleton["new_uncapped_level"] = _slot(len(fields) + 1)
        fields.extend([_integers(columns.old_uncapped), _integers(columns.new_uncapped)])
    if columns.gates is not None:
        skeleton["gates"] = {}
        for gate in columns.gates:
            skeleton["gates"][gate.key] = {"old": _slot(len(fields)), "new": _slot(len(fields) + 1)}
            fields.extend([_statuses(gate.old, len(columns)), _statuses(gate.new, len(columns))])
    return _fill(_template(skeleton, indent, level), fields)


def _statuses(codes: IntArray | None, count: int) -> list[str]:
    if codes is None:
        return ["null"] * count
    names = [json.dumps(name) for name in STATUS_NAMES]
    return [names[code] for code in codes.tolist()]
