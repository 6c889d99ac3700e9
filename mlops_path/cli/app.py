"""The `mlops-path` command: each command parses its arguments, calls one library method, renders.

Errors from the core are turned into one sentence and an exit code in one place, `_Group.invoke`:
0 success, 1 a problem with a file, 2 bad input on the command line, 3 an unexpected internal error.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from mlops_path import __version__
from mlops_path.cli import learn, output, record
from mlops_path.cli.catalogs import catalog_app
from mlops_path.cli.completion import complete_paths
from mlops_path.cli.group import cohort, sync_app
from mlops_path.cli.shared import use_learner
from mlops_path.core.api import Learner
from mlops_path.core.errors import MlopsPathError

INTERNAL_ERROR = 3


class _Group(TyperGroup):
    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except MlopsPathError as exc:
            output.error(str(exc))
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="mlops-path",
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: stable text for docs/cli.md, and no rich import for --help
    epilog="Progress lives in one JSON file: `mlops-path where` prints its path.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlops-path {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    catalog: Annotated[
        list[Path] | None,
        typer.Option("--catalog", metavar="FILE", help="Also load this catalog (repeatable).", show_default=False),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option("--path", metavar="ID", help="Walk this path for this command.", autocompletion=complete_paths, show_default=False),
    ] = None,
    version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """A learning path for MLOps: what to read or watch next, and a record of what you finished."""
    use_learner(Learner(catalog or [], path, warn=output.warning))


COMMANDS = {
    "next": learn.next_,
    "list": learn.list_,
    "done": record.done,
    "start": record.start,
    "skip": record.skip,
    "reset": record.reset,
    "note": record.note,
    "show": learn.show,
    "open": learn.open_,
    "progress": learn.progress,
    "topics": learn.topics,
    "paths": learn.paths,
    "use": learn.use,
    "plan": learn.plan,
    "undo": record.undo,
    "history": record.history,
    "export": record.export,
    "import": record.import_,
    "doctor": record.doctor,
    "where": record.where,
    "cohort": cohort,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)
app.add_typer(catalog_app, name="catalog")
app.add_typer(sync_app, name="sync")


def main() -> None:
    """The console script: like `app()`, but no traceback ever reaches the user."""
    # A short-lived process that builds many objects (a large catalog: hundreds of thousands) and
    # drops them all at exit, so the cyclic garbage collector only costs time: it is off while we
    # run, and `gc.freeze()` spares the full collection Python makes at shutdown (about 20 ms for
    # a 5,000-resource catalog, measured with benchmarks/run.py).
    gc.disable()
    try:
        app()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # a bug; say so in one sentence
        if os.environ.get("MLOPS_PATH_DEBUG"):
            raise
        output.error(
            f"mlops-path hit an unexpected problem ({type(exc).__name__}: {exc}); "
            "please report it, with the output of MLOPS_PATH_DEBUG=1 mlops-path ..."
        )
        sys.exit(INTERNAL_ERROR)
    finally:
        gc.freeze()
        _debug_notes()


def _debug_notes() -> None:
    """What only someone debugging needs to hear: e.g. that the cache folder was not used."""
    if os.environ.get("MLOPS_PATH_DEBUG"):
        from mlops_path.core import cache

        if cache.refusal:
            output.warning(cache.refusal + ".")
