"""The package's annotations hold: mypy in strict mode (pyproject.toml's [tool.mypy]) finds no
error. mypy rather than pyright: it installs with pip alone (pyright needs Node) and it is what
the houses we learn from run. `mlops_path/py.typed` tells a library user's checker to trust them."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_strict_finds_no_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_package_says_it_is_typed():
    assert (REPO / "mlops_path" / "py.typed").is_file()
