"""Numbers as people write them in a cell: what is accepted, and what is refused with the fix."""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata
from typing import Any

from ..._model.derived import Input
from ..._model.label import text_in
from ..._model.profile import YEARS
from .sheet import (
    DECIMAL_COMMA,
    LEADING_NUMBER,
    MISSING_WORDS,
    NA_CELL_WORDS,
    NONE_WORDS,
    NUMBER,
    SPACED,
    THOUSANDS,
    YEAR,
    _fold,
    _shown,
)
from .workbook import _text


class _Bad(Exception):
    """A cell that cannot be read: the message says why and how to fix it."""


def cell_number(raw: float, number_format: str) -> tuple[float, bool]:
    """A number a spreadsheet stored, and whether its cell was percent-formatted (Excel stores
    35 % as 0.35: that gives 35); not finite is refused."""
    number = float(raw)
    if not math.isfinite(number):
        raise _Bad(f"must be a finite number, got {raw}")
    if "%" in number_format:
        return float(_shown(number * 100)), True
    return number, False



def _parse_number(text: str, shown: str, unit: str | None) -> float:
    """A number written by a person: ``1,200`` and full-width digits are fine; say what is not."""
    if NUMBER.fullmatch(text):
        number = float(text)
    elif THOUSANDS.fullmatch(text):
        number = float(text.replace(",", ""))
    elif DECIMAL_COMMA.fullmatch(text):
        raise _Bad(f"'{shown}' has a decimal comma: write {text.replace(',', '.')} "
                   "(commas are read only as thousands separators, as in 1,200)")
    elif SPACED.fullmatch(text):
        raise _Bad(f"'{shown}' has spaces inside the number: write {text.replace(' ', '')}")
    elif _has_text_beside(text):
        in_unit = f" (in {unit})" if unit else ""
        raise _Bad(f"'{shown}' has text beside the number: enter the number only{in_unit}")
    else:
        raise _Bad(f"'{shown}' is not a number")
    if not math.isfinite(number):
        raise _Bad(f"'{shown}' is too large")
    return number


def base_year(raw: Any, text: str) -> int | None:
    """A base's year from its cell (``text``: the cell as text), or None when it is not one
    (a whole number from 1900 to 2100, ``2024年`` and full-width digits too)."""
    match = YEAR.fullmatch(unicodedata.normalize("NFKC", text))
    if (isinstance(raw, float) and not raw.is_integer()) or match is None \
            or not YEARS[0] <= int(match.group(1)) <= YEARS[1]:
        return None
    return int(match.group(1))


def _has_text_beside(text: str) -> bool:
    match = LEADING_NUMBER.match(text)
    return match is not None and match.group(0) != text


def _confidence(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _Bad(f"must be a number from 0 to 1, got {_text(raw)}")
    shown = _text(raw)
    if isinstance(raw, str):
        folded = _fold(raw)
        percent = folded.endswith("%")
        number = _parse_number(folded.removesuffix("%").strip(), shown, None)
        if percent:
            number = float(_shown(number / 100))
    else:
        number = float(raw)
    if not (math.isfinite(number) and 0 <= number <= 1):
        hint = f" (write {_shown(number / 100)} for {shown} %)" if 1 < number <= 100 else ""
        raise _Bad(f"must be from 0 to 1, got {shown}{hint}")
    return number


def input_number(item: Input, raw: Any, number_format: str) -> float:
    """A cell as the value of an input (a number in its unit, within its valid range)."""
    unit = text_in(item.unit)
    in_unit = f" (unit: {unit})" if unit else ""
    if isinstance(raw, (bool, _dt.date, _dt.time, _dt.timedelta)):
        raise _Bad(f"expected a number{in_unit}, got {_text(raw)}")
    if isinstance(raw, (int, float)):
        number, _ = cell_number(raw, number_format)
    else:
        folded = _fold(str(raw))
        if folded in MISSING_WORDS or folded in NONE_WORDS or folded in NA_CELL_WORDS:
            raise _Bad(f"'{str(raw).strip()}' is not a value: leave the cell blank if there is no "
                       "figure (or enter 0 if it is zero)")
        number = _parse_number(folded, str(raw).strip(), unit)
    if item.valid_range is not None:
        low, high = item.valid_range
        if not low <= number <= high:
            shown_unit = f" {unit}" if unit else ""
            raise _Bad(f"{_shown(number)} is outside {_shown(low)}–{_shown(high)}{shown_unit}")
    return number
