"""Regenerate the README screenshots: ``docs/radar.png``, ``docs/progress.png`` and ``docs/report.png``.

Needs the extras (``pip install -e ".[dev]"``), a CJK font and Debian's ``chromium``::

    python docs/make_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

import upgrade_score as us
from upgrade_score._render.plot import figure_bytes

DOCS = Path(__file__).resolve().parent
BASES = DOCS.parent / "examples" / "bases"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars"]


def small_png(image: Image.Image, path: Path, width: int) -> None:
    """Scale to ``width`` pixels and save with a 256-colour palette (a few tens of KB)."""
    height = round(image.height * width / image.width)
    image = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True)


def radar() -> None:
    rubric = us.load_rubric()
    ranking = us.compare(rubric, us.load_profiles(BASES))
    fig = us.plot_radar(ranking, target=us.Target(level=3), title="Example bases against level 3")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "radar.png"
        raw.write_bytes(figure_bytes(fig, "png", dpi=100))
        small_png(Image.open(raw), DOCS / "radar.png", 640)


def progress() -> None:
    v1 = us.load_rubric("urban-mining-upgrade@2026.1")  # the version the panel was collected for
    moves = us.progress(v1, us.load_profiles(DOCS.parent / "examples" / "panel"), target=3)
    fig = us.plot_progress(moves, "jinhe-scrap-metal-hub")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "progress.png"
        raw.write_bytes(figure_bytes(fig, "png", dpi=100))
        small_png(Image.open(raw), DOCS / "progress.png", 640)


def report() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs chromium (apt-get install chromium)")
    base = us.load_profile(BASES / "scrap_metal_hub.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        page = us.write_report(None, Path(tmp) / "report.html", base, target=3)
        shot = Path(tmp) / "shot.png"
        subprocess.run([chromium, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                        "--window-size=1100,1560", f"--screenshot={shot}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        small_png(Image.open(shot), DOCS / "report.png", 820)


if __name__ == "__main__":
    radar()
    progress()
    report()
    for name in ("radar.png", "progress.png", "report.png"):
        print(name, (DOCS / name).stat().st_size // 1024, "KiB")
