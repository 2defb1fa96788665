"""The AHP maths (design point 14): weights, λ_max, CI, CR and worst comparisons of pairwise
matrices, and the problems of matrices that cannot be used (located by the path of the entry)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upgrade_score._model.ahp import RANDOM_INDEX, AhpResult, ahp_weights, matrix_problems

TEXTBOOK: list[list[float]] = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]


def consistent(w: list[float]) -> list[list[float]]:
    return [[wi / wj for wj in w] for wi in w]


def power_lambda(a: list[list[float]], iterations: int = 200) -> tuple[list[float], float]:
    """Independent check: power iteration for the principal eigenpair."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(iterations):
        v = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        total = sum(v)
        w = [x / total for x in v]
    aw = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
    return w, sum(aw[i] / w[i] for i in range(n)) / n


def test_random_index_table() -> None:
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def test_textbook_3x3() -> None:
    r = ahp_weights(TEXTBOOK)
    assert [round(x, 3) for x in r.weights] == [0.648, 0.230, 0.122]
    assert math.isclose(sum(r.weights), 1.0, rel_tol=1e-12)
    w, lam = power_lambda(TEXTBOOK)
    assert r.lambda_max == pytest.approx(lam, rel=1e-9)
    assert r.weights == pytest.approx(w, rel=1e-9)
    ci = (lam - 3) / 2
    assert r.ci == pytest.approx(ci, rel=1e-6)
    assert r.cr == pytest.approx(ci / 0.58, rel=1e-6)
    assert round(r.cr, 3) == 0.003


def test_consistent_matrix_exact() -> None:
    w = [0.5, 0.25, 0.15, 0.1]
    r = ahp_weights(consistent(w))
    assert r.weights == pytest.approx(w, abs=1e-12)
    assert r.lambda_max == pytest.approx(4.0, abs=1e-9)
    assert abs(r.cr) < 1e-9
    assert r.worst == ()


def test_n1() -> None:
    assert ahp_weights([[1]]) == AhpResult(weights=(1.0,), lambda_max=1.0, ci=0.0, cr=0.0, worst=())


def test_n2() -> None:
    r = ahp_weights([[1, 3], [1 / 3, 1]])
    assert r.weights == pytest.approx((0.75, 0.25), abs=1e-12)
    assert r.cr == 0.0
    assert r.ci == pytest.approx(0.0, abs=1e-12)


def test_inconsistent_4x4_worst_is_planted_pair() -> None:
    m = consistent([0.4, 0.3, 0.2, 0.1])
    m[0][3], m[3][0] = 1 / 9, 9.0  # should be 4: the judgement is reversed and exaggerated
    r = ahp_weights(m)
    assert r.cr > 0.1
    assert r.worst[0][:2] == (0, 3)
    assert len(r.worst) == 3
    assert r.worst[0][2] >= r.worst[1][2] >= r.worst[2][2]


def test_deterministic() -> None:
    m = consistent([0.4, 0.3, 0.2, 0.1])
    m[1][2], m[2][1] = 5.0, 0.2
    assert ahp_weights(m) == ahp_weights(m)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=20.0), min_size=1, max_size=10))
def test_consistent_recovers_weights(raw: list[float]) -> None:
    total = sum(raw)
    w = [x / total for x in raw]
    r = ahp_weights(consistent(w))
    assert r.weights == pytest.approx(w, rel=1e-9, abs=1e-12)
    assert r.cr < 1e-9


# --- validation -------------------------------------------------------------------------------------


def test_valid_matrix_has_no_problems() -> None:
    assert matrix_problems(TEXTBOOK) == []


@pytest.mark.parametrize("bad", [None, 3, "abc", {"a": 1}])
def test_not_a_list(bad: object) -> None:
    [(path, message)] = matrix_problems(bad)
    assert path == () and message == "must be a list of rows (one per compared item)"


def test_row_not_a_list() -> None:
    [(path, message)] = matrix_problems([[1, 2], 3])
    assert path == (1,) and "list of numbers" in message


def test_empty() -> None:
    [(path, message)] = matrix_problems([])
    assert path == () and "at least 1" in message


def test_too_large() -> None:
    [(path, message)] = matrix_problems(consistent([1.0] * 11))
    assert path == () and "11 rows" in message and "at most 10" in message


def test_not_square() -> None:
    [(path, message)] = matrix_problems([[1, 2, 3], [0.5, 1], [1 / 3, 1, 1]])
    assert path == (1,) and message == "has 2 entries; the matrix must be square (3×3)"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (0, "positive"),
        (-2, "positive"),
        ("3", "number"),
        (True, "number"),
        (None, "number"),
    ],
)
def test_bad_entry(value: object, words: str) -> None:
    m: list[list[object]] = [[1, 2], [0.5, 1]]
    m[0][1] = value
    problems = matrix_problems(m)
    assert problems == [((0, 1), problems[0][1])]
    assert problems[0][1].startswith("must be ") and words in problems[0][1]


def test_diagonal_not_one() -> None:
    [(path, message)] = matrix_problems([[1, 2], [0.5, 2]])
    assert path == (1, 1) and "must be 1" in message


def test_not_reciprocal_reported_once_with_fix() -> None:
    m = [[1, 3, 5], [1 / 3, 1, 2], [0.25, 0.5, 1]]
    assert matrix_problems(m) == [((0, 2), "is 5 but pairwise[2][0] is 0.25: it must be 1/5 (0.2)")]


def test_reciprocal_tolerance() -> None:
    assert matrix_problems([[1, 3], [0.3333333, 1]]) == []  # 3 * 0.3333333 is 1 within 1e-6
    assert len(matrix_problems([[1, 3], [0.333, 1]])) == 1


def test_several_problems_all_reported() -> None:
    problems = matrix_problems([[1, -1, 2], [1, 1, 3], [0.5, 0.5, 1]])
    assert [p for p, _ in problems] == [(0, 1), (1, 2)]


def test_ahp_weights_rejects_invalid() -> None:
    with pytest.raises(ValueError, match=r"^is 2 but pairwise\[1\]\[0\] is 2: it must be 1/2 \(0.5\)$"):
        ahp_weights([[1, 2], [2, 1]])
