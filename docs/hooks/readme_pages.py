"""mkdocs hook: the guide pages of the documentation site, cut from README.md at its ``##``
headings, and the contributing and changelog pages from CONTRIBUTING.md and CHANGELOG.md.

The README stays the one source of the guide (it is also the package index page). Each page
starts at the README section named in ``PAGES`` and runs to the next page's first section, so a
section added to the README lands on the page it follows. Links to files of the repository
that are not pages of the site become plain text (the site has no copy of them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
# page file, its title, and the README heading (of a ## section) it starts at; "" = the intro
PAGES = [
    ("index.md", "upgrade-score", ""),
    ("guide/gap.md", "Find the gap", "Find the gap"),
    ("guide/panels.md", "Bases over the years", "Bases over the years"),
    ("guide/review.md", "Reviewing rubric changes", "Reviewing rubric changes"),
    ("guide/robustness.md", "Robustness of results", "Robustness of results"),
    ("guide/survey.md", "Run a survey", "Run a survey"),
    ("guide/notebook.md", "In a notebook", "In a notebook"),
    ("guide/charts.md", "Charts and reports", "Charts and reports"),
    ("guide/scoring.md", "Scoring rules", "Scoring rules in plain words"),
    ("guide/derived.md", "Derived indicators, enterprises and weights", "Derived indicators"),
    ("guide/rubrics.md", "Rubrics", "The default rubric"),
    ("guide/profiles.md", "Base profiles", "Base profiles"),
    ("guide/performance.md", "Performance", "Performance"),
    ("guide/development.md", "Development", "Development"),
]
EXTRA = {  # pictures the README leaves out (a package index shows no relative image)
    "guide/panels.md": "\n![Direction scores of the scrap-metal hub over three years, target dashed]"
                       "(../progress.png)\n",
    "guide/charts.md": "\n![Radar chart of the four example bases against level 3](../radar.png)\n\n"
                       "![The HTML report of one base](../report.png)\n",
}
LINKS = {"CONTRIBUTING.md": "contributing.md", "CHANGELOG.md": "changelog.md",
         "examples/compare_bases.ipynb": "compare_bases.ipynb"}


def split_readme(text: str) -> dict[str, str]:
    """Page file -> Markdown, cut at the README's ``##`` headings as :data:`PAGES` says."""
    sections = re.split(r"(?m)^(?=## )", text)
    starts = {heading: page for page, _, heading in PAGES if heading}
    pages: dict[str, list[str]] = {page: [] for page, _, _ in PAGES}
    current = PAGES[0][0]
    for section in sections:
        heading = section.splitlines()[0][3:].strip() if section.startswith("## ") else ""
        current = next((page for start, page in starts.items() if heading.startswith(start)), current)
        pages[current].append(section)
    missing = [page for page, parts in pages.items() if not parts]
    if missing:
        raise ValueError(f"README.md has no section for {missing}: update PAGES in {__file__}")
    return {page: "".join(parts) for page, parts in pages.items()}


def _links(text: str, page: str) -> str:
    """Repository links that are site pages point to them; the others become plain text."""
    up = "../" * page.count("/")

    def fix(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+://|#", target):
            return match.group(0)
        if target in LINKS:
            return f"[{label}]({up}{LINKS[target]})"
        return label

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", fix, text)


def on_files(files: Files, config: Any) -> Files:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page, text in split_readme(readme).items():
        content = _links(text, page) + EXTRA.get(page, "")
        if page != "index.md":  # a page of its own: its first section heading is its title
            content = re.sub(r"^## ", "# ", content, count=1)
        files.append(File.generated(config, page, content=content))
    for name, page in (("CONTRIBUTING.md", "contributing.md"), ("CHANGELOG.md", "changelog.md")):
        text = (ROOT / name).read_text(encoding="utf-8")
        files.append(File.generated(config, page, content=_links(text, page)))
    return files


_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(<code>)~?(?:upgrade_score\.)?")


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Docstrings name objects with Sphinx roles (``:func:`score```): show them as code."""
    return _ROLE.sub(r"\1", html)
