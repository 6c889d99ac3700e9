"""How a step, your progress and your paths look: a panel or table in a terminal, stable lines
when piped, the documented JSON with --json. The shared pieces (marks, times, counts) live here;
lists of steps are in `list_views`, the curator's reports in `curator_views`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlops_path.cli import output
from mlops_path.core.progress.record import Status, iso
from mlops_path.core.text import web_link
from mlops_path.core.words import ACCESS, STATUS_MARK, STATUS_WORD, duration, full_day

if TYPE_CHECKING:
    from rich.console import Console

    from mlops_path.core.api import Health, PathOverview
    from mlops_path.core.catalog.model import LearningPath
    from mlops_path.core.learning.position import Step
    from mlops_path.core.learning.summary import Summary, Tally
    from mlops_path.core.progress.record import Change, Entry, Note


WORDS = STATUS_WORD  # the one vocabulary (`core.words`), under the names the views use
MARKS = STATUS_MARK

STYLES = {Status.TODO: "", Status.IN_PROGRESS: "bold yellow", Status.DONE: "green", Status.SKIPPED: "dim"}


def what_it_is(step: Step) -> str:
    """What it is, in a phrase: kind, the work it belongs to, who made it and when."""
    r = step.resource
    parts = [r.kind]
    if r.part_of:
        parts.append(f"part of {r.part_of}")
    if r.authors:
        by = ", ".join(r.authors[:3]) + (" et al." if len(r.authors) > 3 else "")
        parts.append(f"by {by}" + (f" ({r.year})" if r.year else ""))
    elif r.year:
        parts.append(str(r.year))
    if r.optional:
        parts.append("optional")
    return ", ".join(parts)


def minutes_text(step: Step, short: bool = False) -> str:
    """A step's time: "≈48 min" (an estimate, as most are), with what it rests on unless `short`."""
    r = step.resource
    return duration(r.minutes, estimate=not r.minutes_measured) + (
        "" if short or not r.minutes_note else f" ({r.minutes_note})"
    )


def costs_something(step: Step) -> bool:
    return step.resource.access not in (None, "free")


def access_word(step: Step) -> str:
    """How a step that costs something is had ("paid", "needs a subscription"): asked only after
    `costs_something`."""
    access = step.resource.access
    if access is None:  # not stated, so free: ACCESS has no word for it
        raise KeyError(access)
    return ACCESS[access]


def access_text(step: Step) -> str:
    r = step.resource
    return access_word(step) + (f" ({r.access_note})" if r.access_note else "")


PAID_MARK = "$"  # in the compact list; a legend under it says what it means


def counts_text(s: Summary) -> str:
    """The one way counts are said: required steps and their percentage, optional and skipped apart."""
    text = f"{s.required_done} of {s.required} required steps done ({s.percent}%)"
    if s.optional_total:
        text += f"; optional: {s.optional_done} of {s.optional_total}"
    if s.skipped:
        text += f"; {s.skipped} skipped"
    return text


def where_text(step: Step) -> str:
    return f"step {step.position} of {step.total}" + (f", stage: {step.stage}" if step.stage else "")


def detail_rows(step: Step) -> list[tuple[str, str]]:
    r = step.resource
    rows = [
        ("id", r.id),
        ("what", what_it_is(step)),
        ("time", minutes_text(step)),
        ("link", r.url),
        ("topics", ", ".join(r.topics)),
    ]
    if costs_something(step):
        rows.insert(3, ("access", access_text(step)))
    if r.why:
        rows.append(("why", r.why))
    rows.append(("where", where_text(step)))
    return rows


def _detail_panel(title: str, heading: str, rows: list[tuple[str, str]], footer: str | None) -> None:
    """A panel of the details; the command to run next (the footer) and the link are printed below
    it, each on lines of their own (never a box border beside them: they copy whole), the link as a
    hyperlink where the terminal supports them."""
    from rich.panel import Panel
    from rich.style import Style
    from rich.table import Table

    links = [value for label, value in rows if label == "link"]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        if label != "link":
            grid.add_row(label, output.text(value, newlines=True))
    body = Table.grid()
    body.add_row(output.text(heading, style="bold"))
    body.add_row("")
    body.add_row(grid)
    out = output.console()
    out.print(
        Panel(
            body,
            title=output.text(title),
            title_align="left",
            border_style="cyan",
            width=min(out.width, output.PANEL_WIDTH),
        )
    )
    if footer:
        _command_line(out, footer)
    for url in links:
        line = output.text("Link: ", style="bold cyan")
        line.append_text(output.text(url, style=Style(link=url) if web_link(url) else ""))
        out.print(line, soft_wrap=True)


def _command_line(out: Console, line: str) -> None:
    """A sentence that ends in a command ("Done? mlops-path done ID"): on one line if it fits, else
    the command on a line of its own; never wrapped by us, so the command is never split."""
    lead, found, command = line.partition("mlops-path ")
    if found and lead and len(line) > out.width:
        out.print(output.text(lead.rstrip(), style="green"), soft_wrap=True)
        line = found + command
    out.print(output.text(line, style="green"), soft_wrap=True)


def say_whole(sentences: list[str]) -> None:
    """Sentences like `output.say`, but in a terminal a command in backticks is never broken across
    lines: each sentence is wrapped at spaces outside the backticks (a command too long for the
    line gets one of its own), then printed as it is."""
    if not output.use_rich():
        output.say(sentences)
        return
    from mlops_path.cli.help_layout import fill

    out = output.console()
    for sentence in sentences:
        out.print(output.text(fill(sentence, out.width) if sentence else "", newlines=True), soft_wrap=True)


def _plain_details(heading: str, rows: list[tuple[str, str]], footer: str | None) -> None:
    width = max(len(label) for label, _ in rows) + 1
    out = [heading] + [f"  {label + ':':<{width}} {value}" for label, value in rows]
    if footer:
        out.append(footer)
    output.lines(out)


def start_screen(path: LearningPath, step: Step | None, s: Summary) -> None:
    where = "You have finished every step of this path; `mlops-path paths` lists every path."
    if step:
        where = f"Now: step {step.position} of {step.total}, {step.resource.title} ({step.id}), "
        where += f"{minutes_text(step, short=True)}."
    output.say([f"mlops-path: learning MLOps with {path.title!r}."])
    say_whole([where])
    output.say([counts_text(s), ""])
    output.pairs(
        [
            ("mlops-path next", "what to read or watch now, why, and where"),
            ("mlops-path done", "mark the current step done"),
            ("mlops-path list", "the whole path, and where you are on it"),
        ]
    )
    output.say(["", "Every command: mlops-path help"])


def show_next(step: Step | None, as_json: bool) -> None:
    if as_json:
        output.print_json(step.to_json() if step else None)
        return
    if step is None:
        say_whole(["You have finished every step of this path. Well done!", EVERY_PATH])
        return
    footer = f"Done? mlops-path done {step.id}"
    if output.use_rich():
        _detail_panel("Next", step.resource.title, detail_rows(step), footer)
    else:
        _plain_details(f"Next: {step.resource.title}", detail_rows(step), footer)


def show(
    step: Step, entry: Entry | None, as_json: bool, current: bool = False, group_notes: Sequence[tuple[str, Note]] = ()
) -> None:
    """One step's details; `current`: no id was given, so say that this is the current step.
    `group_notes`: (learner, note) the study group shared on this step (with share-notes on)."""
    notes = entry.notes if entry else []
    if as_json:
        output.print_json(
            step.to_json()
            | {
                "done_at": iso(entry.done_at) if entry else None,
                "notes": [{"at": iso(n.at), "text": n.text} for n in notes],
                "group_notes": [{"learner": who, "at": iso(n.at), "text": n.text} for who, n in group_notes],
            }
        )
        return
    status = STATUS_WORD[step.status] + (f" on {output.stamp(entry.done_at)}" if entry and entry.done_at else "")
    rows = [*detail_rows(step), ("status", status)]
    rows += [("note", f"{output.stamp(n.at)}: {n.text}") for n in notes]
    rows += [("group", f"{who}, {output.stamp(n.at)}: {n.text}") for who, n in group_notes]
    if current:
        say_whole([f"The current step, {step.id} (what `mlops-path next` shows):"])
    if output.use_rich():
        _detail_panel(step.id, step.resource.title, rows, None)
    else:
        _plain_details(step.resource.title, rows, None)


def summary(s: Summary, as_json: bool) -> None:
    if as_json:
        output.print_json(
            {
                "done": s.done,
                "total": s.total,
                "percent": s.percent,
                "skipped": s.skipped,
                "required": s.required,
                "required_done": s.required_done,
                "optional": s.optional_total,
                "optional_done": s.optional_done,
                "minutes_done": s.minutes_done,
                "minutes_left": s.minutes_left,
                "optional_minutes_left": s.optional_minutes_left,
                "in_progress": [step.id for step in s.in_progress],
                "last_finished": {"id": s.last_finished[0].id, "at": iso(s.last_finished[1])}
                if s.last_finished
                else None,
                "pace_minutes_per_week": round(s.pace, 1),
                "forecast": s.forecast.isoformat() if s.forecast else None,
                "on_track": None if s.behind_plan is None else s.behind_plan[0] == 0,
                "behind_steps": None if s.behind_plan is None else s.behind_plan[0],
                "ahead_steps": None if s.behind_plan is None else s.ahead_of_plan,
                "pace_weeks": round(s.pace_weeks, 2),
                "orphans": s.orphans,
                "stages": [{"stage": t.name, **tally_json(t)} for t in s.stages],
                "topics": [{"topic": t.name, **tally_json(t)} for t in s.topics],
            }
        )
        return
    head = [
        counts_text(s),
        f"Time: {duration(s.minutes_done)} done, about {duration(s.minutes_left, estimate=False)} left"
        + (f" (+{duration(s.optional_minutes_left, estimate=False)} optional)" if s.optional_minutes_left else "")
        + " (estimates)",
    ]
    head[1:] = finished_text(s) if s.required_done == s.required else [head[1], pace_text(s)]
    if s.behind_plan is not None:
        head.append(plan_text(s, s.behind_plan))
    head += [f"In progress: {step.id} ({step.resource.title})" for step in s.in_progress]
    if s.last_finished:
        head.append(f"Last finished: {s.last_finished[0].id} on {output.stamp(s.last_finished[1])}")
    if s.orphans:
        head.append(
            f"Kept: {s.orphans} record{'s' * (s.orphans != 1)} for resources no catalog defines now (they come back "
            f"if the catalog does)."
        )
    tallies = [("Stages", s.stages), ("Topics", s.topics)]
    if not output.use_rich():
        bar_line = [] if output.plain_mode() else [f"[{output.bar(s.percent, 30)}] {s.percent}%"]
        out = [*bar_line, *head]
        for title, group in tallies:
            out += ["", f"{title} (required steps done):"] + [
                f"  {t.done}/{t.total}  {t.name}{_optional_tail(t)}" if t.total else f"  –  {t.name}: {tally_text(t)}"
                for t in group
            ]
        output.lines(out)
        return
    from rich.table import Table

    out = output.console()
    progress_bar = output.text(output.bar(s.percent, max(10, min(40, out.width - 6)), "█", "░"), style="green")
    out.print(progress_bar.append(f" {s.percent}% of required steps", style="bold"))
    for line in head:
        if "`" in line:  # a command we suggest: never broken across lines
            say_whole([line])
        else:
            out.print(output.text(line))
    for title, group in tallies:
        if not group:
            continue
        table = Table(
            box=None,
            pad_edge=False,
            show_header=False,
            title=f"{title} (required steps done)",
            title_justify="left",
            title_style="bold magenta",
        )
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for t in group:
            if not t.total:  # no required step to count: no bar that could read as "complete"
                table.add_row("–", "", output.text(f"{t.name}: {tally_text(t)}"), style="dim")
                continue
            complete = t.done == t.total
            table.add_row(
                f"{t.done}/{t.total}",
                output.bar(100 * t.done // t.total, 8, "█", "░"),
                output.text(t.name + _optional_tail(t)),
                style="green" if complete else "",
            )
        out.print()
        out.print(table)


EVERY_PATH = "Every path, with your progress on each: `mlops-path paths`."


def finished_text(s: Summary) -> list[str]:
    """What `progress` says once every required step is done: that the path is finished, what
    optional steps are left, and where the other paths are (not "about 0 min left")."""
    out = [
        f"Time: {duration(s.minutes_done)} done (estimates).",
        "You have finished this path: every required step is done.",
    ]
    if s.optional_minutes_left:
        left = duration(s.optional_minutes_left, estimate=False)
        out.append(f"Optional steps are left, about {left}: `mlops-path next` shows the first.")
    return [*out, EVERY_PATH]


def pace_text(s: Summary) -> str:
    """One statement of pace: with a saved plan, the plan says when you finish (`plan_text`), so
    the pace gives no second, maybe contradicting, date; with less than a week of history it
    gives none at all."""
    if not s.minutes_left:
        return "Pace: every required step is done."
    weeks = _weeks_text(s.pace_weeks)
    if not s.pace:
        return f"Pace: nothing finished in the last {weeks}, so no forecast yet."
    week = duration(round(s.pace), estimate=False)
    if s.behind_plan is not None:
        return f"Pace: {week} a week over the last {weeks}."
    if s.forecast is None:
        started = "today" if not s.days_active else f"{s.days_active} day{'s' * (s.days_active != 1)} ago"
        return f"Pace: {week} a week so far; too early to forecast (you started {started})."
    return f"Pace: {week} a week over the last {weeks}; at that pace you finish around {full_day(s.forecast)}."


def _weeks_text(weeks: float) -> str:
    whole = round(weeks)
    return "week" if whole <= 1 else f"{whole} weeks"


def plan_text(s: Summary, behind_plan: tuple[int, int]) -> str:
    """With a saved plan (`s.behind_plan`): one statement that reconciles it with what is done."""
    late, minutes = behind_plan
    if late:
        return f"Behind your saved plan by {late} step{'s' * (late != 1)} ({duration(minutes)})."
    if s.ahead_of_plan:
        return f"Ahead of your saved plan by {s.ahead_of_plan} step{'s' * (s.ahead_of_plan != 1)}."
    return "On track with your saved plan."


def _optional_tail(t: Tally) -> str:
    return f" (+{t.optional_done}/{t.optional} optional)" if t.optional else ""


def tally_text(t: Tally) -> str:
    """A group's count in the one vocabulary: "2/4 required (+0/1 optional)"; a group with no
    required step to count says what it has instead of "0/0"."""
    if t.total:
        return f"{t.done}/{t.total} required{_optional_tail(t)}"
    if t.optional:
        return f"optional only: {t.optional_done}/{t.optional}"
    return "nothing to count (skipped)"


def tally_json(t: Tally) -> dict[str, Any]:
    """`steps`/`done` are the required count, `percent` of it (null with none to count)."""
    percent = t.percent if t.total else None
    return {
        "steps": t.total,
        "done": t.done,
        "percent": percent,
        "optional": t.optional,
        "optional_done": t.optional_done,
    }


def topics(tallies: list[Tally], as_json: bool) -> None:
    if as_json:
        output.print_json([{"topic": t.name, **tally_json(t)} for t in tallies])
        return
    if not output.use_rich():
        width = max(len(t.name) for t in tallies)
        output.lines(f"{t.name:<{width}}  {tally_text(t)}" for t in tallies)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("topic", style="cyan")
    table.add_column("required steps done", overflow="fold")
    for t in tallies:
        table.add_row(t.name, tally_text(t), style="green" if t.total and t.done == t.total else "")
    output.console().print(table)


def history(changes: Sequence[Change], as_json: bool) -> None:
    newest_first = list(reversed(changes))
    if as_json:
        output.print_json(
            [
                {"at": iso(c.at), "action": c.action, "ids": c.ids, "undone_at": iso(c.undone_at), "source": c.source}
                for c in newest_first
            ]
        )
        return
    if not changes:
        output.say(["No changes yet."])
        return
    if not output.use_rich():
        output.lines(
            f"{output.stamp(c.at)}  {c.action:<11}  {output.id_list(c.ids)}"
            + (f"  (from {c.source})" if c.source else "")
            + (f"  (undone {output.stamp(c.undone_at)})" if c.undone_at else "")
            for c in newest_first
        )
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("when", no_wrap=True)
    table.add_column("change", style="cyan", no_wrap=True)
    table.add_column("ids", overflow="fold", ratio=1)
    rows = []
    for c in newest_first:
        ids = output.id_list(c.ids) + (f" (from {c.source})" if c.source else "")
        ids += f" (undone {output.stamp(c.undone_at)})" if c.undone_at else ""
        rows.append((output.stamp(c.at), c.action, ids, "dim" if c.undone_at else ""))
    out = output.console()
    if _ids_would_split(out.width, rows):
        _stacked_history(out, rows)
        return
    for when, action, ids, style in rows:
        table.add_row(when, action, ids, style=style)
    out.print(table)


def _ids_would_split(width: int, rows: list[tuple[str, str, str, str]]) -> bool:
    """Would the ids column be narrower than its longest word (an id), so that rich breaks it?"""
    fixed = max(len(when) for when, *_ in rows) + max(len("change"), *(len(action) for _, action, *_ in rows)) + 4
    return fixed + max(len(word) for *_, ids, _ in rows for word in ids.split()) > width


def _stacked_history(out: Console, rows: list[tuple[str, str, str, str]]) -> None:
    """A change a line, its ids below it (indented, wrapped at spaces): how history reads when the
    ids have no room for a column of their own."""
    from rich.padding import Padding

    for when, action, ids, style in rows:
        line = output.text(f"{when}  ", style=style)
        line.append_text(output.text(action, style=style or "cyan"))
        out.print(line)
        out.print(Padding(output.text(ids, style=style), (0, 0, 0, 2)), overflow="fold")


def health(h: Health) -> None:
    if h.problem:
        state = f"BROKEN: {h.problem}; `mlops-path doctor --repair` sets it aside"
    else:
        state = "ok" if h.exists else "none yet (nothing recorded)"
    backup = "none" if not h.backup.exists() else ("ok" if not h.backup_problem else f"unusable: {h.backup_problem}")
    output.say([f"Progress file: {h.file} ({state}).", f"Backup: {h.backup} ({backup})."])


def paths(overviews: list[PathOverview], as_json: bool) -> None:
    if as_json:
        output.print_json(
            [
                {
                    "id": o.path.id,
                    "title": o.path.title,
                    "steps": o.summary.total,
                    "done": o.summary.done,
                    "percent": o.summary.percent,
                    "required": o.summary.required,
                    "required_done": o.summary.required_done,
                    "current": o.current,
                    "source": o.source,
                }
                for o in overviews
            ]
        )
        return
    if not output.use_rich():
        width = max(len(o.path.id) for o in overviews)
        output.lines(
            f"{'*' if o.current else ' '} {o.path.id:<{width}}  "
            f"{o.summary.required_done:>3}/{o.summary.required:<3} required "
            f"{o.summary.percent:>3}%  {o.path.title}"
            for o in overviews
        )
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", expand=True)
    table.add_column("", no_wrap=True, width=1)
    table.add_column("path", style="cyan", no_wrap=True)
    table.add_column("required done", justify="right", no_wrap=True)
    table.add_column("title", ratio=1, overflow="fold")
    for o in overviews:
        done = f"{o.summary.required_done}/{o.summary.required} {o.summary.percent}%"
        table.add_row(
            "*" if o.current else "", o.path.id, done, output.text(o.path.title), style="bold" if o.current else ""
        )
    output.console().print(table)
