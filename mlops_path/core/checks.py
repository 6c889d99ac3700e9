"""`catalog check`: read files the way the loader does, but report every problem instead of
leaving files out."""

from __future__ import annotations

from pathlib import Path

from mlops_path.core.catalog import Part, Problem, link
from mlops_path.core.loader import bundled_catalog_file, read_file, user_catalog_files


def check_files(files: list[Path]) -> list[Problem]:
    """Every problem in `files`, checked against the bundled catalog and the user's other catalogs."""
    checked = {f.resolve() for f in files}
    context = [bundled_catalog_file(), *(f for f in user_catalog_files() if f.resolve() not in checked)]
    parts: list[Part] = []
    for file in context:
        part, problems = read_file(file)
        if part is not None and not problems:
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
