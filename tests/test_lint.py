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


def test_the_core_never_imports_typer_or_rich():
    """The pure core (catalog, path logic, progress store...) is usable as a library without the CLI."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import mlops_path.core as core\n"
        "for module in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module('mlops_path.core.' + module.name)\n"
        "print(' '.join(sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {name.split(".")[0] for name in loaded} & {"typer", "rich", "click"} == set()
    assert "mlops_path.core.progress.store" in loaded  # the loop really imported the core
