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
from mlops_path.core import api
from mlops_path.core.errors import MlopsPathError, UsageError
from mlops_path.core.path import filter_steps, find_step, next_step, topic_counts
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
    help="A learning path for MLOps: what to read or watch next, and a record of what you finished.",
    epilog="Progress lives in one JSON file: `mlops-path where` prints its path.",
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (documented in the README) instead of text.")]


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
def next_(as_json: JsonOption = False) -> None:
    """Show what to read or watch now: the first step not yet done or skipped.

    Example: mlops-path next
    """
    render.next_step(next_step(api.load_state().steps), as_json)


@app.command("list")
def list_(
    topic: Annotated[Optional[str], typer.Option(help="Only steps on this topic, e.g. monitoring.")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Only steps of this kind, e.g. talk.")] = None,
    status: Annotated[Optional[Status], typer.Option(help="Only steps with this status.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the path in order, with each step's status.

    Example: mlops-path list --topic monitoring
    """
    render.step_list(filter_steps(api.load_state().steps, topic, kind, status), as_json)


@app.command()
def done(ids: Annotated[list[str], typer.Argument(help="One or more resource ids.", show_default=False)]) -> None:
    """Mark steps done (records when). Unknown ids change nothing.

    Example: mlops-path done dmls-ch02
    """
    changed = api.set_status(ids, Status.DONE)
    render.marked(changed, ids, Status.DONE, next_step(api.load_state().steps))


@app.command()
def show(resource_id: Annotated[str, typer.Argument(metavar="ID", help="A resource id.")], as_json: JsonOption = False) -> None:
    """Show everything about one resource, and its status.

    Example: mlops-path show ml-test-score
    """
    state = api.load_state()
    step = find_step(state.steps, resource_id)
    if step is None:
        from mlops_path.core.path import check_ids

        check_ids(state.catalog, [resource_id])
        raise MlopsPathError(f"{resource_id!r} is not a step of the path {state.path.id!r}.")
    entry = state.progress.resources.get(resource_id)
    done_at = entry.done_at.isoformat() if entry and entry.done_at else None
    render.show(step, done_at, as_json)


@app.command()
def topics(as_json: JsonOption = False) -> None:
    """List the topics, with how many steps each has and how many are done.

    Example: mlops-path topics
    """
    render.topics(topic_counts(api.load_state().steps), as_json)


@app.command()
def undo() -> None:
    """Take back the last change to your progress; run it again to go further back.

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
def reset(
    all_: Annotated[bool, typer.Option("--all", help="Clear all progress.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Clear all progress (asks first; a backup is kept and `mlops-path undo` takes it back).

    Example: mlops-path reset --all
    """
    if not all_:
        raise UsageError("Say `mlops-path reset --all` to clear all progress.")
    if not yes:
        typer.confirm("Clear all your progress? (`mlops-path undo` takes it back)", abort=True, err=True)
    render.cleared(api.clear_all())


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Set a broken progress file aside and restore the backup.")] = False,
) -> None:
    """Check the progress file and its backup; with --repair, recover from a broken file.

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

    Example: cat "$(mlops-path where)"
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
