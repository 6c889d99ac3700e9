"""Another device's sync file, read as untrusted input (like an import): size-limited, refused if
it is not one, from a newer mlops-path or of the wrong shape; validated into the records the join
uses. The checks are written by hand, not with pydantic: `cohort` reads a thousand of these and
every command may read a few, and importing and building the pydantic models costs more than
reading the files. They are strict all the same: no type is coerced.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core.files import NotAJsonObject, cause, json_object, read_at_most
from mlops_path.core.limits import MAX_ID, MAX_IMPORT_BYTES, MAX_NAME, MAX_NOTE, MAX_NOTES
from mlops_path.core.progress import STATUS, Clock, Entry, Note

SYNC_FORMAT = "mlops-path-sync"
SYNC_VERSION = 1


class DeviceFile(NamedTuple):
    """Another device's file, validated."""

    file: Path
    learner: str
    device: str
    exported_at: datetime
    clock: tuple[int, int]
    path: str | None
    resources: dict[str, Entry]


class Skipped(Exception):
    """A foreign file that cannot be used; the message says why, in a few words."""


def read_device_file(file: Path) -> DeviceFile:
    try:
        raw = json_object(read_at_most(file, MAX_IMPORT_BYTES), check_depth=False)  # `_validated` walks a fixed shape
    except OSError as exc:
        raise Skipped(f"cannot be read ({cause(exc)})") from None
    except NotAJsonObject as exc:
        raise Skipped(str(exc)) from None
    if raw.get("format") != SYNC_FORMAT:
        raise Skipped(f'is not an mlops-path sync file (no "format": "{SYNC_FORMAT}")')
    version = raw.get("version")
    if type(version) is int and version > SYNC_VERSION:
        raise Skipped(f"was written by a newer mlops-path (sync version {version}); upgrade mlops-path to read it")
    return _validated(file, raw)


# The checks are the export schema's (README: "Sync"), strict.
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DEVICE = re.compile(r"[0-9a-f]{1,64}")
_STATUSES = frozenset(("todo", "in-progress", "done", "skipped"))


class _Bad(Exception):
    def __init__(self, where: str, what: str):
        super().__init__(f"has a bad value at {where} ({what})")


def _text(value: Any, where: str, most: int, least: int = 0) -> str:
    if type(value) is not str or not least <= len(value) <= most:
        raise _Bad(where, f"expected text of {least} to {most} characters")
    return value


def _when(value: Any, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(_text(value, where, 40, 10))
    except ValueError:
        raise _Bad(where, "expected an ISO 8601 time") from None
    if at.tzinfo is None:
        raise _Bad(where, "expected a time with its offset")
    return at


def _maybe_when(value: Any, where: str) -> datetime | None:
    return None if value is None else _when(value, where)


def _stamp(value: Any, where: str) -> Clock | None:
    if value is None:
        return None
    if not (type(value) is list and len(value) == 3 and all(type(v) is int and 0 <= v < 2**53 for v in value[:2])
            and type(value[2]) is str and _DEVICE.fullmatch(value[2])):  # fmt: skip
        raise _Bad(where, "expected a clock [milliseconds, counter, device]")
    return (value[0], value[1], value[2])


def _entry(value: Any, where: str) -> Entry:
    if type(value) is not dict:
        raise _Bad(where, "expected an object")
    if value.get("status") not in _STATUSES:
        raise _Bad(f"{where}.status", "expected todo, in-progress, done or skipped")
    notes = value.get("notes", [])
    if type(notes) is not list or len(notes) > MAX_NOTES:
        raise _Bad(f"{where}.notes", f"expected a list of at most {MAX_NOTES} notes")
    parsed = []
    for i, note in enumerate(notes):
        if type(note) is not dict:
            raise _Bad(f"{where}.notes.{i}", "expected an object")
        parsed.append(Note(_when(note.get("at"), f"{where}.notes.{i}.at"), _text(note.get("text"), f"{where}.notes.{i}.text", MAX_NOTE),
                           _stamp(note.get("clock"), f"{where}.notes.{i}.clock")))  # fmt: skip
    return Entry(
        STATUS[value["status"]],
        _when(value.get("updated"), f"{where}.updated"),
        _maybe_when(value.get("done_at"), f"{where}.done_at"),
        _maybe_when(value.get("started_at"), f"{where}.started_at"),
        tuple(parsed),
        _stamp(value.get("clock"), f"{where}.clock"),
        _stamp(value.get("notes_cleared"), f"{where}.notes_cleared"),
    )


def _validated(file: Path, raw: dict[str, Any]) -> DeviceFile:
    try:
        learner = _text(raw.get("learner"), "learner", MAX_NAME, 1)
        device = raw.get("device")
        if type(device) is not str or not _DEVICE.fullmatch(device):
            raise _Bad("device", "expected up to 64 hexadecimal digits")
        clock = raw.get("clock")
        if not (type(clock) is list and len(clock) == 2 and all(type(v) is int and 0 <= v < 2**53 for v in clock)):
            raise _Bad("clock", "expected [milliseconds, counter]")
        path = raw.get("path")
        if path is not None and (type(path) is not str or len(path) > MAX_ID or not _SLUG.fullmatch(path)):
            raise _Bad("path", "expected a path id")
        resources = raw.get("resources")
        if type(resources) is not dict:
            raise _Bad("resources", "expected an object")
        entries = {}
        for rid, value in resources.items():
            if len(rid) > MAX_ID or not _SLUG.fullmatch(rid):
                raise _Bad(f"resources.{rid[:40]!r}", "expected a resource id")
            entries[rid] = _entry(value, f"resources.{rid}")
        return DeviceFile(file, learner, device, _when(raw.get("exported_at"), "exported_at"), (clock[0], clock[1]), path, entries)
    except _Bad as exc:
        raise Skipped(str(exc)) from None
