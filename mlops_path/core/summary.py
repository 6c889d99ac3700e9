"""How far the learner is: the figures behind `mlops-path progress`.

The percentage counts required steps only: optional steps are reported on their own, and a
skipped step leaves the count (you chose not to do it), so skipping never lowers your figure.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import NamedTuple

from mlops_path.core.path import Step
from mlops_path.core.progress import OPEN, Progress, Status, now


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


def tally(name: str, members: list[Step]) -> Tally:
    required = [m for m in members if counts(m)]
    optional = [m for m in members if m.resource.optional]
    return Tally(name, len(required), sum(m.status is Status.DONE for m in required),
                 len(optional), sum(m.status is Status.DONE for m in optional))  # fmt: skip


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
    pace: float = 0.0  # required minutes done per week, over the last PACE_WEEKS weeks
    forecast: date | None = None  # when the required steps would be done at that pace
    behind_plan: tuple[int, int] | None = None  # with a saved plan: steps and minutes planned before this week, still open

    @property
    def percent(self) -> int:
        return 100 if not self.required else (100 * self.required_done) // self.required


PACE_WEEKS = 4


def pace_and_forecast(required: list[Step], progress: Progress, minutes_left: int, at: datetime) -> tuple[float, date | None]:
    """Required minutes finished per week over the last four weeks, and the day the rest would be
    done at that pace (None: nothing left, or no pace yet)."""
    since = at - timedelta(weeks=PACE_WEEKS)
    recent = 0
    for step in required:
        if step.status is Status.DONE:
            entry = progress.entry_for(step.id, step.resource.replaces)
            if entry and entry.done_at and since <= entry.done_at <= at:
                recent += step.resource.minutes
    pace = recent / PACE_WEEKS
    if not pace or not minutes_left:
        return pace, None
    return pace, (at + timedelta(days=math.ceil(7 * minutes_left / pace))).date()


def summarize(steps: list[Step], progress: Progress, orphans: int = 0, at: datetime | None = None) -> Summary:
    required = [s for s in steps if counts(s)]
    optional = [s for s in steps if s.resource.optional]
    done = [s for s in steps if s.status is Status.DONE]
    left = sum(s.resource.minutes for s in required if s.status in OPEN)
    entries = [(s, progress.entry_for(s.id, s.resource.replaces)) for s in done]
    finished = [(s, e.done_at) for s, e in entries if e and e.done_at]
    stages: dict[str, list[Step]] = {}
    topics: dict[str, list[Step]] = {}
    for s in steps:
        if s.stage:
            stages.setdefault(s.stage, []).append(s)
        for topic in s.resource.topics:
            topics.setdefault(topic, []).append(s)
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
        topics=[tally(topic, topics[topic]) for topic in sorted(topics)],
        last_finished=max(finished, key=lambda pair: pair[1], default=None),
        orphans=orphans,
        **dict(zip(("pace", "forecast"), pace_and_forecast(required, progress, left, at or now()), strict=True)),
    )
