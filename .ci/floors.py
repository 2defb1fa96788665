"""Print pip constraints that pin every dependency the package declares to its lowest version.

Used by .ci/run to run the test suite on the floors (``pydantic>=2.5`` becomes ``pydantic==2.5``),
so that a floor the code no longer works with is caught.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip vendors the same parser
    from pip._vendor import tomli as tomllib

FLOOR = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)")


def floors(pyproject: Path) -> dict[str, str]:
    """Name → lowest version of every ``name>=x`` requirement, extras included."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [*project.get("dependencies", [])]
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    found: dict[str, str] = {}
    for requirement in requirements:
        match = FLOOR.match(requirement.split(",")[0].strip())
        if match:
            found[match[1].lower()] = match[2]
    return found


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    for name, version in sorted(floors(path).items()):
        print(f"{name}=={version}")
