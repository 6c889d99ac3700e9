"""Where the learners' files live in the shared place, and which files count: one rule used by
`sync`, every command's catch-up, `sync status` and `cohort`, so no two of them can see a
different group.

Layout: `mlops-path/_<shard>/<learner>/<device>.json`, the shard two hex digits of a hash of the
learner's folder name, so that a course of 10,000 learners puts about 40 folders in each of 256
shards and no folder holds more than about a thousand entries. The first layout,
`mlops-path/<learner>/<device>.json`, is still read, and a learner whose folder exists there
keeps writing there (so the devices of one learner never split between two folders).

Which files count: `<device>.json`, and the copies sync engines leave when two writers changed
one file (Syncthing's `<device>.sync-conflict-<date>-<time>-<id>.json`, Dropbox's
`<device> (... conflicted copy ...).json`): a copy holds changes of the same learner, so it is
merged like any device file, never passed over. Anything else (a package.json, an engine's
temporary file, a hidden file) is not ours and is passed over without a word.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from mlops_path.core.limits import DEVICE_ID

FOLDER = "mlops-path"  # inside the shared place, so a shared folder can hold other things too

_NAME = re.compile(
    rf"(?P<device>{DEVICE_ID})"
    r"(?P<copy>\.sync-conflict-[0-9]{8}-[0-9]{6}-[0-9A-Z]{7}| \([^()/]{0,200}conflicted copy[^()/]{0,200}\))?"
    r"\.json"
)


def device_of(name: str) -> str | None:
    """The device id a file name is the file (or a conflict copy) of; None: not a sync file."""
    match = _NAME.fullmatch(name)
    return match["device"] if match else None


def is_conflict_copy(name: str) -> bool:
    match = _NAME.fullmatch(name)
    return bool(match and match["copy"])


def shard(slug: str) -> str:
    return "_" + hashlib.blake2b(slug.encode(), digest_size=1).hexdigest()


def learner_folders(place: Path, slug: str) -> tuple[Path, Path]:
    """A learner's folder in the sharded layout and in the first one."""
    return place / FOLDER / shard(slug) / slug, place / FOLDER / slug


def writing_folder(place: Path, slug: str) -> Path:
    """Where this learner's devices write: the first layout's folder if it is there, else the sharded one."""
    sharded, first = learner_folders(place, slug)
    try:
        if stat.S_ISDIR(first.lstat().st_mode):
            return first
    except OSError:
        pass
    return sharded


def _real_folders(folder: str) -> Iterator[os.DirEntry[str]]:
    """The sub-folders of `folder` that are folders themselves (never a link followed)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    yield entry
    except OSError:
        return


def group_files(base: Path) -> list[Path]:
    """Every file that counts under `base` (a shared place, or its `mlops-path` folder), in both
    layouts, sorted; no link is followed and nothing is opened."""
    return [Path(name) for name, _ in group_entries(base)]


def group_entries(base: Path) -> list[tuple[str, list[int]]]:
    """`group_files` with each file's [size, mtime_ns], from the folder listing (no further stat):
    a course of 10,000 learners is listed in one pass."""
    inner = base / FOLDER
    root = inner if inner.is_dir() else base
    learner_dirs: list[str] = []
    for entry in _real_folders(str(root)):
        if entry.name.startswith("_") and len(entry.name) == 3:
            learner_dirs += [sub.path for sub in _real_folders(entry.path)]
        else:
            learner_dirs.append(entry.path)
    found: list[tuple[str, list[int]]] = []
    for folder in learner_dirs:
        try:
            with os.scandir(folder) as entries:
                for e in entries:
                    if device_of(e.name) is not None:
                        info = e.stat(follow_symlinks=False)
                        found.append((e.path, [info.st_size, info.st_mtime_ns]))
        except OSError:
            continue
    return sorted(found)
