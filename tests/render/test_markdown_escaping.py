"""Markdown output cannot be hijacked by the text it shows.

Every command's ``--format markdown`` (score, compare, gap, sensitivity, diff: the PR comment)
is fed hostile free text — a rubric version, title, level, direction and indicator names, units,
sources, and base names, sources and regions with line breaks, ``<!--``, links, emphasis, code
spans, entities and pipes — and must show it as text: no HTML opened, no line broken, no table
cell added, no link, emphasis or code span made. (``check`` has no Markdown output.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from upgrade_score import load_rubric
from upgrade_score._cli import main
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
HUB = V1_BASES / "scrap_metal_hub.yaml"
# a line break then an HTML comment that would hide the rest, a link, emphasis, a code span,
# strikethrough, an entity that reads as "<", a pipe that splits a cell, a Unicode line separator
HOSTILE = "x\n<!-- hide | *bold* [link](https://e.example) `code` ~~gone~~ &lt;b&gt; \\ \u2028 # h>"
OWN_MARKUP = ("<!-- upgrade-score-diff -->", "<details>", "</details>", "<summary>", "</summary>")


def hostile_rubric(version: str, heavier: bool = False) -> dict[str, object]:
    data = load_rubric(V1).model_dump(mode="json", exclude_none=True)
    data["version"] = f"{version} {HOSTILE}"
    data["title"] = {"en": f"T {HOSTILE}", "zh": f"标题 {HOSTILE}"}
    data["levels"][1]["name"] = {"en": f"L {HOSTILE}", "zh": f"级 {HOSTILE}"}
    direction = data["directions"][0]
    direction["name"] = {"en": f"D {HOSTILE}", "zh": f"方向 {HOSTILE}"}
    if heavier:
        direction["weight"] = direction["weight"] * 3
    for indicator in direction["indicators"]:
        indicator["name"] = {"en": f"I {HOSTILE}", "zh": f"指标 {HOSTILE}"}
        if indicator["kind"] == "quantitative":
            indicator["unit"] = f"US$ {HOSTILE}"
            indicator["source"] = f"S {HOSTILE}{' new' if heavier else ''}"
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {"old": folder / "old.yaml", "new": folder / "new.yaml", "bases": folder / "bases"}
    paths["old"].write_text(json.dumps(hostile_rubric("1")), encoding="utf-8")
    paths["new"].write_text(json.dumps(hostile_rubric("2", heavier=True)), encoding="utf-8")
    paths["bases"].mkdir()
    import yaml

    profile = yaml.safe_load(HUB.read_text(encoding="utf-8"))
    for k in range(3):
        profile["base"]["id"] = f"b{k}"
        profile["base"]["name"] = {"en": f"B{k} {HOSTILE}", "zh": f"基地{k} {HOSTILE}"}
        profile["base"]["region"] = f"R {HOSTILE}"
        profile["values"]["high_value_product_share"] = {"value": 30.0 + 10 * k, "confidence": 0.8,
                                                         "source": f"V {HOSTILE}"}
        (paths["bases"] / f"b{k}.yaml").write_text(json.dumps(profile), encoding="utf-8")
    return paths


def unescaped(text: str, characters: str) -> list[str]:
    """The characters of ``characters`` in ``text`` that no backslash escapes."""
    return [match[1] for match in re.finditer(rf"(?<!\\)(?:\\\\)*([{re.escape(characters)}])", text)]


def assert_inert(out: str) -> None:
    assert "\u2028" not in out and "\r" not in out
    body = out
    for markup in OWN_MARKUP:
        body = body.replace(markup, "")
    body = re.sub(r"`[A-Za-z][A-Za-z0-9_.-]*`", "", body)  # ids (which cannot hold a `) as code
    assert unescaped(body, "<>[]`~") == [], "HTML, a link, a code span or strikethrough got through"
    assert not re.search(r"(?<!\\)&#?\w+;", body), "an entity got through"
    assert "\\*bold\\*" in out and "*bold*" not in out.replace("\\*bold\\*", "")
    lines = out.splitlines()
    for k, line in enumerate(lines):
        assert not line.lstrip().startswith(("<!-- hide", "# h", "hide")), f"line {k}: {line}"
    for table in re.findall(r"(?m)(?:^\|.*\|$\n?)+", out):  # every row has the header's cells
        rows = table.strip("\n").split("\n")
        cells = {len(unescaped(row, "|")) for row in rows}
        assert len(cells) == 1, rows


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", ["score", "compare", "gap", "sensitivity", "diff"])
def test_hostile_text_stays_text_in_markdown(files: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                             command: str, lang: str) -> None:
    rubric, bases = files["old"], files["bases"]
    argv: list[str | Path] = {
        "score": ["score", bases / "b0.yaml", "--rubric", rubric, "--detail"],
        "compare": ["compare", bases, "--rubric", rubric],
        "gap": ["gap", bases / "b0.yaml", "--rubric", rubric, "--target", "4"],
        "sensitivity": ["sensitivity", bases, "--rubric", rubric, "--samples", "50", "--seed", "1"],
        "diff": ["diff", rubric, files["new"], "--profiles", bases],
    }[command]
    out = run(capsys, *argv, "--format", "markdown", "--lang", lang)
    assert_inert(out)
    if command in ("score", "gap", "diff"):
        assert "\\<!-- hide" in out  # shown, escaped
    if command == "diff":
        assert out.startswith("<!-- upgrade-score-diff -->\n\n### ")
        assert "\\<!-- hide" in out.splitlines()[2]  # the version stays on the heading's line
