"""The page (`view`, `cohort --html`), checked in a real headless Chromium driven by Playwright:
no network, no console error, links and the current step right, hostile titles shown as text,
no horizontal scroll at 375 and 1280 px in light and dark, and no WCAG 2.1 A/AA violation that
axe-core finds. The study group's page shows every step at 1280 px and printed to PDF (pdftotext reads
every column), and a large group gets a summary per step. Screenshots are kept in test-artifacts/ (or
$MLOPS_PATH_ARTIFACTS)."""

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEED_PATH, need

from mlops_path.core.catalog.model import LearningPath, Resource
from mlops_path.core.learning.position import Step
from mlops_path.core.learning.summary import summarize
from mlops_path.core.page import path_page
from mlops_path.core.progress.record import Progress, Status

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("MLOPS_PATH_ARTIFACTS", REPO / "test-artifacts"))
AXE = Path(os.environ.get("AXE_CORE_JS", REPO / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

HOSTILE = {
    "zz-script": "<script>window.pwned = 1</script> Intro",
    "zz-img": '"><img src=x onerror="window.pwned = 2"> Break out',
    "zz-style": "</style><style>body{display:none}</style> Styles",
}


@pytest.fixture(scope="module")
def chromium():
    executable = os.environ.get("MLOPS_PATH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    need(Path(executable).exists(), "Chromium (Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # a test dependency; its own browsers are never downloaded

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    need(AXE.exists(), f"axe-core at {AXE} (npm install --prefix .ci/axe axe-core)")
    return AXE.read_text()


def open_page(chromium, file: Path, width: int = 1280, scheme: str = "light", bypass_csp: bool = False):
    """The page in a fresh context; every request but the page itself is recorded and refused."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=bypass_csp)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url) if r.url != file.as_uri() else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    context.route("http*://**", lambda route: route.abort())
    page.goto(file.as_uri())
    return context, page, requests, errors


def hostile_catalog(home: Path) -> None:
    folder = home / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f'[[resources]]\nid = "{rid}"\ntitle = {json.dumps(title)}\nkind = "talk"\nurl = '
        f'"https://example.org/{rid}"\nminutes = 5\n'
        f'topics = ["t"]\nwhy = {json.dumps(title)}\n\n'
        for rid, title in HOSTILE.items()
    )
    (folder / "hostile.toml").write_text(
        body + '[[paths]]\nid = "zz"\ntitle = "<b>Bold</b> path"\nsteps = ["zz-script", "zz-img", "zz-style"]\n'
    )


@pytest.fixture
def learner_page(cli, home, tmp_path) -> Path:
    cli("done", "dmls-ch02", "dmls-ch07")
    cli("start", "dmls-ch08")
    cli("note", "dmls-ch02", "Business objective first <em>then</em> the metric")
    out = tmp_path / "page.html"
    result = cli("view", "--no-open", "--output", str(out))
    assert result.exit_code == 0 and f"Wrote {out}." in result.stdout
    return out


def test_the_page_loads_nothing_runs_nothing_and_marks_where_you_are(chromium, learner_page, cli):
    context, page, requests, errors = open_page(chromium, learner_page)
    assert requests == [] and errors == []
    assert page.locator("h1").count() == 1 and page.title().startswith("So, you want to learn about MLOps")
    assert page.locator("html").get_attribute("lang") == "en"
    items = {i["id"]: i for i in cli.json("list")}
    links = page.locator("li.card h3 a")
    assert links.count() == 13
    for i in range(13):
        link = links.nth(i)
        card = page.locator("li.card").nth(i)
        rid = card.locator("code").first.inner_text()
        assert link.get_attribute("href") == items[rid]["url"]
    here = page.locator('[aria-current="step"]')
    assert here.count() == 1 and "Chapter 8" in here.inner_text() and "You are here" in here.inner_text()
    assert "started" in here.inner_text()  # a status is a word (and an icon), never colour alone
    assert page.locator("li.card.done").count() == 2
    text = page.locator("main").inner_text()
    assert (
        "2 of 11 required steps done (18%)" in text and "≈48 min (estimate)" in text and "needs a subscription" in text
    )
    assert "Business objective first <em>then</em> the metric" in text  # a note is text, not markup
    assert "Optional" in text
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.locator("script").count() == 0
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_scroll_in_light_and_dark_and_a_screenshot_is_kept(chromium, learner_page, width, scheme):
    context, page, requests, errors = open_page(chromium, learner_page, width, scheme)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (background == "rgb(255, 255, 255)") is (scheme == "light")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"view-{width}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if (width, scheme) == (1280, "light"):  # the first screen, as the README shows it (docs/view.png)
        page.screenshot(path=str(ARTIFACTS / "view-first-screen.png"))
    assert requests == [] and errors == []
    context.close()


def _axe(chromium, file: Path, axe_source: str, width: int, scheme: str) -> list:
    context, page, _, _ = open_page(chromium, file, width, scheme, bypass_csp=True)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    context.close()
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (375, "dark")])
def test_axe_finds_no_wcag_violation(chromium, learner_page, axe_source, width, scheme):
    assert _axe(chromium, learner_page, axe_source, width, scheme) == []


def test_hostile_titles_show_as_text_and_run_nothing(chromium, cli, home, tmp_path):
    hostile_catalog(home)
    out = tmp_path / "hostile.html"
    assert cli("--path", "zz", "view", "--no-open", "-o", str(out)).exit_code == 0
    context, page, requests, errors = open_page(chromium, out)
    assert page.evaluate("window.pwned") is None
    assert requests == [] and errors == []
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0 and page.locator("b").count() == 0
    text = page.locator("body").inner_text()
    for title in HOSTILE.values():
        assert title in text
    assert "<b>Bold</b> path" in page.locator("h1").inner_text()
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    context.close()


def test_a_link_that_is_not_http_is_never_a_link():
    bad = Resource("bad", "Bad", "talk", "javascript:alert(1)", 5, ("t",))
    steps = [Step(bad, 1, 1, None, Status.TODO)]
    progress = Progress()
    html = path_page(
        LearningPath("p", "P", ["bad"]), steps, progress, summarize(steps, progress), steps[0], datetime.now(UTC)
    )
    assert 'href="javascript' not in html and "javascript:alert(1)" in html


@pytest.fixture
def group_page(cli, tmp_path) -> Path:
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    started = "2026-11-01T00:00:00Z"
    _device_file(
        group,
        "Ada",
        "a1",
        {
            "dmls-ch02": entry("done", "2026-11-20T00:00:00Z"),
            "dmls-ch07": entry("in-progress", started, started_at=started),
        },
    )
    _device_file(
        group, "<script>window.pwned=3</script>Bob", "b1", {"dmls-ch02": entry("skipped", "2026-11-25T00:00:00Z")}
    )
    out = tmp_path / "group.html"
    result = cli("cohort", str(group), "--html", str(out))
    assert result.exit_code == 0 and str(out) in result.stdout
    return out


def test_the_study_group_page_is_a_grid_of_learners_by_steps(chromium, group_page, axe_source):
    context, page, requests, errors = open_page(chromium, group_page, 375)
    assert requests == [] and errors == [] and page.evaluate("window.pwned") is None
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 2
    ada = " ".join(page.locator("table.grid tbody tr", has_text="Ada").text_content().split())
    assert "9% (1/11)" in ada and "◐ started" in ada and "✓ done" in ada
    assert "<script>window.pwned=3</script>Bob" in page.locator("table.grid tbody").inner_text()
    assert page.locator("table.grid thead th").count() == 3 + 13
    assert "In progress for more than 14 days" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the grid scrolls in its own region
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cohort-375-light.png"), full_page=True)
    context.close()
    assert _axe(chromium, group_page, axe_source, 1280, "light") == []


# The group page fits: every step's column on screen at 1280 px and on a printed (landscape) page; a large
# group gets a summary per step instead of a grid (the threshold is page.GRID_MAX_LEARNERS).
IDS = SEED_PATH  # the seed path's steps, in order
ROTATION = ("done", "in-progress", "skipped", None)  # a learner's status on a step, in turn


def _group(folder: Path, learners: int, ids: list[str]) -> Path:
    """A group whose learners have every status somewhere (and some steps started long ago)."""
    from test_sync import _device_file, entry

    for n in range(learners):
        resources = {}
        for i, rid in enumerate(ids):
            status = ROTATION[(n + i) % len(ROTATION)]
            if status:
                resources[rid] = entry(status, "2026-11-01T00:00:00Z", started_at="2026-11-01T00:00:00Z")
        _device_file(folder, f"Learner {n:03d}", f"{n:x}0", resources)
    return folder


def _steps_in_view(page, width: int, count: int) -> None:
    """Every numbered step header lies inside the viewport and inside its grid's visible box (no sideways scroll)."""
    headers = page.locator("table.grid th.step")
    assert headers.count() == count
    for i in range(count):
        box = headers.nth(i).bounding_box()
        wrap = headers.nth(i).locator("xpath=ancestor::div[contains(@class, 'grid-wrap')]")
        frame = wrap.bounding_box()
        right = min(width, frame["x"] + frame["width"]) + 0.5  # half a pixel for subpixel layout
        assert box["x"] >= 0 and box["x"] + box["width"] <= right, (i + 1, box, frame)
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _pdf_text(page, file: Path, paper: str) -> tuple[str, list[float]]:
    """The page printed by Chromium (the page's own @page rule honoured), as pdftotext reads it, and the paper size."""
    import subprocess

    need(shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None, "poppler-utils (pdftotext)")
    page.pdf(path=str(file), format=paper, prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(file)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()[2:5:2]
    text = subprocess.run(["pdftotext", "-layout", str(file), "-"], capture_output=True, text=True, check=True).stdout
    return text, [float(x) for x in size]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_group_page_shows_every_step_at_1280_px_with_icons_that_have_words(chromium, group_page, scheme):
    from mlops_path.core.words import STATUS_ICON, STATUS_WORD

    context, page, requests, errors = open_page(chromium, group_page, 1280, scheme)
    assert requests == [] and errors == []
    _steps_in_view(page, 1280, 13)
    assert page.locator("table.grid").count() == 1
    for status in Status:  # the legend gives every icon its word, as words.py has them
        assert f"{STATUS_ICON[status]} {STATUS_WORD[status]}" in page.locator(".legend").inner_text()
    cells = page.locator("table.grid td.cell")
    assert cells.count() == 2 * 13
    words = {STATUS_WORD[s] for s in Status}
    for i in range(cells.count()):  # the icon hidden from screen readers, the word read instead: never colour alone
        cell = cells.nth(i)
        assert cell.locator('[aria-hidden="true"]').inner_text() in STATUS_ICON.values()
        assert cell.locator(".vh").inner_text() in words
    bob = page.locator("table.grid tbody tr", has_text="Bob")
    assert bob.locator("td.cell").first.text_content() == f"{STATUS_ICON[Status.SKIPPED]} {STATUS_WORD[Status.SKIPPED]}"
    key = page.locator("table.key tbody tr")  # the key names every numbered step
    assert key.count() == 13
    for n, rid in enumerate(IDS, start=1):
        row = page.locator(f"#step-{n}")
        assert row.locator("td.number").inner_text() == str(n) and row.locator("code").inner_text() == rid
        assert page.locator(f'table.grid th.step a[href="#step-{n}"]').inner_text().split()[-1] == str(n)
    first = page.locator("#step-1").inner_text().split()
    assert first[-6:] == ["0", "1", "0", "1", "0", "0"]  # next for, done, started, skipped, todo, stuck
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"cohort-1280-{scheme}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_group_page_prints_every_step_on_a_landscape_page(chromium, group_page, tmp_path, paper):
    context, page, requests, errors = open_page(chromium, group_page)
    text, (width, height) = _pdf_text(page, tmp_path / "group.pdf", paper)
    assert width > height  # landscape, as the page asks
    lines = text.splitlines()
    header = next(line for line in lines if line.split()[:2] == ["Learner", "Done"])
    assert header.split()[-13:] == [str(n) for n in range(1, 14)]  # every step's column: none cut at the page's edge
    for name in ("Ada", "<script>"):  # Bob's name is long: the grid shows its start
        row = next(line for line in lines if name in line and "%" in line)
        assert len([t for t in row.split() if t in "✓◐⤼○"]) == 13, row
    flat = "".join(text.split())
    assert all(rid in flat for rid in IDS)  # and the key names each step
    assert requests == [] and errors == []
    context.close()


@pytest.mark.slow
def test_a_long_path_gets_one_grid_per_twenty_steps_each_in_view_and_on_paper(chromium, cli, home, tmp_path):
    from mlops_path.core.page import GRID_STEP_COLUMNS

    folder = home / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"long-step-number-{n:02d}" for n in range(1, 46)]
    body = "".join(
        f'[[resources]]\nid = "{rid}"\ntitle = "A step with a title of some length, {rid}"\nkind = "talk"\n'
        f'url = "https://example.org/{rid}"\nminutes = 5\ntopics = ["t"]\nwhy = "Because."\n\n'
        for rid in ids
    )
    (folder / "long.toml").write_text(body + f'[[paths]]\nid = "long"\ntitle = "Long"\nsteps = {json.dumps(ids)}\n')
    out = tmp_path / "long.html"
    assert cli("--path", "long", "cohort", str(_group(tmp_path / "group", 4, ids)), "--html", str(out)).exit_code == 0
    context, page, requests, errors = open_page(chromium, out)
    assert page.locator("table.grid").count() == 3 and GRID_STEP_COLUMNS == 20
    assert page.locator("table.grid").nth(2).locator("caption").inner_text() == "Learners by steps 41-45 of 45"
    _steps_in_view(page, 1280, 45)
    page.screenshot(path=str(ARTIFACTS / "cohort-long-path-1280.png"), full_page=True)
    text, (_width, _height) = _pdf_text(page, tmp_path / "long.pdf", "Letter")
    headers = [line.split()[4:] for line in text.splitlines() if line.split()[:2] == ["Learner", "Done"]]
    assert [int(n) for part in headers for n in part] == list(range(1, 46))
    assert all(rid in "".join(text.split()) for rid in ids)
    assert requests == [] and errors == []
    context.close()


def test_a_large_group_gets_a_summary_per_step_not_a_grid(chromium, cli, tmp_path, axe_source):
    from mlops_path.core.page import GRID_MAX_LEARNERS

    group = _group(tmp_path / "group", 300, IDS)
    out = tmp_path / "large.html"
    assert cli("cohort", str(group), "--html", str(out)).exit_code == 0
    report = cli.json("cohort", str(group))
    context, page, requests, errors = open_page(chromium, out)
    assert requests == [] and errors == []
    assert page.locator("table.grid").count() == 0 and page.locator("tr").count() < 30  # no row per learner
    assert f"more than {GRID_MAX_LEARNERS} learners" in page.locator("main").inner_text()
    spread = page.locator("table.spread tbody td").all_inner_texts()
    assert sum(int(n) for n in spread) == 300
    for n, step in enumerate(report["steps"], start=1):
        cells = page.locator(f"#step-{n} td").all_inner_texts()
        assert cells[0] == str(n) and page.locator(f"#step-{n} code").inner_text() == step["id"]
        next_for = sum(row["current"] == step["id"] for row in report["learners"])
        todo = 300 - step["done"] - step["in_progress"] - step["skipped"]
        assert [int(c) for c in cells[1:6]] == [next_for, step["done"], step["in_progress"], step["skipped"], todo]
    for i in range(13):  # every step's line in view at 1280 px
        box = page.locator("table.key tbody tr").nth(i).bounding_box()
        assert box["x"] + box["width"] <= 1280
    page.screenshot(path=str(ARTIFACTS / "cohort-large-1280.png"), full_page=True)
    text, _ = _pdf_text(page, tmp_path / "large.pdf", "A4")
    assert all(rid in "".join(text.split()) for rid in IDS)
    context.close()
    assert _axe(chromium, out, axe_source, 1280, "light") == []


def test_the_grid_stops_at_the_documented_threshold(cli, tmp_path):
    from mlops_path.core.page import GRID_MAX_LEARNERS

    for learners, grid in ((GRID_MAX_LEARNERS, True), (GRID_MAX_LEARNERS + 1, False)):
        out = tmp_path / f"{learners}.html"
        assert cli("cohort", str(_group(tmp_path / str(learners), learners, IDS)), "--html", str(out)).exit_code == 0
        page = out.read_text()
        assert ('<table class="grid">' in page) is grid and ('<table class="spread">' in page) is not grid
