"""One function per thing the CLI does; each loads what it needs and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_path.core import home, store
from mlops_path.core.catalog import Catalog, LearningPath, load_catalog
from mlops_path.core.errors import ProgressError, UsageError
from mlops_path.core.path import Step, check_ids, find_step, walk
from mlops_path.core.progress import Change, Entry, Note, Progress, Status, mark, now, reset_all, undo
from mlops_path.core.progress import add_note as add_note_to
from mlops_path.core.summary import Summary, summarize

DEFAULT_PATH = "mlops"
MAX_NOTE = 10_000


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
    progress = store.read_progress(home.progress_file())
    return State(catalog, path, progress, walk(catalog, path, progress))


def set_status(ids: list[str], status: Status) -> list[str]:
    """Give every id `status` in one write; return the ids that changed.

    Any unknown id refuses the whole call before the file is touched.
    """
    check_ids(load_catalog(), ids)
    at = now()
    return store.update_progress(home.progress_file(), lambda progress: mark(progress, ids, status, at))


def resource(resource_id: str) -> tuple[Step, Entry | None]:
    """One step of the current path and the learner's record of it."""
    state = load_state()
    step = find_step(state.steps, resource_id)
    if step is None:
        check_ids(state.catalog, [resource_id])
        raise UsageError(f"{resource_id!r} is not a step of the path {state.path.id!r}.")
    return step, state.progress.resources.get(resource_id)


def add_note(resource_id: str, text: str) -> Note:
    if not text.strip():
        raise UsageError("A note needs some text.")
    if len(text) > MAX_NOTE:
        raise UsageError(f"A note can be at most {MAX_NOTE:,} characters.")
    check_ids(load_catalog(), [resource_id])
    at = now()
    store.update_progress(home.progress_file(), lambda progress: add_note_to(progress, resource_id, text, at))
    return Note(at=at, text=text)


def summary() -> Summary:
    state = load_state()
    return summarize(state.steps, state.progress)


def undo_last() -> Change | None:
    """Take back the latest change; None when there is nothing left to undo."""
    at = now()
    return store.update_progress(home.progress_file(), lambda progress: undo(progress, at))


def clear_all() -> list[str]:
    at = now()
    return store.update_progress(home.progress_file(), lambda progress: reset_all(progress, at))


def history() -> list[Change]:
    return store.read_progress(home.progress_file()).history


def progress_location() -> Path:
    return home.progress_file()


@dataclass(frozen=True)
class Health:
    file: Path
    backup: Path
    problem: str | None
    backup_problem: str | None
    exists: bool


def check_health() -> Health:
    file = home.progress_file()
    backup = store.backup_file(file)
    return Health(file, backup, _problem(file), _problem(backup), file.exists())


def _problem(file: Path) -> str | None:
    try:
        store.read_progress(file)
    except store.Unreadable as exc:
        return exc.reason
    except ProgressError as exc:
        return str(exc)
    return None


def repair() -> store.Repair:
    return store.repair(home.progress_file())
