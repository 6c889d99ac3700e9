"""Beyond one machine: devices and study groups synced through real folders and real bare git
repositories; clock skew under libfaketime; faults that lose nothing; hostile foreign files."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import Cli, installed_script, learner_dir, need


class Device:
    """One home (one device), driven in-process through the CLI."""

    def __init__(self, root: Path, name: str, monkeypatch):
        self.home, self.monkeypatch, self.cli = root / name, monkeypatch, Cli()

    def __call__(self, *args: str, input: str | None = None):
        self.monkeypatch.setenv("MLOPS_PATH_HOME", str(self.home))
        self.monkeypatch.setenv("MLOPS_PATH_CACHE", str(self.home / "cache"))
        return self.cli(*args, input=input)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    def json(self, *args: str):
        return json.loads(self.ok(*args, "--json"))

    def statuses(self) -> dict[str, str]:
        return {item["id"]: item["status"] for item in self.json("list")}

    def env(self) -> dict[str, str]:
        return {**os.environ, "MLOPS_PATH_HOME": str(self.home), "MLOPS_PATH_CACHE": str(self.home / "cache")}


@pytest.fixture
def devices(tmp_path, monkeypatch):
    return lambda *names: [Device(tmp_path, name, monkeypatch) for name in names]


# --- a synced folder ---------------------------------------------------------------------------------


def test_two_devices_of_one_learner_share_progress_through_a_folder(devices, shared):
    laptop, work = devices("laptop", "work")
    assert "Synced through the folder" in laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    work.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    laptop.ok("done", "dmls-ch02")
    assert work.json("next")["id"] == "dmls-ch07"  # every command merges what changed: no `sync` needed
    work.ok("start", "dmls-ch07")
    assert laptop.json("next")["id"] == "dmls-ch07" and laptop.statuses()["dmls-ch07"] == "in-progress"
    files = sorted(p.name for p in learner_dir(shared, "ada").iterdir())
    assert len(files) == 2 and all(f.endswith(".json") for f in files)


def test_the_device_file_is_the_documented_format(devices, shared):
    (laptop,) = devices("laptop")
    laptop.ok("sync", "init", str(shared), "--name", "Ada Lovelace", "--join")
    laptop.ok("done", "dmls-ch02")
    laptop.ok("note", "dmls-ch02", "private thought")
    (file,) = learner_dir(shared, "ada-lovelace").glob("*.json")
    doc = json.loads(file.read_text())
    assert doc["format"] == "mlops-path-sync" and doc["version"] == 1 and doc["learner"] == "Ada Lovelace"
    assert doc["device"] == file.stem and len(doc["clock"]) == 2 and doc["exported_at"].endswith("Z")
    entry = doc["resources"]["dmls-ch02"]
    assert (
        entry["status"] == "done"
        and entry["done_at"]
        and len(entry["clock"]) == 3
        and entry["clock"][2] == doc["device"]
    )
    assert entry["notes"] == []  # notes stay on the device unless shared
    assert "private thought" not in file.read_text()


def test_notes_are_shared_only_when_asked(devices, shared):
    laptop, work = devices("laptop", "work")
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    work.ok("sync", "init", str(shared), "--name", "Ada", "--join", "--share-notes")
    laptop.ok("note", "dmls-ch02", "from the laptop")
    work.ok("note", "dmls-ch02", "from work")
    assert [n["text"] for n in laptop.json("show", "dmls-ch02")["notes"]] == ["from the laptop", "from work"]
    assert [n["text"] for n in work.json("show", "dmls-ch02")["notes"]] == ["from work"]
    assert "Your notes are now shared" in laptop.ok("sync", "share-notes", "on")
    assert sorted(n["text"] for n in work.json("show", "dmls-ch02")["notes"]) == ["from the laptop", "from work"]
    assert laptop("sync", "share-notes", "maybe").exit_code == 2


def test_reset_undo_and_reset_all_propagate(devices, shared):
    a, b, c = devices("a", "b", "c")
    for device in (a, b, c):
        device.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    a.ok("done", "dmls-ch02", "dmls-ch07")
    assert b.statuses()["dmls-ch07"] == "done"
    b.ok("reset", "dmls-ch07")
    assert c.statuses()["dmls-ch07"] == "todo" and a.statuses()["dmls-ch07"] == "todo"
    b.ok("undo")
    assert c.statuses()["dmls-ch07"] == "done" and a.statuses()["dmls-ch07"] == "done"
    c.ok("reset", "--all", "--yes")
    assert set(a.statuses().values()) == {"todo"} and set(b.statuses().values()) == {"todo"}
    c.ok("undo")
    assert a.statuses()["dmls-ch02"] == "done" and b.statuses()["dmls-ch07"] == "done"


def test_renamed_ids_carry_across_devices(devices, shared):
    old_catalog = (
        '[[resources]]\nid = "{rid}"\ntitle = "T"\nkind = "talk"\nurl = "https://e.org/"\nminutes = 5\ntopics = '
        '["t"]\n{extra}\n\n'
        '[[paths]]\nid = "talks"\ntitle = "Talks"\nsteps = ["{rid}"]\n'
    )
    old, new = devices("old", "new")
    (old.home / "catalogs").mkdir(parents=True)
    (old.home / "catalogs" / "c.toml").write_text(old_catalog.format(rid="old-talk", extra=""))
    (new.home / "catalogs").mkdir(parents=True)
    (new.home / "catalogs" / "c.toml").write_text(old_catalog.format(rid="new-talk", extra='replaces = ["old-talk"]'))
    old.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    new.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    old.ok("done", "old-talk")
    assert new.json("--path", "talks", "show", "new-talk")["status"] == "done"


def test_unchanged_files_are_not_read_again(devices, shared):
    laptop, work = devices("laptop", "work")
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    work.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    laptop.ok("done", "dmls-ch02")
    assert work("next").stderr == ""
    (theirs,) = [f for f in learner_dir(shared, "ada").iterdir() if f.stem != work.json("sync", "status")["device"]]
    info = theirs.stat()
    theirs.write_bytes(b"X" * info.st_size)  # garbage of the same size and time: not read again
    os.utime(theirs, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert work("next").stderr == ""
    os.utime(theirs, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
    result = work("next")
    assert result.exit_code == 0 and f"Skipped the sync file {theirs}" in result.stderr


def test_sync_off_keeps_local_progress_and_stops_sharing(devices, shared):
    laptop, work = devices("laptop", "work")
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    work.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    laptop.ok("done", "dmls-ch02")
    assert "Sync is off" in laptop.ok("sync", "off")
    laptop.ok("done", "dmls-ch07")
    assert laptop.statuses()["dmls-ch07"] == "done" and work.statuses()["dmls-ch07"] == "todo"
    assert work.statuses()["dmls-ch02"] == "done"
    assert laptop("sync").exit_code == 2 and laptop("sync", "off").exit_code == 2
    assert "Sync is off" in laptop.ok("sync", "status")


# --- faults lose nothing ----------------------------------------------------------------------------


def test_a_missing_folder_is_one_sentence_and_local_progress_is_kept(devices, shared, tmp_path):
    (laptop,) = devices("laptop")
    result = laptop("sync", "init", str(tmp_path / "nope"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    moved = tmp_path / "moved"
    shared.rename(moved)
    result = laptop("done", "dmls-ch02")
    assert result.exit_code == 0 and "sync folder" in result.stderr and "missing" in result.stderr
    assert laptop.statuses()["dmls-ch02"] == "done"
    result = laptop("sync")
    assert result.exit_code == 1 and "missing" in result.stderr
    assert laptop.json("sync", "status")["last_sync"]["ok"] is False
    moved.rename(shared)
    laptop.ok("sync")
    (file,) = learner_dir(shared, "ada").glob("*.json")
    assert json.loads(file.read_text())["resources"]["dmls-ch02"]["status"] == "done"  # caught up


def test_a_read_only_folder_warns_and_loses_nothing(devices, shared):
    (laptop,) = devices("laptop")
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    learner_folder = learner_dir(shared, "ada")
    learner_folder.chmod(0o555)
    try:
        if os.access(learner_folder, os.W_OK):  # root ignores permissions: make the file itself the obstacle
            (file,) = learner_folder.glob("*.json")
            file.unlink()
            file.mkdir()
        result = laptop("done", "dmls-ch02")
        assert result.exit_code == 0 and "Cannot write your sync file" in result.stderr
        assert laptop.statuses()["dmls-ch02"] == "done"
        assert laptop("sync").exit_code == 1
    finally:
        learner_folder.chmod(0o755)


def test_an_unreachable_remote_is_one_sentence_and_the_next_sync_catches_up(devices, remote, tmp_path):
    laptop, work = devices("laptop", "work")
    result = laptop("sync", "init", "--git", str(tmp_path / "no-such.git"))
    assert result.exit_code == 1 and result.stderr.startswith("Error: Cannot clone") and result.stderr.count("\n") == 1
    laptop.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    work.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    moved = tmp_path / "away.git"
    Path(remote).rename(moved)
    laptop.ok("done", "dmls-ch02")
    result = laptop("sync")
    assert (
        result.exit_code == 1 and result.stderr.startswith("Error: git fetch failed") and result.stderr.count("\n") == 1
    )
    assert laptop.statuses()["dmls-ch02"] == "done"
    moved.rename(remote)
    laptop.ok("sync")
    work.ok("sync")
    assert work.statuses()["dmls-ch02"] == "done"


def test_without_git_installed_sync_says_so(devices, remote, monkeypatch, tmp_path):
    (laptop,) = devices("laptop")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = laptop("sync", "init", "--git", remote)
    assert result.exit_code == 1 and "needs the git command" in result.stderr


# --- git --------------------------------------------------------------------------------------------


def test_devices_and_a_study_group_sync_through_a_bare_git_repository(devices, remote):
    ada_laptop, ada_work, bob = devices("ada-laptop", "ada-work", "bob")
    ada_laptop.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    ada_work.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    bob.ok("sync", "init", "--git", remote, "--name", "Bob", "--join")
    ada_laptop.ok("done", "dmls-ch02", "dmls-ch07")
    bob.ok("start", "dmls-ch02")
    for device in (ada_laptop, bob, ada_work):
        assert device.ok("sync").startswith("Synced through git")
    assert ada_work.statuses()["dmls-ch07"] == "done"
    assert bob.statuses()["dmls-ch07"] == "todo"  # another learner's progress is never merged into yours
    status = bob.json("sync", "status")
    assert status["engine"] == "git" and {d["learner"] for d in status["devices"]} == {"Ada", "Bob"}
    assert sum(d["this_device"] for d in status["devices"]) == 1
    log = subprocess.run(["git", "-C", remote, "log", "--format=%s", "HEAD"], capture_output=True, text=True).stdout
    assert "mlops-path: progress of Ada" in log and "mlops-path: progress of Bob" in log
    files = subprocess.run(
        ["git", "-C", remote, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, text=True
    ).stdout.split()
    layout = [str(learner_dir(Path("."), slug)) + "/" for slug in ("ada", "bob")]
    assert len(files) == 3 and all(f.startswith(tuple(layout)) for f in files)


def test_concurrent_syncs_from_three_devices_all_converge(devices, remote):
    homes = devices("one", "two", "three")
    for i, device in enumerate(homes):
        device.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
        device.ok("done", ["dmls-ch02", "dmls-ch07", "dmls-ch08"][i])
    procs = [
        subprocess.Popen([installed_script(), "sync"], env=d.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for d in homes
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err  # a rejected push fetched, rebased and pushed again
    for device in homes:
        device.ok("sync")
    views = [device.statuses() for device in homes]
    assert views[0] == views[1] == views[2]
    assert [views[0][rid] for rid in ("dmls-ch02", "dmls-ch07", "dmls-ch08")] == ["done"] * 3


def test_a_device_whose_clock_is_two_hours_behind_still_wins_with_a_later_change(devices, remote):
    need(shutil.which("faketime") is not None, "faketime (libfaketime)")
    ahead, behind = devices("ahead", "behind")

    def run(device, *args, skew=None):
        argv = [installed_script(), *args] if skew is None else ["faketime", "-f", skew, installed_script(), *args]
        result = subprocess.run(argv, env=device.env(), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(ahead, "sync", "init", "--git", remote, "--name", "Ada", "--join")
    run(behind, "sync", "init", "--git", remote, "--name", "Ada", "--join", skew="-2h")
    run(ahead, "done", "dmls-ch02")
    run(ahead, "sync")
    run(behind, "sync", skew="-2h")  # sees the change made "two hours in the future"
    run(behind, "reset", "dmls-ch02", skew="-2h")  # ... and changes it afterwards
    run(behind, "sync", skew="-2h")
    run(ahead, "sync")
    assert json.loads(run(ahead, "show", "dmls-ch02", "--json"))["status"] == "todo"
    assert json.loads(run(behind, "show", "dmls-ch02", "--json", skew="-2h"))["status"] == "todo"


# --- hostile foreign files --------------------------------------------------------------------------


def sync_doc(**changes) -> bytes:
    doc = {
        "format": "mlops-path-sync",
        "version": 1,
        "learner": "Ada",
        "device": "ab",
        "exported_at": "2026-01-01T00:00:00Z",
        "clock": [0, 0],
        "resources": {},
    }
    return json.dumps(doc | changes).encode()


DONE = {"status": "done", "updated": "2026-01-01T00:00:00Z"}
HOSTILE_FILES = {  # named as device files are (`sync.layout`): other names are not sync files at all
    "c0ffee01.json": b"{not json",  # corrupt
    "b1.json": b"\x00\x01\x02",  # binary
    "dee9.json": b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}",  # deep
    "9e3e.json": sync_doc(version=99),  # newer
    "0f.json": json.dumps({"format": "something-else"}).encode(),  # another format
    "bad1d.json": sync_doc(resources={"../../etc\u001b[2J": DONE}),  # a bad id
    "bad0c.json": sync_doc(clock=["x", 0]),  # a bad clock
    "cd.json": sync_doc(learner="Mallory\u001b]2;x\u0007", device="cd", resources={"dmls-ch09": DONE}),  # an impostor
}


def test_hostile_foreign_files_are_skipped_each_with_one_warning(devices, shared, monkeypatch):
    laptop, work = devices("laptop", "work")
    laptop.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    work.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    laptop.ok("done", "dmls-ch02")
    folder = learner_dir(shared, "ada")
    for name, data in HOSTILE_FILES.items():
        (folder / name).write_bytes(data)
    big = folder / "ff.json"
    from mlops_path.core.sync import device_file

    monkeypatch.setattr(device_file, "MAX_SYNC_FILE_BYTES", 1000)
    big.write_bytes(b"{" + b" " * 2000 + b"}")
    result = work("next", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "dmls-ch07"  # the good file still merged
    warnings = result.stderr.splitlines()
    assert len(warnings) == len(HOSTILE_FILES) + 1
    for name in [*HOSTILE_FILES, "ff.json"]:
        assert sum(name in line for line in warnings) == 1, name
    assert "\x1b" not in result.stderr
    assert work.statuses()["dmls-ch09"] == "todo"  # the impostor's claim was not merged
    assert work("next").stderr == ""  # warned once, not on every command
    status = work.json("sync", "status")
    assert len(status["skipped"]) == len(HOSTILE_FILES) - 1 + 1  # all but the impostor, which is valid but not Ada


# --- property: any order of syncs converges ---------------------------------------------------------


@pytest.mark.slow
def test_random_changes_on_three_devices_converge_whatever_the_sync_order(tmp_path, monkeypatch):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    ids = ["dmls-ch02", "dmls-ch07", "ml-test-score"]
    verbs = ["done", "start", "skip", "reset", "undo", "note", "look", "copy"]  # copy: a home copied to a new machine
    action = st.tuples(st.integers(0, 4), st.sampled_from(verbs), st.sampled_from(ids))

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(action, min_size=1, max_size=12), st.randoms())
    def run(actions, rnd):
        root = Path(tempfile.mkdtemp(dir=tmp_path))
        folder = root / "Sync"
        folder.mkdir(parents=True)
        homes = [Device(root, f"d{i}", monkeypatch) for i in range(3)]
        for device in homes:
            device.ok("sync", "init", str(folder), "--name", "Ada", "--join", "--share-notes")
        for who, verb, rid in actions:
            device = homes[who % len(homes)]
            if verb == "copy":
                if len(homes) < 5:
                    shutil.copytree(device.home, root / f"c{len(homes)}")
                    homes.append(Device(root, f"c{len(homes)}", monkeypatch))
                continue
            if verb == "undo":
                device.ok("undo")
            elif verb == "note":
                device.ok("note", rid, f"note {len(list(root.rglob('*')))}")
            elif verb == "look":
                device.ok("list")  # merges whatever the others wrote so far
            else:
                device.ok(verb, rid, *(["--force"] if verb == "start" else []))
        order = list(range(len(homes)))
        rnd.shuffle(order)
        for i in order + order:  # twice: a copied home that took a new id publishes it in the first round
            homes[i].ok("sync")
        views = [(h.statuses(), [n["text"] for rid in ids for n in h.json("show", rid)["notes"]]) for h in homes]
        assert all(view == views[0] for view in views), (
            actions
        )  # a copy that changed nothing may keep the id: nothing differs

    run()


# --- the study group --------------------------------------------------------------------------------


def _device_file(
    folder: Path, learner: str, device: str, resources: dict, exported: str = "2026-11-01T00:00:00Z"
) -> None:
    from mlops_path.core.sync.devices import learner_slug

    target = folder / "mlops-path" / learner_slug(learner)
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{device}.json").write_text(
        json.dumps(
            {
                "format": "mlops-path-sync",
                "version": 1,
                "learner": learner,
                "device": device,
                "exported_at": exported,
                "clock": [0, 0],
                "resources": resources,
            }
        )
    )


def entry(status: str, when: str, **extra) -> dict:
    return {"status": status, "updated": when, "clock": [0, 0, "aa"], **extra}


def test_cohort_reads_every_learner_of_a_folder(cli, tmp_path):
    group = tmp_path / "group-clone"
    started = "2026-11-01T00:00:00Z"
    _device_file(
        group,
        "Ada",
        "a1",
        {
            "dmls-ch02": entry("done", "2026-11-20T00:00:00Z"),
            "dmls-ch07": entry("in-progress", started, started_at=started),
        },
    )
    _device_file(group, "ada", "a2", {"dmls-ch07": entry("done", "2026-11-25T00:00:00Z") | {"clock": [9, 0, "bb"]}})
    _device_file(
        group,
        "Bob",
        "b1",
        {
            "dmls-ch02": entry("in-progress", "2026-10-01T00:00:00Z", started_at="2026-10-01T00:00:00Z"),
            "gently-down-the-stream": entry("skipped", "2026-10-01T00:00:00Z"),
        },
    )
    _device_file(group, "=cmd|' /C calc'!A0", "c1", {})
    report = cli.json("cohort", str(group))
    assert report["path"] == "mlops"
    by_name = {row["name"]: row for row in report["learners"]}
    assert {name.lower() for name in by_name} == {"ada", "bob", "=cmd|' /c calc'!a0"}  # Ada's two devices: one learner
    ada = next(row for row in report["learners"] if row["name"].lower() == "ada")
    # two devices, one learner; done/total count required steps, as the percentage does
    assert (ada["done"], ada["total"], ada["percent"], ada["current"]) == (2, 11, 18, "dmls-ch08")
    assert ada["stuck"] == [] and ada["days_inactive"] >= 0
    bob = by_name["Bob"]
    assert bob["stuck"] == ["dmls-ch02"] and bob["current"] == "dmls-ch02" and bob["percent"] == 0
    assert set(bob) == {
        "name",
        "you",
        "devices",
        "done",
        "total",
        "percent",
        "current",
        "last_active",
        "days_inactive",
        "stuck",
    }
    assert bob["you"] is False and bob["devices"] == ["b1"]
    steps = {s["id"]: s for s in report["steps"]}
    assert steps["dmls-ch02"] == {"id": "dmls-ch02", "done": 1, "in_progress": 1, "skipped": 0}
    assert steps["gently-down-the-stream"]["skipped"] == 1
    csv_text = cli("cohort", str(group), "--format", "csv").stdout
    assert "\n'=cmd" in csv_text  # a name that a spreadsheet would run as a formula is defused
    markdown = cli("cohort", str(group), "--format", "markdown").stdout
    assert "| learner | done |" in markdown and "\\|" in markdown  # the | in a name cannot split a cell
    assert "Bob" in cli("cohort", str(group)).stdout


def test_cohort_without_a_folder_needs_sync(cli):
    result = cli("cohort")
    assert result.exit_code == 2 and "sync init" in result.stderr
    assert cli("cohort", "/no/such/folder").exit_code == 1
    assert cli("cohort", "/", "--format", "xml").exit_code == 2


def test_cohort_passes_over_json_that_is_not_a_sync_file(cli, tmp_path):
    group = tmp_path / "repo"
    _device_file(group, "Ada", "a1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    (group / "mlops-path" / "ada" / "package.json").write_text('{"name": "not ours"}')
    (group / "mlops-path" / "ada" / "0bad.json").write_text("{broken")
    result = cli("cohort", str(group), "--json")
    assert result.exit_code == 0 and [r["name"] for r in json.loads(result.stdout)["learners"]] == ["Ada"]
    assert "0bad.json" in result.stderr and "package.json" not in result.stderr  # a device file that is broken is named
