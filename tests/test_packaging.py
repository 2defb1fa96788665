"""Packaging: the sdist holds every tracked file its tests read, the metadata carries the PEP 639
license, classifiers and one version, and the README renders on a package index as it does here."""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT
from upgrade_score import __version__

LEFT_OUT = (".ci/", ".gitignore")  # CI's own scripts: not part of the source distribution


def _tracked() -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist has no tracked-file list)")
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    return [name for name in listed.stdout.splitlines() if not name.startswith(LEFT_OUT)]


def _sdist(tmp_path: Path) -> tarfile.TarFile:
    builders = pytest.importorskip("hatchling.builders.sdist", reason="needs hatchling (the dev extra)")
    path = next(iter(builders.SdistBuilder(str(ROOT)).build(directory=str(tmp_path))))
    return tarfile.open(path)


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_the_sdist_holds_every_tracked_file(tmp_path: Path) -> None:
    tracked = _tracked()
    with _sdist(tmp_path) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        info = sdist.extractfile(f"upgrade_score-{__version__}/PKG-INFO")
        assert info is not None
        metadata = info.read().decode("utf-8")
    missing = sorted(set(tracked) - names)
    assert missing == [], f"add these to [tool.hatch.build.targets.sdist] include: {missing}"
    assert {".pre-commit-hooks.yaml", "LICENSE", "schemas/rubric.schema.json"} <= names
    assert re.search(r"^Metadata-Version: 2\.[4-9]$", metadata, flags=re.M)
    assert "\nLicense-Expression: MIT\n" in metadata and "\nLicense-File: LICENSE\n" in metadata
    assert f"\nVersion: {__version__}\n" in metadata
    assert "\nClassifier: Typing :: Typed\n" in metadata
    assert "\nClassifier: Programming Language :: Python :: 3.10\n" in metadata
    assert "\nRequires-Python: >=3.10\n" in metadata


def test_the_version_has_one_source() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and not re.search(r"^version\s*=", pyproject, flags=re.M)
    assert '[tool.hatch.version]\npath = "src/upgrade_score/_version.py"' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_license_file_is_the_mit_license() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_readme_images_render_on_a_package_index() -> None:
    """A package index shows the README without the repository beside it: an image must be an
    absolute URL (the screenshots are on the documentation site instead)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", readme) + re.findall(r"<img[^>]+src=\"([^\"]+)", readme)
    assert [image for image in images if not image.startswith("https://")] == []
