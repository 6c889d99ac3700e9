"""A change made after another device's wins everywhere, even from a device whose clock runs two
hours behind (libfaketime): every changing command merges the other devices first, so its clock is
past every clock it has seen. Real processes, a real synced folder."""

import json
import shutil
import subprocess

import pytest
from conftest import installed_script, need

X = "dmls-ch08"


@pytest.fixture
def pair(tmp_path):
    need(shutil.which("faketime") is not None, "faketime (libfaketime)")
    shared = tmp_path / "Sync"
    shared.mkdir()

    def env(name: str) -> dict:
        return {
            "PATH": "/usr/bin:/bin",
            "MLOPS_PATH_HOME": str(tmp_path / name),
            "MLOPS_PATH_CACHE": str(tmp_path / f"{name}-cache"),
        }

    def run(name: str, *args: str) -> str:
        skew = ["faketime", "-f", "-2h"] if name == "behind" else []
        result = subprocess.run(
            [*skew, installed_script(), *args], env=env(name), capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, (name, args, result.stderr)
        return result.stdout

    for name in ("ahead", "behind"):
        run(name, "sync", "init", str(shared), "--name", "Ada", "--join", "--share-notes")
    return run


def show(run, name: str) -> dict:
    return json.loads(run(name, "show", X, "--json"))


@pytest.mark.parametrize(
    ("theirs", "mine", "status"),
    [
        (["skip", X], ["done", X], "done"),
        (["done", X], ["start", "--force", X], "in-progress"),
        (["done", X], ["skip", X], "skipped"),
        (["done", X], ["reset", X], "todo"),
        (["done", X], ["reset", "--all", "--yes"], "todo"),
    ],
    ids=["done", "start", "skip", "reset", "reset-all"],
)
@pytest.mark.slow
def test_a_change_right_after_another_devices_wins_from_a_clock_behind(pair, theirs, mine, status):
    pair("ahead", *theirs)
    pair("behind", *mine)  # no `sync` first: the command itself merges before it changes
    for name in ("ahead", "behind", "ahead"):
        pair(name, "sync")
    assert show(pair, "ahead")["status"] == show(pair, "behind")["status"] == status


def test_a_note_right_after_another_devices_change_keeps_both(pair):
    pair("ahead", "done", X)
    pair("behind", "note", X, "written after seeing it")
    for name in ("ahead", "behind", "ahead"):
        pair(name, "sync")
    for name in ("ahead", "behind"):
        seen = show(pair, name)
        assert seen["status"] == "done" and [n["text"] for n in seen["notes"]] == ["written after seeing it"]


def test_undo_after_another_devices_change_takes_back_only_its_own(pair):
    pair("behind", "note", X, "mine, to take back")
    pair("behind", "sync")
    pair("ahead", "done", X)
    pair("behind", "undo")  # takes back the note: never the other device's `done`
    for name in ("ahead", "behind", "ahead"):
        pair(name, "sync")
    for name in ("ahead", "behind"):
        seen = show(pair, name)
        assert seen["status"] == "done" and seen["notes"] == []
