"""The crawler: walks a source breadth-first, politely, and stores what it parses."""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from corpus.fetch import MAX_BYTES, FetchError, FetchResult, fetch_url, make_client, retry_delay
from corpus.parse import ParseError, document_kind, parse_document
from corpus.robots import RobotsRules, SitemapError, decode_robots, parse_sitemap
from corpus.sources import Source
from corpus.store import CorpusStore
from corpus.urls import normalize_url

log = logging.getLogger("sotehaku.crawl")

MAX_SITEMAPS = 50
# Statuses that say "try again later": rate limiting and a server that is down or overloaded for now.
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A server that asks for a longer pause than this is skipped for this crawl rather than waited for.
MAX_RETRY_WAIT = 120.0


@dataclass
class CrawlStats:
    """Counts for the crawl summary and the progress display."""

    source: str
    fetched: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: int = 0
    removed: int = 0
    queued: int = 0
    retried: int = 0
    resumed: int = 0
    skipped: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Fetches per second so far."""
        elapsed = time.monotonic() - self.started
        return self.fetched / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        """One line for the end of a crawl."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.skipped.items()))
        return (
            f"{self.source}: "
            + (f"resumed with {self.resumed} queued, " if self.resumed else "")
            + f"fetched {self.fetched}, new or changed {self.changed}, unchanged {self.unchanged}, "
            f"not modified {self.not_modified}, removed {self.removed}, retries {self.retried}, skipped {skipped}"
            + (f" ({reasons})" if reasons else "")
        )


class Crawler:
    """Crawls one source into a store; construct, then call run().

    The frontier lives in the store: every URL found is queued there and marked done once handled, so a
    crawl that is interrupted (Ctrl-C, a kill, a crash) resumes where it stopped on the next run.
    """

    def __init__(
        self,
        source: Source,
        store: CorpusStore,
        *,
        client: httpx.Client | None = None,
        progress: Callable[[CrawlStats], None] | None = None,
        backoff: float = 1.0,
        max_retry_wait: float = MAX_RETRY_WAIT,
        max_bytes: int = MAX_BYTES,
        deadline: float | None = None,
    ):
        self.source = source
        self.store = store
        self.client = client or make_client(source.user_agent, source.timeout)
        self.progress = progress
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.max_bytes = max_bytes
        self.deadline = deadline if deadline is not None else source.deadline  # seconds for a whole request
        self.stats = CrawlStats(source.name)
        self._robots: dict[str, RobotsRules] = {}
        self._queue: deque[tuple[str, int, str]] = deque()
        self._new: list[tuple[str, int, str]] = []  # queued since the frontier was last saved
        self._seen: set[str] = set()
        self._last_fetch = 0.0
        self._hashes: dict[str, str] = {}
        self._fetched_before = 0  # by the interrupted run this one resumes: max_pages counts both

    def run(self) -> CrawlStats:
        """Crawl until the queue is empty or max_pages is reached; resume an interrupted crawl first."""
        name = self.source.name
        pending, seen = self.store.frontier(name)
        if pending:
            log.info("%s: resuming an interrupted crawl with %d URLs queued", name, len(pending))
            self._queue.extend(pending)
            self._seen = seen
            self.stats.resumed = len(pending)
            self._fetched_before = self.store.fetched_so_far(name)
        else:
            self.store.clear_frontier(name)
            for url in self.source.start_urls:
                self._enqueue(normalize_url(url), 0, "")
            self._read_sitemaps()
            self._save_frontier()
        while self._queue and self._fetched_before + self.stats.fetched < self.source.max_pages:
            url, depth, referrer = self._queue.popleft()
            self.stats.queued = len(self._queue)
            self._crawl_one(url, depth, referrer)
            self._save_frontier(done=url)
            if self.progress:
                self.progress(self.stats)
        self.stats.queued = len(self._queue)
        self.store.clear_frontier(name)
        return self.stats

    def _skip(self, url: str, reason: str) -> None:
        log.info("skipped %s: %s", url, reason)
        self.stats.skipped[reason.split(" (")[0]] += 1

    def _enqueue(self, url: str | None, depth: int, referrer: str) -> None:
        if url and url not in self._seen and depth <= self.source.max_depth and self.source.in_scope(url):
            self._seen.add(url)
            self._queue.append((url, depth, referrer))
            self._new.append((url, depth, referrer))

    def _save_frontier(self, done: str | None = None) -> None:
        fetched = self._fetched_before + self.stats.fetched if done is not None else None
        self.store.queue_urls(self.source.name, self._new, done=done, fetched=fetched)
        self._new = []

    def _fetch(self, url: str, **conditional) -> FetchResult:
        """Fetch politely, retrying timeouts, dropped connections, 429 and 5xx with backoff or Retry-After."""
        retries = self.source.retries
        for attempt in range(1, retries + 2):
            self._wait_for_turn(url)
            try:
                result = fetch_url(
                    self.client, url, allowed=self.source.in_scope, max_bytes=self.max_bytes, deadline=self.deadline,
                    **conditional,
                )
            except FetchError as exc:
                if not exc.transient or attempt > retries:
                    raise
                wait, why = retry_delay(None, attempt, backoff=self.backoff), exc.reason
            else:
                if result.status not in RETRY_STATUSES or attempt > retries:
                    return result
                wait, why = retry_delay(result.retry_after, attempt, backoff=self.backoff), f"HTTP {result.status}"
            finally:
                self._last_fetch = time.monotonic()
            if wait > self.max_retry_wait:
                raise FetchError(url, f"{why}, and the server asks to wait {wait:.0f} s (limit {self.max_retry_wait:.0f} s)")
            self.stats.retried += 1
            log.info("retrying %s in %.1f s (attempt %d of %d): %s", url, wait, attempt + 1, retries + 1, why)
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait_for_turn(self, url: str) -> None:
        delay = max(self.source.delay, self._rules_for(url).crawl_delay or 0.0)
        wait = self._last_fetch + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _rules_for(self, url: str) -> RobotsRules:
        key = _site(url)
        if key not in self._robots:
            text = None
            try:
                result = fetch_url(self.client, f"{key}/robots.txt", allowed=self.source.allows_host, deadline=self.deadline)
                if result.status == 200:
                    text = decode_robots(result.content)
            except FetchError as exc:
                log.info("no robots.txt for %s: %s", key, exc.reason)
            self._robots[key] = RobotsRules(text, self.source.user_agent)
        return self._robots[key]

    def _read_sitemaps(self) -> None:
        """Enqueue the in-scope pages of the configured sitemaps, those robots.txt names, or /sitemap.xml."""
        pending = deque(self.source.sitemap_urls)
        for site in dict.fromkeys(_site(url) for url, _, _ in self._queue):  # each host's sitemaps once
            pending.extend(self._rules_for(site).sitemaps or [f"{site}/sitemap.xml"])
        done: set[str] = set()
        while pending and len(done) < MAX_SITEMAPS:
            sitemap_url = normalize_url(pending.popleft())
            if not sitemap_url or sitemap_url in done or not self.source.allows_host(sitemap_url):
                continue
            done.add(sitemap_url)
            try:
                result = fetch_url(self.client, sitemap_url, allowed=self.source.allows_host, deadline=self.deadline)
            except FetchError as exc:
                log.info("no sitemap %s: %s", sitemap_url, exc.reason)
                continue
            if result.status != 200:
                log.info("no sitemap %s: HTTP %d", sitemap_url, result.status)
                continue
            try:
                sitemap = parse_sitemap(result.content)
            except SitemapError as exc:
                log.info("skipped sitemap %s: %s", sitemap_url, exc.reason)
                self.stats.skipped[f"sitemap {exc.reason.split(' (')[0]}"] += 1
                continue
            pending.extend(sitemap.sitemaps)
            for page in sitemap.pages:
                self._enqueue(normalize_url(page), 0, "")

    def _crawl_one(self, url: str, depth: int, referrer: str) -> None:
        if self.store.is_blocked(url):  # taken down: not fetched, so not stored again
            self._skip(url, "blocked")
            return
        if not self._rules_for(url).allowed(url):
            self._skip(url, "disallowed by robots.txt")
            return
        meta = self.store.fetch_meta(url) or {}
        try:
            result = self._fetch(url, etag=meta.get("etag"), last_modified=meta.get("last_modified"))
        except FetchError as exc:
            self._skip(url, exc.reason)
            return
        self.stats.fetched += 1
        if result.not_modified:
            self.stats.not_modified += 1
            self._hashes.setdefault(meta["content_hash"], url)
            for link in meta.get("links", ()):
                self._enqueue(link, depth + 1, url)
            return
        if result.status in (404, 410):
            if self.store.delete(url):
                self.stats.removed += 1
                log.info("removed %s: HTTP %d", url, result.status)
            else:
                self._skip(url, f"HTTP {result.status}")
            return
        if result.status != 200:
            self._skip(url, f"HTTP {result.status}")
            return
        if document_kind(result.content_type, url) is None:
            self._skip(url, f"not a document ({result.content_type.split(';')[0].strip().lower()})")
            return
        final = normalize_url(result.final_url) or url
        if final != url:
            self._seen.add(final)
        try:
            page = parse_document(
                result.content, final, content_type=result.content_type,
                source=self.source.name, visibility=self.source.visibility,
            )
        except ParseError as exc:
            self._skip(url, f"unparseable ({exc})")
            return
        except Exception as exc:  # noqa: BLE001 - the last line of defence, see below
            # A parser bug on one hostile file must not end the crawl, nor every rerun at the same URL;
            # it is logged as a warning with its traceback, to be fixed in the parser.
            log.warning("skipped %s: parser error (%s: %s)", url, exc.__class__.__name__, exc, exc_info=True)
            self.stats.skipped["parser error"] += 1
            return
        if page.follow:
            for link in page.links:
                self._enqueue(link, depth + 1, final)
        if page.canonical and page.canonical != final and self.source.in_scope(page.canonical):
            self._enqueue(page.canonical, depth, referrer)
            self._skip(url, f"canonical URL is elsewhere ({page.canonical})")
            return
        document = page.document
        if document is None:
            self._skip(url, "noindex")
            return
        if self.source.access:
            document = document.replace(access=self.source.access)
        first = self._hashes.setdefault(document.content_hash, final)
        if first != final:
            self._skip(url, f"same content as another page ({first})")
            return
        if self.store.is_blocked(document.id, document.url):  # reached by a redirect
            self._skip(url, "blocked")
            return
        if referrer and document.content_type != "text/html":
            document = document.replace(parent=referrer)  # an attachment belongs to the page that links it
        if self.store.put(document, etag=result.etag, last_modified=result.last_modified, links=page.links,
                          anchors=page.anchors):
            self.stats.changed += 1
        else:
            self.stats.unchanged += 1


def _site(url: str) -> str:
    """scheme://host[:port] of a URL: the unit of robots.txt and sitemaps."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def crawl_source(
    source: Source, store: CorpusStore, *, progress: Callable[[CrawlStats], None] | None = None
) -> CrawlStats:
    """Crawl one source into the store and return its statistics."""
    with make_client(source.user_agent, source.timeout) as client:
        return Crawler(source, store, client=client, progress=progress).run()
