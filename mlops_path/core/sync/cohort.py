"""A study group's progress, read from the sync files in a folder (the sync place, or a clone of the
group's repository): per learner how far they are on a path, and per step where the group gets
stuck. Reading only: nothing here is merged into anyone's own progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from mlops_path.core import cache
from mlops_path.core.catalog.model import Catalog, LearningPath
from mlops_path.core.progress.clock import epoch_ms, with_clock
from mlops_path.core.progress.record import STATUS, Entry, Status, iso
from mlops_path.core.sync.device_file import DeviceFile, Skipped, read_device_file
from mlops_path.core.sync.devices import join, learner_key
from mlops_path.core.sync.layout import group_entries

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


class Merged(NamedTuple):
    """One learner's devices joined, as much as a cohort needs: a course has thousands of them."""

    name: str  # as their most recently exported device writes it
    labels: tuple[str, ...]  # their devices' names (or ids)
    entries: dict[str, Any]  # resource id -> [status, updated ms, started ms or None]


class Place(NamedTuple):
    """One learner on one path, as far as it does not depend on the clock (so it can be remembered):
    a letter per step of the path (t todo, p in progress, d done, s skipped), when each step in
    progress started (ms), and their latest change (ms)."""

    marks: str
    since: list[int]
    last: int | None


class Placed(NamedTuple):
    name: str
    labels: tuple[str, ...]
    place: Place


MARKS = {Status.TODO: "t", Status.IN_PROGRESS: "p", Status.DONE: "d", Status.SKIPPED: "s"}
BY_MARK = {mark: status for status, mark in MARKS.items()}


class OnPath:
    """The one counting rule of `learning/summary`, applied to a learner's joined entries on one path."""

    def __init__(self, catalog: Catalog, path: LearningPath):
        import hashlib

        self.steps = [(rid, catalog.by_id[rid]) for rid in path.steps]
        shape = [[rid, resource.optional, list(resource.replaces)] for rid, resource in self.steps]
        self.key = hashlib.blake2b(repr(shape).encode(), digest_size=8).hexdigest()
        self._checked: dict[str, int] = {}  # marks seen sound -> how many steps in progress (-1: unsound)

    def place_of(self, found: dict[str, Any]) -> Place:
        marks, since = [], []
        for rid, resource in self.steps:
            entry = found.get(rid)
            if entry is None and resource.replaces:
                entry = max((found[old] for old in resource.replaces if old in found), key=lambda e: e[1], default=None)
            status = STATUS[entry[0]] if entry is not None else Status.TODO
            marks.append(MARKS[status])
            if entry is not None and status is Status.IN_PROGRESS:
                since.append(entry[2] if entry[2] is not None else entry[1])
        last = max((updated for _, updated, _ in found.values()), default=None)
        return Place("".join(marks), since, last)

    def sound(self, value: Any) -> Place | None:
        """A remembered place, if it has the shape the report reads (a cache is only a hint)."""
        if type(value) is not list or len(value) != 4 or value[0] != self.key or type(value[1]) is not str:
            return None
        _, marks, since, last = value
        progressing = self._checked.get(marks)
        if progressing is None:
            sound_marks = len(marks) == len(self.steps) and set(marks) <= BY_MARK.keys()
            progressing = self._checked.setdefault(marks, marks.count("p") if sound_marks else -1)
        if type(since) is not list or len(since) != progressing or any(type(t) is not int for t in since):
            return None
        return Place(marks, since, last) if last is None or type(last) is int else None


def read_group(folder: Path, warn: Callable[[str], None], on_path: OnPath) -> dict[str, Placed]:
    """Each learner's devices, joined (learners told apart by name, as sync does) and placed
    on the path.

    Caches, hints like every cache here, keyed on what is on disk: each file's checked content by
    its size and time (so a file is parsed and checked again only when it changed; loaded only
    then), and each learner's place by the size and time of all their files and the shape of
    the path (so a learner whose files did not change costs a dictionary look-up, and a learner
    who changed one file is joined again from the checked content). A course of 10,000 learners
    is otherwise 10,000 files read and joined at every look. What is remembered is only what the
    checks let through."""
    if not folder.is_dir():
        from mlops_path.core.errors import FileProblem

        raise FileProblem(f"The folder {folder} does not exist.")
    key = str(folder.resolve())
    index = _cached(
        _slot("cohort-index", key), key
    )  # path -> [size, mtime_ns, learner key or None]: small, read every time
    saved_learners = _cached(_slot("cohort-learners", key), key)
    listing = group_entries(folder)
    known = {name: index[name][2] for name, signature in listing if _same(index.get(name), signature)}
    files: Files = Files(key, warn)
    if len(known) < len(listing):
        files.load()  # some file changed: its content is read (and checked) again
    by_learner: dict[str, dict[str, list[int]]] = {}
    kept_index: dict[str, Any] = {}
    for name, signature in listing:
        learner = known[name] if name in known else files.learner_of(name, signature)
        kept_index[name] = [*signature, learner]
        if learner is not None:
            by_learner.setdefault(learner, {})[name] = signature
    group: dict[str, Placed] = {}
    kept_learners: dict[str, Any] = {}
    for learner, signatures in by_learner.items():
        remembered = saved_learners.get(learner)
        if not isinstance(remembered, dict):
            remembered = {}
        fresh = remembered.get("files") == signatures
        place = on_path.sound(remembered.get("place")) if fresh else None
        if place is not None and type(remembered.get("name")) is str and type(remembered.get("labels")) is list:
            group[learner] = Placed(remembered["name"], tuple(map(str, remembered["labels"])), place)
            kept_learners[learner] = remembered
            continue
        docs = [doc for name, signature in signatures.items() if (doc := files.doc(name, signature)) is not None]
        if not docs:
            continue
        merged = _join([_device_from(doc) for doc in docs])
        place = on_path.place_of(merged.entries)
        group[learner] = Placed(merged.name, merged.labels, place)
        kept_learners[learner] = {
            "files": signatures,
            "name": merged.name,
            "labels": list(merged.labels),
            "place": [on_path.key, *place],
        }
    files.save({name for name, _ in listing})
    if kept_index != index:
        cache.save(_slot("cohort-index", key), key, kept_index)
    if kept_learners.keys() != saved_learners.keys() or any(
        kept_learners[k] is not saved_learners.get(k) for k in kept_learners
    ):
        cache.save(_slot("cohort-learners", key), key, kept_learners)
    return group


def _same(entry: Any, signature: list[int]) -> bool:
    return isinstance(entry, list) and len(entry) == 3 and entry[:2] == signature


class Files:
    """The checked content of each device file, loaded only when a learner must be joined again."""

    def __init__(self, key: str, warn: Callable[[str], None]):
        self.key, self.warn = key, warn
        self.saved: dict[str, Any] | None = None
        self.kept: dict[str, Any] = {}

    def load(self) -> None:
        if self.saved is None:
            self.saved = _cached(_slot("cohort-files", self.key), self.key)

    def _hit(self, name: str, signature: list[int]) -> dict[str, Any] | None:
        self.load()
        assert self.saved is not None
        return _remembered(name, signature, self.saved, self.kept, self.warn)

    def learner_of(self, name: str, signature: list[int]) -> str | None:
        hit = self._hit(name, signature)
        return hit["key"] if hit is not None else None

    def doc(self, name: str, signature: list[int]) -> dict[str, Any] | None:
        hit = self.kept.get(name) or self._hit(name, signature)
        return hit.get("doc") if hit else None

    def save(self, listed: set[str]) -> None:
        """Keep what is still listed: entries read this time, and the others as they were."""
        if self.saved is None:
            return
        kept = {name: hit for name, hit in self.saved.items() if name in listed} | self.kept
        if kept != self.saved:
            cache.save(_slot("cohort-files", self.key), self.key, kept)


def _slot(name: str, key: str) -> str:
    """A cache file per folder: a learner who looks at two groups (or a benchmark that alternates)
    keeps both warm instead of each evicting the other."""
    import hashlib

    return f"{name}-{hashlib.blake2b(key.encode(), digest_size=6).hexdigest()}"


def _cached(name: str, key: str) -> dict[str, Any]:
    saved = cache.load(name, key)
    return saved if isinstance(saved, dict) else {}


def _remembered(
    name: str, signature: list[int], saved: dict[str, Any], kept: dict[str, Any], warn: Callable[[str], None]
) -> dict[str, Any] | None:
    """A device file's checked content (and its learner's key), read again only if its size or
    time changed since the last cohort; None for a file that fails its checks (said when read)."""
    hit = saved.get(name)
    if isinstance(hit, dict) and hit.get("signature") == signature and (hit.get("doc") is None or "key" in hit):
        kept[name] = hit
        return hit if hit.get("doc") is not None else None
    try:
        device = read_device_file(Path(name))
    except Skipped as exc:
        warn(f"Skipped the sync file {name}: it {exc}.")
        kept[name] = {"signature": signature, "doc": None}
        return None
    hit = {"signature": signature, "doc": _compact(device), "key": learner_key(device.learner)}
    kept[name] = hit
    return hit


def _compact(device: DeviceFile) -> dict[str, Any]:
    resources = {rid: e._replace(notes=()).to_dict() for rid, e in device.resources.items()}
    return {
        "learner": device.learner,
        "device": device.device,
        "name": device.device_name,
        "at": iso(device.exported_at),
        "clock": list(device.clock),
        "resources": resources,
    }


def _device_from(doc: dict[str, Any]) -> DeviceFile:
    """A remembered device file (no path: only a fresh read is ever named in a warning)."""
    resources = {rid: Entry.from_dict(e) for rid, e in doc["resources"].items()}
    clock = (doc["clock"][0], doc["clock"][1])
    at = datetime.fromisoformat(doc["at"])
    return DeviceFile(None, doc["learner"], doc["device"], at, clock, None, resources, doc["name"])


def _join(devices: list[DeviceFile]) -> Merged:
    """One learner's devices joined per resource, as sync joins them."""
    entries: dict[str, list[Entry]] = {}
    for device in devices:
        for rid, entry in device.resources.items():
            entries.setdefault(rid, []).append(with_clock(entry, device.device))
    joined = {rid: found[0] if len(found) == 1 else join(found) for rid, found in entries.items()}
    name = max(devices, key=lambda d: d.exported_at).learner
    labels = tuple(sorted({d.device_name or d.device for d in devices}))
    compact = {
        rid: (e.status.value, epoch_ms(e.updated), epoch_ms(e.started_at) if e.started_at else None)
        for rid, e in joined.items()
    }
    return Merged(name, labels, compact)


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
    """Every learner in `folder` on `path`; `me` (a learner's name) is marked as you.

    Counted by the one rule of `learning/summary` (required and optional apart, skipped leaving its count).
    A course has thousands of learners but few distinct places on a path: each learner is a
    remembered place (see `read_group`), and each distinct one is counted once."""
    on_path = OnPath(catalog, path)
    at_ms = epoch_ms(at)
    stuck_ms = STUCK_AFTER.total_seconds() * 1000
    my_key = learner_key(me) if me is not None else None
    shapes: dict[str, _Shape] = {}
    seen: Counter[str] = Counter()
    learners = []
    for name_key, learner in read_group(folder, warn, on_path).items():
        marks, since, last_ms = learner.place
        shape = shapes.get(marks) or shapes.setdefault(marks, _shape(on_path, marks))
        seen[marks] += 1
        stuck = [rid for rid, started in zip(shape.progressing, since, strict=True) if at_ms - started > stuck_ms]
        last = datetime.fromtimestamp(last_ms / 1000, UTC) if last_ms is not None else None
        days = (at - last).days if last else None
        you = name_key == my_key
        row = LearnerRow(learner.name, *shape.counted, last, days, stuck, shape.statuses, you, learner.labels)
        learners.append(row)
    learners.sort(key=lambda row: (-row.percent, row.name.casefold()))
    counts = {rid: Counter[str]() for rid in path.steps}
    for marks, many in seen.items():
        for rid, mark in zip(path.steps, marks, strict=True):
            counts[rid][mark] += many
    step_rows = [
        StepRow(rid, catalog.by_id[rid].title, counts[rid]["d"], counts[rid]["p"], counts[rid]["s"])
        for rid in path.steps
    ]
    return Cohort(path, learners, step_rows, at, engine, as_of)


class _Shape(NamedTuple):
    """What a learner's place on the path (their marks) comes to, the same for all who share it."""

    statuses: dict[str, Status]  # shared by those learners: read, never changed
    counted: tuple[int, int, int, str | None]  # done, total, percent, current
    progressing: list[str]  # the steps in progress, in path order


def _shape(on_path: OnPath, marks: str) -> _Shape:
    statuses = {rid: BY_MARK[mark] for (rid, _), mark in zip(on_path.steps, marks, strict=True)}
    required = done = 0
    current = first_open = None
    for (rid, resource), mark in zip(on_path.steps, marks, strict=True):
        if mark == "s":
            continue
        if not resource.optional:
            required += 1
            done += mark == "d"
        if mark == "p":
            current = current or rid
        elif mark == "t" and first_open is None:
            first_open = rid
    percent = 100 if not required else (100 * done) // required
    progressing = [rid for rid, status in statuses.items() if status is Status.IN_PROGRESS]
    return _Shape(statuses, (done, required, percent, current or first_open), progressing)
