"""The `mlops-path` command: each command parses its arguments, calls one core function, renders.

Errors from the core are turned into one sentence and an exit code in one place, `_Group.invoke`:
0 success, 1 a problem with a file, 2 bad input on the command line, 3 an unexpected internal error.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from mlops_path import __version__
from mlops_path.cli import render
from mlops_path.cli.completion import complete_ids, complete_kinds, complete_statuses, complete_topics
from mlops_path.core import api
from mlops_path.core.errors import MlopsPathError, UsageError
from mlops_path.core.path import filter_steps, next_step, shortest_open, topic_counts
from mlops_path.core.progress import Status

INTERNAL_ERROR = 3


class _Group(TyperGroup):
    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except MlopsPathError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="mlops-path",
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: stable text for docs/cli.md, and no rich import for --help
    help="A learning path for MLOps: what to read or watch next, and a record of what you finished.",
    epilog="Progress lives in one JSON file: `mlops-path where` prints its path.",
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (documented in the README) instead of text.")]
IdArgument = Annotated[str, typer.Argument(metavar="ID", help="A resource id.", autocompletion=complete_ids, show_default=False)]
IdsArgument = Annotated[
    list[str], typer.Argument(metavar="ID", help="One or more resource ids.", autocompletion=complete_ids, show_default=False)
]
TopicOption = Annotated[
    Optional[str], typer.Option(metavar="TOPIC", help="Only steps on this topic, e.g. monitoring.", autocompletion=complete_topics, show_default=False)
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlops-path {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """A learning path for MLOps: what to read or watch next, and a record of what you finished."""


@app.command("next")
def next_(
    topic: TopicOption = None,
    minutes: Annotated[Optional[int], typer.Option(min=1, metavar="MINUTES", help="Only a step that fits in this many minutes.", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Show what to read or watch now.

    A started step comes first, else the first step not done or skipped.

    Example: mlops-path next --minutes 20
    """
    steps = filter_steps(api.load_state().steps, topic=topic)
    step = next_step(steps, max_minutes=minutes)
    if step is None and minutes is not None and not as_json:
        render.nothing_fits(minutes, shortest_open(steps))
        return
    render.next_step(step, as_json)


@app.command("list")
def list_(
    topic: TopicOption = None,
    kind: Annotated[Optional[str], typer.Option(metavar="KIND", help="Only steps of this kind, e.g. talk.", autocompletion=complete_kinds, show_default=False)] = None,
    status: Annotated[Optional[Status], typer.Option(help="Only steps with this status.", autocompletion=complete_statuses, show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """List the path in order, with each step's status.

    Example: mlops-path list --topic monitoring
    """
    render.step_list(filter_steps(api.load_state().steps, topic, kind, status), as_json)


def _set(ids: list[str], status: Status) -> None:
    changed = api.set_status(ids, status)
    render.marked(changed, ids, status, next_step(api.load_state().steps))


@app.command()
def done(ids: IdsArgument) -> None:
    """Mark steps done (records when). Unknown ids change nothing.

    Example: mlops-path done dmls-ch02
    """
    _set(ids, Status.DONE)


@app.command()
def start(ids: IdsArgument) -> None:
    """Mark steps in progress.

    `next` shows a started step first.

    Example: mlops-path start dmls-ch07
    """
    _set(ids, Status.IN_PROGRESS)


@app.command()
def skip(ids: IdsArgument) -> None:
    """Skip steps.

    `next` passes over them, and they leave the percentage (see `progress`).

    Example: mlops-path skip gently-down-the-stream
    """
    _set(ids, Status.SKIPPED)


@app.command()
def reset(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="ID", help="Resource ids to set back to todo.", autocompletion=complete_ids, show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Clear all progress: every status and note.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --all: do not ask for confirmation.")] = False,
) -> None:
    """Set steps back to todo, or clear all progress with --all.

    Notes are kept when you reset ids. `reset --all` clears statuses and notes; it asks first,
    keeps a backup, and `mlops-path undo` takes it back.

    Example: mlops-path reset dmls-ch02
    """
    if all_ == bool(ids):
        raise UsageError("Give resource ids to reset, or --all to clear all progress (not both).")
    if ids:
        _set(ids, Status.TODO)
        return
    if not yes:
        typer.confirm("Clear all your progress, statuses and notes? (`mlops-path undo` takes it back)", abort=True, err=True)
    render.cleared(api.clear_all())


@app.command()
def note(resource_id: IdArgument, text: Annotated[str, typer.Argument(help="The note; quote it.", show_default=False)]) -> None:
    """Add a dated note to a resource.

    `show` prints a resource's notes; `undo` takes a note back.

    Example: mlops-path note dmls-ch08 "Re-read the part on covariate shift"
    """
    render.noted(resource_id, api.add_note(resource_id, text))


@app.command()
def show(resource_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show everything about one resource.

    What it is, why it is on the path, where to find it, its status and your notes.

    Example: mlops-path show ml-test-score
    """
    step, entry = api.resource(resource_id)
    render.show(step, entry, as_json)


@app.command("open")
def open_(resource_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="A resource id; the next step if left out.", autocompletion=complete_ids, show_default=False)] = None) -> None:
    """Open a resource's link in your browser.

    $BROWSER is honoured; the link is printed too, so it works without a browser.

    Example: mlops-path open
    """
    if resource_id is None:
        step = next_step(api.load_state().steps)
        if step is None:
            raise UsageError("Every step is done; give an id to open one.")
        resource_id = step.id
    url = api.resource(resource_id)[0].resource.url
    render.opened(url, _open_in_browser(url))


def _open_in_browser(url: str) -> bool:
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


@app.command()
def progress(as_json: JsonOption = False) -> None:
    """Show how far you are along the path.

    Overall, per stage and per topic, with minutes done and left. The percentage counts
    required steps only: optional steps are shown on their own, and skipped steps leave the count.

    Example: mlops-path progress
    """
    render.summary(api.summary(), as_json)


@app.command()
def topics(as_json: JsonOption = False) -> None:
    """List the topics, with their step and done counts.

    Example: mlops-path topics
    """
    render.topics(topic_counts(api.load_state().steps), as_json)


@app.command()
def undo() -> None:
    """Take back the last change to your progress.

    Run it again to go further back; `history` shows what it would take back.

    Example: mlops-path undo
    """
    render.undone(api.undo_last())


@app.command()
def history(as_json: JsonOption = False) -> None:
    """Show every change to your progress, newest first.

    Example: mlops-path history
    """
    render.history(api.history(), as_json)


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Set a broken progress file aside and restore the backup.")] = False,
) -> None:
    """Check the progress file and its backup.

    With --repair, a broken file is set aside (never deleted) and the backup restored.

    Example: mlops-path doctor --repair
    """
    health = api.check_health()
    if repair and health.problem:
        render.repaired(api.repair())
        health = api.check_health()
    render.health(health)
    if health.problem:
        raise typer.Exit(1)


@app.command()
def where() -> None:
    """Print the path of the progress file.

    Example: mlops-path where
    """
    render.lines([str(api.progress_location())])


def main() -> None:
    """The console script: like `app()`, but no traceback ever reaches the user."""
    try:
        app()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # a bug; say so in one sentence
        if os.environ.get("MLOPS_PATH_DEBUG"):
            raise
        render.error(
            f"mlops-path hit an unexpected problem ({type(exc).__name__}: {exc}); "
            "please report it, with the output of MLOPS_PATH_DEBUG=1 mlops-path ..."
        )
        sys.exit(INTERNAL_ERROR)
