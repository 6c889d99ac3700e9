"""`mlops-path browse`: the full-screen view, driven headless with Textual's pilot (keys in, the
progress file and the screen out), SVG snapshots at 40, 80 and 160 columns, and one run of the
installed command in a real terminal (tmux)."""

import asyncio
import json
import os
import shutil
import stat
import subprocess
import time
import webbrowser
from pathlib import Path

import pytest
from conftest import installed_script, need

from mlops_path.core.api import Learner

SAMPLE = """
[[resources]]
id = "alpha"
title = "Alpha: a first chapter"
kind = "book-chapter"
url = "https://example.org/alpha"
minutes = 30
topics = ["overview"]
authors = ["Ada Lovelace"]
why = "Where everything starts."

[[resources]]
id = "beta"
title = "Beta: on drift and monitoring"
kind = "talk"
url = "https://example.org/beta"
minutes = 45
topics = ["monitoring", "drift"]
access = "paid"

[[resources]]
id = "gamma"
title = "Gamma: serving models"
kind = "paper"
url = "https://example.org/gamma"
minutes = 90
topics = ["deployment"]

[[resources]]
id = "delta"
title = "Delta: an optional extra"
kind = "blog-post"
url = "https://example.org/delta"
minutes = 10
topics = ["monitoring"]
optional = true

[[paths]]
id = "sample"
title = "A sample path"

[[paths.stages]]
title = "First things"
steps = ["alpha", "beta"]

[[paths.stages]]
title = "Then"
steps = ["gamma", "delta"]

[[resources]]
id = "hostile"
title = "[/] [link=https://evil.example]click[/link] [bold]x \\u001b[31mred"
kind = "talk"
url = "https://example.org/hostile"
minutes = 5
topics = ["odd-things"]
why = "[/bold] closes nothing"

[[paths]]
id = "odd"
title = "[b]odd[/b] path"
steps = ["hostile", "alpha"]
"""


@pytest.fixture
def sample(home) -> Path:
    """A user catalog (in MLOPS_PATH_HOME's catalogs folder) with two small paths; `sample` is walked."""
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    (folder / "sample.toml").write_text(SAMPLE)
    Learner().use("sample")
    return home / "progress.json"


def make_app(plain: bool = False):
    from mlops_path.cli.browse_app import BrowseApp
    from mlops_path.cli.browse_data import Library

    library = Library(Learner())
    return BrowseApp(library, library.load(), plain)


def drive(app, script, size=(80, 24)):
    """Run `app` headless at `size` and hand `script` its pilot; return what the script returns."""

    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await script(pilot)

    return asyncio.run(main())


def screen_text(app) -> str:
    """What the screen shows, as one line with runs of white space made one space (so that text
    wrapped at the screen's width still reads whole)."""
    return " ".join(" ".join(strip.text for strip in app.screen._compositor.render_strips()).split())


def status_of(progress_file: Path, rid: str) -> str | None:
    record = json.loads(progress_file.read_text())["resources"].get(rid)
    return record and record["status"]


def test_it_opens_on_the_current_step_with_the_path_and_progress_in_the_header(sample, cli):
    cli("done", "alpha")
    app = make_app()

    async def script(pilot):
        return app.selected_id(), screen_text(app)

    selected, text = drive(app, script)
    assert selected == "beta"
    assert (
        "A sample path (sample)" in text
        and "1 of 3 required steps done (33%)" in text
        and "about 2 h 15 min left" in text
    )
    assert "[x] done" in text and "First things" in text and "? Help" in text


def test_the_moving_keys(sample):
    app = make_app()

    async def script(pilot):
        seen = [app.selected_id()]
        for key in ["down", "j", "k", "up", "end", "home", "pagedown", "pageup"]:
            await pilot.press(key)
            seen.append(app.selected_id())
        return seen

    assert drive(app, script) == ["alpha", "beta", "gamma", "beta", "alpha", "delta", "alpha", "delta", "alpha"]


KEYS = [("d", "done"), ("s", "in-progress"), ("x", "skipped")]


@pytest.mark.parametrize(("key", "status"), KEYS)
def test_each_status_key_writes_the_progress_file_and_says_what_it_did(sample, key, status):
    app = make_app()

    async def script(pilot):
        await pilot.press(key)
        return screen_text(app)

    text = drive(app, script)
    assert status_of(sample, "alpha") == status
    word = {"in-progress": "started"}.get(status, status)  # the one vocabulary's word for the status
    assert f"Marked {word}: alpha" in text and "Next: " in text
    assert json.loads(sample.read_text())["history"][-1]["ids"] == ["alpha"]


def test_done_says_a_finished_stage_and_the_view_updates(sample, cli):
    cli("done", "alpha")
    app = make_app()

    async def script(pilot):
        await pilot.press("d")
        return screen_text(app)

    text = drive(app, script)
    assert "You finished the stage 'First things'." in text and "2 of 3 required steps done (66%)" in text
    assert status_of(sample, "beta") == "done"


def test_reset_and_undo(sample, cli):
    cli("done", "alpha")
    app = make_app()

    async def script(pilot):
        await pilot.press("home", "r")
        after_reset, text = status_of(sample, "alpha"), screen_text(app)
        await pilot.press("u")
        return after_reset, text, screen_text(app)

    after_reset, reset_text, undo_text = drive(app, script)
    assert after_reset == "todo" and "Marked todo: alpha" in reset_text
    assert status_of(sample, "alpha") == "done" and "Undid `reset`" in undo_text
    assert "[x] done" in undo_text


def test_start_on_a_done_step_asks_for_a_second_s(sample, cli):
    cli("done", "alpha")
    app = make_app()

    async def script(pilot):
        await pilot.press("home", "s")
        first, text = status_of(sample, "alpha"), screen_text(app)
        await pilot.press("s")
        return first, text

    first, text = drive(app, script)
    assert first == "done" and "press s again to start it again" in text
    assert status_of(sample, "alpha") == "in-progress"


def test_a_note_is_written_on_enter_and_dropped_on_escape(sample):
    app = make_app()

    async def script(pilot):
        await pilot.press("n", *"dq[/]x", "enter")
        text = screen_text(app)
        await pilot.press("n", *"gone", "escape")
        return text, screen_text(app)

    kept, after = drive(app, script, size=(100, 40))
    notes = json.loads(sample.read_text())["resources"]["alpha"]["notes"]
    assert [n["text"] for n in notes] == ["dq[/]x"]  # letters that are keys went into the note, not to the list
    assert "Noted on alpha at" in kept and ": dq[/]x" in kept  # shown in the details, as written
    assert "gone" not in after


def test_the_text_filter_finds_what_search_finds_and_escape_clears_it(sample, cli):
    cli("note", "gamma", "covariate shift, see beta")
    app = make_app()

    async def script(pilot):
        await pilot.press("slash", *"shift")
        shown = [s.id for s in app.shown_steps()]
        text = screen_text(app)
        await pilot.press("enter")
        kept = [s.id for s in app.shown_steps()]
        await pilot.press("escape")
        return shown, text, kept, [s.id for s in app.shown_steps()]

    shown, text, kept, cleared = drive(app, script)
    assert shown == kept == ["gamma"]  # found in the learner's note
    assert "Filter: text 'shift': 1 of 4 steps" in text
    assert cleared == ["alpha", "beta", "gamma", "delta"]


def test_the_topic_filter(sample):
    app = make_app()

    async def script(pilot):
        await pilot.press("t")
        picker = screen_text(app)
        for _ in range(3):  # every topic, deployment, drift, monitoring
            await pilot.press("down")
        await pilot.press("enter")
        return picker, [s.id for s in app.shown_steps()], screen_text(app)

    picker, shown, text = drive(app, script)
    assert "monitoring: 0/1 required (+0/1 optional)" in picker  # the words and figures of `topics`
    assert shown == ["beta", "delta"] and "topic monitoring: 2 of 4 steps" in text


def test_p_switches_the_path_as_use_does(sample):
    app = make_app()

    async def script(pilot):
        await pilot.press("p")
        picker = screen_text(app)
        await pilot.press("end", "enter")
        return picker, screen_text(app), app.selected_id()

    picker, text, selected = drive(app, script)
    assert "A sample path (sample)" in picker and "(now)" in picker
    assert json.loads(sample.read_text())["default_path"] == "odd"
    assert "[b]odd[/b] path (odd)" in text and "Now walking '[b]odd[/b] path' (odd)" in text
    assert selected == "hostile"


def test_help_lists_every_key_and_q_quits(sample):
    app = make_app()

    async def script(pilot):
        await pilot.press("question_mark")
        help_text = screen_text(app)
        await pilot.press("escape")
        closed = len(app.screen_stack)
        await pilot.press("q")
        await pilot.pause()
        return help_text, closed, app.is_running

    help_text, closed, running = drive(app, script)
    for key in [
        "j/k",
        "Home/End",
        "o or Enter",
        "$BROWSER",
        "undo",
        "add a note",
        "filter by text",
        "filter by topic",
        "switch path",
    ]:
        assert key in help_text
    assert closed == 1 and running is False


@pytest.fixture
def browser(tmp_path, monkeypatch) -> Path:
    """$BROWSER set to a script that records the link it is given (webbrowser reads $BROWSER once
    a process, so its registry is emptied for this test)."""
    record = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {record}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return record


def test_o_and_enter_open_the_link_with_browser(sample, browser):
    app = make_app()

    async def script(pilot):
        await pilot.press("o", "down", "enter")
        return screen_text(app)

    opened = drive(app, script)
    assert browser.read_text().splitlines() == ["https://example.org/alpha", "https://example.org/beta"]
    assert "Opening https://example.org/beta" in opened


def test_hostile_titles_topics_and_notes_show_as_written(sample, cli):
    cli("use", "odd")
    cli("note", "hostile", "[/] [link=x]y[/link] \x1b[2J")
    app = make_app()

    async def script(pilot):
        await pilot.press("t", "down", "enter")  # the topic odd-things
        return screen_text(app), [s.id for s in app.shown_steps()]

    text, shown = drive(app, script, size=(160, 40))
    assert "[/] [link=https://evil.example]click[/link] [bold]x \\x1b[31mred" in text
    assert "[/bold] closes nothing" in text and "[/] [link=x]y[/link] \\x1b[2J" in text
    assert "[b]odd[/b] path" in text and shown == ["hostile"] and "topic odd-things" in text


def test_a_change_made_by_another_process_shows_up_while_open(sample, script_env):
    app = make_app()

    async def script(pilot):
        before = screen_text(app)
        subprocess.run([installed_script(), "done", "alpha", "beta"], env=script_env, check=True, capture_output=True)
        for _ in range(100):  # polled every second: wait up to 20 s, never asserting how long it took
            await pilot.pause(0.2)
            if "2 of 3 required steps done" in screen_text(app):
                break
        return before, screen_text(app), app.selected_id()

    before, after, selected = drive(app, script)
    assert "0 of 3 required steps done" in before
    assert "2 of 3 required steps done" in after and "changed elsewhere" in after
    assert selected == "alpha"  # the selection stays where the learner left it


def test_a_broken_progress_file_while_open_is_one_sentence_on_the_status_line(sample):
    from mlops_path.core.errors import ProgressError

    app = make_app()

    async def script(pilot):
        sample.write_text("{ not json")
        with pytest.raises(ProgressError) as broken:
            Learner().state()
        for _ in range(100):  # polled every second: wait up to 20 s
            await pilot.pause(0.2)
            if str(broken.value) in screen_text(app):
                break
        seen = screen_text(app)
        await pilot.press("d")
        return str(broken.value), seen, screen_text(app), app.is_running

    sentence, seen, after, running = drive(app, script, size=(200, 30))
    assert sentence in seen and sentence in after and running and "Traceback" not in after
    assert sample.read_text() == "{ not json"  # nothing was written over it


def test_plain_mode_shows_status_words_without_marks(sample, cli, monkeypatch):
    cli("done", "alpha")
    app = make_app(plain=True)

    async def script(pilot):
        return screen_text(app), app.no_color

    text, no_color = drive(app, script)
    assert no_color and "done" in text and "[x]" not in text and "░" not in text


def test_a_bug_inside_the_screen_is_one_sentence_and_exit_3(sample, monkeypatch, capsys):
    import typer

    from mlops_path.cli import browse

    app = make_app()
    monkeypatch.setattr(app.library, "undo", lambda: 1 / 0)

    async def press(pilot):
        await pilot.press("u")

    app.run(headless=True, size=(80, 24), auto_pilot=press)
    with pytest.raises(typer.Exit) as exited:
        browse._after(app)
    err = capsys.readouterr().err
    assert exited.value.exit_code == 3 and "Traceback" not in err
    assert "browse hit an unexpected problem (ZeroDivisionError: division by zero)" in err


def test_it_refuses_without_a_terminal(cli):
    result = cli("browse")
    assert result.exit_code == 2
    assert result.stderr == "Error: browse needs a terminal to draw in; `mlops-path list` prints the path anywhere.\n"


def test_the_screenshot_option_writes_an_svg_without_a_terminal(sample, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "30")
    result = cli("browse", "--screenshot", str(tmp_path / "shot.svg"))
    assert result.exit_code == 0 and result.stdout == f"Wrote {tmp_path / 'shot.svg'}.\n"
    assert (tmp_path / "shot.svg").read_text().startswith("<svg")
    assert cli("browse", "--screenshot", str(tmp_path)).exit_code == 1  # a folder: one sentence


@pytest.mark.parametrize("width", [40, 80, 160])
def test_snapshot(sample, cli, snap_compare, monkeypatch, width):
    """Look at these by eye after an update: tests/__snapshots__/test_browse/*.svg."""
    monkeypatch.delenv("NO_COLOR")
    cli("done", "alpha")  # the selected step is then beta, todo: no date on the screen
    assert snap_compare(make_app(), terminal_size=(width, 15 if width == 40 else 24 if width == 80 else 40))


def test_in_a_real_terminal(sample, script_env, tmp_path):
    """The installed command under tmux: keys in, the pane read, q; the progress file changed and
    the terminal left the alternate screen."""
    need(shutil.which("tmux") is not None, "tmux")
    session = f"mlops-browse-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    tmux = ["tmux", "-S", socket]
    env = {**script_env, "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    command = f"{installed_script()} browse; echo EXITED $?; sleep 60"
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], env=env, check=True)
    try:

        def pane() -> str:
            return subprocess.run([*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

        def wait_for(text: str) -> str:
            for _ in range(300):  # up to a minute on a busy machine
                shown = pane()
                if text in shown:
                    return shown
                time.sleep(0.2)
            raise AssertionError(f"{text!r} never appeared:\n{shown}")

        wait_for("A sample path (sample)")
        subprocess.run([*tmux, "send-keys", "-t", session, "d"], check=True)
        wait_for("Marked done: alpha")
        wait_for("1 of 3 required steps done")  # the header follows (maybe a frame later)
        alternate = subprocess.run(
            [*tmux, "display", "-p", "-t", session, "#{alternate_on}"], capture_output=True, text=True
        ).stdout
        assert alternate.strip() == "1"
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        shown = wait_for("EXITED 0")
        alternate = subprocess.run(
            [*tmux, "display", "-p", "-t", session, "#{alternate_on}"], capture_output=True, text=True
        ).stdout
        assert alternate.strip() == "0" and "Traceback" not in shown
        assert status_of(tmp_path / "home" / "progress.json", "alpha") == "done"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_resized_while_open_from_very_wide_to_the_smallest_it_keeps_working(sample):
    app = make_app()

    async def script(pilot):
        seen = []
        for size in ((200, 50), (40, 15), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            seen.append(screen_text(app))
        await pilot.press("d")
        await pilot.pause()
        return seen, screen_text(app)

    seen, after = drive(app, script, size=(80, 24))
    assert all(
        "A sample path" in text and "Alpha" in text for text in seen
    )  # the header and the list survive every size
    assert status_of(sample, "alpha") == "done" and "Marked done: alpha" in after
