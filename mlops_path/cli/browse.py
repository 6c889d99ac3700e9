"""`mlops-path browse`: the command that opens the full-screen view. Textual (and the screen's
modules) are imported here, inside the command, so no other command pays for them."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlops_path.cli import output
from mlops_path.cli.shared import learner
from mlops_path.core.errors import FileProblem, UsageError

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from mlops_path.cli.browse_app import BrowseApp

INTERNAL_ERROR = 3  # as `app.main` says a bug


def browse(
    screenshot: Annotated[
        Path | None,
        typer.Option(
            "--screenshot",
            metavar="FILE",
            show_default=False,
            help="Write the first screen as an SVG picture instead (COLUMNS x LINES, else 80x24); needs no terminal.",
        ),
    ] = None,
) -> None:
    """Browse the path in one screen and act on it with keys.

    Move with the arrows or j/k; o or Enter opens the link; d done, s start, x skip, r reset,
    u undo, n adds a note; / filters by text, t by topic; p switches path; ? lists every key;
    q quits. A change made elsewhere (another terminal, a sync) shows up while it is open.

    Example: mlops-path browse --screenshot browse.svg
    """
    if screenshot is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("browse needs a terminal to draw in; `mlops-path list` prints the path anywhere.")
    from mlops_path.cli.browse_app import BrowseApp
    from mlops_path.cli.browse_data import Library

    library = Library(learner())
    app = BrowseApp(
        library, library.load(), plain=output.plain_mode()
    )  # a broken file: one sentence, before the screen opens
    if screenshot is not None:
        _screenshot(app, screenshot)
        return
    app.run()
    _after(app)


def _after(app: BrowseApp) -> None:
    """A bug inside the screen ended it (the terminal is restored by then): one sentence, exit 3."""
    if app.failure is None:
        return
    if os.environ.get("MLOPS_PATH_DEBUG"):
        raise app.failure
    failure = app.failure
    output.error(
        f"browse hit an unexpected problem ({type(failure).__name__}: {failure}); "
        "please report it, with the output of MLOPS_PATH_DEBUG=1 mlops-path browse"
    )
    raise typer.Exit(INTERNAL_ERROR)


def _screenshot(app: BrowseApp, file: Path) -> None:
    import shutil

    size = shutil.get_terminal_size((80, 24))
    pictures: list[str] = []

    async def take(pilot: Pilot[object]) -> None:
        await pilot.pause()
        pictures.append(app.export_screenshot())
        app.exit()

    app.run(headless=True, size=(max(size.columns, 40), max(size.lines, 15)), auto_pilot=take)
    _after(app)
    try:
        file.write_text(pictures[0], encoding="utf-8")
    except OSError as exc:
        raise FileProblem(f"Cannot write {file}: {exc.strerror or exc}.") from None
    output.say([f"Wrote {file}."])
