"""The CI recipe (examples/ci/rubric-check.yml) and the pre-commit hooks, as far as they run
without GitHub or pre-commit: the recipe's pins and settings, its script steps run with bash on a
throw-away git repository set up like a pull request, and each hook's entry run on the files its
pattern matches (the README's snippet has the same hooks)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from upgrade_score._cli import main

RECIPE = ROOT / "examples" / "ci" / "rubric-check.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
needs_git_bash = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                    reason="needs git and bash")


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _job() -> dict[str, Any]:
    job: dict[str, Any] = _workflow()["jobs"]["rubric-check"]
    return job


def test_every_action_is_pinned_to_a_commit_with_its_release_as_a_comment() -> None:
    uses = [line.strip() for line in RECIPE.read_text(encoding="utf-8").splitlines()
            if re.match(r"\s*(- )?uses:", line)]
    assert len(uses) == 3
    for line in uses:
        assert re.fullmatch(r"(- )?uses: actions/[a-z-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+", line), line
    majors = {re.search(r"actions/([a-z-]+)@", line).group(1): int(re.search(r"# v(\d+)", line).group(1))  # type: ignore[union-attr]
              for line in uses}
    assert majors == {"checkout": 7, "setup-python": 7, "github-script": 8}


def test_the_recipe_keeps_no_credentials_and_installs_from_the_repository() -> None:
    steps = _job()["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0
    install = next(step for step in steps if step.get("name") == "Install upgrade-score")
    assert install["run"] == 'python -m pip install "$UPGRADE_SCORE"'
    assert _job()["env"]["UPGRADE_SCORE"] == "."
    text = RECIPE.read_text(encoding="utf-8")
    assert "${{" not in "".join(step.get("run", "") for step in steps)  # no expression in a script
    assert '"**.yml"' in text and '"**.yaml"' in text
    assert "GITHUB_STEP_SUMMARY" in text


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _pull_request(tmp_path: Path) -> Path:
    """A repository laid out like this one, its main branch as ``origin/main``, and a pull request
    that changes the default rubric, adds a new rubric (.yml) and keeps the workflow file."""
    repo = tmp_path / "repo"
    (repo / "examples").mkdir(parents=True)
    shutil.copytree(ROOT / "rubrics", repo / "rubrics")
    shutil.copytree(ROOT / "examples" / "bases", repo / "examples" / "bases")
    shutil.copytree(ROOT / "examples" / "rubrics", repo / "examples" / "rubrics")
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(RECIPE, repo / ".github" / "workflows" / "rubric-check.yml")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "main")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    rubric = repo / "rubrics" / "urban_mining_upgrade.yaml"
    text = rubric.read_text(encoding="utf-8")
    rubric.write_text(text.replace("thresholds: [10, 20, 35, 50, 65]", "thresholds: [10, 20, 30, 50, 65]", 1),
                      encoding="utf-8")
    (repo / "rubrics" / "second.yml").write_text(text.replace("id: urban-mining-upgrade", "id: second", 1),
                                                 encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pull request")
    return repo


def _run_step(repo: Path, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the recipe's step ``name`` as GitHub runs a bash step (-eo pipefail), with the job's
    env and ``upgrade-score`` on PATH (this interpreter's package)."""
    step = next(step for step in _job()["steps"] if step.get("name") == name)
    shim = repo.parent / "bin"
    shim.mkdir(exist_ok=True)
    python = shlex.quote(sys.executable)
    (shim / "upgrade-score").write_text(f'#!/bin/sh\nexec {python} -m upgrade_score "$@"\n', encoding="utf-8")
    (shim / "upgrade-score").chmod(0o755)
    job_env = {key: str(value) for key, value in _job()["env"].items() if "${{" not in str(value)}
    full = {**os.environ, **job_env, "BASE_REF": "main", "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(repo.parent / "output"), "GITHUB_STEP_SUMMARY": str(repo.parent / "summary"),
            **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=repo, env=full, capture_output=True, text=True, check=False)


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
@needs_git_bash
def test_the_script_steps_find_check_and_diff_the_rubrics_of_a_pull_request(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)
    found = _run_step(repo, "Find the rubric files")
    assert found.returncode == 0, found.stderr
    assert (repo / "rubrics.txt").read_text(encoding="utf-8").split() == [
        "examples/rubrics/categories_and_gates.yaml", "rubrics/second.yml",
        "rubrics/urban_mining_upgrade.yaml", "rubrics/urban_mining_upgrade@2026.1.yaml"]

    checked = _run_step(repo, "Validate and lint the rubrics")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    assert "### upgrade-score check --strict" in summary and "rubrics/second.yml: ok" in summary

    diffed = _run_step(repo, "Diff against the target branch")
    assert diffed.returncode == 0, diffed.stderr
    markdown = (repo / "diff.md").read_text(encoding="utf-8")
    assert "New rubric `rubrics/second.yml`: nothing to diff against." in markdown
    assert "categories_and_gates" not in markdown  # unchanged: not diffed
    assert "2026.2" in markdown and "|" in markdown  # the diff's Markdown tables
    assert markdown in (tmp_path / "summary").read_text(encoding="utf-8")
    assert (tmp_path / "output").read_text(encoding="utf-8") == "status=0\n"


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
@needs_git_bash
def test_the_diff_step_reports_a_tripped_gate_and_the_check_step_fails_a_bad_rubric(tmp_path: Path) -> None:
    repo = _pull_request(tmp_path)
    assert _run_step(repo, "Find the rubric files").returncode == 0
    tripped = _run_step(repo, "Diff against the target branch", MAX_SHIFT="0.000001")
    assert tripped.returncode == 0  # the step records the status; the last step fails the job
    assert (tmp_path / "output").read_text(encoding="utf-8") == "status=1\n"
    failing = _run_step(repo, "Fail when a gate tripped or the diff failed", STATUS="1")
    assert failing.returncode == 1 and "exited with 1" in failing.stdout

    rubric = repo / "rubrics" / "second.yml"
    rubric.write_text(rubric.read_text(encoding="utf-8").replace("aggregation: arithmetic",
                                                                 "aggregation: harmonic"), encoding="utf-8")
    checked = _run_step(repo, "Validate and lint the rubrics")
    assert checked.returncode == 1 and "rubrics/second.yml" in checked.stdout


@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
@needs_git_bash
def test_the_find_step_fails_clearly_without_a_rubric(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "notes.yml").write_text("title: no rubric here\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    found = _run_step(repo, "Find the rubric files")
    assert found.returncode == 1 and "no rubric file" in found.stdout


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def _readme_hooks() -> list[dict[str, Any]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(block for block in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
                 if block.startswith("repos:"))
    config = yaml.safe_load(block)
    assert config["repos"][0]["repo"] == "local"
    hooks: list[dict[str, Any]] = config["repos"][0]["hooks"]
    return hooks


def test_the_readme_snippet_has_the_hooks_of_the_hooks_file() -> None:
    shipped = {hook["id"]: (hook["entry"], hook["files"]) for hook in _hooks()}
    readme = {hook["id"]: (hook["entry"], hook["files"]) for hook in _readme_hooks()}
    assert readme == shipped
    assert all(hook["language"] == "system" for hook in _readme_hooks())


@pytest.mark.parametrize(("path", "hook"), [
    ("rubrics/urban_mining_upgrade.yaml", "upgrade-score-check"),
    ("policy/rubrics/mine.yml", "upgrade-score-check"),
    ("examples/rubrics/categories_and_gates.yaml", "upgrade-score-check"),
    (".github/workflows/rubric-check.yml", None),
    ("examples/ci/rubric-check.yml", None),
    ("my_rubric_notes.yaml", None),
    ("examples/bases/scrap_metal_hub.yaml", "upgrade-score-profiles"),
    ("data/bases/survey.csv", "upgrade-score-profiles"),
    ("data/bases/old/survey.csv", None),
    ("examples/rubrics/bases/ferrous_yard.yaml", "upgrade-score-profiles"),
])
def test_the_hooks_match_rubrics_and_profiles_by_folder(path: str, hook: str | None) -> None:
    matched = [entry["id"] for entry in _hooks() if re.search(entry["files"], path)]
    assert matched == ([hook] if hook else [])


def _matched_files(pattern: str) -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for folder in ("rubrics", "examples")
                  for path in (ROOT / folder).rglob("*")
                  if re.search(pattern, str(path.relative_to(ROOT)).replace(os.sep, "/")))


def _rubric_beside(folder: Path) -> list[str]:
    """``--rubric`` for the profiles of a ``bases/`` folder: the rubric file beside that folder
    (as in the CI recipe), or none (the built-in rubric)."""
    found = [path for path in sorted(folder.parent.glob("*.y*ml"))
             if re.search(r"(?m)^directions:", path.read_text(encoding="utf-8"))]
    return ["--rubric", str(found[0].relative_to(ROOT))] if len(found) == 1 else []


def test_each_hook_entry_passes_on_the_files_it_matches(capsys: pytest.CaptureFixture[str]) -> None:
    """What pre-commit runs: the entry, then the matched files (here: this repository's; the
    profiles of each bases/ folder with the rubric beside it, as a config's args would say)."""
    for hook in _hooks():
        files = _matched_files(hook["files"])
        groups: dict[tuple[str, ...], list[str]] = {}
        for name in files:
            args = _rubric_beside(ROOT / Path(name).parent) if hook["id"] == "upgrade-score-profiles" else []
            groups.setdefault(tuple(args), []).append(name)
        assert groups
        for args, group in groups.items():
            old = Path.cwd()
            os.chdir(ROOT)
            try:
                code = main([*shlex.split(hook["entry"])[1:], *args, *group])
            finally:
                os.chdir(old)
            captured = capsys.readouterr()
            assert code == 0, captured.err


def test_a_hook_fails_on_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bases" / "b.yaml"
    bad.parent.mkdir()
    bad.write_text("base: {id: b}\nvalues: {renewable_energy_share: 135}\n", encoding="utf-8")
    entry = next(hook["entry"] for hook in _hooks() if hook["id"] == "upgrade-score-profiles")
    assert main([*shlex.split(entry)[1:], str(bad)]) == 2
    assert "outside the valid range" in capsys.readouterr().err
