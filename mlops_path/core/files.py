"""Small file helpers shared by the progress store, export/import and the study plan."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from mlops_path.core.limits import MAX_DEPTH


class NotAJsonObject(ValueError):
    """Bytes that are not one sound JSON object; the message says why, in a few words."""


def json_object(data: bytes, check_depth: bool = True) -> dict[str, Any]:
    """Parse bytes we did not write ourselves, refusing anything odd rather than guessing.

    `check_depth=False` is for a reader that walks only the structure it expects and drops the
    rest (so no depth can reach code that recurses); JSON deeper than Python's stack is refused
    either way."""
    if b"\x00" in data:
        raise NotAJsonObject("contains NUL bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAJsonObject("is not valid UTF-8") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise NotAJsonObject("is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise NotAJsonObject(f"is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise NotAJsonObject("does not hold a JSON object")
    if check_depth and too_deep(raw):
        raise NotAJsonObject(f"is nested more than {MAX_DEPTH} levels deep")
    return raw


def read_at_most(file: Path, limit: int) -> bytes:
    """The file's bytes; an OSError (EFBIG) without reading further if it holds more than `limit`."""
    with file.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"it is larger than {limit // (1024 * 1024)} MiB, the most mlops-path reads")
    return data


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Is a parsed JSON or TOML value nested deeper than `limit`? Iterative: a hostile file cannot
    make the check itself recurse."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def atomic_write(target: Path, data: bytes, backup: Path | None = None) -> None:
    """The old file or the new, never half of one: temp file beside it, fsync, replace, fsync folder.

    With `backup`, the file being replaced is kept there first. Raises OSError with the old file
    intact and no temp file left.
    """
    if not target.name or target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder; give a file name", str(target))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if target.exists():
                os.fchmod(fd, stat.S_IMODE(target.stat().st_mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        if backup is not None and target.exists():
            _keep_as(target, backup)
        os.replace(tmp, target)
        fsync_folder(target.parent)
    except BaseException:
        remove_quietly(tmp)
        raise


def _keep_as(target: Path, backup: Path) -> None:
    """Make `backup` the current file: a hard link costs no copy; fall back to copying."""
    staging = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
    try:
        os.link(target, staging)
    except OSError:
        atomic_write(backup, target.read_bytes())
        return
    os.replace(staging, backup)
    # If the backup already was this file (a writer killed between keeping the backup and
    # replacing the file leaves them as two links to one file), rename() does nothing and
    # leaves the staging link behind: remove it.
    remove_quietly(staging)


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a platform that cannot open folders (Windows) cannot fsync them either
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # EINVAL: this filesystem has no folder fsync
            raise
    finally:
        os.close(fd)


def remove_quietly(file: Path) -> None:
    try:
        file.unlink(missing_ok=True)
    except OSError:
        pass


def cause(exc: OSError) -> str:
    return (exc.strerror or str(exc)).rstrip(".")
