"""The Markdown export renders as meant in two real readers: markdown-it-py (CommonMark) and
pandoc's GFM reader (with its extended autolinks, as GitHub renders). Every title stays the text
of exactly one link to the catalog's URL, every note stays text: no autolink forms inside escaped
text, no markup from data survives."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from conftest import need
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_path.core.catalog.model import Catalog, Resource
from mlops_path.core.progress.exchange import export_markdown
from mlops_path.core.progress.record import Entry, Note, Progress, Status

HOSTILE_TITLES = [
    "Evil https://evil.example/ here",
    "Real](<a href=https://evil.example/>",
    "Mail me at eve@evil.example now",
    "Visit www.evil.example today",
    "ftp://evil.example and mailto:eve@evil.example",
    "<https://evil.example/> in brackets",
    "[link](https://evil.example/) and ![img](https://evil.example/x.png)",
]


class Links(HTMLParser):
    """Each <a>: its href, its text, and how deep in other links it opened."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self.open: list[dict] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            link = {"href": dict(attrs).get("href"), "text": "", "depth": len(self.open)}
            self.links.append(link)
            self.open.append(link)
        if tag == "img":
            self.images += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.open:
            self.open.pop()

    def handle_data(self, data):
        for link in self.open:
            link["text"] += data


def render_commonmark(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def render_gfm(markdown: str) -> str:
    need(shutil.which("pandoc") is not None, "pandoc (Debian's pandoc package)")
    return subprocess.run(
        ["pandoc", "-f", "gfm", "-t", "html"], input=markdown, capture_output=True, text=True, check=True, timeout=60
    ).stdout


def log(titles: list[str], note: str = "a note") -> str:
    resources = {
        f"r{i}": Resource(f"r{i}", title, "talk", f"https://real.example/{i}", 5, ("t",))
        for i, title in enumerate(titles)
    }
    at = datetime(2026, 11, 29, tzinfo=UTC)
    entries = {rid: Entry(Status.DONE, at, done_at=at, notes=(Note(at, note),)) for rid in resources}
    catalog = Catalog(resources, {}, {}, [])
    return export_markdown(Progress(resources=entries), catalog, at)


def check_links(html: str, titles: list[str], note: str) -> None:
    parsed = Links()
    parsed.feed(html)
    assert [link["depth"] for link in parsed.links] == [0] * len(titles), html  # one link a title, none nested
    assert sorted(link["href"] for link in parsed.links) == sorted(
        f"https://real.example/{i}" for i in range(len(titles))
    )
    # compared in NFC: pandoc normalises what it reads (a CJK compatibility ideograph becomes its
    # unified form), which changes no character a reader sees and forms no link
    texts = {link["href"]: unicodedata.normalize("NFC", " ".join(link["text"].split())) for link in parsed.links}
    for i, title in enumerate(titles):
        assert texts[f"https://real.example/{i}"] == unicodedata.normalize("NFC", " ".join(title.split())), html
    assert parsed.images == 0


@pytest.mark.parametrize("render", [render_commonmark, render_gfm], ids=["markdown-it-py", "pandoc-gfm"])
def test_hostile_titles_and_notes_stay_text_in_both_readers(render):
    note = "see https://evil.example/ or www.evil.example, mail eve@evil.example <b>bold</b>"
    html = render(log(HOSTILE_TITLES, note))
    check_links(html, HOSTILE_TITLES, note)
    shown = "see https://evil.example/ or www.evil.example, mail eve@evil.example &lt;b&gt;bold&lt;/b&gt;"
    assert "<b>" not in html and shown in " ".join(html.split())


_PRINTABLE = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PRINTABLE.filter(lambda t: t.strip()), min_size=1, max_size=4))
def test_any_printable_title_is_one_link_with_its_own_text_in_commonmark(titles):
    check_links(render_commonmark(log(titles)), titles, "n")


@settings(max_examples=25, deadline=None)
@given(st.lists(_PRINTABLE.filter(lambda t: t.strip()), min_size=1, max_size=4))
def test_any_printable_title_is_one_link_with_its_own_text_in_gfm(titles):
    check_links(render_gfm(log(titles)), titles, "n")


def test_the_exported_log_from_the_command_reads_the_same(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    (folder / "evil.toml").write_text(
        f'[[resources]]\nid = "evil"\ntitle = {json.dumps(HOSTILE_TITLES[0])}\nkind = "talk"\n'
        'url = "https://real.example/0"\nminutes = 5\ntopics = ["t"]\n'
    )
    assert cli("done", "evil").exit_code == 0
    markdown = cli("export", "--format", "markdown").stdout
    for render in (render_commonmark, render_gfm):
        parsed = Links()
        parsed.feed(render(markdown))
        assert [link["depth"] for link in parsed.links] == [0]
