"""The path as lists: the steps in order (compact or long), the study plan, search results and
the week. A table in a terminal, stable lines when piped, the documented JSON with --json."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_path.cli import output
from mlops_path.cli.views import MARKS, PAID_MARK, STYLES, WORDS, access_word, costs_something, minutes_text, say_whole
from mlops_path.core.progress.record import iso
from mlops_path.core.words import day, duration, zone

if TYPE_CHECKING:
    from mlops_path.core.api import StudyPlan
    from mlops_path.core.learning.activity import WeekSummary
    from mlops_path.core.learning.plan import Week
    from mlops_path.core.learning.position import Step
    from mlops_path.core.learning.search import Hit


HERE = "<- you are here"


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
            f"({s.resource.kind}, {minutes_text(s, short=True)}; "
            f"{', '.join(s.resource.topics)}{'; optional' * s.resource.optional}"
            f"{'; ' + access_word(s) if costs_something(s) else ''})" + (f"  {HERE}" if s.id == current else "")
            for s in steps
        )
        return
    _rich_step_list(steps, current, long)


WIDE = 140  # from this many columns, --long gives kind and topics columns of their own
COMPACT = 80  # from this many columns, the compact list is one line a step
LIST_WIDTH = 120  # wider, the plan's minutes would drift away from their titles
GAP = 2  # between two columns of a list


def _stage_groups(steps: list[Step]) -> list[tuple[str | None, list[Step]]]:
    groups: list[tuple[str | None, list[Step]]] = []
    for s in steps:
        if not groups or groups[-1][0] != s.stage:
            groups.append((s.stage, []))
        groups[-1][1].append(s)
    return groups


def _title(s: Step) -> str:
    return ("(optional) " if s.resource.optional else "") + s.resource.title


class _Columns:
    """The compact list's column widths, measured from the steps they hold: the id and minutes
    columns as wide as their widest cell, the title column as wide as the longest title or as the
    rest of the line, whichever is less."""

    def __init__(self, steps: list[Step], width: int, wide: bool) -> None:
        self.id = max(len(s.id) for s in steps)
        self.position = len(str(steps[-1].total))
        self.kind = max(len(s.resource.kind) for s in steps)
        self.minutes = max(len(minutes_text(s, short=True)) for s in steps)
        self.paid = any(costs_something(s) for s in steps)
        self.wanted = max(len(_title(s)) for s in steps)
        fixed = [1, 3, self.position, self.id, self.minutes] + [1] * self.paid + [self.kind] * wide
        self.fixed = sum(fixed) + GAP * len(fixed)  # every fixed column and its gap to the next
        self.title = max(10, min(self.wanted, width - self.fixed)) if not wide else None

    def fits(self) -> bool:
        return self.title is None or self.title >= self.wanted


def _rich_step_list(steps: list[Step], current: str | None, long: bool) -> None:
    """One table per stage, with a heading line. Ids are never broken: they sit in columns of their
    own width, or on a line of their own. One line a step from 80 columns, each column as wide as
    what it holds, so that titles get the width there is (each stage measured on its own when one
    column for the whole list would cut titles); --long gives kind and topics, as columns from 140
    columns, else on a line of their own."""
    from rich.console import Group
    from rich.table import Table

    out = output.console()
    wide, one_line = long and out.width >= WIDE, not long and out.width >= COMPACT
    groups = _stage_groups(steps)
    whole = _Columns(steps, out.width, wide)
    paid = whole.paid

    def new_table(c: _Columns) -> Table:
        table = Table(
            box=None,
            pad_edge=False,
            show_header=False,
            expand=wide,
            width=out.width if wide else None,
            padding=(0, GAP // 2),
        )
        if wide or one_line:
            table.add_column(no_wrap=True, width=1)  # the "you are here" arrow (narrow: words after the title)
        table.add_column(no_wrap=True, width=3)
        table.add_column(justify="right", no_wrap=True, width=c.position)
        if wide or one_line:
            table.add_column(style="cyan", no_wrap=True, width=c.id)
        if one_line:
            table.add_column(overflow="ellipsis", no_wrap=True, width=c.title)
        else:
            table.add_column(ratio=2, overflow="fold")
        if wide:
            table.add_column(no_wrap=True, style="dim", width=c.kind)
        if wide or one_line:
            table.add_column(justify="right", no_wrap=True, width=c.minutes)
            if c.paid:
                table.add_column(no_wrap=True, width=1, style="yellow")  # PAID_MARK
        if wide:
            table.add_column(ratio=1, style="dim", overflow="fold")
        return table

    for number, (stage, members) in enumerate(groups):
        if stage:
            out.print(output.text(stage, style="bold magenta"), soft_wrap=False, overflow="fold")
        columns = whole if whole.fits() else _Columns(members, out.width, wide)
        table = new_table(columns)
        for s in members:
            r, mark = s.resource, output.text(MARKS[s.status], style=STYLES[s.status])
            here = output.text("▶" if s.id == current else "", style="bold yellow")
            title = output.text(r.title, style="bold" if s.id == current else STYLES[s.status])
            if r.optional:  # in front, where a one-line title cut short cannot hide it
                title = output.text("(optional) ", style="dim").append_text(title)
            if s.id == current and not one_line:
                title.append_text(output.text(f" {HERE}", style="bold yellow"))
            time = minutes_text(s, short=True)
            cost = [PAID_MARK if costs_something(s) else ""] if columns.paid else []
            if wide:
                table.add_row(here, mark, str(s.position), s.id, title, r.kind, time, *cost, ", ".join(r.topics))
            elif one_line:
                table.add_row(here, mark, str(s.position), s.id, title, time, *cost)
            else:  # two lines: the title wraps, the id line never does (an id is never broken)
                id_line = output.text(
                    f"{s.id} · {time}" + (f" · {PAID_MARK}" if costs_something(s) else ""), style="dim"
                )
                id_line.no_wrap, id_line.overflow = True, "ellipsis"
                lines = [title, id_line]
                if long:  # and a third: what it is and its topics, wrapped at spaces
                    lines.append(output.text(f"{r.kind}; {', '.join(r.topics)}", style="dim"))
                table.add_row(mark, str(s.position), Group(*lines))
        out.print(table)
        if number < len(groups) - 1:
            out.print()
    if paid:
        out.print()
        say_whole([f"{PAID_MARK} needs a subscription or payment; `mlops-path show ID` says how to get it."])


def search_results(query: str, hits: list[Hit], as_json: bool) -> None:
    if as_json:
        output.print_json(
            [
                {
                    "id": h.step.id,
                    "title": h.step.resource.title,
                    "status": h.step.status.value,
                    "position": h.step.position,
                    "score": h.score,
                    "matches": [{"field": m.field, "text": m.text} for m in h.matches],
                }
                for h in hits
            ]
        )
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
        grid.add_row(
            output.text(MARKS[h.step.status], style=STYLES[h.step.status]),
            Group(output.text(h.step.id, style="cyan"), output.text(h.step.resource.title, style="bold"), *found, ""),
        )
    out = output.console()
    out.print(output.text(head))
    out.print(grid)


def week(w: WeekSummary, as_json: bool) -> None:
    if as_json:
        output.print_json(
            {
                "start": iso(w.start),
                "end": iso(w.end),
                "minutes": w.minutes,
                "streak_weeks": w.streak,
                "finished": [{"id": s.id, "at": iso(at)} for s, at in w.finished],
                "notes": [{"id": rid, "at": iso(n.at), "text": n.text} for rid, n in w.notes],
            }
        )
        return
    output.say([f"The last seven days ({day(w.start)} to {day(w.end)}, {zone(w.end)}):"])
    if not w.finished and not w.notes:
        output.say(["Nothing finished and no notes."])
    if w.finished:
        output.say([f"Finished {len(w.finished)} step{'s' * (len(w.finished) != 1)}, {duration(w.minutes)}."])
        output.pairs([(day(at), f"{s.id}  {s.resource.title}") for s, at in w.finished])
    if w.notes:
        output.say([f"Notes: {len(w.notes)}"])
        output.pairs([(day(n.at), f"{rid}: {n.text}") for rid, n in w.notes])
    say_whole(
        [
            f"Weeks in a row with some study: {w.streak}."
            if w.streak
            else "No study recorded this week yet: `mlops-path next`."
        ]
    )


def plan(study: StudyPlan, hours_per_week: float, as_json: bool) -> None:
    from mlops_path.core.learning.plan import required_done_in

    finishing = required_done_in(study.weeks)
    if as_json:
        output.print_json(
            {
                "path": study.path.id,
                "hours_per_week": hours_per_week,
                "required_done_week": finishing.number if finishing else None,
                "saved": study.saved,
                "weeks": [
                    {
                        "week": w.number,
                        "start": w.start.isoformat(),
                        "end": w.end.isoformat(),
                        "minutes": w.minutes,
                        "steps": [s.id for s in w.steps],
                        "optional": [s.id for s in w.steps if s.resource.optional],
                    }
                    for w in study.weeks
                ],
            }
        )
        return
    if not study.weeks:
        output.say(["Nothing left to plan: every step of this path is done or skipped."])
        return
    head = (
        f"{len(study.weeks)} week{'s' * (len(study.weeks) != 1)} at {hours_per_week:g} h a week for "
        f"{study.path.title!r}:"
    )
    tail = []
    if finishing and finishing is not study.weeks[-1]:
        tail.append(f"Week {finishing.number} finishes the required steps; the weeks after it hold optional ones.")
    elif finishing:
        tail.append(f"Week {finishing.number} finishes the required steps.")
    if study.saved:
        tail.append("Saved: `mlops-path progress` now says whether you are on track.")
    if study.ics:
        tail.append(f"Wrote {study.ics}: one calendar event a week.")

    def week_heading(w: Week) -> str:
        return f"Week {w.number}, {w.start:%a %d %b} to {w.end:%a %d %b %Y}: {duration(w.minutes)}"

    def step_title(s: Step) -> str:
        return ("(optional) " if s.resource.optional else "") + s.resource.title

    if not output.use_rich():
        out = [head]
        for w in study.weeks:
            out += ["", week_heading(w)]
            out += [f"  {s.id}  {step_title(s)} ({minutes_text(s, short=True)})" for s in w.steps]
        output.lines([*out, "", *tail])
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
    say_whole(tail)
