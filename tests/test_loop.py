"""The learner's loop: start, skip, reset an id, progress, focused next, notes, open."""

import stat
import subprocess
import time
import webbrowser

import pytest
from conftest import installed_script

from mlops_path.cli import learn as app_module

REQUIRED = 11  # 13 steps, 2 of them optional


def test_start_puts_a_step_first_in_next(cli):
    assert cli("start", "dmls-ch09").exit_code == 0
    assert cli.json("next")["id"] == "dmls-ch09"
    assert [i["id"] for i in cli.json("list", "--status", "in-progress")] == ["dmls-ch09"]
    cli("done", "dmls-ch09")
    assert cli.json("next")["id"] == "dmls-ch02"


def test_skip_is_passed_over_and_reset_brings_it_back(cli):
    cli("skip", "dmls-ch02")
    assert cli.json("next")["id"] == "dmls-ch07"
    assert "[-]  1  dmls-ch02" in cli("list").stdout
    result = cli("reset", "dmls-ch02")
    assert result.exit_code == 0 and "Marked todo: dmls-ch02" in result.stdout
    assert cli.json("next")["id"] == "dmls-ch02"


def test_each_status_change_is_undoable(cli):
    cli("start", "dmls-ch02")
    cli("skip", "dmls-ch07")
    assert [c["action"] for c in cli.json("history")] == ["skip", "start"]
    cli("undo")
    cli("undo")
    assert cli.json("list", "--status", "todo")[0]["id"] == "dmls-ch02" and cli.json("history")[0]["undone_at"]


def test_a_status_command_with_an_unknown_id_writes_nothing(cli, home):
    for command in ("start", "skip", "reset"):
        result = cli(command, "dmls-ch02", "bogus")
        assert result.exit_code == 2 and "Unknown id 'bogus'" in result.stderr
    assert not home.exists()


def test_progress_figures(cli):
    cli("done", "dmls-ch02", "dmls-ch07", "mlops-guide")
    cli("skip", "dmls-ch08")
    cli("start", "dmls-ch09")
    p = cli.json("progress")
    assert (p["done"], p["total"], p["skipped"]) == (3, 13, 1)
    # required steps: 11, minus the skipped one; the optional guide does not count
    assert (p["required"], p["required_done"], p["percent"]) == (REQUIRED - 1, 2, 20)
    assert (p["optional"], p["optional_done"]) == (2, 1)
    assert p["minutes_done"] == 48 + 68 + 15
    assert p["minutes_left"] == 500 - 48 - 68 - 76  # required minutes 500, minus done and skipped
    assert p["optional_minutes_left"] == 5
    assert p["in_progress"] == ["dmls-ch09"]
    assert p["last_finished"]["id"] in {"dmls-ch02", "dmls-ch07", "mlops-guide"}
    # stage and topic counts speak of required steps, like the percentage: the skipped chapter 8
    # leaves its stage's count, the optional guide is counted apart
    stages = {s["stage"]: (s["done"], s["steps"], s["optional_done"], s["optional"]) for s in p["stages"]}
    assert stages["Starting out: Designing Machine Learning Systems"] == (2, 4, 0, 0) and stages["Special topics"] == (
        0,
        3,
        1,
        2,
    )
    topics = {t["topic"]: (t["done"], t["steps"]) for t in p["topics"]}
    assert topics["system-design"] == (2, 2) and topics["monitoring"] == (0, 4)


def test_progress_text(cli):
    cli("done", "dmls-ch02")
    text = cli("progress").stdout
    assert text.startswith("[###---------------------------] 9%\n1 of 11 required steps done (9%); optional: 0 of 2\n")
    assert "Time: ≈48 min done, about 7 h 32 min left (+20 min optional) (estimates)" in text
    assert (
        "Pace: 48 min a week so far; too early to forecast (you started today)." in text
    )  # never 12 min over 4 empty weeks
    assert "Last finished: dmls-ch02 on " in text and "  1/5  Starting out: Designing Machine Learning Systems" in text


def test_progress_on_a_fresh_home_and_when_everything_is_skipped(cli):
    assert cli.json("progress")["percent"] == 0 and cli.json("progress")["last_finished"] is None
    ids = [i["id"] for i in cli.json("list")]
    cli("skip", *ids)
    assert cli.json("progress")["percent"] == 100


def test_next_on_a_topic(cli):
    assert cli.json("next", "--topic", "drift")["id"] == "dmls-ch08"
    cli("done", "dmls-ch08")
    assert cli.json("next", "--topic", "drift")["id"] == "reliable-maintenance"
    result = cli("next", "--topic", "kubernetes")
    assert result.exit_code == 2 and "known topics:" in result.stderr


def test_next_that_fits_the_time_you_have(cli):
    assert cli.json("next", "--minutes", "20")["id"] == "demystifying-mlops"
    assert cli.json("next", "--minutes", "25")["id"] == "mlops-principles"
    assert cli.json("next", "--minutes", "4") is None
    result = cli("next", "--minutes", "4")
    assert result.exit_code == 0
    assert (
        result.stdout == "No open step fits in 4 min; the shortest is gently-down-the-stream, "
        "Gently Down the Stream: A Gentle Introduction to Apache Kafka (≈5 min).\n"  # an estimate, marked as everywhere
    )


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_bad_minutes_are_a_usage_error(cli, value):
    assert cli("next", "--minutes", value).exit_code == 2


def test_a_note_keeps_its_text_exactly(cli):
    text = "Ré-read §3 — 漢字, emoji 🧪, tabs\tand  two spaces"
    result = cli("note", "dmls-ch08", text)
    assert result.exit_code == 0 and result.stdout.startswith("Noted on dmls-ch08 at ")
    notes = cli.json("show", "dmls-ch08")["notes"]
    assert [n["text"] for n in notes] == [text] and notes[0]["at"]
    assert text.replace("\t", " ") in cli("show", "dmls-ch08").stdout  # human output: a tab is a space
    assert cli.json("show", "dmls-ch08")["status"] == "todo"


def test_notes_survive_status_changes_and_undo_takes_one_back(cli):
    cli("note", "dmls-ch08", "first")
    cli("done", "dmls-ch08")
    cli("note", "dmls-ch08", "second")
    cli("reset", "dmls-ch08")
    assert [n["text"] for n in cli.json("show", "dmls-ch08")["notes"]] == ["first", "second"]
    cli("undo")  # the reset
    cli("undo")  # the second note
    item = cli.json("show", "dmls-ch08")
    assert item["status"] == "done" and [n["text"] for n in item["notes"]] == ["first"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dmls-ch08", "  "], "needs some text"),
        (["dmls-ch8", "x"], "Unknown id"),
        (["dmls-ch08", "x" * 10_001], "at most"),
    ],
)
def test_bad_notes_are_refused_with_nothing_written(cli, home, args, message):
    result = cli("note", *args)
    assert result.exit_code == 2 and message in result.stderr and not home.exists()


def test_open_uses_the_browser_and_prints_the_link(cli, monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    result = cli("open", "ml-test-score")
    assert result.exit_code == 0 and opened == [cli.json("show", "ml-test-score")["url"]]
    assert result.stdout == f"Opening {opened[0]}\n"
    cli("open")
    assert opened[-1] == cli.json("next")["url"]


def test_open_without_a_browser_prints_the_link(cli, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    result = cli("open", "mlops-guide")
    assert (
        result.exit_code == 0
        and result.stdout == "No browser could be started; the link is https://huyenchip.com/mlops/\n"
    )


def test_open_with_everything_done_needs_an_id(cli, monkeypatch):
    monkeypatch.setattr(app_module, "_open_in_browser", lambda url: pytest.fail("must not open"))
    cli("done", *[i["id"] for i in cli.json("list")])
    assert cli("open").exit_code == 2


def test_open_honours_the_browser_variable_in_the_installed_command(tmp_path, script_env):
    log = tmp_path / "opened.txt"
    browser = tmp_path / "fake-browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\n')
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    env = {**script_env, "BROWSER": str(browser), "DISPLAY": ""}
    result = subprocess.run(
        [installed_script(), "open", "how-ml-breaks"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    for _ in range(100):  # webbrowser starts the browser in the background
        if log.exists():
            break
        time.sleep(0.05)
    assert log.read_text() == "https://www.usenix.org/conference/opml20/presentation/papasian\n"
