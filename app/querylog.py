"""The query log: what people search for and what finds nothing, kept without personal data.

Only the redacted, normalised query text, its number of results, the language, the channel and the hour
are kept, as counts: no address, user agent, account, session or cookie, and no order of arrival (the
table has no row ids), so the log cannot be joined with a web server's access log.

Click analytics: each logged search gets a random search id (kept with the query and the hour only); a
click is the search id, the rank and the document id of the result opened, counted once per search and
document. Nothing about who searched or clicked is kept, so a click cannot be linked to a person.

>>> log = QueryLog(":memory:")
>>> search_id = log.record("Sote  uudistus", 12)
>>> log.record_click(search_id, 1, "https://www.example.fi/sote/"), log.record_click(search_id, 1, "https://www.example.fi/sote/")
(True, False)
>>> _ = log.record("soittakaa 040 123 4567", 0)
>>> log.report().top
[('soittakaa [phone]', 1), ('sote uudistus', 1)]
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import sqlite3
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.migrate import migrate
from corpus.store import STORE_FILENAME, open_data_store
from search.api import IndexUnavailableError

from app.backend import describe_index
from app.errors import AppError

QUERYLOG_FILENAME = "querylog.sqlite3"
CHANNELS = ("web", "api", "cli")
MAX_QUERY_LENGTH = 200
DAY = 86400
# How long counts are kept unless [querylog] days says otherwise: long enough for a quarter's report, short
# enough that the log does not grow into a history of what a small municipality searched for.
DEFAULT_RETENTION_DAYS = 90
PRUNE_EVERY = 3600  # seconds between automatic prunings: counts are per hour, so more often gains nothing

SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    hour    TEXT NOT NULL,      -- 'YYYY-MM-DDTHH:00Z', UTC
    query   TEXT NOT NULL,      -- redacted and normalised
    total   INTEGER NOT NULL,   -- number of results
    lang    TEXT NOT NULL,      -- '' when none was chosen
    channel TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (hour, query, total, lang, channel)
) WITHOUT ROWID;
"""
# 2: whether only the any-word fallback found the results (`relaxed`), part of the key so such searches
# are counted apart.
RELAXED = """
CREATE TABLE queries_2 (
    hour    TEXT NOT NULL,
    query   TEXT NOT NULL,
    total   INTEGER NOT NULL,
    lang    TEXT NOT NULL,
    channel TEXT NOT NULL,
    relaxed INTEGER NOT NULL DEFAULT 0,  -- 1: found only by the any-word fallback
    count   INTEGER NOT NULL,
    PRIMARY KEY (hour, query, total, lang, channel, relaxed)
) WITHOUT ROWID;
INSERT INTO queries_2 (hour, query, total, lang, channel, relaxed, count)
    SELECT hour, query, total, lang, channel, 0, count FROM queries;
DROP TABLE queries;
ALTER TABLE queries_2 RENAME TO queries;
"""
# 3: server-issued search ids and the results opened from them (no address, cookie or account).
CLICKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id      TEXT PRIMARY KEY,   -- random, issued by the server; nothing else identifies a search
    hour    TEXT NOT NULL,
    query   TEXT NOT NULL,      -- redacted and normalised, as in queries
    total   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clicks (
    search_id TEXT NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    doc_id    TEXT NOT NULL,
    rank      INTEGER NOT NULL,
    PRIMARY KEY (search_id, doc_id)
) WITHOUT ROWID;
"""
# Schema upgrades in order (see corpus.migrate): append a step for every change, never edit one.
MIGRATIONS = (SCHEMA, RELAXED, CLICKS_SCHEMA)  # 1: release 0.1; 2: relaxed; 3: search ids and clicks
SEARCH_ID_BYTES = 16
SEARCH_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_CLICK_RANK = 10_000
MAX_DOC_ID = 2000

# Redactions, applied in this order: an e-mail address may hold digits, and a personal identity code or an
# account number may look like a phone number.
REDACTIONS = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # Finnish personal identity code: DDMMYY, century sign (+, -, A-F, U-Y since 2023), 3 digits, check character.
    ("[hetu]", re.compile(r"(?<!\d)\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Za-z](?!\d)")),
    # Finnish bank account (IBAN): FI, 2 check digits, 14 digits, often in groups of four.
    ("[iban]", re.compile(r"(?<![0-9A-Za-z])FI\d{2}(?: ?\d{4}){3} ?\d{2}(?!\d)", re.IGNORECASE)),
    # Phone numbers start with +, 00 or a national 0 (a year never does) and have 7 or more digits, maybe
    # grouped by spaces or dashes: +358 40 123 4567, 040-123 4567, (09) 1234 567.
    ("[phone]", re.compile(r"(?<![\w+])(?:(?:\+|00)\d(?:[ -]?\d){6,}|0\d(?:[ -]?\d){5,}|\(0\d{1,3}\)[ -]?\d(?:[ -]?\d){3,})(?!\w)")),
    # Anything else of 5 or more digits: customer, case and account numbers. Years (4 digits) stay.
    ("[number]", re.compile(r"(?<!\d)\d{5,}(?!\d)")),
)
LANG_PATTERN = re.compile(r"[a-z]{2,3}")

logger = logging.getLogger(__name__)


class QueryLogError(AppError):
    """The query log cannot be opened or read."""


@dataclass(frozen=True)
class Report:
    """Searches per day, the most frequent queries, the queries that found nothing and those that only
    the any-word fallback answered, over a number of days."""

    days: int
    total_queries: int
    top: list[tuple[str, int]] = field(default_factory=list)
    zero: list[tuple[str, int]] = field(default_factory=list)
    relaxed: list[tuple[str, int]] = field(default_factory=list)
    per_day: list[tuple[str, int]] = field(default_factory=list)  # ('YYYY-MM-DD', searches) of every day, oldest first
    clicks: "ClickReport | None" = None


@dataclass(frozen=True)
class ClickReport:
    """Which searches' results are opened: per query, its searches (with results), the searches in which
    some result was opened, and the click-through rate; and the queries whose results nobody opened."""

    days: int
    searches: int  # logged searches with results and a search id
    clicked: int  # of them, searches in which at least one result was opened
    per_query: list[tuple[str, int, int, float]] = field(default_factory=list)  # query, searches, clicked, rate
    never_opened: list[tuple[str, int]] = field(default_factory=list)  # query, searches

    def to_json(self) -> dict:
        return {
            "days": self.days, "searches": self.searches, "clicked": self.clicked,
            "per_query": [{"query": q, "searches": n, "clicked": c, "click_through": round(r, 4)} for q, n, c, r in self.per_query],
            "never_opened": [{"query": q, "searches": n} for q, n in self.never_opened],
        }


def redact(text: str) -> str:
    """Replace likely personal data in a query with placeholders.

    >>> redact("toimeentulotuki 131052-308T")
    'toimeentulotuki [hetu]'
    >>> redact("matti.meikalainen@example.fi lomake")
    '[email] lomake'
    >>> redact("soita +358 40 123 4567 tai 09-123 4567")
    'soita [phone] tai [phone]'
    >>> redact("asiakasnumero 1234567, tili FI21 1234 5600 0007 85")
    'asiakasnumero [number], tili [iban]'
    >>> redact("sote 2023 2024")
    'sote 2023 2024'
    """
    for placeholder, pattern in REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text


def normalize_query(query: str) -> str:
    """The query as logged: redacted, whitespace collapsed, lowercased, at most 200 characters.

    >>> normalize_query("  Hyvinvointialue\\n ESPOO  ")
    'hyvinvointialue espoo'
    """
    # Redact before cutting, so a cut through an e-mail address or a number cannot leave part of it unmatched.
    text = redact(" ".join(query.split())).lower()
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        text = re.sub(r"\[[a-z]*$", "", text).rstrip()  # a placeholder cut in half
    return text


class QueryLog:
    """Counts of redacted queries per hour in SQLite; one connection shared by threads behind a lock."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time, retain_days: int = DEFAULT_RETENTION_DAYS):
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self.retain_days = retain_days
        self._pruned = float("-inf")
        try:
            # A short busy timeout: a search must not wait long for a locked log, it drops the entry instead.
            self._db = sqlite3.connect(self.path, timeout=0.5, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # losing the last few counts in a power cut is fine
            migrate(self._db, MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise QueryLogError(f"Cannot open the query log {self.path}: {exc}. Check the file or pass another --data-dir.") from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> "QueryLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record(self, query: str, total: int, *, lang: str | None = None, channel: str = "web", relaxed: bool = False) -> str | None:
        """Count one search (`relaxed`: only the any-word fallback found its results) and return its new
        search id (None when nothing was recorded); never raises, so a full disk or a locked log cannot
        fail the search itself."""
        if not isinstance(query, str) or not isinstance(total, int) or total < 0 or channel not in CHANNELS:
            logger.warning("query log: not recorded: bad query, total %r or channel %r", total, channel)
            return None
        text = normalize_query(query)
        if not text:
            return None
        search_id = secrets.token_urlsafe(SEARCH_ID_BYTES)
        hour = _hour(self._clock())
        # The language comes from a request parameter: anything but a language code could smuggle in text.
        lang = lang.lower() if isinstance(lang, str) and LANG_PATTERN.fullmatch(lang.lower()) else ""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO queries (hour, query, total, lang, channel, relaxed, count) VALUES (?, ?, ?, ?, ?, ?, 1)"
                    " ON CONFLICT (hour, query, total, lang, channel, relaxed) DO UPDATE SET count = count + 1",
                    (hour, text, total, lang, channel, int(bool(relaxed) and total > 0)),
                )
                self._db.execute("INSERT INTO searches (id, hour, query, total) VALUES (?, ?, ?, ?)", (search_id, hour, text, total))
        except sqlite3.Error as exc:
            logger.warning("query log %s: not recorded: %s", self.path, exc)
            return None
        if self._clock() - self._pruned >= PRUNE_EVERY:  # retention kept by the writer itself: no cron job to forget
            self._pruned = self._clock()
            try:
                self.prune(self.retain_days)
            except QueryLogError as exc:
                logger.warning("%s", exc)
        return search_id

    def record_click(self, search_id: str, rank: int, doc_id: str) -> bool:
        """Count that a result of a logged search was opened: once per search and document, the first
        rank kept. False (and nothing kept) for an unknown search id or a bad rank or id; never raises."""
        if (not isinstance(search_id, str) or not SEARCH_ID.fullmatch(search_id) or not isinstance(rank, int)
                or not 1 <= rank <= MAX_CLICK_RANK or not isinstance(doc_id, str) or not 0 < len(doc_id) <= MAX_DOC_ID):
            return False
        try:
            with self._lock:
                return self._db.execute(
                    "INSERT INTO clicks (search_id, doc_id, rank) SELECT id, ?, ? FROM searches WHERE id = ?"
                    " ON CONFLICT (search_id, doc_id) DO NOTHING",
                    (doc_id, rank, search_id),
                ).rowcount == 1
        except sqlite3.Error as exc:
            logger.warning("query log %s: click not recorded: %s", self.path, exc)
            return False

    def click_report(self, days: int = 30, limit: int = 20) -> ClickReport:
        """Click-through per query (searches with results in which a result was opened) and the queries
        whose results were never opened, most searched first, over the last `days` days."""
        since = _hour(self._clock() - days * DAY)
        per_search = (
            "SELECT s.query AS query, EXISTS (SELECT 1 FROM clicks c WHERE c.search_id = s.id) AS clicked"
            " FROM searches s WHERE s.hour >= ? AND s.total > 0"
        )
        try:
            with self._lock:
                searches, clicked = self._db.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(clicked), 0) FROM ({per_search})", (since,)
                ).fetchone()
                per_query = self._db.execute(
                    f"SELECT query, COUNT(*) AS n, SUM(clicked) AS c FROM ({per_search}) GROUP BY query"
                    " ORDER BY n DESC, query LIMIT ?", (since, limit),
                ).fetchall()
                never = self._db.execute(
                    f"SELECT query, COUNT(*) AS n FROM ({per_search}) GROUP BY query HAVING SUM(clicked) = 0"
                    " ORDER BY n DESC, query LIMIT ?", (since, limit),
                ).fetchall()
        except sqlite3.Error as exc:
            raise QueryLogError(f"Cannot read the query log {self.path}: {exc}.") from None
        return ClickReport(
            days=days, searches=searches, clicked=clicked,
            per_query=[(q, n, c, c / n) for q, n, c in per_query], never_opened=[tuple(r) for r in never],
        )

    def report(self, days: int = 30, limit: int = 20) -> Report:
        """Searches per day and the `limit` most frequent queries, queries without results and queries
        answered only by the any-word fallback, of the last `days` days."""
        now = self._clock()
        since = _hour(now - days * DAY)
        first_day = dt.datetime.fromtimestamp(now - days * DAY, dt.timezone.utc).date()
        last_day = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
        top_sql = (
            "SELECT query, SUM(count) AS n FROM queries WHERE hour >= ? {} GROUP BY query ORDER BY n DESC, query LIMIT ?"
        )
        try:
            with self._lock:
                total = self._db.execute("SELECT COALESCE(SUM(count), 0) FROM queries WHERE hour >= ?", (since,)).fetchone()[0]
                top = self._db.execute(top_sql.format(""), (since, limit)).fetchall()
                zero = self._db.execute(top_sql.format("AND total = 0"), (since, limit)).fetchall()
                relaxed = self._db.execute(top_sql.format("AND relaxed = 1"), (since, limit)).fetchall()
                daily = dict(self._db.execute(
                    "SELECT substr(hour, 1, 10) AS day, SUM(count) FROM queries WHERE hour >= ? GROUP BY day", (since,)
                ).fetchall())
        except sqlite3.Error as exc:
            raise QueryLogError(f"Cannot read the query log {self.path}: {exc}.") from None
        days_shown = [(first_day + dt.timedelta(days=i)).isoformat() for i in range((last_day - first_day).days + 1)]
        return Report(
            days=days, total_queries=total, top=[tuple(r) for r in top], zero=[tuple(r) for r in zero],
            relaxed=[tuple(r) for r in relaxed], per_day=[(day, daily.get(day, 0)) for day in days_shown],
            clicks=self.click_report(days, limit),
        )

    def prune(self, days: int = 365) -> int:
        """Delete the counts older than `days` days; return how many hourly rows went."""
        before = _hour(self._clock() - days * DAY)
        try:
            with self._lock:
                self._db.execute("DELETE FROM clicks WHERE search_id IN (SELECT id FROM searches WHERE hour < ?)", (before,))
                self._db.execute("DELETE FROM searches WHERE hour < ?", (before,))
                return self._db.execute("DELETE FROM queries WHERE hour < ?", (before,)).rowcount
        except sqlite3.Error as exc:
            raise QueryLogError(f"Cannot prune the query log {self.path}: {exc}.") from None


def read_retention(path: str | Path) -> int:
    """The days of [querylog] days in a sotehaku.toml (DEFAULT_RETENTION_DAYS when the file or key is absent)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DEFAULT_RETENTION_DAYS
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QueryLogError(f"Cannot read {path} for its [querylog] settings: {exc}. Fix it and run again.") from None
    table = data.get("querylog", {})
    unknown = sorted(set(table) - {"days"}) if isinstance(table, dict) else ["(not a table)"]
    if unknown:
        raise QueryLogError(f"{path}, [querylog]: unknown setting {', '.join(unknown)}; the one setting is days = {DEFAULT_RETENTION_DAYS}.")
    days = table.get("days", DEFAULT_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise QueryLogError(f"{path}, [querylog]: days must be a whole number of days, 1 or more, such as days = {DEFAULT_RETENTION_DAYS}.")
    return days


@dataclass(frozen=True)
class SourceFreshness:
    """One source of the corpus: its documents, when it was last crawled and what that crawl skipped."""

    source: str
    documents: int
    last_crawl: str | None  # ISO 8601, UTC
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pages, of the last crawl


@dataclass(frozen=True)
class StaffReport:
    """What the staff dashboard (/admin) and `sotehaku report` show: the query log's report and the
    freshness of the corpus and the index. Both build it with staff_report, so they show the same numbers."""

    queries: Report
    sources: list[SourceFreshness]
    index_version: str | None
    index_documents: int | None

    def tables(self) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
        """Every table of the report by name: column names and rows (what the CSV downloads hold)."""
        return {
            "per-day": (("day", "searches"), list(self.queries.per_day)),
            "top": (("query", "searches"), list(self.queries.top)),
            "zero": (("query", "searches"), list(self.queries.zero)),
            "fallback": (("query", "searches"), list(self.queries.relaxed)),
            "clicks": (("query", "searches", "opened", "click_through"),
                       [(q, n, c, round(r, 4)) for q, n, c, r in (self.queries.clicks.per_query if self.queries.clicks else [])]),
            "never-opened": (("query", "searches"), list(self.queries.clicks.never_opened if self.queries.clicks else [])),
            "sources": (
                ("source", "documents", "last_crawl", "skipped"),
                [(s.source, s.documents, s.last_crawl or "", "; ".join(f"{r}: {n}" for r, n in sorted(s.skipped.items())))
                 for s in self.sources],
            ),
        }


def staff_report(data_dir: str | Path, *, days: int = 30, limit: int = 20, clock: Callable[[], float] = time.time) -> StaffReport:
    """The report of a data directory; reading creates nothing (no log yet is an empty report)."""
    data_dir = Path(data_dir)
    if (data_dir / QUERYLOG_FILENAME).exists():
        with open_query_log(data_dir, clock=clock) as log:
            queries = log.report(days=days, limit=limit)
    else:
        empty = QueryLog(":memory:", clock=clock).report(days)
        queries = Report(days=days, total_queries=0, per_day=empty.per_day, clicks=empty.clicks)
    sources: list[SourceFreshness] = []
    if (data_dir / STORE_FILENAME).exists():
        with open_data_store(data_dir) as store:
            counts, fetched = store.counts("source"), store.last_fetched()
            # The latest crawl of each source, where the store records crawls.
            runs = {run["source"]: run for run in store.crawl_runs()}
        for name in sorted(set(counts) | set(runs)):
            run = runs.get(name, {})
            sources.append(SourceFreshness(
                source=name, documents=counts.get(name, 0),
                last_crawl=run.get("finished_at") or fetched.get(name), skipped=dict(run.get("skipped") or {}),
            ))
    try:
        described = describe_index(data_dir, top=0, internal=True)
        version, documents = described["version"], described["documents"]
    except (IndexUnavailableError, AppError) as exc:  # no index yet, or its backend cannot be reached
        logger.warning("report: index not described: %s", exc)
        version = documents = None
    return StaffReport(queries=queries, sources=sources, index_version=version, index_documents=documents)


def open_query_log(
    data_dir: str | Path, *, clock: Callable[[], float] = time.time, retain_days: int = DEFAULT_RETENTION_DAYS,
) -> QueryLog:
    """The query log of a data directory, created (with the directory) on first use; counts older than
    `retain_days` are pruned as it is written."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QueryLogError(f"Cannot create the data directory {data_dir}: {exc.strerror}. Pass another --data-dir.") from None
    return QueryLog(data_dir / QUERYLOG_FILENAME, clock=clock, retain_days=retain_days)


def _hour(timestamp: float) -> str:
    """A time truncated to its hour, in UTC, in a form that sorts as text.

    >>> _hour(0)
    '1970-01-01T00:00Z'
    """
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%dT%H:00Z")
