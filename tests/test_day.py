"""A learner's day without friction: the current step by default, options anywhere, forgiving
input, one vocabulary for counts, milestones, search, pace, the start screen, plain mode."""

import json

import pytest

REQUIRED = 11


def test_done_start_and_skip_act_on_the_current_step_and_say_so(cli):
    result = cli("done")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Marked done: dmls-ch02 (the current step, Chapter 2: Introduction to Machine Learning"
    )
    assert "Marked started: dmls-ch07 (the current step" in cli("start").stdout
    assert "Marked skipped: dmls-ch07" in cli("skip").stdout
    assert cli.json("show", "dmls-ch07")["status"] == "skipped"
    cli("done", *[i["id"] for i in cli.json("list")])
    result = cli("done")
    assert result.exit_code == 2 and "give an id" in result.stderr


def test_a_note_with_only_text_notes_the_current_step(cli):
    result = cli("note", "worth a re-read")
    assert result.exit_code == 0 and result.stdout.startswith("Noted on dmls-ch02 at ")
    assert [n["text"] for n in cli.json("show", "dmls-ch02")["notes"]] == ["worth a re-read"]
    assert "Noted on dmls-ch08" in cli("note", "DMLS-CH08", "with an id").stdout  # ids match any case
    result = cli("note", "dmls-ch09")
    assert result.exit_code == 2 and "Give the note's text after the id" in result.stderr
    assert cli("note", "a", "b", "c").exit_code == 2


def test_starting_a_done_step_asks_first(cli):
    cli("done", "dmls-ch02")
    result = cli("start", "dmls-ch02", input="n\n")
    assert result.exit_code == 0 and "dmls-ch02 was done on " in result.stderr and "Nothing changed." in result.stdout
    assert cli.json("show", "dmls-ch02")["status"] == "done"
    result = cli("start", "dmls-ch02")  # no answer to read: a script
    assert result.exit_code == 2 and "--force starts it again" in result.stderr
    assert cli("start", "dmls-ch02", input="y\n").exit_code == 0
    assert cli.json("show", "dmls-ch02")["status"] == "in-progress"
    cli("done", "dmls-ch02")
    assert "Marked started: dmls-ch02" in cli("start", "dmls-ch02", "--force").stdout


@pytest.mark.parametrize(
    "args", [["next", "--path", "mlops"], ["next", "--path=mlops"], ["list", "--catalog", "{file}", "--topic", "t"]]
)
def test_global_options_work_after_the_command(cli, tmp_path, args):
    file = tmp_path / "extra.toml"
    file.write_text(
        '[[resources]]\nid = "extra"\ntitle = "Extra"\nkind = "talk"\nurl = "https://e.org/"\nminutes = 5\ntopics = '
        '["t"]\n'
        '[[paths]]\nid = "mlops-extra"\ntitle = "E"\nsteps = ["extra"]\n'
    )
    args = [a.replace("{file}", str(file)) for a in args]
    result = cli(*args)
    if "--catalog" in args:
        assert "Unknown topic 't'" in result.stderr  # the catalog loaded; its topic is not on the current path
        assert cli("list", "--catalog", str(file), "--path", "mlops-extra").stdout.startswith("[ ]  1  extra")
    else:
        assert result.exit_code == 0 and "Chapter 2" in result.stdout
    assert cli("note", "--", "text with --path in it").exit_code == 0  # never past a --


def test_forgiving_input_suggests_what_was_meant(cli):
    for args, expected in [
        (["list", "--topic", "monitorin"], "Unknown topic 'monitorin'; did you mean monitoring?"),
        (["list", "--kind", "tak"], "Unknown kind 'tak'; did you mean talk?"),
        (["list", "--status", "dne"], "Unknown status 'dne'; did you mean done?"),
        (["use", "mlop"], "Unknown path 'mlop'; did you mean mlops?"),
        (["done", "dmls-ch8"], "did you mean dmls-ch08"),
        (["nxt"], "Did you mean 'next'?"),
        (["help", "nxt"], "did you mean next?"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2 and expected in result.stderr, (args, result.stderr)
    assert cli.json("list", "--topic", "Monitoring") == cli.json("list", "--topic", "monitoring")
    assert cli.json("show", "ML-TEST-SCORE")["id"] == "ml-test-score"


def test_help_and_dash_h(cli):
    assert "Usage: mlops-path next" in cli("help", "next").stdout
    assert "Usage: mlops-path sync init" in cli("help", "sync", "init").stdout
    assert cli("help").stdout.startswith("Usage: mlops-path")
    assert "Usage: mlops-path list" in cli("list", "-h").stdout


def test_click_errors_speak_in_one_sentence_and_a_hint(cli):
    result = cli("next", "--bogus")
    assert result.exit_code == 2 and result.stderr == "Error: No such option: --bogus.\nSee `mlops-path next --help`.\n"
    result = cli("use")
    assert result.exit_code == 2 and result.stderr.startswith("Error: Missing argument 'PATH'.\n")


def test_next_on_a_topic_with_nothing_open_says_so_truthfully(cli):
    cli("skip", "gently-down-the-stream")
    result = cli("next", "--topic", "streaming")
    assert result.exit_code == 0 and "finished every step" not in result.stdout
    assert (
        "No open step on the topic 'streaming': of its 1 step, 0 done and 1 skipped (gently-down-the-stream)."
        in result.stdout
    )
    assert "12 other steps of the path are still open" in result.stdout
    assert cli("next", "--topic", "streaming", "--json").stdout.strip() == "null"


def test_every_view_counts_the_same_way(cli):
    cli("done", "dmls-ch02", "dmls-ch07", "mlops-guide")
    cli("skip", "dmls-ch08")
    progress = cli.json("progress")
    paths = {p["id"]: p for p in cli.json("paths")}
    assert (
        (paths["mlops"]["required_done"], paths["mlops"]["required"], paths["mlops"]["percent"])
        == (progress["required_done"], progress["required"], progress["percent"])
        == (2, REQUIRED - 1, 20)
    )
    assert "2 of 10 required steps done (20%); optional: 1 of 2; 1 skipped" in cli("progress").stdout
    assert "* mlops    2/10  required  20%  So, you want to learn about MLOps" in cli("paths").stdout
    assert "step 4 of 13" in cli("next").stdout  # a position is among all steps


def test_finishing_a_stage_and_the_required_path_is_said_once(cli):
    cli("done", "dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09")
    result = cli("done", "dmls-ch11")
    assert (
        "You finished the stage 'Starting out: Designing Machine Learning Systems'.\nNext: MLOps Principles"
        in result.stdout
    )
    assert "You finished the stage" not in cli("done", "mlops-guide").stdout
    rest = ["mlops-principles", "operationalizing-ml", "demystifying-mlops", "how-ml-breaks", "reliable-maintenance"]
    cli("done", *rest)
    result = cli("done", "ml-test-score")
    assert "You finished every required step of this path. Well done!" in result.stdout
    assert "every required step" not in cli("done", "gently-down-the-stream").stdout


def test_optional_steps_are_marked_in_list(cli):
    lines = cli("list").stdout.splitlines()
    assert [line[8:].split()[0] for line in lines if "; optional)" in line] == ["gently-down-the-stream", "mlops-guide"]
    assert lines[0].endswith("<- you are here") and sum("you are here" in line for line in lines) == 1


def test_search_ranks_and_shows_the_matching_field(cli):
    cli("note", "dmls-ch11", "Ask about the on-call rota for models")
    hits = cli.json("search", "drift")
    assert [h["id"] for h in hits] == ["dmls-ch08", "reliable-maintenance"]
    assert {m["field"] for m in hits[0]["matches"]} >= {"topics"}
    assert cli.json("search", "on-call")[0]["id"] == "dmls-ch11"
    assert cli.json("search", "on-call")[0]["matches"][0]["field"] == "notes"
    assert cli.json("search", "huyen", "monitoring")[0]["id"] == "dmls-ch08"  # every word, anywhere
    assert cli.json("search", "zzzz") == []
    assert "Nothing on this path matches 'zzzz'." in cli("search", "zzzz").stdout
    assert "notes: Ask about the on-call rota" in cli("search", "on-call").stdout
    assert cli("search", " ").exit_code == 2


def test_pace_forecast_and_the_week(cli, progress_file):
    assert cli.json("progress")["pace_minutes_per_week"] == 0 and cli.json("progress")["forecast"] is None
    cli("done", "dmls-ch02", "dmls-ch07")
    cli("note", "dmls-ch07", "serving patterns")
    p = cli.json("progress")
    # day one: the pace is over one week (never over four weeks nobody studied), and too early to forecast
    assert p["pace_minutes_per_week"] == 48 + 68 and p["pace_weeks"] == 1 and p["forecast"] is None
    assert "Pace: 1 h 56 min a week so far; too early to forecast (you started today)." in cli("progress").stdout
    from datetime import UTC, date, datetime, timedelta

    data = json.loads(progress_file.read_text())  # the learner started three weeks ago
    started = (datetime.now(UTC) - timedelta(days=21)).isoformat().replace("+00:00", "Z")
    data["history"].insert(0, dict(data["history"][0], at=started, action="start"))
    progress_file.write_text(json.dumps(data))
    p = cli.json("progress")
    assert p["pace_weeks"] == 3 and p["pace_minutes_per_week"] == round(116 / 3, 1)
    # the rest, 500 - 116 = 384 required minutes at 38.7 a week, is 70 days away (7 * 384 / 38.7, rounded up)
    assert (date.fromisoformat(p["forecast"]) - datetime.now(UTC).date()).days in (
        70,
        71,
    )  # 71: the test ran across midnight
    week = cli.json("week")
    assert (
        [f["id"] for f in week["finished"]] == ["dmls-ch02", "dmls-ch07"]
        and week["minutes"] == 116
        and week["streak_weeks"] == 1
    )
    assert week["notes"][0]["text"] == "serving patterns"
    text = cli("week").stdout
    assert "Finished 2 steps, ≈1 h 56 min." in text and "Weeks in a row with some study: 1." in text


def test_a_streak_counts_weeks_in_a_row(cli, progress_file):
    cli("done", "dmls-ch02")
    data = json.loads(progress_file.read_text())
    data["history"] += [dict(data["history"][0], at=at) for at in ("2026-01-01T00:00:00Z",)]
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    for days in (8, 15, 30):  # last week, the week before, and after a gap
        data["history"].append(
            dict(data["history"][0], at=(now - timedelta(days=days)).isoformat().replace("+00:00", "Z"))
        )
    progress_file.write_text(json.dumps(data))
    assert cli.json("week")["streak_weeks"] == 3


def test_the_start_screen_and_the_catalogs_folder(cli, home, tmp_path):
    assert "mlops-path next" in cli().stdout
    folder = cli("where", "--catalogs").stdout.strip()
    assert (home / "catalogs").is_dir() and folder == str(home / "catalogs")


def test_catalog_add_checks_then_copies_and_check_with_no_file_checks_everything(cli, home, tmp_path):
    good = tmp_path / "course.toml"
    good.write_text(
        '[[resources]]\nid = "c-one"\ntitle = "One"\nkind = "talk"\nurl = "https://e.org/"\nminutes = 5\ntopics = '
        '["t"]\n'
        '[[paths]]\nid = "course"\ntitle = "Course"\nsteps = ["c-one"]\n'
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[[resources]]\nid = "c-two"\ntitle = "Two"\n')
    result = cli("catalog", "add", str(bad))
    assert result.exit_code == 1 and "field 'kind'" in result.stdout and not (home / "catalogs" / "bad.toml").exists()
    assert "Added " in cli("catalog", "add", str(good)).stdout
    assert (home / "catalogs" / "course.toml").read_bytes() == good.read_bytes()
    assert "course" in {p["id"] for p in cli.json("paths")}
    good.write_text(good.read_text().replace('"One"', '"One, renamed"'))
    assert cli("catalog", "add", str(good)).exit_code == 2  # a different file of that name is not replaced silently
    assert cli("catalog", "add", str(good), "--force").exit_code == 0
    result = cli("catalog", "check")
    assert result.exit_code == 0 and "catalog.toml: ok" in result.stdout and "course.toml: ok" in result.stdout


def test_plain_mode_has_no_bars_and_says_statuses_in_words(cli, monkeypatch):
    cli("done", "dmls-ch02")
    monkeypatch.setenv("MLOPS_PATH_PLAIN", "1")
    lines = cli("list").stdout.splitlines()
    assert lines[0].startswith("done     1  dmls-ch02") and lines[1].startswith("todo     2  dmls-ch07")
    progress = cli("progress").stdout
    assert "[#" not in progress and "█" not in progress and progress.startswith("1 of 11 required steps done")
    monkeypatch.delenv("MLOPS_PATH_PLAIN")
    monkeypatch.setenv("TERM", "dumb")
    assert cli("list").stdout.startswith("done ")


def test_the_compact_list_in_a_real_80_column_terminal(script_env):
    """Under a pseudo-terminal (script), as a person sees it: one screen, one marker, ids whole."""
    import re
    import subprocess

    from conftest import installed_script

    env = {**script_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    subprocess.run([installed_script(), "done", "dmls-ch02"], env=env, capture_output=True, check=True)
    result = subprocess.run(
        ["script", "-qec", f"{installed_script()} list", "/dev/null"], env=env, capture_output=True, timeout=60
    )
    screen = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout.decode()).replace("\r\n", "\n")
    lines = screen.rstrip("\n").splitlines()
    assert result.returncode == 0 and 13 < len(lines) <= 24, screen
    assert max(len(line) for line in lines) <= 80
    assert [line for line in lines if line.startswith("▶")] == [line for line in lines if "dmls-ch07" in line]
    for rid in ("dmls-ch02", "operationalizing-ml", "gently-down-the-stream", "mlops-guide"):
        assert sum(rid in line for line in lines) == 1, rid  # one line a step, the id whole
