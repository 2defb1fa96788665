"""CSV tables read straight into arrays (``ProfileTable``): the pandas reader and the csv-module
reader give the same table, or the same problems; the table's checks against a rubric give what
the profiles of its rows give; chunk boundaries, lines and standard input."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgrade_score import UpgradeScoreError, load_profiles, load_rubric, score_many
from upgrade_score._io import csvtable
from upgrade_score._io.csvtable import ProfileTable, decoded_chunks, read_table, read_with_csv
from upgrade_score._io.profiles import load_bases, sniff
from upgrade_score._io.tables import profile_inputs

pytest.importorskip("pandas")

RUBRIC = load_rubric()  # the default rubric: categories, n/a, formulas, inputs and roll-ups
COLUMNS = ["resource_utilisation_rate", "key_discharger_monitoring", "water_reuse_rate",
           "waste_heat_recovery_rate", "product_standard_certification", "tonnes_processed",
           "firms", "rd_intensity", "revenue", "rd_spending", "colour"]
CELLS = ["", "12.5", "0", "100", "250", "-3", "7e1", ".5", " 42 ", "true", "FALSE", "n/a", "N/A",
         "不适用", "abc", "inf", "nan", "1_0", "١٢", "3", "1e400"]
IDS = ["b1", "b2", "b3", "b1", "", "9x", "b_5"]
CATEGORIES = ["", "ferrous", "ewaste", "plastic"]


def _pure(text: str, name: str = "t.csv") -> ProfileTable:
    return read_with_csv(io.StringIO(text, newline=""), name)


def _fast(text: str, name: str = "t.csv") -> ProfileTable:
    return read_table(io.BytesIO(text.encode("utf-8")), name)


def _outcome(read: object) -> object:
    try:
        table = read()  # type: ignore[operator]
    except UpgradeScoreError as exc:
        return [str(p) for p in exc.problems]
    return table


def _same_tables(one: ProfileTable, other: ProfileTable) -> None:
    assert one.columns == other.columns and one.meta == other.meta and one.id_column == other.id_column
    assert np.array_equal(one.values, other.values, equal_nan=True)
    assert np.array_equal(one.kinds, other.kinds) and np.array_equal(one.lines, other.lines)


def _checked(rubric: object, profiles: object) -> object:
    try:
        values, na, categories, derived = profile_inputs(rubric, profiles)  # type: ignore[arg-type]
    except UpgradeScoreError as exc:
        return [str(p) for p in exc.problems]
    return values, na, categories, None if derived is None else (derived.inputs, derived.rows)


def _same_checks(one: object, other: object) -> None:
    if isinstance(one, list) or isinstance(other, list):
        assert one == other
        return
    for a, b in zip(one, other):  # type: ignore[call-overload]
        if isinstance(a, tuple):
            _same_checks(a, b)
        else:
            assert np.array_equal(a, b, equal_nan=True)


@st.composite
def tables(draw: st.DrawFn) -> str:
    columns = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5, unique=True))
    category, version = draw(st.booleans()), draw(st.booleans())
    header = ["id", *(["category"] if category else []), *(["rubric_version"] if version else []), *columns]
    rows = []
    for k in range(draw(st.integers(1, 6))):
        row = [draw(st.sampled_from(IDS)) if draw(st.integers(0, 5)) == 0 else f"base{k}"]
        if category:
            row.append(draw(st.sampled_from(CATEGORIES)))
        if version:
            row.append(draw(st.sampled_from(["", "2026.2", "2026.1", "1999"])))
        row.extend(draw(st.sampled_from(CELLS)) for _ in columns)
        rows.append(",".join(row))
    return "\n".join([",".join(header), *rows]) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_both_readers_and_the_profiles_of_the_rows_agree(text: str) -> None:
    fast, pure = _outcome(lambda: _fast(text)), _outcome(lambda: _pure(text))
    if isinstance(pure, list):
        assert fast == pure
        return
    assert isinstance(fast, ProfileTable) and isinstance(pure, ProfileTable)
    _same_tables(fast, pure)
    _same_checks(_checked(RUBRIC, fast), _checked(RUBRIC, tuple(fast)))


class _Pipe(io.RawIOBase):
    """A stream read once, forward only (as standard input from a pipe)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)

    def seekable(self) -> bool:
        return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.integers(8, 64), st.integers(0, 30))
def test_small_chunks_read_once_give_the_table_of_the_csv_module(text: str, size: int, plain: int) -> None:
    """The fast reader stops at the first chunk it does not take, and the csv module goes on from
    there: the same table, or the same problems at the same lines, as the csv module alone."""
    header, _, rows = text.partition("\n")
    width = header.count(",")
    text = header + "\n" + "".join(f"p{k}" + ",1.5" * width + "\n" for k in range(plain)) + rows
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvtable, "CHUNK_BYTES", size)
        once = _outcome(lambda: read_table(_Pipe(text.encode("utf-8")), "t.csv"))  # type: ignore[arg-type]
    whole = _outcome(lambda: _pure(text))
    if isinstance(once, ProfileTable) and isinstance(whole, ProfileTable):
        _same_tables(once, whole)
    else:
        assert once == whole


def test_cells_the_pandas_reader_leaves_to_the_exact_one() -> None:
    text = "id,a,b\nb1,1_000,2\nb2,inf,3\n"
    problems = _outcome(lambda: _fast(text))
    assert problems == ["t.csv:2: a: '1_000' is not a number, true/false or blank",
                        "t.csv:3: a: 'inf' is not a number, true/false or blank"]


def test_a_number_too_large_for_a_float_is_named_so() -> None:
    text = "id,a,b\nb1,1e400,2\nb2,3,-2E999\nb3,1e308,1\n"
    expected = ["t.csv:2: a: '1e400' is too large a number (beyond ±1.8e308, the largest a float holds)",
                "t.csv:3: b: '-2E999' is too large a number (beyond ±1.8e308, the largest a float holds)"]
    assert _outcome(lambda: _fast(text)) == expected
    assert _outcome(lambda: _pure(text)) == expected


def test_numbers_are_parsed_as_python_parses_them() -> None:
    rng = np.random.default_rng(7)
    numbers = [f"{x:.17g}" for x in rng.normal(0, 1e6, 500)] + ["0.1000000000000000055511151231257827",
                                                                "123456789012345678901234567890",
                                                                "4.9e-324", "1e-400", "+.5", "7."]
    text = "id,x\n" + "".join(f"b{k},{n}\n" for k, n in enumerate(numbers))
    table = _fast(text)
    assert table.values[:, 0].tolist() == [float(n) for n in numbers]


@pytest.mark.parametrize("reader", [_fast, _pure])
def test_chunks_and_lines(monkeypatch: pytest.MonkeyPatch, reader: object) -> None:
    monkeypatch.setattr(csvtable, "CHUNK_ROWS", 3)
    text = "id,name,rd_spending\n" + "".join(f"b{k},Base {k},{k}.5\n" + ("\n" if k % 4 == 0 else "")
                                             for k in range(20))
    chunks = list(decoded_chunks(io.BytesIO(text.encode()), "t.csv", size=16))
    assert "".join(chunks) == text and all(chunk.endswith("\n") for chunk in chunks)
    table = reader(text)  # type: ignore[operator]
    assert table.ids == [f"b{k}" for k in range(20)]
    assert table.values[:, 0].tolist() == [k + 0.5 for k in range(20)]
    expected = [2 + k + (k + 3) // 4 for k in range(20)]  # a blank line after rows 0, 4, 8...
    assert table.lines.tolist() == expected


def test_a_quoted_cell_over_two_lines_keeps_the_lines() -> None:
    text = 'id,name,rd_spending\nb1,"two\nlines",1\nb2,x,abc\n'
    assert _outcome(lambda: _fast(text)) == [
        "t.csv:4: rd_spending: 'abc' is not a number, true/false or blank"]


def test_profiles_of_rows_are_the_profiles_load_profiles_gives(tmp_path: Path) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("id,name_zh,year,category,rd_spending,water_reuse_rate\n"
                    "b1,甲,2024,ferrous,3,n/a\nb2,,,,,55\n", encoding="utf-8")
    table = load_bases([str(path)])
    profiles = load_profiles(path)
    assert isinstance(table, ProfileTable)  # a table with years too: rows are picked on its columns
    assert tuple(table) == profiles
    path.write_text("id,name_zh,category,rd_spending,water_reuse_rate\n"
                    "b1,甲,ferrous,3,n/a\nb2,,,,55\n", encoding="utf-8")
    table, profiles = load_bases([str(path)]), load_profiles(path)
    assert isinstance(table, ProfileTable) and tuple(table) == profiles
    assert [p.problem("rd_spending", "x") for p in table] == [p.problem("rd_spending", "x") for p in profiles]


def test_a_table_scores_as_its_profiles(tmp_path: Path) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("id,category,tonnes_processed,firms,water_reuse_rate,key_discharger_monitoring\n"
                    "b1,ferrous,120,,n/a,true\nb2,ewaste,30,,70,false\nb3,,,,,\n", encoding="utf-8")
    table = load_bases([str(path)])
    assert isinstance(table, ProfileTable)
    assert score_many(RUBRIC, table).to_json() == score_many(RUBRIC, load_profiles(path)).to_json()


def test_duplicate_ids_are_located(tmp_path: Path) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("id,rd_spending\nb1,1\nb2,2\nb1,3\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as caught:
        load_bases([str(path)])
    with pytest.raises(UpgradeScoreError) as old:
        load_profiles(path)
    assert [str(p) for p in caught.value.problems] == [str(p) for p in old.value.problems]
    assert str(caught.value.problems[0]) == f"{path}:4: duplicate base id 'b1' (also in {path}:2)"


@pytest.mark.parametrize("head, kind", [
    ("id,name\nb1,x\n", "csv"), ("base: {id: b1}\nvalues: {}\n", "yaml"), ('{"base": {}}', "json"),
    ("# a comment\n---\nbase:\n", "yaml"), ("\ufeffid,rd_spending\n", "csv"), ("", "yaml"),
])
def test_standard_input_is_told_apart_by_its_content(head: str, kind: str) -> None:
    assert sniff(head) == kind


def test_score_many_and_compare_of_a_csv_path_read_it_as_a_table(tmp_path: Path) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("id,name_zh,category,resource_utilisation_rate,water_reuse_rate,rd_spending,revenue\n"
                    "b1,甲,ferrous,88,n/a,25,1000\nb2,,,60,40,,\nb3,丙,ewaste,95,70,3,100\n",
                    encoding="utf-8")
    for data in (path, str(path), [path]):
        table = score_many(RUBRIC, data)
        assert isinstance(table.profiles, ProfileTable)  # no profile object per row
        same = score_many(RUBRIC, list(load_profiles(path)))
        assert [card.to_json() for card in table] == [card.to_json() for card in same]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,resource_utilisation_rate\nb1,88\nb1,90\n", encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as table_error:
        score_many(RUBRIC, bad)
    assert str(table_error.value) == f"{bad}:3: duplicate base id 'b1' (also in {bad}:2)"  # as the CLI
