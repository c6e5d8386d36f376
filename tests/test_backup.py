"""`sotehaku backup DIR` and `sotehaku restore DIR`: a round trip while the server runs gives the same
search results, accounts and query log; restore never overwrites by accident."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading

import httpx
import pytest
from click.testing import CliRunner

from app.accounts import open_accounts
from app.backend import open_engine
from app.cli import main
from app.querylog import open_query_log
from app.web.app import create_app
from search.engine import Viewer

QUERIES = ["palveluseteli", "hyvinvointialue", "työryhmä", "\"sosiaali- ja terveyspalvelut\"", "kotihoito -omaishoito"]
STAFF = Viewer(name="staff", staff=True)


def sotehaku(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def ranked(data_dir):
    engine = open_engine(data_dir)
    return {
        (query, viewer.staff): [(h.id, round(h.score, 6), h.snippet) for h in engine.search(query, size=20, viewer=viewer).hits]
        for query in QUERIES for viewer in (Viewer(), STAFF)
    }


@pytest.fixture()
def live(indexed_data_dir, tmp_path, serve_app):
    """A copy of the indexed sample data directory with an account and a query log, served by a real server."""
    data_dir = tmp_path / "live"
    shutil.copytree(indexed_data_dir, data_dir, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    with open_accounts(data_dir) as accounts:
        token = accounts.add_user("anna.virtanen", "kaarna-ja-kuori-2024")
    base = serve_app(create_app(data_dir))
    for query in QUERIES:
        assert httpx.get(f"{base}/", params={"q": query}).status_code == 200  # logged by the server
    return data_dir, base, token


def test_backup_while_serving_then_restore_gives_the_same_results(live, tmp_path):
    data_dir, base, token = live
    stop = threading.Event()

    def search_meanwhile():  # the server keeps answering and logging queries during the backup
        while not stop.is_set():
            httpx.get(f"{base}/", params={"q": "neuvola"})

    searcher = threading.Thread(target=search_meanwhile)
    searcher.start()
    try:
        result = sotehaku(data_dir, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        searcher.join()
    assert result.exit_code == 0, result.output
    assert "Backed up corpus.sqlite3, accounts.sqlite3, querylog.sqlite3 and index version v" in result.output
    manifest = json.loads((tmp_path / "backup" / "sotehaku-backup.json").read_text())
    assert manifest["index"]["backend"] == "whoosh" and manifest["databases"]["corpus.sqlite3"] >= 2
    for name in manifest["databases"]:  # each copy is one self-contained file that passes SQLite's own check
        assert not (tmp_path / "backup" / f"{name}-wal").exists()
        with sqlite3.connect(tmp_path / "backup" / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    restored = tmp_path / "restored"
    result = sotehaku(restored, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert f"The index version {manifest['index']['version']} is published." in result.output
    assert ranked(restored) == ranked(data_dir)
    with open_accounts(restored) as accounts:
        assert accounts.user_for_token(token) == "anna.virtanen"
        assert accounts.check_password("anna.virtanen", "kaarna-ja-kuori-2024")
    with open_query_log(restored) as log:
        top = dict(log.report(days=1, limit=50).top)
    assert top.get("palveluseteli") and top.get("hyvinvointialue")
    assert sotehaku(restored, "search", "palveluseteli").exit_code == 0


def test_restore_refuses_to_overwrite_without_force(live, tmp_path):
    data_dir, _, _ = live
    assert sotehaku(data_dir, "backup", str(tmp_path / "b1")).exit_code == 0
    with open_accounts(data_dir) as accounts:
        accounts.add_user("lisatty.myohemmin")
    result = sotehaku(data_dir, "restore", str(tmp_path / "b1"))
    assert result.exit_code == 1
    assert f"The data directory {data_dir} already holds corpus.sqlite3, accounts.sqlite3" in result.output and "--force" in result.output
    with open_accounts(data_dir) as accounts:
        assert "lisatty.myohemmin" in {u.name for u in accounts.list_users()}
    result = sotehaku(data_dir, "restore", str(tmp_path / "b1"), "--force")
    assert result.exit_code == 0, result.output
    with open_accounts(data_dir) as accounts:
        assert {u.name for u in accounts.list_users()} == {"anna.virtanen"}


def test_backup_and_restore_mistakes_are_explained(live, tmp_path):
    data_dir, _, _ = live
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = sotehaku(data_dir, "backup", str(tmp_path / "full"))
    assert result.exit_code == 1 and "is not an empty folder" in result.output
    result = sotehaku(tmp_path / "new", "restore", str(tmp_path / "full"))
    assert result.exit_code == 1 and "is not a sotehaku backup" in result.output and "Traceback" not in result.output
