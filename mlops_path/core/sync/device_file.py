"""Another device's sync file, read as untrusted input (like an import): size-limited, refused if
it is not one, from a newer mlops-path or of the wrong shape; validated into the records the join
uses. The checks are written by hand, not with pydantic: `cohort` reads a thousand of these and
every command may read a few, and importing and building the pydantic models costs more than
reading the files. They are strict all the same: no type is coerced.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core.files import NotAJsonObject, cause, json_object, read_regular
from mlops_path.core.limits import (
    DEVICE_ID,
    EARLIEST_MS,
    MAX_CLOCK_COUNTER,
    MAX_CLOCK_SKEW_MS,
    MAX_DEVICE_NAME,
    MAX_ID,
    MAX_NAME,
    MAX_NOTE,
    MAX_NOTES,
    MAX_SYNC_FILE_BYTES,
    SLUG,
)
from mlops_path.core.progress.clock import Clock
from mlops_path.core.progress.record import STATUS, Entry, Note

SYNC_FORMAT = "mlops-path-sync"
SYNC_VERSION = 1


class DeviceFile(NamedTuple):
    """Another device's file, validated."""

    file: Path | None  # None: remembered by `cohort`, not read from disk this time
    learner: str
    device: str
    exported_at: datetime
    clock: tuple[int, int]
    path: str | None
    resources: dict[str, Entry]
    device_name: str | None = None  # the name its learner gave that device ("laptop")


class Skipped(Exception):
    """A foreign file that cannot be used; the message says why, in a few words."""


def read_device_file(
    file: Path, now_ms: int | None = None, key: str | None = None, learner: str | None = None
) -> DeviceFile:
    """`file` validated; Skipped if it is not a regular file, too large, or holds anything a device
    of ours would not write: a time before mlops-path existed or past `now_ms` (this device's clock)
    by more than the allowed skew, a clock no honest device could reach, a number too long to parse."""
    try:  # no depth check: `validated` walks a fixed shape
        raw = json_object(read_regular(file, MAX_SYNC_FILE_BYTES), check_depth=False)
    except OSError as exc:
        raise Skipped(f"cannot be read ({cause(exc)})") from None
    except NotAJsonObject as exc:
        raise Skipped(str(exc)) from None
    if raw.get("format") != SYNC_FORMAT:
        raise Skipped(f'is not an mlops-path sync file (no "format": "{SYNC_FORMAT}")')
    version = raw.get("version")
    if type(version) is int and version > SYNC_VERSION:
        raise Skipped(f"was written by a newer mlops-path (sync version {version}); upgrade mlops-path to read it")
    if key is not None and _named(raw, learner):
        raw = _opened(raw, key)
    return validated(file, raw, now_ms)


def read_each(files: Iterable[Path], skipped: Callable[[Path, Skipped], object] | None = None) -> Iterator[DeviceFile]:
    """Each device file among `files` that passes its checks; each other one is handed to
    `skipped` (to be listed or said), or passed over. The one loop of `sync status`, `sync init`'s
    check of the name and the group's notes (`sync` and `cohort` read with their caches)."""
    for file in files:
        try:
            yield read_device_file(file)
        except Skipped as exc:
            if skipped is not None:
                skipped(file, exc)


def _named(raw: dict[str, Any], learner: str | None) -> bool:
    """Is the file under `learner`'s name (so it must prove it knows their secret)?"""
    from mlops_path.core.sync.devices import same_learner

    return learner is None or (type(raw.get("learner")) is str and same_learner(raw["learner"], learner))


def _opened(raw: dict[str, Any], key: str) -> dict[str, Any]:
    """A file of this learner's, with a secret set: it must prove it knows the secret, and its sealed
    notes are opened into its records (then checked like any notes)."""
    from mlops_path.core.sync import secret

    if not secret.proves(key, raw):
        raise Skipped("does not prove it knows your sync secret (another secret, or someone posing as you)")
    sealed = raw.get("sealed_notes")
    if sealed is None:
        return raw
    learner, device = raw.get("learner"), raw.get("device")
    try:
        if isinstance(sealed, str) and isinstance(learner, str) and isinstance(device, str):
            notes = secret.unseal(key, sealed, learner, device)
        else:
            notes = None
    except secret.Tampered:
        notes = None
    resources = raw.get("resources")
    if type(notes) is not dict or type(resources) is not dict:
        raise Skipped("holds sealed notes that do not open with your sync secret (altered?)")
    opened = {
        rid: (dict(value, notes=notes[rid]) if rid in notes and type(value) is dict else value)
        for rid, value in resources.items()
    }
    return {**raw, "resources": opened}


# The checks are the export schema's (README: "Sync"), strict.
_SLUG = re.compile(SLUG)
_DEVICE = re.compile(DEVICE_ID)
_STATUSES = frozenset(("todo", "in-progress", "done", "skipped"))


class _Bad(Exception):
    def __init__(self, where: str, what: str):
        super().__init__(f"has a bad value at {where} ({what})")


class _Window(NamedTuple):
    """The times a foreign file may hold, in milliseconds: from mlops-path's first year to a little
    past this device's own clock, so no file can pin a step with a clock from the far future."""

    earliest: int
    latest: int

    def check(self, at_ms: int, where: str, earliest: bool = True) -> None:
        if earliest and at_ms < self.earliest:
            raise _Bad(where, "a time before 2024, older than mlops-path")
        if at_ms > self.latest:
            raise _Bad(where, "a time more than a day ahead of this device's clock")


def _bounded_text(value: Any, where: str, most: int, least: int = 0) -> str:
    if type(value) is not str or not least <= len(value) <= most:
        raise _Bad(where, f"expected text of {least} to {most} characters")
    return value


def _when(value: Any, where: str, window: _Window) -> datetime:
    try:
        at = datetime.fromisoformat(_bounded_text(value, where, 40, 10))
    except ValueError:
        raise _Bad(where, "expected an ISO 8601 time") from None
    if at.tzinfo is None:
        raise _Bad(where, "expected a time with its offset")
    try:
        at_ms = int(at.timestamp() * 1000)
    except (OverflowError, ValueError):  # year 1 with a positive offset falls before the first date
        raise _Bad(where, "a time out of range") from None
    window.check(at_ms, where)
    return at


def _maybe_when(value: Any, where: str, window: _Window) -> datetime | None:
    return None if value is None else _when(value, where, window)


def _is_count(value: Any, most: int) -> bool:
    return type(value) is int and 0 <= value < most


def _stamp(value: Any, where: str, window: _Window) -> Clock | None:
    if value is None:
        return None
    if not (
        type(value) is list
        and len(value) == 3
        and _is_count(value[0], 2**53)
        and _is_count(value[1], MAX_CLOCK_COUNTER)
        and type(value[2]) is str
        and _DEVICE.fullmatch(value[2])
    ):
        raise _Bad(where, "expected a clock [milliseconds, counter, device]")
    window.check(value[0], where, earliest=False)  # only the future can pin a step
    return (value[0], value[1], value[2])


def _entry(value: Any, where: str, window: _Window) -> Entry:
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
        at = _when(note.get("at"), f"{where}.notes.{i}.at", window)
        text = _bounded_text(note.get("text"), f"{where}.notes.{i}.text", MAX_NOTE)
        parsed.append(Note(at, text, _stamp(note.get("clock"), f"{where}.notes.{i}.clock", window)))
    return Entry(
        STATUS[value["status"]],
        _when(value.get("updated"), f"{where}.updated", window),
        _maybe_when(value.get("done_at"), f"{where}.done_at", window),
        _maybe_when(value.get("started_at"), f"{where}.started_at", window),
        tuple(parsed),
        _stamp(value.get("clock"), f"{where}.clock", window),
        _stamp(value.get("notes_cleared"), f"{where}.notes_cleared", window),
    )


def validated(file: Path, raw: dict[str, Any], now_ms: int | None = None) -> DeviceFile:
    """A device file's parsed JSON, checked by the rules every device reads with (this device
    checks its own document by them too before publishing it)."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    window = _Window(EARLIEST_MS, now_ms + MAX_CLOCK_SKEW_MS)
    try:
        learner = _bounded_text(raw.get("learner"), "learner", MAX_NAME, 1)
        device = raw.get("device")
        if type(device) is not str or not _DEVICE.fullmatch(device):
            raise _Bad("device", "expected up to 64 hexadecimal digits")
        clock = raw.get("clock")
        if not (
            type(clock) is list
            and len(clock) == 2
            and _is_count(clock[0], 2**53)
            and _is_count(clock[1], MAX_CLOCK_COUNTER)
        ):
            raise _Bad("clock", "expected [milliseconds, counter]")
        window.check(clock[0], "clock", earliest=False)
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
            entries[rid] = _entry(value, f"resources.{rid}", window)
        exported = _when(raw.get("exported_at"), "exported_at", window)
        device_name = raw.get("device_name")
        if device_name is not None:
            device_name = _bounded_text(device_name, "device_name", MAX_DEVICE_NAME, 1)
        return DeviceFile(file, learner, device, exported, (clock[0], clock[1]), path, entries, device_name)
    except _Bad as exc:
        raise Skipped(str(exc)) from None
