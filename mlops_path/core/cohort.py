"""A study group's progress, read from the sync files in a folder (the sync place, or a clone of the
group's repository): per learner how far they are on a path, and per step where the group gets
stuck. Reading only: nothing here is merged into anyone's own progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core import cache
from mlops_path.core.catalog import Catalog, LearningPath
from mlops_path.core.progress import Entry, Progress, Records, Status, iso
from mlops_path.core.sync import join, learner_key, with_clock
from mlops_path.core.sync_layout import group_files
from mlops_path.core.syncfile import DeviceFile, Skipped, read_device_file

STUCK_AFTER = timedelta(days=14)  # a step started this long ago and not finished is "stuck"


class LearnerRow(NamedTuple):
    name: str
    done: int  # required steps done
    total: int  # required steps (not optional, not skipped)
    percent: int  # of required steps (not optional, not skipped), as everywhere: done/total share it
    current: str | None  # the step `next` would show them
    last_active: datetime | None
    days_inactive: int | None
    stuck: list[str]  # in progress for more than STUCK_AFTER
    statuses: dict[str, Status]  # step id -> status, for the grid
    you: bool = False  # the learner running the command
    devices: tuple[str, ...] = ()  # their devices' names (or ids)


class StepRow(NamedTuple):
    id: str
    title: str
    done: int
    in_progress: int
    skipped: int


class Cohort(NamedTuple):
    path: LearningPath
    learners: list[LearnerRow]
    steps: list[StepRow]
    generated: datetime
    engine: str | None = None  # the sync engine whose place this is (None: a folder given by hand)
    as_of: datetime | None = None  # with git: the last sync, when the clone last took the others' files


def sync_files(folder: Path) -> list[Path]:
    """The sync files under `folder` (the shared place, or its `mlops-path` folder), by the one
    rule of `sync_layout`: both layouts, conflict copies counted, other files passed over."""
    return group_files(folder)


def read_group(folder: Path, warn: Callable[[str], None]) -> dict[str, list[DeviceFile]]:
    """Each learner's device files (learners told apart by name, as sync does)."""
    if not folder.is_dir():
        from mlops_path.core.errors import FileProblem

        raise FileProblem(f"The folder {folder} does not exist.")
    group: dict[str, list[DeviceFile]] = {}
    key = str(folder.resolve())
    saved = cache.load("cohort-files", key)
    saved = saved if isinstance(saved, dict) else {}
    kept: dict[str, Any] = {}
    for file in sync_files(folder):
        device = _read_remembered(file, saved, kept, warn)
        if device is not None:
            group.setdefault(learner_key(device.learner), []).append(device)
    if kept != saved:
        cache.save("cohort-files", key, kept)
    return group


def _read_remembered(file: Path, saved: dict[str, Any], kept: dict[str, Any], warn: Callable[[str], None]) -> DeviceFile | None:
    """A device file, read again only if its size or time changed since the last cohort: a
    course of 10,000 learners is otherwise 10,000 files parsed and checked at every look. What is
    remembered is what the checks let through (statuses and times, no notes), so the cache, a
    hint like every cache here, never lets in what a fresh read would refuse."""
    try:
        info = file.lstat()
    except OSError:
        return None
    name, signature = str(file), [info.st_size, info.st_mtime_ns]
    hit = saved.get(name)
    if isinstance(hit, dict) and hit.get("signature") == signature:
        kept[name] = hit
        if hit.get("doc") is None:
            return None  # skipped before, and said so then
        try:
            return _device_from(file, hit["doc"])
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged cache entry: read the file again
    try:
        device = read_device_file(file)
    except Skipped as exc:
        warn(f"Skipped the sync file {file}: it {exc}.")
        kept[name] = {"signature": signature, "doc": None}
        return None
    kept[name] = {"signature": signature, "doc": _compact(device)}
    return device


def _compact(device: DeviceFile) -> dict[str, Any]:
    resources = {rid: e._replace(notes=()).to_dict() for rid, e in device.resources.items()}
    return {
        **{"learner": device.learner, "device": device.device, "name": device.device_name},
        **{"at": iso(device.exported_at), "clock": list(device.clock), "resources": resources},
    }


def _device_from(file: Path, doc: dict[str, Any]) -> DeviceFile:
    resources = {rid: Entry.from_dict(e) for rid, e in doc["resources"].items()}
    clock = (doc["clock"][0], doc["clock"][1])
    at = datetime.fromisoformat(doc["at"])
    return DeviceFile(file, doc["learner"], doc["device"], at, clock, None, resources, doc["name"])


def cohort_report(
    folder: Path,
    catalog: Catalog,
    path: LearningPath,
    at: datetime,
    warn: Callable[[str], None],
    me: str | None = None,
    engine: str | None = None,
    as_of: datetime | None = None,
) -> Cohort:
    """Every learner in `folder` on `path`; `me` (a learner's name) is marked as you."""
    from mlops_path.core.path import next_step, walk
    from mlops_path.core.summary import tally

    learners = []
    counts = {step: [0, 0, 0] for step in path.steps}
    for name_key, devices in read_group(folder, warn).items():
        entries: dict[str, list[Entry]] = {}
        for device in devices:
            for rid, entry in device.resources.items():
                entries.setdefault(rid, []).append(with_clock(entry, device.device))
        merged = {rid: join(found) for rid, found in entries.items()}
        steps = walk(catalog, path, Progress(resources=Records(merged)))
        last = max((e.updated for e in merged.values()), default=None)
        overall = tally(name_key, steps)
        current = next_step(steps)
        stuck = [s.id for s in steps if s.status is Status.IN_PROGRESS and _started(merged.get(s.id), at)]
        name = max(devices, key=lambda d: d.exported_at).learner
        you = me is not None and learner_key(me) == name_key
        labels = tuple(sorted({d.device_name or d.device for d in devices}))
        learners.append(LearnerRow(
            name, overall.done, overall.total,
            overall.percent, current.id if current else None,
            last, (at - last).days if last else None, stuck, {s.id: s.status for s in steps}, you, labels,
        ))  # fmt: skip
        for s in steps:
            row_counts = counts[s.id]
            row_counts[0] += s.status is Status.DONE
            row_counts[1] += s.status is Status.IN_PROGRESS
            row_counts[2] += s.status is Status.SKIPPED
    learners.sort(key=lambda row: (-row.percent, row.name.casefold()))
    step_rows = [StepRow(rid, catalog.by_id[rid].title, *counts[rid]) for rid in path.steps]
    return Cohort(path, learners, step_rows, at, engine, as_of)


def _started(entry: Entry | None, at: datetime) -> bool:
    started = entry.started_at or entry.updated if entry else None
    return started is not None and at - started > STUCK_AFTER
