"""A study plan: the remaining steps laid over weeks, and the same plan as an iCalendar file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from mlops_path.core.learning.position import Step, open_steps
from mlops_path.core.progress.record import OPEN
from mlops_path.core.text import inert
from mlops_path.core.words import duration


class Week(NamedTuple):
    number: int
    start: date
    steps: list[Step]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def minutes(self) -> int:
        return sum(s.resource.minutes for s in self.steps)


def plan_weeks(steps: list[Step], minutes_per_week: int, start: date) -> list[Week]:
    """Open steps in path order, the required ones first and the optional ones after them,
    filling each week up to the budget; a step bigger than the budget gets a week of its own
    (it is never split)."""
    weeks: list[list[Step]] = []
    used = minutes_per_week + 1  # start a new week at once
    ordered = sorted(open_steps(steps), key=lambda s: s.resource.optional)  # stable: path order within each
    for step in ordered:
        if used + step.resource.minutes > minutes_per_week and (not weeks or weeks[-1]):
            weeks.append([])
            used = 0
        weeks[-1].append(step)
        used += step.resource.minutes
    return [Week(n, start + timedelta(weeks=n - 1), members) for n, members in enumerate(weeks, start=1)]


def required_done_in(weeks: list[Week]) -> Week | None:
    """The week that finishes the last required step (None: no required step left)."""
    return next((w for w in reversed(weeks) if any(not s.resource.optional for s in w.steps)), None)


def behind(saved: dict[str, Any], steps: list[Step], today: date) -> tuple[int, int]:
    """Against a saved plan: how many steps planned for weeks that ended before `today` are still
    open, and their minutes."""
    status = {s.id: s for s in steps}
    late = [
        status[rid]
        for week in saved.get("weeks", [])
        if date.fromisoformat(week["end"]) < today
        for rid in week["steps"]
        if rid in status and status[rid].status in OPEN
    ]
    return len(late), sum(s.resource.minutes for s in late)


def ahead(saved: dict[str, Any], steps: list[Step], today: date) -> int:
    """Against a saved plan: how many steps planned for weeks that start after `today` are done."""
    status = {s.id: s for s in steps}
    return sum(
        1
        for week in saved.get("weeks", [])
        if date.fromisoformat(week["start"]) > today
        for rid in week["steps"]
        if rid in status and status[rid].status not in OPEN
    )


def to_saved(weeks: list[Week], path_id: str, hours_per_week: float) -> dict[str, Any]:
    """The plan as `plan --save` keeps it in the progress file."""
    saved = [{"start": w.start.isoformat(), "end": w.end.isoformat(), "steps": [s.id for s in w.steps]} for w in weeks]
    return {"path": path_id, "hours_per_week": hours_per_week, "weeks": saved}


def to_ics(weeks: list[Week], path_id: str, path_title: str, stamp: datetime, version: str) -> str:
    """RFC 5545: one all-day event per week, listing that week's steps with their links."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//mlops-path//mlops-path {version}//EN", "CALSCALE:GREGORIAN"]
    for week in weeks:
        description = "\n".join(
            f"{s.resource.title} ({duration(s.resource.minutes, not s.resource.minutes_measured)}, {s.id}): "
            f"{s.resource.url}"
            for s in week.steps
        )
        estimate = any(not s.resource.minutes_measured for s in week.steps)
        lines += [
            "BEGIN:VEVENT",
            f"UID:mlops-path-{path_id}-{weeks[0].start:%Y%m%d}-week-{week.number}@mlops-path",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{week.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{week.start + timedelta(days=7):%Y%m%d}",
            "SUMMARY:"
            + _ics_text(
                f"{path_title}, week {week.number}: {_steps(len(week.steps))}, {duration(week.minutes, estimate)}"
            ),
            "DESCRIPTION:" + _ics_text(description),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def _steps(count: int) -> str:
    return f"{count} step{'s' * (count != 1)}"


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11). A TEXT value may hold no control character but
    the newline it escapes: any other (a bare CR, ESC, ...) is made visible with `inert`, so no
    parser, however lenient, can read one as the end of a line and a new property."""
    value = inert(value.replace("\r\n", "\n"), newlines=True)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545, 3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)
