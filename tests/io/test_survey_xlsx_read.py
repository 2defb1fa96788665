"""The streaming XLSX reader reads cells as openpyxl does (values saved by the spreadsheet, number
formats, dates, shared strings with rich text), and a formula without a saved value as its text."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upgrade_score import load_profiles
from upgrade_score._io.survey.xlsxread import xlsx_sheets

openpyxl = pytest.importorskip("openpyxl")

FORMATS = ["General", "0", "0.00", "0%", "0.00%", "yyyy-mm-dd", "yyyy年m月d日", "[h]:mm:ss", "h:mm",
           '"¥"#,##0.00', "@"]
TEXT = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), max_size=12)
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15), TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(2100, 1, 1)))
GRID = st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 12)),
                       st.tuples(VALUES, st.sampled_from(FORMATS)), max_size=40)


def by_position(sheets: list[tuple[str, list[list[Any]]]]) -> dict[str, dict[tuple[int, int], Any]]:
    return {title: {(r, c): cell for r, row in enumerate(rows, start=1)
                    for c, cell in enumerate(row, start=1) if cell[0] is not None}
            for title, rows in sheets}


def openpyxl_cells(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = {}
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            found[sheet.title] = {(cell.row, cell.column): (cell.value, cell.number_format)
                                  for row in sheet.iter_rows() for cell in row
                                  if getattr(cell, "value", None) is not None}
        return found
    finally:
        book.close()


def shared_strings(path: Path, target: Path) -> Path:
    """The workbook with its inline strings moved to a shared-string table, as spreadsheets save
    them: every other string as rich text runs, with a phonetic guide that is not its text."""
    strings: list[str] = []

    def share(match: re.Match[bytes]) -> bytes:
        strings.append(unescape(match.group(3).decode()))
        return match.group(1) + b't="s"' + match.group(2) + b"<v>%d</v></c>" % (len(strings) - 1)

    inline = re.compile(rb'(<c [^>]*?)t="inlineStr"([^>]*>)<is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = inline.sub(share, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                    b'sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            out.writestr(info, data)
        items = []
        for k, text in enumerate(strings):
            if k % 2 and len(text) > 1:
                half = len(text) // 2
                items.append(f'<si><r><t xml:space="preserve">{escape(text[:half])}</t></r><r><rPr><b/>'
                             f'</rPr><t xml:space="preserve">{escape(text[half:])}</t></r>'
                             '<rPh sb="0" eb="1"><t>フリガナ</t></rPh></si>')
            else:
                items.append(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
        out.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                     f'2006/main" count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>')
    return target


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # (openpyxl, reading the same)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grids=st.lists(GRID, min_size=1, max_size=3), date1904=st.booleans())
def test_cells_are_read_as_openpyxl_reads_them(tmp_path: Path, grids: list[dict[Any, Any]],
                                               date1904: bool) -> None:
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for n, grid in enumerate(grids):
        sheet = book.active if n == 0 else book.create_sheet(f"第{n}页")
        assert sheet is not None
        for (row, column), (value, number_format) in grid.items():
            cell = sheet.cell(row, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with '='
            cell.number_format = number_format
    book.save(tmp_path / "inline.xlsx")
    shared = shared_strings(tmp_path / "inline.xlsx", tmp_path / "shared.xlsx")
    for path in (tmp_path / "inline.xlsx", shared):
        assert as_durations(by_position(xlsx_sheets(path))) == as_durations(openpyxl_cells(path))


def as_durations(sheets: dict[str, dict[tuple[int, int], Any]]) -> dict[str, dict[tuple[int, int], Any]]:
    """Times of day as durations: openpyxl 3.1.1 reads a zero in a duration format such as
    '[h]:mm:ss' as timedelta(0), later releases as time(0, 0); either is the same cell."""
    def duration(value: Any) -> Any:
        if isinstance(value, datetime.time):
            return datetime.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second,
                                      microseconds=value.microsecond)
        return value
    return {title: {at: (duration(value), fmt) for at, (value, fmt) in cells.items()}
            for title, cells in sheets.items()}


def test_a_formula_without_a_saved_value_is_its_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "green_factory_share", "rd_intensity"])
    sheet.append(["b1", "=10*3", 2])
    book.save(tmp_path / "f.xlsx")
    ((_, rows),) = xlsx_sheets(tmp_path / "f.xlsx")
    assert rows[1][1] == ("=10*3", "General")
    with pytest.raises(Exception, match=r"Sheet!B2: green_factory_share: '=10\*3' is not a number"):
        load_profiles(tmp_path / "f.xlsx", rubric="urban-mining-upgrade")
    saved = io.BytesIO()  # as a spreadsheet saves it: the formula and its result
    with zipfile.ZipFile(tmp_path / "f.xlsx") as source, zipfile.ZipFile(saved, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data.replace(b"<f>10*3</f><v />", b"<f>10*3</f><v>30</v>"))
    (tmp_path / "g.xlsx").write_bytes(saved.getvalue())
    (base,) = load_profiles(tmp_path / "g.xlsx", rubric="urban-mining-upgrade")
    assert base.value("green_factory_share") == 30.0
