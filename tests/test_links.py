"""`catalog links` against a real local HTTP server: every status, redirects, Retry-After,
timeouts, a page whose title or host changed between runs. No test reaches beyond 127.0.0.1."""

import json
import socket

import pytest

from mlops_path.core.catalog.links import page_title, retry_after


def catalog(tmp_path, links: dict[str, str]):
    file = tmp_path / "curated.toml"
    file.write_text(
        "".join(
            f'[[resources]]\nid = "{rid}"\ntitle = "{rid}"\nkind = "talk"\nurl = "{url}"\nminutes = 5\ntopics = '
            f'["t"]\n\n'
            for rid, url in links.items()
        )
    )
    return file


def check(cli, file, *extra):
    result = cli("catalog", "links", str(file), "--json", "--timeout", "1", *extra)
    return result, {item["id"]: item for item in json.loads(result.stdout)}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_status_from_a_real_server(cli, tmp_path, local_site):
    site = local_site
    site.page("/ok", "Fine page")
    site.routes["/moved"] = lambda n: (301, {"location": "/ok"}, b"", 0)
    site.routes["/elsewhere"] = lambda n: (302, {"location": site.url("/ok", host="localhost")}, b"", 0)
    site.routes["/busy"] = lambda n: (
        (429, {"retry-after": "1"}, b"", 0) if n == 1 else (200, {}, b"<title>Busy page</title>", 0)
    )
    site.routes["/always-busy"] = lambda n: (429, {"retry-after": "1"}, b"", 0)
    site.routes["/slow"] = lambda n: (200, {}, b"<title>Slow</title>", 3)
    file = catalog(
        tmp_path,
        {
            "ok": site.url("/ok"),
            "moved": site.url("/moved"),
            "elsewhere": site.url("/elsewhere"),
            "gone": site.url("/missing"),
            "busy": site.url("/busy"),
            "always-busy": site.url("/always-busy"),
            "slow": site.url("/slow"),
            "refused": f"http://127.0.0.1:{closed_port()}/",
            "same-as-ok": site.url("/ok"),
        },
    )
    result, items = check(cli, file)
    assert result.exit_code == 1  # a broken and an unreachable link
    assert items["ok"] | {"detail": ""} == {
        "id": "ok",
        "url": site.url("/ok"),
        "status": "ok",
        "code": 200,
        "final_url": site.url("/ok"),
        "title": "Fine page",
        "previous_title": None,
        "detail": "",
    }
    assert items["moved"]["status"] == "redirected" and items["moved"]["final_url"] == site.url("/ok")
    assert items["elsewhere"]["status"] == "redirected" and items["elsewhere"]["final_url"] == site.url(
        "/ok", host="localhost"
    )
    assert items["gone"]["status"] == "broken" and items["gone"]["code"] == 404
    assert (
        items["busy"]["status"] == "ok" and items["busy"]["title"] == "Busy page"
    )  # waited as asked, then asked again
    assert items["always-busy"]["status"] == "rate-limited" and items["always-busy"]["code"] == 429
    assert items["slow"]["status"] == "unreachable" and "within 1 s" in items["slow"]["detail"]
    assert items["refused"]["status"] == "unreachable"
    assert site.hits["/ok"] == 3  # /ok itself once (shared by two ids), and once each at the end of a redirect
    assert site.hits["/busy"] == 2 and site.hits["/always-busy"] == 3  # two retries, then reported
    text = cli("catalog", "links", str(file), "--timeout", "1").stdout
    assert text.index("broken") < text.index("unreachable") < text.index("ok ")
    assert "9 links: 1 broken, 2 unreachable, 1 rate-limited, 2 redirected, 3 ok." in text


def test_a_page_alive_but_changed_is_reported_with_old_and_new(cli, tmp_path, local_site):
    site = local_site
    titles = ["ML Course, Spring 2024", "Welcome to Another Course"]
    site.routes["/course"] = lambda n: (200, {}, f"<title>{titles[0]}</title>".encode(), 0)
    site.routes["/moving"] = lambda n: (
        302,
        {"location": site.url("/course", host="127.0.0.1" if n == 1 else "localhost")},
        b"",
        0,
    )
    file = catalog(tmp_path, {"course": site.url("/course"), "moving": site.url("/moving")})
    result, items = check(cli, file)
    assert result.exit_code == 0 and items["course"]["status"] == "ok"
    titles.pop(0)  # the same address now serves another page
    result, items = check(cli, file)
    assert result.exit_code == 0  # changed is a warning for the curator, not a failure
    assert items["course"]["status"] == "changed"
    assert (items["course"]["previous_title"], items["course"]["title"]) == (
        "ML Course, Spring 2024",
        "Welcome to Another Course",
    )
    assert items["moving"]["status"] == "changed" and "host was 127.0.0.1" in items["moving"]["detail"]
    result, items = check(cli, file)
    assert items["course"]["status"] == "ok"  # said once: the new page is what is remembered now


def test_without_a_file_every_loaded_catalog_is_checked(cli, home, local_site, monkeypatch):
    from mlops_path.core.catalog import loader

    local_site.page("/only", "Only")
    bundled = home.parent / "bundled.toml"
    bundled.write_text(
        f'[[resources]]\nid = "only"\ntitle = "Only"\nkind = "talk"\nurl = "{local_site.url("/only")}"\n'
        'minutes = 5\ntopics = ["t"]\n[[paths]]\nid = "mlops"\ntitle = "M"\nsteps = ["only"]\n'
    )
    monkeypatch.setattr(loader, "bundled_catalog_file", lambda: bundled)  # never the real links: no internet in tests
    items = json.loads(cli("catalog", "links", "--json").stdout)
    assert [(i["id"], i["status"]) for i in items] == [("only", "ok")]


def test_a_broken_catalog_file_and_bad_options_are_refused(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("not = [toml")
    result = cli("catalog", "links", str(bad))
    assert result.exit_code == 1 and "catalog check" in result.stderr
    for args in (["--timeout", "0"], ["--timeout", "nan"], ["--concurrency", "0"], ["--concurrency", "1000"]):
        assert cli("catalog", "links", str(bad), *args).exit_code == 2, args


def test_titles_are_read_as_text_and_retry_after_takes_both_forms():
    assert page_title(b"<html><TITLE lang=en>\n  A &amp; B\x1b[2J </TITLE>") == "A & B\\x1b[2J"
    assert page_title(b"<p>no title</p>") is None
    from datetime import UTC, datetime

    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    assert retry_after("7", now) == 7.0
    assert retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


@pytest.mark.parametrize("path", ["/loop"])
def test_a_redirect_loop_is_broken_not_endless(cli, tmp_path, local_site, path):
    local_site.routes[path] = lambda n: (302, {"location": path}, b"", 0)
    result, items = check(cli, catalog(tmp_path, {"loop": local_site.url(path)}))
    assert result.exit_code == 1 and items["loop"]["status"] == "broken" and "redirects" in items["loop"]["detail"]
