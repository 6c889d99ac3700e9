"""The papercuts of issue 17, one test each: help wrapped at word boundaries, list columns sized from
their content, --long giving more at every width, ids and suggested commands never split, one plural,
a finished path that points somewhere, `show` on the current step, no plan for weeks that are over,
and sync status's times shown like every other view's."""

import re
from datetime import date, datetime, timedelta

import pytest
from test_render import PATH_IDS, terminal  # noqa: F401 (a fixture)
from typer.main import get_command

from mlops_path.cli import output
from mlops_path.cli.app import app

REQUIRED = [i for i in PATH_IDS if i not in ("gently-down-the-stream", "mlops-guide")]
BOX = set("│╭╮╰╯─")


def help_commands(command=None, words=()):
    command = command or get_command(app)
    found = [list(words)]
    for name, sub in getattr(command, "commands", {}).items():
        found += help_commands(sub, (*words, name))
    return found


def unwrapped_help(cli, words):
    """The help with nothing wrapped: every word as the code spells it."""
    return cli.runner.invoke(app, [*words, "--help"], terminal_width=100_000).stdout


def without_command_list(text: str) -> str:
    """The help minus its list of commands, whose summaries are cut to a length that depends on the width."""
    return re.sub(r"^Commands:\n(?:  .*\n)*", "", text, flags=re.MULTILINE)


@pytest.mark.slow
@pytest.mark.parametrize("width", [40, 80, 160])
def test_help_breaks_lines_at_spaces_only_and_keeps_example_commands_whole(cli, terminal, width):  # noqa: F811
    terminal(width)
    for words in help_commands():
        for args in ([*words, "--help"], ["help", *words]):
            result = cli(*args)
            assert result.exit_code == 0, (args, result.output)
            text = result.stdout
            assert max(len(line) for line in text.splitlines()) <= width, (args, text)
            wide = unwrapped_help(cli, words)
            words_here = [w for w in without_command_list(text).split() if w not in ("\\", "-h,")]
            assert words_here == [w for w in without_command_list(wide).split() if w != "-h,"], (args, width, text)
            example = re.search(r"Example: (mlops-path .+)$", wide, re.MULTILINE)
            if example:  # on one line, or continued with ` \` between shell words
                shown = re.search(r"Example:\s+(mlops-path (?:.*\\\n)*.*)$", text, re.MULTILINE)[1]
                assert re.sub(r" \\\n\s*", " ", shown) == example[1], (args, width, text)


def test_help_at_40_columns_says_what_to_read_or_watch_in_whole_words(cli, terminal):  # noqa: F811
    terminal(40)
    text = cli("--help").stdout
    assert "what to rea" not in text.replace("what to read", "")
    assert "read or watch" in " ".join(text.split())


def test_the_compact_list_gives_titles_the_width_there_is(cli, terminal):  # noqa: F811
    screen = terminal(80)
    cli("list")
    chapter = next(line for line in screen.getvalue().splitlines() if "dmls-ch02" in line)
    assert "dmls-ch02  Chapter 2: Introduction to Machine Learn" in chapter  # no 22-column id column here
    screen = terminal(160)
    cli("list")
    text = screen.getvalue()
    assert "…" not in text
    assert "The ML Test Score: A Rubric for ML Production Readiness and Technical Debt Reduction" in text


@pytest.mark.parametrize("width", [40, 80, 160])
def test_list_long_gives_more_at_every_width(cli, terminal, width):  # noqa: F811
    screen = terminal(width)
    cli("list")
    short = screen.getvalue()
    screen = terminal(width)
    cli("list", "--long")
    long = screen.getvalue()
    for kind in ("book-chapter", "web-guide", "paper"):
        assert kind in long and kind not in short, (width, kind, long)
    assert "continual-learning" in long and "continual-learning" not in short


@pytest.mark.parametrize("width", [40, 80, 160])
def test_history_never_splits_an_id(cli, terminal, width):  # noqa: F811
    cli("skip", "reliable-maintenance", "gently-down-the-stream")
    cli("done", "operationalizing-ml", "demystifying-mlops")
    screen = terminal(width)
    assert cli("history").exit_code == 0
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text))
    for rid in ("reliable-maintenance", "gently-down-the-stream", "operationalizing-ml", "demystifying-mlops"):
        assert rid in words, (width, rid, text)


@pytest.mark.parametrize("width", [80, 160])
def test_the_cohort_never_splits_a_name_or_an_id(cli, terminal, tmp_path, width):  # noqa: F811
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    _device_file(group, "Grace Hopper", "b1", {"reliable-maintenance": entry("in-progress", "2026-11-20T00:00:00Z")})
    _device_file(group, "Ada Lovelace", "a1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    screen = terminal(width)
    assert cli("cohort", str(group)).exit_code == 0
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    for whole in ("Grace Hopper", "Ada Lovelace", "reliable-maintenance", "dmls-ch07"):
        assert whole in text, (width, whole, text)


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_done_command_next_suggests_is_on_a_line_without_borders(cli, terminal, width):  # noqa: F811
    cli("start", "reliable-maintenance")
    screen = terminal(width)
    cli("next")
    lines = screen.getvalue().splitlines()
    [line] = [line for line in lines if "mlops-path done" in line]
    assert line.strip() in ("Done? mlops-path done reliable-maintenance", "mlops-path done reliable-maintenance")
    assert not BOX & set(line)


def test_an_unknown_status_names_the_known_statuses_in_good_english(cli):
    result = cli("list", "--status", "finished")
    assert result.exit_code == 2
    assert "known statuses: todo, in-progress, done, skipped." in result.stderr
    assert "statuss" not in result.stderr


def test_a_finished_path_says_so_and_points_to_the_optional_steps_and_the_paths(cli):
    cli("done", *REQUIRED)
    text = cli("progress").stdout
    assert "0 min left" not in text
    assert "You have finished this path" in text
    assert "`mlops-path next`" in text and "`mlops-path paths`" in text
    cli("done", "gently-down-the-stream", "mlops-guide")
    assert "`mlops-path paths`" in cli("next").stdout
    assert "`mlops-path paths`" in cli().stdout


def test_show_with_no_id_shows_the_current_step_and_says_so(cli):
    cli("done", "dmls-ch02")
    result = cli("show")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("The current step, dmls-ch07")
    assert "id:     dmls-ch07" in result.stdout
    assert cli.json("show")["id"] == "dmls-ch07"
    cli("done", *PATH_IDS)
    finished = cli("show")
    assert finished.exit_code == 2 and finished.stderr.count("\n") == 1 and not finished.stdout


def test_plan_refuses_a_start_whose_first_week_is_over(cli, progress_file):
    weeks_ago = date.today() - timedelta(weeks=3)
    result = cli("plan", "--hours-per-week", "2", "--start", weeks_ago.isoformat(), "--save")
    assert result.exit_code == 2
    assert not result.stdout and result.stderr.count("\n") == 1
    assert "3 weeks ago" in result.stderr and "Traceback" not in result.stderr
    assert cli.json("progress")["on_track"] is None  # nothing was saved
    days_ago = date.today() - timedelta(days=3)
    plan = cli.json("plan", "--hours-per-week", "2", "--start", days_ago.isoformat())
    assert plan["weeks"][0]["start"] == days_ago.isoformat()


def test_sync_status_shows_times_as_every_other_view(cli, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    assert cli("sync", "init", str(folder), "--name", "Ada").exit_code == 0
    cli("done", "dmls-ch02")
    text = cli("sync", "status").stdout
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), text
    at = cli.json("sync", "status")["last_sync"]["at"]
    assert f"Last sync: {output.stamp(datetime.fromisoformat(at))}, ok" in text


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_commands_a_message_suggests_are_never_split(cli, terminal, width):  # noqa: F811
    screen = terminal(width)
    for argv in (["done"], ["done", *REQUIRED[1:]], ["reset", "--all", "--yes"], ["undo"]):
        assert cli(*argv).exit_code == 0
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    for command in ("mlops-path next", "mlops-path paths", "mlops-path undo"):
        pieces = command.split(" ")
        assert not re.search(rf"{pieces[0]}\s*\n\s*{pieces[1]}", text), (width, command, text)
    assert "(mlops-path next)" in text and "`mlops-path undo`" in text
