"""The house rules a machine can check: the wider ruff rule set and `ruff format` over the whole
repository (pyproject.toml says which rules and why), no heavy module imported at module level (the
start-up rule, TID253), a core that never imports typer or rich, and imports inside the core that
point only down the layers docs/architecture.md draws."""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "mlops_path" / "core"


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_passes_with_the_house_rules():
    result = ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_formatter_is_switched_off_by_hand():
    """No formatter switched off for a line or a block: a line it cannot lay out is split by hand."""
    marked = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("mlops_path", "tests", "benchmarks")
        for path in (REPO / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "fmt: " + "skip" in line or "fmt: " + "off" in line
    ]
    assert not marked, marked


def test_no_heavy_module_level_imports():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID253", "--no-cache", "mlops_path"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_never_imports_typer_or_rich():
    """The pure core (catalog, progress, learning, sync) is usable as a library without the CLI."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import mlops_path.core as core\n"
        "for module in pkgutil.walk_packages(core.__path__, 'mlops_path.core.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(' '.join(sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {name.split(".")[0] for name in loaded} & {"typer", "rich", "click"} == set()
    for module in ("mlops_path.core.sync.git_repo", "mlops_path.core.catalog.links", "mlops_path.core.learning.search"):
        assert module in loaded  # the walk really imported every module of every package


# The layers of docs/architecture.md, bottom up. `words` names the statuses, so it sits on progress.
LAYER = {"catalog": 1, "progress": 2, "words": 2, "learning": 3, "sync": 4, "page": 5, "api": 5}


def _layer(module: str) -> int:
    """The layer of `mlops_path.core.<part>...`; the shared modules (errors, limits, files...) are 0."""
    parts = module.split(".")
    return LAYER.get(parts[2], 0) if len(parts) > 2 else 0


def test_imports_inside_the_core_point_down_the_layers():
    """A newcomer can trust the picture: no module imports from a layer above its own (api and the
    page on top; then sync, learning, progress, catalog; the shared modules at the bottom)."""
    upward = []
    for path in CORE.rglob("*.py"):
        me = ".".join(path.relative_to(REPO).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlops_path.core"):
                assert node.module is not None
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = names if node.module.count(".") == 1 else [node.module]
                upward += [f"{me} -> {target}" for target in targets if _layer(target) > _layer(me)]
    assert not upward, upward
