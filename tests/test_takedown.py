"""Takedowns: `sotehaku remove URL|ID --block` takes a page out of the corpus and the live index at once, and
crawls and imports skip it (reason "blocked") until `sotehaku unblock`."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest
from click.testing import CliRunner

from app.cli import main
from app.pipeline import crawl_sources, run_pipeline
from app.web.app import create_app
from corpus.crawl import CrawlStats
from corpus.sample import demo_sources
from corpus.store import open_data_store

PAGE = "/palvelut/palveluseteli.html"


@pytest.fixture()
def data_dir(indexed_data_dir, tmp_path):
    """A copy of the indexed sample site's data directory, for one test to take pages down in."""
    copy = tmp_path / "data"
    shutil.copytree(indexed_data_dir, copy, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    return copy


def sotehaku(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def hit_urls(base, query):
    answer = httpx.get(f"{base}/api/search", params={"q": query, "size": 50})
    assert answer.status_code == 200, answer.text
    return {hit["url"] for hit in answer.json()["hits"]}


def recrawl(data_dir, sample_site_url) -> CrawlStats:
    seen = []
    run_pipeline(data_dir, crawl_sources(demo_sources(sample_site_url)[:1], done=seen.append), publish=False)
    return seen[0]


def test_removed_page_leaves_the_running_server_at_once_and_stays_out_until_unblocked(data_dir, serve_app, sample_site_url):
    url = f"{sample_site_url}{PAGE}"
    base = serve_app(create_app(data_dir))
    assert url in hit_urls(base, "palveluseteli")

    result = sotehaku(data_dir, "remove", url, "--block")
    assert result.exit_code == 0, result.output
    assert f"Removed {url} from the corpus and the index." in result.output
    assert url not in hit_urls(base, "palveluseteli")  # the same server, no restart, no 'sotehaku index'
    assert httpx.get(f"{base}/api/search", params={"q": "palveluseteli"}).json()["total"] > 0  # the rest stays
    with open_data_store(data_dir) as store:
        assert store.get(url) is None and store.is_blocked(url)

    stats = recrawl(data_dir, sample_site_url)
    assert stats.skipped["blocked"] == 1 and "blocked: 1" in stats.summary()
    with open_data_store(data_dir) as store:
        assert store.get(url) is None
    assert sotehaku(data_dir, "index").exit_code == 0
    assert url not in hit_urls(base, "palveluseteli")
    assert url in sotehaku(data_dir, "unblock", "--list").output

    result = sotehaku(data_dir, "unblock", url)
    assert result.exit_code == 0 and f"Unblocked {url}" in result.output
    assert recrawl(data_dir, sample_site_url).skipped["blocked"] == 0
    assert sotehaku(data_dir, "index").exit_code == 0
    assert url in hit_urls(base, "palveluseteli")


def test_reimport_skips_a_blocked_document_by_id_or_address(data_dir, tmp_path):
    lines = tmp_path / "docs.jsonl"
    lines.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in [
        {"id": "muistio-1", "url": "https://intra.example.fi/muistio-1", "title": "Muistio", "text": "Kaarnalaivan henkilötiedot."},
        {"id": "muistio-2", "title": "Toinen muistio", "text": "Kaarnalaivan aikataulu."},
    ]), encoding="utf-8")
    assert sotehaku(data_dir, "import", str(lines)).exit_code == 0
    assert sotehaku(data_dir, "index").exit_code == 0
    result = sotehaku(data_dir, "remove", "https://intra.example.fi/muistio-1", "--block")  # by address
    assert result.exit_code == 0 and "Removed muistio-1 from the corpus and the index." in result.output
    assert [h["id"] for h in json.loads(sotehaku(data_dir, "search", "kaarnalaiva", "--format", "json").output)["hits"]] == ["muistio-2"]

    result = sotehaku(data_dir, "import", str(lines))
    assert result.exit_code == 0, result.output  # a blocked document is left out, not a failure
    assert "skipped muistio-1: blocked" in result.output and "left out 1 blocked" in result.output
    with open_data_store(data_dir) as store:
        assert store.get("muistio-1") is None and store.get("muistio-2") is not None
    for name in ("corpus.sqlite3", "corpus.sqlite3-wal"):  # overwritten on disk, not only unlinked
        if (data_dir / name).exists():
            assert "henkilötiedot".encode() not in (data_dir / name).read_bytes()

    assert sotehaku(data_dir, "remove", "muistio-1", "--unblock").exit_code == 0  # by id
    assert "imported 2 documents" in sotehaku(data_dir, "import", str(lines)).output
    assert sotehaku(data_dir, "index").exit_code == 0
    assert {h["id"] for h in json.loads(sotehaku(data_dir, "search", "kaarnalaiva", "--format", "json").output)["hits"]} == {"muistio-1", "muistio-2"}


def test_takedown_mistakes_are_explained(data_dir, tmp_path):
    result = sotehaku(data_dir, "remove", "https://nowhere.example.fi/")
    assert result.exit_code == 1 and "No document with the id or address 'https://nowhere.example.fi/'" in result.output
    assert "Traceback" not in result.output
    result = sotehaku(data_dir, "unblock", "https://nowhere.example.fi/")
    assert result.exit_code == 1 and "Nothing with the id or address" in result.output
    # Blocking in advance is allowed: a page that must never be crawled.
    result = sotehaku(data_dir, "remove", "https://nowhere.example.fi/", "--block")
    assert result.exit_code == 0 and "blocked" in result.output
    result = sotehaku(tmp_path / "typo", "remove", "x")
    assert result.exit_code == 1 and "does not exist" in result.output and not (tmp_path / "typo").exists()
