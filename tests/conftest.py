import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlops_path.cli.app import app


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own mlops-path home, so none can touch a real learner's progress."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLOPS_PATH_HOME", str(home))
    monkeypatch.setenv("MLOPS_PATH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MLOPS_PATH_PLAIN", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def progress_file(home) -> Path:
    return home / "progress.json"


class Cli:
    """Runs the typer app in-process, with stdout and stderr kept apart."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def installed_script() -> str:
    """The console script installed beside the running interpreter (the venv under test)."""
    candidate = Path(sys.executable).parent / "mlops-path"
    found = str(candidate) if candidate.exists() else shutil.which("mlops-path")
    if not found:
        pytest.fail("the mlops-path console script is not installed in this environment")
    return found


@pytest.fixture
def script_env(home) -> dict[str, str]:
    env = dict(os.environ)
    env["MLOPS_PATH_HOME"] = str(home)
    return env
