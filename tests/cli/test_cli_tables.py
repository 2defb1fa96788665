"""Tables in and out on the command line: --format csv, -o FILE by suffix, --indent, standard
input, the same bytes from both CSV readers, and the progress line (a fake terminal, no timing)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import V1, V1_BASES
from upgrade_score import _progress
from upgrade_score._cli import main
from upgrade_score._io import csvtable
from upgrade_score._model.results import dumps
from upgrade_score._render.tables_out import json_list_chunks

HUB = V1_BASES / "scrap_metal_hub.yaml"
TABLE = ("id,name,high_value_product_share,third_party_carbon_verification,rd_intensity\n"
         "b1,One,40,true,1.5\nb2,Two,,false,\nb3,Three,75.5,,3\n")


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    path = tmp_path / "bases.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_score_csv_has_a_row_per_base(capsys: pytest.CaptureFixture[str], table: Path) -> None:
    code, out, _ = run(capsys, "score", "--rubric", V1, table, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [row["base"] for row in rows] == ["b1", "b2", "b3"]
    _, data, _ = run(capsys, "score", "--rubric", V1, table, "--format", "json")
    cards = json.loads(data)
    for row, card in zip(rows, cards):
        assert float(row["overall"]) == card["overall"]["score"]
        assert int(row["low_carbon_level"]) == card["directions"]["low_carbon"]["level"]


@pytest.mark.parametrize("suffix, fmt", [(".csv", "csv"), (".json", "json"), (".md", "markdown")])
@pytest.mark.parametrize("command", ["score", "compare", "sensitivity"])
def test_output_file_is_what_format_prints(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           table: Path, command: str, suffix: str, fmt: str) -> None:
    extra = ["--seed", "1", "--samples", "50"] if command == "sensitivity" else []
    if command == "sensitivity" and fmt == "csv":
        pytest.importorskip("pandas")
    target = tmp_path / f"out{suffix}"
    code, _, err = run(capsys, command, "--rubric", V1, table, *extra, "-o", target)
    assert code == 0 and err == f"upgrade-score: wrote {target}\n"
    _, out, _ = run(capsys, command, "--rubric", V1, table, *extra, "--format", fmt)
    assert target.read_text(encoding="utf-8") == out


def test_gap_writes_csv_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    code, out, _ = run(capsys, "gap", "--rubric", V1, HUB, "--target", "4", "--format", "csv")
    assert code == 0 and out.startswith("indicator,")
    target = tmp_path / "gap.json"
    run(capsys, "gap", "--rubric", V1, HUB, "--target", "4", "-o", target, "--indent", "0")
    assert "\n" not in target.read_text(encoding="utf-8").rstrip("\n")


def test_indent_zero_is_one_base_per_line(capsys: pytest.CaptureFixture[str], table: Path) -> None:
    _, pretty, _ = run(capsys, "score", "--rubric", V1, table, "--format", "json")
    code, compact, _ = run(capsys, "score", "--rubric", V1, table, "--format", "json", "--indent", "0")
    assert code == 0 and json.loads(compact) == json.loads(pretty)
    assert len(compact.splitlines()) == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("abc"), st.integers() | st.text(max_size=3)), max_size=4),
       st.sampled_from([None, 1, 2, 4]))
def test_json_lists_are_written_item_by_item_as_a_whole(items: list[Any], indent: int | None) -> None:
    written = "".join(json_list_chunks(iter(items), indent))
    assert json.loads(written) == items
    if indent:
        assert written == dumps(items, indent)


@pytest.mark.parametrize("argv, message", [
    (["-o", "out.txt"], "out.txt: -o: name the file .csv, .json, .md, .xlsx or .parquet (the suffix picks "
                        "the format)"),
    (["--indent", "x"], "argument --indent: expected a whole number from 0 to 16, got 'x' (see --help)"),
])
def test_output_usage_errors(capsys: pytest.CaptureFixture[str], table: Path, argv: list[str],
                             message: str) -> None:
    try:
        code, _, err = run(capsys, "score", "--rubric", V1, table, *argv)
    except SystemExit as exit_:
        code, err = int(exit_.code or 0), capsys.readouterr().err
    assert code == 2 and err.strip().endswith(message) and len(err.strip().splitlines()) == 1


def test_parquet_without_pyarrow_names_the_extra(capsys: pytest.CaptureFixture[str], table: Path,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, _, err = run(capsys, "score", "--rubric", V1, table, "-o", tmp_path / "x.parquet")
    assert code == 2 and "install upgrade-score[parquet]" in err and len(err.splitlines()) == 1


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_standard_input_csv_and_yaml(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                     table: Path) -> None:
    _, expected, _ = run(capsys, "score", "--rubric", V1, table, "--format", "json")
    _stdin(monkeypatch, TABLE)
    assert run(capsys, "score", "--rubric", V1, "-", "--format", "json")[1] == expected
    _, one, _ = run(capsys, "score", "--rubric", V1, HUB, "--format", "json")
    _stdin(monkeypatch, HUB.read_text(encoding="utf-8"))
    assert run(capsys, "score", "--rubric", V1, "-", "--format", "json")[1] == one


def test_standard_input_errors_name_stdin(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "id,high_value_product_share\nb1,abc\n")
    code, _, err = run(capsys, "score", "--rubric", V1, "-")
    assert code == 2 and err == ("upgrade-score: error: <stdin>:2: high_value_product_share: 'abc' is not "
                                 "a number, true/false or blank\n")
    _stdin(monkeypatch, "base: {id: b1}\nvalues: {high_value_product_share: 140}\n")
    code, _, err = run(capsys, "score", "--rubric", V1, "-")
    assert code == 2 and err.startswith("upgrade-score: error: <stdin>:2: values.high_value_product_share")


def _piped(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Standard input from a pipe (read once, no seeking), written by another thread."""
    read, write = os.pipe()

    def feed() -> None:
        with os.fdopen(write, "wb") as stream:
            stream.write(data)

    threading.Thread(target=feed, daemon=True).start()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(read, "rb")))


@pytest.mark.parametrize("late", ["", 'b9999,"Last, quoted",40,true,1\n', "b9999,Last,abc,true,1\n",
                                  "b9999,Last,1,true\n"])
def test_standard_input_from_a_pipe_is_read_in_chunks(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      late: str) -> None:
    """A table on a pipe, read in small chunks as it comes: the bytes (or the problem, at its
    line) of the same table read from a file, also when the text stops being plain at the end."""
    monkeypatch.setattr(csvtable, "CHUNK_BYTES", 256)
    text = TABLE + "".join(f"c{k},C {k},{k % 100},{'true' if k % 2 else 'false'},{k % 7}\n"
                           for k in range(300)) + late
    path = tmp_path / "bases.csv"
    path.write_text(text, encoding="utf-8")
    expected = run(capsys, "score", "--rubric", V1, path, "--format", "csv")
    _piped(monkeypatch, text.encode("utf-8"))
    assert run(capsys, "score", "--rubric", V1, "-", "--format", "csv") == (
        expected[0], expected[1], expected[2].replace(str(path), "<stdin>"))
    if late and "abc" in late:
        assert expected[0] == 2 and expected[2] == (f"upgrade-score: error: {path}:305: high_value_product_"
                                                    "share: 'abc' is not a number, true/false or blank\n")


@pytest.mark.parametrize("text", [TABLE, TABLE.replace("b3,Three,75.5", 'b3,"Three, the third",75.5'),
                                  TABLE + "b4,Four,x,true,1\n", TABLE + "b1,Again,1,true,1\n",
                                  TABLE.replace("rd_intensity", "rd_intensty")])
def test_both_readers_give_the_same_bytes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path, text: str) -> None:
    path = tmp_path / "bases.csv"
    path.write_text(text, encoding="utf-8")
    argv = ["score", "--rubric", V1, path, "--format", "json"]
    fast = run(capsys, *argv)
    monkeypatch.setattr(csvtable, "_fast_reader", lambda: None)
    assert run(capsys, *argv) == fast


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert _progress.wanted(FakeTerminal()) and not _progress.wanted(io.StringIO())
    assert not _progress.wanted(FakeTerminal(), quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not _progress.wanted(FakeTerminal())


def test_meter_rewrites_one_line_and_clears_it() -> None:
    ticks = iter([0.0, 0.1, 0.5, 1.0])  # (25 goes back: skipped before the clock is read)
    screen = FakeTerminal()
    meter = _progress.Meter(screen, "zh", every=0.2, clock=lambda: next(ticks))
    for done in (10, 20, 30, 25, 40):
        meter.show("progress.rows", done)
    shown = [f"upgrade-score: 已读取行数 {n}" for n in (10, 30, 40)]
    assert screen.getvalue().split("\r")[1:] == shown
    meter.close()
    # cleared by terminal columns: "upgrade-score: " 15, five Chinese characters 2 each, " 40" 3
    assert screen.getvalue().endswith("\r" + " " * 28 + "\r")


def test_meter_pads_a_shorter_line_by_terminal_columns() -> None:
    ticks = iter([0.0, 1.0])
    screen = FakeTerminal()
    meter = _progress.Meter(screen, "zh", every=0.2, clock=lambda: next(ticks))
    meter.show("progress.samples", 1000)  # "upgrade-score: 已计算权重样本 1,000": 15 + 14 + 6 columns
    meter.show("progress.bases", 7)       # "upgrade-score: 已完成基地 7": 15 + 10 + 2 columns
    last = screen.getvalue().split("\r")[-1]
    assert last == "upgrade-score: 已完成基地 7" + " " * 8  # (by characters it would be 6)


def test_score_shows_progress_on_a_terminal_only(capsys: pytest.CaptureFixture[str], table: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(csvtable, "CHUNK_ROWS", 1)
    monkeypatch.setattr(csvtable, "_fast_reader", lambda: None)
    screen = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert main(["score", "--rubric", V1, str(table), "--format", "json"]) == 0
    assert "upgrade-score: rows read 1" in screen.getvalue() and "bases done 3 / 3" in screen.getvalue()
    assert screen.getvalue().endswith("\r")
    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["score", "--rubric", V1, str(table), "--format", "json", "--quiet"]) == 0
    assert quiet.getvalue() == ""


def test_sensitivity_shows_the_samples_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    screen = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", screen)
    argv = ["sensitivity", "--rubric", V1, str(V1_BASES), "--samples", "40", "--seed", "1", "--lang", "zh"]
    assert main(argv) == 0
    assert "upgrade-score: 已计算权重样本 40 / 40" in screen.getvalue()
