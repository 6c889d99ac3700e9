"""How steps, progress and plans look: a panel or table in a terminal, stable lines when piped,
the documented JSON with --json."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mlops_path.cli import output
from mlops_path.core.progress import Status, iso

if TYPE_CHECKING:
    from mlops_path.core.api import Health, PathOverview, StudyPlan
    from mlops_path.core.catalog import LearningPath
    from mlops_path.core.links import LinkResult
    from mlops_path.core.path import Step
    from mlops_path.core.progress import Change, Entry
    from mlops_path.core.search import Hit
    from mlops_path.core.summary import Summary, Tally
    from mlops_path.core.week import WeekSummary


MARKS = {Status.TODO: "[ ]", Status.IN_PROGRESS: "[~]", Status.DONE: "[x]", Status.SKIPPED: "[-]"}

STYLES = {Status.TODO: "", Status.IN_PROGRESS: "bold yellow", Status.DONE: "green", Status.SKIPPED: "dim"}


def describe(step: Step) -> str:
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
    return output.duration(r.minutes, estimate=not r.minutes_measured) + ("" if short or not r.minutes_note else f" ({r.minutes_note})")


def costs_something(step: Step) -> bool:
    return step.resource.access not in (None, "free")


def access_text(step: Step) -> str:
    r = step.resource
    return ACCESS[r.access] + (f" ({r.access_note})" if r.access_note else "")


ACCESS = {"free": "free", "subscription": "needs a subscription", "paid": "paid", "free-registration": "free, with registration"}
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
        ("what", describe(step)),
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
    """A panel of the details; the link is printed below it, on a line of its own that the
    terminal wraps (never a box border inside it: it copies whole), as a hyperlink where the
    terminal supports them."""
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
    if footer:
        body.add_row("")
        body.add_row(output.text(footer, style="green"))
    out = output.console()
    out.print(Panel(body, title=output.text(title), title_align="left", border_style="cyan", width=min(out.width, output.PANEL_WIDTH)))
    for url in links:
        line = output.text("Link: ", style="bold cyan")
        line.append_text(output.text(url, style=Style(link=url) if url.startswith(("https://", "http://")) else ""))
        out.print(line, soft_wrap=True)


def _plain_details(heading: str, rows: list[tuple[str, str]], footer: str | None) -> None:
    width = max(len(label) for label, _ in rows) + 1
    out = [heading] + [f"  {label + ':':<{width}} {value}" for label, value in rows]
    if footer:
        out.append(footer)
    output.lines(out)


def start_screen(path: LearningPath, step: Step | None, s: Summary) -> None:
    where = (f"Now: step {step.position} of {step.total}, {step.resource.title} ({step.id}), {minutes_text(step, short=True)}."
             if step else "You have finished every step of this path.")  # fmt: skip
    output.say([f"mlops-path: learning MLOps with {path.title!r}.", where, counts_text(s), ""])
    output.pairs([("mlops-path next", "what to read or watch now, why, and where"),
                  ("mlops-path done", "mark the current step done"),
                  ("mlops-path list", "the whole path, and where you are on it")])  # fmt: skip
    output.say(["", "Every command: mlops-path help"])


def next_step(step: Step | None, as_json: bool) -> None:
    if as_json:
        output.print_json(step.to_json() if step else None)
        return
    if step is None:
        output.say(["You have finished every step of this path. Well done!"])
        return
    footer = f"Done? mlops-path done {step.id}"
    if output.use_rich():
        _detail_panel("Next", step.resource.title, detail_rows(step), footer)
    else:
        _plain_details(f"Next: {step.resource.title}", detail_rows(step), footer)


def show(step: Step, entry: Entry | None, as_json: bool) -> None:
    notes = entry.notes if entry else []
    if as_json:
        output.print_json(
            step.to_json()
            | {
                "done_at": iso(entry.done_at) if entry else None,
                "notes": [{"at": iso(n.at), "text": n.text} for n in notes],
            }
        )
        return
    status = step.status.value + (f" on {output.stamp(entry.done_at)}" if entry and entry.done_at else "")
    rows = detail_rows(step) + [("status", status)]
    rows += [("note", f"{output.stamp(n.at)}: {n.text}") for n in notes]
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
                "last_finished": {"id": s.last_finished[0].id, "at": iso(s.last_finished[1])} if s.last_finished else None,
                "pace_minutes_per_week": round(s.pace, 1),
                "forecast": s.forecast.isoformat() if s.forecast else None,
                "on_track": None if s.behind_plan is None else s.behind_plan[0] == 0,
                "behind_steps": None if s.behind_plan is None else s.behind_plan[0],
                "orphans": s.orphans,
                "stages": [
                    {"stage": t.name, "steps": t.total, "done": t.done, "optional": t.optional, "optional_done": t.optional_done}
                    for t in s.stages
                ],
                "topics": [
                    {"topic": t.name, "steps": t.total, "done": t.done, "optional": t.optional, "optional_done": t.optional_done}
                    for t in s.topics
                ],
            }  # fmt: skip
        )
        return
    head = [counts_text(s),
            f"Time: {output.duration(s.minutes_done)} done, about {output.duration(s.minutes_left, estimate=False)} left"
            + (f" (+{output.duration(s.optional_minutes_left, estimate=False)} optional)" if s.optional_minutes_left else "")
            + " (estimates)"]  # fmt: skip
    head.append(pace_text(s))
    if s.behind_plan is not None:
        late, minutes = s.behind_plan
        head.append("On track with your saved plan." if not late else
                    f"Behind your saved plan by {late} step{'s' * (late != 1)} ({output.duration(minutes)}).")  # fmt: skip
    head += [f"In progress: {step.id} ({step.resource.title})" for step in s.in_progress]
    if s.last_finished:
        head.append(f"Last finished: {s.last_finished[0].id} on {output.stamp(s.last_finished[1])}")
    if s.orphans:
        head.append(
            f"Kept: {s.orphans} record{'s' * (s.orphans != 1)} for resources no catalog defines now (they come back if the catalog does)."
        )
    tallies = [("Stages", s.stages), ("Topics", s.topics)]
    if not output.use_rich():
        bar_line = [] if output.plain_mode() else [f"[{output.bar(s.percent, 30)}] {s.percent}%"]
        out = [*bar_line, *head]
        for title, group in tallies:
            out += ["", f"{title} (required steps done):"] + [f"  {t.done}/{t.total}  {t.name}{_optional_tail(t)}" for t in group]
        output.lines(out)
        return
    from rich.table import Table

    out = output.console()
    progress_bar = output.text(output.bar(s.percent, max(10, min(40, out.width - 6)), "█", "░"), style="green")
    out.print(progress_bar.append(f" {s.percent}% of required steps", style="bold"))
    for line in head:
        out.print(output.text(line))
    for title, group in tallies:
        if not group:
            continue
        table = Table(box=None, pad_edge=False, show_header=False, title=f"{title} (required steps done)", title_justify="left",
                      title_style="bold magenta")  # fmt: skip
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for t in group:
            if not t.total:  # only optional steps: no bar that could read as "complete"
                table.add_row("–", "", output.text(t.name + _optional_tail(t)), style="dim")
                continue
            complete = t.done == t.total
            table.add_row(f"{t.done}/{t.total}", output.bar(100 * t.done // t.total, 8, "█", "░"),
                          output.text(t.name + _optional_tail(t)), style="green" if complete else "")  # fmt: skip
        out.print()
        out.print(table)


def pace_text(s: Summary) -> str:
    if not s.minutes_left:
        return "Pace: every required step is done."
    if not s.pace:
        return "Pace: nothing finished in the last four weeks, so no forecast yet."
    week = output.duration(round(s.pace), estimate=False)
    return f"Pace: {week} a week over the last four weeks; at that pace you finish around {s.forecast:%a %d %b %Y}."


def _optional_tail(t: Tally) -> str:
    return f" (+{t.optional_done}/{t.optional} optional)" if t.optional else ""


HERE = "<- you are here"
WORDS = {Status.TODO: "todo", Status.IN_PROGRESS: "started", Status.DONE: "done", Status.SKIPPED: "skipped"}


def step_list(steps: list[Step], as_json: bool, current: str | None = None, long: bool = False) -> None:
    """The path in order: compact (one line a step from 80 columns) unless `long`; the current
    step marked "you are here"; optional steps marked."""
    if as_json:
        output.print_json([step.to_json() for step in steps])
        return
    if not steps:
        output.say(["No steps match."])
        return
    if not output.use_rich():
        width = max(len(s.id) for s in steps)
        marks = WORDS if output.plain_mode() else MARKS
        mark_width = max(len(m) for m in marks.values())
        output.lines(
            f"{marks[s.status]:<{mark_width}} {s.position:>2}  {s.id:<{width}}  {s.resource.title}  "
            f"({s.resource.kind}, {minutes_text(s, short=True)}; {', '.join(s.resource.topics)}{'; optional' * s.resource.optional}"
            f"{'; ' + ACCESS[s.resource.access] if costs_something(s) else ''})" + (f"  {HERE}" if s.id == current else "")
            for s in steps
        )
        return
    _rich_step_list(steps, current, long)


WIDE = 140  # from this many columns, --long gives kind and topics columns of their own
COMPACT = 80  # from this many columns, the compact list is one line a step
LIST_WIDTH = 120  # wider, the minutes would drift away from their titles


def _stage_groups(steps: list[Step]) -> list[tuple[str | None, list[Step]]]:
    groups: list[tuple[str | None, list[Step]]] = []
    for s in steps:
        if not groups or groups[-1][0] != s.stage:
            groups.append((s.stage, []))
        groups[-1][1].append(s)
    return groups


def _rich_step_list(steps: list[Step], current: str | None, long: bool) -> None:
    """One table per stage, with a heading line; columns that fit the terminal's width. Ids are
    never broken: they sit in columns of their own width, or on a line of their own."""
    from rich.table import Table

    out = output.console()
    wide, one_line = long and out.width >= WIDE, not long and out.width >= COMPACT
    id_width = max(len(s.id) for s in steps)
    position_width = len(str(steps[-1].total))
    kind_width = max(len(s.resource.kind) for s in steps)
    minutes_width = max(len(minutes_text(s, short=True)) for s in steps)
    paid = any(costs_something(s) for s in steps)

    def new_table() -> Table:
        width = out.width if wide or not one_line else min(out.width, LIST_WIDTH)
        table = Table(box=None, pad_edge=False, show_header=False, expand=True, width=width)
        if wide or one_line:
            table.add_column(no_wrap=True, width=1)  # the "you are here" arrow (narrow: words after the title)
        table.add_column(no_wrap=True, width=3)
        table.add_column(justify="right", no_wrap=True, width=position_width)
        if wide or one_line:
            table.add_column(style="cyan", no_wrap=True, width=id_width)
        table.add_column(ratio=2, overflow="ellipsis" if one_line else "fold", no_wrap=one_line)
        if wide:
            table.add_column(no_wrap=True, style="dim", width=kind_width)
        if wide or one_line:
            table.add_column(justify="right", no_wrap=True, width=minutes_width)
            if paid:
                table.add_column(no_wrap=True, width=1, style="yellow")  # PAID_MARK
        if wide:
            table.add_column(ratio=1, style="dim", overflow="fold")
        return table

    groups = _stage_groups(steps)
    for number, (stage, members) in enumerate(groups):
        if stage:
            out.print(output.text(stage, style="bold magenta"), soft_wrap=False, overflow="fold")
        table = new_table()
        for s in members:
            r, mark = s.resource, output.text(MARKS[s.status], style=STYLES[s.status])
            here = output.text("▶" if s.id == current else "", style="bold yellow")
            title = output.text(r.title, style="bold" if s.id == current else STYLES[s.status])
            if r.optional:  # in front, where a one-line title cut short cannot hide it
                title = output.text("(optional) ", style="dim").append_text(title)
            if s.id == current and not one_line:
                title.append_text(output.text(f" {HERE}", style="bold yellow"))
            time = minutes_text(s, short=True)
            cost = [PAID_MARK if costs_something(s) else ""] if paid else []
            if wide:
                table.add_row(here, mark, str(s.position), s.id, title, r.kind, time, *cost, ", ".join(r.topics))
            elif one_line:
                table.add_row(here, mark, str(s.position), s.id, title, time, *cost)
            else:  # two lines: the title wraps, the id line never does (an id is never broken)
                from rich.console import Group

                id_line = output.text(f"{s.id} · {time}" + (f" · {PAID_MARK}" if costs_something(s) else ""), style="dim")
                id_line.no_wrap, id_line.overflow = True, "ellipsis"
                table.add_row(mark, str(s.position), Group(title, id_line))
        out.print(table)
        if number < len(groups) - 1:
            out.print()
    if paid:
        out.print()
        out.print(output.text(f"{PAID_MARK} needs a subscription or payment; `mlops-path show ID` says how to get it.", style="dim"))


def search_results(query: str, hits: list[Hit], as_json: bool) -> None:
    if as_json:
        output.print_json([{"id": h.step.id, "title": h.step.resource.title, "status": h.step.status.value,
                            "position": h.step.position, "score": h.score,
                            "matches": [{"field": m.field, "text": m.text} for m in h.matches]} for h in hits])  # fmt: skip
        return
    if not hits:
        output.say([f"Nothing on this path matches {query!r}."])
        return
    head = f"{len(hits)} step{'s match' if len(hits) != 1 else ' matches'} {query!r}, best first:"
    if not output.use_rich():
        out = [head]
        for h in hits:
            out += ["", f"{WORDS[h.step.status]:<7} {h.step.position:>2}  {h.step.id}  {h.step.resource.title}"]
            out += [f"          {m.field}: {m.text}" for m in h.matches if m.field not in ("title", "id")]
        output.lines(out)
        return
    from rich.console import Group
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for h in hits:
        found = [output.text(f"{m.field}: {m.text}", style="dim") for m in h.matches if m.field not in ("title", "id")]
        grid.add_row(output.text(MARKS[h.step.status], style=STYLES[h.step.status]),
                     Group(output.text(h.step.id, style="cyan"), output.text(h.step.resource.title, style="bold"), *found, ""))  # fmt: skip
    out = output.console()
    out.print(output.text(head))
    out.print(grid)


def week(w: WeekSummary, as_json: bool) -> None:
    if as_json:
        output.print_json({"start": iso(w.start), "end": iso(w.end), "minutes": w.minutes, "streak_weeks": w.streak,
                           "finished": [{"id": s.id, "at": iso(at)} for s, at in w.finished],
                           "notes": [{"id": rid, "at": iso(n.at), "text": n.text} for rid, n in w.notes]})  # fmt: skip
        return
    head = f"The last seven days ({w.start:%a %d %b} to {w.end:%a %d %b}):"
    if not w.finished and not w.notes:
        out = [head, "Nothing finished and no notes."]
    else:
        out = [head, f"Finished {len(w.finished)} step{'s' * (len(w.finished) != 1)}, {output.duration(w.minutes)}."]
        out += [f"  {at:%a %d %b}  {s.id}  {s.resource.title}" for s, at in w.finished]
        if w.notes:
            out += [f"Notes: {len(w.notes)}"] + [f"  {n.at:%a %d %b}  {rid}: {n.text}" for rid, n in w.notes]
    out.append(f"Weeks in a row with some study: {w.streak}." if w.streak else "No study recorded this week yet: `mlops-path next`.")
    output.say(out)


def topics(counts: list[tuple[str, int, int]], as_json: bool) -> None:
    if as_json:
        output.print_json([{"topic": t, "steps": n, "done": d} for t, n, d in counts])
        return
    if not output.use_rich():
        width = max(len(t) for t, _, _ in counts)
        output.lines(f"{t:<{width}}  {d}/{n} done" for t, n, d in counts)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("topic", style="cyan")
    table.add_column("steps", justify="right")
    table.add_column("done", justify="right")
    for t, n, d in counts:
        table.add_row(t, str(n), str(d), style="green" if d == n else "")
    output.console().print(table)


def history(changes: list[Change], as_json: bool) -> None:
    newest_first = list(reversed(changes))
    if as_json:
        output.print_json(
            [
                {
                    "at": iso(c.at),
                    "action": c.action,
                    "ids": c.ids,
                    "undone_at": iso(c.undone_at),
                }  # fmt: skip
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
            + (f"  (undone {output.stamp(c.undone_at)})" if c.undone_at else "")
            for c in newest_first
        )
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("when", no_wrap=True)
    table.add_column("change", style="cyan", no_wrap=True)
    table.add_column("ids", overflow="fold", ratio=1)
    for c in newest_first:
        ids = output.id_list(c.ids) + (f" (undone {output.stamp(c.undone_at)})" if c.undone_at else "")
        table.add_row(c.at.strftime("%Y-%m-%d %H:%M"), c.action, ids, style="dim" if c.undone_at else "")
    output.console().print(table)


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
                }  # fmt: skip
                for o in overviews
            ]
        )
        return
    if not output.use_rich():
        width = max(len(o.path.id) for o in overviews)
        output.lines(
            f"{'*' if o.current else ' '} {o.path.id:<{width}}  {o.summary.required_done:>3}/{o.summary.required:<3} required "
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
        table.add_row("*" if o.current else "", o.path.id, done, output.text(o.path.title), style="bold" if o.current else "")
    output.console().print(table)


def plan(study: StudyPlan, hours_per_week: float, as_json: bool) -> None:
    from mlops_path.core.plan import required_done_in

    finishing = required_done_in(study.weeks)
    if as_json:
        output.print_json({
            "path": study.path.id,
            "hours_per_week": hours_per_week,
            "required_done_week": finishing.number if finishing else None,
            "saved": study.saved,
            "weeks": [{"week": w.number, "start": w.start.isoformat(), "end": w.end.isoformat(), "minutes": w.minutes,
                       "steps": [s.id for s in w.steps], "optional": [s.id for s in w.steps if s.resource.optional]}
                      for w in study.weeks],
        })  # fmt: skip
        return
    if not study.weeks:
        output.say(["Nothing left to plan: every step of this path is done or skipped."])
        return
    head = f"{len(study.weeks)} week{'s' * (len(study.weeks) != 1)} at {hours_per_week:g} h a week for {study.path.title!r}:"
    tail = []
    if finishing and finishing is not study.weeks[-1]:
        tail.append(f"Week {finishing.number} finishes the required steps; the weeks after it hold optional ones.")
    elif finishing:
        tail.append(f"Week {finishing.number} finishes the required steps.")
    if study.saved:
        tail.append("Saved: `mlops-path progress` now says whether you are on track.")
    if study.ics:
        tail.append(f"Wrote {study.ics}: one calendar event a week.")

    def week_heading(w) -> str:
        return f"Week {w.number}, {w.start:%a %d %b} to {w.end:%a %d %b %Y}: {output.duration(w.minutes)}"

    def step_title(s: Step) -> str:
        return ("(optional) " if s.resource.optional else "") + s.resource.title

    if not output.use_rich():
        out = [head]
        for w in study.weeks:
            out += ["", week_heading(w)]
            out += [f"  {s.id}  {step_title(s)} ({minutes_text(s, short=True)})" for s in w.steps]
        output.lines(out + [""] + tail)
        return
    from rich.console import Group
    from rich.table import Table

    out = output.console()
    narrow = out.width < COMPACT
    out.print(output.text(head, style="bold"))
    for w in study.weeks:
        out.print()
        out.print(output.text(week_heading(w), style="magenta"))
        table = Table(box=None, pad_edge=False, show_header=False, expand=True, width=min(out.width, LIST_WIDTH))
        if narrow:  # two lines a step: the title wraps, the id line never does
            table.add_column(overflow="fold")
            for s in w.steps:
                id_line = output.text(f"{s.id} · {minutes_text(s, short=True)}", style="cyan")
                id_line.no_wrap, id_line.overflow = True, "ellipsis"
                table.add_row(Group(output.text(step_title(s)), id_line))
        else:
            table.add_column(style="cyan", no_wrap=True)
            table.add_column(overflow="fold", ratio=1)
            table.add_column(justify="right", no_wrap=True)
            for s in w.steps:
                table.add_row(s.id, output.text(step_title(s)), minutes_text(s, short=True))
        out.print(table)
    out.print()
    output.say(tail)


@contextmanager
def link_progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while links are checked, when a person is watching."""
    import sys

    if not enabled or not sys.stderr.isatty() or output.plain_mode():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Checking links"), BarColumn(), MofNCompleteColumn(), console=output.console(stderr=True),
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task("links", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


LINK_ORDER = {"broken": 0, "unreachable": 1, "changed": 2, "rate-limited": 3, "redirected": 4, "ok": 5}


def link_report(results: list[LinkResult], as_json: bool) -> None:
    if as_json:
        output.print_json([r.to_json() for r in results])
        return
    ordered = sorted(results, key=lambda r: LINK_ORDER[r.status])
    rows = [[r.status, r.id, str(r.code or ""), r.url + (f"  ({r.detail})" if r.detail else "")] for r in ordered]
    if rows:
        output.lines(output.columns(rows))
    counts = {status: sum(r.status == status for r in results) for status in LINK_ORDER}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    output.say(["", f"{len(results)} link{'s' * (len(results) != 1)}: {summary or 'none'}."])


def check_report(files: list, problems: list) -> None:
    if not problems:
        output.say([f"{f}: ok" for f in files])
        return
    output.lines(str(p) for p in problems)
    sources = {p.source for p in problems}
    output.say([f"{len(problems)} problem{'s' * (len(problems) != 1)} in {len(sources)} file{'s' * (len(sources) != 1)}."])
