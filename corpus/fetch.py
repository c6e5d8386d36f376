"""Fetching over HTTP: one URL in, bytes and headers out; never parses, never leaves allowed hosts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import httpx

from corpus import CorpusError
from corpus.urls import normalize_url

MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_BYTES = 10 * 1024 * 1024  # larger pages are almost always data dumps, not documents
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class FetchError(CorpusError):
    """A URL could not be fetched; `reason` says why in a few words for the crawl log."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


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

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 to a conditional request."""
        return self.status == 304


def make_client(user_agent: str) -> httpx.Client:
    """An HTTP client for one crawl; redirects are followed by fetch_url so each hop is checked."""
    return httpx.Client(headers={"User-Agent": user_agent}, timeout=TIMEOUT, follow_redirects=False)


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
                )
        except httpx.TimeoutException:
            raise FetchError(url, "timed out") from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection failed ({exc.__class__.__name__}: {exc})") from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL ({exc})") from None
    raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")
