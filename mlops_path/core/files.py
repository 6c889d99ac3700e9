"""Small file helpers shared by the progress store, export/import and the study plan."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterable
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
        raw = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except RecursionError:
        raise NotAJsonObject("is nested too deeply") from None
    except _OddNumber as exc:
        raise NotAJsonObject(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise NotAJsonObject(f"is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise NotAJsonObject("does not hold a JSON object")
    if check_depth and too_deep(raw):
        raise NotAJsonObject(f"is nested more than {MAX_DEPTH} levels deep")
    return raw


class _OddNumber(ValueError):
    """A number no file of ours holds: checked on its text, before Python parses it (a JSON integer
    of thousands of digits would otherwise cost quadratic time, then hit Python's digit limit)."""


MAX_NUMBER_DIGITS = 20  # every number we write fits: clocks, counters, minutes, versions


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _OddNumber(f"holds a number of more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > 2 * MAX_NUMBER_DIGITS:
        raise _OddNumber(f"holds a number of more than {2 * MAX_NUMBER_DIGITS} characters")
    return float(text)


def _no_constant(text: str) -> float:
    raise _OddNumber(f"holds {text}, which is not a JSON number")


def read_at_most(file: Path, limit: int) -> bytes:
    """The file's bytes; an OSError (EFBIG) without reading further if it holds more than `limit`."""
    with file.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"it is larger than {limit // (1024 * 1024)} MiB, the most mlops-path reads")
    return data


def read_regular(file: Path, limit: int) -> bytes:
    """A file someone else may have put in a shared place: read only if it is a regular file, never
    through a symbolic link, and never blocking (a FIFO, a device or a socket is refused before a
    byte is read); an OSError (EFBIG) past `limit` bytes. The error's strerror says why in a few words."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "it is a symbolic link, which mlops-path does not follow here") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file")
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"it is larger than {_size(limit)}, the most mlops-path reads")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise OSError(errno.EFBIG, f"it is larger than {_size(limit)}, the most mlops-path reads")
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Is a parsed JSON or TOML value nested deeper than `limit`? Iterative: a hostile file cannot
    make the check itself recurse."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
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


PRIVATE = 0o600  # the progress file, its backups, the page: the learner's alone, whatever the umask


def atomic_write(target: Path, data: bytes, backup: Path | None = None, mode: int | None = None) -> None:
    """The old file or the new, never half of one: temp file beside it, fsync, replace, fsync folder.

    With `backup`, the file being replaced is kept there first. `mode` sets the file's permission
    bits exactly (PRIVATE for what only the learner may read); without it a new file is 0644 less
    the umask and a replaced one keeps its bits. Raises OSError with the old file intact and no temp
    file left.
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
            if mode is not None:
                os.fchmod(fd, mode)
            elif target.exists():
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
        atomic_write(backup, target.read_bytes(), mode=stat.S_IMODE(target.stat().st_mode))
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


def private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) if missing; a folder created here is 0700, whatever the
    umask. An existing folder keeps its permissions: the learner may have chosen them."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return
    os.chmod(folder, 0o700)


def remove_quietly(file: Path) -> None:
    with contextlib.suppress(OSError):
        file.unlink(missing_ok=True)


def cause(exc: OSError) -> str:
    return (exc.strerror or str(exc)).rstrip(".")
