"""Black-box robustness of the progress file, through the installed command: many processes at
once, writers killed mid-write, full and read-only disks, unwritable folders, broken files.

The loops are bounded; MLOPS_PATH_STRESS_ROUNDS and MLOPS_PATH_CRASH_ROUNDS raise their counts.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import installed_script

from mlops_path.core.progress.store import read_progress

IDS = [
    *("dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09", "dmls-ch11", "mlops-principles", "operationalizing-ml"),
    *("demystifying-mlops", "how-ml-breaks", "reliable-maintenance", "ml-test-score", "gently-down-the-stream"),
    "mlops-guide",
]
STRESS_ROUNDS = int(os.environ.get("MLOPS_PATH_STRESS_ROUNDS", "2"))
CRASH_ROUNDS = int(os.environ.get("MLOPS_PATH_CRASH_ROUNDS", "12"))


def env_for(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "MLOPS_PATH_HOME": str(home), **extra}


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] if folder.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(STRESS_ROUNDS))
def test_concurrent_writers_and_readers_all_land(tmp_path, round_):
    home = tmp_path / "home"
    env = env_for(home, MLOPS_PATH_LOCK_TIMEOUT="60")
    script = installed_script()
    writers = [
        subprocess.Popen([script, "done", rid], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for rid in IDS
    ]
    readers = [
        subprocess.Popen([script, "list", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    for proc in writers + readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        if proc in readers:
            assert len(json.loads(out)) == len(IDS)
    progress = read_progress(home / "progress.json")
    assert all(progress.status_of(rid) == "done" for rid in IDS)
    assert sorted(rid for change in progress.history for rid in change.ids) == sorted(IDS)
    assert temp_files(home) == []


CRASHING_WRITER = textwrap.dedent(
    """
    import sys
    from mlops_path.core.api import Learner
    from mlops_path.core.progress.record import Status
    ids = sys.argv[1:]
    learner = Learner()
    print("ready", flush=True)
    i = 0
    while True:
        status = Status.DONE if (i // len(ids)) % 2 == 0 else Status.TODO
        learner.set_status([ids[i % len(ids)]], status)
        print(i, flush=True)
        i += 1
    """
)


def status_after(op: int) -> str:
    return "done" if (op // len(IDS)) % 2 == 0 else "todo"


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_never_loses_an_acknowledged_change(tmp_path):
    home = tmp_path / "home"
    env = env_for(home, MLOPS_PATH_LOCK_TIMEOUT="2")
    rng = random.Random(20261127)
    # Build the catalog cache first, so the writer starts writing at once in every round (a cold
    # cache costs a first write ~200 ms, longer than many of the random kill times below).
    subprocess.run([installed_script(), "next"], env=env, capture_output=True, timeout=30).check_returncode()
    for round_ in range(CRASH_ROUNDS):
        writer = subprocess.Popen(  # from tmp_path: the installed package, not the checkout's
            [sys.executable, "-c", CRASHING_WRITER, *IDS],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout.readline() == "ready\n"
        # Kill after the writer has acknowledged a random number of writes (an event, not a time: a
        # slow or loaded machine only takes longer), then at a random moment within the next ones.
        read = rng.randint(1, 2 * len(IDS))
        for op in range(read):
            assert writer.stdout.readline() == f"{op}\n", writer.stderr.read()
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        out, err = writer.communicate()
        assert writer.returncode == -signal.SIGKILL, err  # it was writing until killed, not dead of its own
        # Every op is numbered: continue from the lines read above. A line without its newline was
        # not acknowledged.
        acked = [*range(read), *(int(line) for line in out.split("\n")[:-1])]
        last = acked[-1]
        # Each round starts where the last one ended, so count the ops by their effect instead.
        progress = read_progress(home / "progress.json")  # always parses
        for op in acked[-len(IDS) :]:
            rid = IDS[op % len(IDS)]
            in_flight = IDS[(last + 1) % len(IDS)] == rid
            assert progress.status_of(rid) == status_after(op) or in_flight, (round_, rid, op)
        check = subprocess.run(
            [installed_script(), "done", "--", IDS[0]], env=env, capture_output=True, text=True, timeout=30
        )
        assert check.returncode == 0, check.stderr  # no stale lock
        assert temp_files(home) == []  # the next writer cleaned up
        # Bring the file back to a known state for the next round: everything todo.
        subprocess.run(
            [installed_script(), "reset", "--all", "--yes"], env=env, capture_output=True, timeout=30
        ).check_returncode()


# --- faults: full disk, read-only filesystem, unwritable folder -------------------------------


def namespace_prefix() -> list[str]:
    """A private mount namespace, so a test can mount a small tmpfs without touching the machine."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not available")
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    pytest.skip("cannot create a mount namespace here")


def seeded_home(tmp_path: Path) -> tuple[Path, bytes]:
    seed_home = tmp_path / "seed"
    subprocess.run([installed_script(), "done", "dmls-ch02"], env=env_for(seed_home), check=True, capture_output=True)
    return seed_home / "progress.json", (seed_home / "progress.json").read_bytes()


def run_in_namespace(tmp_path: Path, setup: str) -> str:
    home = tmp_path / "home"
    home.mkdir()
    seed, _ = seeded_home(tmp_path)
    script = textwrap.dedent(
        f"""
        mount -t tmpfs -o size=256k tmpfs "{home}" || exit 99
        cp "{seed}" "{home}/progress.json"
        {setup}
        "{installed_script()}" done dmls-ch07 > "{tmp_path}/out" 2> "{tmp_path}/err"; echo "done_rc=$?"
        "{installed_script()}" next --json > /dev/null 2>> "{tmp_path}/err"; echo "next_rc=$?"
        cmp -s "{seed}" "{home}/progress.json" && echo "progress=same"
        ls -A "{home}" | tr '\\n' ' '; echo
        """
    )
    result = subprocess.run(
        [*namespace_prefix(), "sh", "-c", script], env=env_for(home), capture_output=True, text=True, timeout=60
    )
    if "99" in result.stdout or result.returncode == 99:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    return result.stdout + "stderr:" + (tmp_path / "err").read_text()


@pytest.mark.slow
def test_a_full_disk_leaves_the_previous_file_intact(tmp_path):
    report = run_in_namespace(tmp_path, 'dd if=/dev/zero of="$MLOPS_PATH_HOME/filler" bs=4k 2>/dev/null; true')
    assert "done_rc=1" in report and "next_rc=0" in report and "progress=same" in report, report
    assert "No space left on device" in report and "Traceback" not in report
    assert ".tmp" not in report.split("stderr:")[0]


@pytest.mark.slow
def test_a_read_only_filesystem_refuses_writes_and_still_reads(tmp_path):
    report = run_in_namespace(tmp_path, 'mount -o remount,ro "$MLOPS_PATH_HOME"')
    assert "done_rc=1" in report and "next_rc=0" in report and "progress=same" in report, report
    assert "Read-only file system" in report and "Traceback" not in report


def without_root_powers() -> list[str]:
    """As root, chmod blocks nothing: drop the capabilities that bypass file permissions."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot drop privileges")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.mark.slow
def test_an_unwritable_folder_gives_a_clean_error(tmp_path):
    seed, data = seeded_home(tmp_path)
    seed.parent.chmod(0o555)
    try:
        result = subprocess.run(
            [*without_root_powers(), installed_script(), "done", "dmls-ch07"],
            env=env_for(seed.parent),
            capture_output=True,
            text=True,
            timeout=30,
        )
        reader = subprocess.run(
            [*without_root_powers(), installed_script(), "next"],
            env=env_for(seed.parent),
            capture_output=True,
            timeout=30,
        )
    finally:
        seed.parent.chmod(0o755)
    assert result.returncode == 1 and "Permission denied" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert reader.returncode == 0
    assert seed.read_bytes() == data and temp_files(seed.parent) == []
