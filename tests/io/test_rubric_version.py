"""Values collected for another version of a rubric are refused, never scored silently: a profile,
a CSV row or a DataFrame row naming its ``rubric_version`` is checked against the rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

import upgrade_score as us
from upgrade_score._cli import main

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "examples" / "panel" / "bases_2023_2025.csv"
V2_VERSION = us.load_rubric().version


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def profile(tmp_path: Path, version: str) -> Path:
    path = tmp_path / "base.yaml"
    text = f"base: {{id: b1, rubric_version: '{version}'}}\nvalues: {{high_value_product_share: 40}}\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_profile_of_the_kept_version_names_the_built_in_to_use(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = profile(tmp_path, "2026.1")
    assert run(capsys, "score", path) == (2, "", (
        f"upgrade-score: error: {path}:1: base.rubric_version: collected for version 2026.1 of rubric "
        f"'urban-mining-upgrade', not for {V2_VERSION}: score it with that version (CLI: --rubric "
        f"urban-mining-upgrade@2026.1) or update the values to {V2_VERSION}\n"))
    code, out, err = run(capsys, "score", "--rubric", "urban-mining-upgrade@2026.1", path, "--format", "json")
    assert code == 0 and err == "" and '"b1"' in out


def test_an_unknown_version_asks_for_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "gap", profile(tmp_path, "2019.3"), "--target", "3")
    assert code == 2 and err.count("\n") == 1
    assert "collected for version 2019.3" in err and "--rubric with the file of version 2019.3" in err


def test_the_rubric_s_own_version_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", profile(tmp_path, V2_VERSION))
    assert code == 0 and err == "" and "b1" in out


def test_a_panel_collected_for_2026_1_is_refused_by_2026_2_row_by_row(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "progress", PANEL)
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 6
    assert all(line.startswith(f"upgrade-score: error: {PANEL}:{row}: rubric_version: collected "
                               "for version 2026.1") for row, line in enumerate(lines, start=2))
    code, out, err = run(capsys, "progress", PANEL, "--rubric", "urban-mining-upgrade@2026.1")
    assert code == 0 and err == ""


def test_a_dataframe_row_of_another_version_is_refused() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["a", "b"], "rubric_version": [V2_VERSION, "2026.1"],
                          "high_value_product_share": [40.0, 50.0]})
    with pytest.raises(us.UpgradeScoreError) as caught:
        us.score_many(us.load_rubric(), frame)
    assert str(caught.value).startswith("data.b.rubric_version: collected for version 2026.1")
    scores = us.score_many(us.load_rubric(), frame.assign(rubric_version=V2_VERSION))
    assert list(scores.base_ids) == ["a", "b"]


def test_a_diff_scores_a_versioned_profile_with_both_versions_on_purpose(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = profile(tmp_path, V2_VERSION)
    code, out, err = run(capsys, "diff", "urban-mining-upgrade@2026.1", "urban-mining-upgrade",
                         "--profiles", path, "--format", "json")
    assert code == 0 and err == "" and '"b1"' in out
    code, out, err = run(capsys, "diff", "urban-mining-upgrade@2026.1", "urban-mining-upgrade",
                         "--profiles", path)
    assert code == 0 and "\nImpact on 1 base · " in out  # (one base, not "1 bases")


@pytest.mark.parametrize("declared", ["=HYPERLINK(\"x\")", "v" * 100_000, "2026.1\n2026.2"])
def test_a_hostile_declared_version_is_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      declared: str) -> None:
    table = tmp_path / "t.csv"
    quoted = declared.replace('"', '""')
    table.write_text(f'id,rubric_version,high_value_product_share\nb1,"{quoted}",40\n', encoding="utf-8")
    code, out, err = run(capsys, "score", table)
    assert code == 2 and out == "" and err.count("\n") == 1 and len(err) < 400
    assert err.startswith(f"upgrade-score: error: {table}:2: rubric_version: collected for version ")
