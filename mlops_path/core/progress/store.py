"""The progress file on disk: the only module that reads or writes it.

The write protocol, in one place: resolve symlinks; hold an exclusive lock on a lock file
beside the target across read -> validate -> change -> write; write a temp file in the same
folder, fsync it, keep the previous file as `<name>.bak`, replace, fsync the folder.
Reads take no lock and never write. A file that cannot be trusted is refused, never
"repaired" by starting afresh: weeks of a learner's record are never lost.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from mlops_path.core import cache
from mlops_path.core.errors import ProgressError
from mlops_path.core.files import (
    PRIVATE,
    NotAJsonObject,
    atomic_write,
    cause,
    fsync_folder,
    json_object,
    private_folder,
    remove_quietly,
)
from mlops_path.core.progress.record import SCHEMA_VERSION, Progress, migrate

T = TypeVar("T")

LOCK_TIMEOUT_ENV = "MLOPS_PATH_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 5.0


class Unreadable(ProgressError):
    """The progress file exists but cannot be trusted; `reason` says why, in a few words."""

    def __init__(self, file: Path, reason: str):
        self.file, self.reason = file, reason
        backup = backup_file(file)
        way_out = f"restore the backup {backup}" if _is_sound(backup) else "start afresh"
        super().__init__(
            f"The progress file {file} {reason}, so it was left untouched; `mlops-path doctor --repair` would set "
            f"it aside and {way_out}."
        )


def backup_file(file: Path) -> Path:
    return file.with_name(file.name + ".bak")


def read_progress(file: Path, verify: bool = False) -> Progress:
    """The progress in `file`; an empty record when there is no file yet. Takes no lock.

    `verify` validates every record even if these bytes were validated before (`doctor`).
    """
    progress, _ = _read(file, verify)
    return progress


def _read(file: Path, verify: bool = False) -> tuple[Progress, int | None]:
    """The progress (migrated in memory) and the schema version on disk (None: no file)."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return Progress(), None
    except OSError as exc:
        raise ProgressError(f"Cannot read the progress file {file}: {cause(exc)}.") from None
    return parse_progress(data, file, verify)


def parse_progress(data: bytes, file: Path, verify: bool = False) -> tuple[Progress, int]:
    """The progress in `data` and its schema version on disk.

    Bytes this mlops-path validated or wrote before are not validated again (see `cache`).
    """
    try:
        raw = json_object(data)
    except NotAJsonObject as exc:
        raise Unreadable(file, str(exc)) from None
    version = raw.get("version")
    if type(version) is not int or version < 1:
        raise Unreadable(file, "has no valid schema version")
    raw = migrate(raw) if version < SCHEMA_VERSION else raw
    if not verify and cache.is_known_valid(data):
        try:
            return Progress.from_dict(raw, file), version
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # the cache was wrong: validate as if we had never seen the file
    progress = Progress.from_dict(_schema_checked(raw, version, file), file)
    cache.remember_valid(data)
    return progress, version


def _schema_checked(raw: dict[str, Any], version: int, file: Path) -> dict[str, Any]:
    from pydantic import ValidationError

    from mlops_path.core.schema import ProgressSchema

    try:
        return ProgressSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        if version > SCHEMA_VERSION:
            raise Unreadable(
                file, f"was written by a newer mlops-path (schema {version}); upgrade mlops-path to read it"
            ) from None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Unreadable(file, f"has a bad value at {where} ({first['msg'].lower()})") from None


def _is_sound(file: Path) -> bool:
    try:
        parse_progress(file.read_bytes(), file, verify=True)
    except (OSError, ProgressError):
        return False
    return True


def update_progress(
    file: Path, change: Callable[[Progress], tuple[Progress, T]], then: Callable[[Progress, bool], None] | None = None
) -> T:
    """Read, change and write back the progress under the lock; write nothing if nothing changed.

    `change` may raise to refuse: then nothing is written. `then(after, changed)` runs once the
    file is written, still under the lock (sync publishes this device's file there, so two
    processes of one home never write it at once)."""
    target = Path(os.path.realpath(file))
    with locked(target):
        before, version = _read(target)
        if version is not None and version > SCHEMA_VERSION:
            raise ProgressError(
                f"The progress file {target} was written by a newer mlops-path (schema {version}); "
                "upgrade mlops-path to change it (it was left untouched)."
            )
        after, result = change(before)
        if after != before:
            if version is not None and version < SCHEMA_VERSION:
                _keep_original(target, version)
            _write(target, after.to_json().encode("utf-8"), backup_file(target) if version is not None else None)
        if then is not None:
            then(after, after != before)
    return result


MAX_LOCK_TIMEOUT = 3600.0


def lock_timeout() -> float:
    """$MLOPS_PATH_LOCK_TIMEOUT seconds, from 0 to an hour; anything else (nan, inf, words) is
    the default."""
    try:
        seconds = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT
    return seconds if 0 <= seconds <= MAX_LOCK_TIMEOUT else DEFAULT_LOCK_TIMEOUT


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """An exclusive OS lock on `<target>.lock`; never a soft (file-exists) lock."""
    with exclusive(target.with_name(target.name + ".lock"), lock_timeout(), f"Cannot write the progress file {target}"):
        _remove_stray_temps(target)
        yield


@contextmanager
def exclusive(lock_path: Path, timeout: float, cannot: str) -> Iterator[None]:
    """An exclusive OS lock on `lock_path`, released by the OS if the process dies (kill -9)."""
    from filelock import Timeout, UnixFileLock, WindowsFileLock

    lock_class = WindowsFileLock if os.name == "nt" else UnixFileLock
    try:
        private_folder(lock_path.parent)
        lock = lock_class(lock_path, timeout=timeout, fallback_to_soft=False)
        lock.acquire()
    except Timeout:
        raise ProgressError(
            f"Another mlops-path seems to be running: {lock_path} stayed locked for {timeout:g} seconds; try again."
        ) from None
    except OSError as exc:
        raise ProgressError(f"{cannot}: {cause(exc)}.") from None
    try:
        yield
    finally:
        lock.release()


def _remove_stray_temps(target: Path) -> None:
    """Temp files left by a writer that was killed; safe to remove while we hold the lock."""
    for stray in target.parent.glob(f".{target.name}*.tmp"):
        remove_quietly(stray)


def _keep_original(target: Path, version: int) -> None:
    """Before the first write that migrates a file, keep the original once, untouched."""
    original = target.with_name(f"{target.name}.v{version}.bak")
    if not original.exists():
        _write(original, target.read_bytes(), backup=None)


def _write(target: Path, data: bytes, backup: Path | None) -> None:
    try:
        atomic_write(target, data, backup, mode=PRIVATE)
    except OSError as exc:
        raise ProgressError(f"Cannot write the progress file {target}: {cause(exc)}; it was left as it was.") from None
    cache.remember_valid(data)  # we wrote it from validated data: the next read need not check it


def set_aside(target: Path) -> Path:
    """Move `target` to a new `<name>.broken-<time>[-N]` that nothing else has: a hard link
    fails rather than replace an existing file, so nothing set aside before is ever overwritten."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 10_000):
        aside = target.with_name(f"{target.name}.broken-{stamp}" + (f"-{attempt}" if attempt > 1 else ""))
        try:
            os.link(target, aside)
        except FileExistsError:
            continue
        except OSError:  # a filesystem without hard links: check, then rename (we hold the lock)
            if aside.exists():
                continue
            os.replace(target, aside)
            return aside
        os.unlink(target)
        fsync_folder(target.parent)
        return aside
    raise FileExistsError(f"too many files named {target.name}.broken-{stamp}*")


class Repair(NamedTuple):
    set_aside: Path | None
    restored_from: Path | None


def repair(file: Path) -> Repair:
    """Set an untrustworthy progress file aside (never delete it) and restore the backup if sound."""
    target = Path(os.path.realpath(file))
    with locked(target):
        try:
            _read(target, verify=True)
            return Repair(None, None)
        except Unreadable:
            pass
        try:
            aside = set_aside(target)
        except OSError as exc:
            raise ProgressError(f"Cannot set aside the progress file {target}: {cause(exc)}.") from None
        backup = backup_file(target)
        if _is_sound(backup):
            _write(target, backup.read_bytes(), backup=None)
            return Repair(aside, backup)
        return Repair(aside, None)
