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
COMMANDS = list(get_command(app).commands)


def test_the_cli_reference_is_not_stale():
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "docs/cli.md is stale: run `cog -r docs/cli.md`\n" + result.stdout + result.stderr


def test_every_command_has_a_section_in_the_reference_and_the_readme():
    reference = (REPO / "docs" / "cli.md").read_text()
    assert re.findall(r"^## mlops-path (\S+)$", reference, re.M) == COMMANDS
    readme = (REPO / "README.md").read_text()
    for command in COMMANDS:
        assert f"mlops-path {command}" in readme, command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_an_example_that_runs(cli, monkeypatch, command):
    monkeypatch.setattr(webbrowser, "open", lambda url: True)
    help_text = cli(command, "--help").stdout
    examples = re.findall(r"Example: mlops-path (.+)$", help_text, re.M)
    assert examples, f"`mlops-path {command} --help` has no example"
    cli("done", "dmls-ch02")  # so that undo and history have something to show
    result = cli(*shlex.split(examples[0]))
    assert result.exit_code == 0, (examples[0], result.output)
