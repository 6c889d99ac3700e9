"""`mlops-path week`: the last seven days at a glance, and how many weeks in a row you studied.

Days are the learner's calendar days (`core.words`): the window is today and the six days before
it, from local midnight, so the heading's first and last day are exactly the days it covers."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from mlops_path.core.learning.position import Step
from mlops_path.core.progress.record import Note, Progress, Status
from mlops_path.core.words import days_back, today


class WeekSummary(NamedTuple):
    start: datetime
    end: datetime
    finished: list[tuple[Step, datetime]]  # steps of the path done in these seven days, oldest first
    minutes: int  # their minutes
    notes: list[tuple[str, Note]]  # (resource id, note) written in these seven days
    streak: int  # weeks in a row, ending with this one, with some study recorded


def week_summary(steps: list[Step], progress: Progress, at: datetime) -> WeekSummary:
    start = days_back(at, 7)
    finished = []
    for step in steps:
        if step.status is Status.DONE:
            entry = progress.entry_for(step.id, step.resource.replaces)
            if entry and entry.done_at and start <= entry.done_at <= at:
                finished.append((step, entry.done_at))
    finished.sort(key=lambda pair: pair[1])
    notes = sorted(
        ((rid, n) for rid, e in progress.resources.items() for n in e.notes if start <= n.at <= at),
        key=lambda p: p[1].at,
    )
    return WeekSummary(start, at, finished, sum(s.resource.minutes for s, _ in finished), notes, _streak(progress, at))


def _streak(progress: Progress, at: datetime) -> int:
    """Windows of seven calendar days ending today, counted back while each holds a change, a
    finish or a note."""
    moments = {c.at for c in progress.history if c.undone_at is None}
    for entry in progress.resources.values():
        moments.update(m for m in (entry.done_at, entry.started_at) if m)
        moments.update(n.at for n in entry.notes)
    last = today(at)
    weeks = {(last - today(moment)).days // 7 for moment in moments if moment <= at}
    streak = 0
    while streak in weeks:
        streak += 1
    return streak
