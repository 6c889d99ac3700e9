"""`mlops-path catalog links`: is every link of a catalog still there, and still the same page?

Built the way lychee checks links: bounded concurrency with at most two requests at a time per
host, `Retry-After` honoured up to a cap, redirects followed one hop at a time so the final URL
can be reported (the curator updates the catalog), timeouts, and a cache of the last result per
URL. What link checkers miss is a page that is alive but no longer the same page (a course that
moved, or became another): the cache remembers each page's <title> and final host, and a page
whose title or host changed since the last check is reported as `changed`.

A catalog names hosts that anyone may run, so every answer is read under hard bounds (README,
"For curators"): at most MAX_RAW bytes off the wire and MAX_BODY bytes after decoding, counted as
they are produced (a 16 KB gzip bomb stops at MAX_BODY, whatever it would expand to); one
`Content-Encoding` we know (gzip or deflate) or none, never a stack of them; the timeout covers
the whole answer (connect, headers, body, decoding, the title search); the title is found in one
pass; the per-host limit is keyed on the normalised host and port, so `u1@host` and `host:0080`
are the same host; and the cache keeps at most KEEP_LINKS entries, none older than MAX_AGE_DAYS.

This is the only module that touches the network; httpx is imported only here, and this module
only by that command.
"""

from __future__ import annotations

import asyncio
import html
import math
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from mlops_path import __version__
from mlops_path.core import cache
from mlops_path.core.text import inert

if TYPE_CHECKING:
    import httpx

FAILING = frozenset({"broken", "unreachable"})  # these make the command exit 1
PER_HOST = 2  # requests at a time to one host (normalised host and port)
MAX_REDIRECTS = 10
MAX_RETRY_WAIT = 30.0  # seconds: a longer Retry-After is reported, not waited for
RETRIES = 2  # after a 429 or 503 that says when to come back
MAX_BODY = 256 * 1024  # decoded bytes of a page searched for its <title>
MAX_RAW = 1024 * 1024  # bytes read off the wire for one page, however little they decode to
MAX_TITLE = 300  # characters of a title kept
KEEP_LINKS = 2000  # cache entries kept (the most recently checked)
MAX_AGE_DAYS = 180  # a cache entry older than this is forgotten
CACHE_NAME = "links"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})  # what we ask for and decode; anything else is refused
_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True, and float("²") fails


class LinkResult(NamedTuple):
    """One resource's link, as `--json` prints it (README: "For curators")."""

    id: str
    url: str
    status: str
    code: int | None
    final_url: str | None
    title: str | None
    previous_title: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


class Fetch(NamedTuple):
    """What fetching one URL found, before comparing it with the last check."""

    status: str  # ok, broken, unreachable, rate-limited (redirected and changed are decided later)
    code: int | None
    final_url: str | None
    title: str | None
    detail: str


class Refused(Exception):
    """An answer we will not read (an unknown or stacked encoding, a corrupt stream): its reason."""


def page_title(body: bytes) -> str | None:
    """The first <title> of a page, found in one pass over at most MAX_BODY bytes.

    A regular expression with a lazy `.*?` retried at every `<title` is quadratic on a page of
    nothing but `<title>` (145 s for 256 KB); here each `find` starts where the last one ended, and
    an opening tag with no closing tag after it ends the search: a later one cannot have one either.
    """
    lower = body[:MAX_BODY].lower()
    start = 0
    while True:
        opening = lower.find(b"<title", start)
        if opening < 0:
            return None
        after = opening + len(b"<title")
        if after < len(lower) and lower[after : after + 1] in b">/ \t\r\n\f":
            break
        start = after  # <titles> or <title-bar>: not a title tag
    end_of_tag = lower.find(b">", after)
    if end_of_tag < 0:
        return None
    closing = lower.find(b"</title", end_of_tag + 1)
    if closing < 0:
        return None
    raw = body[end_of_tag + 1 : closing][: MAX_TITLE * 8]  # a title longer than this is cut anyway
    text = html.unescape(raw.decode("utf-8", "replace"))
    return inert(" ".join(text.split()))[:MAX_TITLE] or None


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent or odd.

    Every other form (`²`, `1e3`, `-5`, a date out of range) is ignored, never an error: the
    server's answer is judged by its status code alone."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


HostKey = tuple[str, str, int | None]


def host_key(url: str) -> HostKey:
    """Who answers a URL: scheme, host and port as a server sees them (userinfo dropped, the host
    lowercased without a trailing dot, the port a number with the scheme's default filled in), so
    `http://u1@127.0.0.1:0080/` and `http://127.0.0.1/` share one per-host limit. ValueError for a
    port that is not one."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").rstrip("."), port


def _host_name(url: str | None) -> str:
    try:
        scheme, host, port = host_key(url or "")
    except ValueError:
        return ""
    return host if port == {"http": 80, "https": 443}.get(scheme) else f"{host}:{port}"


class _Decoder:
    """Turns raw body bytes into at most `limit` decoded bytes, counting as it goes: zlib is asked
    for no more than what is still wanted, so one small chunk of a bomb yields only that much."""

    def __init__(self, encoding: str, limit: int) -> None:
        names = [name.strip().lower() for name in encoding.split(",") if name.strip()]
        names = [name for name in names if name != "identity"]
        if len(names) > 1:
            raise Refused(f"the page is encoded more than once ({inert(encoding)[:60]})")
        if names and names[0] not in ENCODINGS:
            raise Refused(f"the page is in an encoding mlops-path does not read ({inert(names[0])[:40]})")
        self.kind = names[0] if names else None
        self.limit = limit
        self.body = bytearray()
        self._zlib = None
        if self.kind in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped, as the RFC says; raw deflate below
        self._first = True

    @property
    def full(self) -> bool:
        return len(self.body) >= self.limit or (self._zlib is not None and self._zlib.eof)

    def feed(self, data: bytes) -> None:
        if self._zlib is None:
            self.body += data[: self.limit - len(self.body)]
            return
        while data and not self.full:
            try:
                out = self._zlib.decompress(data, self.limit - len(self.body))
            except zlib.error:
                if self.kind == "deflate" and self._first:  # servers that send raw deflate
                    self._zlib, self._first = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise Refused("the page's compressed body is corrupt") from None
            self._first = False
            self.body += out
            data = self._zlib.unconsumed_tail


async def _read(response: httpx.Response) -> bytes:
    """The page's first MAX_BODY decoded bytes, reading at most MAX_RAW bytes off the wire."""
    decoder = _Decoder(response.headers.get("content-encoding", ""), MAX_BODY)
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        decoder.feed(chunk[: max(0, MAX_RAW - raw + len(chunk))])
        if decoder.full or raw >= MAX_RAW:
            break
    return bytes(decoder.body)


async def _fetch(client: httpx.AsyncClient, url: str, hosts: dict[HostKey, asyncio.Semaphore], timeout: float) -> Fetch:
    import httpx

    current, hops, waited = url, 0, 0
    while True:
        try:
            limit = hosts.setdefault(host_key(current), asyncio.Semaphore(PER_HOST))
            async with limit:
                async with asyncio.timeout(timeout):  # the whole answer: connect, headers, body, decoding, title
                    async with client.stream("GET", current) as response:
                        code = response.status_code
                        location = response.headers.get("location")
                        wait = retry_after(response.headers.get("retry-after"), datetime.now(UTC))
                        title = None
                        if 200 <= code < 300 and "html" in response.headers.get("content-type", "html"):
                            title = page_title(await _read(response))
        except (httpx.TimeoutException, TimeoutError):
            return Fetch("unreachable", None, None, None, f"no answer within {timeout:g} s")
        except Refused as exc:
            return Fetch("broken", code, current, None, str(exc))
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:  # one odd URL must not stop the others
            return Fetch("unreachable", None, None, None, _reason(exc))
        if code in REDIRECTS and location:
            hops += 1
            if hops > MAX_REDIRECTS:
                return Fetch("broken", code, current, None, f"more than {MAX_REDIRECTS} redirects")
            current = urljoin(current, location)
            if urlsplit(current).scheme not in ("http", "https"):
                return Fetch("broken", code, current, None, "redirected to a link that is not http(s)")
            continue
        if code in (429, 503) and waited < RETRIES:
            delay = 1.0 if wait is None else wait
            if delay <= MAX_RETRY_WAIT:
                waited += 1
                await asyncio.sleep(delay)
                continue
        if code == 429 or (code == 503 and wait is not None):
            asked = f"; asked to wait {wait:g} s" if wait is not None else ""
            return Fetch("rate-limited", code, current, None, f"the server asked to slow down ({code}{asked})")
        if 200 <= code < 300:
            return Fetch("ok", code, current, title, "")
        return Fetch("broken", code, current, None, f"HTTP {code}")


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return inert(text.splitlines()[0])[:200]


def _compare(rid: str, url: str, fetch: Fetch, previous: dict[str, Any] | None) -> LinkResult:
    """Turn a fetch into the reported status, against the last check of the same URL."""
    status, detail, before = fetch.status, fetch.detail, None
    if status == "ok":
        if fetch.final_url != url:
            status, detail = "redirected", f"now at {fetch.final_url}"
        if previous and previous.get("status") in ("ok", "redirected", "changed"):
            old_title, old_final = previous.get("title"), previous.get("final_url") or url
            old_host, new_host = _host_name(old_final), _host_name(fetch.final_url)
            host_moved = old_host != new_host
            if (old_title and fetch.title and old_title != fetch.title) or host_moved:
                status, before = "changed", old_title
                what = [f"title was {old_title!r}"] if old_title != fetch.title else []
                what += [f"host was {old_host}"] if host_moved else []
                detail = "alive but not the same page as last time: " + ", ".join(what)
    return LinkResult(rid, url, status, fetch.code, fetch.final_url, fetch.title, before, detail)


def _load_memory() -> dict[str, dict[str, Any]]:
    saved = cache.load(CACHE_NAME, "links")
    if not isinstance(saved, dict):
        return {}
    return {url: entry for url, entry in saved.items() if isinstance(url, str) and isinstance(entry, dict)}


def prune(memory: dict[str, dict[str, Any]], at: datetime) -> dict[str, dict[str, Any]]:
    """The cache as kept: entries checked within MAX_AGE_DAYS, at most KEEP_LINKS of the newest."""
    oldest = (at - timedelta(days=MAX_AGE_DAYS)).isoformat()
    fresh = [(entry.get("checked_at"), url) for url, entry in memory.items()]
    fresh = [(when, url) for when, url in fresh if isinstance(when, str) and when >= oldest]
    fresh.sort(reverse=True)
    return {url: memory[url] for _, url in fresh[:KEEP_LINKS]}


def _forget_old_files() -> None:
    """Before one cache file held every link, each URL had its own file (`link-*.json`): remove them."""
    from mlops_path.core import home

    try:
        for old in home.cache_dir().glob("link-*.json"):
            old.unlink(missing_ok=True)
    except OSError:
        pass


Progress = Callable[[int, int], None] | None


async def check_all(
    links: list[tuple[str, str]], timeout: float, concurrency: int, progress: Progress = None
) -> list[LinkResult]:
    import httpx

    unique = list(dict.fromkeys(url for _, url in links))
    hosts: dict[HostKey, asyncio.Semaphore] = {}
    overall = asyncio.Semaphore(concurrency)
    done = 0
    fetched: dict[str, Fetch] = {}
    headers = {
        "user-agent": f"mlops-path/{__version__} (catalog link checker)",
        "accept": "text/html,*/*;q=0.8",
        "accept-encoding": "gzip, deflate",  # what _Decoder reads; a server that sends another is refused
    }
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=False, limits=limits, trust_env=False
    ) as client:

        async def one(url: str) -> None:
            nonlocal done
            async with overall:
                fetched[url] = await _fetch(client, url, hosts, timeout)
            done += 1
            if progress:
                progress(done, len(unique))

        await asyncio.gather(*(one(url) for url in unique))
    memory = _load_memory()
    results = []
    for rid, url in links:
        results.append(_compare(rid, url, fetched[url], memory.get(url)))
    at = datetime.now(UTC)
    for url in unique:
        fetch = fetched[url]
        if fetch.status == "ok":  # remember what the page was; a failure keeps the last good memory
            memory[url] = {"status": "ok", "title": fetch.title, "final_url": fetch.final_url}
            memory[url]["checked_at"] = at.isoformat()
    cache.save(CACHE_NAME, "links", prune(memory, at))
    _forget_old_files()
    return results


def check_links(
    links: Iterable[tuple[str, str]], timeout: float = 10.0, concurrency: int = 8, progress: Progress = None
) -> list[LinkResult]:
    """Check every (id, url); each distinct URL is fetched once."""
    return asyncio.run(check_all(list(links), timeout, concurrency, progress))
