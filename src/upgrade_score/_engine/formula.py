"""Formulas evaluated over every base at once, and solved for one operand (gap analysis)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .._model.formula import BinaryOp, Expr, Name, Number, Unary, operands

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --- evaluation -----------------------------------------------------------------------------------


def _row_count(columns: Mapping[str, npt.ArrayLike]) -> int:
    lengths = {np.shape(column) for column in columns.values()}
    if not lengths:
        raise ValueError("evaluate needs at least one column to know the number of rows")
    if len(lengths) > 1 or len(next(iter(lengths))) != 1:
        raise ValueError(f"columns must be 1-D and of one length, got shapes {sorted(lengths)}")
    return int(next(iter(lengths))[0])


def _binary(op: BinaryOp, left: FloatArray, right: FloatArray) -> tuple[FloatArray, BoolArray]:
    """One vectorised operation and where it divided by zero (the value there is NaN)."""
    if op == "/":
        divide_by_zero = right == 0
        return np.where(divide_by_zero, np.nan, left / right), divide_by_zero
    result = left + right if op == "+" else left - right if op == "-" else left * right
    return result, np.zeros(len(result), dtype=np.bool_)


def _eval(expr: Expr, columns: Mapping[str, npt.ArrayLike], n: int) -> tuple[FloatArray, BoolArray]:
    """Values and 'a denominator was 0' flags; errors are suppressed by the caller's errstate."""
    if isinstance(expr, Number):
        return np.full(n, float(expr.value)), np.zeros(n, dtype=np.bool_)
    if isinstance(expr, Name):
        if expr.id not in columns:
            raise KeyError(f"no column for input '{expr.id}'")
        return np.asarray(columns[expr.id], dtype=np.float64), np.zeros(n, dtype=np.bool_)
    if isinstance(expr, Unary):
        value, zero = _eval(expr.operand, columns, n)
        return (-value if expr.op == "-" else value), zero
    left, left_zero = _eval(expr.left, columns, n)
    right, right_zero = _eval(expr.right, columns, n)
    value, zero = _binary(expr.op, left, right)
    return value, left_zero | right_zero | zero


def evaluate(expr: Expr, columns: Mapping[str, npt.ArrayLike]) -> tuple[FloatArray, BoolArray]:
    """Evaluate over all N rows at once; return (values float64 (N,), zero_division bool (N,)).

    A row's value is NaN exactly when an operand is missing (NaN) or a denominator is 0; then
    `zero_division` is True if no operand was missing (missing takes precedence). Results that
    overflow are returned as +-inf (callers treat them as out of range); a row whose overflowed
    intermediates give NaN (inf - inf, 0 * inf, inf / inf) is returned as +inf so that NaN always
    means missing. All columns must be 1-D of one length N; a referenced id without a column is a
    KeyError. No numpy warnings are emitted.
    """
    n = _row_count(columns)
    with np.errstate(all="ignore"):
        values, zero = _eval(expr, columns, n)
        missing = np.zeros(n, dtype=np.bool_)
        for name in operands(expr):
            missing |= np.isnan(np.asarray(columns[name], dtype=np.float64))
        zero_division = zero & ~missing
        overflowed = np.isnan(values) & ~missing & ~zero_division
        values = np.where(overflowed, np.inf, values)
    return values.astype(np.float64), zero_division


Scalar = Callable[[Mapping[str, float]], tuple[float, bool]]


def scalar_function(expr: Expr) -> Scalar:
    """:func:`_eval` of ``expr`` for one row, on Python floats (the same IEEE operations, so the
    same bits), as a function of the row's columns, returning (value, whether a denominator was
    0). The tree is walked once, into the source of a function of straight-line code (a
    temporary per node, in the order :func:`_eval` evaluates them), not on every call: a formula
    is evaluated many times for one base. Its text holds only generated names, and operand ids
    and numbers as literals or constants."""
    lines: list[str] = []
    constants: dict[str, Any] = {}
    result = _emit(expr, lines, constants)
    body = "".join(f"    {line}\n" for line in lines)
    source = f"def scalar(c):\n    z = False\n{body}    return {result}, z\n"
    namespace: dict[str, Any] = {"_nan": math.nan, "_inf": math.inf, "_copysign": math.copysign,
                                 **constants}
    exec(compile(source, "<formula>", "exec"), namespace)  # (our own generated text)
    function: Scalar = namespace["scalar"]
    return function


def _emit(expr: Expr, lines: list[str], constants: dict[str, Any]) -> str:
    """Append the lines that compute ``expr`` (its operands first, left to right) and return the
    name or expression that holds its value; a division by 0 gives NaN and sets ``z``."""
    if isinstance(expr, Number):
        constant = f"k{len(constants)}"
        constants[constant] = float(expr.value)
        return constant
    if isinstance(expr, Name):
        target = f"t{len(lines)}"
        lines.append(f"{target} = float(c[{expr.id!r}])")
        return target
    if isinstance(expr, Unary):
        inner = _emit(expr.operand, lines, constants)
        return f"(-{inner})" if expr.op == "-" else inner
    left = _emit(expr.left, lines, constants)
    right = _emit(expr.right, lines, constants)
    target = f"t{len(lines)}"
    if expr.op != "/":
        operator = expr.op if expr.op in ("+", "-") else "*"  # (as _binary reads it)
        lines.append(f"{target} = {left} {operator} {right}")
        return target
    lines.extend([f"if {right} == 0:", f"    {target} = _nan", "    z = True", "else:", "    try:",
                  f"        {target} = {left} / {right}",
                  "    except OverflowError:  # (numpy gives ±inf)",
                  f"        {target} = _copysign(_inf, {left}) * _copysign(1.0, {right})"])
    return target


def evaluate_row(expr: Expr | Scalar, columns: Mapping[str, float],
                 names: tuple[str, ...]) -> tuple[float, bool]:
    """:func:`evaluate` for one base (``names``: the formula's operands): its value and whether a
    denominator was 0, by the same rules (a missing operand takes precedence; overflow → inf).
    ``expr`` may be given as its :func:`scalar_function` (made once for many rows)."""
    value, zero = (expr if callable(expr) else scalar_function(expr))(columns)
    missing = any(math.isnan(columns[name]) for name in names)
    zero_division = zero and not missing
    if math.isnan(value) and not missing and not zero_division:
        value = math.inf
    return value, zero_division


# --- solving for one input ------------------------------------------------------------------------

_PROBE_SETS = ((1.0, 2.0, 5.0), (0.37, 1.91, 6.53))
_AFFINE_TOLERANCE = 1e-9
_ROUNDING = 64 * sys.float_info.epsilon


Value = Callable[[float], float]  # the formula's value at one input's value, the others held


def _value_at(function: Scalar, name: str, others: Mapping[str, float]) -> Value:
    """The formula's value as a function of input ``name``, the ``others`` held: what
    :func:`evaluate_row` gives for the row ``{**others, name: x}``, except that a NaN is not
    turned into +inf (the solver asks only whether a value is finite, and either is not). The
    row is made once and only ``name`` changes in it: a solve evaluates the formula some seven
    times."""
    row = {**others, name: math.nan}

    def value(x: float) -> float:
        row[name] = x
        return function(row)[0]

    return value


def _probe(value: Value, xs: tuple[float, ...]) -> list[float] | None:
    """f at the points xs, or None if any value is not finite (Python floats: three numbers cost
    less than numpy calls)."""
    values = [value(float(x)) for x in xs]
    return values if all(math.isfinite(v) for v in values) else None


def _affine_root(us: tuple[float, ...], fs: list[float], target: float) -> tuple[float, float] | None:
    """If f is affine in u (third point checks to 1e-9 relative; three points ``us``, Python
    floats): the u with f(u) = target, and the size of its rounding error (so a root
    indistinguishable from 0 can be recognised)."""
    (u0, u1, u2), (f0, f1, f2) = us, fs  # (three points: unpacked, Python floats throughout)
    slope = (f1 - f0) / (u1 - u0)
    predicted = f0 + slope * (u2 - u0)
    scale = max(abs(target), abs(f0), abs(f1), abs(f2), 1e-300)
    if slope == 0 or abs(predicted - f2) > _AFFINE_TOLERANCE * scale:
        return None
    noise = _ROUNDING * (scale / abs(slope) + max(abs(u0), abs(u1), abs(u2)))
    return float(u0 + (target - f0) / slope), noise


def _candidates(value: Value, target: float, probe_sets: tuple[tuple[float, ...], ...]) -> Iterator[float]:
    """Solutions assuming f affine in the input, then assuming f affine in its inverse."""
    for xs in probe_sets:
        yield from _roots(value, xs, target)


def _roots(value: Value, xs: tuple[float, ...], target: float) -> Iterator[float]:
    """From f at the three points ``xs`` (none if a value there is not finite): the root
    assuming f affine in the input, then the one assuming f affine in its inverse."""
    fs = _probe(value, xs)
    if fs is None:
        return
    root = _affine_root(xs, fs, target)
    if root is not None:
        yield root[0]
    inverse = _affine_root((1 / xs[0], 1 / xs[1], 1 / xs[2]), fs, target)
    if inverse is not None and abs(inverse[0]) > inverse[1]:
        yield 1 / inverse[0]  # 1/name ~ 0: the target is the asymptote, never reached


def _refined(value: Value, target: float, x: float) -> Iterator[float]:
    """Re-solve with probes at the scale of a first answer x (better conditioned), then x itself."""
    if x != 0 and math.isfinite(x):
        yield from _roots(value, (x, 2 * x, 5 * x), target)
    yield x


def _meets(value: Value, x: float, target: float) -> bool:
    found = value(x)
    return math.isfinite(found) and abs(found - target) <= 1e-9 * max(1.0, abs(target))


def solve_for(expr: Expr, name: str, target: float, others: Mapping[str, float], *,
              function: Scalar | None = None, names: tuple[str, ...] | None = None) -> float | None:
    """The value of input `name` at which the formula equals `target`, the other inputs held.

    Works when the formula is affine in `name` (a*x + b) or in 1/`name` (a/x + b), detected
    numerically and verified by evaluating at the answer. None if `name` is not an operand, the
    formula is of neither form, or no finite solution exists. Other operands must be in `others`.
    ``function`` and ``names``: the formula's :func:`scalar_function` and operands, when the
    caller has them already.
    """
    if name not in (operands(expr) if names is None else names) or not math.isfinite(target):
        return None
    held = {k: v for k, v in others.items() if k != name}
    value = _value_at(scalar_function(expr) if function is None else function, name, held)
    for first in _candidates(value, target, _PROBE_SETS):
        for x in _refined(value, target, first):
            if math.isfinite(x) and _meets(value, x, target):
                return x
    return None
