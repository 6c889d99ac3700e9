"""Path logic as pure functions: where the learner stands, what comes next, what to show."""

from __future__ import annotations

from typing import Any, NamedTuple

from mlops_path.core.catalog.model import Catalog, LearningPath, Resource
from mlops_path.core.errors import UsageError
from mlops_path.core.progress.record import OPEN, Progress, Status
from mlops_path.core.text import did_you_mean


class Step(NamedTuple):
    resource: Resource
    position: int
    total: int
    stage: str | None
    status: Status

    @property
    def id(self) -> str:
        return self.resource.id

    def to_json(self) -> dict[str, Any]:
        """The documented, stable `--json` shape of one item."""
        r = self.resource
        return {
            "id": r.id,
            "title": r.title,
            "kind": r.kind,
            "url": r.url,
            "minutes": r.minutes,
            "topics": list(r.topics),
            "status": self.status.value,
            "why": r.why,
            "optional": r.optional,
            "position": self.position,
            "total": self.total,
            "stage": self.stage,
            "part_of": r.part_of,
            "authors": list(r.authors),
            "year": r.year,
            "minutes_note": r.minutes_note,
            "minutes_measured": r.minutes_measured,
            "access": r.access,
            "access_note": r.access_note,
        }


def walk(catalog: Catalog, path: LearningPath, progress: Progress) -> list[Step]:
    """Every step of `path` with its status. Runs on every command, over up to thousands of steps,
    so the common case (a record under the resource's own id, or none) is looked up inline."""
    total, by_id, stage_of, records = len(path.steps), catalog.by_id, path.stage_of, progress.resources
    steps = []
    for position, rid in enumerate(path.steps, start=1):
        resource = by_id[rid]
        status = records.status(rid)
        if status is None:
            status = progress.status_of(rid, resource.replaces) if resource.replaces else Status.TODO
        steps.append(Step(resource, position, total, stage_of(rid), status))
    return steps


def next_step(steps: list[Step], max_minutes: int | None = None) -> Step | None:
    """What to do now: a started step first, else the first step not done or skipped.

    With `max_minutes`, only a step that fits in that time.
    """
    candidates = [s for s in open_steps(steps) if max_minutes is None or s.resource.minutes <= max_minutes]
    return next((s for s in candidates if s.status is Status.IN_PROGRESS), candidates[0] if candidates else None)


def open_steps(steps: list[Step]) -> list[Step]:
    return [step for step in steps if step.status in OPEN]


def shortest_open(steps: list[Step]) -> Step | None:
    return min(open_steps(steps), key=lambda s: s.resource.minutes, default=None)


def find_step(steps: list[Step], resource_id: str) -> Step | None:
    return next((step for step in steps if step.id == resource_id), None)


def known_topics(steps: list[Step]) -> list[str]:
    return sorted({topic for step in steps for topic in step.resource.topics})


def known_kinds(steps: list[Step]) -> list[str]:
    return sorted({step.resource.kind for step in steps})


def filter_steps(
    steps: list[Step],
    topic: str | None = None,
    kind: str | None = None,
    status: Status | str | None = None,
) -> list[Step]:
    """The steps on a topic, of a kind, with a status; each value matched case-insensitively, and
    an unknown one refused with the closest known ones."""
    topic = None if topic is None else known_value("topic", topic, known_topics(steps))
    kind = None if kind is None else known_value("kind", kind, known_kinds(steps))
    if status is not None and not isinstance(status, Status):
        status = Status(known_value("status", status, [s.value for s in Status]))
    return [
        step
        for step in steps
        if (topic is None or topic in step.resource.topics)
        and (kind is None or step.resource.kind == kind)
        and (status is None or step.status is status)
    ]


def known_value(what: str, value: str, known: list[str]) -> str:
    """`value` as it is spelled among `known` (any case), or a UsageError with a suggestion."""
    if value in known:
        return value
    by_lower = {k.lower(): k for k in known}
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    plural = what + ("es" if what.endswith("s") else "s")  # statuses, topics, kinds
    hint = did_you_mean(value, known) or f"known {plural}: {', '.join(known)}."
    shown = value if len(value) <= 60 else value[:57] + "..."
    raise UsageError(f"Unknown {what} {shown!r}; {hint}")


def canonical_ids(catalog: Catalog, ids: list[str]) -> list[str]:
    """The ids as the catalog spells them (`DMLS-CH02` is dmls-ch02); refuse the whole call if
    any is unknown, naming the closest known ones."""
    canonical = []
    for resource_id in ids:
        if resource_id not in catalog.by_id:
            lowered = resource_id.lower()
            if lowered not in catalog.by_id:
                raise UsageError(unknown_id_message(resource_id, list(catalog.by_id)))
            resource_id = lowered
        canonical.append(resource_id)
    return canonical


def unknown_id_message(resource_id: str, known: list[str]) -> str:
    shown = resource_id if len(resource_id) <= 60 else resource_id[:57] + "..."
    hint = did_you_mean(resource_id, known) or "see `mlops-path list` for the ids."
    return f"Unknown id {shown!r}; {hint}"
