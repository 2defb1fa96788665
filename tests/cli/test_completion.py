"""Shell completion: ``upgrade-score completion bash|zsh`` prints a script generated from the
parser (shtab, the extra ``completion``) that completes the subcommands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from upgrade_score._cli import _parser, main

COMMANDS = ("score", "gap", "compare", "check", "diff", "sensitivity", "template", "report", "schema",
            "rubrics", "completion")


def _script(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    pytest.importorskip("shtab", reason="needs shtab (the completion extra)")
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def test_every_subcommand_is_in_the_parser_and_the_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    choices = next(action.choices for action in _parser()._actions if action.dest == "command")
    assert set(COMMANDS) <= set(choices)
    for shell in ("bash", "zsh"):
        script = _script(capsys, shell)
        assert all(command in script for command in COMMANDS), shell
    assert _script(capsys, "zsh").startswith("#compdef upgrade-score")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_subcommands_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys, "bash")
    function = re.search(r"complete .*-F (\S+) upgrade-score", script)
    assert function is not None
    show = f'{function[1]}; echo "${{COMPREPLY[@]}}"'
    probe = (f"{script}\nCOMP_WORDS=(upgrade-score sc); COMP_CWORD=1; {show}\n"
             f"COMP_WORDS=(upgrade-score check --st); COMP_CWORD=2; {show}\n")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[-2:]
    assert sorted(first.split()) == ["schema", "score"]
    assert second.split() == ["--strict"]


def test_without_shtab_the_command_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)
    assert main(["completion", "bash"]) == 2
    assert capsys.readouterr().err == ("upgrade-score: error: shtab is needed for shell completion: "
                                       "install upgrade-score[completion]\n")
