"""A peer target's label is words of the display language (zh output carries no English)."""

from __future__ import annotations

import pytest

from upgrade_score._cli import main
from v1 import V1, V1_BASES

BASES = V1_BASES  # the bases of the golden v1 rubric (tests/v1.py)


@pytest.mark.parametrize(("lang", "expected"), [("en", "target: peer median of 4 bases; overall 57.5"),
                                                ("zh", "对标 4 个基地的中位数; 总分 57.5")])
def test_peer_label_follows_the_language(capsys: pytest.CaptureFixture[str], lang: str,
                                         expected: str) -> None:
    assert main(["gap", str(BASES / "scrap_metal_hub.yaml"), "--peer", "median", "--group", str(BASES),
                 "--lang", lang, "--rubric", V1]) == 0
    line = capsys.readouterr().out.splitlines()[2]
    assert expected in line
    if lang == "zh":
        assert "median" not in line and "bases" not in line
