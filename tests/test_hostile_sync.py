"""Shared places can't hurt you: every byte another device or a group member writes into the sync
folder or the group's repository is hostile until checked. Each test plays one hostile member (all
on local files and bare repositories), then checks that every command still works (never exit 3,
never a hang: each real process is bounded), that nothing was lost or forged, and that the clone
is usable afterwards."""

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
from conftest import installed_script, learner_dir
from test_sync import Device

FUTURE = "2099-01-01T00:00:00Z"


@pytest.fixture
def homes(tmp_path, monkeypatch):
    return lambda *names: [Device(tmp_path, name, monkeypatch) for name in names]


def device_doc(learner="Ada", device="ab", resources=None, clock=(0, 0), exported="2026-11-01T00:00:00Z") -> dict:
    return {
        "format": "mlops-path-sync",
        "version": 1,
        "learner": learner,
        "device": device,
        "exported_at": exported,
        "clock": list(clock),
        "resources": resources or {},
    }


def put(folder: Path, name: str, data) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return target


def run(device: Device, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed command in a real process, bounded: a hang fails the test, it never stalls it."""
    return subprocess.run(
        [installed_script(), *args],
        env=env or device.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def git(*args: str, cwd: Path | str | None = None) -> str:
    identity = ["-c", "user.name=Mallory", "-c", "user.email=m@example.invalid"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def works_for(device: Device, *commands: tuple[str, ...]) -> None:
    for argv in commands:
        result = device(*argv)
        assert result.exit_code in (0, 1), (argv, result.output)
        assert "Traceback" not in result.output and "unexpected problem" not in result.output


EVERYDAY = [("next",), ("done", "dmls-ch07"), ("sync",), ("sync", "status"), ("cohort",), ("list", "--json")]


# --- one file crashes no one ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        device_doc(resources={"dmls-ch02": {"status": "done", "updated": "0001-01-01T00:00:00+01:00"}}),
        device_doc(resources={"dmls-ch02": {"status": "done", "updated": "1960-01-01T00:00:00Z"}}),
        b'{"format": "mlops-path-sync", "version": 1, "clock": [' + b"9" * 5000 + b', 0], "learner": "Ada"}',
        b'{"format": "mlops-path-sync", "version": 1, "clock": [1e999999, 0], "learner": "Ada"}',
        b'{"format": "mlops-path-sync", "version": 1, "clock": [NaN, 0], "learner": "Ada"}',
        device_doc(
            clock=(2**53 - 1, 0), resources={"dmls-ch02": {"status": "done", "updated": "2026-11-01T00:00:00Z"}}
        ),
        device_doc(resources={"dmls-ch02": {"status": "done", "updated": FUTURE}}),
        device_doc(
            resources={
                "dmls-ch02": {"status": "done", "updated": "2026-11-01T00:00:00Z", "clock": [2**53 - 1, 0, "ab"]}
            }
        ),
        device_doc(
            resources={"dmls-ch02": {"status": "done", "updated": "2026-11-01T00:00:00Z", "clock": [1, 2**40, "ab"]}}
        ),
    ],
    ids=[
        "year-1",
        "before-1970",
        "5000-digits",
        "float-overflow",
        "nan",
        "clock-2^53",
        "future",
        "record-clock-2^53",
        "counter",
    ],
)
@pytest.mark.slow
def test_a_hostile_device_file_is_skipped_and_every_command_still_works(homes, shared, hostile):
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    ada.ok("note", "dmls-ch02", "mine")
    put(learner_dir(shared, "ada"), "ab.json", hostile)
    result = ada("next")
    assert result.exit_code == 0 and "Skipped the sync file" in result.stderr and "ab.json" in result.stderr
    works_for(ada, *EVERYDAY)
    assert ada.statuses()["dmls-ch02"] == "todo"  # nothing the hostile file said was taken
    assert ada.ok("doctor").count("BROKEN") == 0
    # what this device publishes is still readable by its other devices
    (desk,) = homes("desk")
    desk.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    assert desk.statuses()["dmls-ch07"] == "done"
    me = ada.json("sync", "status")["device"]
    clock = json.loads((learner_dir(shared, "ada") / f"{me}.json").read_text())["clock"]
    assert 0 <= clock[0] < 2**53 and clock[0] < 4102444800000  # never a clock from the far future


def test_a_huge_number_in_the_progress_file_or_an_export_is_one_sentence(cli, progress_file, tmp_path):
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    progress_file.write_text('{"version": 3, "resources": {}, "history": [], "clock": [' + "9" * 5000 + ", 0]}")
    for argv in (("next",), ("doctor",), ("doctor", "--repair")):
        result = cli(*argv)
        assert result.exit_code in (0, 1), (argv, result.output)
    export = tmp_path / "export.json"
    export.write_text('{"format": "mlops-path-export", "version": ' + "9" * 5000 + "}")
    result = cli("import", str(export))
    assert result.exit_code == 1 and "number of more than" in result.stderr


# --- posing as me ------------------------------------------------------------------------------------


def test_a_look_alike_name_is_said_once_and_cannot_clear_a_note_that_never_left(homes, shared):
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    ada.ok("note", "dmls-ch02", "a private thought")
    mine = ada.json("show", "dmls-ch02")
    stamp = [int(time.time() * 1000), 0, "ee"]  # a present clock: a valid change, not a far-future one
    hostile = device_doc(
        learner="\uff21\uff24\uff21 ",  # full-width ADA with a trailing space: the same learner, written differently
        device="ee",
        resources={
            "dmls-ch02": {
                "status": "skipped",
                "updated": "2026-11-01T00:00:00Z",
                "clock": stamp,
                "notes_cleared": stamp,
            }
        },
    )
    put(learner_dir(shared, "ada"), "ee.json", hostile)
    first = ada("next")
    assert first.exit_code == 0 and "A new device ee" in first.stderr and "look-alike" in first.stderr
    assert "A new device" not in ada("next").stderr  # said once
    after = ada.json("show", "dmls-ch02")
    assert after["status"] == "skipped"  # a valid newer change of this learner is merged ...
    assert (
        [n["text"] for n in after["notes"]] == [n["text"] for n in mine["notes"]] == ["a private thought"]
    )  # ... never the note
    status = ada.json("sync", "status")
    assert any(d["device"] == "ee" and d["look_alike"] for d in status["devices"])
    history = ada.json("history")
    assert history[0]["action"] == "merge" and "ee" in history[0]["source"]
    ada.ok("undo")  # takes back this device's own change (the note), not the merge
    assert ada.json("show", "dmls-ch02")["notes"] == [] and ada.json("show", "dmls-ch02")["status"] == "skipped"


def test_a_file_claiming_this_devices_id_is_skipped(homes, shared):
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    me = ada.json("sync", "status")["device"]
    stamp = [int(time.time() * 1000), 0, me]
    done = {"dmls-ch02": {"status": "done", "updated": "2026-11-01T00:00:00Z", "clock": stamp}}
    put(learner_dir(shared, "ada"), f"{me}0.json", device_doc(device=me, resources=done))
    result = ada("next")
    assert "claims this device's id" in result.stderr and ada.statuses()["dmls-ch02"] == "todo"


# --- the shared place as a trap -------------------------------------------------------------------


def test_a_fifo_or_a_link_to_a_terminal_in_the_sync_folder_never_hangs_a_command(homes, shared):
    (ada,) = homes("ada")
    assert run(ada, "sync", "init", str(shared), "--name", "Ada", "--join").returncode == 0
    folder = learner_dir(shared, "ada")
    os.mkfifo(folder / "f1f0.json")  # named as device files are, so they are read
    (folder / "77.json").symlink_to("/dev/tty")
    (folder / "57d1.json").symlink_to("/dev/stdin")
    os.mkfifo(shared / "mlops-path" / "bob.json")
    for argv in (("next",), ("done", "dmls-ch02"), ("sync",), ("sync", "status"), ("cohort",)):
        result = run(ada, *argv, timeout=60)
        assert result.returncode == 0, (argv, result.stderr)
    warned = run(ada, "sync").stderr
    assert "f1f0.json" in warned and "not a regular file" in warned and "symbolic link" in warned


def test_a_learner_folder_committed_as_a_link_or_a_file_is_set_aside(homes, remote, tmp_path):
    (ada,) = homes("ada")
    outside = tmp_path / "outside"
    outside.mkdir()
    work = tmp_path / "mallory"
    git("clone", "--quiet", remote, str(work))
    ada_folder, bob_folder = learner_dir(work, "ada"), learner_dir(work, "bob")
    ada_folder.parent.mkdir(parents=True)
    ada_folder.symlink_to(outside)
    if bob_folder.parent != ada_folder.parent:
        bob_folder.parent.symlink_to(outside)  # a shard folder that is a link
    else:
        bob_folder.write_text("a file where a folder should be")
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "trap", cwd=work)
    git("push", "--quiet", "origin", "HEAD", cwd=work)
    assert run(ada, "sync", "init", "--git", remote, "--name", "Ada", "--join").returncode == 0
    ada.ok("done", "dmls-ch02")
    assert run(ada, "sync").returncode == 0
    assert list(outside.iterdir()) == []  # nothing written outside the clone
    (bob,) = homes("bob")
    assert run(bob, "sync", "init", "--git", remote, "--name", "Bob", "--join").returncode == 0
    assert run(bob, "sync").returncode == 0 and run(ada, "sync").returncode == 0
    fresh = tmp_path / "fresh"
    git("clone", "--quiet", remote, str(fresh))
    for slug in ("ada", "bob"):
        folder = learner_dir(fresh, slug)
        assert folder.is_dir() and not folder.is_symlink() and not folder.parent.is_symlink()


# --- a clone that always recovers -----------------------------------------------------------------


def clone_of(device: Device) -> Path:
    return device.home / "sync" / "repo"


def test_a_clone_left_mid_rebase_with_stale_locks_stash_and_a_detached_head_recovers(homes, remote):
    ada, desk = homes("ada", "desk")
    ada.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    desk.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    ada.ok("done", "dmls-ch02")
    ada.ok("sync")
    repo = clone_of(desk)
    (repo / "stray.txt").write_text("x")
    git("add", "stray.txt", cwd=repo)
    git("stash", cwd=repo)
    (repo / ".git" / "rebase-merge").mkdir()
    (repo / ".git" / "rebase-merge" / "head-name").write_text("refs/heads/master\n")
    (repo / ".git" / "index.lock").write_text("")
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    (repo / ".git" / "HEAD").write_text(head + "\n")  # detached, as a killed rebase leaves it
    desk.ok("done", "dmls-ch07")
    assert desk("sync").exit_code == 0
    assert git("stash", "list", cwd=repo) == ""
    ada.ok("sync")
    assert ada.statuses()["dmls-ch07"] == "done" and desk.statuses()["dmls-ch02"] == "done"
    assert desk("sync").stdout.startswith("Synced") and "up to date" in desk("sync").stdout


def test_a_member_rewriting_my_file_loses_to_my_version(homes, remote, tmp_path):
    (ada,) = homes("ada")
    ada.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    ada.ok("done", "dmls-ch02")
    ada.ok("sync")
    me = ada.json("sync", "status")["device"]
    work = tmp_path / "mallory"
    git("clone", "--quiet", remote, str(work))
    target = learner_dir(work, "ada") / f"{me}.json"
    target.write_text("{}")
    git("commit", "--quiet", "-am", "rewrite", cwd=work)
    git("push", "--quiet", "origin", "HEAD", cwd=work)
    ada.ok("done", "dmls-ch07")
    assert ada("sync").exit_code == 0 and ada("sync").exit_code == 0
    git("pull", "--quiet", cwd=work)
    assert json.loads(target.read_text())["resources"]["dmls-ch07"]["status"] == "done"


def test_two_syncs_at_once_in_one_home_both_finish_and_leave_no_stash(homes, remote):
    (ada,) = homes("ada")
    assert run(ada, "sync", "init", "--git", remote, "--name", "Ada", "--join").returncode == 0
    ada.ok("done", "dmls-ch02")
    procs = [
        subprocess.Popen([installed_script(), "sync"], env=ada.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert git("stash", "list", cwd=clone_of(ada)) == ""
    assert run(ada, "sync").returncode == 0


def test_repository_attributes_cannot_reencode_our_files(homes, remote, tmp_path):
    work = tmp_path / "mallory"
    git("clone", "--quiet", remote, str(work))
    (work / ".gitattributes").write_text("*.json working-tree-encoding=UTF-16LE text eol=crlf filter=evil\n")
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "attributes", cwd=work)
    git("push", "--quiet", "origin", "HEAD", cwd=work)
    ada, desk = homes("ada", "desk")
    ada.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    ada.ok("done", "dmls-ch02")
    assert ada("sync").exit_code == 0
    desk.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    assert desk.statuses()["dmls-ch02"] == "done"
    me = ada.json("sync", "status")["device"]
    stored = subprocess.run(
        ["git", "-C", remote, "cat-file", "blob", f"HEAD:{learner_dir(Path('.'), 'ada')}/{me}.json"],
        capture_output=True,
        check=True,
    ).stdout
    assert json.loads(stored.decode("utf-8"))["device"] == me  # UTF-8 JSON, as written


def test_gits_environment_cannot_point_sync_at_another_repository(homes, remote, tmp_path):
    other = tmp_path / "unrelated"
    git("init", "--quiet", str(other))
    (ada,) = homes("ada")
    ada.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    ada.ok("done", "dmls-ch02")
    env = {
        **ada.env(),
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_INDEX_FILE": str(tmp_path / "index"),
    }
    assert run(ada, "sync", env=env).returncode == 0
    assert (
        subprocess.run(["git", "-C", str(other), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True).returncode
        != 0
    )
    assert "progress of Ada" in git("-C", remote, "log", "--format=%s")


def test_a_push_refused_by_a_server_hook_says_the_servers_reason(homes, remote):
    hook = Path(remote) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed this week' >&2\nexit 1\n")
    hook.chmod(0o755)
    (ada,) = homes("ada")
    result = ada("sync", "init", "--git", remote, "--name", "Ada", "--join")
    assert result.exit_code == 1
    assert "refused the push: pre-receive hook declined (pushes are closed this week)" in result.stderr
    assert "other devices" not in result.stderr


def test_a_git_failure_names_the_reason_not_gits_advice(homes, remote, tmp_path):
    (ada,) = homes("ada")
    ada.ok("sync", "init", "--git", remote, "--name", "Ada", "--join")
    shutil.move(remote, tmp_path / "moved.git")
    result = ada("sync")
    assert result.exit_code == 1 and "does not appear to be a git repository" in result.stderr
    assert "the repository exists" not in result.stderr


# --- smaller ------------------------------------------------------------------------------------------


def test_a_folder_stuffed_with_files_is_passed_over_beyond_the_limit(homes, shared, monkeypatch):
    from mlops_path.core.sync import devices

    monkeypatch.setattr(devices, "MAX_FOLDER_ENTRIES", 50)
    monkeypatch.setattr(devices, "MAX_DEVICE_FILES", 5)
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    folder = learner_dir(shared, "ada")
    for i in range(200):
        put(folder, f"{i:04x}.json", device_doc(device=f"{i:04x}"))
    result = ada("next")
    assert result.exit_code == 0 and "Passed over" in result.stderr
    assert result.stderr.count("A new device") <= 5


def test_an_oversized_device_file_is_skipped(homes, shared):
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    put(learner_dir(shared, "ada"), "ab.json", b"{" + b" " * (4 * 1024 * 1024 + 1) + b"}")
    result = ada("next")
    assert result.exit_code == 0 and "larger than 4 MiB" in result.stderr


def test_temp_files_of_a_killed_write_are_removed_from_the_shared_place(homes, shared):
    (ada,) = homes("ada")
    ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
    me = ada.json("sync", "status")["device"]
    folder = learner_dir(shared, "ada")
    stray = folder / f".{me}.json.4242.deadbeef.tmp"
    stray.write_text("half")
    other = folder / ".ff.json.1.aa.tmp"  # another device's: not ours to remove
    other.write_text("theirs")
    ada.ok("done", "dmls-ch02")
    assert not stray.exists() and other.exists()


def test_the_data_folder_and_private_files_are_the_learners_alone_whatever_the_umask(tmp_path, monkeypatch):
    home = tmp_path / "fresh-home"
    env = {**os.environ, "MLOPS_PATH_HOME": str(home), "MLOPS_PATH_CACHE": str(tmp_path / "cache")}
    for argv in (["done", "dmls-ch02"], ["done", "dmls-ch07"], ["view"]):
        subprocess.run(
            ["sh", "-c", 'umask 000; exec "$@"', "sh", installed_script(), *argv], env=env, check=True, timeout=120
        )
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("progress.json", "progress.json.bak", "view.html"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name


# --- kill -9 of sync while another device pushes ----------------------------------------------------


@pytest.mark.slow
def test_sync_killed_at_random_moments_while_another_device_pushes_always_recovers_and_converges(homes, remote):
    import random
    import signal

    ada, desk = homes("ada", "desk")
    assert run(ada, "sync", "init", "--git", remote, "--name", "Ada", "--join").returncode == 0
    assert run(desk, "sync", "init", "--git", remote, "--name", "Ada", "--join").returncode == 0
    steps = ["dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09", "dmls-ch11"]
    rounds = int(os.environ.get("MLOPS_PATH_CRASH_ROUNDS", "30"))
    rng = random.Random(1606)
    for i in range(rounds):
        step = steps[i % len(steps)]
        ada.ok("reset" if i % 2 else "done", step)
        desk.ok("note", step, f"round {i}")
        other = subprocess.Popen(
            [installed_script(), "sync"], env=desk.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        victim = subprocess.Popen(
            [installed_script(), "sync"], env=ada.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.0, 0.6))  # a random moment: where it lands is chance, not a verdict
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=120)
        assert other.wait(timeout=120) == 0, other.stderr.read()
        other.stderr.close()
    for device in (ada, desk, ada):
        result = run(device, "sync")
        assert result.returncode == 0, result.stderr
    assert ada.statuses() == desk.statuses()
    assert git("-C", str(clone_of(ada)), "status", "--porcelain") == ""
    assert git("-C", str(clone_of(ada)), "stash", "list") == ""


# --- property: no foreign file, however odd, breaks a command or forges a change --------------------


@pytest.mark.slow
def test_any_foreign_file_leaves_every_command_working_and_my_records_mine(tmp_path, monkeypatch):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from mlops_path.core.sync.device_file import Skipped, read_device_file

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=12),
        st.sampled_from(
            ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2026-11-01T00:00:00Z"]
        ),
        st.sampled_from(["Ada", "\uff21\uff24\uff21 ", "ada", "Mallory", "", "\u202eadA"]),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=8,
    )
    clocks = st.lists(st.integers(min_value=-1, max_value=2**60), min_size=2, max_size=2).map(lambda c: [*c, "ab"])
    entries = st.fixed_dictionaries(
        {"status": st.sampled_from(["done", "skipped", "todo", "finished", 3]), "updated": scalars},
        optional={"clock": clocks | values, "notes_cleared": clocks | values, "notes": values, "done_at": scalars},
    )
    documents = st.fixed_dictionaries(
        {
            "format": st.just("mlops-path-sync"),
            "version": st.sampled_from([1, 1, 2, "1"]),
            "device": st.sampled_from(["ab", "AB", "zz", 7]),
        },
        optional={
            "learner": scalars,
            "exported_at": scalars,
            "clock": clocks.map(lambda c: c[:2]) | values,
            "path": values,
            "resources": st.dictionaries(
                st.sampled_from(["dmls-ch02", "dmls-ch07", "Bad Id", "x" * 120]), entries | values, max_size=3
            ),
        },
    )
    counter = iter(range(10**6))

    @settings(
        max_examples=int(os.environ.get("MLOPS_PATH_HYPOTHESIS_EXAMPLES", "40")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(doc=documents, extra=st.dictionaries(st.text(max_size=5), values, max_size=2))
    def check(doc, extra):
        root = tmp_path / f"case{next(counter)}"
        shared = root / "Sync"
        shared.mkdir(parents=True)
        ada = Device(root, "ada", monkeypatch)
        ada.ok("sync", "init", str(shared), "--name", "Ada", "--join")
        ada.ok("note", "dmls-ch02", "mine alone")
        before = ada.statuses()
        file = put(learner_dir(shared, "ada"), "ab.json", {**extra, **doc})
        try:
            read_device_file(file)
            valid = True
        except Skipped:
            valid = False
        for argv in (("next",), ("done", "dmls-ch08"), ("sync",), ("cohort",), ("sync", "status")):
            result = ada(*argv)
            assert result.exit_code in (0, 1), (argv, result.output)
        after = ada.statuses()
        changed = {rid for rid in after if after[rid] != before.get(rid)} - {"dmls-ch08"}
        if not valid:
            assert not changed, changed  # a file that fails its checks changes nothing
        else:
            assert changed <= set(doc.get("resources") or {})  # only what the file names, never more
        assert "mine alone" in [n["text"] for n in ada.json("show", "dmls-ch02")["notes"]]

    check()
