"""Where catalogs come from: the bundled one, every `*.toml` in the user's catalogs folder,
and any `--catalog FILE`. A broken user catalog is left out with a warning; it never hides the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlops_path.core import home
from mlops_path.core.catalog import Catalog, Part, Problem, broken_message, link, read_part
from mlops_path.core.errors import CatalogError


def bundled_catalog_file() -> Path:
    """The catalog shipped with the tool: inside the wheel, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "data" / "catalog.toml", package.parent / "data" / "catalog.toml"):
        if candidate.is_file():
            return candidate
    raise CatalogError("The bundled catalog is missing from this installation; reinstall mlops-path.")


def user_catalog_files() -> list[Path]:
    folder = home.catalogs_dir()
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def read_toml(file: Path) -> tuple[Any, list[Problem]]:
    """The parsed TOML, or the problem (with its line) that stops it being read."""
    import tomllib

    try:
        return tomllib.loads(file.read_bytes().decode("utf-8")), []
    except OSError as exc:
        return None, [Problem(str(file), f"cannot be read ({exc.strerror or exc})")]
    except UnicodeDecodeError:
        return None, [Problem(str(file), "not valid UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(str(file), f"not valid TOML: {exc}")]


def read_file(file: Path) -> tuple[Part | None, list[Problem]]:
    raw, problems = read_toml(file)
    if raw is None:
        return None, problems
    return read_part(raw, str(file))


def load_catalog(extra_files: Iterable[Path] = (), include_user: bool = True) -> Catalog:
    """The bundled catalog (which must be sound) plus the user's catalogs (which may not be)."""
    bundled = bundled_catalog_file()
    part, problems = read_file(bundled)
    if part is None or problems:
        raise CatalogError(broken_message(str(bundled), problems))
    parts, warnings = [part], []
    for file in [*(user_catalog_files() if include_user else []), *extra_files]:
        user_part, problems = read_file(file)
        if user_part is None or problems:
            warnings.append(_skipped(file, problems))
        else:
            parts.append(user_part)
    catalog, problems = link(parts, lenient=True)
    catalog.warnings = warnings + [f"The catalog {p.source}: {p.message}." for p in problems]
    return catalog


def _skipped(file: Path, problems: list[Problem]) -> str:
    more = len(problems) - 1
    tail = f" (and {more} more; run `mlops-path catalog check {file}`)" if more else ""
    return f"Left out the catalog {file}: {problems[0].message}{tail}."
