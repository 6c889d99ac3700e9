"""The page (`view`, `cohort --html`), checked in a real headless Chromium driven by Playwright:
no network, no console error, links and the current step right, hostile titles shown as text,
no horizontal scroll at 375 and 1280 px in light and dark, and no WCAG 2.1 A/AA violation that
axe-core finds. Screenshots are kept in test-artifacts/ (or $MLOPS_PATH_ARTIFACTS)."""

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import need

from mlops_path.core.catalog import LearningPath, Resource
from mlops_path.core.page import path_page
from mlops_path.core.path import Step
from mlops_path.core.progress import Progress, Status
from mlops_path.core.summary import summarize

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
        f'[[resources]]\nid = "{rid}"\ntitle = {json.dumps(title)}\nkind = "talk"\nurl = "https://example.org/{rid}"\nminutes = 5\n'
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
    assert "2 of 11 required steps done (18%)" in text and "≈48 min (estimate)" in text and "needs a subscription" in text
    assert "Business objective first <em>then</em> the metric" in text  # a note is text, not markup
    assert "Optional" in text
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.locator("script").count() == 0
    context.close()


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
    html = path_page(LearningPath("p", "P", ["bad"]), steps, progress, summarize(steps, progress), steps[0], datetime.now(UTC))
    assert 'href="javascript' not in html and "javascript:alert(1)" in html


@pytest.fixture
def group_page(cli, tmp_path) -> Path:
    from test_sync import _device_file, entry

    group = tmp_path / "group"
    started = "2026-11-01T00:00:00Z"
    _device_file(group, "Ada", "a1", {"dmls-ch02": entry("done", "2026-11-20T00:00:00Z"),
                                      "dmls-ch07": entry("in-progress", started, started_at=started)})  # fmt: skip
    _device_file(group, "<script>window.pwned=3</script>Bob", "b1", {"dmls-ch02": entry("skipped", "2026-11-25T00:00:00Z")})
    out = tmp_path / "group.html"
    result = cli("cohort", str(group), "--html", str(out))
    assert result.exit_code == 0 and str(out) in result.stdout
    return out


def test_the_study_group_page_is_a_grid_of_learners_by_steps(chromium, group_page, axe_source):
    context, page, requests, errors = open_page(chromium, group_page, 375)
    assert requests == [] and errors == [] and page.evaluate("window.pwned") is None
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    ada = page.locator("tbody tr", has_text="Ada")
    assert "9% (1/11)" in ada.inner_text() and "◐ started" in ada.inner_text() and "✓ done" in ada.inner_text()
    assert "<script>window.pwned=3</script>Bob" in page.locator("tbody").inner_text()
    assert page.locator("thead th").count() == 3 + 13
    assert "In progress for more than 14 days" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the grid scrolls in its own region
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cohort-375-light.png"), full_page=True)
    context.close()
    assert _axe(chromium, group_page, axe_source, 1280, "light") == []
