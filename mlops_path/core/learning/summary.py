"""How far the learner is: the figures behind `mlops-path progress`, and the one counting rule
every view uses (`progress`, `topics`, `paths`, stages, `cohort`, the page, every `--json`).

Required and optional steps are counted apart, the same way: a skipped step leaves its own count
(you chose not to do it), so skipping never lowers a figure; the percentage is of the required
count, and an `n/total` printed beside it shares its denominator. A group with no required step
left to count (only optional ones, or all skipped) has no percentage: views say so.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import NamedTuple

from mlops_path.core.learning.position import Step
from mlops_path.core.progress.record import OPEN, Progress, Status, now


class Tally(NamedTuple):
    """A stage's or a topic's count, in the one vocabulary: `total` and `done` count required
    steps (not optional, not skipped), like the percentage; optional steps are counted apart."""

    name: str
    total: int
    done: int
    optional: int = 0
    optional_done: int = 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.done) // self.total


def counts(step: Step) -> bool:
    """Does a step count towards the percentage? Required (not optional) and not skipped."""
    return not step.resource.optional and step.status is not Status.SKIPPED


def counts_optional(step: Step) -> bool:
    """Does a step count among the optional ones? Optional and not skipped."""
    return step.resource.optional and step.status is not Status.SKIPPED


def tally(name: str, members: list[Step]) -> Tally:
    required = [m for m in members if counts(m)]
    optional = [m for m in members if counts_optional(m)]
    required_done = sum(m.status is Status.DONE for m in required)
    return Tally(name, len(required), required_done, len(optional), sum(m.status is Status.DONE for m in optional))


def topic_tallies(steps: list[Step]) -> list[Tally]:
    """Each topic of `steps`, by name, counted by the one rule (one pass over the steps)."""
    members: dict[str, list[Step]] = {}
    for step in steps:
        for topic in step.resource.topics:
            members.setdefault(topic, []).append(step)
    return [tally(topic, members[topic]) for topic in sorted(members)]


class Summary(NamedTuple):
    total: int
    done: int
    skipped: int
    in_progress: list[Step]
    required: int  # steps that count: not optional, not skipped
    required_done: int
    optional_total: int
    optional_done: int
    minutes_done: int
    minutes_left: int  # open required steps
    optional_minutes_left: int
    stages: list[Tally]
    topics: list[Tally]
    last_finished: tuple[Step, datetime] | None
    orphans: int  # recorded ids that no catalog defines any more (kept untouched)
    pace: float = 0.0  # required minutes done per week, over `pace_weeks` weeks
    forecast: date | None = None  # when the required steps would be done at that pace (None: too early, or no pace)
    behind_plan: tuple[int, int] | None = (
        None  # with a saved plan: steps and minutes planned before this week, still open
    )
    pace_weeks: float = 0.0  # the weeks the pace is taken over: since the first activity, at most PACE_WEEKS
    days_active: int = 0  # days since the learner's first activity (0: none yet, or today)
    ahead_of_plan: int = 0  # with a saved plan: steps planned for weeks still to come, already done

    @property
    def percent(self) -> int:
        return 100 if not self.required else (100 * self.required_done) // self.required


PACE_WEEKS = 4  # the pace looks back at most this far
FORECAST_AFTER = timedelta(days=7)  # less history than this makes no forecast ("too early")


class Pace(NamedTuple):
    pace: float  # required minutes finished per week
    forecast: date | None
    pace_weeks: float
    days_active: int


def first_activity(progress: Progress) -> datetime | None:
    """When the learner first did anything recorded: a change, a start, a finish or a note."""
    moments = [c.at for c in progress.history]
    for entry in progress.resources.values():
        moments += [m for m in (entry.started_at, entry.done_at) if m]
        moments += [n.at for n in entry.notes]
    return min(moments, default=None)


def pace_and_forecast(required: list[Step], progress: Progress, minutes_left: int, at: datetime) -> Pace:
    """Required minutes finished per week over the weeks since the first activity (at most the
    last four, at least one: one chapter on day one is not a weekly pace of hours), and the day
    the rest would be done at that pace; no forecast with less than a week of history."""
    first = first_activity(progress)
    days = max(0, (at - first).days) if first else 0
    window = min(timedelta(weeks=PACE_WEEKS), max(timedelta(weeks=1), at - first if first else timedelta(0)))
    since = at - window
    recent = 0
    for step in required:
        if step.status is Status.DONE:
            entry = progress.entry_for(step.id, step.resource.replaces)
            if entry and entry.done_at and since <= entry.done_at <= at:
                recent += step.resource.minutes
    weeks = window / timedelta(weeks=1)
    pace = recent / weeks
    if not pace or not minutes_left or first is None or at - first < FORECAST_AFTER:
        return Pace(pace, None, weeks, days)
    from mlops_path.core.words import today

    return Pace(pace, today(at + timedelta(days=math.ceil(7 * minutes_left / pace))), weeks, days)


def summarize(steps: list[Step], progress: Progress, orphans: int = 0, at: datetime | None = None) -> Summary:
    required = [s for s in steps if counts(s)]
    optional = [s for s in steps if counts_optional(s)]
    done = [s for s in steps if s.status is Status.DONE]
    left = sum(s.resource.minutes for s in required if s.status in OPEN)
    entries = [(s, progress.entry_for(s.id, s.resource.replaces)) for s in done]
    finished = [(s, e.done_at) for s, e in entries if e and e.done_at]
    stages: dict[str, list[Step]] = {}
    for s in steps:
        if s.stage:
            stages.setdefault(s.stage, []).append(s)
    return Summary(
        total=len(steps),
        done=len(done),
        skipped=sum(s.status is Status.SKIPPED for s in steps),
        in_progress=[s for s in steps if s.status is Status.IN_PROGRESS],
        required=len(required),
        required_done=sum(s.status is Status.DONE for s in required),
        optional_total=len(optional),
        optional_done=sum(s.status is Status.DONE for s in optional),
        minutes_done=sum(s.resource.minutes for s in done),
        minutes_left=left,
        optional_minutes_left=sum(s.resource.minutes for s in optional if s.status in OPEN),
        stages=[tally(name, members) for name, members in stages.items()],
        topics=topic_tallies(steps),
        last_finished=max(finished, key=lambda pair: pair[1], default=None),
        orphans=orphans,
        **pace_and_forecast(required, progress, left, at or now())._asdict(),
    )
