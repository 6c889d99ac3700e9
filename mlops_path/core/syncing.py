"""The sync commands and the two moments sync acts on its own: after every change (this device's
file is written into the shared place) and before every command (the other devices' files that
changed are merged in). Only `sync` and `sync init --git` use the network, through git."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from mlops_path.core import gitsync, home, store
from mlops_path.core.errors import FileProblem, ProgressError, UsageError
from mlops_path.core.progress import Progress, now
from mlops_path.core.sync import (
    FOLDER,
    SyncConfig,
    changed_files,
    merge,
    my_device_files,
    new_device_id,
    publish,
    read_mine,
    remember_merged,
    same_learner,
)
from mlops_path.core.syncfile import DeviceFile, Skipped, read_device_file

Warn = Callable[[str], None]


def catch_up(file: Path, progress: Progress, warn: Warn, everything: bool = False) -> Progress:
    """Merge the other devices' files that changed since they were last merged here (all of them
    with `everything`). The merge is saved when it can be; on a read-only disk it is only shown."""
    config = SyncConfig.of(progress)
    if config is None or not config.on:
        return progress
    files, stats = changed_files(config)
    if everything:
        files = my_device_files(config)
    if not files:
        return progress
    others = read_mine(files, config, warn)
    merged = merge(progress, others, config.device)
    if merged is not progress:
        try:
            merged = store.update_progress(file, lambda p: _merged(p, others, config.device))
        except ProgressError:
            return merged  # shown, not saved: the files are read again next time
    remember_merged(config, stats)
    return merged


def _merged(progress: Progress, others: list[DeviceFile], device: str) -> tuple[Progress, Progress]:
    merged = merge(progress, others, device)
    return merged, merged


def after_change(progress: Progress, warn: Warn) -> None:
    """Write this device's file into the shared place; a failure only warns (the change is saved)."""
    config = SyncConfig.of(progress)
    if config is None or not config.on:
        return
    try:
        publish(progress, config, now())
    except FileProblem as exc:
        warn(str(exc))


class SyncReport(NamedTuple):
    config: SyncConfig
    file: Path
    message: str


def init(file: Path, folder: Path | None, url: str | None, name: str | None, share_notes: bool, warn: Warn) -> SyncReport:
    """Set up sync through a folder or a git remote, then sync once."""
    if (folder is None) == (url is None):
        raise UsageError("Give a folder to sync through, or --git URL (not both).")
    progress = store.read_progress(file)
    old = SyncConfig.of(progress)
    learner = (name or (old.learner if old else None) or _user_name()).strip()
    if not learner or len(learner) > 100 or any(not c.isprintable() for c in learner):
        raise UsageError("--name wants a display name of 1 to 100 printable characters.")
    device = old.device if old else new_device_id()
    if folder is not None:
        place = folder.expanduser().resolve()
        if not place.is_dir():
            raise FileProblem(f"The folder {place} does not exist; create it, or give the folder Syncthing or Dropbox keeps in sync.")
        engine = "folder"
    else:
        place = home.user_home() / "sync" / "repo"
        gitsync.clone(url, place)
        engine = "git"
    config = SyncConfig(engine, place, url, learner, device, share_notes)
    store.update_progress(file, lambda p: (p._replace(sync=config.to_dict(), clock=p.clock or (0, 0)), None))
    return sync_now(file, warn)


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def sync_now(file: Path, warn: Warn) -> SyncReport:
    """Catch up with every other device's file, write this device's, and with git, commit and push."""
    progress = store.read_progress(file)
    config = SyncConfig.of(progress)
    if config is None or not config.on:
        raise UsageError("Sync is off; `mlops-path sync init FOLDER` or `mlops-path sync init --git URL` sets it up.")
    try:
        if config.engine == "git":
            gitsync.pull(config.place)
        progress = catch_up(file, progress, warn, everything=True)
        device_file = publish(progress, config, now())
        message = "folder synced"
        if config.engine == "git":
            committed = gitsync.commit(config.place, device_file, config.learner, config.device)
            gitsync.push(config.place)
            message = "pushed" if committed else "up to date"
    except FileProblem as exc:
        _record(file, now(), False, str(exc))
        raise
    _record(file, now(), True, message)
    return SyncReport(config, device_file, message)


def _record(file: Path, at: datetime, ok: bool, message: str) -> None:
    def change(progress: Progress) -> tuple[Progress, None]:
        config = SyncConfig.of(progress)
        last = {"at": at.isoformat().replace("+00:00", "Z"), "ok": ok, "message": message}
        return progress._replace(sync=config._replace(last_sync=last).to_dict()), None

    try:
        store.update_progress(file, change)
    except ProgressError:
        pass  # the result is only a report; failing to keep it loses nothing


def set_off(file: Path) -> SyncConfig:
    """Stop syncing; local progress (and the files already shared) stay as they are."""

    def change(progress: Progress) -> tuple[Progress, SyncConfig]:
        config = SyncConfig.of(progress)
        if config is None or not config.on:
            raise UsageError("Sync is already off.")
        return progress._replace(sync=config._replace(engine=None).to_dict()), config

    return store.update_progress(file, change)


def set_share_notes(file: Path, on: bool, warn: Warn) -> SyncConfig:
    def change(progress: Progress) -> tuple[Progress, SyncConfig]:
        config = SyncConfig.of(progress)
        if config is None:
            raise UsageError("Sync is not set up; `mlops-path sync init ... --share-notes` shares notes from the start.")
        config = config._replace(share_notes=on)
        return progress._replace(sync=config.to_dict()), config

    config = store.update_progress(file, change)
    after_change(store.read_progress(file), warn)
    return config


class SeenDevice(NamedTuple):
    learner: str
    device: str
    last_change: datetime
    mine: bool  # one of this learner's devices
    this_device: bool


class SyncStatus(NamedTuple):
    config: SyncConfig | None
    devices: list[SeenDevice]
    skipped: list[tuple[Path, str]]


def status(file: Path) -> SyncStatus:
    config = SyncConfig.of(store.read_progress(file))
    if config is None or not config.on:
        return SyncStatus(config, [], [])
    devices, skipped = [], []
    for path in sorted((config.place / FOLDER).glob("*/*.json")):
        try:
            other = read_device_file(path)
        except Skipped as exc:
            skipped.append((path, str(exc)))
            continue
        mine = same_learner(other.learner, config.learner)
        last = max((e.updated for e in other.resources.values()), default=other.exported_at)
        devices.append(SeenDevice(other.learner, other.device, last, mine, mine and other.device == config.device))
    devices.sort(key=lambda d: (not d.mine, d.learner.casefold(), d.device))
    return SyncStatus(config, devices, skipped)
