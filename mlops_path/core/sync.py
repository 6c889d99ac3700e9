"""Progress beyond one machine, the way git keeps history: each device writes only its own file
into a shared place (a folder some engine syncs, or a clone of a git repository), and every
device computes the same merged progress from all the files it has seen.

The shared place holds `mlops-path/<learner>/<device>.json`: the export format plus `learner`,
`device` and a hybrid logical clock (README: "Sync"). Merging is a join: per resource the record
with the latest clock wins (ties go to the larger device id); notes are a union, less those older
(by clock) than a change that removed notes there. A join is commutative, associative and
idempotent, so every device that has seen the same files shows the same progress, whatever the
order it saw them in. A foreign file is untrusted input: one that is unreadable, oversized, from
a newer mlops-path or hostile is skipped with a warning, and everything else still works.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core import cache
from mlops_path.core.errors import FileProblem
from mlops_path.core.files import atomic_write, cause
from mlops_path.core.progress import Clock, Entry, Note, Progress, Records, iso
from mlops_path.core.syncfile import SYNC_FORMAT, SYNC_VERSION, DeviceFile, Skipped, read_device_file

FOLDER = "mlops-path"  # inside the shared place, so a shared folder can hold other things too


class SyncConfig(NamedTuple):
    """What `sync init` set up, kept in the progress file (`sync`)."""

    engine: str | None  # "folder", "git", or None once `sync off`
    place: Path | None  # the synced folder, or the local clone of the git repository
    url: str | None  # the git remote
    learner: str
    device: str
    share_notes: bool = False
    last_sync: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, progress: Progress) -> SyncConfig | None:
        data = progress.sync
        if not data:
            return None
        place = data.get("place")
        return cls(data.get("engine"), Path(place) if place else None, data.get("url"), data["learner"], data["device"],
                   bool(data.get("share_notes")), data.get("last_sync"))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "place": str(self.place) if self.place else None, "url": self.url,
                "learner": self.learner, "device": self.device, "share_notes": self.share_notes,
                "last_sync": dict(self.last_sync) if self.last_sync else None}  # fmt: skip

    @property
    def on(self) -> bool:
        return self.engine is not None and self.place is not None

    def learner_folder(self) -> Path:
        return self.place / FOLDER / learner_slug(self.learner)

    def device_file(self) -> Path:
        return self.learner_folder() / f"{self.device}.json"


def learner_slug(name: str) -> str:
    """A learner's folder name: their name in lowercase ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]
    if not slug:
        import hashlib

        slug = "learner-" + hashlib.sha256(name.encode()).hexdigest()[:10]
    return slug


def learner_key(name: str) -> str:
    """Names that differ only in case, spacing at the ends or Unicode form are one learner."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def same_learner(a: str, b: str) -> bool:
    return learner_key(a) == learner_key(b)


# --- the device file --------------------------------------------------------------------------------


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def with_clock(entry: Entry, device: str) -> Entry:
    """An entry made before sync was set up carries no clock: its change time stands in."""
    notes = entry.notes
    if any(n.clock is None for n in notes):
        notes = tuple(n if n.clock is not None else n._replace(clock=(_ms(n.at), 0, device)) for n in notes)
    if entry.clock is None:
        return entry._replace(clock=(_ms(entry.updated), 0, device), notes=notes)
    return entry if notes is entry.notes else entry._replace(notes=notes)


def device_document(progress: Progress, config: SyncConfig, at: datetime) -> dict[str, Any]:
    """This device's file: statuses and times; notes only when the learner shares them."""
    resources = {}
    for rid, entry in progress.resources.items():
        entry = with_clock(entry, config.device)
        if not config.share_notes:
            entry = entry._replace(notes=())
        resources[rid] = entry._replace(extra={}).to_dict()
    return {
        "format": SYNC_FORMAT,
        "version": SYNC_VERSION,
        "learner": config.learner,
        "device": config.device,
        "exported_at": iso(at),
        "clock": list(progress.clock or (0, 0)),
        "path": progress.default_path,
        "resources": resources,
    }


def publish(progress: Progress, config: SyncConfig, at: datetime) -> Path:
    """Write this device's file into the shared place (atomically); FileProblem if it cannot be."""
    file = config.device_file()
    if not config.place.is_dir():
        raise FileProblem(f"The sync folder {config.place} is missing; your progress is saved here and syncs when it is back.")
    data = json.dumps(device_document(progress, config, at), indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        if file.exists() and file.read_bytes() == data:
            return file
        atomic_write(file, data)
    except OSError as exc:
        raise FileProblem(f"Cannot write your sync file {file}: {cause(exc)}; your progress is saved here and syncs later.") from None
    return file


# --- the join -----------------------------------------------------------------------------------------


def _order(clock: Clock | None) -> Clock:
    return clock if clock is not None else (-1, -1, "")


def join(entries: Iterable[Entry]) -> Entry:
    """One resource's records from several devices, joined (every record has a clock)."""
    entries = list(entries)
    winner = max(entries, key=lambda e: _order(e.clock))
    cleared = max((e.notes_cleared for e in entries if e.notes_cleared is not None), default=None)
    notes: dict[tuple[datetime, str], Note] = {}
    for entry in entries:
        for note in entry.notes:
            if cleared is not None and _order(note.clock) < cleared:
                continue
            key = (note.at, note.text)
            if key not in notes or _order(note.clock) > _order(notes[key].clock):
                notes[key] = note
    ordered = tuple(sorted(notes.values(), key=lambda n: (n.at, n.text)))
    return winner._replace(notes=ordered, notes_cleared=cleared)


def merge(progress: Progress, others: Iterable[DeviceFile], device: str) -> Progress:
    """`progress` joined with other devices' files: unchanged records stay as they are (so a
    merge that brings nothing new writes nothing); the clock moves past every clock seen."""
    foreign: dict[str, list[Entry]] = {}
    clock = progress.clock or (0, 0)
    for other in others:
        clock = max(clock, other.clock)
        for rid, entry in other.resources.items():
            foreign.setdefault(rid, []).append(entry)
            if entry.clock is not None:
                clock = max(clock, entry.clock[:2])
    changed: dict[str, Entry] = {}
    for rid, theirs in foreign.items():
        ours = progress.resources.get(rid)
        ours_clocked = with_clock(ours, device) if ours is not None else None
        joined = join([*([ours_clocked] if ours_clocked else []), *theirs])
        if joined != ours_clocked:
            changed[rid] = joined
    if not changed and clock == (progress.clock or (0, 0)):
        return progress
    resources = Records({**dict(progress.resources), **changed}) if changed else progress.resources
    return progress._replace(resources=resources, clock=clock if progress.device else progress.clock)


# --- catching up with the other devices ------------------------------------------------------------


def my_device_files(config: SyncConfig) -> list[Path]:
    """The files of this learner's other devices (never this device's own)."""
    try:
        return sorted(p for p in config.learner_folder().glob("*.json") if p.name != f"{config.device}.json")
    except OSError:
        return []


def _stats(files: list[Path]) -> dict[str, list[int]]:
    stats = {}
    for file in files:
        try:
            info = file.stat()
        except OSError:
            continue
        stats[file.name] = [info.st_size, info.st_mtime_ns]
    return stats


def changed_files(config: SyncConfig) -> tuple[list[Path], dict[str, list[int]]]:
    """The other devices' files whose size or modification time changed since they were last
    merged here, and the stats to remember once they are."""
    files = my_device_files(config)
    stats = _stats(files)
    seen = cache.load("sync-seen", str(config.learner_folder()))
    seen = seen if isinstance(seen, dict) else {}
    return [f for f in files if f.name in stats and seen.get(f.name) != stats[f.name]], stats


def remember_merged(config: SyncConfig, stats: dict[str, list[int]]) -> None:
    cache.save("sync-seen", str(config.learner_folder()), stats)


def read_mine(files: list[Path], config: SyncConfig, warn: Callable[[str], None]) -> list[DeviceFile]:
    """The usable files among `files`: this learner's, sound; each other one is named in a warning."""
    usable = []
    for file in files:
        try:
            other = read_device_file(file)
        except Skipped as exc:
            warn(f"Skipped the sync file {file}: it {exc}.")
            continue
        if not same_learner(other.learner, config.learner):
            warn(f"Skipped the sync file {file}: it belongs to {other.learner!r}, not {config.learner!r}.")
            continue
        usable.append(other)
    return usable


def new_device_id() -> str:
    return os.urandom(8).hex()
