"""What the learner has done: the progress file's model and the pure changes to it.

Progress is keyed by resource id, never by position, so reordering or extending a path
loses nothing. Reading and writing the file lives in `store`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 1


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"


OPEN = frozenset({Status.TODO, Status.IN_PROGRESS})


class Entry(BaseModel):
    """One resource's record. Unknown keys are kept, so a newer field survives a rewrite."""

    model_config = ConfigDict(extra="allow", frozen=True)

    status: Status
    updated: datetime
    done_at: datetime | None = None


class Progress(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    version: int = SCHEMA_VERSION
    resources: dict[str, Entry] = {}

    def status_of(self, resource_id: str) -> Status:
        entry = self.resources.get(resource_id)
        return entry.status if entry else Status.TODO

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def mark(progress: Progress, ids: list[str], status: Status, at: datetime) -> tuple[Progress, list[str]]:
    """Set `status` on `ids`; return the new progress and the ids that actually changed.

    Marking an item with the status it already has changes nothing (idempotent).
    """
    entries = dict(progress.resources)
    changed = []
    for resource_id in dict.fromkeys(ids):
        old = entries.get(resource_id)
        if (old.status if old else Status.TODO) == status:
            continue
        extra = old.model_extra if old else {}
        done_at = at if status is Status.DONE else None
        entries[resource_id] = Entry(status=status, updated=at, done_at=done_at, **(extra or {}))
        changed.append(resource_id)
    return progress.model_copy(update={"resources": entries}), changed
