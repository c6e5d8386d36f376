"""Talking to a SolrCloud cluster through any of its nodes, skipping nodes that stop answering.

Every node of a SolrCloud cluster answers for every collection (it routes the request to the shards),
so the client keeps a list of node URLs and sends each request to one of them in turn. A node that
refuses connections, times out or answers with a server error (5xx) is skipped for a while and the
request goes to the next node; only when no node answers does the caller get SolrUnreachableError.

    client = SolrClient(["http://127.0.0.1:8983/solr", "http://127.0.0.1:7574/solr"])
    client.json("GET", "/sotehaku_all/select", params={"q": "*:*"})
"""

from __future__ import annotations

import threading
import time

import httpx

from backends.solr.admin import solr_error_message
from backends.solr.errors import SolrError, SolrUnreachableError

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
# A node that failed is tried last for this long (it may be restarting or gone for good).
DOWN_SECONDS = 10.0
# Rounds over every node before giving up; the pause before each further round doubles.
SEARCH_ROUNDS = 2
UPDATE_ROUNDS = 4
FIRST_BACKOFF = 0.5


class SolrRequestError(SolrError):
    """Solr answered a request with a client error (4xx): the request itself is wrong."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def parse_urls(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """Node URLs from a comma-separated string (--solr, SOTEHAKU_SOLR) or a list, without trailing slashes.

    >>> parse_urls("http://a:8983/solr/, http://b:8983/solr")
    ['http://a:8983/solr', 'http://b:8983/solr']
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip().rstrip("/") for item in items if item and item.strip()]


class SolrClient:
    """Requests to the first live node of a list, with failover and backoff; safe to share between threads."""

    def __init__(self, urls, *, timeout: float = READ_TIMEOUT):
        self.urls = parse_urls(urls)
        if not self.urls:
            raise SolrUnreachableError("No Solr node URL given. Name one with --solr URL or SOTEHAKU_SOLR.")
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT))
        self._lock = threading.Lock()
        self._down: dict[str, float] = {}
        self._turn = 0

    def close(self) -> None:
        self._http.close()

    def _order(self) -> list[str]:
        """Nodes to try: those not recently failed first (in turn, to spread the load), then the others."""
        now = time.monotonic()
        with self._lock:
            self._turn = (self._turn + 1) % len(self.urls)
            rotated = self.urls[self._turn :] + self.urls[: self._turn]
            up = [u for u in rotated if self._down.get(u, 0.0) <= now]
        return up + [u for u in rotated if u not in up]

    def _mark(self, url: str, down: bool) -> None:
        with self._lock:
            if down:
                self._down[url] = time.monotonic() + DOWN_SECONDS
            else:
                self._down.pop(url, None)

    def request(self, method: str, path: str, *, rounds: int = SEARCH_ROUNDS, **kwargs) -> httpx.Response:
        """Send a request to a node that answers; a 4xx answer raises SolrRequestError with Solr's message."""
        failures: list[str] = []
        backoff = FIRST_BACKOFF
        for round_ in range(rounds):
            if round_:
                time.sleep(backoff)
                backoff *= 2
            for base in self._order():
                try:
                    response = self._http.request(method, f"{base}{path}", **kwargs)
                except httpx.TransportError as exc:
                    self._mark(base, True)
                    failures.append(f"{base} ({type(exc).__name__}: {exc or 'no answer'})")
                    continue
                if response.status_code >= 500:
                    self._mark(base, True)
                    failures.append(f"{base} (HTTP {response.status_code}: {solr_error_message(response)})")
                    continue
                self._mark(base, False)
                if response.status_code >= 400:
                    raise SolrRequestError(f"Solr at {base} refused {path}: {solr_error_message(response)}", response.status_code)
                return response
        tried = "; ".join(dict.fromkeys(failures))
        raise SolrUnreachableError(
            f"No Solr node answered {path}: {tried}. Start the cluster (`make solrcloud` starts a local one) "
            "or give the URLs of running nodes (--solr URL[,URL...] or SOTEHAKU_SOLR)."
        )

    def json(self, method: str, path: str, **kwargs) -> dict:
        return self.request(method, path, **kwargs).json()
