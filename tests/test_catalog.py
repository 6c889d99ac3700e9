"""The bundled catalog carries the seed's path with the reference sheet's facts, and broken catalogs are named."""

import re

import pytest
from conftest import SEED_PATH

from mlops_path.core.catalog.loader import bundled_catalog_file, load_catalog, read_file
from mlops_path.core.catalog.model import parse_catalog
from mlops_path.core.errors import CatalogError

BOOK_URL = "https://www.oreilly.com/library/view/designing-machine-learning/9781098107956/"

# Facts the reference sheet marks VERIFIED (titles, links) or DERIVED (chapter pages).
CHAPTERS = {
    "dmls-ch02": ("Introduction to Machine Learning Systems Design", 24),
    "dmls-ch07": ("Model Deployment and Prediction Service", 34),
    "dmls-ch08": ("Data Distribution Shifts and Monitoring", 38),
    "dmls-ch09": ("Continual Learning and Test in Production", 30),
    "dmls-ch11": ("The Human Side of Machine Learning", 24),
}
SEED_ORDER = SEED_PATH
VERIFIED = {
    "mlops-principles": ("MLOps Principles", "https://ml-ops.org/content/mlops-principles"),
    "operationalizing-ml": (
        "Operationalizing Machine Learning: An Interview Study",
        "https://arxiv.org/abs/2209.09125",
    ),
    "demystifying-mlops": ("Demystifying MLOps", "https://www.youtube.com/watch?v=hzrFU5-_9-E"),
    "how-ml-breaks": (
        "How ML Breaks: A Decade of Outages for One Large ML Pipeline",
        "https://www.usenix.org/conference/opml20/presentation/papasian",
    ),
    "reliable-maintenance": (
        "Reliable Maintenance of Machine Learning Models",
        "https://www.youtube.com/watch?v=LGXi2R70pVc",
    ),
    "ml-test-score": (
        "The ML Test Score: A Rubric for ML Production Readiness and Technical Debt Reduction",
        "https://static.googleusercontent.com/media/research.google.com/en//pubs/archive/aad9f93b86b7addfea4c419b9100c6cdd26cacea.pdf",
    ),
    "gently-down-the-stream": (
        "Gently Down the Stream: A Gentle Introduction to Apache Kafka",
        "https://www.gentlydownthe.stream/",
    ),
    "mlops-guide": ("MLOps guide", "https://huyenchip.com/mlops/"),
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_the_mlops_path_follows_the_seed_in_order(catalog):
    assert catalog.path("mlops").steps == SEED_ORDER


def test_every_seed_resource_is_in_the_catalog(catalog):
    assert set(catalog.by_id) == set(SEED_ORDER)


@pytest.mark.parametrize("resource_id", CHAPTERS)
def test_book_chapters_carry_verified_titles_and_derived_lengths(catalog, resource_id):
    title, pages = CHAPTERS[resource_id]
    chapter = catalog.by_id[resource_id]
    number = int(resource_id.removeprefix("dmls-ch"))
    assert chapter.title == f"Chapter {number}: {title}"
    assert chapter.part_of == "Designing Machine Learning Systems"
    assert chapter.authors == ["Chip Huyen"] and chapter.year == 2022
    assert chapter.url == BOOK_URL
    assert chapter.minutes == 2 * pages
    assert f"{pages} pages" in chapter.minutes_note


@pytest.mark.parametrize("resource_id", VERIFIED)
def test_titles_and_links_match_the_reference_sheet(catalog, resource_id):
    title, url = VERIFIED[resource_id]
    assert (catalog.by_id[resource_id].title, catalog.by_id[resource_id].url) == (title, url)


def test_every_length_says_what_it_rests_on(catalog):
    for resource in catalog.resources:
        assert resource.minutes_note, resource.id
    unverified_runtimes = ["demystifying-mlops", "how-ml-breaks", "reliable-maintenance"]
    for resource_id in unverified_runtimes:
        assert "not verified" in catalog.by_id[resource_id].minutes_note


def test_only_streaming_and_the_guide_are_optional(catalog):
    assert {r.id for r in catalog.resources if r.optional} == {"gently-down-the-stream", "mlops-guide"}


def test_topics_a_learner_filters_by(catalog):
    by_topic = lambda t: {r.id for r in catalog.resources if t in r.topics}  # noqa: E731
    for topic in [
        "monitoring",
        "drift",
        "deployment",
        "testing",
        "continuous-x",
        "reliability",
        "streaming",
        "organisation",
        "system-design",
    ]:
        assert by_topic(topic), topic
    assert {"dmls-ch08", "mlops-principles", "reliable-maintenance"} <= by_topic("monitoring")
    assert by_topic("streaming") == {"gently-down-the-stream"}


def test_the_path_has_the_seeds_stages(catalog):
    stages = [(s.title, s.steps[0]) for s in catalog.path("mlops").stages]
    assert [first for _, first in stages] == ["dmls-ch02", "mlops-principles", "how-ml-breaks"]


def _resource(**overrides):
    base = {
        "id": "a-thing",
        "title": "A thing",
        "kind": "talk",
        "url": "https://example.org/a",
        "minutes": 10,
        "topics": ["testing"],
    }
    return {**base, **overrides}


def _catalog(*resources, steps=None):
    resources = list(resources) or [_resource()]
    return {
        "resources": resources,
        "paths": [{"id": "p", "title": "P", "steps": steps or [r["id"] for r in resources]}],
    }


def test_a_flat_path_without_stages_works():
    catalog = parse_catalog(_catalog(_resource(id="one"), _resource(id="two")))
    assert catalog.path("p").steps == ["one", "two"]
    assert catalog.path("p").stage_of("one") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (_catalog(_resource(minutes=0)), "resource 'a-thing', field 'minutes': input should be greater than 0"),
        (_catalog(_resource(minutes=2.5)), "resource 'a-thing', field 'minutes'"),
        (_catalog(_resource(url="ftp://x.org/a")), "resource 'a-thing', field 'url': must be an http"),
        (_catalog(_resource(topics=["Monitoring"])), "resource 'a-thing', field 'topics.0'"),
        (_catalog(_resource(id="Bad Id")), "resource 'Bad Id', field 'id'"),
        (_catalog(_resource(titel="typo")), "resource 'a-thing', field 'titel': extra inputs are not permitted"),
        (
            _catalog({k: v for k, v in _resource().items() if k != "title"}),
            "resource 'a-thing', field 'title': field required",
        ),
        (_catalog(_resource(), _resource(), steps=["a-thing"]), "resource id 'a-thing' is defined more than once"),
        (_catalog(_resource(), steps=["a-thing", "nowhere"]), "path 'p' has a step 'nowhere' that no resource defines"),
        (_catalog(_resource(), steps=["a-thing", "a-thing"]), "path 'p': step 'a-thing' appears more than once"),
    ],
)
def test_a_broken_catalog_names_the_resource_and_field(raw, expected):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(raw, source="mine.toml")
    message = str(caught.value)
    assert message.startswith("The catalog mine.toml is broken: ")
    assert expected in message


def test_stages_and_steps_must_agree():
    raw = _catalog(_resource(id="one"), _resource(id="two"))
    raw["paths"][0]["stages"] = [{"title": "S", "steps": ["two", "one"]}]
    with pytest.raises(CatalogError, match="list different steps"):
        parse_catalog(raw)


def test_a_toml_syntax_error_gives_its_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[[resources]]\nid = "x"\ntitle = \n')
    part, problems = read_file(broken)
    assert part is None and re.search(r"not valid TOML: .*line 3", problems[0].message)


def test_a_missing_catalog_file_is_a_clear_problem(tmp_path):
    assert read_file(tmp_path / "nothing.toml")[1][0].message.startswith("cannot be read (No such file")


def test_the_bundled_catalog_file_is_found():
    assert bundled_catalog_file().name == "catalog.toml"
