"""What the learner has done: the progress file's model and the pure changes to it.

Progress is keyed by resource id, never by position, so reordering or extending a path
loses nothing. Every change is recorded in `history` with what it replaced, so it can be
undone. Reading and writing the file lives in `store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 2


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"


OPEN = frozenset({Status.TODO, Status.IN_PROGRESS})


class _Record(BaseModel):
    # Unknown keys are kept, so a field written by a newer mlops-path survives a rewrite.
    model_config = ConfigDict(extra="allow", frozen=True)


class Note(_Record):
    at: datetime
    text: str


class Entry(_Record):
    """One resource's record: its status, when that last changed, and the learner's notes."""

    status: Status
    updated: datetime
    done_at: datetime | None = None
    started_at: datetime | None = None
    notes: list[Note] = []


class Change(_Record):
    """One change, with each touched resource's entry before it (None: it had none)."""

    at: datetime
    action: str
    ids: list[str]
    before: dict[str, Entry | None]
    undone_at: datetime | None = None


class Progress(_Record):
    version: int = SCHEMA_VERSION
    resources: dict[str, Entry] = {}
    history: list[Change] = []

    default_path: str | None = None  # chosen with `mlops-path use`

    def status_of(self, resource_id: str, replaces: Sequence[str] = ()) -> Status:
        entry = self.entry_for(resource_id, replaces)
        return entry.status if entry else Status.TODO

    def entry_for(self, resource_id: str, replaces: Sequence[str] = ()) -> Entry | None:
        """The record under this id, else the latest one under an id it replaces."""
        entry = self.resources.get(resource_id)
        if entry is None:
            old = [self.resources[i] for i in replaces if i in self.resources]
            entry = max(old, key=lambda e: e.updated, default=None)
        return entry

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 (mlops-path 0.1) had no history; nothing else changed."""
    return {**raw, "version": 2, "history": []}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring an older file's data up to SCHEMA_VERSION, in memory only."""
    while raw["version"] < SCHEMA_VERSION:
        raw = MIGRATIONS[raw["version"]](raw)
    return raw


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def apply(progress: Progress, action: str, new: dict[str, Entry | None], at: datetime) -> tuple[Progress, list[str]]:
    """Set each id's entry (None removes it) as one recorded change; return the ids that changed."""
    entries = dict(progress.resources)
    before = {rid: entries.get(rid) for rid, entry in new.items() if entries.get(rid) != entry}
    if not before:
        return progress, []
    for rid in before:
        if new[rid] is None:
            del entries[rid]
        else:
            entries[rid] = new[rid]
    change = Change(at=at, action=action, ids=list(before), before=before)
    return progress.model_copy(update={"resources": entries, "history": [*progress.history, change]}), list(before)


Replaces = Mapping[str, Sequence[str]]  # resource id -> the old ids it replaces


def mark(progress: Progress, ids: list[str], status: Status, at: datetime, replaces: Replaces = {}) -> tuple[Progress, list[str]]:
    """Give `ids` a status; an id that already has it is left alone (idempotent).

    A record kept under an old id (see `replaces`) is carried over to the new id.
    """
    new: dict[str, Entry | None] = {}
    for rid in dict.fromkeys(ids):
        old = progress.entry_for(rid, replaces.get(rid, ()))
        if (old.status if old else Status.TODO) == status:
            continue
        fields = old.model_dump() if old else {}
        fields.update(status=status, updated=at, done_at=at if status is Status.DONE else None)
        if status is Status.IN_PROGRESS:
            fields["started_at"] = at
        new[rid] = Entry(**fields)
    return apply(progress, ACTIONS[status], new, at)


ACTIONS = {Status.DONE: "done", Status.IN_PROGRESS: "start", Status.SKIPPED: "skip", Status.TODO: "reset"}


def add_note(progress: Progress, resource_id: str, text: str, at: datetime, replaces: Sequence[str] = ()) -> tuple[Progress, list[str]]:
    """Append a dated note to one resource's record (creating a todo record if it has none)."""
    old = progress.entry_for(resource_id, replaces)
    fields = old.model_dump() if old else {"status": Status.TODO, "updated": at}
    fields["notes"] = [*fields.get("notes", []), Note(at=at, text=text)]
    return apply(progress, "note", {resource_id: Entry(**fields)}, at)


def reset_all(progress: Progress, at: datetime) -> tuple[Progress, list[str]]:
    """Clear every resource's record, as one change that `undo` can take back."""
    return apply(progress, "reset --all", dict.fromkeys(progress.resources), at)


def undo(progress: Progress, at: datetime) -> tuple[Progress, Change | None]:
    """Take back the latest change not yet undone; repeatable, newest first."""
    index = next((i for i in reversed(range(len(progress.history))) if progress.history[i].undone_at is None), None)
    if index is None:
        return progress, None
    change = progress.history[index]
    entries = dict(progress.resources)
    for rid, entry in change.before.items():
        if entry is None:
            entries.pop(rid, None)
        else:
            entries[rid] = entry
    history = list(progress.history)
    history[index] = change.model_copy(update={"undone_at": at})
    return progress.model_copy(update={"resources": entries, "history": history}), change
