"""Gates (basic requirements, 基本要求): each base's status per gate, and the levels they cap.

A gate is ``passed`` when its indicator's value meets the condition (within 1e-9), ``failed``
when it does not, ``unknown`` when the value is missing (no evidence, no pass) and
``n/a`` when the indicator does not apply to the base. A gate that is failed or unknown caps the
level of its scope (the overall level, or one direction's) at ``caps``; gates never change scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .compile import AT_LEAST, AT_MOST, BoolArray, CompiledGate, CompiledRubric, FloatArray, IntArray

PASSED, FAILED, UNKNOWN, NOT_APPLICABLE = 0, 1, 2, 3
STATUS_NAMES = ("passed", "failed", "unknown", "n/a")
TOLERANCE = 1e-9

StatusArray = npt.NDArray[np.int8]


def gate_status(rubric: CompiledRubric, values: FloatArray,
                applies: Sequence[BoolArray] | BoolArray) -> StatusArray:
    """Status codes (N, G) of every gate for every base (``applies[g]``: (N,), where gate g's
    indicator applies; a (G, N) array or a sequence of G arrays)."""
    status = np.full((len(rubric.gates), values.shape[0]), FAILED, dtype=np.int8)
    for g, gate in enumerate(rubric.gates):  # each code overrides the ones before it
        value, code = values[:, gate.column], status[g]
        code[meets(gate, value)] = PASSED
        code[np.isnan(value)] = UNKNOWN
        code[~applies[g]] = NOT_APPLICABLE
    return np.ascontiguousarray(status.T)


def meets(gate: CompiledGate, values: FloatArray) -> BoolArray:
    """Where values meet the gate's condition, within 1e-9 (False where missing)."""
    with np.errstate(invalid="ignore"):
        if gate.condition == AT_LEAST:
            met: BoolArray = values >= gate.value - TOLERANCE
        elif gate.condition == AT_MOST:
            met = values <= gate.value + TOLERANCE
        else:
            met = np.abs(values - gate.value) <= TOLERANCE
    return met


def meets_value(gate: CompiledGate, value: float) -> bool:
    """:func:`meets` of one value (a Python float; NaN: False)."""
    if gate.condition == AT_LEAST:
        return value >= gate.value - TOLERANCE
    if gate.condition == AT_MOST:
        return value <= gate.value + TOLERANCE
    return abs(value - gate.value) <= TOLERANCE


def capping(status: StatusArray) -> BoolArray:
    """Where a gate caps its scope: failed, or unknown (no evidence, no pass). Any shape."""
    blocked: BoolArray = (status == FAILED) | (status == UNKNOWN)
    return blocked


def cap_levels(rubric: CompiledRubric, status: StatusArray, direction_levels: IntArray,
               overall_level: IntArray) -> tuple[IntArray, IntArray]:
    """Direction levels (N, D) and overall levels (N,) after the caps of gates not passed.

    N/A directions (level -1) stay N/A."""
    directions = direction_levels.copy()
    overall = overall_level.copy()
    blocked = capping(status)
    for g, gate in enumerate(rubric.gates):
        if gate.scope < 0:
            np.minimum(overall, gate.caps, out=overall, where=blocked[:, g])
        else:
            column = directions[:, gate.scope]  # (a view: capped in place)
            np.minimum(column, gate.caps, out=column, where=blocked[:, g] & (column >= 0))
    return directions, overall
