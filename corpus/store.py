"""The corpus store: documents and their fetch metadata in one SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus import CorpusError
from corpus.document import Document

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
    links         TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
"""

STORE_FILENAME = "corpus.sqlite3"

COLUMNS = (
    "id", "source", "visibility", "url", "title", "text", "lang", "updated", "section",
    "description", "headings", "content_type", "content_hash", "fetched_at", "etag", "last_modified", "links",
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
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                f"Cannot open the corpus store {self.path}: {exc}. "
                "Check that the data directory is writable and the file is a sotehaku store."
            ) from exc
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

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
    ) -> bool:
        """Insert or replace a document (with its fetch metadata and outgoing links); True if its content changed."""
        old = self._db.execute("SELECT content_hash FROM documents WHERE id = ?", (doc.id,)).fetchone()
        new_hash = doc.content_hash
        row = (
            doc.id, doc.source, doc.visibility, doc.url, doc.title, doc.text, doc.lang,
            doc.updated.isoformat() if doc.updated else None, doc.section, doc.description,
            json.dumps(list(doc.headings), ensure_ascii=False), doc.content_type, new_hash,
            dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), etag, last_modified,
            json.dumps(list(links)),
        )
        placeholders = ", ".join("?" for _ in COLUMNS)
        self._db.execute(f"INSERT OR REPLACE INTO documents ({', '.join(COLUMNS)}) VALUES ({placeholders})", row)
        return old is None or old["content_hash"] != new_hash

    def put_many(self, docs: Iterable[Document]) -> int:
        """Store many documents in one transaction; return how many changed."""
        changed = 0
        self._db.execute("BEGIN")
        try:
            for doc in docs:
                changed += self.put(doc)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
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
    )
