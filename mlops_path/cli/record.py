"""Commands that change or guard your progress: done, start, skip, reset, note, undo, history,
export, import, doctor, where. Every change goes through the store's one write path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlops_path.cli import messages, output, views
from mlops_path.cli.completion import complete_ids
from mlops_path.cli.shared import JsonOption, OptionalIds, learner
from mlops_path.core import api, home
from mlops_path.core.errors import FileProblem, UsageError
from mlops_path.core.progress.record import Status


def _set(ids: list[str] | None, status: Status, force: bool = True) -> None:
    """One Learner call does the whole change (one read of the progress file); `start` of a done
    step comes back unchanged, asks, and runs again with force."""
    result = learner().mark(ids or [], status, force=force)
    for step, entry in result.restart:
        assert entry.done_at is not None  # `restart` holds done steps, each with its day (Learner._done_among)
        done_on = output.stamp(entry.done_at)
        question = f"{step.id} was done on {done_on}; start it again?"
        if not _confirm(question, f"{step.id} was done on {done_on}; --force starts it again."):
            messages.nothing_changed()
            return
    if result.restart:
        result = learner().mark(ids or [], status, force=True)
    reached = (
        messages.milestones(result.before, result.after) if result.before and result.after and result.changed else []
    )
    messages.marked(result.changed, result.asked, status, result.following, current=result.current, reached=reached)


def done(ids: OptionalIds = None) -> None:
    """Mark steps done (records when); with no id, the current step. Unknown ids change nothing.

    Example: mlops-path done dmls-ch02
    """
    _set(ids, Status.DONE)


def start(
    ids: OptionalIds = None,
    force: Annotated[bool, typer.Option("--force", help="Start a step again even if it is done.")] = False,
) -> None:
    """Mark steps in progress; with no id, the current step.

    `next` shows a started step first. A step already done is started again only after you
    confirm (or with --force).

    Example: mlops-path start dmls-ch07
    """
    _set(ids, Status.IN_PROGRESS, force=force)


def _confirm(question: str, refusal: str) -> bool:
    """Ask (on stderr); with no answer to read (a script), refuse, naming the way to say yes."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        raise UsageError(refusal) from None


def skip(ids: OptionalIds = None) -> None:
    """Skip steps; with no id, the current step.

    `next` passes over them, and they leave the percentage (see `progress`).

    Example: mlops-path skip gently-down-the-stream
    """
    _set(ids, Status.SKIPPED)


def reset(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID", help="Resource ids to set back to todo.", autocompletion=complete_ids, show_default=False
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Clear all progress: every status and note.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --all: do not ask for confirmation.")] = False,
) -> None:
    """Set steps back to todo, or clear all progress with --all.

    Notes are kept when you reset ids. `reset --all` clears statuses and notes; it asks
    first, keeps a backup, and `mlops-path undo` takes it back.

    Example: mlops-path reset dmls-ch02
    """
    if all_ == bool(ids):
        raise UsageError("Give resource ids to reset, or --all to clear all progress (not both).")
    if ids:
        _set(ids, Status.TODO)
        return
    if not yes:
        records, notes = learner().what_clear_all_loses()
        lost = f"{records} record{'s' * (records != 1)} and {notes} note{'s' * (notes != 1)}"
        question = f"Clear all your progress: {lost}? (`mlops-path undo` takes it back)"
        if not _confirm(question, "reset --all asks first; add --yes to clear all your progress."):
            messages.nothing_changed()
            return
    messages.cleared(learner().clear_all())


def note(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="[ID] TEXT",
            help="The note (quote it), after an id; the current step if no id.",
            autocompletion=complete_ids,
            show_default=False,
        ),
    ],
) -> None:
    """Add a dated note to a resource; with only the text, to the current step.

    `show` prints a resource's notes; `undo` takes a note back.

    Example: mlops-path note dmls-ch08 "Re-read the part on covariate shift"
    """
    if len(words) > 2:
        raise UsageError('A note is one argument: quote it, as in mlops-path note "my note".')
    if len(words) == 2:
        resource_id, text = words
    else:
        (text,) = words
        if learner().is_id(text):
            raise UsageError(f'Give the note\'s text after the id, as in mlops-path note {text} "my note".')
        resource_id = None
    noted = learner().note(resource_id, text)
    messages.noted(noted.resource_id, noted.note)


def undo() -> None:
    """Take back the last change to your progress.

    Run it again to go further back; `history` shows what it would take back.

    Example: mlops-path undo
    """
    messages.undone(learner().undo())


def history(as_json: JsonOption = False) -> None:
    """Show every change to your progress, newest first.

    Example: mlops-path history
    """
    views.history(learner().history(), as_json)


def export(
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="json|markdown",
            help="json: a versioned document for `import`; markdown: a readable learning log.",
        ),
    ] = "json",
) -> None:
    """Write your progress to stdout, to carry it to another machine or keep a log.

    Example: mlops-path export > progress-export.json
    """
    if format_ not in ("json", "markdown"):
        raise UsageError(f"--format is json or markdown, not {format_!r}.")
    output.raw(learner().export(format_))


def import_(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by `mlops-path export`.", show_default=False)
    ],
) -> None:
    """Merge an export into your progress: the union of both, as one undoable change.

    Where both sides changed the same resource, the later change wins; notes are joined.

    Example: mlops-path import progress-export.json
    """
    messages.imported(learner().import_export(file))


def doctor(
    repair: Annotated[
        bool, typer.Option("--repair", help="Set a broken progress file aside and restore the backup.")
    ] = False,
) -> None:
    """Check the progress file and its backup.

    With --repair, a broken file is set aside (never deleted) and the backup restored.

    Example: mlops-path doctor --repair
    """
    health = api.check_health()
    if repair and health.problem:
        messages.repaired(api.repair())
        health = api.check_health()
    views.health(health)
    if health.problem:
        raise typer.Exit(1)


def where(
    catalogs: Annotated[
        bool, typer.Option("--catalogs", help="Print the folder for your own catalogs instead.")
    ] = False,
) -> None:
    """Print the path of the progress file.

    Example: mlops-path where
    """
    if catalogs:
        folder = home.catalogs_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)  # so that "drop a catalog into it" works at once
        except OSError as exc:
            raise FileProblem(f"Cannot create the catalogs folder {folder}: {exc.strerror or exc}.") from None
        output.lines([str(folder)])
        return
    output.lines([str(home.progress_file())])
