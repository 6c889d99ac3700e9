"""Shared content can't hurt you: hostile catalogs, exports, notes, caches and progress files.

Each test is one finding of a hostile author's review; each would fail on the build before the
trust boundary (core/text.py, cli/output.py, the limits in core/limits.py and schema.py).
"""

import functools
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
from conftest import installed_script, need

from mlops_path.cli import output
from mlops_path.core import limits
from mlops_path.core.api import Learner
from mlops_path.core.progress import exchange
from mlops_path.core.progress.record import Status

# every character the trust boundary must never let through raw: C0 (but newline), DEL, C1, bidi
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours, in a terminal

EVIL = (
    "Intro \x1b]2;RETITLED\x1b\\ \x07bell\rCR\x08BS \x9bC1 \u202eevil\u202c [/] "
    "[link=https://evil.example/]Official page[/link]"
)
EVIL_TOML = json.dumps(EVIL, ensure_ascii=True)  # a TOML basic string takes JSON's \\uXXXX escapes


def hostile_catalog(folder: Path, title: str = EVIL_TOML, url: str = '"https://example.org/zz"') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "hostile.toml"
    file.write_text(
        f"""[[resources]]
id = "zz-evil"
title = {title}
kind = "paper"
url = {url}
minutes = 5
topics = ["smoke"]
why = {title}
authors = [{title}]
part_of = {title}
minutes_note = {title}

[[resources]]
id = "zz-other"
title = "Intro \\\\$(touch PWNED) and `touch PWNED` and it's \\"quoted\\""
kind = "paper"
url = "https://example.org/zz2"
minutes = 5
topics = ["smoke"]

[[paths]]
id = "zz-path"
title = {title}
steps = ["zz-evil", "zz-other"]

[[paths]]
id = "zz-staged"
title = "Intro \\\\$(touch PWNED) path"
stages = [{{ title = {title}, steps = ["zz-evil"] }}]
"""
    )
    return file


@pytest.fixture
def evil_home(cli, home):
    hostile_catalog(home / "catalogs")
    cli("use", "zz-path")
    cli("done", "zz-evil")
    cli("note", "zz-evil", EVIL)
    return home


READ_COMMANDS = [
    ["next"],
    ["list"],
    ["list", "--topic", "smoke"],
    ["show", "zz-evil"],
    ["show", "zz-other"],
    ["progress"],
    ["paths"],
    ["topics"],
    ["history"],
    ["plan", "--hours-per-week", "1"],
    ["--path", "zz-staged", "list"],
]


HYPERLINK = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\")  # rich's OSC 8 terminal hyperlinks


def assert_inert(text: str) -> None:
    """No control character from data; only rich's own styling, and hyperlinks only to the
    catalog's (validated, visible) links, never to a target hidden in markup."""
    targets = HYPERLINK.findall(text)
    assert all(t == "" or (t.startswith(("https://example.org/", "https://www."))) for t in targets), targets
    found = RAW_CONTROL.search(RICH_STYLE.sub("", HYPERLINK.sub("", text)))
    assert found is None, f"raw control {found.group()!r} in {text!r}"


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_piped_output_shows_hostile_text_as_escaped_text(cli, evil_home, args):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert_inert(result.stderr)


@pytest.fixture
def rich_terminal(monkeypatch):
    """stdout as a colour terminal of 80 columns, through the real (inert) console."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "use_rich", lambda: True)
    monkeypatch.setattr(
        output, "console", functools.partial(output.console, file=buffer, width=80, color_system="truecolor")
    )
    monkeypatch.delenv("NO_COLOR", raising=False)
    return buffer


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_rich_output_never_reads_markup_or_controls_from_data(cli, evil_home, rich_terminal, args):
    result = cli(*args)
    assert result.exit_code == 0, result.output  # `[/]` in a title made paths, progress, plan and history exit 3
    screen = rich_terminal.getvalue()
    assert screen.strip()
    assert_inert(screen)
    assert RICH_STYLE.search(screen)  # a real colour terminal: rich did style our own text


def test_markup_in_a_title_is_shown_as_written(cli, evil_home, rich_terminal):
    cli("paths")
    text = RICH_STYLE.sub("", rich_terminal.getvalue())
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", "[link=https://evil.example/]Official page[/link]") in flat


def test_under_a_real_pseudo_terminal_nothing_from_data_reaches_the_terminal(evil_home, script_env, tmp_path):
    env = {**script_env, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    for args in (["list"], ["next"], ["show", "zz-evil"], ["history"], ["progress"]):
        result = subprocess.run(
            ["script", "-qec", " ".join([installed_script(), *args]), "/dev/null"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        screen = result.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        assert result.returncode == 0, screen
        if args[0] in ("list", "show"):
            assert "\\x1b" in screen  # the escape is visible as text
        assert_inert(screen.replace("\r", ""))


def test_errors_and_warnings_are_inert_too(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    (folder / "bad\x1b]2;x\x07.toml").write_text("not = [toml")
    result = cli("next")
    assert result.exit_code == 0 and "Left out the catalog" in result.stderr
    assert_inert(result.stderr)
    result = cli("done", "a\x1b[2Jb")
    assert result.exit_code == 2
    assert_inert(result.stderr)


# --- completion -----------------------------------------------------------------------------------


def test_completion_descriptions_are_inert_in_every_shell(evil_home, script_env):
    for shell, line in (("zsh", "mlops-path done zz"), ("fish", "mlops-path done zz"), ("zsh", "mlops-path use zz")):
        env = {**script_env, "_MLOPS_PATH_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
        out = subprocess.run([installed_script()], env=env, capture_output=True, text=True, timeout=30).stdout
        assert "zz-" in out
        for dangerous in ("$(", "`", "\\$", "\x1b", "\x07", "\r"):
            assert dangerous not in out, (shell, dangerous, out)


@pytest.fixture
def zsh_session(evil_home, script_env, tmp_path):
    """An interactive zsh with mlops-path's zsh completion, in tmux on a server of its own (so it
    runs with this test's environment), in a scratch folder."""
    for tool in ("zsh", "tmux"):
        need(shutil.which(tool) is not None, tool)
    zdot, work = tmp_path / "zdot", tmp_path / "work"
    zdot.mkdir()
    work.mkdir()
    source = {**script_env, "_MLOPS_PATH_COMPLETE": "source_zsh"}
    (zdot / "_mlops_path.zsh").write_text(
        subprocess.run([installed_script()], env=source, capture_output=True, text=True).stdout
    )
    (zdot / ".zshrc").write_text(
        f"PS1='READY> '\nautoload -Uz compinit\ncompinit -u -d {zdot}/.zcompdump\nsource {zdot}/_mlops_path.zsh\ncd "
        f"{work}\n"
    )
    env = {
        **script_env,
        "ZDOTDIR": str(zdot),
        "PATH": f"{Path(installed_script()).parent}:{os.environ['PATH']}",
        "TERM": "xterm",
    }
    tmux = ["tmux", "-L", f"mlops-path-test-{os.getpid()}"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "zsh", "-x", "160", "-y", "40", "zsh", "-i"], env=env, check=True)
    yield tmux, work
    subprocess.run([*tmux, "kill-server"], capture_output=True)


def _type_and_tab(tmux: list[str], line: str, expect: str) -> str:
    import time

    def pane() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "zsh"], capture_output=True, text=True).stdout

    deadline = time.monotonic() + 30
    while "READY>" not in pane() and time.monotonic() < deadline:
        time.sleep(0.2)
    subprocess.run([*tmux, "send-keys", "-t", "zsh", line, "Tab"], check=True)
    time.sleep(2)
    subprocess.run([*tmux, "send-keys", "-t", "zsh", "Tab"], check=True)
    seen = ""
    while time.monotonic() < deadline:
        time.sleep(0.5)
        seen = pane()
        if expect in seen:
            break
    return seen


@pytest.mark.slow
@pytest.mark.parametrize(("line", "expect"), [("mlops-path done zz", "zz-other"), ("mlops-path use zz", "zz-staged")])
def test_a_real_zsh_completing_hostile_titles_runs_nothing(zsh_session, line, expect):
    tmux, work = zsh_session
    screen = _type_and_tab(tmux, line, expect)
    assert expect in screen, screen  # completion really ran and listed the ids
    assert "Intro" in screen  # with their (cleaned) titles
    assert not (work / "PWNED").exists(), "a catalog title ran a command in the user's shell"


# --- the catalog boundary ------------------------------------------------------------------------


def test_a_deeply_nested_user_catalog_is_left_out_and_check_refuses_it(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    deep = folder / "deep.toml"
    deep.write_text("x = " + "[" * 500 + "]" * 500 + "\n")
    result = cli("next")
    assert result.exit_code == 0 and "deep.toml" in result.stderr and "nested" in result.stderr
    result = cli("catalog", "check", str(deep))
    assert result.exit_code == 1 and "nested more than" in result.stdout


def test_a_huge_array_is_a_clean_refusal(cli, tmp_path):
    file = tmp_path / "wide.toml"
    file.write_text(
        "[[resources]]\n"
        'id = "a"\ntitle = "A"\nkind = "k"\nurl = "https://e.org/"\nminutes = 1\n'
        "topics = [" + ", ".join('"t"' for _ in range(20_000)) + "]\n"
    )
    result = cli("catalog", "check", str(file))
    assert result.exit_code == 1 and "resource 'a', field 'topics'" in result.stdout


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", json.dumps("t" * (limits.MAX_TITLE + 1)), "field 'title': string should have at most 300 characters"),
        ("why", json.dumps("w" * (limits.MAX_PROSE + 1)), "field 'why': string should have at most 2000 characters"),
        ("url", json.dumps("https://e.org/\u0000x"), "field 'url': must be an http:// or https:// link"),
        ("url", json.dumps("https://e.org/\u001b[2Jx"), "field 'url': must be an http:// or https:// link"),
        (
            "url",
            json.dumps("https://e.org/" + "a" * limits.MAX_URL),
            "field 'url': string should have at most 2000 characters",
        ),
    ],
)
def test_a_field_over_its_limit_is_refused_naming_resource_and_field(cli, tmp_path, field, value, message):
    fields = {"title": '"A"', "kind": '"k"', "url": '"https://e.org/"', "minutes": "1", "topics": '["t"]', field: value}
    file = tmp_path / "c.toml"
    file.write_text('[[resources]]\nid = "a"\n' + "".join(f"{k} = {v}\n" for k, v in fields.items()))
    result = cli("catalog", "check", str(file))
    assert result.exit_code == 1 and f"resource 'a', {message}" in result.stdout


def test_a_catalog_over_the_size_limit_is_left_out_unread(cli, home, monkeypatch):
    from mlops_path.core.catalog import loader

    monkeypatch.setattr(loader, "MAX_CATALOG_BYTES", 100_000)  # the bundled catalog fits
    hostile_catalog(home / "catalogs")
    (home / "catalogs" / "hostile.toml").write_text("# " + "x" * 200_000 + "\n")
    result = cli("next")
    assert result.exit_code == 0 and "larger than" in result.stderr


# --- the cache -----------------------------------------------------------------------------------


def _tamper(cache: Path, change) -> None:
    for entry in cache.glob("catalog-*.json"):
        data = json.loads(entry.read_text())
        change(data["value"])
        entry.write_text(json.dumps(data))


def test_a_cache_folder_others_can_write_is_not_used(cli, tmp_path, monkeypatch):
    cli("next")
    cache = tmp_path / "cache"

    def fake(value):
        value["resources"][0][1] = "FAKE TITLE"
        value["resources"][0][3] = "https://evil.example/"

    _tamper(cache, fake)
    assert "FAKE TITLE" in cli("next").stdout  # our own private cache is trusted (it is fast for a reason)
    cache.chmod(0o777)
    fresh = tmp_path / "cache2"
    fresh.mkdir(mode=0o777)
    fresh.chmod(0o777)
    for entry in cache.iterdir():
        (fresh / entry.name).write_bytes(entry.read_bytes())
    monkeypatch.setenv("MLOPS_PATH_CACHE", str(fresh))
    result = cli("next")
    assert "FAKE TITLE" not in result.stdout and "Chapter 2" in result.stdout


def test_the_debug_note_names_the_unused_cache(tmp_path, script_env):
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    shared.chmod(0o777)
    env = {**script_env, "MLOPS_PATH_CACHE": str(shared)}
    quiet = subprocess.run([installed_script(), "next"], env=env, capture_output=True, text=True, timeout=30)
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = subprocess.run(
        [installed_script(), "next"], env={**env, "MLOPS_PATH_DEBUG": "1"}, capture_output=True, text=True, timeout=30
    )
    assert loud.returncode == 0 and "writable by group or others, so it was not used" in loud.stderr
    assert not list(shared.iterdir())  # nothing written there either


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v["resources"][0].__setitem__(4, "48"),  # minutes as a string
        lambda v: v["resources"][0].__setitem__(5, 7),  # topics as a number
        lambda v: v["resources"][0].__setitem__(3, "file:///etc/passwd"),
        lambda v: v["resources"][0].__setitem__(3, "--help"),
        lambda v: v["paths"][0][0]["steps"].append("no-such-resource"),
        lambda v: v["paths"][0][0].__setitem__("title", ["not", "text"]),
        lambda v: v.__setitem__("warnings", [3]),
    ],
)
def test_a_damaged_cache_entry_is_rebuilt_silently(cli, tmp_path, damage):
    cli("next")
    _tamper(tmp_path / "cache", damage)
    for args in (["next"], ["list"], ["progress"], ["paths"], ["plan", "--hours-per-week", "2"]):
        result = cli(*args)
        assert result.exit_code == 0 and result.stderr == "", (args, result.output)
    assert "https://www.oreilly.com/" in cli("next").stdout


# --- the progress file ---------------------------------------------------------------------------


@pytest.mark.slow
def test_two_hundred_long_notes_keep_the_file_under_a_megabyte_and_undo_still_works(home, progress_file):
    learner = Learner()
    for i in range(200):
        learner.note("dmls-ch02", f"{i:03d} " + "n" * 1995)
    assert progress_file.stat().st_size < 1_000_000
    learner.set_status(["dmls-ch02"], Status.DONE)
    assert learner.undo().action == "done"
    assert learner.undo().action == "note"
    notes = learner.progress().resources["dmls-ch02"].notes
    assert len(notes) == 199 and notes[-1].text.startswith("198 ")
    assert learner.progress().resources["dmls-ch02"].status.value == "todo"


def test_history_keeps_the_documented_number_of_changes(home, monkeypatch):
    monkeypatch.setattr(limits, "MAX_HISTORY", 5)
    learner = Learner()
    for rid in ["dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09", "dmls-ch11", "ml-test-score", "how-ml-breaks"]:
        learner.set_status([rid], Status.DONE)
    history = learner.history()
    assert len(history) == 5 and history[0].ids == ("dmls-ch08",)
    assert learner.undo().ids == ("how-ml-breaks",)


def test_repairs_in_quick_succession_never_overwrite_what_was_set_aside(cli, progress_file):
    progress_file.parent.mkdir(parents=True)
    for i in range(10):
        progress_file.write_text(f"broken number {i}")
        assert cli("doctor", "--repair").exit_code == 0
    aside = sorted(progress_file.parent.glob("progress.json.broken-*"))
    assert len(aside) == 10
    assert {f.read_text() for f in aside} == {f"broken number {i}" for i in range(10)}


def test_a_nested_progress_file_is_refused_not_a_crash(cli, progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text('{"version": 3, "resources": {}, "x": ' + "[" * 100 + "]" * 100 + "}")
    result = cli("next")
    assert result.exit_code == 1 and "nested more than" in result.stderr


# --- calendars and Markdown ----------------------------------------------------------------------


def test_plan_ics_holds_no_control_characters_and_no_injected_event(cli, home, tmp_path):
    title = json.dumps("Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\x1b[2J", ensure_ascii=True)
    hostile_catalog(home / "catalogs", title=title)
    ics = tmp_path / "plan.ics"
    assert cli("--path", "zz-path", "plan", "--hours-per-week", "10", "--ics", str(ics)).exit_code == 0
    data = ics.read_bytes()
    assert not re.search(rb"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]", data)
    assert b"\r" not in data.replace(b"\r\n", b"")  # CR only in CRLF line ends
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 1 and "injected" not in [str(e.get("SUMMARY")) for e in events]


def test_markdown_export_escapes_markup_and_keeps_links_intact(cli, home):
    hostile_catalog(
        home / "catalogs",
        title=json.dumps("<script>alert(1)</script> *bold* [x](javascript:y)"),
        url='"https://example.org/a_(b)<c>"',
    )
    cli("done", "zz-evil")
    cli("note", "zz-evil", "<img src=x onerror=alert(1)> ![p](http://t/) `code`\nsecond line")
    text = cli("export", "--format", "markdown").stdout
    for markup in ("<script>", "<img", "](javascript", "![p]", "`code`"):
        assert not re.search(r"(?<!\\)" + re.escape(markup), text), markup  # only ever escaped
    assert "\\<script\\>" in text
    assert "(<https://example.org/a_(b)%3Cc%3E>)" in text
    assert "<br>second line" in text


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", ["inf", "nan", "1e308", "-1", "0"])
def test_absurd_hours_per_week_are_a_usage_error(cli, hours):
    result = cli("plan", "--hours-per-week", hours)
    assert result.exit_code == 2, result.output


def test_a_start_date_at_the_end_of_time_is_a_usage_error(cli):
    result = cli("plan", "--hours-per-week", "1", "--start", "9999-12-25")
    assert result.exit_code == 2 and "earlier --start" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "1e308", "soon"])
def test_an_odd_lock_timeout_falls_back_to_the_default(cli, monkeypatch, value):
    monkeypatch.setenv("MLOPS_PATH_LOCK_TIMEOUT", value)
    assert cli("done", "dmls-ch02").exit_code == 0


# --- import ---------------------------------------------------------------------------------------


def _export(tmp_path: Path, resources: dict) -> Path:
    file = tmp_path / "export.json"
    file.write_text(
        json.dumps(
            {"format": "mlops-path-export", "version": 1, "exported_at": "2026-01-01T00:00:00Z", "resources": resources}
        )
    )
    return file


def test_importing_the_same_file_twice_records_one_change(cli, tmp_path, progress_file):
    note = {"at": "2026-01-02T00:00:00Z", "text": "twice"}
    older = {"at": "2026-01-01T00:00:00Z", "text": "first"}
    file = _export(
        tmp_path, {"dmls-ch02": {"status": "done", "updated": "2026-01-02T00:00:00Z", "notes": [note, older, note]}}
    )
    assert "Imported changes to 1 resource" in cli("import", str(file)).stdout
    before = progress_file.read_bytes()
    result = cli("import", str(file))
    assert result.exit_code == 0 and "Nothing new to import" in result.stdout
    assert progress_file.read_bytes() == before
    assert [c["action"] for c in cli.json("history")] == ["import"]


@pytest.mark.parametrize("bad_id", ["../../etc", "Has Space", "x" * 101, "a\x1b[2J", ""])
def test_an_import_with_an_id_no_catalog_could_define_is_refused(cli, tmp_path, home, bad_id):
    file = _export(tmp_path, {bad_id: {"status": "done", "updated": "2026-01-02T00:00:00Z"}})
    result = cli("import", str(file))
    assert result.exit_code == 1 and "not a valid mlops-path export" in result.stderr
    assert_inert(result.stderr)
    assert not (home / "progress.json").exists()


def test_an_import_over_the_limits_is_refused(cli, tmp_path, monkeypatch, home):
    long_note = {"at": "2026-01-01T00:00:00Z", "text": "n" * (limits.MAX_NOTE + 1)}
    file = _export(tmp_path, {"dmls-ch02": {"status": "done", "updated": "2026-01-02T00:00:00Z", "notes": [long_note]}})
    result = cli("import", str(file))
    assert result.exit_code == 1 and "resources.dmls-ch02.notes.0.text" in result.stderr
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 100)
    result = cli("import", str(_export(tmp_path, {})))
    assert result.exit_code == 1 and "larger than" in result.stderr
    assert not (home / "progress.json").exists()


def test_done_with_many_ids_names_a_few_and_counts_the_rest(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    ids = [f"r{i:04d}" for i in range(300)]
    (folder / "many.toml").write_text(
        "".join(
            f'[[resources]]\nid = "{r}"\ntitle = "R"\nkind = "k"\nurl = "https://e.org/"\nminutes = 1\ntopics = ["t"]\n'
            for r in ids
        )
    )
    result = cli("done", *ids)
    assert result.exit_code == 0 and "and 280 more" in result.stdout and len(result.stdout) < 1000


@pytest.mark.parametrize(
    "args",
    [
        ["view", "--no-open", "-o", "{dir}"],
        ["plan", "--hours-per-week", "2", "--ics", "{dir}"],
        ["view", "--no-open", "-o", "/"],
    ],
)
def test_an_output_file_that_is_a_folder_is_one_sentence(cli, tmp_path, args):
    result = cli(*[a.replace("{dir}", str(tmp_path)) for a in args])
    assert (
        result.exit_code == 1 and "it is a folder; give a file name" in result.stderr and result.stderr.count("\n") == 1
    )
