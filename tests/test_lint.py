"""Keep it fast: no heavy module (pydantic, rich, tomllib, filelock, platformdirs, difflib) is
imported at module level outside `core/schema.py`, as typer's own repository enforces with ruff."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_no_heavy_module_level_imports():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID253", "--no-cache", "mlops_path"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
