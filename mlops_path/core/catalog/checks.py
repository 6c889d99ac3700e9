"""`catalog check`: read files the way the loader does, but report every problem instead of
leaving files out."""

from __future__ import annotations

from pathlib import Path

from mlops_path.core import home
from mlops_path.core.catalog.loader import bundled_catalog_file, read_file, user_catalog_files
from mlops_path.core.catalog.model import Part, Problem, link
from mlops_path.core.errors import FileProblem, UsageError
from mlops_path.core.files import atomic_write, cause


def check_files(files: list[Path], replacing: Path | None = None) -> list[Problem]:
    """Every problem in `files`, checked against the bundled catalog and the user's other catalogs
    (but `replacing`, an installed catalog the files would replace)."""
    checked = {f.resolve() for f in files} | ({replacing.resolve()} if replacing else set())
    context = [f for f in (bundled_catalog_file(), *user_catalog_files()) if f.resolve() not in checked]
    parts: list[Part] = []
    for file in context:
        part, context_problems = read_file(file)
        if part is not None and not context_problems:
            parts.append(part)  # context files are checked on their own; here they only resolve ids
    problems: list[Problem] = []
    for file in files:
        part, found = read_file(file)
        problems += found
        if part is not None:
            parts.append(part)
    _, link_problems = link(parts, lenient=False)
    names = {str(f) for f in files}
    return problems + [p for p in link_problems if p.source in names]


def installed_files() -> list[Path]:
    """What `catalog check` checks with no file: the bundled catalog and the catalogs folder's."""
    return [bundled_catalog_file(), *user_catalog_files()]


def install_target(file: Path) -> Path:
    return home.catalogs_dir() / (file.name if file.suffix == ".toml" else file.name + ".toml")


def install(file: Path, force: bool) -> Path:
    """Copy a checked catalog into the catalogs folder (atomically); never replace another
    catalog of the same name unless `force`."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise FileProblem(f"Cannot read {file}: {cause(exc)}.") from None
    target = install_target(file)
    folder = target.parent
    try:
        if target.exists() and target.read_bytes() != data and not force:
            raise UsageError(f"Your catalogs folder already has a different {target.name}; --force replaces it.")
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {cause(exc)}.") from None
    return target
