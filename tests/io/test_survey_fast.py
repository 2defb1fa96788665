"""Survey templates of many bases at table speed: the rows of bases written as XML text give the
same workbook as openpyxl's cells, and the reader's fast path gives the same values and the same
problems as reading cell by cell."""

from __future__ import annotations

import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from upgrade_score import BaseProfile, load_profiles, load_rubric, write_template
from upgrade_score._io.survey import write as survey_write
from upgrade_score._io.survey import xlsx as survey_xlsx

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "bases"
V2 = load_rubric(ROOT / "examples" / "rubrics" / "categories_and_gates.yaml")
RUBRIC = load_rubric()


def members(path: Path) -> dict[str, bytes]:
    """A workbook's parts, but the one with the time it was saved."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()
                if info.filename != "docProps/core.xml"}


def both_writers(tmp_path: Path, rubric: Any, profiles: Any, lang: str) -> tuple[dict[str, bytes],
                                                                                  dict[str, bytes]]:
    fast, cells = tmp_path / "fast.xlsx", tmp_path / "cells.xlsx"
    write_template(rubric, fast, layout="many-bases", profiles=profiles, lang=lang)  # type: ignore[arg-type]
    slow = partial(survey_xlsx._save_xlsx, fast_rows=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey_write, "_save_xlsx", slow)
        write_template(rubric, cells, layout="many-bases", profiles=profiles, lang=lang)  # type: ignore[arg-type]
    return members(fast), members(cells)


def renamed(profile: BaseProfile, base_id: str, name: str | None, region: str | None) -> BaseProfile:
    data = profile.model_dump(exclude_none=True)
    data["base"] = {**data["base"], "id": base_id, **({"region": region} if region is not None else {}),
                    **({"name": {"zh": name, "en": name}} if name else {})}
    return BaseProfile.model_validate(data)


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_rows_as_text_are_the_bytes_openpyxl_writes(tmp_path: Path, lang: str) -> None:
    bases = load_profiles(EXAMPLES)
    names = ["=1+2", "\x1f", " lead", "trail ", "a & b < c > d \"q\" 'r'", "two\nlines", "中文 基地",
             "-5", "   "]
    profiles = [renamed(p, f"{p.id}-{k}", names[k % len(names)], names[(k + 3) % len(names)])
                for k in range(3) for p in bases]
    fast, cells = both_writers(tmp_path, RUBRIC, profiles, lang)
    assert list(fast) == list(cells)
    assert fast == cells
    sheet = fast["xl/worksheets/sheet1.xml"]
    assert b"&amp; b &lt; c &gt;" in sheet and b'xml:space="preserve"> lead' in sheet  # (tested)


def test_rows_as_text_with_categories_and_none(tmp_path: Path) -> None:
    assert both_writers(tmp_path, V2, None, "zh")[0] == both_writers(tmp_path, V2, None, "zh")[1]
    profiles = load_profiles(ROOT / "examples" / "rubrics" / "bases", rubric=V2)
    fast, cells = both_writers(tmp_path, V2, profiles, "both")
    assert fast == cells


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                min_size=1, max_size=4))
def test_any_names_are_written_as_openpyxl_writes_them(tmp_path: Path, names: list[str]) -> None:
    bases = load_profiles(EXAMPLES)
    try:
        profiles = [renamed(bases[k % len(bases)], f"b{k}", name or None, name or None)
                    for k, name in enumerate(names)]
    except ValueError:  # a name the profile model refuses (pydantic's error is a ValueError)
        assume(False)
    fast, cells = both_writers(tmp_path, RUBRIC, profiles, "en")
    assert fast == cells
