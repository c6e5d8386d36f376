"""Counting the web's searches in the data directory's query log, never at the cost of a search."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import Request

from app.errors import AppError
from app.querylog import DEFAULT_RETENTION_DAYS, QueryLog, normalize_query, open_query_log

log = logging.getLogger("sotehaku.web")


class QueryRecorder:
    """Counts searches in the data directory's query log; a log that cannot be opened or written never
    fails a search (it is tried again on the next one)."""

    def __init__(self, data_dir: str | Path, retain_days: int = DEFAULT_RETENTION_DAYS):
        self.data_dir = Path(data_dir)
        self.retain_days = retain_days  # [querylog] days: older counts are pruned as searches are recorded
        self._log: QueryLog | None = None
        self._lock = threading.Lock()

    def _open(self) -> QueryLog:
        with self._lock:
            if self._log is None:
                self._log = open_query_log(self.data_dir, retain_days=self.retain_days)
            return self._log

    def record(self, q: str, total: int, *, lang: str | None, channel: str, relaxed: bool = False) -> str | None:
        """Count one search and return its search id, or None when it was not recorded (QueryLog redacts
        personal data and keeps nothing about who searched); `relaxed`: only the any-word fallback found
        its results."""
        try:
            return self._open().record(q, total, lang=lang, channel=channel, relaxed=relaxed)
        except (AppError, OSError, sqlite3.Error) as exc:
            log.warning("query log: search not recorded: %s", exc)
            return None

    def record_click(self, search_id: str, rank: int, doc_id: str) -> bool:
        """Count an opened result of a logged search, once; False when it was not counted."""
        try:
            return self._open().record_click(search_id, rank, doc_id)
        except (AppError, OSError, sqlite3.Error) as exc:
            log.warning("query log: click not recorded: %s", exc)
            return False


def logged_lang(filters: dict[str, tuple[str, ...]], default: str | None) -> str | None:
    """The language a search is logged under: the document language filtered to, else `default` (the page's).

    >>> logged_lang({"lang": ("sv",)}, "fi"), logged_lang({}, "fi"), logged_lang({"lang": ("fi", "sv")}, None)
    ('sv', 'fi', None)
    """
    langs = filters.get("lang", ())
    return langs[0] if len(langs) == 1 else default


def counts_as_new_search(request: Request, q: str, public_url: str | None = None) -> bool:
    """Whether a request for the words `q` is a new search to count, not the same search refined.

    A search is counted once. Its facet links, the results script's requests and an API call made by
    one of this site's pages all come from a page of this site that shows the same words (the Referer,
    which browsers send to the same origin in full); each of those is the search already counted. A
    search typed anew, opened from a bookmark or another site, or called by an API client is counted.
    Only page 1 of anything is counted: a later page was reached from an earlier one. This site is the
    address the request came to or `public_url` (behind a proxy that rewrites the Host header).
    """
    if request.query_params.get("page", "1").strip() not in ("", "1"):
        return False
    referer = urlsplit(request.headers.get("referer", ""))
    ours = {request.url.netloc.lower(), urlsplit(public_url or "").netloc.lower()} - {""}
    if referer.netloc.lower() not in ours:
        return True
    shown = parse_qs(referer.query).get("q", [""])[0]
    return normalize_query(shown) != normalize_query(q)
