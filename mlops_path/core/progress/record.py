"""What the learner has done: the progress record and the pure changes to it.

Progress is keyed by resource id, never by position, so reordering or extending a path
loses nothing. Every change is recorded in `history` with what it replaced, so it can be
undone. The records are immutable named tuples (cheap to define and build: this module is on every
command's start-up path), made from data that was validated (by `schema`) or written by us;
reading and writing the file lives in `store`. Unknown keys are kept in `extra`, so a field
written by a newer mlops-path survives a rewrite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar, overload

from mlops_path.core import limits
from mlops_path.core.progress.clock import Clock, Time, next_stamp
from mlops_path.core.progress.clock import parse as parse_clock

SCHEMA_VERSION = 3

T = TypeVar("T")


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"


OPEN = frozenset({Status.TODO, Status.IN_PROGRESS})
NOTHING: Mapping[str, Any] = MappingProxyType({})  # an immutable empty default


@overload
def _time(value: str) -> datetime: ...
@overload
def _time(value: str | None) -> datetime | None: ...
def _time(value: str | None) -> datetime | None:
    """A time as the file writes it (ISO 8601; a time without a zone is UTC)."""
    if value is None:
        return None
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    if data.keys() <= known:
        return NOTHING  # the common case, kept cheap: progress files hold thousands of records
    return {key: value for key, value in data.items() if key not in known}


STATUS = {status.value: status for status in Status}


class Note(NamedTuple):
    at: datetime
    text: str
    clock: Clock | None = None  # when synced: the change that added it (see `sync`)
    extra: Mapping[str, Any] = NOTHING

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Note:
        return cls(_time(data["at"]), data["text"], parse_clock(data.get("clock")), _extra(data, NOTE_KEYS))

    def to_dict(self) -> dict[str, Any]:
        data = {"at": iso(self.at), "text": self.text, **self.extra}
        if self.clock is not None:
            data["clock"] = list(self.clock)
        return data


class Entry(NamedTuple):
    """One resource's record: its status, when that last changed, and the learner's notes.

    With sync on, `clock` orders it against the same resource's record on other devices, and
    `notes_cleared` says that notes older (by clock) than that stamp were removed everywhere.
    """

    status: Status
    updated: datetime
    done_at: datetime | None = None
    started_at: datetime | None = None
    notes: tuple[Note, ...] = ()
    clock: Clock | None = None
    notes_cleared: Clock | None = None
    extra: Mapping[str, Any] = NOTHING

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entry:
        notes = data.get("notes")
        return cls(
            STATUS[data["status"]],
            _time(data["updated"]),
            _time(data.get("done_at")),
            _time(data.get("started_at")),
            tuple(Note.from_dict(n) for n in notes) if notes else (),
            parse_clock(data.get("clock")),
            parse_clock(data.get("notes_cleared")),
            _extra(data, ENTRY_KEYS),
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            "status": self.status.value,
            "updated": iso(self.updated),
            "done_at": iso(self.done_at),
            "started_at": iso(self.started_at),
            "notes": [n.to_dict() for n in self.notes],
            **self.extra,
        }
        if self.clock is not None:
            data["clock"] = list(self.clock)
        if self.notes_cleared is not None:
            data["notes_cleared"] = list(self.notes_cleared)
        return data


class Records(Mapping[str, Entry]):
    """The resources' records, by id. Read from a file, each record is parsed when first looked
    at: a progress file can hold thousands, and most commands look at a few (`status` reads one
    without parsing it at all). The file's data was validated (or written) by us; should a record
    still prove unreadable, that is a `ProgressError` naming the file, never a crash."""

    __slots__ = ("_parsed", "_raw", "_source")

    def __init__(
        self, parsed: Mapping[str, Entry] = NOTHING, raw: Mapping[str, Any] | None = None, source: object = None
    ):
        self._parsed = dict(parsed)
        self._raw = raw  # the file's data; when given, it names every id
        self._source = source

    def _ids(self) -> Mapping[str, Any]:
        return self._parsed if self._raw is None else self._raw

    def __getitem__(self, resource_id: str) -> Entry:
        entry = self._parsed.get(resource_id)
        if entry is None:
            if self._raw is None or resource_id not in self._raw:
                raise KeyError(resource_id)
            entry = self._parsed[resource_id] = self._read(resource_id, Entry.from_dict)
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def __len__(self) -> int:
        return len(self._ids())

    def __contains__(self, resource_id: object) -> bool:
        return resource_id in self._ids()

    def __repr__(self) -> str:
        return f"Records({dict(self.items())!r})"

    def status(self, resource_id: str) -> Status | None:
        entry = self._parsed.get(resource_id)
        if entry is not None:
            return entry.status
        if self._raw is None or resource_id not in self._raw:
            return None
        return self._read(resource_id, lambda data: STATUS[data["status"]])

    def _read(self, resource_id: str, parse: Callable[[Any], T]) -> T:
        try:
            return parse((self._raw or {})[resource_id])
        except (KeyError, TypeError, ValueError, AttributeError):
            from mlops_path.core.errors import ProgressError

            raise ProgressError(
                f"The progress file {self._source} has an unreadable record for {resource_id!r}; run `mlops-path "
                f"doctor`."
            ) from None

    def to_dict(self) -> dict[str, Any]:
        if self._raw is None:
            return {rid: entry.to_dict() for rid, entry in self._parsed.items()}
        return {rid: self._parsed[rid].to_dict() if rid in self._parsed else self._raw[rid] for rid in self._raw}


NO_RECORDS = Records()


class Change(NamedTuple):
    """One change, with each touched resource's entry before it (None: it had none).

    Notes make a record grow, so history does not copy them when it need not: for an id in
    `notes_added`, the change only added those notes, its `before` entry is stored without notes,
    and undo removes the added ones from the notes the record has then. The file stays linear in
    what it holds (schema 3; schema 2 stored every before entry whole, which still reads the same).
    """

    at: datetime
    action: str
    ids: tuple[str, ...]
    before: Mapping[str, Entry | None]
    undone_at: datetime | None = None
    notes_added: Mapping[str, tuple[Note, ...]] = NOTHING
    source: str | None = None  # a merge: the devices its changes came from (see `sync.merge`)
    extra: Mapping[str, Any] = NOTHING

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        before = {rid: Entry.from_dict(e) if e is not None else None for rid, e in data["before"].items()}
        added = data.get("notes_added")
        notes_added = (
            {rid: tuple(Note.from_dict(n) for n in notes) for rid, notes in added.items()} if added else NOTHING
        )
        return cls(
            _time(data["at"]),
            data["action"],
            tuple(data["ids"]),
            before,
            _time(data.get("undone_at")),
            notes_added,
            data.get("source"),
            _extra(data, CHANGE_KEYS),
        )

    @property
    def undoable(self) -> bool:
        """`undo` takes back this device's own changes, never a merge of another device's."""
        return self.undone_at is None and self.action != MERGE

    def to_dict(self) -> dict[str, Any]:
        data = {
            "at": iso(self.at),
            "action": self.action,
            "ids": list(self.ids),
            "before": {rid: e.to_dict() if e is not None else None for rid, e in self.before.items()},
            "undone_at": iso(self.undone_at),
            **self.extra,
        }
        if self.notes_added:
            data["notes_added"] = {rid: [n.to_dict() for n in notes] for rid, notes in self.notes_added.items()}
        if self.source is not None:
            data["source"] = self.source
        return data

    def entry_before(self, resource_id: str, current: Entry | None) -> Entry | None:
        """The record as this change found it, given the record as it is now."""
        before = self.before[resource_id]
        added = self.notes_added.get(resource_id)
        if before is None or added is None:
            return before
        return before._replace(notes=_without(current.notes if current else (), added))


class Progress(NamedTuple):
    version: int = SCHEMA_VERSION
    resources: Records = NO_RECORDS
    history: tuple[Change, ...] = ()
    default_path: str | None = None  # chosen with `mlops-path use`
    sync: Mapping[str, Any] | None = None  # set by `mlops-path sync init` (see `sync.SyncConfig`)
    clock: Time | None = None  # with sync: the latest clock stamp made or seen here
    plan: Mapping[str, Any] | None = None  # kept by `plan --save` (see `plan.to_saved`)
    extra: Mapping[str, Any] = NOTHING

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: object = None) -> Progress:
        clock = data.get("clock")
        return cls(
            data["version"],
            Records(raw=data.get("resources", {}), source=source),
            tuple(Change.from_dict(c) for c in data.get("history", ())),
            data.get("default_path"),
            data.get("sync"),
            None if clock is None else (clock[0], clock[1]),
            data.get("plan"),
            _extra(data, PROGRESS_KEYS),
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            "version": self.version,
            "resources": self.resources.to_dict(),
            "history": [c.to_dict() for c in self.history],
            "default_path": self.default_path,
            **self.extra,
        }
        if self.sync is not None:
            data["sync"] = dict(self.sync)
        if self.clock is not None:
            data["clock"] = list(self.clock)
        if self.plan is not None:
            data["plan"] = dict(self.plan)
        return data

    @property
    def device(self) -> str | None:
        """This home's device id, once sync was set up: changes are then stamped with clocks."""
        return self.sync.get("device") if self.sync else None

    def tick(self, at: datetime) -> tuple[Progress, Clock | None]:
        """The next clock stamp of this device (hybrid logical clock: never behind one made or
        seen before, whatever the wall clock says), and the progress that remembers it."""
        device = self.device
        if device is None:
            return self, None
        clock, stamp = next_stamp(self.clock, at, device)
        return self._replace(clock=clock), stamp

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def status_of(self, resource_id: str, replaces: Sequence[str] = ()) -> Status:
        status = self.resources.status(resource_id)
        if status is None:
            entry = self.entry_for(resource_id, replaces) if replaces else None
            status = entry.status if entry else Status.TODO
        return status

    def entry_for(self, resource_id: str, replaces: Sequence[str] = ()) -> Entry | None:
        """The record under this id, else the latest one under an id it replaces."""
        entry = self.resources.get(resource_id)
        if entry is None and replaces:
            old = [self.resources[i] for i in replaces if i in self.resources]
            entry = max(old, key=lambda e: e.updated, default=None)
        return entry


NOTE_KEYS = frozenset(Note._fields) - {"extra"}
ENTRY_KEYS = frozenset(Entry._fields) - {"extra"}
CHANGE_KEYS = frozenset(Change._fields) - {"extra"}
PROGRESS_KEYS = frozenset(Progress._fields) - {"extra"}


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 (mlops-path 0.1) had no history; nothing else changed."""
    return {**raw, "version": 2, "history": []}


def _v2_to_v3(raw: dict[str, Any]) -> dict[str, Any]:
    """Schema 3 may store a change's notes as a difference (`notes_added`); schema 2's whole
    before entries mean the same in schema 3. The version moves so that an older mlops-path,
    which would read the difference as "no notes", refuses to write the file."""
    return {**raw, "version": 3}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring an older file's data up to SCHEMA_VERSION, in memory only."""
    while raw["version"] < SCHEMA_VERSION:
        raw = MIGRATIONS[raw["version"]](raw)
    return raw


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def apply(progress: Progress, action: str, new: Mapping[str, Entry | None], at: datetime) -> tuple[Progress, list[str]]:
    """Set each id's entry (None removes it) as one recorded change; return the ids that changed.

    With sync on, the new entries are stamped with the change's clock, and a removal becomes a
    todo record (a tombstone other devices see). History keeps the latest `limits.MAX_HISTORY`
    changes (README: undo goes back that far)."""
    entries = dict(progress.resources)
    before = {rid: entries.get(rid) for rid, entry in new.items() if entries.get(rid) != entry}
    if not before:
        return progress, []
    progress, stamp = progress.tick(at)
    compact: dict[str, Entry | None] = {}
    added: dict[str, tuple[Note, ...]] = {}
    for rid, old in before.items():
        after = new[rid] if stamp is None else stamped(old, new[rid], at, stamp)
        gained = _notes_gained(old, after)
        if gained is None or old is None:  # (gained is None whenever old is)
            compact[rid] = old
        else:
            compact[rid], added[rid] = old._replace(notes=()), gained
        if after is None:
            del entries[rid]
        else:
            entries[rid] = after
    change = Change(at, action, tuple(before), compact, notes_added=added or NOTHING)
    history = (*progress.history, change)[-limits.MAX_HISTORY :]
    return progress._replace(resources=Records(entries), history=history), list(before)


def stamped(old: Entry | None, new: Entry | None, at: datetime, stamp: Clock) -> Entry:
    """`new` as a synced change: its clock, its new notes' clocks; a removal as a tombstone; and
    if notes were removed, `notes_cleared` (the kept notes are stamped again, so they stay)."""
    if new is None:
        return Entry(Status.TODO, at, clock=stamp, notes_cleared=stamp if old and old.notes else None)
    before = {_key(n) for n in old.notes} if old else set()
    lost = old is not None and not before <= {_key(n) for n in new.notes}
    notes = tuple(n._replace(clock=stamp) if lost or _key(n) not in before or n.clock is None else n for n in new.notes)
    return new._replace(clock=stamp, notes=notes, notes_cleared=stamp if lost else new.notes_cleared)


def _notes_gained(old: Entry | None, new: Entry | None) -> tuple[Note, ...] | None:
    """The notes `new` adds to `old`'s, when it keeps all of them; None when a record is created
    or removed, or notes were lost (then history stores the before entry whole)."""
    if old is None or new is None or not old.notes:
        return None
    if not {_key(n) for n in old.notes} <= {_key(n) for n in new.notes}:
        return None
    return _without(new.notes, old.notes)


def _key(note: Note) -> tuple[datetime, str]:
    return note.at, note.text


def _without(notes: Sequence[Note], removed: Sequence[Note]) -> tuple[Note, ...]:
    """`notes` less one occurrence of each of `removed` (linear: a multiset difference)."""
    from collections import Counter

    left = Counter(_key(n) for n in removed)
    out = []
    for note in notes:
        if left[_key(note)]:
            left[_key(note)] -= 1
        else:
            out.append(note)
    return tuple(out)


MERGE = "merge"  # the action of a change that another device's file brought in
ACTIONS = {Status.DONE: "done", Status.IN_PROGRESS: "start", Status.SKIPPED: "skip", Status.TODO: "reset"}
Replaces = Mapping[str, Sequence[str]]  # resource id -> the old ids it replaces


def mark(
    progress: Progress, ids: list[str], status: Status, at: datetime, replaces: Replaces = NOTHING
) -> tuple[Progress, list[str]]:
    """Give `ids` a status; an id that already has it is left alone (idempotent).

    A record kept under an old id (see `replaces`) is carried over to the new id.
    """
    new: dict[str, Entry | None] = {}
    for rid in dict.fromkeys(ids):
        old = progress.entry_for(rid, replaces.get(rid, ()))
        if (old.status if old else Status.TODO) == status:
            continue
        started = at if status is Status.IN_PROGRESS else (old.started_at if old else None)
        done = at if status is Status.DONE else None
        new[rid] = (
            old._replace(status=status, updated=at, done_at=done, started_at=started)
            if old
            else Entry(status, at, done, started)
        )
    return apply(progress, ACTIONS[status], new, at)


def add_note(
    progress: Progress, resource_id: str, text: str, at: datetime, replaces: Sequence[str] = ()
) -> tuple[Progress, list[str]]:
    """Append a dated note to one resource's record (creating a todo record if it has none)."""
    old = progress.entry_for(resource_id, replaces) or Entry(Status.TODO, at)
    return apply(progress, "note", {resource_id: old._replace(notes=(*old.notes, Note(at, text)))}, at)


def reset_all(progress: Progress, at: datetime) -> tuple[Progress, list[str]]:
    """Clear every resource's record, as one change that `undo` can take back."""
    return apply(progress, "reset --all", dict.fromkeys(progress.resources), at)


def undo(progress: Progress, at: datetime) -> tuple[Progress, Change | None]:
    """Take back the latest change of this device not yet undone; repeatable, newest first.

    Only what that change touched goes back (see `_taken_back`), so a change merged from another
    device since, on the same step, is kept; with sync on, the undo is itself a change with a
    fresh clock, which the other devices see."""
    index = next((i for i in reversed(range(len(progress.history))) if progress.history[i].undoable), None)
    if index is None:
        return progress, None
    change = progress.history[index]
    entries = dict(progress.resources)
    progress, stamp = progress.tick(at)
    for rid in change.before:
        current = entries.get(rid)
        entry = _taken_back(change, rid, current)
        if entry == current:
            continue
        if stamp is not None:  # synced: taking a change back is itself a change the others must see
            entry = stamped(current, entry, at, stamp)
        if entry is None:
            entries.pop(rid, None)
        else:
            entries[rid] = entry
    history = list(progress.history)
    history[index] = change._replace(undone_at=at)
    return progress._replace(resources=Records(entries), history=tuple(history)), change


SETS = {action: status for status, action in ACTIONS.items()}  # "done" -> Status.DONE, ...


def _taken_back(change: Change, rid: str, current: Entry | None) -> Entry | None:
    """`current` with only what `change` did to `rid` taken back.

    A status change gives back the status and its times (not the notes), and only if the status is
    still the one it set (else a later change, maybe another device's, superseded it). A note takes
    back that note alone. Anything else (reset --all, import) gives back the record as it was."""
    before = change.entry_before(rid, current)
    sets = SETS.get(change.action)
    if sets is not None and current is not None:
        if current.status is not sets:
            return current
        if before is None:
            return (
                None
                if not current.notes
                else current._replace(status=Status.TODO, updated=change.at, done_at=None, started_at=None)
            )
        return current._replace(
            status=before.status, updated=before.updated, done_at=before.done_at, started_at=before.started_at
        )
    if change.action == "note" and current is not None:
        if rid in change.notes_added:
            return before
        kept = {_key(n) for n in before.notes} if before else set()
        notes = tuple(n for n in current.notes if _key(n) in kept or n.at != change.at)
        if before is None and not notes and current.status is Status.TODO:
            return None
        return current._replace(notes=notes)
    return before
