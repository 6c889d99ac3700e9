"""How the browse screen draws a step, the header and the details: rich `Text` only, never a
string that Textual would read as markup, and every piece of data made inert first (`output.text`),
so a title like `[/]` or `[link=x]` shows as written. Statuses are words (and a mark unless in
plain mode), never colour alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from mlops_path.cli import output
from mlops_path.cli.views import (
    MARKS,
    STYLES,
    WORDS,
    access_word,
    costs_something,
    counts_text,
    detail_rows,
    minutes_text,
)
from mlops_path.core.progress.record import Status
from mlops_path.core.words import duration

if TYPE_CHECKING:
    from mlops_path.cli.browse_data import View
    from mlops_path.core.learning.position import Step
    from mlops_path.core.progress.record import Entry

STATUS_WIDTH = max(len(f"{MARKS[s]} {WORDS[s]}") for s in Status)
HERE = ">"  # the step `next` shows; ASCII, so every terminal and screen reader has it


def status_text(status: Status, plain: bool) -> Text:
    word = WORDS[status] if plain else f"{MARKS[status]} {WORDS[status]}"
    return Text(word, style="" if plain else STYLES[status])


def row(step: Step, current: bool, plain: bool) -> Table:
    """One step of the list: where you are, status, title, then kind and time (wrapped under the
    title in a narrow terminal, never cut)."""
    r = step.resource
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(width=len(WORDS[Status.SKIPPED]) if plain else STATUS_WIDTH, no_wrap=True)
    grid.add_column(overflow="fold", ratio=1)
    what = output.text(r.title, style="bold" if current and not plain else "")
    extra = [r.kind, minutes_text(step, short=True)]
    if r.optional:
        extra.append("optional")
    if costs_something(step):
        extra.append(access_word(step))
    what.append_text(output.text(f"  ({', '.join(extra)})", style="" if plain else "dim"))
    grid.add_row(HERE if current else "", status_text(step.status, plain), what)
    return grid


def stage_heading(name: str) -> Text:
    return output.text(name, style="bold underline")


def header(view: View, plain: bool) -> Text:
    """The path, the progress over required steps and the minutes left: `progress`'s figures."""
    s = view.summary
    text = output.text(view.path_title, style="bold")
    text.append_text(output.text(f" ({view.path_id})"))
    text.append("\n")
    if not plain:
        text.append(output.bar(s.percent, 10, "█", "░") + " ", style="green")
    text.append(counts_text_line(view))
    return text


def counts_text_line(view: View) -> str:
    s = view.summary
    left = (
        "nothing left" if not s.minutes_left else f"about {duration(s.minutes_left, estimate=False)} left (estimates)"
    )
    return f"{counts_text(s)}; {left}"


def details(step: Step, entry: Entry | None, plain: bool) -> Table:
    """Everything about the selected step: what `show` prints, with the dates of your record."""
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True, style="" if plain else "bold cyan")
    body.add_column(overflow="fold", ratio=1)
    body.add_row(status_text(step.status, plain), output.text(step.resource.title, style="bold"))
    for label, value in detail_rows(step):
        body.add_row(label, output.text(value))
    if entry and entry.started_at:
        body.add_row("started", output.stamp(entry.started_at))
    if entry and entry.done_at and step.status is Status.DONE:
        body.add_row("done", output.stamp(entry.done_at))
    for note in entry.notes if entry else ():
        body.add_row("note", output.text(f"{output.stamp(note.at)}: {note.text}", newlines=True))
    return body


def message(lines: list[str], error: bool = False) -> Text:
    """What an action said, as the command would say it (already inert; made a Text, never markup)."""
    return output.text("\n".join(lines), style="bold red" if error else "", newlines=True)
