"""The progress file on disk: the only module that reads or writes it.

Reads never write. A file that cannot be trusted is refused with a message, never
"repaired" by starting afresh, so weeks of a learner's record are never lost.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from mlops_path.core.errors import ProgressError
from mlops_path.core.progress import SCHEMA_VERSION, Progress

T = TypeVar("T")


def read_progress(file: Path) -> Progress:
    """The progress in `file`; an empty record when there is no file yet."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return Progress()
    except OSError as exc:
        raise ProgressError(f"Cannot read the progress file {file}: {exc.strerror or exc}.") from None
    return parse_progress(data, file)


def parse_progress(data: bytes, file: Path) -> Progress:
    def broken(what: str) -> ProgressError:
        return ProgressError(f"The progress file {file} {what}; it was left untouched.")

    if b"\x00" in data:
        raise broken("contains NUL bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise broken("is not valid UTF-8") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise broken("is nested too deeply to be a progress file") from None
    except json.JSONDecodeError as exc:
        raise broken(f"is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise broken("does not hold a JSON object")
    version = raw.get("version")
    if type(version) is not int or version < 1:
        raise broken("has no valid schema version")
    if version > SCHEMA_VERSION:
        raise broken(f"was written by a newer mlops-path (schema {version}); upgrade mlops-path to use it")
    try:
        return Progress.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise broken(f"has a bad value at {where}: {first['msg'].lower()}") from None


def update_progress(file: Path, change: Callable[[Progress], tuple[Progress, T]]) -> T:
    """Read, change and write back the progress; write nothing if nothing changed."""
    before = read_progress(file)
    after, result = change(before)
    if after != before:
        write_atomically(file, after.to_json().encode("utf-8"))
    return result


def write_atomically(file: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, replace: the old file or the new, never half of one."""
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            _remove_quietly(tmp)
            raise
        os.replace(tmp, file)
    except OSError as exc:
        _remove_quietly(tmp)
        raise ProgressError(f"Cannot write the progress file {file}: {exc.strerror or exc}.") from None


def _remove_quietly(file: Path) -> None:
    try:
        file.unlink(missing_ok=True)
    except OSError:
        pass
