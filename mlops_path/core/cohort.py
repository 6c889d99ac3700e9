"""A study group's progress, read from the sync files in a folder (the sync place, or a clone of the
group's repository): per learner how far they are on a path, and per step where the group gets
stuck. Reading only: nothing here is merged into anyone's own progress."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from mlops_path.core.catalog import Catalog, LearningPath
from mlops_path.core.progress import Entry, Progress, Records, Status
from mlops_path.core.sync import FOLDER, join, learner_key, with_clock
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


DEVICE_FILE = re.compile(r"[0-9a-f]{1,64}\.json")  # a device file is named by its device id


def sync_files(folder: Path) -> list[Path]:
    """The sync files under `folder`: `mlops-path/<learner>/<device>.json`, or `<learner>/<device>.json`
    when `folder` is that `mlops-path` folder itself. Other JSON files there (a package.json, a
    cache) are not sync files and are passed over without a word."""
    inner = folder / FOLDER
    base = inner if inner.is_dir() else folder
    try:
        return sorted(p for p in base.glob("*/*.json") if DEVICE_FILE.fullmatch(p.name))
    except OSError:
        return []


def read_group(folder: Path, warn: Callable[[str], None]) -> dict[str, list[DeviceFile]]:
    """Each learner's device files (learners told apart by name, as sync does)."""
    if not folder.is_dir():
        from mlops_path.core.errors import FileProblem

        raise FileProblem(f"The folder {folder} does not exist.")
    group: dict[str, list[DeviceFile]] = {}
    for file in sync_files(folder):
        try:
            device = read_device_file(file)
        except Skipped as exc:
            warn(f"Skipped the sync file {file}: it {exc}.")
            continue
        group.setdefault(learner_key(device.learner), []).append(device)
    return group


def cohort_report(folder: Path, catalog: Catalog, path: LearningPath, at: datetime, warn: Callable[[str], None]) -> Cohort:
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
        learners.append(LearnerRow(
            name, overall.done, overall.total,
            overall.percent, current.id if current else None,
            last, (at - last).days if last else None, stuck, {s.id: s.status for s in steps},
        ))  # fmt: skip
        for s in steps:
            row_counts = counts[s.id]
            row_counts[0] += s.status is Status.DONE
            row_counts[1] += s.status is Status.IN_PROGRESS
            row_counts[2] += s.status is Status.SKIPPED
    learners.sort(key=lambda row: (-row.percent, row.name.casefold()))
    step_rows = [StepRow(rid, catalog.by_id[rid].title, *counts[rid]) for rid in path.steps]
    return Cohort(path, learners, step_rows, at)


def _started(entry: Entry | None, at: datetime) -> bool:
    started = entry.started_at or entry.updated if entry else None
    return started is not None and at - started > STUCK_AFTER
