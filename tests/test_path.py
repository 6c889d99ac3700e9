"""Path logic as pure functions, on a small hand-made catalog."""

from datetime import UTC, datetime

import pytest

from mlops_path.core.catalog.model import parse_catalog
from mlops_path.core.errors import UsageError
from mlops_path.core.learning.position import canonical_ids, filter_steps, find_step, next_step, walk
from mlops_path.core.learning.summary import topic_tallies
from mlops_path.core.progress.record import Progress, Status, mark

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _res(rid, kind="talk", topics=("testing",), minutes=10):
    return {
        "id": rid,
        "title": rid.title(),
        "kind": kind,
        "url": f"https://example.org/{rid}",
        "minutes": minutes,
        "topics": list(topics),
    }


CATALOG = parse_catalog(
    {
        "resources": [
            _res("a", topics=["monitoring"]),
            _res("b", kind="paper"),
            _res("c", topics=["monitoring", "drift"]),
        ],
        "paths": [
            {
                "id": "p",
                "title": "P",
                "stages": [{"title": "One", "steps": ["a", "b"]}, {"title": "Two", "steps": ["c"]}],
            },
            {"id": "q", "title": "Q", "steps": ["c", "b", "a"]},
        ],
    }
)


def steps(statuses=None, path="p"):
    progress = Progress()
    for rid, status in (statuses or {}).items():
        progress, _ = mark(progress, [rid], status, AT)
    return walk(CATALOG, CATALOG.path(path), progress)


def test_walk_numbers_steps_and_names_their_stage():
    assert [(s.id, s.position, s.total, s.stage) for s in steps()] == [
        ("a", 1, 3, "One"),
        ("b", 2, 3, "One"),
        ("c", 3, 3, "Two"),
    ]


def test_next_is_the_first_step_not_done_or_skipped():
    assert next_step(steps()).id == "a"
    assert next_step(steps({"a": Status.DONE})).id == "b"
    assert next_step(steps({"a": Status.SKIPPED, "b": Status.DONE})).id == "c"


def test_in_progress_counts_as_not_done():
    assert next_step(steps({"a": Status.IN_PROGRESS})).id == "a"


def test_next_is_none_when_everything_is_done_or_skipped():
    assert next_step(steps({"a": Status.DONE, "b": Status.SKIPPED, "c": Status.DONE})) is None


def test_progress_is_keyed_by_id_so_reordering_keeps_it():
    reordered = steps({"a": Status.DONE}, path="q")
    assert find_step(reordered, "a").status is Status.DONE
    assert find_step(reordered, "a").position == 3
    assert next_step(reordered).id == "c"


def test_filters_by_topic_kind_and_status():
    assert [s.id for s in filter_steps(steps(), topic="monitoring")] == ["a", "c"]
    assert [s.id for s in filter_steps(steps(), kind="paper")] == ["b"]
    assert [s.id for s in filter_steps(steps({"c": Status.DONE}), status=Status.DONE)] == ["c"]
    assert [s.id for s in filter_steps(steps(), topic="monitoring", status=Status.TODO)] == ["a", "c"]


@pytest.mark.parametrize(
    ("option", "listed"), [({"topic": "nope"}, "drift, monitoring, testing"), ({"kind": "book"}, "paper, talk")]
)
def test_an_unknown_topic_or_kind_lists_the_known_ones(option, listed):
    with pytest.raises(UsageError) as caught:
        filter_steps(steps(), **option)
    assert listed in str(caught.value)


def test_topic_tallies_count_required_steps_and_done_ones():
    counted = [(t.name, t.total, t.done) for t in topic_tallies(steps({"c": Status.DONE}))]
    assert counted == [("drift", 1, 1), ("monitoring", 2, 1), ("testing", 1, 0)]


def test_an_unknown_id_names_the_closest_known_ones():
    catalog = parse_catalog({"resources": [_res("dmls-ch02"), _res("dmls-ch07")], "paths": []})
    with pytest.raises(UsageError, match=r"Unknown id 'dmls-ch2'; did you mean dmls-ch02"):
        canonical_ids(catalog, ["dmls-ch02", "dmls-ch2"])
    with pytest.raises(UsageError, match=r"Unknown id 'zzz'; see `mlops-path list`"):
        canonical_ids(catalog, ["zzz"])


def test_an_odd_id_is_quoted_safely_and_shortened():
    catalog = parse_catalog({"resources": [_res("a")], "paths": []})
    with pytest.raises(UsageError) as caught:
        canonical_ids(catalog, ["x\ny" + "z" * 200])
    message = str(caught.value)
    assert "\n" not in message and len(message) < 150
