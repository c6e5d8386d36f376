"""Fetching over HTTP: one URL in, bytes and headers out; never parses, never leaves allowed hosts."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from corpus import CorpusError
from corpus.urls import normalize_url

MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_BYTES = 10 * 1024 * 1024  # larger pages are almost always data dumps, not documents
TIMEOUT_SECONDS = 10.0


class FetchError(CorpusError):
    """A URL could not be fetched; `reason` says why in a few words for the crawl log."""

    def __init__(self, url: str, reason: str, *, transient: bool = False):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        # A timeout or a dropped connection may pass; a redirect loop or an oversize page will not.
        self.transient = transient


@dataclass(frozen=True)
class FetchResult:
    """What one fetch returned, after redirects."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 to a conditional request."""
        return self.status == 304


def make_client(user_agent: str, timeout: float = TIMEOUT_SECONDS) -> httpx.Client:
    """An HTTP client for one crawl; redirects are followed by fetch_url so each hop is checked."""
    return httpx.Client(
        headers={"User-Agent": user_agent}, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False,
    )


def fetch_url(
    client: httpx.Client,
    url: str,
    *,
    allowed: Callable[[str], bool],
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> FetchResult:
    """GET a URL, following at most MAX_REDIRECTS redirects that stay where `allowed` says."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current, seen = url, {url}
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                    target = normalize_url(response.headers["location"], current)
                    if target is None:
                        raise FetchError(url, f"redirect to a non-HTTP location {response.headers['location']!r}")
                    if not allowed(target):
                        raise FetchError(url, f"redirect to {target} is outside the source (other host or excluded path)")
                    if target in seen:
                        raise FetchError(url, f"redirect loop at {target}")
                    seen.add(target)
                    current = target
                    continue
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, f"too large ({declared} bytes, limit {max_bytes})")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(url, f"too large (over {max_bytes} bytes)")
                    chunks.append(chunk)
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=response.status_code,
                    content=b"".join(chunks),
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    retry_after=response.headers.get("retry-after"),
                )
        except httpx.TimeoutException:
            raise FetchError(url, "timed out", transient=True) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(url, f"invalid URL ({exc})") from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection failed ({exc.__class__.__name__}: {exc})", transient=True) from None
    raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")


def retry_delay(retry_after: str | None, attempt: int, *, backoff: float, now: float | None = None) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): Retry-After when the server gives one
    (seconds or an HTTP date), else exponential backoff.

    >>> retry_delay("7", 1, backoff=0.5)
    7.0
    >>> retry_delay(None, 3, backoff=0.5)
    2.0
    >>> retry_delay("Wed, 21 Oct 2015 07:28:10 GMT", 1, backoff=0.5, now=1445412480.0)
    10.0
    """
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when - (time.time() if now is None else now))
    return backoff * 2 ** (attempt - 1)
