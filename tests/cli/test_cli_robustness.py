"""The command line under bad input: every problem on its own line, short lines, no crash, no hang,
no library warning on stderr, bounded reads from git (issue 11)."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from upgrade_score import Problem, UpgradeScoreError, load_rubric
from upgrade_score._cli import MAX_SHOWN_PROBLEMS, main
from upgrade_score._io import rubrics as rubric_io
from upgrade_score._io import validate as validate_module
from upgrade_score._model.rubric import Rubric
from v1 import V1, V1_BASES, V1_PATH

ROOT = Path(__file__).resolve().parents[2]
BASES = V1_BASES
NEW_BASES = ROOT / "examples" / "bases"  # the README's examples, for the default rubric
NEW_HUB = NEW_BASES / "scrap_metal_hub.yaml"
HUB = BASES / "scrap_metal_hub.yaml"
PANEL = ROOT / "examples" / "panel"
DEFAULT = ROOT / "rubrics" / "urban_mining_upgrade.yaml"
V2 = ROOT / "examples" / "rubrics" / "categories_and_gates.yaml"
V2_BASES = ROOT / "examples" / "rubrics" / "bases"
PREFIX = "upgrade-score: error: "


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def errors(err: str) -> list[str]:
    """The problem lines of stderr, without the prefix (every line must have it)."""
    lines = err.splitlines()
    assert all(line.startswith(PREFIX) for line in lines), err
    return [line.removeprefix(PREFIX) for line in lines]


def hub_with(tmp_path: Path, **changes: str) -> Path:
    """The example hub profile with some values replaced (written as YAML text)."""
    text = HUB.read_text(encoding="utf-8")
    for indicator, value in changes.items():
        start = text.index(f"  {indicator}: ")
        end = text.index("\n", start)
        text = f"{text[:start]}  {indicator}: {value}{text[end:]}"
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


# --- every problem, one line each, in file order ------------------------------------------------

def test_every_problem_of_a_file_is_one_line_in_file_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = hub_with(tmp_path, green_factory_share="135", water_reuse_rate="-5",
                    same_grade_recycling_rate="101")
    code, out, err = run(capsys, "score", "--rubric", V1, path)
    assert code == 2 and out == ""
    assert errors(err) == [
        f"{path}:{line_of(path, 'same_grade')}: values.same_grade_recycling_rate: "
        "101 is outside the valid range [0, 100]",
        f"{path}:{line_of(path, 'water_reuse')}: values.water_reuse_rate: "
        "-5 is outside the valid range [0, 100]",
        f"{path}:{line_of(path, 'green_factory')}: values.green_factory_share: "
        "135 is outside the valid range [0, 100]",
    ]


def test_a_type_error_does_not_hide_the_range_errors_of_other_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = hub_with(tmp_path, rd_intensity="abc", green_factory_share="135", water_reuse_rate="-5")
    for command in (["score", path, "--rubric", V1], ["gap", path, "--rubric", V1],
                    ["compare", path, BASES, "--rubric", V1]):
        code, _, err = run(capsys, *command)
        lines = errors(err)
        assert code == 2 and len(lines) == 3, err
        assert [line.split(": ")[1] for line in lines] == [
            "values.rd_intensity", "values.water_reuse_rate", "values.green_factory_share"]
        assert lines[0].startswith(f"{path}:{line_of(path, 'rd_intensity')}: ")
        assert "135 is outside the valid range [0, 100]" in lines[2]


def test_a_type_error_in_a_rubric_does_not_hide_its_rule_errors(tmp_path: Path) -> None:
    text = V1_PATH.read_text(encoding="utf-8")
    other = text.index("id: offtake_agreement_share")  # not the indicator with bad thresholds
    text = text[:other] + text[other:].replace("weight: 2", "weight: heavy", 1)
    text = text.replace("thresholds: [10, 20, 35, 50, 65]", "thresholds: [10, 20, 35, 30, 65]", 1)
    text = text.replace("aggregation: arithmetic", "aggregation: harmonic")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    messages = [f"{format_field(p)}: {p.message}" for p in info.value.problems]
    assert any(m.startswith("aggregation: input should be") for m in messages), messages
    assert any(m == "directions[1].indicators[0].weight: input should be a valid number, got 'heavy'"
               for m in messages), messages
    assert any("thresholds[3]: must strictly increase (better: higher); 30 follows 35" in m
               for m in messages), messages
    lines = [p.line or 0 for p in info.value.problems]
    assert lines == sorted(lines)


def test_a_rule_error_depending_on_a_broken_field_is_not_reported(tmp_path: Path) -> None:
    """A typo in an indicator's kind must not make its thresholds, or a gate on it, look wrong."""
    text = V2.read_text(encoding="utf-8").replace("\ngates:\n", """
      - id: platform
        name: Platform
        kind: qualitatve
gates:
  - {id: has_platform, indicator: platform, equals: 2}
""")
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    path.write_text(text.replace("kind: qualitatve", "kind: qualitative"), encoding="utf-8")
    load_rubric(path)  # valid once the typo is fixed
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UpgradeScoreError) as info:
        load_rubric(path)
    assert [p.path[-1] for p in info.value.problems] == ["kind"], info.value.problems


def format_field(problem: Problem) -> str:
    from upgrade_score._errors import format_path

    return format_path(problem.path)


def test_problem_lines_are_capped_with_the_count_of_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"b{k},abc{k}\n" for k in range(MAX_SHOWN_PROBLEMS + 7))
    path = tmp_path / "bases.csv"
    path.write_text(f"id,green_factory_share\n{rows}", encoding="utf-8")
    code, _, err = run(capsys, "score", "--rubric", V1, path)
    lines = errors(err)
    assert code == 2 and len(lines) == MAX_SHOWN_PROBLEMS + 1
    assert lines[0] == f"{path}:2: green_factory_share: 'abc0' is not a number, true/false or blank"
    assert lines[MAX_SHOWN_PROBLEMS - 1].startswith(f"{path}:{MAX_SHOWN_PROBLEMS + 1}: ")
    assert lines[-1] == f"… and 7 more problems ({MAX_SHOWN_PROBLEMS + 7} in all)"


def test_the_python_message_stays_one_line_with_the_count() -> None:
    error = UpgradeScoreError([Problem("a", "f.yaml", 1), Problem("b", "f.yaml", 2)])
    assert str(error) == "f.yaml:1: a (and 1 more problem)"


# --- long values are cut, locations never ------------------------------------------------------

def test_a_problem_cuts_long_quoted_values_but_not_its_location() -> None:
    cell = "x" * 1_000_000
    text = str(Problem(f"'{cell}' is not a number, true/false or blank", "f.csv", 2, ("share",)))
    assert text.startswith("f.csv:2: share: 'xxxx")
    assert text.endswith("' is not a number, true/false or blank")
    assert "…" in text and len(text) < 200
    text = str(Problem(f"invalid YAML scalar {cell + chr(34)!r}: no", "f.yaml", 3))
    assert len(text) < 200 and text.endswith(": no")
    unquoted = str(Problem("y" * 100_000, "f.yaml", 3, ("values", "share")))
    assert unquoted.startswith("f.yaml:3: values.share: yyy") and len(unquoted) < 600
    short = "'abc' is not a number"
    assert str(Problem(short, "f.csv", 2)) == f"f.csv:2: {short}"
    long_name = "d" * 300 + ".yaml"
    assert str(Problem("file not found", long_name)) == f"{long_name}: file not found"


def test_a_huge_cell_gives_a_short_stderr_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bases.csv"
    path.write_text("id,green_factory_share\nb1," + "9" * 120_000 + "x\n", encoding="utf-8")
    code, _, err = run(capsys, "score", "--rubric", V1, path)
    assert code == 2 and len(err) < 400 and err.startswith(f"{PREFIX}{path}:2: green_factory_share: ")


# --- crashes and hangs become located exit-2 errors ---------------------------------------------

LONG = "n" * 300


@pytest.mark.parametrize("argv", [
    ["score", f"{LONG}.yaml"],
    ["score", f"{LONG}/x.yaml"],
    ["score", HUB, "--rubric", f"{LONG}.yaml"],
    ["gap", f"{LONG}.yaml"],
    ["compare", f"{LONG}.csv"],
    ["check", f"{LONG}.yaml"],
    ["diff", f"{LONG}.yaml", "urban-mining-upgrade"],
    ["template", "-o", "OUT/" + f"{LONG}.csv"],
    ["report", NEW_HUB, "-o", "OUT/" + f"{LONG}.html"],
    ["sensitivity", f"{LONG}.yaml", "--samples", "10"],
])
def test_a_path_component_over_255_bytes_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[Any]) -> None:
    argv = [str(a).replace("OUT", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    lines = errors(err)
    assert code == 2 and out == "" and len(lines) == 1, err
    assert LONG in lines[0] and "name too long" in lines[0].lower()


def test_a_long_git_spec_is_asked_of_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # not a repository (or no git at all): an error either way
    code, out, err = run(capsys, "diff", "urban-mining-upgrade", f"HEAD:{LONG}.yaml")
    lines = errors(err)
    assert code == 2 and out == "" and len(lines) == 1 and lines[0].startswith(f"HEAD:{LONG}.yaml: ")


@pytest.mark.parametrize("argv", [
    ["template", "-o", "OUT/absent/survey.csv"],
    ["template", "-o", "OUT/absent/survey.xlsx"],
    ["report", NEW_HUB, "-o", "OUT/absent/report.html"],
    ["report", NEW_HUB, "-o", "OUT"],
])
def test_writing_where_it_cannot_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[Any]) -> None:
    argv = [str(a).replace("OUT", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    lines = errors(err)
    assert code == 2 and out == "" and len(lines) == 1 and lines[0].startswith(argv[-1] + ": ")


def test_an_oserror_from_any_file_access_is_exit_2_naming_the_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from upgrade_score import _cli

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(5, "Input/output error", "disk/hub.yaml")

    monkeypatch.setattr(_cli, "load_bases", broken)
    code, _, err = run(capsys, "score", "--rubric", V1, HUB)
    assert code == 2 and errors(err) == ["disk/hub.yaml: cannot access the file (Input/output error)"]


def _cli_process(*argv: str, cwd: Path, timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "upgrade_score", *argv], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, check=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
@pytest.mark.parametrize("name, argv", [
    ("x.yaml", ["score", "x.yaml"]),
    ("x.json", ["gap", "x.json"]),
    ("x.csv", ["compare", "x.csv"]),
    ("x.xlsx", ["score", "x.xlsx"]),
    ("x.yaml", ["score", str(HUB), "--rubric", "x.yaml"]),
    ("x.yaml", ["check", "x.yaml"]),
    ("x.yaml", ["diff", "x.yaml", "urban-mining-upgrade"]),
    ("x.yaml", ["template", "--from", "x.yaml", "-o", "t.csv"]),
])
@pytest.mark.system  # subprocesses, git, a browser or the OS: not about library versions
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, name: str, argv: list[str]) -> None:
    os.mkfifo(tmp_path / name)
    done = _cli_process(*argv, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"{PREFIX}{name}: not a regular file (a pipe, device or socket)\n"


def test_a_device_or_directory_is_refused_where_a_file_is_expected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if Path("/dev/zero").exists() and stat.S_ISCHR(os.stat("/dev/zero").st_mode):
        started = time.monotonic()
        code, _, err = run(capsys, "score", "--rubric", V1, HUB, "--rubric", "/dev/zero")
        assert code == 2 and errors(err) == ["/dev/zero: not a regular file (a pipe, device or socket)"]
        assert time.monotonic() - started < 2
    folder = tmp_path / "r.yaml"
    folder.mkdir()
    for argv in (["score", HUB, "--rubric", folder], ["diff", folder, "urban-mining-upgrade"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and errors(err) == [f"{folder}: is a directory, expected a file"]


class _Py310Alias:
    """What ``tuple[X, ...]`` is on Python 3.10: ``isinstance(alias, type)`` holds, yet
    ``issubclass(alias, ...)`` raises TypeError."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type


def test_the_unknown_field_hint_survives_python_310_generic_aliases(
        monkeypatch: pytest.MonkeyPatch) -> None:
    alias = _Py310Alias()
    assert isinstance(alias, type)
    with pytest.raises(TypeError):
        issubclass(alias, Rubric)  # type: ignore[arg-type]
    assert validate_module._model_at(Rubric, ("x",)) is Rubric
    original = validate_module.get_args

    def args_of(annotation: Any) -> Any:
        return original(annotation) if annotation is not alias else ()

    monkeypatch.setattr(validate_module, "get_args", args_of)
    fields = {"directions": type("F", (), {"annotation": alias})()}
    monkeypatch.setattr(Rubric, "model_fields", fields, raising=False)
    assert validate_module._model_at(Rubric, ("directions", 0, "tresholds")) is None


def test_a_typo_in_a_nested_field_names_the_field(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    text = V2.read_text(encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("thresholds:", "tresholds:", 1), encoding="utf-8")
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "unknown field (did you mean 'thresholds'?)" in out


# --- no library warning on stderr ----------------------------------------------------------------

README_COMMANDS = [
    ["score", NEW_HUB], ["score", NEW_BASES],
    ["score", NEW_HUB, "--detail", "--format", "markdown", "--lang", "zh"],
    ["gap", NEW_HUB, "--target", "3", "--top", "6"], ["gap", NEW_HUB, "--peer", "best", "--group", NEW_BASES],
    ["compare", NEW_BASES], ["compare", NEW_BASES, "--format", "json"],
    ["check", DEFAULT, V2], ["diff", DEFAULT, V2, "--profiles", V2_BASES],
    ["sensitivity", NEW_BASES, "--samples", "200", "--seed", "1"],
    ["report", NEW_BASES, "-o", "OUT/r.html"], ["report", NEW_BASES, "-o", "OUT/r.html", "--lang", "zh"],
    ["template", "-o", "OUT/t.csv", "--force"],
    ["score", V2_BASES, "--rubric", V2], ["compare", V2_BASES, "--rubric", V2],
    ["gap", V2_BASES / "ewaste_park.yaml", "--rubric", V2],
    ["sensitivity", V2_BASES, "--rubric", V2, "--samples", "200", "--seed", "1"],
    ["report", V2_BASES, "--rubric", V2, "-o", "OUT/r2.html"],
    ["template", "--rubric", V2, "--layout", "many-bases", "-o", "OUT/t2.csv", "--force"],
    ["progress", PANEL, "--target", "3", "--rubric", V1],
    ["progress", PANEL, "--format", "csv", "--rubric", V1],
    ["compare", PANEL, "--by", "region", "--rubric", V1], ["score", PANEL, "--year", "2023", "--rubric", V1],
    ["compare", PANEL, "-o", "OUT/r.xlsx", "--lang", "zh", "--rubric", V1],
    ["report", PANEL, "-o", "OUT/p.html", "--rubric", V1],
]


@pytest.mark.parametrize("argv", README_COMMANDS, ids=lambda argv: " ".join(map(str, argv[:2])))
def test_readme_commands_raise_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], argv: list[Any]) -> None:
    monkeypatch.setattr(sys, "warnoptions", ["error"])  # the CLI leaves warnings alone: they raise
    argv = [str(a).replace("OUT", str(tmp_path)) for a in argv]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # the package's notice on a machine without a CJK font (charts fall back to English)
        warnings.filterwarnings("ignore", message=".*fonts-noto-cjk", category=UserWarning)
        code, _, err = run(capsys, *argv)
    assert code == 0 and all(line.startswith("upgrade-score: wrote ") for line in err.splitlines()), err


@contextlib.contextmanager
def plain_python_warnings() -> Iterator[None]:
    """Warnings as a plain ``python`` run shows them (pytest records them instead)."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


def test_library_warnings_never_reach_stderr_but_our_notices_are_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A machine without a CJK font: matplotlib warns once per missing glyph; the CLI shows only
    the package's own notice, on one line."""
    from upgrade_score._render import plot

    monkeypatch.setattr(sys, "warnoptions", [])
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    profile = tmp_path / "zh.yaml"
    profile.write_text(HUB.read_text(encoding="utf-8").replace(
        "{zh: 金河再生金属产业园, en: Jinhe Scrap-Metal Hub}", "金河再生金属产业园"), encoding="utf-8")
    with plain_python_warnings():
        code, _, err = run(capsys, "report", "--rubric", V1, profile, "-o", tmp_path / "r.html",
                           "--lang", "zh")
    lines = err.splitlines()
    assert code == 0 and "Glyph" not in err and "Warning" not in err
    assert lines[-1].startswith("upgrade-score: wrote ")
    assert all(line.startswith("upgrade-score: ") for line in lines)


def test_numpy_warnings_of_a_command_stay_off_stderr(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from upgrade_score import _cli_tools

    def noisy(args: Any) -> int:
        np.log(np.zeros(2))  # RuntimeWarning: divide by zero
        return 0

    monkeypatch.setattr(sys, "warnoptions", [])
    monkeypatch.setattr(_cli_tools, "schema_command", noisy)
    with plain_python_warnings():
        code, _, err = run(capsys, "schema", "rubric")
    assert code == 0 and err == ""


# --- git show is read with a bound ---------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="a shell-script stand-in for git")
def test_git_show_output_is_cut_at_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nhead -c 5000 /dev/zero | tr '\\0' 'a'\nexec sleep 30\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(rubric_io, "GIT_MAX_BYTES", 1000)
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    with pytest.raises(UpgradeScoreError) as info:
        rubric_io.git_show("HEAD:big.yaml")
    assert time.monotonic() - started < 10
    assert str(info.value) == "HEAD:big.yaml: the file in git is larger than 1,000 bytes"


@pytest.mark.skipif(os.name != "posix", reason="a shell-script stand-in for git")
def test_git_show_failure_and_success(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nif [ "$2" = "HEAD:ok.yaml" ]; then printf "id: x\\n"; exit 0; fi\n'
                    'echo "fatal: path does not exist" >&2\nexit 128\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.chdir(tmp_path)
    assert rubric_io.git_show("HEAD:ok.yaml") == "id: x\n"
    with pytest.raises(UpgradeScoreError) as info:
        rubric_io.git_show("HEAD:absent.yaml")
    assert str(info.value) == "HEAD:absent.yaml: git show failed: fatal: path does not exist"


def test_a_problem_of_the_document_itself_is_listed_once(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The second read that looks for range problems meets the same tag error: one line, not two."""
    path = tmp_path / "t.yaml"
    path.write_text("base: {id: t}\nvalues: {high_value_product_share: !!float 40}\n", encoding="utf-8")
    assert main(["score", "--rubric", V1, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unsupported YAML tag" in err
