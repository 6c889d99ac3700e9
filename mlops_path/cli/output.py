"""The primitives of all output: rich when a person is looking, plain stable text when piped,
JSON on request, errors and warnings on stderr.

rich is imported only when stdout is a terminal, so scripts and shell prompts don't pay for it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

PANEL_WIDTH = 100  # wider lines are hard to read


def use_rich() -> bool:
    if os.environ.get("MLOPS_PATH_PLAIN"):
        return False
    return sys.stdout.isatty()


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def lines(text_lines: Iterable[str]) -> None:
    sys.stdout.write("".join(line + "\n" for line in text_lines))


def say(messages: Iterable[str]) -> None:
    """Sentences for a person: wrapped at word boundaries in a terminal, plain lines when piped."""
    if not use_rich():
        lines(messages)
        return
    from rich.text import Text

    out = console()
    for message in messages:
        out.print(Text(message), overflow="fold")


def raw(text: str) -> None:
    sys.stdout.write(text)


def warning(message: str) -> None:
    sys.stderr.write(f"Warning: {message}\n")


def error(message: str) -> None:
    """One sentence on stderr; wrapped at word boundaries only when a person is reading it."""
    text = f"Error: {message}"
    if sys.stderr.isatty():
        import shutil
        import textwrap

        text = textwrap.fill(text, shutil.get_terminal_size().columns, break_on_hyphens=False, break_long_words=True)
    sys.stderr.write(text + "\n")


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def id_list(ids: list[str], most: int = 4) -> str:
    return ", ".join(ids) if len(ids) <= most else f"{', '.join(ids[:most])} and {len(ids) - most} more"


def bar(percent: int, width: int, full: str = "#", empty: str = "-") -> str:
    filled = round(width * percent / 100)
    return full * filled + empty * (width - filled)
