"""Shared test helper: parse JSON while checking that it is in the package's canonical form."""

from __future__ import annotations

import json
from typing import Any


def check_sorted_and_rounded(node: Any) -> None:
    if isinstance(node, dict):
        return  # every dict was checked by the object_pairs_hook as it was parsed
    if isinstance(node, list):
        for item in node:
            check_sorted_and_rounded(item)
    elif isinstance(node, float):
        assert round(node, 6) == node, node


def load_checked(text: str) -> Any:
    """Parse ``text``, asserting sorted keys everywhere and floats rounded to 6 decimals."""
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys), keys
        for _, value in pairs:
            check_sorted_and_rounded(value)
        return dict(pairs)

    return json.loads(text, object_pairs_hook=hook)
