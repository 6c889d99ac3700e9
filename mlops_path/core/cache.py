"""A small cache of work that is slow to repeat: parsed catalogs, and the digests of progress
files already validated. It is a hint, never an authority: entries are keyed on the exact bytes
of their sources (and this mlops-path's version); anything missing, stale, unreadable or that
fails its checks is simply rebuilt; and a cache folder that someone else could have written
(owned by another user, or writable by group or others) is not used at all: it only costs time.
Failing to write it (a read-only disk) is not an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache as once
from pathlib import Path
from typing import Any

from mlops_path import __version__
from mlops_path.core import home
from mlops_path.core.files import atomic_write

KEEP_DIGESTS = 8
KEEP_CATALOGS = 4  # several, so that commands alternating between sets of catalogs all hit


def digest(*parts: bytes) -> str:
    h = hashlib.blake2b(__version__.encode(), digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _file(name: str) -> Path:
    return home.cache_dir() / f"{name}.json"


refusal: str | None = None  # why the cache folder is not used, for MLOPS_PATH_DEBUG


def _usable() -> bool:
    return _usable_folder(home.cache_dir())


@once
def _usable_folder(folder: Path) -> bool:
    """May we read and write the cache folder? Only if we own it and no one else may write it."""
    global refusal
    try:
        info = folder.stat()
    except FileNotFoundError:
        return True  # we create it, private to us
    except OSError as exc:
        refusal = f"the cache folder {folder} cannot be read ({exc.strerror or exc})"
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        refusal = f"the cache folder {folder} belongs to another user, so it was not used"
    elif info.st_mode & 0o022:
        refusal = f"the cache folder {folder} is writable by group or others, so it was not used"
    return refusal is None


def load(name: str, key: str) -> Any | None:
    """The value saved under `name` if it was saved for this `key`; else None."""
    if not _usable():
        return None
    try:
        saved = json.loads(_file(name).read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(saved, dict) and saved.get("key") == key:
        return saved.get("value")
    return None


def save(name: str, key: str, value: Any) -> None:
    if not _usable():
        return
    file = _file(name)
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(file, json.dumps({"key": key, "value": value}, ensure_ascii=False).encode("utf-8"))
    except (OSError, TypeError, ValueError):
        pass  # a cache we cannot write is only slower


def is_known_valid(data: bytes) -> bool:
    """Were these exact bytes validated (or written) by this mlops-path before?"""
    digests = load("validated", "progress")
    return isinstance(digests, list) and digest(data) in digests


def remember_valid(data: bytes) -> None:
    digests = load("validated", "progress")
    digests = [d for d in digests if isinstance(d, str)] if isinstance(digests, list) else []
    current = digest(data)
    if current not in digests:
        save("validated", "progress", [*digests[-(KEEP_DIGESTS - 1) :], current])


def load_catalog_data(key: str) -> Any | None:
    return load(f"catalog-{key[:16]}", key)


def save_catalog_data(key: str, value: Any) -> None:
    """Save one linked catalog, keeping the few saved most recently."""
    save(f"catalog-{key[:16]}", key, value)
    if not _usable():
        return
    try:
        saved = sorted(home.cache_dir().glob("catalog-*.json"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in saved[KEEP_CATALOGS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
