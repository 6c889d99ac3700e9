"""The browse screen's one door to the library: every call it makes to `Learner` is in `Library`.

The screen does what the commands do, through the same calls (the lock, the history, undo and
sync come with them), and says what the command would say: the sentences are the ones in
`messages`, which prints them, so they are caught here as lines. Return values of the library
may change shape; only this module would need to follow.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from mlops_path.cli import messages
from mlops_path.cli.views import counts_text
from mlops_path.core import text
from mlops_path.core.api import Learner
from mlops_path.core.learning.position import next_step
from mlops_path.core.progress.record import Status

if TYPE_CHECKING:
    from datetime import datetime

    from mlops_path.core.learning.position import Step
    from mlops_path.core.learning.summary import Summary
    from mlops_path.core.progress.record import Entry, Progress


class View(NamedTuple):
    """One reading of the path: what the screen draws until the next reading."""

    path_id: str
    path_title: str
    steps: list[Step]
    current: str | None  # the step `next` shows
    summary: Summary
    progress: Progress
    synced: bool

    def entry(self, step: Step) -> Entry | None:
        return self.progress.entry_for(step.id, step.resource.replaces)

    def fingerprint(self) -> tuple[str, tuple[tuple[str, Status, datetime | None, int | None], ...]]:
        """What a redraw would change: each step's status, record time and notes."""
        entries = [self.entry(step) for step in self.steps]
        return self.path_id, tuple(
            (s.id, s.status, e and e.updated, e and len(e.notes)) for s, e in zip(self.steps, entries, strict=True)
        )


class PathChoice(NamedTuple):
    id: str
    title: str
    counts: str
    current: bool


def said(show: Callable[..., None], *args: Any, **kwargs: Any) -> list[str]:
    """The lines a `messages` function prints, as the command would print them when piped (inert)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        show(*args, **kwargs)
    return buffer.getvalue().splitlines()


class Library:
    """The learner of this invocation (its --catalog and --path), with warnings kept for the status
    line instead of written to stderr under the screen."""

    def __init__(self, base: Learner):
        self.warnings: list[str] = []
        self.learner = Learner(base.catalog_files, base.path_id, warn=self.warnings.append)

    def load(self) -> View:
        self.learner.forget()  # the screen lives long: read what is on disk now
        state = self.learner.state()
        current = next_step(state.steps)
        summary = self.learner.summary(state)
        current_id = current.id if current else None
        return View(
            state.path.id, state.path.title, state.steps, current_id, summary, state.progress, bool(state.progress.sync)
        )

    def signature(self) -> tuple[int, int, int] | None:
        """Changes when anyone writes the progress file (every write replaces it whole)."""
        try:
            stat = self.learner.file.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def mark(self, step_id: str, status: Status) -> list[str]:
        """As `done`/`start`/`skip`/`reset ID` do it, milestones included."""
        result = self.learner.mark([step_id], status, force=True)
        reached = (
            messages.milestones(result.before, result.after)
            if result.before and result.after and result.changed
            else []
        )
        return said(messages.marked, result.changed, [step_id], status, result.following, reached=reached)

    def note(self, step_id: str, text: str) -> list[str]:
        noted = self.learner.note(step_id, text)
        return said(messages.noted, noted.resource_id, noted.note)

    def undo(self) -> list[str]:
        return said(messages.undone, self.learner.undo())

    def matching(self, query: str) -> set[str]:
        """The ids `search` finds for `query` (titles, ids, topics, authors, why, your notes)."""
        return {hit.step.id for hit in self.learner.search(query)}

    def paths(self) -> list[PathChoice]:
        return [PathChoice(p.path.id, p.path.title, counts_text(p.summary), p.current) for p in self.learner.paths()]

    def use(self, path_id: str) -> list[str]:
        """As `use` does it; from now on the screen follows the chosen path, even if --path was given."""
        lines = said(messages.using, self.learner.use(path_id))
        self.learner = Learner(self.learner.catalog_files, None, warn=self.warnings.append)
        return lines

    def take_warnings(self) -> list[str]:
        taken, self.warnings[:] = list(self.warnings), []
        return [f"Warning: {message}" for message in taken]


def topics(steps: list[Step]) -> list[tuple[str, str]]:
    """Each topic of the path with its count, in the words `topics` uses."""
    from mlops_path.cli.views import tally_text
    from mlops_path.core.learning.summary import topic_tallies

    return [(t.name, tally_text(t)) for t in topic_tallies(steps)]


def web_link(step: Step) -> str | None:
    """The step's link if it is one a browser may be handed (the rule of `open`), else None."""
    return text.web_link(step.resource.url)


def opened(url: str | None, step: Step, started: bool) -> list[str]:
    if url is None:
        return [f"The link of {step.id} is not a web link, so it was not opened."]
    return said(messages.opened, url, started)
