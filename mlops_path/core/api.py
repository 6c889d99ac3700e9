"""The library the CLI calls: one method per thing a command does, returning plain data.

A `Learner` is one person's view: the catalogs they load, the path they walk, their progress file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from mlops_path.core import home
from mlops_path.core.catalog.loader import load_catalog
from mlops_path.core.catalog.model import Catalog, LearningPath
from mlops_path.core.errors import FileProblem, ProgressError, UsageError
from mlops_path.core.learning.position import Step, canonical_ids, find_step, next_step, walk
from mlops_path.core.limits import MAX_NOTE, MAX_NOTES
from mlops_path.core.progress import store
from mlops_path.core.progress.record import Change, Entry, Note, Progress, Status, add_note, mark, now, reset_all, undo

if TYPE_CHECKING:  # these modules serve one command each: they are imported where they are used
    from datetime import date

    from mlops_path.core.catalog.links import LinkResult
    from mlops_path.core.learning.activity import WeekSummary
    from mlops_path.core.learning.plan import Week
    from mlops_path.core.learning.search import Hit
    from mlops_path.core.learning.summary import Summary
    from mlops_path.core.sync.cohort import Cohort
    from mlops_path.core.sync.devices import SyncConfig
    from mlops_path.core.sync.service import SyncReport, SyncStatus

DEFAULT_PATH = "mlops"
T = TypeVar("T")


class State(NamedTuple):
    """The learner's position: the catalog, the path being walked and their progress on it."""

    catalog: Catalog
    path: LearningPath
    progress: Progress
    steps: list[Step]


class StudyPlan(NamedTuple):
    path: LearningPath
    weeks: list[Week]
    ics: Path | None
    saved: bool = False


class Marked(NamedTuple):
    """What `done`, `start`, `skip` and `reset ID` did, whole: the CLI only renders it."""

    status: Status
    asked: list[str]  # the ids asked for (the current step's, when none was given)
    changed: list[str]  # those whose status changed
    current: Step | None  # the step acted on when no id was given
    following: Step | None  # what `next` shows now
    before: Summary | None  # with `done`: how far the learner was, and is (for milestones)
    after: Summary | None
    restart: list[tuple[Step, Entry]]  # `start` without force: done steps it would start again (nothing changed)


class Noted(NamedTuple):
    resource_id: str
    note: Note
    current: Step | None  # the step noted when no id was given


class PathOverview(NamedTuple):
    path: LearningPath
    summary: Summary
    current: bool
    source: str


class Learner:
    def __init__(
        self,
        catalog_files: Sequence[Path] = (),
        path_id: str | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        self.catalog_files = list(catalog_files)
        self.path_id = path_id
        self.warn = warn
        self._warned: set[str] = set()
        self._progress: Progress | None = None  # one read per command: every view renders from it

    def _warn_once(self, message: str) -> None:
        if self.warn and message not in self._warned:
            self._warned.add(message)
            self.warn(message)

    @cached_property
    def catalog(self) -> Catalog:
        catalog = load_catalog(self.catalog_files)
        for warning in catalog.warnings:
            self._warn_once(warning)
        return catalog

    @property
    def file(self) -> Path:
        return home.progress_file()

    def progress(self) -> Progress:
        """The learner's progress; with sync on, the other devices' new changes merged in first.

        Read once per Learner (one Learner serves one command), so every figure a command shows
        comes from one state; a change made through this Learner replaces it with what it wrote."""
        if self._progress is None:
            progress = store.read_progress(self.file)
            if progress.sync:
                from mlops_path.core.sync import service

                progress = service.catch_up(self.file, progress, self._warn_once)
            self._progress = progress
        return self._progress

    def forget(self) -> None:
        """Read the progress file again at the next call (a long-lived screen, after a change
        made elsewhere)."""
        self._progress = None

    def _update(self, change: Callable[[Progress], tuple[Progress, T]]) -> T:
        """The one way the Learner changes progress, under the store's lock: with sync on, the
        other devices' new changes are merged first (so this change wins over every change seen),
        then the change, one write, and this device's file published to the shared place."""
        afterwards: list[Callable[[], None]] = []

        def step(progress: Progress) -> tuple[Progress, T]:
            if progress.sync:
                from mlops_path.core.sync import service

                progress = service.before_change(progress, self._warn_once, afterwards)
            return change(progress)

        def then(after: Progress, changed: bool) -> None:
            self._progress = after
            if changed and after.sync:
                from mlops_path.core.sync import service

                service.after_change(after, self._warn_once)

        self._progress = None
        result = store.update_progress(self.file, step, then)
        for later in afterwards:
            later()
        return result

    def _path_for(self, progress: Progress) -> LearningPath:
        if self.path_id:
            return self.catalog.path(self.path_id)
        chosen = progress.default_path
        if chosen and chosen not in self.catalog.paths:
            self._warn_once(
                f"The path {chosen!r} chosen with `mlops-path use` is in no catalog now; showing {DEFAULT_PATH!r}."
            )
            chosen = None
        return self.catalog.path(chosen or DEFAULT_PATH)

    def state(self) -> State:
        progress = self.progress()
        path = self._path_for(progress)
        return State(self.catalog, path, progress, walk(self.catalog, path, progress))

    def steps(self) -> list[Step]:
        return self.state().steps

    def _replaces(self, ids: Sequence[str]) -> dict[str, Sequence[str]]:
        return {rid: self.catalog.by_id[rid].replaces for rid in ids}

    def current_step(self) -> Step:
        """The step `next` shows: what a command acts on when it is given no id."""
        step = next_step(self.steps())
        if step is None:
            raise UsageError("Every step of this path is done or skipped; give an id.")
        return step

    def is_id(self, text: str) -> bool:
        return text in self.catalog.by_id or text.lower() in self.catalog.by_id

    def what_clear_all_loses(self) -> tuple[int, int]:
        """How many records and notes `reset --all` would clear."""
        progress = self.progress()
        return len(progress.resources), sum(len(e.notes) for e in progress.resources.values())

    def set_status(self, ids: list[str], status: Status) -> list[str]:
        """Give every id `status` in one write; any unknown id refuses the whole call first."""
        return self.mark(ids, status, force=True).changed

    def mark(self, ids: Sequence[str], status: Status, force: bool = False) -> Marked:
        """`done`, `start`, `skip`, `reset ID` in one transaction: the progress is read once,
        under the lock (merged with the other devices first), and everything the command says
        (which step, what changed, the next step, milestones) is computed from it. No ids: the
        current step. `start` of a done step changes nothing unless `force`: `restart` says which."""
        ids = canonical_ids(self.catalog, list(ids)) if ids else []
        at = now()

        def change(progress: Progress) -> tuple[Progress, Marked]:
            path = self._path_for(progress)
            steps = walk(self.catalog, path, progress)
            current = None
            asked = ids
            if not asked:
                current = next_step(steps)
                if current is None:
                    raise UsageError("Every step of this path is done or skipped; give an id.")
                asked = [current.id]
            restart = [] if force or status is not Status.IN_PROGRESS else self._done_among(steps, progress, asked)
            if restart:
                return progress, Marked(status, asked, [], current, None, None, None, restart)
            before = self._summarize(steps, progress, path) if status is Status.DONE else None
            after_progress, changed = mark(progress, asked, status, at, self._replaces(asked))
            after_steps = walk(self.catalog, path, after_progress) if changed else steps
            after = self._summarize(after_steps, after_progress, path) if before is not None else None
            return after_progress, Marked(status, asked, changed, current, next_step(after_steps), before, after, [])

        return self._update(change)

    def _done_among(self, steps: list[Step], progress: Progress, ids: list[str]) -> list[tuple[Step, Entry]]:
        wanted = set(ids)
        found = []
        for step in steps:
            if step.id in wanted and step.status is Status.DONE:
                entry = progress.entry_for(step.id, step.resource.replaces)
                if entry and entry.done_at:
                    found.append((step, entry))
        return found

    def note(self, resource_id: str | None, text: str) -> Noted:
        """A dated note on `resource_id` (no id: the current step), in one transaction."""
        if not text.strip():
            raise UsageError("A note needs some text.")
        if len(text) > MAX_NOTE:
            raise UsageError(f"A note can be at most {MAX_NOTE:,} characters.")
        given = canonical_ids(self.catalog, [resource_id])[0] if resource_id else None
        at = now()

        def change(progress: Progress) -> tuple[Progress, Noted]:
            current = None
            rid = given
            if rid is None:
                current = next_step(walk(self.catalog, self._path_for(progress), progress))
                if current is None:
                    raise UsageError("Every step of this path is done or skipped; give an id.")
                rid = current.id
            replaces = self.catalog.by_id[rid].replaces
            entry = progress.entry_for(rid, replaces)
            if entry and len(entry.notes) >= MAX_NOTES:
                raise UsageError(f"{rid} already has {MAX_NOTES:,} notes, the most one resource can hold.")
            after, _ = add_note(progress, rid, text, at, replaces)
            return after, Noted(rid, Note(at=at, text=text), current)

        return self._update(change)

    def resource(self, resource_id: str) -> tuple[Step, Entry | None]:
        """One step of the current path and the learner's record of it."""
        state = self.state()
        (resource_id,) = canonical_ids(state.catalog, [resource_id])
        step = find_step(state.steps, resource_id)
        if step is None:
            raise UsageError(f"{resource_id!r} is not a step of the path {state.path.id!r}; try --path.")
        return step, state.progress.entry_for(resource_id, step.resource.replaces)

    def summary(self, state: State | None = None) -> Summary:
        """How far the learner is (on `state`, when the caller already read it)."""
        state = state or self.state()
        return self._summarize(state.steps, state.progress, state.path)

    def _summarize(self, steps: list[Step], progress: Progress, path: LearningPath) -> Summary:
        from mlops_path.core.learning.summary import summarize

        summary = summarize(steps, progress, orphans=len(self.orphans(progress)))
        saved = progress.plan
        state = State(self.catalog, path, progress, steps)
        if saved and saved.get("path") == state.path.id:
            from mlops_path.core.learning.plan import ahead, behind
            from mlops_path.core.words import today as local_today

            today = local_today(now())
            summary = summary._replace(
                behind_plan=behind(dict(saved), state.steps, today),
                ahead_of_plan=ahead(dict(saved), state.steps, today),
            )
        return summary

    def search(self, query: str) -> list[Hit]:
        from mlops_path.core.learning.search import search

        state = self.state()
        return search(state.steps, state.progress, query)

    def week(self) -> WeekSummary:
        from mlops_path.core.learning.activity import week_summary

        state = self.state()
        return week_summary(state.steps, state.progress, now())

    def orphans(self, progress: Progress) -> list[str]:
        """Recorded ids that no catalog defines (nor replaces): kept untouched, in case they return."""
        replaced = {old for r in self.catalog.resources for old in r.replaces}
        return [rid for rid in progress.resources if rid not in self.catalog.by_id and rid not in replaced]

    def paths(self) -> list[PathOverview]:
        from mlops_path.core.learning.summary import summarize

        progress = self.progress()
        current = self._path_for(progress).id
        return [
            PathOverview(
                path,
                summarize(walk(self.catalog, path, progress), progress),
                path.id == current,
                self.catalog.origin[f"path:{path.id}"],
            )
            for path in self.catalog.paths.values()
        ]

    def use(self, path_id: str) -> LearningPath:
        """Make a path the default for every command (remembered in the progress file)."""
        path = self.catalog.path(path_id)
        self._update(lambda p: (p._replace(default_path=path_id), None))
        return path

    def export(self, fmt: str) -> str:
        from mlops_path.core.progress.exchange import export_json, export_markdown

        progress = self.progress()
        if fmt == "markdown":
            return export_markdown(progress, self.catalog, now())
        return export_json(progress, now())

    def import_export(self, file: Path) -> list[str]:
        """Merge an export file in, as one undoable change; return the ids that changed."""
        from mlops_path.core.progress.exchange import merge_export, read_export

        theirs = read_export(file)
        at = now()
        return self._update(lambda p: merge_export(p, theirs, at))

    def plan(self, minutes_per_week: int, start: date, ics: Path | None = None, save: bool = False) -> StudyPlan:
        from mlops_path.core.learning.plan import plan_weeks, to_ics, to_saved

        state = self.state()
        try:
            weeks = plan_weeks(state.steps, minutes_per_week, start)
            if weeks:
                weeks[-1].start + timedelta(days=7)  # the last week's end must be a date too
        except OverflowError:
            raise UsageError(
                f"A plan from {start.isoformat()} would end after the last date there is; pick an earlier --start."
            ) from None
        if ics is not None:
            from mlops_path import __version__
            from mlops_path.core.outputs import write_output

            write_output(ics, to_ics(weeks, state.path.id, state.path.title, now(), __version__).encode("utf-8"))
        if save:
            kept = to_saved(weeks, state.path.id, minutes_per_week / 60)
            self._update(lambda p: (p._replace(plan=kept), None))
        return StudyPlan(state.path, weeks, ics, save)

    def undo(self) -> Change | None:
        at = now()
        return self._update(lambda p: undo(p, at))

    def clear_all(self) -> list[str]:
        at = now()
        return self._update(lambda p: reset_all(p, at))

    def history(self) -> tuple[Change, ...]:
        return self.progress().history

    def check_links(
        self,
        files: Sequence[Path],
        timeout: float,
        concurrency: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[LinkResult]:
        """Every link of `files` (default: every loaded catalog), checked over the network."""
        from mlops_path.core.catalog.links import check_links

        if files:
            from mlops_path.core.catalog.loader import read_file
            from mlops_path.core.catalog.model import broken_message

            targets = []
            for file in files:
                part, problems = read_file(file)
                if part is None or problems:
                    raise FileProblem(broken_message(str(file), problems) + f" Run `mlops-path catalog check {file}`.")
                targets += [(r.id, r.url) for r in part.resources]
        else:
            targets = [(r.id, r.url) for r in self.catalog.resources]
        return check_links(targets, timeout, concurrency, progress)

    def write_page(self, file: Path | None) -> Path:
        """The current path as a self-contained HTML page (default: view.html in the data folder)."""
        from mlops_path.core.page import path_page, write_page

        state = self.state()
        page = path_page(state.path, state.steps, state.progress, self.summary(state), next_step(state.steps), now())
        return write_page(file or home.user_home() / "view.html", page, private=True)  # it shows the learner's notes

    # --- beyond one machine: sync and the study group (their modules are imported only here) ---

    def sync_init(
        self,
        folder: Path | None,
        url: str | None,
        name: str | None,
        share_notes: bool | None,
        join: bool = False,
        device_name: str | None = None,
        passphrase: str | None = None,
    ) -> SyncReport:
        from mlops_path.core.sync import service

        return service.init(self.file, folder, url, name, share_notes, self._warn_once, join, device_name, passphrase)

    def group_notes(self, resource_id: str) -> list[tuple[str, Note]]:
        """What the study group noted on a step, shared in the clear: shown to a learner who shares
        their own notes (`share-notes on`); nothing otherwise, and nothing is read then."""
        progress = self.progress()
        if not progress.sync or not progress.sync.get("share_notes") or not progress.sync.get("engine"):
            return []
        from mlops_path.core.sync import service

        return service.group_notes(progress, resource_id, self._warn_once)

    def sync_secret(self, passphrase: str) -> SyncConfig:
        from mlops_path.core.sync import service

        return service.set_secret(self.file, passphrase, self._warn_once)

    def sync_now(self) -> SyncReport:
        from mlops_path.core.sync import service

        return service.sync_now(self.file, self._warn_once)

    def sync_status(self) -> SyncStatus:
        from mlops_path.core.sync import service

        return service.status(self.file)

    def sync_off(self) -> SyncConfig:
        from mlops_path.core.sync import service

        return service.set_off(self.file)

    def share_notes(self, on: bool) -> SyncConfig:
        from mlops_path.core.sync import service

        return service.set_share_notes(self.file, on, self._warn_once)

    def cohort(self, folder: Path | None) -> Cohort:
        """Every learner in the sync place (or in `folder`) on the current path."""
        from mlops_path.core.sync.cohort import cohort_report
        from mlops_path.core.sync.devices import SyncConfig, Synced

        progress = self.progress()
        config = SyncConfig.of(progress)
        engine, as_of = None, None
        if folder is None:
            synced = Synced.of(progress)
            if synced is None:
                raise UsageError(
                    "Give a folder that holds the group's sync files, or set up sync (`mlops-path sync init`)."
                )
            folder, engine, as_of = synced.shared, synced.via.name, synced.via.as_of(synced)
        path = self._path_for(progress)
        me = config.learner if config is not None else None
        return cohort_report(folder.expanduser(), self.catalog, path, now(), self._warn_once, me, engine, as_of)


class Health(NamedTuple):
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
        store.read_progress(file, verify=True)
    except store.Unreadable as exc:
        return f"it {exc.reason}"
    except ProgressError as exc:
        return str(exc).rstrip(".")
    return None


def repair() -> store.Repair:
    return store.repair(home.progress_file())
