"""The path and the study group as one self-contained HTML page (`view`, `cohort --html`).

Rendered with Jinja2 with autoescaping on, so every string from a catalog, a progress file or a
sync file is HTML-escaped; links are written only for http(s) URLs. Before that, every string goes
through the terminal's inert-text rule (`core.text.inert`): a control character (forbidden in
HTML: U+0007 fails validation) or a bidi override (which would show a step id reversed) is shown as
a visible escape, as in the terminal; so are Unicode noncharacters, which HTML also forbids. A
learner's name is capped in the study group's grid (the full name is its tooltip and is in the
lists below), so a 300-character name cannot push every status cell off the screen. The group's grid
is compact (a status is an icon, its word there for screen readers) and numbered steps are named in a
key, so every step is on screen at 1280 px and on a landscape page; over GRID_MAX_LEARNERS learners
the page is a summary per step instead of a grid nobody could read. The page loads nothing:
styles are inline, icons are text, and a Content-Security-Policy forbids any other load and any
script. Jinja2 is imported only here, and this module only by those two commands.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_path.core.progress.record import Status
from mlops_path.core.text import inert, web_link
from mlops_path.core.words import ACCESS, STATUS_ICON, STATUS_WORD, duration, full_day, iso_day, when

if TYPE_CHECKING:
    from mlops_path.core.catalog.model import LearningPath
    from mlops_path.core.learning.position import Step
    from mlops_path.core.learning.summary import Summary
    from mlops_path.core.progress.record import Progress
    from mlops_path.core.sync.cohort import Cohort, LearnerRow, StepRow

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_GRID_NAME = 40  # characters of a learner's name in the grid's sticky column
GRID_MAX_LEARNERS = 50  # a larger study group's page is a summary per step: no grid of hundreds of rows
GRID_STEP_COLUMNS = 20  # step columns in one grid: 20 fit 1280 px and a landscape A4 or Letter page
LEGEND = (Status.DONE, Status.IN_PROGRESS, Status.SKIPPED, Status.TODO)  # the order of the page's legend
# Noncharacters (U+FDD0-U+FDEF and the last two code points of every plane): HTML forbids them too.
_NONCHARACTER_CODES = [*range(0xFDD0, 0xFDF0), *(plane * 0x10000 + n for plane in range(17) for n in (0xFFFE, 0xFFFF))]
_NONCHARACTERS = {code: f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}" for code in _NONCHARACTER_CODES}


def clean(value: Any) -> Any:
    """Every string in a template's context made inert text (newlines kept: HTML reads them as
    spaces); the structure as it was."""
    if isinstance(value, str):
        return inert(value, newlines=True).translate(_NONCHARACTERS)
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if hasattr(value, "_fields"):  # a named tuple (the summary): its fields, its type
        return value._replace(**{name: clean(getattr(value, name)) for name in value._fields})
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def short_name(name: str) -> str:
    return name if len(name) <= MAX_GRID_NAME else name[: MAX_GRID_NAME - 1].rstrip() + "\u2026"


def _cost(access: str | None) -> str | None:
    """What a resource costs, in the one vocabulary; nothing for a free one."""
    return None if access in (None, "free") else ACCESS.get(access)


def _status(status: Status) -> dict[str, str]:
    return {"key": status.value, "word": STATUS_WORD[status], "icon": STATUS_ICON[status]}


def path_page(
    path: LearningPath, steps: list[Step], progress: Progress, summary: Summary, current: Step | None, at: datetime
) -> str:
    """The learner's page: the stages in order, each step a card; where they are; how far."""
    stages: list[dict[str, Any]] = []
    for step in steps:
        if not stages or stages[-1]["title"] != (step.stage or path.title):
            stages.append({"title": step.stage or path.title, "steps": []})
        r = step.resource
        entry = progress.entry_for(r.id, r.replaces)
        stages[-1]["steps"].append(
            {
                "id": r.id,
                "title": r.title,
                "url": web_link(r.url),
                "shown_url": r.url,
                "kind": r.kind,
                "minutes": duration(r.minutes, estimate=not r.minutes_measured),
                "estimate": not r.minutes_measured,
                "minutes_note": r.minutes_note,
                "optional": r.optional,
                "access": _cost(r.access),
                "access_note": r.access_note,
                "status": _status(step.status),
                "current": current is not None and step.id == current.id,
                "position": step.position,
                "total": step.total,
                "why": r.why,
                "notes": [{"at": iso_day(n.at), "text": n.text} for n in (entry.notes if entry else ())],
            }
        )
    forecast = full_day(summary.forecast) if summary.forecast else None
    return _render(
        "path.html.j2",
        {
            "title": path.title,
            "description": path.description,
            "stages": stages,
            "summary": summary,
            "minutes_done": duration(summary.minutes_done),
            "minutes_left": duration(summary.minutes_left, estimate=False),
            "pace": duration(round(summary.pace), estimate=False) if summary.pace else None,
            "forecast": forecast,
            "current": current.resource.title if current else None,
            "generated": when(at),
        },
    )


def cohort_page(cohort: Cohort) -> str:
    """The study group's page. Up to GRID_MAX_LEARNERS learners: a grid of learners by steps, its
    cells an icon with the status word for screen readers (never colour alone), its step columns
    numbered and named in a key, at most GRID_STEP_COLUMNS to a grid so that every step is on screen
    at 1280 px and on a landscape page. A larger group gets no grid, whose hundreds of rows nobody
    reads, but where it is per step: how many have it next, done, started, skipped, still to do."""
    from collections import Counter

    from mlops_path.core.sync.cohort import STUCK_AFTER

    size = len(cohort.learners)
    next_for = Counter(row.current for row in cohort.learners)
    stuck_on = Counter(rid for row in cohort.learners for rid in row.stuck)
    steps = [_step_row(s, i, size, next_for[s.id], stuck_on[s.id]) for i, s in enumerate(cohort.steps, start=1)]
    grid = size <= GRID_MAX_LEARNERS
    learners = [_learner_row(row, cohort) for row in cohort.learners] if grid else []
    parts = [steps[i : i + GRID_STEP_COLUMNS] for i in range(0, len(steps), GRID_STEP_COLUMNS)]
    stuck = sorted((s for s in steps if s["in_progress"]), key=lambda s: -s["in_progress"])
    return _render(
        "cohort.html.j2",
        {
            "title": cohort.path.title,
            "size": size,
            "grid": grid,
            "grid_max": GRID_MAX_LEARNERS,
            "learners": learners,
            "parts": parts,
            "steps": steps,
            "stuck": stuck,
            "stuck_days": STUCK_AFTER.days,
            "finished": next_for[None],
            "spread": _spread(cohort),
            "legend": [_status(status) for status in LEGEND],
            "words": {status.value: _status(status) for status in LEGEND},
            "generated": when(cohort.generated),
        },
    )


def _step_row(step: StepRow, number: int, size: int, next_for: int, stuck: int) -> dict[str, Any]:
    """A step's column header and its line in the key: what the group has done of it, and how many have it next."""
    todo = size - step.done - step.in_progress - step.skipped
    return {
        "id": step.id,
        "title": step.title,
        "number": number,
        "next_for": next_for,
        "stuck": stuck,
        "todo": todo,
        "done": step.done,
        "in_progress": step.in_progress,
        "skipped": step.skipped,
    }


def _learner_row(row: LearnerRow, cohort: Cohort) -> dict[str, Any]:
    return {
        "name": row.name,
        "short_name": short_name(inert(row.name)),
        "current": row.current,
        "stuck": row.stuck,
        "percent": row.percent,
        "done": row.done,
        "total": row.total,
        "days_inactive": row.days_inactive,
        "cells": [_status(row.statuses.get(step.id, Status.TODO)) for step in cohort.steps],
    }


def _spread(cohort: Cohort) -> list[dict[str, Any]]:
    """How far the learners are, in bands of required steps done: a large group's page has no row per learner."""
    percents = [row.percent for row in cohort.learners]
    bands = [("0%", 0, 0), ("1-24%", 1, 24), ("25-49%", 25, 49), ("50-74%", 50, 74), ("75-99%", 75, 99)]
    bands.append(("100%", 100, 100))
    return [{"band": band, "learners": sum(low <= p <= high for p in percents)} for band, low, high in bands]


def _render(template: str, context: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value is HTML-escaped unless a template says otherwise (none does)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(template).render(**clean(context))


def write_page(file: Path, page: str, private: bool = False) -> Path:
    """The page to the learner's file: a FIFO or /dev/stdout written through, never replaced
    (`core.outputs`)."""
    from mlops_path.core.outputs import write_output

    return write_output(file, page.encode("utf-8"), make_folder=True, private=private)
