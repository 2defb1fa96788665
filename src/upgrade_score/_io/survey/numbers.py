"""Numbers as people write them in a cell: what is accepted, and what is refused with the fix."""

from __future__ import annotations

import math
from typing import Any

from .sheet import DECIMAL_COMMA, LEADING_NUMBER, NUMBER, SPACED, THOUSANDS, _fold, _shown
from .workbook import _text


class _Bad(Exception):
    """A cell that cannot be read: the message says why and how to fix it."""



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
