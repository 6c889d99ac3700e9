"""Shell completion callbacks: small pure functions of what has been typed so far.

They must never fail loudly (a traceback would land in the user's shell), so a catalog that
cannot be loaded simply completes nothing. Titles shown beside ids come from catalogs that anyone
may have written, and typer hands them to zsh inside an `eval`: each passes `completion_help`
(letters, digits, spaces and harmless punctuation only) so no title can run code or break quoting.
"""

from __future__ import annotations

from mlops_path.core.progress import Status
from mlops_path.core.text import completion_help


def complete_ids(incomplete: str) -> list[tuple[str, str]]:
    """Resource ids, with their titles as help where the shell shows it (zsh, fish)."""
    catalog = _catalog()
    if catalog is None:
        return []
    return [(r.id, completion_help(r.title)) for r in catalog.resources if r.id.startswith(incomplete)]


def complete_topics(incomplete: str) -> list[str]:
    catalog = _catalog()
    if catalog is None:
        return []
    return sorted({t for r in catalog.resources for t in r.topics if t.startswith(incomplete)})


def complete_kinds(incomplete: str) -> list[str]:
    catalog = _catalog()
    if catalog is None:
        return []
    return sorted({r.kind for r in catalog.resources if r.kind.startswith(incomplete)})


def complete_paths(incomplete: str) -> list[tuple[str, str]]:
    catalog = _catalog()
    if catalog is None:
        return []
    return [(p.id, completion_help(p.title)) for p in catalog.paths.values() if p.id.startswith(incomplete)]


def complete_statuses(incomplete: str) -> list[str]:
    return [s.value for s in Status if s.value.startswith(incomplete)]


def _catalog():
    from mlops_path.core.errors import MlopsPathError
    from mlops_path.core.loader import load_catalog

    try:
        return load_catalog()
    except MlopsPathError:
        return None
