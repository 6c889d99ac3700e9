"""One state pipeline: every command reads the progress file once (counted with strace in a real
process): read commands render every figure from one snapshot, and a changing command reads,
merges the other devices, changes and writes in one transaction under the lock."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import installed_script, need


def opens_of(file: Path, argv: list[str], env: dict, tmp_path: Path) -> int:
    log = tmp_path / "strace.log"
    result = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(log), installed_script(), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        input="",
    )
    assert result.returncode == 0, (argv, result.stderr)
    target = re.escape(str(file))
    return sum(1 for line in log.read_text().splitlines() if re.search(rf'"{target}"', line) and "ENOENT" not in line)


@pytest.fixture
def env(home, tmp_path):
    need(shutil.which("strace") is not None, "strace")
    return {
        "PATH": "/usr/bin:/bin",
        "MLOPS_PATH_HOME": str(home),
        "MLOPS_PATH_CACHE": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }


COMMANDS = [
    ["next"],
    ["list"],
    ["progress"],
    ["topics"],
    ["paths"],
    ["week"],
    ["show", "dmls-ch02"],
    ["done"],
    ["done", "dmls-ch07", "dmls-ch08"],
    ["start", "dmls-ch09"],
    ["skip", "gently-down-the-stream"],
    ["note", "one read is enough"],
    ["undo"],
    ["reset", "dmls-ch07"],
    ["reset", "--all", "--yes"],
]


def test_every_command_reads_the_progress_file_once(env, progress_file, tmp_path):
    subprocess.run([installed_script(), "done", "dmls-ch02"], env=env, check=True, capture_output=True, timeout=120)
    counted = {" ".join(argv): opens_of(progress_file, argv, env, tmp_path) for argv in COMMANDS}
    assert counted == dict.fromkeys(counted, 1)


def test_with_sync_on_a_change_reads_once_and_merges_before_it_changes(env, progress_file, tmp_path):
    shared = tmp_path / "Sync"
    shared.mkdir()
    other = {**env, "MLOPS_PATH_HOME": str(tmp_path / "other"), "MLOPS_PATH_CACHE": str(tmp_path / "other-cache")}
    for e in (env, other):
        subprocess.run(
            [installed_script(), "sync", "init", str(shared), "--name", "Ada", "--join"],
            env=e,
            check=True,
            capture_output=True,
        )
    subprocess.run([installed_script(), "done", "dmls-ch02"], env=other, check=True, capture_output=True, timeout=120)
    # the other device's change is new here: `skip` merges it, then skips, in one read and one write
    assert opens_of(progress_file, ["skip", "dmls-ch07"], env, tmp_path) == 1
    for argv in (["next"], ["done"], ["progress"]):
        assert opens_of(progress_file, argv, env, tmp_path) == 1, argv
