"""True to its sources: the bundled catalog's wording, costs and lengths checked against what the
curator's post says and what the reference sheet verified.

The post's sentences a test relies on are quoted here (POST); where the project's shared/ folder
is beside the checkout (the developers' machines and CI), a test checks that each quotation is
really in the post, and that every link of the catalog is one the reference sheet names.
"""

import re
import tomllib
from pathlib import Path

import pytest

from mlops_path.core.catalog.loader import bundled_catalog_file

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
POST_FILE = SHARED / "seed" / "so-you-want-to-learn-about-mlops.txt"
SHEET_FILE = SHARED / "reference" / "catalog_facts.md"

POST = {
    "chapters": (
        "If you’re mostly interested in the MLOps parts, I recommend starting with chapters 2, 7, 8, 9, and 11."
    ),
    "continuous_x": (
        "I particularly liked the idea of “Continuous X”; this extends the idea of CI/CD "
        "(continuous integration/continuous delivery) to include Continuous Training and Continuous Delivery. "
        "It highlights out an important piece of MLOps: it’s never finished."
    ),
    "sections": ("Starting out", "Special topics"),
    "guide": "Finally– if you’ve devoured this list and are still hungry for more, MLOps guide by Chip Huyen",
    "five_minutes": "maybe 5-minute read",
}
CHAPTERS = ["dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09", "dmls-ch11"]
PRINT_ISBN = "978-1-098-10796-3"  # the reference sheet: VERIFIED at Barnes & Noble


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(bundled_catalog_file().read_text())


@pytest.fixture(scope="module")
def resources(raw):
    return {r["id"]: r for r in raw["resources"]}


@pytest.mark.skipif(
    not POST_FILE.exists(), reason="the curator's post is in the project's shared/ folder, beside the checkout"
)
def test_every_quotation_used_here_is_in_the_post():
    post = POST_FILE.read_text()
    for key, quote in POST.items():
        for part in quote if isinstance(quote, tuple) else (quote,):
            assert part in post, key


@pytest.mark.skipif(
    not SHEET_FILE.exists(), reason="the reference sheet is in the project's shared/ folder, beside the checkout"
)
def test_every_link_is_one_the_reference_sheet_names(resources):
    sheet = SHEET_FILE.read_text()
    for rid, resource in resources.items():
        assert resource["url"] in sheet, rid  # never a link made up


def test_the_chapters_say_what_the_post_says_about_them(resources):
    chapter_numbers = re.search(r"chapters ([\d, and]+)\.", POST["chapters"]).group(1)
    numbers = re.findall(r"\d+", chapter_numbers)
    assert [f"dmls-ch{int(n):02d}" for n in numbers] == CHAPTERS
    assert "2, 7, 8, 9 and 11" in resources["dmls-ch02"]["why"]
    for rid in CHAPTERS:
        why = resources[rid]["why"]
        assert "MLOps core" not in why  # the post speaks of "the MLOps parts", not a core
        assert "MLOps parts" in why


def test_mlops_principles_is_attributed_and_framed_as_the_post_does(resources):
    page = resources["mlops-principles"]
    assert "authors" not in page  # the sheet: no per-page byline; the names are site credits
    assert "read closely" not in page["why"] and "stretched" not in page["why"]
    assert "Continuous X" in POST["continuous_x"] and "Continuous X" in page["why"]
    assert "Continuous Training" in POST["continuous_x"] and "Continuous Training" in page["why"]
    assert "Continuous Monitoring" not in POST["continuous_x"]
    assert "the page also has Continuous Monitoring" in page["why"]  # the page's fourth practice, said to be the page's
    assert "never finished" in page["why"]


def test_stages_are_the_posts_sections(raw):
    stages = raw["paths"][0]["stages"]
    for stage in stages:
        assert stage["title"].startswith(POST["sections"]), stage["title"]
    by_section = {
        section: [s for st in stages if st["title"].startswith(section) for s in st["steps"]]
        for section in POST["sections"]
    }
    assert by_section["Starting out"][:5] == CHAPTERS  # the book is part of "Starting out"
    assert "mlops-guide" in by_section["Special topics"]  # the post lists the guide among the special topics
    assert "split" in raw["paths"][0]["description"]  # the tool's own split of "Starting out" is said


def test_what_it_costs_is_stated(resources):
    for rid, resource in resources.items():
        if rid in CHAPTERS:
            assert resource["access"] == "subscription"
            assert PRINT_ISBN in resource["access_note"] and "e-book" in resource["access_note"]
        else:
            assert resource["access"] == "free", rid


def test_every_length_says_what_it_rests_on_and_guesses_say_so(resources):
    for rid, resource in resources.items():
        assert not resource.get("minutes_measured"), rid  # no runtime was measured
        note = resource["minutes_note"]
        assert re.search(r"estimate|derived|guess", note), rid
    assert resources["how-ml-breaks"]["minutes_note"].startswith("a guess")
    assert "not verified" in resources["how-ml-breaks"]["minutes_note"]
    assert POST["five_minutes"] in resources["gently-down-the-stream"]["minutes_note"]


def test_the_header_says_what_was_checked_and_what_was_not():
    header = "\n".join(line for line in bundled_catalog_file().read_text().splitlines() if line.startswith("#"))
    assert "were not seen" in header and "estimates, never measured" in header
    assert "catalog links" in header


def test_estimates_look_like_estimates_everywhere(cli):
    assert "≈48 min" in cli("next").stdout
    assert "≈48 min" in cli("list").stdout
    assert "≈" in cli("plan", "--hours-per-week", "2").stdout
    assert "about 8 h 20 min left" in cli("progress").stdout and "(estimates)" in cli("progress").stdout


def test_a_measured_length_is_shown_as_measured(cli, home):
    folder = home / "catalogs"
    folder.mkdir(parents=True)
    (folder / "m.toml").write_text(
        '[[resources]]\nid = "timed"\ntitle = "Timed talk"\nkind = "talk"\nurl = "https://e.org/"\n'
        'minutes = 95\nminutes_measured = true\ntopics = ["t"]\naccess = "paid"\n'
        '[[paths]]\nid = "m"\ntitle = "M"\nsteps = ["timed"]\n'
    )
    text = cli("--path", "m", "next").stdout
    assert "1 h 35 min" in text and "≈1 h 35 min" not in text
    assert "access: paid" in text
    item = cli.json("--path", "m", "next")
    assert item["minutes_measured"] is True and item["access"] == "paid"
    assert "; paid)" in cli("--path", "m", "list").stdout


def test_the_chapters_show_their_cost(cli):
    text = cli("next").stdout
    assert "access: needs a subscription (O'Reilly's learning platform" in text
    assert cli.json("next")["access"] == "subscription"
    assert "; needs a subscription)" in cli("list").stdout.splitlines()[0]


def test_the_example_catalog_is_true_to_the_course():
    text = (REPO / "docs" / "example-catalog.toml").read_text()
    example = tomllib.loads(text)
    path = example["paths"][0]
    assert path["stages"][-1]["steps"][-1] == "operationalizing-ml"  # the course's operations reading
    assert "selection" in path["title"] and "8 of the about 25" in path["description"]
    assert all(
        r["part_of"].startswith("Machine Learning in Production: From Models to Products") for r in example["resources"]
    )
    assert "Claire Le Goues and Christian Kästner" in text and "MIT Press, 2025" in text
    assert all("dmls" not in step for stage in path["stages"] for step in stage["steps"])
