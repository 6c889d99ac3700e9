"""`mlops-path catalog links`: is every link of a catalog still there, and still the same page?

Built the way lychee checks links: bounded concurrency with at most two requests at a time per
host, `Retry-After` honoured up to a cap, redirects followed one hop at a time so the final URL
can be reported (the curator updates the catalog), timeouts, and a per-URL cache of the last
result. What link checkers miss is a page that is alive but no longer the same page (a course
that moved, or became another): the cache remembers each page's <title> and final host, and a
page whose title or host changed since the last check is reported as `changed`.

This is the only module that touches the network; httpx is imported only here, and this module
only by that command.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from mlops_path import __version__
from mlops_path.core import cache
from mlops_path.core.text import inert

FAILING = frozenset({"broken", "unreachable"})  # these make the command exit 1
PER_HOST = 2  # requests at a time to one host
MAX_REDIRECTS = 10
MAX_RETRY_WAIT = 30.0  # seconds: a longer Retry-After is reported, not waited for
RETRIES = 2  # after a 429 or 503 that says when to come back
MAX_BODY = 256 * 1024  # bytes read from a page to find its <title>
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


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

    def to_json(self) -> dict:
        return self._asdict()


class Fetch(NamedTuple):
    """What fetching one URL found, before comparing it with the last check."""

    status: str  # ok, broken, unreachable, rate-limited (redirected and changed are decided later)
    code: int | None
    final_url: str | None
    title: str | None
    detail: str


def page_title(body: bytes) -> str | None:
    found = _TITLE.search(body)
    if not found:
        return None
    text = html.unescape(found.group(1).decode("utf-8", "replace"))
    return inert(" ".join(text.split()))[:300] or None


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


async def _fetch(client, url: str, hosts: dict[str, asyncio.Semaphore], timeout: float) -> Fetch:
    import httpx

    current, hops, waited = url, 0, 0
    while True:
        host = urlsplit(current).netloc.lower()
        limit = hosts.setdefault(host, asyncio.Semaphore(PER_HOST))
        try:
            async with limit:
                async with asyncio.timeout(timeout * 2):  # a server that trickles bytes cannot hold us
                    async with client.stream("GET", current) as response:
                        code = response.status_code
                        location = response.headers.get("location")
                        wait = retry_after(response.headers.get("retry-after"), datetime.now(UTC))
                        body = b""
                        if 200 <= code < 300 and "html" in response.headers.get("content-type", "html"):
                            async for chunk in response.aiter_bytes():
                                body += chunk
                                if len(body) >= MAX_BODY:
                                    break
        except (httpx.TimeoutException, TimeoutError):
            return Fetch("unreachable", None, None, None, f"no answer within {timeout:g} s")
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
            return Fetch("ok", code, current, page_title(body), "")
        return Fetch("broken", code, current, None, f"HTTP {code}")


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return inert(text.splitlines()[0])[:200]


def _compare(rid: str, url: str, fetch: Fetch, previous: dict | None) -> LinkResult:
    """Turn a fetch into the reported status, against the last check of the same URL."""
    status, detail, before = fetch.status, fetch.detail, None
    if status == "ok":
        if fetch.final_url != url:
            status, detail = "redirected", f"now at {fetch.final_url}"
        if previous and previous.get("status") in ("ok", "redirected", "changed"):
            old_title, old_final = previous.get("title"), previous.get("final_url") or url
            host_moved = urlsplit(old_final).netloc.lower() != urlsplit(fetch.final_url).netloc.lower()
            if (old_title and fetch.title and old_title != fetch.title) or host_moved:
                status, before = "changed", old_title
                what = [f"title was {old_title!r}"] if old_title != fetch.title else []
                what += [f"host was {urlsplit(old_final).netloc}"] if host_moved else []
                detail = "alive but not the same page as last time: " + ", ".join(what)
    return LinkResult(rid, url, status, fetch.code, fetch.final_url, fetch.title, before, detail)


def _cache_name(url: str) -> str:
    return "link-" + cache.digest(url.encode())[:20]


async def check_all(links: list[tuple[str, str]], timeout: float, concurrency: int,
                    progress: Callable[[int, int], None] | None = None) -> list[LinkResult]:  # fmt: skip
    import httpx

    unique = list(dict.fromkeys(url for _, url in links))
    hosts: dict[str, asyncio.Semaphore] = {}
    overall = asyncio.Semaphore(concurrency)
    done = 0
    fetched: dict[str, Fetch] = {}
    headers = {"user-agent": f"mlops-path/{__version__} (catalog link checker)", "accept": "text/html,*/*;q=0.8"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=False, limits=limits,
                                 trust_env=False) as client:  # fmt: skip

        async def one(url: str) -> None:
            nonlocal done
            async with overall:
                fetched[url] = await _fetch(client, url, hosts, timeout)
            done += 1
            if progress:
                progress(done, len(unique))

        await asyncio.gather(*(one(url) for url in unique))
    results = []
    previous = {url: cache.load(_cache_name(url), url) for url in unique}
    for rid, url in links:
        before = previous[url] if isinstance(previous[url], dict) else None
        results.append(_compare(rid, url, fetched[url], before))
    for url in unique:
        fetch = fetched[url]
        if fetch.status == "ok":  # remember what the page was; a failure keeps the last good memory
            cache.save(_cache_name(url), url, {"status": "ok", "title": fetch.title, "final_url": fetch.final_url,
                                                "checked_at": datetime.now(UTC).isoformat()})  # fmt: skip
    return results


def check_links(links: Iterable[tuple[str, str]], timeout: float = 10.0, concurrency: int = 8,
                progress: Callable[[int, int], None] | None = None) -> list[LinkResult]:  # fmt: skip
    """Check every (id, url); each distinct URL is fetched once."""
    return asyncio.run(check_all(list(links), timeout, concurrency, progress))
