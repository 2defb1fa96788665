"""Inputs as an attacker or a careless export writes them: huge, odd or hostile cells and files.

Each gives a clean located error (exit 2) or the right values, and the work is bounded by what the
input costs, not by what it looks like. Time bounds are generous (the work takes well under a
second; before the fixes it took minutes): they catch quadratic work, not slow machines.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from surveycsv import csv_rows, fill_csv
from upgrade_score import BaseProfile, UpgradeScoreError, load_profiles, write_template
from v1 import V1

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
    assert problem.endswith("' is not a year (a whole number from 1900 to 2100)")


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
    assert problem.startswith(f"{path}:C")  # the value column of a zh template


def test_a_template_csv_row_of_millions_of_cells(tmp_path: Path) -> None:
    path = write_template(None, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "green_factory_share": "30"})
    text = path.read_bytes()
    path.write_bytes(text.replace(b"\r\n", b"," * 3_000_000 + b"\r\n", 1))
    with within(10):
        (base,) = load_profiles(path)
    assert base.value("green_factory_share") == 30.0
    path.write_bytes(text.replace(b"\r\n", b",x" * 300_000 + b"\r\n", 1))  # (in the marker row)
    with within(10):  # read in time proportional to the file (no cap on cells: it costs a byte each)
        (base,) = load_profiles(path)
    assert base.value("green_factory_share") == 30.0


# --- formulas in what the templates write ---------------------------------------------------------

HOSTILE = {"name": {"zh": "=HYPERLINK(\"http://x.example\",\"点击\")", "en": "+1+cmd|' /C calc'!A0"},
           "region": "-2+3", "category": "@SUM(A1)"}
SOURCES = {"green_factory_share": "=1+1", "rd_intensity": "'=already quoted",
           "water_reuse_rate": "+3 (a formula)"}


def hostile_base() -> BaseProfile:
    values: dict[str, Any] = {key: {"value": 10.0, "source": source} for key, source in SOURCES.items()}
    values["energy_intensity"] = {"value": 0.5, "source": "-"}  # a lone dash is text, kept as is
    return BaseProfile.model_validate({"base": {"id": "b1", **HOSTILE}, "values": values})


def _dump(profile: BaseProfile) -> dict[str, Any]:
    data = profile.model_dump()
    data["base"].pop("illustrative", None)
    return data


@pytest.mark.parametrize("layout", ["one-base", "many-bases"])
def test_csv_templates_write_no_formulas_and_read_them_back(tmp_path: Path, layout: str) -> None:
    base = hostile_base()
    path = write_template(V1, tmp_path / "s.csv", layout, profiles=base)  # type: ignore[arg-type]
    cells = [cell for row in csv_rows(path) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in cells if cell[:1] == "-" and cell != "-"]
    for text in ("=HYPERLINK(", "+1+cmd", "-2+3", "@SUM(A1)"):  # (OWASP: a single quote before)
        assert any(cell.startswith("'" + text) for cell in cells)
    if layout == "one-base":
        assert "''=already quoted" in cells and "'=1+1" in cells
    (back,) = load_profiles(path)
    if layout == "one-base":
        assert _dump(back) == _dump(base)
    else:
        assert _dump(back)["base"] == _dump(base)["base"]


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    base = hostile_base()
    path = write_template(V1, tmp_path / "s.xlsx", profiles=base)
    sheet = openpyxl.load_workbook(path)["基本信息"]
    name = sheet["C4"]
    assert (name.value, name.data_type, name.quotePrefix) == (HOSTILE["name"]["zh"], "s", True)
    assert not sheet["C3"].quotePrefix  # only where it is needed
    (back,) = load_profiles(path)
    assert _dump(back) == _dump(base)


# --- XLSX: bounded by what it unpacks to, read once --------------------------------------------------

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET = "xl/worksheets/sheet1.xml"


def workbook_with(path: Path, parts: dict[str, Iterable[bytes]]) -> Path:
    """A workbook saved by openpyxl with some parts replaced or added (shared strings too)."""
    book = openpyxl.Workbook()
    book.active["A1"] = "id"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                    b'sharedStrings+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels" and "xl/sharedStrings.xml" in parts:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            if info.filename not in parts:
                target.writestr(info.filename, data)
        for name, chunks in parts.items():
            with target.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return path


def repeated(head: bytes, item: bytes, count: int, tail: bytes) -> Iterator[bytes]:
    yield head
    block = 100_000
    for start in range(0, count, block):
        yield item * min(block, count - start)
    yield tail


def sheet_xml(cells: bytes) -> list[bytes]:
    return [b"<worksheet " + MAIN + b"><sheetData>" + cells + b"</sheetData></worksheet>"]


def score_in_a_small_process(path: Path, memory_mib: int = 1024) -> tuple[int, str]:
    """Exit code and stderr of ``upgrade-score score path`` with at most ``memory_mib`` of memory."""
    resource = pytest.importorskip("resource")  # (POSIX)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib * 2**20, memory_mib * 2**20))

    done = subprocess.run([sys.executable, "-m", "upgrade_score", "score", str(path)], capture_output=True,
                          text=True, timeout=60, preexec_fn=limit, check=False)
    return done.returncode, done.stderr


def test_xlsx_shared_strings_are_counted(tmp_path: Path) -> None:
    path = workbook_with(tmp_path / "strings.xlsx", {"xl/sharedStrings.xml": repeated(
        b"<sst " + MAIN + b">", b"<si><t>x</t></si>", 2_000_000, b"</sst>")})
    assert path.stat().st_size < 200_000
    with within(10):
        assert problems_of(path) == [
            f"{path}: not a readable .xlsx workbook (more than 500,000 shared strings)"]


def test_xlsx_cell_formats_are_counted(tmp_path: Path) -> None:
    path = workbook_with(tmp_path / "styles.xlsx", {"xl/styles.xml": repeated(
        b"<styleSheet " + MAIN + b'><cellXfs count="1">', b'<xf numFmtId="0" fontId="0" fillId="0" '
        b'borderId="0" xfId="0"><alignment wrapText="1"/></xf>', 2_000_000, b"</cellXfs></styleSheet>")})
    assert path.stat().st_size < 1_000_000
    code, err = score_in_a_small_process(path)
    assert (code, err) == (2, f"upgrade-score: error: {path}: not a readable .xlsx workbook (more than "
                              "65,000 cell formats)\n")


def test_xlsx_a_part_that_unpacks_too_far_is_not_parsed(tmp_path: Path) -> None:
    text = repeated(b"<worksheet " + MAIN + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
                    b"a" * 1000, 300_000, b"</t></is></c></row></sheetData></worksheet>")
    path = workbook_with(tmp_path / "inline.xlsx", {SHEET: text})
    assert path.stat().st_size < 2_000_000
    code, err = score_in_a_small_process(path)
    assert code == 2 and err.startswith(
        f"upgrade-score: error: {path}: not a readable .xlsx workbook (it unpacks to more than "
        f"256,000,000 bytes of XML ({SHEET}: 300,000,")


def test_xlsx_one_long_text_is_not_kept(tmp_path: Path) -> None:
    text = repeated(b"<worksheet " + MAIN + b'><sheetData><row r="1"><c r="B2" t="inlineStr"><is><t>',
                    "数".encode() * 1000, 60_000, b"</t></is></c></row></sheetData></worksheet>")
    path = workbook_with(tmp_path / "inline.xlsx", {SHEET: text})
    code, err = score_in_a_small_process(path, 600)
    assert (code, err) == (2, f"upgrade-score: error: {path}:Sheet!B2: the cell holds more than "
                              "32,767 characters\n")
    tag = repeated(b"<worksheet " + MAIN + b'><sheetData><row r="1"><c r="A1" x="', b"a" * 1000, 60_000,
                   b'"><v>1</v></c></row></sheetData></worksheet>')
    path = workbook_with(tmp_path / "tag.xlsx", {SHEET: tag})
    code, err = score_in_a_small_process(path, 600)
    assert (code, err) == (2, f"upgrade-score: error: {path}: not a readable .xlsx workbook "
                              f"({SHEET}: a tag or text longer than 1,000,000 bytes)\n")


def test_xlsx_elements_are_counted(tmp_path: Path) -> None:
    path = workbook_with(tmp_path / "junk.xlsx", {SHEET: repeated(
        b"<worksheet " + MAIN + b"><sheetData>", b"<x/>", 6_500_000, b"</sheetData></worksheet>")})
    with within(20):
        assert problems_of(path) == [
            f"{path}: not a readable .xlsx workbook (more than 6,000,000 XML elements)"]


def test_xlsx_entities_are_refused(tmp_path: Path) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    path = workbook_with(tmp_path / "dtd.xlsx", {SHEET: [laughs, *sheet_xml(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>')]})
    assert problems_of(path) == [
        f"{path}: not a readable .xlsx workbook (it declares a DTD (not allowed in .xlsx))"]


def test_xlsx_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_template(None, tmp_path / "s.xlsx")
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def counting(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    with pytest.raises(UpgradeScoreError, match="the base id is missing"):
        load_profiles(path)
    assert opened and sorted(opened) == sorted(set(opened))  # no part twice
    assert "xl/worksheets/sheet1.xml" in opened


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
@pytest.mark.parametrize("name", ["x.xlsx", "x.csv"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)
    with within(5):
        assert problems_of(tmp_path / name) == [
            f"{tmp_path / name}: not a regular file (a pipe, device or socket)"]


def test_only_the_unknown_ids_that_are_shown_get_a_hint() -> None:
    """A hint compares an id with every indicator id: 100k unknown columns took 13 s for hints
    nobody sees. The first 50 (what the command line shows) still get them."""
    from upgrade_score import load_rubric, score_many

    values = {f"high_value_product_shar{k}": 1 for k in range(60)}
    profile = BaseProfile.model_validate({"base": {"id": "b"}, "values": values})
    with pytest.raises(UpgradeScoreError) as info:
        score_many(load_rubric(V1), [profile])
    hinted = [p for p in info.value.problems if "did you mean 'high_value_product_share'" in p.message]
    assert len(info.value.problems) == 60 and len(hinted) == 50
