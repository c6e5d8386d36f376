"""The corpus store: documents and their fetch metadata in one SQLite file."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus import CorpusError
from corpus.document import Document, access_keys
from corpus.migrate import migrate, statements

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL DEFAULT '',
    visibility    TEXT NOT NULL DEFAULT 'public',
    url           TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL,
    lang          TEXT NOT NULL DEFAULT 'fi',
    updated       TEXT,
    section       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    headings      TEXT NOT NULL DEFAULT '[]',
    content_type  TEXT NOT NULL DEFAULT 'text/html',
    content_hash  TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    links         TEXT NOT NULL DEFAULT '[]',
    parent        TEXT NOT NULL DEFAULT '',
    duplicate_of  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
-- The frontier of an unfinished crawl: what was queued and what is done, so a killed crawl resumes.
CREATE TABLE IF NOT EXISTS crawl_queue (
    source   TEXT NOT NULL,
    url      TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    depth    INTEGER NOT NULL DEFAULT 0,
    referrer TEXT NOT NULL DEFAULT '',
    done     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, url)
);
-- How many pages an unfinished crawl has fetched, so that its max_pages holds across a resume.
CREATE TABLE IF NOT EXISTS crawl_progress (
    source  TEXT PRIMARY KEY,
    fetched INTEGER NOT NULL DEFAULT 0
);
"""
# Columns added before schema versions were counted, with their definitions: stores written before
# release 0.1 lack them.
ADDED_COLUMNS = {
    "parent": "TEXT NOT NULL DEFAULT ''",
    "duplicate_of": "TEXT NOT NULL DEFAULT ''",
}


def _release_0_1(db: sqlite3.Connection) -> None:
    """Schema version 1: the store as release 0.1 wrote it, from nothing or from an earlier store."""
    for statement in statements(SCHEMA):
        db.execute(statement)
    present = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    for column, definition in ADDED_COLUMNS.items():
        if column not in present:
            db.execute(f"ALTER TABLE documents ADD COLUMN {column} {definition}")


# Schema version 3: takedowns and crawl outcomes. A blocked document (by id and by address) is kept out of
# the corpus by crawls and imports until it is unblocked; each source's latest crawl is recorded so that
# monitoring and schedulers see a crawl that fetched nothing.
BLOCKLIST_AND_CRAWLS = """
CREATE TABLE blocklist (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL DEFAULT '',
    blocked_at TEXT NOT NULL
);
CREATE INDEX blocklist_url ON blocklist(url);
CREATE TABLE crawl_runs (
    source      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    fetched     INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    removed     INTEGER NOT NULL,
    skipped     TEXT NOT NULL DEFAULT '{}',
    ok          INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
"""

# Schema upgrades in order (see corpus.migrate): append a step for every change, never edit one.
MIGRATIONS = (
    _release_0_1,
    # 2: the groups an internal document is limited to, as a JSON list ('[]': any signed-in staff).
    "ALTER TABLE documents ADD COLUMN access TEXT NOT NULL DEFAULT '[]'",
    BLOCKLIST_AND_CRAWLS,  # 3
    # 4: Tesseract's confidence of a document's OCR text (NULL: no text was read by OCR).
    "ALTER TABLE documents ADD COLUMN ocr_confidence REAL",
    # 5: the texts of a page's links, as a JSON list of [target URL, text]: its targets' anchor text.
    "ALTER TABLE documents ADD COLUMN link_texts TEXT NOT NULL DEFAULT '[]'",
)

STORE_FILENAME = "corpus.sqlite3"

COLUMNS = (
    "id", "source", "visibility", "url", "title", "text", "lang", "updated", "section",
    "description", "headings", "content_type", "content_hash", "fetched_at", "etag", "last_modified", "links",
    "parent", "duplicate_of", "access", "ocr_confidence", "link_texts",
)


class StoreError(CorpusError):
    """The corpus store cannot be opened or read."""


class CorpusStore:
    """Documents in SQLite; every write is its own transaction, so a killed crawl keeps what it stored.

    >>> store = CorpusStore(":memory:")
    >>> store.put(Document(id="d1", text="Hyvinvointialue aloitti."))
    True
    >>> store.count()
    1
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrate(self._db, MIGRATIONS)
        except sqlite3.Error as exc:
            raise StoreError(
                f"Cannot open the corpus store {self.path}: {exc}. "
                "Check that the data directory is writable and the file is a sotehaku store."
            ) from exc
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextlib.contextmanager
    def _transaction(self):
        """One transaction around several writes (the connection is otherwise in autocommit mode)."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def __enter__(self) -> "CorpusStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def put(
        self,
        doc: Document,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        links: tuple[str, ...] = (),
        anchors: tuple[tuple[str, str], ...] = (),
    ) -> bool:
        """Insert or replace a document (with its fetch metadata, outgoing links and their (URL, text) pairs);
        True if its content changed."""
        old = self._db.execute("SELECT content_hash FROM documents WHERE id = ?", (doc.id,)).fetchone()
        new_hash = doc.content_hash
        row = (
            doc.id, doc.source, doc.visibility, doc.url, doc.title, doc.text, doc.lang,
            doc.updated.isoformat() if doc.updated else None, doc.section, doc.description,
            json.dumps(list(doc.headings), ensure_ascii=False), doc.content_type, new_hash,
            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), etag, last_modified,
            json.dumps(list(links)), doc.parent, doc.duplicate_of, json.dumps(list(doc.access), ensure_ascii=False),
            doc.ocr_confidence, json.dumps([list(pair) for pair in anchors], ensure_ascii=False),
        )
        placeholders = ", ".join("?" for _ in COLUMNS)
        self._db.execute(f"INSERT OR REPLACE INTO documents ({', '.join(COLUMNS)}) VALUES ({placeholders})", row)
        return old is None or old["content_hash"] != new_hash

    def put_many(self, docs: Iterable[Document]) -> int:
        """Store many documents in one transaction; return how many changed."""
        changed = 0
        with self._transaction():
            for doc in docs:
                changed += self.put(doc)
        return changed

    def get(self, doc_id: str) -> Document | None:
        """The stored document with this id, or None."""
        row = self._db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _row_to_document(row) if row else None

    def fetch_meta(self, doc_id: str) -> dict | None:
        """ETag, Last-Modified, content hash and outgoing links stored with a document, for revalidation."""
        row = self._db.execute(
            "SELECT etag, last_modified, content_hash, fetched_at, links FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return None
        meta = dict(row)
        meta["links"] = tuple(json.loads(meta["links"]))
        return meta

    def delete(self, doc_id: str) -> bool:
        """Remove a document; return True if it was there."""
        return self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    def erase(self, doc_id: str) -> bool:
        """Remove a document and overwrite its content on disk (a takedown of personal data): SQLite's
        secure_delete zeroes the freed space, and a checkpoint moves the change from the write-ahead log
        into the file and empties the log. Return True if it was there."""
        self._db.execute("PRAGMA secure_delete = ON")
        try:
            found = self.delete(doc_id)
        finally:
            self._db.execute("PRAGMA secure_delete = OFF")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # best effort: a reader elsewhere may hold a frame back
        return found

    def count(self, source: str | None = None) -> int:
        """Number of stored documents, optionally of one source."""
        if source is None:
            return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM documents WHERE source = ?", (source,)).fetchone()[0]

    def ids(self, source: str | None = None) -> list[str]:
        """Ids of stored documents in id order, optionally of one source."""
        if source is None:
            rows = self._db.execute("SELECT id FROM documents ORDER BY id")
        else:
            rows = self._db.execute("SELECT id FROM documents WHERE source = ? ORDER BY id", (source,))
        return [r[0] for r in rows]

    def iter_documents(self) -> Iterator[Document]:
        """Every stored document in id order."""
        for row in self._db.execute("SELECT * FROM documents ORDER BY id"):
            yield _row_to_document(row)

    def link_texts(self) -> Iterator[tuple[str, str, tuple[str, ...], list[tuple[str, str]]]]:
        """(id, address, access keys, (target URL, text) pairs) of every document that links with words, in
        id order: the source of anchor text (corpus.anchors)."""
        rows = self._db.execute(
            "SELECT id, url, visibility, access, link_texts FROM documents WHERE link_texts != '[]' ORDER BY id"
        )
        for doc_id, url, visibility, access, pairs in rows:
            keys = access_keys(visibility, tuple(json.loads(access)))
            yield doc_id, url, keys, [(target, text) for target, text in json.loads(pairs)]

    def link_targets(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """(id, access keys) of each document by its address, and by its id (an id may be the address):
        what a link resolves to."""
        found = {}
        for doc_id, url, visibility, access in self._db.execute("SELECT id, url, visibility, access FROM documents ORDER BY id DESC"):
            target = (doc_id, access_keys(visibility, tuple(json.loads(access))))
            found[doc_id] = target
            if url:
                found[url] = target
        return found

    def counts(self, column: str, visibilities: tuple[str, ...] | None = None) -> dict[str, int]:
        """Number of documents per value of source, lang, visibility or content_type (of these visibilities only, if given)."""
        if column not in ("source", "lang", "visibility", "content_type"):
            raise ValueError(f"cannot count by {column!r}")
        where, args = "", ()
        if visibilities is not None:
            where, args = f"WHERE visibility IN ({', '.join('?' for _ in visibilities)})", tuple(visibilities)
        rows = self._db.execute(f"SELECT {column}, COUNT(*) FROM documents {where} GROUP BY {column} ORDER BY {column}", args)
        return {row[0]: row[1] for row in rows}

    def last_fetched(self) -> dict[str, str]:
        """When each source's newest stored document was fetched (ISO 8601, UTC)."""
        rows = self._db.execute("SELECT source, MAX(fetched_at) FROM documents GROUP BY source ORDER BY source")
        return {row[0]: row[1] for row in rows}

    def set_duplicates(self, duplicate_of: dict[str, str]) -> int:
        """Record which document each near-duplicate repeats (and clear the mark of all others); return changes."""
        with self._transaction():
            old = dict(self._db.execute("SELECT id, duplicate_of FROM documents WHERE duplicate_of != ''").fetchall())
            changes = {doc_id: "" for doc_id in old if doc_id not in duplicate_of}
            changes.update({d: o for d, o in duplicate_of.items() if old.get(d) != o})
            self._db.executemany("UPDATE documents SET duplicate_of = ? WHERE id = ?", [(o, d) for d, o in changes.items()])
        return len(changes)

    def duplicated_ids(self) -> set[str]:
        """The ids of the documents that near-duplicates repeat (the duplicate_of of some other document)."""
        return {row[0] for row in self._db.execute("SELECT DISTINCT duplicate_of FROM documents WHERE duplicate_of != ''")}

    # Takedowns: a blocked document is removed and kept out until unblocked. It is matched by its id and by
    # its address, so a crawl (ids are URLs) and an import of the same page (its own id) both skip it.

    def block(self, doc_id: str, url: str = "") -> None:
        """Keep a document (by id, and by address when it has one) out of the corpus until unblocked."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT INTO blocklist (id, url, blocked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET url = excluded.url", (doc_id, url, now),
        )

    def unblock(self, key: str) -> int:
        """Let a blocked document (by id or address) back in; return how many entries were lifted."""
        return self._db.execute("DELETE FROM blocklist WHERE id = ? OR (url != '' AND url = ?)", (key, key)).rowcount

    def is_blocked(self, doc_id: str, url: str = "") -> bool:
        """True if a document of this id or address is blocked."""
        keys = {doc_id, url} - {""}
        return any(
            self._db.execute("SELECT 1 FROM blocklist WHERE id = ? OR (url != '' AND url = ?)", (key, key)).fetchone()
            for key in keys
        )

    def blocked(self) -> list[dict]:
        """Every blocked document: id, url and when it was blocked, oldest first."""
        return [dict(r) for r in self._db.execute("SELECT id, url, blocked_at FROM blocklist ORDER BY blocked_at, id")]

    def find(self, key: str) -> Document | None:
        """The stored document with this id, or else the one at this address."""
        found = self.get(key)
        if found is not None:
            return found
        row = self._db.execute("SELECT * FROM documents WHERE url = ? ORDER BY id LIMIT 1", (key,)).fetchone()
        return _row_to_document(row) if row else None

    # Crawl outcomes: the latest crawl of each source, for metrics and for schedulers.

    def record_crawl(
        self, source: str, *, started_at: str, fetched: int, changed: int = 0, removed: int = 0,
        skipped: dict[str, int] | None = None, error: str = "",
    ) -> bool:
        """Record how a source's crawl ended (replacing its previous record); it succeeded if it fetched
        something and raised nothing. Return whether it succeeded."""
        ok = fetched > 0 and not error
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT OR REPLACE INTO crawl_runs (source, started_at, finished_at, fetched, changed, removed, skipped, ok, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source, started_at, now, fetched, changed, removed, json.dumps(dict(skipped or {}), sort_keys=True), int(ok), error),
        )
        return ok

    def crawl_runs(self) -> list[dict]:
        """The latest crawl of every source: when it started and finished, fetched, changed, removed,
        skipped (reason -> count), ok and error."""
        out = []
        for row in self._db.execute("SELECT * FROM crawl_runs ORDER BY source"):
            run = dict(row)
            run["skipped"] = json.loads(run["skipped"])
            run["ok"] = bool(run["ok"])
            out.append(run)
        return out

    # The crawl frontier. A crawl queues URLs here as it finds them and marks each done once it is handled;
    # a crawl that ends normally clears its rows, so rows left behind mean the last crawl was interrupted.

    def frontier(self, source: str) -> tuple[list[tuple[str, int, str]], set[str]]:
        """The pending (url, depth, referrer) entries of an interrupted crawl of a source, and every URL it saw."""
        rows = self._db.execute(
            "SELECT url, depth, referrer, done FROM crawl_queue WHERE source = ? ORDER BY seq", (source,)
        ).fetchall()
        return [(r["url"], r["depth"], r["referrer"]) for r in rows if not r["done"]], {r["url"] for r in rows}

    def fetched_so_far(self, source: str) -> int:
        """How many pages the interrupted crawl of a source had fetched (0 when none was interrupted)."""
        row = self._db.execute("SELECT fetched FROM crawl_progress WHERE source = ?", (source,)).fetchone()
        return row[0] if row else 0

    def queue_urls(
        self, source: str, entries: Iterable[tuple[str, int, str]], *, done: str | None = None,
        fetched: int | None = None,
    ) -> None:
        """Add (url, depth, referrer) entries to a source's frontier and, in the same transaction, mark the
        URL whose page linked them as handled (stored, revalidated or skipped) and record how many pages the
        crawl has fetched: a kill can never keep the one without the other."""
        entries = list(entries)
        if not entries and done is None and fetched is None:
            return
        with self._transaction():
            if entries:
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM crawl_queue WHERE source = ?", (source,)).fetchone()[0]
                self._db.executemany(
                    "INSERT OR IGNORE INTO crawl_queue (source, url, seq, depth, referrer) VALUES (?, ?, ?, ?, ?)",
                    [(source, url, seq + i, depth, referrer) for i, (url, depth, referrer) in enumerate(entries, 1)],
                )
            if done is not None:
                self._db.execute("UPDATE crawl_queue SET done = 1 WHERE source = ? AND url = ?", (source, done))
            if fetched is not None:
                self._db.execute(
                    "INSERT INTO crawl_progress (source, fetched) VALUES (?, ?) "
                    "ON CONFLICT (source) DO UPDATE SET fetched = excluded.fetched",
                    (source, fetched),
                )

    def clear_frontier(self, source: str) -> None:
        """Forget a source's frontier: its crawl finished."""
        with self._transaction():
            self._db.execute("DELETE FROM crawl_queue WHERE source = ?", (source,))
            self._db.execute("DELETE FROM crawl_progress WHERE source = ?", (source,))


def open_data_store(data_dir: str | Path) -> CorpusStore:
    """The corpus store of a data directory, created (with the directory) on first use."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the data directory {data_dir}: {exc.strerror}. Pass another --data-dir.") from None
    return CorpusStore(data_dir / STORE_FILENAME)


def _row_to_document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        lang=row["lang"],
        visibility=row["visibility"],
        updated=dt.date.fromisoformat(row["updated"]) if row["updated"] else None,
        source=row["source"],
        section=row["section"],
        description=row["description"],
        headings=tuple(json.loads(row["headings"])),
        content_type=row["content_type"],
        parent=row["parent"],
        duplicate_of=row["duplicate_of"],
        access=tuple(json.loads(row["access"])),
        ocr_confidence=row["ocr_confidence"],
    )
