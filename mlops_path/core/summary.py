"""How far the learner is: the figures behind `mlops-path progress`.

The percentage counts required steps only: optional steps are reported on their own, and a
skipped step leaves the count (you chose not to do it), so skipping never lowers your figure.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from mlops_path.core.path import Step, topic_counts
from mlops_path.core.progress import OPEN, Progress, Status


class Tally(NamedTuple):
    name: str
    total: int
    done: int


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

    @property
    def percent(self) -> int:
        return 100 if not self.required else (100 * self.required_done) // self.required


def summarize(steps: list[Step], progress: Progress, orphans: int = 0) -> Summary:
    required = [s for s in steps if not s.resource.optional and s.status is not Status.SKIPPED]
    optional = [s for s in steps if s.resource.optional]
    done = [s for s in steps if s.status is Status.DONE]
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
        minutes_left=sum(s.resource.minutes for s in required if s.status in OPEN),
        optional_minutes_left=sum(s.resource.minutes for s in optional if s.status in OPEN),
        stages=[Tally(name, len(members), sum(m.status is Status.DONE for m in members)) for name, members in stages.items()],
        topics=[Tally(topic, n, d) for topic, n, d in topic_counts(steps)],
        last_finished=max(finished, key=lambda pair: pair[1], default=None),
        orphans=orphans,
    )
