"""Inputs as an attacker or a careless export writes them: huge, odd or hostile cells and files.

Each gives a clean located error (exit 2) or the right values, and the work is bounded by what the
input costs, not by what it looks like. Time bounds are generous (the work takes well under a
second; before the fixes it took minutes): they catch quadratic work, not slow machines.
"""

from __future__ import annotations

import csv
import io
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from upgrade_score import UpgradeScoreError, load_profiles, write_template

openpyxl = pytest.importorskip("openpyxl")


class _TooSlow(Exception):
    pass


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail if the block runs longer than ``seconds`` (it is interrupted, not waited for)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        pytest.skip("needs SIGALRM in the main thread")

    def interrupt(*_: Any) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TooSlow:
        pytest.fail(f"took longer than {seconds} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(UpgradeScoreError) as info:
        load_profiles(path, **kwargs)
    return [str(problem) for problem in info.value.problems]


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def fill_csv(path: Path, cells: dict[str, str]) -> None:
    rows = csv_rows(path)
    for row in rows:
        if row and row[0] in cells:
            row[3] = cells[row[0]]
    write_csv_rows(path, rows)


# --- plain CSV tables: linear work ---------------------------------------------------------------

def test_a_csv_header_of_100k_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    columns = [f"c{k}" for k in range(100_000)]
    path.write_text("id," + ",".join(columns) + ",c7\n", encoding="utf-8")
    with within(10):
        assert problems_of(path) == [f"{path}:1: duplicate column 'c7'"]
    path.write_text("id," + ",".join(columns) + "\n", encoding="utf-8")
    with within(10):
        assert problems_of(path) == [f"{path}: no base profiles found"]


def test_a_csv_row_with_a_million_trailing_commas(tmp_path: Path) -> None:
    path = tmp_path / "commas.csv"
    path.write_text("id,rd_intensity\nb1,1.5" + "," * 1_000_000 + "\nb2,2\n", encoding="utf-8")
    with within(10):
        b1, b2 = load_profiles(path)
    assert (b1.value("rd_intensity"), b2.value("rd_intensity")) == (1.5, 2.0)
    path.write_text("id,rd_intensity\nb1,1.5" + ",x" * 500_000 + "\n", encoding="utf-8")
    with within(10):
        assert problems_of(path) == [f"{path}:2: row has 500002 cells, the header has 2"]


def test_a_csv_cell_of_100k_digits(tmp_path: Path) -> None:
    path = tmp_path / "digits.csv"
    path.write_text("id,rd_intensity\nb1," + "1" * 100_000 + "x\n", encoding="utf-8")
    with within(10):
        (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: rd_intensity: '1111")
    assert problem.endswith("' is not a number, true/false or blank")


# --- years --------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["²", "٣", "1" * 5000, "2024.0", "-5"])
def test_a_csv_year_that_is_not_a_year(tmp_path: Path, year: str) -> None:
    path = tmp_path / "y.csv"
    path.write_text(f"id,year\nb1,2024\nb2,{year}\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: year: '{year[:20]}")
    assert problem.endswith("' is not a year")


@pytest.mark.parametrize("row, typed", [
    ("base.year", "1" * 5000),
    ("product_standard_certification", "1" * 5000 + "级"),
    ("product_standard_certification", "1" * 5000 + " x"),
    ("green_factory_share", "1" * 5000),
])
def test_a_survey_cell_of_5000_digits(tmp_path: Path, row: str, typed: str) -> None:
    path = write_template(None, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", row: typed})
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:D")


def test_a_template_csv_row_of_millions_of_cells(tmp_path: Path) -> None:
    path = write_template(None, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "green_factory_share": "30"})
    text = path.read_bytes()
    path.write_bytes(text.replace(b"\r\n", b"," * 3_000_000 + b"\r\n", 1))
    with within(10):
        (base,) = load_profiles(path)
    assert base.value("green_factory_share") == 30.0
    path.write_bytes(text.replace(b"\r\n", b",x" * 2_000_000 + b"\r\n", 1))
    with within(10):
        assert problems_of(path) == [f"{path}: more than 2,000,000 cells"]
