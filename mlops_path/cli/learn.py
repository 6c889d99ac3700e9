"""Commands that show the path: next, list, show, open, progress, topics, paths, use, plan."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from mlops_path.cli import list_views, messages, views
from mlops_path.cli.completion import complete_ids, complete_kinds, complete_paths, complete_statuses
from mlops_path.cli.shared import JsonOption, TopicOption, learner
from mlops_path.core.errors import UsageError
from mlops_path.core.learning.position import filter_steps, next_step, open_steps, shortest_open
from mlops_path.core.text import web_link


def start_screen() -> None:
    """What bare `mlops-path` shows: where you are and the three commands to use next."""
    state = learner().state()
    views.start_screen(state.path, next_step(state.steps), learner().summary())


def next_(
    topic: TopicOption = None,
    minutes: Annotated[
        int | None,
        typer.Option(min=1, metavar="MINUTES", help="Only a step that fits in this many minutes.", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show what to read or watch now.

    A started step comes first, else the first step not done or skipped.

    Example: mlops-path next --minutes 20
    """
    every_step = learner().steps()
    steps = filter_steps(every_step, topic=topic)
    step = next_step(steps, max_minutes=minutes)
    if step is None and not as_json:
        if minutes is not None:
            messages.nothing_fits(minutes, shortest_open(steps))
            return
        if topic is not None:
            messages.nothing_open_on_topic(topic, steps, open_steps(every_step))
            return
    views.show_next(step, as_json)


def list_(
    topic: TopicOption = None,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help="Only steps of this kind, e.g. talk.",
            autocompletion=complete_kinds,
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            metavar="STATUS",
            help="Only steps with this status: todo, in-progress, done or skipped.",
            autocompletion=complete_statuses,
            show_default=False,
        ),
    ] = None,
    long: Annotated[bool, typer.Option("--long", help="Every title whole, with kind and topics.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the path in order, with each step's status and where you are.

    One line a step in a terminal of 80 columns or more; --long gives kind and topics too.

    Example: mlops-path list --topic monitoring
    """
    steps = learner().steps()
    current = next_step(steps)
    list_views.step_list(filter_steps(steps, topic, kind, status), as_json, current.id if current else None, long)


def show(
    resource_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A resource id; the current step if left out.",
            autocompletion=complete_ids,
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show everything about one resource; with no id, the current step.

    What it is, why it is on the path, where to find it, its status and your notes.

    Example: mlops-path show ml-test-score
    """
    current = None
    if resource_id is None:
        current = learner().current_step()
        resource_id = current.id
    step, entry = learner().resource(resource_id)
    views.show(step, entry, as_json, current=current is not None, group_notes=learner().group_notes(step.id))


def open_(
    resource_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A resource id; the next step if left out.",
            autocompletion=complete_ids,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Open a resource's link in your browser.

    $BROWSER is honoured; the link is printed too, so it works without a browser.

    Example: mlops-path open
    """
    if resource_id is None:
        step = next_step(learner().steps())
        if step is None:
            raise UsageError("Every step is done; give an id to open one.")
        resource_id = step.id
    url = learner().resource(resource_id)[0].resource.url
    if web_link(url) is None:
        raise UsageError(f"The link of {resource_id} is not a web link, so it was not opened.")
    messages.opened(url, _open_in_browser(url))


def _open_in_browser(url: str) -> bool:
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def search(
    query: Annotated[
        list[str], typer.Argument(metavar="TEXT", help="Words to find (all of them must match).", show_default=False)
    ],
    as_json: JsonOption = False,
) -> None:
    """Find steps by their title, id, topics, authors, why and your notes.

    Every word must match; the best matches come first, each with the field that matched.

    Example: mlops-path search drift monitoring
    """
    list_views.search_results(" ".join(query), learner().search(" ".join(query)), as_json)


def week(as_json: JsonOption = False) -> None:
    """Summarise your last seven days: what you finished, the minutes, your notes, your streak.

    Example: mlops-path week
    """
    list_views.week(learner().week(), as_json)


def view(
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the page (default: view.html in the data folder).",
            show_default=False,
        ),
    ] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="Only write the page and print where it is.")] = False,
) -> None:
    """Write your path as a page to look at, print or share, and open it in your browser.

    One self-contained HTML file: the stages, each step a card with its status, where you are,
    your progress and pace. It loads nothing from anywhere and runs no script.

    Example: mlops-path view --no-open
    """
    file = learner().write_page(output_file)
    opened = False if no_open else _open_in_browser(file.resolve().as_uri())
    messages.page_written(file, opened)


def progress(as_json: JsonOption = False) -> None:
    """Show how far you are along the path.

    Overall, per stage and per topic, with minutes done and left. The percentage counts
    required steps only: optional steps are shown on their own, and skipped steps leave the count.

    Example: mlops-path progress
    """
    views.summary(learner().summary(), as_json)


def topics(as_json: JsonOption = False) -> None:
    """List the topics, with their step and done counts.

    Example: mlops-path topics
    """
    from mlops_path.core.learning.summary import topic_tallies

    views.topics(topic_tallies(learner().steps()), as_json)


def paths(as_json: JsonOption = False) -> None:
    """List every path from every catalog, with your progress on each.

    Example: mlops-path paths
    """
    views.paths(learner().paths(), as_json)


def use(
    path_id: Annotated[
        str,
        typer.Argument(
            metavar="PATH",
            help="A path id (see `mlops-path paths`).",
            autocompletion=complete_paths,
            show_default=False,
        ),
    ],
) -> None:
    """Make a path the default for every command.

    Remembered in the progress file; `--path ID` still picks another for one command.

    Example: mlops-path use mlops
    """
    messages.using(learner().use(path_id))


def plan(
    hours_per_week: Annotated[
        float,
        typer.Option(
            "--hours-per-week",
            min=0.1,
            max=168,
            metavar="HOURS",
            help="How many hours a week you can give.",
            show_default=False,
        ),
    ],
    start: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="The first day of week 1 (default: today).", show_default=False),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Also write the plan as an iCalendar file, one event a week.", show_default=False
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Keep this plan: `progress` then says whether you are on track.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Lay the remaining steps of the path over weeks.

    Steps stay in path order; each week stays within your hours unless one step alone is longer.

    Example: mlops-path plan --hours-per-week 3
    """
    if not math.isfinite(hours_per_week):  # click's range check lets nan through
        raise UsageError(f"--hours-per-week wants a number of hours from 0.1 to 168, not {hours_per_week}.")
    from mlops_path.core.progress.record import now
    from mlops_path.core.words import today

    this_day = today(now())  # the learner's calendar day, not the UTC one
    first_day = _parse_date(start) if start else this_day
    if (this_day - first_day).days >= 7:  # no date arithmetic that could overflow (9999-12-31)
        # Refused rather than moved to this week: a date weeks back is most often a typo (a month or
        # a year), and moving it would save and export a plan for dates the learner never asked for.
        over = (this_day - first_day).days // 7
        raise UsageError(
            f"--start {first_day} is {over} week{'s' * (over != 1)} ago, so its week 1 is over; "
            f"give a day from {this_day - timedelta(days=6)} on, or leave --start out for today."
        )
    study_plan = learner().plan(round(hours_per_week * 60), first_day, ics, save)
    list_views.plan(study_plan, hours_per_week, as_json)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--start wants a date like 2026-12-01, not {text!r}.") from None
