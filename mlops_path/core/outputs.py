"""Writing a file the user named (`view -o FILE`, `cohort --html FILE`, `plan --ics FILE`).

The name may be anything: a new file, an old one, a folder, a FIFO a script reads from, a
terminal, `/dev/stdout`, `/dev/null`. Replacing it with a regular file, the way an atomic write
does, is right only for a regular file: done to a device node as root, `-o /dev/null` would
replace the system's /dev/null. So, by what the target is when we look:

- missing, or a regular file (through any symlink): written atomically (the old file or the new,
  never half), the symlink kept; a read-only file is refused, also for root, who could write it;
- a FIFO or a character device (a terminal, /dev/null, /dev/full), or any name under /dev or
  /proc (such as /dev/stdout, whatever fd 1 is): written through, never created or replaced; a
  FIFO that no one reads is refused rather than waited on;
- a folder, a block device or a socket: refused.

A refusal is a FileProblem: one sentence, exit 1, and the target as it was.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from mlops_path.core.errors import FileProblem
from mlops_path.core.files import PRIVATE, atomic_write, cause

_THROUGH_ONLY = ("/dev/", "/proc/")  # names for things the system owns: never replaced


def write_output(target: Path, data: bytes, make_folder: bool = False, private: bool = False) -> Path:
    """Write `data` to the user's `target` as the module docstring says; return `target`.

    `private`: a regular file written here is 0600 whatever the umask (the page holds notes)."""
    try:
        _write(target, data, make_folder, PRIVATE if private else None)
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {cause(exc)}; nothing was written there.") from None
    return target


def _write(target: Path, data: bytes, make_folder: bool, mode: int | None) -> None:
    absolute = os.path.abspath(target)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is None:
        if absolute.startswith(_THROUGH_ONLY):
            raise OSError(errno.ENOENT, "there is no such device or file to write through")
        if make_folder:
            target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data, mode=mode)
        return
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder; give a file name")
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise OSError(errno.EINVAL, "it is a device or a socket, not a file")
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "it is read-only")
    if stat.S_ISREG(mode) and not absolute.startswith(_THROUGH_ONLY):
        atomic_write(Path(os.path.realpath(target)), data, mode=mode)
        return
    _write_through(target, data, append=stat.S_ISREG(mode))


def _write_through(target: Path, data: bytes, append: bool) -> None:
    """Write into what is there without creating or replacing it. O_NONBLOCK only for the open: a
    FIFO with no reader is an error (ENXIO) instead of a wait forever."""
    for fd in (1, 2):  # /dev/stdout onto a file: our own descriptor, whose offset the rest of the output shares
        try:
            if os.path.samestat(os.stat(target), os.fstat(fd)) and append:
                _write_all(fd, data)
                return
        except OSError:
            pass
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | (os.O_APPEND if append else 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(errno.ENXIO, "it is a FIFO that nothing is reading from") from None
        raise
    try:
        os.set_blocking(fd, True)
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
