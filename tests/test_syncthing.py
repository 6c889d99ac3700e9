"""Sync through a real engine: two devices of one learner, each with its own mlops-path home and its
own folder, the two folders kept in sync by two real Syncthing instances on 127.0.0.1 (issue 18).

A plain shared folder shows the merge; only a real engine shows what the learner's files go
through on the way: Syncthing's temporary files, its modification times, and above all its
conflict copies (`<name>.sync-conflict-<date>-<time>-<id>.json`) when two machines wrote the same
file while apart, as a home copied to a second machine does. Nothing a learner did on either device
may be lost, and every command must read the same files: `sync` merges them, `sync status` lists
their devices and `cohort` counts their steps.

Every wait polls a condition Syncthing or the folder reports (bounded, so a hang fails); no verdict
depends on how long anything took.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import installed_script, need
from syncthing_pair import Device, SyncthingPair

pytestmark = pytest.mark.slow  # two Syncthing instances, tens of seconds a test

NAME = "Ada"


@pytest.fixture
def pair(tmp_path):
    """Two connected Syncthing instances sharing a folder; both always ended, even when a test fails."""
    need(shutil.which("syncthing") is not None, "syncthing (Debian's package)")
    engines = SyncthingPair(tmp_path / "engine")
    try:
        engines.start()
        yield engines
    finally:
        engines.stop()


@pytest.fixture
def devices(pair, tmp_path) -> tuple[Device, Device]:
    script = installed_script()
    a, b = (Device(script, tmp_path / f"device-{x}", folder) for x, folder in zip("ab", pair.folders, strict=True))
    return a, b


def sync_both(pair: SyncthingPair, a: Device, b: Device, rounds: int = 1) -> None:
    """What a learner does: let Syncthing carry the files, run `mlops-path sync` on each device, and
    let Syncthing carry what those syncs wrote."""
    for _ in range(rounds):
        pair.in_sync(what=" (the changes of both devices)")
        a("sync")
        b("sync")
    pair.in_sync(what=" (what sync wrote)")


def expected(steps: list[str], changed: dict[str, str]) -> dict[str, str]:
    return {step: changed.get(step, "todo") for step in steps}


def my_devices(device: Device) -> tuple[str, list[str]]:
    """This device's id, and the ids `sync status` lists as this learner's devices."""
    status = device.json("sync", "status")
    return status["device"], [d["device"] for d in status["devices"] if d["mine"]]


def step_counts(statuses: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """What `cohort --json` should count per step for a group of one learner with these statuses."""
    return {s: (int(v == "done"), int(v == "in-progress"), int(v == "skipped")) for s, v in statuses.items()}


def cohort_counts(device: Device) -> tuple[list[str], dict[str, tuple[int, int, int]]]:
    group = device.json("cohort")
    counts = {s["id"]: (s["done"], s["in_progress"], s["skipped"]) for s in group["steps"]}
    return [r["name"] for r in group["learners"]], counts


def differences(got: dict, want: dict) -> dict:
    """Only what differs, as {key: (got, wanted)}, so a failure names the steps."""
    return {k: (got.get(k), want.get(k)) for k in sorted(got.keys() | want.keys()) if got.get(k) != want.get(k)}


def agree(a: Device, b: Device, statuses: dict[str, str], notes: dict[str, list[str]], when: str) -> None:
    """Both devices show `statuses` and `notes`, and `sync status` and `cohort` count the same."""
    for device, label in ((a, "device a"), (b, "device b")):
        assert not differences(device.statuses(), statuses), f"{label}'s statuses (got, wanted) {when}"
        assert not differences(device.notes(), notes), f"{label}'s notes (got, wanted) {when}"
        learners, counts = cohort_counts(device)
        assert learners == [NAME], f"{label}'s cohort {when}"
        assert not differences(counts, step_counts(statuses)), f"{label}'s cohort: (done, in progress, skipped) {when}"
    (a_id, a_list), (b_id, b_list) = my_devices(a), my_devices(b)
    assert a_id != b_id, f"both devices sync as {a_id} {when}"
    for listed, label in ((a_list, "a"), (b_list, "b")):
        twice = [d for d, n in Counter(listed).items() if n > 1]
        assert not twice, f"sync status on device {label} lists {twice} more than once {when}: {listed}"
        assert sorted(listed) == sorted({a_id, b_id}), f"sync status on device {label} {when}"


def test_two_devices_of_one_learner_converge_through_syncthing(pair, devices):
    """Every kind of change, made on either device, reaches the other once Syncthing carried the files
    and `sync` ran; both end with the same statuses and notes, nothing lost, among them the undo of a
    note after the other device changed that step's status (issue 18: undo once brought back the
    status it had saved)."""
    a, b = devices
    a("sync", "init", str(a.folder), "--name", NAME, "--share-notes")
    b("sync", "init", str(b.folder), "--name", NAME, "--share-notes", "--join")
    steps = list(a.statuses())
    s0, s1, s2, s3, s4 = steps[:5]

    a("done", s0)
    a("note", s0, "laptop: read it on the train")
    b("skip", s1)
    b("start", s2)
    sync_both(pair, a, b)
    statuses = expected(steps, {s0: "done", s1: "skipped", s2: "in-progress"})
    agree(a, b, statuses, {s0: ["laptop: read it on the train"]}, "after the first round")

    b("skip", s0)  # after A's done, so it wins everywhere
    b("done", s3)
    a("reset", s2)  # a step B started
    sync_both(pair, a, b)
    statuses = expected(steps, {s0: "skipped", s1: "skipped", s3: "done"})
    agree(a, b, statuses, {s0: ["laptop: read it on the train"]}, "after the second round")

    a("undo")  # the reset: the step B started is in progress again
    a("undo")  # the note alone; the skip B made since stays
    b("undo")  # the done
    sync_both(pair, a, b)
    statuses = expected(steps, {s0: "skipped", s1: "skipped", s2: "in-progress"})
    agree(a, b, statuses, {}, "after each undid its changes")

    b("note", s2, "desktop: halfway through")
    a("done", s4)
    sync_both(pair, a, b)
    statuses = expected(steps, {s0: "skipped", s1: "skipped", s2: "in-progress", s4: "done"})
    agree(a, b, statuses, {s2: ["desktop: halfway through"]}, "after the last round")


def conflict_copies(files: dict[str, bytes]) -> list[str]:
    return [name for name in files if ".sync-conflict-" in Path(name).name]


@pytest.mark.parametrize("last", ["original", "copy"])
def test_a_conflict_copy_of_a_copied_home_is_merged_never_ignored(pair, devices, last):
    """A home copied to a second machine writes the same device file as the original. Both change
    while the machines are apart; when they meet, Syncthing keeps one version (the one written
    `last`, by its modification time) and renames the other `*.sync-conflict-*`, so either device
    may be the one whose file was replaced. The copy holds the learner's changes: `cohort` counts
    them before any `sync`; after `sync` on each device every change made on either side is on
    both, the two devices sync under ids of their own, and `sync`, `sync status` and `cohort` count
    the same."""
    a, b = devices
    a("sync", "init", str(a.folder), "--name", NAME, "--share-notes")
    steps = list(a.statuses())
    s0, s1, s2, s3, s4 = steps[:5]
    a("done", s0)
    a("note", s0, "before the copy")
    pair.in_sync(lambda files: len(files) == 1, " (device a's file)")

    shutil.copytree(a.home, b.home)  # the new laptop, set up from a backup of the data folder
    pair.apart()
    b("sync", "init", str(b.folder), "--name", NAME, "--share-notes")  # its Syncthing folder is elsewhere
    a_id, b_id = my_devices(a)[0], my_devices(b)[0]
    assert a_id == b_id, "the copied home keeps the original's device id, so both write one device file"
    original = [(a, ("done", s2)), (a, ("note", s0, "from the original"))]
    copy = [(b, ("skip", s1)), (b, ("note", s0, "from the copy"))]
    for device, change in copy + original if last == "original" else original + copy:
        device(*change)
    pair.together()
    files = pair.in_sync(conflict_copies, " (a conflict copy of the device file)")
    assert len(conflict_copies(files)) == 1, sorted(files)

    everything = expected(steps, {s0: "done", s1: "skipped", s2: "done"})
    notes = {s0: sorted(["before the copy", "from the original", "from the copy"])}
    for device, label in ((a, "device a"), (b, "device b")):
        learners, counts = cohort_counts(device)
        assert learners == [NAME], f"{label}'s cohort, before any sync"
        both_versions = "counts (done, in progress, skipped) of both versions of the device file"
        assert not differences(counts, step_counts(everything)), f"{label}'s cohort, before any sync, {both_versions}"

    sync_both(pair, a, b, rounds=2)
    agree(a, b, everything, notes, "after syncing the conflict copy")

    a("skip", s3)  # the copy syncs as its own device now: changes on each side still meet
    b("done", s4)
    sync_both(pair, a, b)
    everything = expected(steps, {s0: "done", s1: "skipped", s2: "done", s3: "skipped", s4: "done"})
    agree(a, b, everything, notes, "after a change on each side once the conflict was merged")
