"""Human output as a terminal shows it: rich at several widths, nothing wider than the screen."""

import functools
import io
import re

import pytest

from mlops_path.cli import output, views

real_console = output.console


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdout is a terminal of a given width; return what was printed."""
    screens = {}

    def at(width: int):
        buffer = io.StringIO()
        monkeypatch.setattr(output, "use_rich", lambda: True)
        monkeypatch.setattr(output, "console", functools.partial(real_console, file=buffer, width=width, color_system=None))
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
    ],
)
def test_rich_output_fits_the_terminal(cli, terminal, width, args):
    cli("done", "dmls-ch02")  # so that history and progress have something to show
    cli("note", "dmls-ch02", "a note long enough to need wrapping at forty columns, and then some")
    screen = terminal(width)
    result = cli(*args)
    assert result.exit_code == 0
    text = screen.getvalue()
    assert text.strip()
    assert max(len(line) for line in text.splitlines()) <= width


def test_rich_list_groups_steps_under_their_stage(cli, terminal):
    screen = terminal(80)
    cli("done", "dmls-ch02")
    cli("list")
    text = screen.getvalue()
    for stage in ["Designing Machine Learning Systems", "Starting out: the wider view", "Special topics", "Still hungry"]:
        assert stage in text
    assert text.index("Special topics") < text.index("How ML Breaks") < text.index("Still hungry")
    assert "[x]   1  Chapter 2" in text


def test_wide_terminals_give_kind_and_topics_their_own_columns(cli, terminal):
    screen = terminal(views.WIDE)
    cli("list", "--kind", "talk")
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
