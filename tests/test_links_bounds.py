"""`catalog links` against a hostile local HTTP server (127.0.0.1 only): compression bombs, a page
built to make a title search quadratic, one host spelled many ways, odd Retry-After values, a slow
host beside a fast one, and the cache bound. Memory is measured (the child's own peak resident set,
from `os.wait4`), never time: each run has a generous timeout only so that a regression cannot hang.

The documented bound (README, "For curators"): a hostile answer costs at most 64 MB above what the
same command costs on a plain page."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import installed_script
from hypothesis import given
from hypothesis import strategies as st

from mlops_path.core.catalog import links
from mlops_path.core.catalog.links import page_title, retry_after

BOUND_KB = 64 * 1024  # the documented bound above a plain run, in the kilobytes ru_maxrss counts


def zero_bomb(gigabytes: float, wbits: int = 31) -> bytes:
    """A gzip (or zlib) stream of `gigabytes` of zeros, made in milliseconds: after a full flush the
    compressor's output for the same input repeats, so one megabyte's block is repeated. Its CRC
    is wrong, which a reader only finds at the very end (a bounded reader never gets there)."""
    maker = zlib.compressobj(9, zlib.DEFLATED, wbits)
    megabyte = bytes(1024 * 1024)
    head = maker.compress(megabyte) + maker.flush(zlib.Z_FULL_FLUSH)
    block = maker.compress(megabyte) + maker.flush(zlib.Z_FULL_FLUSH)
    return head + block * (int(gigabytes * 1024) - 1) + maker.flush()


class HostileSite:
    """A real HTTP server on 127.0.0.1 whose answers are built to hurt a client. Each route is a
    function of the request count returning (code, headers, body chunks, seconds between chunks);
    the server counts requests per path and the most it served at once per path prefix."""

    def __init__(self):
        site = self
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.most_at_once: dict[str, int] = {}
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                group = self.path.split("/")[1]
                with site.lock:
                    count = site.hits[self.path] = site.hits.get(self.path, 0) + 1
                    site.in_flight[group] = site.in_flight.get(group, 0) + 1
                    site.most_at_once[group] = max(site.most_at_once.get(group, 0), site.in_flight[group])
                try:
                    route = site.routes.get(self.path)
                    code, headers, chunks, pause = route(count) if route else (404, {}, [b"not here"], 0)
                    self.send_response(code)
                    headers = {"content-type": "text/html; charset=utf-8", **headers}
                    if "content-length" not in headers:
                        headers["transfer-encoding"] = "chunked"
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    for chunk in chunks:
                        time.sleep(pause)
                        if "transfer-encoding" in headers:
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        else:
                            self.wfile.write(chunk)
                    if "transfer-encoding" in headers:
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    with site.lock:
                        site.in_flight[group] -= 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1", port: str | None = None) -> str:
        return f"http://{host}:{port or self.port}{path}"

    def page(
        self, path: str, body: bytes, headers: dict | None = None, pause: float = 0, size: int = 64 * 1024
    ) -> None:
        chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        self.routes[path] = lambda n: (200, headers or {}, chunks, pause)


@pytest.fixture
def site():
    server = HostileSite()
    yield server
    server.server.shutdown()
    server.server.server_close()


def catalog(tmp_path, urls: dict[str, str]):
    file = tmp_path / "curated.toml"
    file.write_text(
        "".join(
            f'[[resources]]\nid = "{rid}"\ntitle = "{rid}"\nkind = "talk"\nurl = "{url}"\nminutes = 5\ntopics = '
            f'["t"]\n\n'
            for rid, url in urls.items()
        )
    )
    return file


# A small parent for the measured run. Linux carries a process's peak memory across exec, and a
# child forked (or vforked) from this test process starts with the test's pages, bombs included:
# measured directly, it would report the test's memory. Forked from this small helper instead, it
# reports its own.
MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\nmeasured {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\\n")
"""


def run_measured(script_env, file, timeout: float = 5) -> tuple[dict, int, int]:
    """`catalog links --json` as its own process: the items by id, the exit code, and the peak
    resident memory of that process alone (kilobytes, from wait4)."""
    argv = [
        sys.executable,
        "-c",
        MEASURE,
        installed_script(),
        "catalog",
        "links",
        str(file),
        "--json",
        "--timeout",
        str(timeout),
    ]
    try:  # the timeout only keeps a regression from hanging the suite
        result = subprocess.run(argv, env=script_env, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("catalog links did not finish within 120 s")
    _, peak, code = result.stderr.decode().rsplit("\n", 2)[-2].split()
    return {i["id"]: i for i in json.loads(result.stdout)}, int(code), int(peak)


def test_compression_bombs_stop_at_the_cap_within_the_memory_bound(script_env, tmp_path, site):
    plain = b"<html><head><title>Plain</title></head>" + b"<p>x</p>" * 100
    site.page("/plain", plain)
    _, code, baseline = run_measured(script_env, catalog(tmp_path, {"plain": site.url("/plain")}))
    assert code == 0
    single = zero_bomb(1.0)  # 1 GiB of zeros in about 1 MB
    site.page("/bomb", single, {"content-encoding": "gzip"})
    inner = b"<title>Inner</title>" + zero_bomb(8.0)  # gzip inside gzip: 8 GiB in the end
    site.page("/nested", gzip.compress(inner, 9), {"content-encoding": "gzip, gzip"})
    site.page("/nested-once", gzip.compress(inner, 9), {"content-encoding": "gzip"})  # decoded once: binary
    site.page("/deflate", zero_bomb(1.0, wbits=15), {"content-encoding": "deflate"})
    site.page("/raw-deflate", zero_bomb(1.0, wbits=-15), {"content-encoding": "deflate"})
    site.page("/brotli", b"\x0b\x02\x80hello\x03", {"content-encoding": "br"})
    site.page(
        "/titled", gzip.compress(b"<title>Real title</title>" + bytes(64 * 1024 * 1024)), {"content-encoding": "gzip"}
    )
    file = catalog(
        tmp_path,
        {
            name: site.url("/" + name)
            for name in ("bomb", "nested", "nested-once", "deflate", "raw-deflate", "brotli", "titled")
        },
    )
    items, code, peak = run_measured(script_env, file, timeout=20)
    assert peak - baseline < BOUND_KB, f"{(peak - baseline) / 1024:.0f} MB above a plain run"
    assert items["bomb"]["status"] == "ok" and items["bomb"]["title"] is None  # alive; no title in the first 256 KB
    assert items["deflate"]["status"] == items["raw-deflate"]["status"] == "ok"
    assert items["titled"]["status"] == "ok" and items["titled"]["title"] == "Real title"
    assert items["nested"]["status"] == "broken" and "encoded more than once" in items["nested"]["detail"]
    assert items["nested-once"]["status"] == "ok"
    assert items["brotli"]["status"] == "broken" and "encoding" in items["brotli"]["detail"]
    assert code == 1


@pytest.mark.slow
def test_a_quadratic_title_page_beside_a_slow_host_and_a_fast_one(script_env, tmp_path, site):
    """256 KB of `<title>` made the old title search take minutes, stalling every other check; a
    trickling page must be cut by the timeout of the whole answer; neither may make another link's
    verdict wrong."""
    site.page("/titles", b"<title>" * (256 * 1024 // 7))
    site.page("/unclosed", b"<title>" + b"a" * (300 * 1024))
    site.page("/trickle", b"<html>" + b"<p>slowly</p>" * 1000, pause=0.5, size=16)  # 1 KB a second, for minutes
    site.routes["/slow"] = lambda n: (200, {}, [b"<title>Slow</title>"], 2.5)
    for n in range(6):
        site.page(f"/fast{n}", f"<title>Fast {n}</title>".encode())
    urls = {
        "titles": site.url("/titles"),
        "unclosed": site.url("/unclosed"),
        "trickle": site.url("/trickle"),
        "slow": site.url("/slow", host="localhost"),
    }
    urls |= {f"fast{n}": site.url(f"/fast{n}", host="localhost" if n % 2 else "127.0.0.1") for n in range(6)}
    items, code, _ = run_measured(script_env, catalog(tmp_path, urls), timeout=4)
    assert items["titles"]["status"] == "ok" and items["titles"]["title"] is None
    assert items["unclosed"]["status"] == "ok" and items["unclosed"]["title"] is None
    assert items["trickle"]["status"] == "unreachable" and "within 4 s" in items["trickle"]["detail"]
    assert items["slow"]["status"] == "ok" and items["slow"]["title"] == "Slow"
    assert [items[f"fast{n}"]["title"] for n in range(6)] == [f"Fast {n}" for n in range(6)]
    assert code == 1  # the trickle only


def test_one_host_spelled_many_ways_gets_two_requests_at_a_time(cli, tmp_path, site):
    for n in range(8):
        site.routes[f"/same/{n}"] = lambda count: (200, {}, [b"<title>Same</title>"], 0.4)
    port = str(site.port)
    spellings = [
        site.url("/same/0"),
        site.url("/same/1", host="u1@127.0.0.1"),
        site.url("/same/2", host="u2:pw@127.0.0.1"),
        site.url("/same/3", port="0" + port),
        site.url("/same/4", port="00" + port),
        site.url("/same/5", host="U3@127.0.0.1"),
        site.url("/same/6", host="127.0.0.1", port="000" + port),
        site.url("/same/7", host="x@127.0.0.1", port="0" + port),
    ]
    result = cli(
        "catalog",
        "links",
        str(catalog(tmp_path, {f"s{n}": url for n, url in enumerate(spellings)})),
        "--json",
        "--timeout",
        "10",
    )
    assert result.exit_code == 0, result.output
    assert [item["status"] for item in json.loads(result.stdout)] == ["ok"] * 8
    assert site.most_at_once["same"] == 2  # counted by the server: the limit held, and it was reached
    from mlops_path.core.catalog.links import host_key

    assert host_key("http://u1@127.0.0.1:0080/") == host_key("http://127.0.0.1/") == ("http", "127.0.0.1", 80)
    assert host_key("https://EXAMPLE.org.:443/a") == host_key("https://example.org/b")


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "1e3",
        "-5",
        "1.5",
        "³",
        "99999999999999999999",
        "Mon, 99 Foo 2026 99:99:99 GMT",
        "Fri, 31 Dec 9999 23:59:59 +9999",
        "0x10",
        "",
    ],
)
@pytest.mark.slow
def test_every_retry_after_is_parsed_or_ignored_cleanly(cli, tmp_path, site, value):
    site.routes["/busy"] = lambda n: (
        (503, {"retry-after": value}, [b""], 0) if n == 1 else (200, {}, [b"<title>Back</title>"], 0)
    )
    result = cli("catalog", "links", str(catalog(tmp_path, {"busy": site.url("/busy")})), "--json", "--timeout", "5")
    item = json.loads(result.stdout)[0]
    assert item["status"] in ("ok", "rate-limited"), item  # waited (or was asked to wait too long): never an error
    assert "float" not in item["detail"] and "could not convert" not in item["detail"]
    assert result.exit_code == 0


@given(st.text(max_size=40))
def test_retry_after_never_raises(value):
    wait = retry_after(value, datetime(2026, 11, 29, tzinfo=UTC))
    assert wait is None or (wait >= 0 and wait == wait and wait != float("inf"))


def test_a_title_search_is_linear_and_bounded():
    assert page_title(b"<title>" * 40000) is None
    assert page_title(b"<titles>x</titles><title >A</title>") == "A"
    assert page_title(b"<TITLE/>B</title>") == "B"
    assert page_title(b"<title>" + b"x" * (2 * links.MAX_BODY) + b"</title>") is None  # past the decoded cap
    assert len(page_title(b"<title>" + b"y " * 5000 + b"</title>")) == links.MAX_TITLE


def test_the_cache_is_bounded_by_count_and_age(cli, tmp_path, site, monkeypatch):
    from mlops_path.core import cache, home

    monkeypatch.setattr(links, "KEEP_LINKS", 5)
    for n in range(12):
        site.page(f"/p{n}", f"<title>P{n}</title>".encode())
    old = (datetime.now(UTC) - timedelta(days=links.MAX_AGE_DAYS + 1)).isoformat()
    cache.save("links", "links", {"http://127.0.0.1:1/old": {"status": "ok", "title": "Old", "checked_at": old}})
    (home.cache_dir() / "link-0123456789abcdef0123.json").write_text("{}")  # one file per URL, as before
    result = cli(
        "catalog", "links", str(catalog(tmp_path, {f"p{n}": site.url(f"/p{n}") for n in range(12)})), "--timeout", "5"
    )
    assert result.exit_code == 0
    kept = cache.load("links", "links")
    assert len(kept) == 5 and "http://127.0.0.1:1/old" not in kept
    assert sorted(f.name for f in home.cache_dir().iterdir() if f.name.startswith("link")) == ["links.json"]
