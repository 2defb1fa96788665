"""``--enterprises FILE`` on score, gap, compare, report and sensitivity: the table's rows roll up
into the inputs of the bases they name; a bad row is a located error and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derived_demo import demo_files
from upgrade_score._cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_score_rolls_up_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rubric, one, two, table = demo_files(tmp_path)
    code, out, _ = run(capsys, "score", one, two, "--rubric", rubric, "--enterprises", table,
                       "--format", "json")
    assert code == 0
    cards = {card["base"]["id"]: card for card in json.loads(out)}
    green = cards["b1"]["indicators"]["green_share"]
    assert green["value"] == pytest.approx(2 / 3)
    assert green["derived"]["enterprise_rows"] == {"firms": 3, "green_count": 3}
    assert cards["b2"]["indicators"]["energy_intensity"]["derived"]["missing_reason"] == "division_by_zero"


@pytest.mark.parametrize("command", ["score", "compare", "sensitivity", "gap"])
def test_every_command_reports_bad_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        command: str) -> None:
    rubric, one, _, table = demo_files(tmp_path)
    table.write_text("base_id,tonnes,green_factory\nb1,5,是\n,6,否\nb1,x,否\n", encoding="utf-8")
    code, out, err = run(capsys, command, one, "--rubric", rubric, "--enterprises", table)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"upgrade-score: error: {table}:3: base_id: empty: every enterprise row names its base",
        f"upgrade-score: error: {table}:4: tonnes: 'x' is not a number"]
    table.write_text("base_id,tonnes\nb1,5\nb9,6\n", encoding="utf-8")
    code, _, err = run(capsys, command, one, "--rubric", rubric, "--enterprises", table)
    assert code == 2
    assert err == f"upgrade-score: error: {table}:3: base_id: unknown base 'b9': no base has this id\n"


def test_gap_and_compare_see_the_rolled_up_values(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rubric, one, two, table = demo_files(tmp_path)
    table.write_text("base_id,tonnes,green_factory\nb1,120,是\nb1,80,否\nb1,,是\n", encoding="utf-8")
    code, out, _ = run(capsys, "gap", one, "--rubric", rubric, "--enterprises", table,
                       "--format", "json", "--target", "2")
    assert code == 0
    actions = {a["indicator"]: a for a in json.loads(out)["actions"]}
    assert actions["throughput"]["current"] == 200  # 120 + 80 (the third row has no tonnes)
    code, out, _ = run(capsys, "compare", one, two, "--rubric", rubric, "--enterprises", table,
                       "--format", "json")
    assert code == 0
    code, without, _ = run(capsys, "compare", one, two, "--rubric", rubric, "--format", "json")
    assert json.loads(out)["bases"] != json.loads(without)["bases"]


def test_gap_peer_group_rows_may_name_group_bases(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rubric, one, two, table = demo_files(tmp_path)
    code, _, err = run(capsys, "gap", one, "--rubric", rubric, "--enterprises", table,
                       "--peer", "best", "--group", one, two, "--format", "json")
    assert (code, err) == (0, "")


def test_report_with_enterprises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    rubric, one, two, table = demo_files(tmp_path)
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", one, two, "--rubric", rubric, "--enterprises", table,
                       "-o", out)
    assert code == 0, err
    assert "green_count: 2 (from 3 enterprise rows)" in out.read_text(encoding="utf-8")


def test_enterprises_file_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rubric, one, _, _ = demo_files(tmp_path)
    code, _, err = run(capsys, "score", one, "--rubric", rubric, "--enterprises", tmp_path / "no.csv")
    assert code == 2
    assert err == f"upgrade-score: error: {tmp_path / 'no.csv'}: file not found\n"


def test_template_csv_writes_the_enterprise_file_and_keeps_a_filled_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rubric, *_ = demo_files(tmp_path)
    out = tmp_path / "s.csv"
    code, _, err = run(capsys, "template", "--rubric", rubric, "-o", out)
    assert code == 0
    assert f"upgrade-score: wrote {tmp_path / 's.enterprises.csv'} (the enterprises" in err
    out.unlink()
    code, _, err = run(capsys, "template", "--rubric", rubric, "-o", out)
    assert code == 2
    assert err == (f"upgrade-score: error: {tmp_path / 's.enterprises.csv'}: exists already (filled-in "
                   "enterprises?): use --force to overwrite it\n")
    assert run(capsys, "template", "--rubric", rubric, "-o", out, "--force")[0] == 0
