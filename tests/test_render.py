"""Human output as a terminal shows it: rich at several widths, nothing wider than the screen."""

import functools
import io
import re

import pytest
from conftest import SEED_PATH

from mlops_path.cli import list_views, output

real_console = output.console


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdout is a terminal of a given width; return what was printed (help is in the result)."""
    screens = {}

    def at(width: int):
        buffer = io.StringIO()
        monkeypatch.setenv("COLUMNS", str(width))  # what --help reads (click asks shutil for the width)
        monkeypatch.setattr(output, "use_rich", lambda: True)
        monkeypatch.setattr(
            output, "console", functools.partial(real_console, file=buffer, width=width, color_system=None)
        )
        screens[width] = buffer
        return buffer

    return at


@pytest.mark.parametrize("width", [40, 60, 80, 120, 160])
@pytest.mark.parametrize(
    "args",
    [
        ["next"],
        ["list"],
        ["list", "--topic", "monitoring"],
        ["show", "ml-test-score"],
        ["topics"],
        ["progress"],
        ["paths"],
        ["plan", "--hours-per-week", "2"],
        ["history"],
        ["doctor"],
        ["done", "dmls-ch07"],
        [],
        ["week"],
        ["search", "drift"],
        ["list", "--long"],
        ["sync", "status"],
        ["show"],
        ["--help"],
        ["help", "plan"],
        ["list", "--help"],
    ],
)
@pytest.mark.slow
def test_rich_output_fits_the_terminal(cli, terminal, width, args):
    cli("done", "dmls-ch02")  # so that history and progress have something to show
    cli("note", "dmls-ch02", "a note long enough to need wrapping at forty columns, and then some")
    screen = terminal(width)
    result = cli(*args)
    assert result.exit_code == 0
    text = screen.getvalue() + result.stdout  # help is written by click, not through the console
    assert text.strip()
    # every line fits, but a link: it is printed whole on a line of its own for the terminal to wrap
    assert max(len(line) for line in text.splitlines() if not line.startswith("Link: ")) <= width


PATH_IDS = SEED_PATH


@pytest.mark.parametrize("width", [40, 80, 160])
def test_ids_and_links_are_never_broken(cli, terminal, width):
    cli("done", *PATH_IDS[:3])
    for args, ids in (
        (["list"], PATH_IDS),
        (["plan", "--hours-per-week", "2"], PATH_IDS[3:]),
        (["history"], PATH_IDS[:3]),
    ):
        screen = terminal(width)
        assert cli(*args).exit_code == 0
        words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", screen.getvalue()))
        missing = [rid for rid in ids if rid not in words]
        assert not missing, (args, width, missing, screen.getvalue())
    for args in (["next"], ["show", "ml-test-score"]):
        screen = terminal(width)
        cli(*args)
        links = [line.removeprefix("Link: ") for line in screen.getvalue().splitlines() if line.startswith("Link: ")]
        assert len(links) == 1 and links[0].startswith("https://") and " " not in links[0]


def test_the_compact_list_fits_one_screen_and_marks_where_you_are(cli, terminal):
    cli("done", "dmls-ch02")
    screen = terminal(80)
    cli("list")
    lines = screen.getvalue().splitlines()
    assert len(lines) <= 24
    here = [line for line in lines if line.startswith("▶")]
    assert len(here) == 1 and "dmls-ch07" in here[0]
    assert sum("(optional)" in line for line in lines) == 2


def test_rich_list_groups_steps_under_their_stage(cli, terminal):
    screen = terminal(80)
    cli("done", "dmls-ch02")
    cli("list")
    text = screen.getvalue()
    for stage in [
        "Starting out: Designing Machine Learning Systems",
        "Starting out: principles, practice and a talk",
        "Special topics",
    ]:
        assert stage in text
    assert text.index("Special topics") < text.index("How ML Breaks") < text.index("MLOps guide")
    assert "   [x]   1  dmls-ch02  Chapter 2" in text  # the id column as wide as this stage's ids


def test_wide_terminals_give_kind_and_topics_their_own_columns(cli, terminal):
    screen = terminal(list_views.WIDE)
    cli("list", "--kind", "talk", "--long")
    first = screen.getvalue().splitlines()[1]
    assert "demystifying-mlops" in first and "talk" in first and "20 min" in first and "overview" in first


def test_rich_next_is_a_panel_with_the_done_command(cli, terminal):
    screen = terminal(60)
    cli("next")
    text = screen.getvalue()
    assert text.startswith("╭─ Next") and "mlops-path done dmls-ch02" in text


def test_piped_output_has_no_escape_codes(cli):
    for args in (["next"], ["list"], ["topics"], ["show", "dmls-ch02"]):
        assert "\x1b" not in cli(*args).stdout


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_no_color_is_honoured(cli, monkeypatch, no_color, coloured):
    monkeypatch.setattr(output, "use_rich", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color:
        monkeypatch.setenv("NO_COLOR", no_color)
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    out = cli("list").stdout
    assert bool(re.search(r"\x1b\[[0-9;]*3[0-7]m", out)) is coloured  # a foreground colour, not just bold


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_cohort_fits_the_terminal_with_every_name_and_id_whole(cli, terminal, tmp_path, width):
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    _device_file(group, "Ada Lovelace", "a1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    _device_file(group, "Grace Hopper", "b1", {"dmls-ch02": entry("in-progress", "2026-11-20T00:00:00Z")})
    screen = terminal(width)
    assert cli("cohort", str(group)).exit_code == 0
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    for whole in ("Ada Lovelace", "Grace Hopper", "dmls-ch07", "dmls-ch02"):
        assert whole in text, (width, whole, text)
