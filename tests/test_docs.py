"""Help and docs that cannot drift: docs/cli.md is the real --help, every command is documented
and carries an example that runs."""

import re
import shlex
import subprocess
import sys
import webbrowser
from pathlib import Path

import pytest
from typer.main import get_command

from mlops_path.cli.app import app

REPO = Path(__file__).resolve().parent.parent


def all_commands(command=None, words=()):
    """Every command as the words that invoke it, groups included: ["next"], ["catalog", "check"]..."""
    command = command or get_command(app)
    found = [list(words)] if words else []
    for name, sub in getattr(command, "commands", {}).items():
        found += all_commands(sub, (*words, name))
    return found


COMMANDS = all_commands()


def test_the_cli_reference_is_not_stale():
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "docs/cli.md is stale: run `cog -r docs/cli.md`\n" + result.stdout + result.stderr


def test_every_command_has_a_section_in_the_reference_and_the_readme():
    reference = (REPO / "docs" / "cli.md").read_text()
    assert re.findall(r"^## mlops-path (.+)$", reference, re.M) == [" ".join(words) for words in COMMANDS]
    readme = (REPO / "README.md").read_text()
    for words in COMMANDS:
        assert f"mlops-path {' '.join(words)}" in readme, words


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_has_an_example_that_runs(cli, monkeypatch, tmp_path, words, request):
    """Runs the first example in each --help, in a home with some progress; `> FILE` is honoured."""
    monkeypatch.setattr(webbrowser, "open", lambda url: True)
    monkeypatch.chdir(tmp_path)
    help_text = cli(*words, "--help").stdout
    examples = re.findall(r"Example: mlops-path (.+)$", help_text, re.M)
    assert examples, f"`mlops-path {' '.join(words)} --help` has no example"
    monkeypatch.setenv("HOME", str(tmp_path))  # the examples' ~/Sync/mlops: a folder Syncthing would keep in sync
    (tmp_path / "Sync" / "mlops").mkdir(parents=True)
    if words[0] in ("sync", "cohort") and words != ["sync", "init"]:
        assert cli("sync", "init", str(tmp_path / "Sync" / "mlops"), "--name", "Ada").exit_code == 0
    cli("done", "dmls-ch02")  # so that undo, history and export have something to show
    (tmp_path / "progress-export.json").write_text(cli("export").stdout)
    (tmp_path / "my-course.toml").write_text((REPO / "docs" / "example-catalog.toml").read_text())
    if words == ["catalog", "links"]:  # its links point at a local server: no test reaches the internet
        site = request.getfixturevalue("local_site")
        site.page("/chapter", "A chapter")
        text = (tmp_path / "my-course.toml").read_text()
        (tmp_path / "my-course.toml").write_text(re.sub(r'url = "[^"]+"', f'url = "{site.url("/chapter")}"', text))
    args, _, redirect = examples[0].partition(" > ")
    result = cli(*shlex.split(args))
    assert result.exit_code == 0, (examples[0], result.output)
    if redirect:
        (tmp_path / redirect).write_text(result.stdout)
        assert result.stdout
