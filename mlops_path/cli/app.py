"""The `mlops-path` command: each command parses its arguments, calls one library method, renders.

Errors from the core are turned into one sentence and an exit code in one place, `_Group.invoke`:
0 success, 1 a problem with a file, 2 bad input on the command line, 3 an unexpected internal error.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mlops_path import __version__
from mlops_path.cli import browse, help_layout, learn, output, record
from mlops_path.cli.catalogs import catalog_app
from mlops_path.cli.completion import answer, complete_paths, optional_shell, shell_options
from mlops_path.cli.group import cohort, sync_app
from mlops_path.cli.shared import use_learner
from mlops_path.core.api import Learner
from mlops_path.core.errors import MlopsPathError

INTERNAL_ERROR = 3


GLOBAL_OPTIONS = ("--path", "--catalog")  # they take a value and may come before or after the command


def hoist_global_options(args: list[str]) -> list[str]:
    """`mlops-path next --path mlip` means `mlops-path --path mlip next`: the global options that
    take a value are moved in front of the command wherever they stand (never past a `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            taken = 1 if "=" in arg else 2
            front += args[i : i + taken]
            i += taken
            continue
        (rest if rest or not arg.startswith("-") else front).append(arg)
        i += 1
    return front + rest


class _HelpGroup(TyperGroup):
    """A group whose help, and every subcommand's, is laid out by `help_layout` (wrapped at
    spaces for the terminal at hand), with each command's summary as long at 40 columns as at 80."""

    context_class = help_layout.Context

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for command in self.commands.values():
            command.context_class = help_layout.Context

    # The overrides below take the context and formatter they are given (`help_layout`'s): typer
    # vendors click and names its Context and HelpFormatter in no public module, hence `override`.
    def format_commands(self, ctx: typer.Context, formatter: help_layout.HelpFormatter) -> None:  # type: ignore[override]
        visible = {name: command for name, command in self.commands.items() if not command.hidden}
        if visible:
            limit = help_layout.short_help_limit(list(visible), formatter.width)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in visible.items()])


class _Group(_HelpGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.params += shell_options()  # --install-completion and --show-completion [SHELL]

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        return super().parse_args(ctx, optional_shell(hoist_global_options(list(args))))

    def _main_shell_completion(
        self, ctx_args: MutableMapping[str, Any], prog_name: str, complete_var: str | None = None
    ) -> None:
        """A Tab in the shell is answered by `completion` (one run, no rich), not by typer."""
        answer(self, ctx_args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's errors in the tool's one style: one sentence, and a line saying where help is."""
        try:
            result = super().main(
                args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra
            )
        except typer.TyperException as exc:  # click's errors: typer vendors click, its ClickException derives from it
            if hasattr(exc, "ctx"):  # a usage error: click's UsageError (and only it) keeps the command's context
                command = exc.ctx.command_path if exc.ctx else "mlops-path"
                output.error(_sentence(exc.format_message()), hint=f"See `{command} --help`.")
            else:
                output.error(_sentence(exc.format_message()))
            result = exc.exit_code
        except typer.Abort:
            output.error("Nothing changed.")
            result = 1
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except MlopsPathError as exc:
            output.error(str(exc))
            raise typer.Exit(exc.exit_code) from None


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "?", "!")) else message + "."


app = typer.Typer(
    name="mlops-path",
    cls=_Group,
    no_args_is_help=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,  # completion.shell_options() instead: they honour SHELL
    rich_markup_mode=None,  # plain click help: stable text for docs/cli.md, and no rich import for --help
    epilog="Progress lives in one JSON file: `mlops-path where` prints its path.",
)


def _version(value: bool) -> None:
    if value:
        output.raw(f"mlops-path {__version__}\n")  # a full or closed stdout: one sentence, exit 1
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    catalog: Annotated[
        list[Path] | None,
        typer.Option("--catalog", metavar="FILE", help="Also load this catalog (repeatable).", show_default=False),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            metavar="ID",
            help="Walk this path for this command.",
            autocompletion=complete_paths,
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """A learning path for MLOps: what to read or watch next, and a record of what you finished."""
    use_learner(Learner(catalog or [], path, warn=output.warning))
    if ctx.invoked_subcommand is None:
        learn.start_screen()


def help_(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None, typer.Argument(metavar="[COMMAND]...", help="A command, e.g. next or sync init.")
    ] = None,
) -> None:
    """Show the help of the tool, or of one command.

    Example: mlops-path help next
    """
    from mlops_path.core.errors import UsageError

    command = ctx.find_root().command  # help is a command of the root: its parent is the root's context
    names: list[str] = []
    for word in words or []:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            from mlops_path.core.text import did_you_mean

            hint = did_you_mean(word, getattr(command, "commands", {}), most=1) or "`mlops-path help` lists them."
            raise UsageError(f"No command {' '.join([*names, word])!r}; {hint}")
        command, names = sub, [*names, word]
    with help_layout.Context(command, info_name=" ".join(["mlops-path", *names]), parent=None) as sub_ctx:
        output.raw(command.get_help(sub_ctx) + "\n")


COMMANDS: dict[str, Callable[..., Any]] = {
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
    "search": learn.search,
    "browse": browse.browse,
    "week": learn.week,
    "view": learn.view,
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
    "help": help_,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)
app.add_typer(catalog_app, name="catalog", cls=_HelpGroup)
app.add_typer(sync_app, name="sync", cls=_HelpGroup)


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
        if isinstance(exc, OSError) and _stdout_fails(exc):  # click's own write (--help) to a full stdout
            output.error(f"Cannot write to standard output: {(exc.strerror or str(exc)).rstrip('.')}.")
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        output.error(
            f"mlops-path hit an unexpected problem ({type(exc).__name__}: {exc}); "
            "please report it, with the output of MLOPS_PATH_DEBUG=1 mlops-path ..."
        )
        sys.exit(INTERNAL_ERROR)
    finally:
        gc.freeze()
        _debug_notes()


def _stdout_fails(exc: OSError) -> bool:
    """Did click's own write fail (`--help`, written by click outside `output`)? Its `echo` is then
    the innermost frame: the failed bytes are already dropped, so retrying the flush would tell
    nothing, and an OSError from anywhere else stays a bug to report."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    frame = tb.tb_frame
    return frame.f_code.co_name == "echo" and "click" in frame.f_globals.get("__name__", "")


def _debug_notes() -> None:
    """What only someone debugging needs to hear: e.g. that the cache folder was not used."""
    if os.environ.get("MLOPS_PATH_DEBUG"):
        from mlops_path.core import cache

        if cache.refusal:
            output.warning(cache.refusal + ".")
