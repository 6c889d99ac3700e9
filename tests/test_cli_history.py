"""undo, history, reset --all and doctor through the CLI; the lock as another process holds it."""

import json
import re
import subprocess
import sys

import pytest


def test_undo_takes_back_the_last_done(cli):
    cli("done", "dmls-ch02")
    cli("done", "dmls-ch07")
    result = cli("undo")
    assert result.exit_code == 0 and "Undid `done`" in result.stdout and "dmls-ch07" in result.stdout
    assert cli.json("next")["id"] == "dmls-ch07"
    cli("undo")
    assert cli.json("next")["id"] == "dmls-ch02"
    assert cli("undo").stdout == "Nothing to undo.\n"


def test_history_lists_changes_newest_first(cli):
    cli("done", "dmls-ch02", "dmls-ch07")
    cli("done", "dmls-ch08")
    cli("undo")
    changes = cli.json("history")
    assert [c["ids"] for c in changes] == [["dmls-ch08"], ["dmls-ch02", "dmls-ch07"]]
    assert changes[0]["undone_at"] and changes[1]["undone_at"] is None
    lines = cli("history").stdout.splitlines()
    assert "dmls-ch08" in lines[0] and "(undone " in lines[0]


def test_history_on_a_fresh_home(cli):
    assert cli("history").stdout == "No changes yet.\n" and cli.json("history") == []


def test_reset_all_asks_first(cli, progress_file):
    cli("done", "dmls-ch02")
    before = progress_file.read_bytes()
    result = cli("reset", "--all", input="n\n")
    assert result.exit_code == 0 and "Nothing changed." in result.stdout and progress_file.read_bytes() == before
    assert "1 record and 0 notes" in result.stderr  # the question says what would be lost
    result = cli("reset", "--all", input="")
    assert result.exit_code == 2 and "add --yes" in result.stderr and progress_file.read_bytes() == before
    result = cli("reset", "--all", input="y\n")
    assert result.exit_code == 0 and "Cleared the progress of 1 resource" in result.stdout
    assert cli.json("next")["id"] == "dmls-ch02"
    assert (progress_file.parent / "progress.json.bak").read_bytes() == before


def test_reset_all_yes_skips_the_question_and_undo_brings_it_back(cli):
    cli("done", "dmls-ch02", "dmls-ch07")
    assert cli("reset", "--all", "--yes").exit_code == 0
    assert cli.json("list", "--status", "done") == []
    cli("undo")
    assert [i["id"] for i in cli.json("list", "--status", "done")] == ["dmls-ch02", "dmls-ch07"]


def test_reset_without_all_is_a_usage_error(cli, home):
    result = cli("reset")
    assert result.exit_code == 2 and "--all" in result.stderr and not home.exists()
    assert cli("reset", "dmls-ch02", "--all").exit_code == 2 and not home.exists()


def test_doctor_reports_and_repairs_a_broken_file(cli, progress_file):
    cli("done", "dmls-ch02")
    cli("done", "dmls-ch07")
    progress_file.write_bytes(b"\x00\x01")
    result = cli("next")
    assert result.exit_code == 1
    assert (
        "contains NUL bytes" in result.stderr
        and "progress.json.bak" in result.stderr
        and "doctor --repair" in result.stderr
    )
    report = cli("doctor")
    assert report.exit_code == 1 and "BROKEN" in report.stdout
    fixed = cli("doctor", "--repair")
    assert fixed.exit_code == 0 and "Set the broken file aside" in fixed.stdout
    assert cli.json("next")["id"] == "dmls-ch07"
    (aside,) = progress_file.parent.glob("progress.json.broken-*")
    assert aside.read_bytes() == b"\x00\x01"


def test_doctor_on_a_healthy_home(cli):
    result = cli("doctor")
    assert result.exit_code == 0 and "(none yet" in result.stdout
    cli("done", "dmls-ch02")
    assert "(ok)." in cli("doctor").stdout


def test_a_future_schema_can_be_read_but_not_changed(cli, progress_file):
    progress_file.parent.mkdir(parents=True)
    data = json.dumps({"version": 9, "resources": {"dmls-ch02": {"status": "done", "updated": "2026-01-01T00:00:00Z"}}})
    progress_file.write_text(data)
    assert cli.json("next")["id"] == "dmls-ch07"
    result = cli("done", "dmls-ch07")
    assert result.exit_code == 1 and "upgrade mlops-path" in result.stderr
    assert progress_file.read_text() == data


def test_a_held_lock_gives_a_clear_error_after_the_timeout(cli, progress_file, monkeypatch):
    cli("done", "dmls-ch02")
    before = progress_file.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from filelock import UnixFileLock as L; l = L(sys.argv[1]); l.acquire(); "
                "print('held', flush=True); time.sleep(60)"
            ),
            f"{progress_file}.lock",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        monkeypatch.setenv("MLOPS_PATH_LOCK_TIMEOUT", "0.3")
        result = cli("done", "dmls-ch07")
        assert result.exit_code == 1
        assert "Another mlops-path seems to be running" in result.stderr
        assert cli("next").exit_code == 0  # readers take no lock
    finally:
        holder.kill()
        holder.wait()
    assert progress_file.read_bytes() == before
    assert cli("done", "dmls-ch07").exit_code == 0  # a dead holder leaves no stale lock


@pytest.mark.parametrize("odd", ["two words", "naïve-id", "tab\there", "-" * 3 + "x", "é" * 300])
def test_odd_ids_never_write(cli, home, odd):
    result = cli("done", "--", odd)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not home.exists()


@pytest.mark.slow
def test_a_progress_file_truncated_anywhere_is_refused_byte_for_byte(cli, progress_file):
    cli("done", "dmls-ch02", "dmls-ch07")
    cli("done", "ml-test-score")
    cli("undo")
    whole = progress_file.read_bytes()
    refused = 0
    for cut in range(0, len(whole) - 2, 5):
        progress_file.write_bytes(whole[:cut])
        for args in (["done", "dmls-ch08"], ["next"]):
            result = cli(*args)
            assert result.exit_code == 1, (cut, args)
            assert result.stderr.startswith(f"Error: The progress file {progress_file} ")
        assert progress_file.read_bytes() == whole[:cut]
        refused += 1
    assert refused > 100


def test_every_json_time_is_iso_8601_utc_with_z(cli):
    cli("done", "dmls-ch02")
    cli("note", "dmls-ch02", "n")
    item = cli.json("show", "dmls-ch02")
    times = [
        item["done_at"],
        item["notes"][0]["at"],
        cli.json("history")[0]["at"],
        cli.json("progress")["last_finished"]["at"],
    ]
    times.append(json.loads(cli("export").stdout)["exported_at"])
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times), times
