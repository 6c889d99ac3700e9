"""The primitives of all output: rich when a person is looking, plain stable text when piped,
JSON on request, errors and warnings on stderr.

This module is the trust boundary for human output. Text from a catalog, an import, a sync file
or a note is data: every line printed here is made inert (`core.text.inert`: control characters
and bidi controls visibly escaped), and rich never reads markup from a string (its console is made
with markup off and cleans every string it is handed). `--json` prints the exact data, which JSON
escaping already makes safe.

rich is imported only when stdout is a terminal, so scripts and shell prompts don't pay for it.

Standard output itself may fail: closed (`>&-`), full (`> /dev/full`), a broken pipe. Each plain
write is flushed at once so a failure is met here: a reader that left (`| head`) ends the command
quietly with exit 1 (`app.main`), anything else is one sentence on stderr and exit 1, never a
traceback or "unexpected problem" (exit 3).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from mlops_path.core.text import inert

if TYPE_CHECKING:
    from datetime import datetime

    from rich.style import Style
    from rich.text import Text

PANEL_WIDTH = 100  # wider lines are hard to read


def plain_mode() -> bool:
    """Output for screen readers and dumb terminals: no box drawing, bars or colour, statuses as
    words (MLOPS_PATH_PLAIN=1, or TERM=dumb)."""
    return bool(os.environ.get("MLOPS_PATH_PLAIN")) or os.environ.get("TERM") == "dumb"


def use_rich() -> bool:
    if plain_mode() or sys.stdout is None:
        return False
    return sys.stdout.isatty()


def console(stderr: bool = False, **options: Any) -> Any:
    """A rich console that treats every string as text: no markup, no emoji codes, no highlighting,
    and every control character escaped before layout. `options` go to rich (tests set a width)."""
    return _inert_console_class()(stderr=stderr, highlight=False, markup=False, emoji=False, **options)


@cache
def _inert_console_class() -> type:
    from rich.console import Console

    class InertConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Any:
            return super().render_str(
                inert(text, newlines=True), **{**kwargs, "markup": False, "emoji": False, "highlight": False}
            )

    return InertConsole


def text(value: str, style: str | Style = "", newlines: bool = False) -> Text:
    """Data for a rich layout: a `Text` (never markup), with its control characters escaped."""
    from rich.text import Text

    return Text(inert(value, newlines), style=style)


LARGE_JSON = 1_000_000  # characters: a larger document is printed on one line (see `print_json`)


def print_json(data: Any) -> None:
    """Indented JSON; a document over LARGE_JSON characters (a course's cohort) on one line: only a
    program reads it, and indenting is Python's slow encoder, which would cost more than the rest."""
    compact = json.dumps(data, ensure_ascii=False)
    _emit((compact if len(compact) > LARGE_JSON else json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def lines(text_lines: Iterable[str]) -> None:
    """Plain lines; whatever data they hold cannot add a line or reach the terminal as control."""
    _emit("".join(inert(line) + "\n" for line in text_lines))


def _emit(document: str) -> None:
    """Text to stdout, flushed, so that a closed or full stdout is met here and said in a sentence."""
    try:
        if sys.stdout is None:  # Python's stdout when fd 1 was closed before we started
            raise OSError(errno.EBADF, "it is closed")
        sys.stdout.write(document)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (`| head`): app.main ends quietly with exit 1
    except (OSError, ValueError) as exc:
        _stdout_failed(exc)


def _stdout_failed(exc: Exception) -> None:
    import typer

    reason = (exc.strerror or str(exc)).rstrip(".") if isinstance(exc, OSError) else "it is closed"
    error(f"Cannot write to standard output: {reason}.")
    # What is still buffered would fail again when Python flushes stdout at exit, with a second
    # message and exit 120: from here on, stdout goes nowhere.
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        if sys.stdout is not None:
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        else:
            sys.stdout = os.fdopen(null, "w")
    except (OSError, ValueError):
        pass
    raise typer.Exit(1)


def say(messages: Iterable[str]) -> None:
    """Sentences for a person: wrapped at word boundaries in a terminal, plain lines when piped."""
    if not use_rich():
        lines(messages)
        return
    out = console()
    for message in messages:
        if "\n" not in message and ("`" in message or "mlops-path " in message):
            out.print(text(keep_commands_whole(message, out.width), newlines=True), soft_wrap=True)  # already wrapped
        else:
            out.print(text(message), overflow="fold")


_COMMAND = re.compile(r"`[^`]+`|\(mlops-path [^)]*\)")


def keep_commands_whole(message: str, width: int) -> str:
    """`message` wrapped at spaces, never inside a command we suggest (in backticks, or
    "(mlops-path next)"): a reader copies it whole, and a line break inside would paste two lines."""
    import textwrap

    glue = "\u2060"  # a word joiner stands for the spaces inside a command (in data it shows as a space)
    glued = _COMMAND.sub(lambda m: m[0].replace(" ", glue), message)
    return textwrap.fill(glued, width, break_long_words=False, break_on_hyphens=False).replace(glue, " ")


def pairs(rows: list[tuple[str, str]]) -> None:
    """Two columns, e.g. a command and what it does: the first never wraps, the second wraps
    under itself in a terminal; aligned plain lines when piped."""
    if not use_rich():
        width = max(len(left) for left, _ in rows)
        lines(f"  {left:<{width}}  {right}" for left, right in rows)
        return
    from rich.table import Table

    grid = Table.grid(padding=(0, 2), pad_edge=True)
    grid.add_column(no_wrap=True, style="bold cyan")
    grid.add_column(overflow="fold")
    for left, right in rows:
        grid.add_row(text(left), text(right))
    console().print(grid)


def raw(document: str) -> None:
    """A document made for its own format (an export): the exporter escaped it for that format."""
    _emit(document)


def warning(message: str) -> None:
    """One warning on stderr; in a terminal, wrapped at word boundaries like errors."""
    sys.stderr.write("".join(line + "\n" for line in _for_stderr([f"Warning: {inert(message)}"])))


def error(message: str, hint: str | None = None) -> None:
    """One sentence on stderr (and a hint line); in a terminal, "Error:" in red and lines wrapped at
    word boundaries, never inside a word or an id."""
    lines_out = _for_stderr([f"Error: {inert(message)}"] + ([inert(hint)] if hint else []))
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR") and not plain_mode():
        lines_out[0] = "\x1b[1;31mError:\x1b[0m" + lines_out[0][len("Error:") :]
    sys.stderr.write("".join(line + "\n" for line in lines_out))


def _for_stderr(lines_out: list[str]) -> list[str]:
    """In a terminal, each line wrapped at word boundaries (never inside a word or an id)."""
    if not sys.stderr.isatty():
        return lines_out
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    return [textwrap.fill(line, width, break_on_hyphens=False, break_long_words=False) for line in lines_out]


def stamp(at: datetime) -> str:
    """A moment in the learner's own time, naming the zone (`core.words.when`)."""
    from mlops_path.core.words import when

    return when(at)


def id_list(ids: Sequence[str], most: int = 4) -> str:
    return ", ".join(ids) if len(ids) <= most else f"{', '.join(ids[:most])} and {len(ids) - most} more"


def columns(rows: list[list[str]]) -> list[str]:
    """Plain rows with each column padded to its widest cell (the last column is not padded)."""
    widths = [max(len(inert(row[i])) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(inert(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def bar(percent: int, width: int, full: str = "#", empty: str = "-") -> str:
    filled = round(width * percent / 100)
    return full * filled + empty * (width - filled)
