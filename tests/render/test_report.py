"""The HTML report: self-contained (nothing from the network), complete (scores, radar, gap actions,
completeness, sources), deterministic, reachable from the CLI, and rendered by a real browser.

The browser test opens the report in headless Chromium (Debian's ``chromium`` package), takes a
screenshot and prints it to PDF; it is skipped when chromium is not installed.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from upgrade_score import (
    Target,
    UpgradeScoreError,
    load_profile,
    load_rubric,
    render_report,
    score_many,
    write_report,
)
from upgrade_score._cli import main
from v1 import V1, V1_BASES

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def report(rubric, profiles) -> str:
    return render_report(rubric, profiles, target=3)


def images(page: str) -> list[tuple[str, bytes]]:
    """Every inline image of the page: (MIME type, decoded bytes)."""
    return [(mime, base64.b64decode(data))
            for mime, data in re.findall(r'src="data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)"', page)]


def test_the_report_is_self_contained(report):
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert "http://" not in report and "https://" not in report
    assert "@import" not in report and "url(" not in report
    # every src/href is inline data or an anchor on the page
    for reference in re.findall(r'(?:src|href)="([^"]*)"', report):
        assert reference.startswith(("data:", "#")), reference
    inline = images(report)
    # overview heat map and radar; per base a radar, and an action chart unless the target is met
    # (the leading park is past level 3 already)
    assert len(inline) == 2 + 4 + 3
    for mime, data in inline:
        assert mime == "image/svg+xml"
        assert not re.search(rb'href="(?!#|data:)', data)  # links inside the SVG stay inside it


def test_the_report_has_every_part(report, profiles):
    for profile in profiles:
        assert profile.base.name is not None and profile.base.name.en in report
    for part in ("Overview", "Direction scores", "Gap to the target", "Data completeness",
                 "Sources of the reported values", "The rubric"):
        assert part in report
    assert "level 3 Integrated in every direction" in report
    assert "target not met" in report and "target met" in report
    assert "2024 statistical yearbook of the base (fictional)" in report  # a reported value's source
    assert "Not reported" in report  # the mixed base leaves indicators empty
    assert "Every indicator was reported." in report
    assert "@media print" in report and "break-before: page" in report


def test_the_report_in_chinese(rubric, profiles):
    page = render_report(rubric, profiles[3:], lang="zh", target=None)
    assert '<html lang="zh-CN">' in page
    assert "金河再生金属产业园" in page and "各方向得分" in page and "数据完整度" in page
    assert "与目标的差距" not in page  # no target, no gap section
    assert len(images(page)) == 1  # one base: its radar only


def test_the_same_inputs_give_the_same_bytes(rubric):
    profile = load_profile(BASES / "scrap_metal_hub.yaml")
    first = render_report(rubric, profile, target=Target(score=70), charts="png")
    assert first == render_report(rubric, profile, target=Target(score=70), charts="png")
    assert all(mime == "image/png" for mime, _ in images(first))


def test_a_score_table_without_profiles(rubric, profiles):
    table = score_many(rubric, score_many(rubric, profiles).values, ids=["a", "b", "c", "d"])
    page = render_report(rubric, table)
    assert "(a)" in page and "No value names its source." in page
    with pytest.raises(UpgradeScoreError, match="another rubric"):
        render_report(load_rubric(_renamed(rubric)), table)


def _renamed(rubric):
    from upgrade_score import Rubric

    return Rubric.model_validate({**rubric.model_dump(), "version": "renamed"})


def test_bad_options(rubric, profiles, tmp_path):
    with pytest.raises(UpgradeScoreError, match="charts"):
        render_report(rubric, profiles, charts="gif")  # type: ignore[arg-type]
    with pytest.raises(UpgradeScoreError, match="no bases"):
        render_report(rubric, [])
    with pytest.raises(UpgradeScoreError, match="cannot write"):
        write_report(rubric, tmp_path / "missing" / "r.html", profiles[:1])


def test_cli_report(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", "--rubric", V1, str(BASES), "--target", "high_value=4,green=3", "--top", "5",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "High-value use level 4" in page and page.count("<section class=\"base\">") == 4
    assert "wrote" in capsys.readouterr().err
    assert main(["report", "--rubric", V1, str(BASES / "scrap_metal_hub.yaml"), "--lang", "zh",
                 "--charts", "png", "-o", "-"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("<!DOCTYPE html>") and "金河再生金属产业园" in printed
    assert main(["report", "--rubric", V1, str(BASES / "scrap_metal_hub.yaml"), "--peer", "best",
                 "--group", str(BASES), "-o", str(out)]) == 0
    assert "peer best of 4 bases" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [
    ["report", "nope.yaml", "-o", "x.html"],
    ["report", "--rubric", V1, str(BASES), "--target", "high_value=9", "-o", "x.html"],
    ["report", "--rubric", V1, str(BASES), "--top", "-1", "-o", "x.html"],
])
def test_cli_report_bad_input_exits_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as usage:  # argparse refuses bad option values itself
        code = usage.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("upgrade-score") and ": error: " in err
    assert not (tmp_path / "x.html").exists()


def test_cli_report_needs_an_output(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["report", "--rubric", V1, str(BASES)])
    assert caught.value.code == 2


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (Debian: apt-get install chromium)")
def test_chromium_renders_and_prints_the_report(report, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report, encoding="utf-8")
    shot, pdf = tmp_path / "shot.png", tmp_path / "report.pdf"
    for output in (f"--screenshot={shot}", f"--print-to-pdf={pdf}"):
        done = subprocess.run(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
             "--window-size=1100,1500", "--no-pdf-header-footer", output, page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    from matplotlib.image import imread

    image = imread(shot)[..., :3]
    assert image.shape[0] >= 1000 and image.shape[1] >= 1000
    ink = (image < 0.95).any(axis=-1).mean()
    colours = len(np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert ink > 0.05 and colours > 50, (ink, colours)  # text, tables and charts, not a blank page
    heading_blue = np.all(np.abs(image - np.array([0x4C, 0x78, 0xA8]) / 255) < 0.03, axis=-1)
    assert heading_blue.any()  # the page's own styles were applied
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert pages >= 5  # printable: the overview and one page (at least) per base


def test_without_a_cjk_font_a_chinese_report_stays_chinese(monkeypatch, rubric, profiles):
    """Only the charts fall back to English labels (no glyphs to draw Chinese with); the page keeps
    the language asked for, says so once on the page and warns once, in that language."""
    from upgrade_score._render import plot, report

    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    chart_langs = []

    def spy(draw):
        def drawn(*args, **options):
            chart_langs.append(options.get("lang"))
            return draw(*args, **options)
        return drawn

    for name in ("plot_radar", "plot_actions", "plot_heatmap"):
        monkeypatch.setattr(report, name, spy(getattr(report, name)))
    with pytest.warns(UserWarning) as caught:
        page = render_report(rubric, profiles, lang="zh", target=3)
    ours = [str(w.message) for w in caught if "fonts-noto-cjk" in str(w.message)]
    assert len(ours) == 1 and re.search(r"[\u4e00-\u9fff]", ours[0])
    assert not re.search(r"\b(?:no|font|charts|labels|English)\b", ours[0])  # no English prose
    assert '<html lang="zh-CN">' in page
    assert "金河再生金属产业园" in page and "各方向得分" in page and "数据完整度" in page
    assert "Direction scores" not in page and "Data completeness" not in page
    notices = re.findall(r'<div class="notice"[^>]*>([^<]*)</div>', page)
    assert len(notices) == 1 and "英文" in notices[0]
    assert chart_langs and set(chart_langs) == {"en"}


def test_a_report_with_its_fonts_has_no_font_notice(rubric, profiles):
    from upgrade_score._render import plot

    english = render_report(rubric, profiles[3:], lang="en", target=None)
    assert 'class="notice"' not in english
    if plot.cjk_font() is not None:
        assert 'class="notice"' not in render_report(rubric, profiles[3:], lang="zh", target=None)
