"""The sync commands and the two moments sync acts on its own: after every change (this device's
file is written into the shared place) and before every command (the other devices' files that
changed are merged in). Only `sync` and `sync init --git` use the network, through git."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from mlops_path.core.errors import FileProblem, ProgressError, UsageError
from mlops_path.core.files import cause, read_regular
from mlops_path.core.limits import MAX_DEVICE_FILES, MAX_DEVICE_NAME, MAX_NAME, MAX_SYNC_FILE_BYTES
from mlops_path.core.progress import store
from mlops_path.core.progress.clock import epoch_ms
from mlops_path.core.progress.record import Note, Progress, iso, now
from mlops_path.core.sync.device_file import DeviceFile, read_each
from mlops_path.core.sync.devices import (
    FolderListing,
    SyncConfig,
    Synced,
    changed_files,
    copied_home,
    learner_key,
    merge_devices,
    new_device_id,
    newcomers,
    publish,
    read_mine,
    remember_merged,
    same_learner,
)
from mlops_path.core.sync.engines import ENGINES, Stage
from mlops_path.core.sync.layout import group_files

Warn = Callable[[str], None]


def catch_up(file: Path, progress: Progress, warn: Warn, everything: bool = False) -> Progress:
    """Merge the other devices' files that changed since they were last merged here (all of them
    with `everything`). The merge is saved when it can be; on a read-only disk it is only shown."""
    config = Synced.of(progress)
    if config is None:
        return progress
    others, listing = _others(config, warn, everything)
    if not others:
        return progress
    at = now()
    merged = merge_in(progress, others, at, warn)
    if merged is not progress:
        try:
            merged = store.update_progress(file, lambda p: _same(merge_in(p, others, at)))
        except ProgressError:
            return merged  # shown, not saved: the files are read again next time
    remember_merged(config, listing)
    return merged


def _same(progress: Progress) -> tuple[Progress, Progress]:
    return progress, progress


def _others(config: Synced, warn: Warn, everything: bool) -> tuple[list[DeviceFile], FolderListing]:
    """The other devices' files worth merging now (those that changed, or all), read and checked."""
    files, listing = changed_files(config)
    if everything:
        files = listing.files
    if listing.passed_over:
        warn(
            f"Passed over {listing.passed_over:,} entries of {config.learner_folder()}: mlops-path reads at most "
            f"{MAX_DEVICE_FILES} device files of one learner (the most recently changed)."
        )
    return read_mine(files, config, warn, epoch_ms(now())), listing


def merge_in(progress: Progress, others: list[DeviceFile], at: datetime, warn: Warn | None = None) -> Progress:
    """`progress` with `others` merged (what changed recorded in history), and every device not
    seen here before remembered; `warn` says once that it appeared, and under what name. When
    another copy of this home wrote under this device's id (`copied_home`), this device takes a new
    id and merges that copy's file as one of the learner's other devices."""
    config = Synced.of(progress)
    if config is None:
        return progress
    if copied_home(progress, others, config.device):
        old, new_id = config.device, new_device_id()
        if warn is not None:
            warn(
                f"Another copy of this data folder (a copied home?) also syncs as device {old}; this device now syncs "
                f"as {new_id}, and merges that copy as one of your devices."
            )
        config = config._replace(
            device=new_id, known_devices={**config.known_devices, old: config.learner, new_id: config.learner}
        )
        progress = progress._replace(sync=config.to_dict())
    merged = merge_devices(progress, others, config.device, at)
    if config.via.live and others and merged is not progress:  # a synced folder has no `sync` run to date
        config = config._replace(
            last_sync={"at": iso(at), "ok": True, "message": f"merged {len(others)} device file(s)"}
        )
        merged = merged._replace(sync=config.to_dict())
    new = {device: name for device, name in newcomers(config, others).items() if device != config.device}
    if not new:
        return merged
    if warn is not None:
        for device, name in new.items():
            alike = "" if name == config.learner else f" (a look-alike of {config.learner!r})"
            warn(
                f"A new device {device} syncs under your name as {name!r}{alike}; `mlops-path sync status` lists "
                f"your devices."
            )
    config = config._replace(known_devices={**config.known_devices, **new})
    return merged._replace(sync=config.to_dict())


def before_change(progress: Progress, warn: Warn, afterwards: list[Callable[[], None]]) -> Progress:
    """What every change starts from, under the lock: the other devices' new changes merged first,
    so the change's clock is past every clock seen here and it wins everywhere. `afterwards` gets
    what to do once the change is written (remember which files were merged)."""
    config = Synced.of(progress)
    if config is None:
        return progress
    others, listing = _others(config, warn, everything=False)
    afterwards.append(lambda: remember_merged(config, listing))
    return merge_in(progress, others, now(), warn) if others else progress


def after_change(progress: Progress, warn: Warn) -> None:
    """Write this device's file into the shared place; a failure only warns (the change is saved)."""
    config = Synced.of(progress)
    if config is None:
        return
    try:
        publish(progress, config, now())
    except FileProblem as exc:
        warn(str(exc))


class SyncReport(NamedTuple):
    config: SyncConfig
    file: Path
    message: str


class NameTaken(UsageError):
    """`sync init --name N` where devices that are not this learner's already sync as N: the CLI asks
    in a terminal (then runs again with join), and elsewhere this sentence is the answer (exit 2)."""

    def __init__(self, name: str, devices: list[DeviceFile]):
        self.name, self.devices = name, devices
        seen = ", ".join(sorted({d.device_name or d.device for d in devices})[:5])
        super().__init__(
            f"Someone already syncs as {name!r} here ({len(devices)} device{'s' * (len(devices) != 1)}: {seen}); "
            f"if that is you on another device, run this again with --join; if not, pick another --name."
        )


def init(
    file: Path,
    folder: Path | None,
    url: str | None,
    name: str | None,
    share_notes: bool | None,
    warn: Warn,
    join: bool = False,
    device_name: str | None = None,
    passphrase: str | None = None,
) -> SyncReport:
    """Set up sync through a folder or a git remote, then sync once. Run again, it keeps every
    setting it is not given (the name, the device's name, whether notes are shared)."""
    if (folder is None) == (url is None):
        raise UsageError("Give a folder to sync through, or --git URL (not both).")
    progress = store.read_progress(file)
    old = SyncConfig.of(progress)
    learner = (name or (old.learner if old else None) or _user_name()).strip()
    if not learner or len(learner) > MAX_NAME or any(not c.isprintable() for c in learner):
        raise UsageError(f"--name wants a display name of 1 to {MAX_NAME} printable characters.")
    label = (device_name or (old.device_name if old else None) or _host_name()).strip()
    if not label or len(label) > MAX_DEVICE_NAME or any(not c.isprintable() for c in label):
        raise UsageError(f"--device wants a name of 1 to {MAX_DEVICE_NAME} printable characters.")
    device = old.device if old else new_device_id()
    engine = ENGINES["folder" if folder is not None else "git"]
    with _one_sync_at_a_time(file):
        place = engine.set_up(folder, url)
    known = {**(old.known_devices if old else {}), device: learner}
    if not join:
        others = [d for d in _devices_named(place, learner) if d.device not in known]
        if others:
            raise NameTaken(learner, others)
    keep_notes = old.share_notes if old and share_notes is None else bool(share_notes)
    key = (
        _key(passphrase, learner)
        if passphrase is not None
        else (old.key if old and same_learner(old.learner, learner) else None)
    )
    config = SyncConfig(
        engine.name, place, url, learner, device, keep_notes, known_devices=known, device_name=label, key=key
    )
    store.update_progress(file, lambda p: (p._replace(sync=config.to_dict(), clock=p.clock or (0, 0)), None))
    return sync_now(file, warn)


MAX_GROUP_NOTE_FILES = 500  # the most recently changed files `show` reads for the group's notes


def group_notes(progress: Progress, resource_id: str, warn: Warn) -> list[tuple[str, Note]]:
    """(learner, note) for each note another learner shared on `resource_id`, oldest first."""
    config = Synced.of(progress)
    if config is None:
        return []
    files = group_files(config.shared)
    with suppress(OSError):
        files = sorted(files, key=lambda f: f.lstat().st_mtime_ns, reverse=True)[:MAX_GROUP_NOTE_FILES]
    found: dict[tuple[str, str | None, str], tuple[str, Note]] = {}
    for other in read_each(files):  # `sync` and `cohort` say which files they pass over
        entry = other.resources.get(resource_id)
        if entry is None or same_learner(other.learner, config.learner):
            continue
        for note in entry.notes:
            found[(learner_key(other.learner), iso(note.at), note.text)] = (other.learner, note)
    return sorted(found.values(), key=lambda pair: pair[1].at)


def _key(passphrase: str, learner: str) -> str:
    from mlops_path.core.sync import secret

    if len(passphrase) < secret.MIN_LENGTH:
        raise UsageError(f"A sync secret needs at least {secret.MIN_LENGTH} characters.")
    return secret.derive(passphrase, learner_key(learner))


def set_secret(file: Path, passphrase: str, warn: Warn) -> SyncConfig:
    """Give this device the learner's sync secret (or a new one: every device then needs it)."""

    def change(progress: Progress) -> tuple[Progress, SyncConfig]:
        config = SyncConfig.of(progress)
        if config is None:
            raise UsageError("Sync is not set up; `mlops-path sync init ... --secret` sets it up with a secret.")
        config = config._replace(key=_key(passphrase, config.learner))
        return progress._replace(sync=config.to_dict()), config

    return store.update_progress(file, change, lambda after, changed: after_change(after, warn) if changed else None)


def _devices_named(place: Path, learner: str) -> list[DeviceFile]:
    """The readable device files in `place` of whoever syncs under `learner`'s name."""
    return [other for other in read_each(group_files(place)) if same_learner(other.learner, learner)]


def _host_name() -> str:
    import socket

    return socket.gethostname().split(".")[0][:MAX_DEVICE_NAME] or "device"


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def sync_now(file: Path, warn: Warn) -> SyncReport:
    """Catch up with every other device's file, write this device's, and let the engine carry it
    (with git: commit and push).

    One sync at a time in one home (a lock the OS releases if the process is killed)."""
    config = Synced.of(store.read_progress(file))
    if config is None:
        raise UsageError("Sync is off; `mlops-path sync init FOLDER` or `mlops-path sync init --git URL` sets it up.")
    try:
        with _one_sync_at_a_time(file):
            message = config.via.sync(config, lambda stage: _publish_all(file, warn, stage))
    except FileProblem as exc:
        _record(file, now(), False, str(exc))
        raise
    _record(file, now(), True, message)
    return SyncReport(config, config.device_file(), message)


@contextmanager
def _one_sync_at_a_time(file: Path) -> Iterator[None]:
    with store.exclusive(file.with_name("sync.lock"), SYNC_LOCK_TIMEOUT, "Cannot sync"):
        yield


SYNC_LOCK_TIMEOUT = 300.0  # a second `sync` in the same home waits for the first (git may be slow)


def _publish_all(file: Path, warn: Warn, stage: Stage | None = None) -> None:
    """Merge every other device's file and publish this device's, under the progress lock; with
    git, stage it there too, so what is committed is exactly what was written."""
    listing: list[tuple[Synced, FolderListing]] = []
    at = now()

    def step(progress: Progress) -> tuple[Progress, None]:
        config = Synced.of(progress)
        if config is None:
            raise UsageError("Sync was turned off while it ran; nothing was written.")
        others, seen = _others(config, warn, everything=True)
        listing[:] = [(config, seen)]
        return merge_in(progress, others, at, warn), None

    def then(after: Progress, changed: bool) -> None:
        config = Synced.of(after)
        assert config is not None  # `step` made sure, under the same lock
        device_file = publish(after, config, now())
        if stage is not None:
            try:
                written = read_regular(device_file, MAX_SYNC_FILE_BYTES)
            except OSError as exc:
                raise FileProblem(f"Cannot read back your sync file {device_file}: {cause(exc)}.") from None
            stage(config, written)

    store.update_progress(file, step, then)
    for config, seen in listing:
        remember_merged(config, seen)


def _record(file: Path, at: datetime, ok: bool, message: str) -> None:
    def change(progress: Progress) -> tuple[Progress, None]:
        config = SyncConfig.of(progress)
        if config is None:  # sync was turned off meanwhile: nothing to report to
            return progress, None
        last = {"at": at.isoformat().replace("+00:00", "Z"), "ok": ok, "message": message}
        return progress._replace(sync=config._replace(last_sync=last).to_dict()), None

    with suppress(ProgressError):  # the result is only a report; failing to keep it loses nothing
        store.update_progress(file, change)


def set_off(file: Path) -> SyncConfig:
    """Stop syncing; local progress (and the files already shared) stay as they are."""

    def change(progress: Progress) -> tuple[Progress, SyncConfig]:
        config = Synced.of(progress)
        if config is None:
            raise UsageError("Sync is already off.")
        off = SyncConfig(*config)._replace(engine=None)
        return progress._replace(sync=off.to_dict()), off

    return store.update_progress(file, change)


def set_share_notes(file: Path, on: bool, warn: Warn) -> SyncConfig:
    def change(progress: Progress) -> tuple[Progress, SyncConfig]:
        config = SyncConfig.of(progress)
        if config is None:
            raise UsageError(
                "Sync is not set up; `mlops-path sync init ... --share-notes` shares notes from the start."
            )
        config = config._replace(share_notes=on)
        return progress._replace(sync=config.to_dict()), config

    return store.update_progress(file, change, lambda after, changed: after_change(after, warn) if changed else None)


class SeenDevice(NamedTuple):
    learner: str
    device: str
    last_change: datetime
    mine: bool  # one of this learner's devices
    this_device: bool
    look_alike: bool = False  # this learner's, under a name written differently (said when it first appeared)
    device_name: str | None = None


class SyncStatus(NamedTuple):
    config: SyncConfig | None
    devices: list[SeenDevice]
    skipped: list[tuple[Path, str]]


def status(file: Path) -> SyncStatus:
    progress = store.read_progress(file)
    config = Synced.of(progress)
    if config is None:
        return SyncStatus(SyncConfig.of(progress), [], [])
    devices: list[SeenDevice] = []
    skipped: list[tuple[Path, str]] = []
    for other in read_each(group_files(config.shared), lambda path, exc: skipped.append((path, str(exc)))):
        mine = same_learner(other.learner, config.learner)
        last = max((e.updated for e in other.resources.values()), default=other.exported_at)
        this = mine and other.device == config.device
        alike = mine and other.learner != config.learner
        devices.append(SeenDevice(other.learner, other.device, last, mine, this, alike, other.device_name))
    # an engine's conflict copy is the same device again: one line for it, with its latest change
    latest: dict[tuple[str, str], SeenDevice] = {}
    for device in devices:
        key = (learner_key(device.learner), device.device)
        if key not in latest or device.last_change > latest[key].last_change:
            latest[key] = device
    devices = sorted(latest.values(), key=lambda d: (not d.mine, d.learner.casefold(), d.device))
    return SyncStatus(config, devices, skipped)
