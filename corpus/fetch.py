"""Fetching over HTTP: one URL in, bytes and headers out; never parses, never leaves allowed hosts."""

from __future__ import annotations

import contextvars
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpcore
import httpx

from corpus import CorpusError
from corpus.urls import normalize_url

MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_BYTES = 10 * 1024 * 1024  # larger pages are almost always data dumps, not documents
TIMEOUT_SECONDS = 10.0  # for each read: the longest silence a server may keep
# For a whole request, redirects included: a server that drips a byte a second never trips the read timeout.
# 60 s fetches MAX_BYTES at 170 KB/s, slower than any public-sector site the sample sources name.
# A source's `deadline` setting overrides it.
DEADLINE_SECONDS = 60.0

# When the request now being fetched must be done (time.monotonic()), or None outside fetch_url.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("sotehaku_fetch_deadline", default=None)


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


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits no longer than the current request's deadline allows."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the deadline of fetch_url applied to connecting, reading and writing."""

    def __init__(self, backend: httpcore.NetworkBackend):
        self._backend = backend

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None) -> httpcore.NetworkStream:
        timeout = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _within_deadline(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout for one socket operation: the configured one, cut to what is left before the deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request deadline has passed")
    return left if timeout is None else min(timeout, left)


def make_client(user_agent: str, timeout: float = TIMEOUT_SECONDS) -> httpx.Client:
    """An HTTP client for one crawl; redirects are followed by fetch_url so each hop is checked.

    Its connections obey fetch_url's deadline for the whole request; httpx has only per-operation timeouts,
    so its connection pool's network backend is wrapped (httpx offers no public way to pass one).
    """
    transport = httpx.HTTPTransport()
    pool = transport._pool
    pool._network_backend = _DeadlineBackend(pool._network_backend)
    return httpx.Client(
        headers={"User-Agent": user_agent}, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False, transport=transport,
    )


def fetch_url(
    client: httpx.Client,
    url: str,
    *,
    allowed: Callable[[str], bool],
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    deadline: float = DEADLINE_SECONDS,
) -> FetchResult:
    """GET a URL, following at most MAX_REDIRECTS redirects that stay where `allowed` says, all within
    `deadline` seconds (with a client from make_client; other clients have only their own timeouts)."""
    token = _deadline.set(time.monotonic() + deadline)
    try:
        return _fetch(client, url, allowed, etag, last_modified, max_bytes, deadline)
    finally:
        _deadline.reset(token)


def _fetch(client, url, allowed, etag, last_modified, max_bytes, deadline) -> FetchResult:
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
            if time.monotonic() >= _deadline.get() - 0.05:  # a socket timeout may end a hair early
                # Not worth another try: the server answers, only too slowly, and a retry costs the whole deadline.
                raise FetchError(url, f"took longer than {deadline:g} s in all") from None
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
