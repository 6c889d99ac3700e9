"""A study group that holds up in real hands: nothing lost between devices (undo after a merge, a
copied home, an engine's conflict copy), names that cannot merge two people by accident, devices
with names, honest and fresh group views, and a layout for a course of thousands."""

import json
import shutil

from conftest import learner_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sync import Device

X = "dmls-ch08"


def homes(tmp_path, monkeypatch, *names):
    return [Device(tmp_path, name, monkeypatch) for name in names]


def test_a_name_someone_else_syncs_under_is_refused_unless_you_join(tmp_path, monkeypatch):
    shared = tmp_path / "Sync"
    shared.mkdir()
    ada, frank = homes(tmp_path, monkeypatch, "ada", "frank")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--device", "laptop")
    ada.ok("done", "dmls-ch02")
    refused = frank("sync", "init", str(shared), "--name", "ada")
    assert refused.exit_code == 2 and "Someone already syncs as 'ada' here (1 device: laptop)" in refused.stderr
    assert "--join" in refused.stderr and "pick another --name" in refused.stderr
    assert frank.json("sync", "status")["engine"] is None  # nothing was set up
    assert frank.statuses()["dmls-ch02"] == "todo"  # and nothing merged
    frank.ok("sync", "init", str(shared), "--name", "Frank")
    assert frank.statuses()["dmls-ch02"] == "todo" and ada.statuses()["dmls-ch02"] == "done"
    desk = Device(tmp_path, "desk", monkeypatch)
    desk.ok("sync", "init", str(shared), "--name", "Ada", "--join", "--device", "desk")
    assert desk.statuses()["dmls-ch02"] == "done"


def test_devices_have_names_and_sync_init_again_keeps_the_settings(tmp_path, monkeypatch):
    shared = tmp_path / "Sync"
    shared.mkdir()
    (ada,) = homes(tmp_path, monkeypatch, "ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--device", "laptop", "--share-notes")
    ada.ok("sync", "init", str(shared))  # again, with nothing said: name, device name and sharing stay
    status = ada.json("sync", "status")
    assert status["learner"] == "Ada" and status["share_notes"] is True
    assert [d["device_name"] for d in status["devices"]] == ["laptop"]
    assert "laptop (" in ada.ok("sync", "status")
    ada.ok("sync", "init", str(shared), "--no-share-notes")
    assert ada.json("sync", "status")["share_notes"] is False


def test_undo_after_a_merge_takes_back_only_what_it_did(tmp_path, monkeypatch):
    shared = tmp_path / "Sync"
    shared.mkdir()
    a, b = homes(tmp_path, monkeypatch, "a", "b")
    a.ok("sync", "init", str(shared), "--name", "Ada", "--share-notes")
    b.ok("sync", "init", str(shared), "--name", "Ada", "--join", "--share-notes")
    a.ok("done", X)
    a.ok("note", X, "noted")
    b.ok("skip", X)  # after seeing A's done
    a.ok("undo")  # of the note: never brings A's `done` back
    for device in (a, b, a):
        device.ok("sync")
    for device in (a, b):
        shown = device.json("show", X)
        assert shown["status"] == "skipped" and shown["notes"] == []


def test_a_copied_home_takes_a_new_device_id_and_loses_nothing(tmp_path, monkeypatch):
    shared = tmp_path / "Sync"
    shared.mkdir()
    (a,) = homes(tmp_path, monkeypatch, "a")
    a.ok("sync", "init", str(shared), "--name", "Ada")
    a.ok("done", "dmls-ch02")
    shutil.copytree(a.home, tmp_path / "copy")  # a new laptop set up from a backup
    copy = Device(tmp_path, "copy", monkeypatch)
    copy.ok("done", "dmls-ch07")  # writes the same device file as `a`
    said = a("next")  # `a` finds its own file holding a change it never made
    assert said.exit_code == 0 and "Another copy of this data folder" in said.stderr
    a.ok("done", "dmls-ch09")
    copy.ok("sync")
    a.ok("sync")
    for device in (a, copy):
        statuses = device.statuses()
        assert [statuses[i] for i in ("dmls-ch02", "dmls-ch07", "dmls-ch09")] == ["done"] * 3
    ids = [d["device"] for d in a.json("sync", "status")["devices"]]
    assert len(ids) == len(set(ids)) == 2
    assert a.json("sync", "status")["device"] != copy.json("sync", "status")["device"]
    assert sum(d["this_device"] for d in a.json("sync", "status")["devices"]) == 1


def test_engine_conflict_copies_count_for_sync_status_and_cohort_alike(tmp_path, monkeypatch):
    shared = tmp_path / "Sync"
    shared.mkdir()
    a, b = homes(tmp_path, monkeypatch, "a", "b")
    a.ok("sync", "init", str(shared), "--name", "Ada")
    b.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    b.ok("done", X)
    b_id = b.json("sync", "status")["device"]
    folder = learner_dir(shared, "ada")
    original = folder / f"{b_id}.json"
    for name in (
        f"{b_id}.sync-conflict-20261206-101010-ABCDEF1.json",
        f"{b_id} (Ada's conflicted copy 2026-12-06).json",
    ):
        shutil.copy(original, folder / name)  # what Syncthing and Dropbox leave beside a file two writers changed
    doc = json.loads(original.read_text())
    doc["resources"].pop(X)  # the original lost the change; only the copies have it
    original.write_text(json.dumps(doc))
    assert a.statuses()[X] == "done"  # sync merges the copies
    assert b.statuses()[X] == "done"
    status = a.json("sync", "status")
    assert sorted(d["device"] for d in status["devices"]) == sorted([b_id, status["device"]])  # one line per device
    (learner,) = a.json("cohort")["learners"]
    assert learner["done"] == 1 and learner["you"] is True  # cohort counts the copies too


def test_cohort_reads_both_layouts_marks_you_and_says_how_fresh_it_is(tmp_path, monkeypatch):
    from test_sync import _device_file, entry

    shared = tmp_path / "Sync"
    shared.mkdir()
    (ada,) = homes(tmp_path, monkeypatch, "ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada")
    ada.ok("done", "dmls-ch02")
    _device_file(shared, "Bob", "b1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})  # the first layout
    report = ada.json("cohort")
    assert {(r["name"], r["you"]) for r in report["learners"]} == {("Ada", True), ("Bob", False)}
    assert report["engine"] == "folder"
    text = ada.ok("cohort")
    assert "Ada (you)" in text and "As the synced folder is now" in text
    assert learner_dir(shared, "ada").parent.name.startswith("_")  # the sharded layout for a new group


def test_a_git_cohort_says_it_is_as_of_the_last_sync(tmp_path, monkeypatch):
    import subprocess

    remote = tmp_path / "group.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    (ada,) = homes(tmp_path, monkeypatch, "ada")
    ada.ok("sync", "init", "--git", str(remote), "--name", "Ada")
    report = ada.json("cohort")
    assert report["engine"] == "git" and report["as_of"].endswith("Z")
    assert "As of the last sync" in ada.ok("cohort") and "`mlops-path sync` fetches newer progress" in ada.ok("cohort")


def test_cohort_reads_again_only_the_files_that_changed(tmp_path, monkeypatch):
    from test_sync import _device_file, entry

    from mlops_path.core.sync import device_file

    group = tmp_path / "group"
    for i in range(30):
        _device_file(group, f"Learner {i}", f"{i:02x}", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    (ada,) = homes(tmp_path, monkeypatch, "ada")
    first = ada.json("cohort", str(group))
    reads = []
    real = device_file.read_device_file
    monkeypatch.setattr(
        "mlops_path.core.sync.cohort.read_device_file", lambda *a, **k: reads.append(a[0]) or real(*a, **k)
    )
    assert ada.json("cohort", str(group)) == first and reads == []  # warm: nothing parsed again
    _device_file(group, "Learner 3", "03", {"dmls-ch07": entry("done", "2026-11-21T00:00:00Z")})
    again = ada.json("cohort", str(group))
    assert [p.name for p in reads] == ["03.json"]
    assert next(r for r in again["learners"] if r["name"] == "Learner 3")["done"] == 1


def test_a_damaged_cohort_cache_is_only_a_hint(tmp_path, monkeypatch):
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    for i in range(5):
        _device_file(group, f"Learner {i}", f"{i:02x}", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    (ada,) = homes(tmp_path, monkeypatch, "ada")
    first = ada.json("cohort", str(group))
    caches = list((ada.home / "cache").glob("cohort-*.json"))
    assert caches
    for file in caches:  # every value the wrong shape, as a damaged or hostile cache might be
        saved = json.loads(file.read_text())
        saved["value"] = {name: ["x", {"y": 1}, None] for name in saved["value"]}
        file.write_text(json.dumps(saved))
    assert ada.json("cohort", str(group)) == first


def _course(folder, learners):
    """Learners' device files in `folder`: each a name and {step id: status}."""
    from test_sync import _device_file, entry

    for i, (name, statuses) in enumerate(learners):
        at = f"2026-11-{1 + i % 28:02d}T00:00:00Z"
        resources = {
            rid: entry(status, at, **({"started_at": at} if status == "in-progress" else {}))
            for rid, status in statuses.items()
        }
        _device_file(folder, name, f"{i:04x}", resources)


def _report(folder, path=None, cache_dir=None, monkeypatch=None):
    from datetime import UTC, datetime

    from mlops_path.core.catalog.loader import load_catalog
    from mlops_path.core.sync.cohort import cohort_report

    if cache_dir is not None:
        monkeypatch.setenv("MLOPS_PATH_CACHE", str(cache_dir))
    catalog = load_catalog(include_user=False)
    path = path or catalog.paths["mlops"]
    found = cohort_report(folder, catalog, path, datetime(2026, 12, 6, tzinfo=UTC), lambda _: None)
    return [row._replace(statuses=dict(row.statuses)) for row in found.learners], found.steps


def test_a_remembered_place_is_for_one_path_only(tmp_path, monkeypatch):
    """Each learner's place on the path is remembered for the path's shape: another path (or the
    same steps in another order) is counted afresh, never from the other path's letters."""
    from mlops_path.core.catalog.loader import load_catalog
    from mlops_path.core.catalog.model import LearningPath

    steps = load_catalog(include_user=False).paths["mlops"].steps
    _course(tmp_path / "group", [("Ada", {steps[0]: "done", steps[-1]: "in-progress"}), ("Bob", {steps[1]: "skipped"})])
    forward = _report(tmp_path / "group", cache_dir=tmp_path / "cache", monkeypatch=monkeypatch)
    backward_path = LearningPath("backward", "Backward", list(reversed(steps)))
    backward = _report(tmp_path / "group", backward_path, tmp_path / "cache", monkeypatch)
    fresh = _report(tmp_path / "group", backward_path, tmp_path / "other-cache", monkeypatch)
    assert backward == fresh
    ada = next(row for row in backward[0] if row.name == "Ada")
    assert ada.current == steps[-1] and ada.statuses[steps[0]] == "done"
    assert _report(tmp_path / "group", cache_dir=tmp_path / "cache", monkeypatch=monkeypatch) == forward


def test_a_damaged_remembered_place_is_only_a_hint(tmp_path, monkeypatch):
    steps = [f"dmls-ch{n:02d}" for n in (2, 7, 8)]
    _course(tmp_path / "group", [(f"Learner {i}", {steps[i % 3]: "in-progress"}) for i in range(6)])
    first = _report(tmp_path / "group", cache_dir=tmp_path / "cache", monkeypatch=monkeypatch)
    (file,) = (tmp_path / "cache").glob("cohort-learners-*.json")
    saved = json.loads(file.read_text())
    damages = [["?"], [None, "ddd", [], None], "x", {"place": 1}]
    for i, learner in enumerate(saved["value"].values()):  # places of the wrong shape, each its own way
        key, marks, since, last = learner["place"]
        learner["place"] = [
            [key, marks[:-1], since, last],  # one letter short
            [key, "x" * len(marks), since, last],  # letters that mean nothing
            [key, marks, [*since, 5], last],  # a time for a step not in progress
            [key, marks, ["soon"] * len(since), last],
            [key, marks, since, "yesterday"],
            damages[i % len(damages)],
        ][i]
    file.write_text(json.dumps(saved))
    assert _report(tmp_path / "group", cache_dir=tmp_path / "cache", monkeypatch=monkeypatch) == first


STATUSES = ["todo", "in-progress", "done", "skipped"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    course=st.lists(
        st.dictionaries(
            st.sampled_from(["dmls-ch02", "dmls-ch07", "dmls-ch08", "mlops-principles"]), st.sampled_from(STATUSES)
        ),
        min_size=1,
        max_size=8,
    ),
    changed=st.integers(min_value=0, max_value=7),
)
def test_a_warm_cohort_counts_what_a_cold_one_counts(tmp_path_factory, monkeypatch, course, changed):
    """The remembered places never change a figure: warm, after one learner changed, and cold
    agree on every learner and every step."""
    root = tmp_path_factory.mktemp("course")
    learners = [(f"Learner {i}", statuses) for i, statuses in enumerate(course)]
    _course(root / "group", learners)
    _report(root / "group", cache_dir=root / "warm", monkeypatch=monkeypatch)
    who = changed % len(learners)
    learners[who] = (learners[who][0], {"dmls-ch09": "done", **learners[who][1]})
    _course(root / "group", learners)
    warm = _report(root / "group", cache_dir=root / "warm", monkeypatch=monkeypatch)
    assert warm == _report(root / "group", cache_dir=root / f"cold-{changed}", monkeypatch=monkeypatch)
    steps = {step.id: step for step in warm[1]}
    for rid in ("dmls-ch02", "dmls-ch07", "dmls-ch08"):
        assert steps[rid].done == sum(row.statuses[rid] == "done" for row in warm[0])
        assert steps[rid].in_progress == sum(row.statuses[rid] == "in-progress" for row in warm[0])
