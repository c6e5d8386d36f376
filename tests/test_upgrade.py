"""A data directory written by release 0.1 keeps working: its stores migrate themselves on open, search
works or asks for 'sotehaku index' in one line, and after 'sotehaku index' search works."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from app import accounts, querylog
from app.accounts import open_accounts
from app.cli import main
from app.querylog import open_query_log
from app.web.app import create_app
from corpus import store as corpus_store
from corpus.migrate import schema_version
from corpus.store import open_data_store

FIXTURE = Path(__file__).parent / "fixtures" / "release-0.1" / "data"
NAME, PASSWORD, TOKEN = "anna.virtanen", "salasana-joka-on-pitka", "ktFwTLW-Zq60KbljEmJw_fNrMHEHjd9wQaQzXyg1pcg"


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def old_data(tmp_path):
    """A writable copy of the release 0.1 data directory (the repository's copy may be read-only)."""
    before = fingerprint(FIXTURE)
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    yield target
    assert fingerprint(FIXTURE) == before  # nothing wrote into the repository's copy


def sotehaku(data_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def test_the_stores_migrate_on_open_and_keep_their_data(old_data):
    with open_data_store(old_data) as store:
        assert schema_version(store._db) == len(corpus_store.MIGRATIONS)
        assert store.count() == 5
        assert store.get("intra:muistio-palveluverkko").visibility == "internal"
    with open_accounts(old_data) as staff:
        assert schema_version(staff._db) == len(accounts.MIGRATIONS)
        assert staff.user_for_token(TOKEN) == NAME
        assert staff.check_password(NAME, PASSWORD)
    with open_query_log(old_data) as log:
        assert schema_version(log._db) == len(querylog.MIGRATIONS)
        report = log.report(days=365 * 100)
    assert report.total_queries == 3 and ("hammaslaakari", 1) in report.zero
    listed = sotehaku(old_data, "users", "list", "--format", "json")
    assert listed.exit_code == 0 and [u["name"] for u in json.loads(listed.output)] == [NAME]


def test_search_works_or_asks_for_an_index_then_works_after_indexing(old_data, serve_app):
    before = sotehaku(old_data, "search", "kotihoito", "--format", "json")
    assert before.exception is None or isinstance(before.exception, SystemExit), before.exception  # no traceback
    if before.exit_code != 0:
        lines = before.output.strip().splitlines()
        assert len(lines) == 1 and "sotehaku index" in lines[0], before.output
    url = serve_app(create_app(old_data))
    answer = httpx.get(f"{url}/api/search", params={"q": "kotihoito"})
    assert answer.status_code == 200 or (answer.status_code == 503 and "sotehaku index" in answer.json()["error"])

    indexed = sotehaku(old_data, "index")
    assert indexed.exit_code == 0, indexed.output

    after = sotehaku(old_data, "search", "kotihoidon", "--format", "json")
    assert after.exit_code == 0, after.output
    assert json.loads(after.output)["hits"][0]["id"] == "https://www.example.fi/palvelut/kotihoito"
    staff = json.loads(sotehaku(old_data, "search", "kotihoidon", "--format", "json", "--internal").output)
    assert "intra:muistio-palveluverkko" in {h["id"] for h in staff["hits"]}
    answer = httpx.get(f"{url}/api/search", params={"q": "kotihoito"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and "intra:muistio-palveluverkko" in {h["id"] for h in answer.json()["hits"]}
