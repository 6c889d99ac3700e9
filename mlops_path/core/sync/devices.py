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
import stat
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core import cache
from mlops_path.core.errors import FileProblem
from mlops_path.core.files import atomic_write, cause, read_regular, remove_quietly
from mlops_path.core.limits import (
    MAX_DEVICE_FILES,
    MAX_FOLDER_ENTRIES,
    MAX_HISTORY,
    MAX_LEARNER_SLUG,
    MAX_SYNC_FILE_BYTES,
)
from mlops_path.core.progress.clock import epoch_ms, order, with_clock
from mlops_path.core.progress.record import MERGE, NOTHING, Change, Entry, Note, Progress, Records, iso
from mlops_path.core.sync.device_file import SYNC_FORMAT, SYNC_VERSION, DeviceFile, Skipped, read_device_file, validated
from mlops_path.core.sync.engines import ENGINES, Engine
from mlops_path.core.sync.layout import FOLDER, device_of, learner_folders, writing_folder


class SyncConfig(NamedTuple):
    """What `sync init` set up, kept in the progress file (`sync`)."""

    engine: str | None  # "folder", "git", or None once `sync off`
    place: Path | None  # the synced folder, or the local clone of the git repository
    url: str | None  # the git remote
    learner: str
    device: str
    share_notes: bool = False
    last_sync: Mapping[str, Any] | None = None
    known_devices: Mapping[str, str] = NOTHING  # device id -> the name it syncs under, as written
    device_name: str | None = None  # this device's name for people ("laptop"), default the host name
    key: str | None = None  # derived from the learner's sync secret (`sync.secret`); None: no secret

    @classmethod
    def of(cls, progress: Progress) -> SyncConfig | None:
        data = progress.sync
        if not data:
            return None
        place = data.get("place")
        return cls(
            data.get("engine"),
            Path(place) if place else None,
            data.get("url"),
            data["learner"],
            data["device"],
            bool(data.get("share_notes")),
            data.get("last_sync"),
            data.get("known_devices") or NOTHING,
            data.get("device_name"),
            data.get("key"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "place": str(self.place) if self.place else None,
            "url": self.url,
            "learner": self.learner,
            "device": self.device,
            "share_notes": self.share_notes,
            "last_sync": dict(self.last_sync) if self.last_sync else None,
            "known_devices": dict(self.known_devices),
            "device_name": self.device_name,
            "key": self.key,
        }

    @property
    def on(self) -> bool:
        """For reports only: code that needs sync takes a `Synced`, which is on by its type."""
        return Synced.of_config(self) is not None


class Synced(SyncConfig):
    """The settings of sync that is on: a known engine and a place. Code that needs the shared
    place takes a `Synced` (got once, from `Synced.of`), so no caller checks a flag, and `shared`
    and `via` are never None."""

    __slots__ = ()

    @classmethod
    def of(cls, progress: Progress) -> Synced | None:
        """Sync as set up in `progress`, or None when it is not set up or is off."""
        return cls.of_config(SyncConfig.of(progress))

    @classmethod
    def of_config(cls, config: SyncConfig | None) -> Synced | None:
        if config is None or config.place is None or config.engine not in ENGINES:
            return None
        return cls(*config)

    @property
    def shared(self) -> Path:
        """The shared place: the synced folder, or the clone of the group's repository."""
        assert self.place is not None  # by construction (of_config)
        return self.place

    @property
    def via(self) -> Engine:
        """The engine that moves the files between devices."""
        return ENGINES[self.engine or ""]

    def learner_folder(self) -> Path:
        """Where this device writes (`sync.layout`: the sharded layout, or the first one if this
        learner's folder is there)."""
        return writing_folder(self.shared, learner_slug(self.learner))

    def device_file(self) -> Path:
        return self.learner_folder() / f"{self.device}.json"


def learner_slug(name: str) -> str:
    """A learner's folder name: their name in lowercase ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_LEARNER_SLUG]
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


def device_document(progress: Progress, config: SyncConfig, at: datetime) -> dict[str, Any]:
    """This device's file: statuses and times; notes only when the learner shares them."""
    resources = {}
    private: dict[str, Any] = {}
    for rid, entry in progress.resources.items():
        entry = with_clock(entry, config.device)
        if config.key and entry.notes:
            private[rid] = [n.to_dict() for n in entry.notes]
        if not config.share_notes:
            entry = entry._replace(notes=())
        resources[rid] = entry._replace(extra={}).to_dict()
    document = {
        "format": SYNC_FORMAT,
        "version": SYNC_VERSION,
        "learner": config.learner,
        "device": config.device,
        **({"device_name": config.device_name} if config.device_name else {}),
        "exported_at": iso(at),
        "clock": list(progress.clock or (0, 0)),
        "path": progress.default_path,
        "resources": resources,
    }
    if config.key:  # with a secret: notes travel to this learner's devices sealed; the file proves its writer
        from mlops_path.core.sync import secret

        if private:
            document["sealed_notes"] = secret.seal(config.key, private, config.learner, config.device)
        document["proof"] = secret.prove(config.key, document)
    return document


def publish(progress: Progress, config: Synced, at: datetime) -> Path:
    """Write this device's file into the shared place (atomically); FileProblem if it cannot be.

    Only ever inside this learner's own folder, never through a symbolic link (a link or a file
    where a folder should be is set aside first), and never what the reader of every other device
    would refuse. A file whose content is the same but for its time is left alone, so a sync with
    nothing new commits nothing."""
    if not config.shared.is_dir():
        raise FileProblem(
            f"The sync folder {config.shared} is missing; your progress is saved here and syncs when it is back."
        )
    document = device_document(progress, config, at)
    try:
        validated(config.device_file(), document, epoch_ms(at))
    except Skipped as exc:
        raise FileProblem(f"Your sync file was not written: it {exc}; your progress is saved here.") from None
    file = config.device_file()
    try:
        own_folder(config)
        _remove_own_temps(file)
        if _same_but_for_time(file, document):
            return file
        data = json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
        atomic_write(file, data)
    except OSError as exc:
        raise FileProblem(
            f"Cannot write your sync file {file}: {cause(exc)}; your progress is saved here and syncs later."
        ) from None
    return file


def own_folder(config: Synced) -> list[Path]:
    """Make `<place>/mlops-path/<learner>` real folders: whatever else stands there (a symbolic
    link, a file) is set aside as `<name>.aside-<time>`, so this device never writes outside the
    shared place. Returns what was set aside."""
    aside = []
    target = config.learner_folder()
    top = config.shared / FOLDER
    chain = [top, *([target.parent] if target.parent != top else []), target]
    for folder in chain:
        try:
            info = folder.lstat()
        except FileNotFoundError:
            folder.mkdir()
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        moved = folder.with_name(f"{folder.name}.aside-{os.urandom(4).hex()}")
        os.replace(folder, moved)
        aside.append(moved)
        folder.mkdir()
    return aside


def _remove_own_temps(file: Path) -> None:
    """Temp files of this device's own writes that a killed process left (we hold the lock)."""
    prefix = f".{file.name}."
    try:
        with os.scandir(file.parent) as entries:
            strays = [Path(e.path) for e in entries if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for stray in strays:
        remove_quietly(stray)


def _same_but_for_time(file: Path, document: dict[str, Any]) -> bool:
    try:
        old = json.loads(read_regular(file, MAX_SYNC_FILE_BYTES))
    except (OSError, ValueError):
        return False
    ignored = {"exported_at": None, "proof": None}  # the proof signs the time too
    return isinstance(old, dict) and {**old, **ignored} == {**document, **ignored}


# --- the join -----------------------------------------------------------------------------------------


def join(entries: Iterable[Entry], keep_notes_of: str | None = None) -> Entry:
    """One resource's records from several devices, joined (every record has a clock).

    `keep_notes_of`: a device whose notes no other device's removal can clear, because they never
    left it (its learner does not share notes)."""
    entries = list(entries)
    winner = max(entries, key=lambda e: order(e.clock))
    cleared = max((e.notes_cleared for e in entries if e.notes_cleared is not None), default=None)
    notes: dict[tuple[datetime, str], Note] = {}
    for entry in entries:
        for note in entry.notes:
            kept = keep_notes_of is not None and note.clock is not None and note.clock[2] == keep_notes_of
            if cleared is not None and order(note.clock) < cleared and not kept:
                continue
            key = (note.at, note.text)
            if key not in notes or order(note.clock) > order(notes[key].clock):
                notes[key] = note
    ordered = tuple(sorted(notes.values(), key=lambda n: (n.at, n.text)))
    return winner._replace(notes=ordered, notes_cleared=cleared)


def merge_devices(
    progress: Progress, others: Iterable[DeviceFile], device: str, at: datetime | None = None
) -> Progress:
    """`progress` joined with other devices' files: unchanged records stay as they are (so a
    merge that brings nothing new writes nothing); the clock moves past every clock seen.

    With `at`, what the merge changed is one entry of history (action "merge", naming the devices
    it came from), so a learner can see where a change came from; `undo` passes over it."""
    others = list(others)
    config = SyncConfig.of(progress)
    keep = device if config is not None and not config.share_notes else None
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
        joined = join([*([ours_clocked] if ours_clocked else []), *theirs], keep)
        if joined != ours_clocked:
            changed[rid] = joined
    if not changed and clock == (progress.clock or (0, 0)):
        return progress
    resources = Records({**dict(progress.resources), **changed}) if changed else progress.resources
    merged = progress._replace(resources=resources, clock=clock if progress.device else progress.clock)
    if changed and at is not None:
        names = {other.device: other.learner for other in others}
        sources = sorted({e.clock[2] for e in changed.values() if e.clock and e.clock[2] in names})
        source = ", ".join(f"device {d[:12]} ({names[d]})" for d in sources) or "other devices"
        change = Change(at, MERGE, tuple(changed), {rid: progress.resources.get(rid) for rid in changed}, source=source)
        merged = merged._replace(history=(*merged.history, change)[-MAX_HISTORY:])
    return merged


# --- catching up with the other devices ------------------------------------------------------------


class FolderListing(NamedTuple):
    files: list[Path]  # this learner's files (this device's own too), the most recently changed first
    stats: dict[str, list[int]]  # path -> [size, mtime_ns], to tell which changed since last time
    passed_over: int  # entries not looked at: over the limits (said once, in a warning)


def my_device_files(config: Synced) -> FolderListing:
    """This learner's files in both layouts, by the one rule of `sync.layout` (this device's own
    file too: another copy of this home may have written it), without following a link or opening
    anything: at most MAX_FOLDER_ENTRIES entries are looked at and MAX_DEVICE_FILES files kept,
    so a folder stuffed by someone else costs every command little."""
    found: list[tuple[int, str, Path, list[int]]] = []
    passed_over = 0
    for folder in learner_folders(config.shared, learner_slug(config.learner)):
        try:
            if not stat.S_ISDIR(folder.lstat().st_mode):
                continue
            with os.scandir(folder) as entries:
                for count, entry in enumerate(entries):
                    if count >= MAX_FOLDER_ENTRIES:
                        passed_over += 1
                        continue
                    if device_of(entry.name) is None:
                        continue
                    info = entry.stat(follow_symlinks=False)
                    found.append((info.st_mtime_ns, entry.path, Path(entry.path), [info.st_size, info.st_mtime_ns]))
        except OSError:
            continue
    found.sort(reverse=True)
    passed_over += max(0, len(found) - MAX_DEVICE_FILES)
    kept = found[:MAX_DEVICE_FILES]
    return FolderListing([path for *_, path, _ in kept], {key: st for _, key, _, st in kept}, passed_over)


def changed_files(config: Synced) -> tuple[list[Path], FolderListing]:
    """This learner's files whose size or modification time changed since they were last merged
    here, and the listing to remember once they are."""
    listing = my_device_files(config)
    seen = cache.load("sync-seen", _seen_key(config))
    seen = seen if isinstance(seen, dict) else {}
    return [f for f in listing.files if seen.get(str(f)) != listing.stats[str(f)]], listing


def remember_merged(config: Synced, listing: FolderListing) -> None:
    cache.save("sync-seen", _seen_key(config), listing.stats)


def _seen_key(config: Synced) -> str:
    """Which files were merged depends on the place, the learner and the secret: a new secret
    reads every file again (some only now prove they know it)."""
    import hashlib

    secret = hashlib.sha256(config.key.encode()).hexdigest()[:16] if config.key else "-"
    return f"{config.shared / FOLDER / learner_slug(config.learner)}:{secret}"


def read_mine(files: list[Path], config: SyncConfig, warn: Callable[[str], None], now_ms: int) -> list[DeviceFile]:
    """The usable files among `files`: this learner's, sound; each other one is named in a warning.
    This device's own file, or an engine's conflict copy of it, is read too (`copied_home` tells
    whether another copy of this home wrote it); any other file claiming this device's id is not."""
    usable = []
    unproven = 0
    for file in files:
        try:
            other = read_device_file(file, now_ms, config.key, config.learner)
        except Skipped as exc:
            unproven += "sync secret" in str(exc)
            warn(f"Skipped the sync file {file}: it {exc}.")
            continue
        if not same_learner(other.learner, config.learner):
            warn(f"Skipped the sync file {file}: it belongs to {other.learner!r}, not {config.learner!r}.")
            continue
        if other.device == config.device and device_of(file.name) != config.device:
            warn(f"Skipped the sync file {file}: it claims this device's id ({config.device}).")
            continue
        usable.append(other)
    if unproven and not any(other.device != config.device for other in usable):
        warn(
            "Your sync secret matches none of your other devices' files: check it with `mlops-path sync secret`; "
            "until then this device keeps its progress and works alone."
        )
    return usable


def copied_home(progress: Progress, others: Iterable[DeviceFile], device: str) -> bool:
    """Did another copy of this home write under this device's id? Every change this device made
    is in its progress file, so a file of this id holding a change stamped with it that the
    progress does not have (or a later clock) was written elsewhere: a data folder copied to
    another machine, or restored from a backup, whose copy syncs too. Only the file under this
    device's own name decides: the copy whose version an engine kept there keeps the id, and the
    other (whose version became a conflict copy, or was overwritten) takes a new one."""
    mine = progress.clock or (0, 0)
    for other in others:
        if other.device != device or other.file is None or other.file.name != f"{device}.json":
            continue  # a conflict copy alone does not say which copy keeps the id: the one whose file survived does
        if other.clock > mine:
            return True
        for rid, entry in other.resources.items():
            ours = progress.resources.get(rid)
            ours_clock = with_clock(ours, device).clock if ours is not None else None
            if entry.clock is not None and entry.clock[2] == device and order(entry.clock) > order(ours_clock):
                return True
    return False


def newcomers(config: SyncConfig, others: Iterable[DeviceFile]) -> dict[str, str]:
    """Devices under this learner's name not seen here before, with the name each writes: a new
    device, or someone writing under a look-alike of the name, is said once (`sync status` lists
    every device and the name it uses)."""
    return {o.device: o.learner for o in others if o.device not in config.known_devices}


def new_device_id() -> str:
    return os.urandom(8).hex()
