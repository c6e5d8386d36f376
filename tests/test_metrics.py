"""/metrics scraped from a real server and read with prometheus_client's own parser: searches, zero-result
searches, latency, index version and age, documents per source, and each source's latest crawl."""

from __future__ import annotations

import shutil
import socket
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.pipeline import crawl_sources, run_pipeline
from app.web.app import create_app
from corpus.sources import Source
from corpus.store import open_data_store


def scrape(base) -> dict:
    """{(name, labels as a sorted tuple): value} of every sample /metrics exposes."""
    answer = httpx.get(f"{base}/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text) for sample in family.samples
    }


@pytest.fixture()
def data_dir(indexed_data_dir, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(indexed_data_dir, copy, ignore=shutil.ignore_patterns("querylog.sqlite3*", "accounts.sqlite3*"))
    return copy


def test_metrics_count_searches_and_show_index_corpus_and_crawls(data_dir, serve_app):
    with socket.socket() as sock:  # a source whose site is down: the scheduled crawl fetches nothing
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    run_pipeline(data_dir, crawl_sources([Source.for_url(dead)]), publish=False)
    dead_source = dead.split("/")[2]
    base = serve_app(create_app(data_dir))
    before = scrape(base)
    assert before[("sotehaku_searches_total", ())] == 0

    for query in ("palveluseteli", "hyvinvointialue", "qwxzyvvbnm"):
        assert httpx.get(f"{base}/api/search", params={"q": query}).status_code == 200
    assert httpx.get(f"{base}/", params={"q": "palveluseteli"}).status_code == 200
    after = scrape(base)
    assert after[("sotehaku_searches_total", ())] == 4
    assert after[("sotehaku_zero_result_searches_total", ())] == 1
    assert after[("sotehaku_search_duration_seconds_count", ())] == 4
    assert 0 < after[("sotehaku_search_duration_seconds_sum", ())] < 60
    assert after[("sotehaku_search_duration_seconds_bucket", (("le", "+Inf"),))] == 4

    version = httpx.get(f"{base}/healthz").json()["index_version"]
    assert after[("sotehaku_index_up", ())] == 1
    assert after[("sotehaku_index_info", (("version", version),))] == 1
    assert 0 <= after[("sotehaku_index_age_seconds", ())] < 3600
    assert abs(after[("sotehaku_index_published_timestamp_seconds", ())] + after[("sotehaku_index_age_seconds", ())] - time.time()) < 60

    with open_data_store(data_dir) as store:
        by_source = store.counts("source")
    assert set(by_source) == {"sample-site", "sample-intranet"}
    for source, count in by_source.items():
        assert after[("sotehaku_documents", (("source", source),))] == count
    assert after[("sotehaku_crawl_last_success", (("source", "sample-site"),))] == 1
    assert after[("sotehaku_crawl_last_fetched_pages", (("source", "sample-site"),))] >= 45
    assert after[("sotehaku_crawl_last_skipped_pages", (("reason", "disallowed by robots.txt"), ("source", "sample-site")))] >= 1
    assert after[("sotehaku_crawl_last_success", (("source", dead_source),))] == 0  # what an alert fires on
    assert after[("sotehaku_crawl_last_fetched_pages", (("source", dead_source),))] == 0
    assert after[("sotehaku_crawl_last_skipped_pages", (("reason", "connection failed"), ("source", dead_source)))] == 1
    assert time.time() - after[("sotehaku_crawl_last_finished_timestamp_seconds", (("source", dead_source),))] < 600


def test_metrics_without_an_index_say_so(tmp_path, serve_app):
    (tmp_path / "empty").mkdir()
    base = serve_app(create_app(tmp_path / "empty"))
    samples = scrape(base)
    assert samples[("sotehaku_index_up", ())] == 0
    assert not [key for key in samples if key[0] == "sotehaku_documents"]
    assert not (tmp_path / "empty" / "corpus.sqlite3").exists()  # scraping creates nothing
