"""Output targets of every kind (`view -o`, `plan --ics`, `cohort --html`) and a stdout that fails.

A target that is not a regular file is written through or refused, never replaced; a read-only
file is refused, also for root; a regular file is replaced atomically, through its symlink. A
closed or full stdout is one sentence and exit 1; a reader that left (`| head`) is quiet, exit 1.
Device nodes are made in the test's own folder (mknod, as root on CI): the system's /dev is never
a target, so no build, however wrong, can replace its /dev/null."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import installed_script

WRITERS = {
    "view": lambda target: ["view", "--no-open", "-o", str(target)],
    "plan": lambda target: ["plan", "--hours-per-week", "3", "--ics", str(target)],
}


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (1, 3) or /dev/full (1, 7), in the test's folder."""
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs root (CI runs as root)")
    return node


def one_sentence(result) -> str:
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), (
        result.stderr
    )
    return result.stderr


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_new_or_old_regular_file_is_replaced_atomically_through_its_symlink(cli, tmp_path, command):
    real = tmp_path / "real.out"
    real.write_text("old")
    link = tmp_path / "link.out"
    link.symlink_to(real)
    before = real.stat().st_ino
    assert cli(*WRITERS[command](link)).exit_code == 0
    assert link.is_symlink() and real.stat().st_ino != before and real.read_text() != "old"  # a new file, renamed in
    new = tmp_path / "new.out"
    assert cli(*WRITERS[command](new)).exit_code == 0 and new.stat().st_size > 100
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_read_only_file_is_refused_even_for_root(cli, tmp_path, command):
    target = tmp_path / "kept.out"
    target.write_text("keep me")
    target.chmod(0o444)
    assert "it is read-only" in one_sentence(cli(*WRITERS[command](target)))
    assert target.read_text() == "keep me" and stat.S_IMODE(target.stat().st_mode) == 0o444


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_device_is_written_through_never_replaced(cli, tmp_path, command):
    null = device(tmp_path, "null", 3)
    assert cli(*WRITERS[command](null)).exit_code == 0
    assert stat.S_ISCHR(null.stat().st_mode) and os.major(null.stat().st_rdev) == 1
    full = device(tmp_path, "full", 7)
    assert "No space left on device" in one_sentence(cli(*WRITERS[command](full)))
    assert stat.S_ISCHR(full.stat().st_mode)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left beside them


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_fifo_is_written_through_and_one_without_a_reader_is_refused(cli, tmp_path, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "nothing is reading" in one_sentence(cli(*WRITERS[command](fifo)))  # refused, not waited on
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        while True:  # write once the reader has opened its end (before that, nothing is reading)
            result = cli(*WRITERS[command](fifo))
            if result.exit_code == 0:
                break
            assert "nothing is reading" in result.stderr
    finally:
        reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and len(got[0]) > 100
    assert (b"<!DOCTYPE html>" if command == "view" else b"BEGIN:VCALENDAR") in got[0]


def test_dev_stdout_and_a_link_to_fd_1_are_written_through(script_env, tmp_path):
    for target in ("/dev/stdout", "/proc/self/fd/1"):
        result = subprocess.run(
            [installed_script(), "view", "--no-open", "-o", target], env=script_env, capture_output=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(b"<!DOCTYPE html>") and f"Wrote {target}.".encode() in result.stdout
    out = tmp_path / "redirected.html"
    with out.open("wb") as handle:  # stdout is a regular file: written through into it, not beside it
        result = subprocess.run(
            [installed_script(), "plan", "--hours-per-week", "3", "--ics", "/dev/stdout"],
            env=script_env,
            stdout=handle,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 0 and out.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_missing_name_under_dev_is_not_created(cli, tmp_path):
    assert "no such device" in one_sentence(cli("view", "--no-open", "-o", "/dev/mlops-path-nothing-here"))
    assert not os.path.exists("/dev/mlops-path-nothing-here")


def test_cohort_html_holds_the_same_rules(cli, tmp_path):
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    _device_file(group, "Ada", "a1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    kept = tmp_path / "kept.html"
    kept.write_text("keep")
    kept.chmod(0o444)
    assert "it is read-only" in one_sentence(cli("cohort", str(group), "--html", str(kept)))
    null = device(tmp_path, "null", 3)
    assert cli("cohort", str(group), "--html", str(null)).exit_code == 0 and stat.S_ISCHR(null.stat().st_mode)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["export"],
        ["export", "--format", "markdown"],
        ["list", "--json"],
        ["catalog", "schema"],
        ["next"],
        ["progress"],
    ],
)
def test_a_full_or_closed_stdout_is_one_sentence_and_exit_1(script_env, args):
    with open("/dev/full", "wb") as full:  # writing to the real /dev/full harms nothing
        result = subprocess.run(
            [installed_script(), *args], env=script_env, stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert (result.returncode, result.stderr) == (
        1,
        b"Error: Cannot write to standard output: No space left on device.\n",
    )
    result = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "-", installed_script(), *args], env=script_env, capture_output=True, timeout=60
    )
    assert (result.returncode, result.stderr) == (1, b"Error: Cannot write to standard output: it is closed.\n")


def test_a_reader_that_left_is_quiet(script_env):
    read, write = os.pipe()
    os.close(read)  # like `| head` after its lines: the next write is a broken pipe
    try:
        result = subprocess.run(
            [installed_script(), "list"], env=script_env, stdout=write, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (1, b"")


FULL = b"Error: Cannot write to standard output: No space left on device.\n"


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["help", "next"], ["--show-completion", "zsh"]])
def test_what_click_or_completion_prints_to_a_full_stdout_is_one_sentence_too(script_env, args):
    """--help is written by click itself, outside `output`: `main` says the same sentence for it."""
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [installed_script(), *args], env=script_env, stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert (result.returncode, result.stderr) == (1, FULL)
    if args != ["--help"]:  # click writes nothing to a closed stdout (its echo skips a missing stream): exit 0
        result = subprocess.run(
            ["bash", "-c", 'exec "$@" >&-', "-", installed_script(), *args],
            env=script_env,
            capture_output=True,
            timeout=60,
        )
        assert (result.returncode, result.stderr) == (1, b"Error: Cannot write to standard output: it is closed.\n")
