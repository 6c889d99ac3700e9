"""Shell completion: the callbacks as pure functions, and once end to end through the installed command."""

import subprocess

import pytest
from conftest import installed_script

from mlops_path.cli.completion import complete_ids, complete_kinds, complete_statuses, complete_topics
from mlops_path.core.catalog import loader as catalog_module


def test_ids_complete_with_their_titles():
    assert complete_ids("dmls-ch0") == [
        ("dmls-ch02", "Chapter 2: Introduction to Machine Learning Systems Design"),
        ("dmls-ch07", "Chapter 7: Model Deployment and Prediction Service"),
        ("dmls-ch08", "Chapter 8: Data Distribution Shifts and Monitoring"),
        ("dmls-ch09", "Chapter 9: Continual Learning and Test in Production"),
    ]
    assert complete_ids("zzz") == []
    assert len(complete_ids("")) == 13


def test_topics_kinds_and_statuses_complete():
    assert complete_topics("mon") == ["monitoring"]
    assert complete_topics("") == sorted(complete_topics(""))
    assert complete_kinds("t") == ["talk"]
    assert complete_statuses("") == ["todo", "in-progress", "done", "skipped"]
    assert complete_statuses("in") == ["in-progress"]


def test_a_broken_catalog_completes_nothing_quietly(monkeypatch, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("not = [toml")
    monkeypatch.setattr(catalog_module, "bundled_catalog_file", lambda: broken)
    assert complete_ids("") == [] and complete_topics("") == [] and complete_kinds("") == []


def complete(script_env, shell: str, line: str, cword: int | None = None) -> str:
    env = {**script_env, "_MLOPS_PATH_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(cword)}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = subprocess.run([installed_script()], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", ["done", "start", "skip", "reset", "show", "note", "open"])
def test_every_command_that_takes_an_id_completes_ids_in_bash(script_env, command):
    assert complete(script_env, "bash", f"mlops-path {command} ml-t", 2).split() == ["ml-test-score"]


def test_zsh_shows_titles_and_fish_completes_statuses(script_env):
    assert "Chapter 8\\\\: Data Distribution Shifts and Monitoring" in complete(
        script_env, "zsh", "mlops-path show dmls-ch08"
    )
    assert complete(script_env, "fish", "mlops-path list --status ").split() == [
        "todo",
        "in-progress",
        "done",
        "skipped",
    ]
    assert complete(script_env, "bash", "mlops-path list --topic dr", 3).split() == ["drift"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_installs_for_each_shell(script_env, shell):
    result = subprocess.run(
        [installed_script(), "--show-completion", shell], env=script_env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and "_MLOPS_PATH_COMPLETE" in result.stdout
