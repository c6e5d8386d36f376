"""Schema upgrades of the SQLite stores (corpus.migrate): ordered steps, counted in PRAGMA user_version."""

from __future__ import annotations

import sqlite3

import pytest

from app.accounts import AccountError, open_accounts
from app.querylog import QueryLogError, open_query_log
from corpus.migrate import migrate, schema_version
from corpus.store import StoreError, open_data_store


def connect(path):
    return sqlite3.connect(path, isolation_level=None)


def test_steps_run_once_in_order_and_only_the_new_ones(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    seen = []
    steps = ["CREATE TABLE t (a TEXT);\nINSERT INTO t VALUES ('x');", lambda db: seen.append(schema_version(db))]
    assert migrate(db, steps[:1]) == 1
    assert migrate(db, steps) == 1 and seen == [1]
    assert migrate(db, steps) == 0 and schema_version(db) == 2
    assert db.execute("SELECT a FROM t").fetchall() == [("x",)]


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    migrate(db, ["CREATE TABLE t (a TEXT)"])
    broken = ["CREATE TABLE t (a TEXT)", "ALTER TABLE t ADD COLUMN b TEXT;\nTHIS IS NOT SQL;"]
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, broken)
    assert schema_version(db) == 1 and not db.in_transaction
    assert [row[1] for row in db.execute("PRAGMA table_info(t)")] == ["a"]


@pytest.mark.parametrize(("opener", "filename", "error"), [
    (open_data_store, "corpus.sqlite3", StoreError),
    (open_accounts, "accounts.sqlite3", AccountError),
    (open_query_log, "querylog.sqlite3", QueryLogError),
])
def test_a_store_from_a_newer_release_is_refused_with_a_message(tmp_path, opener, filename, error):
    opener(tmp_path).close()
    with connect(tmp_path / filename) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(error, match="schema version 99 is newer than this sotehaku knows .*upgrade sotehaku"):
        opener(tmp_path)


def test_a_corpus_store_from_before_release_0_1_gets_its_columns(tmp_path):
    with connect(tmp_path / "corpus.sqlite3") as db:
        db.execute(
            "CREATE TABLE documents (id TEXT PRIMARY KEY, source TEXT NOT NULL DEFAULT '', visibility TEXT NOT NULL DEFAULT 'public',"
            " url TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', text TEXT NOT NULL, lang TEXT NOT NULL DEFAULT 'fi',"
            " updated TEXT, section TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', headings TEXT NOT NULL DEFAULT '[]',"
            " content_type TEXT NOT NULL DEFAULT 'text/html', content_hash TEXT NOT NULL, fetched_at TEXT NOT NULL, etag TEXT,"
            " last_modified TEXT, links TEXT NOT NULL DEFAULT '[]')"
        )
        db.execute("INSERT INTO documents (id, text, content_hash, fetched_at) VALUES ('a', 'Kotihoito.', 'h', '2021-01-01')")
    with open_data_store(tmp_path) as store:
        doc = store.get("a")
    assert doc.text == "Kotihoito." and doc.duplicate_of == "" and doc.parent == ""
