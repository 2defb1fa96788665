"""The command line for panels and groups: progress, --year, compare --by, gap --peer --by and
results to Excel; each bad input a located one-line error with exit 2."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

from upgrade_score._cli import main
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "examples" / "panel" / "bases_2023_2025.csv"  # collected with rubric 2026.1
BASES = V1_BASES
HUB = BASES / "scrap_metal_hub.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def english_left(text: str) -> list[str]:
    """Latin words once base ids, direction ids and the rubric id are taken out."""
    for token in ("jinhe-scrap-metal-hub", "songxi-mixed-recycling-base", "urban-mining-upgrade"):
        text = text.replace(token, " ")
    return re.findall(r"[A-Za-z]+", text)


def test_progress_text_leads_with_directions_not_on_track(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "progress", "--rubric", V1, PANEL)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Progress · Rubric urban-mining-upgrade 2026.1 · 2 bases · 2023–2025"
    assert lines[2] == ("⚠ Jinhe Scrap-Metal Hub · Intelligent development: 36.9 in 2025, target level 2 "
                        "(40.0) — not on track")
    assert "1  jinhe-scrap-metal-hub        2023–2025   53.0    57.0         +4.0            +2.0" in out
    assert "Low-carbon development    8.7  15.1  21.9        +13.2            +6.8  level 2 (40.0)" in out


def test_progress_json_is_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "progress", "--rubric", V1, PANEL, "--target", "3", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [b["base"]["id"] for b in data] == ["jinhe-scrap-metal-hub",
                                                              "songxi-mixed-recycling-base"]
    hub = data[0]
    assert set(hub) == {"base", "years", "overall", "directions"} and hub["years"] == [2023, 2024, 2025]
    assert hub["directions"]["low_carbon"]["projection"] == {"status": "on_track", "year": 2031}
    assert hub["directions"]["intelligent"]["projection"] == {"status": "not_on_track", "year": None}
    assert hub["directions"]["high_value"]["projection"] == {"status": "reached", "year": 2023}
    assert out == run(capsys, "progress", "--rubric", V1, PANEL, "--target", "3", "--format", "json")[1]


def test_progress_csv_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "progress", "--rubric", V1, PANEL, "--format", "csv", "--sort", "base")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2 * 7 * 3
    assert rows[0]["base"] == "jinhe-scrap-metal-hub" and rows[0]["series"] == "overall"
    assert rows[1]["change_since_previous"] == "2.006838" and rows[0]["change_since_first"] == ""
    code, out, _ = run(capsys, "progress", "--rubric", V1, PANEL, "--format", "markdown")
    assert code == 0 and out.startswith("# Progress") and "| --- |" in out


@pytest.mark.parametrize("style", ["text", "markdown"])
def test_progress_in_chinese_has_no_english(capsys: pytest.CaptureFixture[str], style: str) -> None:
    for target in ([], ["--target", "4"], ["--target", "high_value=4,green=3"]):
        code, out, _ = run(capsys, "progress", "--rubric", V1,
                           PANEL, "--lang", "zh", "--format", style, *target)
        assert code == 0 and english_left(out) == [], english_left(out)
        assert "未按进度" in out or "均已达到或按进度推进" in out


def test_cross_sectional_commands_take_the_latest_year(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    code, out, _ = run(capsys, "score", "--rubric", V1, PANEL, "--format", "json")
    assert code == 0 and [card["base"]["year"] for card in json.loads(out)] == [2025, 2025]
    code, out, _ = run(capsys, "compare", "--rubric", V1, PANEL, "--year", "2023", "--format", "json")
    assert code == 0 and json.loads(out)["bases"][0]["overall"] == pytest.approx(53.017664)
    code, out, _ = run(capsys, "gap", "--rubric", V1, PANEL, "--format", "json")
    assert code == 2 and "holds 2 bases; gap takes one" in _
    hub_panel = [line for line in PANEL.read_text(encoding="utf-8").splitlines()
                 if not line.startswith("songxi")]
    only = tmp_path / "hub_only.csv"  # (never beside the examples: other tests read that folder)
    only.write_text("\n".join(hub_panel) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "gap", "--rubric", V1, only, "--year", "2024", "--format", "json")
    assert code == 0 and json.loads(out)["base"]["year"] == 2024


@pytest.mark.parametrize("argv, expected", [
    (["score", "--rubric", V1, PANEL, "--year", "2019"],
     "upgrade-score: error: --year: no base has a profile for 2019 (years given: 2023, 2024, 2025)\n"),
    (["compare", "--rubric", V1, BASES, "--by", "province"],
     "upgrade-score: error: --by: no base has a province\n"),
    (["compare", "--rubric", V1, BASES, "--by", "colour"],
     "upgrade-score: error: --by: unknown field 'colour' (known: region, province, city, category)\n"),
    (["gap", HUB, "--by", "category"], "upgrade-score: error: --by needs --peer and --group\n"),
    (["progress", "--rubric", V1,
      PANEL, "--target", "7"], "upgrade-score: error: target.level: level 7 is outside 0..5\n"),
    (["progress", "--rubric", V1, PANEL, "--target", "x=1"],
     "upgrade-score: error: target.x: unknown direction (known: high_value, chain, green, low_carbon, "
     "intelligent, clustered)\n"),
    (["score", "--rubric", V1, BASES, "-o", "results.txt"],
     "upgrade-score: error: results.txt: -o: name the file .csv, .json, .md, .xlsx or .parquet (the "
     "suffix picks the format)\n"),
])
def test_bad_input_is_one_located_line(capsys: pytest.CaptureFixture[str], argv: list[object],
                                       expected: str) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", expected)


@pytest.mark.parametrize("year", ["20x4", "1850", "2024.5"])
def test_a_year_option_that_is_not_a_year(capsys: pytest.CaptureFixture[str], year: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["score", "--rubric", V1, str(PANEL), "--year", year])
    assert info.value.code == 2
    assert capsys.readouterr().err == (
        f"upgrade-score score: error: argument --year: expected a whole number from 1900 to 2100, got "
        f"'{year}' (see --help)\n")


def test_progress_needs_years(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "progress", "--rubric", V1, HUB)  # one year: a table, nothing to project
    assert code == 0 and "not on track" in out
    undated = tmp_path / "undated.yaml"
    undated.write_text("base: {id: b1}\nvalues: {rd_intensity: 1}\n", encoding="utf-8")
    code, out, err = run(capsys, "progress", "--rubric", V1, undated)
    assert (code, out, err) == (2, "", f"upgrade-score: error: {undated}:1: base.year: progress needs the "
                                       "year of every profile (base.year)\n")


def test_compare_by_ranks_within_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "g.csv"
    table.write_text("id,region,rd_intensity\na,north,3\nb,north,1\nc,south,2\nd,,4\n", encoding="utf-8")
    code, out, _ = run(capsys, "compare", "--rubric", V1, table, "--by", "region", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["by"] == "region"
    got = {b["base"]: (b["rank"], b["group"], b["group_rank"], b["group_percentile"], b["group_size"])
           for b in data["bases"]}
    assert got == {"d": (1, None, None, None, None), "a": (2, "north", 1, 100.0, 2),
                   "c": (3, "south", 1, 100.0, 1), "b": (4, "north", 2, 0.0, 2)}
    code, out, _ = run(capsys, "compare", "--rubric", V1, table, "--by", "region", "--lang", "zh")
    assert code == 0 and "分组依据 地区" in out and "组内排名" in out and "2/2" in out


def test_gap_peer_median_of_the_own_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    group = tmp_path / "g.csv"
    group.write_text("id,category,rd_intensity\na,x,1\nb,x,2\nc,x,4\nd,y,5\n", encoding="utf-8")
    me = tmp_path / "me.csv"
    me.write_text("id,category,rd_intensity\nme,x,0.5\n", encoding="utf-8")
    code, out, _ = run(capsys, "gap", "--rubric", V1,
                       me, "--peer", "median", "--group", group, "--by", "category",
                       "--format", "json")
    mine = json.loads(out)
    code_all, out_all, _ = run(capsys, "gap", "--rubric", V1,
                               me, "--peer", "median", "--group", group, "--format", "json")
    assert code == code_all == 0
    assert mine["target"]["label"] == "median of 3 bases"
    assert json.loads(out_all)["target"]["label"] == "median of 4 bases"
    other = tmp_path / "z.csv"
    other.write_text("id,category,rd_intensity\nme,z,0.5\n", encoding="utf-8")
    code, _, err = run(capsys, "gap", "--rubric", V1,
                       other, "--peer", "median", "--group", group, "--by", "category")
    assert (code, err) == (2, "upgrade-score: error: --by: no base of the group has category 'z'\n")


def test_results_to_excel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    code, printed, err = run(capsys, "compare", "--rubric", V1, BASES, "-o", out, "--lang", "zh")
    assert (code, printed, err) == (0, "", f"upgrade-score: wrote {out}\n")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["总分", "各方向", "指标"]
    sheet = book["总分"]
    assert [c.value for c in sheet[1]][:5] == ["排名", "百分位", "基地", "名称", "年份"]
    assert sheet.freeze_panes == "B2"
    assert sheet["A2"].value == 1 and sheet["C2"].value == "chenghu-circular-economy-park"
    assert sheet["F2"].number_format == "0.0" and sheet["I2"].number_format == "0%"
    code, _, err = run(capsys, "progress", "--rubric", V1, PANEL, "-o", out)
    book = openpyxl.load_workbook(out)
    assert code == 0 and book.sheetnames == ["Progress over the years"]
    header = [c.value for c in book.active[1]]
    assert header[:4] == ["base", "direction", "year", "score"] and book.active.max_row == 43
    code, _, err = run(capsys, "score", "--rubric", V1, HUB, "-o", out)
    assert code == 0 and openpyxl.load_workbook(out).sheetnames == ["overall", "directions", "indicators"]
    code, _, err = run(capsys, "score", "--rubric", V1, out, "-o", out)
    assert code == 2


def test_excel_refuses_to_overwrite_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "bases.xlsx"
    run(capsys, "template", "--rubric", V1, "--layout", "many-bases", "--from", HUB, "-o", path)
    code, _, err = run(capsys, "score", "--rubric", V1, path, "-o", path)
    assert code == 2 and err.endswith("-o: is one of the inputs: write the results elsewhere\n")


@pytest.mark.parametrize("command", ["score", "compare", "progress"])
def test_panel_input_errors_are_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 command: str) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("base: {id: b1, year: 2023, rubric_version: '2026.1'}\nvalues: {rd_intensity: 1}\n",
                     encoding="utf-8")
    second.write_text("base: {id: b1, year: 2024, rubric_version: '2026.2'}\nvalues: {rd_intensity: 2}\n",
                      encoding="utf-8")
    assert run(capsys, command, first, second) == (2, "", (
        f"upgrade-score: error: {second}:1: base.rubric_version: rubric version '2026.2' of year 2024 "
        f"disagrees with '2026.1' of year 2023 (in {first}:1): score a base's years with one rubric\n"))
    second.write_text("base: {id: b1, year: 2023}\nvalues: {rd_intensity: 2}\n", encoding="utf-8")
    assert run(capsys, command, first, second) == (2, "", (
        f"upgrade-score: error: {second}:1: base: duplicate base id 'b1' for year 2023 "
        f"(also in {first}:1)\n"))
    second.write_text("base: {id: b1, year: 2023.5}\nvalues: {rd_intensity: 2}\n", encoding="utf-8")
    assert run(capsys, command, second) == (2, "", (
        f"upgrade-score: error: {second}:1: base.year: must be a whole number from 1900 to 2100, got "
        "float 2023.5\n"))


def test_report_of_a_panel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", "--rubric", V1, PANEL, "--year", "2024", "--charts", "png",
                       "-o", out)
    page = out.read_text(encoding="utf-8")
    assert (code, err) == (0, f"upgrade-score: wrote {out} (2 bases)\n")
    assert "Overall <strong>55.0</strong>" in page and page.count("<h3>Progress over the years</h3>") == 2


@pytest.mark.parametrize("argv, expected", [
    (["score", "missing.csv", "-o", "results.txt"],
     "results.txt: -o: name the file .csv, .json, .md, .xlsx or .parquet (the suffix picks the format)"),
    (["compare", "missing.csv", "-o", "results"],
     "results: -o: name the file .csv, .json, .md, .xlsx or .parquet (the suffix picks the format)"),
    (["progress", "missing.csv", "-o", "results.json"],
     "results.json: -o: results are written as an Excel workbook: name it FILE.xlsx"),
])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
        capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    # the input does not exist: the -o problem is said first, before anything is read
    assert run(capsys, *argv) == (2, "", f"upgrade-score: error: {expected}\n")


def test_a_missing_extra_for_the_output_is_refused_before_any_work(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # (importing it raises ImportError)
    code, out, err = run(capsys, "score", "missing.csv", "-o", "results.parquet")
    assert (code, out) == (2, "") and err.startswith("upgrade-score: error: pyarrow is needed for writing "
                                                     ".parquet files")


def test_progress_json_indent(capsys: pytest.CaptureFixture[str]) -> None:
    indented = run(capsys, "progress", "--rubric", V1, PANEL, "--format", "json")[1]
    compact = run(capsys, "progress", "--rubric", V1, PANEL, "--format", "json", "--indent", "0")[1]
    assert indented.startswith("[\n  {\n    \"base\": {")  # the default: 2 spaces
    assert compact.count("\n") == 2 and compact.startswith("[{\"base\": {")  # one base per line
    assert json.loads(compact) == json.loads(indented)


def test_an_output_that_would_replace_what_is_read_is_refused(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "bases"
    folder.mkdir()
    inside = folder / "panel.csv"
    inside.write_bytes(PANEL.read_bytes())
    for command in ("score", "compare", "sensitivity"):  # a file of a folder named as the input
        assert run(capsys, command, "--rubric", V1, folder, "-o", inside) == (
            2, "", f"upgrade-score: error: {inside}: -o: is one of the inputs: write the results elsewhere\n")
    assert inside.read_bytes() == PANEL.read_bytes()
    table = tmp_path / "enterprises.csv"  # the --enterprises file
    table.write_text("base_id,name\n", encoding="utf-8")
    code, _, err = run(capsys, "score", "--rubric", V1, HUB, "--enterprises", table, "-o", table)
    assert (code, err) == (2, f"upgrade-score: error: {table}: -o: is one of the inputs: write the results "
                              "elsewhere\n")
    assert table.read_text(encoding="utf-8") == "base_id,name\n"


@pytest.mark.parametrize("command", ["score", "progress"])
def test_an_output_folder_that_does_not_exist_is_refused_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    target = tmp_path / "no" / "such" / "results.xlsx"
    # the input does not exist either: the -o problem is said first, before anything is read
    assert run(capsys, command, "missing.csv", "-o", target) == (
        2, "", f"upgrade-score: error: {target}: -o: the folder '{target.parent}' does not exist\n")
