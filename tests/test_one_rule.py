"""Rules written once and used everywhere: what counts as a web link (`text.web_link`: open, the
catalog's check, the page, browse, terminal hyperlinks) and the "did you mean" of every unknown
word (`text.did_you_mean`: ids, paths, topics, kinds, statuses, commands)."""

import pytest

from mlops_path.core.text import did_you_mean, web_link

URLS = [
    ("https://example.org/a", True),
    ("http://127.0.0.1:8000/x?y=1", True),
    ("HTTPS://example.org/", True),  # browsers take the scheme in any case, and so does the catalog
    ("https:///no-host", False),
    ("javascript:alert(1)", False),
    ("file:///etc/passwd", False),
    ("https://example.org/a b", False),
    ("https://example.org/\x1b[2J", False),
    ("https://example.org/\u202eevil", False),
    ("https://[::1", False),  # a host urlsplit cannot read
    ("", False),
]


@pytest.mark.parametrize(("url", "kept"), URLS)
def test_one_rule_says_what_a_web_link_is_and_every_user_of_it_agrees(url, kept):
    """The catalog's schema accepts exactly the links the rule keeps, and browse hands on exactly
    those (the page and `open` call the same function)."""
    from types import SimpleNamespace

    from mlops_path.cli import browse_data
    from mlops_path.core import schema

    assert (web_link(url) == url) is kept and (web_link(url) is None) is not kept
    try:
        accepted = schema.http_url(url) == url
    except ValueError:
        accepted = False
    assert accepted is kept
    step = SimpleNamespace(resource=SimpleNamespace(url=url))
    assert browse_data.web_link(step) == web_link(url)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "known", "said"),
    [
        ("dmls-ch8", ["dmls-ch08", "ml-test-score", "mlops-guide"], "did you mean dmls-ch08?"),
        ("MONITORIN", ["monitoring", "deployment"], "did you mean monitoring?"),
        ("nxt", ["next", "list", "done"], "did you mean next?"),
        ("zzzz", ["next", "list"], None),
    ],
)
def test_one_did_you_mean_for_every_unknown_word(word, known, said):
    hint = did_you_mean(word, known)
    assert hint == said


def test_did_you_mean_offers_up_to_three_and_reads_as_a_sentence():
    hint = did_you_mean("dmls-ch0", ["dmls-ch02", "dmls-ch07", "dmls-ch08", "dmls-ch09"])
    assert hint is not None and hint.startswith("did you mean dmls-ch0") and hint.endswith("?")
    assert hint.count(", ") == 1 and hint.count(" or ") == 1  # three, as a sentence
    one = did_you_mean("dmls-ch0", ["dmls-ch02", "dmls-ch07"], most=1)
    assert one is not None and " or " not in one and "," not in one
