"""Counting the web's searches in the data directory's query log, never at the cost of a search."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from app.errors import AppError
from app.querylog import DEFAULT_RETENTION_DAYS, QueryLog, open_query_log

log = logging.getLogger("sotehaku.web")


class QueryRecorder:
    """Counts searches in the data directory's query log; a log that cannot be opened or written never
    fails a search (it is tried again on the next one)."""

    def __init__(self, data_dir: str | Path, retain_days: int = DEFAULT_RETENTION_DAYS):
        self.data_dir = Path(data_dir)
        self.retain_days = retain_days  # [querylog] days: older counts are pruned as searches are recorded
        self._log: QueryLog | None = None
        self._lock = threading.Lock()

    def record(self, q: str, total: int, *, lang: str | None, channel: str) -> None:
        """Count one search (QueryLog redacts personal data and keeps nothing about who searched)."""
        try:
            with self._lock:
                if self._log is None:
                    self._log = open_query_log(self.data_dir, retain_days=self.retain_days)
            self._log.record(q, total, lang=lang, channel=channel)
        except (AppError, OSError, sqlite3.Error) as exc:
            log.warning("query log: search not recorded: %s", exc)


def logged_lang(filters: dict[str, tuple[str, ...]], default: str | None) -> str | None:
    """The language a search is logged under: the document language filtered to, else `default` (the page's).

    >>> logged_lang({"lang": ("sv",)}, "fi"), logged_lang({}, "fi"), logged_lang({"lang": ("fi", "sv")}, None)
    ('sv', 'fi', None)
    """
    langs = filters.get("lang", ())
    return langs[0] if len(langs) == 1 else default
