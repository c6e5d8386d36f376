"""The query log: what people search for and what finds nothing, kept without personal data.

Only the redacted, normalised query text, its number of results, the language, the channel and the hour
are kept, as counts: no address, user agent, account, session or cookie, and no order of arrival (the
table has no row ids), so the log cannot be joined with a web server's access log.

>>> log = QueryLog(":memory:")
>>> log.record("Sote  uudistus", 12)
>>> log.record("soittakaa 040 123 4567", 0)
>>> log.report().top
[('soittakaa [phone]', 1), ('sote uudistus', 1)]
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AppError
from corpus.migrate import migrate

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
# Schema upgrades in order (see corpus.migrate): append a step for every change, never edit one.
MIGRATIONS = (SCHEMA,)  # 1: release 0.1

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
    """The most frequent queries and the queries that found nothing over a number of days."""

    days: int
    total_queries: int
    top: list[tuple[str, int]] = field(default_factory=list)
    zero: list[tuple[str, int]] = field(default_factory=list)


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

    def record(self, query: str, total: int, *, lang: str | None = None, channel: str = "web") -> None:
        """Count one search; never raises, so a full disk or a locked log cannot fail the search itself."""
        if not isinstance(query, str) or not isinstance(total, int) or total < 0 or channel not in CHANNELS:
            logger.warning("query log: not recorded: bad query, total %r or channel %r", total, channel)
            return
        text = normalize_query(query)
        if not text:
            return
        # The language comes from a request parameter: anything but a language code could smuggle in text.
        lang = lang.lower() if isinstance(lang, str) and LANG_PATTERN.fullmatch(lang.lower()) else ""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO queries (hour, query, total, lang, channel, count) VALUES (?, ?, ?, ?, ?, 1)"
                    " ON CONFLICT (hour, query, total, lang, channel) DO UPDATE SET count = count + 1",
                    (_hour(self._clock()), text, total, lang, channel),
                )
        except sqlite3.Error as exc:
            logger.warning("query log %s: not recorded: %s", self.path, exc)
            return
        if self._clock() - self._pruned >= PRUNE_EVERY:  # retention kept by the writer itself: no cron job to forget
            self._pruned = self._clock()
            try:
                self.prune(self.retain_days)
            except QueryLogError as exc:
                logger.warning("%s", exc)

    def report(self, days: int = 30, limit: int = 20) -> Report:
        """The `limit` most frequent queries and queries without results of the last `days` days."""
        since = _hour(self._clock() - days * DAY)
        top_sql = (
            "SELECT query, SUM(count) AS n FROM queries WHERE hour >= ? {} GROUP BY query ORDER BY n DESC, query LIMIT ?"
        )
        try:
            with self._lock:
                total = self._db.execute("SELECT COALESCE(SUM(count), 0) FROM queries WHERE hour >= ?", (since,)).fetchone()[0]
                top = self._db.execute(top_sql.format(""), (since, limit)).fetchall()
                zero = self._db.execute(top_sql.format("AND total = 0"), (since, limit)).fetchall()
        except sqlite3.Error as exc:
            raise QueryLogError(f"Cannot read the query log {self.path}: {exc}.") from None
        return Report(days=days, total_queries=total, top=[tuple(r) for r in top], zero=[tuple(r) for r in zero])

    def prune(self, days: int = 365) -> int:
        """Delete the counts older than `days` days; return how many hourly rows went."""
        before = _hour(self._clock() - days * DAY)
        try:
            with self._lock:
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
