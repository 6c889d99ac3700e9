"""The one vocabulary of every human view: the terminal, the page, the calendar, Markdown, CSV and
the interactive screen take their status words and marks, access labels, estimate marks,
durations, dates and times from here, so no two views can say the same thing two ways.

Times: human output shows the learner's own time (the system zone; `TZ` honoured) and names the
zone; days, weeks and "the last seven days" are the learner's calendar days. Machine output
(`--json`, exports, sync files) stays UTC ISO 8601 with `Z` (`progress.iso`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mlops_path.core.progress.record import Status

STATUS_WORD = {Status.TODO: "todo", Status.IN_PROGRESS: "started", Status.DONE: "done", Status.SKIPPED: "skipped"}
STATUS_MARK = {Status.TODO: "[ ]", Status.IN_PROGRESS: "[~]", Status.DONE: "[x]", Status.SKIPPED: "[-]"}
STATUS_ICON = {Status.TODO: "○", Status.IN_PROGRESS: "◐", Status.DONE: "✓", Status.SKIPPED: "⤼"}  # the page's grid

ACCESS = {
    "free": "free",
    "subscription": "needs a subscription",
    "paid": "paid",
    "free-registration": "free, with registration",
}
ESTIMATE_MARK = "≈"  # before a length nobody measured (most are estimates)


def duration(minutes: int, estimate: bool = True) -> str:
    """48 -> "≈48 min", 500 -> "≈8 h 20 min"; without the ≈ for a measured length (or a total
    the words around it already call an estimate)."""
    hours, rest = divmod(minutes, 60)
    text = f"{minutes} min" if hours == 0 else (f"{hours} h" + (f" {rest} min" if rest else ""))
    return (ESTIMATE_MARK if estimate else "") + text


def local(at: datetime) -> datetime:
    """`at` in the learner's own zone (the system's, `TZ` honoured), with that moment's offset:
    a daylight-saving change is followed."""
    return at.astimezone()


def zone(at: datetime) -> str:
    """The zone's name at that moment (JST, CET, UTC), else its offset (+0530)."""
    here = local(at)
    name = here.tzname() or ""
    return name if name and name[0] not in "+-" else here.strftime("%z")


def when(at: datetime) -> str:
    """A moment, as every human view shows it: "2026-12-06 14:39 JST"."""
    return f"{local(at):%Y-%m-%d %H:%M} {zone(at)}"


def day(at: datetime | date) -> str:
    """A day: "Sun 06 Dec" (a moment is taken on the learner's calendar)."""
    return f"{_date(at):%a %d %b}"


def full_day(at: datetime | date) -> str:
    """A day with its year: "Sun 06 Dec 2026"."""
    return f"{_date(at):%a %d %b %Y}"


def iso_day(at: datetime | date) -> str:
    """A day as "2026-12-06", on the learner's calendar."""
    return _date(at).isoformat()


def _date(at: datetime | date) -> date:
    return local(at).date() if isinstance(at, datetime) else at


def today(at: datetime) -> date:
    """The learner's calendar day at the moment `at`."""
    return local(at).date()


def start_of(day_: date) -> datetime:
    """The first moment of a calendar day in the learner's zone (its own offset, DST or not)."""
    return datetime.combine(day_, time()).astimezone()


def days_back(at: datetime, days: int) -> datetime:
    """The start of the calendar day `days - 1` days before the day of `at`: with `at`, the last
    `days` calendar days exactly (today included), whatever the zone or a DST change between."""
    return start_of(today(at) - timedelta(days=days - 1))
