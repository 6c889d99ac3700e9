"""Beyond one machine: `sync` (your devices, through git or a synced folder) and `cohort` (a study
group's progress). Parse, call one Learner method, render."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlops_path.cli import group_views
from mlops_path.cli.shared import JsonOption, learner
from mlops_path.core.errors import UsageError

if TYPE_CHECKING:
    from mlops_path.core.sync.service import NameTaken

sync_app = typer.Typer(
    rich_markup_mode=None,
    help="Sync your progress across devices through git or a folder that Syncthing or Dropbox keeps in sync.\n\n"
    "With no subcommand: sync now (with git: fetch, merge, commit and push).\n\nExample: mlops-path sync",
)


@sync_app.callback(invoke_without_command=True)
def sync(ctx: typer.Context) -> None:
    """Sync now: merge the other devices' changes, share this device's (git: fetch, commit, push)."""
    if ctx.invoked_subcommand is None:
        group_views.synced(learner().sync_now())


@sync_app.command("init")
def init(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FOLDER]",
            help="A folder that Syncthing, Dropbox or a network drive keeps in sync.",
            show_default=False,
        ),
    ] = None,
    git: Annotated[
        str | None,
        typer.Option("--git", metavar="URL", help="Sync through this git remote instead.", show_default=False),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Your display name (default: your user name).", show_default=False),
    ] = None,
    share_notes: Annotated[
        bool | None,
        typer.Option(
            "--share-notes/--no-share-notes",
            help="Share your notes, or not (default: as before; at first not).",
            show_default=False,
        ),
    ] = None,
    join: Annotated[
        bool, typer.Option("--join", help="You already sync as --name on another device: join yourself.")
    ] = False,
    device: Annotated[
        str | None,
        typer.Option(
            "--device", metavar="NAME", help="This device's name (default: the host name).", show_default=False
        ),
    ] = None,
    secret: Annotated[
        bool,
        typer.Option(
            "--secret", help=f"Ask for your sync secret (or read ${SECRET_ENV}): private notes travel encrypted."
        ),
    ] = False,
) -> None:
    """Set up sync through a folder or a git remote, then sync once.

    Each device writes only its own file there; every device merges all of them. Devices with
    the same --name are one learner; other names in the same place are your study group. A name
    someone already syncs under is refused unless you say it is you (--join, or yes when asked).
    Run again, it keeps every setting you do not give. With a sync secret (the same on each of
    your devices) your notes travel between them encrypted, and a file under your name that does
    not prove it knows the secret is not merged.

    Example: mlops-path sync init ~/Sync/mlops --name Ada
    """
    from mlops_path.core.sync.service import NameTaken

    passphrase = _passphrase() if secret or os.environ.get(SECRET_ENV) else None
    try:
        report = learner().sync_init(folder, git, name, share_notes, join, device, passphrase)
    except NameTaken as taken:
        if not _confirm_join(taken):
            raise
        report = learner().sync_init(folder, git, name, share_notes, True, device, passphrase)
    group_views.synced(report)


SECRET_ENV = "MLOPS_PATH_SYNC_SECRET"


def _passphrase() -> str:
    """The sync secret: from $MLOPS_PATH_SYNC_SECRET (scripts, tests), else asked for, hidden, twice."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given
    import sys

    if not sys.stdin.isatty():
        raise UsageError(f"A sync secret is asked for in a terminal; in a script, set {SECRET_ENV}.")
    secret: str = typer.prompt(
        "Sync secret (the same on each of your devices)", hide_input=True, confirmation_prompt=True, err=True
    )
    return secret


@sync_app.command("secret")
def secret_() -> None:
    """Give this device your sync secret, or change it (then give every device the new one).

    Asks for it, hidden (or reads $MLOPS_PATH_SYNC_SECRET).

    Example: mlops-path sync secret
    """
    group_views.secret_set(learner().sync_secret(_passphrase()))


def _confirm_join(taken: NameTaken) -> bool:
    """In a terminal, ask whether the devices already syncing under the name are the learner's own."""
    import sys

    if not sys.stdin.isatty():
        return False
    group_views.name_taken(taken)
    return typer.confirm(f"Are these your own devices, {taken.name}?", default=False, err=True)


@sync_app.command("status")
def status(as_json: JsonOption = False) -> None:
    """Show the engine, the devices and learners seen, and the last sync's result.

    Example: mlops-path sync status
    """
    group_views.sync_status(learner().sync_status(), as_json)


@sync_app.command("off")
def off() -> None:
    """Stop syncing; your local progress stays as it is.

    Example: mlops-path sync off
    """
    group_views.sync_off(learner().sync_off())


@sync_app.command("share-notes")
def share_notes(
    state: Annotated[str, typer.Argument(metavar="on|off", help="Share your notes through sync, or stop.")],
) -> None:
    """Share your notes through sync (on), or keep them on this device (off).

    Example: mlops-path sync share-notes on
    """
    if state not in ("on", "off"):
        raise UsageError(f"sync share-notes takes on or off, not {state!r}.")
    group_views.notes_shared(learner().share_notes(state == "on"))


def cohort(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FOLDER]", help="A folder of sync files (default: your sync place).", show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format", metavar="csv|markdown", help="Print the table as CSV or Markdown.", show_default=False
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write the group's page to FILE instead.", show_default=False),
    ] = None,
) -> None:
    """Show a study group's progress on the path: each learner, and where the group gets stuck.

    Reads every learner's sync files; never merges them into yours. --path picks the path.

    Example: mlops-path cohort ~/Sync/mlops --format markdown
    """
    if format_ not in (None, "csv", "markdown"):
        raise UsageError(f"--format is csv or markdown, not {format_!r}.")
    report = learner().cohort(folder)
    if html is not None:
        from mlops_path.core.page import cohort_page, write_page

        group_views.cohort_page_written(write_page(html, cohort_page(report)))
        return
    group_views.cohort(report, as_json, format_)
