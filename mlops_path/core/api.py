"""One function per thing the CLI does; each loads what it needs and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_path.core import home
from mlops_path.core.catalog import Catalog, LearningPath, load_catalog
from mlops_path.core.path import Step, check_ids, walk
from mlops_path.core.progress import Progress, Status, mark, now
from mlops_path.core.store import read_progress, update_progress

DEFAULT_PATH = "mlops"


@dataclass(frozen=True)
class State:
    """The learner's position: the catalog, the path being walked and their progress on it."""

    catalog: Catalog
    path: LearningPath
    progress: Progress
    steps: list[Step]


def load_state(path_id: str = DEFAULT_PATH) -> State:
    catalog = load_catalog()
    path = catalog.path(path_id)
    progress = read_progress(home.progress_file())
    return State(catalog, path, progress, walk(catalog, path, progress))


def set_status(ids: list[str], status: Status) -> list[str]:
    """Give every id `status` in one write; return the ids that changed.

    Any unknown id refuses the whole call before the file is touched.
    """
    catalog = load_catalog()
    check_ids(catalog, ids)
    at = now()
    return update_progress(home.progress_file(), lambda progress: mark(progress, ids, status, at))


def progress_location() -> Path:
    return home.progress_file()
