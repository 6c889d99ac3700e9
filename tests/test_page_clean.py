"""The pages (`view`, `cohort --html`) clean text like the terminal, and a real HTML parser in
strict mode (html5lib, the WHATWG parsing algorithm; it fails on every parse error, such as the
forbidden code point U+0007) accepts them on hostile fixtures: controls, bidi overrides,
noncharacters and a 300-character name. Looked at in a real headless Chromium as well."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_path.core.catalog.model import LearningPath, Resource
from mlops_path.core.learning.position import Step
from mlops_path.core.learning.summary import summarize
from mlops_path.core.page import MAX_GRID_NAME, path_page
from mlops_path.core.progress.record import Progress, Status

HOSTILE_TEXT = {
    "zz-bell": "Bell \u0007 ring",
    "zz-rlo": "Order \u202edi-pets\u202c matters",
    "zz-nonchar": "Not a char \ufffe \ufdd0 \U0010ffff",
    "zz-c1": "C1 \u0085 next line \u009b",
    "zz-nul": "Nul \u0000 byte",
}


LONG = "Lo" + "n" * 298  # a 300-character name, the longest a sync file may hold


def strict_parse(page: str) -> None:
    """Raise on the first HTML parse error, as vnu or a strict browser console would report it."""
    import html5lib

    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


def toml_string(text: str) -> str:
    """A TOML basic string: every character past ASCII or a control escaped (json.dumps would
    write surrogate pairs, which TOML refuses)."""
    return '"' + "".join(c if " " <= c < "\x7f" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


def hostile_home(home: Path) -> None:
    folder = home / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f'[[resources]]\nid = "{rid}"\ntitle = {toml_string(title)}\nkind = "talk"\nurl = '
        f'"https://example.org/{rid}"\nminutes = 5\n'
        f'topics = ["t"]\nwhy = {toml_string(title)}\n\n'
        for rid, title in HOSTILE_TEXT.items()
    )
    steps = json.dumps(list(HOSTILE_TEXT))
    (folder / "odd.toml").write_text(body + f'[[paths]]\nid = "zz"\ntitle = "Path \\u202e gnitset"\nsteps = {steps}\n')


def test_a_catalog_with_controls_and_overrides_makes_a_valid_page(cli, home, tmp_path):
    hostile_home(home)
    assert cli("catalog", "check").exit_code == 0  # the format lets these through; the page must cope
    out = tmp_path / "odd.html"
    assert cli("--path", "zz", "note", "zz-bell", "a note \u0007 with a bell\nand a second line").exit_code == 0
    assert cli("--path", "zz", "view", "--no-open", "-o", str(out)).exit_code == 0
    page = out.read_text()
    strict_parse(page)
    assert "\u0007" not in page and "\u202e" not in page and "\ufffe" not in page and "\u0085" not in page
    assert "Bell \\x07 ring" in page and "Order \\u202edi-pets\\u202c matters" in page and "\\ufffe" in page
    assert "\\U0010ffff" in page and "Nul \\x00 byte" in page


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_title_and_note_make_a_page_html5lib_accepts(title, note):
    resource = Resource("r", title or "t", "talk", "https://example.org/" + title[:10], 5, ("t",), why=note or None)
    steps = [Step(resource, 1, 1, None, Status.TODO)]
    page = path_page(
        LearningPath("p", title or "P", ["r"]),
        steps,
        Progress(),
        summarize(steps, Progress()),
        steps[0],
        datetime(2026, 11, 29, tzinfo=UTC),
    )
    strict_parse(page)


@pytest.fixture
def group(tmp_path) -> Path:
    from test_sync import _device_file, entry

    folder = tmp_path / "group"
    started = "2026-11-01T00:00:00Z"
    _device_file(
        folder,
        "Ada",
        "a1",
        {
            "dmls-ch02": entry("done", "2026-11-20T00:00:00Z"),
            "dmls-ch07": entry("in-progress", started, started_at=started),
        },
    )
    _device_file(folder, LONG, "b1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z")})
    _device_file(
        folder,
        "Eve \u202e70hc-slmd\u202c \u0007",
        "e1",
        {"dmls-ch08": entry("in-progress", started, started_at=started)},
    )
    return folder


def test_the_group_page_caps_long_names_and_shows_overrides_visibly(cli, tmp_path, group):
    out = tmp_path / "group.html"
    assert cli("cohort", str(group), "--html", str(out)).exit_code == 0
    page = out.read_text()
    strict_parse(page)
    assert "\u202e" not in page and "\u0007" not in page and "Eve \\u202e70hc-slmd\\u202c \\x07" in page
    assert LONG not in page.split("<tbody>")[1].split("</tbody>")[0].replace(f'title="{LONG}"', "")
    assert f'title="{LONG}"' in page  # the full name on hover
    assert LONG[: MAX_GRID_NAME - 1] + "\u2026" in page


def test_the_group_page_in_chromium_keeps_status_cells_in_view(chromium, cli, tmp_path, group):
    from test_page import ARTIFACTS, open_page

    out = tmp_path / "group.html"
    assert cli("cohort", str(group), "--html", str(out)).exit_code == 0
    for width in (375, 1280):
        context, page, requests, errors = open_page(chromium, out, width)
        assert requests == [] and errors == []
        sticky = page.locator("tbody th").nth(1).bounding_box()
        assert sticky["width"] < width / 2  # the long name no longer hides the status cells beside it
        first_cell = page.locator("tbody tr").nth(1).locator("td").first.bounding_box()
        assert first_cell["x"] < width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"cohort-hostile-{width}.png"), full_page=True)
        context.close()


@pytest.fixture(scope="module")
def chromium():
    from test_page import chromium as make

    yield from make.__wrapped__()
