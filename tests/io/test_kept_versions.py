"""A kept rubric version is built in as ``id@version``: a survey template written from it is read
back with it, without naming the rubric, and the CLI takes it like any built-in id."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveycsv import fill_csv
from upgrade_score import load_profiles, load_rubric, write_template
from upgrade_score._cli import main
from v1 import V1, V1_BASES


def test_a_template_of_a_kept_version_is_read_with_that_version(tmp_path: Path) -> None:
    path = write_template(V1, tmp_path / "s.csv")
    fill_csv(path, {"base.id": "b", "green_factory_share": "30"})  # reported in 2026.1, computed in 2026.2
    (base,) = load_profiles(path)  # the marker names 2026.1: the kept built-in reads it
    assert base.value("green_factory_share") == 30.0
    assert load_rubric().version != "2026.1"


def test_the_cli_scores_with_a_kept_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(V1_BASES / "scrap_metal_hub.yaml"), "--rubric", V1]) == 0
    out = capsys.readouterr().out
    assert "Overall 57.0 / 100" in out and "Rubric urban-mining-upgrade 2026.1 (sha256 c8929026cf2e)" in out
    assert main(["rubrics"]) == 0
    assert "urban-mining-upgrade@2026.1  2026.1" in capsys.readouterr().out


def test_a_built_in_rubric_is_loaded_once_per_file_state(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from upgrade_score._io import rubrics

    assert load_rubric() is load_rubric("urban-mining-upgrade")  # validated and compiled once
    assert load_rubric(V1) is not load_rubric()
    folder = tmp_path / "builtin"
    folder.mkdir()
    built_in = folder / "urban_mining_upgrade.yaml"
    built_in.write_bytes(rubrics.builtin_path("urban-mining-upgrade").read_bytes())  # type: ignore[union-attr]
    monkeypatch.setattr(rubrics, "_builtin_dir", lambda: folder)
    first = load_rubric()
    assert load_rubric(built_in) is first
    text = built_in.read_text(encoding="utf-8")
    built_in.write_text(text.replace('version: "2026.2"', 'version: "2099.1"', 1), encoding="utf-8")
    assert load_rubric().version == "2099.1"  # the file changed (size and time): read again
    copy = tmp_path / "mine.yaml"  # a user's file is read on every call
    copy.write_text(text, encoding="utf-8")
    assert load_rubric(copy) is not load_rubric(copy)
