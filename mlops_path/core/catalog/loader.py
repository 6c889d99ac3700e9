"""Where catalogs come from: the bundled one, every `*.toml` in the user's catalogs folder,
and any `--catalog FILE`. A broken user catalog is left out with a warning; it never hides the rest.

Parsing TOML and validating it is the slow part of start-up, so the linked catalog is cached,
keyed on the exact bytes of every source file: any edit, added or removed file rebuilds it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlops_path.core import cache, home
from mlops_path.core.catalog.model import MAX_TABLES, Catalog, Part, Problem, broken_message, link, read_part
from mlops_path.core.errors import CatalogError
from mlops_path.core.files import read_at_most, too_deep
from mlops_path.core.limits import MAX_CATALOG_BYTES, MAX_DEPTH


def bundled_catalog_file() -> Path:
    """The catalog shipped with the tool: inside the wheel, or at the top of a source checkout."""
    package = Path(__file__).resolve().parents[2]  # mlops_path/
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


def _read_bytes(file: Path) -> bytes | OSError:
    try:
        return read_at_most(file, MAX_CATALOG_BYTES)
    except OSError as exc:
        return exc


_TABLE_STARTS = re.compile(rb"\[\[|\{")  # `[[resources]]` or an inline table: each may be one more table


def parse_toml(file: Path, data: bytes | OSError) -> tuple[Any, list[Problem]]:
    """The parsed TOML, or the problem (with its line) that stops it being read.

    Parsing is the costly part (pure Python: 16 MiB of empty `[[resources]]` took 55-80 s and
    1.47 GB), so a file that could hold more than MAX_TABLES tables is refused before it, by one
    linear count of what may start a table (an upper bound: text in strings counts too)."""
    if isinstance(data, OSError):
        return None, [Problem(str(file), f"cannot be read ({data.strerror or data})")]
    import tomllib

    tables = sum(1 for _ in itertools.islice(_TABLE_STARTS.finditer(data), MAX_TABLES + 1))
    if tables > MAX_TABLES:
        most = f"holds more than {MAX_TABLES:,} tables ([[...]] or {{...}}), the most a catalog may"
        return None, [Problem(str(file), most)]
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(str(file), "not valid UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(str(file), f"not valid TOML: {exc}")]
    except ValueError:  # Python refuses to convert an integer of more than 4,300 digits
        return None, [Problem(str(file), "holds a number with more than 4,300 digits")]
    except RecursionError:
        raw = None
    if raw is None or too_deep(raw):
        return None, [Problem(str(file), f"nested more than {MAX_DEPTH} levels deep")]
    return raw, []


def read_file(file: Path, data: bytes | OSError | None = None) -> tuple[Part | None, list[Problem]]:
    raw, problems = parse_toml(file, _read_bytes(file) if data is None else data)
    if raw is None:
        return None, problems
    return read_part(raw, str(file))


def load_catalog(extra_files: Iterable[Path] = (), include_user: bool = True) -> Catalog:
    """The bundled catalog (which must be sound) plus the user's catalogs (which may not be)."""
    files = [bundled_catalog_file(), *(user_catalog_files() if include_user else []), *extra_files]
    sources = [(file, _read_bytes(file)) for file in files]
    key = cache.digest(*(part for file, data in sources for part in (str(file).encode(), _bytes_or_error(data))))
    cached = cache.load_catalog_data(key)
    if cached is not None:
        try:
            return Catalog.from_cache(cached)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            pass  # a damaged or outdated cache: rebuild it
    catalog = _build(sources)
    cache.save_catalog_data(key, catalog.to_cache())
    return catalog


def _bytes_or_error(data: bytes | OSError) -> bytes:
    return data if isinstance(data, bytes) else f"unreadable: {data}".encode()


def _build(sources: list[tuple[Path, bytes | OSError]]) -> Catalog:
    (bundled, bundled_data), *others = sources
    part, problems = read_file(bundled, bundled_data)
    if part is None or problems:
        raise CatalogError(broken_message(str(bundled), problems))
    parts, warnings = [part], []
    for file, data in others:
        user_part, problems = read_file(file, data)
        if user_part is None or problems:
            warnings.append(_skipped(file, problems))
        else:
            parts.append(user_part)
    catalog, problems = link(parts, lenient=True)
    return catalog._replace(warnings=warnings + [f"The catalog {p.source}: {p.message}." for p in problems])


def _skipped(file: Path, problems: list[Problem]) -> str:
    more = len(problems) - 1
    tail = f" (and {more} more; run `mlops-path catalog check {file}`)" if more else ""
    return f"Left out the catalog {file}: {problems[0].message}{tail}."
