"""Formulas of derived indicators (design point 12): parsed into a small expression tree.

Grammar (nothing else is accepted; text is parsed, never passed to Python's eval/ast)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := ('-' | '+') unary | primary
    primary := NUMBER | NAME | '(' expr ')'
    NUMBER  := digits with optional decimals and exponent: 12, 0.5, .5, 1e3, 2.5E-4
    NAME    := [A-Za-z][A-Za-z0-9_]*

Formulas are at most 2000 characters and 100 levels deep.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

MAX_LENGTH = 2000
MAX_DEPTH = 100
ALLOWED = "formulas allow numbers, input ids, + - * / and parentheses"

class FormulaError(ValueError):
    """A formula that cannot be parsed; `position` is the 0-based column, shown 1-based in str()."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"column {position + 1}: {message}")
        self.position = position
        self.message = message


# --- expression tree ------------------------------------------------------------------------------

BinaryOp: TypeAlias = Literal["+", "-", "*", "/"]
UnaryOp: TypeAlias = Literal["-", "+"]
_BINARY_OPS: dict[str, BinaryOp] = {"+": "+", "-": "-", "*": "*", "/": "/"}
_UNARY_OPS: dict[str, UnaryOp] = {"-": "-", "+": "+"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_ATOM = 3


@dataclass(frozen=True)
class Number:
    """A numeric literal."""

    value: float

    @property
    def names(self) -> tuple[str, ...]:
        return ()

    def __str__(self) -> str:
        return repr(float(self.value)).removesuffix(".0")


@dataclass(frozen=True)
class Name:
    """A reference to an input id."""

    id: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id,)

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class Unary:
    """Unary minus or plus."""

    op: UnaryOp
    operand: Expr

    @property
    def names(self) -> tuple[str, ...]:
        return operands(self)

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"{self.op}{inner}" if _level(self.operand) == _ATOM else f"{self.op}({inner})"


@dataclass(frozen=True)
class Binary:
    """A binary operation; `+ - * /` are left-associative."""

    op: BinaryOp
    left: Expr
    right: Expr

    @property
    def names(self) -> tuple[str, ...]:
        return operands(self)

    def __str__(self) -> str:
        level = _PRECEDENCE[self.op]
        left, right = str(self.left), str(self.right)
        if _level(self.left) < level:
            left = f"({left})"
        if _level(self.right) <= level:
            right = f"({right})"
        return f"{left} {self.op} {right}"


Expr: TypeAlias = Number | Name | Unary | Binary


def _level(expr: Expr) -> int:
    """Binding strength of a node when printed; negative numbers print as a unary minus."""
    if isinstance(expr, Binary):
        return _PRECEDENCE[expr.op]
    if isinstance(expr, Number) and str(expr).startswith("-"):
        return _PRECEDENCE["*"]
    return _ATOM


def _walk_names(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Name):
        yield expr.id
    elif isinstance(expr, Unary):
        yield from _walk_names(expr.operand)
    elif isinstance(expr, Binary):
        yield from _walk_names(expr.left)
        yield from _walk_names(expr.right)


def operands(expr: Expr) -> tuple[str, ...]:
    """Input ids referenced by the formula, each once, in order of first appearance."""
    return tuple(dict.fromkeys(_walk_names(expr)))


# --- tokenizer ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MULTI_CHAR_BAD = ("**", "//", "==", "!=", "<=", ">=", "&&", "||", "<>")

TokenKind = Literal["num", "name", "op", "(", ")", "bad", "end"]


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    position: int


def _token_at(text: str, i: int) -> _Token:
    """The token starting at column i (which is not whitespace)."""
    number = _NUMBER.match(text, i)
    if number:
        return _Token("num", number.group(), i)
    name = _NAME.match(text, i)
    if name:
        return _Token("name", name.group(), i)
    for bad in _MULTI_CHAR_BAD:
        if text.startswith(bad, i):
            return _Token("bad", bad, i)
    char = text[i]
    if char in "+-*/":
        return _Token("op", char, i)
    if char in "()":
        return _Token("(" if char == "(" else ")", char, i)
    return _Token("bad", char, i)


def _tokenize(text: str) -> list[_Token]:
    """Split into tokens; unknown characters become 'bad' tokens that the parser reports in order."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        token = _token_at(text, i)
        tokens.append(token)
        i += len(token.text)
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- parser ---------------------------------------------------------------------------------------


class _Parser:
    """Recursive-descent parser; each method returns (node, tree depth)."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.name_positions: dict[str, int] = {}

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def unexpected(self, expected: str = "") -> FormulaError:
        token = self.token
        if token.kind == "end":
            return FormulaError(token.position, f"expected {expected or 'more'}, found end of formula")
        detail = ""
        if token.kind == "(" and self.index > 0 and self.tokens[self.index - 1].kind == "name":
            detail = " (function calls are not allowed)"
        return FormulaError(token.position, f"unexpected '{token.text}'{detail}; {ALLOWED}")

    @staticmethod
    def check_depth(depth: int, token: _Token) -> None:
        if depth > MAX_DEPTH:
            raise FormulaError(token.position, f"formula is nested too deeply (more than {MAX_DEPTH} levels)")

    def parse(self) -> Expr:
        if self.token.kind == "end":
            raise FormulaError(0, "formula is empty")
        node, _ = self.expr(0)
        if self.tokens[self.index].kind != "end":
            raise self.unexpected()
        return node

    def expr(self, nesting: int) -> tuple[Expr, int]:
        node, depth = self.term(nesting)
        while self.token.kind == "op" and self.token.text in "+-":
            op = self.advance()
            right, right_depth = self.term(nesting)
            depth = max(depth, right_depth) + 1
            self.check_depth(depth, op)
            node = Binary(_BINARY_OPS[op.text], node, right)
        return node, depth

    def term(self, nesting: int) -> tuple[Expr, int]:
        node, depth = self.unary(nesting)
        while self.token.kind == "op" and self.token.text in "*/":
            op = self.advance()
            right, right_depth = self.unary(nesting)
            depth = max(depth, right_depth) + 1
            self.check_depth(depth, op)
            node = Binary(_BINARY_OPS[op.text], node, right)
        return node, depth

    def unary(self, nesting: int) -> tuple[Expr, int]:
        self.check_depth(nesting + 1, self.token)
        if self.token.kind == "op" and self.token.text in "+-":
            op = self.advance()
            operand, depth = self.unary(nesting + 1)
            return Unary(_UNARY_OPS[op.text], operand), depth + 1
        return self.primary(nesting)

    def primary(self, nesting: int) -> tuple[Expr, int]:
        token = self.token
        if token.kind == "num":
            self.advance()
            return _number(token), 1
        if token.kind == "name":
            self.advance()
            self.name_positions.setdefault(token.text, token.position)
            return Name(token.text), 1
        if token.kind == "(":
            self.advance()
            node, depth = self.expr(nesting + 1)
            closing = self.token
            if closing.kind == "end":
                raise FormulaError(closing.position, f"missing ')' for '(' at column {token.position + 1}")
            if closing.kind != ")":
                raise self.unexpected()
            self.advance()
            return node, depth
        raise self.unexpected("a number, input id or '('")


def _number(token: _Token) -> Number:
    value = float(token.text)
    if not math.isfinite(value):
        raise FormulaError(token.position, f"number {token.text} is too large (not finite)")
    return Number(value)


def _unknown_name_error(name: str, position: int, known: Collection[str]) -> FormulaError:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return FormulaError(position, f"unknown input '{name}'{hint}")


def parse(text: str, known: Collection[str] | None = None) -> Expr:
    """Parse a formula; with `known`, the first id not in it is an error (with a suggestion)."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(MAX_LENGTH, f"formula is longer than {MAX_LENGTH} characters")
    parser = _Parser(text)
    tree = parser.parse()
    if known is not None:
        for name, position in parser.name_positions.items():
            if name not in known:
                raise _unknown_name_error(name, position, known)
    return tree
