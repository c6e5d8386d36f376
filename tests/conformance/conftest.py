"""The backend conformance suite: behaviour every search backend must show, written once.

Each test module here builds its indexes through `make_engine`, which is parametrised over BACKENDS:
a new backend is accepted by adding its factory to BACKENDS and passing every test. A factory takes
pytest's request (to reach session fixtures such as a running cluster) and a fresh folder, and
returns an empty backend of that kind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backends.solr import admin
from backends.solr.backend import SolrBackend, setup
from backends.solr.configset import CONFIGSET_DIR
from backends.whoosh.backend import WhooshBackend
from corpus.dedup import with_duplicates_marked
from search.engine import SearchEngine

SOLR_CONFIGSET = "sotehaku_conformance"
_solr_in_module: dict[str, int] = {}  # test module -> index of its latest backend
_solr_created: set[str] = set()


def whoosh_backend(request, folder: Path):
    """The embedded Whoosh index in a folder of its own."""
    return WhooshBackend(folder)


@pytest.fixture(scope="session")
def solr_conformance_urls(request):
    """Node URLs of the session's SolrCloud cluster, with the package's configset uploaded once for the
    conformance suite. SOTEHAKU_TEST_SOLR=URL[,URL...] names a running cluster to use instead (while
    developing: start one with `python -m backends.solr.cluster run` and keep it)."""
    running = os.environ.get("SOTEHAKU_TEST_SOLR")
    urls = running.split(",") if running else request.getfixturevalue("solrcloud").node_urls
    admin.upload_configset(urls, SOLR_CONFIGSET, CONFIGSET_DIR)
    return urls


def solr_backend(request, folder: Path):
    """An empty SolrCloud index (collections of 1 shard x 1 replica) on the session's cluster.

    Creating collections takes seconds, so each test module reuses those of earlier modules: its n-th
    backend gets the n-th pair of collections, emptied (a delete of everything drops every segment,
    so no term statistic of an earlier module's documents remains)."""
    urls = request.getfixturevalue("solr_conformance_urls")
    module = request.node.nodeid.split("::")[0]
    index = _solr_in_module[module] = _solr_in_module.get(module, -1) + 1
    name = f"conformance{index}"
    if name not in _solr_created:
        setup(urls, name, shards=1, replicas=1, configset=SOLR_CONFIGSET, upload=False)
        _solr_created.add(name)
    backend = SolrBackend(urls, name)
    for part in ("public", "all"):
        backend.update(part, {"delete": {"query": "*:*"}}, commit="true")
    return backend


BACKENDS = {"whoosh": whoosh_backend, "solr": solr_backend}


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend_name(request):
    """The name of the backend a conformance test runs on (every test runs on each)."""
    return request.param


@pytest.fixture(scope="module")
def make_backend(request, backend_name, tmp_path_factory):
    """A function: name -> a new, empty backend of this kind (nothing published yet)."""

    def make(name: str = "index"):
        return BACKENDS[backend_name](request, tmp_path_factory.mktemp(f"{backend_name}-{name}"))

    return make


@pytest.fixture(scope="module")
def make_engine(request, backend_name, tmp_path_factory):
    """A function: documents -> a SearchEngine over a new backend of this kind with them published.
    `publish(engine, documents)` updates an engine's backend in place (for update tests)."""

    def make(documents, name: str = "index", **publish_options) -> SearchEngine:
        folder = tmp_path_factory.mktemp(f"{backend_name}-{name}")
        backend = BACKENDS[backend_name](request, folder)
        backend.publish(lambda: marked(documents), full=True, **publish_options)
        return SearchEngine(backend, lexicon_dir=folder)

    return make


def publish(engine: SearchEngine, documents) -> object:
    """Bring an engine's backend in step with these documents (incrementally, as `sotehaku index` does)."""
    return engine.backend.publish(lambda: marked(documents))


def marked(documents) -> list:
    """The documents with their near-duplicate marks, as the pipeline attaches them from the corpus store."""
    documents = list(documents)
    return list(with_duplicates_marked(documents, {d.duplicate_of for d in documents if d.duplicate_of}))
