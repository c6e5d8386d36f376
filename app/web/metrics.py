"""/metrics in the Prometheus text format, so that monitoring can graph searches and alert on a stale
index or a failed scheduled crawl.

Searches are counted and timed as the engine answers them (every results page and filter change is one
answer; `sotehaku report` counts searches people started, from the query log). The index and corpus
figures are read when Prometheus scrapes: the published version and its age, documents per source, and
each source's latest crawl as the corpus store recorded it (when it finished, whether it fetched
anything, pages fetched and skipped by reason). Nothing here is about who searched.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

from corpus import CorpusError
from corpus.store import STORE_FILENAME, CorpusStore
from search.api import IndexUnavailableError
from search.engine import SearchEngine

log = logging.getLogger("sotehaku.web")
# Seconds: fine steps below a tenth of a second, where an embedded index answers, coarse ones up to the
# ten seconds after which a person has given up.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
VERSION_FORMAT = "v%Y%m%dT%H%M%S%fZ"  # both backends name versions by their UTC publication time

router = APIRouter()


class SearchMetrics:
    """The metrics of one web app: search counters and latency, and the index and corpus read on scrape."""

    def __init__(self, data_dir: str | Path, engine: SearchEngine):
        self.registry = CollectorRegistry()
        self.searches = Counter(
            "sotehaku_searches", "Searches answered (each results page and filter change counts).", registry=self.registry,
        )
        self.zero = Counter("sotehaku_zero_result_searches", "Searches answered with no result.", registry=self.registry)
        self.latency = Histogram(
            "sotehaku_search_duration_seconds", "Time the search engine took to answer a search.",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.registry.register(_CorpusCollector(Path(data_dir), engine))

    def observe(self, total: int, seconds: float) -> None:
        """Count one answered search."""
        self.searches.inc()
        if total == 0:
            self.zero.inc()
        self.latency.observe(seconds)

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


class MeasuredEngine:
    """The app's search engine with every search counted and timed; everything else passes through."""

    def __init__(self, engine: SearchEngine, metrics: SearchMetrics):
        self._engine, self._metrics = engine, metrics

    def search(self, *args, **kwargs):
        started = time.perf_counter()
        results = self._engine.search(*args, **kwargs)
        self._metrics.observe(results.total, time.perf_counter() - started)
        return results

    def __getattr__(self, name):
        return getattr(self._engine, name)


class _CorpusCollector:
    """Index and corpus figures, read fresh on every scrape."""

    def __init__(self, data_dir: Path, engine: SearchEngine):
        self.data_dir, self.engine = data_dir, engine

    def describe(self):
        return []  # read on scrape only, not when registered

    def collect(self):
        yield from self._index()
        yield from self._corpus()

    def _index(self):
        up = GaugeMetricFamily("sotehaku_index_up", "1 when a published index is searchable, else 0.")
        try:
            version = self.engine.version
        except IndexUnavailableError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield InfoMetricFamily("sotehaku_index", "The published index version.", value={"version": str(version)})
        try:
            published = dt.datetime.strptime(str(version), VERSION_FORMAT).replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            return
        yield GaugeMetricFamily("sotehaku_index_published_timestamp_seconds", "When the published index version was published (Unix time).", value=published)
        yield GaugeMetricFamily("sotehaku_index_age_seconds", "Seconds since the published index version was published.", value=max(0.0, time.time() - published))

    def _corpus(self):
        path = self.data_dir / STORE_FILENAME
        if not path.is_file():  # a web node of a SolrCloud index may have no corpus here
            return
        try:
            with CorpusStore(path) as store:
                by_source = store.counts("source")
                runs = store.crawl_runs()
        except CorpusError as exc:
            log.warning("metrics: cannot read the corpus store: %s", exc)
            return
        documents = GaugeMetricFamily("sotehaku_documents", "Documents in the corpus store, per source.", labels=["source"])
        for source, count in by_source.items():
            documents.add_metric([source], count)
        yield documents
        finished = GaugeMetricFamily("sotehaku_crawl_last_finished_timestamp_seconds", "When the latest crawl of a source ended (Unix time).", labels=["source"])
        success = GaugeMetricFamily("sotehaku_crawl_last_success", "1 if the latest crawl of a source fetched pages, 0 if it fetched nothing or failed.", labels=["source"])
        fetched = GaugeMetricFamily("sotehaku_crawl_last_fetched_pages", "Pages the latest crawl of a source fetched.", labels=["source"])
        skipped = GaugeMetricFamily("sotehaku_crawl_last_skipped_pages", "Pages the latest crawl of a source skipped, by reason.", labels=["source", "reason"])
        for run in runs:
            source = run["source"]
            finished.add_metric([source], dt.datetime.fromisoformat(run["finished_at"]).timestamp())
            success.add_metric([source], 1 if run["ok"] else 0)
            fetched.add_metric([source], run["fetched"])
            for reason, count in sorted(run["skipped"].items()):
                skipped.add_metric([source, reason], count)
        yield from (finished, success, fetched, skipped)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The Prometheus exposition of this app's metrics."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
